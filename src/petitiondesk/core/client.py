"""The one HTTP client of PetitionDesk: polite, conditional, and every status of the API handled.

Rules from the API doc (§9, §10, §11): a descriptive User-Agent, one request at a time with a
spacing, conditional requests, redirects classified by hand (a 302 is either the archived petition
or an HTML page meaning "not publicly visible"), 404/410/403 told apart, 429/503 carry Retry-After,
and only 5xx and network failures are retried. Nothing the network does raises: every call returns
a `Fetched` whose `message` is a one-line explanation for users.
"""

from __future__ import annotations

import logging
import random
import re
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

from petitiondesk import __version__
from petitiondesk.core import parse
from petitiondesk.core.deadline import REQUEST_DEADLINE, Aborted, GatedBackend, RequestGate, route_through
from petitiondesk.core.fetched import Fetched, Outcome
from petitiondesk.core.models import (
    Constituency,
    CsvPetition,
    Petition,
    PetitionCount,
    PetitionPage,
    Trending,
)
from petitiondesk.core.scheduler import POLITE_INTERVAL, RequestScheduler

T = TypeVar("T")
log = logging.getLogger(__name__)

USER_AGENT = f"PetitionDesk/{__version__} (+https://github.com/petitiondesk/petitiondesk)"
CONNECT_TIMEOUT = 5.0
MAX_PETITION_ID = parse.MAX_PETITION_ID
MAX_PAGE = 99_999  # the site's own cap (§3.3): anything larger is silently page 1
PAGE_SIZE = 50  # always sent: the default changed from 50 to 25 in 2025 (§3.3)
LIVE_STATES = frozenset(
    {"all", "open", "recent", "closed", "rejected", "awaiting_response", "with_response",
     "awaiting_debate", "debated", "not_debated"}
)
ARCHIVED_STATES = frozenset({"all", "published", "rejected", "with_response", "debated", "not_debated"})
_TOPIC = re.compile(r"^[a-z][-a-z0-9]{0,63}$")
_PAGE_TEXT = re.compile(r"^[1-9][0-9]{0,4}$")
_ARCHIVED_PATH = re.compile(r"^/archived/petitions/([1-9][0-9]{0,8})\.json$")
_LIVE_PATH = re.compile(r"^/petitions/([1-9][0-9]{0,8})(?:\.json)?$")
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,9})")
_LIST_PATHS = ("/petitions.json", "/archived/petitions.json")
BACKOFF_BASE = 0.5  # seconds before the first retry; doubles each time
BACKOFF_CAP = 30.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_WAITING_PATH = re.compile(r"^/petitions/([1-9][0-9]{0,8})/(gathering-support|moderation-info)$")


# The pages a petition that is not open yet redirects to (§9), with what they mean.
_WAITING_PAGES = {
    "gathering-support": (Outcome.COLLECTING_SUPPORTERS, "collecting supporters"),
    "moderation-info": (Outcome.IN_MODERATION, "in moderation"),
}


