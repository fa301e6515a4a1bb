"""Immutable records for everything the petitions API returns.

Every field mirrors an attribute of docs/API.md §4-§7 under the API's own name, so
that `show --json` can print them back unchanged. Anything the site may omit is optional: ``None``
means "absent or null", and for the breakdown arrays ``None`` (absent) differs from ``()`` (empty).
Timestamps are timezone-aware UTC ``datetime``s, date-only fields are ``date``s.

These records cross threads (worker -> GUI), so they are frozen and hold only tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

RESPONSE_THRESHOLD = 10_000
DEBATE_THRESHOLD = 100_000

SITE_BASE = "https://petition.parliament.uk"


@dataclass(frozen=True)
class Rejection:
    code: str
    details: str | None = None


@dataclass(frozen=True)
class GovernmentResponse:
    summary: str = ""
    details: str = ""
    responded_on: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Debate:
    debated_on: date | None = None
    transcript_url: str | None = None
    video_url: str | None = None
    debate_pack_url: str | None = None
    public_engagement_url: str | None = None
    debate_summary_url: str | None = None
    overview: str = ""

    @property
    def debated(self) -> bool:
        return self.debated_on is not None


@dataclass(frozen=True)
class Department:
    name: str
    acronym: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CountrySignatures:
    name: str
    signature_count: int
    code: str | None = None


@dataclass(frozen=True)
class ConstituencySignatures:
    name: str
    ons_code: str
    signature_count: int
    mp: str | None = None


@dataclass(frozen=True)
class RegionSignatures:
    name: str
    ons_code: str
    signature_count: int


@dataclass(frozen=True)
class ParliamentaryBusiness:
    subject: str = ""
    body: str = ""
    occurred_on: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Parliament:
    """The `parliament` block beside an archived petition's attributes (§6)."""

    period: str | None = None
    government: str | None = None
    dissolution_at: datetime | None = None
    response_threshold: int | None = None
    debate_threshold: int | None = None


@dataclass(frozen=True)
class Petition:
    id: int
    action: str
    state: str
    signature_count: int
    background: str = ""
    additional_details: str = ""
    committee_note: str | None = None
    closing_date: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    rejected_at: datetime | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    moderation_threshold_reached_at: datetime | None = None
    response_threshold_reached_at: datetime | None = None
    government_response_at: datetime | None = None
    debate_threshold_reached_at: datetime | None = None
    debate_scheduled_on: date | None = None
    scheduled_debate_date: date | None = None
    debate_outcome_at: datetime | None = None
    creator_name: str | None = None
    rejection: Rejection | None = None
    government_response: GovernmentResponse | None = None
    debate: Debate | None = None
    departments: tuple[Department, ...] = ()
    topics: tuple[str, ...] = ()
    # None: the key was absent (list items, rejected petitions); () : present but empty.
    signatures_by_country: tuple[CountrySignatures, ...] | None = None
    signatures_by_constituency: tuple[ConstituencySignatures, ...] | None = None
    signatures_by_region: tuple[RegionSignatures, ...] | None = None
    other_parliamentary_business: tuple[ParliamentaryBusiness, ...] | None = None
    # Archived petitions (type "archived-petition") carry their parliament.
    archived: bool = False
    parliament: Parliament | None = None

    def without_breakdowns(self) -> Petition:
        """This petition without where its signatures come from (constituencies, regions, countries:
        absent, as in a list item): what a watchlist row, the schedule and the alerts need, in a
        tenth of the memory. The full document stays in the store (`Store.petition`)."""
        if self.signatures_by_constituency is None and self.signatures_by_region is None \
                and self.signatures_by_country is None:
            return self
        return replace(self, signatures_by_country=None, signatures_by_constituency=None, signatures_by_region=None)

    @property
    def web_url(self) -> str:
        """The human page on the site (not the JSON)."""
        kind = "archived/petitions" if self.archived else "petitions"
        return f"{SITE_BASE}/{kind}/{self.id}"

    @property
    def response_threshold(self) -> int:
        if self.parliament and self.parliament.response_threshold:
            return self.parliament.response_threshold
        return RESPONSE_THRESHOLD

    @property
    def debate_threshold(self) -> int:
        if self.parliament and self.parliament.debate_threshold:
            return self.parliament.debate_threshold
        return DEBATE_THRESHOLD


@dataclass(frozen=True)
class PetitionCount:
    """`/petitions/:id/count.json` (§5). Before 2025-08 only `signature_count` existed."""

    signature_count: int
    response_threshold_reached_at: datetime | None = None
    government_response_at: datetime | None = None
    debate_threshold_reached_at: datetime | None = None
    scheduled_debate_date: date | None = None
    debate_outcome_at: datetime | None = None
    debated: bool | None = None

    def milestones(self) -> tuple[Any, ...]:
        """What, when it changes, means the full document is worth fetching again."""
        return (
            self.response_threshold_reached_at,
            self.government_response_at,
            self.debate_threshold_reached_at,
            self.scheduled_debate_date,
            self.debate_outcome_at,
            self.debated,
        )


@dataclass(frozen=True)
class ListLinks:
    self: str | None = None
    first: str | None = None
    last: str | None = None
    next: str | None = None
    prev: str | None = None


@dataclass(frozen=True)
class PetitionPage:
    """One page of `/petitions.json` or `/archived/petitions.json` (§3.4, §6)."""

    items: tuple[Petition, ...]
    links: ListLinks


@dataclass(frozen=True)
class TrendingPetition:
    """An item of `/trending.json`: `signatures_last_hour` is NOT the total (§7.1)."""

    id: int
    action: str
    signatures_last_hour: int


@dataclass(frozen=True)
class Trending:
    items: tuple[TrendingPetition, ...]
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CsvPetition:
    """A row of `/petitions.csv` (§3.6); the id comes from the URL."""

    id: int
    action: str
    url: str
    state: str
    signature_count: int


@dataclass(frozen=True)
class Constituency:
    """A value of `/constituencies.json` (§7.2)."""

    ons_code: str
    constituency: str
    mp: str | None = None
    party: str | None = None
    start_date: date | None = None
    end_date: date | None = None
