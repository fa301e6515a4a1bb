"""The selected petition: which one is shown, its graph, details and related petitions.

The presenter asks the `DataReaderService` for the selected petition's samples, constituency
baseline and full document (read in the reader's thread: the watchlist's rows keep documents
without their breakdowns) and shows them in the chart and the detail pane together,
with the outlook the reader works out from the document and every sample (milestones, events,
deadline, forecast), again with each new sample or document.
Until a new selection's samples arrive the previous petition stays on show; a read that takes
longer than `LOADING_STATE_DELAY_MS` shows a loading state instead. Related petitions are asked
for only once the selection rests (`RELATED_DELAY_MS`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from petitiondesk.core.watch_rows import WatchRow
from petitiondesk.gui.browse_service import BrowseService
from petitiondesk.gui.chart import QuietStep, SignatureChart
from petitiondesk.gui.data_reader import DataReaderService, ReadResult, merge_samples
from petitiondesk.gui.detail_pane import DetailPane
from petitiondesk.gui.export_actions import ExportSubject
from petitiondesk.gui.related_panel import RelatedPanel

DAY = 86400.0
#: Selecting a petition asks the site for related ones only once the selection rests this long.
RELATED_DELAY_MS = 400
#: A selection whose samples take longer than this to read shows "Loading" instead of the previous one.
LOADING_STATE_DELAY_MS = 200
LOADING_TEXT = "Loading the recorded samples…"
LOADING_DETAILS_TEXT = "Loading the petition's details…"
#: A piece of a read waits for the window's paint of the piece before (see `AfterPaint`), or this long.
PAINT_WAIT_MS = 30


class AfterPaint(QObject):
    """Calls `slot` a full turn of the event loop after `window`'s next paint (or after
    PAINT_WAIT_MS without one). Qt paints a change some turns later (the graph's scene queues its
    update, the window asks for a paint 5 ms or a frame later): a piece started at once shared its
    turn with the previous piece's paint (4-7 ms more; bench/bench_gui.py --trace); started on the
    turn after the paint, it still ran before the timers and input waiting since the paint began."""

    def __init__(self, slot: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._window: QWidget | None = None
        self._next_turn = QTimer(self, singleShot=True, interval=0)
        self._next_turn.timeout.connect(slot)
        self._after_paint = QTimer(self, singleShot=True, interval=0)  # its turn: the paint is over
        self._after_paint.timeout.connect(self.next_turn)
        self._no_paint = QTimer(self, singleShot=True, interval=PAINT_WAIT_MS)
        self._no_paint.timeout.connect(self._painted)

    def next_turn(self) -> None:
        self._next_turn.start()

    def wait(self, window: QWidget) -> None:
        if not window.isVisible():  # no paint is coming
            self.next_turn()
            return
        self._window = window
        window.installEventFilter(self)
        self._no_paint.start()

    def cancel(self) -> None:
        self._stop_watching()
        self._after_paint.stop()
        self._next_turn.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.UpdateRequest:
            self._painted()  # the paint follows in this event
        return False

    def _painted(self) -> None:
        self._stop_watching()
        self._after_paint.start()

    def _stop_watching(self) -> None:
        self._no_paint.stop()
        if self._window is not None:
            self._window.removeEventFilter(self)
            self._window = None


class PetitionPresenter(QObject):
    #: The selected petition's samples (all of them, or those a refresh added) are on show.
    selection_loaded = Signal(int)
    #: What is on show changed (the exports follow it).
    shown_changed = Signal()
    #: The database could not be read; one line for the status bar.
    read_failed = Signal(str)

    def __init__(self, reader: DataReaderService, browse_service: BrowseService,
                 lookup: Callable[[int], WatchRow | None], *, clock: Callable[[], float] = time.time,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.reader = reader
        self.lookup = lookup  # the watchlist's row of a petition: its latest document
        self.clock = clock
        self.selected_id: int | None = None  # the list's current petition
        self.shown_id: int | None = None  # whose samples are in times/counts and on show
        self.shown_petition = None  # its full document, breakdowns and all
        self.shown_summary = None  # the same without its breakdowns, as the watchlist's row has it
        self.shown_baseline: dict[str, int] | None = None
        self.shown_movers_ready_at: float | None = None
        self.times = np.empty(0, dtype=np.float64)
        self.counts = np.empty(0, dtype=np.int64)
        self.closed = False
        self.chart = SignatureChart(parent)
        self.chart.clock = clock
        self.detail = DetailPane(parent)
        self.detail.clock = clock
        self.related = RelatedPanel(browse_service, parent)
        self._related_timer = self._single_shot(RELATED_DELAY_MS, self._show_related)
        self._loading_timer = self._single_shot(LOADING_STATE_DELAY_MS, self._show_loading)
        #: What is left to put on show of the last read: one piece per turn of the event loop.
        self._steps: deque[Callable[[], None]] = deque()
        self._announcing: int | None = None  # the petition whose read they show
        self._pacer = AfterPaint(self._run_step, self)
        reader.loaded.connect(self._on_read)

    def _single_shot(self, delay_ms: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(delay_ms)
        timer.timeout.connect(slot)
        return timer

    # --- what the window asks -------------------------------------------------------------------

    @property
    def is_reading(self) -> bool:
        """True while samples of the selected petition are on their way from the database, or
        not yet all on show."""
        return self.reader.is_waiting or self._announcing is not None

    def export_subject(self) -> ExportSubject | None:
        if self.selected_id is None or self.shown_id != self.selected_id:
            return None  # nothing selected, or its samples are still on their way
        return ExportSubject(self.selected_id, self.shown_petition, self.shown_baseline)

    def show_petition(self, petition_id: int | None) -> None:
        if petition_id == self.selected_id:
            return
        self.selected_id = petition_id
        if petition_id is None:
            self.reader.cancel()
            self._drop_steps()
            self._loading_timer.stop()
            self._forget_shown()
            self.chart.set_petition(None, self.times, self.counts)
            self.detail.show_petition(None)
            self._related_timer.stop()
            self.related.show_petition(None)
        elif petition_id == self.shown_id:  # back to the one still on show: only what is new
            self._loading_timer.stop()
            self._request_new_samples(with_document=self._has_new_document(petition_id))
        else:  # the previous petition stays on show until this one's samples arrive
            self._request_all_samples(petition_id)
            self._loading_timer.start()
            if self.shown_id is None and self.chart.petition is None:  # at start: not "Select a petition"
                self.chart.empty_label.setText(LOADING_TEXT)
                if self.detail.petition is None:
                    self.detail.show_placeholder(LOADING_DETAILS_TEXT)

    def refresh_selected(self) -> None:
        """After a pass: read what it recorded for the selected petition (a new document brings a
        new baseline for the constituencies' change)."""
        petition_id = self.selected_id
        record = None if petition_id is None else self.lookup(petition_id)
        if petition_id is None or record is None:
            return
        if petition_id != self.shown_id:
            self._request_all_samples(petition_id)  # this pass's samples may be newer than the read on its way
            return
        self._request_new_samples(with_document=self._has_new_document(petition_id))

    def stop(self) -> None:
        """Show nothing more (the window stops the reader with the other services)."""
        self.closed = True
        self._drop_steps()
        self._related_timer.stop()
        self._loading_timer.stop()

    # --- reading --------------------------------------------------------------------------------

    def _petition_of(self, petition_id: int):
        """The watchlist's document of a petition: without its breakdowns."""
        record = self.lookup(petition_id)
        return record.petition if record else None

    def _has_new_document(self, petition_id: int) -> bool:
        """True when the watchlist has a newer document than the one on show."""
        summary = self._petition_of(petition_id)
        return summary is not None and summary != self.shown_summary

    def _set_shown_petition(self, petition) -> None:
        self.shown_petition = petition
        self.shown_summary = petition.without_breakdowns() if petition is not None else None

    def _forget_shown(self) -> None:
        self.shown_id = None
        self.times, self.counts = np.empty(0, np.float64), np.empty(0, np.int64)
        self._set_shown_petition(None)
        self.shown_baseline = None

    def _drop_steps(self) -> None:
        self._pacer.cancel()
        self._steps.clear()
        self._announcing = None

    def _request_all_samples(self, petition_id: int) -> None:
        self._finish_steps()
        now = self.clock()
        self.reader.request(petition_id, baseline_at=now - DAY, petition=self._petition_of(petition_id), now=now,
                            document=True)

    def _request_new_samples(self, with_document: bool = False) -> None:
        """What was recorded since the last sample on show (only the newest stored row can change),
        and the outlook over them all; with a new document, it in full and a new baseline."""
        if self.shown_id is None:
            return
        self._finish_steps()
        now = self.clock()
        since = float(self.times[-1]) if self.times.size else None
        self.reader.request(self.shown_id, since=since, baseline_at=now - DAY if with_document else None,
                            petition=self._petition_of(self.shown_id), now=now, shown=(self.times, self.counts),
                            document=with_document)

    @Slot()
    def _show_loading(self) -> None:
        """A slow read: the selected petition without samples yet, rather than the previous one."""
        petition_id = self.selected_id
        if petition_id is None or petition_id == self.shown_id or not self.is_reading:
            return
        petition = self._petition_of(petition_id)
        self._drop_steps()  # the previous petition's last pieces: it leaves the screen now
        self._forget_shown()  # nothing of this petition is on show yet
        self.chart.set_petition(petition, self.times, self.counts)
        if petition is not None:
            self.chart.empty_label.setText(LOADING_TEXT)
        self.detail.show_petition(petition)
        self._related_timer.stop()
        self.shown_changed.emit()

    @Slot(object)
    def _on_read(self, result: ReadResult) -> None:
        if self.closed or result.petition_id != self.selected_id:
            return  # the user has moved on (the reader drops most of these itself)
        if result.error:
            self.read_failed.emit(f"Cannot read the database: {result.error}")
        if result.petition_id == self.shown_id:
            steps = self._show_new_samples(result)
        else:
            steps = self._show_loaded_petition(result)
        self._show_in_steps(result.petition_id, steps)

    def _show_in_steps(self, petition_id: int, steps: list[Callable[[], None]]) -> None:
        """Put a read on show one piece per turn of the event loop (each after the window's paint of
        the one before), then say so: the graph, the map and the details take 3-12 ms each,
        and together held the window 30-90 ms when a document arrived (bench/bench_gui.py). The
        presenter's state (times, counts, shown_petition) is already this read's; only the
        widgets follow."""
        self._finish_steps()
        self._steps.extend(steps)
        self._announcing = petition_id
        self._pacer.next_turn()

    @Slot()
    def _run_step(self) -> None:
        step = self._steps.popleft() if self._steps else None
        if step is not None:
            step()
        if self._steps:
            if isinstance(step, QuietStep):
                self._pacer.next_turn()  # no paint is coming
            else:
                self._pacer.wait(self.chart.window())
        elif self._announcing is not None:  # in the last piece's turn: whoever hears it sees it all
            petition_id, self._announcing = self._announcing, None
            self.shown_changed.emit()
            self.selection_loaded.emit(petition_id)

    def _finish_steps(self) -> None:
        """The last read's pieces still to come, on show now and unannounced: a newer read follows."""
        self._pacer.cancel()
        while self._steps:
            self._steps.popleft()()
        self._announcing = None

    def _show_loaded_petition(self, result: ReadResult) -> list[Callable[[], None]]:
        """A newly selected petition's samples have arrived: show it, graph and details together."""
        self._loading_timer.stop()
        # The row's document (without breakdowns) when the full one cannot be read.
        petition = result.document or self._petition_of(result.petition_id)
        self.shown_id = result.petition_id
        self.times, self.counts = times, counts = result.times, result.counts
        self._set_shown_petition(petition)
        self.shown_baseline = baseline = result.baseline
        self.shown_movers_ready_at = result.movers_ready_at

        def details() -> None:
            self.detail.show_texts(petition, constituency_baseline=baseline, movers_ready_at=result.movers_ready_at)
            self.detail.show_outlook(result.outlook)
            self._related_timer.start()

        steps = self._chart_steps(petition, times, counts, result.outlook)
        if result.error and petition is not None:  # a piece of its own only then: it is painted
            steps.append(lambda: self.chart.empty_label.setText(f"Cannot read the recorded samples: {result.error}"))
        return [*steps, *self.detail.map_steps(petition), details, self.detail.show_breakdowns]

    def _chart_steps(self, petition, times: np.ndarray, counts: np.ndarray, outlook) -> list[Callable[[], None]]:
        """Samples and outlook together: one fit, one drawing and one paint, in a few short pieces."""
        if petition is None:
            return [lambda: self.chart.set_petition(None, times, counts, outlook)]
        return self.chart.petition_steps(petition, times, counts, outlook)

    def _show_new_samples(self, result: ReadResult) -> list[Callable[[], None]]:
        """New samples or a new document of the petition on show, without moving the user's view."""
        steps: list[Callable[[], None]] = []
        times, counts = merge_samples(self.times, self.counts, result.times, result.counts)
        new_samples = not np.array_equal(times, self.times) or not np.array_equal(counts, self.counts)
        self.times, self.counts = times, counts
        petition = result.document
        new_baseline = result.request.baseline_at is not None and result.error is None
        if new_baseline:
            self.shown_baseline = result.baseline
            self.shown_movers_ready_at = result.movers_ready_at
        new_document = petition is not None and petition != self.shown_petition
        if new_document and self.shown_petition is None:  # its first document: thresholds and closing date

            steps.extend(self._chart_steps(petition, times, counts, result.outlook))  # samples and outlook too
            steps.append(QuietStep(self._related_timer.start))  # topics and departments are known now
        elif new_samples:
            steps.extend(self.chart.sample_steps(times, counts, result.outlook))
        elif result.outlook is not None:
            steps.append(lambda: self.chart.set_outlook(result.outlook))
        if new_document:
            self._set_shown_petition(petition)
        shown, baseline, ready = self.shown_petition, self.shown_baseline, self.shown_movers_ready_at
        if shown is not None and (new_document or new_baseline):
            steps.extend(self.detail.map_steps(shown))
            steps.append(lambda: self.detail.show_texts(shown, constituency_baseline=baseline, movers_ready_at=ready))
            steps.append(self.detail.show_breakdowns)
        if result.outlook is not None:
            steps.append(lambda: self.detail.show_outlook(result.outlook))
        return steps

    @Slot()
    def _show_related(self) -> None:
        petition = self.shown_petition
        if petition is None or self.related.petition_id != petition.id:
            self.related.show_petition(petition)
