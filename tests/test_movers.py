"""24-hour movers from recorded snapshots: the right pair, honest rankings, a clear "not yet"."""

from __future__ import annotations

import csv

import pytest

from hexmap_documents import document
from petitiondesk.cli import main
from petitiondesk.core.export import write_movers_csv
from petitiondesk.core.hexmap import load_hexmap
from petitiondesk.core.movers import (
    HOUR,
    MIN_GAP,
    Movers,
    MoversPending,
    compute_movers,
    read_movers,
    ready_at,
    snapshot_pair,
)
from petitiondesk.core.store import Store
from petitiondesk.paths import database_path

T0 = 1_700_000_000 - 1_700_000_000 % 86400  # midnight UTC
HEXMAP = load_hexmap(2010)
ALDERSHOT, ALDRIDGE, ABERDEEN_N = "E14000530", "E14000531", "S14000001"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "petitiondesk.sqlite3") as opened:
        yield opened


def names() -> dict[str, str]:
    return {code: place.name for code, place in HEXMAP.hexes.items()}


def test_the_largest_gain_comes_first_and_growth_ignores_tiny_seats():
    before = {ALDERSHOT: 100, ALDRIDGE: 10, ABERDEEN_N: 1}
    after = {ALDERSHOT: 150, ALDRIDGE: 30, ABERDEEN_N: 9, "E14000532": 4}
    movers = compute_movers(before, after, names=names(), hexmap=HEXMAP)
    assert [(m.name, m.change) for m in movers.constituencies[:2]] == [("Aldershot", 50), ("Aldridge-Brownhills", 20)]
    # Aberdeen North grew 800% from 1: below the floor of 10, it is not ranked by growth.
    assert [m.name for m in movers.fastest_relative()] == ["Aldridge-Brownhills", "Aldershot"]
    assert movers.fastest_relative()[0].relative == pytest.approx(2.0)
    new_seat = next(m for m in movers.constituencies if m.code == "E14000532")
    assert (new_seat.before, new_seat.change) == (0, 4)


def test_regions_and_nations_are_summed_from_their_seats():
    before = {ALDERSHOT: 100, ALDRIDGE: 10, ABERDEEN_N: 1}
    after = {ALDERSHOT: 150, ALDRIDGE: 30, ABERDEEN_N: 9}
    movers = compute_movers(before, after, names={}, hexmap=HEXMAP)
    assert [(m.name, m.change) for m in movers.regions] == [("South East", 50), ("West Midlands", 20), ("Scotland", 8)]
    assert [(m.name, m.before, m.after) for m in movers.nations] == [("England", 110, 180), ("Scotland", 1, 9)]
    assert movers.constituencies[0].name == "Aldershot"  # no name in the document: the map's


def test_a_pair_is_two_snapshots_about_a_day_apart():
    hourly = [T0 + h * HOUR for h in range(30)]
    assert snapshot_pair(hourly[:20]) is None  # 19 hours: not yet
    assert snapshot_pair(hourly[:21]) == (T0, T0 + 20 * HOUR)
    assert snapshot_pair(hourly) == (T0 + 9 * HOUR, T0 + 29 * HOUR)  # the newest partner 20 h back
    assert snapshot_pair([T0, T0 + 3 * 86400]) is None  # three days apart is not "24 hours"
    assert snapshot_pair([]) is None


def test_ready_at_is_a_day_after_the_oldest_snapshot_within_reach():
    assert ready_at([T0, T0 + HOUR], now=T0 + 2 * HOUR) == T0 + MIN_GAP
    assert ready_at([T0], now=T0 + 5 * 86400) is None  # too old to pair with anything new


def test_snapshot_times_are_read_oldest_first(store):
    for hour in (0, 1, 2):
        store.add_constituency_snapshot(7, T0 + hour * HOUR, {ALDERSHOT: hour})
    store.add_constituency_snapshot(7, T0 + 2 * HOUR + 60, {ALDERSHOT: 9})  # under an hour: not kept
    assert store.constituency_snapshot_times(7) == [T0, T0 + HOUR, T0 + 2 * HOUR]
    assert store.constituency_snapshot_times(8) == []


