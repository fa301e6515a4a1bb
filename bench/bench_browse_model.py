"""Figures for the browse model: 30,000 archived petitions appended page by page, sorted and filtered.

Run: .venv/bin/python bench/bench_browse_model.py [--count N] [--repeat R]
Prints numbers only; nothing here is asserted. The rows come from the simulator (fetched once, not
timed here: bench_browse.py times the network side); every figure below is GUI-thread time through
`BrowseModel` with the browse view's table attached and shown (offscreen), i.e. what a user waits for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from petitiondesk.core.browse import BrowseQuery, Browser
from petitiondesk.core.client import PetitionsClient
from petitiondesk.gui.browse_model import BrowseColumn, BrowseModel
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.browse_view import BrowseView
from petitiondesk.simulator import SimulatorServer

PAGE = 50


def timed(function, repeat: int) -> tuple[float, object]:
    """Median wall time in milliseconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        app.processEvents()  # the view's own work on the signals counts too
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def fetch_rows(count: int):
    with SimulatorServer(port=0, seed=5, archived_count=count, open_count=50) as server:
        with PetitionsClient(server.url, min_interval=0) as client:
            browser = Browser(client, BrowseQuery("all", archived=True))
            for page in browser.pages():
                if page.error:
                    sys.exit(f"load failed: {page.error}")
    return browser.rows


def model_with_view() -> tuple[BrowseModel, BrowseView]:
    """The browse view's own model and table, shown (its service never starts: no request)."""
    view = BrowseView(BrowseService(BrowseConfig("http://127.0.0.1:9")))
    view.resize(1200, 700)
    view.show()
    return view.model, view


def append_all(rows, sort_column: int | None = None) -> tuple[float, float]:
    """Total and worst per-page milliseconds to append every page."""
    model, view = model_with_view()
    if sort_column is not None:
        view.table.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
    worst, started = 0.0, time.perf_counter()
    for first in range(0, len(rows), PAGE):
        page_started = time.perf_counter()
        model.append_rows(rows[first:first + PAGE])
        app.processEvents()
        worst = max(worst, time.perf_counter() - page_started)
    total = time.perf_counter() - started
    view.close()
    return total * 1000, worst * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30_000, help="archived petitions (default 30000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per sort/filter figure (median)")
    args = parser.parse_args()

    started = time.perf_counter()
    rows = fetch_rows(args.count)
    print(f"fetched {len(rows):,} archived rows from the simulator in {time.perf_counter() - started:.1f} s "
          "(not part of the figures below)")

    pages = -(-len(rows) // PAGE)
    total, worst = append_all(rows)
    print(f"load through the model, site order: {pages} pages in {total:.0f} ms "
          f"({total / pages:.2f} ms per page, worst {worst:.1f} ms)")
    total, worst = append_all(rows, BrowseColumn.SIGNATURES)
    print(f"load through the model, sorted by signatures: {pages} pages in {total:.0f} ms "
          f"({total / pages:.2f} ms per page, worst {worst:.1f} ms)")
    total, worst = append_all(rows, BrowseColumn.TITLE)
    print(f"load through the model, sorted by title: {pages} pages in {total:.0f} ms "
          f"({total / pages:.2f} ms per page, worst {worst:.1f} ms)")

    model, view = model_with_view()
    ms, _ = timed(lambda: model.load(rows), 3)
    print(f"load all {len(rows):,} rows at once (a reset): {ms:.1f} ms")
    print(f"sort {len(rows):,} rows in the model (layoutChanged, view attached), median of {args.repeat}:")
    for column in (BrowseColumn.SIGNATURES, BrowseColumn.TITLE, BrowseColumn.OPENED, BrowseColumn.STATUS,
                   BrowseColumn.STATE, BrowseColumn.PINNED):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            ms, _ = timed(lambda column=column, order=order: model.sort(column, order), args.repeat)
            name = BrowseColumn.HEADERS[column] or "pinned (site order)"
            print(f"  {name:<22} {'asc ' if order == Qt.SortOrder.AscendingOrder else 'desc'}  {ms:7.1f} ms")
    model.sort(BrowseColumn.SIGNATURES, Qt.SortOrder.DescendingOrder)
    print(f"filter {len(rows):,} rows sorted by signatures, median of {args.repeat}:")
    for text in ("sewage", "ban the", "2030 rivers", "zzzz-nothing", "1", ""):
        def apply(text=text):
            model.set_filter("")
            model.set_filter(text)
        ms, _ = timed(apply, args.repeat)
        print(f"  filter {text!r:<16} {ms:7.1f} ms  ({model.rowCount():,} rows shown; includes clearing)")
    ids = [row.id for row in rows]
    ms, _ = timed(lambda: model.set_pinned(ids[:: max(1, len(ids) // 500)]), 1)
    print(f"set_pinned(500 ids) on {len(rows):,} rows: {ms:.1f} ms")
    ms, _ = timed(lambda: model.row_of(ids[-1]), args.repeat)
    print(f"row_of the last petition: {ms:.2f} ms")
    view.close()
    return 0


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv[:1])
    sys.exit(main())
