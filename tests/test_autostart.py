"""Start at login: each platform's file or registry value written, and removed when switched off."""

from __future__ import annotations

import configparser
import plistlib
from contextlib import contextmanager

from petitiondesk import APP_ID
from petitiondesk.autostart import (
    MINIMIZED_FLAG,
    RUN_KEY,
    RUN_VALUE,
    _set_macos,
    _set_windows,
    _set_xdg,
    _windows_command,
    autostart_enabled,
    set_autostart,
)

PROGRAM = "/opt/Petition Desk/petitiondesk"


def test_linux_gets_an_xdg_autostart_entry_that_starts_minimised(tmp_path):
    _set_xdg(True, [PROGRAM, MINIMIZED_FLAG], tmp_path)
    path = tmp_path / "autostart" / f"{APP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(path, encoding="utf-8")
    assert entry["Desktop Entry"]["Exec"] == '"/opt/Petition Desk/petitiondesk" --minimized'
    assert entry["Desktop Entry"]["Name"] == "PetitionDesk"
    assert entry["Desktop Entry"]["X-GNOME-Autostart-enabled"] == "true"
    _set_xdg(False, [PROGRAM, MINIMIZED_FLAG], tmp_path)
    assert not path.exists()
    _set_xdg(False, [PROGRAM, MINIMIZED_FLAG], tmp_path)  # switching off twice is fine


def test_the_platform_switch_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    set_autostart(True, PROGRAM)
    assert autostart_enabled()
    set_autostart(False, PROGRAM)
    assert not autostart_enabled()


def test_macos_gets_a_launch_agent_run_at_load(tmp_path):
    _set_macos(True, [PROGRAM, MINIMIZED_FLAG], tmp_path)
    agent = plistlib.loads((tmp_path / f"{APP_ID}.plist").read_bytes())
    assert agent["ProgramArguments"] == [PROGRAM, MINIMIZED_FLAG] and agent["RunAtLoad"] is True
    _set_macos(False, [PROGRAM, MINIMIZED_FLAG], tmp_path)
    assert not (tmp_path / f"{APP_ID}.plist").exists()


class FakeWinreg:
    """The part of `winreg` used, over a dict."""

    HKEY_CURRENT_USER, KEY_SET_VALUE, REG_SZ = "HKCU", 2, 1

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    @contextmanager
    def CreateKeyEx(self, root, key, reserved, access):
        yield key

    def OpenKey(self, root, key):
        return self.CreateKeyEx(root, key, 0, 0)

    def SetValueEx(self, key, name, reserved, kind, value):
        self.values[(key, name)] = value

    def DeleteValue(self, key, name):
        if (key, name) not in self.values:
            raise FileNotFoundError(name)
        del self.values[(key, name)]

    def QueryValueEx(self, key, name):
        if (key, name) not in self.values:
            raise FileNotFoundError(name)
        return self.values[(key, name)], self.REG_SZ


def test_windows_gets_a_run_value_quoted_for_its_command_line():
    winreg = FakeWinreg()
    _set_windows(True, [r"C:\Program Files\PetitionDesk\petitiondesk.exe", MINIMIZED_FLAG], winreg)
    assert winreg.values[(RUN_KEY, RUN_VALUE)] == '"C:\\Program Files\\PetitionDesk\\petitiondesk.exe" --minimized'
    assert _windows_command(winreg) is not None
    _set_windows(False, [], winreg)
    _set_windows(False, [], winreg)
    assert _windows_command(winreg) is None
