"""Browsing in the background: one long-lived thread with its own `PetitionsClient`.

`BrowseService` lives in the GUI thread; the browse view, the related panel and the tests talk only
to it. Its `BrowseWorker` lives in the thread, creates the client there (docs/ARCHITECTURE.md, threads), and
loads one page per event-loop turn, so that a new query, a stop, "Rising now" or a related lookup
queued meanwhile is handled after at most one request. Each query carries a generation number: the
GUI thread bumps it to cancel (the worker checks it between pages), and the service drops pages of
an older generation that were already on their way. Everything that crosses is immutable
(`BrowseQuery`, `BrowsePage`, `TrendingResult`, `RelatedResult`, `Petition`).

Its client takes its turns from the scheduler it shares with the refresh worker, so browsing and
refreshing together stay at one request a second; the first page of a query, "Rising now" and
related petitions are what the user is waiting for, so they go to the front, while the later
pages of a long listing go at the background pace. The thread, stopping and the client's
construction come from `gui/service.py`.

Pages of the archive are kept in the store (`BrowseConfig.database`, the worker's own connection,
opened in this thread the first time the archive is browsed): the second load reads them back
without a request, and a first load cut short resumes where it stopped (`core.browse.Browser`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from petitiondesk.core.browse import BrowsePage, BrowseQuery, RelatedResult, TrendingResult
from petitiondesk.core.scheduler import RequestScheduler
from petitiondesk.gui.service import BackgroundService, Generation, ServiceWorker, describe_error, shared_scheduler

if TYPE_CHECKING:  # httpx is imported by the client, in the browse thread, off the start-up path
    import httpx

    from petitiondesk.core.browse import Browser
    from petitiondesk.core.client import PetitionsClient
    from petitiondesk.core.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BrowseConfig:
    api_base: str
    #: Seconds between background requests; None is polite to the real site (1 s).
    request_interval: float | None = None
    transport: httpx.BaseTransport | None = None
    #: "Today" for the rows' debate wording (tests); None is the real date.
    today: date | None = None
    #: The pace shared with the refresh worker; made from `request_interval` when not given.
    scheduler: RequestScheduler | None = None
    #: The store file where archive pages are kept; None browses the archive from the site each time.
    database: Path | None = None

    def __post_init__(self) -> None:
        if self.scheduler is None:
            object.__setattr__(self, "scheduler", shared_scheduler(self.request_interval))

    @classmethod
    def like(cls, worker_config: Any) -> BrowseConfig:
        """The same site, transport and scheduler as the refresh worker's `WorkerConfig`."""
        return cls(api_base=worker_config.api_base, request_interval=worker_config.request_interval,
                   transport=worker_config.transport, scheduler=worker_config.scheduler,
                   database=worker_config.database)


