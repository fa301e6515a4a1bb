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

#: How often the GUI thread looks at the collector's counts (a look costs microseconds).
CHECK_INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """While it lives (and until `stop`), cycles are collected on the thread that owns it."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation whose count has passed its threshold; objects found unreachable."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if self._thresholds[generation] and counts[generation] > self._thresholds[generation]:
                return gc.collect(generation)
        return 0

    def stop(self) -> None:
        """Back to Python's own collection (the window has gone)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
