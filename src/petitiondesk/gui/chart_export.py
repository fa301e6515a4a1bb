"""Publication-ready images of a signature chart: PNG at a chosen pixel size, SVG as real vectors.

The export is drawn on a figure of its own, not grabbed from the window: a white page with the
petition's title, axis labels with units, the thresholds in range and a source line, over exactly
the time range the user is looking at. So it looks the same whatever size the window happens to be,
and a chart that was never shown on screen exports just as well (the figure is laid out off screen).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QGraphicsScene

from petitiondesk.core import decimate
from petitiondesk.core.export import ExportError, atomic_write
from petitiondesk.core.models import DEBATE_THRESHOLD, RESPONSE_THRESHOLD, Petition
from petitiondesk.gui import framing
from petitiondesk.gui.axes import CountAxis, LocalDateAxis
from petitiondesk.gui.chart_overlays import gap_mask
from petitiondesk.gui.format import display_zone, zone_name

INK = QColor("#1b1f24")
MUTED = QColor("#57606a")
CURVE = QColor("#0b6bcb")
CONE_FILL = QColor(11, 107, 203, 40)
CONE_EDGE = QColor(11, 107, 203, 90)
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
    #: The count range shown, in view units (log10 of counts on a log scale); None: framed like
    #: the window frames the data before the user zooms.
    y_range: tuple[float, float] | None = None
    #: When each threshold was reached (POSIX seconds), for the subtitle when its line is out of frame.
    reached: tuple[tuple[int, float], ...] = ()
    #: Counts the site states (milestones): (POSIX seconds, count), drawn apart from the recorded curve.
    known: tuple[tuple[float, int], ...] = ()
    #: The forecast: (from time, from count, deadline, low, central, high), or None.
    cone: tuple[float, float, float, float, float, float] | None = None

    def visible(self) -> tuple[np.ndarray, np.ndarray]:
        if self.x_range is None or len(self.times) == 0:
            return self.times, self.counts
        low, high = self.x_range
        keep = (self.times >= low) & (self.times <= high)
        return self.times[keep], self.counts[keep]

    def time_span(self) -> tuple[float, float] | None:
        if self.x_range is not None:
            return self.x_range
        extra = [at for at, _ in self.known] + ([self.cone[0], self.cone[2]] if self.cone else [])
        times = np.sort(np.concatenate([np.asarray(self.times, dtype=float), np.asarray(extra, dtype=float)]))
        if len(times) == 0:
            return None
        return framing.time_frame(times)

    def count_range(self) -> tuple[float, float] | None:
        """The count range drawn (view units): the one given, or the data framed with a margin."""
        if self.y_range is not None:
            return self.y_range
        times, counts = self.visible()
        span = self.time_span()
        extra: list[float] = []
        if span is not None:
            extra = [count for at, count in self.known if span[0] <= at <= span[1]]
            if self.cone and self.cone[2] >= span[0] and self.cone[0] <= span[1]:
                extra += [self.cone[1], self.cone[3], self.cone[5]]
        values = np.concatenate([np.asarray(counts, dtype=float), np.asarray(extra, dtype=float)])
        if len(values) == 0:
            return None
        return framing.count_frame(values, (value for value, _, _ in self.thresholds), self.log_scale)

    def thresholds_in_frame(self) -> tuple[tuple[int, str, str], ...]:
        frame = self.count_range()
        if frame is None:
            return ()
        return tuple(t for t in self.thresholds if framing.in_view(t[0], frame, self.log_scale))


class _OffsetDateAxis(LocalDateAxis):
    """A date axis for x values in hours after `origin` (POSIX seconds)."""

    def __init__(self, origin: float, **kwargs):
        super().__init__(orientation="bottom", **kwargs)
        self.origin = origin

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(self._posix(minVal), self._posix(maxVal), size)
        return [(spacing / HOUR, [(value - self.origin) / HOUR for value in values])
                for spacing, values in levels]

    def tickStrings(self, values, scale, spacing):
        return super().tickStrings(values, scale, spacing * HOUR)

    def _posix(self, value: float) -> float:
        return self.origin + value * HOUR


def thresholds_for(petition: Petition | None) -> tuple[tuple[int, str, str], ...]:
    """The milestones of the petition's own parliament (archived ones carry theirs)."""
    response = petition.response_threshold if petition else RESPONSE_THRESHOLD
    debate = petition.debate_threshold if petition else DEBATE_THRESHOLD
    return ((response, f"{response:,} — government response", "response"),
            (debate, f"{debate:,} — considered for debate", "debate"))