class BrowseWorker(ServiceWorker):
    """Lives in the browse thread; only the service creates it; only its signals leave the thread."""

    page_loaded = Signal(int, object)  # query id, BrowsePage
    trending_loaded = Signal(object)  # TrendingResult
    related_loaded = Signal(int, object)  # petition id, RelatedResult
    preview_loaded = Signal(int, object, str)  # petition id, Petition or None, why not ("" when loaded)

    def __init__(self, config: BrowseConfig, generation: Generation, related_wanted: Generation,
                 preview_wanted: Generation | None = None) -> None:
        super().__init__()
        self._config = config
        self._wanted = generation
        self._related_wanted = related_wanted
        self._preview_wanted = preview_wanted or Generation(-1)
        self._client: PetitionsClient | None = None
        self._store: Store | None = None
        self._store_failed = False  # said once in the log; the archive is then browsed uncached
        self._browser: Browser | None = None
        self._query_id = -1  # tags the pages: which query they belong to
        self._generation = -1  # the loop runs while this is the generation the GUI wants
        self._pending = False  # a next page is queued on this thread's event loop

    # --- slots, run in the browse thread --------------------------------------------------------

    @Slot(int, object)
    def load(self, generation: int, query: BrowseQuery) -> None:
        from petitiondesk.core.browse import Browser

        self._browser = None
        try:
            store = self._archive_store() if query.archived else None
            self._browser = Browser(self._petitions(), query, today=self._config.today, store=store)
        except Exception as error:  # an unknown facet, a bad address: a message, not a dead thread
            log.exception("cannot browse %r", query)
            self.page_loaded.emit(generation, BrowsePage((), 0, 0, False, error=describe_error(error)))
            return
        self._query_id = self._generation = generation
        self._schedule_next()

    @Slot(int)
    def resume(self, generation: int) -> None:
        """Carry on after a stop or a failed page (the browser retries where it left off)."""
        if self._browser is not None and not self._browser.finished:
            self._generation = generation
            self._schedule_next()

    @Slot()
    def load_trending(self) -> None:
        from petitiondesk.core.browse import trending

        client = self._petitions()
        try:
            with client.foreground():
                result = trending(client)
        except Exception as error:
            log.exception("trending failed")
            result = TrendingResult(error=describe_error(error))
        self.trending_loaded.emit(result)

    @Slot(object)
    def load_related(self, petition) -> None:
        from petitiondesk.core.browse import related

        if petition.id != self._related_wanted.value:
            return  # the user has moved on to another petition: spare the site the requests
        client = self._petitions()
        try:
            with client.foreground():
                result = related(petition, client)
        except Exception as error:
            log.exception("related petitions failed")
            result = RelatedResult(error=describe_error(error))
        self.related_loaded.emit(petition.id, result)

    @Slot(int, bool)
    def load_preview(self, petition_id: int, archived: bool) -> None:
        """One petition's document, to preview a search result without pinning it."""
        if petition_id != self._preview_wanted.value:
            return  # the selection has moved on
        client = self._petitions()
        try:
            with client.foreground():
                fetched = client.petition(petition_id, archived=archived)
        except Exception as error:
            log.exception("previewing petition %s failed", petition_id)
            self.preview_loaded.emit(petition_id, None, describe_error(error))
            return
        why_not = "" if fetched.value is not None else (fetched.message or "the site did not answer")
        self.preview_loaded.emit(petition_id, fetched.value, why_not)

    def release(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except Exception:
                log.exception("closing the browse thread's database failed")
        self._client = self._browser = self._store = None

    # --- inside ---------------------------------------------------------------------------------

    def _petitions(self):
        if self._client is None:
            self._client = self.new_client(self._config.api_base, self._config.scheduler, self._config.transport)
        return self._client

    def _archive_store(self) -> Store | None:
        if self._store is None and self._config.database is not None and not self._store_failed:
            from petitiondesk.core.store import Store

            try:
                self._store = Store.open(self._config.database)
            except Exception:  # a damaged or locked file: the archive still browses, from the site
                log.exception("cannot keep archive pages in %s", self._config.database)
                self._store_failed = True
        return self._store

    def _cancelled(self) -> bool:
        return self.stopping() or self._generation != self._wanted.value

    def _schedule_next(self) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._next_page)

    @Slot()
    def _next_page(self) -> None:
        self._pending = False
        browser = self._browser
        if browser is None or browser.finished or self._cancelled():
            return
        query_id = self._query_id
        try:
            if browser.pages_loaded == 0:  # the user is waiting for the first page: to the front
                with self._petitions().foreground():
                    page = browser.fetch_next()
            else:
                page = browser.fetch_next()
        except Exception as error:  # anything the core did not foresee: report, keep the thread
            log.exception("loading a page failed")
            page = BrowsePage((), browser.pages_loaded, len(browser.rows), True, error=describe_error(error))
        self.page_loaded.emit(query_id, page)
        if not page.error and page.has_more and browser is self._browser:
            self._schedule_next()


