"""The background refresh: one long-lived thread that owns the HTTP client and the database writes.

`RefreshService` lives in the GUI thread; the window and the tests talk only to it. It starts a
named Python thread ("petitiondesk-refresh") running a Qt event loop, where a `RefreshWorker`
lives (`gui/service.py`), sends it requests through queued signals connected to the worker's
bound methods (so they run in that thread), and re-emits the worker's results from the GUI thread
(docs/ARCHITECTURE.md, threads). Everything that crosses is immutable: `WatchRow`s, reports,
`RefreshResult`s and `PinResult`s.

The worker creates the `PetitionsClient`, its own `Store` connection and the `Refresher` inside the
thread, schedules its passes with a single-shot QTimer from `Refresher.next_due_at()`, catches its
own exceptions and emits them as messages. Starting, stopping (the refresher checks the stop flag
between requests; the request in flight is aborted) and closing in the thread come from
`gui/service.py`.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from petitiondesk.core.scheduler import RequestScheduler
from petitiondesk.core.watch_rows import OutlookMemo, WatchRow, build_rows
from petitiondesk.gui.service import BackgroundService, ServiceWorker, describe_error, shared_scheduler

if TYPE_CHECKING:  # httpx is imported by the client, in the worker thread, off the start-up path
    import httpx

    from petitiondesk.core.client import PetitionsClient
    from petitiondesk.core.poller import PollerSession
    from petitiondesk.core.refresh import Refresher, RefreshReport
    from petitiondesk.core.store import Store

log = logging.getLogger(__name__)

NOT_OPEN = "the database is not open"

#: Bounds on the wait between passes, whatever `next_due_at()` says (seconds, real time).
MIN_PASS_DELAY = 1.0
MAX_PASS_DELAY = 3600.0
FALLBACK_PASS_DELAY = 300.0


@dataclass(frozen=True)
class WorkerConfig:
    """Everything the worker needs to build its client, store and refresher in its own thread."""

    database: Path
    api_base: str
    clock: Callable[[], float] = time.time
    #: Fixed real seconds between passes (the demo); None follows the refresher's schedule.
    pass_interval: float | None = None
    #: Seconds between background requests; None is polite to the real site (1 s).
    request_interval: float | None = None
    #: The pace shared with every other service that talks to the site; made from
    #: `request_interval` when not given.
    scheduler: RequestScheduler | None = None
    transport: httpx.BaseTransport | None = None
    #: Extra keyword arguments for `Refresher` (count_interval, full_interval, site_history).
    refresher_options: dict[str, Any] = field(default_factory=dict)
    #: Refresh as soon as the worker starts.
    refresh_on_start: bool = True
    #: Take the data folder's poller lock (the app): while another PetitionDesk process polls,
    #: this one sends nothing and reads what that one records (core/poller.py).
    one_poller: bool = False

    def __post_init__(self) -> None:
        if self.scheduler is None:
            object.__setattr__(self, "scheduler", shared_scheduler(self.request_interval))


@dataclass(frozen=True)
class RefreshResult:
    """The outcome of one pass: rows for the petitions it refreshed, and what happened."""

    rows: tuple[WatchRow, ...]  # the petitions this pass updated (every one when it failed)
    watched: tuple[int, ...] = ()  # the whole watchlist after the pass, in order
    report: RefreshReport | None = None  # None when the pass failed outright
    error: str | None = None
    next_pass_in: float | None = None  # real seconds until the next scheduled pass
    alerts: tuple = ()  # StoredAlerts recorded since the previous pass, by this or another process
    unread: int = 0  # unread alerts after them
    polling: bool = True  # False: another process polls this data folder, this one only reads

    @property
    def offline(self) -> bool:
        return self.report is not None and self.report.offline


@dataclass(frozen=True)
class PinResult:
    reference: str
    petition_id: int | None = None
    row: WatchRow | None = None
    error: str | None = None
    #: Why it was refused, in `FetchState.problem` words ("not_found", "gone", "not_visible"...).
    problem: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """The outcome of importing a watchlist file: the report, and rows for what was added."""

    path: str
    report: Any = None  # core.watchlist_io.ImportReport; None when the file was refused
    rows: tuple[WatchRow, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ExportResult:
    path: str
    count: int = 0
    error: str | None = None


#: The GIL switch interval while the window runs (Python's default is 5 ms).
GUI_SWITCH_INTERVAL = 0.001


def favour_the_gui_thread() -> Callable[[], None]:
    """Make a thread waiting for the GIL get it after 1 ms rather than 5 ms; returns the undo.

    The GUI thread takes the GIL for every Python call a paint makes (each cell's `data()`, each
    pyqtgraph item); while the workers run Python it waited up to 5 ms each time. Measured with
    bench/bench_gui.py (500 petitions, 3 runs each): the 99.9th percentile of event-loop gaps
    7-8 -> 5-6 ms while documents arrive, 10-12 -> 9 ms during passes of counts; a pass takes
    no longer."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    return lambda: sys.setswitchinterval(previous)


