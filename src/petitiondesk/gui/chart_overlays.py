"""What the signature graph draws besides the recorded curve: counts the site states (milestones),
gaps in the recording, dated events, and the forecast cone to the deadline.

Each kind is drawn so that nobody mistakes it for a recorded count: milestones are diamonds joined by
a dashed line, a gap is a dashed segment, events are labelled vertical lines, the forecast is a
shaded cone. Items are created once and only re-fed, like the curve itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

# Two samples further apart than this, whose counts differ, were not recorded in between (the app
# was closed): joined by a dashed segment. Equal counts are a plateau, stored as its two ends.
GAP_SECONDS = 45 * 60.0
_GAP_MEDIAN_FACTOR = 6.0
# Event lines are pooled: a petition has at most a dozen dated facts worth marking.
_EVENT_POOL = 12


class PointLike(Protocol):  # read-only, as the frozen records that fit it
    @property
    def at(self) -> float: ...
    @property
    def count(self) -> int: ...
    @property
    def label(self) -> str: ...


class EventLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> float: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class Cone:
    """The forecast from the latest recorded count to the deadline: an 80 % range and its centre."""

    start: float
    start_count: float
    end: float
    low: float
    central: float
    high: float


def gap_mask(times: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each pair of neighbouring samples, True where recording stopped between them."""
    if times.size < 2:
        return np.zeros(0, dtype=bool)
    steps = np.diff(times)
    limit = max(GAP_SECONDS, _first_quartile(steps) * _GAP_MEDIAN_FACTOR)
    return (steps > limit) & (np.diff(counts) != 0)


def _first_quartile(steps: np.ndarray) -> float:
    """The 25th percentile (plateaus stored as two ends make long steps common), as np.percentile
    gives it, from a partial sort: a full one took 2-5 ms per 100,000 samples at each refresh, and
    np.percentile's first call imports numpy.ma (20 ms, on the GUI thread)."""
    position = 0.25 * (steps.size - 1)
    below = math.floor(position)
    above = min(below + 1, steps.size - 1)
    low, high = np.partition(steps, (below, above))[[below, above]]
    return float(low + (high - low) * (position - below))


def set_label(line: pg.InfiniteLine, text: str) -> None:
    """A line's label says `text` (setFormat skips a hidden label; setText sets it anyway). The
    same text is left alone: each setting lays the label out again, at every refresh."""
    if line.label.format != text:
        line.label.setFormat(text)
        line.label.setText(text)


