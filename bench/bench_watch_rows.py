"""Figures for `core.watch_rows.build_rows`: the watchlist's rows read from the store, as the refresh
worker does after every pass (its thread) and the command line's `list` does once.

Run: .venv/bin/python bench/bench_watch_rows.py [--petitions 500] [--hours 72] [--runs 5]
Prints numbers only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from petitiondesk.core.store import Store
from petitiondesk.core.watch_rows import build_rows

NOW = 1_780_000_000.0


def fill(store: Store, petitions: int, hours: int, rng: np.random.Generator) -> int:
    """Pinned petitions with a sample every 10 minutes (changes only are kept, as recorded)."""
    stored = 0
    with store.transaction():
        for pid in range(1, petitions + 1):
            store.pin(pid, pinned_at=NOW - hours * 3600)
            count = int(rng.integers(0, 100_000))
            for t in np.arange(NOW - hours * 3600, NOW, 600.0):
                count += int(rng.poisson(rng.uniform(0, 20)))
                stored += store.add_sample(pid, float(t), count)
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=500)
    parser.add_argument("--hours", type=int, default=72)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "bench.db") as store:
        stored = fill(store, args.petitions, args.hours, rng)
        print(f"{args.petitions} petitions, {stored:,} samples over {args.hours} h")
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            rows = build_rows(store, NOW)
            times.append(time.perf_counter() - began)
        one = []
        for pid in range(1, min(args.petitions, 50) + 1):
            began = time.perf_counter()
            build_rows(store, NOW, [pid])
            one.append(time.perf_counter() - began)
    print(f"build_rows, every petition: median {statistics.median(times) * 1000:.1f} ms "
          f"({statistics.median(times) / len(rows) * 1e6:.0f} µs a row; runs: "
          f"{', '.join(f'{t * 1000:.0f}' for t in times)} ms)")
    print(f"build_rows, one petition (a pin's row): median {statistics.median(one) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
