"""The alerts list, its settings (pause, quiet hours) and the tray icon with the unread count."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QSettings, Qt, QTime
from PySide6.QtGui import QColor, QIcon, QPixmap

from petitiondesk.core.alert_store import Status, StoredAlert
from petitiondesk.core.alerts import Alert, Kind
from petitiondesk.gui.alerts_view import AlertSettings, AlertsView
from petitiondesk.gui.tray import Tray, badge_text, badged_icon

T = datetime(2026, 12, 1, 12, 0).timestamp()


def stored(alert_id: int, status: Status = Status.UNREAD, title: str = "Fund libraries", away: bool = False,
           message: str = "reached 10,000 signatures") -> StoredAlert:
    alert = Alert(700000 + alert_id, f"k{alert_id}", Kind.THRESHOLD, title, message)
    return StoredAlert(alert_id, alert, T + alert_id, status, away)


@pytest.fixture
def settings(tmp_path):
    return AlertSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def view(qtbot, settings):
    made = AlertsView(settings)
    qtbot.addWidget(made)
    return made


def texts(view, column):
    return [view.model.index(row, column).data() for row in range(view.model.rowCount())]


def test_alerts_are_listed_newest_first_unread_in_bold_and_network_text_stays_plain(view):
    view.set_alerts([stored(2, title="<b>Ban</b>\x1b[31m x", away=True), stored(1, Status.READ)])
    assert texts(view, view.model.PETITION) == ["<b>Ban</b> x", "Fund libraries"]
    assert texts(view, view.model.WHAT) == ["reached 10,000 signatures (while you were away)",
                                            "reached 10,000 signatures"]
    assert view.model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert view.model.index(1, 0).data(Qt.ItemDataRole.FontRole) is None
    assert "&lt;b&gt;Ban&lt;/b&gt;" in view.model.index(0, view.model.PETITION).data(Qt.ItemDataRole.ToolTipRole)


def test_updates_insert_change_and_remove_rows_in_place(view, qtbot):
    view.set_alerts([stored(2), stored(1)])
    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))
    view.table.selectRow(1)  # alert 1
    view.set_alerts([stored(3), stored(1, Status.READ)])
    assert [view.model.alert_at(r).id for r in range(view.model.rowCount())] == [3, 1]
    assert view.table.selectionModel().selectedRows()[0].row() == 1  # still alert 1
    assert resets == []


def test_a_pass_with_many_alerts_lists_every_one_in_order_inserted_and_changed_in_runs(view):
    view.set_alerts([stored(i) for i in range(300, 0, -1)])
    inserted, removed, changed, resets = [], [], [], []
    view.model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    view.model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    view.model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), bottom.row())))
    view.model.modelReset.connect(lambda: resets.append(1))
    view.table.selectRow(250)  # alert 50
    # 200 new on top, two old ones gone, the rest read: what a long pass and "Mark all read" bring
    listing = [stored(i) for i in range(500, 300, -1)] + [stored(i, Status.READ) for i in range(300, 2, -1)]
    view.set_alerts(listing)
    assert [view.model.alert_at(row).id for row in range(view.model.rowCount())] == list(range(500, 2, -1))
    assert inserted == [(0, 199)] and removed == [(298, 299)] and changed == [(200, 497)] and resets == []
    assert all(view.model.index(row, 0).data(Qt.ItemDataRole.FontRole) is None for row in range(200, 498))
    assert view.model.alert_at(view.table.selectionModel().selectedRows()[0].row()).id == 50  # still alert 50
    view.set_alerts([stored(501), *listing[:100], stored(400, Status.READ), *listing[101:]])  # one new, one read
    assert [view.model.alert_at(row).id for row in range(3)] == [501, 500, 499]
    assert view.model.alert_at(101).id == 400 and view.model.index(101, 0).data(Qt.ItemDataRole.FontRole) is None
    assert view.model.index(100, 0).data(Qt.ItemDataRole.FontRole).bold() and view.model.rowCount() == 499
    view.set_alerts(reversed(listing))  # in any order, each alert once, newest first
    assert [view.model.alert_at(row).id for row in range(view.model.rowCount())] == list(range(500, 2, -1))


def test_times_follow_the_zone_the_user_chooses(view, monkeypatch):
    import time

    from petitiondesk.gui import format as display

    view.set_alerts([stored(1)])
    uk = view.model.index(0, view.model.WHEN).data()
    assert uk == "1 Dec 2026, 12:00"
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the computer's zone, nine hours ahead
    time.tzset()
    try:
        display.set_display_zone("local")
        assert view.model.index(0, view.model.WHEN).data() == "1 Dec 2026, 21:00"
    finally:
        monkeypatch.undo()
        time.tzset()
        display.set_display_zone("uk")
    assert view.model.index(0, view.model.WHEN).data() == uk


def test_buttons_ask_for_read_and_clear_and_activating_opens_the_petition(view, qtbot):
    view.set_alerts([stored(3), stored(2, Status.READ), stored(1)])
    with qtbot.waitSignal(view.mark_read) as read:
        view.read_button.click()
    assert read.args == [[3, 1]]
    view.table.selectRow(1)
    with qtbot.waitSignal(view.clear) as cleared:
        view.clear_selected_button.click()
    assert cleared.args == [[2]]
    with qtbot.waitSignal(view.clear) as cleared:
        view.clear_button.click()
    assert cleared.args == [None]
    asked = []
    view.mark_read.connect(lambda ids: asked.append(("read", ids)))
    view.open_petition.connect(lambda pid: asked.append(("open", pid)))
    view.table.activated.emit(view.model.index(0, 1))
    assert asked == [("read", [3]), ("open", 700003)]


def test_an_empty_list_explains_itself(view):
    view.set_alerts([])
    assert not view.empty_label.isHidden() and view.table.isHidden()
    assert not view.clear_button.isEnabled() and not view.read_button.isEnabled()
    view.set_alerts([stored(1)])
    assert view.empty_label.isHidden() and view.read_button.isEnabled()


def test_pause_and_quiet_hours_hold_back_notifications_and_are_remembered(view, settings, tmp_path):
    evening, morning = datetime(2026, 12, 1, 23, 30), datetime(2026, 12, 2, 8, 0)
    assert settings.notifications_allowed(evening)
    view.quiet_box.setChecked(True)
    view.quiet_start.setTime(QTime(22, 0))
    view.quiet_end.setTime(QTime(7, 0))
    assert not settings.notifications_allowed(evening) and settings.notifications_allowed(morning)
    view.pause_box.setChecked(True)
    assert not settings.notifications_allowed(morning)
    again = AlertSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.paused and again.quiet_hours == (22 * 60, 7 * 60)


def test_pausing_from_the_tray_shows_in_the_view(view, settings):
    settings.set_paused(True)
    assert view.pause_box.isChecked()


# ------------------------------------------------------------------------------------- tray


def base_icon() -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor("white"))
    return QIcon(pixmap)


def test_the_tray_shows_the_unread_count_and_asks_through_its_menu(qtbot):
    tray = Tray(base_icon())
    plain = tray.icon.icon().pixmap(32, 32).toImage()
    tray.set_unread(3)
    badged = tray.icon.icon().pixmap(32, 32).toImage()
    assert badged != plain and badged.pixelColor(26, 26) != QColor("white")  # the badge's corner
    assert tray.icon.toolTip() == "PetitionDesk: 3 unread alerts"
    with qtbot.waitSignal(tray.pause_toggled) as paused:
        tray.pause_action.trigger()
    assert paused.args == [True] and tray.icon.toolTip().endswith("(alerts paused)")
    for action, signal in ((tray.open_action, tray.open_requested), (tray.refresh_action, tray.refresh_requested),
                           (tray.quit_action, tray.quit_requested)):
        with qtbot.waitSignal(signal):
            action.trigger()
    tray.set_unread(0)
    assert tray.icon.icon().pixmap(32, 32).toImage() == plain


def test_badges_count_up_to_99():
    assert [badge_text(n) for n in (0, 1, 99, 100)] == ["", "1", "99", "99+"]
    assert badged_icon(QIcon(), 5).isNull()


# ----------------------------------------------------------------------------- delivery


def test_new_alerts_reach_the_status_bar_always_and_the_desktop_unless_paused(qtbot, settings):
    from petitiondesk.gui.alert_center import AlertCenter
    from petitiondesk.gui.notifier import FakeNotifier

    notifier = FakeNotifier()
    tray = Tray(base_icon())
    center = AlertCenter(notifier, settings, tray)
    messages, opened = [], []
    center.status_message.connect(messages.append)
    center.open_petition.connect(opened.append)
    center.deliver([stored(1, away=True), stored(2, away=True), stored(3)], unread=3)
    assert [n.title for n in notifier.shown] == ["While you were away: 2 alerts", "Fund libraries"]
    assert messages == ["3 new alerts: see Alerts"] and tray.icon.toolTip() == "PetitionDesk: 3 unread alerts"
    notifier.click()
    assert opened == [700003]
    tray.pause_action.trigger()  # pausing from the tray is the same setting
    assert settings.paused
    center.deliver([stored(4, title="Ban\x07 x")], unread=4)
    assert len(notifier.shown) == 2 and messages[-1] == "Ban x: reached 10,000 signatures"
    notifier.failed.emit("Desktop notifications are unavailable: no bus")
    assert messages[-1] == "Desktop notifications are unavailable: no bus. Alerts are still listed under Alerts."


def test_the_rules_editor_shows_rules_and_says_what_is_wrong_with_a_count(qtbot):
    from petitiondesk.core.alerts import AlertRules
    from petitiondesk.gui.alerts_view import AlertRulesEditor

    editor = AlertRulesEditor(AlertRules(surge=False, round_numbers=(25_000,)))
    qtbot.addWidget(editor)
    assert not editor.switches["surge"].isChecked() and editor.round_numbers.text() == "25,000"
    changes = []
    editor.rules_changed.connect(changes.append)
    editor.round_numbers.setText("25,000 lots")
    editor.round_numbers.editingFinished.emit()
    assert changes == [] and editor.round_numbers_error.text() == "'lots' is not a number of signatures"
    editor.round_numbers.setText("25,000 50k")
    editor.round_numbers.editingFinished.emit()
    editor.switches["stall"].setChecked(False)
    assert [rules.round_numbers for rules in changes] == [(25_000, 50_000), (25_000, 50_000)]
    assert changes[-1] == AlertRules(surge=False, stall=False, round_numbers=(25_000, 50_000))
    assert editor.round_numbers_error.isHidden()
