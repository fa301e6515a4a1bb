"""Alerts end to end: the refresh engine polls the simulated site, the alerts pass follows each
refresh pass, and each event is told exactly once, across restarts too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from petitiondesk.core.alert_tracker import AlertTracker
from petitiondesk.core.alerts import Kind
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.store import Store

COUNT_INTERVAL = 120.0


@pytest.fixture
def client(simulator):
    with PetitionsClient(simulator.url, min_interval=0.0, sleep=lambda s: None, timeout=2.0) as made:
        yield made


@pytest.fixture
def clock(clock):
    """Two days ahead of the simulator, not one: a pinned petition's first sample is at the site's
    `updated_at`, and a surge is measured against at least a day of recorded hours
    (alerts.MIN_SURGE_HISTORY_HOURS). A day ahead, that history came to 23 or 24 hours depending on
    how long ago the simulated petition last moved, so the surge was told or not by the time of day."""
    clock.advance(86400.0)
    return clock


def surge_key(clock) -> str:
    return f"surge:{datetime.fromtimestamp(clock.now, UTC).date().isoformat()}"


class Poller:
    """What `record` and the window's worker do: a refresh pass, then an alerts pass."""

    def __init__(self, client, path, clock) -> None:
        self.store = Store.open(path)
        self.clock = clock
        self.refresher = Refresher(client, self.store, clock=clock, count_interval=COUNT_INTERVAL,
                                   full_interval=1800.0)
        self.tracker = AlertTracker(self.store, self.store.alerts())

    def pass_(self, simulator, minutes: float = 3) -> list[tuple[Kind, str]]:
        simulator.world.advance(minutes * 60)
        self.clock.advance(minutes * 60)
        self.refresher.refresh()
        return [(stored.alert.kind, stored.alert.key) for stored in self.tracker.check(self.clock.now)]

    def close(self) -> None:
        self.store.close()


def start_watching(client, path, clock, simulator) -> tuple[Poller, int]:
    """A poller with a petition of a few thousand signatures pinned and its baseline taken."""
    world = simulator.world
    petition_id = next(i for i in world.ids("open") if 1_000 < world.count(i) < 9_000)
    poller = Poller(client, path, clock)
    poller.refresher.pin(petition_id)
    assert poller.pass_(simulator) == []  # the baseline: what held when pinned is not told
    return poller, petition_id


def set_count(world, petition_id: int, count: int) -> None:
    world.advance(60)  # a later tick than the last fetch, so that Last-Modified moves on
    world.set_count(petition_id, count)


def test_each_event_of_a_petition_is_told_once_and_not_again_after_a_restart(simulator, client, data_dir, clock):
    world = simulator.world
    path = data_dir / "petitiondesk.sqlite3"
    poller, petition_id = start_watching(client, path, clock, simulator)
    set_count(world, petition_id, 10_200)  # from about 1,000 in 3 minutes: a surge too
    assert sorted(poller.pass_(simulator)) == [(Kind.SURGE, surge_key(clock)), (Kind.THRESHOLD, "threshold:10000")]
    assert poller.pass_(simulator) == []
    poller.close()

    poller = Poller(client, path, clock)  # a restart, 3 minutes later: nothing was missed
    assert poller.pass_(simulator) == []
    set_count(world, petition_id, 100_300)
    assert poller.pass_(simulator) == [(Kind.THRESHOLD, "threshold:100000")]
    world.remove(petition_id)
    poller.refresher.refresh(force=True)
    assert poller.pass_(simulator) == [(Kind.REMOVED, "removed")]
    assert poller.pass_(simulator) == []
    listed = [(s.alert.key, s.away) for s in poller.store.alerts().listing()]
    poller.close()
    assert listed == [("removed", False), ("threshold:100000", False), (surge_key(clock), False),
                      ("threshold:10000", False)]


def test_what_happened_while_nothing_ran_is_marked_for_the_summary(simulator, client, data_dir, clock):
    path = data_dir / "petitiondesk.sqlite3"
    poller, petition_id = start_watching(client, path, clock, simulator)
    poller.close()
    set_count(simulator.world, petition_id, 12_000)
    poller = Poller(client, path, clock)
    told = poller.pass_(simulator, minutes=8 * 60)  # the next start, 8 hours later
    assert told == [(Kind.THRESHOLD, "threshold:10000")]
    assert [s.away for s in poller.store.alerts().listing()] == [True]
    poller.close()
