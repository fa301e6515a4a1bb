"""Figures for browsing: load 30,000 archived petitions from the simulator, then sort and filter them.

Run: .venv/bin/python bench/bench_browse.py [--count N] [--repeat R]
Prints numbers only; nothing here is asserted. The simulator runs on loopback with no latency and the
client's politeness spacing set to 0, so "load" is this machine's cost of fetching, parsing and
de-duplicating the pages (against the real site the 1 s spacing dominates: ~1 s per page of 50).
Then the archive kept in a store: requests and time of the first load and of the second (issue 15).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from petitiondesk.core.browse import BrowseQuery, Browser, BrowseRow, filter_rows, sort_rows
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.parse import parse_list_page
from petitiondesk.core.store import Store
from petitiondesk.simulator import SimulatorServer


def timed(function, repeat: int) -> tuple[float, object]:
    """Median wall time in milliseconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def kept_loads(server: SimulatorServer, client: PetitionsClient) -> None:
    """The archive loaded twice with a store: the first fills it, the second reads it back."""
    with tempfile.TemporaryDirectory() as folder:
        for load in ("first", "second"):
            with Store.open(Path(folder) / "bench.sqlite3") as store:
                mark, started = len(server.request_log), time.perf_counter()
                browser = Browser(client, BrowseQuery("all", archived=True), store=store)
                for _ in browser.pages():
                    pass
                seconds = time.perf_counter() - started
            print(f"archive kept in the store, {load} load: {len(server.request_log) - mark} page requests, "
                  f"{len(browser.rows):,} rows in {seconds:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30_000, help="archived petitions (default 30000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per sort/filter figure (median)")
    args = parser.parse_args()

    started = time.perf_counter()
    with SimulatorServer(port=0, seed=5, archived_count=args.count, open_count=50) as server:
        print(f"simulator with {args.count:,} archived petitions started in "
              f"{time.perf_counter() - started:.2f} s")
        with PetitionsClient(server.url, min_interval=0) as client:
            browser = Browser(client, BrowseQuery("all", archived=True))
            started = time.perf_counter()
            first_page_at = None
            for page in browser.pages():
                if first_page_at is None:
                    first_page_at = time.perf_counter() - started
                if page.error:
                    print(f"load failed on page {page.page + 1}: {page.error}", file=sys.stderr)
                    return 1
            load = time.perf_counter() - started
            pages = browser.pages_loaded
            raw = client.list_page(state="all", archived=True, page=2).raw
            kept_loads(server, client)
    rows = browser.rows
    print(f"load: {len(rows):,} rows in {pages} pages: {load:.2f} s "
          f"({load / pages * 1000:.1f} ms per page; first page after {first_page_at * 1000:.0f} ms)")
    print("  (wall time, including the simulator building each page in this same process)")
    ms, _ = timed(lambda: [BrowseRow.from_petition(item) for item in parse_list_page(raw).items], 20)
    print(f"  client side alone (parse a page of 50 + build rows): {ms:.1f} ms per page, "
          f"{ms * pages / 1000:.2f} s for all {pages}")

    print(f"sort and filter of {len(rows):,} rows, median of {args.repeat}:")
    for key in ("signature_count", "action", "opened_at", "status", "id"):
        for descending in (False, True):
            ms, _ = timed(lambda key=key, descending=descending: sort_rows(rows, key, descending), args.repeat)
            print(f"  sort by {key:<16} {'desc' if descending else 'asc ':<4}  {ms:7.1f} ms")
    for text in ("sewage", "ban the", "2030 rivers", "zzzz-nothing", "1"):
        ms, matched = timed(lambda text=text: filter_rows(rows, text), args.repeat)
        print(f"  filter {text!r:<16}  {ms:7.1f} ms  ({len(matched):,} rows)")
    sorted_rows = sort_rows(rows, "signature_count", True)
    ms, _ = timed(lambda: sort_rows(filter_rows(sorted_rows, "ban"), "action"), args.repeat)
    print(f"  filter 'ban' then sort by action   {ms:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
