"""The alerts' memory and list in the store, and the alerts pass the poller runs after refreshing."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from petitiondesk.core.alert_store import AlertStore, Status
from petitiondesk.core.alert_tracker import (
    RULES_SETTING,
    AlertTracker,
    load_rules,
    save_default_rules,
    save_petition_rules,
)
from petitiondesk.core.alerts import Alert, AlertRules, Kind
from petitiondesk.core.models import Petition
from petitiondesk.core.serialize import petition_to_api_dict
from petitiondesk.core.store import Store

T = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()
PID = 700123
OPEN = Petition(id=PID, action="Fund local libraries", state="open", signature_count=9_000)


def alert(key: str, pid: int = PID) -> Alert:
    return Alert(pid, key, Kind.THRESHOLD, "Fund local libraries", f"reached {key}")


def open_store(path) -> Store:
    return Store.open(path)


def alert_store(store: Store) -> AlertStore:
    return store.alerts()


def save(store: Store, petition: Petition, t: float) -> None:
    attributes = petition_to_api_dict(petition)
    attributes.pop("id")
    document = {"data": {"type": "petition", "id": petition.id, "attributes": attributes}}
    store.save_document(petition.id, json.dumps(document).encode(), t)
    store.add_sample(petition.id, t, petition.signature_count)


@pytest.fixture
def store(data_dir):
    with open_store(data_dir / "petitiondesk.sqlite3") as opened:
        yield opened


# ------------------------------------------------------------------------------------ the list


def test_each_key_is_recorded_once_and_listed_newest_first(store):
    memory = store.alerts()
    first = memory.record([alert("a"), alert("b"), alert("a")], T)
    assert [s.alert.key for s in first] == ["a", "b"]
    assert memory.record([alert("b"), alert("c")], T + 1) == memory.after(first[-1].id)
    assert [s.alert.key for s in memory.listing()] == ["c", "b", "a"]
    assert memory.unread_count() == 3


def test_read_and_cleared_alerts_leave_the_count_and_the_list_but_never_fire_again(store):
    memory = alert_store(store)
    a, b = memory.record([alert("a"), alert("b")], T)
    assert memory.mark_read([a.id]) == 1
    assert memory.unread_count() == 1
    assert memory.clear() == 2
    assert memory.listing() == [] and memory.unread_count() == 0
    assert memory.record([alert("a"), alert("b")], T + 60) == []


def test_the_list_survives_a_restart_with_its_read_marks(data_dir):
    with open_store(data_dir / "p.sqlite3") as first:
        stored = alert_store(first).record([alert("a"), alert("b")], T)
        alert_store(first).mark_read([stored[0].id])
    with open_store(data_dir / "p.sqlite3") as again:
        listed = alert_store(again).listing()
        assert alert_store(again).record([alert("a")], T + 1) == []
    assert [(s.alert.key, s.status) for s in listed] == [("b", Status.UNREAD), ("a", Status.READ)]


def _record_in_another_process(path: str, keys: list[str], out) -> None:
    with open_store(path) as store:
        out.put([s.alert.key for s in alert_store(store).record([alert(k) for k in keys], T)])


def test_two_processes_recording_the_same_alerts_tell_each_once(data_dir):
    path = str(data_dir / "shared.sqlite3")
    open_store(path).close()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    keys = [f"k{i}" for i in range(200)]
    workers = [context.Process(target=_record_in_another_process, args=(path, keys, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    told = out.get(timeout=60) + out.get(timeout=60)
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(told) == sorted(keys)


# ---------------------------------------------------------------------------------- the pass


def test_what_held_when_pinned_is_remembered_silently_and_later_events_are_told(store):
    store.pin(PID, pinned_at=T - 60)
    save(store, replace(OPEN, signature_count=12_000), T - 30)
    tracker = AlertTracker(store, alert_store(store))
    assert tracker.check(T) == []  # 10,000 was reached before pinning: shown, not announced
    save(store, replace(OPEN, signature_count=100_500), T + 60)
    told = tracker.check(T + 120)
    assert [(s.alert.key, s.away) for s in told] == [("threshold:100000", False)]
    assert tracker.check(T + 180) == []
    assert alert_store(store).unread_count() == 1


def test_nothing_is_announced_before_the_first_document(store):
    store.pin(PID, pinned_at=T)
    tracker = AlertTracker(store, alert_store(store))
    assert tracker.check(T + 1) == []
    save(store, replace(OPEN, signature_count=20_000), T + 2)
    assert tracker.check(T + 3) == []  # the baseline: 10,000 was reached before it was first seen


def test_alerts_found_after_nothing_ran_are_marked_for_the_away_summary(data_dir):
    path = data_dir / "p.sqlite3"
    with open_store(path) as store:
        store.pin(PID, pinned_at=T)
        save(store, OPEN, T)
        AlertTracker(store, alert_store(store)).check(T + 1)
        save(store, replace(OPEN, signature_count=10_001, state="closed"), T + 7200)
    with open_store(path) as store:  # the next start, two hours later
        tracker = AlertTracker(store, alert_store(store))
        told = tracker.check(T + 7300)
        assert {(s.alert.kind, s.away) for s in told} == {(Kind.THRESHOLD, True), (Kind.CLOSED, True)}
        save(store, replace(OPEN, signature_count=10_001, state="closed", government_response_at=datetime.now(UTC)),
             T + 7400)
        assert [(s.alert.kind, s.away) for s in tracker.check(T + 7500)] == [(Kind.RESPONSE, False)]


def test_a_repin_takes_a_new_baseline(store):
    store.pin(PID, pinned_at=T)
    save(store, OPEN, T)
    tracker = AlertTracker(store, alert_store(store))
    tracker.check(T + 1)
    store.unpin(PID)
    save(store, replace(OPEN, signature_count=20_000), T + 100)
    store.pin(PID, pinned_at=T + 200)
    assert tracker.check(T + 300) == []  # 10,000 passed while it was not pinned


def test_rules_per_petition_override_the_defaults(store):
    save_default_rules(store, AlertRules(round_numbers=(9_500,)))
    save_petition_rules(store, PID, AlertRules(thresholds=False, round_numbers=(9_500,)))
    save_petition_rules(store, PID + 1, AlertRules(surge=False))
    save_petition_rules(store, PID + 1, None)  # back to the defaults
    store.set_setting(RULES_SETTING, {**store.setting(RULES_SETTING), "junk": 1})
    defaults, own = load_rules(store)
    assert defaults.round_numbers == (9_500,) and list(own) == [PID]
    store.pin(PID, pinned_at=T)
    save(store, OPEN, T)
    tracker = AlertTracker(store, alert_store(store))
    tracker.check(T + 1)
    save(store, replace(OPEN, signature_count=10_500), T + 60)
    assert [s.alert.key for s in tracker.check(T + 61)] == ["threshold:9500"]
