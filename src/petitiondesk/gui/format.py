"""Small pure helpers that turn numbers, times and states into the words every view shows.

No Qt here: these are plain functions so that the watchlist, the detail pane, the chart and the
CLI all say the same thing the same way. Times are shown in UK time, whatever the machine's zone,
unless the user prefers their computer's own zone (Preferences): `set_display_zone`.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from petitiondesk.core.models import Petition

UK = ZoneInfo("Europe/London")
MISSING = "—"

#: The zones a user can choose to read times in: the petitions' own (UK) or the computer's.
ZONE_CHOICES = {"uk": "UK time", "local": "Your computer's time zone"}
_display_zone: tzinfo = UK
_zone_name = "UK time"


def set_display_zone(choice: str) -> None:
    """Show times in UK time ("uk", the default) or in the computer's own zone ("local")."""
    global _display_zone, _zone_name
    if choice == "local":
        local = datetime.now().astimezone().tzinfo or UTC
        _display_zone, _zone_name = local, "local time"
    else:
        _display_zone, _zone_name = UK, "UK time"


def display_zone() -> tzinfo:
    """The zone every time in the window is shown in."""
    return _display_zone


def zone_name() -> str:
    """What to call the shown times: "UK time" or "local time"."""
    return _zone_name

_STATE_LABELS = {"open": "Open", "closed": "Closed", "rejected": "Rejected"}


def format_count(n: int | float | None) -> str:
    """112739 -> "112,739"."""
    if n is None:
        return MISSING
    return f"{round(n):,}"


def format_delta(n: int | float | None) -> str:
    """2400 -> "+2,400", -12 -> "-12", 0 -> "0"."""
    if n is None:
        return MISSING
    n = round(n)
    return f"{n:+,}" if n else "0"


def format_percent(fraction: float | None) -> str:
    """0.0123 -> "1.2%"; tiny non-zero shares say "<0.1%" rather than a misleading "0.0%"."""
    if fraction is None:
        return MISSING
    if 0 < fraction < 0.0005:
        return "<0.1%"
    return f"{fraction * 100:.1f}%"


def to_uk(dt: datetime) -> datetime:
    """A datetime in the shown zone (UK time unless the user chose their own); a naive one is
    taken to be UTC, as everything stored is."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(_display_zone)


def format_uk_time(dt: datetime | None) -> str:
    """2026-03-14T09:12Z -> "14 Mar 2026, 09:12" (in UK time, BST in summer, unless the user
    chose their own zone: `zone_name()` says which)."""
    if dt is None:
        return MISSING
    local = to_uk(dt)
    return f"{local.day} {local:%b %Y, %H:%M}"


def format_date(d: date | datetime | None) -> str:
    """2026-03-14 -> "14 Mar 2026". A datetime is first converted to UK time."""
    if d is None:
        return MISSING
    if isinstance(d, datetime):
        d = to_uk(d).date()
    return f"{d.day} {d:%b %Y}"


def format_chance(probability: float | None) -> str:
    """0.123 -> "12 %"; below 1 % and above 99 % say so rather than a false "0 %" or "100 %"."""
    if probability is None:
        return MISSING
    if 0 < probability < 0.01:
        return "under 1 %"
    if 0.99 < probability < 1:
        return "over 99 %"
    return f"{probability * 100:.0f} %"


def format_relative(seconds: float) -> str:
    """An offset from now: positive is the future ("in 45 s"), negative the past ("3 min ago")."""
    magnitude = abs(seconds)
    if magnitude < 1:
        return "now"
    if magnitude < 60:
        amount = f"{int(magnitude)} s"
    elif magnitude < 3600:
        amount = f"{int(magnitude // 60)} min"
    elif magnitude < 86400:
        amount = f"{int(magnitude // 3600)} h"
    else:
        days = int(magnitude // 86400)
        amount = f"{days} day" if days == 1 else f"{days} days"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def state_label(petition: Petition) -> str:
    """ "Open", "Closed", "Rejected", "Closed (archived)"; an unknown state is shown as it came."""
    return state_words(petition.state, petition.archived)


def state_words(state: str, archived: bool = False) -> str:
    """`state_label` for a state and archived flag without the whole record (browse rows)."""
    label = _STATE_LABELS.get(state, state.replace("_", " ").capitalize())
    return f"{label} (archived)" if archived else label


def progress_label(petition: Petition, today: date | None = None) -> str:
    """Where the petition stands with the government and Parliament (API §12.4), or ""."""
    today = today or datetime.now(UK).date()
    debate = petition.debate
    if debate is not None:
        return "Debated" if debate.debated else "Not debated"
    if petition.scheduled_debate_date is not None:
        if petition.scheduled_debate_date >= today:
            return f"Debate scheduled for {format_date(petition.scheduled_debate_date)}"
        return "Debated"
    if petition.debate_threshold_reached_at is not None:
        return "Awaiting a debate decision"
    if petition.government_response is not None:
        return "Government responded"
    if petition.response_threshold_reached_at is not None:
        return "Awaiting government response"
    return ""


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` exactly as written, wrapped to a readable width.

    Qt renders any tooltip that looks like markup as rich text (`<b>`, `<a>`, `<img src=file:…>`),
    so text from the network goes in escaped, inside a rich-text wrapper of our own."""
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<qt>{escaped}</qt>"


