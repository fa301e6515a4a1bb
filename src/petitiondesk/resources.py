"""Finds the files shipped with PetitionDesk: the icons, the hex maps, the desktop entry and the metainfo.

They live in three places, depending on how the app runs:

- installed from a wheel: inside the package, as `petitiondesk/assets/` (pyproject maps the
  repository's `resources/` there, and `packaging/linux/` to `petitiondesk/assets/linux/`);
- frozen by PyInstaller: the same layout under `sys._MEIPASS` (the spec copies it there);
- a source checkout or an editable install: `resources/` and `packaging/linux/` in the repository.

Imports no Qt, so the command line and the desktop-entry installer can use it without a display.
"""

from __future__ import annotations

import sys
from pathlib import Path

from petitiondesk import APP_ID

#: Pixel sizes of the rendered PNG icons (packaging/render-icons.py renders exactly these).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "petitiondesk"
#: Boundary years of the vendored constituency hex maps (resources/maps/README.md).
HEXMAP_YEARS = (2024, 2010)

#: The folder inside the package (and inside a frozen bundle) that holds the shipped files.
ASSETS_DIR = "assets"
#: The subfolder of the assets that comes from packaging/linux in the repository.
LINUX_DIR = "linux"

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPOSITORY = _PACKAGE_DIR.parents[1]


def resource_path(*parts: str) -> Path:
    """The shipped file or folder at `parts` (e.g. `"icons", "petitiondesk.svg"`).

    Raises FileNotFoundError, naming every place looked in, when it is nowhere.
    """
    if not parts:
        raise ValueError("resource_path needs at least one part")
    candidates = [root.joinpath(*parts) for root in _installed_roots()]
    candidates.append(_source_path(parts))
    for candidate in candidates:
        if candidate.exists():
            return candidate
    looked = ", ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(f"PetitionDesk resource {'/'.join(parts)} not found (looked in {looked})")


def app_icon_path(size: int | None = None) -> Path:
    """The application icon: the scalable SVG, or with `size` the smallest PNG at least that big
    (the largest there is when `size` exceeds them all)."""
    if size is None:
        return resource_path("icons", f"{ICON_NAME}.svg")
    if size <= 0:
        raise ValueError(f"icon size must be positive, not {size}")
    chosen = next((available for available in ICON_SIZES if available >= size), ICON_SIZES[-1])
    return png_icon_path(chosen)


def png_icon_path(size: int) -> Path:
    """The rendered PNG of exactly `size` pixels (one of ICON_SIZES)."""
    return resource_path("icons", "png", f"{ICON_NAME}-{size}.png")


def hexmap_path(year: int = 2024) -> Path:
    """The HexJSON of the 650 constituencies drawn for `year`'s boundaries (2024, or 2010 for 2010-2019)."""
    if year not in HEXMAP_YEARS:
        raise ValueError(f"no constituency hex map for {year}; there are maps for {HEXMAP_YEARS}")
    return resource_path("maps", f"uk-constituencies-{year}.hexjson")


def linux_file(suffix: str) -> Path:
    """`packaging/linux/<APP_ID><suffix>`, e.g. `linux_file(".metainfo.xml")`."""
    return resource_path(LINUX_DIR, f"{APP_ID}{suffix}")


def _installed_roots() -> list[Path]:
    roots = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        roots.append(Path(frozen_root) / "petitiondesk" / ASSETS_DIR)
    roots.append(_PACKAGE_DIR / ASSETS_DIR)
    return roots


def _source_path(parts: tuple[str, ...]) -> Path:
    # In the repository the Linux files sit with the rest of the packaging, not under resources/.
    if parts[0] == LINUX_DIR:
        return _REPOSITORY.joinpath("packaging", *parts)
    return _REPOSITORY.joinpath("resources", *parts)
