"""Whole-site history against the simulator: every open petition recorded from one request, on
its own interval; forgetting what was never pinned; backups that are whole databases."""

from __future__ import annotations

import sqlite3

import pytest

from petitiondesk.core import store as store_module
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.site_history import SiteHistoryOptions
from petitiondesk.core.store import Store, StoreError
from schema_steps import leave_as_of

DAY = 86400.0
CSV_PATH = "/petitions.csv"


@pytest.fixture
def store(data_dir):
    with Store.open(data_dir / "petitiondesk.sqlite3") as opened:
        yield opened


@pytest.fixture
def client(still_site):
    with PetitionsClient(still_site.url, min_interval=0.0, timeout=5.0) as made:
        yield made


def make_refresher(client, store, clock, **options) -> Refresher:
    return Refresher(client, store, clock=clock, site_history=SiteHistoryOptions(**options))


def paths_since(site, mark: int) -> list[str]:
    return [path.split("?")[0] for _, path, _ in site.request_log[mark:]]


def test_one_pass_records_every_open_petition_with_one_request(still_site, client, store, clock):
    open_ids = still_site.world.ids("open")
    assert len(open_ids) > 50
    report = make_refresher(client, store, clock).refresh()
    assert paths_since(still_site, 0) == [CSV_PATH] and report.requests == 1
    assert report.site is not None and report.site.listed == report.site.recorded == len(open_ids)
    for pid in open_ids:
        times, counts = store.samples(pid)
        assert times.tolist() == [int(clock.now)]
        assert counts.tolist() == [still_site.world.count(pid)]


def test_a_petition_pinned_later_already_has_its_curve(still_site, client, store, clock):
    pid = still_site.world.ids("open")[0]
    refresher = make_refresher(client, store, clock)
    still_site.world.set_count(pid, 1200)
    refresher.refresh()
    first_seen = clock.now
    clock.advance(600)
    still_site.world.set_count(pid, 1500)
    refresher.refresh()
    clock.advance(3600)
    refresher.pin(pid)
    times, counts = store.samples(pid)
    assert times[0] == int(first_seen) and counts.tolist()[:2] == [1200, 1500]
    assert store.samples(pid, since=clock.now - 1)[1][-1] == 1500


def test_the_interval_is_honoured_and_plateaus_cost_nothing(still_site, client, store, clock):
    pid = still_site.world.ids("open")[0]
    still_site.world.set_count(pid, 777)
    refresher = make_refresher(client, store, clock, interval=600)
    refresher.refresh()
    assert refresher.next_due_at() == pytest.approx(clock.now + 600, abs=1)
    mark = len(still_site.request_log)
    clock.advance(599)
    assert refresher.refresh().site is None and paths_since(still_site, mark) == []
    for _ in range(5):
        clock.advance(601)
        report = refresher.refresh()
        assert report.requests == 1 and report.site is not None
    assert paths_since(still_site, mark) == [CSV_PATH] * 5
    times, counts = store.samples(pid)
    assert counts.tolist() == [777, 777] and times[-1] == int(clock.now)  # a plateau is its two ends


def test_the_off_switch_asks_for_nothing(still_site, client, store, clock):
    refresher = make_refresher(client, store, clock, enabled=False)
    report = refresher.refresh()
    assert report.requests == 0 and paths_since(still_site, 0) == [] and store.sample_total() == 0
    assert report.next_due_at == pytest.approx(clock.now + refresher.count_interval, abs=1)
    refresher.site_history = SiteHistoryOptions(enabled=True)  # switched on from Preferences
    assert refresher.refresh().site is not None and store.sample_total() > 0


def test_pinned_petitions_keep_their_own_polling_and_share_the_one_listing(simulator, store, clock):
    # A running site (its documents' max-age lets counts be polled every 2 minutes).
    still_site = simulator
    pinned = simulator.world.ids("open")[:25]  # above the bulk threshold: their counts come from the listing
    for pid in pinned:
        store.pin(pid)
    client = PetitionsClient(simulator.url, min_interval=0.0, timeout=5.0)
    refresher = Refresher(client, store, clock=clock, count_interval=120, max_full_per_pass=100,
                          site_history=SiteHistoryOptions(interval=600))
    refresher.refresh()  # first sight: every pinned document, and the listing
    clock.advance(601)
    mark = len(still_site.request_log)
    report = refresher.refresh()
    assert paths_since(still_site, mark) == [CSV_PATH]  # one request for the watchlist and the site
    assert {update.petition_id for update in report.updates} == set(pinned)
    assert report.site.recorded == report.site.listed - len(pinned)
    assert all(store.samples(pid)[0][-1] == int(clock.now) for pid in pinned)
    clock.advance(121)
    mark = len(still_site.request_log)
    refresher.refresh()  # the watchlist is due again, the site is not: still one listing
    assert paths_since(still_site, mark) == [CSV_PATH]
    client.close()