# -- where a petition is going (core.analysis.Outlook): the detail pane, the watchlist and `show` ----------

#: Why a deadline the document does not state is what it is (`core.milestones.Deadline.source`).
DEADLINE_RULES = {
    "opened_at + 6 months": "computed from the opening date: the site's six-month rule",
    "dissolution": "computed: the dissolution of Parliament closes petitions early",
}


def deadline_words(deadline) -> str:
    """ "3 Aug 2026, 23:59 (UK time)", with why when computed: "… (computed from the opening date: …)"."""
    moment = format_uk_time(datetime.fromtimestamp(deadline.at, UTC))
    if deadline.stated:
        return f"{moment} ({zone_name()})"
    return f"{moment} ({zone_name()}; {DEADLINE_RULES.get(deadline.source, 'computed')})"


def estimate_words(estimate) -> str:
    """ "about 652,000 (80 % range 601,000–720,000; method: curve)"."""
    return (f"about {format_count(estimate.final)} (80 % range {format_count(estimate.low)}–"
            f"{format_count(estimate.high)}; method: {estimate.method})")


def milestone_words(milestone, now: float) -> str:
    """ "10,000 reached 3 Dec 2025", "10,000 reached before recording began",
    "100,000 in about 3 days · 64 % chance", "100,000: 12 % chance" (not by the median path)."""
    target = format_count(milestone.target)
    if milestone.chance == 1.0 or milestone.reached_at is not None:
        if milestone.reached_at is None:
            return f"{target} reached before recording began"
        return f"{target} reached {format_date(datetime.fromtimestamp(milestone.reached_at, UTC))}"
    if milestone.chance is None:
        return f"{target}: too little recorded yet to say"
    if milestone.chance == 0.0:
        return f"{target} not reached"  # closed below it
    chance = f"{format_chance(milestone.chance)} chance"
    if milestone.eta is None:
        return f"{target}: {chance}"
    return f"{target} in about {format_relative(max(milestone.eta - now, 1.0)).removeprefix('in ')} · {chance}"


def outlook_lines(outlook, now: float) -> list[str]:
    """Where a petition is going, a line each: its deadline, the estimate (while open: a closed
    count is final) and its milestones. The detail pane's "Where it is going" and `show` print these."""
    lines = []
    if outlook.deadline is not None:
        verb = "Closes" if outlook.state == "open" else "Closed"
        lines.append(f"{verb}: {deadline_words(outlook.deadline)}")
    if outlook.state == "open":
        estimate = estimate_words(outlook.estimate) if outlook.estimate else "too little recorded yet to say"
        lines.append(f"Expected final count: {estimate}")
    lines += [milestone_words(milestone, now) for milestone in outlook.milestones]
    return lines
