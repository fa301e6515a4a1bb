"""The constituency hex map in the Signatures tab: colour by mode, hover, click, find, legend.

`HexMapView` is a QGraphicsView of one polygon per seat, built once per map (2024 or 2010 seats)
and kept: switching petitions or modes, or a refresh, only changes brushes. Vector items and a
view that fits the scene on resize keep it crisp at any size. Colours of the background, the empty
seats and the outlines come from the palette, so a dark theme gets a dark map.

Tooltips are composed on hover from the record the map was given, and shown as escaped text:
names and MPs from the network are never interpreted as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSignalBlocker, QStringListModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core.hexmap import (
    CHANGE,
    MAP_SOURCE,
    MAP_YEARS,
    MODE_LABELS,
    PER_1000,
    SHARE,
    SIGNATURES,
    Colouring,
    HexMap,
    available_modes,
    colour_petition,
    hex_corners,
    load_hexmap,
)
from petitiondesk.core.models import ConstituencySignatures
from petitiondesk.gui.format import format_count, format_delta, format_percent, plain_tooltip

HEX_FILL = 0.93  # each hex drawn a little smaller than its cell: the gaps outline the seats
SEAT_ABOLISHED = "seat abolished"
NO_MP = "no MP recorded"
_HEX_Z, _SELECTED_Z, _MINE_Z = 0, 2, 3


def format_share(fraction: float | None) -> str:
    """Shares of one seat are small (1/650 is 0.15%): enough decimals that quantile classes differ."""
    if fraction is None or fraction >= 0.01 or fraction == 0:
        return format_percent(fraction)
    if fraction < 0.00001:
        return "<0.001%"
    return f"{fraction * 100:.{2 if fraction >= 0.001 else 3}f}%"


def format_value(mode: str, value: float | None) -> str:
    if mode == SHARE:
        return format_share(value)
    if mode == PER_1000:
        return "—" if value is None else f"{value:,.1f}"
    if mode == CHANGE:
        return format_delta(value)
    return format_count(value)


def legend_labels(colouring: Colouring) -> list[tuple[str, str]]:
    """(colour, "low – high") for each class of the scale, in the mode's own units."""
    labels = []
    for entry in colouring.scale.legend:
        low, high = format_value(colouring.mode, entry.low), format_value(colouring.mode, entry.high)
        labels.append((entry.colour, low if low == high else f"{low} – {high}"))
    return labels


def mp_text(row: ConstituencySignatures | None, code: str) -> str:
    """The MP as the document gives it; a null MP on a seat no longer drawn is an abolished seat."""
    if row is not None and row.mp:
        return row.mp
    return NO_MP if code in load_hexmap(2024).hexes else SEAT_ABOLISHED


