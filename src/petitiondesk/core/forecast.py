"""Where a petition's count is heading: the final count with an honest 80 % range, and milestone odds.

Growth after the launch burst decays roughly as a power law in the time since opening, broken by
news-driven surges, until the hard stop at closing. So the curve is read on a log-log scale: with
τ the time since opening, the *elasticity* x = Δln(count) / Δln(τ) is how fast the count still
grows relative to its age (x = 1: steady growth; x → 0: stalled). Three figures describe a petition
at any moment:

- L = ln(τ_closing / τ_now), the log-time left (0 at closing, about 5 on the first day);
- x over the last day (or the last gap between samples, when recording is sparse);
- x over the whole known curve (from the first recorded sample or milestone).

The growth still to come, g = ln(final / count now), is predicted at 13 quantile levels as a linear
function of L·x_day, L·x_curve, L²/(1 + L) and L (the last two: the surges still to come; more time
left, more chances). The coefficients were fitted by quantile regression on 4,000 simulated curves
(``bench/backtest_forecast.py --fit``, seed 1; the curves: ``bench/simulated_curves.py``), in which
the final count is drawn apart from the curve's shape, so they describe the shape alone. The base
rates then weigh each possible final count by how common it is among past petitions (Bayes' rule:
a petition at 15,000 is likelier to end at 20,000 than at 200,000 even when its curve cannot tell
them apart). Of the petitions given 20 % to reach a count, about 1 in 5 get there;
``bench/backtest_forecast.py DIR`` prints the errors, the coverage of the 80 % range and that
calibration, on real and simulated curves.

Milestone points the site publishes (10,000 reached at ..., the count at ``updated_at``) join the
recorded samples, so a petition pinned late still has its whole curve. Without ``opened_at`` the
opening is assumed six months before closing (the site's rule, ``core.milestones``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "BUILT_IN_BASE_RATES",
    "BaseRates",
    "Estimate",
    "Forecast",
    "MilestoneOutlook",
    "chance_of_reaching",
    "estimate_final",
    "eta_of_reaching",
    "forecast",
    "milestone_outlook",
]

HOUR = 3600.0
DAY = 86400.0
ASSUMED_LIFE = 182.5 * DAY  # six months: the opening assumed when the document does not say
MIN_SPAN = 2 * HOUR  # less known history than this says nothing about the future
RECENT = DAY  # "the last day": a whole daily cycle, so nights do not pass for a stall
STALLED_FOR = DAY  # no new signature for a whole day (and night): the central figure is the count now
MAX_ELASTICITY = 3.0  # a count growing faster than τ³ is a surge in progress, not a trend

LEVELS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
RANGE = (0.08, 0.92)  # the stated 80 % range: the fitted levels are a little too sure out of sample
# g at each level = b·(L·x_day, L·x_curve, L²/(1+L), L); fitted by bench/backtest_forecast.py --fit.
COEFFICIENTS = np.array(
    [
        [0.0286, 0.0198, 0.0419, -0.0103],  # 2%
        [0.0399, 0.0300, 0.0524, -0.0081],  # 5%
        [0.0520, 0.0437, 0.0817, -0.0108],  # 10%
        [0.0713, 0.0588, 0.1201, -0.0051],  # 20%
        [0.0857, 0.0719, 0.1480, 0.0063],  # 30%
        [0.0993, 0.0705, 0.1620, 0.0296],  # 40%
        [0.1097, 0.0617, 0.1706, 0.0639],  # 50%
        [0.1170, 0.0364, 0.1608, 0.1279],  # 60%
        [0.1275, 0.0087, 0.0222, 0.2996],  # 70%
        [0.1524, 0.0067, -0.3698, 0.6479],  # 80%
        [0.1963, 0.0394, -1.1579, 1.3159],  # 90%
        [0.3078, 0.0822, -2.1379, 2.1087],  # 95%
        [0.4613, 0.0356, -3.5379, 3.2571],  # 98%
    ]
)


@dataclass(frozen=True)
class BaseRates:
    """How the final counts of past petitions are spread, as P(final >= count) at a few counts.

    Used as the prior on the final count: a petition at 15,000 is likelier to end at 20,000 than at
    200,000 even when its curve cannot tell them apart. ``survival`` starts at 1.0 (the population:
    petitions that reached ``counts[0]``); beyond the last count the tail is a power law of index
    ``above_index``, and below the first one of index ``below_index`` (about 1 near 10,000)."""

    counts: tuple[float, ...]
    survival: tuple[float, ...]
    below_index: float = 1.0
    above_index: float = 2.0

    @classmethod
    def from_finals(cls, finals: Iterable[int], threshold: int = 10_000) -> BaseRates | None:
        """From the final counts of past petitions (the site's archived list), those >= ``threshold``;
        None with fewer than 50 of them (too few to say anything)."""
        values = np.sort(np.array([f for f in finals if f >= threshold], dtype=np.float64))
        if values.size < 50:
            return None
        counts = [float(threshold), *np.quantile(values, [1 - level for level in SURVIVAL_LEVELS[1:]])]
        tail = values[values >= counts[-1]]
        above = 1 / max(float(np.mean(np.log(tail / counts[-1]))), 1e-3)
        return cls(tuple(counts), SURVIVAL_LEVELS, above_index=above)

    def log_density(self, log_final: np.ndarray) -> np.ndarray:
        """ln of the density of ln(final), up to a constant: the power law's index times P(final >= f)."""
        log_counts = np.log(self.counts)
        log_survival = np.log(self.survival)
        indices = -np.diff(log_survival) / np.diff(log_counts)
        segment = np.searchsorted(log_counts, log_final, side="right") - 1
        index = np.where(segment >= len(indices), self.above_index, indices[np.clip(segment, 0, len(indices) - 1)])
        index = np.where(segment < 0, self.below_index, index)
        survival = np.interp(log_final, log_counts, log_survival)
        survival = survival - np.where(log_final < log_counts[0], self.below_index * (log_final - log_counts[0]), 0.0)
        survival = survival - np.where(log_final > log_counts[-1], self.above_index * (log_final - log_counts[-1]), 0.0)
        weights: np.ndarray = np.log(np.maximum(index, 1e-6)) + survival
        return weights

    def reweigh(self, count: int, growth: np.ndarray) -> np.ndarray:
        """The growth quantiles after weighing each outcome by how common such a final count is."""
        top = growth[-1] + 3 * (growth[-1] - growth[-3]) + 1e-3  # where the tail beyond 98 % ends, roughly
        knots = np.concatenate([[min(growth[0], 0.0) - 1e-6], growth, [top]])
        levels = np.concatenate([[0.0], LEVELS, [1.0]])
        grid = np.linspace(knots[0], knots[-1], 801)
        mass = np.diff(np.interp(grid, knots, levels))
        middle = (grid[1:] + grid[:-1]) / 2
        weight = self.log_density(math.log(max(count, 1)) + middle)
        mass = mass * np.exp(weight - weight.max())
        if mass.sum() <= 0:
            return growth
        cumulative = np.concatenate([[0.0], np.cumsum(mass) / mass.sum()])
        return np.interp(LEVELS, cumulative, grid)


# Final counts of the 2,220 archived petitions (2011-2024 parliaments) that closed with 10,000 signatures
# or more (petition.parliament.uk, Open Government Licence; via a public tracker's benchmark file): the
# count reached by each share of them. Half end below 19,390; 1 in 6 passes 100,000.
SURVIVAL_LEVELS = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05, 0.02, 0.01)
BUILT_IN_BASE_RATES = BaseRates(
    counts=(10_000, 12_010, 16_000, 19_390, 25_870, 35_490, 60_460, 103_530, 116_490, 160_780, 256_530, 362_600),
    survival=SURVIVAL_LEVELS,
    above_index=1.88,
)


