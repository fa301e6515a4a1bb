"""The constituency map as a publication-ready picture: PNG at a chosen size, SVG as vectors.

One painter function draws the page (title, subtitle, the hexes, a legend, the source line) in
page coordinates, with no transforms and no cosmetic pens, so that QSvgGenerator and a QImage get
exactly the same drawing. Text is drawn with QPainter.drawText: a petition's title is never
interpreted as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPolygonF

from petitiondesk.core.export import ExportError, atomic_write, uk_total
from petitiondesk.core.hexmap import (
    MAP_SOURCE,
    MODE_LABELS,
    SIGNATURES,
    Colouring,
    HexMap,
    colour_petition,
    hex_corners,
)
from petitiondesk.core.models import Petition
from petitiondesk.gui.chart_export import INK, MUTED, _check_size, _elide, _font, _when
from petitiondesk.gui.format import format_count, to_uk, zone_name
from petitiondesk.gui.map_view import HEX_FILL, legend_labels

DEFAULT_WIDTH, DEFAULT_HEIGHT = 1400, 1600
EMPTY = QColor("#d0d7de")
UNKNOWN_LISTED = 20


@dataclass(frozen=True)
class MapSpec:
    title: str
    subtitle: str
    hexmap: HexMap
    colours: Mapping[str, str]
    legend_title: str
    legend: tuple[tuple[str, str], ...]  # (colour, label)
    source: str
    mine: str | None = None
    unknown: tuple[str, ...] = ()  # the document's codes on neither map: listed under the legend


def map_spec(petition: Petition, mode: str = SIGNATURES, baseline: Mapping[str, int] | None = None,
             mine: str | None = None, as_of: datetime | None = None) -> MapSpec:
    """What an exported map of `petition` shows; the same colouring as the window's map."""
    rows = petition.signatures_by_constituency or ()
    in_uk = uk_total(petition.signatures_by_country, rows)
    colouring = colour_petition(rows, in_uk, mode, dict(baseline) if baseline is not None else None)
    return MapSpec(
        title=petition.action or f"Petition {petition.id}",
        subtitle=f"Petition {petition.id} · {format_count(in_uk)} signatures from the UK · "
                 f"{colouring.choice.hexmap.label}",
        hexmap=colouring.choice.hexmap,
        colours=colouring.colours(),
        legend_title=MODE_LABELS[colouring.mode],
        legend=tuple(legend_labels(colouring)),
        source=_source_line(colouring, as_of or petition.updated_at),
        mine=mine,
        unknown=colouring.choice.unknown,
    )


def _source_line(colouring: Colouring, as_of: datetime | None) -> str:
    text = "Data: petition.parliament.uk"
    if as_of is not None:
        text += f", {_when(to_uk(as_of))} ({zone_name()})"
    text += f" · {MAP_SOURCE} · PetitionDesk"
    unknown = colouring.choice.unknown
    if unknown:
        text += f" · {len(unknown)} constituency code(s) not on this map"
    return text


def paint_map(painter: QPainter, spec: MapSpec, width: float, height: float) -> None:
    """Draw the whole page into (0, 0, width, height)."""
    unit = min(width, height) / 1000
    margin = 40 * unit
    painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    top = margin + _text(painter, spec.title and _elide(spec.title, 160),
                         QRectF(margin, margin, width - 2 * margin, 120 * unit), 26 * unit, INK, bold=True)
    top += 8 * unit + _text(painter, spec.subtitle, QRectF(margin, top + 8 * unit, width - 2 * margin, 40 * unit),
                            16 * unit, MUTED)
    source_height = 30 * unit
    legend_width = 0.28 * width
    area = QRectF(margin, top + 20 * unit, width - 3 * margin - legend_width,
                  height - top - 20 * unit - source_height - 2 * margin)
    _draw_hexes(painter, spec, area)
    _draw_legend(painter, spec, QRectF(area.right() + margin, area.top(), legend_width, area.height()), unit)
    _text(painter, spec.source, QRectF(margin, height - margin - source_height, width - 2 * margin, source_height),
          12 * unit, MUTED)


