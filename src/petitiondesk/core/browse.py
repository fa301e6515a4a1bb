"""Browsing and searching the site's petition lists, for the browse view and `petitiondesk search`.

A `Browser` walks one listing (a facet of §3.1 or §6, with an optional search text) page by page in
the site's own order: 50 at a time, following `links.next` until it is null, keeping each petition
once (counts move while we page, so items shift between pages). It reports every page as it
arrives, so a view can show the rows so far and a "loading more" state; a failed page keeps what was
loaded and can be retried. A search that names one petition (a number, ``#ID`` or a link) fetches
that petition's JSON instead of following the site's redirect to its HTML page (§3.2).

Archived petitions do not change, so a `Browser` given a `Store` keeps each page of an archive
listing (without search text) as it arrives and reads it from there the next time: the second load
of the archive makes no request, and a load stopped half way (a new query, quitting) resumes from
the last kept page's next link.

Rows are small immutable `BrowseRow`s; `sort_rows` and `filter_rows` work on tens of thousands of
them in memory (see bench/bench_browse.py). Nothing here imports Qt: the GUI runs a `Browser` in its
worker thread and shows the pages it yields.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from petitiondesk.core.fetched import Fetched, Outcome
from petitiondesk.core.models import SITE_BASE, Petition, PetitionPage, TrendingPetition
from petitiondesk.core.parse import ParseError, parse_list_page
from petitiondesk.core.refs import BadReference, PetitionRef, parse_reference
from petitiondesk.core.store import Store, StoreError

if TYPE_CHECKING:  # the window's lists import this module before they need httpx (core/fetched.py)
    from petitiondesk.core.client import PetitionsClient

log = logging.getLogger(__name__)

__all__ = [
    "ARCHIVED_FACETS",
    "FACETS",
    "SORT_KEYS",
    "TRENDING_LABEL",
    "BrowsePage",
    "BrowseQuery",
    "BrowseRow",
    "Browser",
    "Facet",
    "Related",
    "RelatedResult",
    "TrendingResult",
    "facet_label",
    "filter_rows",
    "load_all",
    "numeric_reference",
    "related",
    "sort_rows",
    "status_text",
    "trending",
    "trending_text",
]


@dataclass(frozen=True)
class Facet:
    state: str  # the value of `state=` the site expects
    label: str  # what the user reads
    archived: bool = False


#: The live list's facets (§3.1), in the order of the site's own table.
FACETS: tuple[Facet, ...] = (
    Facet("all", "All petitions"),
    Facet("open", "Open"),
    Facet("recent", "Recently opened"),
    Facet("closed", "Closed"),
    Facet("rejected", "Rejected"),
    Facet("awaiting_response", "Awaiting a government response"),
    Facet("with_response", "With a government response"),
    Facet("awaiting_debate", "Awaiting a debate"),
    Facet("debated", "Debated in Parliament"),
    Facet("not_debated", "Not debated"),
)

#: Petitions of the most recently archived parliament (§6).
ARCHIVED_FACETS: tuple[Facet, ...] = (
    Facet("all", "All archived petitions", archived=True),
    Facet("published", "Archived: published", archived=True),
    Facet("rejected", "Archived: rejected", archived=True),
    Facet("with_response", "Archived: with a government response", archived=True),
    Facet("debated", "Archived: debated in Parliament", archived=True),
    Facet("not_debated", "Archived: not debated", archived=True),
)

#: The heading for "Rising now": trending counts are NOT totals (§7.1).
TRENDING_LABEL = "Signatures in the last hour"


def facet_label(state: str, archived: bool = False) -> str:
    for facet in ARCHIVED_FACETS if archived else FACETS:
        if facet.state == state:
            return facet.label
    raise ValueError(f"unknown {'archived ' if archived else ''}facet {state!r}")


# ---------------------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class BrowseRow:
    """One petition as the browse list shows it."""

    id: int
    action: str
    state: str
    signature_count: int
    opened_at: datetime | None
    status: str  # response/debate status in words (§12.4); "" when there is nothing to say
    archived: bool = False
    topics: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()  # acronyms, or names when a department has none
    # Case-folded texts for sorting and filtering, computed once per row rather than per keystroke.
    title_key: str = field(default="", repr=False, compare=False)
    search_text: str = field(default="", repr=False, compare=False)

    @classmethod
    def from_petition(cls, petition: Petition, today: date | None = None) -> BrowseRow:
        status = status_text(petition, today)
        departments = tuple(d.acronym or d.name for d in petition.departments)
        title_key = petition.action.casefold()
        haystack = " ".join((str(petition.id), title_key, petition.state, status.casefold()))
        return cls(
            id=petition.id,
            action=petition.action,
            state=petition.state,
            signature_count=petition.signature_count,
            opened_at=petition.opened_at,
            status=status,
            archived=petition.archived,
            topics=petition.topics,
            departments=departments,
            title_key=title_key,
            search_text=haystack,
        )


    @property
    def web_url(self) -> str:
        kind = "archived/petitions" if self.archived else "petitions"
        return f"{SITE_BASE}/{kind}/{self.id}"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (for `petitiondesk search --json`)."""
        opened = self.opened_at.isoformat().replace("+00:00", "Z") if self.opened_at else None
        return {"id": self.id, "action": self.action, "state": self.state,
                "signature_count": self.signature_count, "opened_at": opened, "status": self.status,
                "archived": self.archived, "url": self.web_url}


