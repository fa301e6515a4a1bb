"""The local store: what a user would notice if it went wrong (lost order, lost history, a damaged
file, a stranger's file overwritten)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from petitiondesk.core.store import APPLICATION_ID, FetchState, Store, StoreError, WatchEntry
from petitiondesk.paths import database_path

PETITION_FILES = {
    752318: "composed-petition-open-752318.json",
    701284: "composed-petition-closed-debated-701284.json",
}


@pytest.fixture
def db_path(data_dir) -> Path:
    return database_path(data_dir)


@pytest.fixture
def store(db_path):
    with Store.open(db_path) as opened:
        yield opened


def step_value(times: np.ndarray, counts: np.ndarray, t: float) -> int:
    """The count in force at `t` according to the stored samples."""
    index = np.searchsorted(times, t, side="right") - 1
    assert index >= 0, f"no sample at or before {t}"
    return int(counts[index])


# ----------------------------------------------------------------------------------- opening


def test_open_creates_folder_and_file_with_our_identity(tmp_path):
    path = tmp_path / "new" / "deeper" / "petitiondesk.sqlite3"
    with Store.open(path):
        pass
    assert path.is_file()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert raw.execute("PRAGMA user_version").fetchone()[0] == Store.SCHEMA_VERSION
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_empty_file_is_migrated_from_version_zero(db_path):
    db_path.write_bytes(b"")
    with Store.open(db_path) as store:
        assert store.pin(1)
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == Store.SCHEMA_VERSION
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"watchlist", "documents", "fetch_state", "samples", "constituency_snapshots", "settings"} <= tables


def test_reopening_keeps_data_and_does_not_migrate_again(db_path):
    with Store.open(db_path) as store:
        store.pin(3)
    with Store.open(db_path) as store:
        assert [entry.petition_id for entry in store.watchlist()] == [3]


def _text_file(path: Path) -> None:
    path.write_text("my shopping list\neggs\nmilk\n" * 20)


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE songs (title TEXT)")
        raw.execute("INSERT INTO songs VALUES ('la')")
    raw.close()


def _other_application_id(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA application_id = 1234")
        raw.execute("CREATE TABLE songs (title TEXT)")
    raw.close()


def _newer_schema(path: Path) -> None:
    with Store.open(path) as store:
        store.pin(1)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {Store.SCHEMA_VERSION + 1}")
    raw.close()


def _truncated_mid_page(path: Path) -> None:
    _filled_store(path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate(size // 2 + 100)


def _truncated_on_page_boundary(path: Path) -> None:
    _filled_store(path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate((size // 4096 // 2) * 4096)


def _filled_store(path: Path) -> None:
    with Store.open(path) as store, store.transaction():
        for petition_id in range(50):
            store.pin(petition_id)
            for minute in range(200):
                store.add_sample(petition_id, 1_700_000_000 + 60 * minute, minute * petition_id)


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (_text_file, "not an SQLite file"),
        (_random_bytes, "not an SQLite file"),
        (_foreign_sqlite, "another application"),
        (_other_application_id, "another application"),
        (_newer_schema, f"made by a newer PetitionDesk (schema {Store.SCHEMA_VERSION + 1}; "
                        f"this one reads up to {Store.SCHEMA_VERSION})"),
        (_truncated_mid_page, "damaged"),
        (_truncated_on_page_boundary, "damaged"),
    ],
)
@pytest.mark.parametrize("readonly", [False, True])
def test_refuses_files_it_cannot_trust_and_leaves_them_untouched(db_path, make_file, expected, readonly):
    make_file(db_path)
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        Store.open(db_path, readonly=readonly)
    assert db_path.read_bytes() == before


def test_a_folder_that_cannot_be_created_is_a_store_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="a-file is a file, not a folder"):
        Store.open(blocker / "data" / "petitiondesk.sqlite3")


def test_readonly_needs_an_existing_database_and_refuses_writes(db_path):
    with pytest.raises(StoreError, match="no PetitionDesk database"):
        Store.open(db_path, readonly=True)
    assert not db_path.exists()
    with Store.open(db_path) as store:
        store.pin(1)
    with Store.open(db_path, readonly=True) as reader:
        assert reader.is_pinned(1)
        with pytest.raises(StoreError, match="read-only"):
            reader.pin(2)
        assert not reader.is_pinned(2)


def test_a_full_disk_is_a_store_error_and_loses_nothing_committed(store):
    store.pin(1)
    store.add_sample(1, 1_000, 5)
    # Cap the file at its current size: the next growth fails exactly like a full disk.
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        store.save_document(2, random.Random(1).randbytes(200_000), 1.0)
    assert store.latest_sample(1) == (1000.0, 5)
    assert store.is_pinned(1)


# ---------------------------------------------------------------------------------- watchlist


def test_watchlist_order_persists_across_reopen(db_path):
    with Store.open(db_path) as store:
        for petition_id, pinned_at in [(30, 1.0), (10, 2.0), (20, 3.0)]:
            assert store.pin(petition_id, pinned_at)
    with Store.open(db_path) as store:
        assert store.watchlist() == [WatchEntry(30, 0, 1.0), WatchEntry(10, 1, 2.0), WatchEntry(20, 2, 3.0)]


def test_pinning_twice_keeps_one_entry_and_its_first_time(store):
    assert store.pin(5, 100.0)
    assert not store.pin(5, 200.0)
    assert store.watchlist() == [WatchEntry(5, 0, 100.0)]
    assert store.is_pinned(5)


def test_pin_without_a_time_uses_now(store):
    before = time.time()
    store.pin(5)
    assert before <= store.watchlist()[0].pinned_at <= time.time()


def test_unpin_closes_the_gap(store):
    for petition_id in (1, 2, 3, 4):
        store.pin(petition_id)
    assert store.unpin(2)
    assert not store.unpin(2)
    assert [(e.petition_id, e.position) for e in store.watchlist()] == [(1, 0), (3, 1), (4, 2)]
    assert not store.is_pinned(2)


@pytest.mark.parametrize(
    ("petition_id", "new_position", "expected"),
    [
        (1, 3, [2, 3, 4, 1]),
        (4, 0, [4, 1, 2, 3]),
        (2, 2, [1, 3, 2, 4]),
        (3, 1, [1, 3, 2, 4]),
        (2, 1, [1, 2, 3, 4]),
        (1, 99, [2, 3, 4, 1]),
        (4, -5, [4, 1, 2, 3]),
    ],
)
def test_move_reorders_and_keeps_positions_dense(store, petition_id, new_position, expected):
    for pinned in (1, 2, 3, 4):
        store.pin(pinned)
    store.move(petition_id, new_position)
    entries = store.watchlist()
    assert [e.petition_id for e in entries] == expected
    assert [e.position for e in entries] == [0, 1, 2, 3]


def test_moving_a_petition_that_is_not_pinned_is_an_error(store):
    store.pin(1)
    with pytest.raises(KeyError):
        store.move(2, 0)
    assert [e.petition_id for e in store.watchlist()] == [1]


# ---------------------------------------------------------------------------------- documents


def test_documents_round_trip_through_the_parser(db_path, samples_dir):
    from petitiondesk.core.parse import parse_petition_document

    with Store.open(db_path) as store:
        for petition_id, name in PETITION_FILES.items():
            store.save_document(petition_id, (samples_dir / name).read_bytes(), 1_700_000_000.0)
    with Store.open(db_path) as store:
        for petition_id, name in PETITION_FILES.items():
            expected = parse_petition_document((samples_dir / name).read_bytes())
            assert store.petition(petition_id) == expected
        assert store.petitions([701284, 752318, 1]) == {
            petition_id: parse_petition_document((samples_dir / name).read_bytes())
            for petition_id, name in PETITION_FILES.items()
        }
        assert store.petition(1) is None


def test_summaries_leave_out_the_breakdowns_that_the_full_document_keeps(store, samples_dir):
    raw = (samples_dir / PETITION_FILES[752318]).read_bytes()
    store.save_document(752318, raw, 1.0)
    full = store.petition(752318)
    assert full.signatures_by_constituency  # nothing is lost for the detail pane and the exports
    summary = store.summaries([752318])[752318]
    assert summary == full.without_breakdowns() and summary.signature_count == full.signature_count
    assert summary.signatures_by_constituency is summary.signatures_by_region is None
    assert store.summaries([752318])[752318] is summary  # kept between calls, not parsed again
    changed = raw.replace(b'"signature_count": ', b'"signature_count": 1', 1)
    store.save_document(752318, changed, 2.0)
    assert store.summaries([752318])[752318].signature_count == int("1" + str(full.signature_count))


def test_a_document_saved_with_its_parse_is_summarised_without_parsing_again(store, samples_dir, monkeypatch):
    from petitiondesk.core import store as store_module
    from petitiondesk.core.parse import parse_petition_document

    raw = (samples_dir / PETITION_FILES[701284]).read_bytes()
    parsed = parse_petition_document(raw)
    store.save_document(701284, raw, 1.0, parsed=parsed)
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_parse_stored", lambda *args, **kwargs: None)
        assert store.summaries([701284])[701284] == parsed.without_breakdowns()
    assert store.petition(701284) == parsed


def test_a_newer_document_replaces_the_older_one(store, samples_dir):
    raw = (samples_dir / PETITION_FILES[752318]).read_bytes()
    store.save_document(752318, raw, 1.0)
    first = store.petition(752318)
    changed = raw.replace(b'"signature_count": ', b'"signature_count": 1', 1)
    assert changed != raw
    store.save_document(752318, changed, 2.0)
    second = store.petition(752318)
    assert second.signature_count != first.signature_count
    assert str(second.signature_count) == "1" + str(first.signature_count)


def test_documents_are_stored_compressed(store, samples_dir):
    raw = (samples_dir / PETITION_FILES[701284]).read_bytes()
    store.save_document(701284, raw, 1.0)
    stored = store._db.execute("SELECT length(raw) FROM documents WHERE petition_id = 701284").fetchone()[0]
    assert stored < len(raw) / 2


def test_a_stored_document_that_no_longer_parses_reads_as_none(store, samples_dir):
    store.save_document(5, b"<html>Service unavailable</html>", 1.0)
    store.save_document(752318, (samples_dir / PETITION_FILES[752318]).read_bytes(), 1.0)
    assert store.petition(5) is None
    assert set(store.petitions([5, 752318])) == {752318}


def test_a_second_connection_sees_a_replaced_document(db_path, samples_dir):
    raw = (samples_dir / PETITION_FILES[752318]).read_bytes()
    with Store.open(db_path) as writer, Store.open(db_path) as reader:
        writer.save_document(752318, raw, 1.0)
        assert reader.petition(752318).signature_count > 0
        writer.save_document(752318, b"garbage", 2.0)
        assert reader.petition(752318) is None


# -------------------------------------------------------------------------------- fetch state


def test_fetch_state_defaults_then_round_trips(db_path):
    with Store.open(db_path) as store:
        assert store.fetch_state(42) == FetchState(42)
        state = FetchState(
            petition_id=42,
            last_modified="Sat, 28 Nov 2026 18:00:00 GMT",
            etag='W/"abc"',
            fetched_at=1_700_000_000.5,
            checked_at=1_700_000_060.25,
            next_check_at=1_700_000_120.0,
            next_full_at=1_700_003_600.0,
            failures=3,
            problem="rate_limited",
            problem_detail="429 Too Many Requests; retry after 60 s",
            archived=True,
            milestones="2026-01-01T00:00:00Z|None|True",
        )
        store.save_fetch_state(state)
    with Store.open(db_path) as store:
        assert store.fetch_state(42) == state
        assert store.fetch_state(43) == FetchState(43)


def test_fetch_state_refuses_an_unknown_problem(store):
    with pytest.raises(ValueError, match="unknown fetch problem"):
        store.save_fetch_state(FetchState(1, problem="exploded"))
    assert store.fetch_state(1) == FetchState(1)


# ------------------------------------------------------------------------------------ samples


def test_a_plateau_is_kept_as_its_two_ends(store):
    for minute in range(100):
        assert store.add_sample(7, 1_000 + 60 * minute, 500)
    times, counts = store.samples(7)
    assert times.tolist() == [1_000.0, 1_000.0 + 60 * 99]
    assert counts.tolist() == [500, 500]
    assert store.sample_total() == 2


def test_no_change_is_ever_lost_and_decreases_are_kept(store):
    rng = random.Random(11)
    observed = []
    count = 1_000
    for second in range(0, 3 * 86400, 60):
        if rng.random() < 0.3:
            count += rng.choice([-2, -1, 1, 1, 3, 8])
        observed.append((second, count))
        store.add_sample(9, second, count)
    times, counts = store.samples(9)
    assert store.sample_total() < len(observed) * 0.75
    for second, expected in observed:
        assert step_value(times, counts, second) == expected
    assert np.any(np.diff(counts) < 0), "a decrease should be visible in the stored series"


def test_samples_keep_whole_seconds_and_refuse_going_back_in_time(store):
    assert store.add_sample(1, 100.9, 10)
    assert not store.add_sample(1, 100.2, 11)
    assert not store.add_sample(1, 50, 12)
    assert store.latest_sample(1) == (100.0, 10)
    assert store.add_sample(1, 101, 12)
    assert store.latest_sample(1) == (101.0, 12)


def test_samples_since_start_with_the_count_in_force(store):
    for t, count in [(100, 1), (200, 2), (300, 3), (400, 4)]:
        store.add_sample(1, t, count)
    store.add_sample(2, 250, 99)
    times, counts = store.samples(1, since=250)
    assert times.tolist() == [200.0, 300.0, 400.0]
    assert counts.tolist() == [2, 3, 4]
    assert store.samples(1, since=300)[0].tolist() == [300.0, 400.0]
    assert store.samples(1, since=50)[0].tolist() == [100.0, 200.0, 300.0, 400.0]
    assert store.samples(1, since=1_000)[1].tolist() == [4]


def test_samples_of_an_unknown_petition_are_empty_arrays(store):
    times, counts = store.samples(404)
    assert times.dtype == np.float64 and counts.dtype == np.int64
    assert len(times) == len(counts) == 0
    assert store.latest_sample(404) is None


# ---------------------------------------------------------------------- constituency snapshots


def test_constituency_snapshots_at_most_hourly(store):
    assert store.add_constituency_snapshot(1, 10_000, {"E14001063": 5, "W07000081": 2})
    assert not store.add_constituency_snapshot(1, 10_000 + 3599, {"E14001063": 6})
    assert store.add_constituency_snapshot(2, 10_000 + 60, {"S14000021": 1})
    assert store.add_constituency_snapshot(1, 10_000 + 3600, {"E14001063": 7, "W07000081": 2})
    assert store.constituency_counts_at(1, 10_000 + 3599) == (10_000.0, {"E14001063": 5, "W07000081": 2})
    assert store.constituency_counts_at(1, 99_999) == (13_600.0, {"E14001063": 7, "W07000081": 2})
    assert store.constituency_counts_at(1, 9_999) is None
    assert store.constituency_counts_at(2, 99_999) == (10_060.0, {"S14000021": 1})


def test_constituency_snapshots_thin_out_to_daily_after_two_days(store):
    start = 1_700_006_400  # a UTC midnight
    assert start % 86400 == 0
    days = 30
    for hour in range(days * 24):
        assert store.add_constituency_snapshot(1, start + 3600 * hour, {"E14001063": hour})
    now = start + 3600 * (days * 24 - 1)
    kept = [t for (t,) in store._db.execute("SELECT t FROM constituency_snapshots ORDER BY t")]
    recent = [t for t in kept if t >= now - 48 * 3600]
    older = [t for t in kept if t < now - 48 * 3600]
    assert len(recent) == 49
    assert len({t // 86400 for t in older}) == len(older), "one snapshot per older day"
    assert len(older) == days - 2
    # The kept snapshot of an old day is its last hour, so the count read for that day is its final one.
    assert store.constituency_counts_at(1, start + 86400 + 43200) == (start + 86400 - 3600.0, {"E14001063": 23})


# ----------------------------------------------------------------------------------- settings


def test_settings_round_trip_json_values(db_path):
    with Store.open(db_path) as store:
        assert store.setting("refresh_minutes", 5) == 5
        store.set_setting("refresh_minutes", 2)
        store.set_setting("columns", {"visible": ["count", "state"], "widths": [120, 80]})
        store.set_setting("refresh_minutes", 3)
    with Store.open(db_path) as store:
        assert store.setting("refresh_minutes", 5) == 3
        assert store.setting("columns") == {"visible": ["count", "state"], "widths": [120, 80]}
        assert store.setting("missing") is None


# ------------------------------------------------------------------------------- transactions


def test_a_failed_transaction_keeps_none_of_its_writes(store):
    store.pin(1)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.pin(2)
            with store.transaction():
                store.add_sample(2, 100, 1)
            raise RuntimeError("refresh pass failed half-way")
    assert [e.petition_id for e in store.watchlist()] == [1]
    assert store.latest_sample(2) is None
    store.pin(3)  # the store is usable afterwards
    assert store.is_pinned(3)


def test_a_reader_sees_nothing_until_the_writer_commits(db_path):
    with Store.open(db_path) as writer, Store.open(db_path) as reader:
        with writer.transaction():
            writer.add_sample(1, 100, 10)
            writer.add_sample(1, 200, 20)
            assert reader.latest_sample(1) is None
        assert reader.latest_sample(1) == (200.0, 20)


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from petitiondesk.core.store import Store

    store = Store.open(Path(sys.argv[1]))
    step = 0
    while True:
        with store.transaction():
            for petition_id in range(1, 6):
                store.add_sample(petition_id, 1_000_000 + step, step // 3 * petition_id)
        print(step, flush=True)
        step += 1
    """
)


