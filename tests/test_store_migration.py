"""Upgrading a user's data: a database written by release 0.1.0 opens in this release with every
sample, pin, document and snapshot, after a backup that is the old file byte for byte."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from petitiondesk.core.store import Store, StoreError

FIXTURES = Path(__file__).parent / "data" / "db"
V1 = FIXTURES / "petitiondesk-v1.sqlite"
MANIFEST = json.loads((FIXTURES / "petitiondesk-v1.json").read_text())


def samples_digest(times, counts) -> str:
    """The same fingerprint as tests/data/db/make_fixture.py writes in the manifest."""
    text = ",".join(f"{int(t)}:{int(c)}" for t, c in zip(times, counts, strict=True))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def old_database(data_dir) -> Path:
    """A copy of the 0.1.0 file: the committed fixture itself is never opened by a test."""
    copy = data_dir / "petitiondesk.sqlite3"
    shutil.copyfile(V1, copy)
    return copy


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bak-*"))


def test_the_fixture_is_a_release_0_1_0_file_at_schema_1():
    assert MANIFEST["schema"] == 1
    assert Store.SCHEMA_VERSION > 1, "nothing to migrate: the test below would prove nothing"
    with sqlite3.connect(f"{V1.resolve().as_uri()}?mode=ro&immutable=1", uri=True) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    raw.close()


def test_an_old_database_is_upgraded_and_keeps_every_sample_pin_and_document(old_database):
    with Store.open(old_database) as store:
        assert [entry.petition_id for entry in store.watchlist()] == MANIFEST["watchlist"]
        for petition_id, expected in MANIFEST["samples"].items():
            times, counts = store.samples(int(petition_id))
            assert len(times) == expected["rows"], petition_id
            assert [int(times[-1]), int(counts[-1])] == expected["last"]
            assert samples_digest(times, counts) == expected["sha256"], f"samples of {petition_id} changed"
        documents = store.petitions(int(pid) for pid in MANIFEST["documents"])
        assert {str(pid): {"action": doc.action, "signature_count": doc.signature_count}
                for pid, doc in documents.items()} == MANIFEST["documents"]
        for petition_id in MANIFEST["snapshots"]:
            assert store.constituency_counts_at(int(petition_id), 2**40) is not None, petition_id
        assert store.setting("petition_settings") == MANIFEST["settings"]["petition_settings"]
        assert store.fetch_state(MANIFEST["watchlist"][0]).archived  # the archived one, moved first
    with sqlite3.connect(old_database) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == Store.SCHEMA_VERSION
        snapshots = dict(raw.execute("SELECT petition_id, count(*) FROM constituency_snapshots GROUP BY 1"))
    raw.close()
    assert {str(pid): rows for pid, rows in snapshots.items()} == MANIFEST["snapshots"]


def test_before_upgrading_a_backup_identical_to_the_old_file_is_written_beside_it_and_named(old_database):
    original = old_database.read_bytes()
    with Store.open(old_database) as store:
        [backup] = backups_of(old_database)
        assert store.backup == backup
        assert backup.name.startswith("petitiondesk.sqlite3.bak-v1-")
        assert any(str(backup) in notice for notice in store.notices)
    assert backup.read_bytes() == original
    with sqlite3.connect(old_database) as raw:
        history = raw.execute("SELECT version, release, backup FROM schema_history").fetchall()
    raw.close()
    # every step of the upgrade is recorded, each naming the one copy made before it began
    assert [(version, path) for version, _release, path in history] == [
        (version, str(backup)) for version in range(2, Store.SCHEMA_VERSION + 1)]


def test_an_upgraded_database_is_not_upgraded_or_backed_up_again(old_database):
    Store.open(old_database).close()
    with Store.open(old_database) as store:
        assert store.backup is None and store.notices == []
    assert len(backups_of(old_database)) == 1


def test_a_new_database_needs_no_backup(data_dir):
    with Store.open(data_dir / "petitiondesk.sqlite3") as store:
        assert store.backup is None and store.notices == []
    assert backups_of(data_dir / "petitiondesk.sqlite3") == []


def test_an_old_database_cannot_be_read_only_before_it_is_upgraded(old_database):
    before = old_database.read_bytes()
    with pytest.raises(StoreError, match="older schema"):
        Store.open(old_database, readonly=True)
    assert old_database.read_bytes() == before


def test_a_failed_upgrade_step_changes_nothing_and_keeps_the_backup(old_database, monkeypatch):
    from petitiondesk.core import store as store_module

    def broken_step(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS[:1], broken_step))
    before = old_database.read_bytes()
    with pytest.raises(StoreError, match="disk I/O error"):
        Store.open(old_database)
    with sqlite3.connect(old_database) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    raw.close()
    [backup] = backups_of(old_database)
    assert backup.read_bytes() == before


def test_a_database_from_a_newer_release_is_refused_and_left_untouched(old_database):
    with sqlite3.connect(old_database) as raw:
        raw.execute(f"PRAGMA user_version = {Store.SCHEMA_VERSION + 1}")
    raw.close()
    before = old_database.read_bytes()
    with pytest.raises(StoreError, match="newer PetitionDesk .* Update PetitionDesk to open it"):
        Store.open(old_database)
    assert old_database.read_bytes() == before
    assert backups_of(old_database) == []


def test_with_commits_still_in_the_wal_the_backup_holds_them(old_database):
    """A reader holding an old snapshot keeps the WAL from being folded in: the backup API copies it."""
    writer = sqlite3.connect(old_database, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("INSERT INTO samples (petition_id, t, count) VALUES (700047, 1900000000, 99999)")
    reader = sqlite3.connect(old_database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM samples").fetchone()  # holds its snapshot: no full checkpoint
    writer.execute("INSERT INTO samples (petition_id, t, count) VALUES (700047, 1900000060, 100000)")
    try:
        with Store.open(old_database) as store:
            backup = store.backup
            assert store.latest_sample(700047) == (1900000060.0, 100000)
    finally:
        reader.close()
        writer.close()
    assert backup is not None
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT max(count) FROM samples WHERE petition_id = 700047").fetchone()[0] == 100000
    copy.close()
