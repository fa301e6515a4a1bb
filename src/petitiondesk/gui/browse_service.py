"""Browsing in the background: one long-lived QThread with its own `PetitionsClient`.

`BrowseService` lives in the GUI thread; the browse view, the related panel and the tests talk only
to it. Its `BrowseWorker` lives in the thread, creates the client there (ENGINEERING.md §4), and
loads one page per event-loop turn, so that a new query, a stop, "Rising now" or a related lookup
queued meanwhile is handled after at most one request. Each query carries a generation number: the
GUI thread bumps it to cancel (the worker checks it between pages), and the service drops pages of
an older generation that were already on their way. Everything that crosses is immutable
(`BrowseQuery`, `BrowsePage`, `TrendingResult`, `RelatedResult`, `Petition`).

A second client means a second stream of requests to the site beside the refresh worker's, so it
keeps the same polite spacing (1 s unless configured) and makes one request at a time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from petitiondesk.core.browse import BrowsePage, BrowseQuery, RelatedResult, TrendingResult

log = logging.getLogger(__name__)

#: How long quitting waits for a request in flight (the client's own timeout is 15 s).
SHUTDOWN_WAIT_MS = 20_000


@dataclass(frozen=True)
class BrowseConfig:
    api_base: str
    #: Seconds between requests; None keeps the client's polite default (1 s).
    request_interval: float | None = None
    transport: httpx.BaseTransport | None = None
    #: "Today" for the rows' debate wording (tests); None is the real date.
    today: date | None = None

    @classmethod
    def like(cls, worker_config: Any) -> BrowseConfig:
        """The same site, spacing and transport as the refresh worker's `WorkerConfig`."""
        return cls(api_base=worker_config.api_base, request_interval=worker_config.request_interval,
                   transport=worker_config.transport)


class _Shared:
    """A number the GUI thread sets and the worker reads (a lock, not GIL luck): the query the GUI
    wants now, or the petition whose related ones it still wants."""

    def __init__(self, value: int = 0) -> None:
        self._lock = threading.Lock()
        self._value = value

    def bump(self) -> int:
        with self._lock:
            self._value += 1
            return self._value

    def set(self, value: int) -> None:
        with self._lock:
            self._value = value

    @property
    def value(self) -> int:
        with self._lock:
            return self._value


class BrowseWorker(QObject):
    """Lives in the browse thread; only the service creates it; only its signals leave the thread."""

    page_loaded = Signal(int, object)  # query id, BrowsePage
    trending_loaded = Signal(object)  # TrendingResult
    related_loaded = Signal(int, object)  # petition id, RelatedResult

    def __init__(self, config: BrowseConfig, generation: _Shared, related_wanted: _Shared,
                 stop: threading.Event) -> None:
        super().__init__()
        self._config = config
        self._wanted = generation
        self._related_wanted = related_wanted
        self._stop = stop
        self._client = None
        self._browser = None
        self._query_id = -1  # tags the pages: which query they belong to
        self._generation = -1  # the loop runs while this is the generation the GUI wants
        self._pending = False  # a next page is queued on this thread's event loop

    # --- slots, run in the browse thread --------------------------------------------------------

    @Slot(int, object)
    def load(self, generation: int, query: BrowseQuery) -> None:
        from petitiondesk.core.browse import Browser

        self._browser = None
        try:
            self._browser = Browser(self._petitions(), query, today=self._config.today)
        except Exception as error:  # an unknown facet, a bad address: a message, not a dead thread
            log.exception("cannot browse %r", query)
            self.page_loaded.emit(generation, BrowsePage((), 0, 0, False, error=_describe(error)))
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

        try:
            result = trending(self._petitions())
        except Exception as error:
            log.exception("trending failed")
            result = TrendingResult(error=_describe(error))
        self.trending_loaded.emit(result)

    @Slot(object)
    def load_related(self, petition) -> None:
        from petitiondesk.core.browse import related

        if petition.id != self._related_wanted.value:
            return  # the user has moved on to another petition: spare the site the requests
        try:
            result = related(petition, self._petitions())
        except Exception as error:
            log.exception("related petitions failed")
            result = RelatedResult(error=_describe(error))
        self.related_loaded.emit(petition.id, result)

    @Slot()
    def close(self) -> None:
        """From QThread.finished, in this thread: release the client it created."""
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                log.exception("closing the browse client failed")
        self._client = self._browser = None
        from petitiondesk.gui.worker import _forget_dummy_thread

        _forget_dummy_thread()

    # --- inside ---------------------------------------------------------------------------------

    def _petitions(self):
        if self._client is None:
            from petitiondesk.core.client import PetitionsClient

            options: dict[str, Any] = {"transport": self._config.transport, "sleep": self._polite_sleep}
            if self._config.request_interval is not None:
                options["min_interval"] = self._config.request_interval
            self._client = PetitionsClient(self._config.api_base, **options)
            self._client.should_stop = self._stop.is_set
        return self._client

    def _polite_sleep(self, seconds: float) -> None:
        self._stop.wait(max(0.0, seconds))

    def _cancelled(self) -> bool:
        return self._stop.is_set() or self._generation != self._wanted.value

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
            page = browser.fetch_next()
        except Exception as error:  # anything the core did not foresee: report, keep the thread
            log.exception("loading a page failed")
            page = BrowsePage((), browser.pages_loaded, len(browser.rows), True, error=_describe(error))
        self.page_loaded.emit(query_id, page)
        if not page.error and page.has_more and browser is self._browser:
            self._schedule_next()


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


