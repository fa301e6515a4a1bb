"""The browse view on its background thread, against the local simulator: lists, paging, search, pinning."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from petitiondesk.core.browse import ARCHIVED_FACETS, FACETS, TRENDING_LABEL, BrowseQuery, load_all
from petitiondesk.core.client import PetitionsClient
from petitiondesk.gui.browse_model import BrowseColumn, PetitionIdRole
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.browse_view import RISING_NOW, BrowseView

TIMEOUT_MS = 15_000


@pytest.fixture
def make_view(qtbot):
    services = []

    def build(site) -> BrowseView:
        service = BrowseService(BrowseConfig(site.url, request_interval=0.0))
        services.append(service)
        view = BrowseView(service)
        qtbot.addWidget(view)
        view.resize(1100, 600)
        view.show()
        return view

    yield build
    for service in services:
        assert service.shutdown()


def shown_ids(view: BrowseView) -> list[int]:
    model = view.model
    return [model.index(r, 0).data(PetitionIdRole) for r in range(model.rowCount())]


def run(qtbot, view: BrowseView, state: str = "all", q: str = "", archived: bool = False) -> None:
    """Search and wait until the listing has finished loading (or failed)."""
    view.choose_facet(state, archived)
    view.search_edit.setText(q)
    view.search()
    qtbot.waitUntil(lambda: not view.service.is_loading, timeout=TIMEOUT_MS)


def list_pages(site, path: str) -> list[int]:
    return [int(parse_qs(urlsplit(target).query).get("page", ["1"])[0])
            for method, target, _ in site.request_log if urlsplit(target).path == path]


def double_click(qtbot, view: BrowseView, position: QPoint) -> None:
    # A real double-click starts with a press: the view only acts on the row that was pressed.
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=position)


@pytest.mark.parametrize("facet", FACETS + ARCHIVED_FACETS, ids=lambda f: f.label)
def test_each_list_shows_the_sites_petitions_in_the_sites_order(qtbot, make_view, still_site, facet):
    view = make_view(still_site)
    run(qtbot, view, facet.state, archived=facet.archived)
    with PetitionsClient(still_site.url, min_interval=0) as client:
        expected = load_all(client, BrowseQuery(facet.state, archived=facet.archived))
    assert shown_ids(view) == [row.id for row in expected.rows]
    if facet.state in ("open", "closed", "all", "published"):
        counts = [row.signature_count for row in map(view.model.record, range(view.model.rowCount()))]
        assert counts == sorted(counts, reverse=True)


def test_pages_follow_the_links_to_the_end_with_loading_more_shown_then_hidden(qtbot, make_view, still_site):
    view = make_view(still_site)
    seen = []
    view.service.page_loaded.connect(lambda page: seen.append(
        (page.total, view.status_label.text(), view.busy.isVisible(), view.stop_button.isVisible())))
    run(qtbot, view, "all")
    total = len(still_site.world.visible_ids())
    pages = -(-total // 50)
    assert pages >= 3
    assert list_pages(still_site, "/petitions.json") == list(range(1, pages + 1))
    assert len(seen) == pages
    assert seen[0] == (50, "Loading more… 50 petitions so far", True, True)
    assert seen[1] == (100, "Loading more… 100 petitions so far", True, True)
    assert seen[-1] == (total, f"All {total:,} petitions loaded", False, False)
    assert len(set(shown_ids(view))) == total == view.model.rowCount()


def test_a_failed_page_keeps_the_rows_and_retry_loads_the_rest(qtbot, make_view, still_site):
    still_site.faults.force("503", path_contains="page=2")
    view = make_view(still_site)
    run(qtbot, view, "all")
    assert view.model.rowCount() == 50
    assert "maintenance" in view.status_label.text() and view.retry_button.isVisible()
    assert not view.busy.isVisible()
    qtbot.mouseClick(view.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.service.is_loading, timeout=TIMEOUT_MS)
    assert view.model.rowCount() == len(still_site.world.visible_ids())
    assert not view.retry_button.isVisible()


def test_stop_keeps_what_was_loaded_and_load_the_rest_finishes_it(qtbot, make_view, still_site):
    view = make_view(still_site)
    still_site.faults.force("latency", path_contains="page=2", seconds=0.3)
    view.service.page_loaded.connect(lambda page: page.page == 1 and view.stop_button.click())
    view.choose_facet("all")
    view.search()
    qtbot.waitUntil(lambda: "Stopped" in view.status_label.text(), timeout=TIMEOUT_MS)
    qtbot.wait(600)  # a request already in flight when Stop was pressed still lands, and is kept
    requested = list_pages(still_site, "/petitions.json")
    assert requested in ([1], [1, 2])
    assert view.model.rowCount() == 50 * len(requested) and not view.busy.isVisible()
    assert view.status_label.text() == f"Stopped: {view.model.rowCount()} petitions loaded"
    assert view.retry_button.isVisible()
    view.retry_button.click()
    qtbot.waitUntil(lambda: "All" in view.status_label.text(), timeout=TIMEOUT_MS)
    assert len(set(shown_ids(view))) == view.model.rowCount() == len(still_site.world.visible_ids())


def test_a_new_search_cancels_the_old_one_and_shows_only_its_own_rows(qtbot, make_view, still_site):
    view = make_view(still_site)
    still_site.faults.force("latency", path_contains="page=1", seconds=0.5)
    view.choose_facet("all")
    view.search()
    pid = still_site.world.ids("closed")[2]
    view.search_edit.setText(str(pid))
    view.search()  # while the first page of "all" is still on its way
    qtbot.waitUntil(lambda: view.status_label.text() == f"Petition {pid}", timeout=TIMEOUT_MS)
    qtbot.wait(800)
    assert shown_ids(view) == [pid]
    # "all" stopped before its first page or just after it: never page 2.
    assert list_pages(still_site, "/petitions.json") in ([], [1])


def test_search_finds_words_in_the_action_and_in_the_background(qtbot, make_view, still_site):
    world = still_site.world
    target = world.plan(world.ids("open")[0])
    view = make_view(still_site)
    word = max(target.action.split(), key=len)
    run(qtbot, view, "all", word)
    assert target.id in shown_ids(view) and view.model.rowCount() < len(world.visible_ids())
    for pid in world.visible_ids():
        plan = world.plan(pid)
        hidden = [w for w in plan.background.split() if w.isalpha() and len(w) > 5
                  and w.lower() not in plan.action.lower()]
        if hidden:
            break
    run(qtbot, view, "all", hidden[0])
    assert pid in shown_ids(view)
    assert hidden[0].lower() not in view.model.record(shown_ids(view).index(pid)).action.lower()


@pytest.mark.parametrize("form", ["{id}", "#{id}", "https://petition.parliament.uk/petitions/{id}"])
def test_a_number_or_link_jumps_to_that_petition_and_selects_it(qtbot, make_view, still_site, form):
    pid = still_site.world.ids("closed")[1]
    view = make_view(still_site)
    run(qtbot, view, "open", form.format(id=pid))
    assert shown_ids(view) == [pid]
    assert [row.id for row in view.selected_rows()] == [pid]
    assert view.status_label.text() == f"Petition {pid}"
    assert list_pages(still_site, "/petitions.json") == []  # never the site's redirect to HTML


def test_pin_by_double_click_enter_button_and_menu_emits_each_once(qtbot, make_view, still_site):
    view = make_view(still_site)
    run(qtbot, view, "open")
    pinned = []
    view.pin_requested.connect(lambda pid, archived: pinned.append((pid, archived)))
    first, second, third, fourth = shown_ids(view)[:4]

    rect = view.table.visualRect(view.model.index(0, BrowseColumn.TITLE))
    double_click(qtbot, view, rect.center())
    view.table.selectRow(1)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    view.table.selectRow(2)
    assert view.pin_button.isEnabled()
    qtbot.mouseClick(view.pin_button, Qt.MouseButton.LeftButton)
    view.table.selectRow(3)
    menu = view.context_menu()
    assert [a.text().replace("&", "") for a in menu.actions() if a.text()] == [
        "Pin", "Open on the Website", "Copy Title and Link"]
    next(a for a in menu.actions() if a.text() == "&Pin").trigger()
    assert pinned == [(first, False), (second, False), (third, False), (fourth, False)]

    view.set_pinned({first, fourth})  # what the window says once the worker has pinned them
    assert view.model.index(0, BrowseColumn.PINNED).data() == "✓"
    view.table.selectRow(0)
    assert not view.pin_button.isEnabled()
    double_click(qtbot, view, rect.center())
    assert len(pinned) == 4  # an already pinned row is not pinned twice


def test_an_archived_petition_is_pinned_as_archived_and_its_link_copied(qtbot, make_view, still_site):
    view = make_view(still_site)
    run(qtbot, view, "published", archived=True)
    pinned = []
    view.pin_requested.connect(lambda pid, archived: pinned.append((pid, archived)))
    view.table.selectRow(0)
    view.pin_selected()
    pid = shown_ids(view)[0]
    assert pinned == [(pid, True)]
    view.copy_link()  # the title and link, as Ctrl+C copies in every list
    assert QGuiApplication.clipboard().text() == \
        f"{view.model.record(0).action}\nhttps://petition.parliament.uk/archived/petitions/{pid}"


def test_rising_now_shows_signatures_in_the_last_hour_not_totals(qtbot, make_view, still_site):
    world = still_site.world
    view = make_view(still_site)
    view.choose_facet(None)
    assert view.facet_box.currentText() == RISING_NOW
    assert not view.search_edit.isEnabled()
    view.search()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert view.model.headerData(BrowseColumn.SIGNATURES, Qt.Orientation.Horizontal) == TRENDING_LABEL
    assert "last hour" in view.note_label.text() and view.note_label.isVisible()
    for number, pid in enumerate(shown_ids(view)):
        shown = view.model.index(number, BrowseColumn.SIGNATURES).data()
        assert shown == f"{world.signatures_in_last_hour(pid):,}"
    run(qtbot, view, "open")
    assert not view.note_label.isVisible() and view.search_edit.isEnabled()
    assert view.model.headerData(BrowseColumn.SIGNATURES, Qt.Orientation.Horizontal) == "Signatures"


def test_filtering_the_loaded_rows_never_asks_the_site(qtbot, make_view, still_site):
    view = make_view(still_site)
    run(qtbot, view, "all")
    requests = len(still_site.request_log)
    word = view.model.record(0).action.split()[-1]
    qtbot.keyClicks(view.filter_edit, word)
    assert 0 < view.model.rowCount() < view.model.loaded_count()
    assert all(word.lower() in view.model.record(r).action.lower() or word.lower() in view.model.record(r).status
               for r in range(view.model.rowCount()))
    assert len(still_site.request_log) == requests


def test_no_request_is_made_on_the_gui_thread(qtbot, make_view, still_site, monkeypatch):
    threads = set()
    original = PetitionsClient._get_once

    def recording(self, *args, **kwargs):
        threads.add(threading.current_thread().name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PetitionsClient, "_get_once", recording)
    view = make_view(still_site)
    run(qtbot, view, "open")
    assert view.model.rowCount() > 0
    assert threading.current_thread().name not in threads and threads


def test_screenshot_of_a_search_in_progress(qtbot, make_view, simulator, tmp_path):
    """What a user sees mid-search; saved to docs/ when PETITIONDESK_SCREENSHOT_DIR is set."""
    simulator.faults.force("latency", path_contains="page=3", seconds=30)
    view = make_view(simulator)
    view.resize(1280, 720)
    view.choose_facet("all")
    view.search_edit.setText("ban")
    view.search()
    qtbot.waitUntil(lambda: view.model.loaded_count() >= 100, timeout=TIMEOUT_MS)
    view.set_pinned({view.model.record(1).id, view.model.record(4).id})
    view.table.selectRow(2)
    qtbot.wait(200)
    assert view.busy.isVisible() and view.status_label.text().startswith("Loading more…")
    image = view.grab().toImage()
    assert image.width() >= 1280 and len({image.pixel(x, 300) for x in range(0, 1280, 7)}) > 2
    folder = Path(os.environ.get("PETITIONDESK_SCREENSHOT_DIR") or tmp_path)
    assert view.grab().save(str(folder / "screenshot-browse.png"))
    view.stop()