def test_forgetting_removes_only_old_samples_of_petitions_never_pinned(store):
    now = 2_000_000_000
    never, unpinned, pinned = 1, 2, 3
    for pid in (never, unpinned, pinned):
        for age_days, count in ((40, 10), (35, 20), (5, 30), (1, 40)):
            store.add_sample(pid, now - age_days * DAY, count)
    store.pin(unpinned)
    store.unpin(unpinned)  # pinned once: the user wanted it, so it is kept
    store.pin(pinned)
    removed = store.forget_unpinned_history(now - 30 * DAY)
    assert removed == 2
    assert store.samples(never)[1].tolist() == [30, 40]
    assert store.samples(unpinned)[1].tolist() == [10, 20, 30, 40]
    assert store.samples(pinned)[1].tolist() == [10, 20, 30, 40]


def test_the_recorder_applies_the_forgetting_preference(still_site, client, store, clock):
    old = still_site.world.ids("open")[0]
    store.add_sample(old, clock.now - 10 * DAY, 3)
    store.add_sample(999_999, clock.now - 10 * DAY, 3)  # never pinned, no longer listed
    store.pin(5)
    store.add_sample(5, clock.now - 10 * DAY, 3)
    report = make_refresher(client, store, clock, forget_after_days=7).refresh()
    assert report.site.forgotten == 2
    assert store.samples(old)[0].tolist() == [int(clock.now)]
    assert len(store.samples(999_999)[0]) == 0 and len(store.samples(5)[0]) == 1


def test_usage_counts_the_history(store):
    assert store.history_usage().samples == 0
    for pid in range(1, 201):
        for step in range(10):
            store.add_sample(pid, 1_700_000_000 + step * 600, pid + step)
    store.pin(7)
    usage = store.history_usage()
    assert (usage.samples, usage.petitions, usage.never_pinned) == (2000, 200, 199)
    assert 0 < usage.history_bytes < usage.file_bytes


def test_a_backup_is_a_complete_valid_database_that_opens(store, tmp_path):
    for pid in (11, 12):
        store.pin(pid)
        store.add_sample(pid, 1_700_000_000, 100 + pid)
    store.add_sample(13, 1_700_000_000, 5)
    store.save_document(11, b'{"data": {}}', 1_700_000_000)
    target = tmp_path / "backups" / "copy.sqlite3"
    target.parent.mkdir()
    target.write_bytes(b"an older backup")
    store.back_up_to(target)
    raw = sqlite3.connect(target)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
    raw.close()
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.sqlite3"]  # no temporary left
    with Store.open(target, readonly=True) as copy:
        assert [entry.petition_id for entry in copy.watchlist()] == [11, 12]
        assert copy.sample_total() == 3 and copy.samples(13)[1].tolist() == [5]
        assert copy.history_usage().never_pinned == 1


def test_a_failed_backup_says_why_and_leaves_nothing(store, tmp_path):
    with pytest.raises(StoreError, match="No backup was written"):
        store.back_up_to(tmp_path / "missing" / "copy.sqlite3")
    with pytest.raises(StoreError, match="onto itself"):
        store.back_up_to(store.path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"a file where a folder should be")
    with pytest.raises(StoreError, match="Cannot back up to .*No backup was written"):
        store.back_up_to(blocker / "copy.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "not-a-folder"]


def test_a_database_from_before_whole_site_history_remembers_its_pins(tmp_path):
    path = tmp_path / "old.sqlite3"
    with Store.open(path) as store:
        store.pin(21)
    before = store_module._MIGRATIONS.index(store_module._v5_ever_pinned)  # the schema just before the step
    leave_as_of(path, before)  # as the release before this one left it
    with Store.open(path) as store:
        assert store.backup is not None and store.backup.exists()  # the copy made before upgrading
        store.add_sample(21, 1_000, 1)
        store.add_sample(22, 1_000, 1)
        assert store.forget_unpinned_history(2_000) == 1
        assert store.latest_sample(21) is not None and store.latest_sample(22) is None


def test_a_clock_put_back_does_not_stop_the_recording(still_site, client, store, clock):
    refresher = make_refresher(client, store, clock)
    refresher.refresh()
    clock.advance(-DAY)  # the computer's clock corrected backwards by a day
    assert refresher.refresh().site is not None


def test_a_malformed_listing_records_nothing_and_is_asked_for_again_an_interval_later(store, clock):
    import httpx

    answers = iter([b"<html>Service busy</html>", b"not,a,petitions,csv\n1,2,3,4\n",
                    b'Petition,URL,State,Signatures Count\n"Ban x",https://petition.parliament.uk/petitions/700123,'
                    b'open,42\n'])
    asked = []

    def site(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, content=next(answers), headers={"Content-Type": "text/csv"})

    with PetitionsClient("https://petition.parliament.uk", transport=httpx.MockTransport(site),
                         min_interval=0.0, retries=0) as client:
        refresher = make_refresher(client, store, clock)
        for _ in range(2):
            report = refresher.refresh()
            assert report.site is None and store.sample_total() == 0
            clock.advance(300)
            assert refresher.refresh().requests == 0  # not asked again before the interval
            clock.advance(301)
        report = refresher.refresh()
    assert report.site is not None and store.samples(700123)[1].tolist() == [42]
    assert asked == ["/petitions.csv"] * 3
