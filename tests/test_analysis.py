"""What the recorded samples say, checked on synthetic series whose answers are known."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest

from petitiondesk.core.analysis import (
    Change,
    Estimate,
    change_over,
    closing_timestamp,
    estimate_final,
    milestones_in_range,
    rate_per_hour,
)
from petitiondesk.core.models import Petition

HOUR = 3600.0
DAY = 86400.0
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def linear(per_hour: float, days: float, step: float = 300.0, start_count: int = 0):
    times = START + np.arange(0, days * DAY + 1, step)
    counts = (start_count + (times - START) / HOUR * per_hour).astype(np.int64)
    return times, counts


def decaying(first_hour_rate: float, half_life_hours: float, days: float, step: float = 300.0):
    """r(t) = r0·e^(-kt), counted exactly: C(t) = r0/k·(1 - e^(-kt))."""
    k = math.log(2) / half_life_hours
    times = START + np.arange(0, days * DAY + 1, step)
    hours = (times - START) / HOUR
    counts = np.floor(first_hour_rate / k * -np.expm1(-k * hours)).astype(np.int64)

    def total_at(when: float) -> float:
        return first_hour_rate / k * -math.expm1(-k * (when - START) / HOUR)

    return times, counts, total_at


# --- change over a window --------------------------------------------------------------------------


def test_linear_growth_of_100_an_hour_gains_2400_a_day():
    times, counts = linear(100, days=3)
    change = change_over(times, counts, now=times[-1])
    assert change == Change(delta=2400, since=times[-1] - DAY, complete=True)


def test_change_since_recording_began_when_younger_than_the_window():
    times, counts = linear(100, days=0.5, start_count=5000)
    change = change_over(times, counts, now=times[-1])
    assert change.delta == 1200
    assert change.since == times[0]
    assert not change.complete


def test_change_uses_the_count_at_or_before_the_window_start():
    # A plateau stored as its two ends, then a jump: step interpolation, not a straight line.
    times = np.array([START, START + 20 * HOUR, START + 20 * HOUR + 60, START + 30 * HOUR])
    counts = np.array([1000, 1000, 1500, 1600])
    change = change_over(times, counts, now=START + 30 * HOUR)
    assert change.delta == 600  # at now-24h (hour 6) the count was still 1000
    assert change.complete


def test_change_ignores_samples_after_now_and_can_be_negative():
    times = np.array([START, START + DAY, START + DAY + 10, START + 3 * DAY])
    counts = np.array([500, 480, 470, 9999])
    change = change_over(times, counts, now=START + DAY + 10)
    assert change.delta == -30
    assert change.complete


def test_change_without_samples_is_zero_and_incomplete():
    change = change_over(np.array([]), np.array([], dtype=np.int64), now=START)
    assert change.delta == 0 and not change.complete


def test_change_with_a_custom_window():
    times, counts = linear(100, days=1)
    assert change_over(times, counts, now=times[-1], window=HOUR).delta == 100


# --- rate ---------------------------------------------------------------------------------------------


def test_linear_growth_of_100_an_hour_has_rate_100():
    times, counts = linear(100, days=1)
    assert rate_per_hour(times, counts, now=times[-1]) == pytest.approx(100.0)


def test_rate_over_the_last_three_hours_only():
    early_t, early_c = linear(1000, days=1)
    late_t = early_t[-1] + np.arange(300, 6 * HOUR + 1, 300)
    late_c = early_c[-1] + ((late_t - early_t[-1]) / HOUR * 20).astype(np.int64)
    times, counts = np.concatenate([early_t, late_t]), np.concatenate([early_c, late_c])
    assert rate_per_hour(times, counts, now=times[-1]) == pytest.approx(20.0)


def test_rate_needs_enough_recent_data():
    times, counts = linear(100, days=1)
    assert rate_per_hour(times[:1], counts[:1], now=times[0]) is None
    assert rate_per_hour(times[:2], counts[:2], now=times[1]) is None  # 5 minutes apart: too short
    assert rate_per_hour(times, counts, now=times[-1] + 5 * HOUR) is None  # recording stopped
    assert rate_per_hour(np.array([]), np.array([]), now=START) is None


def test_rate_accepts_unsorted_samples():
    times, counts = linear(100, days=1)
    order = np.random.default_rng(3).permutation(times.size)
    assert rate_per_hour(times[order], counts[order], now=times[-1]) == pytest.approx(100.0)


# --- estimate of the final count ------------------------------------------------------------------


def test_exponential_decay_is_extrapolated_to_closing():
    times, counts, total_at = decaying(2000, half_life_hours=36, days=3)
    closes = START + 30 * DAY
    estimate = estimate_final(times, counts, now=times[-1], closes_at=closes)
    truth = total_at(closes)
    assert estimate.final == pytest.approx(truth, rel=0.01)
    assert estimate.low <= truth <= estimate.high
    assert estimate.final > counts[-1] + 1000  # meaningfully more than today


def test_decay_with_a_daily_cycle_and_noise_stays_close():
    rng = np.random.default_rng(7)
    k = math.log(2) / 36
    times = START + np.arange(0, 4 * DAY + 1, 300.0)
    hours = (times - START) / HOUR
    rate = 2000 * np.exp(-k * hours) * (1 + 0.6 * np.sin(2 * np.pi * hours / 24))
    counts = np.cumsum(rng.poisson(rate * 300 / HOUR))
    closes = START + 30 * DAY
    expected = 2000 / k * -math.expm1(-k * 30 * 24)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=closes)
    assert estimate.final == pytest.approx(expected, rel=0.08)
    assert estimate.low < estimate.final < estimate.high


def test_under_two_days_the_range_is_wide_enough_to_hold_the_truth():
    rng = np.random.default_rng(11)
    k = math.log(2) / 36
    times = START + np.arange(0, 1.5 * DAY + 1, 300.0)
    hours = (times - START) / HOUR
    rate = 2000 * np.exp(-k * hours) * (1 + 0.6 * np.sin(2 * np.pi * hours / 24 + 1))
    counts = np.cumsum(rng.poisson(rate * 300 / HOUR))
    expected = 2000 / k * -math.expm1(-k * 30 * 24)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=START + 30 * DAY)
    assert estimate.low <= expected <= estimate.high
    assert estimate.high > 1.5 * estimate.low  # the uncertainty is shown, not hidden


def test_steady_growth_falls_back_to_the_rate_sustained():
    times, counts = linear(100, days=2)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 10 * DAY)
    assert estimate.final == counts[-1] + 24_000
    assert counts[-1] < estimate.low < estimate.final
    assert estimate.high == estimate.final


def test_short_history_uses_the_sustained_rate():
    times, counts = linear(60, days=3 * HOUR / DAY)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 10 * HOUR)
    assert estimate.final == counts[-1] + 600


def test_no_estimate_without_two_hours_of_data_or_a_closing_time():
    times, counts = linear(100, days=1.5 * HOUR / DAY)
    assert estimate_final(times, counts, now=times[-1], closes_at=times[-1] + DAY) is None
    times, counts = linear(100, days=1)
    assert estimate_final(times, counts, now=times[-1], closes_at=None) is None
    assert estimate_final(np.array([]), np.array([]), now=START, closes_at=START + DAY) is None


def test_a_closed_petition_ends_at_its_last_count():
    times, counts = linear(100, days=1)
    closes = times[-1] - HOUR
    estimate = estimate_final(times, counts, now=times[-1], closes_at=closes)
    assert estimate == Estimate(final=int(counts[-1]), low=int(counts[-1]), high=int(counts[-1]))


def test_falling_counts_never_give_an_estimate_below_the_current_count():
    times = START + np.arange(0, DAY + 1, 300.0)
    counts = (50_000 - (times - START) / HOUR * 10).astype(np.int64)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 30 * DAY)
    assert estimate.low == estimate.final == estimate.high == counts[-1]


def test_a_flat_petition_stays_where_it_is():
    times = START + np.array([0.0, 3 * DAY])  # one long plateau, stored as its two ends
    counts = np.array([321, 321])
    estimate = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 30 * DAY)
    assert estimate == Estimate(final=321, low=321, high=321)


# --- small helpers ---------------------------------------------------------------------------------


def test_milestones_in_range():
    assert milestones_in_range(5_000, 200_000) == (10_000, 100_000)
    assert milestones_in_range(20_000, 50_000) == ()
    assert milestones_in_range(0, 10_000) == (10_000,)
    assert milestones_in_range(200_000, 5_000) == (10_000, 100_000)
    assert milestones_in_range(0, 10**6, thresholds=(500_000, 1_000)) == (1_000, 500_000)


def test_closing_timestamp_is_the_end_of_the_uk_day():
    summer = Petition(id=1, action="A", state="open", signature_count=0, closing_date=date(2026, 8, 3))
    # 2026-08-03 23:59:59.999 BST is 22:59:59.999 UTC.
    expected = datetime(2026, 8, 3, 22, 59, 59, 999000, tzinfo=UTC).timestamp()
    assert closing_timestamp(summer) == pytest.approx(expected, abs=0.01)
    closed_at = datetime(2025, 5, 14, 22, 59, 59, 999000, tzinfo=UTC)
    closed = Petition(id=2, action="B", state="closed", signature_count=0, closed_at=closed_at)
    assert closing_timestamp(closed) == closed_at.timestamp()
    assert closing_timestamp(Petition(id=3, action="C", state="rejected", signature_count=0)) is None


def test_a_closing_date_at_the_end_of_the_calendar_is_unknown_not_a_crash():
    # parse_date accepts any real date, and 9999-12-31 has no "next midnight".
    far = Petition(id=4, action="D", state="open", signature_count=0, closing_date=date.max)
    assert closing_timestamp(far) is None
