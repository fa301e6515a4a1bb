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
    typical = float(np.percentile(steps, 25))  # plateaus stored as two ends make long steps common
    limit = max(GAP_SECONDS, typical * _GAP_MEDIAN_FACTOR)
    return (steps > limit) & (np.diff(counts) != 0)


class ChartOverlays:
    """Owns the extra items of one plot; the chart feeds them and asks for their extent."""

    def __init__(self, plot: pg.PlotItem, to_view_y: Callable[[float], float]):
        self._plot = plot
        self._to_view_y = to_view_y
        self.known: tuple[PointLike, ...] = ()
        self.events: tuple[EventLike, ...] = ()
        self.cone: Cone | None = None
        self.show_cone = True

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

    # -- feeding ---------------------------------------------------------------------------------
    def set_context(self, known: Sequence[PointLike], events: Sequence[EventLike], cone: Cone | None) -> None:
        self.known = tuple(sorted(known, key=lambda point: point.at))
        self.events = tuple(events)
        self.cone = cone

    def redraw(self, times: np.ndarray, counts: np.ndarray) -> None:
        """Draw everything again for these recorded samples (and the current scale)."""
        self._draw_gaps(times, counts)
        self._draw_known(times, counts)
        self._draw_events()
        self._draw_cone()

    def _draw_gaps(self, times: np.ndarray, counts: np.ndarray) -> None:
        gaps = np.flatnonzero(gap_mask(times, counts))
        x = np.full(gaps.size * 3, np.nan)
        y = np.full(gaps.size * 3, np.nan)
        x[0::3], x[1::3] = times[gaps], times[gaps + 1]
        y[0::3] = [self._to_view_y(v) for v in counts[gaps]]
        y[1::3] = [self._to_view_y(v) for v in counts[gaps + 1]]
        self._gap_curve.setData(x, y, connect="finite")

    def _draw_known(self, times: np.ndarray, counts: np.ndarray) -> None:
        points = [p for p in self.known if math.isfinite(self._to_view_y(p.count))]
        self._known_marks.setData(
            [p.at for p in points], [self._to_view_y(p.count) for p in points], data=[p.label for p in points])
        # The dashed line runs through what the site states before recording began, to the first sample.
        first = float(times[0]) if times.size else math.inf
        before = [(p.at, self._to_view_y(p.count)) for p in points if p.at < first]
        if before and times.size:
            before.append((first, self._to_view_y(float(counts[0]))))
        xs, ys = zip(*before, strict=True) if len(before) > 1 else ((), ())
        self._known_line.setData(list(xs), list(ys), connect="finite")

    def _draw_events(self) -> None:
        shown = self.events[:_EVENT_POOL]
        for line in self._event_lines[len(shown):self._events_drawn]:
            self._plot.removeItem(line)
        for line in self._event_lines[self._events_drawn:len(shown)]:
            self._plot.addItem(line, ignoreBounds=True)
        self._events_drawn = len(shown)
        for line, event in zip(self._event_lines, shown, strict=False):
            line.setPos(event.at)
            line.label.setFormat(event.label)
            line.label.setText(event.label)

    def _draw_cone(self) -> None:
        cone = self.cone if self.show_cone else None
        if cone is None:
            for item in (self._cone_low, self._cone_high, self._cone_mid):
                item.setData([], [])
            self._cone_fill.setVisible(False)
            return
        xs = [cone.start, cone.end]
        start = self._to_view_y(cone.start_count)
        for item, end in ((self._cone_low, cone.low), (self._cone_high, cone.high), (self._cone_mid, cone.central)):
            item.setData(xs, [start, self._to_view_y(max(end, 1.0))])
        self._cone_fill.setVisible(True)

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
