"""The main window against the simulator: what a user sees after refreshes, selections, failures."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from petitiondesk.core.store import Store
from petitiondesk.gui.watchlist_model import Column

WAIT_MS = 45_000  # a refresh pass of the simulator; generous for a loaded 2-core machine


def wait_for_pass(qtbot, window, action=None):
    """Run `action` (or nothing) and wait for the next refresh result and for the selected
    petition's samples that it recorded; returns the result."""
    with qtbot.waitSignal(window.service.refresh_finished, timeout=WAIT_MS) as finished:
        if action is not None:
            action()
    qtbot.waitUntil(lambda: not window.is_reading, timeout=WAIT_MS)
    return finished.args[0]


def stored_order(window) -> list[int]:
    """The watchlist as the database holds it (read here, in the test, not by the window)."""
    with Store.open(window.database, readonly=True) as store:
        return [entry.petition_id for entry in store.watchlist()]


def shown_counts(window) -> dict[int, str]:
    model = window.model
    return {model.record(r).petition_id: model.index(r, Column.SIGNATURES).data() for r in range(model.rowCount())}


def debated_with_response(world) -> int:
    return next(pid for pid in world.ids("closed")
                if world.milestones(pid).debated and world.milestones(pid).government_response_at)


def test_a_refresh_updates_rows_with_data_changed_and_never_resets(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:4]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    assert sorted(shown_counts(window)) == sorted(ids)
    window.select_petition(ids[2])
    window.table.horizontalScrollBar().setValue(0)
    model = window.model
    changed_rows, structure = [], []
    model.dataChanged.connect(lambda top, bottom, roles: changed_rows.append(top.row()))
    for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
        signal.connect(lambda *args: structure.append(args))
    simulator.world.advance(6 * 3600)  # six simulated hours of signing
    result = wait_for_pass(qtbot, window, window.refresh_now)
    assert result.error is None
    assert changed_rows and structure == []
    for row in result.rows:
        assert shown_counts(window)[row.petition_id] == f"{row.signature_count:,}"
    assert window.current_row().petition_id == ids[2]
    assert window.status_label.text().startswith("Last refresh")
    assert window.next_label.text().startswith("Next refresh in")


def test_selecting_petitions_fills_the_graph_and_the_detail_pane(qtbot, simulator, make_window,
                                                                 select_and_wait):
    world = simulator.world
    debated, open_one, rejected = debated_with_response(world), world.ids("open")[0], world.ids("rejected")[0]
    window = make_window([open_one, debated, rejected])
    wait_for_pass(qtbot, window)
    simulator.world.advance(3600)
    wait_for_pass(qtbot, window, window.refresh_now)

    select_and_wait(window, debated)
    assert window.detail.petition.id == debated
    assert window.detail.petition.government_response is not None and window.detail.petition.debate
    assert window.chart_sample_count() >= 1 and not window.chart.is_empty
    assert window.detail.shows_breakdown_tables

    select_and_wait(window, open_one)
    assert window.detail.petition.id == open_one and window.detail.petition.state == "open"
    assert window.chart_sample_count() >= 2

    select_and_wait(window, rejected)
    assert window.detail.petition.state == "rejected"
    assert not window.detail.shows_breakdown_tables


def test_new_samples_extend_the_graph_of_the_selected_petition(qtbot, simulator, make_window):
    petition_id = simulator.world.ids("open")[0]
    window = make_window([petition_id])
    wait_for_pass(qtbot, window)
    assert window.current_row().petition_id == petition_id  # the only row is selected at start
    before = window.chart_sample_count()
    for _ in range(2):
        simulator.world.advance(3600)
        wait_for_pass(qtbot, window, window.refresh_now)
    with Store.open(window.database) as store:
        times, counts = store.samples(petition_id)
    assert window.chart_sample_count() == len(times) > before
    assert window.chart.sample_nearest(times[-1]) == (times[-1], counts[-1])


