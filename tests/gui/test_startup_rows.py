"""Start-up: the watchlist's rows are on screen from the store before the refresh worker runs, and the
estimates (which need every recorded sample) fill in later, in place."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget

from petitiondesk import paths
from petitiondesk.core.store import FetchState, Store
from petitiondesk.core.watch_rows import build_rows
from petitiondesk.gui.format import format_count
from petitiondesk.gui.main_window import MainWindow
from petitiondesk.gui.petition_presenter import LOADING_DETAILS_TEXT, LOADING_TEXT
from petitiondesk.gui.watchlist_model import PENDING, Column
from petitiondesk.gui.worker import RefreshService, WorkerConfig
from petitiondesk.simulator import World
from petitiondesk.simulator.documents import petition_document

HOUR = 3600
WAIT_MS = 30_000


def store_watchlist(database, world: World, ids: list[int], now: float) -> None:
    """Documents, and two days of hourly counts growing at a different pace for each petition."""
    with Store.open(database) as store, store.transaction():
        for number, pid in enumerate(ids):
            store.pin(pid)
            url = f"https://petition.parliament.uk/petitions/{pid}.json"
            store.save_document(pid, json.dumps(petition_document(world, pid, url, world.now())).encode(), now)
            store.save_fetch_state(FetchState(pid, fetched_at=now, checked_at=now, next_check_at=now + 86400,
                                              next_full_at=now + 86400))
            for hour in range(48, -1, -1):
                store.add_sample(pid, now - hour * HOUR, 1_000 + (48 - hour) * (number + 1) * 37)


def column_texts(window, column: int) -> dict[int, str]:
    model = window.model
    return {model.record(row).petition_id: model.index(row, column).data() for row in range(model.rowCount())}


def stored_petitions(data_dir, count: int):
    """`count` open petitions of the simulator's world stored as pinned (see store_watchlist):
    the world, their ids, its "now" and the database."""
    world = World(seed=3, speed=1.0, open_count=50)
    ids = world.ids("open")[:count]
    now = world.now().timestamp()
    database = paths.database_path(data_dir)
    store_watchlist(database, world, ids, now)
    return world, ids, now, database


def test_stored_rows_show_at_once_and_their_estimates_fill_in_without_a_reset(qtbot, data_dir):
    world, ids, now, database = stored_petitions(data_dir, 3)
    settings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue("selectedPetition", ids[1])
    settings.setValue("sortColumn", Column.ESTIMATE)
    settings.setValue("sortOrder", Qt.SortOrder.DescendingOrder.value)
    service = RefreshService(WorkerConfig(database=database, api_base="http://127.0.0.1:9", clock=lambda: now,
                                          refresh_on_start=False))
    window = MainWindow(service, database, settings, clock=lambda: now)
    qtbot.addWidget(window)
    resets = []
    window.model.modelReset.connect(lambda: resets.append(window.model.rowCount()))
    window.show()

    window.reader.read_rows(now)
    qtbot.waitUntil(lambda: window.model.rowCount() == len(ids), timeout=WAIT_MS)
    assert not service.is_running  # nothing but the reader has read the store yet
    titles = {pid: petition_document(world, pid, "", world.now())["data"]["attributes"]["action"] for pid in ids}
    assert column_texts(window, Column.TITLE) == titles
    assert set(column_texts(window, Column.SIGNATURES).values()) == \
        {format_count(1_000 + 48 * (number + 1) * 37) for number in range(len(ids))}
    assert set(column_texts(window, Column.ESTIMATE).values()) == {PENDING}
    assert window.current_row().petition_id == ids[1]
    qtbot.waitUntil(lambda: window.presenter.shown_id == ids[1] and not window.chart.is_empty, timeout=WAIT_MS)

    service.start()
    qtbot.waitUntil(lambda: PENDING not in column_texts(window, Column.ESTIMATE).values(), timeout=WAIT_MS)
    with Store.open(database, readonly=True) as store:
        estimates = {row.petition_id: row.outlook.estimate.final for row in build_rows(store, now)}
    assert column_texts(window, Column.ESTIMATE) == {pid: format_count(final) for pid, final in estimates.items()}
    shown_order = [window.model.record(row).petition_id for row in range(window.model.rowCount())]
    assert shown_order == sorted(ids, key=estimates.__getitem__, reverse=True)  # the saved sort, now by estimate
    assert resets == [len(ids)]  # the first fill only: the estimates came in place
    assert window.current_row().petition_id == ids[1]
    window.close()


def test_a_selected_petition_whose_read_is_on_its_way_says_it_is_loading_not_select_a_petition(qtbot, data_dir):
    _, ids, _, _ = stored_petitions(data_dir, 2)
    window = window_on_the_store(qtbot, data_dir)
    window.presenter.show_petition(ids[0])  # its samples come back on a later turn of the event loop
    assert window.chart.empty_label.text() == LOADING_TEXT
    assert window.detail.empty_label.text() == LOADING_DETAILS_TEXT
    qtbot.waitUntil(lambda: not window.presenter.is_reading, timeout=WAIT_MS)
    assert not window.chart.is_empty and window.detail.petition is not None and window.detail.petition.id == ids[0]
    window.close()


def test_the_window_loads_no_http_library_before_its_rows_are_painted():
    """httpx and its stack take ~70 ms to import: the refresh worker loads them in its thread once the
    rows are on screen (core/fetched.py keeps the answers' types apart from the client)."""
    code = ("import sys, petitiondesk.gui.app, petitiondesk.gui.main_window; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'httpcore', 'h11'}))")
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert finished.stdout.strip() == "[]", finished.stdout + finished.stderr


def test_what_is_not_on_screen_at_start_is_not_even_imported_before_the_rows_are_painted():
    """Built after the first paint or when first used: the graph's plot, the alerts (dock, tray,
    notifications), the Signatures tab's map and movers, printing, the help windows and starting at login."""
    later = ["petitiondesk.gui.window_alerts", "petitiondesk.gui.map_view", "petitiondesk.gui.map_export",
             "petitiondesk.gui.printing", "petitiondesk.gui.help", "PySide6.QtPrintSupport", "petitiondesk.autostart",
             "petitiondesk.core.hexmap", "petitiondesk.core.movers",
             # The graph's plot: pyqtgraph's import alone took ~150 ms of the ~600 ms to the rows.
             "pyqtgraph", "petitiondesk.gui.chart_plot", "petitiondesk.gui.chart_export", "petitiondesk.gui.axes"]
    code = ("import sys, petitiondesk.gui.app, petitiondesk.gui.main_window; "
            f"print(sorted(set({later!r}) & set(sys.modules)))")
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert finished.stdout.strip() == "[]", finished.stdout + finished.stderr


def window_on_the_store(qtbot, data_dir) -> MainWindow:
    """A window on the data folder's store (created empty if there is none), its worker not started."""
    database = paths.database_path(data_dir)
    Store.open(database).close()
    settings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
    service = RefreshService(WorkerConfig(database=database, api_base="http://127.0.0.1:9", refresh_on_start=False))
    window = MainWindow(service, database, settings)
    qtbot.addWidget(window)
    return window


def test_the_alerts_come_on_the_turn_after_the_rows_are_painted_and_the_view_menu_has_them_at_once(qtbot, data_dir):
    window = window_on_the_store(qtbot, data_dir)
    service, database, settings = window.service, window.database, window.settings
    view_menu = window.menu_actions.view_menu
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # painted, without its rows
    assert window.findChild(QDockWidget, "alertsDock") is None  # not built with the window, nor before the rows
    window.reader.read_rows(0.0)
    qtbot.waitUntil(lambda: window.findChild(QDockWidget, "alertsDock") is not None, timeout=WAIT_MS)
    assert [action.text() for action in view_menu.actions()].count("Alerts") == 1

    second = MainWindow(service, database, settings)  # not shown: its View menu opened first
    qtbot.addWidget(second)
    second.menu_actions.view_menu.aboutToShow.emit()
    assert "Alerts" in [action.text() for action in second.menu_actions.view_menu.actions()]
    window.close()
    second.close()


def test_the_signatures_tab_is_built_after_the_rows_even_when_the_alerts_were_needed_first(qtbot, data_dir):
    """Starting in the tray builds the alerts before any paint: the Signatures tab still comes on a
    turn of its own once the rows are painted, not in the middle of the first document's showing."""
    window = window_on_the_store(qtbot, data_dir)
    assert window.alerts is not None  # as `--minimized` asks for the tray
    assert not window.detail.signatures_built
    window.show()
    window.reader.read_rows(0.0)
    qtbot.waitUntil(lambda: window.detail.signatures_built, timeout=WAIT_MS)
    window.close()


def test_the_invitation_to_add_shows_only_once_the_watchlist_is_read_and_empty(qtbot, data_dir):
    database = paths.database_path(data_dir)
    Store.open(database).close()  # created, nothing pinned
    settings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
    service = RefreshService(WorkerConfig(database=database, api_base="http://127.0.0.1:9", refresh_on_start=False))
    window = MainWindow(service, database, settings)
    qtbot.addWidget(window)
    window.show()
    assert window.list_stack.currentWidget() is window.table  # not read yet: no "nothing pinned" flash
    with qtbot.waitSignal(window.reader.rows_read, timeout=WAIT_MS) as read:
        window.reader.read_rows(0.0)
    assert read.args == [()]
    assert window.list_stack.currentIndex() == 1  # read, and empty: the invitation
    window.close()


def test_stored_rows_that_cannot_be_read_leave_the_list_to_the_worker(qtbot, data_dir):
    from petitiondesk.gui.data_reader import DataReaderService

    damaged = data_dir / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    reader = DataReaderService(damaged)
    with qtbot.waitSignal(reader.rows_read, timeout=WAIT_MS) as read:
        reader.read_rows(0.0)
    reader.shutdown()
    assert read.args == [None]  # not an empty watchlist: the window waits for the worker's rows


# The real start-up path (run_gui), in a process of its own: says how many rows the list had painted
# when the refresh worker was started, then closes the window.
START_DRIVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from petitiondesk.gui import worker
from petitiondesk.gui.app import GuiOptions, run_gui
from petitiondesk.gui.main_window import MainWindow
from petitiondesk.gui.petition_presenter import LOADING_DETAILS_TEXT, LOADING_TEXT

app = QApplication(sys.argv[:1])
painted = []

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType():
            window = watched.window()
            if isinstance(window, MainWindow) and watched is window.table.viewport():
                painted.append(window.model.rowCount())
        return False

watch = Watch()
app.installEventFilter(watch)
start = worker.RefreshService.start

def reporting_start(service):
    print(f"rows painted when the worker started: {max(painted, default=0)}", flush=True)
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    print(f"graph's plot built before the worker: {window.chart._parts is not None}", flush=True)
    QTimer.singleShot(0, app.closeAllWindows)
    return start(service)

worker.RefreshService.start = reporting_start
sys.exit(run_gui(GuiOptions(data_dir=Path(sys.argv[1]), api_base="http://127.0.0.1:9", quit_after=30)))
"""


def test_the_refresh_worker_starts_once_the_stored_rows_are_painted(data_dir, tmp_path):
    world = World(seed=3, speed=1.0, open_count=150)
    ids = world.ids("open")[:150]  # enough that the window paints once before they are read
    store_watchlist(paths.database_path(data_dir), world, ids, world.now().timestamp())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"))
    finished = subprocess.run([sys.executable, "-c", START_DRIVER, str(data_dir)], env=env, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert f"rows painted when the worker started: {len(ids)}" in finished.stdout, finished.stdout + finished.stderr
    # Built first, so that the worker's imports do not compete with it for the interpreter.
    assert "graph's plot built before the worker: True" in finished.stdout, finished.stdout + finished.stderr