class RefreshWorker(ServiceWorker):
    """Lives in the worker thread. Only the service creates it; only its signals leave the thread."""

    rows_loaded = Signal(object)  # tuple[WatchRow, ...]
    refresh_started = Signal()
    refresh_progress = Signal(int, int)  # done, total
    refresh_finished = Signal(object)  # RefreshResult
    pin_finished = Signal(object)  # PinResult
    unpin_finished = Signal(int, str)  # petition id, error ("" when done)
    reorder_finished = Signal(object, str)  # the watchlist's ids in their stored order, error ("" when done)
    import_finished = Signal(object)  # ImportResult
    export_finished = Signal(object)  # ExportResult
    alerts_loaded = Signal(object, int, object)  # the alerts list (newest first), unread count, default rules
    failed = Signal(str)

    def __init__(self, config: WorkerConfig) -> None:
        super().__init__()
        self._config = config
        self._store: Store | None = None
        self._client: PetitionsClient | None = None
        self._refresher: Refresher | None = None
        self._session: PollerSession | None = None
        self._timer: QTimer | None = None
        #: The open petitions' outlooks from pass to pass: worked out again only when a count or document moved.
        self._outlooks = OutlookMemo()
        #: References to pin, appended by the GUI thread (a deque: appends and pops are atomic).
        self.waiting_pins: deque[str] = deque()

    # --- slots, run in the worker thread ------------------------------------------------------

    @Slot()
    def start(self) -> None:
        try:
            self._open()
        except Exception as error:  # the store cannot open, a bad address...: say so, stay alive
            log.exception("the refresh worker could not start")
            self.failed.emit(f"Cannot start refreshing: {describe_error(error)}")
            return
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._scheduled_pass)
        self._emit_rows()
        if self._config.refresh_on_start:
            self._timer.start(0)
        else:
            self._schedule()

    @Slot(bool)
    def refresh(self, force: bool) -> None:
        if self._refresher is None or self.stopping():
            return
        self._run_pass(force)

    @Slot(float)
    def set_count_interval(self, seconds: float) -> None:
        """The user's "check counts every" preference, from the next petition checked on."""
        if self._refresher is None or self.stopping():
            return
        self._refresher.count_interval = seconds
        self._schedule()  # the next pass may now be due sooner (or later)

    @Slot(str)
    def pin(self, _reference: str) -> None:
        """Queued by the service for each reference, which waits in `waiting_pins`: served here
        when the thread is idle, or between two petitions of a pass (see `_progress`)."""
        if self._serve_waiting_pins():
            self._schedule()

    @Slot(int)
    def want_document(self, petition_id: int) -> None:
        """The petition is shown: an old document is fetched in the next pass, which comes soon."""
        if self._refresher is None or self.stopping():
            return
        try:
            self._refresher.want_document(petition_id)
        except Exception:  # a locked or damaged database: the scheduled snapshot still comes
            log.exception("could not ask for petition %s's document", petition_id)
            return
        self._schedule()

    @Slot(int)
    def unpin(self, petition_id: int) -> None:
        if self._store is None:
            self.unpin_finished.emit(petition_id, NOT_OPEN)
            return
        try:
            self._store.unpin(petition_id)
        except Exception as error:
            log.exception("could not unpin %s", petition_id)
            self.unpin_finished.emit(petition_id, describe_error(error))
        else:
            self.unpin_finished.emit(petition_id, "")

    @Slot(object)
    def reorder(self, order: tuple[int, ...]) -> None:
        """Store the watchlist in `order` (ids not in it keep their turn after it), in one transaction."""
        if self._store is None:
            self.reorder_finished.emit((), NOT_OPEN)
            return
        error = ""
        try:
            with self._store.transaction():
                position = 0
                for petition_id in order:
                    if self._store.is_pinned(petition_id):
                        self._store.move(petition_id, position)
                        position += 1
        except Exception as exc:  # no store, a locked database: say so; the GUI shows the stored order
            log.exception("could not reorder the watchlist")
            error = describe_error(exc)
        try:
            stored = tuple(entry.petition_id for entry in self._store.watchlist())
        except Exception:
            stored = ()
        self.reorder_finished.emit(stored, error)

    @Slot(str)
    def import_watchlist(self, path: str) -> None:
        """Pin what a watchlist file (JSON or any text with links) names; new pins are fetched at once."""
        from petitiondesk.core.watchlist_io import WatchlistFileError, import_watchlist

        if self._store is None:
            self.import_finished.emit(ImportResult(path, error=NOT_OPEN))
            return
        try:
            report = import_watchlist(self._store, Path(path), now=self._config.clock())
            added = {entry.petition_id for entry in report.added}
            rows = build_rows(self._store, self._config.clock(), added) if added else ()
        except WatchlistFileError as error:
            self.import_finished.emit(ImportResult(path, error=str(error)))
            return
        except Exception as error:
            log.exception("importing %s failed", path)
            self.import_finished.emit(ImportResult(path, error=describe_error(error)))
            return
        self.import_finished.emit(ImportResult(path, report, rows))
        if added and self._timer is not None and not self.stopping():
            self._timer.start(0)  # import never fetches: the next pass, now, does

    @Slot(object)
    def set_site_history(self, options) -> None:
        """Whole-site recording switched on or off, or its interval changed (Preferences): the next
        pass comes when the new options say."""
        if self._refresher is None or self.stopping():
            return
        self._refresher.site_history = options
        self._schedule()  # the next pass may now be due sooner (or later)

    @Slot(str, str)
    def export_watchlist(self, path: str, kind: str) -> None:
        from petitiondesk.core.watchlist_io import export_watchlist

        if self._store is None:
            self.export_finished.emit(ExportResult(path, error=NOT_OPEN))
            return
        try:
            count = export_watchlist(self._store, Path(path), kind or None, now=time.time())
        except Exception as error:
            log.exception("exporting to %s failed", path)
            self.export_finished.emit(ExportResult(path, error=describe_error(error)))
            return
        self.export_finished.emit(ExportResult(path, count))

    @Slot(str, object)
    def alerts_action(self, action: str, argument) -> None:
        """"load"; "read" or "clear" with a list of ids (None: all); "rules" with (petition id or
        None for the defaults, AlertRules or None). Answered by `alerts_loaded`."""
        from petitiondesk.core.alert_tracker import load_rules, save_default_rules, save_petition_rules

        if self._store is None:
            self.failed.emit(f"Cannot change the alerts: {NOT_OPEN}")
            return
        try:
            alerts = self._store.alerts()
            if action == "read":
                alerts.mark_read(argument)
            elif action == "clear":
                alerts.clear(argument)
            elif action == "rules":
                petition_id, rules = argument
                if petition_id is None:
                    save_default_rules(self._store, rules)
                else:
                    save_petition_rules(self._store, petition_id, rules)
            self.alerts_loaded.emit(tuple(alerts.listing()), alerts.unread_count(), load_rules(self._store)[0])
        except Exception as error:
            log.exception("alerts %s failed", action)
            self.failed.emit(f"Cannot change the alerts: {describe_error(error)}")

    def release(self) -> None:
        """In the worker thread once its loop has ended: stop the timer, close the database."""
        if self._timer is not None:
            self._timer.stop()
        if self._session is not None:
            self._session.close()  # lets another process take over polling
        if self._store is not None:
            try:
                self._store.close()
            except Exception:
                log.exception("closing the database failed")
        self._client = self._store = self._refresher = self._session = None

    # --- inside -------------------------------------------------------------------------------

    def _open(self) -> None:
        # Imported here, in the worker thread: httpx and friends stay off the window's start-up.
        from petitiondesk.core.poller import PollerSession
        from petitiondesk.core.poller_lock import PollerLock
        from petitiondesk.core.refresh import Refresher
        from petitiondesk.core.store import Store

        config = self._config
        self._store = store = Store.open(config.database)
        self._client = client = self.new_client(config.api_base, config.scheduler, config.transport)
        self._refresher = Refresher(client, store, clock=config.clock, **config.refresher_options)
        lock = PollerLock(config.database.parent) if config.one_poller else None
        self._session = PollerSession(store, self._refresher, lock, clock=config.clock)

    @Slot()
    def _scheduled_pass(self) -> None:
        if not self.stopping():
            self._run_pass(False)

    def _run_pass(self, force: bool) -> None:
        self.refresh_started.emit()
        report, error, outcome = None, None, None
        try:
            assert self._session is not None, "the worker is not open"
            outcome = self._session.run_pass(force=force, should_stop=self.stopping, progress=self._progress)
            report = outcome.report  # None while another process polls: then every row is read again
        except Exception as exc:  # anything the core did not foresee: report it, keep going
            log.exception("refresh pass failed")
            error = describe_error(exc)
        rows: tuple[WatchRow, ...] = ()
        watched: tuple[int, ...] = ()
        try:
            assert self._store is not None, "the worker is not open"
            watched = tuple(entry.petition_id for entry in self._store.watchlist())
            problems = self._problems(report, error, watched)
            # Only the rows that changed: rebuilding every row costs the GUI its share of the GIL.
            ids = None if report is None else {update.petition_id for update in report.updates} | set(problems)
            rows = build_rows(self._store, self._config.clock(), ids, problems, memo=self._outlooks)
        except Exception as exc:
            log.exception("reading the watchlist failed")
            error = error or describe_error(exc)
        delay = self._schedule()
        result = RefreshResult(rows=rows, watched=watched, report=report, error=error, next_pass_in=delay)
        if outcome is not None:
            result = replace(result, alerts=outcome.alerts, unread=outcome.unread, polling=outcome.polling)
        self.refresh_finished.emit(result)

    def _progress(self, done: int, total: int) -> None:
        """Between two petitions of a pass (nothing half-done): report, and let the user's
        additions go ahead of the rest of the pass rather than wait for its end."""
        self.refresh_progress.emit(int(done), int(total))
        self._serve_waiting_pins()

    def _serve_waiting_pins(self) -> bool:
        served = False
        while self.waiting_pins:
            reference = self.waiting_pins.popleft()
            self.pin_finished.emit(self._pin(reference))
            served = True
        return served

    @staticmethod
    def _problems(report: RefreshReport | None, error: str | None,
                  watched: tuple[int, ...]) -> dict[int, tuple[str, str]]:
        """Problems beyond what the store holds: a pass that failed, or stopped because the site
        cannot be reached or refuses us, marks every petition it did not get to."""
        if error is not None:
            reason = ("offline", f"The last refresh failed: {error}")
        elif report is None:  # another process polls: the store has its problems
            return {}
        elif report.offline:
            reason = ("offline", "Not checked: the site cannot be reached")
        elif report.blocked_until:
            reason = ("blocked", "Not checked: the site is refusing PetitionDesk's requests")
        elif report.paused_until:
            reason = ("rate_limited", "Not checked: the site asked PetitionDesk to slow down")
        else:
            return {}
        touched = {update.petition_id for update in report.updates} if report is not None else set()
        return {pid: reason for pid in watched if pid not in touched}

    def _pin(self, reference: str) -> PinResult:
        from petitiondesk.core.refs import BadReference, parse_reference

        if self._refresher is None:
            return PinResult(reference, error="Refreshing is not running, so nothing can be added.")
        try:
            ref = parse_reference(reference)
        except BadReference as error:
            return PinResult(reference, error=describe_error(error))
        try:
            update = self._refresher.pin(ref.id, archived=ref.archived)
            rows = build_rows(self._refresher.store, self._config.clock(), [ref.id])
        except Exception as error:
            log.exception("pinning %s failed", reference)
            return PinResult(reference, ref.id, error=describe_error(error))
        if not rows:  # refused: not found, removed, not visible; the update says why
            return PinResult(reference, ref.id, error=update.message or "the site did not return this petition",
                             problem=update.problem or "error")
        return PinResult(reference, ref.id, row=rows[0])

    def _emit_rows(self) -> None:
        try:
            assert self._store is not None, "the worker is not open"
            self.rows_loaded.emit(build_rows(self._store, self._config.clock()))
        except Exception as error:
            log.exception("reading the watchlist failed")
            self.failed.emit(f"Cannot read the watchlist: {describe_error(error)}")

    def _schedule(self) -> float | None:
        """Arm the timer for the next pass; returns the delay in real seconds."""
        if self._timer is None or self.stopping():
            return None
        if self._config.pass_interval is not None:
            delay = self._config.pass_interval
        else:
            try:
                assert self._refresher is not None, "the worker is not open"
                due = self._refresher.next_due_at()
            except Exception:  # the database went away: try again later rather than never
                log.exception("cannot tell when the next refresh is due")
                due = self._config.clock() + FALLBACK_PASS_DELAY
            delay = min(MAX_PASS_DELAY, max(MIN_PASS_DELAY, due - self._config.clock()))
        self._timer.start(int(delay * 1000))
        return delay


