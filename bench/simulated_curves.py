"""Realistic simulated signature curves for backtesting the forecast (``backtest_forecast.py --simulate``).

Each petition runs six months from opening. Its signing rate is a launch burst that decays as a power
law in the time since opening, r(τ) = A·(1 + τ/τ0)^-α, with a daily cycle (quiet nights), now and then
a news-driven surge that decays in turn, and a hard stop at closing. Final counts are drawn first so
that the population has the real base rates (issue 11; petition.parliament.uk archived petitions
2011-2024): of petitions that reach 10,000, half end below 20,000 and about 1 in 6 reaches 100,000.
Below 10,000 a power law of index 1 continues down to 1,000: petitions that end smaller are of
little interest to a forecast.

Recorded samples come in two kinds, as in real use: sparse snapshots over the whole life (like the
web-archive captures of real curves) or the app's own recording, which starts when the petition is
pinned and pauses when the app is closed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOUR = 3600.0
DAY = 86400.0
LIFE_DAYS = 182.6
START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
OPENING_COUNT = 6  # the creator and 5 supporters, before moderation
SHARE_ABOVE_10K = 0.1  # of petitions ending with 1,000 or more (index 1 from 1,000 to 10,000)



@dataclass(frozen=True)
class SimulatedCurve:
    id: int
    opened_at: float
    closes_at: float
    times: np.ndarray  # recorded sample times, POSIX seconds
    counts: np.ndarray
    final: int
    milestones: dict[int, float]  # threshold -> when the site says it was reached


def draw_final(rng: np.random.Generator) -> float:
    """A final count from 1,000 up, with the real base rates above 10,000 (see module doc)."""
    u = rng.random()
    if u >= SHARE_ABOVE_10K:  # one power law (index 1) through 10,000: no step in the density there
        return 10_000.0 * SHARE_ABOVE_10K / u
    u /= SHARE_ABOVE_10K  # above 10k: 1/2 beyond 20k (index 1), 1/6 beyond 100k (index ln3/ln5), then 2.3
    if u > 0.5:
        return 10_000.0 / u
    if u > 1 / 6:
        return 20_000.0 * (0.5 / u) ** (1 / (math.log(3) / math.log(5)))
    return 100_000.0 * ((1 / 6) / u) ** (1 / 2.3)


def _rate_shape(rng: np.random.Generator, hours: np.ndarray) -> np.ndarray:
    """Relative signing rate per hour over the petition's life (its level is set later)."""
    tau0 = rng.lognormal(math.log(24), 0.8)
    rate = (1 + hours / tau0) ** -rng.uniform(1.0, 2.0)
    for start in np.sort(rng.uniform(0, hours[-1], size=rng.poisson(2))):  # news-driven surges
        later = hours >= start
        kernel = (1 + (hours[later] - start) / rng.lognormal(math.log(12), 0.8)) ** -rng.uniform(1.2, 2.2)
        signed_so_far = rate[~later].sum()  # a surge brings a share of the signatures so far, at times many
        rate[later] += kernel / kernel.sum() * signed_so_far * rng.lognormal(math.log(0.12), 1.4)
    cycle = 1 + rng.uniform(0.3, 0.8) * np.sin(2 * np.pi * (hours % 24 - 9) / 24)
    return rate * cycle


def simulate_curve(rng: np.random.Generator, petition_id: int) -> SimulatedCurve:
    opened = START + rng.uniform(0, 365) * DAY
    life_hours = int(LIFE_DAYS * 24)
    hours = np.arange(life_hours + 1, dtype=np.float64)
    shape = _rate_shape(rng, hours[:-1])
    final = draw_final(rng)
    expected = shape / shape.sum() * (final - OPENING_COUNT)
    per_hour = rng.poisson(expected)
    counts = OPENING_COUNT + np.concatenate([[0], np.cumsum(per_hour)])
    if rng.random() < 0.1:  # the site removes invalid signatures once
        when = rng.integers(life_hours // 4, life_hours)
        counts[when:] -= int(counts[when] * rng.uniform(0.002, 0.02))
    grid = opened + hours * HOUR
    times = _recording_times(rng, grid[0], grid[-1])
    recorded = counts[np.minimum(np.searchsorted(grid, times, side="right") - 1, life_hours)]
    return SimulatedCurve(
        id=petition_id,
        opened_at=opened,
        closes_at=grid[-1],
        times=times,
        counts=recorded.astype(np.int64),
        final=int(counts[-1]),
        milestones=_thresholds_reached(grid, counts),
    )


def _recording_times(rng: np.random.Generator, opened: float, closes: float) -> np.ndarray:
    if rng.random() < 0.5:  # sparse snapshots over the whole life, like web-archive captures
        return np.sort(rng.uniform(opened, closes, size=rng.integers(15, 45)))
    pinned = opened + rng.uniform(0, 0.6) * (closes - opened)
    times = np.arange(pinned, closes, 30 * 60.0)
    running = rng.random(times.size // 48 + 1) < 0.7  # the app runs on about 70 % of days
    return times[running[((times - pinned) // DAY).astype(int)]]


def _thresholds_reached(grid: np.ndarray, counts: np.ndarray) -> dict[int, float]:
    reached = {}
    for threshold in (10_000, 100_000):
        index = int(np.searchsorted(counts, threshold))  # counts rise but for rare drops: good enough
        if index < counts.size and counts[index] >= threshold:
            reached[threshold] = float(grid[index])
    return reached


def simulate(count: int, seed: int) -> list[SimulatedCurve]:
    rng = np.random.default_rng(seed)
    return [simulate_curve(rng, 900_000 + index) for index in range(count)]
