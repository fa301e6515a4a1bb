"""A petition put on show asks the refresh worker for its document when it is old (issue 15)."""

from __future__ import annotations

from petitiondesk import paths
from petitiondesk.core.store import Store
from petitiondesk.gui.worker import RefreshService, WorkerConfig

TIMEOUT_MS = 30_000


def test_a_shown_petition_with_an_old_document_is_fetched_soon(qtbot, simulator, data_dir):
    database = paths.database_path(data_dir)
    ids = simulator.world.ids("open")[:40]
    with Store.open(database) as store:
        for petition_id in ids:
            store.pin(petition_id)
    service = RefreshService(WorkerConfig(database=database, api_base=simulator.url, request_interval=0.0,
                                          clock=lambda: simulator.world.now().timestamp()))
    try:
        with qtbot.waitSignal(service.refresh_finished, timeout=TIMEOUT_MS):
            service.start()
        with Store.open(database, readonly=True) as store:
            shown = max(ids, key=lambda pid: store.fetch_state(pid).next_full_at)
            due_at = store.fetch_state(shown).next_full_at
        simulator.world.advance(31 * 60)  # older than the usual 30 minutes, not yet due
        assert due_at > simulator.world.now().timestamp() + 60
        document = f"/petitions/{shown}.json"
        asked_before = sum(1 for _, path, _ in simulator.request_log if path == document)
        service.want_document(shown)
        qtbot.waitUntil(lambda: sum(1 for _, path, _ in simulator.request_log if path == document) > asked_before,
                        timeout=TIMEOUT_MS)
    finally:
        service.shutdown()
