"""Fixtures shared by every test. Nothing here, or anywhere in tests/, reaches the internet."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

# Qt renders offscreen in tests; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never let a test read the user's real data or talk to the real site by accident.
os.environ.pop("PETITIONDESK_DATA_DIR", None)
os.environ["PETITIONDESK_API_BASE"] = "http://127.0.0.1:9"  # discard port: refused at once

#: Documents composed for the tests in the shapes the site sends (tests/data/README.md).
SAMPLES = Path(__file__).resolve().parent / "data"


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def simulator():
    """A live simulator of petition.parliament.uk on a random loopback port, without faults."""
    from petitiondesk.resources import hexmap_path
    from petitiondesk.simulator import SimulatorServer

    server = SimulatorServer(port=0, speed=60.0, seed=1234, hexmap=hexmap_path(2024))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def frozen():
    """(server, httpx client) of a simulated site whose clock stands still: list orders hold while paging."""
    import httpx

    from petitiondesk.simulator import SimulatorServer, World

    world = World(seed=1234, speed=0, start=datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    with SimulatorServer(world=world) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield server, client


@pytest.fixture
def still_site():
    """A small simulated site whose clock barely moves, so that list orders hold while paging."""
    from petitiondesk.simulator import SimulatorServer

    server = SimulatorServer(port=0, speed=1e-9, seed=77, open_count=120, archived_count=130)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fail a test that leaves a Python thread running behind it."""
    before = set(threading.enumerate())
    yield
    leaked = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
        if thread.is_alive():
            leaked.append(thread.name)
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def run(simulator, data_dir, capsys):
    """Run `petitiondesk ARGS` in-process against the simulator; returns (status, stdout, stderr)."""
    from petitiondesk.cli import main

    def _run(*args: str):
        status = main(["--data-dir", str(data_dir), "--api-base", simulator.url, *args])
        out, err = capsys.readouterr()
        return status, out, err

    return _run


class AheadClock:
    """A clock moved by hand that starts a day ahead, so that every `updated_at` the simulator
    reports lies in its past; moved past midnight when it would start near it, so that a test that
    advances it by minutes does not cross into another day (a surge's alert key is its day)."""

    def __init__(self) -> None:
        start = time.time() + 86400.0
        if start % 86400.0 > 22 * 3600.0:  # within two hours of midnight UTC (one in UK summer time)
            start += 3 * 3600.0
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> AheadClock:
    return AheadClock()