def test_a_refresh_leaves_the_users_zoom_alone(qtbot, simulator, make_window):
    petition_id = simulator.world.ids("open")[0]
    window = make_window([petition_id])
    wait_for_pass(qtbot, window)
    for _ in range(2):
        simulator.world.advance(3600)
        wait_for_pass(qtbot, window, window.refresh_now)
    view = window.chart.plot_widget.getPlotItem().getViewBox()
    # Zoomed on the start, the latest sample out of view. (Not "up to the second sample": at night the
    # simulator's count can stand still for an hour, a pass then adds no sample, the second sample is
    # the latest, and a view that shows the latest rightly follows the new ones.)
    first, latest = float(window.presenter.times[0]), float(window.presenter.times[-1])
    assert latest > first
    view.setRange(xRange=(first - 60, (first + latest) / 2), padding=0)
    zoomed = view.viewRange()[0]
    simulator.world.advance(4 * 3600)  # new samples, and the document is due again
    wait_for_pass(qtbot, window, window.refresh_now)
    assert window.chart_sample_count() >= 4
    assert view.viewRange()[0] == pytest.approx(zoomed)


def test_text_from_the_network_is_shown_literally(qtbot, make_window, samples_dir):
    """Markup in a petition the site sends is shown as typed, never rendered or followed."""
    import json

    import httpx
    from PySide6.QtWidgets import QLabel

    markup = '<b>Ban</b> <a href="file:///etc/passwd">this</a> &amp; <img src=x onerror=alert(1)>'
    document = json.loads((samples_dir / "composed-petition-open-752318.json").read_text())
    document["data"]["attributes"].update(action=markup, background=markup)

    def site(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/petitions/752318.json":
            return httpx.Response(200, json=document)
        return httpx.Response(404, json={"error": "not found"})

    window = make_window(refresh_on_start=False, transport=httpx.MockTransport(site))
    qtbot.waitUntil(lambda: window.status_label.text() != "Starting…", timeout=WAIT_MS)
    with qtbot.waitSignal(window.selection_loaded, timeout=WAIT_MS):  # added, selected, shown
        with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS) as pinned:
            window.add_petition("752318")
    assert pinned.args[0].error is None
    assert window.model.index(0, Column.TITLE).data() == markup
    assert window.detail.title_label.text() == markup
    assert window.detail.title_label.textFormat() == Qt.TextFormat.PlainText
    background = [label for label in window.detail.findChildren(QLabel)
                  if label.text() == markup and label is not window.detail.title_label]
    assert background and all(label.textFormat() == Qt.TextFormat.PlainText for label in background)


def test_a_failing_refresh_marks_the_rows_and_the_status_bar(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:2]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    simulator.faults.force("503", times=99)
    result = wait_for_pass(qtbot, window, window.refresh_now)
    assert result.error is None
    problems = [window.model.index(r, Column.PROBLEM) for r in range(window.model.rowCount())]
    assert any(index.data(Qt.ItemDataRole.AccessibleTextRole) == "Site down" for index in problems)
    assert any("503" in (index.data(Qt.ItemDataRole.ToolTipRole) or "") or
               "unavailable" in (index.data(Qt.ItemDataRole.ToolTipRole) or "").lower() for index in problems)


def test_an_unreachable_site_shows_offline_in_the_rows_and_the_status_bar(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:5]  # the pass gives up after a couple of failures
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    simulator.stop()
    wait_for_pass(qtbot, window, window.refresh_now)
    assert "Offline" in window.status_label.text()
    labels = {window.model.index(r, Column.PROBLEM).data(Qt.ItemDataRole.AccessibleTextRole)
              for r in range(window.model.rowCount())}
    assert labels == {"Offline"}
    assert window.progress.isHidden()


def test_a_blocked_client_says_so_and_when_it_will_try_again(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:2]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    simulator.faults.force("403", times=99)
    result = wait_for_pass(qtbot, window, window.refresh_now)
    assert result.report.blocked_until
    assert window.status_label.text().startswith("The site is refusing our requests; trying again after")
    labels = {window.model.index(r, Column.PROBLEM).data(Qt.ItemDataRole.AccessibleTextRole)
              for r in range(window.model.rowCount())}
    assert "Blocked" in labels


