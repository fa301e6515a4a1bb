"""Publication-ready images of a signature chart: PNG at a chosen pixel size, SVG as real vectors.

The export is drawn on a figure of its own, not grabbed from the window: a white page with the
petition's title, axis labels with units, the thresholds in range and a source line, over exactly
the time range the user is looking at. So it looks the same whatever size the window happens to be,
and a chart that was never shown on screen exports just as well (the figure is laid out off screen).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import QApplication, QGraphicsPathItem

from petitiondesk.core.export import ExportError, atomic_write
from petitiondesk.core.models import DEBATE_THRESHOLD, RESPONSE_THRESHOLD, Petition
from petitiondesk.gui.axes import CountAxis

UK = ZoneInfo("Europe/London")
INK = QColor("#1b1f24")
MUTED = QColor("#57606a")
CURVE = QColor("#0b6bcb")
THRESHOLD_COLOURS = {"response": QColor("#b35900"), "debate": QColor("#8250df")}

DEFAULT_WIDTH, DEFAULT_HEIGHT = 1600, 900
HOUR = 3600.0


@dataclass(frozen=True)
class ChartSpec:
    """Everything an exported chart shows; made from what the user sees in the window."""

    title: str
    petition_id: int
    times: np.ndarray
    counts: np.ndarray
    x_range: tuple[float, float] | None = None  # None: all the samples
    log_scale: bool = False
    thresholds: tuple[tuple[int, str, str], ...] = field(default=(
        (RESPONSE_THRESHOLD, "10,000 — government response", "response"),
        (DEBATE_THRESHOLD, "100,000 — considered for debate", "debate"),
    ))

    def visible(self) -> tuple[np.ndarray, np.ndarray]:
        if self.x_range is None or len(self.times) == 0:
            return self.times, self.counts
        low, high = self.x_range
        keep = (self.times >= low) & (self.times <= high)
        return self.times[keep], self.counts[keep]

    def time_span(self) -> tuple[float, float] | None:
        if self.x_range is not None:
            return self.x_range
        if len(self.times) == 0:
            return None
        return float(self.times[0]), float(self.times[-1])


class _OffsetDateAxis(pg.DateAxisItem):
    """A date axis for x values in hours after `origin` (POSIX seconds)."""

    def __init__(self, origin: float, **kwargs):
        super().__init__(orientation="bottom", **kwargs)
        self.origin = origin

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(self._posix(minVal), self._posix(maxVal), size)
        return [(spacing / HOUR, [(value - self.origin) / HOUR for value in values])
                for spacing, values in levels]

    def tickStrings(self, values, scale, spacing):
        return super().tickStrings([self._posix(value) for value in values], scale, spacing * HOUR)

    def _posix(self, hours: float) -> float:
        return self.origin + hours * HOUR


def thresholds_for(petition: Petition | None) -> tuple[tuple[int, str, str], ...]:
    """The milestones of the petition's own parliament (archived ones carry theirs)."""
    response = petition.response_threshold if petition else RESPONSE_THRESHOLD
    debate = petition.debate_threshold if petition else DEBATE_THRESHOLD
    return ((response, f"{response:,} — government response", "response"),
            (debate, f"{debate:,} — considered for debate", "debate"))


def spec_for(petition: Petition | None, petition_id: int, times: np.ndarray, counts: np.ndarray,
             x_range: tuple[float, float] | None = None, log_scale: bool = False) -> ChartSpec:
    title = petition.action if petition else f"Petition {petition_id}"
    return ChartSpec(title, petition_id, times, counts, x_range, log_scale, thresholds_for(petition))


def source_line(spec: ChartSpec) -> str:
    span = spec.time_span()
    text = "Data: petition.parliament.uk · recorded by PetitionDesk"
    if span:
        first, last = (datetime.fromtimestamp(t, UTC).astimezone(UK) for t in span)
        text += f" · {first:%-d %b %Y %H:%M} – {last:%-d %b %Y %H:%M} (UK time)"
    return text


def subtitle_line(spec: ChartSpec) -> str:
    times, counts = spec.visible()
    text = f"Petition {spec.petition_id}"
    if len(counts):
        text += f" · {int(counts[-1]):,} signatures"
        if len(counts) > 1:
            text += f" ({int(counts[-1]) - int(counts[0]):+,} over this period)"
    return text


