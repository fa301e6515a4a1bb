"""Routing of the simulated site: request path and headers -> a `Reply`, with no socket in sight.

Mirrors docs/API.md: §3 lists and their facets, §4-§7 documents, §9 statuses and redirects,
§10 caching headers. The HTTP plumbing and the faults live in server.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit

from petitiondesk.simulator import documents
from petitiondesk.simulator.world import UTC, World, floor_tick

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 50
VALID_PAGE = re.compile(r"[1-9][0-9]{0,4}")
VALID_COUNT = re.compile(r"[1-9]|[1-5][0-9]")
DISALLOWED_FORMATS = {"xml", "rss", "atom", "js", "yaml", "txt"}
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET",
    "Access-Control-Allow-Headers": "Origin, X-Requested-With, Content-Type, Accept",
}
STATUS_NAMES = {
    400: "Bad Request", 403: "Forbidden", 404: "Not Found", 406: "Not Acceptable", 410: "Gone",
    429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}
LIVE_FACETS = (
    "all", "open", "recent", "closed", "rejected", "awaiting_response", "with_response",
    "awaiting_debate", "debated", "not_debated",
)
ARCHIVED_FACETS = ("all", "published", "rejected", "with_response", "debated", "not_debated")
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    is_json: bool = False


def json_reply(status: int, document, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, {"Content-Type": JSON_TYPE, **CORS, **(headers or {})}, is_json=True)


def error_reply(status: int, as_json: bool = True, headers: dict[str, str] | None = None) -> Reply:
    name = STATUS_NAMES.get(status, "Error")
    if as_json:
        return json_reply(status, {"status": status, "error": name}, headers)
    return html_reply(status, f"{status} {name}", f"<p>{name}.</p>", headers)


def html_reply(status: int, title: str, body: str, headers: dict[str, str] | None = None) -> Reply:
    page = (
        f"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{escape(title)} - "
        f"Petitions - UK Government and Parliament</title></head>\n<body><h1>{escape(title)}</h1>\n{body}\n"
        "</body></html>\n"
    )
    return Reply(status, page.encode("utf-8"), {"Content-Type": HTML_TYPE, **(headers or {})})


def redirect(location: str, keep_cors: bool = False) -> Reply:
    link = f'<p>You are being <a href="{escape(location)}">redirected</a>.</p>'
    reply = html_reply(302, "Redirecting", link)
    reply.headers["Location"] = location
    if keep_cors:
        reply.headers.update(CORS)
    return reply


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_petition_id(text: str) -> int | None:
    """Ruby's `Integer()`: decimal, 0x/0b/0o prefixes, a leading 0 means octal, `_` separators."""
    text = text.strip()
    try:
        if re.fullmatch(r"[-+]?0[0-7_]+", text):
            return int(text.replace("_", ""), 8)
        return int(text, 0)
    except ValueError:
        return None