def test_ctrl_n_adds_many_petitions_and_shows_each_lines_fate_without_message_boxes(qtbot, simulator,
                                                                                    make_window):
    from PySide6.QtWidgets import QMessageBox

    from petitiondesk.gui.add_dialog import ADDED, ALREADY_PINNED, NOT_A_PETITION, NOT_FOUND, REMOVED

    world = simulator.world
    already, fresh, archived, removed = world.ids("open")[0], world.ids("open")[1], world.archived_ids()[0], \
        world.ids("closed")[0]
    world.remove(removed)
    window = make_window([already], refresh_on_start=False)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=WAIT_MS)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.add_dialog()
    assert dialog.isVisible()
    dialog.input.setPlainText("\n".join([
        f"#{fresh}", f"{already}", f"https://petition.parliament.uk/archived/petitions/{archived}", "999999",
        f"petition.parliament.uk/petitions/{removed}", "https://example.com/petitions/3"]))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.waiting == 0, timeout=WAIT_MS)
    assert [outcome for _, outcome in dialog.outcomes()] == [
        ADDED, ALREADY_PINNED, ADDED, NOT_FOUND, REMOVED, NOT_A_PETITION]
    assert stored_order(window) == [already, fresh, archived]
    assert sorted(window.model.petition_ids()) == sorted([already, fresh, archived])
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_delete_unpins_the_selected_petition(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    window.select_petition(ids[1])
    window.table.setFocus()
    with qtbot.waitSignal(window.service.unpin_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.model.row_of(ids[1]) == -1 and window.model.rowCount() == 2
    assert stored_order(window) == [ids[0], ids[2]]
    # The next pass does not bring it back.
    wait_for_pass(qtbot, window, window.refresh_now)
    assert window.model.row_of(ids[1]) == -1


def test_a_petition_unpinned_elsewhere_leaves_the_list_at_the_next_pass(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    with Store.open(window.database) as command_line:
        command_line.unpin(ids[0])
    wait_for_pass(qtbot, window, window.refresh_now)
    assert sorted(window.model.petition_ids()) == sorted(ids[1:])


def test_delete_in_the_filter_box_edits_the_text_and_keeps_the_rows(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:2]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    window.filter_edit.setFocus()
    window.filter_edit.setText("xy")
    window.filter_edit.setCursorPosition(0)
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Delete)
    assert window.filter_edit.text() == "y"
    assert set(window.model.petition_ids()) == set(ids)


def test_adding_a_petition_shows_and_selects_it(qtbot, simulator, make_window):
    window = make_window(refresh_on_start=False)
    qtbot.waitUntil(lambda: window.status_label.text() != "Starting…", timeout=WAIT_MS)
    assert window.list_stack.currentIndex() == 1  # the empty watchlist invites adding one
    petition_id = simulator.world.ids("open")[5]
    with qtbot.waitSignals([window.service.pin_finished, window.selection_loaded], timeout=WAIT_MS):
        window.add_petition(f"https://petition.parliament.uk/petitions/{petition_id}")
    assert window.current_row().petition_id == petition_id
    assert window.list_stack.currentIndex() == 0
    assert window.detail.petition.id == petition_id


def test_the_filter_box_filters_and_find_focuses_it(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:5]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    target = window.model.watch_row(ids[3])
    window.menu_actions.find_action.trigger()
    assert window.filter_edit.hasFocus() or QApplication.focusWidget() is window.filter_edit
    qtbot.keyClicks(window.filter_edit, str(target.petition_id))
    assert [window.model.record(r).petition_id for r in range(window.model.rowCount())] == [ids[3]]
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.filter_edit.text() == "" and window.model.rowCount() == 5
    assert window.table.hasFocus() or QApplication.focusWidget() is window.table


def test_the_window_remembers_layout_sort_and_selection(qtbot, simulator, make_window, data_dir):
    ids = simulator.world.ids("open")[:3]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    window.table.sortByColumn(Column.SIGNATURES, Qt.SortOrder.DescendingOrder)
    window.table.horizontalHeader().resizeSection(Column.STATE, 133)
    window.chart.set_log_scale(True)
    window.select_petition(ids[1])
    window.close()
    assert not window.service.is_running

    again = make_window()
    qtbot.waitUntil(lambda: again.model.rowCount() == 3, timeout=WAIT_MS)
    header = again.table.horizontalHeader()
    assert header.sortIndicatorSection() == Column.SIGNATURES
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert header.sectionSize(Column.STATE) == 133
    assert again.chart.log_scale
    assert again.current_row().petition_id == ids[1]
    counts = [again.model.record(r).signature_count for r in range(3)]
    assert counts == sorted(counts, reverse=True)


def test_the_worker_thread_is_gone_after_the_window_closes(qtbot, simulator, make_window):
    window = make_window(simulator.world.ids("open")[:2])
    wait_for_pass(qtbot, window)
    names_before = {thread.name for thread in threading.enumerate()}
    assert window.service.is_running
    window.close()
    assert not window.service.is_running
    assert {thread.name for thread in threading.enumerate()} <= names_before


def test_closing_during_a_refresh_stops_quickly(qtbot, simulator, make_window):
    simulator.faults.latency = 0.1
    window = make_window(simulator.world.ids("open")[:30])
    qtbot.waitUntil(lambda: window.service.is_refreshing, timeout=WAIT_MS)
    import time

    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 2.0
    assert not window.service.is_running


def test_an_unexpected_exception_is_logged_and_shown_in_a_copyable_dialog(qtbot, tmp_path):
    from petitiondesk.gui.crash import CrashReporter

    reporter = CrashReporter(tmp_path / "logs")
    assert reporter.install() is None
    try:
        def broken():
            raise RuntimeError("the thing broke")

        thread = threading.Thread(target=broken, name="helper")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: bool(reporter.dialogs), timeout=WAIT_MS)
        dialog = reporter.dialogs[0]
        assert "RuntimeError: the thing broke" in dialog.report_view.toPlainText()
        assert dialog.report_view.isReadOnly()
        dialog.copy_report()
        assert "the thing broke" in QApplication.clipboard().text()
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert "the thing broke" in (tmp_path / "logs" / "petitiondesk.log").read_text()
        dialog.close()
    finally:
        reporter.uninstall()


def test_a_hard_crash_report_is_offered_on_the_next_start(qtbot, tmp_path):
    from petitiondesk.gui.crash import FAULT_FILE, CrashReporter

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / FAULT_FILE).write_text('Fatal Python error: Segmentation fault\n  File "chart.py", line 9\n')
    reporter = CrashReporter(logs)
    previous = reporter.install()
    try:
        assert previous.startswith("Fatal Python error: Segmentation fault")
        dialog = reporter.offer_previous_crash(previous)
        qtbot.addWidget(dialog)
        assert "Segmentation fault" in dialog.report_view.toPlainText()
        assert list(logs.glob("crash-*.log"))  # kept for later
    finally:
        reporter.uninstall()
    second = CrashReporter(logs)
    try:
        assert second.install() is None  # offered once, and a clean exit leaves nothing
    finally:
        second.uninstall()


