"""`petitiondesk record` as a service runs it: stopped within 2 s by SIGTERM or Ctrl+C even while a
request hangs, and never killed by another process holding the database's write lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from petitiondesk import paths
from petitiondesk.core.store import Store
from slow_servers import SlowServer


def _record(data_dir, api_base: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key != "PETITIONDESK_API_BASE"}
    command = [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", api_base,
               "record", "--interval", "1"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _pin(data_dir, *ids: int) -> None:
    with Store.open(paths.database_path(data_dir)) as store:
        for petition_id in ids:
            store.pin(petition_id)


def _wait_for(condition, timeout: float = 30.0) -> None:
    ends = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < ends, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_record_stops_within_2_s_while_a_request_hangs(data_dir, sig):
    _pin(data_dir, 700001)
    with SlowServer("hang") as server:
        proc = _record(data_dir, server.url)
        try:
            assert "Recording" in proc.stdout.readline()
            _wait_for(lambda: server.connections >= 1)
            time.sleep(0.5)  # the request is now waiting for an answer that never comes
            asked = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=30)
            took = time.monotonic() - asked
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    print(f"{sig.name}: record stopped {took:.2f} s after the signal, mid-request")
    assert proc.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err
    assert took < 2.0


def test_record_waits_while_another_process_holds_the_write_lock_and_says_so_once(simulator, data_dir):
    pid = simulator.world.ids("open")[0]
    _pin(data_dir, pid)
    holder = sqlite3.connect(paths.database_path(data_dir), timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than SQLite's 5 s busy wait
    proc = _record(data_dir, simulator.url)
    try:
        assert "Recording" in proc.stdout.readline()
        time.sleep(12)  # two busy waits of 5 s: still alive, and said once
        assert proc.poll() is None
        holder.execute("COMMIT")
        with Store.open(paths.database_path(data_dir), readonly=True) as store:
            _wait_for(lambda: store.latest_sample(pid) is not None)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        holder.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert err.count("busy") == 1 and "waiting" in err
    assert "Traceback" not in err and "Stopped." in out
