"""The comparison window's frame times: 10 petitions of 100,000 samples each, panned and zoomed.

    .venv/bin/python bench/bench_compare.py [--petitions 10] [--samples 100000] [--frames 60]

Each frame moves the view (a pan of 1/20 of the range, or a zoom in or out by 15 %), as a drag
or a wheel turn does, and runs the event loop until the plot has painted once; that is the frame
time. Downsampling (peak) and clip-to-view are on, as
in the window. Prints the median and worst of each (aim: 16 ms) and the time of the first draw;
asserts nothing.

Runs under Xvfb when there is no display and xvfb-run exists (real painting), else offscreen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

DAY = 86400.0


def make_series(petitions: int, samples: int):
    """Petitions opened a few weeks apart, each recorded every minute, growing at its own pace."""
    from datetime import UTC, datetime, timedelta

    from petitiondesk.core import compare
    from petitiondesk.core.models import Petition

    rng = np.random.default_rng(14)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    series = []
    for n in range(petitions):
        opened = start + timedelta(days=9 * n)
        petition = Petition(id=700_000 + n, action=f"Petition number {n + 1}", state="open", signature_count=0,
                            opened_at=opened)
        times = opened.timestamp() + 60.0 * np.arange(samples)
        counts = np.cumsum(rng.poisson(0.5 + n, samples)).astype(np.int64)
        series.append(compare.Series(petition.id, petition, times, counts))
    return series


def frame_times(view, moves: list) -> list[float]:
    """Each move, then the event loop until the plot has painted once: what a drag step costs."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class PaintCounter(QObject):
        painted = 0

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                self.painted += 1
            return False

    counter = PaintCounter()
    viewport = view.plot_widget.viewport()
    viewport.installEventFilter(counter)
    box = view.plot_widget.getPlotItem().getViewBox()
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


def pan(fraction: float):
    def move(box) -> None:
        (left, right), _ = box.viewRange()
        step = (right - left) * fraction
        box.setXRange(left + step, right + step, padding=0)

    return move


def zoom(factor: float):
    def move(box) -> None:
        box.scaleBy(x=factor, y=1.0)

    return move


def report(name: str, times: list[float]) -> None:
    print(f"{name:<26} median {statistics.median(times):6.1f} ms   worst {max(times):6.1f} ms   "
          f"({len(times)} frames)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=10)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("BENCH_NO_XVFB") and shutil.which("xvfb-run"):
        env = dict(os.environ, BENCH_NO_XVFB="1")
        sys.exit(subprocess.call(["xvfb-run", "-a", sys.executable, *sys.argv], env=env))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from petitiondesk.gui.compare_view import CompareView

    app = QApplication.instance() or QApplication([])
    series = make_series(args.petitions, args.samples)
    view = CompareView()
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    began = time.perf_counter()
    view.set_series(series)
    view.plot_widget.repaint()
    print(f"{args.petitions} petitions x {args.samples:,} samples "
          f"({os.environ.get('QT_QPA_PLATFORM') or 'xcb'}); first draw "
          f"{(time.perf_counter() - began) * 1000:.0f} ms")
    box = view.plot_widget.getPlotItem().getViewBox()
    box.autoRange(padding=0.02)
    full = box.viewRange()[0]
    frames = args.frames
    for label, moves in (
        ("pan, whole range", [pan(0.05 if i % 2 == 0 else -0.05) for i in range(frames)]),
        ("zoom in and out", [zoom(0.85 if i < frames // 2 else 1 / 0.85) for i in range(frames)]),
    ):
        box.setXRange(*full, padding=0)
        report(label, frame_times(view, moves))
    box.setXRange(full[0], full[0] + (full[1] - full[0]) / 50, padding=0)  # about a week in view
    report("pan, zoomed in (1/50)", frame_times(view, [pan(0.05) for _ in range(frames)]))
    # By days since opening: a plain number axis instead of the date axis, then a log count axis.
    view.align_box.setCurrentIndex(view.align_box.findData("opened"))
    box.autoRange(padding=0.02)  # now, not at the next paint: every curve in view, then pans from there
    report("pan, by opening", frame_times(view, [pan(0.05 if i % 2 == 0 else -0.05) for i in range(frames)]))
    view.log_box.setChecked(True)
    box.autoRange(padding=0.02)
    report("pan, by opening, log", frame_times(view, [pan(0.05 if i % 2 == 0 else -0.05) for i in range(frames)]))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: figures grow with it")


if __name__ == "__main__":
    main()
