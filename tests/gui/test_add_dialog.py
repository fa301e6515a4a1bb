"""Adding petitions by reference, by drop and by paste, through the real refresh worker and the simulator."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QTableView

from petitiondesk import paths
from petitiondesk.core.store import Store
from petitiondesk.gui.add_dialog import (
    ADDED,
    ALREADY_PINNED,
    LISTED_ABOVE,
    NOT_A_PETITION,
    NOT_FOUND,
    REMOVED,
    AddPetitionsDialog,
    ReferenceDropTarget,
    references_in,
)
from petitiondesk.gui.worker import PinResult, RefreshService, WorkerConfig

TIMEOUT_MS = 15_000


@pytest.fixture
def database(data_dir):
    return paths.database_path(data_dir)


@pytest.fixture
def service(qtbot, simulator, database):
    """The real refresh worker, started, with nothing refreshing on its own."""
    with Store.open(database):
        pass
    worker = RefreshService(WorkerConfig(database=database, api_base=simulator.url, request_interval=0.0,
                                         clock=lambda: simulator.world.now().timestamp(),
                                         refresh_on_start=False))
    with qtbot.waitSignal(worker.rows_loaded, timeout=TIMEOUT_MS):
        worker.start()
    yield worker
    worker.shutdown()


def watchlist(database) -> list[int]:
    with Store.open(database) as store:
        return [entry.petition_id for entry in store.watchlist()]


@pytest.fixture
def dialog(qtbot, service, database):
    box = AddPetitionsDialog(lambda: watchlist(database))
    qtbot.addWidget(box)
    box.pin_requested.connect(service.pin)
    service.pin_finished.connect(box.record_result)
    box.show()
    return box


def test_mixed_lines_each_get_their_result_and_only_good_ones_are_pinned(qtbot, dialog, service, simulator,
                                                                         database):
    world = simulator.world
    fresh, archived, already, removed = world.ids("open")[0], world.archived_ids()[0], world.ids("open")[1], \
        world.ids("closed")[0]
    with Store.open(database) as store:
        store.pin(already)
    world.remove(removed)
    lines = [f"{fresh}", "", f"https://petition.parliament.uk/archived/petitions/{archived}", f"#{already}",
             "999999", f"https://petition.parliament.uk/petitions/{removed}", "https://example.com/petitions/12",
             "sign this please", f"https://www.petition.parliament.uk/petitions/{fresh}/signatures/new"]
    dialog.input.setPlainText("\n".join(lines))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.waiting == 0, timeout=TIMEOUT_MS)
    assert [outcome for _, outcome in dialog.outcomes()] == [
        ADDED, ADDED, ALREADY_PINNED, NOT_FOUND, REMOVED, NOT_A_PETITION, NOT_A_PETITION, LISTED_ABOVE]
    assert [line for line, _ in dialog.outcomes()][0] == str(fresh)
    details = [dialog.results.item(row, dialog.Col.DETAIL).text() for row in range(dialog.results.rowCount())]
    assert details[0] == world.plan(fresh).action
    assert "example.com" in details[5]
    assert "Added: 2" in dialog.summary_label.text()
    assert watchlist(database) == [already, fresh, archived]
    # What failed stays in the box for fixing; what was added or already pinned leaves it.
    assert sorted(dialog.input.toPlainText().splitlines()) == sorted(
        ["999999", f"https://petition.parliament.uk/petitions/{removed}", "https://example.com/petitions/12",
         "sign this please"])


def test_results_for_other_references_are_left_to_the_window(qtbot, dialog):
    assert not dialog.record_result(PinResult("12345", 12345, error="not ours"))


def dropped(widget, mime: QMimeData) -> None:
    """What Qt delivers when links are dragged in and let go: an accepted enter, then the drop."""
    target = widget.viewport()
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


def test_links_dropped_on_the_watchlist_are_added_the_same_way(qtbot, dialog, simulator, database):
    table = QTableView()
    qtbot.addWidget(table)
    table.show()
    ReferenceDropTarget(table, dialog.add_text)
    first, second = simulator.world.ids("open")[2:4]
    mime = QMimeData()
    mime.setUrls([QUrl(f"https://petition.parliament.uk/petitions/{first}"),
                  QUrl(f"https://petition.parliament.uk/petitions/{second}.json"),
                  QUrl("https://example.com/")])
    dropped(table, mime)
    qtbot.waitUntil(lambda: dialog.waiting == 0 and dialog.results.rowCount() == 2, timeout=TIMEOUT_MS)
    assert watchlist(database) == [first, second]


def test_text_pasted_on_the_watchlist_with_ctrl_v_is_added(qtbot, dialog, simulator, database):
    table = QTableView()
    qtbot.addWidget(table)
    ReferenceDropTarget(table, dialog.add_text)
    table.show()
    table.setFocus()
    pid = simulator.world.ids("open")[4]
    QGuiApplication.clipboard().setText(f"Have you seen this? https://petition.parliament.uk/petitions/{pid}.")
    qtbot.keyClick(table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.waiting == 0 and dialog.results.rowCount() == 1, timeout=TIMEOUT_MS)
    assert dialog.outcomes()[0][1] == ADDED
    assert watchlist(database) == [pid]


def test_text_without_a_petition_says_so_and_pins_nothing(qtbot, dialog, database):
    assert dialog.add_text("Nothing to see at https://example.com/ today") == 0
    assert "No petition links" in dialog.summary_label.text()
    assert watchlist(database) == []


def test_references_in_text_are_links_once_each_in_order():
    text = ("see https://petition.parliament.uk/petitions/700123, and "
            "petition.parliament.uk/archived/petitions/300001 and again "
            "https://petition.parliament.uk/petitions/700123/count.json\n#700200\n")
    assert references_in(text) == ["https://petition.parliament.uk/petitions/700123",
                                   "https://petition.parliament.uk/archived/petitions/300001",
                                   "https://petition.parliament.uk/petitions/700200"]
