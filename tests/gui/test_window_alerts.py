"""Alerts in a window: the dock, the status bar, notifications, the tray and closing to it."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from petitiondesk.core.alert_store import Status, StoredAlert
from petitiondesk.core.alerts import Alert, AlertRules, Kind
from petitiondesk.gui import window_alerts
from petitiondesk.gui.notifier import FakeNotifier
from petitiondesk.gui.tray import Tray
from petitiondesk.gui.window_alerts import READER_MESSAGE, WindowAlerts
from petitiondesk.gui.worker import RefreshResult

T = datetime(2026, 12, 1, 12, 0).timestamp()


class FakeService(QObject):
    """The RefreshService's alert side: its two signals, and the requests it is sent."""

    refresh_finished = Signal(object)
    alerts_loaded = Signal(object, int, object)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def __getattr__(self, name):
        if name in ("load_alerts", "mark_alerts_read", "clear_alerts", "save_alert_rules", "refresh_now"):
            return lambda *args: self.calls.append((name, *args))
        raise AttributeError(name)


def stored(alert_id: int, petition_id: int = 700123) -> StoredAlert:
    alert = Alert(petition_id, f"k{alert_id}", Kind.THRESHOLD, "Fund libraries", "reached 10,000 signatures")
    return StoredAlert(alert_id, alert, T, Status.UNREAD, False)


@pytest.fixture
def parts(qtbot, tmp_path):
    window = QMainWindow()  # not given to qtbot: it would close it before `let_close`
    window.show()
    service, notifier, opened = FakeService(), FakeNotifier(), []
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor("white"))
    tray = Tray(QIcon(pixmap))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    alerts = WindowAlerts(window, service, opened.append, settings, notifier, tray)
    yield window, service, notifier, opened, alerts
    alerts.let_close()
    window.close()
    window.deleteLater()


def test_a_pass_with_alerts_reaches_the_status_bar_the_desktop_the_list_and_the_tray(parts):
    window, service, notifier, opened, alerts = parts
    assert service.calls == [("load_alerts",)]
    service.refresh_finished.emit(RefreshResult(rows=(), alerts=(stored(1),), unread=1))
    assert window.statusBar().currentMessage() == "Fund libraries: reached 10,000 signatures"
    assert [n.body for n in notifier.shown] == ["Reached 10,000 signatures."]
    assert service.calls[-1] == ("load_alerts",)
    service.alerts_loaded.emit((stored(1),), 1, AlertRules(surge=False))
    assert alerts.view.model.rowCount() == 1 and alerts.tray.icon.toolTip() == "PetitionDesk: 1 unread alert"
    assert alerts.rules == AlertRules(surge=False)
    notifier.click()
    assert opened == [700123] and window.isVisible()
    alerts.view.clear_button.click()
    assert service.calls[-1] == ("clear_alerts", None)


def test_a_window_that_only_reads_says_who_records(parts):
    window, service, _, _, _ = parts
    service.refresh_finished.emit(RefreshResult(rows=(), polling=False))
    assert window.statusBar().currentMessage() == READER_MESSAGE


def test_closing_keeps_recording_in_the_tray_asked_once(parts, monkeypatch):
    window, *_ = parts
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(1) or QMessageBox.StandardButton.Yes)
    window.close()
    assert not window.isVisible() and asked == [1]
    window.show()
    window.close()
    assert not window.isVisible() and asked == [1]  # remembered


def test_answering_no_closes_the_window(parts, monkeypatch):
    window, *_ = parts
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert window.close() and not window.isVisible()


def test_without_a_tray_closing_closes(qtbot, tmp_path):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    WindowAlerts(window, FakeService(), lambda pid: None, settings, FakeNotifier(), use_tray=False)
    assert window.close()


def test_the_tray_menu_refreshes_and_quits_and_the_rules_dialog_saves(parts, monkeypatch):
    window, service, _, _, alerts = parts
    alerts.tray.refresh_action.trigger()
    assert service.calls[-1] == ("refresh_now", True)
    alerts.edit_rules()
    editor = alerts.rules_dialog.findChild(window_alerts.AlertRulesEditor)
    editor.switches["stall"].setChecked(False)
    assert service.calls[-1] == ("save_alert_rules", AlertRules(stall=False))
    quits = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(1))
    alerts.tray.quit_action.trigger()
    assert quits == [1] and not window.isVisible()


def test_the_main_window_tells_a_new_alert_and_lists_it(qtbot, make_window, simulator):
    world = simulator.world
    petition_id = next(i for i in world.ids("open") if 1_000 < world.count(i) < 9_000)
    window = make_window([petition_id])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and window.model.watch_row(petition_id).petition
                    is not None, timeout=15_000)
    with qtbot.waitSignal(window.service.refresh_finished, timeout=15_000):
        window.service.refresh_now(True)  # the baseline is taken by now
    world.advance(120)
    world.set_count(petition_id, 10_600)
    with qtbot.waitSignal(window.alerts.view.model.rowsInserted, timeout=15_000):
        window.service.refresh_now(True)
    assert window.status.text().endswith(": reached 10,000 signatures")
    assert window.alerts.view.model.alert_at(0).alert.petition_id == petition_id
    assert window.alerts.dock.toggleViewAction() in window.menu_actions.view_menu.actions()
    window.alerts.view.table.activated.emit(window.alerts.view.model.index(0, 1))
    assert window.selected_ids() == [petition_id]
