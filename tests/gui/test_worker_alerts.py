"""Alerts through the window's refresh worker: each pass brings the new alerts, the list is read
and changed on the worker's thread, and a second process on the same folder only reads."""

from __future__ import annotations

import pytest

from petitiondesk import paths
from petitiondesk.core.alerts import AlertRules
from petitiondesk.core.store import Store
from petitiondesk.gui.worker import RefreshService, WorkerConfig

TIMEOUT_MS = 15_000


@pytest.fixture
def database(data_dir):
    return paths.database_path(data_dir)


@pytest.fixture
def make_service(simulator, database):
    services = []

    def build(**options) -> RefreshService:
        config = WorkerConfig(database=database, api_base=simulator.url, request_interval=0.0,
                              clock=lambda: simulator.world.now().timestamp(), refresh_on_start=False, **options)
        service = RefreshService(config)
        services.append(service)
        service.start()
        return service

    yield build
    for service in services:
        service.shutdown()


def a_pass(qtbot, service, force: bool = True):
    with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS) as finished:
        service.refresh_now(force)
    return finished.args[0]


def watch_one(simulator, database) -> int:
    petition_id = next(i for i in simulator.world.ids("open") if 1_000 < simulator.world.count(i) < 9_000)
    with Store.open(database) as store:
        store.pin(petition_id, pinned_at=simulator.world.now().timestamp())
    return petition_id


def test_a_pass_brings_its_new_alerts_and_the_list_is_changed_on_the_worker(qtbot, make_service, simulator,
                                                                          database):
    petition_id = watch_one(simulator, database)
    service = make_service()
    first = a_pass(qtbot, service)
    assert first.alerts == () and first.polling  # the baseline
    simulator.world.advance(120)
    simulator.world.set_count(petition_id, 10_500)
    result = a_pass(qtbot, service)
    assert "threshold:10000" in {stored.alert.key for stored in result.alerts}
    assert result.unread == len(result.alerts)
    assert a_pass(qtbot, service).alerts == ()
    with qtbot.waitSignal(service.alerts_loaded, timeout=TIMEOUT_MS) as loaded:
        service.mark_alerts_read([result.alerts[0].id])
    listing, unread, rules = loaded.args
    assert rules == AlertRules()
    assert unread == len(result.alerts) - 1 and not listing[-1].unread
    with qtbot.waitSignal(service.alerts_loaded, timeout=TIMEOUT_MS) as loaded:
        service.clear_alerts()
    assert loaded.args[:2] == [(), 0]
    with qtbot.waitSignal(service.alerts_loaded, timeout=TIMEOUT_MS):
        service.save_alert_rules(AlertRules(round_numbers=(12_000,)))
    simulator.world.advance(120)
    simulator.world.set_count(petition_id, 12_345)
    assert [stored.alert.key for stored in a_pass(qtbot, service).alerts] == ["threshold:12000"]


def test_a_second_window_on_the_same_folder_only_reads(qtbot, make_service, simulator, database):
    watch_one(simulator, database)
    polling = make_service(one_poller=True)
    assert a_pass(qtbot, polling).polling
    mark = len(simulator.request_log)
    reading = make_service(one_poller=True)
    result = a_pass(qtbot, reading)
    assert not result.polling and result.report is None and result.error is None
    assert len(result.rows) == 1 and result.rows[0].petition is not None  # read from the store
    assert len(simulator.request_log) == mark  # it sent nothing
