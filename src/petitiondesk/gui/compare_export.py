"""A comparison as an image: several petitions' curves on one white page, with a legend, the
milestones once, and a source line; PNG or SVG, for the window and `export-chart ID ID...`."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsPathItem

from petitiondesk.core import compare, decimate
from petitiondesk.core.export import ExportError, atomic_write
from petitiondesk.gui import chart_export
from petitiondesk.gui.axes import CountAxis, FastGridAxis, LocalDateAxis
from petitiondesk.gui.chart_overlays import gap_mask
from petitiondesk.gui.format import zone_name

#: Okabe and Ito's colour-blind-safe palette (yellow last: weakest on white).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
MILESTONES = (10_000, 100_000)
MILESTONE_LABELS = ("10,000 — government response", "100,000 — considered for debate")
#: Where a milestone's label may go, in order of preference: (fraction of the view's width along
#: the line, anchor of the text: (0, 1) starts there above the line, (1, 0) ends there below it,
#: (0.5, 1) is centred there above it).
LABEL_PLACES = ((0.01, (0, 1)), (0.99, (1, 1)), (0.99, (1, 0)), (0.01, (0, 0)), (0.5, (0.5, 1)), (0.5, (0.5, 0)))
Place = tuple[float, tuple[float, int]]


def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def recording_gaps(series: compare.Series) -> np.ndarray:
    """Indices of the recorded samples after which recording stopped (`gap_mask`, as the signature
    graph): a few milliseconds for 100,000 samples, so the window keeps them per series."""
    return np.flatnonzero(gap_mask(np.asarray(series.times, dtype=float), np.asarray(series.counts)))


def split_curve(series: compare.Series, placed: tuple[np.ndarray, np.ndarray, np.ndarray],
                gaps: np.ndarray | None = None
                ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A placed curve as its dashed part and its solid part, as the window and the exports draw it.

    Dashed: the site's milestones up to the first recorded sample, and each gap in the recording
    (the app was closed: `recording_gaps`, given or found). Solid: the recorded samples, broken
    (a NaN count, x kept ascending for the curve's pyramid) where a gap is, not joined across it."""
    x, y, recorded = placed
    first = int(np.argmax(recorded)) if recorded.any() else len(x)
    solid_x, solid_y = x[first:], y[first:]
    if len(solid_x) != len(series.times):  # not the samples as recorded: nothing to break
        return (x[:first + 1], y[:first + 1]), (solid_x, solid_y)
    gaps = recording_gaps(series) if gaps is None else gaps
    after = gaps + 1
    solid = (np.insert(solid_x, after, solid_x[after]), np.insert(np.asarray(solid_y, dtype=float), after, np.nan))
    # Each gap a separate segment: NaN, then its two ends (x stays in order).
    gap_x = np.column_stack([solid_x[gaps], solid_x[gaps], solid_x[after]]).ravel()
    gap_y = np.column_stack([np.full(len(gaps), np.nan), solid_y[gaps], solid_y[after]]).ravel()
    dashed = (np.concatenate([x[:first + 1], gap_x]), np.concatenate([y[:first + 1], gap_y]))
    return dashed, solid


def label_place(view: pg.ViewBox, at: float, size: QSizeF, curves: Sequence[tuple[np.ndarray, np.ndarray]],
                log_scale: bool, avoid: QRectF) -> Place:
    """The first of LABEL_PLACES where a label `size` pixels big, on the line at `at` (view units),
    covers none of the curves (x, counts) nor `avoid` (the legend, in view units); else the first
    of those covering fewest."""
    (x_low, x_high), _ = view.viewRange()
    pixel_x, pixel_y = view.viewPixelSize()
    width, height = size.width() * pixel_x, size.height() * pixel_y
    covered = []
    for position, (ends_there, above) in LABEL_PLACES:
        left = x_low + position * (x_high - x_low) - ends_there * width
        low = at if above else at - height
        counts = (10**low, 10 ** (low + height)) if log_scale else (low, low + height)  # curves hold counts
        box = QRectF(left, low, width, height)
        covered.append(compare.curves_through(curves, (left, left + width), counts) + avoid.intersects(box))
    return LABEL_PLACES[covered.index(min(covered))]


