"""The comparison window's frame times: 10 petitions of 100,000 samples each, panned and zoomed.

    .venv/bin/python bench/bench_compare.py [--petitions 10] [--samples 100000] [--frames 60]

Each frame moves the view (a pan of 1/20 of the range, or a zoom in or out by 15 %), as a drag
or a wheel turn does, and runs the event loop until the plot has painted once; that is the frame
time (bench/frame_timing.py, shared with bench_chart.py). The curves are drawn as in the window,
from their min/max pyramids (gui/lod_curve.py). Prints the median and worst of each (aim: 16 ms)
and the time of the first draw; asserts nothing.

Runs under Xvfb when there is no display and xvfb-run exists (real painting), else offscreen.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from frame_timing import frame_times, pans, print_load, report, summary, under_a_display, zooms

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=10)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    platform = under_a_display()

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
    print(f"{args.petitions} petitions x {args.samples:,} samples ({platform}); first draw "
          f"{(time.perf_counter() - began) * 1000:.0f} ms")
    plot = view.plot_widget
    box = plot.getPlotItem().getViewBox()
    box.autoRange(padding=0.02)
    full = box.viewRange()[0]
    frames = args.frames
    medians = []
    for label, moves in (("pan, whole range", pans(frames)), ("zoom in and out", zooms(frames))):
        box.setXRange(*full, padding=0)
        medians.append(report(label, frame_times(plot, moves)))
    box.setXRange(full[0], full[0] + (full[1] - full[0]) / 50, padding=0)  # about a week in view
    medians.append(report("pan, zoomed in (1/50)", frame_times(plot, pans(frames))))
    # By days since opening: a plain number axis instead of the date axis, then a log count axis.
    view.align_box.setCurrentIndex(view.align_box.findData("opened"))
    box.autoRange(padding=0.02)  # now, not at the next paint: every curve in view, then pans from there
    medians.append(report("pan, by opening", frame_times(plot, pans(frames))))
    view.log_box.setChecked(True)
    box.autoRange(padding=0.02)
    medians.append(report("pan, by opening, log", frame_times(plot, pans(frames))))
    summary(f"issue 14, {args.petitions} petitions x {args.samples:,} samples, pan and zoom", medians)
    print_load()


if __name__ == "__main__":
    main()
