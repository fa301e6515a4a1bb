"""Axis items shared by the on-screen chart and the exported image."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import pyqtgraph as pg
from pyqtgraph.graphicsItems.DateAxisItem import HOUR_SPACING, YEAR_MONTH_ZOOM_LEVEL, ZoomLevel
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from petitiondesk.gui.format import display_zone

DAY = 86400.0
# Ranges shorter than this name the weekday on day ticks ("Tue 2 Dec"); longer ones only the date.
_WEEKDAYS_UP_TO = 45 * DAY


class FastGridAxis(pg.AxisItem):
    """An axis whose ticks and grid lines are drawn with the painter clipped to the axis and its
    grid: Qt's raster painter draws translucent cosmetic lines (the grid) pixel by pixel when it
    does not clip, 0.1 to 0.3 ms a line, 4 to 12 ms of each frame of a pan; clipped, it fills spans
    (about 100 times faster, the same pixels; bench/bench_compare.py). Every axis of the app's
    plots derives from it."""

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        p.setClipRect(self.boundingRect().adjusted(-2, -2, 2, 2))  # a little room: lines on its edge stay
        super().drawPicture(p, axisSpec, tickSpecs, textSpecs)


class CountAxis(FastGridAxis):
    """Signature counts with thousands separators ("100,000"), in linear or log mode."""

    def __init__(self, orientation: str = "left", **kwargs):
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal, maxVal, size):
        if self.logMode and 0 < maxVal - minVal < 1:
            # Within one decade pyqtgraph's log ticks (1, 2, 5 x 10^n) leave one tick or none:
            # place round counts instead, at their logarithms.
            return linear_ticks_in_log_space(minVal, maxVal, size)
        return super().tickValues(minVal, maxVal, size)

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return [_log_tick_text(10**v) for v in values]
        return [f"{v * scale:,.0f}" for v in values]


def linear_ticks_in_log_space(low_log: float, high_log: float, size: float) -> list[tuple[float, list[float]]]:
    """Round counts between 10**low_log and 10**high_log, as log10 positions, about one per 80 px."""
    low, high = 10**low_log, 10**high_log
    wanted = max(2, min(8, int(size / 80)))
    step = _nice_step((high - low) / wanted)
    first = math.ceil(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high and len(ticks) < 50:
        if value > 0:
            ticks.append(math.log10(value))
        value += step
    return [(math.log10(step), ticks)]


def _nice_step(raw: float) -> float:
    """The largest of 1, 2, 2.5 and 5 x 10^n that is no more than `raw` (so ticks are not too few)."""
    exponent = math.floor(math.log10(raw)) if raw > 0 else 0
    for multiple in (5, 2.5, 2, 1):
        step = multiple * 10**exponent
        if step <= raw:
            return float(step)
    return float(10**exponent)


def _log_tick_text(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:.2g}"


# pyqtgraph's example label of each zoom level (DateAxisItem) -> the widest label `_label` gives there.
_WIDEST_LABELS = {"YYYY": "Sep 2025", "MMM": "Wed 30 Sep", "MMM 00": "Wed 30 Sep", "99:99:99": "00:00:00"}


#: Pixels kept clear between two time labels.
_LABEL_GAP = 4


class LocalDateAxis(FastGridAxis, pg.DateAxisItem):
    """A time axis whose labels say the day as people do: "Tue 2 Dec", "14:00", "Mar 2025".

    Labels are in `zone` (by default the zone the window shows: UK time unless the user prefers
    their computer's), with the weekday while the view spans weeks and month names always, so that
    a tick is never a bare "02".
    """

    def __init__(self, orientation: str = "bottom", zone: tzinfo | None = None, **kwargs):
        super().__init__(orientation=orientation, **kwargs)
        self.zone = zone

    def setZoomLevelForDensity(self, density):
        """pyqtgraph's choice of tick levels for this many seconds a pixel, sized by the labels this
        axis writes: sized by its own examples ("MMM" for a day's label, where this axis writes
        "Tue 10 Nov"), it chose day ticks for a two-week span whose labels then overlapped, and
        drew none of them."""
        self.zoomLevel = YEAR_MONTH_ZOOM_LEVEL  # the coarsest, when even it is too dense
        for maximal_spacing, level in self.zoomLevels.items():
            if maximal_spacing / self._label_size(level) < density:
                break
            self.zoomLevel = level
        self.zoomLevel = _fixed_offset_level(self.zoomLevel)
        self.zoomLevel.utcOffset = self.utcOffset
        self.minSpacing = density * self._label_size(self.zoomLevel)

    def generateDrawSpecs(self, p):
        """pyqtgraph's drawing, less a label that would touch one of a coarser level: pyqtgraph
        writes each level's labels without looking at the others', so a month's "Dec 2026" and
        the day "Thu 3 Dec" beside it ran together at the start of a month."""
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis_spec, tick_specs, text_specs = specs
        kept: list = []
        for rect, flags, text in text_specs:  # the coarsest level's first
            room = rect.adjusted(-_LABEL_GAP, 0, _LABEL_GAP, 0)
            if not any(room.intersects(other) for other, _, _ in kept):
                kept.append((rect, flags, text))
        return axis_spec, tick_specs, kept

    def _label_size(self, level) -> float:
        """The room (px along the axis) the widest label of a zoom level takes, with a gap."""
        example = _WIDEST_LABELS.get(level.exampleText, level.exampleText)
        bounds = self.fontMetrics.boundingRect(example)
        return (bounds.width() if self.orientation in ("bottom", "top") else bounds.height()) + 10

    def tickStrings(self, values, scale, spacing):
        low, high = self.range
        span = abs(self._posix(high) - self._posix(low))
        return [self._label(self._posix(value), spacing, span) for value in values]

    def _posix(self, value: float) -> float:
        """The axis value as POSIX seconds (subclasses plot something else on x)."""
        return value

    def _label(self, t: float, spacing: float, span: float) -> str:
        try:
            moment = datetime.fromtimestamp(t, UTC).astimezone(self.zone or display_zone())
        except (OverflowError, OSError, ValueError):
            return ""
        day = f"{moment.day} {moment:%b}"
        if spacing >= 360 * DAY:
            return f"{moment.year}"
        if spacing >= 28 * DAY:
            return f"{moment:%b} {moment.year}"
        if spacing >= DAY:
            return f"{moment:%a} {day}" if span <= _WEEKDAYS_UP_TO else day
        if moment.hour == 0 and moment.minute == 0 and moment.second == 0:
            return f"{moment:%a} {day}"  # midnight names the new day
        if spacing >= 60:
            return f"{moment:%H:%M}"
        return f"{moment:%H:%M:%S}"


class _FixedOffsetZoomLevel(ZoomLevel):
    """One of pyqtgraph's zoom levels, whose ticks of an hour or more move by the axis's fixed
    offset without asking the computer's zone about each tick first (QDateTime.timeZone, ~0.4 ms a
    tick: 5-10 ms of the paint after each move of the view): pyqtgraph asks, then keeps the fixed
    offset instead of the answer."""

    def moveTicksToLocalTimeCoords(self, ticks, spacing, skipFactor):
        coarse = spacing > HOUR_SPACING or (spacing == HOUR_SPACING and skipFactor > 1)
        if self.utcOffset is not None and coarse and len(ticks):
            return ticks + self.utcOffset
        return super().moveTicksToLocalTimeCoords(ticks, spacing, skipFactor)


_FIXED_OFFSET_LEVELS: dict[int, _FixedOffsetZoomLevel] = {}


def _fixed_offset_level(level: ZoomLevel) -> ZoomLevel:
    if isinstance(level, _FixedOffsetZoomLevel):
        return level
    mine = _FIXED_OFFSET_LEVELS.get(id(level))
    if mine is None:
        mine = _FIXED_OFFSET_LEVELS[id(level)] = _FixedOffsetZoomLevel(level.tickSpecs, level.exampleText)
    return mine


@dataclass(frozen=True)
class PlotColours:
    """A plot's colours from the window's palette, so that graphs follow light and dark themes."""

    background: QColor
    text: QColor
    muted: QColor
    accent: QColor


def plot_colours(palette: QPalette) -> PlotColours:
    text = palette.color(QPalette.ColorRole.Text)
    muted = QColor(text)
    muted.setAlphaF(0.55)
    return PlotColours(palette.color(QPalette.ColorRole.Base), text, muted,
                       palette.color(QPalette.ColorRole.Highlight))


def colour_plot(plot_widget: pg.PlotWidget, colours: PlotColours) -> None:
    """The background and both axes of a plot in the palette's colours."""
    plot_widget.setBackground(colours.background)
    item = plot_widget.getPlotItem()
    for name in ("left", "bottom"):
        item.getAxis(name).setPen(colours.muted)
        item.getAxis(name).setTextPen(colours.text)


def colour_threshold_line(line: pg.InfiniteLine, colours: PlotColours) -> None:
    """A milestone line (10,000 or 100,000): muted and dashed, its label in the text colour."""
    line.setPen(pg.mkPen(colours.muted, width=1, style=Qt.PenStyle.DashLine))
    line.label.setColor(colours.text)
