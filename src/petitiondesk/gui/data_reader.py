"""Reading the selected petition's samples off the GUI thread.

`DataReaderService` lives in the GUI thread; the window talks only to it. It starts (on the first
request) a long-lived thread (`gui/service.py`) hosting a `DataReader`, which opens its own read-only `Store`
connection inside that thread (one connection per thread, docs/ARCHITECTURE.md). With 100,000
samples a petition's read takes ~100 ms, and a busy writer can make it wait: neither may freeze
the window.

Every request carries a token, the petition id and a generation number. The service bumps the
number with each request, so only the newest request is wanted: the reader skips requests that
were superseded before it got to them, and the service drops answers that arrive for an older
one (the user has moved on). Everything that crosses the thread is immutable: `ReadRequest`,
`ReadResult` (its arrays are made read-only and never touched again).

With the petition's document in the request, the reader also works out its outlook there
(`core.analysis.outlook`: known points, events, deadline, estimate, milestone odds; about 12 ms
for 100,000 samples) from every sample: those the window already shows plus those just read.

At start-up it also reads the watchlist's rows (`read_rows`), so that the window shows them
before the refresh worker has started: every count, title and 24-hour change, from a few samples
per petition; the estimates, which need every sample, come with the worker's rows a moment later.

A database that is not there yet (no file, or an empty one) reads as no samples, not as an
error: the refresh worker creates it. Any other failure comes back as a one-line message.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot

from petitiondesk.core import analysis, base_rates, hexmap, movers
from petitiondesk.core.models import Petition
from petitiondesk.core.watch_rows import build_rows
from petitiondesk.gui.service import BackgroundService, Generation, ServiceWorker, describe_error

if TYPE_CHECKING:  # the store (and numpy's sqlite reads) are imported in the reader's thread
    from petitiondesk.core.forecast import BaseRates
    from petitiondesk.core.store import Store
    from petitiondesk.core.watch_rows import WatchRow

log = logging.getLogger(__name__)


def _frozen(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


_NO_TIMES = _frozen(np.empty(0, np.float64))
_NO_COUNTS = _frozen(np.empty(0, np.int64))


def merge_samples(times: np.ndarray, counts: np.ndarray, fresh_t: np.ndarray,
                  fresh_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The samples on show with those read since the last of them (which replace it: only the
    newest stored row can change), read-only."""
    if not fresh_t.size:
        return times, counts
    keep = times < fresh_t[0]
    return _frozen(np.concatenate([times[keep], fresh_t])), _frozen(np.concatenate([counts[keep], fresh_c]))


@dataclass(frozen=True)
class ReadRequest:
    """What the window wants of one petition: its samples and, optionally, a baseline."""

    petition_id: int
    generation: int
    #: None: every sample. Else the samples at or after it, preceded by the one in force then.
    since: float | None = None
    #: When set: the constituency counts of the last snapshot at or before this time.
    baseline_at: float | None = None
    #: When set: its outlook is worked out at `now` (POSIX seconds; None: the time of the read).
    petition: Petition | None = None
    now: float | None = None
    #: True: the stored document too, in full (the watchlist keeps it without its breakdowns).
    document: bool = False
    #: With `since`: the samples the window shows already (read-only), which the outlook needs too.
    shown_times: np.ndarray = field(default_factory=lambda: _NO_TIMES, compare=False)
    shown_counts: np.ndarray = field(default_factory=lambda: _NO_COUNTS, compare=False)


@dataclass(frozen=True)
class ReadResult:
    request: ReadRequest
    times: np.ndarray = field(default_factory=lambda: _frozen(np.empty(0, np.float64)))  # POSIX seconds
    counts: np.ndarray = field(default_factory=lambda: _frozen(np.empty(0, np.int64)))
    #: Signatures by ONS code at `request.baseline_at`; None when not asked for or not recorded.
    baseline: dict[str, int] | None = None
    error: str | None = None
    #: The petition's past and future (None without a document in the request).
    outlook: analysis.Outlook | None = None
    #: With a baseline: when the 24-hour movers will first be there (None: there already, or unknown).
    movers_ready_at: float | None = None
    #: With `request.document`: the stored document in full (None: none stored, or unreadable).
    document: Petition | None = None

    @property
    def petition_id(self) -> int:
        return self.request.petition_id


