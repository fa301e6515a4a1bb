"""The min/max pyramid that long curves are drawn from (core.decimate): no display needed."""

from __future__ import annotations

import numpy as np
import pytest

from petitiondesk.core.decimate import MinMaxPyramid, for_width


def brute_force(y: np.ndarray, start: int, stop: int, level: int) -> list[int]:
    """What the pyramid must answer, worked out sample by sample: the first and last sample, then
    each run of 2**level samples (cut at the ends), split at its NaN samples (breaks), as the lowest
    and highest sample of each stretch, with the breaks between."""
    size = 1 << level
    picks = [start]
    for run in range((start + 1) // size, (stop - 2) // size + 1) if stop - start > 2 else ():
        stretch: list[int] = []
        for i in range(max(start + 1, run * size), min(stop - 1, (run + 1) * size)):
            if np.isnan(y[i]):
                picks += extremes(y, stretch) + [i]
                stretch = []
            else:
                stretch.append(i)
        picks += extremes(y, stretch)
    return picks + [stop - 1]


def extremes(y: np.ndarray, stretch: list[int]) -> list[int]:
    if not stretch:
        return []
    values = y[stretch]
    return sorted({stretch[int(np.argmin(values))], stretch[int(np.argmax(values))]})


@pytest.mark.parametrize("seed", range(6))
def test_any_range_at_any_width_is_each_runs_exact_lowest_and_highest_and_the_true_ends(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 20_000))
    x = np.cumsum(rng.uniform(0.5, 90.0, n))
    y = rng.normal(0, 1, n).cumsum()
    y[rng.integers(0, n, 5)] += rng.choice([-1, 1], 5) * 500.0  # one-sample spikes
    if seed % 2:
        y[rng.integers(0, n, 4)] = np.nan  # breaks in the line
    if seed == 5:
        y[rng.random(n) < 0.05] = np.nan  # several in a run, some side by side
    pyramid = MinMaxPyramid(x, y)
    for _ in range(40):
        low, high = np.sort(rng.uniform(x[0] - 100, x[-1] + 100, 2))
        pixels = float(rng.integers(50, 2_000))
        start, stop = pyramid.span(low, high)
        before = max(np.searchsorted(x, low) - 1, 0)
        after = min(np.searchsorted(x, high, side="right") + 1, n)
        assert start == before - (before > 0 and np.isnan(y[before]))  # the sample before the range
        assert stop == after + (before < after < n and np.isnan(y[after - 1]))  # and the one after
        level = pyramid.level_for(stop - start, pixels)
        if level == 0:
            continue
        assert list(pyramid.indices(start, stop, level)) == brute_force(y, start, stop, level)
        drawn_x, drawn_y = pyramid.view(low, high, pixels)
        assert drawn_x[0] == x[start] and drawn_x[-1] == x[stop - 1]
        assert np.all(np.diff(drawn_x) >= 0)
        breaks = int(np.isnan(y[start:stop]).sum())
        assert len(drawn_x) <= 4 * pixels + 4 + 3 * breaks  # about two points a pixel, never the whole range
        shown = y[start:stop]
        if not np.isnan(shown).all():
            assert np.nanmax(drawn_y) == np.nanmax(shown) and np.nanmin(drawn_y) == np.nanmin(shown)


def test_a_narrow_range_is_drawn_sample_by_sample():
    x = np.arange(1_000, dtype=float)
    pyramid = MinMaxPyramid(x, x * 2)
    drawn_x, drawn_y = pyramid.view(100.5, 200.5, pixels=800)
    assert list(drawn_x) == list(x[100:202])  # 100 samples in view and one either side
    assert list(drawn_y) == list(x[100:202] * 2)


def test_one_spike_in_a_million_samples_shows_when_zoomed_out():
    x = 60.0 * np.arange(1_000_000)
    y = np.arange(1_000_000, dtype=float)
    y[654_321] = 5e6
    drawn_x, drawn_y = MinMaxPyramid(x, y).view(x[0], x[-1], pixels=1_200)
    assert len(drawn_x) < 5_000
    assert drawn_y.max() == 5e6 and drawn_x[np.argmax(drawn_y)] == x[654_321]
    assert drawn_y[0] == 0 and drawn_y[-1] == 999_999  # the exact ends of the curve


