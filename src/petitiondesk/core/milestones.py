"""What a petition document says about its past and its deadline, without any recorded sample.

Every document carries dated facts (docs/API.md §4). Where the site states the count at a moment it
is a **known point**: the moderation threshold (the creator and 5 supporters: 6 signatures,
``Petition#at_threshold_for_moderation?``), 10,000 at ``response_threshold_reached_at``, 100,000 at
``debate_threshold_reached_at`` (the parliament's own thresholds when it has them), the count at
``updated_at`` (which changes whenever the count does) and the final count at ``closed_at``. Where
it does not (opening, response, debate, closing, dissolution) it is an **event**: a time, never a
made-up count.

Real documents have gaps and contradictions (a threshold passed with no timestamp after a reset,
``opened_at`` missing in old data, timestamps out of order): what is missing is skipped, and a
known point that contradicts a more trusted one (an earlier point with a higher count or a later
one with a lower count) is dropped, so the points always rise with time.

The deadline follows the site's rule when ``closing_date`` is absent (older documents):
``Site.closed_at_for_opening`` is the end of the opening day in UK time plus the petition duration,
6 calendar months (``Site.petition_duration``; admins may extend one petition by days, which the
API does not expose), and the parliament's dissolution closes petitions early.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import numpy as np
from numpy.typing import ArrayLike

from petitiondesk.core.models import Petition

__all__ = [
    "Deadline",
    "Event",
    "KnownPoint",
    "MODERATION_THRESHOLD",
    "PETITION_DURATION_MONTHS",
    "deadline",
    "effective_state",
    "end_of_uk_day",
    "events",
    "known_points",
]

MODERATION_THRESHOLD = 6  # Site.threshold_for_moderation (5) + 1: the creator and 5 supporters
# Site.maximum_number_of_signatures: before a petition opens only its creator and up to 20 sponsors
# can sign, so at opening the count is at most this. Without it a curve by days since opening ran
# straight from moderation to 10,000 and crossed day 0 at thousands.
MOST_BEFORE_OPENING = 21
PETITION_DURATION_MONTHS = 6  # Site.petition_duration's default


@dataclass(frozen=True)
class KnownPoint:
    """A count the site states at a moment; ``name`` is one of ``moderation``, ``opened`` (an upper
    bound: see MOST_BEFORE_OPENING), ``response_threshold``, ``debate_threshold``, ``updated`` and
    ``closed``; ``label`` is for tooltips."""

    name: str
    at: float  # POSIX seconds
    count: int
    label: str

    @property
    def stated(self) -> bool:
        """A count the site states; ``opened`` is a bound that shapes the curve, not data to list."""
        return self.name != "opened"


@dataclass(frozen=True)
class Event:
    """A dated fact without a count. ``kind``: created, opened, response, debate_scheduled, debate,
    debated, not_debated, closing, dissolution, count_drop. ``date_only`` events are placed at the
    start of their UK day."""

    kind: str
    at: float
    label: str
    date_only: bool = False


@dataclass(frozen=True)
class Deadline:
    """When the petition closes (or closed). ``stated`` is False when computed from the site's rule;
    ``source``: ``closed_at``, ``closing_date``, ``opened_at + 6 months`` or ``dissolution``."""

    at: float
    stated: bool
    source: str


def uk_zone() -> tzinfo:
    """Europe/London; UTC where the tz database is missing (some Windows installs): an hour off at most."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/London")
    except Exception:  # ZoneInfoNotFoundError or a missing module
        return UTC


def end_of_uk_day(day: date) -> float | None:
    """23:59:59.999 UK time on ``day``, in POSIX seconds (the site's closing moment, docs/API.md §16.5);
    None for a day with no next midnight (9999-12-31 from the network)."""
    try:
        next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=uk_zone())
    except OverflowError:
        return None
    return next_midnight.timestamp() - 0.001


def _start_of_uk_day(day: date) -> float:
    return datetime.combine(day, time(), tzinfo=uk_zone()).timestamp()