@pytest.mark.parametrize("attempt", range(3))
def test_committed_samples_survive_a_killed_process(db_path, attempt):
    delay = random.uniform(0.3, 1.2)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = child.stdout.readline()
        assert first.strip() == "0", child.stderr.read()
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        reported = [0] + [int(line) for line in child.stdout.read().split()]
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    last = reported[-1]
    assert last > 5, "the child should have committed a few transactions before the kill"

    with Store.open(db_path) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for petition_id in range(1, 6):
            times, counts = store.samples(petition_id)
            assert times[-1] >= 1_000_000 + last, f"killed after {delay:.2f} s"
            for step in range(last + 1):
                assert step_value(times, counts, 1_000_000 + step) == step // 3 * petition_id


# ------------------------------------------------------------------------------ rough callers


def test_numpy_ids_and_values_are_accepted(store):
    petition_id = np.int64(12)
    assert store.pin(petition_id)
    assert store.add_sample(petition_id, np.float64(100.0), np.int64(5))
    assert store.add_constituency_snapshot(petition_id, np.int64(100), {"E14001063": np.int64(3)})
    store.save_fetch_state(FetchState(petition_id, failures=1))
    assert store.is_pinned(12)
    assert store.latest_sample(12) == (100.0, 5)
    assert store.constituency_counts_at(12, 100) == (100.0, {"E14001063": 3})
    assert store.fetch_state(12).failures == 1


