"""The constituency hex maps: which one fits a petition, where each hex sits, and how to colour it.

Two maps are vendored in `resources/maps` (Open Innovations, MIT): the 650 seats used from the 2024
general election, and the 650 used from 2010 to 2019. A petition's constituencies carry the ONS
codes of their time (every document from before the 2024 election has the older ones), so the map
is chosen by those codes; codes on neither map are listed, never silently dropped.

Geometry: HexJSON `odd-r` layout, pointy-top hexes, rows counting upward (north). Coordinates here
are in hex radii with y growing downward, as on a screen.

Imports no Qt: the map view, the export and the command line share it.
"""

from __future__ import annotations

import functools
import json
import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from petitiondesk.core.models import ConstituencySignatures
from petitiondesk.resources import HEXMAP_YEARS, hexmap_path

MAP_YEARS = HEXMAP_YEARS
MAP_SOURCE = "Hex map: Open Innovations (odileeds/hexmaps, MIT)"

#: Viridis (perceptually uniform, readable with every common colour-vision deficiency), 9 stops.
VIRIDIS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725")

REGION_NAMES = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
    "S92000003": "Scotland",
    "W92000004": "Wales",
    "N92000002": "Northern Ireland",
}
# The 2010 map names its regions by short letters; the 2024 one (and the API) by GSS code.
_REGION_LETTERS = {
    "NE": "E12000001", "NW": "E12000002", "YH": "E12000003", "EM": "E12000004", "WM": "E12000005",
    "EA": "E12000006", "LO": "E12000007", "SE": "E12000008", "SW": "E12000009",
    "SC": "S92000003", "WA": "W92000004", "NI": "N92000002",
}
NATION_NAMES = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}

_SQRT3 = math.sqrt(3.0)


class HexMapError(Exception):
    """A map file that cannot be used; str() says why."""


@dataclass(frozen=True)
class Hex:
    code: str
    name: str
    q: int
    r: int
    region: str  # GSS code of the English region or the nation
    electorate: int | None = None

    @property
    def centre(self) -> tuple[float, float]:
        return hex_centre(self.q, self.r)


@dataclass(frozen=True)
class HexMap:
    year: int  # the general election at which these boundaries were first used
    hexes: Mapping[str, Hex]

    @property
    def label(self) -> str:
        return f"{self.year} boundaries" if self.year == 2024 else "2010–2019 boundaries"

    @property
    def has_electorates(self) -> bool:
        return all(h.electorate for h in self.hexes.values())

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) around every hex, in hex radii."""
        xs = [h.centre[0] for h in self.hexes.values()]
        ys = [h.centre[1] for h in self.hexes.values()]
        half_width = _SQRT3 / 2
        return min(xs) - half_width, min(ys) - 1.0, max(xs) + half_width, max(ys) + 1.0


@dataclass(frozen=True)
class MapChoice:
    hexmap: HexMap
    unknown: tuple[str, ...]  # codes of the document that are not on the map, sorted


def hex_centre(q: int, r: int) -> tuple[float, float]:
    """odd-r: odd rows sit half a hex to the right; rows count upward, so y is -r."""
    return _SQRT3 * (q + 0.5 * (r & 1)), -1.5 * r


def hex_corners(x: float, y: float, radius: float = 1.0) -> list[tuple[float, float]]:
    """The six corners of a pointy-top hex, clockwise from the top."""
    return [(x + radius * math.sin(math.radians(a)), y - radius * math.cos(math.radians(a)))
            for a in range(0, 360, 60)]


def parse_hexjson(text: bytes | str, year: int) -> HexMap:
    try:
        data = json.loads(text)
        raw_hexes = data["hexes"]
        if data.get("layout") != "odd-r":
            raise HexMapError(f"the {year} map's layout is {data.get('layout')!r}, not odd-r")
        hexes = {code: _hex(code, fields) for code, fields in raw_hexes.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise HexMapError(f"the {year} constituency map is damaged ({error})") from None
    return HexMap(year, hexes)


def _hex(code: str, fields: dict[str, Any]) -> Hex:
    region = fields.get("region") or _REGION_LETTERS.get(fields.get("a", ""), "")
    electorate = fields.get("e")
    return Hex(code, str(fields["n"]), int(fields["q"]), int(fields["r"]), region,
               int(electorate) if isinstance(electorate, int) and electorate > 0 else None)


@functools.cache
def load_hexmap(year: int) -> HexMap:
    """The vendored map of `year` (2024 or 2010), read once."""
    if year not in MAP_YEARS:
        raise HexMapError(f"there is no constituency map for {year}; there are {MAP_YEARS}")
    return parse_hexjson(hexmap_path(year).read_bytes(), year)


def choose_hexmap(codes: Iterable[str]) -> MapChoice:
    """The map that holds most of `codes` (the newer one on a tie, and for no codes at all)."""
    wanted = set(codes)
    best = max((load_hexmap(year) for year in MAP_YEARS), key=lambda m: len(wanted & m.hexes.keys()))
    return MapChoice(best, tuple(sorted(wanted - best.hexes.keys())))


def nation_of(code: str) -> str | None:
    return NATION_NAMES.get(code[:1])


# -- colour ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegendClass:
    colour: str
    low: float  # the smallest value in this class
    high: float  # the largest


@dataclass(frozen=True)
class ColourScale:
    """Quantile classes: `breaks[i]` is the largest value of class i (the last class is open)."""

    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    legend: tuple[LegendClass, ...]

    def colour(self, value: float) -> str:
        return self.colours[min(bisect_left(self.breaks, value), len(self.colours) - 1)]


def scale_colours(count: int) -> tuple[str, ...]:
    """`count` colours spread evenly along the viridis table, dark to light."""
    if count <= 1:
        return (VIRIDIS[len(VIRIDIS) // 2],)
    last = len(VIRIDIS) - 1
    return tuple(VIRIDIS[round(i * last / (count - 1))] for i in range(count))


def quantile_scale(values: Sequence[float], classes: int = 5) -> ColourScale:
    """Up to `classes` classes holding about as many places each; equal values share a class, so a
    map where most seats have the same count gets fewer classes rather than empty ones."""
    ordered = sorted(values)
    if not ordered:
        return ColourScale((), scale_colours(1), ())
    breaks: list[float] = []
    for i in range(1, classes):
        cut = ordered[min(len(ordered) - 1, math.ceil(i * len(ordered) / classes) - 1)]
        if cut < ordered[-1] and (not breaks or cut > breaks[-1]):
            breaks.append(cut)
    colours = scale_colours(len(breaks) + 1)
    members: list[list[float]] = [[] for _ in colours]
    for value in ordered:
        members[bisect_left(breaks, value)].append(value)
    legend = tuple(LegendClass(colour, group[0], group[-1])
                   for colour, group in zip(colours, members, strict=True) if group)
    return ColourScale(tuple(breaks), colours, legend)


# -- what the colour shows ---------------------------------------------------------------------------
SIGNATURES, SHARE, PER_1000, CHANGE = "signatures", "share", "per_1000", "change_24h"
MODE_LABELS = {
    SIGNATURES: "Signatures",
    SHARE: "Share of UK signatures",
    PER_1000: "Per 1,000 electors",
    CHANGE: "Last 24 hours (where it is spreading now)",
}


def available_modes(hexmap: HexMap, has_baseline: bool) -> tuple[str, ...]:
    """Per 1,000 electors only where the map carries its era's electorates (2010 seats)."""
    modes = [SIGNATURES, SHARE]
    if hexmap.has_electorates:
        modes.append(PER_1000)
    if has_baseline:
        modes.append(CHANGE)
    return tuple(modes)