@dataclass(frozen=True)
class Estimate:
    """The count expected at closing: ``final`` is the median, ``low``–``high`` the 80 % range."""

    final: int
    low: int
    high: int
    method: str = "curve"


@dataclass(frozen=True)
class MilestoneOutlook:
    """One milestone for ``show --json``'s ``"milestones"``: when it was reached (POSIX seconds) or,
    if not yet, when the median path reaches it (None: not before closing) and the chance of reaching
    it before closing (None: too little history to say)."""

    target: int
    reached_at: float | None
    eta: float | None
    chance: float | None


@dataclass(frozen=True)
class Forecast:
    """The predicted distribution of the final count of one petition at one moment."""

    count: int  # the latest known count
    at: float  # when it was known
    opened_at: float
    closes_at: float
    growth: tuple[float, ...]  # g = ln(final / count) at each of LEVELS, ascending
    method: str
    closed: bool = False

    def quantile(self, level: float) -> int:
        growth = float(np.interp(level, LEVELS, self.growth))
        return max(self.count, round(self.count * math.exp(growth)))

    def estimate(self) -> Estimate:
        low, high = (self.quantile(level) for level in RANGE)
        final = min(max(self.quantile(0.5), low), high)
        return Estimate(final=final, low=low, high=high, method=self.method)

    def chance(self, target: float) -> float:
        """The probability that the final count reaches ``target``."""
        if target <= self.count:
            return 1.0
        if self.closed or self.count <= 0:
            return 0.0
        needed = math.log(target / self.count)
        growth = self.growth
        if needed <= growth[0]:
            return 1.0 - LEVELS[0] * needed / growth[0] if growth[0] > 0 else 1.0 - LEVELS[0]
        if needed >= growth[-1]:
            # Beyond the top level the tail thins out at the rate of the top levels' spacing.
            spread = max(growth[-1] - growth[-3], 1e-3)
            return (1.0 - LEVELS[-1]) * math.exp(-(needed - growth[-1]) / spread * math.log(3))
        return 1.0 - float(np.interp(needed, growth, LEVELS))

    def eta(self, target: float) -> float | None:
        """When the median path reaches ``target`` (POSIX seconds), or None if it does not before
        closing. The path spreads the median growth evenly over the log-time left, as a power law."""
        if target <= self.count:
            return self.at
        if self.closed:
            return None
        median = float(np.interp(0.5, LEVELS, self.growth))
        needed = math.log(target / self.count) if self.count > 0 else math.inf
        if median <= 0 or needed > median:
            return None
        age, life = self.at - self.opened_at, self.closes_at - self.opened_at
        eta: float = self.opened_at + age * (life / age) ** (needed / median)
        return eta


