"""One data folder, several processes: whoever holds the poller lock refreshes and finds alerts,
the others read what it records.

`PollerSession.run_pass()` is what `record` and the window's worker call on their schedule. In
the process holding the lock it runs a refresh pass and then the alerts pass; elsewhere it sends
nothing to the site. Either way it returns the alerts recorded since its last call, by whichever
process polled, so every process can show and announce them. A reader asks the poller for a pass
through the store (`request_refresh`), and its pins and removals are plain watchlist writes that
the poller's next pass picks up; `wait()` ends early when another process changed the store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Event

from petitiondesk.core.alert_store import StoredAlert
from petitiondesk.core.alert_tracker import AlertTracker
from petitiondesk.core.poller_lock import PollerLock
from petitiondesk.core.refresh import Refresher, RefreshReport
from petitiondesk.core.store import Store

log = logging.getLogger(__name__)

REFRESH_REQUEST_SETTING = "poller.refresh_requested_at"
WAKE_CHECK = 2.0  # seconds between looks at the store while waiting


@dataclass(frozen=True)
class PassOutcome:
    report: RefreshReport | None  # None when another process polls
    alerts: tuple[StoredAlert, ...]  # recorded since the previous pass, by any process
    unread: int
    polling: bool


def request_refresh(store: Store, now: float | None = None) -> None:
    """Ask whichever process polls for a pass now (it notices within `WAKE_CHECK` seconds)."""
    store.set_setting(REFRESH_REQUEST_SETTING, time.time() if now is None else now)


class PollerSession:
    def __init__(self, store: Store, refresher: Refresher, lock: PollerLock | None,
                 clock: Callable[[], float] = time.time) -> None:
        """`lock` None: this process is the only poller there is (tests, a private data folder)."""
        self._store = store
        self._refresher = refresher
        self._lock = lock
        self._clock = clock
        self._alerts = store.alerts()
        self._tracker = AlertTracker(store, self._alerts)
        self._seen = self._alerts.last_id()  # alerts before this session are not news
        self._last_pass_at = float("-inf")
        self._version = store.data_version()

    @property
    def polling(self) -> bool:
        return self._lock is None or self._lock.held

    def run_pass(self, *, force: bool = False, should_stop: Callable[[], bool] = lambda: False,
                 progress: Callable[[int, int], None] | None = None) -> PassOutcome:
        report = None
        if not self._take_lock():
            if force:
                request_refresh(self._store, self._clock())  # the poller does it, within seconds
        else:
            force = force or self.refresh_requested()
            self._last_pass_at = self._clock()
            report = self._refresher.refresh(force=force, should_stop=should_stop, progress=progress)
            if not report.cancelled:
                self._tracker.check(self._clock())
        new = self._alerts.after(self._seen)
        if new:
            self._seen = new[-1].id
        self._version = self._store.data_version()
        return PassOutcome(report, tuple(new), self._alerts.unread_count(), self.polling)

    def refresh_requested(self) -> bool:
        """Whether a reader asked for a pass since this poller's last one."""
        asked = self._store.setting(REFRESH_REQUEST_SETTING)
        return isinstance(asked, int | float) and asked > self._last_pass_at

    def wait(self, seconds: float, stop: Event) -> None:
        """Sleep up to `seconds`, ending early on `stop` or when another process changed the store
        (a pin, a removal, a refresh asked for, or, in a reader, the poller's results)."""
        deadline = time.monotonic() + max(0.0, seconds)
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or stop.wait(min(WAKE_CHECK, left)):
                return
            if self._store.data_version() != self._version:
                return

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def _take_lock(self) -> bool:
        if self._lock is None:
            return True
        try:
            return self._lock.try_acquire()
        except OSError as error:  # a folder that cannot hold a lock file: poll, as a lone process would
            log.warning("cannot take the poller lock in %s: %s", self._lock.path.parent, error)
            return True
