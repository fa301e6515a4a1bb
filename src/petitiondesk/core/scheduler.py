"""The one request scheduler: every thread that talks to the site takes its turn here.

Background work (refresh passes, paging through a listing, sweeps) shares one polite pace: one
request per `interval` in total, however many threads run at once (docs/API.md §11). A request
the user is waiting for (pinning, a search, a preview) goes to the front: it is sent at once, or,
when it follows another foreground request closely (pinning fifty links is bulk work), at most
one interval after it; background requests wait while one is queued, and the next background
request keeps its distance from it.

Qt-free and stdlib only: the window shares one scheduler between its services, and the command
line builds one per process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Seconds between background requests: what the real site gets from one PetitionDesk.
POLITE_INTERVAL = 1.0


class RequestScheduler:
    """Hands out turns to send a request; thread-safe. `wake()` lets waiters notice a stop."""

    def __init__(self, interval: float = POLITE_INTERVAL, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = max(0.0, float(interval))
        self._clock = clock
        self._changed = threading.Condition()
        self._next_background = float("-inf")
        self._last_foreground = float("-inf")
        self._foreground_waiting = 0
        #: Turns granted, by kind: what a bench or a test counts.
        self.granted = {"background": 0, "foreground": 0}

    def take_turn(self, *, foreground: bool = False, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Block until this request may be sent; False (at once) when `cancelled()` becomes true.

        A canceller must call `wake()` after setting what `cancelled` reads, so that a waiting
        thread looks again instead of sleeping out its wait."""
        with self._changed:
            if foreground:
                self._foreground_waiting += 1
            try:
                while not cancelled():
                    now = self._clock()
                    wait = self._ready_at(foreground) - now
                    if wait <= 0:
                        self._grant(foreground, now)
                        return True
                    self._changed.wait(None if wait == float("inf") else wait)
                return False
            finally:
                if foreground:
                    self._foreground_waiting -= 1
                self._changed.notify_all()  # a background waiter may go once the front is clear

    def wake(self) -> None:
        """Make every waiting thread check its `cancelled` again (someone is quitting)."""
        with self._changed:
            self._changed.notify_all()

    def _ready_at(self, foreground: bool) -> float:
        if foreground:
            return self._last_foreground + self.interval
        if self._foreground_waiting:
            return float("inf")  # until the foreground request has gone (notified then)
        return self._next_background

    def _grant(self, foreground: bool, now: float) -> None:
        if foreground:
            self._last_foreground = now
        self._next_background = max(self._next_background, now + self.interval)
        self.granted["foreground" if foreground else "background"] += 1