@dataclass(frozen=True)
class _Reply:
    """One HTTP exchange, read within the size cap."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: httpx.URL


class _TooLarge(Exception):
    pass


class PetitionsClient:
    """Talks to petition.parliament.uk (or the simulator) one request at a time.

    Each request waits for its turn from the `RequestScheduler` (shared by every client of the
    process that is given the same one; else the client's own, spaced by `min_interval`), and has
    `deadline` seconds in all, retries included. `abort()`, from any thread, ends the request in
    progress and every later one. The `httpx.Client` is created on first use, so that it lives in
    the thread that makes the requests (the GUI builds this object, its worker thread uses it).
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
        max_bytes: int = 5_000_000,
        retries: int = 3,
        sleep: Callable[[float], None] | None = None,
        min_interval: float = POLITE_INTERVAL,
        scheduler: RequestScheduler | None = None,
        deadline: float = REQUEST_DEADLINE,
    ) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not a web address: {base_url!r}")
        self.base_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self._host = parts.netloc.lower()
        self._transport = transport
        self._timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        self.max_bytes = max_bytes
        self.retries = max(0, retries)
        self._gate = RequestGate()
        self._sleep = sleep or self._gate.aborted.wait  # backoff waits end when aborted
        self.scheduler = scheduler or RequestScheduler(min_interval)
        self.deadline = deadline
        #: Requests actually sent (retries and followed redirects included).
        self.requests_sent = 0
        #: Checked before each retry, so that quitting does not wait for a dead network.
        self.should_stop: Callable[[], bool] = lambda: False
        self._foreground = False
        self._http: httpx.Client | None = None

    # -- endpoints ---------------------------------------------------------------------------

    def petition(
        self, petition_id: int, *, archived: bool = False, if_modified_since: str | None = None
    ) -> Fetched[Petition]:
        """`/petitions/ID.json` (or the archived one), following only the archived redirect."""
        petition_id = _checked_id(petition_id)
        path = f"/archived/petitions/{petition_id}.json" if archived else f"/petitions/{petition_id}.json"
        headers = {"If-Modified-Since": if_modified_since} if if_modified_since else {}
        what = f"petition {petition_id}"
        fetched = self._fetch(self._url(path), headers, parse.parse_petition_document, what,
                              follow_id=petition_id)
        if fetched.value is not None and fetched.value.id != petition_id:
            return Fetched(Outcome.BAD_RESPONSE, status=fetched.status,
                           message=f"{what}: the site answered with petition {fetched.value.id} instead")
        return fetched

    def count(self, petition_id: int, *, if_modified_since: str | None = None) -> Fetched[PetitionCount]:
        """`/petitions/ID/count.json`: the cheap poll. Archived petitions answer 404 here (§5)."""
        petition_id = _checked_id(petition_id)
        headers = {"If-Modified-Since": if_modified_since} if if_modified_since else {}
        return self._fetch(self._url(f"/petitions/{petition_id}/count.json"), headers,
                           parse.parse_count, f"petition {petition_id}")

    def list_page(
        self,
        *,
        state: str = "all",
        q: str | None = None,
        page: int = 1,
        topic: str | None = None,
        archived: bool = False,
        if_none_match: str | None = None,
    ) -> Fetched[PetitionPage]:
        """One page of 50 petitions (the site's maximum; its default changed, so always sent)."""
        params = _list_params(state=state, q=q, topic=topic, archived=archived)
        if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
            raise ValueError(f"page must be an integer from 1 to {MAX_PAGE}, not {page!r}")
        params.update({"count": str(PAGE_SIZE), "page": str(page)})
        path = "/archived/petitions.json" if archived else "/petitions.json"
        headers = {"If-None-Match": if_none_match} if if_none_match else {}
        return self._fetch(self._url(path, params), headers, parse.parse_list_page, "the petition list")

    def list_url(self, url: str) -> Fetched[PetitionPage]:
        """Follow a page's `links.next`; the link came from the network, so it is checked first."""
        problem = self._unsafe_list_url(url)
        if problem:
            return Fetched(Outcome.BAD_RESPONSE, message=f"the site's next-page link {problem}")
        return self._fetch(httpx.URL(url), {}, parse.parse_list_page, "the petition list")

    def petitions_csv(self, *, state: str = "open", archived: bool = False) -> Fetched[tuple[CsvPetition, ...]]:
        """Every match in one response (§3.6): the polite way to refresh many counts at once."""
        params = _list_params(state=state, q=None, topic=None, archived=archived)
        path = "/archived/petitions.csv" if archived else "/petitions.csv"
        return self._fetch(self._url(path, params), {"Accept": "text/csv"}, parse.parse_petitions_csv,
                           "the petitions CSV")

    def trending(self) -> Fetched[Trending]:
        return self._fetch(self._url("/trending.json"), {}, parse.parse_trending, "trending petitions")

    def constituencies(self) -> Fetched[dict[str, Constituency]]:
        return self._fetch(self._url("/constituencies.json"), {}, parse.parse_constituencies,
                           "the constituency list")

    # -- priority and lifetime ---------------------------------------------------------------

    @contextmanager
    def foreground(self) -> Iterator[None]:
        """Requests made inside are ones the user is waiting for: they go to the front of the queue."""
        previous, self._foreground = self._foreground, True
        try:
            yield
        finally:
            self._foreground = previous

    def abort(self) -> None:
        """From any thread: end the request in progress now, and answer every later one at once."""
        self._gate.abort()
        self.scheduler.wake()

    @property
    def aborted(self) -> bool:
        return self._gate.aborted.is_set()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> PetitionsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the exchange ------------------------------------------------------------------------

    def _fetch(self, url: httpx.URL, headers: dict[str, str], parser: Callable[[bytes], T], what: str,
               follow_id: int | None = None) -> Fetched[T]:
        try:
            return self._exchange(url, headers, parser, what, follow_id)
        finally:
            self._gate.finish()

    def _exchange(self, url: httpx.URL, headers: dict[str, str], parser: Callable[[bytes], T], what: str,
                  follow_id: int | None) -> Fetched[T]:
        reply = self._get_with_retries(url, headers, what)
        if isinstance(reply, Fetched):
            return reply
        archived = bool(_ARCHIVED_PATH.match(reply.url.path))
        if reply.status in _REDIRECTS and follow_id is not None:
            target = self._petition_moved_to(reply, follow_id)
            if target is not None:
                # The other copy is another document: a validator of the first one must not
                # turn its first fetch into a 304.
                fresh = {name: value for name, value in headers.items() if not name.lower().startswith("if-")}
                reply = self._get_with_retries(target, fresh, what)
                if isinstance(reply, Fetched):
                    return reply
                archived = bool(_ARCHIVED_PATH.match(target.path))
        return self._classify(reply, parser, what, archived)

    def _petition_moved_to(self, reply: _Reply, petition_id: int) -> httpx.URL | None:
        """The two redirects of §6 that still lead to this petition's JSON; None for any other.

        The live URL of an archived petition redirects to the archive, keeping `.json`; the archive
        sends a petition whose parliament is still being archived back to `/petitions/ID`, without it.
        """
        location = reply.headers.get("location")
        if not location:
            return None
        target = httpx.URL(urljoin(str(reply.url), location))
        if target.host != reply.url.host:
            return None
        archived = _ARCHIVED_PATH.match(target.path)
        if archived:
            return target if int(archived.group(1)) == petition_id else None
        live = _LIVE_PATH.match(target.path)
        if live and int(live.group(1)) == petition_id and _ARCHIVED_PATH.match(reply.url.path):
            return self._url(f"/petitions/{petition_id}.json")
        return None

    def _classify(self, reply: _Reply, parser: Callable[[bytes], T], what: str, archived: bool) -> Fetched[T]:
        status, headers = reply.status, reply.headers
        meta = dict(status=status, last_modified=headers.get("last-modified"), etag=headers.get("etag"),
                    max_age=_max_age(headers.get("cache-control")), archived=archived)
        if status == 200:
            if _is_error_page(reply):
                return Fetched(Outcome.UNAVAILABLE, message=_ERROR_PAGE.format(what=what), **meta)
            return self._parsed(reply.body, parser, what, meta)
        if status == 304:
            return Fetched(Outcome.NOT_MODIFIED, message=f"{what} has not changed", **meta)
        if status in _REDIRECTS:
            return _waiting(reply, what, meta) or Fetched(
                Outcome.NOT_VISIBLE, message=f"{what} is not publicly visible (yet)", **meta)
        outcome, message = _status_outcome(status, what)
        retry_after = _retry_after(headers.get("retry-after")) if status in (429, 503) else None
        return Fetched(outcome, message=message, retry_after=retry_after, **meta)

    @staticmethod
    def _parsed(body: bytes, parser: Callable[[bytes], T], what: str, meta: dict[str, Any]) -> Fetched[T]:
        try:
            value = parser(body)
        except parse.ParseError as error:
            return Fetched(Outcome.BAD_RESPONSE, message=f"{what}: {error}", **meta)
        except Exception as error:  # a parser bug must not take the app down with it
            return Fetched(Outcome.BAD_RESPONSE,
                           message=f"{what}: the response could not be read ({type(error).__name__})", **meta)
        return Fetched(Outcome.OK, value=value, raw=body, message="", **meta)

    def _get_with_retries(self, url: httpx.URL, headers: dict[str, str], what: str) -> _Reply | Fetched[Any]:
        """Retries only what may pass: network failures, 5xx other than 503 (which says when) and
        error pages served as 200; never past the deadline, nor once stopped."""
        attempt = 0
        while True:
            failure: Fetched[Any] | None = None
            try:
                reply = self._get_once(url, headers)
            except Aborted:
                return Fetched(Outcome.NETWORK_ERROR, message=f"{what}: stopped before the site answered")
            except _TooLarge:
                megabytes = self.max_bytes / 1_000_000
                return Fetched(Outcome.BAD_RESPONSE,
                               message=f"{what}: the response was larger than {megabytes:g} MB; not read")
            except httpx.DecodingError:
                return Fetched(Outcome.BAD_RESPONSE, message=f"{what}: the response was garbled in transit")
            except (httpx.HTTPError, OSError) as error:
                if self.aborted:
                    return Fetched(Outcome.NETWORK_ERROR, message=f"{what}: stopped before the site answered")
                failure = Fetched(Outcome.NETWORK_ERROR, message=f"{what}: {self._network_message(error)}")
                if _certificate_problem(error):
                    return failure  # trying again cannot make the certificate trusted
            else:
                if not (500 <= reply.status <= 599 and reply.status != 503) and not _is_error_page(reply):
                    return reply
            if attempt >= self.retries or self._gate.expired():
                return failure if failure is not None else reply
            self._sleep(min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) * random.uniform(0.5, 1.0))
            if self.should_stop() or self.aborted:
                return failure if failure is not None else reply
            attempt += 1

    def _network_message(self, error: BaseException) -> str:
        if isinstance(error, httpx.TimeoutException) and self._gate.expired():
            return f"the site took too long to answer (more than {self.deadline:g} s in all)"
        return _network_message(error)

    def _get_once(self, url: httpx.URL, headers: dict[str, str]) -> _Reply:
        if not self.scheduler.take_turn(foreground=self._foreground, cancelled=self._gate.aborted.is_set):
            raise Aborted("stopped while waiting for a turn")
        self._gate.start(self.deadline)  # from the first send: waiting for a turn is not the site's fault
        self.requests_sent += 1
        with self._client().stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _TooLarge
            chunks, size = [], 0
            for chunk in _decoded_body(response):
                size += len(chunk)
                if size > self.max_bytes:
                    raise _TooLarge
                chunks.append(chunk)
            return _Reply(response.status_code, response.headers, b"".join(chunks), response.url)

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                transport=self._transport,
                timeout=self._timeout,
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "gzip"},
                # Proxies from HTTP(S)_PROXY/NO_PROXY, and the system's certificates: a network that
                # inspects TLS works as it does in the user's browser.
                trust_env=True,
                verify=_system_tls_context(),
            )
            if not route_through(self._http, GatedBackend(self._gate)) and self._transport is None:
                log.warning("httpx changed: requests have no overall deadline and cannot be aborted")
        return self._http

    # -- URLs --------------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, Any] | None = None) -> httpx.URL:
        query = f"?{urlencode(sorted(params.items()))}" if params else ""
        return httpx.URL(f"{self.base_url}{path}{query}")

    def _unsafe_list_url(self, url: object) -> str | None:
        if not isinstance(url, str) or len(url) > 2000:
            return "is not a usable address"
        try:
            parts = urlsplit(url)
            query = parse_qsl(parts.query, keep_blank_values=True)
        except ValueError:
            return "is not a usable address"
        base = urlsplit(self.base_url)
        if parts.scheme != base.scheme or parts.netloc.lower() != self._host:
            return f"points to another site ({parts.netloc or 'none'})"
        if parts.path.removeprefix(base.path) not in _LIST_PATHS:
            return f"is not a petition list ({parts.path})"
        pages = [value for key, value in query if key == "page"]
        if any(not _PAGE_TEXT.match(value) for value in pages) or len(pages) > 1:
            return "asks for an invalid page"
        return None


