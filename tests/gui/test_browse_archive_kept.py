"""The Browse tab's archive, kept in the store by the browse thread: the second time it asks nothing."""

from __future__ import annotations

from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.browse_view import BrowseView

TIMEOUT_MS = 30_000


def test_the_archive_shown_a_second_time_makes_no_request(qtbot, simulator, data_dir):
    service = BrowseService(BrowseConfig(simulator.url, request_interval=0.0,
                                         database=data_dir / "petitiondesk.sqlite3"))
    view = BrowseView(service)
    qtbot.addWidget(view)
    try:
        shown = []
        for _ in range(2):
            mark = len(simulator.request_log)
            view.choose_facet("all", True)
            view.search_edit.setText("")
            view.search()
            qtbot.waitUntil(lambda: not service.is_loading, timeout=TIMEOUT_MS)
            shown.append((view.model.rowCount(), len(simulator.request_log) - mark))
        (rows, first_requests), (rows_again, second_requests) = shown
        assert rows == rows_again == len(simulator.world.archived_ids())
        assert first_requests > 1 and second_requests == 0
    finally:
        assert service.shutdown()
