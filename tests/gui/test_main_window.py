"""The main window against the simulator: what a user sees after refreshes, selections, failures."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from petitiondesk.core.store import Store
from petitiondesk.gui.watchlist_model import Column

WAIT_MS = 15_000


def wait_for_pass(qtbot, window, action=None):
    """Run `action` (or nothing) and wait for the next refresh result; returns it."""
    with qtbot.waitSignal(window.service.refresh_finished, timeout=WAIT_MS) as finished:
        if action is not None:
            action()
    return finished.args[0]


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


def test_selecting_petitions_fills_the_graph_and_the_detail_pane(qtbot, simulator, make_window):
    world = simulator.world
    debated, open_one, rejected = debated_with_response(world), world.ids("open")[0], world.ids("rejected")[0]
    window = make_window([open_one, debated, rejected])
    wait_for_pass(qtbot, window)
    simulator.world.advance(3600)
    wait_for_pass(qtbot, window, window.refresh_now)

    window.select_petition(debated)
    assert window.detail.petition.id == debated
    assert window.detail.petition.government_response is not None and window.detail.petition.debate
    assert window.chart_sample_count() >= 1 and not window.chart.is_empty
    assert window.detail.shows_breakdown_tables

    window.select_petition(open_one)
    assert window.detail.petition.id == open_one and window.detail.petition.state == "open"
    assert window.chart_sample_count() >= 2

    window.select_petition(rejected)
    assert window.detail.petition.state == "rejected"
    assert not window.detail.shows_breakdown_tables


def test_new_samples_extend_the_graph_of_the_selected_petition(qtbot, simulator, make_window):
    petition_id = simulator.world.ids("open")[0]
    window = make_window([petition_id])
    wait_for_pass(qtbot, window)
    window.select_petition(petition_id)
    before = window.chart_sample_count()
    for _ in range(2):
        simulator.world.advance(3600)
        wait_for_pass(qtbot, window, window.refresh_now)
    with Store.open(window.store.path) as store:
        times, counts = store.samples(petition_id)
    assert window.chart_sample_count() == len(times) > before
    assert window.chart.sample_nearest(times[-1]) == (times[-1], counts[-1])


def test_a_refresh_leaves_the_users_zoom_alone(qtbot, simulator, make_window):
    petition_id = simulator.world.ids("open")[0]
    window = make_window([petition_id])
    wait_for_pass(qtbot, window)
    window.select_petition(petition_id)
    for _ in range(2):
        simulator.world.advance(3600)
        wait_for_pass(qtbot, window, window.refresh_now)
    view = window.chart.plot_widget.getPlotItem().getViewBox()
    first, second = float(window._times[0]), float(window._times[1])
    view.setRange(xRange=(first - 60, second), padding=0)  # zoomed on the start, latest out of view
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


def test_the_add_dialog_refuses_what_is_not_a_petition_reference(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from petitiondesk.gui.main_window import AddPetitionDialog

    dialog = AddPetitionDialog()
    qtbot.addWidget(dialog)
    add = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not add.isEnabled()
    qtbot.keyClicks(dialog.reference_edit, "https://example.com/petitions/12")
    assert not add.isEnabled() and dialog.problem_label.text()
    dialog.reference_edit.setText(" https://petition.parliament.uk/petitions/700123 ")
    assert add.isEnabled() and dialog.problem_label.text() == ""
    assert dialog.reference() == "https://petition.parliament.uk/petitions/700123"


def test_delete_unpins_the_selected_petition(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    window.select_petition(ids[1])
    window.table.setFocus()
    with qtbot.waitSignal(window.service.unpin_finished, timeout=WAIT_MS):
        qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.model.row_of(ids[1]) == -1 and window.model.rowCount() == 2
    assert [entry.petition_id for entry in window.store.watchlist()] == [ids[0], ids[2]]
    # The next pass does not bring it back.
    wait_for_pass(qtbot, window, window.refresh_now)
    assert window.model.row_of(ids[1]) == -1


def test_a_petition_unpinned_elsewhere_leaves_the_list_at_the_next_pass(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:3]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    with Store.open(window.store.path) as command_line:
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
    with qtbot.waitSignal(window.service.pin_finished, timeout=WAIT_MS):
        window.add_petition(f"https://petition.parliament.uk/petitions/{petition_id}")
    assert window.current_row().petition_id == petition_id
    assert window.list_stack.currentIndex() == 0
    assert window.detail.petition.id == petition_id


def test_the_filter_box_filters_and_find_focuses_it(qtbot, simulator, make_window):
    ids = simulator.world.ids("open")[:5]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    target = window.model.watch_row(ids[3])
    window.find_action.trigger()
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
