"""Turn what petition.parliament.uk sends into the records of ``models``.

Two rules (docs/API.md §16):

* Tolerant of drift: unknown keys are ignored, missing keys and nulls accepted, old spellings
  (``open_at``) understood, and a wrongly-typed *optional* field becomes its default.
* Strict about non-petitions: HTML pages, cut-off bodies, error objects and records missing what
  makes them a petition (id, action, state, signature_count) raise ``ParseError`` with a message a
  user can read. A record is either complete or not built at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeGuard

from .models import (
    Constituency,
    ConstituencySignatures,
    CountrySignatures,
    CsvPetition,
    Debate,
    Department,
    GovernmentResponse,
    ListLinks,
    Parliament,
    ParliamentaryBusiness,
    Petition,
    PetitionCount,
    PetitionPage,
    RegionSignatures,
    Rejection,
    Trending,
    TrendingPetition,
)

__all__ = [
    "ParseError",
    "load_json",
    "parse_constituencies",
    "parse_count",
    "parse_date",
    "parse_list_page",
    "parse_petition_document",
    "parse_petition_item",
    "parse_petitions_csv",
    "parse_timestamp",
    "parse_trending",
]

PETITION_TYPES = {"petition": False, "archived-petition": True}  # type -> archived
CSV_COLUMNS = ("Petition", "URL", "State", "Signatures Count")
# Bounds on numbers from the network: beyond them a value is garbage (and SQLite's 64-bit
# integers could not even store it). Ids match refs and the client; no petition nears 10**12.
MAX_PETITION_ID = 999_999_999
MAX_COUNT = 10**12

# §8: "2019-03-26T17:19:45.070Z" in petitions, "2023-06-30T00:00:00.000+01:00" in count.json.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"\s*(?:(Z)|([+-])(\d{2}):?(\d{2}))",
    re.ASCII,
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CSV_ID = re.compile(r"/petitions/(\d{1,9})(?:[/?#.]|$)", re.ASCII)


class ParseError(ValueError):
    """What the server sent is not what was asked for; str() is one line meant for a user."""


# ---------------------------------------------------------------------------------------------
# Scalars


def parse_timestamp(value: object) -> datetime | None:
    """An ISO-8601 time with ``Z`` or ``±hh:mm`` (fraction optional) as aware UTC; else None."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        offset = timedelta(0) if zulu else timedelta(hours=int(off_h), minutes=int(off_m))
        if sign == "-":
            offset = -offset
        local = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micros,
            tzinfo=timezone(offset),
        )
        return local.astimezone(UTC)
    except (ValueError, OverflowError):  # month 13, offset beyond 24 h, year 1 minus an offset...
        return None


def parse_date(value: object) -> date | None:
    """A ``YYYY-MM-DD`` date; anything else is None."""
    if not isinstance(value, str):
        return None
    match = _DATE.fullmatch(value.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int in Python, but `true` is not a count.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: object) -> TypeGuard[int]:
    return _is_int(value) and 1 <= value <= MAX_PETITION_ID


