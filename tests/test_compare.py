"""Comparing petitions: alignment by calendar or by opening, shares of 100,000, honest readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from petitiondesk.core import compare
from petitiondesk.core.models import Petition

DAY = 86400.0
OPENED_2019 = datetime(2019, 1, 10, 12, tzinfo=UTC)
OPENED_NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def old_petition() -> compare.Series:
    """A 2019 petition recorded late: known only at its milestones, then a few samples."""
    petition = Petition(id=241584, action="Leave the EU without a deal", state="closed", signature_count=593_441,
                        opened_at=OPENED_2019, archived=True,
                        response_threshold_reached_at=OPENED_2019 + timedelta(days=2),
                        debate_threshold_reached_at=OPENED_2019 + timedelta(days=10))
    t0 = OPENED_2019.timestamp()
    known = ((t0 + 2 * DAY, 10_000), (t0 + 10 * DAY, 100_000))
    times = t0 + DAY * np.array([30.0, 31.0, 32.0])
    return compare.Series(241584, petition, times, np.array([500_000, 550_000, 593_441]), known)


def new_petition() -> compare.Series:
    petition = Petition(id=700123, action="Plant more trees", state="open", signature_count=20_000,
                        opened_at=OPENED_NOW, response_threshold_reached_at=OPENED_NOW + timedelta(days=4))
    times = OPENED_NOW.timestamp() + DAY * np.arange(0, 10.0)
    return compare.Series(700123, petition, times, np.linspace(0, 20_000, 10).astype(np.int64))


def test_aligning_by_opening_puts_day_zero_at_each_petitions_opening():
    for series in (old_petition(), new_petition()):
        x, y, recorded = compare.aligned(series, "opened", "signatures")
        assert x.min() >= 0 and x.max() < 40
    x, y, recorded = compare.aligned(old_petition(), "opened", "signatures")
    assert list(x[:2]) == [2.0, 10.0] and list(recorded) == [False, False, True, True, True]


def test_share_of_100000_scales_counts():
    x, y, _ = compare.aligned(new_petition(), "calendar", "share")
    assert y[-1] == pytest.approx(0.2)


def test_a_petition_without_an_opening_date_cannot_be_aligned_by_opening():
    series = compare.Series(1, Petition(id=1, action="x", state="open", signature_count=5), np.array([1.0]),
                            np.array([5]))
    assert compare.aligned(series, "opened", "signatures") is None
    assert compare.aligned(series, "calendar", "signatures") is not None


def test_a_reading_between_milestones_says_so_and_one_between_samples_does_not():
    placed = compare.aligned(old_petition(), "opened", "signatures")
    between = compare.read_at(*placed, 6.0)
    assert between.between_known and between.value == pytest.approx(55_000)
    recorded = compare.read_at(*placed, 30.5)
    assert not recorded.between_known and recorded.value == pytest.approx(525_000)
    assert compare.read_at(*placed, 40.0) is None  # after the curve: nothing is made up


def test_the_table_row_gives_days_to_each_milestone_and_open_figures():
    row = compare.table_row(old_petition(), now=OPENED_NOW.timestamp())
    assert row.days_to_10k == pytest.approx(2.0) and row.days_to_100k == pytest.approx(10.0)
    assert row.count == 593_441 and row.change_24h is None and row.days_left is None  # closed: no live figures
    live = compare.table_row(new_petition(), now=OPENED_NOW.timestamp() + 9 * DAY)
    assert live.days_to_10k == pytest.approx(4.0) and live.days_to_100k is None
    assert live.count == 20_000


def test_csv_rows_mark_milestones_apart_from_recorded_points():
    rows = compare.csv_rows([old_petition(), new_petition()], "opened", "signatures")
    sources = [row[4] for row in rows if row[0] == 241584]
    assert sources == ["milestone", "milestone", "recorded", "recorded", "recorded"]
    assert len([row for row in rows if row[0] == 700123]) == 10


def titled(pid: int, title: str, opened: datetime, archived: bool = False) -> compare.Series:
    petition = Petition(id=pid, action=title, state="closed" if archived else "open", signature_count=1,
                        opened_at=opened, closed_at=opened + timedelta(days=180) if archived else None,
                        archived=archived)
    return compare.Series(pid, petition, np.array([opened.timestamp()]), np.array([1]))


def test_a_petition_keeps_its_colour_while_compared_and_a_new_one_takes_the_lowest_free():
    slots = compare.colour_slots({}, [11, 22, 33])
    assert slots == {11: 0, 22: 1, 33: 2}
    slots = compare.colour_slots(slots, [11, 33])  # 22 removed: 33 keeps its colour
    assert slots == {11: 0, 33: 2}
    assert compare.colour_slots(slots, [11, 33, 44, 55]) == {11: 0, 33: 2, 44: 1, 55: 3}


def test_same_titles_are_told_apart_by_number_and_year_opened_and_others_keep_their_title():
    series = [titled(241584, "Call a General Election", OPENED_2019, archived=True),
              titled(701489, "Call a  general election", OPENED_NOW),  # the same title, typed otherwise
              titled(700123, "Plant more trees", OPENED_NOW)]
    assert compare.labels(series) == {241584: "Call a General Election (241584, 2019)",
                                      701489: "Call a  general election (701489, 2026)",
                                      700123: "Plant more trees"}
    assert compare.labels(series, limit=10)[241584] == "Call a Ge… (241584, 2019)"  # the number is never cut


def test_an_archived_petition_says_when_it_closed_and_that_it_was_an_earlier_parliament():
    old = titled(241584, "Leave", OPENED_2019, archived=True)
    assert compare.table_row(old, OPENED_NOW.timestamp()).state == "Closed 2019 · earlier parliament"
    assert compare.table_row(new_petition(), OPENED_NOW.timestamp()).state == "Open"


def test_curves_through_counts_the_curves_a_label_would_hide():
    rising = (np.array([0.0, 10.0]), np.array([0.0, 100.0]))
    broken = (np.array([0.0, 5.0, 5.0, 10.0]), np.array([0.0, 10.0, np.nan, 90.0]))
    assert compare.curves_through([rising, broken], (0.0, 1.0), (50.0, 60.0)) == 0  # at the left: below
    assert compare.curves_through([rising, broken], (9.0, 10.0), (85.0, 95.0)) == 2  # at the right: both
    assert compare.curves_through([rising], (4.0, 6.0), (45.0, 55.0)) == 1  # a segment through the box


def test_csv_rows_name_same_titled_petitions_as_the_legend_does():
    series = [titled(241584, "Call a General Election", OPENED_2019, archived=True),
              titled(701489, "Call a General Election", OPENED_NOW)]
    names = {row[0]: row[1] for row in compare.csv_rows(series, "calendar", "signatures")}
    assert names == {241584: "Call a General Election (241584, 2019)", 701489: "Call a General Election (701489, 2026)"}


def test_the_csv_names_the_openings_bound_apart_from_the_counts_the_site_states():
    """Day 0 of a curve known only from the site passes through at most 21 signatures (the creator and
    sponsors): a bound that shapes the curve, not a count the site states."""
    petition = old_petition().petition
    t0 = OPENED_2019.timestamp()
    series = compare.series_for(241584, petition, t0 + DAY * np.array([30.0, 31.0]), np.array([500_000, 593_441]))
    rows = compare.csv_rows([series], "opened", "signatures")
    assert [(row[2], row[4]) for row in rows] == [(0.0, "opening bound"), (2.0, "milestone"), (10.0, "milestone"),
                                                  (30.0, "recorded"), (31.0, "recorded")]
    assert rows[0][3] <= 21
