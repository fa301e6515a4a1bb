"""The watchlist as a user handles it: sorting and back to my order, moving rows, Tab and F6,
removing with Undo, copying, and the window as it was left."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QMenu, QTableView

from petitiondesk.core.store import Store
from petitiondesk.gui.browse_model import PINNED_MARK, BrowseColumn
from petitiondesk.gui.watchlist_model import Column
from petitiondesk.gui.watchlist_view import MY_ORDER

WAIT_MS = 15_000


def ready(qtbot, window, count):
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=WAIT_MS)
    return window


def shown_ids(window) -> list[int]:
    return [window.model.record(r).petition_id for r in range(window.model.rowCount())]


def stored_order(window) -> list[int]:
    with Store.open(window.database, readonly=True) as store:
        return [entry.petition_id for entry in store.watchlist()]


def click_header(qtbot, window, column):
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_a_third_header_click_and_view_sort_by_my_order_bring_back_my_order(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:4]
    window = ready(qtbot, make_window(ids, refresh_on_start=False), 4)
    mine = shown_ids(window)
    click_header(qtbot, window, Column.TITLE)
    ascending = shown_ids(window)
    click_header(qtbot, window, Column.TITLE)
    assert shown_ids(window) == ascending[::-1] != mine
    click_header(qtbot, window, Column.TITLE)  # the third click: no arrow, my order
    assert shown_ids(window) == mine and window.watchlist.sort_column() == -1
    assert window.menu_actions.sort_actions[-1].isChecked()

    window.menu_actions.sort_actions[Column.TITLE].trigger()
    assert shown_ids(window) == ascending
    my_order = window.menu_actions.sort_actions[-1]
    assert my_order.text() == f"&{MY_ORDER}"
    my_order.trigger()
    assert shown_ids(window) == mine and window.model.can_reorder()


def test_my_order_survives_a_restart_sorted_or_not(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = ready(qtbot, make_window(ids, refresh_on_start=False), 3)
    click_header(qtbot, window, Column.TITLE)
    click_header(qtbot, window, Column.TITLE)
    click_header(qtbot, window, Column.TITLE)
    window.close()
    again = ready(qtbot, make_window(refresh_on_start=False), 3)
    assert again.watchlist.sort_column() == -1 and shown_ids(again) == ids


def test_ctrl_shift_arrows_move_the_selection_in_my_order_and_the_order_is_stored(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:4]
    window = ready(qtbot, make_window(ids, refresh_on_start=False), 4)
    window.select_petition(ids[2])
    window.table.setFocus()
    with qtbot.waitSignal(window.service.reorder_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
    assert shown_ids(window) == [ids[0], ids[2], ids[1], ids[3]]
    assert stored_order(window) == [ids[0], ids[2], ids[1], ids[3]]
    assert window.current_row().petition_id == ids[2]  # the selection moved with it
    with qtbot.waitSignal(window.service.reorder_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: stored_order(window) == [ids[0], ids[1], ids[3], ids[2]], timeout=WAIT_MS)
    assert shown_ids(window) == [ids[0], ids[1], ids[3], ids[2]]
    assert not window.watchlist.move_selected(1)  # already last


def test_moving_while_sorted_says_why_not_and_changes_nothing(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = ready(qtbot, make_window(ids, refresh_on_start=False), 3)
    window.watchlist.sort_by(Column.SIGNATURES, Qt.SortOrder.DescendingOrder)
    before = shown_ids(window)
    window.select_petition(before[1])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert shown_ids(window) == before and stored_order(window) == ids
    assert "Sorted by Signatures" in window.statusBar().currentMessage()
    assert "My order" in window.statusBar().currentMessage()
    assert not window.menu_actions.move_up_action.isEnabled()

    window.statusBar().clearMessage()  # a drag says the same, and selects nothing on its way
    window.table.clearSelection()
    viewport = window.table.viewport()
    start = window.table.visualRect(window.model.index(0, Column.TITLE)).center()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in (10, 30, 60):  # moves with the button held down
        point = QPointF(start.x(), start.y() + step)
        QApplication.sendEvent(viewport, QMouseEvent(QEvent.Type.MouseMove, point, viewport.mapToGlobal(point),
                                                     Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                                                     Qt.KeyboardModifier.NoModifier))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(start.x(), start.y() + 60))
    assert "Sorted by Signatures" in window.statusBar().currentMessage()
    assert len(window.selected_ids()) <= 1


def test_tab_leaves_the_list_and_f6_goes_round_the_panes(qtbot, simulator, make_window):
    ids = [simulator.world.ids("closed")[0], *simulator.world.ids("open")[:2]]
    window = ready(qtbot, make_window(ids), 3)
    qtbot.waitUntil(lambda: all(window.model.watch_row(pid).petition for pid in ids), timeout=WAIT_MS)
    window.select_petition(ids[0])
    qtbot.waitUntil(lambda: window.detail.petition is not None and window.detail.petition.id == ids[0]
                    and bool(window.related.items()), timeout=WAIT_MS)  # every pane has something to focus
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Tab)
    assert window.chart.isAncestorOf(window.focusWidget())  # on to the graph, not walking cell by cell
    assert window.current_row().petition_id == ids[0]  # and the selection stayed
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is window.filter_edit

    window.table.setFocus()
    visited = []
    for _ in range(3):
        visited.append(window.menu_actions.cycle_panes(1))
    assert visited == [window.chart, window.detail, window.watchlist]
    assert QApplication.focusWidget() is window.table  # back in the list itself
    assert window.menu_actions.cycle_panes(-1) is window.detail


def test_every_control_of_the_watchlist_and_the_status_bar_has_an_accessible_name(qtbot, make_window):
    window = make_window([], refresh_on_start=False)
    qtbot.waitUntil(lambda: window.status_label.text() != "Starting…", timeout=WAIT_MS)
    window.status.offer_undo(True)
    found = [w for kind in (QLineEdit, QTableView, QAbstractButton) for w in window.watchlist.findChildren(kind)]
    controls = [w for w in (*found, window.status.undo_button, window.left_tabs, window.left_tabs.tabBar())
                if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert controls and all(widget.accessibleName() for widget in controls), \
        [type(w).__name__ for w in controls if not w.accessibleName()]


def test_a_removed_petition_is_unpinned_in_browse_at_once_and_undo_puts_it_back_in_its_place(
        qtbot, simulator, make_window):
    window = ready(qtbot, make_window(refresh_on_start=False), 0)
    browse = window.browse
    browse.choose_facet("open")
    browse.search()
    qtbot.waitUntil(lambda: not window.browse_service.is_loading and browse.model.rowCount() > 3, timeout=WAIT_MS)
    ids = [browse.model.record(r).id for r in range(3)]
    for pid in ids:
        with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
            window.pin_petition(pid)
    assert browse.model.index(1, BrowseColumn.PINNED).data() == PINNED_MARK

    window.select_petition(ids[1])
    window.table.setFocus()
    with qtbot.waitSignal(window.service.unpin_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert browse.model.index(1, BrowseColumn.PINNED).data() != PINNED_MARK  # at once, not after a restart
    assert browse.model.index(0, BrowseColumn.PINNED).data() == PINNED_MARK
    assert window.status.undo_button.isVisible() and window.menu_actions.undo_action.isEnabled()
    assert window.status_label.text() == "Removed 1 petition from the watchlist (their history is kept)"

    with qtbot.waitSignal(window.service.reorder_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_order(window) == ids and shown_ids(window) == ids
    assert browse.model.index(1, BrowseColumn.PINNED).data() == PINNED_MARK
    assert not window.status.undo_button.isVisible() and not window.menu_actions.undo_action.isEnabled()
    assert window.status_label.text() == "Restored 1 petition"


def test_ctrl_c_copies_the_titles_and_links_of_the_selected_petitions(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = ready(qtbot, make_window(ids), 3)
    qtbot.waitUntil(lambda: all(window.model.watch_row(pid).petition for pid in ids), timeout=WAIT_MS)
    window.table.setFocus()
    selection = window.table.selectionModel()
    window.select_petition(ids[0])
    selection.select(window.model.index(window.model.row_of(ids[2]), 0),
                     selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    first, third = window.model.watch_row(ids[0]), window.model.watch_row(ids[2])
    assert QGuiApplication.clipboard().text() == (
        f"{first.title}\nhttps://petition.parliament.uk/petitions/{ids[0]}\n\n"
        f"{third.title}\nhttps://petition.parliament.uk/petitions/{ids[2]}")


def test_the_tabs_the_user_left_open_are_open_again(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:1]
    window = ready(qtbot, make_window(ids, refresh_on_start=False), 1)
    window.show_tab(1)
    window.detail.tabs.setCurrentIndex(2)
    window.close()
    again = ready(qtbot, make_window(refresh_on_start=False), 1)
    assert again.left_tabs.currentIndex() == 1
    assert again.detail.tabs.currentIndex() == 2


def test_the_demo_title_names_the_app_once(qtbot, simulator, data_dir):
    from PySide6.QtCore import QSettings

    from petitiondesk import APP_NAME, paths
    from petitiondesk.gui.main_window import MainWindow
    from petitiondesk.gui.worker import RefreshService, WorkerConfig

    database = paths.database_path(data_dir)
    service = RefreshService(WorkerConfig(database=database, api_base=simulator.url, refresh_on_start=False))
    window = MainWindow(service, database, QSettings(str(data_dir / "w.ini"), QSettings.Format.IniFormat),
                        title_suffix=" — demo (simulated site, an hour a second)")
    qtbot.addWidget(window)
    # Qt adds the application's display name to any title that does not already end with it.
    title = window.windowTitle()
    assert title.endswith(APP_NAME) and title.count(APP_NAME) == 1
    assert title.startswith("demo (simulated site")
    window.close()


def test_open_on_the_website_says_so_when_no_browser_opens(qtbot, simulator, make_window, monkeypatch):
    from petitiondesk.core.browse import BrowseRow
    from petitiondesk.gui import tables

    ids = simulator.world.ids("open")[:1]
    window = ready(qtbot, make_window(ids), 1)
    qtbot.waitUntil(lambda: getattr(window.model.watch_row(ids[0]), "petition", None) is not None, timeout=WAIT_MS)
    window.select_petition(ids[0])
    qtbot.waitUntil(lambda: window.detail.petition is not None, timeout=WAIT_MS)
    opened = []

    def no_browser(url) -> bool:
        opened.append(url.toString())
        return False

    monkeypatch.setattr(tables.QDesktopServices, "openUrl", no_browser)
    address = f"https://petition.parliament.uk/petitions/{ids[0]}"
    refusal = f"No web browser could be opened; the address is {address}"
    window.menu_actions.open_web_action.trigger()  # from the watchlist
    assert opened == [address]
    assert window.status_label.text() == refusal

    window.status.say("")
    qtbot.mouseClick(window.detail.web_button, Qt.MouseButton.LeftButton)  # from the detail pane
    assert opened == [address] * 2
    assert window.status_label.text() == refusal

    window.status.say("")
    window.browse.model.load([BrowseRow.from_petition(window.detail.petition)])  # from Browse
    window.browse.table.selectRow(0)
    window.browse.open_on_website()
    assert opened == [address] * 3
    assert window.status_label.text() == refusal


def test_exporting_the_watchlist_starts_in_the_documents_folder(qtbot, make_window, monkeypatch):
    from PySide6.QtCore import QStandardPaths

    from petitiondesk.gui import watchlist_files

    window = make_window([], refresh_on_start=False)
    asked = []
    monkeypatch.setattr(watchlist_files.QFileDialog, "getSaveFileName",
                        lambda parent, caption, suggested, filters: asked.append(suggested) or ("", ""))
    window.menu_actions.export_action.trigger()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert documents and asked == [str(Path(documents) / "petitiondesk-watchlist.json")]


def test_the_constituency_the_user_found_is_theirs_again_after_a_restart(qtbot, make_window):
    window = make_window([], refresh_on_start=False)
    window.detail.my_constituency_chosen.emit("E14001063")  # what finding "Aldershot" on the map says
    window.close()
    again = make_window([], refresh_on_start=False)
    tabs = again.detail.tabs
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "&Signatures"))  # the map
    assert again.detail.map_panel.view.mine_code == "E14001063"


def column_actions(menu) -> dict[str, object]:
    return {action.text(): action for action in menu.actions() if action.isCheckable()}


def test_columns_are_shown_or_hidden_from_the_header_or_the_view_menu_and_stay_so(qtbot, simulator, make_window,
                                                                                 monkeypatch):
    """The titles need room on a small screen: any column but the title can be hidden (the header's
    context menu, or View > Columns), and the window opens again with the same columns."""
    ids = simulator.world.ids("open")[:2]
    window = ready(qtbot, make_window(ids, refresh_on_start=False), 2)
    watchlist = window.watchlist
    menu = window.menu_actions.columns_menu
    menu.aboutToShow.emit()
    actions = column_actions(menu)
    assert "Petition" not in actions  # the title is always shown
    assert set(actions) == {"Problems", "State", "Signatures", "24 h change", "Estimate", "Closes", "Last updated"}
    title_width = window.table.columnWidth(Column.TITLE)
    actions["Closes"].setChecked(False)
    assert not watchlist.column_shown(Column.CLOSING)
    assert window.table.columnWidth(Column.TITLE) > title_width  # the room goes to the titles
    actions["Last updated"].setChecked(True)
    window.close()

    again = ready(qtbot, make_window(refresh_on_start=False), 2)
    assert not again.watchlist.column_shown(Column.CLOSING) and again.watchlist.column_shown(Column.UPDATED)
    popped = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, position: popped.append((menu, position)))
    header = again.table.horizontalHeader()
    header.customContextMenuRequested.emit(QPoint(10, 5))
    popup, where = popped[0]
    assert where == header.mapToGlobal(QPoint(10, 5))
    assert not column_actions(popup)["Closes"].isChecked()
    next(a for a in popup.actions() if a.text() == "Show &All Columns").trigger()
    assert all(again.watchlist.column_shown(column) for column in range(Column.COUNT))


def test_on_a_small_screen_the_list_starts_without_the_update_times(qtbot, make_window):
    """Under 1,400 px the titles get that room at first (the status bar says when the last refresh was);
    View > Columns brings the column back."""
    window = make_window(refresh_on_start=False)
    small = QGuiApplication.primaryScreen().availableGeometry().width() < 1400 / 0.95
    assert window.watchlist.column_shown(Column.UPDATED) is not small
    assert window.watchlist.column_shown(Column.TITLE) and window.watchlist.column_shown(Column.CLOSING)
