"""A comparison as an image: several petitions' curves on one white page, with a legend, the
milestones once, and a source line; PNG or SVG, for the window and `export-chart ID ID...`."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsPathItem

from petitiondesk.core import compare, decimate
from petitiondesk.core.export import ExportError, atomic_write
from petitiondesk.gui import chart_export
from petitiondesk.gui.axes import CountAxis, FastGridAxis, LocalDateAxis
from petitiondesk.gui.format import zone_name

#: Okabe and Ito's colour-blind-safe palette (yellow last: weakest on white).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
MILESTONES = (10_000, 100_000)


def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def milestone_values(units: str) -> tuple[float, ...]:
    return tuple(m / compare.SHARE_OF for m in MILESTONES) if units == "share" else tuple(map(float, MILESTONES))


def axis_label(alignment: str, units: str) -> tuple[str, str]:
    bottom = "Days since opening" if alignment == "opened" else f"Time ({zone_name()})"
    return bottom, compare.UNITS[units]


class ShareAxis(FastGridAxis):
    """Counts as a share of 100,000: "45%"."""

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return [f"{10 ** v * 100:.3g}%" for v in values]
        return [f"{v * 100:.0f}%" for v in values]


def make_axes(alignment: str, units: str) -> dict[str, pg.AxisItem]:
    bottom = LocalDateAxis(orientation="bottom") if alignment == "calendar" else FastGridAxis("bottom")
    left = ShareAxis("left") if units == "share" else CountAxis("left")
    return {"bottom": bottom, "left": left}


class ComparisonFigure(pg.GraphicsLayoutWidget):
    """A white, laid-out page with every curve; never shown on screen."""

    def __init__(self, series: Sequence[compare.Series], alignment: str, units: str, log_scale: bool,
                 width: int, height: int, hidden: frozenset[int] = frozenset()):
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.setBackground("w")
        self.resize(width, height)
        scale = max(0.6, min(width, height * 16 / 9) / 1600)
        self.ci.setContentsMargins(24 * scale, 18 * scale, 32 * scale, 14 * scale)
        shown = [s for s in series if s.petition_id not in hidden]
        title = f"Comparing {len(shown)} petitions" if len(shown) != 1 else shown[0].title
        self.addItem(pg.LabelItem(html.escape(title), color=chart_export.INK, size=f"{max(11, 22 * scale):.0f}pt",
                                  bold=True, justify="left"), row=0, col=0)
        self.plot = pg.PlotItem(axisItems=make_axes(alignment, units))
        self.addItem(self.plot, row=1, col=0)
        self._draw(shown, series, alignment, units, log_scale, scale)
        source = "Data: petition.parliament.uk · recorded by PetitionDesk · dashed: between counts the site states"
        self.addItem(pg.LabelItem(html.escape(source), color=chart_export.MUTED, size=f"{max(8, 12 * scale):.0f}pt",
                                  justify="left"), row=2, col=0)
        self.show()
        QApplication.processEvents()
        self._curves_in_scene_coordinates()

    def _curves_in_scene_coordinates(self) -> None:
        """Each curve redrawn as one path in page coordinates once laid out: pyqtgraph 0.14's SVG
        exporter draws long curves ~3 % too wide for their axes (as `chart_export` works around).
        The curves' own lines are hidden, not the items, so the legend keeps its samples."""
        view = self.plot.vb
        view.disableAutoRange()
        for item in self.plot.listDataItems():
            x, y = item.getData()  # as displayed: already log10 on a log scale
            if x is None or len(x) == 0:
                continue
            item.curve.setVisible(False)
            line = QGraphicsPathItem(chart_export.path_in_scene(view, x, y))
            line.setPen(item.opts["pen"])
            self.scene().addItem(line)

    def _draw(self, shown, every, alignment, units, log_scale, scale) -> None:
        plot = self.plot
        bottom, left = axis_label(alignment, units)
        style = {"color": chart_export.INK.name(), "font-size": f"{max(9, 14 * scale):.0f}pt"}
        plot.setLabel("bottom", bottom, **style)
        plot.setLabel("left", left, **style)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        legend = plot.addLegend(offset=(10, 10), labelTextColor=chart_export.INK,
                                labelTextSize=f"{max(8, 11 * scale):.0f}pt")
        legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        for index, one in enumerate(every):
            if one not in shown:
                continue
            placed = compare.aligned(one, alignment, units)
            if placed is None:
                continue
            x, y, recorded = placed
            y = np.maximum(y, 1e-6) if log_scale else y
            pen = pg.mkPen(colour(index), width=max(2.0, 3 * scale))
            # The whole curve dashed, then the recorded part solid over it: dashed shows only
            # where the count is known just at the site's milestones. Each at the page's
            # resolution (each pixel's lowest and highest), not every sample.
            plot.plot(*decimate.for_width(x, y, self.width()),
                      pen=pg.mkPen(colour(index), width=max(1.5, 2 * scale), style=Qt.PenStyle.DashLine))
            solid = np.where(recorded, y, np.nan)
            name = html.escape(_elide(one.title, 60))  # legend labels are rich text
            plot.plot(*decimate.for_width(x, solid, self.width()), pen=pen, connect="finite", name=name)
        plot.setLogMode(y=log_scale)
        for value in milestone_values(units):
            line = pg.InfiniteLine(pos=np.log10(value) if log_scale else value, angle=0,
                                   pen=pg.mkPen(chart_export.MUTED, width=1, style=Qt.PenStyle.DashLine))
            plot.addItem(line, ignoreBounds=True)


def render_image(series, alignment: str, units: str, log_scale: bool, width: int, height: int,
                 hidden: frozenset[int] = frozenset()) -> QImage:
    return chart_export.figure_image(ComparisonFigure(series, alignment, units, log_scale, width, height, hidden),
                                     width, height)


def comparison_bytes(series, suffix: str, alignment: str = "calendar", units: str = "signatures",
                     log_scale: bool = False, width: int = 1600, height: int = 900,
                     hidden: frozenset[int] = frozenset()) -> bytes:
    """The comparison as a PNG or SVG file's bytes (by `suffix`); drawn here, written by the caller."""
    suffix = suffix.lower()
    if suffix == ".png":
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image = render_image(series, alignment, units, log_scale, width, height, hidden)
        # PySide6's stubs want bytes for the format; at run time it takes only str.
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
            raise ExportError("Could not encode the comparison as PNG.")
        return bytes(data.data())
    if suffix == ".svg":
        from pyqtgraph.exporters import SVGExporter

        figure = ComparisonFigure(series, alignment, units, log_scale, width, height, hidden)
        try:
            return bytes(SVGExporter(figure.scene()).export(toBytes=True))
        finally:
            figure.close()
            figure.deleteLater()
    raise ExportError(f"Cannot export a comparison as '{suffix}': use .png or .svg.")


def export_comparison(series, path: Path, alignment: str = "calendar", units: str = "signatures",
                      log_scale: bool = False, width: int = 1600, height: int = 900,
                      hidden: frozenset[int] = frozenset()) -> None:
    """Write the comparison as PNG or SVG (by the suffix), all or nothing."""
    path = Path(path)
    if not path.suffix:
        raise ExportError(f"Cannot export a comparison as '{path.name}': use .png or .svg.")
    payload = comparison_bytes(series, path.suffix, alignment, units, log_scale, width, height, hidden)
    atomic_write(path, lambda file: file.write(payload))


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