class ExportFigure(pg.GraphicsLayoutWidget):
    """A white, laid-out figure for one chart; never shown on screen."""

    def __init__(self, spec: ChartSpec, width: int, height: int, device_scale: float = 1.0):
        super().__init__()
        # Pens are cosmetic (device pixels): thicken them when the page is drawn scaled up.
        self.pen_scale = device_scale
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.setBackground("w")
        self.resize(width, height)
        scale = max(0.6, min(width, height * 16 / 9) / 1600)
        self.ci.setContentsMargins(24 * scale, 18 * scale, 32 * scale, 14 * scale)

        self.title = pg.LabelItem(html.escape(_elide(spec.title, 110)), color=INK, size=f"{max(11, 22 * scale):.0f}pt",
                                  bold=True, justify="left")
        self.addItem(self.title, row=0, col=0)
        self.subtitle = pg.LabelItem(html.escape(subtitle_line(spec)), color=MUTED,
                                     size=f"{max(9, 15 * scale):.0f}pt", justify="left")
        self.addItem(self.subtitle, row=1, col=0)
        self.plot = self._make_plot(spec, scale)
        self.addItem(self.plot, row=2, col=0)
        self.source = pg.LabelItem(html.escape(source_line(spec)), color=MUTED,
                                   size=f"{max(8, 12 * scale):.0f}pt", justify="left")
        self.addItem(self.source, row=3, col=0)
        self.show()  # off screen (WA_DontShowOnScreen): lays out items at the requested size
        QApplication.processEvents()
        self._curve_in_scene_coordinates()

    def _curve_in_scene_coordinates(self) -> None:
        """Redraw the curve as one path in page coordinates, now that the layout is final.

        pyqtgraph's SVG exporter (0.14.0 with PySide6 6.10) places a long curve's segments about 3%
        too wide for its axes; a plain path item in page coordinates exports exactly, and paints the
        same in PNGs."""
        view = self.plot.vb
        view.disableAutoRange()
        for item in self.plot.listDataItems():
            if item.opts.get("name") != "signatures":
                continue
            x, y = item.getData()  # as displayed: already log10 on a log scale
            item.setVisible(False)
            if x is None or len(x) == 0:
                return
            finite = np.isfinite(x) & np.isfinite(y)
            x, y = x[finite], y[finite]
            transform = view.childGroup.sceneTransform()
            path = QPainterPath()
            for i, (px, py) in enumerate(zip(x.tolist(), y.tolist())):
                point = transform.map(QPointF(px, py))
                path.moveTo(point) if i == 0 else path.lineTo(point)
            line = QGraphicsPathItem(path)
            line.setPen(item.opts["pen"])
            self.scene().addItem(line)

    def _make_plot(self, spec: ChartSpec, scale: float) -> pg.PlotItem:
        span = spec.time_span()
        # x is drawn in hours from the start: the SVG writer rounds coordinates and transforms
        # (POSIX seconds would come out in 10,000 s steps, a tiny seconds-to-pixels scale askew).
        origin = span[0] if span else 0.0
        axis = _OffsetDateAxis(origin, utcOffset=-_uk_offset(span[1] if span else None))
        plot = pg.PlotItem(axisItems={"bottom": axis, "left": CountAxis()})
        font = _font(max(8.0, 13 * scale))
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(MUTED))
            axis.setTextPen(pg.mkPen(INK))
            axis.setTickFont(font)
        plot.setLabel("left", "Signatures", color=INK.name(), **{"font-size": f"{max(9, 14 * scale):.0f}pt"})
        plot.setLabel("bottom", "Time (UK)", color=INK.name(), **{"font-size": f"{max(9, 14 * scale):.0f}pt"})
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMenuEnabled(False)
        plot.hideButtons()

        times, counts = spec.visible()
        values = counts.astype(float)
        if spec.log_scale:
            values = np.maximum(values, 1.0)
        plot.plot((times - origin) / HOUR, values, name="signatures", pen=pg.mkPen(CURVE, width=max(2.0, 3 * scale) * self.pen_scale),
                  stepMode=None, connect="finite")
        plot.setLogMode(y=spec.log_scale)
        x_range = (0.0, (span[1] - origin) / HOUR) if span else (0.0, 1.0)
        plot.setXRange(*x_range, padding=0.01)
        self._draw_thresholds(plot, spec, values, scale, plot.vb.viewRange()[0])
        return plot

    def _draw_thresholds(self, plot: pg.PlotItem, spec: ChartSpec, values: np.ndarray, scale: float,
                         x_range: list[float]) -> None:
        """Dashed lines across exactly the plotted range (SVG has no clipping), labelled at the right."""
        if len(values) == 0:
            return
        top = float(values.max())
        left, right = x_range
        for threshold, label, kind in spec.thresholds:
            if threshold > top * 1.25:
                continue  # out of range: drawing it would squash the curve
            colour = THRESHOLD_COLOURS[kind]
            pen = pg.mkPen(colour, width=max(1.5, 2 * scale) * self.pen_scale, style=Qt.PenStyle.DashLine)
            plot.plot([left, right], [threshold, threshold], pen=pen)
            text = pg.TextItem(label, color=colour, anchor=(1, 1))
            text.setFont(_font(max(8.0, 12 * scale)))
            text.setPos(right, np.log10(threshold) if spec.log_scale else threshold)
            plot.addItem(text, ignoreBounds=True)


