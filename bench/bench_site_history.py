"""Figures for whole-site history: storage per petition per day, requests per pass, pass time.

2,000 open petitions on the built-in simulator (its population: launch bursts that decay, late
surges, stalls, daily cycles; most petitions sit on plateaus for hours), recorded every 10 minutes
through the real `Refresher` and HTTP, for simulated days; 20 of them pinned, so the watchlist's
own passes run alongside. The simulated clock stands still between passes and jumps 10 minutes.

Run: .venv/bin/python bench/bench_site_history.py [--days N] [--petitions N] [--quick]
Prints numbers only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.site_history import SiteHistoryOptions
from petitiondesk.core.store import Store
from petitiondesk.simulator import SimulatorServer, World

INTERVAL = 600.0
PINNED = 25  # above the bulk threshold (20): their counts come from the same listing
DAY = 86400.0


def run(days: float, petitions: int, folder: Path) -> None:
    world = World(seed=11, speed=0, start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC), open_count=petitions,
                  archived_count=10)
    passes = int(days * DAY / INTERVAL)
    with SimulatorServer(world=world) as site, Store.open(folder / "history.sqlite3") as store, \
            PetitionsClient(site.url, min_interval=0.0, timeout=30.0) as client:
        open_ids = world.ids("open")
        for pid in open_ids[:PINNED]:
            store.pin(pid)
        refresher = Refresher(client, store, clock=lambda: world.now().timestamp(), count_interval=120.0,
                              site_history=SiteHistoryOptions(interval=INTERVAL))
        requests, listings, pass_seconds, write_seconds, listed = [], [], [], [], []
        for _ in range(passes):
            mark = len(site.request_log)
            started = time.perf_counter()
            report = refresher.refresh()
            pass_seconds.append(time.perf_counter() - started)
            requests.append(report.requests)
            listings.append(sum(1 for _, path, _ in site.request_log[mark:] if path.startswith("/petitions.csv")))
            if report.site is not None:
                listed.append(report.site.listed)
            world.advance(INTERVAL)
        write_seconds = time_one_listing_write(store, refresher, world)
        forget_seconds = time_forgetting(store, world)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        started = time.perf_counter()
        usage = store.history_usage()
        usage_seconds = time.perf_counter() - started
        report_figures(days, passes, open_ids, listed, usage, requests, listings, pass_seconds, write_seconds,
                       forget_seconds)
        print(f"  measuring the history for Preferences (a thread of its own): {usage_seconds * 1000:.0f} ms")


def time_one_listing_write(store: Store, refresher: Refresher, world: World) -> float:
    """The store's part of a site pass alone: every listed count written in one transaction."""
    from petitiondesk.core.site_history import record_listing

    counts = {pid: world.count(pid) for pid in world.ids("open")}
    started = time.perf_counter()
    record_listing(store, counts, world.now().timestamp() + 1, refresher.site_history, pinned=())
    return time.perf_counter() - started


def time_forgetting(store: Store, world: World) -> float:
    """One forgetting pass that removes nothing (the usual case): the scan's cost."""
    started = time.perf_counter()
    store.forget_unpinned_history(world.now().timestamp() - 365 * DAY)
    return time.perf_counter() - started


def report_figures(days, passes, open_ids, listed, usage, requests, listings, pass_seconds, write_seconds,
                   forget_seconds) -> None:
    petitions = max(listed) if listed else len(open_ids)
    print(f"whole-site history: {petitions:,} open petitions, a listing every {INTERVAL / 60:g} min, "
          f"{days:g} simulated days ({passes:,} passes), {PINNED} pinned")
    print(f"  requests per pass for the whole site: {max(listings)} listing (/petitions.csv?state=open), shared "
          f"with the watchlist's bulk count check")
    print(f"  requests per pass in all, with the watchlist's own documents (every 30 min each): "
          f"median {statistics.median(requests):g}, max {max(requests)}")
    print(f"  rows stored: {usage.samples:,} for {usage.petitions:,} petitions = "
          f"{usage.samples / usage.petitions / days:.1f} rows per petition per day "
          f"(of {DAY / INTERVAL:.0f} listings a day: plateaus are kept as their two ends)")
    if usage.history_bytes:
        print(f"  samples table: {usage.history_bytes / 1e6:.2f} MB = "
              f"{usage.history_bytes / usage.petitions / days:,.0f} bytes per petition per day "
              f"({usage.history_bytes / usage.petitions / days * petitions * 365 / 1e6:.0f} MB a year for "
              f"{petitions:,} open petitions)")
    print(f"  whole database: {usage.file_bytes / 1e6:.2f} MB")
    print(f"  pass time (request, parse, write; loopback): median {statistics.median(pass_seconds) * 1000:.0f} ms, "
          f"max {max(pass_seconds) * 1000:.0f} ms; the store's write of one listing {write_seconds * 1000:.0f} ms")
    print(f"  forgetting scan (nothing old enough): {forget_seconds * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=3.0)
    parser.add_argument("--petitions", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="one simulated day")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-site-history-") as folder:
        run(1.0 if args.quick else args.days, args.petitions, Path(folder))


if __name__ == "__main__":
    main()
