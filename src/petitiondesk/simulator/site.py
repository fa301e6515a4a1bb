"""Routing of the simulated site: request path and headers -> a `Reply`, with no socket in sight.

Mirrors docs/API.md: §3 lists and their facets, §4-§7 documents, §9 statuses and redirects,
§10 caching headers. The HTTP plumbing and the faults live in server.py.
"""

from __future__ import annotations

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

from petitiondesk.simulator import documents, search
from petitiondesk.simulator.world import ARCHIVED_KINDS, UTC, World, floor_tick

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 50
VALID_PAGE = re.compile(r"[1-9][0-9]{0,4}")
VALID_COUNT = re.compile(r"[1-9]|[1-5][0-9]")
DISALLOWED_FORMATS = {"xml", "rss", "atom", "js", "yaml", "txt"}
KNOWN_FORMATS = {"json", "csv", "html"} | DISALLOWED_FORMATS  # other extensions redirect without it
ACCEPTED_TYPES = (("application/json", "json"), ("text/csv", "csv"), ("text/html", "html"), ("*/*", "html"))
PERIOD = re.compile(r"\d{4}-\d{4}")  # config/routes.rb: the `period` constraint
STATIC_SINCE = datetime(2024, 7, 5, 9, 30, tzinfo=UTC)  # constituencies, parliaments, topics: last edited
ARCHIVED_PARLIAMENT_IDS = {"2010-2015": 1, "2015-2017": 2, "2017-2019": 3, documents.ARCHIVED_PERIOD: 4}
ARCHIVED_PARLIAMENT_ID = ARCHIVED_PARLIAMENT_IDS[documents.ARCHIVED_PERIOD]  # the only one with petitions here
WAITING_REDIRECTS = {  # show of a petition not open yet; its count.json still answers
    "pending": "{base}/petitions/{id}/gathering-support", "moderation": "{base}/petitions/{id}/moderation-info",
    "stopped": "{base}/",
}
LEGACY_PAGES = {  # config/routes.rb:114-146, spec/requests/redirects_spec.rb
    "privacy-policy": "{base}/privacy", "terms-and-conditions": "{base}/help", "help/standards": "{base}/standards",
    "how-it-works": "{base}/help", "faq": "{base}/help",
    "crown-copyright": "https://www.nationalarchives.gov.uk/information-management/our-services/crown-copyright.htm",
}
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


def csv_reply(header: tuple[str, ...], rows, filename: str) -> Reply:
    """The site's CSV lists: a quoted header line, force_quotes on the three text columns, a leading
    `= + - @` of the action escaped as %XX (app/views/petitions/index.csv.ruby, app/helpers/csv_helper.rb)."""
    out = io.StringIO()
    out.write(",".join(f'"{name}"' for name in header) + "\n")
    for action, url, state, *numbers in rows:
        if action[:1] in "=+-@":
            action = f"%{ord(action[0]):02X}{action[1:]}"
        quoted = ['"' + column.replace('"', '""') + '"' for column in (action, url, state)]
        out.write(",".join([*quoted, *map(str, numbers)]) + "\n")
    return Reply(200, out.getvalue().encode("utf-8"), {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f"attachment; filename={filename}",
    })


def moved_permanently(location: str) -> Reply:
    """The legacy paths' 301, cached for a century (spec/requests/redirects_spec.rb:8-14)."""
    reply = redirect(location)
    reply.status = 301
    reply.headers["Cache-Control"] = "max-age=3155695200, public"
    return reply


def negotiated_format(extension: str, accept: str) -> str:
    """The format Rails picks: the extension, else the first known type in `Accept` (HTML when none
    is sent); "unacceptable" when `Accept` names nothing the site renders (unknown_format_spec.rb:20-27)."""
    if extension:
        return extension
    accept = accept.lower()
    if not accept.strip():
        return "html"
    return next((name for mime, name in ACCEPTED_TYPES if mime in accept), "unacceptable")