def spec_for(petition: Petition | None, petition_id: int, times: np.ndarray, counts: np.ndarray,
             x_range: tuple[float, float] | None = None, log_scale: bool = False,
             y_range: tuple[float, float] | None = None, known: tuple[tuple[float, int], ...] = (),
             cone: tuple[float, float, float, float, float, float] | None = None) -> ChartSpec:
    """What to export; without ranges, the data framed as the window frames it before a zoom."""
    title = petition.action if petition else f"Petition {petition_id}"
    return ChartSpec(title, petition_id, times, counts, x_range, log_scale, thresholds_for(petition),
                     y_range, _reached(petition), known, cone)


def _reached(petition: Petition | None) -> tuple[tuple[int, float], ...]:
    if petition is None:
        return ()
    pairs = ((petition.response_threshold, petition.response_threshold_reached_at),
             (petition.debate_threshold, petition.debate_threshold_reached_at))
    return tuple((value, when.timestamp()) for value, when in pairs if when is not None)


def source_line(spec: ChartSpec) -> str:
    span = spec.time_span()
    text = "Data: petition.parliament.uk · recorded by PetitionDesk"
    if span:
        first, last = (datetime.fromtimestamp(t, UTC).astimezone(display_zone()) for t in span)
        text += f" · {_when(first)} – {_when(last)} ({zone_name()})"
    return text


def subtitle_line(spec: ChartSpec) -> str:
    times, counts = spec.visible()
    text = f"Petition {spec.petition_id}"
    if len(counts):
        text += f" · {int(counts[-1]):,} signatures"
        if len(counts) > 1:
            text += f" ({int(counts[-1]) - int(counts[0]):+,} over this period)"
    drawn = {value for value, _, _ in spec.thresholds_in_frame()}
    for value, when in spec.reached:
        if value not in drawn:  # its line is out of frame: say when it was passed instead
            moment = datetime.fromtimestamp(when, UTC).astimezone(display_zone())
            text += f" · {value:,} reached on {moment.day} {moment:%b %Y}"
    return text


def path_in_scene(view: pg.ViewBox, x: np.ndarray, y: np.ndarray) -> QPainterPath:
    """A curve given in the view's coordinates as one path in page coordinates, broken where a value
    is not finite: what SVG exports place exactly (see `ExportFigure._curve_in_scene_coordinates`)."""
    view.updateMatrix()  # the view's transform is brought up to date lazily, at paint time
    transform = view.childGroup.sceneTransform()  # affine: no perspective in a plot
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    page_x = transform.m11() * x + transform.m21() * y + transform.dx()
    page_y = transform.m12() * x + transform.m22() * y + transform.dy()
    return pg.arrayToQPath(page_x, page_y, connect="finite")


