"""What the recorded signature samples say: recent change, rate and where the count is heading.

The site keeps no history, so the app records its own samples: ``times`` are POSIX seconds
(float64), ``counts`` the signature counts (int64), sorted by time. A plateau is stored as its two
ends, so between two samples the count is either flat (plateau) or unknown; "the count at a time"
is the last sample at or before it (step interpolation) unless said otherwise.

Estimating the final count (``estimate_final``)
-----------------------------------------------
After the launch burst a petition's signing rate decays roughly exponentially, r(t) = r0·e^(-kt)
(news coverage adds bumps, the night a daily dip). So:

1. Take the last 7 days of samples, cut them into 1-hour bins and compute each bin's rate
   (counts linearly interpolated at the bin edges).
2. Fit log(rate) = a - k·t by least squares (an empty bin counts as half a signature, so quiet
   nights do not break the logarithm). The fitted rate at the last sample is r0; the daily cycle
   averages out in the fit: with two days of data or more the fit uses trailing 24-hour
   averages, which keep an exponential's decay and remove the daily cycle.
3. If the fit shows decay (k > 0), the signatures still to come before closing are
   r0/k·(1 - e^(-kH)) for the H hours left. The band uses k ± 2 standard errors (counting one
   independent point per averaging window, and at least ±10% of k, since no petition is exactly
   exponential; ±50% with under two days of data, when the evening's fall may pass for decay).
4. Without a usable fit (less than 6 hours with signatures, or a rate that is not clearly
   decaying: k within 2 standard errors of 0, or a half-life over 30 days) the estimate is the
   rate of the last 24 hours sustained until closing, with a low end that assumes the rate
   halves every day (a typical decay after launch).

Estimates are never negative and never below the current count; a closed petition's final count
is its last count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import numpy as np

__all__ = [
    "Change",
    "Estimate",
    "change_over",
    "closing_timestamp",
    "estimate_final",
    "milestones_in_range",
    "rate_per_hour",
]

HOUR = 3600.0
DAY = 86400.0
MIN_ESTIMATE_SPAN = 2 * HOUR  # less recorded history than this says nothing about the future
MIN_RATE_SPAN = 10 * 60.0  # two samples a minute apart give a noisy rate, not a trend
MIN_FIT_BINS = 6
FIT_WINDOW = 7 * DAY
SUSTAINED_RATE_WINDOW = DAY
TYPICAL_DECAY_PER_HOUR = math.log(2) / 24  # "halves every day": the fallback's low end
EMPTY_BIN_RATE = 0.5  # signatures per hour assumed for an hour without any
DAILY_SMOOTHING = 24  # hours averaged to remove the daily cycle
MIN_RELATIVE_DECAY_ERROR = 0.1
# Under two days the daily cycle cannot be averaged out and may pass for decay: say so.
MIN_RELATIVE_DECAY_ERROR_YOUNG = 0.5
MIN_DECAY_PER_HOUR = math.log(2) / (30 * 24)  # a half-life over 30 days is no decay to speak of


@dataclass(frozen=True)
class Change:
    """The count's change over a window; ``complete`` is False when recording began later than
    the window's start, and ``since`` then says when it began."""

    delta: int
    since: float
    complete: bool


@dataclass(frozen=True)
class Estimate:
    final: int
    low: int
    high: int


def _series(times, counts, now: float) -> tuple[np.ndarray, np.ndarray]:
    """The samples at or before ``now``, as float64 times and int64 counts sorted by time."""
    t = np.asarray(times, dtype=np.float64).ravel()
    c = np.asarray(counts, dtype=np.int64).ravel()
    if t.shape != c.shape:
        raise ValueError(f"times and counts differ in length ({t.size} and {c.size})")
    if t.size > 1 and np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        t, c = t[order], c[order]
    keep = np.searchsorted(t, now, side="right")
    return t[:keep], c[:keep]


def _count_at(t: np.ndarray, c: np.ndarray, when: float) -> int | None:
    """Step interpolation: the last count recorded at or before ``when``."""
    index = np.searchsorted(t, when, side="right") - 1
    return int(c[index]) if index >= 0 else None


def change_over(times, counts, now: float, window: float = DAY) -> Change:
    """How much the count changed in the ``window`` seconds up to ``now`` (may be negative:
    the site removes invalid signatures)."""
    t, c = _series(times, counts, now)
    now = float(now)
    start = now - window
    if t.size == 0:
        return Change(delta=0, since=now, complete=False)
    latest = int(c[-1])
    baseline = _count_at(t, c, start)
    if baseline is None:  # recording began inside the window
        return Change(delta=latest - int(c[0]), since=float(t[0]), complete=False)
    return Change(delta=latest - baseline, since=start, complete=True)


def rate_per_hour(times, counts, now: float, window: float = 3 * HOUR) -> float | None:
    """Signatures per hour over the last ``window`` seconds, measured between real samples.

    None when there are fewer than two samples, when they span less than 10 minutes, or when the
    newest is older than ``window`` (recording stopped: the rate would describe the past).
    """
    t, c = _series(times, counts, now)
    if t.size < 2 or now - t[-1] > window:
        return None
    start_index = max(int(np.searchsorted(t, now - window, side="right")) - 1, 0)
    span = t[-1] - t[start_index]
    if span < MIN_RATE_SPAN:
        return None
    return float(c[-1] - c[start_index]) / span * HOUR


