"""Python's cyclic garbage collector, run on the GUI thread only, while the window runs.

Python collects in whichever thread happens to allocate when a threshold is crossed. When the data
reader or the refresh worker collected a cycle that held Qt objects of the GUI thread (a closed
window's lambdas and wrappers), PySide disconnected their signals from that thread: it held Qt's
connection lock while it waited for the interpreter, which the GUI thread held while it waited for
the same lock (laying out a label), and both stopped for good (seen once in a full test run, the
reader parsing a document). So automatic collection is off, and a timer on the GUI thread collects
at the thresholds Python would have used, a generation at a time. Reference counting still frees
everything outside cycles at once.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts (a look costs microseconds): often while
#: the workers allocate, so that each collection is short (a quarter of a second of a refresh's
#: allocations made a first generation that took 6-9 ms to collect), and rarely when all is quiet.
FASTEST_CHECK_MS, SLOWEST_CHECK_MS = 16, 1000


class GuiThreadCollector(QObject):
    """While it lives (and until `stop`), cycles are collected on the thread that owns it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._timer.start(SLOWEST_CHECK_MS // 4)

    def collect_due(self) -> int | None:
        """Collect the oldest generation whose count has passed its threshold: objects found
        unreachable, or None when no generation was due."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if self._thresholds[generation] and counts[generation] > self._thresholds[generation]:
                return gc.collect(generation)
        return None

    def _check(self) -> None:
        collected = self.collect_due() is not None
        interval = self._timer.interval()
        # Sooner while collections are due (the workers allocate), later while none is.
        interval = max(FASTEST_CHECK_MS, interval // 4) if collected else min(SLOWEST_CHECK_MS, interval * 2)
        self._timer.start(interval)

    def freeze_survivors(self, *, collect_young: bool = True) -> None:
        """Keep what is alive now out of later collections, once the young garbage is collected
        (frozen, a dead cycle would never be freed): at start-up, and without collecting after each
        refresh pass, whose young generation can hold tens of thousands of records (5-7 ms to
        collect on the GUI thread, bench_gui --trace); they are acyclic, so a dead cycle frozen
        among them is rare, and no worse than one that dies after a freeze.

        The modules of Qt and pyqtgraph and the watchlist's records made each full collection take
        50-170 ms when documents still held their constituency breakdowns (hundreds of thousands of
        small records; the watchlist now keeps documents without them, `Store.summaries`); the GUI
        thread stalled meanwhile (bench/bench_gui.py). These objects are acyclic and freed by
        reference counting, so moving the survivors to the permanent generation costs nothing but
        this: a reference cycle alive at a freeze that dies later is not collected."""
        if collect_young:
            gc.collect(0)
        gc.freeze()

    def stop(self) -> None:
        """Back to Python's own collection (the window has gone)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
