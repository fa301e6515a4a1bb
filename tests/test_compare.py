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
