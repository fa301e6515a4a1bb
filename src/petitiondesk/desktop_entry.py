"""Puts PetitionDesk in a Linux desktop's application menu for people who installed it with pip.

`install_desktop_entry` writes, under $XDG_DATA_HOME (normally ~/.local/share):

    applications/<APP_ID>.desktop                 the launcher, Exec pointing at this install
    metainfo/<APP_ID>.metainfo.xml                what software centres show
    icons/hicolor/<N>x<N>/apps/<APP_ID>.png       one per rendered size
    icons/hicolor/scalable/apps/<APP_ID>.svg

and `uninstall_desktop_entry` removes exactly those files. Windows and macOS have no such
folders: there the PyInstaller bundle is the way to get an icon and a launcher.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from petitiondesk import APP_ID
from petitiondesk.resources import ICON_SIZES, app_icon_path, linux_file, png_icon_path

LAUNCHER_NAME = "petitiondesk"
#: Characters that force an Exec argument into double quotes (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
#: Characters escaped with a backslash inside those quotes.
_ESCAPED_IN_QUOTES = set('"`$\\')
_TOOL_TIMEOUT_SECONDS = 30


class DesktopEntryError(Exception):
    """The desktop entry could not be installed or removed; the message says why, for the user."""


def install_desktop_entry(executable: str | None = None, *, data_home: Path | None = None) -> list[Path]:
    """Installs the launcher, metainfo and icons; returns the files written.

    `executable` is the program the launcher starts (default: the `petitiondesk` launcher of
    this installation). Rewriting an existing entry is fine: that is how it gets updated.
    """
    _require_freedesktop()
    home = _data_home(data_home)
    command = _exec_value(_resolve_executable(executable))
    contents = _file_contents(home, command)
    written: list[Path] = []
    try:
        for destination, content in contents.items():
            _write_atomically(destination, content)
            written.append(destination)
    except OSError as error:
        _remove_quietly(written)
        raise DesktopEntryError(f"could not install the desktop entry: {_describe(error)}") from error
    _refresh_desktop_caches(home)
    return written


def uninstall_desktop_entry(*, data_home: Path | None = None) -> list[Path]:
    """Removes the files `install_desktop_entry` writes; returns those that were there."""
    _require_freedesktop()
    home = _data_home(data_home)
    # Icons named after our id in any size folder are ours too, e.g. from a release with other sizes.
    hicolor = home / "icons" / "hicolor"
    leftovers = sorted(hicolor.glob(f"*/apps/{APP_ID}.png")) + sorted(hicolor.glob(f"*/apps/{APP_ID}.svg"))
    planned = _destinations(home)
    removed = []
    for path in planned + [path for path in leftovers if path not in planned]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise DesktopEntryError(f"could not remove the desktop entry: {_describe(error)}") from error
        removed.append(path)
    if removed:
        _refresh_desktop_caches(home)
    return removed


def exec_argument(argument: str) -> str:
    """One argument of an Exec value, quoted as the Desktop Entry spec requires.

    The result is still to be escaped as a desktop-file string (see `_exec_value`).
    """
    argument = argument.replace("%", "%%")
    if not any(char in _RESERVED for char in argument):
        return argument
    escaped = "".join("\\" + char if char in _ESCAPED_IN_QUOTES else char for char in argument)
    return f'"{escaped}"'


def find_launcher() -> str:
    """The program a launcher should start: the frozen bundle itself, else the `petitiondesk`
    script beside this Python (a virtualenv's bin/), else the one on PATH."""
    if getattr(sys, "frozen", False):
        return sys.executable
    # Not resolved: a virtualenv's python is a symlink to the system one, the script is not.
    beside_python = Path(sys.executable).parent / LAUNCHER_NAME
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    on_path = shutil.which(LAUNCHER_NAME)
    if on_path:
        return str(Path(on_path).absolute())
    raise DesktopEntryError(
        f"could not find the {LAUNCHER_NAME} program beside {sys.executable} or on PATH; "
        "install PetitionDesk with pip first"
    )


def _require_freedesktop() -> None:
    if sys.platform in ("win32", "cygwin", "darwin"):
        raise DesktopEntryError(
            "the desktop entry is for Linux desktops; on Windows and macOS use the PetitionDesk "
            "app bundle, which brings its own icon and launcher"
        )


def _data_home(override: Path | None) -> Path:
    if override is not None:
        return Path(override)
    # The XDG spec says a relative $XDG_DATA_HOME is invalid and must be ignored.
    configured = os.environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(configured):
        return Path(configured)
    return Path.home() / ".local" / "share"


def _resolve_executable(executable: str | None) -> str:
    program = find_launcher() if executable is None else _existing_program(executable)
    try:
        program.encode("utf-8")
    except UnicodeEncodeError:
        raise DesktopEntryError(f"desktop files must be UTF-8, and this path is not: {program!r}") from None
    return program


def _existing_program(executable: str) -> str:
    found = shutil.which(executable) if os.sep not in executable else executable
    if not found or not Path(found).is_file():
        raise DesktopEntryError(f"no such program: {executable}")
    return str(Path(found).absolute())


def _exec_value(program: str) -> str:
    quoted = exec_argument(program)
    # The Exec value is a desktop-file string too, whose own escapes apply on top of the quoting.
    return (quoted.replace("\\", "\\\\").replace("\n", "\\n")
            .replace("\t", "\\t").replace("\r", "\\r"))


def _destinations(home: Path) -> list[Path]:
    icons = home / "icons" / "hicolor"
    return [
        home / "applications" / f"{APP_ID}.desktop",
        home / "metainfo" / f"{APP_ID}.metainfo.xml",
        *(icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png" for size in ICON_SIZES),
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
    ]


def _file_contents(home: Path, exec_value: str) -> dict[Path, bytes]:
    """What goes where, in the order of `_destinations`; read up front so a missing resource
    stops the install before anything is written."""
    try:
        sources = [linux_file(".metainfo.xml"), *(png_icon_path(size) for size in ICON_SIZES),
                   app_icon_path()]
        template = linux_file(".desktop").read_text(encoding="utf-8")
        payloads = [_desktop_file(template, exec_value).encode("utf-8")]
        payloads += [source.read_bytes() for source in sources]
    except (OSError, UnicodeError) as error:
        raise DesktopEntryError(f"this installation of PetitionDesk is incomplete: {_describe(error)}") from error
    return dict(zip(_destinations(home), payloads, strict=True))


def _desktop_file(template: str, exec_value: str) -> str:
    lines = template.splitlines()
    exec_lines = [index for index, line in enumerate(lines) if line.startswith("Exec=")]
    if len(exec_lines) != 1:
        raise DesktopEntryError("the shipped desktop file has no single Exec line")
    lines[exec_lines[0]] = f"Exec={exec_value}"
    return "\n".join(lines) + "\n"


def _write_atomically(destination: Path, content: bytes) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, destination)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _remove_quietly(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass


def _refresh_desktop_caches(home: Path) -> None:
    """Tells menus and icon themes that something changed; their tools are optional."""
    _run_if_present("update-desktop-database", "-q", str(home / "applications"))
    hicolor = home / "icons" / "hicolor"
    if (hicolor / "icon-theme.cache").exists():
        _run_if_present("gtk-update-icon-cache", "-q", "-t", "-f", str(hicolor))
    elif hicolor.is_dir():
        # Without a cache GTK rescans a theme whose folder is newer than it last saw. Creating a
        # cache here would go stale when other programs add icons without updating it.
        try:
            os.utime(hicolor)
        except OSError:
            pass


def _run_if_present(tool: str, *arguments: str) -> None:
    program = shutil.which(tool)
    if program is None:
        return
    try:
        subprocess.run([program, *arguments], check=False, capture_output=True,
                       timeout=_TOOL_TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError):
        pass  # a stale menu cache is not worth failing the install for


def _describe(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}"
    return str(error)
