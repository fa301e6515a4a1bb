"""Alerts: what is worth telling the user about a pinned petition, each told once.

Pure functions, no I/O and no Qt. `conditions()` looks at what is known now (the latest document,
the recorded samples, the refresh problem, the time) and lists every alert condition that holds,
each under a stable key: the same event always gives the same key, so remembering the keys that
have fired (`core/alert_store.py`) makes each alert fire exactly once, in any process, across
restarts. A new event of the same kind gets a new key (a new response update carries its
`updated_at`, a rescheduled debate its date, a new stall the time the count last moved).

What already holds when a petition is pinned is remembered silently (the "baseline"), so nothing
that happened before pinning is announced. What was found in the first pass after nothing was
running is announced once as one "while you were away" summary (`announcements(away=True)`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import numpy as np

from petitiondesk.core.analysis import HOUR, _series, closing_timestamp
from petitiondesk.core.models import Petition

DAY = 24 * HOUR
SURGE_HISTORY = 3 * DAY
MIN_SURGE_HISTORY_HOURS = 24  # with less recorded history a launch burst would pass for a surge
FRESH_SAMPLE = 15 * 60.0  # the last hour's rate needs a sample this recent
MAX_SAMPLE_GAP = HOUR  # samples further apart, with different counts, leave the hours between unseen


class Kind(StrEnum):
    THRESHOLD = "threshold"
    RESPONSE = "response"
    RESPONSE_UPDATED = "response_updated"
    DEBATE_SCHEDULED = "debate_scheduled"
    DEBATED = "debated"
    DEBATE_OUTCOME = "debate_outcome"
    DEBATE_VIDEO = "debate_video"
    CLOSING_SOON = "closing_soon"
    CLOSED = "closed"
    SURGE = "surge"
    STALL = "stall"
    REMOVED = "removed"
    REJECTED = "rejected"
    OTHER = "other"  # bookkeeping rows, and kinds written by a newer release


@dataclass(frozen=True)
class AlertRules:
    """Which alerts a petition gets (the defaults, or one petition's own choice)."""

    thresholds: bool = True  # the response and debate thresholds (10,000 and 100,000)
    round_numbers: tuple[int, ...] = ()  # any further counts the user wants to hear about
    response: bool = True
    debate: bool = True
    closing_soon: bool = True
    closing_warning_hours: float = 24.0
    closed: bool = True
    surge: bool = True
    surge_factor: float = 3.0
    surge_min_per_hour: float = 100.0
    stall: bool = True
    stall_hours: float = 24.0
    removed: bool = True

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["round_numbers"] = list(self.round_numbers)
        return data

    @classmethod
    def from_json(cls, data: object, base: AlertRules | None = None) -> AlertRules:
        """Rules from stored JSON; unknown keys and wrongly typed values fall back to `base`."""
        rules = base or cls()
        if not isinstance(data, Mapping):
            return rules
        changes: dict[str, Any] = {}
        for field in fields(cls):
            value = data.get(field.name)
            current = getattr(rules, field.name)
            if field.name == "round_numbers":
                if isinstance(value, list | tuple):
                    changes[field.name] = _round_numbers(value)
            elif isinstance(current, bool):
                if isinstance(value, bool):
                    changes[field.name] = value
            elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
                changes[field.name] = float(value)
        return replace(rules, **changes)


def _round_numbers(values: Iterable[object]) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in values if isinstance(v, int) and not isinstance(v, bool) and v > 0}))


@dataclass(frozen=True)
class Alert:
    petition_id: int
    key: str  # stable: the same event always gives the same key for this petition
    kind: Kind
    title: str  # the petition's action (text from the network: show as plain text)
    message: str  # what happened, in words
    happened_at: float | None = None  # POSIX seconds when the site says it happened, if it does

    @property
    def identity(self) -> tuple[int, str]:
        return self.petition_id, self.key


