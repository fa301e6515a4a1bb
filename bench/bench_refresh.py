"""How many requests and how long a refresh takes for a large watchlist, against the simulator.

    .venv/bin/python bench/bench_refresh.py [--petitions 500] [--latency 0.1] [--min-interval 0]

The simulator adds `--latency` seconds to every response (a distant site). `--min-interval` is
the client's spacing between requests; the app uses 1.0 s for bulk work, which makes the first
refresh last about one second per petition whatever the latency: the figures printed with the
default 0 show the engine's own cost, and the line "at 1 req/s" what a user would wait.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.store import Store
from petitiondesk.resources import hexmap_path
from petitiondesk.simulator import SimulatorServer


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def timed_passes(refresher: Refresher, clock: Clock, until_idle: bool) -> tuple[int, int, float]:
    """(passes, requests, seconds) for one pass, or for passes until nothing is due."""
    passes = requests = 0
    started = time.perf_counter()
    while True:
        report = refresher.refresh()
        passes += 1
        requests += report.requests
        if not until_idle or report.next_due_at > clock.now or report.requests == 0:
            return passes, requests, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--min-interval", type=float, default=0.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, \
            SimulatorServer(port=0, seed=7, hexmap=hexmap_path(2024), faults=f"latency={args.latency}",
                            open_count=args.petitions + 50) as server, \
            Store.open(Path(folder) / "bench.sqlite3") as store, \
            PetitionsClient(server.url, min_interval=args.min_interval) as client:
        ids = server.world.ids("open")[: args.petitions]
        with store.transaction():
            for petition_id in ids:
                store.pin(petition_id)
        clock = Clock()
        refresher = Refresher(client, store, clock=clock)
        print(f"{len(ids)} watched open petitions, {args.latency * 1000:.0f} ms latency, "
              f"min_interval {args.min_interval:g} s")

        passes, requests, seconds = timed_passes(refresher, clock, until_idle=True)
        print(f"first refresh:  {requests:5d} requests in {passes} passes, {seconds:7.2f} s "
              f"({seconds / max(requests, 1) * 1000:.0f} ms/request); at 1 req/s: ~{requests:.0f} s")

        clock.now += refresher.count_interval + 1
        passes, requests, seconds = timed_passes(refresher, clock, until_idle=False)
        print(f"steady state:   {requests:5d} requests (counts of all {len(ids)} from one CSV), {seconds:7.2f} s")

        clock.now += refresher.full_interval * 1.1
        passes, requests, seconds = timed_passes(refresher, clock, until_idle=True)
        print(f"after 33 min:   {requests:5d} requests in {passes} passes (documents due again), {seconds:7.2f} s")

        samples = store.sample_total()
        print(f"store: {samples} sample rows for {len(ids)} petitions")


if __name__ == "__main__":
    main()