# --- find and pin: browse, drop, paste, reorder, related, import and export -----------------------------


def settled(qtbot, window):
    """Wait for the window's first rows (no pass runs on its own in these tests)."""
    qtbot.waitUntil(lambda: window.status_label.text() != "Starting…", timeout=WAIT_MS)
    return window


def test_pinning_from_the_browse_tab_adds_the_row_and_marks_it_pinned(qtbot, simulator, make_window):
    from petitiondesk.gui.browse_model import PINNED_MARK, BrowseColumn

    window = settled(qtbot, make_window(refresh_on_start=False))
    window.menu_actions.browse_action.trigger()
    assert window.left_tabs.currentWidget() is window.browse
    assert window.browse.search_edit.hasFocus() or QApplication.focusWidget() is window.browse.search_edit
    browse = window.browse
    browse.choose_facet("open")
    qtbot.keyClicks(browse.search_edit, "ban")
    qtbot.keyClick(browse.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.browse_service.is_loading and browse.model.rowCount() > 1, timeout=WAIT_MS)
    first, second = browse.model.record(0), browse.model.record(1)
    rect = browse.table.visualRect(browse.model.index(0, BrowseColumn.TITLE))
    qtbot.mouseClick(browse.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
        qtbot.mouseDClick(browse.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    browse.table.selectRow(1)
    with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
        qtbot.mouseClick(browse.pin_button, Qt.MouseButton.LeftButton)
    assert stored_order(window) == [first.id, second.id]
    assert browse.model.index(0, BrowseColumn.PINNED).data() == PINNED_MARK
    assert browse.model.index(1, BrowseColumn.PINNED).data() == PINNED_MARK
    assert not browse.pin_button.isEnabled()  # both selected rows are pinned now
    window.menu_actions.watchlist_action.trigger()
    assert window.left_tabs.currentIndex() == 0 and window.model.rowCount() == 2


def test_links_dropped_on_the_empty_watchlist_and_pasted_on_the_list_are_added(qtbot, simulator, make_window):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication

    world = simulator.world
    first, second, third = world.ids("open")[6:9]
    window = settled(qtbot, make_window(refresh_on_start=False))
    assert window.list_stack.currentIndex() == 1  # empty: the drop lands on the invitation
    target = window.list_stack.currentWidget()
    mime = QMimeData()
    mime.setUrls([QUrl(f"https://petition.parliament.uk/petitions/{first}"),
                  QUrl(f"https://petition.parliament.uk/petitions/{second}")])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=WAIT_MS)
    assert window.list_stack.currentIndex() == 0

    QGuiApplication.clipboard().setText(f"This one too:\nhttps://petition.parliament.uk/petitions/{third}\n"
                                        f"and again https://petition.parliament.uk/petitions/{first}")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3 and window.add_dialog().waiting == 0, timeout=WAIT_MS)
    assert stored_order(window) == [first, second, third]
    assert [outcome for _, outcome in window.add_dialog().outcomes()] == ["Added", "Already pinned"]


