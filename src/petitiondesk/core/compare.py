"""Several petitions on one chart: aligned in calendar time or by time since opening, as counts or
as a share of 100,000, with a reading of every curve at one moment and a table of figures.

A petition's curve is what PetitionDesk recorded plus the counts the site states (milestones):
between two recorded samples the count is known; before recording began, only at the milestones,
so a reading there is "between known points" and said to be so. Plain Python and numpy: no Qt.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from petitiondesk.core import analysis, milestones
from petitiondesk.core.models import Petition

if TYPE_CHECKING:
    from petitiondesk.core.fetched import Fetched
    from petitiondesk.core.store import Store

DAY = 86400.0
SHARE_OF = 100_000
ALIGNMENTS = {"calendar": "Calendar time", "opened": "Days since opening"}
UNITS = {"signatures": "Signatures", "share": "Share of 100,000"}


@dataclass(frozen=True)
class Series:
    """One petition's known counts: recorded samples and the site's milestones (POSIX seconds)."""

    petition_id: int
    petition: Petition | None
    times: np.ndarray
    counts: np.ndarray
    known: tuple[tuple[float, int], ...] = ()
    #: Times of known points that are upper bounds, not counts the site states: the opening's
    #: "at most 21" (milestones.MOST_BEFORE_OPENING), which only shapes the curve.
    bound_times: tuple[float, ...] = ()

    @property
    def title(self) -> str:
        return self.petition.action if self.petition else f"Petition {self.petition_id}"

    @property
    def opened_at(self) -> float | None:
        if self.petition is None:
            return None
        opened = self.petition.opened_at or self.petition.created_at
        return opened.timestamp() if opened else None

    def curve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, counts and whether each point was recorded (False: stated by the site), in time
        order; milestones after recording began are left to the samples."""
        first = float(self.times[0]) if len(self.times) else math.inf
        known = sorted((at, count) for at, count in self.known if at < first)
        times = np.concatenate([[at for at, _ in known], np.asarray(self.times, dtype=float)])
        counts = np.concatenate([[count for _, count in known], np.asarray(self.counts, dtype=float)])
        recorded = np.concatenate([np.zeros(len(known), dtype=bool), np.ones(len(self.times), dtype=bool)])
        return times, counts, recorded

    def sources(self) -> list[str]:
        """What each point of `curve` is, in its order: "opening bound" (at most the creator and
        sponsors), "milestone" (a count the site states) or "recorded"."""
        first = float(self.times[0]) if len(self.times) else math.inf
        known = sorted(at for at, _ in self.known if at < first)
        bounds = set(self.bound_times)
        return ["opening bound" if at in bounds else "milestone" for at in known] + ["recorded"] * len(self.times)


def series_for(petition_id: int, petition: Petition | None, times: ArrayLike, counts: ArrayLike) -> Series:
    """A petition's Series: its recorded samples and the counts its document states (milestones),
    so one recorded late, or never (an archived petition), still has a curve from its opening."""
    times = np.asarray(times, dtype=float)
    counts = np.asarray(counts, dtype=np.int64)
    points = milestones.known_points(petition, times, counts) if petition is not None else ()
    return Series(int(petition_id), petition, times, counts, tuple((p.at, p.count) for p in points),
                  tuple(p.at for p in points if not p.stated))


@dataclass(frozen=True)
class NotLoaded:
    """Why a petition is not on the chart (a line for users). `for_now`: the network, the site or the
    file failed, and it stays in the comparison to be read again; False: the site has no such petition."""

    petition_id: int
    message: str
    for_now: bool = True


