"""Frame times of a plot being panned and zoomed: what bench_compare.py and bench_chart.py share.

A frame is one move of the view (a pan of a fraction of the range, or a zoom in or out), as a drag
step or a wheel turn makes, then the event loop until the plot has painted once. Figures are the
median and the worst frame, against the aim of 16 ms (60 frames a second).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

AIM_MS = 16.0

Move = Callable[[object], None]


def under_a_display() -> str:
    """Re-run this script under Xvfb when there is no display (real painting), else offscreen;
    returns the platform painted on."""
    if not os.environ.get("DISPLAY") and not os.environ.get("BENCH_NO_XVFB") and shutil.which("xvfb-run"):
        env = dict(os.environ, BENCH_NO_XVFB="1")
        sys.exit(subprocess.call(["xvfb-run", "-a", sys.executable, *sys.argv], env=env))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return os.environ.get("QT_QPA_PLATFORM") or "xcb"


def frame_times(plot_widget, moves: list[Move]) -> list[float]:
    """Each move, then the event loop until the plot has painted once: what a drag step costs (ms)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class PaintCounter(QObject):
        painted = 0

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                self.painted += 1
            return False

    counter = PaintCounter()
    viewport = plot_widget.viewport()
    viewport.installEventFilter(counter)
    box = plot_widget.getPlotItem().getViewBox()
    times = []
    for move in moves:
        began = time.perf_counter()
        painted = counter.painted
        move(box)
        while counter.painted == painted:  # the move's queued updates, then its one paint
            QApplication.processEvents()
        times.append((time.perf_counter() - began) * 1000)
    viewport.removeEventFilter(counter)
    return times


def pan(fraction: float) -> Move:
    def move(box) -> None:
        (left, right), _ = box.viewRange()
        step = (right - left) * fraction
        box.setXRange(left + step, right + step, padding=0)

    return move


def zoom(factor: float) -> Move:
    def move(box) -> None:
        box.scaleBy(x=factor, y=1.0)

    return move


def pans(frames: int, fraction: float = 0.05) -> list[Move]:
    """Back and forth: the view stays over the data however many frames."""
    return [pan(fraction if i % 2 == 0 else -fraction) for i in range(frames)]


def zooms(frames: int, factor: float = 0.85) -> list[Move]:
    """In, then out again by as much."""
    return [zoom(factor if i < frames // 2 else 1 / factor) for i in range(frames)]


def report(name: str, times: list[float]) -> float:
    """Prints one kind of move's frames; returns their median (ms)."""
    median, worst = statistics.median(times), max(times)
    verdict = "within" if median <= AIM_MS else "over"
    print(f"{name:<26} median {median:6.1f} ms   worst {worst:6.1f} ms   ({len(times)} frames; "
          f"aim {AIM_MS:.0f} ms: median {verdict})")
    return median


def summary(figure: str, medians: list[float]) -> None:
    """The line for the closing note: the issue's figure, the slowest kind of move's median, the aim."""
    slowest = max(medians)
    verdict = "met" if slowest <= AIM_MS else "missed"
    print(f"{figure}: slowest median frame {slowest:.1f} ms (aim <= {AIM_MS:.0f} ms): {verdict}")


def print_load() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: figures grow with it")