@dataclass(frozen=True)
class Announcement:
    """One desktop notification: a single alert, or the "while you were away" summary."""

    title: str
    body: str
    petition_id: int | None  # what clicking opens (None for a summary of several petitions)
    alerts: tuple[Alert, ...]


# ------------------------------------------------------------------------------------ detection


def conditions(
    petition_id: int,
    petition: Petition | None,
    times: Any,
    counts: Any,
    now: float,
    rules: AlertRules,
    problem: str | None = None,
) -> list[Alert]:
    """Every alert condition that holds now, with stable keys (callers drop the keys already fired).

    `petition` is the latest document (None if none was ever fetched), `times`/`counts` the
    recorded samples (oldest first), `problem` the refresh engine's problem word ("gone" when the
    site answers 410).
    """
    title = _title(petition_id, petition)
    found: list[Alert] = []
    if problem == "gone" and rules.removed:
        found.append(Alert(petition_id, "removed", Kind.REMOVED, title, "was removed from the site"))
    if petition is not None:
        found += _document_conditions(petition_id, petition, title, now, rules)
    t, c = _series(times, counts, now)
    count = _latest_count(petition, t, c)
    if count is not None:
        found += _count_conditions(petition_id, petition, title, count, rules)
    if c.size and petition is not None and petition.state == "open":
        found += _rate_conditions(petition_id, title, t, c, now, rules)
    return found


def _document_conditions(pid: int, petition: Petition, title: str, now: float, rules: AlertRules) -> list[Alert]:
    found: list[Alert] = []
    if rules.removed and petition.state == "rejected":
        found.append(Alert(pid, "rejected", Kind.REJECTED, title, "was rejected", _ts(petition.rejected_at)))
    if rules.response:
        found += _response_conditions(pid, petition, title)
    if rules.debate:
        found += _debate_conditions(pid, petition, title)
    closes = closing_timestamp(petition)
    if rules.closing_soon and petition.state == "open" and closes is not None:
        if 0 < closes - now <= rules.closing_warning_hours * HOUR:
            hours = max(1, round((closes - now) / HOUR))
            when = f"in about {hours} hour{'s' if hours != 1 else ''}"
            found.append(Alert(pid, f"closing_soon:{int(closes)}", Kind.CLOSING_SOON, title, f"closes {when}"))
    if rules.closed and petition.state == "closed":
        message = f"closed with {petition.signature_count:,} signatures"
        found.append(Alert(pid, "closed", Kind.CLOSED, title, message, _ts(petition.closed_at)))
    return found


def _response_conditions(pid: int, petition: Petition, title: str) -> list[Alert]:
    response = petition.government_response
    if response is None and petition.government_response_at is None:
        return []
    found = [Alert(pid, "response", Kind.RESPONSE, title, "the government responded",
                   _ts(petition.government_response_at or (response.created_at if response else None)))]
    created = response.created_at if response else None
    if response is not None and response.updated_at and created and response.updated_at > created:
        stamp = response.updated_at.isoformat()
        found.append(Alert(pid, f"response_updated:{stamp}", Kind.RESPONSE_UPDATED, title,
                           "the government updated its response", response.updated_at.timestamp()))
    return found


def _debate_conditions(pid: int, petition: Petition, title: str) -> list[Alert]:
    found: list[Alert] = []
    debate = petition.debate
    scheduled = petition.scheduled_debate_date
    if scheduled is not None and not (debate and debate.debated):
        found.append(Alert(pid, f"debate_scheduled:{scheduled.isoformat()}", Kind.DEBATE_SCHEDULED, title,
                           f"a debate is scheduled for {_day(scheduled)}"))
    if debate is not None and debate.debated_on is not None:
        found.append(Alert(pid, "debated", Kind.DEBATED, title, f"was debated on {_day(debate.debated_on)}"))
    if petition.debate_outcome_at is not None:
        outcome = "the debate's outcome was published" if debate and debate.debated else (
            "the Petitions Committee decided not to debate it")
        found.append(Alert(pid, "debate_outcome", Kind.DEBATE_OUTCOME, title, outcome,
                           petition.debate_outcome_at.timestamp()))
    if debate is not None and debate.video_url:
        found.append(Alert(pid, "debate_video", Kind.DEBATE_VIDEO, title, "the debate's video was published"))
    return found


