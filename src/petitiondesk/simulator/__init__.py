"""A local petition.parliament.uk: the same JSON, headers, redirects and failures, on loopback.

Used by the tests, the benches and `petitiondesk --demo`. Standard library only, no Qt.

    with SimulatorServer(port=0, speed=60.0, seed=1, hexmap=None, faults="latency=0.1,error503=0.05",
                         open_count=400, archived_count=300) as server:
        server.url                      # "http://127.0.0.1:54321"
        server.world.ids("open")        # also closed, rejected, archived, removed, hidden, pending, moderation,
                                        # stopped, dormant, hidden_unpublished, archived_stopped
        server.world.set_count(700123, 10_001); server.world.advance(3600); server.world.remove(700123)
        server.world.publish(700456)    # a pending or in-moderation petition opens from now
        server.faults.force("503", path_contains="count.json", times=2, retry_after=30)
        server.request_log              # [(method, path_with_query, status)], status 0: no response

`speed` is simulated seconds per real second (0 freezes the clock). Counts move once a simulated
minute, so `Cache-Control: max-age` is that minute in real seconds (1 s at x60); `Date` and
`Last-Modified` are in simulated time. Pass `world=World(..., start=datetime)` for a fixed start.

Held to the site's request specs by tests/test_simulator_fidelity.py. Where the site's answer
depends on its database it is approximated, as docs/SIMULATOR.md lists: search `q` is whole
stemmed words per column with a Porter-style stemmer (search.py), ties in signature order are
broken newest first, and only the 2019-2024 parliament has archived petitions.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from petitiondesk.resources import hexmap_path
from petitiondesk.simulator.faults import FAULT_KINDS, FaultPlan
from petitiondesk.simulator.server import NO_RESPONSE, SimulatorServer
from petitiondesk.simulator.world import KINDS, World

__all__ = ["FAULT_KINDS", "KINDS", "NO_RESPONSE", "FaultPlan", "SimulatorServer", "World", "main"]


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM. `python -m petitiondesk.simulator --port 8080`."""
    parser = argparse.ArgumentParser(prog="petitiondesk-simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default="", help='e.g. "latency=0.1,error503=0.05"')
    parser.add_argument("--hexmap", type=Path, default=hexmap_path(2024),
                        help="a .hexjson of the 650 constituencies (default: the bundled 2024 map)")
    parser.add_argument("--open", dest="open_count", type=int, default=400)
    parser.add_argument("--archived", dest="archived_count", type=int, default=300)
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be from 0 to 65535, not {args.port}")
    if not 0 <= args.speed < float("inf"):  # also refuses nan: the clock must not run backwards
        parser.error(f"--speed must be a number, 0 or more, not {args.speed:g}")
    try:
        faults = FaultPlan.from_spec(args.faults, args.seed)
    except ValueError as error:
        parser.error(str(error))
    server = SimulatorServer(
        host=args.host, port=args.port, speed=args.speed, seed=args.seed, hexmap=args.hexmap,
        faults=faults, open_count=args.open_count, archived_count=args.archived_count,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(signum, lambda *_: stop.set())
        except ValueError:  # not the main thread: the caller stops us some other way
            pass
    try:
        server.start()
    except OSError as error:
        print(f"petitiondesk-simulator: cannot listen on {args.host}:{args.port}: {error}")
        return 1
    print(f"Simulating petition.parliament.uk at {server.url} (speed x{args.speed:g}); Ctrl+C stops",
          flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0