class Site:
    """The simulated petition.parliament.uk. Thread-safe as long as the `World` is."""

    def __init__(self, world: World, base_url: str) -> None:
        self.world = world
        self.base = base_url
        self._archived_orders: dict[tuple, list[int]] = {}  # archived petitions never change

    @property
    def max_age(self) -> int:
        """The count interval in real seconds: at 60x a simulated minute passes every second."""
        if self.world.speed <= 0:  # a frozen clock: the real interval
            return self.world.interval
        return max(1, math.ceil(self.world.interval / self.world.speed))

    # --- entry point

    def handle(self, target: str, headers) -> Reply:
        if "%00" in target or "\x00" in target:  # lib/reject_bad_requests.rb
            return error_reply(400)
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        stem, dot, extension = path.rpartition(".")
        if not dot or "/" in extension:
            stem, extension = path, ""
        accepts_json = "application/json" in headers.get("Accept", "")
        wants_json = extension == "json" or (not extension and accepts_json)
        if extension in DISALLOWED_FORMATS:
            return Reply(406, b"", {"Content-Type": "text/plain; charset=utf-8"})
        if extension and extension not in ("json", "csv"):
            return redirect(f"{self.base}{stem}" + (f"?{parts.query}" if parts.query else ""))
        self_url = f"{self.base}{target}"
        now = self.world.now()
        segments = [segment for segment in stem.split("/") if segment]
        return self._route(segments, extension, wants_json, query, headers, self_url, now)

    def _route(self, segments, extension, wants_json, query, headers, self_url, now) -> Reply:
        match segments:
            case []:
                return html_reply(200, "Petitions", "<p>Petitions - UK Government and Parliament</p>")
            case ["petitions"] if extension == "csv":
                return self._csv(query, headers, archived=False, now=now)
            case ["petitions"] if wants_json:
                return self._list(query, headers, self_url, archived=False, now=now)
            case ["petitions"]:
                return html_reply(200, "Petitions", "<p>Browse petitions.</p>")
            case ["archived", "petitions"] if extension == "csv":
                return self._csv(query, headers, archived=True, now=now)
            case ["archived", "petitions"] if wants_json:
                return self._list(query, headers, self_url, archived=True, now=now)
            case ["petitions", raw_id] | ["petitions", raw_id, "count"]:
                return self._petition(raw_id, len(segments) == 3, wants_json, headers, self_url, now)
            case ["petitions", raw_id, "gathering-support" | "moderation-info" as page] if not extension:
                return self._waiting_page(raw_id, page)
            case ["archived", "petitions", raw_id]:
                return self._archived_petition(raw_id, wants_json, headers, self_url, now)
            case ["trending"] if extension == "json":
                return self._trending(headers, self_url, now)
            case ["constituencies"] if wants_json:
                return json_reply(200, documents.constituencies_document(self.world), self._static_headers())
            case ["topics"] if wants_json:
                return json_reply(200, documents.topics_document(), self._static_headers())
            case ["parliaments"] if wants_json:
                return json_reply(200, documents.parliaments_document(), self._static_headers())
            case ["parliaments", period] if wants_json and period == documents.ARCHIVED_PERIOD:
                return json_reply(200, documents.parliament_document(self.world), self._static_headers())
        return error_reply(404, as_json=wants_json or extension == "csv")

    # --- single petitions

    def _petition(self, raw_id, is_count, wants_json, headers, self_url, now) -> Reply:
        petition_id = parse_petition_id(raw_id)
        if petition_id is None:
            return error_reply(400, wants_json)
        kind = self.world.current_kind(petition_id, now)
        if kind is None or (is_count and not wants_json):  # count exists only as JSON
            return error_reply(404, wants_json)
        if kind in ("removed", "hidden"):
            return error_reply(410, wants_json)
        if kind == "pending":
            return redirect(f"{self.base}/petitions/{petition_id}/gathering-support")
        if kind == "moderation":
            return redirect(f"{self.base}/petitions/{petition_id}/moderation-info")
        if kind == "archived":
            if is_count:
                return error_reply(404, wants_json)  # archived rows left the live table
            suffix = ".json" if wants_json else ""
            return redirect(f"{self.base}/archived/petitions/{petition_id}{suffix}", keep_cors=wants_json)
        if not wants_json:
            action = escape(self.world.plan(petition_id).action)
            return html_reply(200, self.world.plan(petition_id).action, f"<p>{action}</p>")
        last_modified = self._last_modified(petition_id, now)
        cache = self._cache_headers(self.max_age, last_modified)
        if self._not_modified_since(headers, last_modified):
            return Reply(304, b"", cache)
        if is_count:
            return json_reply(200, documents.count_document(self.world, petition_id, now), cache)
        return json_reply(200, documents.petition_document(self.world, petition_id, self_url, now), cache)

    def _archived_petition(self, raw_id, wants_json, headers, self_url, now) -> Reply:
        petition_id = parse_petition_id(raw_id)
        if petition_id is None:
            return error_reply(400, wants_json)
        if self.world.current_kind(petition_id, now) != "archived":
            return error_reply(404, wants_json)
        if not wants_json:
            return html_reply(200, self.world.plan(petition_id).action, "<p>Archived petition.</p>")
        last_modified = self._last_modified(petition_id, now)
        cache = self._cache_headers(120, last_modified)
        if self._not_modified_since(headers, last_modified):
            return Reply(304, b"", cache)
        return json_reply(200, documents.petition_document(self.world, petition_id, self_url, now), cache)

    def _waiting_page(self, raw_id, page) -> Reply:
        petition_id = parse_petition_id(raw_id)
        if petition_id is None:
            return error_reply(400, as_json=False)
        title = "Gathering support" if page == "gathering-support" else "We're checking this petition"
        return html_reply(200, title, f"<p>Petition {petition_id} is not published yet.</p>")

    def _last_modified(self, petition_id: int, now: datetime) -> datetime:
        """`updated_at` rounded down to 10 seconds (`Petition#last_modified_at`)."""
        updated = documents.updated_at(self.world, petition_id, now)
        return updated.replace(second=updated.second - updated.second % 10, microsecond=0)

    @staticmethod
    def _not_modified_since(headers, last_modified: datetime) -> bool:
        since = headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False

    @staticmethod
    def _cache_headers(max_age: int, last_modified: datetime | None = None) -> dict[str, str]:
        headers = {
            "Cache-Control": f"max-age={max_age}, public, stale-while-revalidate={2 * max_age}, "
            f"stale-if-error={5 * max_age}"
        }
        if last_modified is not None:
            headers["Last-Modified"] = http_date(last_modified)
        return headers

    @staticmethod
    def _static_headers() -> dict[str, str]:
        return {"Cache-Control": "max-age=60, public"}

    # --- trending

    def _trending(self, headers, self_url, now) -> Reply:
        last_tick = floor_tick(now)
        cache = self._cache_headers(self.max_age, last_tick)
        if self._not_modified_since(headers, last_tick):
            return Reply(304, b"", cache)
        return json_reply(200, documents.trending_document(self.world, self_url, self.base, now), cache)

    # --- lists (§3, §6)

    def _list_params(self, query, archived: bool):
        """(state, q, page, page size, count given?, topic), or a Reply redirecting an invalid state."""
        facets = ARCHIVED_FACETS if archived else LIVE_FACETS
        state = query.get("state", ["all"])[-1][:31] or "all"
        if any(key.startswith("state[") for key in query) or state not in facets:
            kept = {key: query[key][-1] for key in ("page", "q") if key in query}
            kept["state"] = "all"
            kind = "archived/petitions" if archived else "petitions"
            return redirect(f"{self.base}/{kind}?{urlencode(sorted(kept.items()))}")
        page_text = query.get("page", ["1"])[-1]
        page = int(page_text) if VALID_PAGE.fullmatch(page_text) else 1
        count_text = query.get("count", [""])[-1]
        size = min(int(count_text), MAX_PAGE_SIZE) if VALID_COUNT.fullmatch(count_text) else DEFAULT_PAGE_SIZE
        return state, query.get("q", [""])[-1], page, size, "count" in query, query.get("topic", [None])[-1]

    def _list(self, query, headers, self_url, archived: bool, now) -> Reply:
        params = self._list_params(query, archived)
        if isinstance(params, Reply):
            return params
        state, text, page, size, count_given, topic = params
        if not archived:
            found = self._petition_named_by_digits(query)
            if found is not None:
                return redirect(f"{self.base}/petitions/{found}")
        ids = self._select(state, text, topic, archived, now)
        total_pages = max(1, math.ceil(len(ids) / size))
        on_page = ids[(page - 1) * size : page * size]

        def link(number: int) -> str:
            rebuilt = {"q": text or None, "state": None if state == "all" else state,
                       "page": None if number == 1 else number, "count": size if count_given else None,
                       "topic": topic}
            pairs = sorted((key, value) for key, value in rebuilt.items() if value is not None)
            kind = "archived/petitions" if archived else "petitions"
            return f"{self.base}/{kind}.json" + (f"?{urlencode(pairs)}" if pairs else "")

        document = {
            "links": {
                "self": self_url,
                "first": link(1),
                "last": link(total_pages),
                "next": link(page + 1) if page < total_pages else None,
                "prev": link(min(page - 1, total_pages)) if page > 1 else None,
            },
            "data": [documents.list_item(self.world, pid, self.base, now) for pid in on_page],
        }
        return self._etagged(json_reply(200, document), headers)

    def _csv(self, query, headers, archived: bool, now) -> Reply:
        params = self._list_params(query, archived)
        if isinstance(params, Reply):
            return params
        state, text, _, _, _, topic = params
        ids = sorted(self._select(state, text, topic, archived, now))  # find_each: id order
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Petition", "URL", "State", "Signatures Count"])
        kind = "archived/petitions" if archived else "petitions"
        for pid in ids:
            action = self.world.plan(pid).action
            if action[:1] in "=+-@":
                action = f"%{ord(action[0]):02X}{action[1:]}"
            writer.writerow([action, f"{self.base}/{kind}/{pid}",
                             documents.petition_state(self.world, pid, now), self.world.count(pid, now)])
        reply = Reply(200, out.getvalue().encode("utf-8"), {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": "attachment; filename=filtered-petitions.csv",
        })
        return self._etagged(reply, headers)

    @staticmethod
    def _etagged(reply: Reply, headers) -> Reply:
        """Rails' default for lists: private, revalidate, weak ETag (Rack::ETag), 304 on a match."""
        etag = 'W/"' + hashlib.md5(reply.body).hexdigest() + '"'
        reply.headers.update({"Cache-Control": "max-age=0, private, must-revalidate", "ETag": etag})
        wanted = [tag.strip() for tag in headers.get("If-None-Match", "").split(",")]
        if etag in wanted or etag[2:] in wanted or "*" in wanted:
            reply.headers.pop("Content-Type", None)
            return Reply(304, b"", reply.headers)
        return reply

    def _petition_named_by_digits(self, query) -> int | None:
        """A digits-only `q` (or `query`) naming a visible petition redirects to its HTML page."""
        for key in ("q", "query"):
            text = query.get(key, [""])[-1].strip()
            if text.isdigit() and self.world.current_kind(int(text)) in ("open", "closed", "rejected"):
                return int(text)
        return None

    # --- selecting and sorting

    def _select(self, state, text, topic, archived, now) -> list[int]:
        if not archived:
            return self._filter_and_sort(state, text, topic, archived, now)
        key = (state, text, topic, self.world.version)
        order = self._archived_orders.get(key)
        if order is None:
            if len(self._archived_orders) > 64:
                self._archived_orders.clear()
            order = self._archived_orders[key] = self._filter_and_sort(state, text, topic, archived, now)
        return order

    def _filter_and_sort(self, state, text, topic, archived, now) -> list[int]:
        world = self.world
        ids = world.archived_ids() if archived else world.visible_ids()
        if topic is not None:
            ids = [pid for pid in ids if topic in world.plan(pid).topics]
        words = re.findall(r"\w+", text.lower())
        if words:
            ids = [pid for pid in ids if _matches(world, pid, words)]
        return _facet(world, ids, state, now)


