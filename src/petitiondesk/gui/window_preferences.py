"""The user's preferences, applied to a running window: at start-up, and live as they change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QApplication

from petitiondesk.gui.format import set_display_zone
from petitiondesk.gui.preferences import (
    REFRESH_MINUTES,
    START_AT_LOGIN,
    THEME,
    TIME_ZONE,
    Preferences,
    PreferencesDialog,
)
from petitiondesk.gui.status_bar import refresh_status_text
from petitiondesk.gui.theme import apply_theme

if TYPE_CHECKING:
    from petitiondesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)


class WindowPreferences(QObject):
    """Applies the saved preferences once, then each change the user makes, to `window`."""

    def __init__(self, window: MainWindow, preferences: Preferences):
        super().__init__(window)
        self.window = window
        self.preferences = preferences
        self._apply_saved()
        preferences.changed.connect(self.apply)

    def _apply_saved(self) -> None:
        """At start-up: the saved time zone and theme (the refresh interval goes in the worker's config)."""
        set_display_zone(str(self.preferences.value(TIME_ZONE)))
        if self.preferences.value(THEME) != "system":  # the system's look is what the app starts with
            apply_theme(_application(), str(self.preferences.value(THEME)))

    @Slot(str)
    def apply(self, key: str) -> None:
        """A preference the user just changed, applied at once."""
        value = self.preferences.value(key)
        if key == THEME:
            apply_theme(_application(), str(value))
        elif key == TIME_ZONE:
            set_display_zone(str(value))
            self.show_times_again()
        elif key == REFRESH_MINUTES:
            self.window.service.set_count_interval(int(value) * 60)
        elif key == START_AT_LOGIN:
            self._set_start_at_login(bool(value))

    def _set_start_at_login(self, on: bool) -> None:
        from petitiondesk import autostart  # imported when first used, not before the window's first paint

        try:
            autostart.set_autostart(on)
        except autostart.AutostartError as error:
            self.window.status.answer(f"Start at login: {error}")
            self.preferences.set(START_AT_LOGIN, not on, announce=False)  # the box says what is true
            return
        self.window.status.answer("PetitionDesk will start at login, in the tray." if on
                                  else "PetitionDesk will no longer start at login.")

    def show_times_again(self) -> None:
        """Every time on show, formatted again in the zone just chosen (no model reset)."""
        window = self.window
        window.model.refresh_texts()
        window.browse.model.refresh_texts()
        window.detail.redisplay()
        window.chart.update_samples(window.presenter.times, window.presenter.counts)
        if window.last_refresh is not None:
            window.status.say(refresh_status_text(window.last_refresh, window.model.problem_count(), window.clock()))

    def show_dialog(self) -> PreferencesDialog:
        from petitiondesk import autostart

        # What the box shows is what the system does (the user may have removed the entry by hand).
        self.preferences.set(START_AT_LOGIN, autostart.autostart_enabled(), announce=False)
        dialog = PreferencesDialog(self.preferences, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


def _application() -> QApplication:
    """The running QApplication (a window exists only inside one)."""
    return cast(QApplication, QApplication.instance())
