"""CSV exports: readable by Python's csv module with the same numbers, safe in spreadsheets, all or nothing."""

from __future__ import annotations

import csv
import os

import pytest

from petitiondesk.core.export import (
    ExportError,
    atomic_write,
    neutralise,
    write_constituencies_csv,
    write_countries_csv,
    write_history_csv,
    write_regions_csv,
)
from petitiondesk.core.models import ConstituencySignatures, CountrySignatures, Petition, RegionSignatures


def read(path):
    with open(path, newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def test_history_round_trips_with_the_same_numbers(tmp_path):
    times = [1_700_000_000.0, 1_700_000_060.0, 1_700_003_600.0]
    counts = [10, 15, 9]  # counts can go down
    target = tmp_path / "history.csv"
    write_history_csv(target, 700123, times, counts, title="Save the bees")
    rows = read(target)
    assert rows[0] == ["petition_id", "petition", "time_utc", "signature_count"]
    assert [int(r[3]) for r in rows[1:]] == counts
    assert rows[1][2] == "2023-11-14T22:13:20Z"
    assert rows[1][0] == "700123"


@pytest.mark.parametrize("hostile", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"])
def test_hostile_title_is_neutralised(tmp_path, hostile):
    target = tmp_path / "h.csv"
    write_history_csv(target, 1, [0.0], [1], title=hostile)
    cell = read(target)[1][1]
    assert cell == "'" + hostile
    assert not cell.startswith(("=", "+", "-", "@"))


def test_numbers_are_not_touched_by_neutralising():
    assert neutralise(-5) == -5
    assert neutralise("plain text") == "plain text"


def _petition() -> Petition:
    return Petition(
        id=700001, action="=HYPERLINK(\"http://evil\")", state="open", signature_count=1000,
        signatures_by_country=(CountrySignatures("United Kingdom", 900, "GB"),
                               CountrySignatures("France", 100, "FR")),
        signatures_by_constituency=(ConstituencySignatures("Aldershot", "E14001063", 600, "Alex Baker MP"),
                                    ConstituencySignatures("=Evil", "E14001064", 300, None)),
        signatures_by_region=(RegionSignatures("South East", "J", 900),),
    )


def test_breakdown_tables_round_trip(tmp_path):
    petition = _petition()
    write_constituencies_csv(tmp_path / "c.csv", petition, baseline={"E14001063": 550})
    rows = read(tmp_path / "c.csv")
    assert rows[0][:4] == ["ons_code", "constituency", "mp", "signatures"]
    assert rows[1] == ["E14001063", "Aldershot", "Alex Baker MP", "600", "66.667", "50"]
    assert rows[2][1] == "'=Evil" and rows[2][2] == "" and rows[2][5] == ""

    write_regions_csv(tmp_path / "r.csv", petition)
    assert read(tmp_path / "r.csv")[1] == ["J", "South East", "900", "100.0"]

    write_countries_csv(tmp_path / "k.csv", petition)
    assert [r[1] for r in read(tmp_path / "k.csv")[1:]] == ["United Kingdom", "France"]


def test_unwritable_folder_reports_and_leaves_nothing(tmp_path):
    if os.geteuid() == 0:
        # root ignores permission bits: use a path whose parent is a file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "out.csv"
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "out.csv"
    with pytest.raises(ExportError) as caught:
        write_history_csv(target, 1, [0.0], [1])
    assert "Nothing was written" in str(caught.value)
    assert not target.exists()


def test_folder_with_that_name_is_refused(tmp_path):
    target = tmp_path / "chart.csv"
    target.mkdir()
    with pytest.raises(ExportError, match="folder"):
        write_history_csv(target, 1, [0.0], [1])
    assert target.is_dir()


def test_failure_midway_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "keep.csv"
    target.write_text("old content")

    def explode(file):
        file.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="disk is full"):
        atomic_write(target, explode)
    assert target.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_share_uses_the_uk_row_of_old_data_without_country_codes(tmp_path):
    old = Petition(
        id=105991, action="An old petition", state="closed", signature_count=1000,
        signatures_by_country=(CountrySignatures("United Kingdom", 800),),  # 2015: no codes yet
        signatures_by_constituency=(ConstituencySignatures("Aldershot", "E14000530", 200),),
    )
    write_constituencies_csv(tmp_path / "c.csv", old)
    assert read(tmp_path / "c.csv")[1][4] == "25.0"  # of the UK's 800, not of the seats' 200


@pytest.mark.parametrize("cell", ["  =1+1", "\n=HYPERLINK(\"x\")", " \t+cmd", "\uff1dSUM(A1)", "  \uff20x", "\u3000-2"])
def test_formulas_behind_spaces_line_breaks_or_full_width_signs_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


def test_ordinary_text_with_signs_later_is_left_alone():
    assert neutralise("Ban fees = now") == "Ban fees = now"
    assert neutralise("  Ban fees") == "  Ban fees"
