"""The pyqtgraph half of the signature graph (gui/chart.py): its plot, curve, lines and crosshair.

Imported when the plot is first built, on the event loop's turn after the window's first paint
(or when a petition is first drawn, whichever comes first): pyqtgraph's import and the plot's items
cost about 200 ms, which the watchlist's first sight no longer waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette

from petitiondesk.gui.axes import CountAxis, LocalDateAxis, colour_plot, colour_threshold_line, plot_colours
from petitiondesk.gui.chart_overlays import ChartOverlays
from petitiondesk.gui.lod_curve import LodCurve

TOOLTIP = ("Drag or scroll to move through time; the counts follow. Shift+scroll zooms the counts."
           " Keys: arrows pan, + and - zoom, Home fits, End jumps to the latest sample.")


class TimeZoomViewBox(pg.ViewBox):
    """The wheel and a drag move through time while the counts follow the data; with Shift held
    they zoom and pan the counts instead (and the counts stop following until Fit)."""

    countsMovedByUser = Signal()

    def wheelEvent(self, ev, axis=None):
        super().wheelEvent(ev, axis=self._axis_for(ev) if axis is None else axis)

    def mouseDragEvent(self, ev, axis=None):
        super().mouseDragEvent(ev, axis=self._axis_for(ev) if axis is None else axis)

    def _axis_for(self, ev) -> int:
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.countsMovedByUser.emit()
            return 1
        return 0


@dataclass
class PlotParts:
    """The plot's items, created once and only re-fed."""

    widget: pg.PlotWidget
    view: TimeZoomViewBox
    date_axis: LocalDateAxis
    count_axis: CountAxis
    overlays: ChartOverlays
    curve: LodCurve
    latest: pg.ScatterPlotItem
    threshold_lines: dict[str, pg.InfiniteLine]
    cross_v: pg.InfiniteLine
    cross_h: pg.InfiniteLine
    cross_marker: pg.ScatterPlotItem

    @property
    def crosshair(self) -> tuple[pg.GraphicsObject, ...]:
        return self.cross_v, self.cross_h, self.cross_marker


def build_plot(to_view_y: Callable[[float], float]) -> PlotParts:
    """A plot of recorded counts over time: the curve, the latest point, the two threshold lines, a
    crosshair (all hidden until there is something to show), and the overlays (`to_view_y`: a
    count's height on the count axis, which depends on the scale)."""
    date_axis, count_axis = LocalDateAxis(orientation="bottom"), CountAxis(orientation="left")
    view = TimeZoomViewBox()
    widget = pg.PlotWidget(viewBox=view, axisItems={"bottom": date_axis, "left": count_axis})
    widget.setAccessibleName("Signatures over time")
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.setToolTip(TOOLTIP)
    item = widget.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.12)
    item.hideButtons()
    item.setMenuEnabled(False)
    view.disableAutoRange()
    view.setMouseEnabled(x=True, y=True)

    overlays = ChartOverlays(item, to_view_y)
    # Months of samples (a million) drawn at the view's resolution (gui/lod_curve.py).
    curve = LodCurve(connect="finite", name="Signatures")
    item.addItem(curve)
    latest = pg.ScatterPlotItem(size=8)
    item.addItem(latest)

    threshold_lines: dict[str, pg.InfiniteLine] = {}
    for key in ("response", "debate"):
        line = pg.InfiniteLine(
            angle=0,
            movable=False,
            label=key,  # the real text is set with the petition's own threshold
            labelOpts={"position": 0.02, "anchors": [(0, 1), (0, 1)]},
        )
        line.setVisible(False)
        item.addItem(line, ignoreBounds=True)
        threshold_lines[key] = line

    parts = PlotParts(widget, view, date_axis, count_axis, overlays, curve, latest, threshold_lines,
                      cross_v=pg.InfiniteLine(angle=90, movable=False), cross_h=pg.InfiniteLine(angle=0, movable=False),
                      cross_marker=pg.ScatterPlotItem(size=9))
    for crosshair_part in parts.crosshair:
        crosshair_part.setVisible(False)
        item.addItem(crosshair_part, ignoreBounds=True)
    return parts


def apply_palette(parts: PlotParts, palette: QPalette) -> None:
    """The plot in the colours of the window's palette (light or dark)."""
    colours = plot_colours(palette)
    background, text, muted, accent = colours.background, colours.text, colours.muted, colours.accent
    colour_plot(parts.widget, colours)
    parts.curve.setPen(pg.mkPen(accent, width=2))
    parts.latest.setBrush(pg.mkBrush(accent))
    parts.latest.setPen(pg.mkPen(background, width=1.5))
    for line in parts.threshold_lines.values():
        colour_threshold_line(line, colours)
    cross_pen = pg.mkPen(muted, width=1, style=Qt.PenStyle.DotLine)
    parts.overlays.apply_palette(accent, muted, background, text)
    parts.cross_v.setPen(cross_pen)
    parts.cross_h.setPen(cross_pen)
    parts.cross_marker.setBrush(pg.mkBrush(background))
    parts.cross_marker.setPen(pg.mkPen(accent, width=2))
