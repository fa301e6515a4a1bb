"""Where a signature chart looks: the time and count ranges that frame a petition's samples.

One place for the rule, so that the window (before the user zooms), a count range following a time
zoom, and `petitiondesk export-chart` frame a petition alike. Plain numpy: no Qt, tested without a
display. Count ranges are in view units: counts on a linear axis, log10(counts) on a log one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

# A threshold is brought into the frame once the count reaches this share of it, so that a
# petition closing in on 10,000 or 100,000 shows how far it has to go.
NEAR_THRESHOLD = 0.8
Y_PADDING = 0.05
# Samples that start below this share of the top are drawn from 0; later ones from their minimum.
ZERO_BASED_BELOW = 0.2
# One sample (or several in the same second) gets this much time around it.
LONE_SAMPLE_SPAN = 3600.0


def time_frame(times: np.ndarray) -> tuple[float, float]:
    """The time range (POSIX seconds) that shows every sample, with a little room after the last."""
    first, last = float(times[0]), float(times[-1])
    span = last - first
    if span <= 0:
        return first - LONE_SAMPLE_SPAN / 2, last + LONE_SAMPLE_SPAN / 2
    return first - span * 0.01, last + span * 0.03


def count_frame(counts: np.ndarray, thresholds: Iterable[int] = (), log: bool = False) -> tuple[float, float]:
    """The count range (view units) that shows `counts`, and a threshold they are closing in on."""
    counts = np.asarray(counts, dtype=float)
    low, top = float(np.min(counts)), float(np.max(counts))
    for threshold in thresholds:
        if NEAR_THRESHOLD * threshold <= top < threshold:
            top = float(threshold)
    if log:
        positive = counts[counts > 0]
        bottom = float(np.min(positive)) if positive.size else 1.0
        low_log, high_log = math.log10(bottom), math.log10(max(top, bottom, 1.0))
        pad = max((high_log - low_log) * Y_PADDING, 0.02)
        return low_log - pad, high_log + pad
    if low < ZERO_BASED_BELOW * top:
        low = 0.0  # a history from early on: keep the honest zero baseline
    # Recorded late in a big petition's life: the recorded range, so that growth shows.
    span = max(top - low, 10.0, top * 0.001)
    bottom = max(low - span * Y_PADDING, 0.0) if low > 0 else 0.0
    return bottom, low + span * (1 + Y_PADDING)


def visible_counts(times: np.ndarray, counts: np.ndarray, low: float, high: float) -> np.ndarray:
    """The counts shown between two times, plus the samples either side that the line runs to."""
    if not len(times):
        return np.asarray(counts[:0], dtype=float)
    start = max(int(np.searchsorted(times, low, side="left")) - 1, 0)
    stop = min(int(np.searchsorted(times, high, side="right")) + 1, len(times))
    return np.asarray(counts[start:stop], dtype=float)


def in_view(count: float, count_range: tuple[float, float], log: bool) -> bool:
    """Whether a count (e.g. a threshold) lies within a count range given in view units."""
    if log:
        if count <= 0:
            return False
        count = math.log10(count)
    low, high = count_range
    return low <= count <= high
