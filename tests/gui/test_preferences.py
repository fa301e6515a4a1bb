"""Preferences, Help and printing: what a desktop user expects to find."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QComboBox, QMainWindow, QSpinBox

from petitiondesk.core.models import GovernmentResponse, Petition
from petitiondesk.gui import format as fmt
from petitiondesk.gui import preferences as prefs
from petitiondesk.gui.chart_export import ChartSpec
from petitiondesk.gui.help import ShortcutsDialog, about_html
from petitiondesk.gui.printing import petition_document
from petitiondesk.gui.theme import apply_theme


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_unset_preferences_read_as_their_defaults_and_edits_are_announced(qapp, settings):
    preferences = prefs.Preferences(settings)
    assert preferences.value(prefs.REFRESH_MINUTES) == 2
    assert preferences.value(prefs.TIME_ZONE) == "uk"
    changed = []
    preferences.changed.connect(changed.append)
    preferences.set(prefs.REFRESH_MINUTES, 10)
    preferences.set(prefs.REFRESH_MINUTES, 10)  # the same again: nothing to announce
    assert changed == [prefs.REFRESH_MINUTES]
    again = prefs.Preferences(QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert again.value(prefs.REFRESH_MINUTES) == 10


def test_a_hand_edited_settings_file_cannot_break_the_preferences(qapp, settings):
    settings.setValue(prefs.PREFIX + prefs.REFRESH_MINUTES, "often")
    settings.setValue(prefs.PREFIX + prefs.THEME, "purple")
    settings.setValue(prefs.PREFIX + prefs.TIME_ZONE, 7)
    preferences = prefs.Preferences(settings)
    assert preferences.value(prefs.REFRESH_MINUTES) == 2
    assert preferences.value(prefs.THEME) == "system"
    assert preferences.value(prefs.TIME_ZONE) == "uk"
    settings.setValue(prefs.PREFIX + prefs.REFRESH_MINUTES, "100000")
    assert preferences.value(prefs.REFRESH_MINUTES) == 60  # clamped to what the dialog allows


def test_the_dialog_shows_every_preference_and_applies_on_ok(qtbot, settings):
    preferences = prefs.Preferences(settings)
    dialog = prefs.PreferencesDialog(preferences)
    qtbot.addWidget(dialog)
    sections = {dialog.tabs.tabText(i) for i in range(dialog.tabs.count())}
    assert {"General", "Appearance"} <= sections
    for preference in prefs.PREFERENCES:
        assert dialog.control_for(preference.key).accessibleName()
    spin = dialog.control_for(prefs.REFRESH_MINUTES)
    assert isinstance(spin, QSpinBox)
    spin.setValue(15)
    zone = dialog.control_for(prefs.TIME_ZONE)
    assert isinstance(zone, QComboBox)
    zone.setCurrentIndex(zone.findData("local"))
    assert preferences.value(prefs.REFRESH_MINUTES) == 2  # nothing applied before OK
    dialog.accept()
    assert preferences.value(prefs.REFRESH_MINUTES) == 15
    assert preferences.value(prefs.TIME_ZONE) == "local"


def test_a_later_feature_adds_its_own_setting(qtbot, settings, monkeypatch):
    monkeypatch.setattr(prefs, "PREFERENCES", list(prefs.PREFERENCES))
    prefs.register(prefs.Preference("history/recordAll", "Record every open petition", "History", True))
    with pytest.raises(ValueError):
        prefs.register(prefs.Preference("history/recordAll", "Twice", "History", True))
    dialog = prefs.PreferencesDialog(prefs.Preferences(settings))
    qtbot.addWidget(dialog)
    assert "History" in [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert dialog.control_for("history/recordAll").isChecked()


def test_times_can_be_shown_in_the_computers_zone_and_say_which(qapp):
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    try:
        assert fmt.format_uk_time(summer) == "1 Jul 2026, 13:00" and fmt.zone_name() == "UK time"
        fmt.set_display_zone("local")
        local = summer.astimezone()
        assert fmt.format_uk_time(summer) == f"{local.day} {local:%b %Y, %H:%M}"
        assert fmt.zone_name() == "local time"
    finally:
        fmt.set_display_zone("uk")


def test_dark_and_light_themes_change_the_palette_and_system_restores_it(qapp):
    app = QApplication.instance()
    before = app.palette().color(QPalette.ColorRole.Window)
    try:
        apply_theme(app, "dark")
        dark = app.palette().color(QPalette.ColorRole.Window)
        assert dark.lightness() < 60
        text = app.palette().color(QPalette.ColorRole.WindowText)
        assert text.lightness() - dark.lightness() > 150  # readable
        apply_theme(app, "light")
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        apply_theme(app, "system")
    assert app.palette().color(QPalette.ColorRole.Window) == before


def test_the_shortcuts_list_names_every_menu_shortcut(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    action = QAction("&Add Petitions…", window)
    action.setShortcut(QKeySequence("Ctrl+N"))
    window.addAction(action)
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert ("Add Petitions", QKeySequence("Ctrl+N").toString(QKeySequence.SequenceFormat.NativeText)) in rows
    assert any("Shift+scroll" in keys for _, keys in rows)


def test_about_names_the_version_and_the_open_government_licence():
    from petitiondesk import __version__

    text = about_html()
    assert __version__ in text and "Open Government Licence v3.0" in text and "MIT" in text


def test_the_printed_page_has_the_chart_and_the_petitions_text_as_plain_text(qapp):
    petition = Petition(id=7, action="Ban <b>bold</b> & co", state="open", signature_count=12_345,
                        background="<img src=file:///etc/passwd> background",
                        government_response=GovernmentResponse(summary="We <i>will</i> look at it."))
    spec = ChartSpec(petition.action, 7, np.array([1.76e9, 1.7601e9]), np.array([12_000, 12_345]))
    document = petition_document(spec, petition, 500.0)
    text = document.toPlainText()
    assert "Ban <b>bold</b> & co" in text
    assert "<img src=file:///etc/passwd> background" in text
    assert "We <i>will</i> look at it." in text
    assert "Government response" in text
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    assert document.pageCount() >= 1