def estimate_final(times: ArrayLike, counts: ArrayLike, now: float, closes_at: float | None,
                   **optional: Any) -> Estimate | None:
    """The final count expected at ``closes_at`` with its 80 % range, or None without enough history.

    Optional keywords: ``known_points`` (the site's milestones: objects with ``at`` and ``count``,
    or (time, count) pairs), ``opened_at`` (POSIX seconds or datetime). A closed petition's final
    count is its last count."""
    prediction = forecast(times, counts, now, closes_at, **optional)
    return prediction.estimate() if prediction is not None else None


def chance_of_reaching(times: ArrayLike, counts: ArrayLike, now: float, closes_at: float | None, target: float,
                       **optional: Any) -> float | None:
    """The probability in [0, 1] that the count reaches ``target`` before closing (1.0 once reached,
    0.0 once closed below it); None when there is too little history to say (same keywords as
    ``estimate_final``)."""
    prediction = forecast(times, counts, now, closes_at, **optional)
    return prediction.chance(target) if prediction is not None else None


def eta_of_reaching(times: ArrayLike, counts: ArrayLike, now: float, closes_at: float | None, target: float,
                    **optional: Any) -> datetime | None:
    """When the count is expected to reach ``target`` ("10,000 in about 3 days"), in UTC: the median
    path's crossing; None if it does not cross before closing or there is too little history (same
    keywords as ``estimate_final``). A target already reached gives the latest known moment."""
    prediction = forecast(times, counts, now, closes_at, **optional)
    eta = prediction.eta(target) if prediction is not None else None
    return datetime.fromtimestamp(eta, UTC) if eta is not None else None


def milestone_outlook(
    times: ArrayLike, counts: ArrayLike, now: float, closes_at: float | None,
    targets: Iterable[int] = (10_000, 100_000), **optional: Any,
) -> tuple[MilestoneOutlook, ...]:
    """Each target's time reached, ETA and chance, for the detail pane, the chart and ``show --json``.

    A target reached is dated by the site's threshold point, or by the first sample above it that
    follows one below (else None: reached before recording began); one not reached gets its chance
    and the ETA of the median path (both None when there is too little history to say)."""
    t, c = _known_curve(times, counts, now, optional.get("known_points"))
    prediction = forecast(times, counts, now, closes_at, **optional)
    outlook = []
    for target in targets:
        above = np.flatnonzero(c >= target)
        if above.size:
            first = int(above[0])
            dated = first > 0 or c[first] == target
            outlook.append(MilestoneOutlook(target, float(t[first]) if dated else None, None, 1.0))
        elif prediction is None:
            outlook.append(MilestoneOutlook(target, None, None, None))
        else:
            outlook.append(MilestoneOutlook(target, None, prediction.eta(target), prediction.chance(target)))
    return tuple(outlook)