def _matches(world: World, petition_id: int, words: list[str]) -> bool:
    plan = world.plan(petition_id)
    haystack = f"{plan.action} {plan.background} {plan.additional_details}".lower()
    return all(word in haystack for word in words)


_FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def _facet(world: World, ids: list[int], state: str, now: datetime) -> list[int]:
    """Filter and order as the site's facet scopes do (§3.1, §6)."""
    states = {pid: documents.petition_state(world, pid, now) for pid in ids}
    plans = {pid: world.plan(pid) for pid in ids}
    by_count = lambda pid: (-world.count(pid, now), -plans[pid].created_at.timestamp())  # noqa: E731
    newest_first = lambda pid: -plans[pid].created_at.timestamp()  # noqa: E731
    if state in ("all", "published"):
        chosen = ids if state == "all" else [pid for pid in ids if states[pid] != "rejected"]
        return sorted(chosen, key=by_count)
    if state in ("open", "closed"):
        return sorted((pid for pid in ids if states[pid] == state), key=by_count)
    if state == "recent":
        newest_opened = lambda pid: -plans[pid].opened_at.timestamp()  # noqa: E731
        return sorted((pid for pid in ids if states[pid] == "open"), key=newest_opened)
    if state == "rejected":
        return sorted((pid for pid in ids if states[pid] == "rejected"), key=newest_first)
    marks = {pid: world.milestones(pid, now) for pid in ids if states[pid] != "rejected"}

    def stamp(moment, default=_FAR_PAST) -> float:
        return (moment or default).timestamp()

    if state == "awaiting_response":
        chosen = [pid for pid, m in marks.items() if m.response_threshold_at and not m.government_response_at]
        return sorted(chosen, key=lambda pid: stamp(marks[pid].response_threshold_at))
    if state == "with_response":
        chosen = [pid for pid, m in marks.items() if m.government_response_at]
        return sorted(chosen, key=lambda pid: -stamp(marks[pid].government_response_at))
    if state == "awaiting_debate":
        chosen = [pid for pid, m in marks.items() if m.debate_state in ("awaiting", "scheduled")]

        def awaiting_key(pid):
            day = marks[pid].scheduled_debate_date
            return (day is None, day or _FAR_FUTURE.date(), stamp(marks[pid].debate_threshold_at))

        return sorted(chosen, key=awaiting_key)
    if state == "debated":
        chosen = [pid for pid, m in marks.items() if m.debate_state == "debated"]

        def debated_key(pid):
            day = marks[pid].scheduled_debate_date
            return (-(day.toordinal() if day else 0), -stamp(marks[pid].debate_outcome_at), newest_first(pid))

        return sorted(chosen, key=debated_key)
    if state == "not_debated":
        chosen = [pid for pid, m in marks.items() if m.debate_state == "not_debated"]
        return sorted(chosen, key=lambda pid: -stamp(marks[pid].debate_outcome_at))
    raise AssertionError(f"unhandled facet {state}")
