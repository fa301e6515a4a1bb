"""The signature graph's frame times (the main window's chart): one petition of 1,000,000 samples.

    .venv/bin/python bench/bench_chart.py [--samples 1000000] [--frames 60]

Issue 15's aim: "1 M-sample chart: pan and zoom frame <= 16 ms". A petition recorded every minute
for about two years, with a night now and then when PetitionDesk was closed (breaks in the line),
in a 1400 x 900 chart. Each frame moves the view (a pan of 1/20 of the range, or a zoom in or out by
15 %), as a drag or a wheel turn does, and runs the event loop until the plot has painted once
(bench/frame_timing.py, shared with bench_compare.py); the count axis follows the samples in view,
as in the window. Prints the median and worst of each (aim: 16 ms), the first draw, and what a new
sample costs the GUI thread (the curve's pyramid is extended), at once and in the pieces the
window shows it in, a turn of the event loop each; asserts nothing.

Runs under Xvfb when there is no display and xvfb-run exists (real painting), else offscreen.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from frame_timing import frame_times, pans, print_load, report, summary, under_a_display, zooms

MINUTE = 60.0


def make_samples(samples: int) -> tuple[np.ndarray, np.ndarray]:
    """A count every minute, growing in bursts; every tenth night or so, 8 hours not recorded."""
    rng = np.random.default_rng(15)
    times = 1_700_000_000.0 + MINUTE * np.arange(samples)
    for night in range(0, samples, 14_400):  # every ten days
        times[night:] += 8 * 3600.0
    rate = np.repeat(rng.gamma(0.6, 2.0, samples // 1_000 + 1), 1_000)[:samples]
    return times, np.cumsum(rng.poisson(rate)).astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    platform = under_a_display()

    from PySide6.QtWidgets import QApplication

    from petitiondesk.core.models import Petition
    from petitiondesk.gui.chart import SignatureChart

    app = QApplication.instance() or QApplication([])
    times, counts = make_samples(args.samples)
    petition = Petition(id=700_001, action="A petition recorded for two years", state="open",
                        signature_count=int(counts[-1]))
    chart = SignatureChart()
    chart.resize(1400, 900)
    chart.show()
    app.processEvents()
    began = time.perf_counter()
    chart.set_petition(petition, times, counts)
    chart.plot_widget.repaint()
    drawn = (time.perf_counter() - began) * 1000
    print(f"1 petition x {args.samples:,} samples ({platform}); first draw {drawn:.0f} ms")
    plot = chart.plot_widget
    frames = args.frames
    medians = []
    for label, moves in (("pan, whole range", pans(frames)), ("zoom in and out", zooms(frames))):
        chart.fit()
        medians.append(report(label, frame_times(plot, moves)))
    box = plot.getPlotItem().getViewBox()
    (left, right), _ = box.viewRange()
    box.setXRange(left + (right - left) * 0.4, left + (right - left) * 0.42, padding=0)  # about two weeks
    medians.append(report("pan, zoomed in (1/50)", frame_times(plot, pans(frames))))
    chart.set_log_scale(True)
    medians.append(report("pan, whole range, log", frame_times(plot, pans(frames))))
    chart.set_log_scale(False)
    summary(f"issue 15, {args.samples:,}-sample chart, pan and zoom", medians)
    chart.fit()
    updates = []
    for _ in range(8):
        times, counts = np.append(times, times[-1] + MINUTE), np.append(counts, counts[-1] + 3)
        began = time.perf_counter()
        chart.update_samples(times, counts)
        chart.plot_widget.repaint()
        updates.append((time.perf_counter() - began) * 1000)
    print(f"a new sample (a refresh), drawn: median {statistics.median(updates):.0f} ms on the GUI thread "
          f"({len(updates)} samples)")
    turns = []  # as the window shows it: a piece per turn of the event loop, the paint after the last
    for _ in range(8):
        times, counts = np.append(times, times[-1] + MINUTE), np.append(counts, counts[-1] + 3)
        steps = chart.sample_steps(times, counts)
        for number, step in enumerate(steps, 1):
            began = time.perf_counter()
            step()
            if number == len(steps):
                chart.plot_widget.repaint()
            turns.append((number, (time.perf_counter() - began) * 1000))
    longest = max(ms for _, ms in turns)
    by_piece = ", ".join(f"{statistics.median(ms for n, ms in turns if n == number):.1f}"
                         for number in sorted({n for n, _ in turns}))
    print(f"  in the window's pieces (chart.sample_steps), a turn each: the longest {longest:.1f} ms; "
          f"median of each piece {by_piece} ms (the last with the paint)")
    print_load()


if __name__ == "__main__":
    main()
