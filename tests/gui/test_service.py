"""What every background service shares (gui/service.py): named Python threads that leave nothing
behind, quitting that aborts requests and waits for all services together, and one pace with the
site for all of them, with what the user waits for at the front."""

from __future__ import annotations

import threading
import time

from petitiondesk import paths
from petitiondesk.core.browse import BrowseQuery
from petitiondesk.core.store import Store
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.data_reader import DataReaderService
from petitiondesk.gui.service import stop_all
from petitiondesk.gui.worker import RefreshService, WorkerConfig
from slow_servers import SlowServer

TIMEOUT_MS = 15_000


def _service_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate()
            if thread.name.startswith("petitiondesk-") or isinstance(thread, threading._DummyThread)]


def test_services_run_in_named_threads_and_leave_none_behind(qtbot, simulator, data_dir):
    database = paths.database_path(data_dir)
    refresh = RefreshService(WorkerConfig(database=database, api_base=simulator.url, request_interval=0.0))
    browse = BrowseService(BrowseConfig.like(refresh.config))
    reader = DataReaderService(database)
    with qtbot.waitSignal(refresh.refresh_finished, timeout=TIMEOUT_MS):
        refresh.start()
    with qtbot.waitSignal(browse.page_loaded, timeout=TIMEOUT_MS):
        browse.load(BrowseQuery("open"))
    with qtbot.waitSignal(reader.loaded, timeout=TIMEOUT_MS):
        reader.request(700001)
    assert {thread.name for thread in _service_threads()} == {
        "petitiondesk-refresh", "petitiondesk-browse", "petitiondesk-reader"}
    assert stop_all([refresh, browse, reader], timeout=10)
    assert _service_threads() == []
    assert not (refresh.is_running or browse.is_running or reader.is_running)


def test_quitting_aborts_hanging_requests_and_waits_for_every_service_together(qtbot, data_dir):
    database = paths.database_path(data_dir)
    with Store.open(database) as store:
        store.pin(700001)
    with SlowServer("hang") as site:
        refresh = RefreshService(WorkerConfig(database=database, api_base=site.url, request_interval=0.0))
        browse = BrowseService(BrowseConfig.like(refresh.config))
        refresh.start()
        browse.load(BrowseQuery("open"))
        qtbot.waitUntil(lambda: site.connections >= 2, timeout=TIMEOUT_MS)
        time.sleep(0.3)  # both requests are now waiting for answers that never come
        began = time.monotonic()
        ended = stop_all([refresh, browse])
        took = time.monotonic() - began
    print(f"two services with hanging requests stopped in {took * 1000:.0f} ms")
    assert ended and took < 1.0


def test_a_search_during_a_refresh_pass_goes_ahead_of_it(qtbot, simulator, data_dir):
    interval = 0.4
    database = paths.database_path(data_dir)
    with Store.open(database) as store:
        for petition_id in simulator.world.ids("open")[:8]:
            store.pin(petition_id)
    refresh = RefreshService(WorkerConfig(database=database, api_base=simulator.url, request_interval=interval,
                                          clock=lambda: simulator.world.now().timestamp()))
    browse = BrowseService(BrowseConfig.like(refresh.config))
    assert browse.config.scheduler is refresh.config.scheduler  # one pace with the site for both
    progress = []
    refresh.refresh_progress.connect(lambda done, total: progress.append(done))
    try:
        refresh.start()
        qtbot.waitUntil(lambda: len(progress) >= 2, timeout=TIMEOUT_MS)
        asked = time.monotonic()
        with qtbot.waitSignal(browse.page_loaded, timeout=TIMEOUT_MS) as first_page:
            browse.load(BrowseQuery("open", q="the"))
        waited = time.monotonic() - asked
        assert first_page.args[0].error is None
        print(f"a search in the middle of a pass got its first page after {waited * 1000:.0f} ms "
              f"(background slots of {interval * 1000:.0f} ms)")
        assert waited < interval + 0.3  # not behind the pass's remaining requests
        assert refresh.is_refreshing
    finally:
        assert stop_all([refresh, browse], timeout=10)