def test_dragging_a_row_reorders_the_watchlist_and_the_order_persists(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:4]
    window = settled(qtbot, make_window(ids, refresh_on_start=False))
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=WAIT_MS)
    model = window.model
    window.select_petition(ids[3])
    mime = model.mimeData([model.index(model.row_of(ids[3]), Column.TITLE)])
    assert not mime.hasText() and not mime.hasUrls()  # a drag inside the list is never taken for links
    with qtbot.waitSignal(window.service.reorder_finished, timeout=WAIT_MS) as stored:
        assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 1, 0, window.table.rootIndex())
    assert list(stored.args[0]) == [ids[0], ids[3], ids[1], ids[2]] and stored.args[1] == ""
    assert [model.record(r).petition_id for r in range(4)] == [ids[0], ids[3], ids[1], ids[2]]
    assert window.current_row().petition_id == ids[3]  # the selection moved with it
    assert stored_order(window) == [ids[0], ids[3], ids[1], ids[2]]
    wait_for_pass(qtbot, window, window.refresh_now)
    assert [model.record(r).petition_id for r in range(4)] == [ids[0], ids[3], ids[1], ids[2]]

    window.table.sortByColumn(Column.SIGNATURES, Qt.SortOrder.DescendingOrder)
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled  # sorted: no reordering


