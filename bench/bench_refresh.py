"""How many requests and how long a refresh takes for a large watchlist, against the simulator.

    .venv/bin/python bench/bench_refresh.py [--petitions 500] [--latency 0.1] [--min-interval 0]

The simulator adds `--latency` seconds to every response (a distant site). `--min-interval` is
the client's spacing between requests; the app uses 1.0 s for bulk work, which makes the first
refresh last about one second per petition whatever the latency: the figures printed with the
default 0 show the engine's own cost, and the line "at 1 req/s" what a user would wait.

Then the steady state on the simulator's own clock: passes every simulated minute for `--hours`
after the first fill, with the requests per 30 simulated minutes by kind (documents, the facet
listings that say which documents changed, the open CSV's counts). Run it on main's code with
`PYTHONPATH=<main>/src` for the "before" figure.
"""

from __future__ import annotations

import argparse
import collections
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


def request_kind(path: str) -> str:
    if path.startswith("/petitions.csv?state=open") or path == "/petitions.csv":
        return "counts (open CSV)"
    if path.startswith("/petitions.csv"):
        return "facet listings"
    if path.endswith("/count.json"):
        return "count.json"
    return "documents"


def steady_state(server: SimulatorServer, store: Store, client: PetitionsClient, hours: float) -> None:
    """Requests per 30 simulated minutes once the first fill is done, by kind."""
    refresher = Refresher(client, store, clock=lambda: server.world.now().timestamp())
    while (report := refresher.refresh()).requests and report.next_due_at <= server.world.now().timestamp():
        pass  # the first fill: every document once
    server.world.advance(refresher.count_interval)
    logged = len(server.request_log)
    minutes = int(hours * 60)
    for _ in range(minutes):
        server.world.advance(60)
        refresher.refresh()
    kinds = collections.Counter(request_kind(path) for _, path, _ in server.request_log[logged:])
    per_half_hour = {kind: n * 30 / minutes for kind, n in kinds.items()}
    documents = per_half_hour.get("documents", 0) + per_half_hour.get("facet listings", 0)
    print(f"steady, {hours:g} simulated hours: per 30 min "
          + ", ".join(f"{kind} {n:.1f}" for kind, n in sorted(per_half_hour.items())))
    print(f"  to keep the documents current: {documents:.1f} requests per 30 min "
          f"(documents + facet listings; aim <= 60)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--min-interval", type=float, default=0.0)
    parser.add_argument("--hours", type=float, default=4.0, help="simulated hours of steady state")
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

    with tempfile.TemporaryDirectory() as folder, \
            SimulatorServer(port=0, seed=7, hexmap=hexmap_path(2024), open_count=args.petitions + 50) as server, \
            Store.open(Path(folder) / "bench.sqlite3") as store, \
            PetitionsClient(server.url, min_interval=0) as client:
        with store.transaction():
            for petition_id in server.world.ids("open")[: args.petitions]:
                store.pin(petition_id)
        steady_state(server, store, client, args.hours)


if __name__ == "__main__":
    main()