def status_text(petition: Petition, today: date | None = None) -> str:
    """The response and debate sub-states of §12.4 in words, e.g. "responded, debated"."""
    parts = [_response_status(petition), _debate_status(petition, today or _utc_today())]
    return ", ".join(part for part in parts if part)


def _response_status(petition: Petition) -> str:
    if petition.government_response is not None or petition.government_response_at is not None:
        return "responded"
    if petition.response_threshold_reached_at is not None:
        return "awaiting response"
    return ""


def _debate_status(petition: Petition, today: date) -> str:
    if petition.debate is not None:
        return "debated" if petition.debate.debated else "not debated"
    day = petition.scheduled_debate_date
    if day is not None:
        # The site marks a petition debated once the date passes, before any outcome (§12.3).
        return f"debate scheduled for {_short_date(day)}" if day >= today else "debated"
    if petition.debate_threshold_reached_at is not None:
        return "awaiting a debate decision"
    return ""


def _short_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _utc_today() -> date:
    return datetime.now(UTC).date()


# ------------------------------------------------------------------------- sorting and filtering

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Each key maps a row to a value that sorts naturally; None means "unknown", always last.
SORT_KEYS: dict[str, Callable[[BrowseRow], Any]] = {
    "id": lambda row: row.id,
    "action": lambda row: row.title_key or row.action.casefold(),
    "state": lambda row: row.state,
    "signature_count": lambda row: row.signature_count,
    "opened_at": lambda row: row.opened_at,
    "status": lambda row: row.status or None,
}


def sort_rows(rows: Sequence[BrowseRow], key: str, descending: bool = False) -> list[BrowseRow]:
    """A sorted copy; ties keep their current (site) order, and unknown values go last either way."""
    try:
        value_of = SORT_KEYS[key]
    except KeyError:
        raise ValueError(f"cannot sort by {key!r}; expected one of {sorted(SORT_KEYS)}") from None
    known: list[BrowseRow] = []
    unknown: list[BrowseRow] = []
    for row in rows:
        (unknown if value_of(row) is None else known).append(row)
    if descending:
        # reverse=True keeps ties in their original order (sort stability is preserved).
        known.sort(key=value_of, reverse=True)
    else:
        known.sort(key=value_of)
    return known + unknown


def filter_rows(rows: Iterable[BrowseRow], text: str) -> list[BrowseRow]:
    """Rows whose id, title, state or status contain every word of `text` (any case)."""
    matched = list(rows)
    for word in dict.fromkeys(text.casefold().split()):  # each word narrows what the next one scans
        matched = [row for row in matched if word in row.search_text]
    return matched


# ------------------------------------------------------------------------------------ browsing


@dataclass(frozen=True)
class BrowseQuery:
    state: str = "open"
    q: str | None = None
    archived: bool = False
    topic: str | None = None

    @property
    def label(self) -> str:
        text = facet_label(self.state, self.archived)
        return f"{text} matching {self.q.strip()!r}" if self.q and self.q.strip() else text