def test_related_petitions_of_the_selected_one_share_a_topic_or_department_and_pin(qtbot, simulator,
                                                                                    make_window):
    world = simulator.world
    chosen = world.ids("closed")[0]
    window = settled(qtbot, make_window([chosen]))
    # The first pass may end before `settled` returns: wait for its document, not for a pass.
    qtbot.waitUntil(lambda: getattr(window.model.watch_row(chosen), "petition", None) is not None, timeout=WAIT_MS)
    window.select_petition(chosen)
    qtbot.waitUntil(lambda: bool(window.related.items()), timeout=WAIT_MS)
    petition = window.detail.petition
    departments = {d.acronym or d.name for d in petition.departments}
    for item in window.related.items():
        assert set(item.row.topics) & set(petition.topics) or set(item.row.departments) & departments
    first = window.related.items()[0].row.id
    with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
        qtbot.mouseClick(window.related.pin_buttons[first], Qt.MouseButton.LeftButton)
    assert stored_order(window) == [chosen, first]
    assert window.related.pin_buttons[first].text() == "Pinned"


def shown_boxes(window):
    from PySide6.QtWidgets import QMessageBox

    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def another_window(qtbot, simulator, folder):
    """A second window on its own data folder (an empty one to import into, say)."""
    from PySide6.QtCore import QSettings

    from petitiondesk import paths
    from petitiondesk.gui.main_window import MainWindow
    from petitiondesk.gui.worker import RefreshService, WorkerConfig

    folder.mkdir(exist_ok=True)
    database = paths.database_path(folder)
    store = Store.open(database)  # the test's own connection, to look at what was imported
    clock = lambda: simulator.world.now().timestamp()  # noqa: E731
    service = RefreshService(WorkerConfig(database=database, api_base=simulator.url,
                                          clock=clock, request_interval=0.0, refresh_on_start=False))
    window = MainWindow(service, database, QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat),
                        clock=clock)
    qtbot.addWidget(window)
    window.show()
    service.start()
    return settled(qtbot, window), store


def choose_file(monkeypatch, path, kind="PetitionDesk watchlist (*.json)"):
    from petitiondesk.gui import watchlist_files

    monkeypatch.setattr(watchlist_files.QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), kind))
    monkeypatch.setattr(watchlist_files.QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))


def test_export_then_import_into_an_empty_folder_reproduces_the_watchlist(qtbot, simulator, make_window,
                                                                        tmp_path, monkeypatch):
    world = simulator.world
    ids = [world.ids("open")[3], world.archived_ids()[1], world.ids("closed")[2], world.ids("open")[0]]
    # The pass is started here and waited for: a pass started with the window could end while
    # `settled` waits, and waiting for it afterwards would wait for the next one (minutes away).
    window = settled(qtbot, make_window(ids, refresh_on_start=False))
    wait_for_pass(qtbot, window, window.refresh_now)
    exported = tmp_path / "mine.json"
    choose_file(monkeypatch, exported)
    with qtbot.waitSignal(window.service.export_finished, timeout=WAIT_MS):
        window.menu_actions.export_action.trigger()
    assert window.status_label.text() == "Exported 4 petitions to mine.json"

    other, store = another_window(qtbot, simulator, tmp_path / "empty")
    try:
        with qtbot.waitSignal(other.service.import_finished, timeout=WAIT_MS) as imported:
            other.menu_actions.import_action.trigger()
        report = imported.args[0].report
        assert [entry.petition_id for entry in report.added] == ids and not report.skipped
        assert [entry.petition_id for entry in store.watchlist()] == ids
        with Store.open(window.database) as original:
            before = original.watchlist()
        after = store.watchlist()
        assert [(e.petition_id, e.position) for e in after] == [(e.petition_id, e.position) for e in before]
        # Pin times travel as ISO text to the microsecond.
        assert all(abs(a.pinned_at - b.pinned_at) < 1e-5 for a, b in zip(after, before, strict=True))
        assert sorted(other.model.petition_ids()) == sorted(ids)
        assert shown_boxes(other)[-1].text() == "mine.json: 4 added, 0 already pinned, 0 skipped."
    finally:
        other.close()
        store.close()