def load_series(petition_id: int, store: Store | None, fetch: Callable[[int], Fetched[Petition]] | None = None,
                keep: Callable[[int, bytes], None] | None = None) -> Series | NotLoaded:
    """A petition's Series from the store, or why it cannot be had.

    A petition whose document the store lacks is fetched (`fetch`, if given). An archived one is
    handed to `keep` to be stored: it will not change (docs/API.md §6), so opening the comparison
    again reads it, and the milestones its curve is drawn from, without asking the site. Open ones
    are not kept: the store's copy of an unwatched petition would go stale."""
    times, counts = np.empty(0), np.empty(0, dtype=np.int64)
    petition = None
    if store is not None:
        petition = store.petition(petition_id)
        times, counts = store.samples(petition_id)
    if petition is None and fetch is not None:
        fetched = fetch(petition_id)
        petition = fetched.value
        if petition is None and len(times) == 0:
            from petitiondesk.core.fetched import Outcome

            return NotLoaded(petition_id, fetched.message or f"Petition {petition_id} could not be fetched.",
                             for_now=fetched.outcome not in (Outcome.NOT_FOUND, Outcome.GONE))
        if petition is not None and petition.archived and fetched.raw is not None and keep is not None:
            keep(petition_id, fetched.raw)
    elif petition is None and len(times) == 0:
        return NotLoaded(petition_id, f"Petition {petition_id} is not in the watchlist's records.")
    return series_for(petition_id, petition, times, counts)


@dataclass(frozen=True)
class Reading:
    """A curve's value at a moment; `between_known` when it lies between stated milestones."""

    value: float
    between_known: bool


@dataclass(frozen=True)
class Row:
    """The comparison table's figures for one petition (None where not known)."""

    petition_id: int
    title: str
    count: int | None
    change_24h: int | None
    rate_per_hour: float | None
    estimate: int | None
    days_left: float | None
    days_to_10k: float | None
    days_to_100k: float | None
    archived: bool = False
    notes: tuple[str, ...] = field(default=())
    state: str = ""  # "Open", "Closed 2019 · earlier parliament", ...