def estimate_final(times, counts, now: float, closes_at: float | None) -> Estimate | None:
    """The count expected when the petition closes, with a plausible range (see module doc)."""
    t, c = _series(times, counts, now)
    if closes_at is None or t.size == 0:
        return None
    current = int(c[-1])
    if now >= closes_at:
        return Estimate(final=current, low=current, high=current)
    if t[-1] - t[0] < MIN_ESTIMATE_SPAN:
        return None
    hours_left = max(closes_at - t[-1], 0.0) / HOUR
    fit = _fit_decay(t, c)
    if fit is not None:
        rate_now, decay, decay_error = fit
        final = _expected_remaining(rate_now, decay, hours_left)
        low = _expected_remaining(rate_now, decay + 2 * decay_error, hours_left)
        high = _expected_remaining(rate_now, decay - 2 * decay_error, hours_left)
    else:
        rate_now = max(_sustained_rate(t, c), 0.0)
        final = rate_now * hours_left
        low = _expected_remaining(rate_now, TYPICAL_DECAY_PER_HOUR, hours_left)
        high = final
    return Estimate(
        final=current + round(final),
        low=current + round(min(low, final)),
        high=current + round(max(high, final)),
    )


def _expected_remaining(rate_now: float, decay: float, hours: float) -> float:
    """Signatures over ``hours`` from a rate decaying as e^(-decay·t); constant if decay <= 0."""
    if rate_now <= 0 or hours <= 0:
        return 0.0
    if decay <= 1e-9:
        return rate_now * hours
    return rate_now / decay * -math.expm1(-decay * hours)


def _fit_decay(t: np.ndarray, c: np.ndarray) -> tuple[float, float, float] | None:
    """(rate per hour at the last sample, decay per hour, its standard error), or None."""
    start = max(t[0], t[-1] - FIT_WINDOW)
    span_hours = int((t[-1] - start) // HOUR)
    if span_hours < MIN_FIT_BINS:
        return None
    # With two days or more, trailing 24-hour averages remove the daily cycle; an exponential
    # keeps its decay under such an average, only its level is scaled (undone below).
    smoothing = DAILY_SMOOTHING if span_hours >= 2 * DAILY_SMOOTHING else 1
    edges = t[-1] - HOUR * np.arange(span_hours, -1, -1, dtype=np.float64)
    edge_counts = np.interp(edges, t, c.astype(np.float64))
    rates = (edge_counts[smoothing:] - edge_counts[:-smoothing]) / smoothing
    if np.count_nonzero(rates > 0) < MIN_FIT_BINS:
        return None  # mostly empty hours: the fit would describe the floor, not the petition
    log_rates = np.log(np.maximum(rates, EMPTY_BIN_RATE))
    hours = (edges[smoothing:] - smoothing * HOUR / 2 - t[-1]) / HOUR  # window centres, <= 0
    slope, intercept = np.polyfit(hours, log_rates, 1)
    decay = -float(slope)
    residuals = log_rates - (intercept + slope * hours)
    spread = float(np.sum((hours - hours.mean()) ** 2))
    # Overlapping windows are not independent: count one point per window length, which
    # shrinks the effective spread of the times by that factor.
    variance = float(np.sum(residuals**2)) / hours.size
    independent = max(hours.size / smoothing, 3.0)
    small_sample = independent / (independent - 2)
    slope_error = math.sqrt(variance * smoothing / spread * small_sample)
    if not (math.isfinite(decay) and math.isfinite(slope_error)):
        return None
    if decay <= 2 * slope_error or decay < MIN_DECAY_PER_HOUR:
        return None  # not clearly decaying: the sustained rate says as much, more simply
    # Real petitions are not exactly exponential (news, debates): never claim better than this.
    floor = MIN_RELATIVE_DECAY_ERROR if smoothing > 1 else MIN_RELATIVE_DECAY_ERROR_YOUNG
    slope_error = max(slope_error, floor * decay)
    half_window = decay * smoothing / 2
    averaging_gain = math.sinh(half_window) / half_window if half_window > 1e-12 else 1.0
    return math.exp(float(intercept)) / averaging_gain, decay, slope_error


def _sustained_rate(t: np.ndarray, c: np.ndarray) -> float:
    """Signatures per hour over the last day, or since recording began if that is shorter."""
    start = max(t[0], t[-1] - SUSTAINED_RATE_WINDOW)
    start_count = float(np.interp(start, t, c.astype(np.float64)))
    return (float(c[-1]) - start_count) / ((t[-1] - start) / HOUR)


def milestones_in_range(low: float, high: float, thresholds=(10_000, 100_000)) -> tuple[int, ...]:
    """The thresholds a chart showing counts from ``low`` to ``high`` should draw, ascending."""
    bottom, top = min(low, high), max(low, high)
    return tuple(sorted(int(level) for level in thresholds if bottom <= level <= top))


def closing_timestamp(petition) -> float | None:
    """When the petition closes (or closed), in POSIX seconds; None if unknown.

    ``closed_at`` wins; otherwise ``closing_date`` means the end of that day in UK time (§16.5).
    Without the tz database (some Windows installs) it falls back to the end of the day in UTC.
    """
    if petition.closed_at is not None:
        return petition.closed_at.timestamp()
    if petition.closing_date is None:
        return None
    try:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo("Europe/London")
    except Exception:  # ZoneInfoNotFoundError or a missing module: an hour off at most
        zone = UTC
    try:
        next_midnight = datetime.combine(petition.closing_date + timedelta(days=1), time(), tzinfo=zone)
    except OverflowError:  # 9999-12-31 from the network: no real closing time
        return None
    return next_midnight.timestamp() - 0.001
