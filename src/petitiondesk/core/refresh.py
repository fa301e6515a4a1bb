"""The polite schedule: which watched petitions are due, bulk or single requests, backoff, samples.

One `Refresher.refresh()` is one pass. It asks only for what is due, one request at a time
(the client spaces them), and writes each petition's results in one store transaction, so a
killed process loses nothing it had committed. Site-wide trouble stops the pass at once:
a 403 blocks everything for hours (§11), 429/503 pause until Retry-After, and repeated network
failures end the pass as "offline" rather than trying every petition in turn.

Documents of a large watchlist: counts come from one CSV, and a document is fetched again only
when it may have changed: the site's facet listings (docs/API.md §3.1, one CSV each (§3.6) every
`FACET_INTERVAL`) show a petition entering or leaving "awaiting a response", "with a response",
"awaiting a debate", "debated" or "not debated"; the open CSV loses it (closed); it is shown
(`want_document`); or its constituency snapshot is due, at a pace that keeps to
`DOCUMENTS_PER_INTERVAL` documents per `full_interval` however long the watchlist (a small one keeps
`full_interval`).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from petitiondesk.core import site_history
from petitiondesk.core.fetched import Fetched, Outcome
from petitiondesk.core.models import Petition, PetitionCount
from petitiondesk.core.site_history import SiteHistoryOptions, SitePass
from petitiondesk.core.store import FetchState, Store, WatchEntry

if TYPE_CHECKING:  # the window's rows import this module before they need httpx (core/fetched.py)
    from petitiondesk.core.client import PetitionsClient

NEVER = 253402300799.0  # 9999-12-31: a removed (410) petition is never asked for again
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
MISSING_BACKOFF = (10 * MINUTE, DAY)  # 404 / not visible: from 10 min, doubling, up to a day
TROUBLE_BACKOFF = (30.0, 15 * MINUTE)  # offline or site errors: from 30 s, doubling
BLOCK_BACKOFF = (3 * HOUR, 48 * HOUR)  # 403: from 3 h, doubling
DEFAULT_PAUSE = {Outcome.RATE_LIMITED: 2 * MINUTE, Outcome.UNAVAILABLE: 10 * MINUTE}
ARCHIVED_INTERVAL = DAY  # an archived petition is frozen: its document at most daily
LATE_SIGNING = DAY  # signatures can still be confirmed for 24 h after closing (§10.1)
TROUBLE_LIMIT = 2  # consecutive network/site failures that end a pass
HOLD_SETTING = "refresh.hold"
FACETS_SETTING = "refresh.facets"  # {"checked_at": t, "seen": {id: [facet, ...]}} for watched petitions
#: The facets whose membership changes when a document does (response, debate; §3.1): one CSV each.
CHANGE_FACETS = ("awaiting_response", "with_response", "awaiting_debate", "debated", "not_debated")
FACET_INTERVAL = 10 * MINUTE
DOCUMENTS_PER_INTERVAL = 30  # scheduled documents per full_interval once the watchlist outgrows it
YIELD_EVERY = 25  # petitions read between GIL yields (see _yield_gil)
WAITING_INTERVAL = 10 * MINUTE  # a petition not open yet: its count, and whether it has opened
WAITING = (Outcome.COLLECTING_SUPPORTERS, Outcome.IN_MODERATION)  # not open yet (§9)
WAITING_WORDS = {  # what a petition not open yet is waiting for, by its problem word
    "collecting_supporters": "not open yet: collecting supporters",
    "in_moderation": "not open yet: in moderation",
}
WAITING_PROBLEMS = tuple(WAITING_WORDS)

_WORDS = {
    "offline": "cannot reach the site",
    "not_found": "not found (404); it may not be published yet",
    "gone": "removed from the site (410); no longer checked",
    "not_visible": "not publicly visible (yet)",
    **WAITING_WORDS,
    "blocked": "the site is refusing PetitionDesk's requests (403)",
    "rate_limited": "the site asked PetitionDesk to slow down (429)",
    "unavailable": "the site is unavailable",
    "bad_response": "the site sent something PetitionDesk could not read",
}

# What a pin says while a site-wide wait is on (no request is sent).
_HELD_WORDS = {
    "rate_limited": "the site asked PetitionDesk to slow down (429); it will be fetched after the pause",
    "unavailable": "the site is down for maintenance (503); it will be fetched after the pause",
}


@dataclass(frozen=True)
class PetitionUpdate:
    petition_id: int
    petition: Petition | None  # latest known document (fresh or stored), without its breakdowns
    signature_count: int | None
    sampled_at: float | None  # a sample (t, count) was recorded at this time
    problem: str | None  # same vocabulary as FetchState.problem
    message: str = ""  # human text for the problem
    changed: bool = False  # anything a view shows changed


@dataclass(frozen=True)
class RefreshReport:
    started_at: float
    finished_at: float
    updates: tuple[PetitionUpdate, ...]
    requests: int
    blocked_until: float | None
    paused_until: float | None
    offline: bool
    next_due_at: float
    cancelled: bool = False
    site: SitePass | None = None  # the whole-site pass, when one ran and its listing came


@dataclass
class _Hold:
    """Site-wide waits. The block and pause survive a restart (a restart must not retry a 403)."""

    blocked_until: float = 0.0
    block_seconds: float = 0.0
    paused_until: float = 0.0
    paused_by: str = "rate_limited"  # or "unavailable" (a 503): what a pin during the pause reports
    offline_until: float = 0.0
    trouble_seconds: float = 0.0

    def gate(self) -> float:
        return max(self.blocked_until, self.paused_until, self.offline_until)


@dataclass
class _Pass:
    now: float
    force: bool
    should_stop: Callable[[], bool]
    trouble: int = 0  # consecutive network/site failures
    halted: str | None = None  # "blocked", "paused" or "offline": no more requests this pass
    offline: bool = False
    full_budget: int = 0
    updates: dict[int, PetitionUpdate] = field(default_factory=dict)
    open_counts: dict[int, int] | None = None  # the open listing, once asked for in this pass
    site: SitePass | None = None


@dataclass(frozen=True)
class _Memo:
    """What `FetchState.milestones` holds: count.json's milestones and its own Last-Modified.

    The count's validator is kept apart from the document's (`FetchState.last_modified`): sharing
    one would make a later conditional document request answer 304 while the stored document is
    older than the count that was seen.
    """

    milestones: str | None = None
    count_modified: str | None = None

    @classmethod
    def load(cls, text: str | None) -> _Memo:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        milestones, modified = data.get("m"), data.get("lm")
        return cls(milestones if isinstance(milestones, str) else None,
                   modified if isinstance(modified, str) else None)

    def text(self) -> str:
        return json.dumps({"m": self.milestones, "lm": self.count_modified})


def _milestones_text(count: PetitionCount) -> str:
    return json.dumps([None if value is None else str(value) for value in count.milestones()])


class Refresher:
    def __init__(
        self,
        client: PetitionsClient,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        count_interval: float = 120.0,
        full_interval: float = 1800.0,
        bulk_threshold: int = 20,
        max_full_per_pass: int = 60,
        site_history: SiteHistoryOptions | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.count_interval = count_interval
        self.full_interval = full_interval
        self.bulk_threshold = bulk_threshold
        #: Full documents per pass: a large new watchlist is fetched over several short passes.
        self.max_full_per_pass = max_full_per_pass
        #: Whole-site recording (core/site_history.py); None or disabled: only the watchlist.
        self.site_history = site_history
        #: The latest known document of each petition, without its breakdowns (kept for 500 petitions).
        self._docs: dict[int, Petition] = {}
        self._hold: _Hold | None = None
        self._random = random.Random()
        self._watched = 0  # current-parliament petitions watched: sets the documents' pace

    # -- public ------------------------------------------------------------------------------

    def refresh(
        self,
        *,
        force: bool = False,
        should_stop: Callable[[], bool] = lambda: False,
        progress: Callable[[int, int], None] | None = None,
    ) -> RefreshReport:
        """One pass. `force` checks every healthy petition now, but never overrides a 403 block,
        a Retry-After pause, or the backoff of a petition that answered 404."""
        started = self.clock()
        sent_before = self.client.requests_sent
        run = _Pass(now=started, force=force, should_stop=should_stop, full_budget=self.max_full_per_pass)
        hold = self._load_hold()
        if started < max(hold.blocked_until, hold.paused_until):
            run.halted = "held"
        elif started < hold.offline_until and not force:
            run.halted, run.offline = "held", True
        else:
            self.client.should_stop = should_stop
            try:
                self._run_pass(run, progress)
            finally:
                self.client.should_stop = lambda: False
        return self._report(run, started, sent_before)

    def pin(self, petition_id: int, *, archived: bool = False) -> PetitionUpdate:
        """Fetch once, then pin: a 404/410/not visible petition is not pinned (the reason is
        returned); a transient failure (offline, blocked, paused) pins it for later passes."""
        run = _Pass(now=self.clock(), force=True, should_stop=lambda: False, full_budget=1)
        hold = self._load_hold()
        state = self.store.fetch_state(petition_id)
        if archived and not state.archived:
            state = replace(state, archived=True)
        if run.now < max(hold.blocked_until, hold.paused_until):
            problem = "blocked" if run.now < hold.blocked_until else hold.paused_by
            message = _HELD_WORDS.get(problem, _WORDS[problem])
            with self.store.transaction():
                self.store.pin(petition_id)
                self.store.save_fetch_state(replace(state, problem=problem, problem_detail=message))
            return self._update(petition_id, problem=problem, message=message)
        with self.client.foreground():  # the user is waiting: ahead of any pass's requests
            fetched = self.client.petition(petition_id, archived=state.archived,
                                           if_modified_since=self._doc_validator(petition_id, state))
            # Not open yet: its page redirects, but its count.json answers (§9).
            count = self.client.count(petition_id) if fetched.outcome in WAITING else None
        refused = fetched.outcome in (Outcome.NOT_FOUND, Outcome.GONE, Outcome.NOT_VISIBLE, Outcome.BAD_RESPONSE)
        if refused and not self.store.is_pinned(petition_id):
            problem = _problem_of(fetched.outcome)
            return self._update(petition_id, problem=problem, message=fetched.message or _WORDS[problem])
        with self.store.transaction():
            self.store.pin(petition_id)
            return self._apply(petition_id, state, run, count=count, full=fetched)

    def next_due_at(self) -> float:
        """When the next pass has something to do (never earlier than a block, pause or offline wait)."""
        now = self.clock()
        hold = self._load_hold()
        states = self._fetch_states(self.store.watchlist())
        self._remember_documents(states)
        self._watched = _current_count(states)
        due = [self._due_at(state, now) for state in states.values()]
        due = [t for t in (*due, self._facets_due_at()) if t < NEVER]
        site_due = site_history.due_at(self.store, self.site_history, now)
        if site_due is not None:
            due.append(site_due)
        earliest = min(due) if due else now + self.count_interval
        return max(earliest, hold.gate())

    # -- one pass ----------------------------------------------------------------------------

    def _run_pass(self, run: _Pass, progress: Callable[[int, int], None] | None) -> None:
        entries = self.store.watchlist()
        states = self._fetch_states(entries)
        self._remember_documents(states)
        self._watched = _current_count(states)
        if self._facets_due_at() <= run.now:  # not on every forced pass: each check is five requests
            self._check_facets(states, run)
        jobs = {pid: job for pid, state in states.items() if (job := self._job(state, run))}
        bulk = self._bulk_candidates(states, jobs)
        site_due = site_history.due_at(self.store, self.site_history, run.now)
        record_site = site_due is not None and site_due <= run.now
        total = len(jobs) - len(bulk) + (1 if bulk or record_site else 0)
        done = 0
        if record_site:
            self._record_site(states, run)
        if bulk and not run.halted:
            for pid in self._refresh_counts_in_bulk(bulk, states, run):
                jobs[pid] = "full"  # not in the open CSV any more: its document tells why
                total += 1
            for pid in bulk:
                if jobs.get(pid) == "count" and pid in run.updates:
                    del jobs[pid]
        if bulk or record_site:
            done += 1
            _report_progress(progress, done, total)
        for pid, job in jobs.items():
            _yield_gil()
            if run.halted:
                break
            if run.should_stop():
                run.halted = "cancelled"
                break
            if job == "full":
                if run.full_budget <= 0:
                    total -= 1
                    continue  # still due: the next pass fetches it
                run.full_budget -= 1
            self._refresh_one(pid, states[pid], job, run)
            done += 1
            _report_progress(progress, done, total)

    def _fetch_states(self, entries: Iterable[WatchEntry]) -> dict[int, FetchState]:
        states: dict[int, FetchState] = {}
        for number, entry in enumerate(entries):
            if number % YIELD_EVERY == 0:
                _yield_gil()
            states[entry.petition_id] = self.store.fetch_state(entry.petition_id)
        return states

    def _job(self, state: FetchState, run: _Pass) -> str | None:
        """"full", "count" or None (not due)."""
        if state.problem == "gone":
            return None
        if state.problem in WAITING_PROBLEMS:  # the document says whether it has opened
            return "full" if state.next_full_at <= run.now or run.force else None
        backing_off = state.problem in ("not_found", "not_visible")
        first_sight = state.petition_id not in self._docs and not backing_off
        if state.next_full_at <= run.now or (run.force and first_sight):
            return "full"
        if state.archived or backing_off or self._settled(state.petition_id, run.now):
            return None
        if state.next_check_at <= run.now or run.force:
            return "count"
        return None

    def _bulk_candidates(self, states: dict[int, FetchState], jobs: dict[int, str]) -> list[int]:
        """Open petitions due a count check, when there are enough of them to use the CSV."""
        open_ids = [pid for pid, state in states.items()
                    if not state.archived and state.problem != "gone"
                    and (doc := self._docs.get(pid)) is not None and doc.state == "open"]
        if len(open_ids) <= self.bulk_threshold:
            return []
        return [pid for pid in open_ids if jobs.get(pid) == "count"]

    def _open_counts(self, run: _Pass) -> dict[int, int] | None:
        """Every open petition's count from one `/petitions.csv?state=open`, asked for at most once a
        pass (the whole-site recorder and the watchlist's bulk check share it); None if it failed."""
        if run.open_counts is not None:
            return run.open_counts
        if run.should_stop():
            run.halted = "cancelled"
            return None
        fetched = self.client.petitions_csv(state="open")
        if fetched.outcome is not Outcome.OK or fetched.value is None:
            self._site_trouble(fetched, run, self.clock())
            return None  # not halted (e.g. a bad CSV): each pinned petition falls back to count.json
        run.trouble, run.offline = 0, False  # the site answered: not offline (any more)
        self._clear_trouble()
        run.open_counts = {row.id: row.signature_count for row in fetched.value}
        return run.open_counts

    def _record_site(self, states: dict[int, FetchState], run: _Pass) -> None:
        """The whole-site pass: every open petition not pinned gets a sample (core/site_history.py)."""
        options = self.site_history
        if options is None:
            return  # never due without options (site_history.due_at)
        site_history.mark_asked(self.store, run.now)
        counts = self._open_counts(run)
        if counts is not None:
            run.site = site_history.record_listing(self.store, counts, self.clock(), options, pinned=states)

    def _refresh_counts_in_bulk(self, bulk: list[int], states: dict[int, FetchState], run: _Pass) -> list[int]:
        """The open listing for every due open petition; returns those missing from it."""
        counts = self._open_counts(run)
        if counts is None:
            return []
        now = self.clock()
        missing = []
        with self.store.transaction():
            for pid in bulk:
                if pid not in counts:
                    missing.append(pid)
                    continue
                state = states[pid]
                before = self._known_count(pid)
                sampled = self._sample(pid, now, counts[pid])
                states[pid] = replace(state, checked_at=now, next_check_at=now + self.count_interval,
                                      problem=None, problem_detail=None, failures=0)
                self.store.save_fetch_state(states[pid])
                run.updates[pid] = self._update(pid, counts[pid], sampled, changed=counts[pid] != before)
        return missing

    def _refresh_one(self, pid: int, state: FetchState, job: str, run: _Pass) -> None:
        count = full = None
        if job == "count":
            count = self.client.count(pid, if_modified_since=_Memo.load(state.milestones).count_modified)
            if self._needs_document_after(count, state) and not run.should_stop():
                full = self.client.petition(pid, archived=state.archived,
                                            if_modified_since=self._doc_validator(pid, state))
        else:
            full = self.client.petition(pid, archived=state.archived,
                                        if_modified_since=self._doc_validator(pid, state))
            if full.outcome in WAITING and not run.should_stop():
                count = self.client.count(pid)  # answers while the document redirects (§9)
        outcomes = (getattr(count, "outcome", None), getattr(full, "outcome", None))
        if run.should_stop() and Outcome.NETWORK_ERROR in outcomes:
            run.halted = "cancelled"  # cut short by quitting: not the petition's fault
            return
        with self.store.transaction():
            run.updates[pid] = self._apply(pid, state, run, count=count, full=full)

    def _needs_document_after(self, count: Fetched[PetitionCount], state: FetchState) -> bool:
        """A count.json 404 may mean "archived" (§5): the document says. New milestones too."""
        if count.outcome is Outcome.NOT_FOUND:
            return True
        if count.outcome is not Outcome.OK or count.value is None:
            return False
        before = _Memo.load(state.milestones).milestones
        return before is not None and before != _milestones_text(count.value)

    # -- documents of a large watchlist: the facet listings say which changed -------------------

    def want_document(self, petition_id: int) -> None:
        """The petition is shown: its document is due now unless fetched within `full_interval`."""
        state = self.store.fetch_state(petition_id)
        now = self.clock()
        if state.problem or state.archived or (state.fetched_at or 0.0) > now - self.full_interval:
            return
        if state.next_full_at > now:
            with self.store.transaction():
                self.store.save_fetch_state(replace(state, next_full_at=now))

    def _uses_facets(self) -> bool:
        return self._watched > DOCUMENTS_PER_INTERVAL

    def _document_gap(self, first_document: bool) -> float:
        """Until the next scheduled document (its constituency snapshot): `full_interval`, stretched
        so that a long watchlist fetches `DOCUMENTS_PER_INTERVAL` per interval; a first document
        starts at a random point of the gap, so that a new long watchlist does not come due at once."""
        gap = self.full_interval * max(1.0, self._watched / DOCUMENTS_PER_INTERVAL)
        if gap > self.full_interval and first_document:
            return gap * self._random.uniform(0.05, 1.0)
        return self._jittered(gap)

    def _facets_due_at(self) -> float:
        if not self._uses_facets():
            return NEVER
        checked = self.store.setting(FACETS_SETTING, {})
        checked_at = checked.get("checked_at") if isinstance(checked, dict) else None
        return (checked_at if isinstance(checked_at, (int, float)) else 0.0) + FACET_INTERVAL

    def _check_facets(self, states: dict[int, FetchState], run: _Pass) -> None:
        """One CSV per change facet; a watched petition whose memberships differ from the last
        check has its document fetched in this pass. A failed listing keeps the last memberships and is
        asked again at the next check, not at every pass."""
        before = self.store.setting(FACETS_SETTING, {})
        previous = before.get("seen", {}) if isinstance(before, dict) else {}
        seen: dict[int, list[str]] = {pid: [] for pid, state in states.items() if not state.archived}
        for facet in CHANGE_FACETS:
            if run.halted or run.should_stop():
                return
            fetched = self.client.petitions_csv(state=facet)
            if fetched.outcome is not Outcome.OK or fetched.value is None:
                self._site_trouble(fetched, run, self.clock())
                self.store.set_setting(FACETS_SETTING, {"checked_at": run.now, "seen": previous})
                return
            for row in fetched.value:
                if row.id in seen:
                    seen[row.id].append(facet)
        changed = [pid for pid, facets in seen.items()
                   if isinstance(previous, dict) and str(pid) in previous and previous[str(pid)] != facets]
        with self.store.transaction():
            for pid in changed:
                states[pid] = replace(states[pid], next_full_at=run.now)
                self.store.save_fetch_state(states[pid])
            self.store.set_setting(FACETS_SETTING, {"checked_at": run.now,
                                                    "seen": {str(pid): facets for pid, facets in seen.items()}})

    # -- applying results --------------------------------------------------------------------

    def _apply(self, pid: int, state: FetchState, run: _Pass, *, count: Fetched[PetitionCount] | None = None,
               full: Fetched[Petition] | None = None) -> PetitionUpdate:
        """Write what the responses say (inside the caller's transaction); returns the update."""
        now = self.clock()
        before = self._known_count(pid)
        update = None
        if full is not None and full.outcome in WAITING:
            state, update = self._apply_waiting(pid, state, full, count, now)
            count = full = None
        if count is not None and not (count.outcome is Outcome.NOT_FOUND and full is not None):
            state, update = self._apply_count(pid, state, count, run, now)
        if full is not None:
            state, update = self._apply_full(pid, state, full, run, now)
        self.store.save_fetch_state(state)
        if update is None:
            update = self._update(pid)
        changed = update.changed or self._known_count(pid) != before
        return replace(update, changed=changed)

    def _apply_count(self, pid: int, state: FetchState, fetched: Fetched[PetitionCount], run: _Pass,
                     now: float) -> tuple[FetchState, PetitionUpdate]:
        if fetched.outcome not in (Outcome.OK, Outcome.NOT_MODIFIED):
            return self._apply_problem(pid, state, fetched, run, now)
        self._clear_trouble()
        run.trouble, run.offline = 0, False  # the site answered: not offline (any more)
        memo = _Memo.load(state.milestones)
        signatures: int | None
        if fetched.outcome is Outcome.OK and fetched.value is not None:
            signatures = fetched.value.signature_count
            memo = _Memo(_milestones_text(fetched.value), fetched.last_modified or memo.count_modified)
        else:  # 304: the count stands; the sample extends the plateau to now
            signatures = self._known_count(pid)
        sampled = self._sample(pid, now, signatures) if signatures is not None else None
        state = replace(state, checked_at=now, next_check_at=now + self._count_gap(fetched),
                        problem=None, problem_detail=None, failures=0, milestones=memo.text())
        return state, self._update(pid, signatures, sampled)

    def _apply_full(self, pid: int, state: FetchState, fetched: Fetched[Petition], run: _Pass,
                    now: float) -> tuple[FetchState, PetitionUpdate]:
        if fetched.outcome not in (Outcome.OK, Outcome.NOT_MODIFIED):
            return self._apply_problem(pid, state, fetched, run, now)
        self._clear_trouble()
        run.trouble, run.offline = 0, False  # the site answered: not offline (any more)
        changed = False
        first_document = state.fetched_at is None
        archived = state.archived or fetched.archived
        signatures: int | None
        if fetched.outcome is Outcome.OK and fetched.value is not None and fetched.raw is not None:
            petition = fetched.value
            # A fresh document says where the petition lives now: an archived link may lead back
            # to a live one (§6, a parliament still being archived).
            archived = fetched.archived or petition.archived
            summary = petition.without_breakdowns()  # the breakdowns are read from the store when shown
            changed = summary != self._docs.get(pid)
            self.store.save_document(pid, fetched.raw, now, parsed=petition)
            self._docs[pid] = summary
            t = self._document_time(pid, petition, now)
            sampled = self._sample(pid, t, petition.signature_count)
            self._snapshot_constituencies(pid, petition, t)
            signatures = petition.signature_count
            state = replace(state, fetched_at=now, last_modified=fetched.last_modified)
        else:
            signatures = self._known_count(pid)
            sampled = self._sample(pid, now, signatures) if signatures is not None else None
        next_full = now + (ARCHIVED_INTERVAL if archived else self._document_gap(first_document))
        next_check = next_full if archived or self._settled(pid, now) else now + self._count_gap(fetched)
        if self._uses_facets() and now < state.next_check_at < next_check:
            next_check = state.next_check_at  # in step with the other counts: one CSV serves them all
        state = replace(state, archived=archived, next_full_at=next_full, checked_at=now,
                        next_check_at=min(next_check, next_full), problem=None, problem_detail=None, failures=0)
        return state, self._update(pid, signatures, sampled, changed=changed)

    def _apply_waiting(self, pid: int, state: FetchState, full: Fetched[Petition],
                       count: Fetched[PetitionCount] | None, now: float) -> tuple[FetchState, PetitionUpdate]:
        """Not open yet: record count.json's figure and look again soon, so that the petition opens
        in place once the site publishes it."""
        signatures = sampled = None
        if count is not None and count.outcome is Outcome.OK and count.value is not None:
            signatures = count.value.signature_count
            sampled = self._sample(pid, now, signatures)
        problem = _problem_of(full.outcome)
        message = full.message or _WORDS[problem]
        wait = self._jittered(WAITING_INTERVAL)
        state = replace(state, checked_at=now, next_check_at=now + wait, next_full_at=now + wait,
                        problem=problem, problem_detail=message[:500], failures=0)
        return state, self._update(pid, signatures, sampled, problem=problem, message=message)

    def _apply_problem(self, pid: int, state: FetchState, fetched: Fetched[Any], run: _Pass,
                       now: float) -> tuple[FetchState, PetitionUpdate]:
        problem = _problem_of(fetched.outcome)
        message = fetched.message or _WORDS[problem]
        detail: dict[str, Any] = dict(problem=problem, problem_detail=message[:500])
        if self._site_trouble(fetched, run, now):
            # A block or pause concerns the whole site: the hold delays this petition too.
            return replace(state, **detail), self._update(pid, problem=problem, message=message)
        failures = state.failures + 1
        if problem == "gone":
            wait = NEVER - now
        elif problem in ("not_found", "not_visible"):
            wait = _doubling(MISSING_BACKOFF, failures)
        else:  # offline, a bad response, or a 5xx: retried later, backing off
            wait = self._jittered(min(self.count_interval * 2 ** min(failures - 1, 20), HOUR))
        state = replace(state, next_check_at=now + wait, next_full_at=max(state.next_full_at, now + wait),
                        failures=failures, **detail)
        return state, self._update(pid, problem=problem, message=message)

    def _site_trouble(self, fetched: Fetched[Any], run: _Pass, now: float) -> bool:
        """Blocks, pauses and repeated failures concern the whole site; True if it was one."""
        hold = self._load_hold()
        outcome = fetched.outcome
        if outcome is Outcome.BLOCKED:
            hold.block_seconds = _next_wait(BLOCK_BACKOFF, hold.block_seconds)
            hold.blocked_until = now + hold.block_seconds
            run.halted = "blocked"
        elif outcome is Outcome.RATE_LIMITED or (outcome is Outcome.UNAVAILABLE and fetched.status == 503):
            pause = fetched.retry_after if fetched.retry_after is not None else DEFAULT_PAUSE[outcome]
            hold.paused_until = now + max(pause, 1.0)
            hold.paused_by = _problem_of(outcome)
            run.halted = "paused"
        elif outcome in (Outcome.NETWORK_ERROR, Outcome.UNAVAILABLE):
            # Each petition backs off on its own; repeated failures also end the pass.
            run.trouble += 1
            run.offline = run.offline or outcome is Outcome.NETWORK_ERROR
            if run.trouble >= TROUBLE_LIMIT:
                hold.trouble_seconds = _next_wait(TROUBLE_BACKOFF, hold.trouble_seconds)
                hold.offline_until = now + self._jittered(hold.trouble_seconds)
                run.halted = "offline"
            return False
        else:
            return False
        self._save_hold()
        return True

    def _clear_trouble(self) -> None:
        hold = self._load_hold()
        if hold.trouble_seconds or hold.offline_until or hold.block_seconds:
            hold.trouble_seconds = hold.offline_until = 0.0
            if hold.block_seconds and self.clock() >= hold.blocked_until:
                hold.block_seconds = 0.0  # an answer after the block ended: the next 403 starts at 3 h
                self._save_hold()

    # -- samples and documents ---------------------------------------------------------------

    def _sample(self, pid: int, t: float, signatures: int) -> float | None:
        return t if self.store.add_sample(pid, t, signatures) else None

    def _document_time(self, pid: int, petition: Petition, now: float) -> float:
        """The document's `updated_at` is when its count was true (§16); else the fetch time."""
        if petition.updated_at is None:
            return now
        t = min(petition.updated_at.timestamp(), now)
        latest = self.store.latest_sample(pid)
        if latest is not None and int(t) <= int(latest[0]):
            return now  # older than what was already recorded: the count holds now
        return t

    def _snapshot_constituencies(self, pid: int, petition: Petition, t: float) -> None:
        rows = petition.signatures_by_constituency
        if rows:
            self.store.add_constituency_snapshot(pid, t, {row.ons_code: row.signature_count for row in rows})

    def _remember_documents(self, states: dict[int, FetchState]) -> None:
        missing = [pid for pid in states if pid not in self._docs]
        if missing:
            self._docs.update(self.store.summaries(missing))

    def _known_count(self, pid: int) -> int | None:
        latest = self.store.latest_sample(pid)
        if latest is not None:
            return latest[1]
        doc = self._docs.get(pid)
        return doc.signature_count if doc else None

    def _doc_validator(self, pid: int, state: FetchState) -> str | None:
        """If-Modified-Since for the document, only when a stored document exists to reuse."""
        if pid not in self._docs:
            self._docs.update(self.store.summaries([pid]))
        return state.last_modified if pid in self._docs else None

    # -- schedule ----------------------------------------------------------------------------

    def _settled(self, pid: int, now: float) -> bool:
        """A closed (past its late-signing day) or rejected petition's count no longer moves."""
        doc = self._docs.get(pid)
        if doc is None or doc.state == "open":
            return False
        if doc.state == "closed" and doc.closed_at is not None:
            return now - doc.closed_at.timestamp() > LATE_SIGNING
        return True

    def _due_at(self, state: FetchState, now: float) -> float:
        """When `_job` will next give this petition something to do."""
        if state.problem == "gone":
            return NEVER
        if state.archived or state.problem in ("not_found", "not_visible", *WAITING_PROBLEMS) \
                or self._settled(state.petition_id, now):
            return state.next_full_at
        return min(state.next_check_at, state.next_full_at)

    def _count_gap(self, fetched: Fetched[Any]) -> float:
        """No faster than the site's max-age (§10.5), nor than our own interval."""
        return max(self.count_interval, fetched.max_age or 0.0)

    def _jittered(self, seconds: float) -> float:
        """Spread by +-10% so that petitions pinned together do not stay in lockstep."""
        return seconds * self._random.uniform(0.9, 1.1)

    # -- reporting ---------------------------------------------------------------------------

    def _update(self, pid: int, signatures: int | None = None, sampled: float | None = None, *,
                problem: str | None = None, message: str = "", changed: bool = False) -> PetitionUpdate:
        if signatures is None:
            signatures = self._known_count(pid)
        return PetitionUpdate(pid, self._docs.get(pid), signatures, sampled, problem, message, changed)

    def _report(self, run: _Pass, started: float, sent_before: int) -> RefreshReport:
        finished = self.clock()
        hold = self._load_hold()
        return RefreshReport(
            started_at=started,
            finished_at=finished,
            updates=tuple(run.updates.values()),
            requests=self.client.requests_sent - sent_before,
            blocked_until=hold.blocked_until if hold.blocked_until > finished else None,
            paused_until=hold.paused_until if hold.paused_until > finished else None,
            offline=run.offline,
            next_due_at=self.next_due_at(),
            cancelled=run.halted == "cancelled",
            site=run.site,
        )

    # -- the persisted hold ------------------------------------------------------------------

    def _load_hold(self) -> _Hold:
        if self._hold is None:
            saved = self.store.setting(HOLD_SETTING, {})
            saved = saved if isinstance(saved, dict) else {}
            times: dict[str, Any] = {key: float(value) for key, value in saved.items()
                                     if key in ("blocked_until", "block_seconds", "paused_until")
                                     and isinstance(value, (int, float))}
            self._hold = _Hold(**times)
            if saved.get("paused_by") in ("rate_limited", "unavailable"):
                self._hold.paused_by = saved["paused_by"]
        return self._hold

    def _save_hold(self) -> None:
        hold = self._load_hold()
        self.store.set_setting(HOLD_SETTING, {"blocked_until": hold.blocked_until,
                                              "block_seconds": hold.block_seconds,
                                              "paused_until": hold.paused_until,
                                              "paused_by": hold.paused_by})


def _current_count(states: dict[int, FetchState]) -> int:
    """Watched petitions of the current parliament that can still change (not archived, not gone)."""
    return sum(1 for state in states.values() if not state.archived and state.problem != "gone")


def _yield_gil() -> None:
    """Let a waiting thread run: the app's GUI thread needs the GIL to paint, and a long pass
    otherwise holds it in stretches of up to the switch interval (5 ms) at a time."""
    time.sleep(0)


def _problem_of(outcome: Outcome) -> str:
    return {Outcome.NETWORK_ERROR: "offline"}.get(outcome, outcome.value)


def _doubling(bounds: tuple[float, float], failures: int) -> float:
    first, cap = bounds
    wait: float = min(first * 2 ** max(0, min(failures - 1, 30)), cap)
    return wait


def _next_wait(bounds: tuple[float, float], previous: float) -> float:
    first, cap = bounds
    return first if previous <= 0 else min(previous * 2, cap)


def _report_progress(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, max(total, done))