class HexMapView(QGraphicsView):
    """The seats of one hex map; `constituency_clicked` carries the ONS code of a clicked seat."""

    constituency_clicked = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Constituency map")
        self.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setMinimumSize(100, 90)
        self._scenes: dict[int, tuple[QGraphicsScene, dict[str, QGraphicsPolygonItem]]] = {}
        # Scenes part-built by prepare(seats=...): the seats still to add.
        self._building: dict[int, tuple[QGraphicsScene, dict[str, QGraphicsPolygonItem], list]] = {}
        self._items: dict[str, QGraphicsPolygonItem] = {}
        self._hexmap: HexMap | None = None
        self._colours: dict[str, str] = {}
        self._brushes: dict[str, QBrush] = {}
        self._selected = self._outline(_SELECTED_Z)
        self._mine = self._outline(_MINE_Z)
        self.selected_code: str | None = None
        self.mine_code: str | None = None
        #: code -> tooltip text (plain); set by the panel, called only on hover.
        self.describe: Callable[[str], str] = lambda code: code
        self.builds = 0  # scenes built so far (a refresh must not add to it)

    # -- content ---------------------------------------------------------------------------------
    @property
    def hexmap(self) -> HexMap | None:
        return self._hexmap

    def set_map(self, hexmap: HexMap) -> None:
        """Show `hexmap`; its scene is built on first use and kept for next time."""
        if self._hexmap is hexmap:
            return
        self.prepare(hexmap)
        scene, self._items = self._scenes[hexmap.year]
        for outline in (self._selected, self._mine):
            if outline.scene() is not None:
                outline.scene().removeItem(outline)
            scene.addItem(outline)
        self._hexmap = hexmap
        self._colours = {}
        self.setScene(scene)
        self._apply_palette()
        self._fit()
        self.set_selected(self.selected_code)
        self.set_mine(self.mine_code)

    def prepare(self, hexmap: HexMap, seats: int | None = None) -> bool:
        """Build `hexmap`'s scene if it was never built, so that showing it later costs only its
        colours; at most `seats` more seats now (all if None: 650 seats take 10-15 ms, so a caller
        may spread them over turns of the event loop). True once the scene is whole."""
        if hexmap.year in self._scenes:
            return True
        scene, items, todo = self._building.setdefault(
            hexmap.year, (self._new_scene(hexmap), {}, list(hexmap.hexes.items())))
        now = len(todo) if seats is None else max(seats, 0)
        for code, place in todo[:now]:
            items[code] = self._add_seat(scene, code, *place.centre)
        del todo[:now]
        if todo:
            return False
        del self._building[hexmap.year]
        self._scenes[hexmap.year] = (scene, items)
        self.builds += 1
        return True

    def set_colours(self, colours: dict[str, str]) -> None:
        """Fill each seat with its colour ("#rrggbb"); a seat left out is drawn as having no data."""
        empty = self._empty_brush()
        for code, item in self._items.items():
            colour = colours.get(code)
            if colour != self._colours.get(code) or colour is None:
                item.setBrush(self._brush(colour) if colour else empty)
        self._colours = dict(colours)

    def colour_of(self, code: str) -> str | None:
        return self._colours.get(code)

    def set_selected(self, code: str | None) -> None:
        self.selected_code = code
        self._place_outline(self._selected, code)

    def set_mine(self, code: str | None) -> None:
        self.mine_code = code
        self._place_outline(self._mine, code)

    def code_at(self, position: QPointF) -> str | None:
        item = self.itemAt(position.toPoint())
        return item.data(0) if isinstance(item, QGraphicsPolygonItem) and item.data(0) else None

    def centre_of(self, code: str) -> QPointF:
        """Where a seat is, in viewport coordinates (tests click there)."""
        return QPointF(self.mapFromScene(self._items[code].polygon().boundingRect().center()))

    # -- Qt events -------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def mousePressEvent(self, event) -> None:
        code = self.code_at(event.position())
        if code and event.button() == Qt.MouseButton.LeftButton:
            self.set_selected(code)
            self.constituency_clicked.emit(code)
            return
        super().mousePressEvent(event)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            code = self.code_at(QPointF(event.pos()))
            if code:
                QToolTip.showText(event.globalPos(), plain_tooltip(self.describe(code)), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()

    # -- helpers ---------------------------------------------------------------------------------
    def _new_scene(self, hexmap: HexMap) -> QGraphicsScene:
        scene = QGraphicsScene(self)
        left, top, right, bottom = hexmap.bounds()
        scene.setSceneRect(QRectF(left, top, right - left, bottom - top))
        return scene

    @staticmethod
    def _add_seat(scene: QGraphicsScene, code: str, x: float, y: float) -> QGraphicsPolygonItem:
        item = QGraphicsPolygonItem(_polygon(x, y, HEX_FILL))
        item.setPen(Qt.PenStyle.NoPen)
        item.setData(0, code)
        item.setZValue(_HEX_Z)
        scene.addItem(item)
        return item

    def _outline(self, z: int) -> QGraphicsPolygonItem:
        item = QGraphicsPolygonItem()
        item.setBrush(Qt.BrushStyle.NoBrush)
        item.setZValue(z)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        item.setVisible(False)
        return item

    def _place_outline(self, outline: QGraphicsPolygonItem, code: str | None) -> None:
        item = self._items.get(code) if code else None
        outline.setVisible(item is not None)
        if item is not None:
            outline.setPolygon(item.polygon())

    def _apply_palette(self) -> None:
        palette = self.palette()
        self.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        selected = QPen(palette.color(QPalette.ColorRole.Highlight), 3)
        mine = QPen(palette.color(QPalette.ColorRole.Text), 2.5, Qt.PenStyle.DashLine)
        for outline, pen in ((self._selected, selected), (self._mine, mine)):
            pen.setCosmetic(True)  # the same pixels at any zoom
            outline.setPen(pen)
        empty = self._empty_brush()
        for code, item in self._items.items():
            if code not in self._colours:
                item.setBrush(empty)

    def _empty_brush(self) -> QBrush:
        return QBrush(self.palette().color(QPalette.ColorRole.Mid))

    def _brush(self, colour: str) -> QBrush:
        brush = self._brushes.get(colour)
        if brush is None:
            brush = self._brushes[colour] = QBrush(QColor(colour))
        return brush

    def _fit(self) -> None:
        if self.scene() is not None:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


def _polygon(x: float, y: float, radius: float) -> QPolygonF:
    return QPolygonF([QPointF(px, py) for px, py in hex_corners(x, y, radius)])


class MapPanel(QWidget):
    """The map with its mode selector, "find my constituency", legend and notes."""

    #: A seat was clicked on the map (its ONS code).
    constituency_clicked = Signal(str)
    #: The user chose their constituency (its ONS code).
    mine_chosen = Signal(str)
    export_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = HexMapView(self)
        self.view.describe = self.describe
        self.view.constituency_clicked.connect(self.constituency_clicked)
        self.mode_box = QComboBox()
        self.mode_box.setAccessibleName("Colour the map by")
        self.mode_box.currentIndexChanged.connect(self._on_mode_chosen)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find my constituency…")
        self.find_edit.setAccessibleName("Find my constituency")
        self.find_edit.setClearButtonEnabled(True)
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self.find)
        self.find_edit.setCompleter(completer)
        self.find_edit.returnPressed.connect(lambda: self.find(self.find_edit.text()))
        self.export_button = QPushButton("Export map…")
        self.export_button.setToolTip("Save the map as PNG or SVG, with its title, legend and source")
        self.export_button.clicked.connect(self.export_requested)
        self.legend = _small_label(self, "Map legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)  # composed here from numbers and colours only
        self.note = _small_label(self, "Map notes")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        # The controls are one row that the owner places (above the map and the tables, where a
        # short pane has the width for them); the map keeps the height.
        self.controls = QWidget()
        controls = QHBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Map:")
        title.setTextFormat(Qt.TextFormat.PlainText)
        controls.addWidget(title)
        controls.addWidget(self.mode_box)
        controls.addWidget(self.find_edit, 1)
        controls.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.note)

        self._rows: dict[str, ConstituencySignatures] = {}
        self._uk_total = 0
        self._baseline: dict[str, int] | None = None
        self._mode = SIGNATURES
        self.colouring: Colouring | None = None
        self._mine_name: str | None = None

    # -- public API ------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    def show_constituencies(self, rows, uk_total: int, baseline: dict[str, int] | None) -> None:
        """Colour the map for these rows (a refresh of the same petition only recolours)."""
        self._rows = {row.ons_code: row for row in rows or ()}
        self._uk_total = uk_total
        self._baseline = baseline
        self._recolour()

    def set_mode(self, mode: str) -> None:
        if mode in MODE_LABELS:
            self._mode = mode
            self._recolour()

    def find(self, text: str) -> str | None:  # type: ignore[override]  # QWidget.find(WId) is not used here
        """Outline the seat whose name matches `text` (exactly, else the one name containing it)."""
        wanted = text.strip()
        matches = self._codes_named(wanted)
        if len(matches) != 1:
            self.note.setText(
                f"{len(matches)} constituencies match {wanted!r}: choose one from the list." if matches
                else f"No constituency on this map is called {wanted!r}." if wanted else "")
            return None
        self.set_mine(matches[0])
        self.mine_chosen.emit(matches[0])
        return matches[0]

    def set_mine(self, code: str | None) -> None:
        """The user's own seat, outlined on every petition; on the other era's map, the seat of the
        same name (when there is one)."""
        places = [load_hexmap(year).hexes.get(code) for year in MAP_YEARS] if code else []
        self._mine_name = next((place.name for place in places if place), None)
        hexmap = self.view.hexmap
        if hexmap is not None and code not in hexmap.hexes and self._mine_name:
            code = next(iter(self._codes_named(self._mine_name, exact=True)), code)
        self.view.set_mine(code)

    def set_selected(self, code: str | None) -> None:
        self.view.set_selected(code)

    def describe(self, code: str) -> str:
        """The hover text of a seat: plain text, whatever the network sent."""
        hexmap = self.view.hexmap
        row = self._rows.get(code)
        name = row.name if row else (hexmap.hexes[code].name if hexmap and code in hexmap.hexes else code)
        lines = [name, f"MP: {mp_text(row, code)}"]
        if row is None:
            lines.append("No signatures recorded here")
            return "\n".join(lines)
        share = row.signature_count / self._uk_total if self._uk_total else None
        lines.append(f"Signatures: {format_count(row.signature_count)} ({format_share(share)} of the UK's)")
        place = hexmap.hexes.get(code) if hexmap else None
        if place is not None and place.electorate:
            lines.append(f"Per 1,000 electors: {1000 * row.signature_count / place.electorate:,.1f}")
        if self._baseline is None:
            lines.append("Last 24 hours: not recorded yet")
        else:
            lines.append(f"Last 24 hours: {format_delta(row.signature_count - self._baseline.get(code, 0))}")
        return "\n".join(lines)

    # -- helpers ---------------------------------------------------------------------------------
    def _recolour(self) -> None:
        colouring = colour_petition(self._rows.values(), self._uk_total, self._mode, self._baseline)
        self.colouring = colouring
        hexmap = colouring.choice.hexmap
        if hexmap is not self.view.hexmap:
            self._names.setStringList(sorted(h.name for h in hexmap.hexes.values()))
        self.view.set_map(hexmap)
        if self._mine_name and self.view.mine_code not in hexmap.hexes:
            self.view.set_mine(next(iter(self._codes_named(self._mine_name, exact=True)), None))
        self.view.set_colours(colouring.colours())
        self._update_modes(available_modes(hexmap, self._baseline is not None), colouring.mode)
        self.legend.setText(_legend_html(colouring))
        self.note.setText(_note(colouring))
        unknown = colouring.choice.unknown
        listed = f"\nCodes not on this map:\n{chr(10).join(unknown)}" if unknown else ""
        self.note.setToolTip(plain_tooltip(f"{MAP_SOURCE}{listed}"))

    def _update_modes(self, modes: tuple[str, ...], current: str) -> None:
        shown = tuple(self.mode_box.itemData(i) for i in range(self.mode_box.count()))
        with QSignalBlocker(self.mode_box):
            if shown != modes:
                self.mode_box.clear()
                for mode in modes:
                    self.mode_box.addItem(MODE_LABELS[mode], mode)
            self.mode_box.setCurrentIndex(modes.index(current))

    def _on_mode_chosen(self, index: int) -> None:
        mode = self.mode_box.itemData(index)
        if mode and mode != self._mode:
            self.set_mode(mode)

    def _codes_named(self, text: str, exact: bool = False) -> list[str]:
        """The seats called `text` (any case); failing that, unless `exact`, those whose name contains it."""
        hexmap = self.view.hexmap
        if not text or hexmap is None:
            return []
        wanted = text.casefold()
        same = [code for code, h in hexmap.hexes.items() if h.name.casefold() == wanted]
        if same or exact:
            return same
        return [code for code, h in hexmap.hexes.items() if wanted in h.name.casefold()]


def _small_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.85)
    label.setFont(font)
    return label


def _legend_html(colouring: Colouring) -> str:
    """One swatch per quantile class; the words stay together so that a narrow map wraps between them."""
    if not colouring.scale.legend:
        return html.escape("No constituency data to colour the map with.")
    swatches = " ".join(f"<span style='color:{colour}'>&#11042;</span>&nbsp;{html.escape(label).replace(' ', '&nbsp;')}"
                        for colour, label in legend_labels(colouring))
    return f"Quantiles: {swatches}"


def _note(colouring: Colouring) -> str:
    """The map's era, and how many of the document's codes are on neither map (listed in the tooltip:
    the pane is short, and the constituency table still shows their rows)."""
    unknown = colouring.choice.unknown
    text = colouring.choice.hexmap.label
    if unknown:
        text += f" · {len(unknown)} not on this map: {unknown[0]}" + (", …" if len(unknown) > 1 else "")
    return text