class BrowseService(QObject):
    """The GUI thread's handle on the browse thread; results come back on this thread."""

    page_loaded = Signal(object)  # BrowsePage of the current query (older queries' pages are dropped)
    loading_changed = Signal(bool)  # True while pages of the current query are being fetched
    trending_loaded = Signal(object)  # TrendingResult
    related_loaded = Signal(int, object)  # petition id, RelatedResult (only for the latest request)

    _load_requested = Signal(int, object)
    _resume_requested = Signal(int)
    _trending_requested = Signal()
    _related_requested = Signal(object)

    def __init__(self, config: BrowseConfig, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self._stop = threading.Event()
        self._generation = _Shared()
        self._related_wanted = _Shared(-1)
        self._thread = QThread()
        self._thread.setObjectName("petitiondesk-browse")
        self._worker = BrowseWorker(config, self._generation, self._related_wanted, self._stop)
        self._worker.moveToThread(self._thread)
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
        worker.page_loaded.connect(self._on_page)
        worker.trending_loaded.connect(self.trending_loaded)
        worker.related_loaded.connect(self._on_related)
        self._thread.finished.connect(worker.close, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(worker.deleteLater)

    # --- what the view calls ------------------------------------------------------------------

    @property
    def query(self) -> BrowseQuery | None:
        return self._query

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def is_running(self) -> bool:
        return self._thread.isRunning()

    def start(self) -> None:
        if not self._thread.isRunning() and not self._stop.is_set():
            self._thread.start()

    def load(self, query: BrowseQuery) -> None:
        """Show `query` from its first page; whatever was loading stops after its current request."""
        if self._stop.is_set():
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
        if self._query is None or self._stop.is_set():
            return
        self._resume_requested.emit(self._generation.bump())
        self._set_loading(True)

    def load_trending(self) -> None:
        """ "Rising now": signatures in the last hour, answered by `trending_loaded`."""
        self.start()
        self._trending_requested.emit()

    def load_related(self, petition) -> None:
        """Open petitions sharing a topic or department with `petition` (a `Petition`)."""
        if self._stop.is_set():
            return
        self.start()
        self._related_for = petition.id
        self._related_wanted.set(petition.id)
        self._related_requested.emit(petition)

    def shutdown(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop between requests, end the thread and wait for it; True once it has ended."""
        self._stop.set()
        self._generation.bump()
        self._set_loading(False)
        if not self._thread.isRunning():
            return True
        self._thread.quit()
        ended = self._thread.wait(timeout_ms)
        if not ended:
            log.error("the browse thread did not stop within %d ms", timeout_ms)
        return ended

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

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
