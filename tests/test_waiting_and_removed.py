"""Petitions that are not open yet, or were removed from the archive, against the simulator.

The site answers `count.json` with 200 for a petition still collecting supporters or in moderation
(its page redirects), and 410 for a removed archived petition (its live URL redirects there first):
docs/API.md §6 and §9, `app/controllers/petitions_controller.rb:17-22`,
`app/controllers/archived/petitions_controller.rb:79-82`.
"""

from __future__ import annotations

import pytest

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import DAY, WAITING_INTERVAL, Refresher
from petitiondesk.core.store import Store


@pytest.fixture
def store(data_dir):
    with Store.open(data_dir / "petitiondesk.sqlite3") as opened:
        yield opened


@pytest.fixture
def refresher(simulator, store, clock):
    with PetitionsClient(simulator.url, min_interval=0.0, sleep=lambda seconds: None, timeout=2.0) as client:
        yield Refresher(client, store, clock=clock, count_interval=120.0, full_interval=1800.0)


def paths_for(simulator, petition_id: int, since: int = 0) -> list[tuple[str, int]]:
    return [(path, status) for _, path, status in simulator.request_log[since:] if f"/{petition_id}" in path]


@pytest.mark.parametrize("kind, problem, stage", [
    ("pending", "collecting_supporters", "collecting supporters"),
    ("moderation", "in_moderation", "in moderation"),
])
def test_a_petition_pinned_before_it_opens_shows_its_stage_and_count(simulator, store, refresher, kind, problem,
                                                                      stage):
    petition_id = simulator.world.ids(kind)[0]
    update = refresher.pin(petition_id)
    assert store.is_pinned(petition_id)
    assert update.problem == problem and stage in update.message and "not open" in update.message
    assert update.signature_count == simulator.world.count(petition_id) > 0
    assert store.latest_sample(petition_id)[1] == update.signature_count
    assert [status for _, status in paths_for(simulator, petition_id)] == [302, 200]  # the page, then count.json


def test_a_waiting_petition_is_looked_at_again_after_a_while_not_at_once(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("pending")[0]
    refresher.pin(petition_id)
    mark = len(simulator.request_log)
    refresher.refresh()
    assert paths_for(simulator, petition_id, mark) == []
    clock.now += WAITING_INTERVAL * 1.2
    report = refresher.refresh()
    assert [update.problem for update in report.updates] == ["collecting_supporters"]
    assert len(paths_for(simulator, petition_id, mark)) == 2


def test_a_waiting_petition_opens_in_place_when_the_site_publishes_it(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("moderation")[0]
    refresher.pin(petition_id)
    simulator.world.publish(petition_id)
    clock.now += WAITING_INTERVAL * 1.2
    report = refresher.refresh()
    update = next(update for update in report.updates if update.petition_id == petition_id)
    assert update.problem is None
    assert update.petition is not None and update.petition.state == "open" and update.petition.id == petition_id
    assert store.fetch_state(petition_id).problem is None
    assert [entry.petition_id for entry in store.watchlist()] == [petition_id]


def test_a_removed_archived_petition_stops_being_asked_for(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("archived")[0]
    assert refresher.pin(petition_id).problem is None and store.fetch_state(petition_id).archived
    simulator.world.remove(petition_id)
    clock.now += DAY + 60
    report = refresher.refresh()
    assert [(update.problem, "removed" in update.message) for update in report.updates] == [("gone", True)]
    mark = len(simulator.request_log)
    for _ in range(3):  # a 404 would be retried with backoff; a 410 never again
        clock.now += 7 * DAY
        refresher.refresh(force=True)
    assert paths_for(simulator, petition_id, mark) == []


def test_pinning_a_removed_archived_petition_by_its_live_link_says_it_was_removed(simulator, store, refresher):
    petition_id = simulator.world.ids("archived")[1]
    simulator.world.remove(petition_id)
    update = refresher.pin(petition_id)
    assert update.problem == "gone" and "removed" in update.message
    assert not store.is_pinned(petition_id)
    assert paths_for(simulator, petition_id) == [(f"/petitions/{petition_id}.json", 302),
                                                 (f"/archived/petitions/{petition_id}.json", 410)]
