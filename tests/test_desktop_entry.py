"""`petitiondesk --install-desktop-entry` and its reverse, in a throwaway XDG data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from petitiondesk import APP_ID
from petitiondesk.desktop_entry import (
    DesktopEntryError,
    exec_argument,
    install_desktop_entry,
    uninstall_desktop_entry,
)
from petitiondesk.resources import ICON_SIZES, app_icon_path

#: Files the desktop's own tools may leave behind; they index entries, they are not entries.
CACHE_NAMES = {"mimeinfo.cache", "icon-theme.cache"}


def make_program(folder: Path, name: str = "petitiondesk") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return program


def desktop_file(data_home: Path) -> Path:
    return data_home / "applications" / f"{APP_ID}.desktop"


def desktop_keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def exec_words(value: str) -> list[str]:
    """The argv a desktop would run for an Exec value, following the Desktop Entry spec."""
    unescaped = value.replace("\\\\", "\0").replace("\\s", " ").replace("\\n", "\n") \
        .replace("\\t", "\t").replace("\\r", "\r").replace("\0", "\\")
    words, word, quoted, escaping = [], "", False, False
    for char in unescaped:
        if escaping:
            assert char in '"`$\\', f"{char!r} may not be escaped in a quoted Exec argument"
            word, escaping = word + char, False
        elif quoted and char == "\\":
            escaping = True
        elif char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            words, word = words + [word], ""
        else:
            word += char
    assert not quoted and not escaping, f"unterminated quoting in {value!r}"
    return [w.replace("%%", "%") for w in words + [word] if w]


def validate(path: Path) -> str:
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "error" not in output and "warning" not in output, output
    return output


def files_under(folder: Path) -> set[Path]:
    return {path.relative_to(folder) for path in folder.rglob("*") if path.is_file()}


def test_install_puts_the_launcher_metainfo_and_every_icon_where_the_desktop_looks(tmp_path):
    program = make_program(tmp_path / "venv" / "bin")
    home = tmp_path / "share"

    written = install_desktop_entry(str(program), data_home=home)

    assert desktop_file(home) in written
    assert (home / "metainfo" / f"{APP_ID}.metainfo.xml") in written
    for size in ICON_SIZES:
        icon = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert icon in written
        image = QImage(str(icon))
        assert (image.width(), image.height()) == (size, size)
    scalable = home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == app_icon_path().read_bytes()
    assert all(path.is_file() for path in written)
    keys = desktop_keys(desktop_file(home))
    assert keys["Icon"] == APP_ID
    assert exec_words(keys["Exec"]) == [str(program)]


def test_installed_desktop_file_validates(tmp_path):
    program = make_program(tmp_path / "bin")
    install_desktop_entry(str(program), data_home=tmp_path / "share")
    validate(desktop_file(tmp_path / "share"))


@pytest.mark.parametrize("folder_name", [
    "My Programs",                 # a space forces quotes
    'odd "quoted" $HOME `x` 100%',  # characters escaped inside the quotes, and a literal percent
    "back\\slash;and#hash",        # a backslash is escaped twice: Exec quoting, then string escape
    "plain-folder",
])
def test_exec_starts_exactly_the_given_program_whatever_its_path(tmp_path, folder_name):
    program = make_program(tmp_path / folder_name / "bin")
    home = tmp_path / "share"

    install_desktop_entry(str(program), data_home=home)

    assert exec_words(desktop_keys(desktop_file(home))["Exec"]) == [str(program)]
    validate(desktop_file(home))


def test_exec_argument_leaves_plain_paths_unquoted_and_quotes_reserved_ones():
    assert exec_argument("/usr/bin/petitiondesk") == "/usr/bin/petitiondesk"
    assert exec_argument("/opt/My App/petitiondesk") == '"/opt/My App/petitiondesk"'
    assert exec_argument('/a$b"c') == '"/a\\$b\\"c"'
    assert exec_argument("/100%/x") == "/100%%/x"


def test_by_default_exec_points_at_the_launcher_beside_this_python(tmp_path, monkeypatch):
    bin_dir = tmp_path / "env" / "bin"
    launcher = make_program(bin_dir)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))

    install_desktop_entry(data_home=tmp_path / "share")

    assert exec_words(desktop_keys(desktop_file(tmp_path / "share"))["Exec"]) == [str(launcher)]


def test_by_default_exec_falls_back_to_the_launcher_on_path(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "elsewhere" / "python"))
    launcher = make_program(tmp_path / "on-path")
    monkeypatch.setenv("PATH", str(launcher.parent))

    install_desktop_entry(data_home=tmp_path / "share")

    assert exec_words(desktop_keys(desktop_file(tmp_path / "share"))["Exec"]) == [str(launcher)]


def test_without_any_launcher_install_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "elsewhere" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    home = tmp_path / "share"

    with pytest.raises(DesktopEntryError, match="could not find the petitiondesk program"):
        install_desktop_entry(data_home=home)
    assert not home.exists()


def test_a_program_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(DesktopEntryError, match="no such program"):
        install_desktop_entry(str(tmp_path / "missing" / "petitiondesk"), data_home=tmp_path / "share")
    assert not (tmp_path / "share").exists()


def test_uninstall_removes_exactly_what_install_wrote(tmp_path):
    home = tmp_path / "share"
    # Another application's entry and icon, which must survive.
    other_icon = home / "icons" / "hicolor" / "48x48" / "apps" / "org.example.Other.png"
    other_icon.parent.mkdir(parents=True)
    other_icon.write_bytes(b"not ours")
    (home / "applications").mkdir()
    (home / "applications" / "org.example.Other.desktop").write_text("[Desktop Entry]\n")
    before = files_under(home)

    written = install_desktop_entry(str(make_program(tmp_path / "bin")), data_home=home)
    removed = uninstall_desktop_entry(data_home=home)

    assert sorted(removed) == sorted(written)
    left = {path for path in files_under(home) if path.name not in CACHE_NAMES}
    assert left == before
    assert other_icon.read_bytes() == b"not ours"


def test_uninstall_when_nothing_is_installed_removes_nothing(tmp_path):
    home = tmp_path / "share"
    (home / "applications").mkdir(parents=True)
    (home / "applications" / "org.example.Other.desktop").write_text("[Desktop Entry]\n")

    assert uninstall_desktop_entry(data_home=home) == []
    assert files_under(home) == {Path("applications/org.example.Other.desktop")}


def test_uninstall_also_removes_our_icons_in_sizes_this_release_does_not_render(tmp_path):
    home = tmp_path / "share"
    old_size = home / "icons" / "hicolor" / "96x96" / "apps" / f"{APP_ID}.png"
    old_size.parent.mkdir(parents=True)
    old_size.write_bytes(b"from an older release")
    install_desktop_entry(str(make_program(tmp_path / "bin")), data_home=home)

    removed = uninstall_desktop_entry(data_home=home)

    assert old_size in removed
    assert not [path for path in home.rglob(f"{APP_ID}*")]


def test_installing_again_updates_the_entry_to_the_new_program(tmp_path):
    home = tmp_path / "share"
    install_desktop_entry(str(make_program(tmp_path / "old" / "bin")), data_home=home)
    newer = make_program(tmp_path / "new" / "bin")

    install_desktop_entry(str(newer), data_home=home)

    assert exec_words(desktop_keys(desktop_file(home))["Exec"]) == [str(newer)]
    assert not [path for path in home.rglob("*.tmp")]


def test_a_data_folder_that_cannot_be_written_gives_a_clear_error_and_leaves_nothing(tmp_path):
    home = tmp_path / "share"
    home.mkdir()
    (home / "icons").write_text("a file where the icons folder should be")

    with pytest.raises(DesktopEntryError, match="could not install the desktop entry"):
        install_desktop_entry(str(make_program(tmp_path / "bin")), data_home=home)

    assert files_under(home) == {Path("icons")}


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_on_windows_and_macos_it_points_to_the_bundle_instead(tmp_path, monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)

    for action in (lambda: install_desktop_entry(data_home=tmp_path / "share"),
                   lambda: uninstall_desktop_entry(data_home=tmp_path / "share")):
        with pytest.raises(DesktopEntryError, match="for Linux desktops.*app bundle"):
            action()
    assert not (tmp_path / "share").exists()


def test_the_default_data_folder_follows_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    written = install_desktop_entry(str(make_program(tmp_path / "bin")))

    assert desktop_file(tmp_path / "xdg") in written
    uninstall_desktop_entry()
    assert not desktop_file(tmp_path / "xdg").exists()


def test_a_relative_xdg_data_home_is_ignored_as_the_spec_requires(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)

    written = install_desktop_entry(str(make_program(tmp_path / "bin")))

    assert desktop_file(tmp_path / "home" / ".local" / "share") in written
    assert not (tmp_path / "relative").exists()
    assert os.environ["XDG_DATA_HOME"] == "relative/share"