def map_values(mode: str, counts: Mapping[str, int], hexmap: HexMap, uk_total: int,
               baseline: Mapping[str, int] | None = None) -> dict[str, float]:
    """The value to colour each seat of the map by; seats the document does not list get none."""
    on_map = {code: count for code, count in counts.items() if code in hexmap.hexes}
    if mode == SIGNATURES:
        return {code: float(count) for code, count in on_map.items()}
    if mode == SHARE:
        return {code: count / uk_total for code, count in on_map.items()} if uk_total > 0 else {}
    if mode == PER_1000:
        return {code: 1000.0 * count / electorate
                for code, count in on_map.items() if (electorate := hexmap.hexes[code].electorate)}
    if mode == CHANGE:
        if baseline is None:
            return {}
        return {code: float(count - baseline.get(code, 0)) for code, count in on_map.items()}
    raise ValueError(f"unknown map mode {mode!r}; expected one of {sorted(MODE_LABELS)}")


@dataclass(frozen=True)
class Colouring:
    """One petition's map in one mode: the map, each seat's value and the scale that colours it."""

    choice: MapChoice
    mode: str
    values: Mapping[str, float]
    scale: ColourScale

    def colours(self) -> dict[str, str]:
        return {code: self.scale.colour(value) for code, value in self.values.items()}


def colour_petition(constituencies: Iterable[ConstituencySignatures] | None, uk_total: int, mode: str,
                    baseline: Mapping[str, int] | None = None) -> Colouring:
    """`constituencies`: the document's rows (ons_code, signature_count); the map is chosen from them,
    and a mode the map cannot show (per 1,000 electors on 2024 seats) falls back to signatures."""
    counts = {row.ons_code: row.signature_count for row in constituencies or ()}
    choice = choose_hexmap(counts)
    if mode not in available_modes(choice.hexmap, baseline is not None):
        mode = SIGNATURES
    values = map_values(mode, counts, choice.hexmap, uk_total, baseline)
    return Colouring(choice, mode, values, quantile_scale(list(values.values())))


@dataclass(frozen=True)
class ConstituencyRank:
    """Where one constituency stands in a petition: its signatures and its place (1 = most)."""

    name: str
    count: int
    rank: int
    of: int


def rank_of(constituencies: Sequence[ConstituencySignatures], code: str) -> ConstituencyRank | None:
    """The user's constituency in this petition, found by its code, or by its name in a petition
    from the other boundaries' era (the chosen code may be a 2024 one, the petition's 2010 ones)."""
    by_code = {c.ons_code: c for c in constituencies}
    mine = by_code.get(code)
    if mine is None:
        name = _name_of(code)
        mine = next((c for c in constituencies if name and c.name == name), None)
    if mine is None:
        return None
    higher = sum(1 for c in constituencies if c.signature_count > mine.signature_count)
    return ConstituencyRank(mine.name, mine.signature_count, higher + 1, len(constituencies))


def _name_of(code: str) -> str | None:
    for year in (2024, 2010):
        seat = load_hexmap(year).hexes.get(code)
        if seat is not None:
            return seat.name
    return None
