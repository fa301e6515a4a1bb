"""Fixtures for the GUI tests: petitions from the composed documents in tests/data, and ready-made watchlist rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from petitiondesk.core.parse import parse_petition_document
from petitiondesk.core.watch_rows import WatchRow


@pytest.fixture(autouse=True)
def cycles_collected_on_the_gui_thread(qapp):
    """As in the app (gui/collector.py): no worker thread collects a test window's Qt objects; what
    the test left in cycles is collected here, on the GUI thread, before Python collects again."""
    import gc

    from petitiondesk.gui.collector import GuiThreadCollector

    collector = GuiThreadCollector()
    yield collector
    gc.collect()
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def open_petition(samples_dir):
    return parse_petition_document((samples_dir / "composed-petition-open-752318.json").read_bytes())


@pytest.fixture
def debated_petition(samples_dir):
    return parse_petition_document((samples_dir / "composed-petition-closed-debated-701284.json").read_bytes())


@pytest.fixture
def make_row():
    """A WatchRow for a made-up petition: `make_row(3, "Ban x", 1200)`."""

    def build(petition_id: int, action: str = "", count: int | None = 0, position: int | None = None,
              **fields) -> WatchRow:
        from petitiondesk.core.models import Petition

        petition = Petition(id=petition_id, action=action or f"Petition number {petition_id}",
                            state=fields.pop("state", "open"), signature_count=count or 0)
        row = WatchRow(petition_id=petition_id, position=petition_id if position is None else position,
                       petition=petition, signature_count=count,
                       checked_at=datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
        return replace(row, **fields)

    return build


@pytest.fixture
def make_window(qtbot, simulator, data_dir):
    """A MainWindow on a real worker thread against the simulator; `make_window(ids, **config)`.

    Ids are pinned straight into the database first; the window is shown and the service started.
    The window reads the selected petition's samples in the background: a test that selects and
    then looks at the graph or the details waits for `window.selection_loaded` (see `select_and_wait`).
    """
    from PySide6.QtCore import QSettings

    from petitiondesk import paths
    from petitiondesk.core.store import Store
    from petitiondesk.gui.main_window import MainWindow
    from petitiondesk.gui.worker import RefreshService, WorkerConfig

    database = paths.database_path(data_dir)
    windows = []

    def build(ids=(), **config):
        with Store.open(database) as writer:
            for petition_id in ids:
                writer.pin(petition_id)
        clock = lambda: simulator.world.now().timestamp()  # noqa: E731 - samples in simulated time
        config.setdefault("request_interval", 0.0)
        service = RefreshService(WorkerConfig(database=database, api_base=simulator.url, clock=clock, **config))
        settings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
        window = MainWindow(service, database, settings, clock=clock)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        service.start()
        return window

    yield build
    for window in windows:
        window.close()


@pytest.fixture
def select_and_wait(qtbot):
    """Select a petition in a window and wait until its samples and details are on show."""

    def select(window, petition_id: int, timeout: int = 15_000) -> None:
        with qtbot.waitSignal(window.selection_loaded, timeout=timeout,
                              check_params_cb=lambda shown: shown == petition_id):
            assert window.select_petition(petition_id)

    return select
