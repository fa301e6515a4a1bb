"""One alerts pass over the watchlist, run by the poller after each refresh pass.

It reads what the refresh engine stored (documents, samples, problems), asks `alerts.conditions`
what holds, and records the new alerts in the store, where each (petition, key) is kept once.
A petition seen for the first time since it was pinned gets its baseline instead: what holds then
is remembered silently. The first pass of a process, when no poller has run for `away_gap`
seconds, marks its alerts `away`: they are announced as one summary.
"""

from __future__ import annotations

from collections.abc import Iterable

from petitiondesk.core.alert_store import AlertStore, StoredAlert
from petitiondesk.core.alerts import SURGE_HISTORY, Alert, AlertRules, conditions
from petitiondesk.core.analysis import HOUR
from petitiondesk.core.models import Petition
from petitiondesk.core.store import Store

AWAY_GAP = 10 * 60.0  # a poller silent for longer than this was "not running"
SAMPLE_WINDOW = SURGE_HISTORY + 2 * HOUR  # the samples a pass needs (surge: 3 days and the last hour)
DEFAULTS_SETTING = "alerts.defaults"
RULES_SETTING = "alerts.rules"  # {petition id: rules} for petitions with their own


def load_rules(store: Store) -> tuple[AlertRules, dict[int, AlertRules]]:
    """The default rules and each petition's own, from the store's settings (bad values ignored)."""
    defaults = AlertRules.from_json(store.setting(DEFAULTS_SETTING, {}))
    own = store.setting(RULES_SETTING, {})
    per_petition: dict[int, AlertRules] = {}
    if isinstance(own, dict):
        for key, value in own.items():
            if str(key).isdigit():
                per_petition[int(key)] = AlertRules.from_json(value, defaults)
    return defaults, per_petition


def save_default_rules(store: Store, rules: AlertRules) -> None:
    store.set_setting(DEFAULTS_SETTING, rules.to_json())


def save_petition_rules(store: Store, petition_id: int, rules: AlertRules | None) -> None:
    """One petition's own rules, or None to follow the defaults again."""
    with store.transaction():
        own = store.setting(RULES_SETTING, {})
        own = dict(own) if isinstance(own, dict) else {}
        if rules is None:
            own.pop(str(int(petition_id)), None)
        else:
            own[str(int(petition_id))] = rules.to_json()
        store.set_setting(RULES_SETTING, own)


class AlertTracker:
    def __init__(self, store: Store, alerts: AlertStore, away_gap: float = AWAY_GAP) -> None:
        self._store = store
        self._alerts = alerts
        self._away_gap = away_gap
        self._first_pass = True

    def check(self, now: float, petition_ids: Iterable[int] | None = None) -> list[StoredAlert]:
        """Record what is new for the pinned petitions (all, or those in `petition_ids`)."""
        away = self._first_pass and self._was_away(now)
        self._first_pass = False
        wanted = None if petition_ids is None else set(petition_ids)
        entries = [e for e in self._store.watchlist() if wanted is None or e.petition_id in wanted]
        documents = self._store.summaries(e.petition_id for e in entries)
        defaults, own = load_rules(self._store)
        new: list[StoredAlert] = []
        for entry in entries:
            pid = entry.petition_id
            found = self._conditions(pid, documents.get(pid), now, own.get(pid, defaults))
            if not self._alerts.has_baseline(pid, entry.pinned_at):
                if documents.get(pid) is not None:  # a baseline needs the document it describes
                    self._alerts.remember_silently(pid, entry.pinned_at, found, now)
                continue
            new += self._alerts.record(found, now, away=away)
        self._alerts.touch(now)
        return new

    def _was_away(self, now: float) -> bool:
        last = self._alerts.active_at()
        return last is not None and now - last > self._away_gap

    def _conditions(self, pid: int, petition: Petition | None, now: float, rules: AlertRules) -> list[Alert]:
        times, counts = self._store.samples(pid, since=now - SAMPLE_WINDOW)
        problem = self._store.fetch_state(pid).problem
        return conditions(pid, petition, times, counts, now, rules, problem)
