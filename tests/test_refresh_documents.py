"""A long watchlist's documents: fetched again when a facet listing says they changed, when shown, or
when their constituency snapshot is due at a pace that scales with the watchlist (issue 15)."""

from __future__ import annotations

import time

import pytest

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import CHANGE_FACETS, Refresher
from petitiondesk.core.store import Store

MINUTE = 60.0


class Clock:
    """The refresher's clock, a day ahead of the simulator's so that every `updated_at` is past."""

    def __init__(self) -> None:
        self.now = time.time() + 86400.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(data_dir):
    with Store.open(data_dir / "petitiondesk.sqlite3") as opened:
        yield opened


@pytest.fixture
def client(simulator):
    with PetitionsClient(simulator.url, min_interval=0.0, sleep=lambda _: None, timeout=5.0) as made:
        yield made


def watched(simulator, store, client, clock, count: int) -> tuple[Refresher, list[int]]:
    """`count` open petitions pinned and fetched once (the first fill)."""
    ids = [pid for pid in simulator.world.ids("open") if simulator.world.count(pid) < 9_000][:count]
    assert len(ids) == count
    with store.transaction():
        for pid in ids:
            store.pin(pid)
    refresher = Refresher(client, store, clock=clock)
    while refresher.refresh().next_due_at <= clock.now:
        pass
    assert all(store.petition(pid) is not None for pid in ids)
    return refresher, ids


def run_minutes(refresher: Refresher, clock: Clock, minutes: int) -> None:
    for _ in range(minutes):
        clock.now += MINUTE
        refresher.refresh()


def documents_asked(paths: list[str]) -> list[str]:
    return [path for path in paths if path.startswith("/petitions/") and path.endswith(".json")
            and not path.endswith("/count.json")]


def facet_listings_asked(paths: list[str]) -> list[str]:
    return [path for path in paths if path.startswith("/petitions.csv?state=") and path != "/petitions.csv?state=open"]


def paths_since(simulator, mark: int) -> list[str]:
    return [path for _, path, _ in simulator.request_log[mark:]]


def last_due(store, ids: list[int]) -> int:
    """The petition whose scheduled document is furthest away: only a change signal fetches it soon."""
    return max(ids, key=lambda pid: store.fetch_state(pid).next_full_at)


def test_a_long_watchlist_keeps_its_documents_current_in_few_requests_per_half_hour(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 90)
    mark = len(simulator.request_log)
    run_minutes(refresher, clock, 30)
    paths = paths_since(simulator, mark)
    documents, facets = documents_asked(paths), facet_listings_asked(paths)
    assert len(documents) <= 50, "before: every one of the 90 documents every 30 minutes"
    assert len(facets) <= 3 * len(CHANGE_FACETS)  # one check every 10 minutes
    assert len(documents) + len(facets) <= 60


def test_a_petition_reaching_10000_has_its_document_fetched_within_ten_minutes(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 40)
    run_minutes(refresher, clock, 11)  # the facet check's baseline is taken
    petition_id = last_due(store, ids)
    assert store.fetch_state(petition_id).next_full_at > clock.now + 12 * MINUTE
    simulator.world.set_count(petition_id, 10_001)
    mark = len(simulator.request_log)
    run_minutes(refresher, clock, 11)
    assert f"/petitions/{petition_id}.json" in paths_since(simulator, mark)
    assert store.petition(petition_id).response_threshold_reached_at is not None


def test_an_unchanged_petition_waits_for_its_snapshot(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 40)
    petition_id = last_due(store, ids)
    mark = len(simulator.request_log)
    run_minutes(refresher, clock, 25)
    assert f"/petitions/{petition_id}.json" not in paths_since(simulator, mark)


def test_a_shown_petition_is_fetched_at_once_when_its_document_is_old(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 40)
    petition_id = last_due(store, ids)
    refresher.want_document(petition_id)  # fetched moments ago: nothing to ask
    mark = len(simulator.request_log)
    refresher.refresh()
    assert f"/petitions/{petition_id}.json" not in paths_since(simulator, mark)

    run_minutes(refresher, clock, 31)
    assert store.fetch_state(petition_id).next_full_at > clock.now
    refresher.want_document(petition_id)
    mark = len(simulator.request_log)
    refresher.refresh()
    assert f"/petitions/{petition_id}.json" in paths_since(simulator, mark)


def test_a_small_watchlist_keeps_thirty_minutes_and_asks_no_listings(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 5)
    mark = len(simulator.request_log)
    run_minutes(refresher, clock, 35)
    paths = paths_since(simulator, mark)
    assert facet_listings_asked(paths) == []
    assert sorted(documents_asked(paths)) == sorted(f"/petitions/{pid}.json" for pid in ids)


def test_the_facet_check_is_remembered_across_a_restart(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 40)
    restarted = Refresher(client, store, clock=clock)
    clock.now += MINUTE
    mark = len(simulator.request_log)
    restarted.refresh()
    assert facet_listings_asked(paths_since(simulator, mark)) == []


def test_a_listing_that_fails_is_asked_again_only_after_ten_minutes(simulator, store, client, clock):
    refresher, ids = watched(simulator, store, client, clock, 40)
    run_minutes(refresher, clock, 9)
    simulator.faults.force("500", path_contains="state=awaiting_response", times=10)  # retries too
    mark = len(simulator.request_log)
    run_minutes(refresher, clock, 10)  # the check at minute 10 fails; the next is at minute 20
    assert set(facet_listings_asked(paths_since(simulator, mark))) == {"/petitions.csv?state=awaiting_response"}
    assert all(store.petition(pid) is not None for pid in ids)  # nothing lost