@dataclass(frozen=True)
class BrowsePage:
    """What one request added. `rows` are only the new ones; `total` counts all rows so far."""

    rows: tuple[BrowseRow, ...]
    page: int  # pages loaded so far (a failed page does not count)
    total: int
    has_more: bool  # another page is waiting (a view shows "loading more")
    error: str | None = None  # this page failed; the rows loaded before it are kept
    duplicates: int = 0  # items already seen on an earlier page (the list shifted)
    jumped_to: int | None = None  # the query named this petition; it was fetched directly


def numeric_reference(text: str | None) -> PetitionRef | None:
    """The petition a search names outright (``700123``, ``#700123``, a link); None for words."""
    if not text or not text.strip():
        return None
    try:
        return parse_reference(text)
    except BadReference:
        return None


_NOT_THERE = frozenset({Outcome.NOT_FOUND, Outcome.GONE, Outcome.NOT_VISIBLE})


class Browser:
    """Loads one listing page by page; owned by one thread (the GUI's worker or the command line).

    `fetch_next()` makes one request; `pages()` keeps going until the end, an error or
    `should_stop()`. After an error or a stop, calling either again resumes where it left off.
    """

    def __init__(self, client: PetitionsClient, query: BrowseQuery, today: date | None = None,
                 store: Store | None = None) -> None:
        facet_label(query.state, query.archived)  # refuse an unknown facet now, not mid-load
        self.client = client
        self.query = query
        #: Where archive pages are kept; None for a listing that can change (or no store).
        self._store = store if query.archived and not (query.q or "").strip() else None
        self._listing = f"archived:{query.state}:topic={query.topic or ''}"
        self.rows: list[BrowseRow] = []
        self.pages_loaded = 0
        self.error: str | None = None
        self._today = today
        self._ids: set[int] = set()
        self._requested: set[str] = set()
        self._started = False
        self._next_url: str | None = None
        self._finished = False

    @property
    def finished(self) -> bool:
        """True once the last page (or the one petition a number names) has been loaded."""
        return self._finished

    def pages(self, should_stop: Callable[[], bool] = lambda: False) -> Iterator[BrowsePage]:
        """Yield each page as it arrives; stops at the end, after a failed page, or when asked."""
        while not self._finished and not should_stop():
            page = self.fetch_next()
            yield page
            if page.error:
                return

    def fetch_next(self) -> BrowsePage:
        """Load the next page (or retry the one that failed)."""
        if self._finished:
            return self._page((), has_more=False)
        kept = self._kept_page()
        if kept is not None:
            self._started = True
            return self._accept(kept)
        if not self._started:
            reference = numeric_reference(self.query.q)
            if reference is not None:
                jumped = self._jump(reference)
                if jumped is not None:
                    return jumped
            fetched = self.client.list_page(state=self.query.state, q=self.query.q, page=1,
                                            topic=self.query.topic, archived=self.query.archived)
            url = None
        else:
            url = self._next_url
            assert url is not None  # started and not finished: the last page named the next one
            fetched = self.client.list_url(url)
        if not fetched.ok or fetched.value is None:
            self.error = fetched.message or "the petition list could not be loaded"
            return self._page((), has_more=True, error=self.error)
        self._started = True
        if url is not None:
            self._requested.add(url)
        self._keep_page(fetched.raw, fetched.value)
        return self._accept(fetched.value)

    # -- internals

    def _kept_page(self) -> PetitionPage | None:
        """The next page from the store, if it was kept (and still reads); None to ask the site."""
        if self._store is None:
            return None
        try:
            kept = self._store.archive_page(self._listing, self.pages_loaded + 1)
            return parse_list_page(kept[0]) if kept is not None else None
        except (StoreError, ParseError) as error:
            log.warning("archive page %s of %s not read from the store: %s",
                        self.pages_loaded + 1, self._listing, error)
            return None

    def _keep_page(self, raw: bytes | None, page: PetitionPage) -> None:
        if self._store is None or raw is None or not page.items:
            return
        try:
            self._store.save_archive_page(self._listing, self.pages_loaded + 1, raw, page.links.next, time.time())
        except StoreError as error:  # a full disk or writes off: browsing goes on, uncached
            log.warning("archive page %s of %s not kept: %s", self.pages_loaded + 1, self._listing, error)

    def _jump(self, reference: PetitionRef) -> BrowsePage | None:
        """Fetch the petition a query names; None to fall back to a text search (digits only)."""
        fetched = self.client.petition(reference.id, archived=reference.archived)
        if fetched.ok and fetched.value is not None:
            self._started = self._finished = True
            row = BrowseRow.from_petition(fetched.value, self._today)
            self._add(row)
            self.pages_loaded = 1
            self.error = None
            return self._page((row,), has_more=False, jumped_to=row.id)
        if fetched.outcome in _NOT_THERE and (self.query.q or "").strip().isdigit():
            return None  # as the site does: a number that names no petition is searched as text
        self.error = fetched.message or f"petition {reference.id} could not be loaded"
        if fetched.outcome in _NOT_THERE:
            self._started = self._finished = True  # a link to a missing petition: nothing to retry
            return self._page((), has_more=False, error=self.error)
        return self._page((), has_more=True, error=self.error)

    def _accept(self, page: PetitionPage) -> BrowsePage:
        from petitiondesk.core.client import MAX_PAGE  # loaded by then: the page came through it

        self.pages_loaded += 1
        self.error = None
        fresh: list[BrowseRow] = []
        for item in page.items:
            if item.id not in self._ids:
                self._add(BrowseRow.from_petition(item, self._today))
                fresh.append(self.rows[-1])
        duplicates = len(page.items) - len(fresh)
        following = page.links.next
        if not following or not page.items or following in self._requested or self.pages_loaded >= MAX_PAGE:
            # The end, an empty page past it, or a link we already followed (a loop): stop here.
            self._finished = True
            self._next_url = None
        else:
            self._next_url = following
        return self._page(tuple(fresh), has_more=not self._finished, duplicates=duplicates)

    def _add(self, row: BrowseRow) -> None:
        self.rows.append(row)
        self._ids.add(row.id)

    def _page(self, rows: tuple[BrowseRow, ...], *, has_more: bool, error: str | None = None,
              duplicates: int = 0, jumped_to: int | None = None) -> BrowsePage:
        return BrowsePage(rows=rows, page=self.pages_loaded, total=len(self.rows), has_more=has_more,
                          error=error, duplicates=duplicates, jumped_to=jumped_to)


