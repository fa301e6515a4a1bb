"""The command line end to end, against the local simulator."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pytest

from petitiondesk.cli import main
from petitiondesk.paths import database_path


def test_add_by_link_then_list(run, simulator):
    pid = simulator.world.ids("open")[0]
    status, out, _ = run("add", f"https://www.petition.parliament.uk/petitions/{pid}/?utm=x#sign")
    assert status == 0
    assert f"{pid}: pinned" in out

    status, out, _ = run("list", "--json")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [pid]
    assert rows[0]["state"] == "open"
    assert rows[0]["signature_count"] > 0


def test_add_twice_says_already_pinned(run, simulator):
    pid = simulator.world.ids("open")[1]
    run("add", str(pid))
    status, out, _ = run("add", f"#{pid}")
    assert status == 0
    assert "already pinned" in out
    _, out, _ = run("list", "--json")
    assert len(json.loads(out)) == 1


def test_bad_reference_is_usage_error_and_writes_nothing(run, simulator, data_dir):
    good = simulator.world.ids("open")[0]
    status, _, err = run("add", str(good), "https://example.com/petitions/1")
    assert status == 2
    assert "expected" in err and err.count("\n") == 1
    assert not database_path(data_dir).exists()


def test_unknown_petition_is_not_pinned(run, simulator):
    missing = 799_999_99
    status, _, err = run("add", str(missing))
    assert status == 1
    assert str(missing) in err
    _, out, _ = run("list", "--json")
    assert json.loads(out) == []


def test_removed_petition_is_not_pinned(run, simulator):
    gone = simulator.world.ids("removed")[0]
    status, _, err = run("add", str(gone))
    assert status == 1
    assert "not pinned" in err


def test_remove_unpins_and_reports_unknown(run, simulator):
    first, second = simulator.world.ids("open")[:2]
    run("add", str(first), str(second))
    status, out, _ = run("remove", str(first))
    assert status == 0 and "unpinned" in out
    _, out, _ = run("list", "--json")
    assert [row["id"] for row in json.loads(out)] == [second]

    status, _, err = run("remove", str(first))
    assert status == 1 and "not on the watchlist" in err


def test_show_json_uses_the_api_names(run, simulator):
    pid = next(p for p in simulator.world.ids("closed"))
    run("add", str(pid))
    status, out, _ = run("show", str(pid), "--json")
    assert status == 0
    data = json.loads(out)
    assert data["id"] == pid
    assert data["state"] == "closed"
    for key in ("action", "background", "signature_count", "opened_at", "closed_at", "departments"):
        assert key in data
    assert data["opened_at"].endswith("Z")
    countries = data["signatures_by_country"]
    assert countries and {"name", "code", "signature_count"} <= set(countries[0])


def test_show_text_of_unpinned_petition_fetches_it(run, simulator, data_dir):
    pid = simulator.world.ids("open")[2]
    status, out, _ = run("show", str(pid))
    assert status == 0
    assert f"/petitions/{pid}" in out
    assert not database_path(data_dir).exists(), "showing must not create a database"


def test_refresh_records_samples_and_history_csv(run, simulator, tmp_path):
    pid = simulator.world.ids("open")[0]
    listing = tmp_path / "links.txt"
    listing.write_text(f"{pid}\n")
    run("watchlist", "import", str(listing))  # pinned, never fetched: the refresh fetches it
    status, out, _ = run("refresh")
    assert status == 0
    assert ": 1 checked, 1 sampled, 1 request, 0 problems" in out

    status, out, _ = run("history", str(pid), "--csv")
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["time", "signature_count", "source", "name"]
    recorded = [row for row in rows[1:] if row[2] == "recorded"]
    assert recorded and recorded[0][0].endswith("Z") and int(recorded[-1][1]) > 0
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])  # one curve, in time order


def test_times_printed_for_people_say_uk_time_and_csv_stays_utc(run, simulator, tmp_path):
    pid = simulator.world.ids("open")[0]
    listing = tmp_path / "links.txt"
    listing.write_text(f"{pid}\n")
    run("watchlist", "import", str(listing))
    status, out, _ = run("refresh")
    assert status == 0 and out.split(": ")[0].endswith(" UK time")  # "2 Dec 2026, 08:53 UK time: 1 checked…"
    status, out, _ = run("history", str(pid))
    lines = out.strip().splitlines()
    assert status == 0 and lines and all(" UK time " in line for line in lines)
    status, out, _ = run("history", str(pid), "--csv")
    assert "UK time" not in out


def test_history_of_unknown_petition_fails_cleanly(run):
    status, _, err = run("history", "700001")
    assert status == 1
    assert err.startswith("petitiondesk: ")


def test_list_of_empty_watchlist(run):
    status, out, _ = run("list")
    assert status == 0
    assert "empty" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env():
    env = dict(os.environ)
    env.pop("PETITIONDESK_API_BASE", None)
    return env


def test_record_stops_cleanly_on_sigterm(simulator, data_dir):
    pid = simulator.world.ids("open")[0]
    base = [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", simulator.url]
    subprocess.run([*base, "add", str(pid)], check=True, capture_output=True, env=_env(), timeout=60)
    proc = subprocess.Popen([*base, "record", "--interval", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    try:
        first_line = proc.stdout.readline()
        assert "Recording" in first_line
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Stopped." in out


def test_simulator_command_serves_and_stops(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "petitiondesk", "simulator", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/petitions.json?count=5&state=open")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert len(response.json()["data"]) == 5
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_export_chart_png_and_svg(run, simulator, tmp_path):
    from PySide6.QtGui import QImage

    pid = simulator.world.ids("open")[0]
    run("add", str(pid))
    simulator.world.advance(3600)
    run("refresh")
    png, svg = tmp_path / "chart.png", tmp_path / "chart.svg"
    status, out, err = run("export-chart", str(pid), "-o", str(png), "--width", "800", "--height", "450")
    assert status == 0, err
    assert "Saved" in out
    image = QImage(str(png))
    assert (image.width(), image.height()) == (800, 450)

    status, _, err = run("export-chart", str(pid), "-o", str(svg))
    assert status == 0, err
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_export_chart_refuses_unknown_format_and_unrecorded_petition(run, simulator, tmp_path):
    status, _, err = run("export-chart", "700001", "-o", str(tmp_path / "chart.gif"))
    assert status == 2 and ".png or .svg" in err
    pid = simulator.world.ids("open")[0]
    run("add", str(pid))
    other = simulator.world.ids("open")[1]
    status, _, err = run("export-chart", str(other), "-o", str(tmp_path / "chart.png"))
    assert status == 1 and "no samples" in err
    assert not (tmp_path / "chart.png").exists()


def test_self_test_opens_the_window_and_exits_zero():
    env = _env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run([sys.executable, "-m", "petitiondesk", "--self-test"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "self-test passed" in result.stdout


def test_desktop_entry_round_trip(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--install-desktop-entry"]) == 0
    installed = [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert any(path.endswith(".desktop") for path in installed)
    assert all(os.path.exists(path) for path in installed)
    assert main(["--uninstall-desktop-entry"]) == 0
    capsys.readouterr()
    assert not any(os.path.exists(path) for path in installed)


def test_search_finds_by_words_and_by_number(run, simulator):
    pid = simulator.world.ids("open")[0]
    _, out, _ = run("show", str(pid), "--json")
    title = json.loads(out)["action"]
    word = max(title.split(), key=len)

    status, out, _ = run("search", word, "--json", "--limit", "100")
    assert status == 0
    rows = json.loads(out)
    assert pid in [row["id"] for row in rows]

    status, out, _ = run("search", str(pid), "--json")
    assert [row["id"] for row in json.loads(out)] == [pid]


def test_search_archived_and_bad_facet(run):
    status, out, _ = run("search", "--archived", "--limit", "5", "--json")
    assert status == 0
    rows = json.loads(out)
    assert len(rows) == 5 and all(row["archived"] for row in rows)

    status, _, err = run("search", "x", "--state", "hidden")
    assert status == 2 and "hidden" in err


def test_watchlist_export_then_import_into_empty_folder(run, simulator, tmp_path, capsys):
    first, second = simulator.world.ids("open")[:2]
    run("add", str(second), str(first))
    target = tmp_path / "watchlist.json"
    status, out, _ = run("watchlist", "export", str(target))
    assert status == 0 and "2 petitions" in out
    _, before, _ = run("list", "--json")

    other = tmp_path / "other-data"
    status = main(["--data-dir", str(other), "watchlist", "import", str(target)])
    out = capsys.readouterr().out
    assert status == 0 and "2 added" in out
    main(["--data-dir", str(other), "list", "--json"])
    after = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["pinned_at"]) for r in after] == [(r["id"], r["pinned_at"]) for r in json.loads(before)]


def test_watchlist_import_refuses_a_hostile_file(run, tmp_path):
    hostile = tmp_path / "deep.json"
    hostile.write_text("[" * 5000 + "]" * 5000)
    status, _, err = run("watchlist", "import", str(hostile))
    assert status == 1
    assert "nothing was imported" in err


def test_a_busy_database_mid_command_is_one_line_not_a_traceback(run, simulator, data_dir, monkeypatch):
    import sqlite3

    from petitiondesk.core import store as store_module

    pid = simulator.world.ids("open")[0]
    run("add", str(pid))
    monkeypatch.setattr(store_module, "_BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(database_path(data_dir), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        status, _, err = run("remove", str(pid))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert status == 1
    assert err.startswith("petitiondesk: ") and "busy" in err and err.count("\n") == 1
    _, out, _ = run("list", "--json")
    assert [row["id"] for row in json.loads(out)] == [pid]


@pytest.mark.parametrize("fault", ["503", "429"])
def test_refresh_says_when_the_site_asked_to_wait(run, simulator, tmp_path, fault):
    pid = simulator.world.ids("open")[0]
    listing = tmp_path / "links.txt"
    listing.write_text(f"{pid}\n")
    run("watchlist", "import", str(listing))  # pinned, never fetched: due at once
    simulator.faults.force(fault, times=10, retry_after=600)
    status, _, err = run("refresh")
    assert status == 0
    assert "paused" in err and "next try after" in err

    _, _, err = run("refresh")  # this pass sends nothing: it must still say why
    assert "paused" in err


def test_refresh_says_when_the_site_cannot_be_reached(data_dir, tmp_path, capsys):
    listing = tmp_path / "links.txt"
    listing.write_text("700001\n")
    offline = ["--data-dir", str(data_dir), "--api-base", f"http://127.0.0.1:{_free_port()}"]
    main([*offline, "watchlist", "import", str(listing)])
    capsys.readouterr()
    status = main([*offline, "refresh"])
    err = capsys.readouterr().err
    assert status == 0
    assert "offline: the site could not be reached" in err


@pytest.mark.parametrize("interval", ["inf", "nan", "0", "-5"])
def test_record_refuses_an_impossible_interval_before_writing(data_dir, capsys, interval):
    status = main(["--data-dir", str(data_dir), "record", "--interval", interval])
    assert status == 2
    assert "--interval" in capsys.readouterr().err
    assert not database_path(data_dir).exists()


@pytest.mark.parametrize("scale", ["0", "-2", "nan", "1000"])
def test_export_chart_refuses_an_impossible_scale(run, simulator, tmp_path, scale):
    pid = simulator.world.ids("open")[0]
    run("add", str(pid))
    png = tmp_path / "chart.png"
    status, _, err = run("export-chart", str(pid), "-o", str(png), "--scale", scale)
    assert status == 2 and "--scale" in err
    assert not png.exists()


@pytest.mark.parametrize("command", [["add", "700001"], ["show", "700001"], ["refresh"], ["search", "tax"]])
def test_a_bad_api_base_is_a_usage_error_that_writes_nothing(data_dir, capsys, command):
    status = main(["--data-dir", str(data_dir), "--api-base", "nonsense", *command])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("petitiondesk: ") and "nonsense" in err and err.count("\n") == 1
    assert not database_path(data_dir).exists()


HOSTILE = "Ban\x1b[2K fees\x1b]0;pwned\x07 \x1b]8;;https://evil.example\x1b\\now\x1b]8;;\x1b\\\x07\u202e"


def _with_hostile_title(simulator) -> int:
    from dataclasses import replace

    world = simulator.world
    petition_id = world.ids("open")[0]
    world._plans[petition_id] = replace(world.plan(petition_id), action=HOSTILE)
    return petition_id


def _shows_no_controls(text: str) -> bool:
    return not any(ord(char) < 0x20 and char != "\n" or 0x7F <= ord(char) < 0xA0 or char == "\u202e"
                   for char in text)


def test_add_prints_a_hostile_title_without_its_escape_sequences(run, simulator):
    petition_id = _with_hostile_title(simulator)
    status, out, err = run("add", str(petition_id))
    assert status == 0, err
    assert f"{petition_id}: pinned: Ban fees now (" in out
    assert _shows_no_controls(out) and _shows_no_controls(err)


def test_search_strips_escape_sequences_for_people_and_keeps_them_in_json(run, simulator):
    petition_id = _with_hostile_title(simulator)
    status, out, err = run("search", str(petition_id))
    assert status == 0, err
    assert "Ban fees now" in out and _shows_no_controls(out)
    status, out, _ = run("search", str(petition_id), "--json")
    assert status == 0
    assert json.loads(out)[0]["action"] == HOSTILE


def test_list_and_show_print_network_text_without_terminal_escapes(run, samples_dir, data_dir):
    from petitiondesk.core.store import Store

    document = json.loads((samples_dir / "composed-petition-open-752318.json").read_text())
    hostile = "Ban \x1b[2J\x1b]0;owned\x07this\r\nnow\x9b31m"
    document["data"]["attributes"].update(action=hostile, background=f"First line\n{hostile}")
    with Store.open(database_path(data_dir)) as store:
        store.pin(752318)
        store.save_document(752318, json.dumps(document).encode(), time.time())
    for args in (("list",), ("show", "752318")):
        status, out, _ = run(*args)
        assert status == 0
        assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in out), repr(out)
        assert "Ban this  now" in out  # on one line: the escapes gone, the words kept
    _, out, _ = run("show", "752318")
    assert "\n  First line\n  Ban this \n  now" in out  # long text keeps its lines, indented
    _, out, _ = run("show", "752318", "--json")
    assert json.loads(out)["action"] == hostile  # JSON keeps the text exactly (escaped)


# --- where a petition is going: a 2019 document (no closing_date) ----------------------------------


def store_2019(data_dir, now: float) -> None:
    """The 2019 document captured while open, pinned, with three days recorded up to `now`."""
    from outlook_documents import PETITION_ID, document_2019
    from petitiondesk.core.store import Store

    with Store.open(database_path(data_dir)) as store:
        store.pin(PETITION_ID, pinned_at=now - 3 * 86400)
        # the count the site stated a minute ago is the one recorded last
        store.save_document(PETITION_ID, document_2019(593_120, updated_at=now - 60), now - 60)
        for hour in range(72, -1, -1):
            store.add_sample(PETITION_ID, now - hour * 3600.0, 560_000 + (72 - hour) * 460)


@pytest.fixture
def open_in_2019(monkeypatch, data_dir):
    """The clock at 26 Mar 2019, 18:00 UTC, while the 2019 petition is open, and its data stored."""
    now = 1_553_623_200.0
    monkeypatch.setattr(time, "time", lambda: now)
    store_2019(data_dir, now)
    return now


def test_show_json_adds_the_computed_deadline_the_estimate_and_the_milestones(run, open_in_2019):
    from outlook_documents import PETITION_ID

    status, out, _ = run("show", str(PETITION_ID), "--json")
    data = json.loads(out)
    assert status == 0 and data["state"] == "open" and data.get("closing_date") is None
    assert data["deadline"] == {"at": "2019-06-03T22:59:59Z", "stated": False, "source": "opened_at + 6 months"}
    estimate = data["estimate"]
    assert set(estimate) == {"final", "low", "high", "method"}
    assert 593_120 <= estimate["low"] <= estimate["final"] <= estimate["high"] and "curve" in estimate["method"]
    assert data["milestones"] == [
        {"target": 10_000, "reached_at": "2018-12-03T18:03:00Z", "eta": None, "chance": 1.0},
        {"target": 100_000, "reached_at": "2018-12-07T20:14:58Z", "eta": None, "chance": 1.0},
    ]


def test_show_text_says_where_it_is_going(run, open_in_2019):
    status, out, _ = run("show", "229963")
    assert status == 0
    section = out.split("where it is going:\n", 1)[1].splitlines()
    assert section[0].startswith("  Closes: 3 Jun 2019, 23:59 (UK time; computed from the opening date")
    assert section[1].startswith("  Expected final count: about ") and "80 % range" in section[1]
    assert section[2:4] == ["  10,000 reached 3 Dec 2018", "  100,000 reached 7 Dec 2018"]


def test_show_json_without_an_opening_or_history_says_null_not_a_guess(run, data_dir):
    from outlook_documents import PETITION_ID, document_2019
    from petitiondesk.core.store import Store

    with Store.open(database_path(data_dir)) as store:  # old data: no opening date, no thresholds
        store.save_document(PETITION_ID, document_2019(signature_count=40, opened_at=None, open_at=None,
                                                       response_threshold_reached_at=None,
                                                       debate_threshold_reached_at=None), time.time())
    data = json.loads(run("show", str(PETITION_ID), "--json")[1])
    assert data["deadline"] is None and data["estimate"] is None
    assert data["milestones"] == [{"target": 10_000, "reached_at": None, "eta": None, "chance": None},
                                  {"target": 100_000, "reached_at": None, "eta": None, "chance": None}]


def test_list_shows_the_computed_deadline_marked_and_closed_once_past_it(run, data_dir, monkeypatch):
    store_2019(data_dir, 1_553_623_200.0)
    monkeypatch.setattr(time, "time", lambda: 1_553_623_200.0)
    _, out, _ = run("list")
    assert "229963      593,120  open      2019-06-03* Leave the EU" in out
    assert "* computed" in out
    monkeypatch.setattr(time, "time", lambda: 1_764_590_400.0)  # 1 Dec 2025: long past its deadline
    _, out, _ = run("list")
    assert "593,120  closed    2019-06-03*" in out
    listed = json.loads(run("list", "--json")[1])[0]
    assert listed["state"] == "closed" and listed["closes"] == "2019-06-03T22:59:59Z" and listed["closes_computed"]


def test_history_includes_the_sites_milestones_with_their_names(run, data_dir):
    from outlook_documents import PETITION_ID, RESPONSE_REACHED

    store_2019(data_dir, 1_553_623_200.0)
    rows = list(csv.reader(io.StringIO(run("history", str(PETITION_ID), "--csv")[1])))
    milestones = [row for row in rows[1:] if row[2] == "milestone"]
    # Not "opened": at most 21 then (sponsors only) shapes the graph but is not a count the site stated.
    assert [row[3] for row in milestones] == ["moderation", "response_threshold", "debate_threshold", "updated"]
    assert milestones[1][:2] == [datetime.fromtimestamp(RESPONSE_REACHED, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                 "10000"]
    assert sum(row[2] == "recorded" for row in rows[1:]) == 73
    as_json = json.loads(run("history", str(PETITION_ID), "--json")[1])
    assert len(as_json) == len(rows) - 1
    assert as_json[1] == {"time": milestones[1][0], "signature_count": 10_000, "source": "milestone",
                          "name": "response_threshold"}
    _, out, _ = run("history", str(PETITION_ID))
    assert "10,000  response threshold, from the site" in out


def test_a_petition_link_opens_the_window_with_it_instead_of_a_usage_error():
    from petitiondesk.cli import _links_to_open, build_parser

    link = "https://petition.parliament.uk/petitions/700123"
    argv = _links_to_open(["--data-dir", "/tmp/pd", link, "700124"])
    assert argv == ["--data-dir", "/tmp/pd", "--open", link, "--open", "700124"]
    args = build_parser().parse_args(argv)
    assert args.command is None and args.open_refs == [link, "700124"]
    assert _links_to_open(["list", "--json"]) == ["list", "--json"]  # commands are untouched
    assert _links_to_open(["not-a-link"]) == ["not-a-link"]  # argparse says what is wrong