def refused(fmt: str, *formats: str) -> Reply | None:
    """406 for a format the route does not render (disallowed_format_spec.rb), else None."""
    if fmt in formats:
        return None
    return Reply(406, b"", {"Content-Type": "text/plain; charset=utf-8"})


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
        self._slugs: dict[str, int] | None = None

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
        if stem == "/trending" and extension != "json":  # routes.rb: `scope format: true`, json only
            return error_reply(404, as_json=False)
        if extension and extension not in KNOWN_FORMATS:  # redirect_to_url_without_format
            return redirect(f"{self.base}{stem}" + (f"?{parts.query}" if parts.query else ""))
        fmt = negotiated_format(extension, headers.get("Accept", ""))
        segments = [segment for segment in stem.split("/") if segment]
        return self._route(segments, fmt, query, headers, f"{self.base}{target}", self.world.now())

    def _route(self, segments, fmt, query, headers, self_url, now) -> Reply:
        wants_json = fmt == "json"
        match segments:
            case ["api", "petitions"] | ["api", "petitions", _] | ["departments"] | ["departments", _]:
                return moved_permanently(f"{self.base}/")
            case [*_] if "/".join(segments) in LEGACY_PAGES:
                return moved_permanently(LEGACY_PAGES["/".join(segments)].replace("{base}", self.base))
            case []:
                home = html_reply(200, "Petitions", "<p>Petitions - UK Government and Parliament</p>")
                return refused(fmt, "html") or home
            case ["petitions"] | ["archived", "petitions"]:
                archived = segments[0] == "archived"
                return refused(fmt, "html", "json", "csv") or self._index(fmt, query, headers, self_url, archived, now)
            case ["petitions", "local", slug] | ["petitions", "local", slug, "all"]:
                return refused(fmt, "html", "json", "csv") or self._local(slug, len(segments) == 4, fmt, headers, now)
            case ["petitions", raw_id]:
                return refused(fmt, "html", "json") or self._petition(raw_id, False, wants_json, headers, self_url, now)
            case ["petitions", raw_id, "count"]:
                return refused(fmt, "json") or self._petition(raw_id, True, True, headers, self_url, now)
            case ["petitions", raw_id, "gathering-support" | "moderation-info" as page]:
                return refused(fmt, "html") or self._waiting_page(raw_id, page)
            case ["archived", "petitions", raw_id]:
                archived = self._archived_petition
                return refused(fmt, "html", "json") or archived(raw_id, wants_json, headers, self_url, now)
            case ["trending"]:
                return self._trending(headers, now)
            case ["constituencies"]:
                return refused(fmt, "json") or self._static(documents.constituencies_document(self.world), headers)
            case ["parliaments", period, "constituencies"] if PERIOD.fullmatch(period) or period == "current":
                return refused(fmt, "json") or self._period_constituencies(period, headers)
            case ["parliaments"]:
                return refused(fmt, "json") or self._static(documents.parliaments_document(), headers)
            case ["parliaments", period] if PERIOD.fullmatch(period):
                return refused(fmt, "json") or self._parliament(period, headers)
            case ["topics"]:
                return refused(fmt, "json") or self._static(documents.topics_document(), headers)
        return error_reply(404, as_json=fmt in ("json", "csv"))

    def _index(self, fmt, query, headers, self_url, archived: bool, now) -> Reply:
        if fmt == "csv":
            return self._csv(query, headers, archived=archived, now=now)
        if fmt == "json":
            return self._list(query, headers, self_url, archived=archived, now=now)
        return html_reply(200, "Petitions", "<p>Browse petitions.</p>")

    def _local(self, slug: str, include_closed: bool, fmt: str, headers, now) -> Reply:
        """Local petitions: cached like trending, to the last count update (caching_spec.rb:71-82)."""
        index = self._seat_by_slug().get(slug)
        if index is None:
            return error_reply(404, as_json=fmt == "json")
        if fmt == "html":
            return html_reply(200, "Petitions in your constituency", "<p>Local petitions.</p>")
        last_tick = floor_tick(now)
        cache = self._cache_headers(self.max_age, last_tick)
        if self._not_modified_since(headers, last_tick):
            return Reply(304, b"", cache)
        document = documents.local_petitions_document(self.world, index, include_closed, self.base, now)
        if fmt == "json":
            return json_reply(200, document, cache)
        # local_petitions/show.csv.ruby and all.csv.ruby; the file name: local_petitions_controller.rb csv_filename
        rows = [(row["action"], row["url"], row["state"], row["constituency_signature_count"],
                 row["total_signature_count"]) for row in document["petitions"]]
        filename = f"{'all' if include_closed else 'open'}-popular-petitions-in-{slug}.csv"
        reply = csv_reply(("Petition", "URL", "State", "Local Signatures", "Total Signatures"), rows, filename)
        reply.headers.update(cache)
        return reply

    def _seat_by_slug(self) -> dict[str, int]:
        if self._slugs is None:
            self._slugs = {documents.slug(seat.name): index for index, seat in enumerate(self.world.seats)}
        return self._slugs

    def _static(self, document, headers) -> Reply:
        """Constituencies, parliaments and topics: a minute's cache, Last-Modified, 304 (caching_spec.rb:84-97)."""
        cache = self._cache_headers(60, STATIC_SINCE)
        if self._not_modified_since(headers, STATIC_SINCE):
            return Reply(304, b"", cache)
        return json_reply(200, document, cache)

    def _parliament(self, period: str, headers) -> Reply:
        document = documents.parliament_document(self.world, period)
        return self._static(document, headers) if document else error_reply(404)

    def _period_constituencies(self, period: str, headers) -> Reply:
        """`/parliaments/:period/constituencies.json`; `current` is the sitting parliament's."""
        if period == "current":
            return self._static(documents.constituencies_document(self.world), headers)
        document = documents.period_constituencies_document(self.world, period)
        return self._static(document, headers) if document is not None else error_reply(404)

    # --- single petitions

    def _petition(self, raw_id, is_count, wants_json, headers, self_url, now) -> Reply:
        """show and count (petitions_controller.rb:10-23): the archived redirect comes first, then
        410 for removed, 404 outside SHOW_STATES; the waiting pages' redirects apply to show only."""
        petition_id = parse_petition_id(raw_id)
        if petition_id is None:
            return error_reply(400, wants_json)
        if self.world.kind_at_creation(petition_id) in ARCHIVED_KINDS:  # not in the live table any more
            if is_count:
                return error_reply(404, wants_json)
            suffix = ".json" if wants_json else ""
            return redirect(f"{self.base}/archived/petitions/{petition_id}{suffix}", keep_cors=wants_json)
        kind = self.world.current_kind(petition_id, now)
        if kind in ("removed", "hidden"):  # Petition.removed?: removed, or hidden once published
            return error_reply(410, wants_json)
        if kind is None or kind in ("dormant", "hidden_unpublished"):  # not in SHOW_STATES (petition.rb:21)
            return error_reply(404, wants_json)
        if not is_count and kind in WAITING_REDIRECTS:
            return redirect(WAITING_REDIRECTS[kind].format(base=self.base, id=petition_id))
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
        kind = self.world.current_kind(petition_id, now)
        if kind == "removed" and self.world.kind_at_creation(petition_id) in ARCHIVED_KINDS:
            return error_reply(410, wants_json)  # archived/petitions_controller.rb:80-82
        if kind != "archived":
            return error_reply(404, wants_json)
        if not wants_json:
            return html_reply(200, self.world.plan(petition_id).action, "<p>Archived petition.</p>")
        # Archived::Petition#last_modified_at is updated_at itself: to the second, not to 10 s.
        last_modified = documents.updated_at(self.world, petition_id, now).replace(microsecond=0)
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

    # --- trending

    def _trending(self, headers, now) -> Reply:
        last_tick = floor_tick(now)
        cache = self._cache_headers(self.max_age, last_tick)
        if self._not_modified_since(headers, last_tick):
            return Reply(304, b"", cache)
        self_url = f"{self.base}/trending.json"  # trending_url(:json): trending_petitions_spec.rb:37
        return json_reply(200, documents.trending_document(self.world, self_url, self.base, now), cache)

    # --- lists (§3, §6)

    def _list_params(self, query, archived: bool):
        """(state, q, page, page size, count given?, topic), or a Reply redirecting an invalid state."""
        facets = ARCHIVED_FACETS if archived else LIVE_FACETS
        state = query.get("state", ["all"])[-1][:31] or "all"
        if any(key.startswith("state[") for key in query) or state not in facets:
            kept_keys = ("page", "parliament", "q") if archived else ("page", "q")
            kept = {key: query[key][-1] for key in kept_keys if key in query}
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
        found = self._petition_named_by_digits(query, archived)
        if found is not None:
            return redirect(f"{self.base}/{'archived/' if archived else ''}petitions/{found}")
        parliament = self._parliament_filter(query) if archived else None
        if isinstance(parliament, Reply):
            return parliament
        ids = self._select(state, text, topic, archived, now) if parliament in (None, ARCHIVED_PARLIAMENT_ID) else []
        total_pages = max(1, math.ceil(len(ids) / size))
        on_page = ids[(page - 1) * size : page * size]

        def link(number: int) -> str:
            rebuilt = {"q": text or None, "state": None if state == "all" else state,
                       "page": None if number == 1 else number, "count": size if count_given else None,
                       "topic": topic or None, "parliament": parliament}
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
        kind = "archived/petitions" if archived else "petitions"
        state_of = documents.petition_state
        rows = [(self.world.plan(pid).action, f"{self.base}/{kind}/{pid}", state_of(self.world, pid, now),
                 self.world.count(pid, now)) for pid in ids]
        filename = "filtered-archived-petitions.csv" if archived else "filtered-petitions.csv"
        return self._etagged(csv_reply(("Petition", "URL", "State", "Signatures Count"), rows, filename), headers)

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

    def _petition_named_by_digits(self, query, archived: bool) -> int | None:
        """A digits-only `query`, else `q`, naming a visible petition redirects to its HTML page
        (`query_param`: params.fetch(:query, params.fetch(:q, "")); both controllers)."""
        text = query.get("query", query.get("q", [""]))[-1]
        if not text.isdigit() or not text.isascii():
            return None
        visible = ("archived",) if archived else ("open", "closed", "rejected")
        return int(text) if self.world.current_kind(int(text)) in visible else None

    @staticmethod
    def _parliament_filter(query) -> int | Reply | None:
        """`parliament=`: Ruby's Integer() or 400, an archived parliament's id or 404
        (archived/petitions_controller.rb:39-57)."""
        if "parliament" not in query:
            return None
        parliament_id = parse_petition_id(query["parliament"][-1])
        if parliament_id is None:
            return error_reply(400)
        if parliament_id not in ARCHIVED_PARLIAMENT_IDS.values():
            return error_reply(404)
        return parliament_id

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
        if text.strip():  # Browseable searches only a present `q`
            wanted = search.terms(text)
            ids = [pid for pid in ids if search.matches(wanted, _columns(world.plan(pid)))]
        return _facet(world, ids, state, now, archived)