class BrowseService(BackgroundService):
    """The GUI thread's handle on the browse thread; results come back on this thread."""

    page_loaded = Signal(object)  # BrowsePage of the current query (older queries' pages are dropped)
    loading_changed = Signal(bool)  # True while pages of the current query are being fetched
    trending_loaded = Signal(object)  # TrendingResult
    related_loaded = Signal(int, object)  # petition id, RelatedResult (only for the latest request)
    preview_loaded = Signal(int, object, str)  # petition id, Petition or None, why not (the latest request)

    _load_requested = Signal(int, object)
    _resume_requested = Signal(int)
    _trending_requested = Signal()
    _related_requested = Signal(object)
    _preview_requested = Signal(int, bool)

    def __init__(self, config: BrowseConfig, parent: QObject | None = None) -> None:
        generation, related_wanted, preview_wanted = Generation(), Generation(-1), Generation(-1)
        worker = BrowseWorker(config, generation, related_wanted, preview_wanted)
        super().__init__("petitiondesk-browse", worker, parent)
        self.config = config
        self._generation = generation
        self._related_wanted = related_wanted
        self._preview_wanted = preview_wanted
        self._worker: BrowseWorker = worker
        self._current = 0  # id of the query shown: pages of older queries are dropped
        self._query: BrowseQuery | None = None
        self._loading = False
        self._related_for: int | None = None
        self._connect()

    def _connect(self) -> None:
        worker, queued = self._worker, Qt.ConnectionType.QueuedConnection
        self._load_requested.connect(worker.load, queued)
        self._resume_requested.connect(worker.resume, queued)
        self._trending_requested.connect(worker.load_trending, queued)
        self._related_requested.connect(worker.load_related, queued)
        self._preview_requested.connect(worker.load_preview, queued)
        worker.preview_loaded.connect(self._on_preview)
        worker.page_loaded.connect(self._on_page)
        worker.trending_loaded.connect(self.trending_loaded)
        worker.related_loaded.connect(self._on_related)

    # --- what the view calls ------------------------------------------------------------------

    @property
    def query(self) -> BrowseQuery | None:
        return self._query

    @property
    def is_loading(self) -> bool:
        return self._loading

    def load(self, query: BrowseQuery) -> None:
        """Show `query` from its first page; whatever was loading stops after its current request."""
        if self.is_stopped:
            return  # shut down: nothing would answer
        self.start()
        self._query = query
        self._current = self._generation.bump()
        self._load_requested.emit(self._current, query)
        self._set_loading(True)

    def stop_loading(self) -> None:
        """Stop after the request in flight (its page is still shown); `resume()` carries on."""
        self._generation.bump()
        self._set_loading(False)

    def resume(self) -> None:
        """Load the rest of the current query (after a stop) or retry the page that failed."""
        if self._query is None or self.is_stopped:
            return
        self._resume_requested.emit(self._generation.bump())
        self._set_loading(True)

    def load_trending(self) -> None:
        """ "Rising now": signatures in the last hour, answered by `trending_loaded`."""
        self.start()
        self._trending_requested.emit()

    def load_related(self, petition) -> None:
        """Open petitions sharing a topic or department with `petition` (a `Petition`)."""
        if self.is_stopped:
            return
        self.start()
        self._related_for = petition.id
        self._related_wanted.set(petition.id)
        self._related_requested.emit(petition)

    def load_preview(self, petition_id: int, archived: bool = False) -> None:
        """A petition's document for a preview, answered by `preview_loaded` (only the latest asked)."""
        if self.is_stopped:
            return
        self.start()
        self._preview_wanted.set(petition_id)
        self._preview_requested.emit(petition_id, archived)

    def stop(self) -> None:
        """Stop without waiting (see `BackgroundService`); nothing is loading any more."""
        self._generation.bump()
        self._set_loading(False)
        super().stop()

    # --- results --------------------------------------------------------------------------------

    @Slot(int, object)
    def _on_page(self, query_id: int, page: BrowsePage) -> None:
        if query_id != self._current:
            return  # a query the user has since replaced
        if page.error or not page.has_more:
            self._set_loading(False)
        self.page_loaded.emit(page)

    @Slot(int, object)
    def _on_related(self, petition_id: int, result: RelatedResult) -> None:
        if petition_id == self._related_for:
            self.related_loaded.emit(petition_id, result)

    @Slot(int, object, str)
    def _on_preview(self, petition_id: int, petition, why_not: str) -> None:
        if petition_id == self._preview_wanted.value:
            self.preview_loaded.emit(petition_id, petition, why_not)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