# -- helpers ---------------------------------------------------------------------------------


#: The most a compressed body is inflated at a time, so that a gzip bomb meets the size limit
#: after this much, not after a whole network read inflated at once (64 KB of zeros make 64 MB).
_INFLATE_STEP = 1 << 16


def _decoded_body(response: httpx.Response) -> Iterator[bytes]:
    """The body, gunzipped in small steps when it came gzipped (the only encoding the client asks for)."""
    named = response.headers.get("content-encoding", "").lower().split(",")
    codings = [coding for coding in map(str.strip, named) if coding not in ("", "identity")]
    if codings not in (["gzip"], ["x-gzip"]) or response.is_stream_consumed:
        # Plain, an encoding httpx decodes or refuses, or a body already read (test transports).
        yield from response.iter_bytes()
        return
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        for compressed in response.iter_raw():
            while compressed and not inflater.eof:
                yield inflater.decompress(compressed, _INFLATE_STEP)
                compressed = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as error:
        raise httpx.DecodingError(f"bad gzip data: {error}") from None


def _checked_id(petition_id: object) -> int:
    if isinstance(petition_id, bool) or not isinstance(petition_id, int):
        raise TypeError(f"a petition id must be an int, not {type(petition_id).__name__}")
    if not 1 <= petition_id <= MAX_PETITION_ID:
        raise ValueError(f"not a petition id: {petition_id}")
    return petition_id