def test_movers_from_the_store_wait_for_a_day_then_appear(store):
    for hour in range(12):
        store.add_constituency_snapshot(7, T0 + hour * HOUR, {ALDERSHOT: 100 + hour, ALDRIDGE: 50})
    pending = read_movers(store, 7, names=names(), hexmap=HEXMAP, now=T0 + 11 * HOUR)
    assert pending == MoversPending(T0 + MIN_GAP)
    for hour in range(12, 25):
        store.add_constituency_snapshot(7, T0 + hour * HOUR, {ALDERSHOT: 100 + hour, ALDRIDGE: 50 + 2 * hour})
    movers = read_movers(store, 7, names=names(), hexmap=HEXMAP, now=T0 + 24 * HOUR)
    assert isinstance(movers, Movers)
    assert (movers.since, movers.until) == (T0 + 4 * HOUR, T0 + 24 * HOUR)
    assert {m.code: m.change for m in movers.constituencies} == {ALDRIDGE: 48, ALDERSHOT: 20}
    assert read_movers(store, 99, names={}, hexmap=HEXMAP, now=T0) == MoversPending(None)


def test_movers_csv_has_every_level_and_defuses_formulas(tmp_path):
    movers = compute_movers({ALDERSHOT: 100}, {ALDERSHOT: 130}, names={ALDERSHOT: "=HYPERLINK(\"x\")"},
                            hexmap=HEXMAP, since=T0, until=T0 + 86400)
    path = tmp_path / "movers.csv"
    write_movers_csv(path, 250000, movers)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [(r["level"], r["name"], r["change"], r["change_percent"]) for r in rows] == [
        ("constituency", "'=HYPERLINK(\"x\")", "30", "30.0"),
        ("region", "South East", "30", "30.0"),
        ("nation", "England", "30", "30.0"),
    ]
    assert rows[0]["since_utc"] == "2023-11-14T00:00:00Z"


# -- the command line --------------------------------------------------------------------------------
def record(folder, hours: int):
    """A data folder holding a 2019-style document and `hours` hourly snapshots from T0."""
    with Store.open(database_path(folder)) as store:
        store.save_document(250000, document(2010, action="Ban <b>things</b>"), T0)
        for hour in range(hours):
            store.add_constituency_snapshot(250000, T0 + hour * HOUR, {ALDERSHOT: 100 + 3 * hour, ALDRIDGE: 40})
    return folder


def test_export_map_writes_a_png_and_the_movers(tmp_path, capsys, monkeypatch):
    recorded = record(tmp_path / "data", 25)
    monkeypatch.setattr("time.time", lambda: T0 + 24 * HOUR + 60)
    image, table = tmp_path / "map.png", tmp_path / "movers.csv"
    status = main(["--data-dir", str(recorded), "export-map", "250000", "-o", str(image), "--mode", "per_1000",
                   "--width", "700", "--height", "800", "--movers-csv", str(table)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert image.read_bytes().startswith(b"\x89PNG") and "2010–2019 boundaries" in out
    rows = list(csv.DictReader(table.open(encoding="utf-8-sig")))
    assert rows[0]["name"] == "Aldershot" and rows[0]["change"] == "60"


def test_export_map_refuses_what_it_cannot_draw(tmp_path, capsys, monkeypatch):
    recorded = record(tmp_path / "data", 3)
    monkeypatch.setattr("time.time", lambda: T0 + 2 * HOUR)
    assert main(["--data-dir", str(recorded), "export-map", "250000", "-o", str(tmp_path / "m.gif")]) == 2
    status = main(["--data-dir", str(recorded), "export-map", "250000", "-o", str(tmp_path / "m.svg"),
                   "--mode", "change_24h"])
    assert status == 2 and "no snapshot from a day ago" in capsys.readouterr().err
    assert not (tmp_path / "m.svg").exists()
    status = main(["--data-dir", str(recorded), "export-map", "250000", "-o", str(tmp_path / "m.svg"),
                   "--movers-csv", str(tmp_path / "movers.csv")])
    assert status == 1 and "two snapshots about a day apart (at 14 Nov 2023, 20:00 UK time)" in capsys.readouterr().err
    assert (tmp_path / "m.svg").exists() and not (tmp_path / "movers.csv").exists()
