"""The constituency map's figures: redraw on switching petitions, maps and modes; recolour on refresh.

    .venv/bin/python bench/bench_map.py [--repeat 30]

Each figure is the median (and the worst) of `--repeat` runs of the detail pane's own call plus a
synchronous repaint of the map's viewport, offscreen, at 1100 x 800: what the user waits for.
Aim: under 50 ms to switch petitions or modes. A refresh must recolour the seats it already has:
the number of scenes built and the items in the scene are printed before and after.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_petition(petition_id: int, year: int, seed: int):
    """A 2019-style (2010 seats) or 2024-style document: 650 seats, skewed counts, a UK row."""
    from petitiondesk.core.hexmap import load_hexmap
    from petitiondesk.core.models import ConstituencySignatures, CountrySignatures, Petition

    rng = np.random.default_rng(seed)
    hexmap = load_hexmap(year)
    counts = rng.lognormal(5, 1.2, len(hexmap.hexes)).astype(int)
    rows = tuple(ConstituencySignatures(h.name, code, int(n), None if i % 97 == 0 else f"MP {i}")
                 for i, ((code, h), n) in enumerate(zip(hexmap.hexes.items(), counts, strict=True)))
    uk = int(counts.sum()) + 2000
    return Petition(id=petition_id, action=f"Petition {petition_id}", state="open", signature_count=uk + 300,
                    signatures_by_country=(CountrySignatures("United Kingdom", uk, "GB"),),
                    signatures_by_constituency=rows)


def grown(petition, seed: int):
    rng = np.random.default_rng(seed)
    rows = tuple(replace(row, signature_count=row.signature_count + int(rng.poisson(20)))
                 for row in petition.signatures_by_constituency)
    return replace(petition, signatures_by_constituency=rows, signature_count=petition.signature_count + 13000)


def show_map(pane, petition) -> None:
    from petitiondesk.core.export import uk_total

    rows = petition.signatures_by_constituency
    pane.map_panel.show_constituencies(rows, uk_total(petition.signatures_by_country, rows), None)


def timed(action, pane, repeat: int) -> tuple[float, float]:
    """(median, worst) milliseconds of `action()` followed by a repaint of the map."""
    from PySide6.QtWidgets import QApplication

    times = []
    for i in range(repeat):
        QApplication.processEvents()
        start = time.perf_counter()
        action(i)
        pane.map_panel.view.viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def report(name: str, figures: tuple[float, float]) -> None:
    median, worst = figures
    print(f"  {name:<52} {median:7.1f} ms median  {worst:7.1f} ms worst")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from petitiondesk.core.hexmap import CHANGE, PER_1000, SHARE, SIGNATURES
    from petitiondesk.gui import map_export
    from petitiondesk.gui.detail_pane import DetailPane

    app = QApplication.instance() or QApplication(sys.argv)
    pane = DetailPane()
    pane.resize(1100, 800)
    pane.show()
    pane.tabs.setCurrentIndex(2)
    old = [make_petition(100 + i, 2010, i) for i in range(4)]
    new = [make_petition(200 + i, 2024, 10 + i) for i in range(4)]
    baseline = {row.ons_code: max(0, row.signature_count - 30) for row in old[0].signatures_by_constituency}

    start = time.perf_counter()
    pane.show_petition(old[0])
    pane.map_panel.view.viewport().repaint()
    print(f"first map (builds the 2010 scene, fills every table): {(time.perf_counter() - start) * 1000:.1f} ms")
    pane.show_petition(new[0])  # builds the 2024 scene once
    print("switching (detail pane's show_petition, tables included, plus the map's repaint):")
    report("petition to petition, same map (2010 seats)", timed(lambda i: pane.show_petition(old[i % 4]),
                                                                   pane, args.repeat))
    report("petition to petition, other era's map (2010 <-> 2024)",
           timed(lambda i: pane.show_petition((old, new)[i % 2][i % 4]), pane, args.repeat))
    print("the map alone (MapPanel.show_constituencies plus the repaint; the rest is the tables):")
    report("petition to petition, same map (2010 seats)",
           timed(lambda i: show_map(pane, old[i % 4]), pane, args.repeat))
    report("petition to petition, other era's map (2010 <-> 2024)",
           timed(lambda i: show_map(pane, (old, new)[i % 2][i % 4]), pane, args.repeat))
    pane.show_petition(old[0], constituency_baseline=baseline)
    modes = (SIGNATURES, SHARE, PER_1000, CHANGE)
    report("mode to mode (signatures, share, per 1,000, 24 h)",
           timed(lambda i: pane.map_panel.set_mode(modes[i % 4]), pane, args.repeat))

    view = pane.map_panel.view
    builds, items = view.builds, list(view.scene().items())
    refreshed = [grown(old[0], seed) for seed in range(args.repeat)]
    report("refresh: the same petition with new counts",
           timed(lambda i: pane.show_petition(refreshed[i], constituency_baseline=baseline), pane, args.repeat))
    print(f"  scenes built: {builds} before the refreshes, {view.builds} after; scene items unchanged: "
          f"{list(view.scene().items()) == items}")

    spec = map_export.map_spec(old[0], PER_1000)
    with tempfile.TemporaryDirectory() as folder:
        for suffix in ("png", "svg"):
            path = Path(folder) / f"map.{suffix}"
            start = time.perf_counter()
            map_export.export_map(spec, path)
            print(f"export {suffix.upper()} 1400 x 1600: {(time.perf_counter() - start) * 1000:.1f} ms, "
                  f"{path.stat().st_size:,} bytes")
    pane.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