class RefreshService(BackgroundService):
    """The GUI thread's handle on the worker: requests go in, results come back on this thread."""

    rows_loaded = Signal(object)
    refresh_started = Signal()
    refresh_progress = Signal(int, int)
    refresh_finished = Signal(object)
    pin_finished = Signal(object)
    unpin_finished = Signal(int, str)
    reorder_finished = Signal(object, str)
    import_finished = Signal(object)
    export_finished = Signal(object)
    alerts_loaded = Signal(object, int, object)
    failed = Signal(str)

    # Requests, delivered to the worker's thread (queued: the worker lives there).
    _start_requested = Signal()
    _refresh_requested = Signal(bool)
    _pin_requested = Signal(str)
    _unpin_requested = Signal(int)
    _document_wanted = Signal(int)
    _reorder_requested = Signal(object)
    _import_requested = Signal(str)
    _export_requested = Signal(str, str)
    _count_interval_requested = Signal(float)
    _alerts_requested = Signal(str, object)
    _site_history_requested = Signal(object)

    def __init__(self, config: WorkerConfig, parent: QObject | None = None) -> None:
        worker = RefreshWorker(config)
        super().__init__("petitiondesk-refresh", worker, parent)
        self._worker: RefreshWorker = worker
        self.config = config
        self._busy = False
        self._connect()

    def _connect(self) -> None:
        worker, queued = self._worker, Qt.ConnectionType.QueuedConnection
        self._start_requested.connect(worker.start, queued)
        self._refresh_requested.connect(worker.refresh, queued)
        self._pin_requested.connect(worker.pin, queued)
        self._unpin_requested.connect(worker.unpin, queued)
        self._document_wanted.connect(worker.want_document, queued)
        self._reorder_requested.connect(worker.reorder, queued)
        self._import_requested.connect(worker.import_watchlist, queued)
        self._export_requested.connect(worker.export_watchlist, queued)
        self._count_interval_requested.connect(worker.set_count_interval, queued)
        self._alerts_requested.connect(worker.alerts_action, queued)
        worker.alerts_loaded.connect(self.alerts_loaded)
        self._site_history_requested.connect(worker.set_site_history, queued)
        # Signal to signal: the service lives in the GUI thread, so these re-emit there.
        worker.rows_loaded.connect(self.rows_loaded)
        worker.refresh_started.connect(self._on_started)
        worker.refresh_progress.connect(self.refresh_progress)
        worker.refresh_finished.connect(self._on_finished)
        worker.pin_finished.connect(self.pin_finished)
        worker.unpin_finished.connect(self.unpin_finished)
        worker.reorder_finished.connect(self.reorder_finished)
        worker.import_finished.connect(self.import_finished)
        worker.export_finished.connect(self.export_finished)
        worker.failed.connect(self.failed)

    # --- what the window calls ----------------------------------------------------------------

    @property
    def is_refreshing(self) -> bool:
        return self._busy

    @property
    def _running(self) -> bool:
        return self.is_running and not self.is_stopped

    def start(self) -> bool:
        if self._running or self.is_stopped:
            return self._running
        super().start()
        self._start_requested.emit()
        return True

    def refresh_now(self, force: bool = True) -> None:
        if self._running:
            self._refresh_requested.emit(force)

    def set_count_interval(self, seconds: float) -> None:
        """How often pinned petitions' counts are read (the refresher's `count_interval`)."""
        if self._running:
            self._count_interval_requested.emit(float(seconds))

    def pin(self, reference: str) -> None:
        if self._running:
            self._worker.waiting_pins.append(reference)
            self._pin_requested.emit(reference)
        else:
            self.pin_finished.emit(PinResult(reference, error="Refreshing has stopped."))

    def unpin(self, petition_id: int) -> None:
        if self._running:
            self._unpin_requested.emit(int(petition_id))

    def want_document(self, petition_id: int) -> None:
        """The petition is on show: its document is fetched soon if it is older than the usual interval
        (a long watchlist otherwise re-fetches documents only when the site's listings show a change)."""
        if self._running:
            self._document_wanted.emit(int(petition_id))

    def reorder(self, order) -> None:
        """Store the watchlist in this order of petition ids; answered by `reorder_finished`."""
        if self._running:
            self._reorder_requested.emit(tuple(int(pid) for pid in order))

    def import_watchlist(self, path) -> None:
        """Import a JSON watchlist or any text with petition links; answered by `import_finished`."""
        if self._running:
            self._import_requested.emit(str(path))
        else:
            self.import_finished.emit(ImportResult(str(path), error="Refreshing has stopped."))

    def set_site_history(self, options) -> None:
        """Record every open petition as `options` (core.site_history.SiteHistoryOptions) say, from
        the next pass on."""
        if self._running:
            self._site_history_requested.emit(options)

    def export_watchlist(self, path, kind: str = "") -> None:
        """Export as "json" or "text" (by the name when ""); answered by `export_finished`."""
        if self._running:
            self._export_requested.emit(str(path), kind)
        else:
            self.export_finished.emit(ExportResult(str(path), error="Refreshing has stopped."))

    def load_alerts(self) -> None:
        """The alerts list and unread count, answered by `alerts_loaded`."""
        self._alerts("load", None)

    def mark_alerts_read(self, ids=None) -> None:
        self._alerts("read", None if ids is None else [int(i) for i in ids])

    def clear_alerts(self, ids=None) -> None:
        self._alerts("clear", None if ids is None else [int(i) for i in ids])

    def save_alert_rules(self, rules, petition_id: int | None = None) -> None:
        """The default rules, or one petition's own (`rules` None: it follows the defaults again)."""
        self._alerts("rules", (petition_id, rules))

    def _alerts(self, action: str, argument) -> None:
        if self._running:
            self._alerts_requested.emit(action, argument)

    # --- results --------------------------------------------------------------------------------

    @Slot()
    def _on_started(self) -> None:
        self._busy = True
        self.refresh_started.emit()

    @Slot(object)
    def _on_finished(self, result: RefreshResult) -> None:
        self._busy = False
        self.refresh_finished.emit(result)