def _add_months(day: date, months: int) -> date | None:
    """Rails' ``+ n.months``: the same day of the month, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > 9999:
        return None
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline(petition: Petition) -> Deadline | None:
    """When the petition closes or closed (see module doc); None for a petition never opened."""
    if petition.closed_at is not None:
        return Deadline(petition.closed_at.timestamp(), True, "closed_at")
    if petition.closing_date is not None:
        stated = end_of_uk_day(petition.closing_date)
        return Deadline(stated, True, "closing_date") if stated is not None else None
    if petition.opened_at is None:
        return None
    last_day = _add_months(petition.opened_at.astimezone(uk_zone()).date(), PETITION_DURATION_MONTHS)
    computed = end_of_uk_day(last_day) if last_day is not None else None
    dissolution = petition.parliament.dissolution_at if petition.parliament else None
    if dissolution is not None and (computed is None or dissolution.timestamp() < computed):
        return Deadline(dissolution.timestamp(), False, "dissolution")
    return Deadline(computed, False, "opened_at + 6 months") if computed is not None else None


def effective_state(petition: Petition, now: float) -> str:
    """The document's state, except that an open petition whose deadline has passed (a document
    captured long ago, or a stale cache) is ``closed``: the site closes it at its deadline."""
    if petition.state != "open":
        return petition.state
    closing = deadline(petition)
    return "closed" if closing is not None and closing.at <= now else "open"


def known_points(petition: Petition, times: ArrayLike = (), counts: ArrayLike = ()) -> tuple[KnownPoint, ...]:
    """The counts the document states, sorted by time, consistent with each other and with the
    recorded samples ``times``/``counts`` (see module doc)."""
    candidates = _candidate_points(petition)  # most trusted first
    t = np.asarray(times, dtype=np.float64).ravel()
    c = np.asarray(counts, dtype=np.int64).ravel()
    if t.shape != c.shape:
        raise ValueError(f"times and counts differ in length ({t.size} and {c.size})")
    order = np.argsort(t, kind="stable")
    t, c = t[order], c[order]
    highest_before = np.maximum.accumulate(c) if c.size else c
    lowest_after = np.minimum.accumulate(c[::-1])[::-1] if c.size else c
    kept: list[KnownPoint] = []
    for point in candidates:
        if _agrees_with_samples(point, t, highest_before, lowest_after) and all(
            _consistent(point, other) for other in kept
        ):
            kept.append(point)
    return tuple(sorted(kept, key=lambda point: point.at))


def _candidate_points(petition: Petition) -> list[KnownPoint]:
    count = petition.signature_count
    points = []
    if petition.closed_at is not None:
        final = f"final count {count:,} — from the site"
        points.append(KnownPoint("closed", petition.closed_at.timestamp(), count, final))
    if petition.updated_at is not None and (petition.closed_at is None or petition.updated_at < petition.closed_at):
        points.append(KnownPoint("updated", petition.updated_at.timestamp(), count, f"{count:,} — from the site"))
    thresholds = (
        ("debate_threshold", petition.debate_threshold_reached_at, petition.debate_threshold),
        ("response_threshold", petition.response_threshold_reached_at, petition.response_threshold),
        ("moderation", petition.moderation_threshold_reached_at, MODERATION_THRESHOLD),
    )
    earliest = _earliest_possible(petition)
    for name, when, level in thresholds:
        # A threshold cannot be passed before the petition existed (or, above moderation, before it opened).
        floor = earliest if name == "moderation" else max(earliest, _timestamp(petition.opened_at) or earliest)
        if when is not None and when.timestamp() >= floor:
            points.append(KnownPoint(name, when.timestamp(), level, f"reached {level:,} — from the site"))
    opened = _timestamp(petition.opened_at)
    if opened is not None and opened >= earliest:  # least trusted: dropped if any other point disagrees
        points.append(KnownPoint("opened", opened, min(MOST_BEFORE_OPENING, count),
                                 f"opened: at most {MOST_BEFORE_OPENING} — only the creator and sponsors sign before"))
    return points


def _earliest_possible(petition: Petition) -> float:
    return _timestamp(petition.created_at) or float("-inf")


def _timestamp(when: datetime | None) -> float | None:
    return when.timestamp() if when is not None else None


def _consistent(a: KnownPoint, b: KnownPoint) -> bool:
    """Counts never fall between two points the site states."""
    if a.at == b.at:
        return a.count == b.count
    earlier, later = (a, b) if a.at < b.at else (b, a)
    return earlier.count <= later.count


def _agrees_with_samples(point: KnownPoint, t: np.ndarray, highest_before: np.ndarray,
                         lowest_after: np.ndarray) -> bool:
    if t.size == 0:
        return True
    before = int(np.searchsorted(t, point.at, side="left")) - 1
    after = int(np.searchsorted(t, point.at, side="right"))
    if before >= 0 and highest_before[before] > point.count:
        return False
    return not (after < t.size and lowest_after[after] < point.count)


def events(petition: Petition, times: ArrayLike = (), counts: ArrayLike = ()) -> tuple[Event, ...]:
    """The document's dated facts (and the count drops among the recorded samples), sorted by time."""
    found = [
        *_timed("created", petition.created_at, "created"),
        *_timed("opened", petition.opened_at, "opened"),
        *_response(petition),
        *_debate(petition),
        *_closing(petition),
        *_timed("dissolution", petition.parliament.dissolution_at if petition.parliament else None,
                "Parliament dissolved"),
        *_count_drops(times, counts),
    ]
    return tuple(sorted(found, key=lambda event: event.at))


def _timed(kind: str, when: datetime | None, label: str) -> list[Event]:
    return [Event(kind, when.timestamp(), label)] if when is not None else []


def _dated(kind: str, day: date | None, label: str) -> list[Event]:
    return [Event(kind, _start_of_uk_day(day), label, date_only=True)] if day is not None else []


def _response(petition: Petition) -> list[Event]:
    if petition.government_response_at is not None:
        return _timed("response", petition.government_response_at, "government responded")
    response = petition.government_response
    return _dated("response", response.responded_on if response else None, "government responded")


def _debate(petition: Petition) -> list[Event]:
    found = _dated("debate_scheduled", petition.debate_scheduled_on, "debate scheduled")
    debate = petition.debate
    if debate is not None and debate.debated:
        return found + _dated("debated", debate.debated_on, "debated in Parliament")
    if debate is not None:
        return found + _timed("not_debated", petition.debate_outcome_at, "not debated")
    return found + _dated("debate", petition.scheduled_debate_date, "debate due")


def _closing(petition: Petition) -> list[Event]:
    closing = deadline(petition)
    if closing is None:
        return []
    if petition.closed_at is not None:
        return [Event("closing", closing.at, "closed")]
    return [Event("closing", closing.at, "closes" if closing.stated else "closes (computed)")]


def _count_drops(times: ArrayLike, counts: ArrayLike) -> list[Event]:
    """Where the recorded count fell (the site removing invalid signatures): one event per fall."""
    t = np.asarray(times, dtype=np.float64).ravel()
    c = np.asarray(counts, dtype=np.int64).ravel()
    if t.size < 2 or t.shape != c.shape:
        return []
    order = np.argsort(t, kind="stable")
    t, c = t[order], c[order]
    falls = np.flatnonzero(np.diff(c) < 0)
    return [Event("count_drop", float(t[i + 1]), f"{int(c[i + 1] - c[i]):,} signatures removed") for i in falls]
