"""What ships: icons, the desktop entry and metainfo, the wheel's and the bundle's resource layout.

The PyInstaller build itself is too slow for every run; CI runs packaging/build-bundle.sh.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtSvg import QSvgRenderer

from petitiondesk import APP_ID, __version__, resources
from petitiondesk.resources import ICON_SIZES, app_icon_path, png_icon_path, resource_path

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGING = REPOSITORY / "packaging"
ICONS = REPOSITORY / "resources" / "icons"
DESKTOP_FILE = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))


def pixels(image: QImage) -> np.ndarray:
    """Height x width x 4 array of the image as straight (not premultiplied) ARGB."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    data = np.frombuffer(bytes(image.constBits()), dtype=np.uint8)
    return data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()]


def png_size(data: bytes) -> tuple[int, int]:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull(), "an entry is not a readable PNG"
    return image.width(), image.height()


# ---------------------------------------------------------------------------------------------
# Desktop entry and metainfo


def test_desktop_file_passes_desktop_file_validate():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "error" not in output and "warning" not in output, output


def test_metainfo_passes_appstreamcli_validate():
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_metainfo_and_app_share_one_id():
    keys = dict(line.split("=", 1) for line in DESKTOP_FILE.read_text().splitlines() if "=" in line)
    component = ElementTree.parse(METAINFO).getroot()

    assert APP_ID == "uk.petitiondesk.PetitionDesk"
    assert keys["Icon"] == APP_ID
    assert component.findtext("id") == APP_ID
    launchable = component.find("launchable")
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE.name
    # The template's Exec names the launcher that pip installs.
    assert keys["Exec"] in PYPROJECT["project"]["gui-scripts"]


def test_metainfo_describes_this_release_and_its_licences():
    component = ElementTree.parse(METAINFO).getroot()

    releases = component.findall("releases/release")
    assert releases[0].get("version") == __version__
    assert releases[0].get("date") == "2026-11-28"
    assert component.findtext("project_license") == "MIT"
    assert component.findtext("metadata_license") == "CC0-1.0"
    assert component.find("url[@type='homepage']").text == "https://github.com/petitiondesk/petitiondesk"
    assert component.find("content_rating").get("type") == "oars-1.1"
    assert len(component.findall("description/p")) >= 1


