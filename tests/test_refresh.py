"""The refresh engine against the simulator: what it asks for, when, and what it records."""

from __future__ import annotations

import time

import pytest

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.store import Store

COUNT_INTERVAL = 120.0


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def store(data_dir):
    with Store.open(data_dir / "petitiondesk.sqlite3") as opened:
        yield opened


@pytest.fixture
def client(simulator, waits):
    with PetitionsClient(simulator.url, min_interval=0.0, sleep=waits.append, timeout=2.0) as made:
        yield made


@pytest.fixture
def refresher(client, store, clock) -> Refresher:
    return Refresher(client, store, clock=clock, count_interval=COUNT_INTERVAL, full_interval=1800.0,
                     bulk_threshold=20)


def requests_since(simulator, mark: int) -> list[tuple[str, str, int]]:
    return list(simulator.request_log[mark:])


def paths_since(simulator, mark: int) -> list[str]:
    return [path for _, path, _ in requests_since(simulator, mark)]


def watch(store, ids) -> None:
    for petition_id in ids:
        store.pin(petition_id)


# -- the normal schedule ------------------------------------------------------------------------


def test_first_pass_fetches_each_document_and_records_a_sample_at_its_updated_at(simulator, store, refresher):
    ids = simulator.world.ids("open")[:3]
    watch(store, ids)
    report = refresher.refresh()
    assert report.requests == 3
    assert sorted(paths_since(simulator, 0)) == sorted(f"/petitions/{i}.json" for i in ids)
    for update in report.updates:
        petition = store.petition(update.petition_id)
        assert update.petition == petition.without_breakdowns()  # the breakdowns stay in the store
        assert update.signature_count == petition.signature_count
        times, counts = store.samples(update.petition_id)
        assert counts.tolist() == [petition.signature_count]
        assert times[0] == int(petition.updated_at.timestamp()) == update.sampled_at // 1
    snapshot = store.constituency_counts_at(ids[0], refresher.clock() + 1)
    assert snapshot is not None and sum(snapshot[1].values()) > 0


def test_nothing_is_asked_again_before_the_interval(simulator, store, refresher, clock):
    watch(store, simulator.world.ids("open")[:3])
    refresher.refresh()
    mark = len(simulator.request_log)
    clock.advance(COUNT_INTERVAL - 5)
    report = refresher.refresh()
    assert report.requests == 0 and paths_since(simulator, mark) == []
    assert report.next_due_at == pytest.approx(clock.now + 5, abs=1.0)