def render_image(spec: ChartSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
                 scale: float = 1.0) -> QImage:
    """The chart as a `width` x `height` pixel image; `scale` 2 draws it like a HiDPI screen would."""
    _check_size(width, height)
    _check_scale(scale)
    figure = ExportFigure(spec, round(width / scale), round(height / scale), scale)
    try:
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        figure.scene().render(painter, QRectF(0, 0, width, height), figure.sceneRect())
        painter.end()
        return image
    finally:
        figure.close()
        figure.deleteLater()


def png_bytes(spec: ChartSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
              scale: float = 1.0) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stubs want bytes for the format; at run time it takes only str.
    if not render_image(spec, width, height, scale).save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ExportError("Could not encode the chart as PNG.")
    return bytes(data.data())


def svg_bytes(spec: ChartSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """The chart as SVG with real vectors (pyqtgraph's exporter: Qt's own SVG generator mangles
    cosmetic pens and transforms)."""
    from pyqtgraph.exporters import SVGExporter  # only when exporting: keeps it off start-up

    _check_size(width, height)
    figure = ExportFigure(spec, width, height)
    try:
        exporter = SVGExporter(figure.scene())
        return bytes(exporter.export(toBytes=True))
    finally:
        figure.close()
        figure.deleteLater()


def export_chart(spec: ChartSpec, path: Path, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
                 scale: float = 1.0) -> None:
    """Write a PNG or SVG, chosen by the suffix; all or nothing (see `atomic_write`)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        data = png_bytes(spec, width, height, scale)
    elif suffix == ".svg":
        data = svg_bytes(spec, width, height)
    else:
        raise ExportError(f"Cannot export a chart as '{suffix or Path(path).name}': use .png or .svg.")
    atomic_write(Path(path), lambda file: file.write(data))


def copy_to_clipboard(spec: ChartSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> None:
    screen = QGuiApplication.primaryScreen()
    scale = screen.devicePixelRatio() if screen else 1.0
    image = render_image(spec, round(width * scale), round(height * scale), scale)
    image.setDevicePixelRatio(scale)
    QGuiApplication.clipboard().setImage(image)


def _check_scale(scale: float) -> None:
    if not 0.5 <= scale <= 4:  # also refuses nan
        raise ExportError(f"A chart's pixel ratio must be between 0.5 and 4, not {scale}.")


def _check_size(width: int, height: int) -> None:
    if not (16 <= width <= 20000 and 16 <= height <= 20000):
        raise ExportError(f"A chart image must be between 16 and 20,000 pixels a side, not {width} x {height}.")


def _uk_offset(t: float | None) -> float:
    """Seconds east of UTC in the UK at time t (BST or GMT), so the date axis reads UK time."""
    moment = datetime.fromtimestamp(t, UTC) if t else datetime.now(UTC)
    offset = moment.astimezone(UK).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _font(points: float) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    return font


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