class ChartOverlays:
    """Owns the extra items of one plot; the chart feeds them and asks for their extent."""

    def __init__(self, plot: pg.PlotItem, to_view_y: Callable[[float], float]):
        self._plot = plot
        self._to_view_y = to_view_y
        self.known: tuple[PointLike, ...] = ()
        self.events: tuple[EventLike, ...] = ()
        self.cone: Cone | None = None
        self.show_cone = True
        self._times = np.empty(0, dtype=float)
        self._counts = np.empty(0, dtype=float)
        #: Indices of the recorded samples after which recording stopped (`gap_mask`), found once per samples.
        self.gaps = np.empty(0, dtype=np.intp)

        self._gap_curve = plot.plot([], [], connect="finite", name="Not recorded")
        self._known_line = plot.plot([], [], connect="finite", name="From the site")
        self._known_marks = pg.ScatterPlotItem(size=11, symbol="d", hoverable=True, tip=self._tip)
        plot.addItem(self._known_marks)
        self._cone_low = pg.PlotDataItem([], [])
        self._cone_high = pg.PlotDataItem([], [])
        self._cone_fill = pg.FillBetweenItem(self._cone_low, self._cone_high)
        self._cone_mid = pg.PlotDataItem([], [])
        for item in (self._cone_low, self._cone_high, self._cone_fill, self._cone_mid):
            plot.addItem(item, ignoreBounds=True)
        # Event lines are in the plot only while they mark an event: a hidden line and its label
        # still follow every move of the view (12 of them: 2.4 ms of each frame of a pan).
        self._event_lines = [
            pg.InfiniteLine(angle=90, movable=False, label="",
                            labelOpts={"position": 0.97, "rotateAxis": (1, 0), "anchors": [(1, 0), (1, 0)]})
            for _ in range(_EVENT_POOL)
        ]
        self._events_drawn = 0
        #: What each item was last given (`_feed`): x, y and options.
        self._fed: dict[int, tuple[np.ndarray, np.ndarray, dict]] = {}

    # -- feeding ---------------------------------------------------------------------------------
    def set_context(self, known: Sequence[PointLike], events: Sequence[EventLike], cone: Cone | None) -> None:
        self.known = tuple(sorted(known, key=lambda point: point.at))
        self.events = tuple(events)
        self.cone = cone

    def set_recorded(self, times: np.ndarray, counts: np.ndarray) -> None:
        """The recorded samples the overlays join (in time order), and where recording stopped."""
        self._times, self._counts = times, counts
        self.gaps = np.flatnonzero(gap_mask(times, counts))

    def redraw(self) -> None:
        """Draw everything again for the recorded samples and context (and the current scale)."""
        self._keep_counts_as_given()
        self._draw_gaps()
        self._draw_known()
        self._draw_events()
        self._draw_cone()

    def _draw_gaps(self) -> None:
        times, counts, gaps = self._times, self._counts, self.gaps
        x = np.full(gaps.size * 3, np.nan)
        y = np.full(gaps.size * 3, np.nan)
        x[0::3], x[1::3] = times[gaps], times[gaps + 1]
        y[0::3] = [self._to_view_y(v) for v in counts[gaps]]
        y[1::3] = [self._to_view_y(v) for v in counts[gaps + 1]]
        self._feed(self._gap_curve, x, y, connect="finite")

    def _draw_known(self) -> None:
        times, counts = self._times, self._counts
        points = [p for p in self.known if math.isfinite(self._to_view_y(p.count))]
        self._feed(self._known_marks, [p.at for p in points], [self._to_view_y(p.count) for p in points],
                   data=[p.label for p in points])
        # The dashed line runs through what the site states before recording began, to the first sample.
        first = float(times[0]) if times.size else math.inf
        before = [(p.at, self._to_view_y(p.count)) for p in points if p.at < first]
        if before and times.size:
            before.append((first, self._to_view_y(float(counts[0]))))
        xs, ys = zip(*before, strict=True) if len(before) > 1 else ((), ())
        self._feed(self._known_line, xs, ys, connect="finite")

    def _draw_events(self) -> None:
        shown = self.events[:_EVENT_POOL]
        for line in self._event_lines[len(shown):self._events_drawn]:
            self._plot.removeItem(line)
        for line in self._event_lines[self._events_drawn:len(shown)]:
            self._plot.addItem(line, ignoreBounds=True)
        self._events_drawn = len(shown)
        for line, event in zip(self._event_lines, shown, strict=False):
            line.setPos(event.at)  # pyqtgraph leaves the same place alone
            set_label(line, event.label)

    def _draw_cone(self) -> None:
        cone = self.cone if self.show_cone else None
        if cone is None:
            for item in (self._cone_low, self._cone_high, self._cone_mid):
                self._feed(item, (), ())
            self._cone_fill.setVisible(False)
            return
        xs = [cone.start, cone.end]
        start = self._to_view_y(cone.start_count)
        for item, end in ((self._cone_low, cone.low), (self._cone_high, cone.high), (self._cone_mid, cone.central)):
            self._feed(item, xs, [start, self._to_view_y(max(end, 1.0))])
        self._cone_fill.setVisible(True)

    def _keep_counts_as_given(self) -> None:
        """The plot's log scale puts its curves in log mode, which would take the logarithm of these
        lines' counts a second time (they are given on the view's scale): a milestone line, a gap
        or the cone drawn near 0.6 for 10,000, out of sight."""
        for item in (self._gap_curve, self._known_line, self._cone_low, self._cone_high, self._cone_mid):
            item.setLogMode(False, False)

    def _feed(self, item: pg.PlotDataItem | pg.ScatterPlotItem, xs, ys, **options) -> None:
        """item.setData, unless it shows these very points already: each setData is pyqtgraph's
        Python over the item (and the cone's fill between two of them), at every refresh."""
        x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        fed = self._fed.get(id(item))
        if fed is not None and fed[2] == options and np.array_equal(fed[0], x, equal_nan=True) \
                and np.array_equal(fed[1], y, equal_nan=True):
            return
        self._fed[id(item)] = (x, y, options)
        item.setData(x, y, **options)

    # -- extent and reading ----------------------------------------------------------------------
    def x_extent(self) -> tuple[float, float] | None:
        """Times the frame should include: stated milestones, and the deadline when the cone shows."""
        times = [p.at for p in self.known]
        if self.cone is not None and self.show_cone:
            times += [self.cone.start, self.cone.end]
        return (min(times), max(times)) if times else None

    def counts_in(self, low: float, high: float) -> list[float]:
        """Counts the frame should include between two times: milestones and the cone's top."""
        counts = [float(p.count) for p in self.known if low <= p.at <= high]
        if self.cone is not None and self.show_cone and self.cone.end >= low and self.cone.start <= high:
            counts += [self.cone.start_count, self.cone.high, self.cone.low]
        return counts

    def nearest_known(self, x: float, within: float) -> PointLike | None:
        """The stated milestone closest to time x, if it is within `within` seconds."""
        best = min(self.known, key=lambda p: abs(p.at - x), default=None)
        return best if best is not None and abs(best.at - x) <= within else None

    def visible_event_labels(self) -> list[str]:
        return [line.label.toPlainText() for line in self._event_lines[:self._events_drawn]]

    @staticmethod
    def _tip(x: float, y: float, data: str) -> str:
        return f"{data} — from the site"

    # -- palette ---------------------------------------------------------------------------------
    def apply_palette(self, accent: QColor, muted: QColor, background: QColor, text: QColor) -> None:
        dashed = pg.mkPen(accent, width=2, style=Qt.PenStyle.DashLine)
        self._gap_curve.setPen(dashed)
        self._known_line.setPen(pg.mkPen(accent, width=1.5, style=Qt.PenStyle.DashLine))
        self._known_marks.setBrush(pg.mkBrush(background))
        self._known_marks.setPen(pg.mkPen(accent, width=2))
        shade = QColor(accent)
        shade.setAlphaF(0.16)
        self._cone_fill.setBrush(pg.mkBrush(shade))
        edge = QColor(accent)
        edge.setAlphaF(0.35)
        for item in (self._cone_low, self._cone_high):
            item.setPen(pg.mkPen(edge, width=1))
        self._cone_mid.setPen(pg.mkPen(accent, width=1.5, style=Qt.PenStyle.DotLine))
        for line in self._event_lines:
            line.setPen(pg.mkPen(muted, width=1, style=Qt.PenStyle.DotLine))
            line.label.setColor(text)