def _columns(plan) -> tuple[str, str, str]:
    return plan.action, plan.background, plan.additional_details


_FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


ARCHIVED_BY_SIGNATURES = ("rejected", "with_response")  # app/models/archived/petition.rb:66,68


def _facet(world: World, ids: list[int], state: str, now: datetime, archived: bool = False) -> list[int]:
    """Filter and order as the site's facet scopes do (§3.1, §6). The archived model picks the same
    rows but sorts `rejected` and `with_response` by signatures (ties: newest first, for a stable order
    where PostgreSQL's is unspecified)."""
    chosen = _live_facet(world, ids, state, now)
    if archived and state in ARCHIVED_BY_SIGNATURES:
        created = {pid: world.plan(pid).created_at.timestamp() for pid in chosen}
        return sorted(chosen, key=lambda pid: (-world.count(pid, now), -created[pid]))
    return chosen


def _live_facet(world: World, ids: list[int], state: str, now: datetime) -> list[int]:
    """The live facets' rows and order (app/models/petition.rb:54-69)."""
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
        def newest_opened(pid: int) -> float:
            opened = plans[pid].opened_at  # an open petition has opened
            return -opened.timestamp() if opened is not None else 0.0

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
        return sorted(chosen, key=lambda pid: (-stamp(marks[pid].debate_outcome_at), newest_first(pid)))
    raise AssertionError(f"unhandled facet {state}")