def test_importing_links_into_a_watchlist_merges_without_duplicates_and_bad_files_lose_nothing(
        qtbot, simulator, make_window, tmp_path, monkeypatch):
    world = simulator.world
    have, new = world.ids("open")[:2], world.ids("open")[2]
    window = settled(qtbot, make_window(have, refresh_on_start=False))
    links = tmp_path / "links.txt"
    links.write_text(f"https://petition.parliament.uk/petitions/{have[1]}\n"
                     f"https://petition.parliament.uk/petitions/{new}\nhttps://example.com/petitions/4\n")
    choose_file(monkeypatch, links)
    with qtbot.waitSignal(window.service.import_finished, timeout=WAIT_MS):
        window.menu_actions.import_action.trigger()
    assert stored_order(window) == [*have, new]
    report_box = shown_boxes(window)[-1]
    assert report_box.text() == "links.txt: 1 added, 1 already pinned, 1 skipped."
    assert "example.com" in report_box.detailedText()
    report_box.close()

    hostile = tmp_path / "hostile.json"
    hostile.write_text("[" * 100_000)
    choose_file(monkeypatch, hostile)
    with qtbot.waitSignal(window.service.import_finished, timeout=WAIT_MS):
        window.menu_actions.import_action.trigger()
    warning = shown_boxes(window)[-1]
    assert "nothing was imported" in warning.text()
    assert stored_order(window) == [*have, new]


def test_screenshot_of_the_browse_view_with_a_search_in_progress(qtbot, simulator, make_window, tmp_path):
    """The window as a user sees it mid-search; saved to docs/ when PETITIONDESK_SCREENSHOT_DIR is set."""
    import os
    from pathlib import Path

    world = simulator.world
    window = make_window([world.ids("open")[0], world.ids("closed")[0]])
    documented = lambda pid: getattr(window.model.watch_row(pid), "petition", None) is not None  # noqa: E731
    qtbot.waitUntil(lambda: documented(world.ids("open")[0]) and documented(world.ids("closed")[0]), timeout=WAIT_MS)
    window.select_petition(world.ids("closed")[0])
    qtbot.waitUntil(lambda: bool(window.related.items()), timeout=WAIT_MS)
    window.resize(1500, 900)
    simulator.faults.force("latency", path_contains="page=3", seconds=30)
    window.show_tab(1)
    browse = window.browse
    browse.choose_facet("all")
    qtbot.keyClicks(browse.search_edit, "ban")
    qtbot.keyClick(browse.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: browse.model.loaded_count() >= 100, timeout=WAIT_MS)
    browse.table.selectRow(3)
    chosen = browse.current_record().id
    with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
        browse.pin_selected()
    # Pinned now: its preview is read from the database, not queued behind the slow page.
    qtbot.waitUntil(lambda: window.presenter.shown_id == chosen and window.detail.petition is not None,
                    timeout=WAIT_MS)
    qtbot.wait(300)
    assert browse.busy.isVisible() and browse.status_label.text().startswith("Loading more…")
    image = window.grab().toImage()
    assert len({image.pixel(x, 400) for x in range(0, image.width(), 9)}) > 3
    folder = Path(os.environ.get("PETITIONDESK_SCREENSHOT_DIR") or tmp_path)
    assert window.grab().save(str(folder / "screenshot-browse.png"))
    browse.stop()


def test_dropping_at_the_end_of_a_filtered_list_moves_after_the_last_petition(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:4]
    window = settled(qtbot, make_window(ids, refresh_on_start=False))
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=WAIT_MS)
    model = window.model
    model.set_filter(str(ids[0]))  # only the first shows
    assert model.rowCount() == 1
    mime = model.mimeData([model.index(0, Column.TITLE)])
    with qtbot.waitSignal(window.service.reorder_finished, timeout=WAIT_MS) as stored:
        assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, window.table.rootIndex())
    assert list(stored.args[0]) == [ids[1], ids[2], ids[3], ids[0]]
    model.set_filter("")
    assert [model.record(r).petition_id for r in range(4)] == [ids[1], ids[2], ids[3], ids[0]]
    assert not model.dropMimeData(mime, Qt.DropAction.CopyAction, 0, 0, window.table.rootIndex())
