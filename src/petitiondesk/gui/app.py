"""Start the window: `run_gui(GuiOptions(...))` is what `petitiondesk` with no subcommand calls.

`--demo` runs the built-in simulator on loopback with its clock running an hour a second, a
temporary data folder (removed on exit) and a handful of varied petitions, so that someone
without network access sees a living app within seconds.
"""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSettings, QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import petitiondesk
from petitiondesk import APP_ID, APP_NAME, paths
from petitiondesk.gui.first_paint import OnFirstPaint

if TYPE_CHECKING:
    from petitiondesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

#: The demo's simulated seconds per real second: a day of signatures passes in 24 s.
DEMO_SPEED = 3600.0
#: Real seconds between the demo's refresh passes (two simulated hours).
DEMO_PASS_INTERVAL = 2.0
SETTINGS_FILE = "window.ini"
#: How long after the data is on screen the screenshot is taken (lets the last frame paint).
SCREENSHOT_SETTLE_MS = 600
#: Passes the demo runs before its screenshot, so that the graph has grown a little.
SCREENSHOT_DEMO_PASSES = 5
#: The refresh worker starts once the stored rows are painted, or after this long whatever happens.
START_REFRESHING_AT_LATEST_MS = 5000


@dataclass(frozen=True)
class GuiOptions:
    data_dir: Path
    api_base: str
    demo: bool = False
    screenshot: Path | None = None  # save a grab of the window to this PNG once data is shown, then quit
    quit_after: float | None = None  # seconds, then quit with status 0 (smoke tests, --self-test)
    minimized: bool = False  # start in the tray, if there is one (start at login)
    references: tuple[str, ...] = ()  # petitions to pin (passed on to a window already open)


@dataclass(frozen=True)
class _Session:
    data_dir: Path
    api_base: str
    clock: Callable[[], float]
    pass_interval: float | None
    request_interval: float | None
    pins: tuple[int, ...] = ()


def _application() -> QApplication:
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(petitiondesk.__version__)
    app.setDesktopFileName(APP_ID)
    _set_icon(app)
    return app


def _set_icon(app: QApplication) -> None:
    from PySide6.QtGui import QIcon

    from petitiondesk.resources import app_icon_path, png_icon_path

    icon = QIcon()
    try:
        icon.addFile(str(app_icon_path()))
        for size in (16, 32, 48, 64, 128, 256):
            icon.addFile(str(png_icon_path(size)))
    except FileNotFoundError as error:  # a broken install: run without an icon rather than not at all
        log.warning("application icon missing: %s", error)
        return
    app.setWindowIcon(icon)


def demo_petitions(world) -> tuple[int, ...]:
    """Varied petitions of the simulator: open and growing, past 100k, closed and debated with a
    response, rejected, archived. Whatever the seed, each kind is picked if it exists."""
    picks: list[int] = []

    def first(ids, test=lambda pid: True, key=None):
        # The simulator reuses titles; a demo with two rows of the same title looks broken.
        titles = {world.plan(pid).action for pid in picks}
        candidates = [pid for pid in ids if pid not in picks and world.plan(pid).action not in titles
                      and test(pid)]
        if key is not None:
            candidates.sort(key=key)
        if candidates:
            picks.append(candidates[0])

    open_ids = world.ids("open")
    closed_ids = world.ids("closed")
    counts = {pid: world.count(pid) for pid in open_ids + closed_ids}
    first(open_ids, lambda pid: counts[pid] >= 100_000, key=lambda pid: -counts[pid])
    first(open_ids, lambda pid: 2_000 <= counts[pid] < 100_000, key=lambda pid: -world.signatures_in_last_hour(pid))
    first(open_ids, key=lambda pid: -world.signatures_in_last_hour(pid))

    def debated_with_response(pid) -> bool:
        milestones = world.milestones(pid)
        return bool(milestones.debated) and milestones.government_response_at is not None

    first(closed_ids, debated_with_response, key=lambda pid: -counts[pid])
    first(world.ids("rejected"))
    first(world.archived_ids(), key=lambda pid: -world.count(pid))
    return tuple(picks)