def _list_params(*, state: str, q: str | None, topic: str | None, archived: bool) -> dict[str, Any]:
    allowed = ARCHIVED_STATES if archived else LIVE_STATES
    if state not in allowed:
        # An unknown state is answered with a redirect to an HTML page (§3.1): refuse it here.
        raise ValueError(f"unknown list state {state!r}; expected one of {sorted(allowed)}")
    params = {} if state == "all" else {"state": state}
    if q is not None:
        if not isinstance(q, str):
            raise TypeError("the search text must be a string")
        text = " ".join(q.replace("\x00", " ").split())[:500]  # a null byte gets a 400 (§9)
        if text:
            params["q"] = text
    if topic is not None:
        if not isinstance(topic, str) or not _TOPIC.match(topic):
            raise ValueError(f"not a topic code: {topic!r}")
        params["topic"] = topic
    return params


def _waiting(reply: _Reply, what: str, meta: dict[str, Any]) -> Fetched[Any] | None:
    """A redirect to the same petition's "gathering support" or "moderation" page: not open yet."""
    location = reply.headers.get("location")
    if not location:
        return None
    target = httpx.URL(urljoin(str(reply.url), location))
    page = _WAITING_PATH.match(target.path)
    live = _LIVE_PATH.match(reply.url.path)
    if target.host != reply.url.host or not page or not live or page.group(1) != live.group(1):
        return None
    outcome, stage = _WAITING_PAGES[page.group(2)]
    return Fetched(outcome, message=f"{what} is {stage}; it is not open for signatures yet", **meta)


