"""The refresh worker thread, through its GUI-thread facade, against the local simulator."""

from __future__ import annotations

import threading
import time

import pytest

from petitiondesk import paths
from petitiondesk.core.store import Store
from petitiondesk.gui.worker import RefreshResult, RefreshService, WorkerConfig

TIMEOUT_MS = 15_000


def open_ids(simulator, how_many: int) -> list[int]:
    return simulator.world.ids("open")[:how_many]


@pytest.fixture
def database(data_dir):
    return paths.database_path(data_dir)


@pytest.fixture
def make_service(qtbot, simulator, database):
    services = []

    def build(**options) -> RefreshService:
        options.setdefault("request_interval", 0.0)
        config = WorkerConfig(database=database, api_base=simulator.url,
                              clock=lambda: simulator.world.now().timestamp(), **options)
        service = RefreshService(config)
        services.append(service)
        return service

    yield build
    for service in services:
        service.shutdown()


def pin_directly(database, ids) -> None:
    with Store.open(database) as store:
        for petition_id in ids:
            store.pin(petition_id)


def test_a_pass_runs_in_the_worker_thread_and_returns_rows_for_the_watchlist(qtbot, make_service, database,
                                                                             simulator):
    ids = open_ids(simulator, 3)
    pin_directly(database, ids)
    service = make_service()
    gui_thread = threading.current_thread()
    delivered_in = []
    service.refresh_finished.connect(lambda result: delivered_in.append(threading.current_thread()))
    with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as finished:
        service.start()
    result: RefreshResult = finished.args[0]
    assert result.error is None
    assert [row.petition_id for row in result.rows] == ids
    for row in result.rows:
        assert row.signature_count == simulator.world.count(row.petition_id) or row.signature_count > 0
        assert row.petition is not None and row.petition.action
        assert row.checked_at is not None and row.problem is None
    assert delivered_in == [gui_thread]
    assert result.next_pass_in is not None and result.next_pass_in > 0


def test_passes_follow_each_other_on_the_workers_timer(qtbot, make_service, database, simulator):
    pin_directly(database, open_ids(simulator, 2))
    service = make_service(pass_interval=0.2)
    results = []
    service.refresh_finished.connect(results.append)
    service.start()
    qtbot.waitUntil(lambda: len(results) >= 3, timeout=TIMEOUT_MS)
    assert all(result.error is None and result.next_pass_in == 0.2 for result in results)


def test_pin_adds_a_row_and_a_bad_reference_comes_back_as_a_message(qtbot, make_service, simulator):
    service = make_service(refresh_on_start=False)
    with qtbot.waitSignal(service.rows_loaded, timeout=TIMEOUT_MS) as loaded:
        service.start()
    assert loaded.args[0] == ()
    petition_id = open_ids(simulator, 1)[0]
    with qtbot.waitSignal(service.pin_finished, timeout=TIMEOUT_MS) as pinned:
        service.pin(f"https://petition.parliament.uk/petitions/{petition_id}")
    assert pinned.args[0].error is None and pinned.args[0].row.petition_id == petition_id
    with qtbot.waitSignal(service.pin_finished, timeout=TIMEOUT_MS) as refused:
        service.pin("not a petition")
    assert refused.args[0].row is None and refused.args[0].error


def test_adding_a_petition_during_a_long_pass_is_served_before_the_pass_ends(qtbot, make_service, database,
                                                                            simulator):
    interval = 0.5
    ids = open_ids(simulator, 9)
    pin_directly(database, ids[:8])  # a first pass: 8 documents at 0.5 s each
    service = make_service(request_interval=interval)
    with qtbot.waitSignal(service.refresh_progress, timeout=TIMEOUT_MS):
        service.start()
    asked = time.monotonic()
    with qtbot.waitSignal(service.pin_finished, timeout=TIMEOUT_MS) as pinned:
        service.pin(str(ids[8]))
    waited = time.monotonic() - asked
    print(f"added during a pass: answered after {waited * 1000:.0f} ms (the pass has 0.5 s slots)")
    assert pinned.args[0].error is None and pinned.args[0].row.petition_id == ids[8]
    assert service.is_refreshing  # it did not wait for the pass's remaining petitions
    assert waited < 2 * interval + 0.3


def test_a_petition_the_site_does_not_have_is_refused_with_its_reason(qtbot, make_service, simulator):
    service = make_service(refresh_on_start=False)
    with qtbot.waitSignal(service.rows_loaded, timeout=TIMEOUT_MS):
        service.start()
    with qtbot.waitSignal(service.pin_finished, timeout=TIMEOUT_MS) as refused:
        service.pin("999999")
    assert refused.args[0].row is None and "999999" in refused.args[0].error


def test_unpin_is_written_by_the_worker(qtbot, make_service, database, simulator):
    ids = open_ids(simulator, 2)
    pin_directly(database, ids)
    service = make_service(refresh_on_start=False)
    with qtbot.waitSignal(service.rows_loaded, timeout=TIMEOUT_MS):
        service.start()
    with qtbot.waitSignal(service.unpin_finished, timeout=TIMEOUT_MS) as unpinned:
        service.unpin(ids[0])
    assert unpinned.args == [ids[0], ""]
    with Store.open(database) as store:
        assert [entry.petition_id for entry in store.watchlist()] == ids[1:]


def test_an_unreachable_site_marks_every_row_instead_of_raising(qtbot, make_service, database, simulator):
    ids = open_ids(simulator, 2)
    pin_directly(database, ids)
    service = make_service()
    simulator.stop()
    with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as finished:
        service.start()
    result = finished.args[0]
    assert result.offline
    assert [row.problem for row in result.rows] == ["offline", "offline"]
    assert all(row.problem_detail for row in result.rows)


def test_shutdown_during_a_pass_stops_quickly_and_keeps_what_was_recorded(qtbot, make_service, database,
                                                                          simulator):
    ids = open_ids(simulator, 40)
    pin_directly(database, ids)
    simulator.faults.latency = 0.05
    service = make_service()
    with qtbot.waitSignal(service.refresh_progress, timeout=TIMEOUT_MS):
        service.start()
    started = time.monotonic()
    assert service.shutdown()
    assert time.monotonic() - started < 2.0
    assert not service.is_running
    with Store.open(database) as store:
        recorded = [pid for pid in ids if store.latest_sample(pid) is not None]
    assert 0 < len(recorded) < len(ids)


def test_a_store_that_cannot_open_is_reported_not_raised(qtbot, data_dir, simulator):
    not_a_database = data_dir / "junk.sqlite3"
    not_a_database.write_bytes(b"this is not sqlite at all" * 100)
    service = RefreshService(WorkerConfig(database=not_a_database, api_base=simulator.url))
    try:
        with qtbot.waitSignal(service.failed, timeout=TIMEOUT_MS) as failed:
            service.start()
        assert "Cannot start refreshing" in failed.args[0]
    finally:
        service.shutdown()


def test_favouring_the_gui_thread_shortens_the_gil_switch_interval_until_undone():
    import sys

    from petitiondesk.gui.worker import GUI_SWITCH_INTERVAL, favour_the_gui_thread

    before = sys.getswitchinterval()
    undo = favour_the_gui_thread()
    try:
        assert sys.getswitchinterval() == GUI_SWITCH_INTERVAL < before
    finally:
        undo()
    assert sys.getswitchinterval() == before
