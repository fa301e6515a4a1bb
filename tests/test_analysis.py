"""What the recorded samples say, checked on synthetic series whose answers are known."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from petitiondesk.core.analysis import (
    Change,
    Estimate,
    MilestoneOutlook,
    chance_of_reaching,
    change_over,
    closing_timestamp,
    estimate_final,
    eta_of_reaching,
    milestone_outlook,
    milestones_in_range,
    outlook,
    rate_per_hour,
)
from petitiondesk.core.forecast import BaseRates
from petitiondesk.core.models import Petition

HOUR = 3600.0
DAY = 86400.0
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def linear(per_hour: float, days: float, step: float = 300.0, start_count: int = 0):
    times = START + np.arange(0, days * DAY + 1, step)
    counts = (start_count + (times - START) / HOUR * per_hour).astype(np.int64)
    return times, counts


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


# --- estimate of the final count (the method's accuracy: bench/backtest_forecast.py) -------------


def launch_then_decay(days: float, opened: float = START, scale: float = 20_000.0, step: float = 1800.0):
    """A launch burst decaying as a power law since opening: C(τ) = scale·ln(1 + τ/1 day)."""
    times = opened + np.arange(step, days * DAY + 1, step)
    counts = (scale * np.log1p((times - opened) / DAY)).astype(np.int64)
    return times, counts


def test_an_open_petition_gets_a_range_around_its_central_figure_above_todays_count():
    times, counts = launch_then_decay(days=10)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=START + 182 * DAY)
    assert counts[-1] < estimate.low <= estimate.final <= estimate.high
    # Still growing as a power law: far less than a straight line to closing, more than today.
    assert estimate.final < counts[-1] + (counts[-1] - counts[-49]) * 172
    assert estimate.method.startswith("curve")


def test_the_range_widens_with_the_time_left():
    times, counts = launch_then_decay(days=20)
    near = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 5 * DAY, opened_at=START)
    far = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 150 * DAY, opened_at=START)
    assert far.high - far.low > near.high - near.low
    assert far.final > near.final


def test_a_steady_petition_is_expected_to_keep_growing():
    times, counts = linear(100, days=20)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=START + 182 * DAY, opened_at=START)
    assert estimate.low > counts[-1] + 100 * 24  # at least another day's worth, whatever happens
    assert estimate.low < estimate.final < estimate.high


def test_a_stalled_petition_stays_where_it_is_but_could_still_surge():
    times = START + np.array([0.0, 10 * DAY, 20 * DAY])
    counts = np.array([5_000, 12_000, 12_000])  # nothing signed for ten days
    estimate = estimate_final(times, counts, now=times[-1], closes_at=START + 182 * DAY, opened_at=START - DAY)
    assert estimate.final == estimate.low == 12_000
    assert estimate.high > 12_000
    assert "stalled" in estimate.method


def test_falling_counts_never_give_an_estimate_below_the_current_count():
    times = START + np.arange(0, DAY + 1, 300.0)
    counts = (50_000 - (times - START) / HOUR * 10).astype(np.int64)
    estimate = estimate_final(times, counts, now=times[-1], closes_at=times[-1] + 30 * DAY)
    assert estimate.low == estimate.final == counts[-1] <= estimate.high


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
    last = int(counts[-1])
    assert estimate == Estimate(final=last, low=last, high=last, method="closed")


def test_the_sites_milestones_give_a_petition_pinned_today_a_forecast():
    # Pinned an hour ago at 593,441: the recorded samples alone say nothing yet.
    opened = START
    now = opened + 60 * DAY
    times, counts = np.array([now - HOUR, now]), np.array([593_300, 593_441])
    assert estimate_final(times, counts, now=now, closes_at=opened + 182 * DAY) is None
    milestones = [(opened + 2 * DAY, 10_000), (opened + 9 * DAY, 100_000)]
    estimate = estimate_final(times, counts, now=now, closes_at=opened + 182 * DAY, known_points=milestones,
                              opened_at=opened)
    assert 593_441 <= estimate.low <= estimate.final <= estimate.high


def test_the_opening_matters_when_the_document_gives_it():
    times, counts = launch_then_decay(days=3, opened=START)
    closes = START + 182 * DAY
    young = estimate_final(times, counts, now=times[-1], closes_at=closes, opened_at=START)
    assumed_older = estimate_final(times, counts, now=times[-1], closes_at=closes + 60 * DAY)
    assert "opening assumed" in assumed_older.method and "opening assumed" not in young.method
    assert young.high != assumed_older.high


def test_base_rates_pull_the_forecast_towards_common_final_counts():
    times, counts = launch_then_decay(days=5, scale=6_000)
    closes = START + 182 * DAY
    with_rates = estimate_final(times, counts, now=times[-1], closes_at=closes, opened_at=START)
    without = estimate_final(times, counts, now=times[-1], closes_at=closes, opened_at=START, base_rates=None)
    assert "no base rates" in without.method
    assert with_rates.high < without.high  # big finals are rarer than the curve alone suggests


def test_base_rates_learned_from_archived_final_counts():
    rng = np.random.default_rng(4)
    finals = (10_000 / rng.random(3_000)).astype(int)  # half end below 20,000
    rates = BaseRates.from_finals(finals.tolist())
    assert rates.counts[0] == 10_000 and rates.counts[3] == pytest.approx(20_000, rel=0.05)
    assert BaseRates.from_finals([12_000] * 10) is None  # too few to say anything


# --- chance of reaching a milestone ------------------------------------------------------------


def test_a_count_already_reached_is_certain_and_a_closed_petition_below_it_is_not():
    times, counts = linear(500, days=3)
    closes = START + 100 * DAY
    assert chance_of_reaching(times, counts, now=times[-1], closes_at=closes, target=10_000) == 1.0
    assert chance_of_reaching(times, counts, now=times[-1], closes_at=times[-1] - 1, target=100_000) == 0.0


def test_the_chance_falls_as_the_target_rises():
    times, counts = launch_then_decay(days=10, scale=3_000)
    closes = START + 182 * DAY
    chances = [chance_of_reaching(times, counts, times[-1], closes, target, opened_at=START)
               for target in (8_000, 10_000, 20_000, 100_000, 1_000_000)]
    assert all(0.0 <= chance <= 1.0 for chance in chances)
    assert chances == sorted(chances, reverse=True) and chances[0] > chances[-1]
    assert chances[-1] < 0.02  # a million from a few thousand that are slowing down: not a chance


def test_too_little_history_gives_no_chance():
    times, counts = linear(100, days=HOUR / DAY)
    assert chance_of_reaching(times, counts, times[-1], times[-1] + 30 * DAY, 10_000) is None


def test_milestone_outlook_dates_what_was_reached_and_times_what_is_coming():
    opened = START
    times, counts = launch_then_decay(days=10, scale=8_000)
    closes = opened + 182 * DAY
    milestones = [(opened + 2 * DAY, 10_000)]
    reached, coming = milestone_outlook(times, counts, times[-1], closes, (10_000, 100_000), known_points=milestones,
                                        opened_at=opened)
    assert reached == MilestoneOutlook(10_000, opened + 2 * DAY, None, 1.0)
    assert coming.target == 100_000 and coming.reached_at is None and 0 < coming.chance < 0.5
    assert coming.eta is None  # the median path does not get there before closing
    likely = milestone_outlook(times, counts, times[-1], closes, (counts[-1] + 500,), opened_at=opened)[0]
    assert likely.chance > 0.5 and times[-1] < likely.eta < closes


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


def test_closing_timestamp_without_a_closing_date_is_the_sites_rule():
    opened = datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
    older = Petition(id=5, action="E", state="open", signature_count=0, opened_at=opened)
    # 2020-07-01 23:59:59.999 BST
    assert closing_timestamp(older) == pytest.approx(datetime(2020, 7, 1, 22, 59, 59, 999000, tzinfo=UTC).timestamp())


def test_a_closing_date_at_the_end_of_the_calendar_is_unknown_not_a_crash():
    # parse_date accepts any real date, and 9999-12-31 has no "next midnight".
    far = Petition(id=4, action="D", state="open", signature_count=0, closing_date=date.max)
    assert closing_timestamp(far) is None


# --- random input: never a crash, always a coherent answer -------------------------------------

finite_times = st.floats(1.0e9, 2.0e9, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(finite_times, st.integers(0, 10**8)), max_size=30),
    st.lists(st.tuples(finite_times, st.integers(0, 10**8)), max_size=4),
    finite_times,
    st.one_of(st.none(), finite_times),
    st.one_of(st.none(), finite_times),
    st.integers(1, 10**9),
)
def test_random_curves_give_a_coherent_forecast_or_none(samples, milestones, now, closes, opened, target):
    times = np.array([t for t, _ in samples], dtype=np.float64)
    counts = np.array([c for _, c in samples], dtype=np.int64)
    options = {"known_points": milestones, "opened_at": opened}
    estimate = estimate_final(times, counts, now, closes, **options)
    chance = chance_of_reaching(times, counts, now, closes, target, **options)
    if estimate is None:
        assert chance is None
        return
    latest = [c for t, c in sorted(samples + milestones, key=lambda s: s[0]) if t <= now][-1]
    assert latest <= estimate.low <= estimate.final <= estimate.high
    assert 0.0 <= chance <= 1.0
    if target <= latest:
        assert chance == 1.0
    for milestone in milestone_outlook(times, counts, now, closes, (target,), **options):
        assert milestone.eta is None or milestone.eta >= min(now, max(t for t, _ in samples + milestones))


# --- everything at once, from a document ------------------------------------------------------------


def test_outlook_of_an_old_open_document_with_a_few_samples():
    opened = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    doc = Petition(id=9, action="A", state="open", signature_count=14_000, opened_at=opened,
                   response_threshold_reached_at=datetime(2026, 1, 12, 9, 0, tzinfo=UTC),
                   updated_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    times = np.array([datetime(2026, 1, 31, 9, 0, tzinfo=UTC).timestamp(), doc.updated_at.timestamp()])
    counts = np.array([13_500, 14_000])
    now = doc.updated_at.timestamp()
    seen = outlook(doc, times, counts, now)
    assert seen.state == "open" and not seen.deadline.stated  # computed: the document has no closing_date
    assert [p.name for p in seen.known_points] == ["opened", "response_threshold", "updated"]
    assert [e.kind for e in seen.events] == ["opened", "closing"]
    assert 14_000 <= seen.estimate.low <= seen.estimate.final <= seen.estimate.high
    reached, debate = seen.milestones
    assert reached.reached_at == doc.response_threshold_reached_at.timestamp()
    assert debate.reached_at is None and 0 < debate.chance < 0.5
    # Captured long ago: past its deadline it is closed, at its last count.
    later = outlook(doc, times, counts, now + 200 * DAY)
    assert later.state == "closed" and later.estimate.final == later.estimate.high == 14_000
    assert later.milestones[1].chance == 0.0


def test_outlook_without_an_opening_or_samples_says_nothing_it_cannot_know():
    doc = Petition(id=10, action="B", state="open", signature_count=120)
    seen = outlook(doc, np.array([]), np.array([], dtype=np.int64), START)
    assert seen.deadline is None and seen.estimate is None
    assert [(m.chance, m.eta) for m in seen.milestones] == [(None, None), (None, None)]


def test_a_milestone_passed_before_recording_began_has_no_made_up_date():
    times, counts = linear(100, days=2, start_count=20_000)
    reached = milestone_outlook(times, counts, times[-1], times[-1] + 30 * DAY, (10_000,))[0]
    assert reached == MilestoneOutlook(10_000, None, None, 1.0)
    crossing = milestone_outlook(times, counts, times[-1], times[-1] + 30 * DAY, (20_500,))[0]
    assert crossing.reached_at == times[np.argmax(counts >= 20_500)]  # seen crossing: dated by that sample


def test_eta_of_a_close_milestone_is_a_date_before_closing():
    times, counts = linear(200, days=10, start_count=7_000)  # 55,000 now, 4,800 a day, opened 10 days ago
    closes = START + 182 * DAY
    eta = eta_of_reaching(times, counts, times[-1], closes, 56_000, opened_at=START - HOUR)
    assert eta.tzinfo is UTC
    assert times[-1] < eta.timestamp() < times[-1] + 3 * DAY  # a thousand more: within days, not weeks
    assert eta_of_reaching(times, counts, times[-1], closes, 10_000_000, opened_at=START - HOUR) is None
