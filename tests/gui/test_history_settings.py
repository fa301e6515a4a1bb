"""Preferences > History: the switch and the interval reach the refresh worker; the page shows the
history's size and backs the data up, both off the GUI thread."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QMessageBox, QSpinBox

from petitiondesk import paths
from petitiondesk.core.site_history import SiteHistoryOptions
from petitiondesk.core.store import Store
from petitiondesk.gui import history_settings as history
from petitiondesk.gui.preferences import Preferences, PreferencesDialog
from petitiondesk.gui.worker import RefreshService, WorkerConfig

TIMEOUT_MS = 15_000


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def preferences(tmp_path):
    return Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def database(data_dir):
    path = paths.database_path(data_dir)
    with Store.open(path) as store:
        store.pin(700001)
        for step in range(6):
            store.add_sample(700001, 1_780_000_000 + 600 * step, 100 + step)
            store.add_sample(700002, 1_780_000_000 + 600 * step, 7)
    return path


def csv_requests(site) -> int:
    return sum(1 for _, path, _ in site.request_log if path.startswith("/petitions.csv"))


def test_the_defaults_record_every_open_petition_every_10_minutes_and_keep_everything(preferences):
    assert history.site_history_options(preferences) == SiteHistoryOptions(True, 600.0, 0)


def test_the_dialog_edits_the_options_and_the_worker_follows_them(qtbot, still_site, data_dir, preferences):
    clock = Clock(still_site.world.now().timestamp() + 86400)
    config = WorkerConfig(database=paths.database_path(data_dir), api_base=still_site.url, clock=clock,
                          request_interval=0.0,
                          refresher_options={"site_history": history.site_history_options(preferences)})
    service = RefreshService(config)
    try:
        with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as first:
            service.start()
        assert first.args[0].report.site.listed == len(still_site.world.ids("open"))
        assert csv_requests(still_site) == 1
        history.follow_preferences(preferences, service)

        dialog = PreferencesDialog(preferences)
        qtbot.addWidget(dialog)
        switch = dialog.control_for(history.RECORD_ALL)
        assert isinstance(switch, QCheckBox) and switch.isChecked()
        switch.setChecked(False)
        dialog.accept()
        clock.now += 3600  # long past the 10 minutes: only the switch holds it back
        with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as off:
            service.refresh_now()
        assert off.args[0].report.site is None and csv_requests(still_site) == 1

        dialog = PreferencesDialog(preferences)
        qtbot.addWidget(dialog)
        dialog.control_for(history.RECORD_ALL).setChecked(True)
        minutes = dialog.control_for(history.RECORD_MINUTES)
        assert isinstance(minutes, QSpinBox) and minutes.value() == 10
        minutes.setValue(90)
        dialog.accept()
        with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as on:
            service.refresh_now()  # the last listing was an hour ago: under 90 minutes
        assert on.args[0].report.site is None and csv_requests(still_site) == 1
        clock.now += 1800 + 1
        with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as due:
            service.refresh_now()
        assert due.args[0].report.site is not None and csv_requests(still_site) == 2
    finally:
        service.shutdown()


def test_the_page_shows_the_size_of_the_history(qtbot, preferences, database):
    dialog = PreferencesDialog(preferences, database=database)
    qtbot.addWidget(dialog)
    page = dialog.findChild(history.HistoryPage)
    assert page is not None
    qtbot.waitUntil(lambda: "counts of 2 petitions" in page.usage_label.text(), timeout=TIMEOUT_MS)
    assert "8 counts of 2 petitions, 1 of them never pinned" in page.usage_label.text()
    assert "The whole data file:" in page.usage_label.text()


def test_back_up_data_writes_a_copy_that_opens(qtbot, preferences, database, tmp_path):
    dialog = PreferencesDialog(preferences, database=database)
    qtbot.addWidget(dialog)
    page = dialog.findChild(history.HistoryPage)
    target = tmp_path / "backup.sqlite3"
    page.back_up_to(target)
    assert not page.backup_button.isEnabled()  # the copy is being written on another thread
    qtbot.waitUntil(lambda: page.backup_button.isEnabled(), timeout=TIMEOUT_MS)
    assert page.backup_label.text() == f"Backed up to {target}."
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store.open(target, readonly=True) as copy:
        assert copy.samples(700001)[1].tolist() == [100, 101, 102, 103, 104, 105]
        assert [entry.petition_id for entry in copy.watchlist()] == [700001]


def test_a_failed_backup_says_why(qtbot, preferences, database, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    dialog = PreferencesDialog(preferences, database=database)
    qtbot.addWidget(dialog)
    page = dialog.findChild(history.HistoryPage)
    blocker = tmp_path / "a file"
    blocker.write_bytes(b"not a folder")
    page.back_up_to(blocker / "backup.sqlite3")
    qtbot.waitUntil(lambda: bool(warnings), timeout=TIMEOUT_MS)
    assert "No backup was written" in warnings[0] and page.backup_label.text() == "The backup failed."
    assert page.backup_button.isEnabled()


def test_the_windows_preferences_show_the_history_of_its_own_data(qtbot, still_site, database, tmp_path):
    from petitiondesk.gui.main_window import MainWindow

    service = RefreshService(WorkerConfig(database=database, api_base=still_site.url, request_interval=0.0,
                                          refresh_on_start=False))
    window = MainWindow(service, database, QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    try:
        window.menu_actions.preferences_action.trigger()  # Edit > Preferences…
        dialog = window.findChild(PreferencesDialog)
        assert dialog is not None and dialog.isVisible()
        assert "History" in [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        page = dialog.findChild(history.HistoryPage)
        assert page.database == database
        qtbot.waitUntil(lambda: "8 counts of 2 petitions" in page.usage_label.text(), timeout=TIMEOUT_MS)
        dialog.reject()
    finally:
        window.close()
        service.shutdown()