def test_counts_are_polled_conditionally_and_a_304_extends_the_plateau(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("open")[0]
    simulator.world.set_count(petition_id, 4321)
    watch(store, [petition_id])
    refresher.refresh()
    for _ in range(3):
        clock.advance(COUNT_INTERVAL + 1)
        mark = len(simulator.request_log)
        report = refresher.refresh()
        assert paths_since(simulator, mark) == [f"/petitions/{petition_id}/count.json"]
    statuses = [status for _, path, status in simulator.request_log if path.endswith("count.json")]
    assert statuses == [200, 304, 304]
    times, counts = store.samples(petition_id)
    assert counts.tolist() == [4321, 4321]  # a plateau is stored as its two ends
    assert times[-1] == int(clock.now) and report.updates[0].sampled_at == clock.now
    assert report.updates[0].changed is False


def test_a_new_count_is_recorded_and_reported_as_changed(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("open")[0]
    simulator.world.set_count(petition_id, 500)
    watch(store, [petition_id])
    refresher.refresh()
    simulator.world.set_count(petition_id, 640)
    simulator.world.advance(60)
    clock.advance(COUNT_INTERVAL + 1)
    report = refresher.refresh()
    (update,) = report.updates
    assert update.signature_count == 640 and update.changed
    assert store.samples(petition_id)[1].tolist() == [500, 640]


def test_a_new_milestone_in_count_json_fetches_the_document_at_once(simulator, store, refresher, clock):
    petition_id = next(i for i in simulator.world.ids("open") if simulator.world.count(i) < 9000)
    simulator.world.set_count(petition_id, 9000)
    watch(store, [petition_id])
    refresher.refresh()
    clock.advance(COUNT_INTERVAL + 1)
    refresher.refresh()  # learns the milestones
    simulator.world.advance(60)
    simulator.world.set_count(petition_id, 10_500)  # the response threshold is crossed
    clock.advance(COUNT_INTERVAL + 1)
    mark = len(simulator.request_log)
    report = refresher.refresh()
    assert paths_since(simulator, mark) == [f"/petitions/{petition_id}/count.json", f"/petitions/{petition_id}.json"]
    assert report.updates[0].petition.response_threshold_reached_at is not None


def test_the_full_document_is_refreshed_every_full_interval(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("open")[0]
    watch(store, [petition_id])
    refresher.refresh()
    for _ in range(20):  # 20 x 121 s > 1800 s x 1.1 jitter
        clock.advance(COUNT_INTERVAL + 1)
        refresher.refresh()
    fulls = sum(1 for path in paths_since(simulator, 1) if path == f"/petitions/{petition_id}.json")
    assert fulls == 1


def test_a_large_watchlist_takes_its_counts_from_one_csv(simulator, store, client, clock):
    ids = simulator.world.ids("open")[:25]
    refresher = Refresher(client, store, clock=clock, count_interval=COUNT_INTERVAL, bulk_threshold=20)
    watch(store, ids)
    refresher.refresh()
    clock.advance(COUNT_INTERVAL + 1)
    simulator.world.advance(600)
    mark = len(simulator.request_log)
    report = refresher.refresh()
    assert paths_since(simulator, mark) == ["/petitions.csv?state=open"]
    assert report.requests == 1 and len(report.updates) == 25
    for update in report.updates:
        assert update.signature_count == simulator.world.count(update.petition_id)
        assert store.latest_sample(update.petition_id)[1] == update.signature_count


def test_a_small_watchlist_polls_count_json(simulator, store, refresher, clock):
    ids = simulator.world.ids("open")[:5]
    watch(store, ids)
    refresher.refresh()
    clock.advance(COUNT_INTERVAL + 1)
    mark = len(simulator.request_log)
    refresher.refresh()
    assert sorted(paths_since(simulator, mark)) == sorted(f"/petitions/{i}/count.json" for i in ids)


def test_many_new_petitions_are_fetched_over_several_short_passes(simulator, store, client, clock):
    ids = simulator.world.ids("open")[:7]
    refresher = Refresher(client, store, clock=clock, max_full_per_pass=3)
    watch(store, ids)
    first = refresher.refresh()
    assert first.requests == 3 and first.next_due_at <= clock.now
    refresher.refresh()
    refresher.refresh()
    assert all(store.petition(i) is not None for i in ids)


# -- the site's answers -------------------------------------------------------------------------


def test_a_removed_petition_is_never_asked_for_again(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("open")[0]
    watch(store, [petition_id])
    refresher.refresh()
    simulator.world.remove(petition_id)
    clock.advance(COUNT_INTERVAL + 1)
    report = refresher.refresh()
    assert report.updates[0].problem == "gone" and "410" in report.updates[0].message
    mark = len(simulator.request_log)
    for _ in range(5):
        clock.advance(86400 * 3)
        refresher.refresh(force=True)
    assert paths_since(simulator, mark) == []
    assert store.fetch_state(petition_id).problem == "gone"


def test_an_archived_petition_is_remembered_and_asked_at_most_daily(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("archived")[0]
    watch(store, [petition_id])
    report = refresher.refresh()
    assert paths_since(simulator, 0) == [f"/petitions/{petition_id}.json", f"/archived/petitions/{petition_id}.json"]
    assert report.updates[0].petition.archived and store.fetch_state(petition_id).archived
    mark = len(simulator.request_log)
    for _ in range(10):
        clock.advance(3 * 3600)
        refresher.refresh()
    asked = paths_since(simulator, mark)
    assert asked and set(asked) == {f"/archived/petitions/{petition_id}.json"}  # no count.json
    assert len(asked) <= 2  # 30 hours


def test_an_unknown_petition_backs_off_from_ten_minutes(simulator, store, refresher, clock):
    watch(store, [699_999_999])
    report = refresher.refresh()
    assert report.updates[0].problem == "not_found"
    first_wait = store.fetch_state(699_999_999).next_full_at - clock.now
    assert first_wait == pytest.approx(600)
    mark = len(simulator.request_log)
    clock.advance(590)
    assert refresher.refresh(force=True).requests == 0
    clock.advance(20)
    refresher.refresh()
    assert store.fetch_state(699_999_999).next_full_at - clock.now == pytest.approx(1200)
    assert len(paths_since(simulator, mark)) == 1


def test_a_petition_in_moderation_shows_its_count_and_is_looked_at_again(simulator, store, refresher, clock):
    petition_id = simulator.world.ids("moderation")[0]
    watch(store, [petition_id])
    report = refresher.refresh()
    assert report.updates[0].problem == "in_moderation"
    assert report.updates[0].signature_count == simulator.world.count(petition_id)
    assert store.fetch_state(petition_id).next_full_at > clock.now + 500


def test_a_403_blocks_every_request_for_hours_and_doubles(simulator, store, refresher, clock):
    ids = simulator.world.ids("open")[:4]
    watch(store, ids)
    simulator.faults.force("403")
    report = refresher.refresh()
    assert report.requests == 1  # the pass stops at the first 403
    assert report.blocked_until == pytest.approx(clock.now + 3 * 3600)
    mark = len(simulator.request_log)
    for _ in range(5):
        clock.advance(1800)
        held = refresher.refresh(force=True)
        assert held.requests == 0 and held.blocked_until is not None
    assert paths_since(simulator, mark) == []
    clock.advance(1800.0 * 2)
    simulator.faults.force("403")
    again = refresher.refresh()
    assert again.blocked_until == pytest.approx(clock.now + 6 * 3600)


def test_the_block_survives_a_restart(simulator, store, client, clock):
    watch(store, simulator.world.ids("open")[:2])
    simulator.faults.force("403")
    Refresher(client, store, clock=clock).refresh()
    mark = len(simulator.request_log)
    restarted = Refresher(client, store, clock=clock)
    assert restarted.refresh().requests == 0 and paths_since(simulator, mark) == []
    assert restarted.next_due_at() == pytest.approx(clock.now + 3 * 3600)


@pytest.mark.parametrize("status", ["429", "503"])
def test_retry_after_pauses_everything(simulator, store, refresher, clock, status):
    watch(store, simulator.world.ids("open")[:3])
    simulator.faults.force(status, retry_after=300)
    report = refresher.refresh()
    assert report.requests == 1 and report.paused_until == pytest.approx(clock.now + 300)
    clock.advance(299)
    assert refresher.refresh().requests == 0
    clock.advance(2)
    assert refresher.refresh().requests == 3


def test_network_errors_retry_with_backoff_then_end_the_pass_as_offline(simulator, store, refresher, waits):
    ids = simulator.world.ids("open")[:6]
    watch(store, ids)
    simulator.faults.force("drop", times=100)
    report = refresher.refresh()
    assert report.offline
    assert report.requests == 2 * 4  # two petitions tried (1 + 3 retries each), not all six
    assert len(waits) == 6 and waits[0] < waits[1] < waits[2] * 2
    assert all(update.problem == "offline" for update in report.updates)
    assert report.next_due_at > refresher.clock()  # the next pass waits


def test_a_short_glitch_is_absorbed_by_the_retries(simulator, store, refresher, waits):
    petition_id = simulator.world.ids("open")[0]
    watch(store, [petition_id])
    simulator.faults.force("500", times=2)
    report = refresher.refresh()
    assert report.updates[0].problem is None and store.petition(petition_id) is not None
    assert len(waits) == 2


@pytest.mark.parametrize("fault, params", [("truncated", {}), ("malformed", {})])
def test_damaged_documents_are_reported_and_retried_later(simulator, store, refresher, clock, fault, params):
    petition_id = simulator.world.ids("open")[0]
    watch(store, [petition_id])
    simulator.faults.force(fault, **params)
    report = refresher.refresh()
    assert report.updates[0].problem == "bad_response"
    assert report.updates[0].message
    assert store.petition(petition_id) is None
    clock.advance(3600)
    assert refresher.refresh().updates[0].problem is None


def test_a_cdn_error_page_served_with_200_is_a_site_fault_retried_soon_not_a_missing_petition(
        simulator, store, refresher, clock):
    petition_id = simulator.world.ids("open")[0]
    watch(store, [petition_id])
    simulator.faults.force("html", status=200, times=4)  # the first try and its three retries
    update = refresher.refresh().updates[0]
    assert update.problem == "unavailable" and "error page" in update.message
    assert "not publicly visible" not in update.message
    # Retried at the pace of a passing fault (minutes), not the 404 back-off (10 min doubling to a day).
    assert store.fetch_state(petition_id).next_check_at - clock() <= 2 * COUNT_INTERVAL * 1.1
    clock.advance(2 * COUNT_INTERVAL * 1.1)
    assert refresher.refresh().updates[0].problem is None


def test_should_stop_ends_the_pass_between_requests(simulator, store, refresher):
    watch(store, simulator.world.ids("open")[:10])
    report = refresher.refresh(should_stop=lambda: len(simulator.request_log) >= 2)
    assert report.cancelled and report.requests == 2
    assert refresher.next_due_at() <= refresher.clock()  # the rest is still due


def test_progress_is_reported_per_petition(simulator, store, refresher):
    watch(store, simulator.world.ids("open")[:4])
    seen = []
    refresher.refresh(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


# -- pin ---------------------------------------------------------------------------------------


def test_pin_fetches_then_pins(simulator, store, refresher):
    petition_id = simulator.world.ids("open")[3]
    update = refresher.pin(petition_id)
    assert store.is_pinned(petition_id) and update.problem is None
    assert update.petition.id == petition_id and store.petition(petition_id).without_breakdowns() == update.petition
    assert store.latest_sample(petition_id)[1] == update.signature_count


@pytest.mark.parametrize("kind, problem", [("removed", "gone"), ("dormant", "not_found")])
def test_pin_refuses_what_cannot_be_watched(simulator, store, refresher, kind, problem):
    petition_id = simulator.world.ids(kind)[0]
    update = refresher.pin(petition_id)
    assert update.problem == problem and update.message
    assert not store.is_pinned(petition_id)


def test_pin_refuses_an_unknown_petition(store, refresher):
    update = refresher.pin(699_999_999)
    assert update.problem == "not_found" and not store.is_pinned(699_999_999)


def test_pin_while_offline_pins_for_later(store, clock):
    with PetitionsClient("http://127.0.0.1:9", retries=0, min_interval=0.0, timeout=2.0) as offline:
        update = Refresher(offline, store, clock=clock).pin(700_001)
    assert update.problem == "offline" and store.is_pinned(700_001)
    assert store.fetch_state(700_001).problem == "offline"


def test_pin_of_an_archived_reference_asks_the_archive_directly(simulator, store, refresher):
    petition_id = simulator.world.ids("archived")[1]
    update = refresher.pin(petition_id, archived=True)
    assert paths_since(simulator, 0) == [f"/archived/petitions/{petition_id}.json"]
    assert update.petition.archived and store.fetch_state(petition_id).archived


def test_one_dropped_connection_among_answers_is_not_offline(simulator, store, client, clock):
    watch(store, simulator.world.ids("open")[:3])
    strict = Refresher(client, store, clock=clock)
    client.retries = 0
    simulator.faults.force("drop")
    report = strict.refresh()
    problems = [update.problem for update in report.updates]
    assert problems.count("offline") == 1 and problems.count(None) == 2
    assert not report.offline


def test_each_petition_is_written_whole_or_not_at_all(simulator, store, refresher, data_dir, monkeypatch):
    ids = simulator.world.ids("open")[:3]
    watch(store, ids)
    real_snapshot, calls = store.add_constituency_snapshot, []

    def failing_snapshot(*args):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("killed mid-write")
        return real_snapshot(*args)

    monkeypatch.setattr(store, "add_constituency_snapshot", failing_snapshot)
    with pytest.raises(RuntimeError):
        refresher.refresh()
    with Store.open(data_dir / "petitiondesk.sqlite3") as other:  # what another connection sees
        done = [pid for pid in ids if other.petition(pid) is not None]
        sampled = [pid for pid in ids if other.latest_sample(pid) is not None]
    assert len(calls) == 3
    assert done == sampled == ids[:2]  # the third petition's document and sample were rolled back


def test_the_sites_max_age_is_a_floor_under_a_short_interval(store, clock):
    from petitiondesk.simulator import SimulatorServer

    with SimulatorServer(port=0, speed=1.0, seed=5) as real_time, \
            PetitionsClient(real_time.url, min_interval=0.0) as client:
        petition_id = real_time.world.ids("open")[0]
        eager = Refresher(client, store, clock=clock, count_interval=5.0)
        watch(store, [petition_id])
        max_age = client.count(petition_id).max_age
        assert max_age == 60
        for _ in range(2):
            assert eager.refresh().requests == 1
            clock.advance(max_age - 2)
            assert eager.refresh().requests == 0
            clock.advance(3)


def test_quitting_during_retries_stops_at_once_and_blames_no_petition(simulator, store, refresher, waits):
    petition_id = simulator.world.ids("open")[0]
    watch(store, [petition_id])
    simulator.faults.force("drop", times=10)
    stopping = []
    refresher.client._sleep = lambda seconds: stopping.append(seconds)  # quit pressed during the wait
    report = refresher.refresh(should_stop=lambda: bool(stopping))
    assert report.cancelled and report.requests == 1
    assert store.fetch_state(petition_id).problem is None


@pytest.mark.parametrize(("status", "problem", "words"),
                         [("503", "unavailable", "503"), ("429", "rate_limited", "429")])
def test_pin_during_a_pause_names_what_paused_the_site(simulator, store, refresher, status, problem, words):
    watch(store, simulator.world.ids("open")[:1])
    simulator.faults.force(status, retry_after=300)
    refresher.refresh()
    later = simulator.world.ids("open")[5]
    restarted = Refresher(refresher.client, store, clock=refresher.clock)  # the pause is remembered
    update = restarted.pin(later)
    assert store.is_pinned(later)
    assert update.problem == problem and words in update.message
    assert store.fetch_state(later).problem == problem


@pytest.mark.parametrize("field, value", [("signature_count", 10**19), ("id", 10**19)])
def test_an_absurd_number_from_the_network_is_a_bad_response_not_a_crash(store, clock, field, value):
    import httpx

    item = {"type": "petition", "id": 700_001,
            "attributes": {"action": "Absurd", "state": "open", "signature_count": 5}}
    if field == "id":
        item["id"] = value
    else:
        item["attributes"][field] = value
    listing = {"links": {}, "data": [item]}
    site = httpx.MockTransport(lambda request: httpx.Response(
        200, json=listing if request.url.path == "/petitions.json" else {"data": item}))
    with PetitionsClient("http://127.0.0.1:9", transport=site, min_interval=0.0, retries=0) as mocked:
        update = Refresher(mocked, store, clock=clock).pin(700_001)
        page = mocked.list_page()
    assert update.problem == "bad_response" and not store.is_pinned(700_001)
    assert page.ok and page.value.items == ()  # a browse list never offers it to be pinned


def test_an_archived_link_to_a_petition_still_live_is_polled_as_live(store, clock, samples_dir):
    import httpx

    live = (samples_dir / "composed-petition-open-752318.json").read_bytes()

    def site(request):
        if request.url.path.startswith("/archived/"):  # §6: not archived yet, back to the live URL
            return httpx.Response(302, headers={"location": "/petitions/752318"})
        return httpx.Response(200, content=live, headers={"content-type": "application/json"})

    with PetitionsClient("http://127.0.0.1:9", transport=httpx.MockTransport(site), min_interval=0.0) as mocked:
        update = Refresher(mocked, store, clock=clock).pin(752318, archived=True)
    assert update.problem is None and store.is_pinned(752318)
    assert not store.fetch_state(752318).archived  # so its count is polled, not checked daily


def test_pinning_many_in_a_row_stays_about_one_request_a_second(simulator, store, clock):
    interval, ids = 0.3, simulator.world.ids("open")[:4]
    with PetitionsClient(simulator.url, min_interval=interval, timeout=2.0) as polite:
        refresher = Refresher(polite, store, clock=clock)
        began = time.monotonic()
        refresher.pin(ids[0])
        first = time.monotonic() - began
        for petition_id in ids[1:]:
            refresher.pin(petition_id)
        took = time.monotonic() - began
    assert all(store.is_pinned(pid) for pid in ids)
    # The first answer comes at once; the rest of a bulk add is spaced like any bulk work (§11).
    assert first < interval
    assert took >= 3 * interval * 0.9
