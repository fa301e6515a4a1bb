"""The comparison window: several petitions on one chart, with a table of their figures.

It draws `core.compare.Series` it is given; loading them (a database read) is the caller's job, on
a background thread. Curves are created once per series and only re-fed when the alignment, the
units or the scale change.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core import compare
from petitiondesk.gui.axes import colour_plot, colour_threshold_line, plot_colours
from petitiondesk.gui.compare_export import (
    LABEL_PLACES,
    MILESTONE_LABELS,
    axis_label,
    colour,
    label_place,
    make_axes,
    milestone_values,
    recording_gaps,
    show_grid,
    split_curve,
)
from petitiondesk.gui.format import MISSING, format_count, format_delta, format_uk_time, plain_tooltip, zone_name
from petitiondesk.gui.lod_curve import LodCurve

CURVE_WIDTH = 2.5  # drawn 1 px wide while the view moves (gui/lod_curve.py)

HEADERS = ("Petition", "State", "Signatures", "24 h", "An hour", "Estimate", "Days left", "Days to 10k", "Days to 100k")
READOUT_HINT = "Point at the chart to read every petition at that moment."
#: After the view stops moving for this long, the milestone labels look for where curves are not.
LABEL_SETTLE_MS = 200


class CompareView(QWidget):
    """Petitions on one chart; `add_requested` when the user asks to add one (the window answers)."""

    add_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setAccessibleName("Comparison")
        self.clock = time.time
        self._series: list[compare.Series] = []
        #: Each petition's place in the palette, kept while it is compared (compare.colour_slots).
        self._slots: dict[int, int] = {}
        self._gaps: dict[int, tuple[compare.Series, np.ndarray]] = {}
        self._curves: dict[int, tuple[pg.PlotDataItem, LodCurve]] = {}
        #: Each curve on the current axes (x, y, recorded), kept for the pointer's readings.
        self._placed: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray] | None] = {}
        self._build_controls()
        self._build_plot("calendar", "signatures")
        self._build_table()
        self._build_layout()
        self._apply_palette()

    # -- construction ----------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.align_box = QComboBox(self)
        self.align_box.setAccessibleName("Align the curves by")
        for key, words in compare.ALIGNMENTS.items():
            self.align_box.addItem(words, key)
        self.units_box = QComboBox(self)
        self.units_box.setAccessibleName("Count as")
        for key, words in compare.UNITS.items():
            self.units_box.addItem(words, key)
        self.log_box = QCheckBox("Log scale", self)
        self.log_box.setAccessibleName("Logarithmic scale")
        self.add_button = QPushButton("Add Petition…", self)
        self.add_button.clicked.connect(self.add_requested)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip("Save the comparison as PNG, SVG or CSV")
        self.export_button.clicked.connect(self.export_requested)
        for control in (self.align_box, self.units_box):
            control.currentIndexChanged.connect(self._redraw)
        self.log_box.toggled.connect(self._redraw)

    def _build_plot(self, alignment: str, units: str) -> None:
        self.plot_widget = pg.PlotWidget(axisItems=make_axes(alignment, units))
        self.plot_widget.setAccessibleName("Signatures of the compared petitions")
        self._plot_axes = (alignment, units)
        item = self.plot_widget.getPlotItem()
        show_grid(item)
        item.hideButtons()
        item.setMenuEnabled(False)
        self.legend = item.addLegend(offset=(10, 10))  # clicking an entry hides or shows its curve
        # Each label goes where no curve runs (_place_milestone_labels), on the plot's background.
        self._milestone_lines = [
            pg.InfiniteLine(angle=0, movable=False, label=text,
                            labelOpts={"position": LABEL_PLACES[0][0], "anchors": [LABEL_PLACES[0][1]] * 2})
            for text in MILESTONE_LABELS
        ]
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(LABEL_SETTLE_MS)
        self._label_timer.timeout.connect(self._place_milestone_labels)
        view = item.getViewBox()
        view.sigRangeChanged.connect(self._label_timer.start)  # a restart per frame: nothing more
        view.sigResized.connect(self._label_timer.start)
        for line in self._milestone_lines:
            line.setZValue(10)  # above the curves: a curve under a label leaves it legible
            item.addItem(line, ignoreBounds=True)
        self._cross = pg.InfiniteLine(angle=90, movable=False)
        self._cross.setVisible(False)
        item.addItem(self._cross, ignoreBounds=True)
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.readout = QLabel(READOUT_HINT, self)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setWordWrap(True)
        self.readout.setAccessibleName("Values under the pointer")

    def _build_table(self) -> None:
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setAccessibleName("Figures of the compared petitions")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(buddy_label("&Align:", self.align_box, self))
        controls.addWidget(self.align_box)
        controls.addWidget(buddy_label("&Count as:", self.units_box, self))
        controls.addWidget(self.units_box)
        controls.addWidget(self.log_box)
        controls.addStretch(1)
        controls.addWidget(self.add_button)
        controls.addWidget(self.export_button)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(controls)
        top_layout.addWidget(self.plot_widget, 1)
        top_layout.addWidget(self.readout)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # -- public API ------------------------------------------------------------------------------
    def set_series(self, series: Sequence[compare.Series]) -> None:
        """Show these petitions in this order; each keeps its colour while it stays compared."""
        self._series = list(series)
        self._slots = compare.colour_slots(self._slots, [one.petition_id for one in self._series])
        self._redraw()
        self._name_curves()
        self._fill_table()

    def colour_slots(self) -> dict[int, int]:
        """Each compared petition's place in the palette (`compare_export.colour`), for exports."""
        return dict(self._slots)

    @property
    def series(self) -> list[compare.Series]:
        return list(self._series)

    @property
    def alignment(self) -> str:
        return str(self.align_box.currentData())

    @property
    def units(self) -> str:
        return str(self.units_box.currentData())

    @property
    def log_scale(self) -> bool:
        return self.log_box.isChecked()

    def hidden_ids(self) -> frozenset[int]:
        """Petitions whose curves the user switched off in the legend."""
        return frozenset(pid for pid, (_, solid) in self._curves.items() if not solid.isVisible())

    def curve_data(self, petition_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The curve of one petition (x, y as on the axes), dashed parts included; all of it, not
        only the points drawn for the range in view."""
        placed = self._placed.get(petition_id)
        return (np.empty(0), np.empty(0)) if placed is None else (placed[0], placed[1])

    # -- drawing ---------------------------------------------------------------------------------
    def _redraw(self) -> None:
        alignment, units, log_scale = self.alignment, self.units, self.log_scale
        item = self.plot_widget.getPlotItem()
        if (alignment, units) != self._plot_axes:
            item.setAxisItems(make_axes(alignment, units))
            show_grid(item)  # the grid belongs to the axes replaced
            self._plot_axes = (alignment, units)
        self._sync_curves()
        item.setLogMode(y=log_scale)
        bottom, left = axis_label(alignment, units)
        item.setLabel("bottom", bottom)
        item.setLabel("left", left)
        self._placed = {one.petition_id: compare.aligned(one, alignment, units) for one in self._series}
        self._frame(log_scale)
        for one in self._series:
            dashed, solid = self._curves[one.petition_id]
            placed = self._placed[one.petition_id]
            if placed is None:  # no opening date to align on
                dashed.setData([], [])
                solid.setData([], [])
                continue
            if log_scale:
                placed = (placed[0], np.maximum(placed[1], 1e-6), placed[2])
            # Neither part holds the other's points: half the work per frame.
            (dashed_x, dashed_y), (solid_x, solid_y) = split_curve(one, placed, self._gaps_of(one))
            dashed.setData(dashed_x, dashed_y, connect="finite")
            solid.setData(solid_x, solid_y, connect="finite")
            ink = colour(self._slots[one.petition_id])
            dashed.setPen(pg.mkPen(ink, width=1.5, style=Qt.PenStyle.DashLine))
            _show_dashed(dashed, solid)
            solid.setPen(pg.mkPen(ink, width=CURVE_WIDTH))
        for line, value in zip(self._milestone_lines, milestone_values(units), strict=True):
            line.setPos(math.log10(value) if log_scale else value)
        self._apply_palette()
        self._place_milestone_labels()

    def _gaps_of(self, one: compare.Series) -> np.ndarray:
        """The series' gaps in recording, found once per series given (not at each switch of axes)."""
        known = self._gaps.get(one.petition_id)
        if known is None or known[0] is not one:
            known = self._gaps[one.petition_id] = (one, recording_gaps(one))
        return known[1]

    def _place_milestone_labels(self) -> None:
        """Each milestone's label where no shown curve, nor the legend, runs under it (`label_place`):
        curves rise to the right, so a label fixed at the right edge hid under an open petition's
        latest counts."""
        view = self.plot_widget.getPlotItem().getViewBox()
        hidden = self.hidden_ids()
        curves = [(p[0], p[1]) for pid, p in self._placed.items() if p is not None and pid not in hidden]
        legend = view.mapSceneToView(self.legend.sceneBoundingRect()).boundingRect()
        for line in self._milestone_lines:
            position, anchor = label_place(view, line.value(), line.label.boundingRect().size(), curves,
                                           self.log_scale, legend)
            line.label.anchors = [anchor, anchor]
            line.label.setPosition(position)

    def _frame(self, log_scale: bool) -> None:
        """Fit the view to the curves, before feeding them: the curves draw the range in view at
        its resolution, and the old axes' range (seconds of calendar time after a
        switch to days, linear counts after a switch to log) would leave nothing to draw. Fitted
        once, not kept fitted (autorange): that re-fitted at every paint as the downsampled curves
        and pen widths changed, and never settled."""
        placed = [p for p in self._placed.values() if p is not None and len(p[0])]
        if not placed:
            return
        x_low, x_high = min(float(np.nanmin(p[0])) for p in placed), max(float(np.nanmax(p[0])) for p in placed)
        y_low, y_high = min(float(np.nanmin(p[1])) for p in placed), max(float(np.nanmax(p[1])) for p in placed)
        if log_scale:
            y_low, y_high = math.log10(max(y_low, 1e-6)), math.log10(max(y_high, 1e-6))
        self.plot_widget.getPlotItem().setRange(xRange=(x_low, max(x_high, x_low + 1)),
                                                yRange=(y_low, max(y_high, y_low + 1e-6)), padding=0.02)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        """The window's own colours (light or dark), as the signature graph uses."""
        colours = plot_colours(self.palette())
        colour_plot(self.plot_widget, colours)
        backdrop = QColor(colours.background)
        backdrop.setAlpha(210)  # a curve under a label still shows through, faintly
        for line in self._milestone_lines:
            colour_threshold_line(line, colours)
            line.label.fill = pg.mkBrush(backdrop)
            line.label.update()
        self.legend.setLabelTextColor(colours.text)
        self._cross.setPen(pg.mkPen(colours.muted, style=Qt.PenStyle.DotLine))

    def _sync_curves(self) -> None:
        item = self.plot_widget.getPlotItem()
        wanted = {one.petition_id for one in self._series}
        for pid in [pid for pid in self._curves if pid not in wanted]:
            for curve in self._curves.pop(pid):
                item.removeItem(curve)
            self._placed.pop(pid, None)
            self._gaps.pop(pid, None)
        for one in self._series:
            if one.petition_id not in self._curves:
                dashed = item.plot([], [])  # the site's few milestones up to the first sample
                # The recorded samples, drawn at the view's resolution (gui/lod_curve.py).
                solid = LodCurve(name="")  # named by _name_curves: a name depends on the others
                item.addItem(solid)
                solid.visibleChanged.connect(lambda d=dashed, s=solid: _show_dashed(d, s))
                self._curves[one.petition_id] = (dashed, solid)

    def _name_curves(self) -> None:
        """Each legend entry: the petition's title, told apart from a same-titled one by its number
        and year; its tooltip says more (an archived petition's earlier parliament)."""
        names = compare.labels(self._series, limit=60)
        by_item = {solid: one for one in self._series for solid in self._curves[one.petition_id][1:]}
        for sample, label in self.legend.items:
            one = by_item.get(sample.item)
            if one is None:
                continue
            label.setText(html.escape(names[one.petition_id]))  # legend labels are rich text
            label.setToolTip(plain_tooltip(_about(one)))

    def _fill_table(self) -> None:
        now = float(self.clock())
        names = compare.labels(self._series)
        self.table.setRowCount(len(self._series))
        for number, one in enumerate(self._series):
            row = compare.table_row(one, now)
            cells = (names[one.petition_id], row.state or MISSING, format_count(row.count),
                     format_delta(row.change_24h), _rate(row.rate_per_hour), format_count(row.estimate),
                     _days(row.days_left), _days(row.days_to_10k), _days(row.days_to_100k))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 0:
                    cell.setForeground(pg.mkColor(colour(self._slots[one.petition_id])))
                    cell.setToolTip(plain_tooltip(_about(one)))
                elif column > 1:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(number, column, cell)

    # -- reading ---------------------------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        view = self.plot_widget.getPlotItem().getViewBox()
        if not self._series or not view.sceneBoundingRect().contains(scene_pos):
            self._cross.setVisible(False)
            self.readout.setText(READOUT_HINT)
            return
        x = view.mapSceneToView(scene_pos).x()
        self._cross.setPos(x)
        self._cross.setVisible(True)
        self.readout.setText(self.reading_text(x))

    def reading_text(self, x: float) -> str:
        """Every visible curve's value at x, saying where it is only known between milestones."""
        alignment, units = self.alignment, self.units
        if alignment == "calendar":
            from datetime import UTC, datetime

            when = f"{format_uk_time(datetime.fromtimestamp(x, UTC))} ({zone_name()})"
        else:
            when = f"Day {x:,.1f}"
        parts = []
        names = compare.labels(self._series, limit=40)
        for one in self._series:
            if one.petition_id in self.hidden_ids():
                continue
            placed = self._placed.get(one.petition_id)
            reading = compare.read_at(*placed, x) if placed is not None else None
            if reading is None:
                continue
            value = f"{reading.value * 100:.1f}%" if units == "share" else format_count(reading.value)
            approx = " (between known points)" if reading.between_known else ""
            parts.append(f"{names[one.petition_id]}: {value}{approx}")
        return f"{when} · " + (" · ".join(parts) if parts else "no curve here")


def _about(one: compare.Series) -> str:
    """A petition's tooltip: its whole title, number, opening and state (plain text)."""
    petition = one.petition
    facts = [f"Petition {one.petition_id}"]
    opened = petition and (petition.opened_at or petition.created_at)
    if opened:
        facts.append(f"opened {opened.day} {opened:%b %Y}")
    state = compare.state_text(petition)
    if state:
        facts.append(state)
    if petition is not None and petition.archived and petition.parliament and petition.parliament.period:
        facts.append(f"parliament of {petition.parliament.period}")
    return f"{one.title}\n" + " · ".join(facts)


def _show_dashed(dashed: pg.PlotDataItem, solid: LodCurve) -> None:
    """The dashed part shows with its curve, and only when it has a line to draw: an item with
    nothing to draw still costs each frame of a pan (0.8 ms for ten: bench/bench_compare.py)."""
    x, _ = dashed.getData()
    dashed.setVisible(solid.isVisible() and x is not None and len(x) > 1)


def _rate(value: float | None) -> str:
    if value is None:
        return MISSING
    return "under 1" if 0 < value < 1 else format_count(value)


def _days(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def buddy_label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    """A label whose &-mnemonic focuses `buddy` (PySide6's stubs lack the buddy= keyword)."""
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label
