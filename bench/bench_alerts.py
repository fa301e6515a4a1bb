"""Figures for the alerts pass that follows each refresh pass: its time for a large watchlist.

Run: .venv/bin/python bench/bench_alerts.py [--petitions N] [--days D] [--interval S] [--repeat R]
Prints numbers only; nothing here is asserted. Each petition gets a stored document and D days of
samples every S seconds (the count growing each time, so no plateau is compacted away: the
worst case for reading samples), then the pass is timed as the poller runs it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from petitiondesk.core.alert_tracker import AlertTracker
from petitiondesk.core.models import Petition
from petitiondesk.core.serialize import petition_to_api_dict
from petitiondesk.core.store import Store

FIRST_ID = 700_000


def fill(store: Store, petitions: int, days: float, interval: float, now: float) -> None:
    steps = int(days * 86400 / interval)
    with store.transaction():
        for index in range(petitions):
            pid = FIRST_ID + index
            store.pin(pid, pinned_at=now - days * 86400)
            petition = Petition(id=pid, action=f"Petition number {pid}", state="open", signature_count=5_000 + steps)
            attributes = petition_to_api_dict(petition)
            attributes.pop("id")
            document = {"data": {"type": "petition", "id": pid, "attributes": attributes}}
            store.save_document(pid, json.dumps(document).encode(), now)
            rows = [(pid, int(now - (steps - k) * interval), 5_000 + k) for k in range(steps + 1)]
            store._db.executemany("INSERT INTO samples (petition_id, t, count) VALUES (?, ?, ?)", rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=500)
    parser.add_argument("--days", type=float, default=3.5, help="days of samples (the surge reads 3 days)")
    parser.add_argument("--interval", type=float, default=120.0, help="seconds between samples")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    now = time.time()
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bench.sqlite3") as store:
        started = time.perf_counter()
        fill(store, args.petitions, args.days, args.interval, now)
        print(f"{args.petitions} petitions x {store.sample_total() // args.petitions:,} samples stored in "
              f"{time.perf_counter() - started:.1f} s")
        tracker = AlertTracker(store, store.alerts())
        started = time.perf_counter()
        tracker.check(now)
        print(f"first pass (baseline of every petition): {(time.perf_counter() - started) * 1000:.0f} ms")
        times = []
        for k in range(args.repeat):
            started = time.perf_counter()
            tracker.check(now + 60 * (k + 1))
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        print(f"alerts pass: median {median:.0f} ms over {args.repeat} runs "
              f"({median / args.petitions:.2f} ms a petition)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
