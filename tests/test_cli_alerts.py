"""`petitiondesk alerts` and `record --alerts`: alerts as lines for people and scripts, with two
recorders on one data folder (one polls, the other reports)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from petitiondesk.core.alerts import Alert, Kind
from petitiondesk.core.poller import request_refresh
from petitiondesk.core.store import Store
from petitiondesk.paths import database_path


def test_alerts_lists_the_recent_ones_as_clean_lines_and_as_json(run, data_dir):
    with Store.open(database_path(data_dir)) as store:
        alerts = store.alerts()
        hostile = "Ban \x1b]0;pwned\x07fireworks\x1b[2J"
        first, second = alerts.record([
            Alert(700123, "threshold:10000", Kind.THRESHOLD, hostile, "reached 10,000 signatures"),
            Alert(700124, "closed", Kind.CLOSED, "Fund libraries", "closed with 12,345 signatures", 1_796_000_000.0),
        ], 1_796_100_000.0, away=True)
        alerts.mark_read([first.id])
    status, out, _ = run("alerts")
    assert status == 0
    assert out.splitlines() == [
        "2026-12-01T04:40:00Z  700124  Fund libraries: closed with 12,345 signatures (while you were away) (unread)",
        "2026-12-01T04:40:00Z  700123  Ban fireworks: reached 10,000 signatures (while you were away)",
    ]
    status, out, _ = run("alerts", "--json", "--limit", "1")
    (only,) = json.loads(out)
    assert only == {"id": second.id, "petition_id": 700124, "kind": "closed", "key": "closed",
                    "title": "Fund libraries", "message": "closed with 12,345 signatures",
                    "happened_at": "2026-11-30T00:53:20Z", "detected_at": "2026-12-01T04:40:00Z",
                    "status": "unread", "away": True, "url": "https://petition.parliament.uk/petitions/700124"}


def test_alerts_before_anything_was_recorded(run, data_dir):
    status, _, err = run("alerts")
    assert status == 1 and "nothing recorded yet" in err
    Store.open(database_path(data_dir)).close()
    status, out, _ = run("alerts")
    assert status == 0 and out.startswith("No alerts yet.")
    status, _, err = run("alerts", "--limit", "0")
    assert status == 2


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PETITIONDESK_API_BASE", None)
    return env


def _read_until(process: subprocess.Popen, test) -> list[str]:
    lines = []
    while True:
        line = process.stdout.readline()
        assert line, f"the recorder ended early: {lines}"
        lines.append(line.rstrip("\n"))
        if test(lines[-1]):
            return lines


@pytest.mark.timeout(120)
def test_two_recorders_one_polls_and_both_print_each_alert_once(run, simulator, data_dir):
    world = simulator.world
    petition_id = next(i for i in world.ids("open") if 1_000 < world.count(i) < 9_000)
    run("add", str(petition_id))
    base = [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", simulator.url, "record"]
    poller = subprocess.Popen([*base, "--alerts-json"], stdout=subprocess.PIPE, text=True, env=_env())
    reader = None
    try:
        _read_until(poller, lambda line: "checked" in line)  # its first pass: the baseline
        reader = subprocess.Popen([*base, "--alerts"], stdout=subprocess.PIPE, text=True, env=_env())
        _read_until(reader, lambda line: line.startswith("Another PetitionDesk process is recording"))
        world.advance(120)
        world.set_count(petition_id, 10_500)
        with Store.open(database_path(data_dir)) as store:
            request_refresh(store)  # as the window does for "Refresh now"
        polled = _read_until(poller, lambda line: line.startswith("{"))
        told = json.loads(polled[-1])
        assert (told["petition_id"], told["key"]) == (petition_id, "threshold:10000")
        reported = _read_until(reader, lambda line: "reached 10,000 signatures" in line)
        assert not any("checked" in line for line in reported)  # the reader sends no requests
        for process in (poller, reader):
            process.send_signal(signal.SIGTERM)
        rest_polled, rest_reported = poller.communicate(timeout=30)[0], reader.communicate(timeout=30)[0]
        assert "reached 10,000" not in rest_reported and '"threshold:10000"' not in rest_polled
        assert rest_polled.rstrip().endswith("Stopped.") and rest_reported.rstrip().endswith("Stopped.")
    finally:
        for process in (poller, reader):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
