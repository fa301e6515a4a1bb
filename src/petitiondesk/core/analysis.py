"""What the recorded signature samples say: recent change, rate and where the count is heading.

The site keeps no history, so the app records its own samples: ``times`` are POSIX seconds
(float64), ``counts`` the signature counts (int64), sorted by time. A plateau is stored as its two
ends, so between two samples the count is either flat (plateau) or unknown; "the count at a time"
is the last sample at or before it (step interpolation) unless said otherwise.

The final-count forecast and the milestone odds live in ``core.forecast`` (re-exported here: the
issue's contract names ``analysis.estimate_final`` and ``analysis.chance_of_reaching``); what a
petition document says about its past and its deadline lives in ``core.milestones``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from petitiondesk.core.forecast import (
    BUILT_IN_BASE_RATES,
    BaseRates,
    Estimate,
    MilestoneOutlook,
    chance_of_reaching,
    estimate_final,
    eta_of_reaching,
    forecast,
    milestone_outlook,
)
from petitiondesk.core.milestones import Deadline, Event, KnownPoint, deadline, effective_state, events, known_points
from petitiondesk.core.models import Petition

__all__ = [
    "Change",
    "Estimate",
    "MilestoneOutlook",
    "Outlook",
    "outlook",
    "chance_of_reaching",
    "change_over",
    "closing_timestamp",
    "estimate_final",
    "eta_of_reaching",
    "milestone_outlook",
    "milestones_in_range",
    "rate_per_hour",
]

HOUR = 3600.0
DAY = 86400.0
MIN_RATE_SPAN = 10 * 60.0  # two samples a minute apart give a noisy rate, not a trend


@dataclass(frozen=True)
class Change:
    """The count's change over a window; ``complete`` is False when recording began later than
    the window's start, and ``since`` then says when it began."""

    delta: int
    since: float
    complete: bool


def _series(times: ArrayLike, counts: ArrayLike, now: float) -> tuple[np.ndarray, np.ndarray]:
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


def change_over(times: ArrayLike, counts: ArrayLike, now: float, window: float = DAY) -> Change:
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


def rate_per_hour(times: ArrayLike, counts: ArrayLike, now: float, window: float = 3 * HOUR) -> float | None:
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
    rate: float = float(c[-1] - c[start_index]) / span * HOUR
    return rate


def milestones_in_range(low: float, high: float, thresholds: Iterable[float] = (10_000, 100_000)) -> tuple[int, ...]:
    """The thresholds a chart showing counts from ``low`` to ``high`` should draw, ascending."""
    bottom, top = min(low, high), max(low, high)
    return tuple(sorted(int(level) for level in thresholds if bottom <= level <= top))


def closing_timestamp(petition: Petition) -> float | None:
    """When the petition closes (or closed), in POSIX seconds; None if unknown: ``closed_at``, else the
    end of ``closing_date`` in UK time, else the site's rule from ``opened_at`` (``milestones.deadline``)."""
    closing = deadline(petition)
    return closing.at if closing is not None else None


@dataclass(frozen=True)
class Outlook:
    """Everything the chart, the detail pane, the watchlist and ``show`` say about a petition's past
    and future, from its document and its recorded samples (see ``outlook``)."""

    state: str  # the document's, or "closed" once its deadline has passed
    deadline: Deadline | None
    known_points: tuple[KnownPoint, ...]
    events: tuple[Event, ...]
    estimate: Estimate | None  # None without enough history (or a deadline)
    milestones: tuple[MilestoneOutlook, ...]  # the response and debate thresholds


def outlook(petition: Petition, times: ArrayLike, counts: ArrayLike, now: float,
            base_rates: BaseRates | None = BUILT_IN_BASE_RATES) -> Outlook:
    """The petition's known points, events, deadline, final-count estimate and milestone odds at ``now``."""
    closing = deadline(petition)
    points = known_points(petition, times, counts)
    closes_at = closing.at if closing is not None else None
    options: dict[str, Any] = {"known_points": points, "opened_at": petition.opened_at, "base_rates": base_rates}
    prediction = forecast(times, counts, now, closes_at, **options)
    targets = (petition.response_threshold, petition.debate_threshold)
    return Outlook(
        state=effective_state(petition, now),
        deadline=closing,
        known_points=points,
        events=events(petition, times, counts),
        estimate=prediction.estimate() if prediction is not None else None,
        milestones=milestone_outlook(times, counts, now, closes_at, targets, **options),
    )
