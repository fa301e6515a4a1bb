"""What PetitionDesk knows about each watched petition, read from the store: one `WatchRow` each.

The same rows feed the window's watchlist (built in the refresh worker's thread, hence immutable)
and the command line's `list` and `show`, so that both say the same count, state and problem.
Imports no Qt.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from petitiondesk.core import base_rates
from petitiondesk.core.analysis import Outlook, change_over, outlook
from petitiondesk.core.forecast import BaseRates
from petitiondesk.core.milestones import deadline, effective_state
from petitiondesk.core.models import SITE_BASE, Petition

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from petitiondesk.core.store import Store, WatchEntry

DAY = 86400.0
#: `build_rows` yields the GIL this often: 500 rows are ~50 ms of Python on the worker thread.
ROWS_BETWEEN_YIELDS = 25
#: An open petition's outlook is worked out again once this old even when its count and document
#: stay the same (the time left to its deadline, a stall, its closing pass with the clock).
OUTLOOK_REUSE_SECONDS = 15 * 60

# Problems a row can carry, with the word the table shows; the detail goes in the tooltip.
PROBLEM_LABELS = {
    "offline": "Offline",
    "not_found": "Not found",
    "gone": "Removed",
    "not_visible": "Not visible",
    "collecting_supporters": "Not open yet",
    "in_moderation": "Not open yet",
    "blocked": "Blocked",
    "rate_limited": "Rate limited",
    "unavailable": "Site down",
    "bad_response": "Bad answer",
    "error": "Error",
}


@dataclass(frozen=True)
class WatchRow:
    """What the watchlist shows about one petition."""

    petition_id: int
    position: int = 0
    petition: Petition | None = None
    signature_count: int | None = None
    change: int | None = None
    # True when `change` covers the whole 24 hours; False when recording began less than 24 h ago.
    change_complete: bool = True
    change_since: datetime | None = None
    checked_at: datetime | None = None
    problem: str | None = None
    problem_detail: str | None = None
    pinned_at: datetime | None = None
    counted_at: datetime | None = None  # when `signature_count` was recorded; None: from the document
    #: Deadline, estimate and milestones from the document and every recorded sample; None without a document.
    #: In `build_rows`, a closed petition's is worked out from its last day only: its count is final, and
    #: its state and deadline come from the document (reading its whole curve would cost 10 ms a row).
    outlook: Outlook | None = None
    #: True while the estimate is still to be worked out: rows read without the whole curve (`build_rows`
    #: with `estimates=False`, the window's first rows) carry the document's state and deadline only.
    estimate_pending: bool = False

    @property
    def title(self) -> str:
        return self.petition.action if self.petition else f"Petition {self.petition_id}"

    @property
    def problem_label(self) -> str:
        if not self.problem:
            return ""
        return PROBLEM_LABELS.get(self.problem, self.problem.replace("_", " ").capitalize())

    @property
    def closing(self) -> date | datetime | None:
        """When it closes (open) or closed (closed), computed by the site's rule when the document
        does not say (`closing_computed`); nothing for a rejected petition."""
        if self.petition is None or self.petition.state == "rejected":
            return None
        stated = self.petition.closed_at or self.petition.closing_date
        if stated is not None or self.outlook is None or self.outlook.deadline is None:
            return stated
        return _utc(self.outlook.deadline.at)

    @property
    def closing_computed(self) -> bool:
        """True when `closing` is worked out by the site's rule (six months from opening, or the
        dissolution), not stated by the document."""
        deadline = self.outlook.deadline if self.outlook is not None else None
        return deadline is not None and not deadline.stated and self.closing is not None

    @property
    def state(self) -> str | None:
        """The document's state, except that an open one past its (computed) deadline is closed."""
        if self.outlook is not None:
            return self.outlook.state
        return self.petition.state if self.petition else None

    @property
    def web_url(self) -> str:
        return self.petition.web_url if self.petition else f"{SITE_BASE}/petitions/{self.petition_id}"

    def as_dict(self) -> dict[str, Any]:
        """The command line's JSON for one watched petition."""
        petition = self.petition
        return {
            "id": self.petition_id,
            "position": self.position,
            "pinned_at": _iso(self.pinned_at),
            "action": petition.action if petition else None,
            "state": self.state,
            "signature_count": self.signature_count,
            "archived": bool(petition and petition.archived),
            "url": self.web_url,
            "problem": self.problem,
            "problem_detail": self.problem_detail,
            "closes": _iso(self.closing) if isinstance(self.closing, datetime) else _day(self.closing),
            "closes_computed": self.closing_computed,
        }