def aligned(series: Series, alignment: str, units: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The series' curve on the comparison's axes: x in POSIX seconds ("calendar") or days since
    opening ("opened"); y in signatures or as a share of 100,000. None when it cannot be placed
    (no opening date to align on)."""
    times, counts, recorded = series.curve()
    if alignment == "opened":
        opened = series.opened_at
        if opened is None:
            return None
        times = (times - opened) / DAY
    elif alignment != "calendar":
        raise ValueError(f"unknown alignment {alignment!r}")
    if units == "share":
        counts = counts / SHARE_OF
    elif units != "signatures":
        raise ValueError(f"unknown units {units!r}")
    return times, counts, recorded


def read_at(x: np.ndarray, y: np.ndarray, recorded: np.ndarray, at: float) -> Reading | None:
    """The curve's value at `at` (linear between neighbours); None outside the curve."""
    if len(x) == 0 or at < x[0] or at > x[-1]:
        return None
    i = int(np.searchsorted(x, at, side="right"))
    if i >= len(x):
        return Reading(float(y[-1]), not bool(recorded[-1]))
    left = i - 1
    span = x[i] - x[left]
    fraction = 0.0 if span <= 0 else (at - x[left]) / span
    value = float(y[left] + (y[i] - y[left]) * fraction)
    return Reading(value, not (recorded[left] and recorded[i]))


def table_row(series: Series, now: float) -> Row:
    """Count, last 24 h, rate, estimate, days left, and days from opening to 10,000 and 100,000."""
    petition = series.petition
    times, counts = np.asarray(series.times, dtype=float), np.asarray(series.counts, dtype=np.int64)
    count = int(counts[-1]) if counts.size else (petition.signature_count if petition else None)
    change = rate = estimate = days_left = None
    closes = analysis.closing_timestamp(petition) if petition is not None else None
    is_open = petition is not None and petition.state == "open"
    if times.size and is_open:
        delta = analysis.change_over(times, counts, now)
        change = delta.delta if delta is not None else None
        rate = analysis.rate_per_hour(times, counts, now)
        if closes is not None:
            result = analysis.estimate_final(times, counts, now, closes)
            estimate = int(result.final) if result is not None else None
    if is_open and closes is not None:
        days_left = max((closes - now) / DAY, 0.0)
    return Row(series.petition_id, series.title, count, change, rate, estimate, days_left,
               _days_to(petition, "response_threshold_reached_at"), _days_to(petition, "debate_threshold_reached_at"),
               bool(petition and petition.archived), state=state_text(petition))


def state_text(petition: Petition | None) -> str:
    """The petition's state as the table says it: "Open", "Closed 2025", and for one from an earlier
    parliament (archived) "Closed 2019 · earlier parliament"."""
    if petition is None:
        return ""
    closed = petition.closed_at
    state = f"Closed {closed.year}" if petition.state == "closed" and closed else petition.state.capitalize()
    return f"{state} · earlier parliament" if petition.archived else state


def colour_slots(previous: Mapping[int, int], petition_ids: Sequence[int]) -> dict[int, int]:
    """Each petition's place in the palette: kept while it stays compared, so removing one changes
    no other's colour; a petition new to the comparison takes the lowest place free."""
    wanted = set(petition_ids)
    slots = {pid: slot for pid, slot in previous.items() if pid in wanted}
    taken = set(slots.values())
    for pid in petition_ids:
        if pid not in slots:
            slots[pid] = next(slot for slot in itertools.count() if slot not in taken)
            taken.add(slots[pid])
    return slots


def labels(series: Sequence[Series], limit: int | None = None) -> dict[int, str]:
    """Each petition's name in legends, tables and readouts: its title (cut to `limit` characters),
    with its number and the year it opened where another compared petition has the same title
    (rival petitions often do: "Call a General Election (701489, 2026)")."""
    def key(one: Series) -> str:
        return " ".join(one.title.casefold().split())

    shared = {title for title, count in Counter(key(one) for one in series).items() if count > 1}
    named = {}
    for one in series:
        title = elide(one.title, limit) if limit else one.title
        if key(one) in shared:
            opened = one.opened_at
            year = f", {datetime.fromtimestamp(opened, UTC).year}" if opened is not None else ""
            title = f"{title} ({one.petition_id}{year})"
        named[one.petition_id] = title
    return named


def curves_through(curves: Iterable[tuple[np.ndarray, np.ndarray]], x_span: tuple[float, float],
                   y_span: tuple[float, float]) -> int:
    """How many curves (x ascending, y with NaN breaks) pass through the box x_span by y_span: where a
    label would hide them. A line's values across the box: its points inside and its values at the
    box's edges."""
    crossing = 0
    for x, y in curves:
        if not len(x):
            continue
        inside = y[int(np.searchsorted(x, x_span[0], side="left")):int(np.searchsorted(x, x_span[1], side="right"))]
        part = np.concatenate([inside, np.interp(x_span, x, y, left=np.nan, right=np.nan)])
        part = part[np.isfinite(part)]
        if part.size and part.min() <= y_span[1] and part.max() >= y_span[0]:
            crossing += 1
    return crossing


def elide(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _days_to(petition: Petition | None, field_name: str) -> float | None:
    if petition is None:
        return None
    reached = getattr(petition, field_name)
    opened = petition.opened_at or petition.created_at
    if reached is None or opened is None or reached < opened:
        return None
    days: float = (reached - opened).total_seconds() / DAY
    return days


def csv_rows(series: Sequence[Series], alignment: str, units: str) -> list[tuple[object, ...]]:
    """Every point of every curve on the comparison's axes, for a CSV: one row per point, each named
    as in the legend (same titles told apart), with its source (see `Series.sources`)."""
    rows: list[tuple[object, ...]] = []
    names = labels(series)
    for one in series:
        placed = aligned(one, alignment, units)
        if placed is None:
            continue
        name = names[one.petition_id]
        x, y, _ = placed
        for at, value, source in zip(x, y, one.sources(), strict=True):
            rows.append((one.petition_id, name, float(at), float(value), source))
    return rows