class ExportFigure(pg.GraphicsLayoutWidget):
    """A white, laid-out figure for one chart; never shown on screen."""

    def __init__(self, spec: ChartSpec, width: int, height: int, device_scale: float = 1.0):
        super().__init__()
        # Pens are cosmetic (device pixels): thicken them when the page is drawn scaled up.
        self.pen_scale = device_scale
        #: The curve is drawn at this many points across (each pixel's lowest and highest), not every sample.
        self.pixels = width * device_scale
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
            line = QGraphicsPathItem(path_in_scene(view, x, y))  # broken where y is NaN, as drawn
            line.setPen(item.opts["pen"])
            self.scene().addItem(line)

    def _make_plot(self, spec: ChartSpec, scale: float) -> pg.PlotItem:
        span = spec.time_span()
        # x is drawn in hours from the start: the SVG writer rounds coordinates and transforms
        # (POSIX seconds would come out in 10,000 s steps, a tiny seconds-to-pixels scale askew).
        origin = span[0] if span else 0.0
        axis = _OffsetDateAxis(origin, utcOffset=-_zone_offset(span[1] if span else None))
        plot = pg.PlotItem(axisItems={"bottom": axis, "left": CountAxis()})
        font = _font(max(8.0, 13 * scale))
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(MUTED))
            axis.setTextPen(pg.mkPen(INK))
            axis.setTickFont(font)
        label_style = {"color": INK.name(), "font-size": f"{max(9, 14 * scale):.0f}pt"}
        plot.setLabel("left", "Signatures", **label_style)
        plot.setLabel("bottom", f"Time ({zone_name()})", **label_style)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMenuEnabled(False)
        plot.hideButtons()

        recorded_times, recorded_counts = spec.visible()
        # Broken where recording stopped, the gap dashed, as the window draws it (gui/chart.py).
        gaps = np.flatnonzero(gap_mask(recorded_times, recorded_counts))
        after = gaps + 1
        times, values = decimate.for_width(np.insert(recorded_times, after, recorded_times[after]),
                                           np.insert(np.asarray(recorded_counts, dtype=float), after, np.nan),
                                           self.pixels)
        if spec.log_scale:
            values = np.maximum(values, 1.0)  # NaN stays NaN: the breaks
        x = (times - origin) / HOUR
        pen = pg.mkPen(CURVE, width=max(2.0, 3 * scale) * self.pen_scale)
        plot.plot(x, values, name="signatures", pen=pen, stepMode=None, connect="finite")
        if gaps.size:
            gap_x = np.column_stack([recorded_times[gaps], recorded_times[after], recorded_times[after]]).ravel()
            gap_y = np.column_stack([recorded_counts[gaps], recorded_counts[after],
                                     np.full(gaps.size, np.nan)]).ravel().astype(float)
            plot.plot((gap_x - origin) / HOUR, np.maximum(gap_y, 1.0) if spec.log_scale else gap_y, connect="finite",
                      pen=pg.mkPen(CURVE, width=max(1.5, 2 * scale) * self.pen_scale, style=Qt.PenStyle.DashLine))
        if len(x):  # the latest count as a dot, as on screen: a lone sample is drawn too
            dot = max(7.0, 10 * scale) * self.pen_scale
            plot.plot(x[-1:], values[-1:], pen=None, symbol="o", symbolSize=dot,
                      symbolBrush=pg.mkBrush(CURVE), symbolPen=pg.mkPen("w", width=1.5 * self.pen_scale))
        self._draw_known_and_cone(plot, spec, origin, scale)
        plot.setLogMode(y=spec.log_scale)
        plot.vb.disableAutoRange()
        x_range = (0.0, (span[1] - origin) / HOUR) if span else (0.0, 1.0)
        plot.setXRange(*x_range, padding=0)
        y_range = spec.count_range()
        if y_range is not None:
            plot.setYRange(*y_range, padding=0)
        self._draw_thresholds(plot, spec, scale, x_range)
        return plot

    def _draw_known_and_cone(self, plot: pg.PlotItem, spec: ChartSpec, origin: float, scale: float) -> None:
        """Milestones as diamonds joined by a dashed line to the first sample; the forecast as a cone."""
        floor = 1.0 if spec.log_scale else 0.0
        if spec.known:
            first = float(spec.times[0]) if len(spec.times) else math.inf
            points = sorted(spec.known)
            joined: list[tuple[float, float]] = [(at, count) for at, count in points if at < first]
            if joined and len(spec.times):
                joined.append((first, float(spec.counts[0])))
            if len(joined) > 1:
                joined_at, joined_count = zip(*joined, strict=True)
                plot.plot((np.array(joined_at) - origin) / HOUR, np.maximum(np.array(joined_count, dtype=float), floor),
                          pen=pg.mkPen(CURVE, width=max(1.5, 2 * scale) * self.pen_scale, style=Qt.PenStyle.DashLine))
            x = np.array([at for at, _ in points])
            y = np.maximum(np.array([count for _, count in points], dtype=float), floor)
            plot.plot((x - origin) / HOUR, y, pen=None, symbol="d", symbolSize=max(9.0, 12 * scale) * self.pen_scale,
                      symbolBrush=pg.mkBrush("w"), symbolPen=pg.mkPen(CURVE, width=2 * self.pen_scale))
        if spec.cone:
            start, start_count, end, low, central, high = spec.cone
            x = (np.array([start, end]) - origin) / HOUR
            edges = [plot.plot(x, np.maximum([start_count, value], floor), pen=pg.mkPen(CONE_EDGE))
                     for value in (low, high)]
            plot.addItem(pg.FillBetweenItem(*edges, brush=pg.mkBrush(CONE_FILL)))
            plot.plot(x, np.maximum([start_count, central], floor),
                      pen=pg.mkPen(CURVE, width=max(1.5, 2 * scale) * self.pen_scale, style=Qt.PenStyle.DotLine))

    def _draw_thresholds(self, plot: pg.PlotItem, spec: ChartSpec, scale: float, x_range: tuple[float, float]) -> None:
        """Dashed lines across exactly the plotted range (SVG has no clipping), labelled at the right;
        only those inside the count range, so that a big petition is not squashed to fit them."""
        left, right = x_range
        for threshold, label, kind in spec.thresholds_in_frame():
            colour = THRESHOLD_COLOURS[kind]
            pen = pg.mkPen(colour, width=max(1.5, 2 * scale) * self.pen_scale, style=Qt.PenStyle.DashLine)
            plot.plot([left, right], [threshold, threshold], pen=pen)
            y = np.log10(threshold) if spec.log_scale else threshold
            low, high = spec.count_range() or (0.0, 1.0)
            # Above its line, unless that would run off the top of the plot.
            below = high - y < (high - low) * 0.08
            text = pg.TextItem(label, color=colour, anchor=(1, 0) if below else (1, 1))
            text.setFont(_font(max(8.0, 12 * scale)))
            text.setPos(right, y)
            plot.addItem(text, ignoreBounds=True)


