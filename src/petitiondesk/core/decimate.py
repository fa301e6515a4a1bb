"""Long curves drawn at the detail a screen can show: a min/max pyramid, built once per curve.

A petition recorded every minute for two years has a million samples; a chart is about 1,500 pixels
wide. Reducing the samples in view to each pixel's lowest and highest at every frame of a pan costs
a pass over all of them (pyqtgraph's "peak" downsampling); the pyramid does that work once. Level
k holds, for each run of 2**k samples starting at a multiple of 2**k, the index of its lowest and
highest sample (and of its first break, a NaN count), so that any range at any width is answered
by slicing one level: about two points per pixel, in the order they were recorded, at the samples'
own times. Spikes and the exact ends of the range are kept; nothing is averaged away.

Plain numpy, no Qt: the window's curves (`gui/lod_curve.py`) and tests use it alike.
"""

from __future__ import annotations

import math

import numpy as np


class MinMaxPyramid:
    """The samples (x ascending, finite; y may hold NaN where the line breaks) and their levels."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x = np.ascontiguousarray(x, dtype=float)
        self.y = np.ascontiguousarray(y, dtype=float)
        if self.x.shape != self.y.shape or self.x.ndim != 1:
            raise ValueError("x and y must be one-dimensional and of the same length")
        if not _ascending_and_finite(self.x):
            raise ValueError("x must be finite and in ascending order")
        index_type = np.int32 if self.y.size < 2**31 - 1 else np.int64  # half the memory while it fits
        index = np.arange(self.y.size, dtype=index_type)
        #: Where the line breaks (NaN), few: kept as they are, not per level.
        self.breaks = np.flatnonzero(np.isnan(self.y))
        #: levels[k] = (lowest, highest) sample of each run of 2**k samples; level 0 is the samples.
        self.levels: list[tuple[np.ndarray, np.ndarray]] = [(index, index)]
        while self.levels[-1][0].size > 1:
            self.levels.append(self._coarser(*self.levels[-1]))

    def __len__(self) -> int:
        return int(self.x.size)

    def extended(self, x: np.ndarray, y: np.ndarray) -> MinMaxPyramid:
        """The pyramid of these samples, which begin with this one's (new samples recorded after
        them: a refresh): only the runs the new samples fall in are worked out again, not a
        million samples' worth. Other samples get a pyramid of their own."""
        grown = MinMaxPyramid.__new__(MinMaxPyramid)
        grown.x, grown.y = np.ascontiguousarray(x, dtype=float), np.ascontiguousarray(y, dtype=float)
        old = len(self)
        if (grown.x.size < old or not old or not _same_bits(grown.x[:old], self.x)
                or not _same_bits(grown.y[:old], self.y) or not _ascending_and_finite(grown.x[old - 1:])):
            return MinMaxPyramid(x, y)
        grown.breaks = np.concatenate([self.breaks, old + np.flatnonzero(np.isnan(grown.y[old:]))])
        index = np.arange(grown.y.size, dtype=self.levels[0][0].dtype)
        grown.levels = [(index, index)]
        for level, (lowest, highest) in enumerate(self.levels[1:], start=1):
            kept = old >> level  # runs that were whole before: unchanged
            below_low, below_high = grown.levels[-1]
            low, high = grown._coarser(below_low[2 * kept:], below_high[2 * kept:])
            grown.levels.append((np.concatenate([lowest[:kept], low]), np.concatenate([highest[:kept], high])))
        while grown.levels[-1][0].size > 1:
            grown.levels.append(grown._coarser(*grown.levels[-1]))
        return grown

    def _coarser(self, lowest: np.ndarray, highest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The next level: each pair of runs as one (an odd last run pairs with itself)."""
        if lowest.size % 2:
            lowest, highest = np.append(lowest, lowest[-1]), np.append(highest, highest[-1])
        y = self.y
        # NaN compares false: a run that is all break yields the other run's sample.
        a, b = lowest[0::2], lowest[1::2]
        low = np.where((y[a] <= y[b]) | np.isnan(y[b]), a, b)
        a, b = highest[0::2], highest[1::2]
        high = np.where((y[a] >= y[b]) | np.isnan(y[b]), a, b)
        return low, high

    # -- drawing ---------------------------------------------------------------------------------
    def view(self, low: float, high: float, pixels: float) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw for x in [low, high] across `pixels` pixels: the sample before the
        range and the one after (so the line runs to both edges), and between them every run of
        at most one pixel as its lowest and highest sample (and a NaN where it breaks)."""
        start, stop = self.span(low, high)
        level = self.level_for(stop - start, pixels)
        if level == 0:
            return self.x[start:stop], self.y[start:stop]
        index = self.indices(start, stop, level)
        return self.x[index], self.y[index]

    def span(self, low: float, high: float) -> tuple[int, int]:
        """Indices [start, stop) of the samples in [low, high] and one either side (a sample, not
        a break: the line runs to the edges)."""
        start = max(int(np.searchsorted(self.x, low, side="left")) - 1, 0)
        stop = max(min(int(np.searchsorted(self.x, high, side="right")) + 1, self.x.size), start)
        if start > 0 and np.isnan(self.y[start]):
            start -= 1
        if start < stop < self.x.size and np.isnan(self.y[stop - 1]):
            stop += 1
        return start, stop

    def level_for(self, count: int, pixels: float) -> int:
        """The coarsest level whose runs are at most one pixel wide (0: draw the samples)."""
        if count <= 2 * max(pixels, 1.0):
            return 0
        return min(int(math.log2(count / max(pixels, 1.0))), len(self.levels) - 1)

    def indices(self, start: int, stop: int, level: int) -> np.ndarray:
        """Which samples stand for [start, stop) at `level`, in recorded order: the first and the
        last exactly, then each run by its lowest and highest sample. The partial runs at either
        end, and runs with a break, are split at their breaks: each stretch by its own lowest and
        highest, the breaks between (the line stops at a break, and runs up to it)."""
        if stop - start <= 2:
            return np.arange(start, stop)
        size = 1 << level
        inner_start, inner_stop = start + 1, stop - 1
        first_run, end_run = -(-inner_start // size), inner_stop // size  # whole runs inside
        breaks = self.breaks[np.searchsorted(self.breaks, inner_start):np.searchsorted(self.breaks, inner_stop)]
        if first_run >= end_run:
            first_run = end_run = 0
            span_starts, span_ends = np.array([inner_start]), np.array([inner_stop])
        elif not breaks.size:  # the usual case: the runs' own extremes, in order, without sorting them all
            return np.concatenate([[start], self._unbroken(inner_start, inner_stop, first_run, end_run, level),
                                   [stop - 1]]).astype(np.intp)
        else:
            broken = self._broken_runs(first_run, end_run, level)
            span_starts = np.concatenate([[inner_start], broken * size, [end_run * size]])
            span_ends = np.concatenate([[first_run * size], (broken + 1) * size, [inner_stop]])
            whole = np.ones(end_run - first_run, dtype=bool)
            whole[broken - first_run] = False
        stretch_starts = np.sort(np.concatenate([span_starts, breaks + 1]))
        stretch_ends = np.sort(np.concatenate([span_ends, breaks]))
        picks = [breaks, self._stretch_extremes(stretch_starts, stretch_ends)]
        if end_run > first_run:
            lowest, highest = self.levels[level]
            picks += [lowest[first_run:end_run][whole], highest[first_run:end_run][whole]]
        middle = _first_of_each(np.sort(np.concatenate(picks).astype(np.intp)))  # recorded order, each once
        return np.concatenate([[start], middle, [stop - 1]]).astype(np.intp)

    def _unbroken(self, inner_start: int, inner_stop: int, first_run: int, end_run: int, level: int) -> np.ndarray:
        """`indices` between the ends when no break lies there: each run's lowest and highest in
        the order recorded, the partial runs at either end read from the samples."""
        lowest, highest = self.levels[level]
        low, high = lowest[first_run:end_run], highest[first_run:end_run]
        pairs = np.empty((low.size, 2), dtype=np.intp)
        np.minimum(low, high, out=pairs[:, 0])
        np.maximum(low, high, out=pairs[:, 1])
        ends = self._stretch_extremes(np.array([inner_start, end_run << level]),
                                      np.array([first_run << level, inner_stop]))
        head, tail = np.sort(ends[ends < first_run << level]), np.sort(ends[ends >= end_run << level])
        return _first_of_each(np.concatenate([head, pairs.ravel(), tail]))

    def _broken_runs(self, first_run: int, end_run: int, level: int) -> np.ndarray:
        """The runs in [first_run, end_run) at `level` that hold a break (few: breaks are rare)."""
        within = self.breaks[np.searchsorted(self.breaks, first_run << level):
                             np.searchsorted(self.breaks, end_run << level)]
        return _first_of_each(within >> level)

    def _stretch_extremes(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The first lowest and first highest sample of each stretch [starts[i], ends[i]) (no
        break inside; empty ones left out), read from the samples: all stretches in one pass."""
        filled = starts < ends
        starts, ends = starts[filled], ends[filled]
        if not starts.size:
            return np.empty(0, dtype=np.intp)
        lengths = ends - starts
        offsets = np.cumsum(lengths) - lengths  # where each stretch begins in `where`
        where = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
        stretch = np.repeat(np.arange(starts.size), lengths)
        values = self.y[where]
        picks = []
        for reduce in (np.minimum, np.maximum):
            hits = np.flatnonzero(values == reduce.reduceat(values, offsets)[stretch])
            owner = stretch[hits]
            picks.append(where[hits[_first_mask(owner)]])
        return np.concatenate(picks)

    # -- ranges ----------------------------------------------------------------------------------
    def extent(self, start: int, stop: int) -> tuple[float, float] | None:
        """The lowest and highest y of samples [start, stop) (NaN left out), from whole runs: a
        few dozen lookups however long the range. None when there is no number there."""
        picks: list[np.ndarray] = []
        level = 0
        while start < stop:
            lowest, highest = self.levels[level]
            if start & 1:
                picks.append(np.array([lowest[start], highest[start]]))
                start += 1
            if stop & 1:
                stop -= 1
                picks.append(np.array([lowest[stop], highest[stop]]))
            start, stop, level = start >> 1, stop >> 1, level + 1
        values = self.y[np.concatenate(picks)] if picks else np.empty(0)
        values = values[~np.isnan(values)]
        return (float(values.min()), float(values.max())) if values.size else None


def for_width(x: np.ndarray, y: np.ndarray, pixels: float) -> tuple[np.ndarray, np.ndarray]:
    """The whole curve as drawn `pixels` wide (an exported image): each pixel's lowest and highest
    sample, the ends and the breaks, instead of every sample (an SVG of a million points is 17 MB
    and takes seconds to draw). Samples not in ascending time are returned as they are."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size <= 2 * pixels:
        return x, y
    try:
        pyramid = MinMaxPyramid(x, y)
    except ValueError:
        return x, y
    return pyramid.view(float(x[0]), float(x[-1]), pixels)


def _ascending_and_finite(x: np.ndarray) -> bool:
    return bool(np.isfinite(x).all()) and not (x.size > 1 and np.any(np.diff(x) < 0))


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal, NaN and all, compared as bits: a tenth of np.array_equal(equal_nan=True)'s time."""
    return np.array_equal(np.ascontiguousarray(a).view(np.uint64), np.ascontiguousarray(b).view(np.uint64))


def _first_mask(ordered: np.ndarray) -> np.ndarray:
    """True at the first of each run of equal values in a sorted array (np.unique without its cost)."""
    mask = np.ones(ordered.size, dtype=bool)
    mask[1:] = ordered[1:] != ordered[:-1]
    return mask


def _first_of_each(ordered: np.ndarray) -> np.ndarray:
    return np.asarray(ordered[_first_mask(ordered)])