def forecast(times: ArrayLike, counts: ArrayLike, now: float, closes_at: float | None, *,
             known_points: Iterable[Any] | None = None, opened_at: datetime | float | None = None,
             base_rates: BaseRates | None = BUILT_IN_BASE_RATES) -> Forecast | None:
    """The distribution behind ``estimate_final`` and ``chance_of_reaching`` (see module doc)."""
    t, c = _known_curve(times, counts, now, known_points)
    if closes_at is None or t.size == 0:
        return None
    count, at = int(c[-1]), float(t[-1])
    if now >= closes_at:
        return Forecast(count, at, at, float(closes_at), (0.0,) * len(LEVELS), "closed", closed=True)
    opened, method = _opening(t, closes_at, opened_at)
    t, c = t[t > opened], c[t > opened]  # the sponsors sign before opening: the clock starts at opening
    if t.size == 0 or at - t[0] < MIN_SPAN:
        return None
    features = _features(t, c, opened, float(closes_at))
    if features is None:
        return None
    growth = np.sort(np.maximum(COEFFICIENTS @ np.asarray(features), 0.0))
    if base_rates is not None:
        growth = base_rates.reweigh(count, growth)
    else:
        method += ", no base rates"
    if _stalled(t, c):
        growth[np.asarray(LEVELS) <= 0.5] = 0.0
        method += ", stalled"
    return Forecast(count, at, opened, float(closes_at), tuple(float(g) for g in growth), method)


def _known_curve(times: ArrayLike, counts: ArrayLike, now: float,
                 known_points: Iterable[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Recorded samples and the site's milestone points at or before ``now``, sorted by time."""
    t = np.asarray(times, dtype=np.float64).ravel()
    c = np.asarray(counts, dtype=np.int64).ravel()
    if t.shape != c.shape:
        raise ValueError(f"times and counts differ in length ({t.size} and {c.size})")
    points = [_as_pair(point) for point in known_points or ()]
    if points:
        t = np.concatenate([t, [when for when, _ in points]])
        c = np.concatenate([c, np.array([count for _, count in points], dtype=np.int64)])
    order = np.argsort(t, kind="stable")
    t, c = t[order], c[order]
    keep = np.searchsorted(t, now, side="right")
    return t[:keep], c[:keep]


def _as_pair(point: Any) -> tuple[float, int]:
    if isinstance(point, tuple):
        when, count = point
    else:
        when, count = point.at, point.count
    return _seconds(when), int(count)


def _seconds(when: datetime | float) -> float:
    return when.timestamp() if isinstance(when, datetime) else float(when)


def _opening(t: np.ndarray, closes_at: float, opened_at: datetime | float | None) -> tuple[float, str]:
    """When the petition opened, and the method's name; assumed if unknown or after the last point."""
    if opened_at is not None and _seconds(opened_at) < t[-1]:
        return _seconds(opened_at), "curve"
    assumed = closes_at - ASSUMED_LIFE
    return min(assumed, float(t[0]) - HOUR), "curve, opening assumed"


def _features(t: np.ndarray, c: np.ndarray, opened: float, closes_at: float) -> tuple[float, ...] | None:
    """(L·x_day, L·x_curve, L²/(1+L), L) at the last point (see module doc); None without two points."""
    age = t[-1] - opened
    log_time_left = math.log(max(closes_at - opened, age) / age)
    recent = _elasticity(t, c, opened, t[-1] - RECENT)
    whole = _elasticity(t, c, opened, t[0])
    if recent is None or whole is None:
        return None
    return log_time_left * recent, log_time_left * whole, log_time_left**2 / (1 + log_time_left), log_time_left


def _elasticity(t: np.ndarray, c: np.ndarray, opened: float, since: float) -> float | None:
    """Δln(count)/Δln(age) from the last point at or before ``since`` (else the first) to the last."""
    index = max(int(np.searchsorted(t, since, side="right")) - 1, 0)
    if t[-1] - t[index] < HOUR:
        return None
    rise = math.log(max(int(c[-1]), 1) / max(int(c[index]), 1))
    return min(max(rise / math.log((t[-1] - opened) / (t[index] - opened)), 0.0), MAX_ELASTICITY)


def _stalled(t: np.ndarray, c: np.ndarray) -> bool:
    """No new signature over the last STALLED_FOR seconds of known history."""
    index = int(np.searchsorted(t, t[-1] - STALLED_FOR, side="right")) - 1
    return index >= 0 and c[-1] <= c[index]