class OutlookMemo:
    """The outlooks `build_rows` worked out, kept between passes by whoever builds rows again (the
    refresh worker): an open petition whose count and document did not move since is given its
    outlook again (if under OUTLOOK_REUSE_SECONDS old) without reading its whole curve or working
    out its forecast, which was ~0.8 ms of Python a petition on the worker at every pass (500
    petitions of 1,000 samples: ~430 ms), each stretch of it keeping the GUI thread from the GIL."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Petition, int, float, Outlook]] = {}  # document, count, when, outlook
        self._rates: BaseRates | None = None

    def use_rates(self, rates: BaseRates) -> None:
        if rates != self._rates:  # learnt anew: every forecast changes
            self._kept.clear()
            self._rates = rates

    def get(self, petition_id: int, petition: Petition, count: int, now: float) -> Outlook | None:
        kept = self._kept.get(petition_id)
        if kept is None or kept[1] != count or not 0 <= now - kept[2] < OUTLOOK_REUSE_SECONDS or kept[0] != petition:
            return None
        return kept[3]

    def keep(self, petition_id: int, petition: Petition, count: int, now: float, seen: Outlook) -> None:
        self._kept[petition_id] = (petition, count, now, seen)


def build_rows(store: Store, now: float, ids: Iterable[int] | None = None,
               problems: dict[int, tuple[str, str]] | None = None, *, estimates: bool = True,
               memo: OutlookMemo | None = None) -> tuple[WatchRow, ...]:
    """Rows for the watched petitions among `ids` (all when None), in watchlist order, read from
    `store`; `problems` overrides the stored fetch problem. Without `estimates`, open petitions'
    rows are `estimate_pending`: a few samples each instead of their whole curves and forecasts
    (200 petitions, 1 M samples, documents parsed: 13 ms instead of 510), for a window that shows its
    rows at once. With a `memo`, outlooks whose count and document did not move are kept (see there)."""
    entries = store.watchlist()
    if ids is not None:
        wanted = set(ids)
        entries = [entry for entry in entries if entry.petition_id in wanted]
    petitions = store.summaries(entry.petition_id for entry in entries)
    rates = base_rates.stored(store)
    if memo is not None:
        memo.use_rates(rates)
    problems = problems or {}
    rows = []
    for number, entry in enumerate(entries):
        if number % ROWS_BETWEEN_YIELDS == 0:
            time.sleep(0)  # let the GUI thread take the GIL between blocks of rows
        rows.append(_row(store, entry.petition_id, now, petitions.get(entry.petition_id),
                         problems.get(entry.petition_id), entry, rates, whole_curve=False, estimate=estimates,
                         memo=memo))
    return tuple(rows)


def read_row(store: Store, petition_id: int, now: float) -> WatchRow:
    """One petition's row, watched or not (`show`)."""
    entry = next((entry for entry in store.watchlist() if entry.petition_id == petition_id), None)
    return _row(store, petition_id, now, store.petition(petition_id), None, entry, base_rates.stored(store),
                whole_curve=True)


def _row(store: Store, petition_id: int, now: float, petition: Petition | None,
         problem: tuple[str, str] | None, entry: WatchEntry | None, rates: BaseRates, *,
         whole_curve: bool, estimate: bool = True, memo: OutlookMemo | None = None) -> WatchRow:
    """The row of a petition whose document (or None) and watchlist entry (or None) are known; its
    outlook from every sample if `whole_curve` or it is open (the estimate reads the whole curve),
    unless `estimate` is False: then from the document alone, the estimate pending; or from `memo`."""
    state = store.fetch_state(petition_id)
    open_now = petition is not None and effective_state(petition, now) == "open"
    pending = open_now and not estimate and not whole_curve
    remembered = memo is not None and petition is not None and open_now and not whole_curve and not pending
    kept = None
    if pending or remembered:  # the first, the last and the one in force 24 h ago: the count and its change
        times, counts = store.samples_in_force(petition_id, quick_row_moments(now))
        if remembered and memo is not None and petition is not None and len(counts):
            kept = memo.get(petition_id, petition, int(counts[-1]), now)
    if not pending and kept is None:  # else the last day's and the one before (the 24 h change needs no more)
        times, counts = store.samples(petition_id, since=None if whole_curve or open_now else now - DAY)
    latest = (float(times[-1]), int(counts[-1])) if len(counts) else None
    count = latest[1] if latest else (petition.signature_count if petition else None)
    change = change_over(times, counts, now, DAY) if len(counts) else None
    problem_code, detail = problem or (state.problem, state.problem_detail)
    return WatchRow(
        petition_id=petition_id,
        position=entry.position if entry is not None else 0,
        petition=petition,
        signature_count=count,
        change=None if change is None else int(change.delta),
        change_complete=True if change is None else bool(change.complete),
        change_since=None if change is None else _utc(change.since),
        checked_at=_utc(state.checked_at),
        problem=problem_code,
        problem_detail=detail,
        pinned_at=_utc(entry.pinned_at) if entry is not None else None,
        counted_at=_utc(latest[0]) if latest else None,
        outlook=kept or _remembered(memo if remembered else None, petition_id, petition, latest, now,
                                    _outlook_of(petition, times, counts, now, rates, pending)),
        estimate_pending=pending,
    )


def quick_row_moments(now: float) -> tuple[float, float]:
    """When the samples a row without its estimate reads are in force: a day ago, and now."""
    return (now - DAY, now)


def _remembered(memo: OutlookMemo | None, petition_id: int, petition: Petition | None,
                latest: tuple[float, int] | None, now: float, seen: Outlook | None) -> Outlook | None:
    if memo is not None and petition is not None and latest is not None and seen is not None:
        memo.keep(petition_id, petition, latest[1], now, seen)
    return seen


def _outlook_of(petition: Petition | None, times: ArrayLike, counts: ArrayLike, now: float, rates: BaseRates,
                pending: bool) -> Outlook | None:
    if petition is None:
        return None
    if pending:  # what the document alone says: its state and deadline
        return Outlook(state=effective_state(petition, now), deadline=deadline(petition), known_points=(),
                       events=(), estimate=None, milestones=())
    return outlook(petition, times, counts, now, rates)


def _utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds").replace("+00:00", "Z")
