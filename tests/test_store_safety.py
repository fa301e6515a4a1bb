"""A damaged file gets no writes and can be repaired into a copy; a read-only folder still shows what
is recorded; other users cannot read a person's watchlist (issue 15: #6, #8, #10)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from petitiondesk.core.store import Store, StoreError, repair

FIXTURE = Path(__file__).parent / "data" / "db" / "petitiondesk-v1.sqlite"


def filled(path: Path, petitions: int = 40, minutes: int = 300) -> None:
    with Store.open(path) as store, store.transaction():
        for petition_id in range(1, petitions + 1):
            store.pin(petition_id)
            for minute in range(minutes):
                store.add_sample(petition_id, 1_700_000_000 + 60 * minute, minute * petition_id)


def damage_a_samples_page(path: Path) -> None:
    """Overwrite one leaf page of the samples table: the file header and the other tables stay sound."""
    with sqlite3.connect(path) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        pages = raw.execute("SELECT pageno FROM dbstat WHERE name = 'samples' AND pagetype = 'leaf'").fetchall()
    raw.close()
    leaf = pages[len(pages) // 2][0]
    with path.open("r+b") as file:
        file.seek((leaf - 1) * page_size)
        file.write(b"\xa5" * page_size)


@pytest.fixture
def db_path(data_dir) -> Path:
    return data_dir / "petitiondesk.sqlite3"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# ------------------------------------------------------------------------- #6 damaged files


def test_a_damaged_file_gets_no_write_and_says_how_to_repair(db_path):
    filled(db_path)
    damage_a_samples_page(db_path)
    before = db_path.read_bytes()
    with Store.open(db_path) as store:
        assert store.is_pinned(3)  # what is still readable can be read
        with pytest.raises(StoreError, match=r"damaged .*nothing was written to it.*petitiondesk repair"):
            store.unpin(3)
    assert db_path.read_bytes() == before


def test_repair_copies_what_can_be_read_into_a_new_file_and_leaves_the_damaged_one_alone(db_path):
    filled(db_path)
    damage_a_samples_page(db_path)
    before = db_path.read_bytes()
    report = repair(db_path)
    assert db_path.read_bytes() == before
    assert report.damaged == db_path and report.repaired.parent == db_path.parent
    assert report.incomplete == ("samples",)
    assert report.rows["watchlist"] == 40
    assert 40 * 300 * 0.8 < report.rows["samples"] < 40 * 300
    assert str(report.repaired) in report.describe()
    with Store.open(report.repaired) as repaired:
        assert [entry.petition_id for entry in repaired.watchlist()] == list(range(1, 41))
        assert repaired.sample_total() == report.rows["samples"]
        assert repaired.pin(99)  # healthy: it takes writes
    assert not list(db_path.parent.glob(".*repair-*")), "the staging copy is cleaned up"


def test_the_repair_command_prints_where_the_copy_is(db_path, capsys):
    from petitiondesk.cli import main

    filled(db_path)
    damage_a_samples_page(db_path)
    assert main(["repair", "--data-dir", str(db_path.parent)]) == 0
    [copy] = db_path.parent.glob("petitiondesk.sqlite3.repaired-*")
    assert f"into {copy}" in capsys.readouterr().out


def test_repair_of_a_sound_old_file_copies_everything(data_dir):
    path = data_dir / "petitiondesk.sqlite3"
    shutil.copyfile(FIXTURE, path)
    report = repair(path)
    assert report.incomplete == ()
    assert report.rows["samples"] == 2285 and report.rows["watchlist"] == 5 and report.rows["documents"] == 5
    assert path.read_bytes() == FIXTURE.read_bytes()


def test_repair_refuses_a_file_that_is_not_a_database(data_dir):
    path = data_dir / "petitiondesk.sqlite3"
    path.write_text("my shopping list\n" * 100)
    with pytest.raises(StoreError, match="not an SQLite file"):
        repair(path)
    assert path.read_text() == "my shopping list\n" * 100


# ---------------------------------------------------------------------- #8 read-only folders

READ_ONLY_SCRIPT = """
set -e
folder="$1" python="$3"
mount -t tmpfs tmpfs "$folder"
cp "$2" "$folder/petitiondesk.sqlite3"
mount -o remount,ro "$folder"
cli() {
    "$python" -c 'import sys; from petitiondesk.cli import main; sys.exit(main(sys.argv[1:]))' "$@" --data-dir "$folder"
}
cli list
cli history 427280 --csv | tail -1
cli remove 427280 || echo "remove exited $?"
"""


def test_a_read_only_data_folder_still_lists_and_shows_history_and_says_writes_are_off(tmp_path):
    """A real read-only file system, mounted in a private user and mount namespace (works as root)."""
    folder = tmp_path / "mnt"
    folder.mkdir()
    upgraded = tmp_path / "current.sqlite3"
    shutil.copyfile(FIXTURE, upgraded)
    Store.open(upgraded).close()
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", READ_ONLY_SCRIPT, "sh", str(folder), str(upgraded), sys.executable],
        capture_output=True, text=True, timeout=120,
    )
    assert "427280" in result.stdout, result.stderr
    assert "End the five-week wait" in result.stdout or "five-week" in result.stdout
    assert "remove exited 1" in result.stdout
    # list, history and remove each say so when they open; the refused unpin says it once more.
    assert result.stderr.count("Writes are off") == 4, result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_dir_that_names_a_file_says_so(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="notes.txt is a file, not a folder"):
        Store.open(blocker / "petitiondesk.sqlite3")
    assert blocker.read_text() == "not a folder"


# ------------------------------------------------------------------------ #10 permissions


def test_a_new_data_folder_and_its_files_are_private(tmp_path):
    folder = tmp_path / "data"
    path = folder / "petitiondesk.sqlite3"
    with Store.open(path) as store:
        store.pin(1)  # the WAL and its index exist while the store is open
        assert mode(folder) == 0o700
        for name in ("petitiondesk.sqlite3", "petitiondesk.sqlite3-wal", "petitiondesk.sqlite3-shm"):
            assert mode(folder / name) == 0o600, name


def test_an_existing_folder_and_files_are_tightened_and_backups_are_private(data_dir):
    path = data_dir / "petitiondesk.sqlite3"
    shutil.copyfile(FIXTURE, path)
    data_dir.chmod(0o755)
    path.chmod(0o644)
    with Store.open(path) as store:
        assert store.backup is not None and mode(store.backup) == 0o600
    assert mode(data_dir) == 0o700 and mode(path) == 0o600


def test_a_shared_folder_such_as_tmp_is_not_tightened(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with Store.open(shared / "petitiondesk.sqlite3"):
        pass
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert mode(shared / "petitiondesk.sqlite3") == 0o600


def test_exports_never_change_the_process_umask(tmp_path, monkeypatch):
    from petitiondesk.core import export

    def forbidden(mask: int) -> int:
        raise AssertionError("atomic_write changed the process umask")

    monkeypatch.setattr(os, "umask", forbidden)
    target = tmp_path / "chart.png"
    export.atomic_write(target, lambda file: file.write(b"png"))
    assert target.read_bytes() == b"png"


def test_an_export_is_private_while_written_then_gets_the_usual_permissions(tmp_path):
    from petitiondesk.core import export

    modes = []
    target = tmp_path / "history.csv"
    export.atomic_write(target, lambda file: modes.append(os.fstat(file.fileno()).st_mode & 0o777))
    umask = os.umask(0o022)  # the test may set it: it runs alone in its process's main thread
    os.umask(umask)
    assert modes == [0o600]
    assert mode(target) == 0o666 & ~umask