def test_a_break_in_the_line_stays_a_break_when_zoomed_out_and_the_line_runs_up_to_it():
    x = np.arange(100_000, dtype=float)
    y = x.copy()
    y[40_000] = np.nan  # recording stopped here
    drawn_x, drawn_y = MinMaxPyramid(x, y).view(0, 100_000, pixels=500)
    gap = np.flatnonzero(np.isnan(drawn_y))
    assert len(gap) == 1 and drawn_x[gap[0]] == 40_000
    assert drawn_y[gap[0] - 1] == 39_999 and drawn_y[gap[0] + 1] == 40_001  # no stretch of line lost


def test_the_extent_of_any_range_is_its_lowest_and_highest_number():
    rng = np.random.default_rng(3)
    y = rng.normal(0, 1, 12_345).cumsum()
    y[rng.integers(0, y.size, 30)] = np.nan
    pyramid = MinMaxPyramid(np.arange(y.size, dtype=float), y)
    for _ in range(200):
        start, stop = sorted(int(v) for v in rng.integers(0, y.size + 1, 2))
        expected = None if stop == start or np.isnan(y[start:stop]).all() else (
            np.nanmin(y[start:stop]), np.nanmax(y[start:stop]))
        assert pyramid.extent(start, stop) == expected


def test_short_or_empty_curves_and_unsorted_times():
    empty = MinMaxPyramid(np.empty(0), np.empty(0))
    assert [len(a) for a in empty.view(0, 1, 100)] == [0, 0]
    assert empty.extent(0, 0) is None
    one = MinMaxPyramid(np.array([5.0]), np.array([7.0]))
    assert [list(a) for a in one.view(0, 10, 100)] == [[5.0], [7.0]]
    with pytest.raises(ValueError):
        MinMaxPyramid(np.array([2.0, 1.0]), np.array([1.0, 2.0]))


def test_a_whole_curve_for_an_image_of_a_given_width():
    x = np.arange(50_000, dtype=float)
    drawn_x, drawn_y = for_width(x, x**2, pixels=1_000)
    assert len(drawn_x) <= 4_004 and drawn_x[-1] == 49_999 and drawn_y[-1] == 49_999**2
    assert [len(a) for a in for_width(x[:100], x[:100], pixels=1_000)] == [100, 100]  # short: every sample
    shuffled = x[::-1].copy()
    assert len(for_width(shuffled, x, pixels=10)[0]) == 50_000  # out of order: left as given, not refused


@pytest.mark.parametrize("seed", range(4))
def test_samples_recorded_after_the_old_ones_extend_the_pyramid_to_what_a_new_one_would_be(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5_000))
    x = np.cumsum(rng.uniform(1, 60, n + 3_000))
    y = rng.normal(0, 1, x.size).cumsum()
    y[rng.integers(0, x.size, 6)] = np.nan
    pyramid = MinMaxPyramid(x[:n], y[:n])
    for more in (1, 7, 2_000):
        grown, fresh = pyramid.extended(x[:n + more], y[:n + more]), MinMaxPyramid(x[:n + more], y[:n + more])
        assert len(grown.levels) == len(fresh.levels)
        for (low, high), (fresh_low, fresh_high) in zip(grown.levels, fresh.levels, strict=True):
            assert np.array_equal(low, fresh_low) and np.array_equal(high, fresh_high)
        assert np.array_equal(grown.breaks, fresh.breaks)
        for got, want in zip(grown.view(x[0], x[n + more - 1], 300), fresh.view(x[0], x[n + more - 1], 300),
                             strict=True):
            assert np.array_equal(got, want, equal_nan=True)
        pyramid = grown
        n += more


def test_other_samples_than_the_old_ones_get_a_pyramid_of_their_own():
    x = np.arange(1_000, dtype=float)
    pyramid = MinMaxPyramid(x, x)
    changed = x.copy()
    changed[10] = -5.0  # an old sample differs: not an extension
    assert pyramid.extended(x, changed).extent(0, 1_000) == (-5.0, 999.0)
    assert pyramid.extended(x[:500], x[:500]).extent(0, 500) == (0.0, 499.0)  # fewer samples