def _status_outcome(status: int, what: str) -> tuple[Outcome, str]:
    if status == 404:
        return Outcome.NOT_FOUND, f"{what} was not found (404); it may not be published yet"
    if status == 410:
        return Outcome.GONE, f"{what} was removed from the site (410)"
    if status == 403:
        return Outcome.BLOCKED, "blocked by the site (403); PetitionDesk will wait hours before trying again"
    if status == 429:
        return Outcome.RATE_LIMITED, "the site asked PetitionDesk to slow down (429)"
    if status == 503:
        return Outcome.UNAVAILABLE, "the site is down for maintenance (503)"
    if 500 <= status <= 599:
        return Outcome.UNAVAILABLE, f"the site had an error ({status}); tried several times"
    return Outcome.BAD_RESPONSE, f"{what}: the site refused the request ({status})"


_ERROR_PAGE = "the site sent an error page instead of {what} (a temporary fault); it will be tried again"


def _is_error_page(reply: _Reply) -> bool:
    """A 200 that is not data: a CDN or proxy error page (HTML, or text where JSON was asked for).
    The site itself says "not visible" with a redirect, never with a 200 page (docs/API.md §9)."""
    if reply.status != 200:
        return False
    content_type = reply.headers.get("content-type", "").lower()
    if "html" in content_type:
        return True
    if "json" in content_type or "csv" in content_type:
        return False
    return reply.body.lstrip()[:1] not in (b"{", b"[")


def _system_tls_context() -> ssl.SSLContext | bool:
    """The operating system's certificate store (truststore); httpx's bundled one without it."""
    try:
        import truststore
    except ImportError:
        return True
    context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return context


def _certificate_problem(error: BaseException) -> str | None:
    """What verification said ("self-signed certificate"...), when that is why the connection failed."""
    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause.verify_message or "not trusted"
    return "not trusted" if any("CERTIFICATE_VERIFY_FAILED" in str(cause) for cause in chain) else None


def _network_message(error: BaseException) -> str:
    problem = _certificate_problem(error)
    if problem is not None:
        return (f"the site's certificate could not be verified ({problem}); a network that inspects secure "
                "connections needs its certificate in the system's store")
    if isinstance(error, httpx.ConnectTimeout):
        return "could not reach the site (connection timed out)"
    if isinstance(error, httpx.TimeoutException):
        return "the site took too long to answer"
    if isinstance(error, httpx.ConnectError):
        return "could not reach the site (offline?)"
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return "the connection was dropped before the answer was complete"
    return f"network error ({type(error).__name__})"


def _max_age(cache_control: str | None) -> float | None:
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control.lower())
    return float(match.group(1)) if match else None


def _retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value[:9]), 7 * 86400))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, min(when.timestamp() - now(), 7 * 86400.0))