def render_image(spec: ChartSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT,
                 scale: float = 1.0) -> QImage:
    """The chart as a `width` x `height` pixel image; `scale` 2 draws it like a HiDPI screen would."""
    _check_size(width, height)
    _check_scale(scale)
    return figure_image(ExportFigure(spec, round(width / scale), round(height / scale), scale), width, height)


def figure_image(figure: pg.GraphicsLayoutWidget, width: int, height: int) -> QImage:
    """A laid-out off-screen figure drawn onto a white `width` x `height` image; the figure is then
    closed (each is drawn once)."""
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
    _check_size(width, height)
    figure = ExportFigure(spec, width, height)
    try:
        return scene_svg(figure.scene())
    finally:
        figure.close()
        figure.deleteLater()


def scene_svg(scene: QGraphicsScene) -> bytes:
    """A laid-out figure's scene as SVG (pyqtgraph's exporter). Its clip paths are marked unpainted:
    pyqtgraph writes the plot's clip as a stroked path, which a renderer that does not clip (Qt's
    own QSvgRenderer) drew as a box around the plot."""
    from pyqtgraph.exporters import SVGExporter  # only when exporting: keeps it off start-up

    svg = bytes(SVGExporter(scene).export(toBytes=True))
    return re.sub(rb"(<clipPath[^>]*>\s*<path) ", rb'\1 stroke="none" fill="none" ', svg)


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


def _zone_offset(t: float | None) -> float:
    """Seconds east of UTC in the shown zone at time t (in the UK: BST or GMT), for the date axis."""
    moment = datetime.fromtimestamp(t, UTC) if t else datetime.now(UTC)
    offset = moment.astimezone(display_zone()).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _when(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M}"  # no %-d: Windows' strftime lacks it


def _font(points: float) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    return font


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