def load_all(client: PetitionsClient, query: BrowseQuery, *, should_stop: Callable[[], bool] = lambda: False,
             on_page: Callable[[BrowsePage], None] | None = None) -> Browser:
    """Run a `Browser` to the end (or the first error / stop); read `.rows`, `.error`, `.finished`."""
    browser = Browser(client, query)
    for page in browser.pages(should_stop):
        if on_page is not None:
            on_page(page)
    return browser


# ------------------------------------------------------------------------------------ trending


@dataclass(frozen=True)
class TrendingResult:
    items: tuple[TrendingPetition, ...] = ()
    updated_at: datetime | None = None
    error: str | None = None


def trending(client: PetitionsClient) -> TrendingResult:
    """ "Rising now": up to 10 open petitions by signatures in the last hour (not their totals)."""
    fetched = client.trending()
    if not fetched.ok or fetched.value is None:
        return TrendingResult(error=fetched.message or "trending petitions could not be loaded")
    return TrendingResult(items=fetched.value.items, updated_at=fetched.value.updated_at)


def trending_text(item: TrendingPetition) -> str:
    count = item.signatures_last_hour
    return f"{count:,} signature{'' if count == 1 else 's'} in the last hour"


# ------------------------------------------------------------------------------------- related


@dataclass(frozen=True)
class Related:
    row: BrowseRow
    reason: str  # e.g. "topic: health" or "department: DHSC"


@dataclass(frozen=True)
class RelatedResult:
    items: tuple[Related, ...] = ()
    error: str | None = None  # set when a request failed (the items found by the other are kept)


