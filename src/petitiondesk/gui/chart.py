"""The signature graph of the selected petition: recorded counts over time.

The curves and lines are created once; new samples only call setData. The view follows the
latest point while the user is looking at it and otherwise leaves their zoom and pan alone.
The plot itself (gui/chart_plot.py, pyqtgraph) is built just after the window's first paint, or
when a petition is first drawn: until then the graph's place says what it will show.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core import analysis
from petitiondesk.core.models import Petition
from petitiondesk.gui import framing
from petitiondesk.gui.format import (
    display_zone,
    format_chance,
    format_count,
    format_date,
    format_delta,
    format_relative,
    format_uk_time,
    zone_name,
)

if TYPE_CHECKING:  # the plot's modules import pyqtgraph: imported when the plot is built
    import pyqtgraph as pg

    from petitiondesk.gui.chart_export import ChartSpec
    from petitiondesk.gui.chart_overlays import ChartOverlays, Cone, EventLike, PointLike
    from petitiondesk.gui.chart_plot import PlotParts

EMPTY_NO_PETITION = "Select a petition to see its signatures over time."
EMPTY_NO_SAMPLES = "No samples recorded yet — PetitionDesk records counts while it runs."
READOUT_HINT = "Point at the graph to read a count."

_Y_PADDING = framing.Y_PADDING
# Threshold labels closer than this (pixels) would overlap: only the higher one keeps its text.
_LABEL_CLEARANCE = 18


class QuietStep:
    """A piece of a showing that changes nothing on screen (the plot's updates are held off): the
    next piece need not wait for a paint (`PetitionPresenter` waits up to 30 ms for one)."""

    def __init__(self, run: Callable[[], None]) -> None:
        self.run = run

    def __call__(self) -> None:
        self.run()


class SignatureChart(QWidget):
    """Samples of one petition's signature count, with thresholds, crosshair, zoom and log scale."""

    #: The plot was just built (pyqtgraph imported): once.
    plot_built = Signal()
    #: A context menu was asked for over the plot, at this global position.
    context_menu_requested = Signal(QPoint)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("signatureChart")
        self.setAccessibleName("Signature graph")
        #: Seconds since the epoch; tests replace it to pin "now" for the summary.
        self.clock = time.time
        self._petition: Petition | None = None
        self._times = np.empty(0, dtype=float)
        self._counts = np.empty(0, dtype=float)
        self._log = False
        self._outlook: analysis.Outlook | None = None
        self._fitted_range: list[list[float]] | None = None
        # The count range follows the samples in the time window until the user zooms it.
        self._counts_follow = True
        self._forecast_shown = True
        self._parts: PlotParts | None = None  # the plot, once built

        self._build_header()
        self._build_layout()
        self._show_state()

    # -- construction ----------------------------------------------------------------------------
    def _build_header(self) -> None:
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("chartSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setAccessibleName("Signature summary")
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.fit_button = QToolButton(self)
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Show every recorded sample")
        self.fit_button.setAccessibleName("Fit the graph to all samples")
        self.fit_button.clicked.connect(self.fit)

        self.log_button = QToolButton(self)
        self.log_button.setText("Log scale")
        self.log_button.setCheckable(True)
        self.log_button.setToolTip("Logarithmic signature axis")
        self.log_button.setAccessibleName("Logarithmic scale")
        self.log_button.toggled.connect(self.set_log_scale)

        self.forecast_button = QToolButton(self)
        self.forecast_button.setText("Forecast")
        self.forecast_button.setCheckable(True)
        self.forecast_button.setChecked(True)
        self.forecast_button.setToolTip("Show the estimated final count as a shaded 80 % range to the deadline")
        self.forecast_button.setAccessibleName("Show the forecast")
        self.forecast_button.toggled.connect(self.set_forecast_shown)

    def ensure_plot(self) -> None:
        """Build the plot, once: it imports pyqtgraph (the window's first paint does not wait for it)."""
        if self._parts is not None:
            return
        from petitiondesk.gui.chart_plot import build_plot

        parts = self._parts = build_plot(self._to_view_y)
        self._view, self._curve, self._latest = parts.view, parts.curve, parts.latest
        self._date_axis, self._count_axis = parts.date_axis, parts.count_axis
        self._threshold_lines = parts.threshold_lines
        self._cross_v, self._cross_h, self._cross_marker = parts.cross_v, parts.cross_h, parts.cross_marker
        parts.overlays.show_cone = self._forecast_shown
        parts.view.countsMovedByUser.connect(self._stop_following_counts)
        parts.widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        parts.widget.installEventFilter(self)
        parts.widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        parts.widget.customContextMenuRequested.connect(
            lambda position: self.context_menu_requested.emit(parts.widget.mapToGlobal(position)))
        parts.view.sigXRangeChanged.connect(self._follow_counts)
        parts.view.sigYRangeChanged.connect(self._update_threshold_visibility)
        parts.view.sigResized.connect(self._update_threshold_visibility)
        self._stack.insertWidget(0, parts.widget)
        self._apply_palette()
        if self._log:  # chosen before the plot was there (the saved scale, at start)
            parts.widget.getPlotItem().setLogMode(x=False, y=True)
        self.plot_built.emit()  # the empty state's words stay: whoever draws next says what is shown

    @property
    def plot_widget(self) -> pg.PlotWidget:
        self.ensure_plot()
        assert self._parts is not None
        return self._parts.widget

    @property
    def overlays(self) -> ChartOverlays:
        self.ensure_plot()
        assert self._parts is not None
        return self._parts.overlays

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.summary_label, 1)
        header.addWidget(self.fit_button)
        header.addWidget(self.forecast_button)
        header.addWidget(self.log_button)

        self.empty_label = QLabel(EMPTY_NO_PETITION, self)
        self.empty_label.setObjectName("chartEmpty")
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.empty_label)  # the plot goes in when built

        self.readout_label = QLabel(READOUT_HINT, self)
        self.readout_label.setObjectName("chartReadout")
        self.readout_label.setTextFormat(Qt.TextFormat.PlainText)
        self.readout_label.setAccessibleName("Value under the pointer")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.readout_label)

    # -- public API ------------------------------------------------------------------------------
    def set_petition(self, petition: Petition | None, times: np.ndarray, counts: np.ndarray,
                     seen: analysis.Outlook | None = None) -> None:
        """Show another petition (or none) and its samples (POSIX seconds and counts), with its
        outlook if known: fitted and drawn once."""
        if petition is None and self._parts is None:  # nothing to draw: no need of the plot yet
            self._petition, self._outlook = None, None
            self._times, self._counts = np.empty(0, dtype=float), np.empty(0, dtype=float)
            self._update_summary()
            self._show_state()
            return
        self.ensure_plot()
        self._petition = petition
        self._store_samples(times, counts)
        self._take_outlook(seen)
        self.overlays.redraw()
        self._hide_crosshair()
        self.fit()
        self._place_threshold_lines()
        self._update_summary()
        self._show_state()

    def petition_steps(self, petition: Petition, times: np.ndarray, counts: np.ndarray,
                       seen: analysis.Outlook | None = None) -> list[Callable[[], None]]:
        """`set_petition` in pieces, each for a turn of the event loop of its own (the presenter's):
        the samples and their frame, the overlays, the milestone lines and summary, then one paint
        of the whole. Together they took 11-17 ms, and a paint of 7-9 ms followed in the same turn
        (bench/bench_gui.py --trace). The plot shown meanwhile (the previous petition's, or the
        empty state's words) is not repainted half-done."""

        def frame() -> None:
            self.ensure_plot()
            assert self._parts is not None
            self._parts.widget.setUpdatesEnabled(False)
            self._petition = petition
            self._store_samples(times, counts)
            self._take_outlook(seen)
            self._hide_crosshair()
            self.fit()

        def draw_overlays() -> None:
            self.overlays.redraw()

        def label() -> None:
            self._place_threshold_lines()
            self._update_summary()

        return [QuietStep(frame), QuietStep(draw_overlays), QuietStep(label), self._show_state]

    def set_context(self, known: Sequence[PointLike] = (), events: Sequence[EventLike] = (),
                    cone: Cone | None = None) -> None:
        """What the site states about the shown petition: milestone counts, dated events, and the
        forecast cone. Drawn apart from the recorded samples; the view refits if it was fitted."""
        self.ensure_plot()
        was_fitted = self._is_fitted()
        self._set_context(known, events, cone)
        self.overlays.redraw()
        if was_fitted:
            self.fit()
        self._show_state()

    def set_outlook(self, seen: analysis.Outlook | None) -> None:
        """The petition's past and future as the core works them out (on the reader thread): its
        milestones, events, deadline, estimate and milestone odds."""
        self.ensure_plot()
        was_fitted = self._is_fitted()
        self._take_outlook(seen)
        self.overlays.redraw()
        if was_fitted:
            self.fit()
        self._place_threshold_lines()
        self._update_summary()
        self._show_state()

    def _set_context(self, known: Sequence[PointLike], events: Sequence[EventLike], cone: Cone | None) -> None:
        self.overlays.set_context(known, events, cone)
        self.forecast_button.setEnabled(cone is not None)

    def _take_outlook(self, seen: analysis.Outlook | None) -> None:
        """The outlook's milestones, events and cone as the overlays' context (drawn by the caller)."""
        self._outlook = seen
        if seen is None:
            self._set_context((), (), None)
        else:
            self._set_context(seen.known_points, self._event_marks(seen), self._cone(seen))

    def _event_marks(self, seen: analysis.Outlook) -> tuple[EventLike, ...]:
        """The events, with a future closing said as "closes in 3 days"."""
        now = float(self.clock())
        marks: list[EventLike] = []
        for event in seen.events:
            if event.kind == "closing" and event.at > now:
                words = "closes " + format_relative(event.at - now)
                marks.append(replace(event, label=words + ("" if seen.deadline and seen.deadline.stated
                                                           else " (computed)")))
            else:
                marks.append(event)
        return tuple(marks)

    def _cone(self, seen: analysis.Outlook) -> Cone | None:
        from petitiondesk.gui.chart_overlays import Cone

        estimate, closing = seen.estimate, seen.deadline
        if estimate is None or closing is None or seen.state != "open" or not self._times.size:
            return None
        last_t, last_count = float(self._times[-1]), float(self._counts[-1])
        if closing.at <= last_t:
            return None
        return Cone(last_t, last_count, closing.at, estimate.low, estimate.final, estimate.high)

    def set_forecast_shown(self, on: bool) -> None:
        """Draw the forecast cone (and frame the time to the deadline) or not."""
        if self.forecast_button.isChecked() != bool(on):
            self.forecast_button.setChecked(bool(on))  # re-enters through toggled
            return
        self._forecast_shown = bool(on)
        if self._parts is None:
            return  # drawn so when the plot is built
        self.overlays.show_cone = bool(on)
        self.overlays.redraw()
        self.fit()

    def update_samples(self, times: np.ndarray, counts: np.ndarray, seen: analysis.Outlook | None = None) -> None:
        """More samples of the same petition, with the outlook worked out over them all if given
        (else the context on show stays): extend the curve, follow only if following. The view
        moves and the overlays are drawn once, as set_outlook after this would do them again."""
        self.ensure_plot()
        self._store_and_move(times, counts, seen)
        self.overlays.redraw()
        if seen is not None:
            self._place_threshold_lines()  # the odds in their labels
        self._update_summary()
        self._show_state()

    def sample_steps(self, times: np.ndarray, counts: np.ndarray,
                     seen: analysis.Outlook | None = None) -> list[Callable[[], None]]:
        """`update_samples` in pieces, each for a turn of the event loop of its own, as
        `petition_steps`: with the paint, a refresh of the shown petition took 13-24 ms in one turn."""

        def move() -> None:
            self.ensure_plot()
            assert self._parts is not None
            self._parts.widget.setUpdatesEnabled(False)
            self._store_and_move(times, counts, seen)

        def draw_overlays() -> None:
            self.overlays.redraw()

        def label() -> None:
            if seen is not None:
                self._place_threshold_lines()  # the odds in their labels
            self._update_summary()

        return [QuietStep(move), QuietStep(draw_overlays), QuietStep(label), self._show_state]

    def _store_and_move(self, times: np.ndarray, counts: np.ndarray, seen: analysis.Outlook | None) -> None:
        """The new samples (and outlook) in, and the view fitted again, or following the latest point
        if it was in view; else the user's zoom and pan stay."""
        old_last = self._times[-1] if self._times.size else None
        was_fitted = self._is_fitted()
        (x_min, x_max), _ = self._view.viewRange()
        following = old_last is not None and x_min <= old_last <= x_max + 1e-6 * abs(x_max)
        self._store_samples(times, counts)
        if seen is not None:
            self._take_outlook(seen)
        if old_last is None or was_fitted or not self._times.size:
            self.fit()
        elif following:
            self._follow_latest(old_last)

    def fit(self) -> None:
        """Show every sample (and a threshold the count is closing in on)."""
        self._counts_follow = True
        if self._parts is None:
            return  # nothing drawn yet
        times = self._frame_times()
        if not times.size:
            self._fitted_range = None
            return
        x_range = framing.time_frame(times)
        y_range = self._count_frame(self._frame_counts(*x_range))
        self._view.setRange(xRange=x_range, yRange=y_range, padding=0)
        self._fitted_range = [list(r) for r in self._view.viewRange()]

    def set_log_scale(self, on: bool) -> None:
        """Logarithmic count axis; counts of 0 are simply not drawn there."""
        on = bool(on)
        if self.log_button.isChecked() != on:
            self.log_button.setChecked(on)  # re-enters through toggled
            return
        if on == self._log:
            return
        if self._parts is None:  # the saved scale at start: applied when the plot is built
            self._log = on
            return
        was_fitted = self._is_fitted()
        (x_min, x_max), _ = self._view.viewRange()
        self._log = on
        self.plot_widget.getPlotItem().setLogMode(x=False, y=on)
        self._place_threshold_lines()
        self._update_latest_marker()
        self.overlays.redraw()
        self._hide_crosshair()
        self.fit()  # the count axis changes units: fit it, but keep the user's time window
        if not was_fitted and self._times.size:
            self._view.setXRange(x_min, x_max, padding=0)

    @property
    def log_scale(self) -> bool:
        return self._log

    @property
    def petition(self) -> Petition | None:
        return self._petition

    def samples(self, visible_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The samples shown (all of them, or those in the visible time range): times, int counts."""
        times, counts = self._times, self._counts.astype(np.int64)
        if visible_only and times.size and self._parts is not None:
            (low, high), _ = self._view.viewRange()
            keep = (times >= low) & (times <= high)
            times, counts = times[keep], counts[keep]
        return times, counts

    def export_spec(self, petition_id: int) -> ChartSpec:
        """What the user sees, for an exported image: the same time window and scale."""
        from petitiondesk.gui.chart_export import spec_for

        (low, high), (bottom, top) = self._view.viewRange()
        times, counts = self.samples()
        x_range = (float(low), float(high)) if times.size else None
        y_range = (float(bottom), float(top)) if times.size else None
        known = tuple((float(point.at), int(point.count)) for point in self.overlays.known)
        cone = self.overlays.cone if self.overlays.show_cone else None
        cone_spec = (cone.start, cone.start_count, cone.end, cone.low, cone.central, cone.high) if cone else None
        return spec_for(self._petition, petition_id, times, counts, x_range, self._log, y_range, known, cone_spec)

    def sample_nearest(self, x: float) -> tuple[float, int] | None:
        """The recorded sample closest in time to x (POSIX seconds): (time, count)."""
        if not self._times.size:
            return None
        i = int(np.searchsorted(self._times, x))
        if i >= self._times.size or (i > 0 and x - self._times[i - 1] <= self._times[i] - x):
            i -= 1
        return float(self._times[i]), int(self._counts[i])

    # -- samples ---------------------------------------------------------------------------------
    def _store_samples(self, times, counts) -> None:
        times = np.asarray(times, dtype=float).ravel()
        counts = np.asarray(counts, dtype=float).ravel()
        n = min(times.size, counts.size)
        times, counts = times[:n], counts[:n]
        finite = np.isfinite(times) & np.isfinite(counts)
        if not finite.all():  # copying a million samples through the mask costs a refresh ~10 ms
            times, counts = times[finite], counts[finite]
        if times.size > 1 and np.any(np.diff(times) < 0):
            order = np.argsort(times, kind="stable")
            times, counts = times[order], counts[order]
        self._times, self._counts = times, counts
        self.overlays.set_recorded(times, counts)  # drawn by the caller, with the context
        # Where recording stopped (the app was closed) the curve breaks: a NaN count at the time of
        # the sample after the gap (times stay in order for the curve's pyramid); the overlays
        # bridge it with a dashed segment.
        after_gaps = self.overlays.gaps + 1
        self._curve.setData(np.insert(times, after_gaps, times[after_gaps]), np.insert(counts, after_gaps, np.nan),
                            connect="finite")
        self._update_latest_marker()
        self._update_date_axis_zone()

    def _update_latest_marker(self) -> None:
        y = self._to_view_y(self._counts[-1]) if self._times.size else math.nan
        if math.isfinite(y):
            self._latest.setData([self._times[-1]], [y])
        else:  # nothing yet, or a count of 0 on a log scale
            self._latest.setData([], [])

    def _update_date_axis_zone(self) -> None:
        # Dates on the axis in the shown zone, like the readout (offset taken at the latest sample).
        if not self._times.size:
            return
        latest = datetime.fromtimestamp(self._times[-1], UTC).astimezone(display_zone())
        offset = latest.utcoffset()
        self._date_axis.utcOffset = -int(offset.total_seconds()) if offset is not None else 0

    # -- view range ------------------------------------------------------------------------------
    def _count_frame(self, counts: np.ndarray) -> tuple[float, float]:
        return framing.count_frame(counts, self._thresholds().values(), self._log)

    def _frame_times(self) -> np.ndarray:
        """The first and last times a fitted view shows: of the samples, milestones, and the
        deadline with a forecast."""
        extent = self.overlays.x_extent()
        ends = self._times[[0, -1]] if self._times.size else self._times
        return np.sort(np.concatenate([ends, np.asarray(extent or (), dtype=float)]))

    def _frame_counts(self, low: float, high: float) -> np.ndarray:
        return np.concatenate([self._recorded_extremes(low, high),
                               np.asarray(self.overlays.counts_in(low, high), dtype=float)])

    def _recorded_extremes(self, low: float, high: float) -> np.ndarray:
        """The lowest and highest recorded count from `low` to `high` and the samples either side,
        from the curve's pyramid: the same frame as from every count there (framing.count_frame
        reads only those, and the lowest above 0 on a log scale) without reading a million of them
        at each step of a pan."""
        pyramid = self._curve.pyramid()
        extent = pyramid.extent(*pyramid.span(low, high))
        if extent is None:
            return np.empty(0)
        if self._log and extent[0] <= 0:  # the lowest count above 0 is not in the pyramid
            return framing.visible_counts(self._times, self._counts, low, high)
        return np.array(extent)

    def _follow_counts(self, *_args) -> None:
        """After a move through time, frame the counts of the samples now in view."""
        if not self._counts_follow or not (self._times.size or self.overlays.x_extent()):
            return
        (low, high), _ = self._view.viewRange()
        visible = self._frame_counts(low, high)
        if visible.size:
            self._view.setYRange(*self._count_frame(visible), padding=0)

    def _stop_following_counts(self) -> None:
        self._counts_follow = False

    @property
    def counts_follow_time(self) -> bool:
        """Whether the count axis frames the samples in the time window (until the user zooms it)."""
        return self._counts_follow

    def _is_fitted(self) -> bool:
        """Whether the view is still where fit() put it (the user has not zoomed or panned)."""
        if self._fitted_range is None:
            return True
        current = self._view.viewRange()
        for (a0, a1), (b0, b1) in zip(current, self._fitted_range, strict=True):
            tolerance = 1e-6 * max(abs(b1 - b0), 1e-9)
            if abs(a0 - b0) > tolerance or abs(a1 - b1) > tolerance:
                return False
        return True

    def _follow_latest(self, old_last: float) -> None:
        """Slide the user's window right by as much as the data grew; widen y if it overflows."""
        (x_min, x_max), (y_min, y_max) = self._view.viewRange()
        shift = float(self._times[-1]) - old_last
        top = self._to_view_y(float(np.max(self._counts)))
        if top > y_max:
            y_max = top + (top - y_min) * _Y_PADDING
        self._view.setRange(xRange=(x_min + shift, x_max + shift), yRange=(y_min, y_max), padding=0)
        self._follow_counts()

    # -- thresholds ------------------------------------------------------------------------------
    def _thresholds(self) -> dict[str, int]:
        petition = self._petition
        if petition is None:
            return {}
        # The petition's own thresholds: archived parliaments report theirs.
        return {"response": petition.response_threshold, "debate": petition.debate_threshold}

    def _place_threshold_lines(self) -> None:
        from petitiondesk.gui.chart_overlays import set_label

        thresholds = self._thresholds()
        for key, line in self._threshold_lines.items():
            value = thresholds.get(key)
            if value is None:
                line.setVisible(False)
                continue
            kind = "government response" if key == "response" else "considered for debate"
            text = f"{format_count(value)} — {kind}{self._odds_words(value)}"
            set_label(line, text)
            line.setPos(self._to_view_y(value))
        self._update_threshold_visibility()

    def _odds_words(self, target: int) -> str:
        """" · 12 % chance · in about 5 days" for a milestone not yet reached, from the outlook."""
        seen = self._outlook
        if seen is None or seen.state != "open":
            return ""
        for milestone in seen.milestones:
            if milestone.target != target or milestone.reached_at is not None:
                continue
            words = ""
            if milestone.chance is not None:
                words += f" · {format_chance(milestone.chance)} chance"
            if milestone.eta is not None:
                words += f" · in about {format_relative(milestone.eta - float(self.clock())).removeprefix('in ')}"
            return words
        return ""

    def _update_threshold_visibility(self, *_args) -> None:
        _, (y_min, y_max) = self._view.viewRange()
        thresholds = self._thresholds()
        has_data = bool(self._times.size)
        for key, line in self._threshold_lines.items():
            value = thresholds.get(key)
            in_range = value is not None and y_min <= self._to_view_y(value) <= y_max
            line.setVisible(has_data and in_range)
        response, debate = self._threshold_lines["response"], self._threshold_lines["debate"]
        crowded = response.isVisible() and debate.isVisible() and (
            abs(self._pixel_y(response.value()) - self._pixel_y(debate.value())) < _LABEL_CLEARANCE
        )
        response.label.setVisible(response.isVisible() and not crowded)
        top_pixel = self._pixel_y(y_max)
        for line in self._threshold_lines.values():
            # Above its line, unless that would clip it at the top of the plot: then below.
            near_top = line.isVisible() and self._pixel_y(line.value()) - top_pixel < _LABEL_CLEARANCE
            anchor = (0, 0) if near_top else (0, 1)
            if line.label.anchors[0] != anchor:
                line.label.anchors = [anchor, anchor]
                line.label.updatePosition()

    def threshold_label_below(self, key: str) -> bool:
        """Whether the threshold's label sits under its line (it would be clipped above it)."""
        return self._threshold_lines[key].label.anchors[0] == (0, 0)

    def _pixel_y(self, view_y: float) -> float:
        return self._view.mapViewToScene(QPointF(0.0, view_y)).y()

    def threshold_visible(self, key: str) -> bool:
        """Whether the "response" or "debate" threshold line is drawn."""
        return self._threshold_lines[key].isVisible()

    def _to_view_y(self, count: float) -> float:
        if not self._log:
            return float(count)
        return math.log10(count) if count > 0 else float("nan")

    # -- crosshair -------------------------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self._times.size or not self._view.sceneBoundingRect().contains(scene_pos):
            self._hide_crosshair()
            return
        x = self._view.mapSceneToView(scene_pos).x()
        nearest = self.sample_nearest(x)
        if nearest is None:
            self._hide_crosshair()
            return
        t, count = nearest
        known = self.overlays.nearest_known(x, within=self._view.viewPixelSize()[0] * 8)
        if known is not None and abs(known.at - x) < abs(t - x):
            self._show_known_readout(known)
            return
        y = self._to_view_y(count)
        self._cross_v.setPos(t)
        self._cross_v.setVisible(True)
        if math.isfinite(y):
            self._cross_h.setPos(y)
            self._cross_marker.setData([t], [y])
        self._cross_h.setVisible(math.isfinite(y))
        self._cross_marker.setVisible(math.isfinite(y))
        moment = datetime.fromtimestamp(t, UTC)
        self.readout_label.setText(
            f"{format_uk_time(moment)} ({zone_name()}) · {format_count(count)} signatures"
        )

    def _show_known_readout(self, point: PointLike) -> None:
        y = self._to_view_y(point.count)
        self._cross_v.setPos(point.at)
        self._cross_v.setVisible(True)
        self._cross_h.setVisible(math.isfinite(y))
        self._cross_marker.setVisible(False)
        if math.isfinite(y):
            self._cross_h.setPos(y)
        moment = datetime.fromtimestamp(point.at, UTC)
        self.readout_label.setText(f"{point.label} · {format_uk_time(moment)} ({zone_name()}) — from the site")

    def _hide_crosshair(self) -> None:
        for crosshair_part in self._parts.crosshair if self._parts is not None else ():
            crosshair_part.setVisible(False)
        self.readout_label.setText(READOUT_HINT if self._times.size else "")

    def leaveEvent(self, event) -> None:
        self._hide_crosshair()
        super().leaveEvent(event)

    # -- keyboard --------------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if self._parts is not None and watched is self._parts.widget:
            if event.type() == QEvent.Type.Leave:
                self._hide_crosshair()
            elif event.type() == QEvent.Type.KeyPress and self._handle_key(event.key()):
                return True
        return super().eventFilter(watched, event)

    def _handle_key(self, key: int) -> bool:
        """Zoom and pan without a mouse; True when the key was used."""
        if not self._times.size:
            return False
        (x_min, x_max), _ = self._view.viewRange()
        width = x_max - x_min
        if key == Qt.Key.Key_Home:
            self.fit()
        elif key == Qt.Key.Key_End:
            last = float(self._times[-1])
            self._view.setXRange(last - width * 0.97, last + width * 0.03, padding=0)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = width * 0.1 * (-1 if key == Qt.Key.Key_Left else 1)
            self._view.setXRange(x_min + step, x_max + step, padding=0)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            factor = 0.8 if key != Qt.Key.Key_Minus else 1.25
            self._view.scaleBy(x=factor, y=1)
        else:
            return False
        return True

    # -- summary and empty states ----------------------------------------------------------------
    def _update_summary(self) -> None:
        self.summary_label.setText(self._summary_text())

    def _summary_text(self) -> str:
        petition = self._petition
        if petition is None:
            return ""
        latest = int(self._counts[-1]) if self._counts.size else petition.signature_count
        parts = [f"{format_count(latest)} signatures"]
        state = self._outlook.state if self._outlook is not None else petition.state
        if state != "open" and petition.state == "open":
            closing = self._outlook.deadline if self._outlook else None
            parts.append(f"closed {format_date(datetime.fromtimestamp(closing.at, UTC))} (computed)" if closing
                         else "closed")
        elif petition.state != "open":
            # A closed count is final: its last day and rate say nothing now.
            when = petition.closed_at or petition.rejected_at
            verb = "rejected" if petition.state == "rejected" else "closed"
            parts.append(f"{verb} {format_date(when)}" if when else verb)
        elif self._times.size:
            parts.extend(self._analysis_parts(petition))
        return " · ".join(parts)

    def _analysis_parts(self, petition: Petition) -> list[str]:
        now = float(self.clock())
        times, counts = self._times, self._counts
        parts = []
        change = analysis.change_over(times, counts, now, window=86400)
        if change is not None:
            when = "in the last 24 h" if change.complete else "since recording began"
            parts.append(f"{format_delta(change.delta)} {when}")
        rate = analysis.rate_per_hour(times, counts, now)
        if rate is not None:
            parts.append("under 1 an hour" if 0 < rate < 1 else f"{format_count(rate)} an hour")
        seen = self._outlook
        if seen is not None:
            estimate = seen.estimate
            computed = seen.deadline is not None and not seen.deadline.stated
        else:  # before the reader's outlook arrives: the estimate from the samples alone
            closes = analysis.closing_timestamp(petition)
            estimate = analysis.estimate_final(times, counts, now, closes) if closes is not None else None
            computed = False
        if estimate is not None:
            parts.append(
                f"about {format_count(estimate.final)} expected by closing"
                f"{' (computed deadline)' if computed else ''} "
                f"({format_count(estimate.low)}–{format_count(estimate.high)})"
            )
        return parts

    def _show_state(self) -> None:
        """The plot or the words why not, and the buttons that apply; painted again (see `petition_steps`)."""
        if self._parts is not None:
            self._parts.widget.setUpdatesEnabled(True)
        if self._petition is None:
            self.empty_label.setText(EMPTY_NO_PETITION)
            self._stack.setCurrentWidget(self.empty_label)
        elif self._parts is None or (not self._times.size and not self._parts.overlays.known):
            self.empty_label.setText(EMPTY_NO_SAMPLES)
            self._stack.setCurrentWidget(self.empty_label)
        else:
            self._stack.setCurrentWidget(self._parts.widget)
        has_samples = bool(self._times.size)
        self.fit_button.setEnabled(has_samples)
        self.log_button.setEnabled(has_samples)
        if not has_samples:
            self.readout_label.setText("")
        elif self._parts is None or not self._cross_v.isVisible():
            self.readout_label.setText(READOUT_HINT)

    @property
    def is_empty(self) -> bool:
        return self._stack.currentWidget() is self.empty_label

    # -- palette ---------------------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        if self._parts is not None:  # else when built
            from petitiondesk.gui.chart_plot import apply_palette

            apply_palette(self._parts, self.palette())
