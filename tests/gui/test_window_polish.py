"""What a new user tripped over (issue 10): preferences, help, print, one current count, offline
pins, Browse previews, empty breakdown tabs, and times that say which zone they are in."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from petitiondesk.core.store import Store
from petitiondesk.gui import format as display
from petitiondesk.gui.format import format_count
from petitiondesk.gui.watchlist_model import Column

WAIT_MS = 15_000


@pytest.fixture
def uk_time_and_system_theme():
    """Preferences change process-wide state (the zone, the palette): put it back for other tests."""
    yield
    from petitiondesk.gui.theme import apply_theme

    display.set_display_zone("uk")
    apply_theme(QApplication.instance(), "system")


def documented(qtbot, window, petition_id: int):
    qtbot.waitUntil(lambda: getattr(window.model.watch_row(petition_id), "petition", None) is not None,
                    timeout=WAIT_MS)


def shown_with_samples(qtbot, window, petition_id: int):
    """The window once `petition_id` is selected, with its details and recorded samples on show."""
    documented(qtbot, window, petition_id)
    window.select_petition(petition_id)
    qtbot.waitUntil(lambda: window.detail.petition is not None and window.chart_sample_count() > 0
                    and not window.is_reading, timeout=WAIT_MS)
    return window


def detail_texts(window) -> list[str]:
    from PySide6.QtWidgets import QLabel

    return [label.text() for label in window.detail.findChildren(QLabel)]


def header_text(window, column: int) -> str:
    return window.model.headerData(column, Qt.Orientation.Horizontal)


# --- Preferences ----------------------------------------------------------------------------------


def test_preferences_open_from_edit_with_ctrl_comma_and_apply_live(qtbot, simulator, make_window,
                                                                    uk_time_and_system_theme):
    from petitiondesk.gui.preferences import REFRESH_MINUTES, THEME, TIME_ZONE, PreferencesDialog

    pid = simulator.world.ids("open")[0]
    window = make_window([pid])
    documented(qtbot, window, pid)
    action = window.menu_actions.preferences_action
    assert QKeySequence("Ctrl+,") in action.shortcuts()
    assert "UK time" in header_text(window, Column.UPDATED)
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Last refresh"), timeout=WAIT_MS)
    assert window.status_label.text().split(" · ")[0].endswith("UK time")
    qtbot.waitUntil(lambda: window.detail.petition is not None, timeout=WAIT_MS)
    assert "Dates (UK time)" in detail_texts(window)

    action.trigger()
    dialog = next(d for d in window.findChildren(PreferencesDialog) if d.isVisible())
    zone = dialog.control_for(TIME_ZONE)
    zone.setCurrentIndex(zone.findData("local"))
    theme = dialog.control_for(THEME)
    theme.setCurrentIndex(theme.findData("dark"))
    dialog.control_for(REFRESH_MINUTES).setValue(7)
    dialog.accept()

    assert display.zone_name() == "local time"
    assert "local time" in header_text(window, Column.UPDATED)  # the list's header follows at once
    assert window.status_label.text().split(" · ")[0].endswith("local time")  # and the status bar
    assert "Dates (local time)" in detail_texts(window)  # and the details
    window_colour = QApplication.instance().palette().color(QPalette.ColorRole.Window)
    assert window_colour.name() == "#1f2328"  # the dark palette
    worker = window.service._worker
    qtbot.waitUntil(lambda: worker._refresher.count_interval == 7 * 60, timeout=WAIT_MS)


def test_saved_preferences_apply_at_start_up(qtbot, simulator, make_window, data_dir, uk_time_and_system_theme):
    from petitiondesk.gui.app import count_interval
    from petitiondesk.gui.preferences import PREFIX, REFRESH_MINUTES, TIME_ZONE

    settings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue(PREFIX + TIME_ZONE, "local")
    settings.setValue(PREFIX + REFRESH_MINUTES, 15)
    settings.sync()
    assert count_interval(settings) == 15 * 60  # what the app gives the refresh worker
    display.set_display_zone("uk")
    window = make_window([], refresh_on_start=False)
    assert display.zone_name() == "local time"
    assert "local time" in header_text(window, Column.UPDATED)


# --- Help and printing ----------------------------------------------------------------------------


def test_help_offers_the_keyboard_shortcuts_on_f1_and_about_names_the_data_licence(qtbot, make_window,
                                                                                  monkeypatch):
    from petitiondesk.gui.help import ShortcutsDialog

    window = make_window([], refresh_on_start=False)
    action = window.menu_actions.shortcuts_action
    assert QKeySequence("F1") in action.shortcuts()
    action.trigger()
    dialog = next(d for d in window.findChildren(ShortcutsDialog) if d.isVisible())
    rows = dict(dialog.rows())
    assert "Ctrl+," in rows["Preferences"] and rows["Print"] == QKeySequence("Ctrl+P").toString(
        QKeySequence.SequenceFormat.NativeText)
    dialog.close()

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    window.menu_actions.about_action.trigger()
    assert len(shown) == 1 and "Open Government Licence" in shown[0] and "MIT" in shown[0]


def test_print_and_print_preview_take_the_selected_petitions_chart_and_details(qtbot, simulator, make_window,
                                                                             monkeypatch):
    from petitiondesk.gui import printing

    pid = simulator.world.ids("open")[0]
    window = shown_with_samples(qtbot, make_window([pid]), pid)
    assert window.menu_actions.print_action.shortcuts()[0] == QKeySequence(QKeySequence.StandardKey.Print)
    printed = []
    monkeypatch.setattr(printing, "print_preview", lambda parent, spec, petition: printed.append((spec, petition)))
    monkeypatch.setattr(printing, "print_petition", lambda parent, spec, petition: printed.append((spec, petition)))
    window.menu_actions.print_preview_action.trigger()
    window.menu_actions.print_action.trigger()
    assert len(printed) == 2
    for spec, petition in printed:
        assert petition.id == pid and spec.title == petition.action and spec.times.size > 0


def test_print_is_off_with_nothing_to_print(qtbot, make_window):
    window = make_window([], refresh_on_start=False)
    qtbot.waitUntil(lambda: window.status_label.text() != "Starting…", timeout=WAIT_MS)
    assert not window.menu_actions.print_action.isEnabled()
    assert not window.menu_actions.print_preview_action.isEnabled()


# --- One current count ----------------------------------------------------------------------------


def test_the_detail_panes_count_follows_the_newest_sample_also_after_a_restart(qtbot, simulator, make_window,
                                                                               data_dir):
    pid = simulator.world.ids("open")[0]
    window = shown_with_samples(qtbot, make_window([pid]), pid)
    document_count = window.detail.petition.signature_count
    newer = document_count + 15_988  # counted since the document was read (its next full read is later)
    with Store.open(window.database) as writer:
        writer.add_sample(pid, float(window.presenter.times[-1]) + 60, newer)
    with qtbot.waitSignal(window.selection_loaded, timeout=WAIT_MS):
        window.presenter.refresh_selected()
    assert f"{format_count(newer)} signatures" in window.detail.status_label.text()
    assert window.detail.petition.signature_count == document_count  # the document itself is older
    window.close()

    again = make_window([])  # the same data folder, as after a restart
    qtbot.waitUntil(lambda: again.detail.petition is not None and again.chart_sample_count() > 0
                    and not again.is_reading, timeout=WAIT_MS)
    assert f"{format_count(newer)} signatures" in again.detail.status_label.text()


# --- Offline --------------------------------------------------------------------------------------


def unreachable_window(qtbot, folder):
    """A window whose site refuses every connection (nothing listens on the port)."""
    import socket

    from petitiondesk import paths
    from petitiondesk.gui.main_window import MainWindow
    from petitiondesk.gui.worker import RefreshService, WorkerConfig

    with socket.socket() as probe:  # a port that was free a moment ago: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder.mkdir(exist_ok=True)
    database = paths.database_path(folder)
    Store.open(database).close()
    service = RefreshService(WorkerConfig(database=database, api_base=f"http://127.0.0.1:{port}",
                                          request_interval=0.0, refresh_on_start=False))
    window = MainWindow(service, database, QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    service.start()
    return window


def test_adding_while_offline_says_it_is_pinned_and_the_pane_says_why_there_are_no_details(qtbot, tmp_path):
    from petitiondesk.gui.detail_pane import EMPTY_TEXT

    window = unreachable_window(qtbot, tmp_path / "offline")
    try:
        with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
            window.add_petition("700123")
        assert window.status_label.text() == "Pinned 700123; details will load when the site can be reached"
        qtbot.waitUntil(lambda: window.presenter.selected_id == 700123 and not window.is_reading, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.detail.empty_label.text() != EMPTY_TEXT, timeout=WAIT_MS)
        shown = window.detail.empty_label.text()
        assert window.detail.empty_label.isVisible()
        assert shown.startswith("Petition 700123:") and "when the site can be reached" in shown
    finally:
        window.close()


def test_the_add_dialog_says_the_same_of_an_offline_pin(qtbot, make_row):
    from petitiondesk.gui.add_dialog import AddPetitionsDialog
    from petitiondesk.gui.worker import PinResult

    dialog = AddPetitionsDialog(lambda: [])
    qtbot.addWidget(dialog)
    sent = []
    dialog.pin_requested.connect(sent.append)
    dialog.add_text("700123")
    waiting = replace(make_row(700123), petition=None, problem="offline", problem_detail="cannot connect")
    assert dialog.record_result(PinResult(sent[0], 700123, row=waiting))
    texts = [dialog.results.item(0, column).text() for column in range(dialog.results.columnCount())
             if dialog.results.item(0, column) is not None]
    assert "Pinned 700123; details will load when the site can be reached" in texts


# --- Browse previews ------------------------------------------------------------------------------


def test_browse_previews_the_result_the_selection_rests_on_without_pinning_it(qtbot, simulator, make_window):
    window = make_window([], refresh_on_start=False)
    qtbot.waitUntil(lambda: window.status_label.text() != "Starting…", timeout=WAIT_MS)
    window.show_tab(1)
    browse = window.browse
    browse.choose_facet("open")
    browse.search()
    qtbot.waitUntil(lambda: browse.model.rowCount() >= 6, timeout=WAIT_MS)
    asked = []
    real_load = window.browse_service.load_preview
    window.browse_service.load_preview = lambda pid, archived=False: (asked.append(pid), real_load(pid, archived))
    browse.table.setFocus()
    browse.table.selectRow(0)
    for _ in range(4):  # arrowing through: no request until the selection rests
        qtbot.keyClick(browse.table, Qt.Key.Key_Down)
        qtbot.wait(50)
    last = browse.current_record()
    assert asked == []
    assert last.action in browse.detail_label.text()  # the full title, under the list
    with qtbot.waitSignal(window.browse_service.preview_loaded, timeout=WAIT_MS):
        pass
    assert asked == [last.id]  # one request, for where the selection rested
    qtbot.waitUntil(lambda: window.detail.petition is not None and window.detail.petition.id == last.id,
                    timeout=WAIT_MS)
    assert window.detail.title_label.text() == window.detail.petition.action
    assert window.chart.petition is not None and window.chart.petition.id == last.id
    assert not window.chart.is_empty and window.chart.overlays.known  # the counts the site states
    assert window.chart_sample_count() == 0  # and no made-up recorded samples
    assert window.model.petition_ids() == []  # nothing was pinned
    window.show_tab(0)  # the watchlist's own selection (none) is shown again
    assert window.detail.petition is None


# --- Empty breakdowns -----------------------------------------------------------------------------


def test_an_empty_regions_table_is_not_offered(qtbot, debated_petition):
    from petitiondesk.gui.detail_pane import DetailPane

    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show()
    pane.show_petition(debated_petition)
    assert pane.breakdown_tabs.isTabVisible(1)
    pane.show_petition(replace(debated_petition, signatures_by_region=()))
    assert not pane.breakdown_tabs.isTabVisible(1)  # no "Regions (0)" tab
    assert pane.breakdown_tabs.isTabVisible(0)
