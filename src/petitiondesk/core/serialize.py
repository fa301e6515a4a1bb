"""Records back to the API's own JSON shape, for `show --json` and exports.

The output uses the attribute names of docs/API.md §4 so that anyone who knows the site's API
can read it; `parse.parse_petition_item({"type": ..., "id": ..., "attributes": d})` gives the same
record back. Timestamps are written as the site writes them (UTC, milliseconds, ``Z``); microseconds
beyond milliseconds are kept so that the round trip is exact.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any

from .models import Petition, PetitionCount

__all__ = ["count_to_dict", "format_date", "format_timestamp", "petition_to_api_dict"]

# Breakdowns are omitted when absent (None), so that absent and empty stay distinct.
_BREAKDOWNS = (
    "signatures_by_country",
    "signatures_by_constituency",
    "signatures_by_region",
    "other_parliamentary_business",
)

_NOT_ATTRIBUTES = ("id", "archived", "parliament")
_API_ORDER = (
    "action",
    "background",
    "additional_details",
    "committee_note",
    "state",
    "signature_count",
    "closing_date",
    "created_at",
    "updated_at",
    "rejected_at",
    "opened_at",
    "closed_at",
    "moderation_threshold_reached_at",
    "response_threshold_reached_at",
    "government_response_at",
    "debate_threshold_reached_at",
    "debate_scheduled_on",
    "scheduled_debate_date",
    "debate_outcome_at",
    "creator_name",
    "rejection",
    "government_response",
    "debate",
    "departments",
    "topics",
) + _BREAKDOWNS


def format_timestamp(value: datetime | None) -> str | None:
    """``2025-01-08T15:30:12.874Z``: UTC, milliseconds (microseconds if they are not whole ms)."""
    if value is None:
        return None
    if value.tzinfo is None:  # the parsers never make these; assume UTC rather than local time
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    spec = "milliseconds" if utc.microsecond % 1000 == 0 else "microseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def format_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):  # before date: a datetime is a date
        return format_timestamp(value)
    if isinstance(value, date):
        return format_date(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _jsonable(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return value


def _attribute_order() -> tuple[str, ...]:
    """§4.1's template order, then any field the records gain later."""
    extra = [f.name for f in fields(Petition) if f.name not in _API_ORDER and f.name not in _NOT_ATTRIBUTES]
    return _API_ORDER + tuple(extra)


def petition_to_api_dict(petition: Petition) -> dict[str, Any]:
    """One JSON-ready object: ``id``, every attribute under its API name in the API's order, and
    ``archived: true`` plus the ``parliament`` block for archived petitions."""
    result: dict[str, Any] = {"id": petition.id}
    for name in _attribute_order():
        value = getattr(petition, name)
        if name in _BREAKDOWNS and value is None:
            continue
        if name == "closing_date" and petition.state != "open":
            continue  # the site only sends it for open petitions
        result[name] = _jsonable(value)
    if petition.archived:
        result["archived"] = True
    if petition.archived or petition.parliament is not None:
        result["parliament"] = _jsonable(petition.parliament)
    return result


def count_to_dict(count: PetitionCount) -> dict[str, Any]:
    """The shape of `/petitions/:id/count.json` (timestamps in UTC rather than London time)."""
    return {field.name: _jsonable(getattr(count, field.name)) for field in fields(count)}