# ---------------------------------------------------------------------------------------------
# Icons


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icon_has_its_size_and_a_visible_mark_on_a_transparent_ground(size):
    image = QImage(str(png_icon_path(size)))

    assert (image.width(), image.height()) == (size, size)
    argb = pixels(image)
    alpha = argb[:, :, 3]
    assert alpha[0, 0] == 0, "the corner should be transparent, to sit on any panel colour"
    assert alpha[size // 2, size // 2] == 255, "the middle of the page should be opaque"
    opaque_colours = {tuple(pixel) for pixel in argb[alpha == 255][:, :3]}
    assert len(opaque_colours) >= 4, "a blank or single-colour icon"


def test_png_icons_are_rendered_from_the_current_svg(qapp):
    renderer_module = load_script("render-icons.py")
    renderer = QSvgRenderer(str(app_icon_path()))
    assert renderer.isValid()

    for size in ICON_SIZES:
        fresh = pixels(QImage.fromData(renderer_module.render_png(renderer, size), "PNG")).astype(int)
        committed = pixels(QImage(str(png_icon_path(size)))).astype(int)
        assert np.abs(fresh - committed).max() <= 2, (
            f"the {size}px PNG is stale: run packaging/render-icons.py and commit its output")


def test_ico_holds_every_windows_size_as_readable_images():
    data = (ICONS / "petitiondesk.ico").read_bytes()

    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        assert offset + length <= len(data)
        declared = (width or 256, height or 256)
        assert png_size(data[offset:offset + length]) == declared
        sizes.append(declared[0])
    assert sorted(sizes) == [16, 24, 32, 48, 64, 128, 256]
    assert qt_image_sizes(ICONS / "petitiondesk.ico") == sorted(sizes)


def test_icns_holds_every_macos_size_including_retina():
    data = (ICONS / "petitiondesk.icns").read_bytes()

    assert data[:4] == b"icns"
    assert struct.unpack_from(">I", data, 4)[0] == len(data)
    entries, position = {}, 8
    while position < len(data):
        kind, length = data[position:position + 4], struct.unpack_from(">I", data, position + 4)[0]
        entries[kind.decode()] = png_size(data[position + 8:position + length])[0]
        position += length
    assert position == len(data)
    assert entries == {"icp4": 16, "icp5": 32, "icp6": 64, "ic07": 128, "ic08": 256, "ic09": 512,
                       "ic10": 1024, "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}
    assert qt_image_sizes(ICONS / "petitiondesk.icns") == sorted(entries.values())


def qt_image_sizes(path: Path) -> list[int]:
    reader = QImageReader(str(path))
    sizes = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        sizes.append(reader.read().width())
    return sorted(sizes)


# ---------------------------------------------------------------------------------------------
# Finding resources


def test_app_icon_path_gives_the_svg_or_the_nearest_larger_png():
    assert app_icon_path().suffix == ".svg"
    assert QImage(str(app_icon_path(20))).width() == 24
    assert QImage(str(app_icon_path(48))).width() == 48
    assert QImage(str(app_icon_path(4000))).width() == max(ICON_SIZES)
    with pytest.raises(ValueError):
        app_icon_path(0)


def test_a_missing_resource_names_itself_and_where_it_was_looked_for():
    with pytest.raises(FileNotFoundError, match=r"icons/nothing\.png.*looked in"):
        resource_path("icons", "nothing.png")


def test_the_wheel_layout_finds_every_resource(tmp_path):
    site = tmp_path / "site"
    for package in PYPROJECT["tool"]["setuptools"]["packages"]:
        copy_package_as_setuptools_would(package, site)

    found = run_isolated(site, "from petitiondesk import resources as r;"
                               "print(r.app_icon_path());"
                               "[print(r.app_icon_path(s)) for s in r.ICON_SIZES];"
                               "print(r.linux_file('.desktop')); print(r.linux_file('.metainfo.xml'))")

    assert len(found) == len(ICON_SIZES) + 3
    assert all(Path(path).is_relative_to(site / "petitiondesk" / "assets") for path in found)
    assert all(Path(path).is_file() for path in found)


def test_every_package_under_src_is_listed_for_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    source = REPOSITORY / "src"
    on_disk = {".".join(folder.relative_to(source).parts)
               for folder in (source / "petitiondesk").rglob("*")
               if folder.is_dir() and any(folder.glob("*.py"))}
    on_disk.add("petitiondesk")

    missing = on_disk - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def test_the_frozen_bundle_layout_finds_every_resource(tmp_path, monkeypatch):
    spec = run_spec("linux", monkeypatch)
    bundle = tmp_path / "_internal"
    for source_pattern, destination in spec["analysis"].kwargs["datas"]:
        sources = sorted(Path(source_pattern).parent.glob(Path(source_pattern).name))
        assert sources, f"the spec collects nothing from {source_pattern}"
        for source in sources:
            (bundle / destination).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, bundle / destination / source.name)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    found = [app_icon_path(), *(png_icon_path(size) for size in ICON_SIZES),
             resources.linux_file(".desktop"), resources.linux_file(".metainfo.xml")]

    assert all(path.is_relative_to(bundle / "petitiondesk" / "assets") for path in found)


# ---------------------------------------------------------------------------------------------
# The PyInstaller spec, run with stand-ins for PyInstaller's classes


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_spec_builds_from_the_source_entry_point(platform, monkeypatch):
    spec = run_spec(platform, monkeypatch)

    scripts = spec["analysis"].args[0]
    assert [Path(script) for script in scripts] == [REPOSITORY / "src" / "petitiondesk" / "__main__.py"]
    assert "tkinter" in spec["analysis"].kwargs["excludes"]
    assert spec["exe"].kwargs["name"] == "petitiondesk"


def test_spec_windows_program_has_the_ico_and_no_console(monkeypatch):
    spec = run_spec("win32", monkeypatch)

    assert spec["exe"].kwargs["console"] is False
    assert Path(spec["exe"].kwargs["icon"]) == ICONS / "petitiondesk.ico"
    assert "bundle" not in spec


def test_spec_macos_app_has_the_app_id_icns_and_hidpi(monkeypatch):
    spec = run_spec("darwin", monkeypatch)

    bundle = spec["bundle"].kwargs
    assert bundle["name"] == "PetitionDesk.app"
    assert bundle["bundle_identifier"] == APP_ID
    assert Path(bundle["icon"]) == ICONS / "petitiondesk.icns"
    assert bundle["info_plist"]["NSHighResolutionCapable"] is True
    assert bundle["info_plist"]["CFBundleShortVersionString"] == __version__
    assert spec["exe"].kwargs["console"] is False


def test_spec_names_icon_files_that_exist(monkeypatch):
    for platform in ("win32", "darwin"):
        spec = run_spec(platform, monkeypatch)
        icons = [spec["exe"].kwargs["icon"]] + ([spec["bundle"].kwargs["icon"]] if "bundle" in spec else [])
        assert all(Path(icon).is_file() for icon in icons)


class Recorded:
    """Stands in for one of PyInstaller's build classes and remembers how it was called."""

    def __init__(self, store: dict, key: str, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.pure = self.scripts = self.binaries = self.datas = []
        store[key] = self


def run_spec(platform: str, monkeypatch) -> dict:
    calls: dict = {}
    stand_ins = {name: (lambda *a, _key=key, **k: Recorded(calls, _key, *a, **k))
                 for name, key in [("Analysis", "analysis"), ("PYZ", "pyz"), ("EXE", "exe"),
                                   ("COLLECT", "collect"), ("BUNDLE", "bundle")]}
    spec_file = PACKAGING / "petitiondesk.spec"
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts src/ first
    exec(compile(spec_file.read_text(), str(spec_file), "exec"),
         {"SPECPATH": str(PACKAGING), **stand_ins})
    return calls


# ---------------------------------------------------------------------------------------------
# Helpers


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_").removesuffix(".py"),
                                                  PACKAGING / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_package_as_setuptools_would(package: str, site: Path) -> None:
    """Copies one package's modules and package data to where a wheel puts them."""
    config = PYPROJECT["tool"]["setuptools"]
    source = package_source(package, config["package-dir"])
    target = site.joinpath(*package.split("."))
    target.mkdir(parents=True, exist_ok=True)
    patterns = ["*.py", *config.get("package-data", {}).get(package, [])]
    for path in source.iterdir():
        if path.is_file() and any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
            shutil.copy(path, target / path.name)


def package_source(package: str, package_dir: dict[str, str]) -> Path:
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in package_dir:
            return REPOSITORY / package_dir[prefix] / Path(*parts[cut:])
    return REPOSITORY / package_dir[""] / Path(*parts)


def run_isolated(site: Path, code: str) -> list[str]:
    """Runs `code` in a fresh Python that sees only `site` and the standard library."""
    prelude = f"import sys; sys.path.insert(0, {str(site)!r}); "
    result = subprocess.run([sys.executable, "-I", "-S", "-c", prelude + code],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_resources_module_imports_no_qt():
    output = run_isolated(REPOSITORY / "src", "import petitiondesk.resources, petitiondesk.desktop_entry;"
                                              "print(sorted(m for m in sys.modules if 'PySide' in m))")
    assert output == ["[]"]