def _is_count(value: object) -> TypeGuard[int]:
    return _is_int(value) and 0 <= value <= MAX_COUNT


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _str_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dict_or_empty(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------------------------
# JSON bodies


def load_json(body: bytes | bytearray | memoryview | str) -> object:
    """Decode a response body, refusing anything that is not a complete JSON document."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        try:
            text = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ParseError(
                f"the response is not UTF-8 text (bad byte at position {error.start})"
            ) from None
    elif isinstance(body, str):
        text = body.removeprefix("\ufeff")
    else:
        raise ParseError(f"expected a response body but got {_describe(body)}")
    stripped = text.strip()
    if not stripped:
        raise ParseError("the server sent an empty response")
    if stripped.startswith("<"):
        raise ParseError("the server sent an HTML page, not petition data")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
        # "\ud800" is valid JSON, but a lone surrogate cannot be printed or saved as UTF-8.
        return _without_lone_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value
    except json.JSONDecodeError as error:
        if _stopped_early(text, error):
            at_byte = len(text.encode("utf-8"))
            raise ParseError(f"the response was cut off (invalid JSON at byte {at_byte})") from None
        at_byte = len(text[: error.pos].encode("utf-8"))
        raise ParseError(f"the response is not valid JSON ({error.msg} at byte {at_byte})") from None
    except (ValueError, RecursionError) as error:  # NaN, 5000-digit numbers, absurd nesting
        raise ParseError(f"the response is not usable JSON ({_first_line(error)})") from None


def _without_lone_surrogates(value: object) -> object:
    """Each lone surrogate in the decoded strings (keys too) becomes U+FFFD."""
    if isinstance(value, str):
        if not _SURROGATE.search(value):
            return value
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value


def _stopped_early(text: str, error: json.JSONDecodeError) -> bool:
    """Whether the JSON was fine up to where the body ends, i.e. it was cut off."""
    rest = text[error.pos :].rstrip()
    if not rest:
        return True
    # An unterminated string runs to the end of the body (a raw newline ends a string with a
    # different error); a half-sent literal ("nu", "tr", "-") also ends it.
    if error.msg.startswith("Unterminated string"):
        return True
    return any(word.startswith(rest) and word != rest for word in ("null", "true", "false", "-"))


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:120]


def _describe(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    if _is_int(value) or isinstance(value, float):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _as_object(doc: object, expected: str) -> dict[str, Any]:
    """The top-level object of a document (raw body or decoded), or a ParseError saying why not."""
    if isinstance(doc, (bytes, bytearray, memoryview, str)):
        doc = load_json(doc)
    if not isinstance(doc, dict):
        raise ParseError(f"expected {expected} but the response is {_describe(doc)}")
    _raise_if_error_object(doc)
    return doc


def _raise_if_error_object(doc: dict[str, Any]) -> None:
    """Rails renders errors as {"status": 404, "error": "Not Found"} (§9)."""
    if "error" not in doc or "data" in doc or "signature_count" in doc:
        return
    status, error = doc.get("status"), doc.get("error")
    parts = [str(part) for part in (status, error) if isinstance(part, (int, str)) and part != ""]
    detail = " ".join(parts) if parts else "no details"
    raise ParseError(f"the server sent an error: {detail}"[:200])


# ---------------------------------------------------------------------------------------------
# Petitions


def parse_petition_document(doc: bytes | str | dict[str, Any], *, breakdowns: bool = True) -> Petition:
    """`/petitions/:id.json` or `/archived/petitions/:id.json` (§4, §6); without `breakdowns`, its
    summary (`Petition.without_breakdowns`), made without building the breakdowns' records."""
    envelope = _as_object(doc, "a petition")
    if "data" not in envelope:
        raise ParseError("expected a petition but the response has no 'data'")
    data = envelope["data"]
    if not isinstance(data, dict):
        raise ParseError(f"expected a petition but 'data' is {_describe(data)}")
    return parse_petition_item(data, breakdowns=breakdowns)


def parse_petition_item(item: dict[str, Any], *, breakdowns: bool = True) -> Petition:
    """One ``{type, id, attributes}`` object: the ``data`` of a single view or a list item."""
    if not isinstance(item, dict):
        raise ParseError(f"expected a petition but got {_describe(item)}")
    archived = _archived_from_type(item.get("type"))
    petition_id = item.get("id")
    if not _is_id(petition_id):
        raise ParseError(f"the petition has no valid id (got {_short_repr(petition_id)})")
    attrs = item.get("attributes")
    if not isinstance(attrs, dict):
        raise ParseError(f"petition {petition_id} has no attributes")
    action, state, count = _required_attributes(petition_id, attrs)
    # The parliament block sits beside attributes (§6); serialised records carry it inside.
    parliament_block = item.get("parliament", attrs.get("parliament"))
    return Petition(
        id=petition_id,
        action=action,
        state=state,
        signature_count=count,
        background=_str_or_empty(attrs.get("background")),
        additional_details=_str_or_empty(attrs.get("additional_details")),
        committee_note=_str_or_none(attrs.get("committee_note")),
        # The key only exists for open petitions; anywhere else it would be stale.
        closing_date=parse_date(attrs.get("closing_date")) if state == "open" else None,
        created_at=parse_timestamp(attrs.get("created_at")),
        updated_at=parse_timestamp(attrs.get("updated_at")),
        rejected_at=parse_timestamp(attrs.get("rejected_at")),
        opened_at=parse_timestamp(attrs.get("opened_at", attrs.get("open_at"))),
        closed_at=parse_timestamp(attrs.get("closed_at")),
        moderation_threshold_reached_at=parse_timestamp(attrs.get("moderation_threshold_reached_at")),
        response_threshold_reached_at=parse_timestamp(attrs.get("response_threshold_reached_at")),
        government_response_at=parse_timestamp(attrs.get("government_response_at")),
        debate_threshold_reached_at=parse_timestamp(attrs.get("debate_threshold_reached_at")),
        debate_scheduled_on=parse_date(attrs.get("debate_scheduled_on")),
        scheduled_debate_date=parse_date(attrs.get("scheduled_debate_date")),
        debate_outcome_at=parse_timestamp(attrs.get("debate_outcome_at")),
        creator_name=_str_or_none(attrs.get("creator_name")),
        rejection=_rejection(attrs.get("rejection")),
        government_response=_government_response(attrs.get("government_response")),
        debate=_debate(attrs.get("debate")),
        departments=_rows(attrs.get("departments"), _department) or (),
        topics=tuple(topic for topic in _list_or_empty(attrs.get("topics")) if isinstance(topic, str)),
        signatures_by_country=_rows(attrs.get("signatures_by_country"), _country) if breakdowns else None,
        signatures_by_constituency=_rows(attrs.get("signatures_by_constituency"), _constituency)
        if breakdowns else None,
        signatures_by_region=_rows(attrs.get("signatures_by_region"), _region) if breakdowns else None,
        other_parliamentary_business=_rows(attrs.get("other_parliamentary_business"), _business),
        archived=archived,
        parliament=_parliament(parliament_block),
    )


def _archived_from_type(kind: object) -> bool:
    if not isinstance(kind, str):
        return False  # absent or odd: the rest of the record decides whether it is a petition
    if kind not in PETITION_TYPES:
        raise ParseError(f"expected a petition but got a '{kind[:40]}'")
    return PETITION_TYPES[kind]


def _required_attributes(petition_id: int, attrs: dict[str, Any]) -> tuple[str, str, int]:
    action, state, count = attrs.get("action"), attrs.get("state"), attrs.get("signature_count")
    if not isinstance(action, str):
        raise ParseError(f"petition {petition_id} has no title ('action')")
    if not isinstance(state, str):
        raise ParseError(f"petition {petition_id} has no state")
    if not _is_count(count):
        raise ParseError(
            f"petition {petition_id} has no valid signature count (got {_short_repr(count)})"
        )
    return action, state, count


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _list_or_empty(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _rows(value: object, build: Callable[[dict[str, Any]], object | None]) -> tuple[Any, ...] | None:
    """A breakdown array: None when absent/null/not a list, else the rows that make sense."""
    if not isinstance(value, list):
        return None
    rows = (build(row) for row in value if isinstance(row, dict))
    return tuple(row for row in rows if row is not None)


def _rejection(value: object) -> Rejection | None:
    # {"code": null} on an open petition was seen in real 2019 data: it means no rejection.
    block = _dict_or_empty(value)
    code = block.get("code")
    if not isinstance(code, str):
        return None
    return Rejection(code=code, details=_str_or_none(block.get("details")))


def _government_response(value: object) -> GovernmentResponse | None:
    if not isinstance(value, dict):
        return None
    return GovernmentResponse(
        summary=_str_or_empty(value.get("summary")),
        details=_str_or_empty(value.get("details")),
        responded_on=parse_date(value.get("responded_on")),
        created_at=parse_timestamp(value.get("created_at")),
        updated_at=parse_timestamp(value.get("updated_at")),
    )


def _debate(value: object) -> Debate | None:
    if not isinstance(value, dict):
        return None
    return Debate(
        debated_on=parse_date(value.get("debated_on")),
        transcript_url=_str_or_none(value.get("transcript_url")),
        video_url=_str_or_none(value.get("video_url")),
        debate_pack_url=_str_or_none(value.get("debate_pack_url")),
        public_engagement_url=_str_or_none(value.get("public_engagement_url")),
        debate_summary_url=_str_or_none(value.get("debate_summary_url")),
        overview=_str_or_empty(value.get("overview")),
    )


def _department(row: dict[str, Any]) -> Department | None:
    name = row.get("name")
    if not isinstance(name, str):
        return None
    return Department(name=name, acronym=_str_or_none(row.get("acronym")), url=_str_or_none(row.get("url")))


def _country(row: dict[str, Any]) -> CountrySignatures | None:
    name, count = row.get("name"), row.get("signature_count")
    if not isinstance(name, str) or not _is_int(count):
        return None
    return CountrySignatures(name=name, signature_count=count, code=_str_or_none(row.get("code")))


def _constituency(row: dict[str, Any]) -> ConstituencySignatures | None:
    name, code, count = row.get("name"), row.get("ons_code"), row.get("signature_count")
    if not isinstance(name, str) or not isinstance(code, str) or not _is_int(count):
        return None
    return ConstituencySignatures(
        name=name, ons_code=code, signature_count=count, mp=_str_or_none(row.get("mp"))
    )


def _region(row: dict[str, Any]) -> RegionSignatures | None:
    name, code, count = row.get("name"), row.get("ons_code"), row.get("signature_count")
    if not isinstance(name, str) or not isinstance(code, str) or not _is_int(count):
        return None
    return RegionSignatures(name=name, ons_code=code, signature_count=count)


def _business(row: dict[str, Any]) -> ParliamentaryBusiness:
    return ParliamentaryBusiness(
        subject=_str_or_empty(row.get("subject")),
        body=_str_or_empty(row.get("body")),
        occurred_on=parse_date(row.get("occurred_on")),
        created_at=parse_timestamp(row.get("created_at")),
        updated_at=parse_timestamp(row.get("updated_at")),
    )


def _parliament(value: object) -> Parliament | None:
    if not isinstance(value, dict):
        return None
    return Parliament(
        period=_str_or_none(value.get("period")),
        government=_str_or_none(value.get("government")),
        dissolution_at=parse_timestamp(value.get("dissolution_at")),
        response_threshold=_positive_int_or_none(value.get("response_threshold")),
        debate_threshold=_positive_int_or_none(value.get("debate_threshold")),
    )


def _positive_int_or_none(value: object) -> int | None:
    return value if _is_int(value) and value > 0 else None


# ---------------------------------------------------------------------------------------------
# Other endpoints


def parse_count(doc: bytes | str | dict[str, Any]) -> PetitionCount:
    """`/petitions/:id/count.json` (§5), including the pre-2025 form ``{"signature_count": N}``."""
    body = _as_object(doc, "a signature count")
    count = body.get("signature_count")
    if not _is_count(count):
        raise ParseError(f"expected a signature count but got {_short_repr(count)}")
    debated = body.get("debated")
    return PetitionCount(
        signature_count=count,
        response_threshold_reached_at=parse_timestamp(body.get("response_threshold_reached_at")),
        government_response_at=parse_timestamp(body.get("government_response_at")),
        debate_threshold_reached_at=parse_timestamp(body.get("debate_threshold_reached_at")),
        scheduled_debate_date=parse_date(body.get("scheduled_debate_date")),
        debate_outcome_at=parse_timestamp(body.get("debate_outcome_at")),
        debated=debated if isinstance(debated, bool) else None,
    )


def parse_list_page(doc: bytes | str | dict[str, Any]) -> PetitionPage:
    """One page of `/petitions.json` or `/archived/petitions.json` (§3.4, §6).

    An item that is not a petition is skipped: one bad record must not hide the other 49.
    """
    body = _as_object(doc, "a list of petitions")
    data = _list_data(body, "a list of petitions")
    items = []
    for raw in data:
        try:
            items.append(parse_petition_item(raw))
        except ParseError:
            continue
    return PetitionPage(items=tuple(items), links=_links(body.get("links")))


def _list_data(body: dict[str, Any], expected: str) -> list[Any]:
    if "data" not in body:
        raise ParseError(f"expected {expected} but the response has no 'data'")
    data = body["data"]
    if not isinstance(data, list):
        raise ParseError(f"expected {expected} but 'data' is {_describe(data)}")
    return data


def _links(value: object) -> ListLinks:
    links = _dict_or_empty(value)
    return ListLinks(
        self=_str_or_none(links.get("self")),
        first=_str_or_none(links.get("first")),
        last=_str_or_none(links.get("last")),
        next=_str_or_none(links.get("next")),
        prev=_str_or_none(links.get("prev")),
    )


def parse_trending(doc: bytes | str | dict[str, Any]) -> Trending:
    """`/trending.json` (§7.1): its `signature_count` is the last hour's, kept apart from totals."""
    body = _as_object(doc, "trending petitions")
    items = []
    for raw in _list_data(body, "trending petitions"):
        item = _trending_item(raw)
        if item is not None:
            items.append(item)
    meta = _dict_or_empty(body.get("meta"))
    return Trending(items=tuple(items), updated_at=parse_timestamp(meta.get("updated_at")))


def _trending_item(raw: object) -> TrendingPetition | None:
    if not isinstance(raw, dict):
        return None
    petition_id = raw.get("id")
    attrs = _dict_or_empty(raw.get("attributes"))
    action, last_hour = attrs.get("action"), attrs.get("signature_count")
    if not _is_id(petition_id) or not isinstance(action, str):
        return None
    if not _is_count(last_hour):
        return None
    return TrendingPetition(id=petition_id, action=action, signatures_last_hour=last_hour)


def parse_petitions_csv(text: str | bytes) -> tuple[CsvPetition, ...]:
    """`/petitions.csv` (§3.6): every match at once; rows without a petition URL are skipped.

    The site escapes a leading ``= + - @`` of the action as ``%XX`` (against spreadsheet formula
    injection). That text is kept exactly as sent: undoing it could turn a title that really
    starts with "%3D" into "=", and the JSON views carry the true title anyway.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ParseError("the petitions CSV is not UTF-8 text") from None
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith("<"):
        raise ParseError("the server sent an HTML page, not a petitions CSV")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(column.strip() for column in header[:4]) != CSV_COLUMNS:
        raise ParseError("the response is not a petitions CSV (unexpected columns)")
    rows = []
    try:
        for fields in reader:
            row = _csv_row(fields)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        raise ParseError(f"the petitions CSV is damaged ({_first_line(error)})") from None
    return tuple(rows)


def _csv_row(fields: list[str]) -> CsvPetition | None:
    if len(fields) < 4:
        return None
    action, url, state, count_text = fields[:4]
    match = _CSV_ID.search(url)
    count_text = count_text.strip()
    if not match or not count_text.isascii() or not count_text.isdigit() or len(count_text) > 12:
        return None
    return CsvPetition(
        id=int(match.group(1)), action=action, url=url, state=state, signature_count=int(count_text)
    )


def parse_constituencies(doc: bytes | str | dict[str, Any]) -> dict[str, Constituency]:
    """`/constituencies.json` (§7.2): ONS code -> Constituency; entries without a name are skipped."""
    body = _as_object(doc, "constituencies")
    result: dict[str, Constituency] = {}
    for key, raw in body.items():
        if not isinstance(raw, dict):
            continue
        code = raw.get("ons_code") if isinstance(raw.get("ons_code"), str) else key
        name = raw.get("constituency")
        if not isinstance(name, str) or not code:
            continue
        result[code] = Constituency(
            ons_code=code,
            constituency=name,
            mp=_str_or_none(raw.get("mp")),
            party=_str_or_none(raw.get("party")),
            start_date=parse_date(raw.get("start_date")),
            end_date=parse_date(raw.get("end_date")),
        )
    return result
