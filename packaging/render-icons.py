#!/usr/bin/env python3
"""Renders resources/icons/petitiondesk.svg to the PNG, .ico and .icns icons next to it.

Run after editing the SVG, then commit the results (builds use them and never render):

    .venv/bin/python packaging/render-icons.py

Qt (QSvgRenderer) draws the PNGs. The .ico and .icns containers are written here by hand: Qt's own
writers for both formats hold one image per file, and both containers need several sizes.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "src"))

from petitiondesk.resources import ICON_NAME, ICON_SIZES  # noqa: E402

ICONS = REPOSITORY / "resources" / "icons"
SOURCE = ICONS / f"{ICON_NAME}.svg"

#: Windows shows 16..256; larger entries only bloat the executable.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: Apple's icon types that hold PNG data, with their pixel sizes (the @2x ones are for Retina).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"Qt could not encode the {size}px PNG")
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO holding PNG-compressed entries (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    directory, images = b"", b""
    offset = 6 + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + directory + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    entries = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                       for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(entries)) + entries


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (Qt's image plugins need it)
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"not a valid SVG: {SOURCE}", file=sys.stderr)
        return 1
    wanted = sorted(set(ICON_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(renderer, size) for size in wanted}

    png_dir = ICONS / "png"
    png_dir.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        _write(png_dir / f"{ICON_NAME}-{size}.png", pngs[size])
    _write(ICONS / f"{ICON_NAME}.ico", ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    _write(ICONS / f"{ICON_NAME}.icns", icns_bytes(pngs))
    return 0


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"{path.relative_to(REPOSITORY)}  {len(data):,} bytes")


if __name__ == "__main__":
    raise SystemExit(main())