def test_readonly_on_an_empty_file_says_so(db_path):
    db_path.write_bytes(b"")
    with pytest.raises(StoreError, match="the file is empty"):
        Store.open(db_path, readonly=True)
    assert db_path.read_bytes() == b""


def test_damage_inside_the_file_is_a_store_error_not_a_crash(db_path):
    _filled_store(db_path)
    with db_path.open("r+b") as file:
        file.seek(4096 * 3)
        file.write(random.Random(5).randbytes(4096 * 4))
    with pytest.raises(StoreError, match="damaged"):
        with Store.open(db_path) as store:
            for petition_id in range(50):
                store.samples(petition_id)


def test_a_writer_waits_for_another_threads_transaction(db_path):
    import threading

    started = threading.Event()

    def hold_a_transaction():
        with Store.open(db_path) as worker, worker.transaction():
            worker.add_sample(1, 100, 10)
            started.set()
            time.sleep(0.3)
            worker.add_sample(1, 200, 20)

    with Store.open(db_path) as gui:
        thread = threading.Thread(target=hold_a_transaction)
        thread.start()
        try:
            assert started.wait(5)
            assert gui.pin(1)  # blocks until the worker commits, then succeeds
            assert gui.latest_sample(1) == (200.0, 20)
        finally:
            thread.join()


def test_opening_does_not_wait_for_a_busy_writer(db_path):
    with Store.open(db_path) as worker, worker.transaction():
        worker.add_sample(1, 100, 10)
        started = time.perf_counter()
        with Store.open(db_path) as gui:
            assert gui.latest_sample(1) is None
        assert time.perf_counter() - started < 2, "opening waited for the writer's lock"