def _latest_count(petition: Petition | None, t: np.ndarray, c: np.ndarray) -> int | None:
    """The newest count known: the last sample, or the document's when it is newer (a sample
    taken in the same second as the one before is not stored)."""
    if c.size and (petition is None or petition.updated_at is None or petition.updated_at.timestamp() <= t[-1]):
        return int(c[-1])
    return petition.signature_count if petition is not None else None


def _count_conditions(pid: int, petition: Petition | None, title: str, count: int, rules: AlertRules) -> list[Alert]:
    levels = set(rules.round_numbers)
    if rules.thresholds:
        levels |= {petition.response_threshold, petition.debate_threshold} if petition else {10_000, 100_000}
    return [
        Alert(pid, f"threshold:{level}", Kind.THRESHOLD, title, f"reached {level:,} signatures")
        for level in sorted(levels)
        if count >= level
    ]


def _rate_conditions(pid: int, title: str, t: np.ndarray, c: np.ndarray, now: float, rules: AlertRules) -> list[Alert]:
    found: list[Alert] = []
    if rules.surge:
        surge = surge_rates(t, c, now)
        if surge is not None:
            last_hour, usual = surge
            if last_hour >= rules.surge_min_per_hour and last_hour >= rules.surge_factor * usual:
                day = datetime.fromtimestamp(now, UTC).date().isoformat()
                message = f"is surging: {last_hour:,.0f} signatures in the last hour (usually {usual:,.0f})"
                found.append(Alert(pid, f"surge:{day}", Kind.SURGE, title, message))
    if rules.stall:
        moved_at = last_change_time(t, c)
        if moved_at is not None and t[-1] - moved_at >= rules.stall_hours * HOUR:
            hours = (t[-1] - moved_at) / HOUR
            message = f"has had no new signatures for {hours:.0f} hours"
            stalled_at = moved_at + rules.stall_hours * HOUR
            found.append(Alert(pid, f"stall:{int(moved_at)}", Kind.STALL, title, message, stalled_at))
    return found


def surge_rates(t: np.ndarray, c: np.ndarray, now: float) -> tuple[float, float] | None:
    """(the last hour's rate, the median hourly rate of the 3 days before it), per hour.

    Only hours that recording saw count: between two samples the count is known when they are
    at most `MAX_SAMPLE_GAP` apart, or equal (a plateau is stored as its two ends); across a
    longer gap (nothing was running) it is not. None without a sample in the last 15 minutes,
    a seen last hour, or a day of seen hours before it.
    """
    if t.size < 2 or now - t[-1] > FRESH_SAMPLE:
        return None
    edges = now - HOUR * np.arange(int(SURGE_HISTORY / HOUR) + 1, -1, -1)  # the last edge is `now`
    edges[-1] = t[-1]  # the last hour ends at the newest sample
    seen = _seen_spans(t, c, edges)
    if not seen[-1]:
        return None
    at_edges = np.interp(edges, t, c.astype(np.float64))
    last_hour = (at_edges[-1] - at_edges[-2]) / (edges[-1] - edges[-2]) * HOUR
    history = np.diff(at_edges[:-1])[seen[:-1]]
    if history.size < MIN_SURGE_HISTORY_HOURS:
        return None
    return float(last_hour), max(float(np.median(history)), 0.0)