def related(petition: Petition, client: PetitionsClient, limit: int = 5) -> RelatedResult:
    """Up to `limit` open petitions sharing a topic or department with `petition`, most signed first.

    At most two requests: the open petitions of its first topic (the site filters by topic), and,
    when that cannot be enough (another topic, a department, or too few found), the 50 most signed
    open petitions, matched here by topic or department (the site has no department filter).
    """
    topics = set(petition.topics)
    departments = {d.acronym or d.name for d in petition.departments}
    if not topics and not departments:
        return _similar_titles(petition, client, limit)  # petitions from before 2020 have neither
    found: dict[int, Related] = {}
    errors: list[str] = []
    if petition.topics:
        _collect(client.list_page(state="open", topic=petition.topics[0]), petition, topics, departments,
                 found, errors)
    # The topic list alone is enough only if it filled `limit` and nothing else could match.
    topic_list_suffices = len(topics) == 1 and not departments and len(found) >= limit
    if not topic_list_suffices:
        _collect(client.list_page(state="open"), petition, topics, departments, found, errors)
    ranked = sorted(found.values(), key=lambda item: item.row.signature_count, reverse=True)
    return RelatedResult(items=tuple(ranked[:limit]), error="; ".join(errors) or None)


def _candidates(fetched: Fetched[PetitionPage], petition: Petition, seen: Container[int],
                errors: list[str]) -> Iterator[Petition]:
    """The open petitions of a fetched page other than `petition` and those `seen`; a failed
    fetch adds its reason to `errors`."""
    if not fetched.ok or fetched.value is None:
        errors.append(fetched.message or "related petitions could not be loaded")
        return
    for item in fetched.value.items:
        if item.id != petition.id and item.id not in seen and item.state == "open":
            yield item


def _collect(fetched: Fetched[PetitionPage], petition: Petition, topics: set[str], departments: set[str],
             found: dict[int, Related], errors: list[str]) -> None:
    for item in _candidates(fetched, petition, found, errors):
        reason = _shared(item, topics, departments)
        if reason:
            found[item.id] = Related(BrowseRow.from_petition(item), reason)


# Words that say nothing about what a petition is about.
_COMMON_WORDS = frozenset("""
about after against all allow also and any are back been being between both bring can cannot change could
does during each ensure every from fund funding give government have help into introduce just keep law laws
legislation less make more most must need needs new not now only other over parliament people petition
provide public put reduce remove require review right rights should some stop such than that the their them
then there these they this those through under until urgent urgently very what when which while who will
with within without would year years your
""".split())


def title_keywords(text: str) -> list[str]:
    """The words of a title that say what it is about, lower case, plural 's' dropped, in order."""
    words = []
    for word in re.findall(r"[a-z]+", text.lower()):
        if len(word) < 4 or word in _COMMON_WORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in words:
            words.append(word)
    return words


def _similar_titles(petition: Petition, client: PetitionsClient, limit: int) -> RelatedResult:
    """Open petitions whose titles share the most words with this one's: at most two requests (a
    search for its most distinctive word, and the most signed open petitions)."""
    keywords = title_keywords(petition.action)
    if not keywords:
        return RelatedResult()
    wanted = set(keywords)
    scored: dict[int, tuple[int, Related]] = {}
    errors: list[str] = []

    def score(fetched: Fetched[PetitionPage]) -> None:
        for item in _candidates(fetched, petition, scored, errors):
            shared = [word for word in title_keywords(item.action) if word in wanted]
            if shared:
                reason = "similar title: " + ", ".join(shared[:3])
                scored[item.id] = (len(shared), Related(BrowseRow.from_petition(item), reason))

    score(client.list_page(state="open", q=max(keywords, key=len)))  # its most distinctive word
    if len(scored) < limit:
        score(client.list_page(state="open"))
    ranked = sorted(scored.values(), key=lambda pair: (pair[0], pair[1].row.signature_count), reverse=True)
    return RelatedResult(items=tuple(related for _, related in ranked[:limit]), error="; ".join(errors) or None)


def _shared(item: Petition, topics: set[str], departments: set[str]) -> str:
    shared_topics = [topic for topic in item.topics if topic in topics]
    if shared_topics:
        return f"topic: {shared_topics[0]}"
    for department in item.departments:
        if (department.acronym or department.name) in departments:
            return f"department: {department.acronym or department.name}"
    return ""
