"""The simulated site's state: a deterministic catalogue of petitions and a fast clock.

Nothing is stored per petition beyond a small frozen `Plan` drawn from `Random((seed, id))`, so
catalogues of tens of thousands cost nothing until asked for. Counts, thresholds, responses and
debates are pure functions of the plan and the simulated time; only `set_count` and `remove` (test
helpers) add state.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from petitiondesk.core.models import DEBATE_THRESHOLD, RESPONSE_THRESHOLD
from petitiondesk.simulator import content

UTC = UTC
TICK = 60  # simulated seconds between count updates (the site's signature_count_interval)
HOUR = 3600.0
DAY = 86400.0

_ONE_HOUR, _ZERO = timedelta(hours=1), timedelta(0)
TOPIC_CODES = tuple(sorted(content.TOPICS))

KINDS = ("open", "closed", "rejected", "archived", "removed", "hidden", "pending", "moderation", "stopped",
         "dormant", "hidden_unpublished", "archived_stopped")
UNPUBLISHED = ("pending", "moderation", "stopped", "dormant", "hidden_unpublished", "archived_stopped")  # no opened_at
ARCHIVED_KINDS = ("archived", "archived_stopped")  # rows of the archive (the site redirects their live URLs there)
ARCHIVED_PERIOD = "2019-2024"
ARCHIVED_DISSOLUTION = datetime(2024, 5, 29, 23, 1, tzinfo=UTC)  # 00:01 BST on 30 May 2024
ARCHIVED_OPENED = datetime(2019, 12, 17, tzinfo=UTC)

# Final counts of the petitions that reached 10,000, as quantiles: 2,220 archived petitions of the
# 2010-2024 parliaments (petition.parliament.uk, Open Government Licence; the project's shared
# reference file final-counts-10k-plus.json). Half end below 19,400; 1 in 6 passes 100,000.
FINALS_ABOVE_10K = (  # (quantile, final count); note the crowd just past 100,000, the debate threshold
    (0.0, 10_036), (0.1, 10_936), (0.25, 12_828), (0.4, 16_006), (0.5, 19_396), (0.6, 25_897),
    (0.7, 35_495), (0.75, 45_924), (0.8, 60_520), (0.835, 95_664), (0.8356, 100_000), (0.87, 107_598),
    (0.9, 116_491), (0.95, 162_568), (0.99, 364_822), (0.998, 823_349), (1.0, 1_863_708),
)
DAILY_SWING = 0.6  # signing slows to 40 % of its mean pace at night and peaks at 160 % in the afternoon
QUIETEST_HOUR = 4.0  # UTC


# --- UK time, without needing a tz database on the user's machine -------------------------------


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@lru_cache(maxsize=64)
def _summer_time(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(_last_sunday(year, 3), datetime.min.time(), UTC) + timedelta(hours=1)
    end = datetime.combine(_last_sunday(year, 10), datetime.min.time(), UTC) + timedelta(hours=1)
    return start, end


def london_offset(moment: datetime) -> timedelta:
    """BST (+1h) between 01:00 UTC on the last Sundays of March and October, else GMT."""
    start, end = _summer_time(moment.year)
    return _ONE_HOUR if start <= moment < end else _ZERO


def london_date(moment: datetime) -> date:
    return (moment + london_offset(moment)).date()


def end_of_london_day(day: date) -> datetime:
    naive_end = datetime.combine(day, datetime.max.time()).replace(microsecond=999000, tzinfo=UTC)
    return naive_end - london_offset(naive_end - timedelta(hours=1))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def floor_tick(moment: datetime) -> datetime:
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % TICK, UTC)


# --- places -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    ons_code: str
    name: str
    region: str  # letter A..N
    mp: str | None
    party: str | None
    weight: float  # share of UK signatures this seat tends to get


def _mp_name(rng: random.Random) -> str:
    title = rng.choice(content.MP_TITLES)
    return f"{title}{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)} MP"


def _party(rng: random.Random) -> str:
    names = [name for name, _ in content.PARTIES]
    weights = [weight for _, weight in content.PARTIES]
    return rng.choices(names, weights)[0]


def _read_hexmap(hexmap: Path) -> list[tuple[str, str, str]]:
    """(ons_code, name, region letter) for each hex; a missing or odd file gives []."""
    try:
        hexes = json.loads(Path(hexmap).read_text(encoding="utf-8"))["hexes"]
        rows = []
        for code, hexagon in hexes.items():
            letter = content.REGIONS.get(hexagon.get("region", ""), ("H", ""))[0]
            rows.append((code, str(hexagon.get("n") or code), letter))
        return sorted(rows)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def _synthetic_seats(rng: random.Random) -> list[tuple[str, str, str]]:
    """650 invented seats with codes in the 2024 families, spread over regions as in 2024."""
    counters = {"E": 1063, "W": 81, "S": 60, "N": 1}
    rows, used = [], set()
    for letter, seats in content.SEATS_PER_REGION.items():
        nation = {"L": "W", "M": "S", "N": "N"}.get(letter, "E")
        for _ in range(seats):
            prefix = {"E": "E14", "W": "W07", "S": "S14", "N": "N05"}[nation]
            code = f"{prefix}{counters[nation]:06d}"
            counters[nation] += 1
            name = ""
            while not name or name in used:
                name = rng.choice(content.PLACE_STEMS) + rng.choice(content.PLACE_SUFFIXES)
                if rng.random() < 0.4:
                    name += rng.choice((" North", " South", " East", " West", " Central"))
                if name in used:
                    name += f" and {rng.choice(content.PLACE_STEMS)}{rng.choice(content.PLACE_SUFFIXES)}"
            used.add(name)
            rows.append((code, name, letter))
    return sorted(rows)


def build_seats(seed: int, hexmap: Path | None) -> tuple[Seat, ...]:
    rng = random.Random(f"seats:{seed}")
    rows = _read_hexmap(hexmap) if hexmap else []
    if not rows:
        rows = _synthetic_seats(rng)
    vacant = set(rng.sample(range(len(rows)), 3))
    seats = []
    for index, (code, name, letter) in enumerate(rows):
        is_vacant = index in vacant
        seats.append(
            Seat(
                ons_code=code,
                name=name,
                region=letter,
                mp=None if is_vacant else _mp_name(rng),
                party=None if is_vacant else _party(rng),
                weight=rng.lognormvariate(0, 0.35),
            )
        )
    return tuple(seats)


OLD_SEATS = {  # nation: (seats in 2019, first ONS code of the pre-2024 family)
    "E": (533, "E14000530"), "W": (40, "W07000041"), "S": (59, "S14000001"), "N": (18, "N06000001"),
}


def build_old_seats(seats: tuple[Seat, ...], seed: int) -> tuple[Seat, ...]:
    """The 2019 boundaries for archived petitions: old code families, most MPs now null."""
    rng = random.Random(f"old-seats:{seed}")
    old = []
    for nation, (how_many, first_code) in OLD_SEATS.items():
        current = [seat for seat in seats if seat.ons_code[0] == nation] or list(seats)
        prefix, first_number = first_code[:3], int(first_code[3:])
        for index in range(how_many):
            seat = current[index % len(current)]
            name = seat.name if index < len(current) else f"{seat.name} (2010)"
            kept = rng.random() < 0.2  # most 2019 seats were abolished or redrawn in 2024
            old.append(Seat(f"{prefix}{first_number + index:06d}", name, seat.region,
                            seat.mp if kept else None, seat.party if kept else None, seat.weight))
    return tuple(sorted(old, key=lambda seat: seat.name))


# --- petitions ----------------------------------------------------------------------------------


def _vary(action: str, ending: str) -> str:
    """The action with an ending, unless it already names that place or a time, or would pass 80
    characters."""
    words = set(ending.lower().split()) - {"and", "it", "every", "for", "the", "in", "a", "to"}
    timed = any(ch.isdigit() for ch in action) and bool(words & {"years", "year", "election", "delay"})
    if not ending or timed or len(action) + len(ending) > 80 or words & set(action.lower().split()):
        return action
    return action + ending


@dataclass(frozen=True)
class Plan:
    """Everything fixed about one petition; the rest follows from the simulated time."""

    id: int
    kind: str  # one of KINDS, as created (an open one may have closed since)
    action: str
    background: str
    additional_details: str
    topics: tuple[str, ...]
    departments: tuple[str, ...]
    creator_name: str
    created_at: datetime
    moderation_at: datetime
    opened_at: datetime | None
    rejected_at: datetime | None
    deadline: datetime | None  # closed_at once passed
    sponsors: int
    scale: float  # signatures the opening burst tends to
    tau_hours: float
    steady_per_hour: float
    spikes: tuple[tuple[float, float, float], ...]  # (hours after opening, size, tau hours)
    dips: tuple[tuple[float, int], ...]  # (hours after opening, invalidated signatures)
    rejection: tuple[str, str | None] | None
    committee_note: str | None
    response_delay_days: float | None  # None: the government never answers
    debate_plan: tuple[bool, float, float, float]  # (debated, decision days, until debate, outcome)
    local_bias: int  # index of a seat that signs far above its weight
    archived: bool = False


@dataclass
class _Manual:
    """A count pinned by `World.set_count`, with the threshold stamps it implies."""

    count: int
    at: datetime
    response_at: datetime | None
    debate_at: datetime | None


@dataclass
class _Catalogue:
    kinds: dict[int, str] = field(default_factory=dict)
    created: dict[int, datetime] = field(default_factory=dict)
    current_ids: list[int] = field(default_factory=list)  # ascending
    archived_ids: list[int] = field(default_factory=list)  # ascending


class World:
    """A deterministic catalogue plus a clock: `now() = start + real elapsed x speed + advanced`."""

    def __init__(
        self,
        seed: int = 1,
        speed: float = 60.0,
        hexmap: Path | None = None,
        open_count: int = 400,
        archived_count: int = 300,
        start: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.speed = float(speed)
        self.start = floor_tick(start or datetime.now(UTC))
        self._started = time.monotonic()
        self._advanced = 0.0
        self._lock = threading.RLock()
        self._plans: dict[int, Plan] = {}
        self._crossings: dict[tuple[int, int], datetime | None] = {}
        self._manual: dict[int, _Manual] = {}
        self._removed: set[int] = set()
        self._published: set[int] = set()
        self._archived_counts: dict[int, int] = {}
        self.version = 0  # bumped by every test edit, so that caches of frozen data can tell
        self.shares_cache: dict[int, tuple[float, ...]] = {}  # breakdown weights, see documents.py
        self.seats = build_seats(seed, hexmap)
        self.old_seats = build_old_seats(self.seats, seed)
        self._catalogue = self._build_catalogue(open_count, archived_count)

    # --- clock

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._started) * self.speed + self._advanced
        return self.start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (tests), on top of the running clock."""
        with self._lock:
            self._advanced += seconds

    @property
    def interval(self) -> int:
        return TICK

    # --- catalogue

    def _build_catalogue(self, open_count: int, archived_count: int) -> _Catalogue:
        rng = random.Random(f"catalogue:{self.seed}")
        start = self.start
        six_months = timedelta(days=182)
        spans = {
            "open": (start - six_months + timedelta(days=2), start - timedelta(hours=6)),
            # created, then opened up to 12 days later, then 6 months to run: all past their deadline
            "closed": (start - timedelta(days=520), start - six_months - timedelta(days=16)),
            "rejected": (start - timedelta(days=520), start - timedelta(days=2)),
            "removed": (start - timedelta(days=300), start - timedelta(days=20)),
            "hidden": (start - timedelta(days=300), start - timedelta(days=20)),
            "pending": (start - timedelta(days=6), start - timedelta(hours=2)),
            "moderation": (start - timedelta(days=9), start - timedelta(days=1)),
        }
        counts = {
            "open": open_count, "closed": open_count, "rejected": max(open_count // 2, 1),
            "removed": 3, "hidden": 3, "pending": 5, "moderation": 5,
        }
        entries = []
        for kind, how_many in counts.items():
            low, high = spans[kind]
            span = (high - low).total_seconds()
            for _ in range(how_many):
                entries.append((low + timedelta(seconds=int(rng.random() * span)), kind))
        entries.sort()
        catalogue = _Catalogue()
        next_id = 700_000
        for created, kind in entries:
            next_id += rng.randint(1, 4)  # unpublished drafts use ids too
            catalogue.kinds[next_id] = kind
            catalogue.created[next_id] = created
            catalogue.current_ids.append(next_id)
        # Drawn after the rest so that every other petition keeps its id from earlier versions.
        for kind in ("stopped", "dormant", "hidden_unpublished"):
            next_id += 1
            catalogue.kinds[next_id] = kind
            catalogue.created[next_id] = start - timedelta(days=30)
            catalogue.current_ids.append(next_id)
        archived_range = range(300_001, 665_000)  # the 2019-2024 parliament's ids
        archived = sorted(random.Random(f"archived:{self.seed}").sample(
            archived_range, min(archived_count, len(archived_range))))
        catalogue.archived_ids = archived
        for petition_id in archived:
            catalogue.kinds[petition_id] = "archived"
        taken = set(archived)
        stopped = next(pid for pid in range(300_011, 665_000, 7_919) if pid not in taken)  # stopped at dissolution
        catalogue.kinds[stopped] = "archived_stopped"
        return catalogue

    def kind_at_creation(self, petition_id: int) -> str | None:
        return self._catalogue.kinds.get(petition_id)

    def current_kind(self, petition_id: int, now: datetime | None = None) -> str | None:
        """The kind now: removed by a test, or an open petition whose deadline passed, changes."""
        kind = self._catalogue.kinds.get(petition_id)
        if kind is None:
            return None
        if petition_id in self._removed:
            return "removed"
        if petition_id in self._published or kind in ("open", "closed"):
            plan = self.plan(petition_id)
            assert plan.deadline is not None  # every published petition has one
            return "closed" if (now or self.now()) > plan.deadline else "open"
        return kind

    def ids(self, kind: str) -> list[int]:
        """Ids of one kind at the current simulated time, ascending."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
        if kind == "archived":
            return self.archived_ids()
        if kind == "archived_stopped":
            return sorted(pid for pid, created_as in self._catalogue.kinds.items() if created_as == kind)
        now = self.now()
        return [pid for pid in self._catalogue.current_ids if self.current_kind(pid, now) == kind]

    def visible_ids(self) -> list[int]:
        """The universe of `/petitions.json`: open, closed and rejected in the current parliament."""
        now = self.now()
        return [
            pid for pid in self._catalogue.current_ids
            if self.current_kind(pid, now) in ("open", "closed", "rejected")
        ]

    def archived_ids(self) -> list[int]:
        """The universe of `/archived/petitions.json`: removed ones leave it."""
        return [pid for pid in self._catalogue.archived_ids if pid not in self._removed]

    def publish(self, petition_id: int) -> None:
        """Open a pending or in-moderation petition from now on, as a moderator approving it would."""
        if self._catalogue.kinds.get(petition_id) not in ("pending", "moderation"):
            raise ValueError(f"petition {petition_id} is not waiting to open")
        with self._lock:
            plan = self.plan(petition_id)
            opened = floor_tick(self.now())
            self._plans[petition_id] = replace(
                plan, opened_at=opened, deadline=end_of_london_day(add_months(london_date(opened), 6)),
                scale=2_000.0, tau_hours=24.0, steady_per_hour=0.5)
            self._published.add(petition_id)
            for threshold in (RESPONSE_THRESHOLD, DEBATE_THRESHOLD):
                self._crossings.pop((petition_id, threshold), None)
            self.version += 1

    def remove(self, petition_id: int) -> None:
        """Make a petition `removed` from now on: its URLs answer 410 Gone."""
        if petition_id not in self._catalogue.kinds:
            raise KeyError(petition_id)
        with self._lock:
            self._removed.add(petition_id)
            self.version += 1

    # --- plans

    def plan(self, petition_id: int) -> Plan:
        plan = self._plans.get(petition_id)
        if plan is None:
            kind = self._catalogue.kinds[petition_id]
            plan = self._draw_plan(petition_id, kind)
            self._plans[petition_id] = plan
        return plan

    def _draw_plan(self, petition_id: int, kind: str) -> Plan:
        rng = random.Random(self.seed * 1_000_003 + petition_id)
        archived = kind in ARCHIVED_KINDS
        if archived:
            span = (ARCHIVED_DISSOLUTION - ARCHIVED_OPENED).total_seconds() - 30 * DAY
            fraction = (petition_id - 300_000) / 365_000
            created = ARCHIVED_OPENED + timedelta(seconds=span * fraction + rng.random() * DAY)
            rejected = rng.random() < 0.1
        else:
            created = self._catalogue.created[petition_id]
            rejected = kind == "rejected"
        created = _with_millis(created, rng)
        topic = rng.choice(TOPIC_CODES)
        topics = [topic]
        if rng.random() < 0.25:
            topics.append(rng.choice(TOPIC_CODES))
        topics = sorted(set(topics))
        _, acronyms, actions = content.TOPICS[topic]
        moderation_at = floor_tick(created + timedelta(hours=rng.uniform(0.5, 30)))
        opened = None
        rejected_at = None
        deadline = None
        if rejected:
            rejected_at = _with_millis(created + timedelta(days=rng.uniform(2, 12)), rng)
        elif kind not in UNPUBLISHED:
            opened = _with_millis(created + timedelta(days=rng.uniform(2, 12)), rng)
            deadline = end_of_london_day(add_months(london_date(opened), 6))
            if archived:
                deadline = min(deadline, ARCHIVED_DISSOLUTION)
        final, tau = self._draw_popularity(rng, petition_id, kind)
        scale = final  # provisional: the shape is scaled to end at `final` below
        spikes = tuple(
            (rng.uniform(24, 170 * 24), scale * rng.uniform(0.1, 1.5), rng.uniform(3, 48))
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2)))
        )
        dips = tuple(
            (rng.uniform(48, 170 * 24), max(1, int(scale * rng.uniform(0.001, 0.004))))
            for _ in range(rng.choice((0, 0, 1)))
        )
        code, details = rng.choice(content.REJECTIONS)
        plan = Plan(
            id=petition_id,
            kind=kind,
            action=_vary(rng.choice(actions), rng.choice(content.ACTION_ENDINGS)),
            background=f"{rng.choice(content.BACKGROUND_OPENERS)} {rng.choice(content.BACKGROUND_CLOSERS)}",
            additional_details=rng.choice(content.DETAILS),
            topics=tuple(topics),
            departments=acronyms if rng.random() < 0.9 else (),
            creator_name=f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}",
            created_at=created,
            moderation_at=moderation_at,
            opened_at=opened,
            rejected_at=rejected_at,
            deadline=deadline,
            sponsors=rng.randint(6, 21),
            scale=scale,
            tau_hours=tau,
            steady_per_hour=scale * rng.uniform(0.00005, 0.0004),
            spikes=spikes,
            dips=dips,
            rejection=(code, details) if rejected else None,
            committee_note=(
                "This petition asks for something that is already law. The Committee has written to "
                "the petitioner to explain." if rng.random() < 0.03 else None
            ),
            response_delay_days=rng.uniform(7, 40) if rng.random() < 0.92 else None,
            debate_plan=(rng.random() < 0.85, rng.uniform(10, 30), rng.uniform(14, 45), rng.uniform(1, 4)),
            local_bias=rng.randrange(len(self.seats)),
            archived=archived,
        )
        return _ending_at(plan, final) if opened else plan

    @staticmethod
    def _draw_popularity(rng: random.Random, petition_id: int, kind: str) -> tuple[float, float]:
        """(final count, launch decay in hours). One petition in ten reaches 10,000 (ids ending in
        03, 07, 15, 27, 39 of each 50) and then ends as real ones did (FINALS_ABOVE_10K); the rest
        stay small, on a long tail below 10,000."""
        bucket = petition_id % 50
        if kind in UNPUBLISHED or kind == "rejected":
            return 0.0, 1.0
        if bucket == 7 or bucket % 12 == 3:
            final = final_above_10k(rng.random())
        else:
            final = min(rng.lognormvariate(math.log(300), 1.4), 9_000)
        return final, rng.uniform(6, 240)

    # --- counts

    def natural_count(self, plan: Plan, moment: datetime) -> int:
        """The count the batch job would report at `moment` (left alone by tests)."""
        if plan.opened_at is None:
            if plan.rejected_at or plan.kind != "pending":
                return plan.sponsors
            return 1 + plan.sponsors % 5  # the creator and fewer than the 5 supporters moderation needs
        if plan.deadline is not None and moment > plan.deadline:
            moment = plan.deadline
        moment = floor_tick(moment)
        hours = (moment - plan.opened_at).total_seconds() / HOUR
        if hours <= 0:
            return plan.sponsors
        count = int(plan.sponsors + _growth(plan, hours))
        for at, lost in plan.dips:
            if hours > at:
                count -= lost
        return max(count, 0)

    def count(self, petition_id: int, moment: datetime | None = None) -> int:
        moment = moment or self.now()
        manual = self._manual.get(petition_id)
        if manual is not None and moment >= manual.at:
            return manual.count
        plan = self.plan(petition_id)
        if plan.archived:
            return self._archived_count(plan)
        return self.natural_count(plan, moment)

    def _archived_count(self, plan: Plan) -> int:
        count = self._archived_counts.get(plan.id)
        if count is None:
            count = self.natural_count(plan, ARCHIVED_DISSOLUTION)
            self._archived_counts[plan.id] = count
        return count

    def set_count(self, petition_id: int, count: int) -> None:
        """Pin a petition's count from now on, stamping or resetting thresholds as the site would."""
        with self._lock:
            now = floor_tick(self.now())
            response_at = self.threshold_reached_at(petition_id, RESPONSE_THRESHOLD, now)
            debate_at = self.threshold_reached_at(petition_id, DEBATE_THRESHOLD, now)
            if count >= RESPONSE_THRESHOLD:
                response_at = response_at or now
            else:
                response_at = None
            if count >= DEBATE_THRESHOLD:
                debate_at = debate_at or now
            else:
                debate_at = None
            self._manual[petition_id] = _Manual(int(count), now, response_at, debate_at)
            self.version += 1

    def _first_crossing(self, plan: Plan, threshold: int) -> datetime | None:
        """The first tick at which the natural count reaches `threshold` (growth is ~monotonic)."""
        key = (plan.id, threshold)
        if key in self._crossings:
            return self._crossings[key]
        crossing = None
        if plan.opened_at is not None:
            end = plan.deadline
            assert end is not None  # an opened petition has a deadline
            if self.natural_count(plan, end) >= threshold:
                low, high = int(plan.opened_at.timestamp()) // TICK, int(end.timestamp()) // TICK
                while low < high:
                    middle = (low + high) // 2
                    if self.natural_count(plan, datetime.fromtimestamp(middle * TICK, UTC)) >= threshold:
                        high = middle
                    else:
                        low = middle + 1
                crossing = datetime.fromtimestamp(low * TICK, UTC)
        self._crossings[key] = crossing
        return crossing

    def threshold_reached_at(self, petition_id: int, threshold: int, moment: datetime | None = None
                             ) -> datetime | None:
        """When the count reached `threshold`; None before that or if it has fallen back below."""
        moment = moment or self.now()
        manual = self._manual.get(petition_id)
        if manual is not None and moment >= manual.at:
            return manual.response_at if threshold == RESPONSE_THRESHOLD else manual.debate_at
        plan = self.plan(petition_id)
        if plan.archived:
            moment = min(moment, ARCHIVED_DISSOLUTION)
        crossing = self._first_crossing(plan, threshold)
        if crossing is None or crossing > moment or self.count(petition_id, moment) < threshold:
            return None
        return crossing

    def updated_at(self, petition_id: int, moment: datetime | None = None) -> datetime:
        """The last tick at which the count changed (or the plan's last edit)."""
        moment = moment or self.now()
        manual = self._manual.get(petition_id)
        if manual is not None and moment >= manual.at:
            return manual.at
        plan = self.plan(petition_id)
        if plan.opened_at is None:  # a sponsor's signature or the move to moderation, never ahead of now
            return floor_tick(min(plan.rejected_at or plan.moderation_at, moment))
        assert plan.deadline is not None  # an opened petition has a deadline
        end = floor_tick(min(moment, plan.deadline) if not plan.archived else plan.deadline)
        current = self.natural_count(plan, end)
        low, high = int(plan.opened_at.timestamp()) // TICK, int(end.timestamp()) // TICK
        while low < high:  # the earliest tick already showing today's count
            middle = (low + high) // 2
            if self.natural_count(plan, datetime.fromtimestamp(middle * TICK, UTC)) == current:
                high = middle
            else:
                low = middle + 1
        return datetime.fromtimestamp(low * TICK, UTC)

    def signatures_in_last_hour(self, petition_id: int, moment: datetime | None = None) -> int:
        moment = moment or self.now()
        return max(0, self.count(petition_id, moment) - self.count(petition_id, moment - timedelta(hours=1)))

    # --- milestones

    def milestones(self, petition_id: int, moment: datetime | None = None) -> Milestones:
        """Thresholds, response and debate as they stand at `moment`."""
        moment = moment or self.now()
        plan = self.plan(petition_id)
        if plan.archived:  # everything stopped at dissolution
            moment = min(moment, ARCHIVED_DISSOLUTION)
        response_at = self.threshold_reached_at(petition_id, RESPONSE_THRESHOLD, moment)
        debate_at = self.threshold_reached_at(petition_id, DEBATE_THRESHOLD, moment)
        result = Milestones(response_threshold_at=response_at, debate_threshold_at=debate_at)
        if response_at is not None and plan.response_delay_days is not None:
            answered = _stamp(response_at + timedelta(days=plan.response_delay_days), plan.id)
            if answered <= moment:
                result.government_response_at = answered
        if debate_at is None:
            return result
        debated, decision_days, until_debate_days, outcome_days = plan.debate_plan
        decided = debate_at + timedelta(days=decision_days)
        if decided > moment:
            return result
        if not debated:
            result.debate_outcome_at = _stamp(decided, plan.id)
            result.debated = False
            return result
        result.debate_scheduled_on = london_date(decided)
        result.scheduled_debate_date = london_date(decided + timedelta(days=until_debate_days))
        outcome = _stamp(decided + timedelta(days=until_debate_days + outcome_days), plan.id)
        if london_date(moment) > result.scheduled_debate_date:
            result.debated = True  # marked debated once the date passes, before any outcome
        if outcome <= moment:
            result.debate_outcome_at = outcome
        return result


def final_above_10k(u: float) -> float:
    """The final count at quantile `u` of FINALS_ABOVE_10K, interpolated on a log scale."""
    for (low_q, low), (high_q, high) in zip(FINALS_ABOVE_10K, FINALS_ABOVE_10K[1:], strict=False):
        if u <= high_q:
            share = (u - low_q) / (high_q - low_q)
            return low * (high / low) ** share
    return float(FINALS_ABOVE_10K[-1][1])


def _daily_hours(plan: Plan, hours: float) -> float:
    """Hours since opening on a clock that runs slow at night and fast by day: the integral of
    1 - DAILY_SWING * cos(2 pi (t - QUIETEST_HOUR) / 24), so growth keeps a daily rhythm and never reverses."""
    omega = 2 * math.pi / 24
    assert plan.opened_at is not None  # only opened petitions grow
    start = plan.opened_at.timestamp() / HOUR - QUIETEST_HOUR
    return hours - DAILY_SWING / omega * (math.sin(omega * (start + hours)) - math.sin(omega * start))


def _growth(plan: Plan, hours: float) -> float:
    """Signatures gathered after opening: a launch burst that decays, a steady trickle, news-driven
    surges later on; all on the daily clock."""
    hours = _daily_hours(plan, hours)
    total = plan.scale * (1 - math.exp(-hours / plan.tau_hours)) + plan.steady_per_hour * hours
    for at, size, tau in plan.spikes:
        if hours > at:
            total += size * (1 - math.exp(-(hours - at) / tau))
    return total


def _ending_at(plan: Plan, final: float) -> Plan:
    """The plan with its growth scaled so that it closes at `final` signatures (after its dips)."""
    assert plan.deadline is not None and plan.opened_at is not None  # only opened petitions grow
    hours = (plan.deadline - plan.opened_at).total_seconds() / HOUR
    unit = _growth(plan, hours)
    if unit <= 0:
        return plan
    lost = sum(count for _, count in plan.dips)
    factor = max(final + lost - plan.sponsors, 0.0) / unit
    return replace(
        plan, scale=plan.scale * factor, steady_per_hour=plan.steady_per_hour * factor,
        spikes=tuple((at, size * factor, tau) for at, size, tau in plan.spikes),
    )


def _with_millis(moment: datetime, rng: random.Random) -> datetime:
    """The site stores milliseconds; keep them so that every timestamp prints as `.mmmZ`."""
    return moment.replace(microsecond=rng.randrange(1000) * 1000)


def _stamp(moment: datetime, salt: int) -> datetime:
    """An admin's edit time: during UK working hours, with milliseconds."""
    day = london_date(moment)
    offset = london_offset(moment)
    seconds = 9 * 3600 + (salt * 7919) % (8 * 3600)
    local = datetime.combine(day, datetime.min.time(), UTC) + timedelta(seconds=seconds)
    return (local - offset).replace(microsecond=(salt % 997) * 1000)


@dataclass
class Milestones:
    response_threshold_at: datetime | None = None
    debate_threshold_at: datetime | None = None
    government_response_at: datetime | None = None
    debate_scheduled_on: date | None = None
    scheduled_debate_date: date | None = None
    debate_outcome_at: datetime | None = None
    debated: bool = False

    @property
    def debate_state(self) -> str:
        """pending, awaiting, scheduled, debated or not_debated (§12.3)."""
        if self.debate_outcome_at is not None:
            return "debated" if self.debated else "not_debated"
        if self.debated:
            return "debated"
        if self.scheduled_debate_date is not None:
            return "scheduled"
        return "awaiting" if self.debate_threshold_at else "pending"
