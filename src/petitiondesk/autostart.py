"""Start PetitionDesk at login, minimised to the tray (Preferences), and undo it.

- Linux: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/<APP_ID>.desktop (the shipped
  desktop file with `--minimized` added to its Exec line);
- Windows: a value named PetitionDesk under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run;
- macOS: a LaunchAgent, ~/Library/LaunchAgents/<APP_ID>.plist, run at load.

Each platform's place is written and removed by a function that takes its folder (or registry
module), so that tests can aim them at a temporary one.
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path

from petitiondesk import APP_ID
from petitiondesk.desktop_entry import (
    DesktopEntryError,
    _desktop_file,
    _exec_value,
    _write_atomically,
    find_launcher,
)
from petitiondesk.resources import linux_file

MINIMIZED_FLAG = "--minimized"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "PetitionDesk"


class AutostartError(DesktopEntryError):
    """Start at login could not be switched on or off; the message says why, for the user."""


def set_autostart(enabled: bool, program: str | None = None) -> None:
    """Switch start at login on or off for this user, on this platform."""
    command = [program or find_launcher(), MINIMIZED_FLAG]
    try:
        if sys.platform == "win32":
            import winreg

            _set_windows(enabled, command, winreg)
        elif sys.platform == "darwin":
            _set_macos(enabled, command, Path.home() / "Library" / "LaunchAgents")
        else:
            _set_xdg(enabled, command, _config_home())
    except OSError as error:
        action = "switch on" if enabled else "switch off"
        raise AutostartError(f"could not {action} start at login: {error.strerror or error}") from error


def autostart_enabled() -> bool:
    if sys.platform == "win32":
        import winreg

        return _windows_command(winreg) is not None
    if sys.platform == "darwin":
        return _plist_path(Path.home() / "Library" / "LaunchAgents").exists()
    return _xdg_path(_config_home()).exists()


# ------------------------------------------------------------------------------------- Linux


def _config_home() -> Path:
    configured = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".config"


def _xdg_path(config_home: Path) -> Path:
    return config_home / "autostart" / f"{APP_ID}.desktop"


def _set_xdg(enabled: bool, command: list[str], config_home: Path) -> None:
    path = _xdg_path(config_home)
    if not enabled:
        path.unlink(missing_ok=True)
        return
    template = linux_file(".desktop").read_text(encoding="utf-8")
    entry = _desktop_file(template, f"{_exec_value(command[0])} {' '.join(command[1:])}")
    _write_atomically(path, (entry + "X-GNOME-Autostart-enabled=true\n").encode("utf-8"))


# ------------------------------------------------------------------------------------ macOS


def _plist_path(agents: Path) -> Path:
    return agents / f"{APP_ID}.plist"


def _set_macos(enabled: bool, command: list[str], agents: Path) -> None:
    path = _plist_path(agents)
    if not enabled:
        path.unlink(missing_ok=True)
        return
    agent = {"Label": APP_ID, "ProgramArguments": command, "RunAtLoad": True, "ProcessType": "Interactive"}
    _write_atomically(path, plistlib.dumps(agent))


# ---------------------------------------------------------------------------------- Windows


def _windows_command_line(command: list[str]) -> str:
    return subprocess.list2cmdline(command)


def _set_windows(enabled: bool, command: list[str], winreg) -> None:
    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if enabled:
            winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, _windows_command_line(command))
        else:
            try:
                winreg.DeleteValue(key, RUN_VALUE)
            except FileNotFoundError:
                pass


def _windows_command(winreg) -> str | None:
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            return winreg.QueryValueEx(key, RUN_VALUE)[0]
    except FileNotFoundError:
        return None