def _seen_spans(t: np.ndarray, c: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each span between consecutive `edges`: whether the samples tell its count change."""
    unknown = (np.diff(t) > MAX_SAMPLE_GAP) & (np.diff(c) != 0)
    unknown_before = np.concatenate([[0], np.cumsum(unknown)])  # unknown segments before sample i
    first = np.searchsorted(t, edges[:-1], side="right") - 1  # segment holding each span's start
    last = np.searchsorted(t, edges[1:], side="left") - 1  # segment holding its end
    inside = (edges[:-1] >= t[0]) & (edges[1:] <= t[-1])
    first, last = np.clip(first, 0, t.size - 2), np.clip(last, 0, t.size - 2)
    seen: np.ndarray = inside & (unknown_before[last + 1] - unknown_before[first] == 0)
    return seen


def last_change_time(t: np.ndarray, c: np.ndarray) -> float | None:
    """The first sample of the final run of equal counts: the count has not moved since then
    (it may have been flat for longer, before recording or before the samples given began)."""
    if c.size == 0:
        return None
    moved = np.flatnonzero(c[1:] != c[:-1])
    return float(t[moved[-1] + 1]) if moved.size else float(t[0])


# --------------------------------------------------------------------------------- announcing


def announcements(alerts: Iterable[Alert], *, away: bool) -> list[Announcement]:
    """One notification per alert, or, after a time when nothing was running, one summary."""
    alerts = tuple(alerts)
    if not alerts:
        return []
    if not away:
        return [Announcement(alert.title, _sentence(alert.message), alert.petition_id, (alert,)) for alert in alerts]
    petitions = {alert.petition_id for alert in alerts}
    lines = [f"{alert.title}: {alert.message}" for alert in alerts]
    count = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}"
    body = "\n".join(lines)
    target = next(iter(petitions)) if len(petitions) == 1 else None
    return [Announcement(f"While you were away: {count}", body, target, alerts)]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


# ------------------------------------------------------------------------------------ helpers


def _title(pid: int, petition: Petition | None) -> str:
    action = (petition.action if petition else "").strip()
    return action or f"Petition {pid}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"  # "%-d" is not portable to Windows


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()



def in_quiet_hours(minute_of_day: int, start: int, end: int) -> bool:
    """Whether a local time (minutes after midnight) falls in the quiet hours [start, end),
    which may run past midnight (22:00-07:00); equal ends mean no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= minute_of_day < end
    return minute_of_day >= start or minute_of_day < end


def parse_round_numbers(text: str) -> tuple[int, ...]:
    """"25,000 50000 1m" style input -> (25000, 50000, 1000000); ValueError saying which part is wrong.

    Numbers are separated by spaces, semicolons or commas between numbers; a comma inside a
    number groups thousands ("25,000"), and k/m suffixes are accepted.
    """
    numbers = set()
    for part in text.replace(";", " ").split():
        for piece in _split_list_commas(part):
            numbers.add(_round_number(piece))
    return tuple(sorted(numbers))


def _split_list_commas(part: str) -> list[str]:
    """ "25,000,50,000" is ambiguous; "25,000" is one number, "5000,10000" two: a comma followed by
    exactly three digits groups thousands, any other comma separates."""
    pieces, current = [], ""
    for index, char in enumerate(part):
        if char == ",":
            rest = part[index + 1:]
            group = rest[:3]
            if len(group) == 3 and group.isdigit() and (len(rest) == 3 or not rest[3].isdigit()):
                continue  # a thousands separator
            pieces.append(current)
            current = ""
        else:
            current += char
    pieces.append(current)
    return [piece for piece in pieces if piece]


def _round_number(piece: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(piece[-1:].lower(), 1)
    digits = piece[:-1] if scale > 1 else piece
    try:
        value = float(digits) * scale
    except ValueError:
        raise ValueError(f"{piece!r} is not a number of signatures") from None
    if not math.isfinite(value) or value < 1 or value > 100_000_000 or value != int(value):
        raise ValueError(f"{piece!r} is not a number of signatures from 1 to 100,000,000") from None
    return int(value)