def _start_demo(stack: ExitStack) -> _Session:
    from petitiondesk.resources import hexmap_path
    from petitiondesk.simulator import SimulatorServer

    server = SimulatorServer(port=0, speed=DEMO_SPEED, hexmap=hexmap_path(2024))  # real constituency names
    server.start()
    stack.callback(server.stop)
    folder = Path(tempfile.mkdtemp(prefix="petitiondesk-demo-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    world = server.world
    return _Session(
        data_dir=folder,
        api_base=server.url,
        clock=lambda: world.now().timestamp(),
        pass_interval=DEMO_PASS_INTERVAL,
        request_interval=0.0,
        pins=demo_petitions(world),
    )


def run_gui(options: GuiOptions) -> int:
    """Open the window and run until it closes; the exit status."""
    from petitiondesk.gui.crash import CrashReporter

    app = _application()
    reporter = CrashReporter(paths.log_dir())
    previous_crash = reporter.install()
    try:
        with ExitStack() as stack:
            return _run(app, options, stack, reporter, previous_crash)
    finally:
        reporter.uninstall()


def _run(app: QApplication, options: GuiOptions, stack: ExitStack, reporter, previous_crash: str | None) -> int:
    from petitiondesk.core.store import Store, StoreError
    from petitiondesk.gui.data_reader import DataReaderService
    from petitiondesk.gui.worker import favour_the_gui_thread

    try:
        session = _start_demo(stack) if options.demo else _Session(
            options.data_dir, options.api_base, time.time, None, None)
        database = paths.database_path(session.data_dir)
        # Created (with its private folder) or upgraded here, so that a database we cannot use stops
        # us with a clear message; after this the worker writes it and the window's reader reads it.
        with Store.open(database) as store:
            notices = store.notices  # an upgrade and where its backup went; writes off
    except (StoreError, OSError) as error:
        log.error("cannot start: %s", error)
        QMessageBox.critical(None, APP_NAME, f"{APP_NAME} cannot start.\n\n{error}")
        return 1

    stack.callback(favour_the_gui_thread())  # the interval is restored when the window has gone
    from petitiondesk.gui.collector import GuiThreadCollector

    collector = GuiThreadCollector(app)  # cycles of Qt objects freed on this thread only (see collector.py)
    stack.callback(collector.stop)
    # The stored rows are read in the reader's thread while the window's modules load and it is built.
    reader = DataReaderService(database)
    reader.read_rows(session.clock())
    from petitiondesk.gui.single_instance import SingleInstance

    instance = SingleInstance(session.data_dir)
    if not options.demo and not instance.claim(list(options.references)):
        log.info("PetitionDesk is already open on %s: raised it", session.data_dir)
        reader.shutdown()
        return 0
    stack.callback(instance.close)
    from petitiondesk.gui.history_settings import follow_preferences, site_history_options
    from petitiondesk.gui.main_window import MainWindow
    from petitiondesk.gui.preferences import Preferences
    from petitiondesk.gui.service import stop_all
    from petitiondesk.gui.worker import RefreshService, WorkerConfig

    settings = QSettings(str(session.data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)
    service = RefreshService(WorkerConfig(
        database=database, api_base=session.api_base, clock=session.clock,
        pass_interval=session.pass_interval, request_interval=session.request_interval,
        refresher_options={"count_interval": count_interval(settings),
                           "site_history": site_history_options(Preferences(settings))},
        one_poller=not options.demo))
    stack.callback(stop_all, [service])  # quitting by any route: the window stops the others
    service.refresh_finished.connect(lambda _result: collector.freeze_survivors(collect_young=False))
    window = MainWindow(service, database, settings, clock=session.clock, data_reader=reader,
                        title_suffix=" — demo (simulated site, an hour a second)" if options.demo else "")
    reader.setParent(window)
    follow_preferences(window.preferences, service)
    app.aboutToQuit.connect(window.shut_down)
    _close_on_signals(window, stack)

    started = False

    def start_refreshing() -> None:
        nonlocal started
        if started or service.is_stopped:
            return  # once: when the rows are painted, or when the fallback's time is up
        started = True
        window.chart.ensure_plot()  # before the worker's imports compete with it for the interpreter
        collector.freeze_survivors()
        service.start()
        for petition_id in session.pins:
            service.pin(str(petition_id))
        if options.references:
            window.add_text("\n".join(options.references))

    instance.raise_requested.connect(lambda references: _raise_for(window, references))
    if options.minimized and window.alerts.tray is not None:
        QTimer.singleShot(0, start_refreshing)  # no first paint to wait for
    else:
        # The worker's imports and first reads would compete with the stored rows for the GIL: it
        # starts once they are painted (or, should they not come, a little later anyway).
        reader.rows_read.connect(lambda _rows: _start_after_next_paint(window, start_refreshing),
                                 Qt.ConnectionType.SingleShotConnection)
        QTimer.singleShot(START_REFRESHING_AT_LATEST_MS, start_refreshing)
        window.show()
    if notices:
        _show_notices(window, notices)
    if previous_crash:
        reporter.offer_previous_crash(previous_crash, window)
    finish: Callable[[], object] = window.close
    if options.screenshot is not None:
        taker = _ScreenshotTaker(window, Path(options.screenshot), wanted_rows=max(1, len(session.pins)),
                                 wanted_passes=SCREENSHOT_DEMO_PASSES if options.demo else 1)
        finish = taker.take_and_close
    if options.quit_after is not None:
        QTimer.singleShot(int(options.quit_after * 1000), finish)
    return app.exec()


def _raise_for(window, references: list[str]) -> None:
    """Another start on this data folder: show this window, and pin what it was given."""
    window.alerts.show_window()
    if references:
        window.add_text("\n".join(references))


def count_interval(settings: QSettings) -> float:
    """Seconds between two reads of a petition's count, as the user chose in Preferences."""
    from petitiondesk.gui.preferences import REFRESH_MINUTES, Preferences

    return float(Preferences(settings).value(REFRESH_MINUTES)) * 60


def _show_notices(window: QWidget, notices: list[str]) -> None:
    """Said once, without blocking start-up; paths are shown as they are (plain text)."""
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, "\n\n".join(notices), parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def _close_on_signals(window: MainWindow, stack: ExitStack) -> None:
    """SIGTERM and Ctrl+C close the window like its close button, so that the exit stack runs
    (the demo's folder is removed, the store is closed). Qt's loop runs no Python between events:
    the signal's byte on a socket wakes it, without polling."""
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    stack.callback(reader.close)
    stack.callback(writer.close)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, window)

    def on_wake() -> None:
        reader.recv(64)
        window.quit()  # closes for good, even when closing would keep recording in the tray

    notifier.activated.connect(on_wake)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    stack.callback(signal.set_wakeup_fd, previous_fd)
    # A Python-level handler is needed for the wake-up byte to be written; the work is done in on_wake.
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    stack.callback(lambda: [signal.signal(sig, handler) for sig, handler in previous.items()])


def _start_after_next_paint(window: MainWindow, callback: Callable[[], None]) -> None:
    """`callback` once the window next paints: the list's, asked for here, if nothing else comes first."""
    OnFirstPaint(window, callback)
    window.table.viewport().update()


class _ScreenshotTaker:
    """Saves a grab of the window once rows and a graph are on screen (or when time is up), then
    closes the window."""

    def __init__(self, window, path: Path, wanted_rows: int, wanted_passes: int) -> None:
        self.window = window
        self.path: Path | None = path
        self.wanted_rows = wanted_rows
        self.passes_left = wanted_passes
        self.scheduled = False
        window.service.refresh_finished.connect(self._check)

    def _check(self, _result=None) -> None:
        window = self.window
        self.passes_left -= 1
        ready = (self.passes_left <= 0 and window.model.rowCount() >= self.wanted_rows
                 and window.chart_sample_count() >= 2)
        if ready and not self.scheduled:
            self.scheduled = True
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, self.take_and_close)

    def take_and_close(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.window.grab().save(str(self.path), "PNG"):
                log.error("could not save the screenshot to %s", self.path)
            self.path = None  # once
        self.window.close()
