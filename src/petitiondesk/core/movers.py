"""24-hour movers: the constituencies, regions and nations where a petition gained most lately.

The site keeps no history, so movers come from the constituency snapshots PetitionDesk records
(`Store.add_constituency_snapshot`: at most hourly, thinned to daily after 48 hours). Two
snapshots "about a day apart" (20 to 30 hours) make a pair; until such a pair exists the caller
is told when one will, rather than shown an empty table.

Regions and nations are summed from the constituencies (the region by the hex map's own field,
the nation by the ONS code's first letter), so they work on 2015 documents without region data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from petitiondesk.core.hexmap import REGION_NAMES, HexMap, nation_of

if TYPE_CHECKING:
    from petitiondesk.core.store import Store

HOUR = 3600
DAY = 24 * HOUR
#: A pair of snapshots this far apart counts as "a day": recording is hourly at best, and the
#: app may have been closed for a while.
MIN_GAP = 20 * HOUR
MAX_GAP = 30 * HOUR
#: Relative growth is ranked only where a place had at least this many signatures before: a seat
#: going from 1 to 3 is not news.
RELATIVE_FLOOR = 10


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def relative(self) -> float | None:
        """Growth as a fraction of the count before; None below RELATIVE_FLOOR."""
        return self.change / self.before if self.before >= RELATIVE_FLOOR else None


@dataclass(frozen=True)
class Movers:
    """Changes between two moments; `since`/`until` are POSIX times when known."""

    constituencies: tuple[Mover, ...]  # largest gain first
    regions: tuple[Mover, ...]
    nations: tuple[Mover, ...]
    since: float | None = None
    until: float | None = None

    def fastest_relative(self, limit: int | None = None) -> tuple[Mover, ...]:
        ranked = sorted((m for m in self.constituencies if m.relative is not None),
                        key=lambda m: (-(m.relative or 0.0), m.name.casefold()))
        return tuple(ranked[:limit])


@dataclass(frozen=True)
class MoversPending:
    """No pair of snapshots a day apart yet. `ready_at`: when there will be one if recording goes
    on (None: nothing recorded yet)."""

    ready_at: float | None


def compute_movers(before: Mapping[str, int], after: Mapping[str, int], *, names: Mapping[str, str],
                   hexmap: HexMap | None = None, since: float | None = None,
                   until: float | None = None) -> Movers:
    """Every place in `after` with its change since `before` (a place absent then had none)."""
    seats = tuple(_ranked(Mover(code, names.get(code) or _map_name(hexmap, code) or code,
                                before.get(code, 0), count) for code, count in after.items()))
    regions = _summed(seats, lambda code: _region_of(hexmap, code), REGION_NAMES)
    nations = _summed(seats, lambda code: code[:1] if nation_of(code) else None,
                      {letter: nation_of(letter) for letter in "EWSN"})
    return Movers(seats, regions, nations, since, until)


def snapshot_pair(times: Sequence[float]) -> tuple[float, float] | None:
    """(earlier, latest): the latest snapshot and the newest one 20-30 hours before it."""
    if not times:
        return None
    latest = max(times)
    partners = [t for t in times if MIN_GAP <= latest - t <= MAX_GAP]
    return (max(partners), latest) if partners else None


def ready_at(times: Sequence[float], now: float) -> float | None:
    """When a pair will exist if snapshots go on: a day after the oldest one still within reach."""
    usable = [t for t in times if now - t <= MAX_GAP]
    return min(usable) + MIN_GAP if usable else None


def read_movers(store: Store, petition_id: int, *, names: Mapping[str, str], hexmap: HexMap | None,
                now: float) -> Movers | MoversPending:
    """The movers between the two newest snapshots about a day apart, from `store` (a core Store)."""
    times = store.constituency_snapshot_times(petition_id)
    pair = snapshot_pair(times)
    if pair is None:
        return MoversPending(ready_at(times, now) if times else None)
    earlier, latest = (store.constituency_counts_at(petition_id, t) for t in pair)
    if earlier is None or latest is None:  # unreadable snapshots: as good as none
        return MoversPending(None)
    return compute_movers(earlier[1], latest[1], names=names, hexmap=hexmap, since=earlier[0], until=latest[0])


def _ranked(movers: Iterable[Mover]) -> list[Mover]:
    return sorted(movers, key=lambda m: (-m.change, m.name.casefold()))


def _summed(seats: Sequence[Mover], group_of: Callable[[str], str | None],
            group_names: Mapping[str, str | None]) -> tuple[Mover, ...]:
    totals: dict[str, list[int]] = {}
    for seat in seats:
        group = group_of(seat.code)
        if group:
            before_after = totals.setdefault(group, [0, 0])
            before_after[0] += seat.before
            before_after[1] += seat.after
    return tuple(_ranked(Mover(group, group_names.get(group) or group, before, after)
                         for group, (before, after) in totals.items()))


def _region_of(hexmap: HexMap | None, code: str) -> str | None:
    place = hexmap.hexes.get(code) if hexmap else None
    return place.region if place else None


def _map_name(hexmap: HexMap | None, code: str) -> str | None:
    place = hexmap.hexes.get(code) if hexmap else None
    return place.name if place else None