class DataReader(ServiceWorker):
    """Lives in the reader thread; only the service creates it; only its signals leave the thread."""

    loaded = Signal(object)  # ReadResult
    rows_read = Signal(object)  # tuple[WatchRow, ...], or None when they could not be read

    def __init__(self, database: Path, latest: Generation) -> None:
        super().__init__()
        self._database = Path(database)
        self._latest = latest
        self._store: Store | None = None

    @Slot(object)
    def read(self, request: ReadRequest) -> None:
        if request.generation != self._latest.value or self.stopping():
            return  # superseded while queued: the user has already moved on
        try:
            result = self._read(request)
        except Exception as error:  # a damaged or vanished file: a message, not a dead thread
            log.exception("reading petition %s failed", request.petition_id)
            self._close_store()  # reopened on the next request (the file may have been replaced)
            result = ReadResult(request, error=describe_error(error))
        self.loaded.emit(result)

    @Slot(float)
    def read_rows(self, now: float) -> None:
        """Every watched petition's row, estimates pending (see `build_rows`)."""
        from petitiondesk.core.store import Store

        rows: tuple[WatchRow, ...] | None = None
        try:
            if not self._database_ready():
                rows = ()
            else:  # a connection of its own, closed after: the documents it parsed are not kept twice
                with Store.open(self._database, readonly=True) as store:
                    rows = build_rows(store, now, estimates=False)
        except Exception:  # the worker's rows come anyway, with its own message if it cannot read either
            log.exception("reading the watchlist's rows failed")
        self.rows_read.emit(rows)

    def release(self) -> None:
        self._close_store()

    def _read(self, request: ReadRequest) -> ReadResult:
        store = self._open()
        if store is None:  # not there yet: nothing recorded, but the document has its own past
            return ReadResult(request, outlook=_outlook_of(request, _NO_TIMES, _NO_COUNTS, base_rates.stored(None)))
        times, counts = store.samples(request.petition_id, since=request.since)
        baseline = ready = None
        if request.baseline_at is not None:
            snapshot = store.constituency_counts_at(request.petition_id, request.baseline_at)
            baseline = snapshot[1] if snapshot else None
            ready = _movers_ready_at(store, request)
        times, counts = _frozen(times), _frozen(counts)
        outlook = _outlook_of(request, times, counts, base_rates.stored(store)) if request.petition else None
        document = store.petition(request.petition_id) if request.document else None
        if document is not None and document.signatures_by_constituency:
            for year in hexmap.MAP_YEARS:  # read and parsed once, here: not on the GUI thread by the map
                hexmap.load_hexmap(year)
        return ReadResult(request, times, counts, baseline, outlook=outlook, movers_ready_at=ready, document=document)

    def _open(self):
        """The thread's read-only connection, opened on first use; None while there is no database."""
        if self._store is None:
            from petitiondesk.core.store import Store

            if not self._database_ready():
                return None
            self._store = Store.open(self._database, readonly=True)
        return self._store

    def _database_ready(self) -> bool:
        try:
            return self._database.stat().st_size > 0
        except FileNotFoundError:
            return False

    def _close_store(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except Exception:
                log.exception("closing the reader's database connection failed")
            self._store = None


def _movers_ready_at(store, request: ReadRequest) -> float | None:
    """When two snapshots about a day apart will exist (None once they do, or with none at all)."""
    snapshot_times = store.constituency_snapshot_times(request.petition_id)
    if movers.snapshot_pair(snapshot_times) is not None:
        return None
    now = request.now if request.now is not None else time.time()
    return movers.ready_at(snapshot_times, now) if snapshot_times else None


def _outlook_of(request: ReadRequest, times: np.ndarray, counts: np.ndarray,
                rates: BaseRates) -> analysis.Outlook | None:
    """The outlook of the request's petition over every sample; None (logged) if the document
    defeats it: the samples still arrive."""
    if request.petition is None:
        return None
    if request.since is not None:
        times, counts = merge_samples(request.shown_times, request.shown_counts, times, counts)
    now = time.time() if request.now is None else request.now
    try:
        return analysis.outlook(request.petition, times, counts, now, rates)
    except Exception:
        log.exception("working out the outlook of petition %s failed", request.petition_id)
        return None


class DataReaderService(BackgroundService):
    """The GUI thread's handle on the reader; `loaded` carries only the newest request's answer."""

    loaded = Signal(object)  # ReadResult, emitted in the GUI thread
    rows_read = Signal(object)  # see DataReader.rows_read

    _read_requested = Signal(object)
    _rows_requested = Signal(float)

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        latest = Generation()
        reader = DataReader(Path(database), latest)
        super().__init__("petitiondesk-reader", reader, parent)
        self.database = Path(database)
        self._latest = latest
        self._waiting_for: int | None = None  # generation of the answer still to come
        self._read_requested.connect(reader.read, Qt.ConnectionType.QueuedConnection)
        self._rows_requested.connect(reader.read_rows, Qt.ConnectionType.QueuedConnection)
        reader.loaded.connect(self._on_loaded)
        reader.rows_read.connect(self._on_rows_read)

    @property
    def is_waiting(self) -> bool:
        """True while the answer to the newest request is still to come."""
        return self._waiting_for is not None

    def request(self, petition_id: int, *, since: float | None = None, baseline_at: float | None = None,
                petition: Petition | None = None, now: float | None = None,
                shown: tuple[np.ndarray, np.ndarray] = (_NO_TIMES, _NO_COUNTS),
                document: bool = False) -> ReadRequest | None:
        """Ask for a petition's samples (and, given its document, its outlook at `now`, over `shown`
        and what is read `since`; with `document`, its stored document in full); any earlier
        request's answer will be dropped.
        None (and nothing is read) once shut down."""
        if self.is_stopped:
            return None
        self.start()
        request = ReadRequest(int(petition_id), self._latest.bump(),
                              None if since is None else float(since),
                              None if baseline_at is None else float(baseline_at),
                              petition, None if now is None else float(now), bool(document),
                              _frozen(shown[0]), _frozen(shown[1]))
        self._waiting_for = request.generation
        self._read_requested.emit(request)
        return request

    def read_rows(self, now: float) -> bool:
        """Ask for the watchlist's rows at `now` (`rows_read` answers); False once shut down."""
        if self.is_stopped:
            return False
        self.start()
        self._rows_requested.emit(float(now))
        return True

    def cancel(self) -> None:
        """Drop whatever is on its way (the selection went away)."""
        self._latest.bump()
        self._waiting_for = None

    def stop(self) -> None:
        """Drop queued reads and stop without waiting (see `BackgroundService`)."""
        self.cancel()
        super().stop()

    @Slot(object)
    def _on_loaded(self, result: ReadResult) -> None:
        if self.is_stopped or result.request.generation != self._waiting_for:
            return  # an answer for a request since replaced
        self._waiting_for = None
        self.loaded.emit(result)

    @Slot(object)
    def _on_rows_read(self, rows) -> None:
        if not self.is_stopped:
            self.rows_read.emit(rows)
