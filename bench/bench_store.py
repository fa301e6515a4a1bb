"""Figures for the local store: size per sample, write and read speed, documents, constituency snapshots.

Run: .venv/bin/python bench/bench_store.py [--quick]
Prints numbers only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from petitiondesk.core.store import Store
from petitiondesk.resources import hexmap_path

# The composed petition documents of the test suite: realistic sizes, inside the repository.
SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data"
START = 1_780_000_000 - 1_780_000_000 % 86400  # a UTC midnight


def database_bytes(store: Store) -> int:
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_count = store._db.execute("PRAGMA page_count").fetchone()[0]
    page_size = store._db.execute("PRAGMA page_size").fetchone()[0]
    return page_count * page_size


def table_bytes(store: Store, table: str) -> int | None:
    """Pages used by one table (needs SQLite's dbstat; None where it is not compiled in)."""
    try:
        row = store._db.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ?", (table,)).fetchone()
    except Exception:
        return None
    return row[0]


def realistic_rates(rng: np.random.Generator, petitions: int) -> np.ndarray:
    """Signatures per minute: most petitions are quiet, a few are busy (log-uniform 0.005..200)."""
    return np.exp(rng.uniform(np.log(0.005), np.log(200), petitions))


def bench_samples(folder: Path, petitions: int, minutes: int) -> None:
    rng = np.random.default_rng(1)
    rates = realistic_rates(rng, petitions)
    counts = rng.integers(10, 50_000, petitions)
    path = folder / "samples.sqlite3"
    offered = 0
    with Store.open(path) as store:
        started = time.perf_counter()
        for minute in range(minutes):
            # Rates drift slowly, as petitions wax and wane; now and then a count drops (removed signatures).
            step = rng.poisson(rates * (1 + 0.5 * np.sin(minute / 720 + np.arange(petitions))))
            drops = rng.random(petitions) < 0.001
            counts = counts + step - drops * rng.integers(1, 5, petitions)
            t = START + 60 * minute
            with store.transaction():
                for petition_id in range(petitions):
                    store.add_sample(petition_id + 1, t, int(counts[petition_id]))
            offered += petitions
        elapsed = time.perf_counter() - started
        rows = store.sample_total()
        size = database_bytes(store)
        samples_table = table_bytes(store, "samples")
    print(f"samples: {offered:,} offered over {petitions} petitions ({minutes} one-minute ticks)")
    print(f"  add_sample: {elapsed:.1f} s, {offered / elapsed:,.0f} samples/s (one transaction per tick)")
    print(f"  stored rows: {rows:,} ({rows / offered:.1%} of offered; plateaus compacted)")
    print(f"  file: {size / 1e6:.1f} MB = {size / offered:.2f} bytes per offered sample, {size / rows:.2f} per row")
    if samples_table:
        print(f"  samples table alone: {samples_table / rows:.2f} bytes per row")
    per_row = (samples_table or size) / rows
    print(f"  so, polled every minute: {per_row * 1440 / 1024:.1f} KiB per petition per day when the count "
          f"changes every minute; 90 days of this mix for {petitions} petitions: "
          f"{size / offered * petitions * 1440 * 90 / 1e6:,.0f} MB")


def bench_read(folder: Path, points: int) -> None:
    path = folder / "read.sqlite3"
    rng = np.random.default_rng(2)
    counts = np.cumsum(rng.integers(1, 20, points)) + 1000
    with Store.open(path) as store, store.transaction():
        store._db.executemany(
            "INSERT INTO samples (petition_id, t, count) VALUES (1, ?, ?)",
            ((START + 60 * i, int(c)) for i, c in enumerate(counts)),
        )
        # Neighbours, so the read is a range scan inside a larger table.
        store._db.executemany(
            "INSERT INTO samples (petition_id, t, count) VALUES (?, ?, ?)",
            ((p, START + 60 * i, i) for p in (0, 2) for i in range(points)),
        )
    with Store.open(path) as store:
        timings = []
        for _ in range(7):
            started = time.perf_counter()
            times, values = store.samples(1)
            timings.append(time.perf_counter() - started)
        assert len(times) == points
        since = []
        for _ in range(7):
            started = time.perf_counter()
            store.samples(1, since=START + 60 * (points - 1440))
            since.append(time.perf_counter() - started)
    print(f"read: one petition's {points:,} samples into numpy: median {statistics.median(timings) * 1e3:.1f} ms "
          f"(min {min(timings) * 1e3:.1f}); last day only (since=): {statistics.median(since) * 1e3:.2f} ms")


def bench_documents(folder: Path, copies: int) -> None:
    raws = [p.read_bytes() for p in sorted(SAMPLES.glob("composed-petition-*.json"))]
    path = folder / "documents.sqlite3"
    with Store.open(path) as store:
        started = time.perf_counter()
        for i in range(copies):
            store.save_document(i + 1, raws[i % len(raws)], float(i))
        stored = time.perf_counter() - started
        size = database_bytes(store)
    raw_total = sum(len(raws[i % len(raws)]) for i in range(copies))
    print(f"documents: {copies:,} saves (one transaction each): {copies / stored:,.0f}/s; "
          f"{size / copies / 1024:.1f} KiB each on disk vs {raw_total / copies / 1024:.1f} KiB raw")
    try:
        import petitiondesk.core.parse  # noqa: F401
    except ImportError:
        print("  parse.py not available: parse throughput not measured")
        return
    with Store.open(path) as store:
        started = time.perf_counter()
        parsed = store.petitions(range(1, copies + 1))
        cold = time.perf_counter() - started
        started = time.perf_counter()
        store.summaries(range(1, copies + 1))
        summaries = time.perf_counter() - started
        started = time.perf_counter()
        store.summaries(range(1, copies + 1))
        warm = time.perf_counter() - started
    print(f"  read+parse in full: {len(parsed) / cold:,.0f} petitions/s; without breakdowns (the watchlist's "
          f"summaries): {copies / summaries:,.0f}/s; again, unchanged (kept): {copies / warm:,.0f}/s")
    started = time.perf_counter()
    with Store.open(path) as store:
        for i in range(copies):
            store.save_document(i + 1, raws[i % len(raws)], float(copies + i))
            store.petition(i + 1)
    both = time.perf_counter() - started
    print(f"  save then parse, one by one: {copies / both:,.0f} documents/s")


def constituency_codes() -> list[str]:
    return sorted(json.loads(hexmap_path(2024).read_text(encoding="utf-8"))["hexes"])


def bench_constituencies(folder: Path, petitions: int, days: int) -> None:
    codes = constituency_codes()
    rng = np.random.default_rng(3)
    path = folder / "constituencies.sqlite3"
    with Store.open(path) as store:
        base = {p: rng.integers(0, 2_000, len(codes)) for p in range(petitions)}
        sizes_after = {}
        for hour in range(days * 24):
            t = START + 3600 * hour
            with store.transaction():
                for p in range(petitions):
                    base[p] = base[p] + rng.poisson(rng.uniform(0.1, 30), len(codes))
                    store.add_constituency_snapshot(p + 1, t, dict(zip(codes, base[p].tolist(), strict=True)))
            if hour % 24 == 23:
                sizes_after[hour // 24 + 1] = store._db.execute(
                    "SELECT sum(length(counts)), count(*) FROM constituency_snapshots"
                ).fetchone()
        size = database_bytes(store)
    blob_bytes, rows = sizes_after[days]
    per_snapshot = blob_bytes / rows
    first, last = min(d for d in sizes_after if d >= 3), days
    growth = (sizes_after[last][0] - sizes_after[first][0]) / (last - first) / petitions
    print(f"constituencies: {len(codes)} seats, {petitions} petitions, hourly for {days} days")
    print(f"  one snapshot: {per_snapshot:,.0f} bytes compressed; kept {rows / petitions:.0f} per petition")
    print(f"  growth after the first 48 h: {growth:,.0f} bytes per petition per day "
          f"(plus a bounded {49 * per_snapshot / 1024:,.0f} KiB of hourly snapshots per petition)")
    print(f"  file: {size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    import sqlite3

    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.quick:
            bench_samples(folder, 20, 500)
            bench_read(folder, 10_000)
            bench_documents(folder, 200)
            bench_constituencies(folder, 2, 5)
        else:
            bench_samples(folder, 200, 5_000)
            bench_read(folder, 100_000)
            bench_documents(folder, 2_000)
            bench_constituencies(folder, 5, 30)


if __name__ == "__main__":
    main()