def show_grid(item: pg.PlotItem, alpha: float = 0.12) -> None:
    """A faint grid at the two coarser levels of ticks, those the axes label: the finest level's
    lines, which no label names, crowded the curves. (Their cost in a pan, the first reason, went
    with FastGridAxis, gui/axes.py.) Called again when the window's axes are replaced."""
    item.showGrid(x=True, y=True, alpha=alpha)
    item.updateGrid()  # showGrid changes nothing when already on: new axes would be left without
    for name in ("left", "bottom"):
        item.getAxis(name).setStyle(maxTickLevel=1)


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
                 width: int, height: int, hidden: frozenset[int] = frozenset(),
                 slots: Mapping[int, int] | None = None):
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
        # The window's colours; any petition without one gets the lowest free (all, in order, for the CLI).
        slots = compare.colour_slots(slots or {}, [one.petition_id for one in series])
        self._draw(shown, series, alignment, units, log_scale, scale, slots)
        source = ("Data: petition.parliament.uk · recorded by PetitionDesk · dashed: not recorded, between counts "
                  "the site states or while PetitionDesk was closed")
        self.addItem(pg.LabelItem(html.escape(source), color=chart_export.MUTED, size=f"{max(8, 12 * scale):.0f}pt",
                                  justify="left"), row=2, col=0)
        self.show()
        QApplication.processEvents()
        self._curves_in_scene_coordinates()
        self._label_milestones()

    def _label_milestones(self) -> None:
        """The milestones in range labelled where no curve runs, as in the window."""
        view = self.plot.vb
        _, (y_low, y_high) = view.viewRange()
        legend = view.mapSceneToView(self.plot.legend.sceneBoundingRect()).boundingRect()
        for line, label in self._milestones:
            if not y_low <= line.value() <= y_high:
                self.plot.removeItem(line)
                continue
            position, anchor = label_place(view, line.value(), label.boundingRect().size(), self._placed,
                                           self._log_scale, legend)
            (x_low, x_high), _ = view.viewRange()
            label.setAnchor(anchor)
            label.setPos(x_low + position * (x_high - x_low), line.value())
            self.plot.addItem(label, ignoreBounds=True)

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

    def _draw(self, shown, every, alignment, units, log_scale, scale, slots) -> None:
        plot = self.plot
        bottom, left = axis_label(alignment, units)
        style = {"color": chart_export.INK.name(), "font-size": f"{max(9, 14 * scale):.0f}pt"}
        plot.setLabel("bottom", bottom, **style)
        plot.setLabel("left", left, **style)
        show_grid(plot, alpha=0.15)  # as in the window
        plot.hideButtons()
        plot.setMenuEnabled(False)
        legend = plot.addLegend(offset=(10, 10), labelTextColor=chart_export.INK,
                                labelTextSize=f"{max(8, 11 * scale):.0f}pt")
        legend.setBrush(pg.mkBrush(255, 255, 255, 220))
        names = compare.labels(every, limit=60)  # same titles told apart, as in the window
        for one in every:
            placed = compare.aligned(one, alignment, units)
            if one not in shown or placed is None:
                continue
            if log_scale:
                placed = (placed[0], np.maximum(placed[1], 1e-6), placed[2])
            ink = colour(slots[one.petition_id])
            dashed, solid = split_curve(one, placed)
            # Each at the page's resolution (each pixel's lowest and highest), not every sample.
            plot.plot(*decimate.for_width(*dashed, self.width()), connect="finite",
                      pen=pg.mkPen(ink, width=max(1.5, 2 * scale), style=Qt.PenStyle.DashLine))
            plot.plot(*decimate.for_width(*solid, self.width()), pen=pg.mkPen(ink, width=max(2.0, 3 * scale)),
                      connect="finite", name=html.escape(names[one.petition_id]))  # legend labels are rich text
        plot.setLogMode(y=log_scale)
        self._milestones = []
        for value, text in zip(milestone_values(units), MILESTONE_LABELS, strict=True):
            line = pg.InfiniteLine(pos=np.log10(value) if log_scale else value, angle=0,
                                   pen=pg.mkPen(chart_export.MUTED, width=1, style=Qt.PenStyle.DashLine))
            plot.addItem(line, ignoreBounds=True)
            label = pg.TextItem(text, color=chart_export.INK)
            label.setFont(chart_export._font(max(8.0, 11 * scale)))
            self._milestones.append((line, label))
        self._log_scale = log_scale
        curves = (compare.aligned(one, alignment, units) for one in shown)
        self._placed = [(c[0], c[1]) for c in curves if c is not None]  # for the labels' places


def render_image(series, alignment: str, units: str, log_scale: bool, width: int, height: int,
                 hidden: frozenset[int] = frozenset(), slots: Mapping[int, int] | None = None) -> QImage:
    figure = ComparisonFigure(series, alignment, units, log_scale, width, height, hidden, slots)
    return chart_export.figure_image(figure, width, height)


def comparison_bytes(series, suffix: str, alignment: str = "calendar", units: str = "signatures",
                     log_scale: bool = False, width: int = 1600, height: int = 900,
                     hidden: frozenset[int] = frozenset(), slots: Mapping[int, int] | None = None) -> bytes:
    """The comparison as a PNG or SVG file's bytes (by `suffix`); drawn here, written by the caller.
    `slots`: each petition's colour as the window shows it (None: in the order given)."""
    suffix = suffix.lower()
    if suffix == ".png":
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image = render_image(series, alignment, units, log_scale, width, height, hidden, slots)
        # PySide6's stubs want bytes for the format; at run time it takes only str.
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
            raise ExportError("Could not encode the comparison as PNG.")
        return bytes(data.data())
    if suffix == ".svg":
        figure = ComparisonFigure(series, alignment, units, log_scale, width, height, hidden, slots)
        try:
            return chart_export.scene_svg(figure.scene())
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


