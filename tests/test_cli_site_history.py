"""`record` records every open petition (or not, with --no-site-history); `backup FILE` writes a
copy that opens, or says in one line why it could not."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from petitiondesk import paths
from petitiondesk.cli import main
from petitiondesk.core.store import Store


def _record(data_dir, api_base: str, *flags: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key != "PETITIONDESK_API_BASE"}
    command = [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", api_base,
               "record", "--interval", "1", *flags]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _one_pass(data_dir, api_base: str, *flags: str) -> str:
    """Run `record` until its first pass is reported, then stop it; its output."""
    proc = _record(data_dir, api_base, *flags)
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "Traceback" not in err, err
    return "".join(lines) + out


def _open_store(data_dir) -> Store:
    return Store.open(paths.database_path(data_dir), readonly=True)


def test_record_records_every_open_petition_from_one_listing(still_site, data_dir):
    open_ids = still_site.world.ids("open")
    out = _one_pass(data_dir, still_site.url, "--site-history-interval", "600")
    assert "every open petition every 600 s" in out
    assert f"every open petition recorded ({len(open_ids):,})" in out
    listings = [path for _, path, _ in still_site.request_log if path.startswith("/petitions.csv")]
    assert listings == ["/petitions.csv?state=open"]
    with _open_store(data_dir) as store:
        assert all(store.latest_sample(pid) is not None for pid in open_ids)


def test_record_without_site_history_records_only_the_pinned(still_site, data_dir):
    pinned = still_site.world.ids("open")[0]
    with Store.open(paths.database_path(data_dir)) as store:
        store.pin(pinned)
    out = _one_pass(data_dir, still_site.url, "--no-site-history")
    assert "every open petition" not in out
    assert not any(path.startswith("/petitions.csv") for _, path, _ in still_site.request_log)
    with _open_store(data_dir) as store:
        assert store.sample_total() == 1 and store.latest_sample(pinned) is not None


@pytest.mark.parametrize("flags", [("--site-history-interval", "5"), ("--site-history-interval", "nan"),
                                   ("--forget-unpinned-after", "-1")])
def test_record_refuses_bad_site_history_flags(data_dir, capsys, flags):
    assert main(["--data-dir", str(data_dir), "--api-base", "http://127.0.0.1:9", "record", *flags]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_backup_writes_a_copy_that_opens(data_dir, tmp_path, capsys):
    with Store.open(paths.database_path(data_dir)) as store:
        store.pin(700001)
        for step in range(5):
            store.add_sample(700001, 1_780_000_000 + step * 600, 10 + step)
            store.add_sample(700002, 1_780_000_000 + step * 600, 3)
    target = tmp_path / "backup.sqlite3"
    started = time.time()
    assert main(["--data-dir", str(data_dir), "backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Backed up to {target}. The recorded history takes" in out
    assert "7 counts of 2 petitions, 1 of them never pinned" in out
    assert target.stat().st_mtime >= int(started)
    with Store.open(target, readonly=True) as copy:
        assert copy.samples(700001)[1].tolist() == [10, 11, 12, 13, 14]
        assert [entry.petition_id for entry in copy.watchlist()] == [700001]
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_failures_are_one_line_and_write_nothing(data_dir, tmp_path, capsys):
    assert main(["--data-dir", str(data_dir), "backup", str(tmp_path / "b.sqlite3")]) == 1
    assert "nothing recorded yet" in capsys.readouterr().err
    Store.open(paths.database_path(data_dir)).close()
    missing = tmp_path / "no such folder" / "b.sqlite3"
    assert main(["--data-dir", str(data_dir), "backup", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No backup was written" in err
    assert not missing.parent.exists()