def _text(painter: QPainter, text: str, rect: QRectF, pixels: float, colour: QColor, bold: bool = False) -> float:
    """Plain, wrapped text in `rect`; returns the height it took."""
    font = _font(1)
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    painter.setFont(font)
    painter.setPen(colour)
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    used = painter.boundingRect(rect, flags, text)
    painter.drawText(rect, flags, text)
    return min(used.height(), rect.height())


def _draw_hexes(painter: QPainter, spec: MapSpec, area: QRectF) -> None:
    left, top, right, bottom = spec.hexmap.bounds()
    scale = min(area.width() / (right - left), area.height() / (bottom - top))
    offset_x = area.left() + (area.width() - (right - left) * scale) / 2
    offset_y = area.top() + (area.height() - (bottom - top) * scale) / 2
    painter.setPen(Qt.PenStyle.NoPen)
    mine = None
    for code, place in spec.hexmap.hexes.items():
        x, y = place.centre
        polygon = QPolygonF([QPointF(offset_x + (px - left) * scale, offset_y + (py - top) * scale)
                             for px, py in hex_corners(x, y, HEX_FILL)])
        colour = spec.colours.get(code)
        painter.setBrush(QBrush(QColor(colour) if colour else EMPTY))
        painter.drawPolygon(polygon)
        if code == spec.mine:
            mine = polygon
    if mine is not None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for outline, width in ((QColor("white"), 0.45), (INK, 0.2)):  # readable on dark and light seats
            painter.setPen(QPen(outline, max(1.0, scale * width)))
            painter.drawPolygon(mine)


def _draw_legend(painter: QPainter, spec: MapSpec, rect: QRectF, unit: float) -> None:
    y = rect.top() + _text(painter, spec.legend_title, QRectF(rect.left(), rect.top(), rect.width(), 80 * unit),
                           16 * unit, INK, bold=True) + 12 * unit
    box = 24 * unit
    for colour, label in (*spec.legend, ("", "No data")):
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(colour) if colour else EMPTY))
        painter.drawRect(QRectF(rect.left(), y, box, box))
        _text(painter, label, QRectF(rect.left() + box + 10 * unit, y, rect.width() - box, box + 10 * unit),
              15 * unit, INK)
        y += box + 10 * unit
    y += 6 * unit + _text(painter, "Classes hold about as many constituencies each (quantiles).",
                          QRectF(rect.left(), y + 6 * unit, rect.width(), 80 * unit), 12 * unit, MUTED)
    if spec.unknown:
        shown = ", ".join(spec.unknown[:UNKNOWN_LISTED])
        more = f" and {len(spec.unknown) - UNKNOWN_LISTED} more" if len(spec.unknown) > UNKNOWN_LISTED else ""
        _text(painter, f"Not on this map ({len(spec.unknown)}): {shown}{more}.",
              QRectF(rect.left(), y + 12 * unit, rect.width(), rect.bottom() - y - 12 * unit), 12 * unit, MUTED)


def render_image(spec: MapSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> QImage:
    _check_size(width, height)
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        paint_map(painter, spec, width, height)
    finally:
        painter.end()
    return image


def png_bytes(spec: MapSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stubs want bytes for the format; at run time it takes only str.
    if not render_image(spec, width, height).save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ExportError("Could not encode the map as PNG.")
    return bytes(data.data())


def svg_bytes(spec: MapSpec, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    from PySide6.QtSvg import QSvgGenerator  # only when exporting

    _check_size(width, height)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle(spec.title)
    generator.setDescription(spec.source)
    painter = QPainter(generator)
    try:
        paint_map(painter, spec, width, height)
    finally:
        painter.end()
    return bytes(data.data())


def map_bytes(spec: MapSpec, path: Path, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """PNG or SVG by the suffix of `path` (drawn here, on the GUI thread: Qt paints there)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        return png_bytes(spec, width, height)
    if suffix == ".svg":
        return svg_bytes(spec, width, height)
    raise ExportError(f"Cannot export a map as '{suffix or Path(path).name}': use .png or .svg.")


def export_map(spec: MapSpec, path: Path, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> None:
    """Draw and write in one go (the command line); all or nothing (see `atomic_write`)."""
    data = map_bytes(spec, path, width, height)
    atomic_write(Path(path), lambda file: file.write(data))


