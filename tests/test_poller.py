"""One poller per data folder, end to end: two processes on one folder, one polls, both see the alerts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.poller import PollerSession, request_refresh
from petitiondesk.core.poller_lock import PollerLock
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.store import Store

# A process running passes as `record` does, printing one JSON line per pass.
RECORDER = textwrap.dedent(
    """
    import json, sys, threading
    from petitiondesk.core.client import PetitionsClient
    from petitiondesk.core.poller import PollerSession
    from petitiondesk.core.poller_lock import PollerLock
    from petitiondesk.core.refresh import Refresher
    from petitiondesk.core.store import Store
    folder, url = sys.argv[1], sys.argv[2]
    with Store.open(folder + "/petitiondesk.sqlite3") as store, PetitionsClient(url, min_interval=0) as client:
        session = PollerSession(store, Refresher(client, store, count_interval=1.0), PollerLock(folder))
        for line in sys.stdin:
            outcome = session.run_pass(force=True)
            print(json.dumps({"polling": outcome.polling, "requests": outcome.report.requests if outcome.report
                              else 0, "alerts": [s.alert.key for s in outcome.alerts]}), flush=True)
        session.close()
    """
)


def test_the_first_process_polls_the_second_reads_and_both_see_each_alert_once(simulator, data_dir):
    world = simulator.world
    petition_id = next(i for i in world.ids("open") if 1_000 < world.count(i) < 9_000)
    store = Store.open(data_dir / "petitiondesk.sqlite3")
    client = PetitionsClient(simulator.url, min_interval=0.0)
    refresher = Refresher(client, store, count_interval=1.0)
    session = PollerSession(store, refresher, PollerLock(data_dir))
    other = subprocess.Popen([sys.executable, "-c", RECORDER, str(data_dir), simulator.url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)

    def other_pass() -> dict:
        other.stdin.write("\n")
        other.stdin.flush()
        return json.loads(other.stdout.readline())

    try:
        refresher.pin(petition_id)
        assert session.run_pass(force=True).polling
        assert other_pass() == {"polling": False, "requests": 0, "alerts": []}
        world.advance(120)  # a later tick, so that the new count has a newer Last-Modified
        world.set_count(petition_id, 10_400)
        mine = session.run_pass(force=True)
        told_here = {s.alert.key for s in mine.alerts}
        assert "threshold:10000" in told_here and mine.unread == len(told_here)
        assert set(other_pass()["alerts"]) == told_here  # the reader sees what the poller recorded
        assert other_pass()["alerts"] == []
        session.close()  # the window quits: the other process takes over polling
        took_over = other_pass()
        assert took_over["polling"] and took_over["requests"] > 0
        assert not session.run_pass().polling
    finally:
        other.stdin.close()
        other.wait(timeout=30)
        client.close()
        store.close()


def test_a_reader_wakes_the_poller_and_asks_it_for_a_pass(data_dir, simulator):
    with Store.open(data_dir / "petitiondesk.sqlite3") as poller_store, \
            Store.open(data_dir / "petitiondesk.sqlite3") as reader_store, \
            PetitionsClient(simulator.url, min_interval=0.0) as client:
        session = PollerSession(poller_store, Refresher(client, poller_store), PollerLock(data_dir))
        session.run_pass()
        assert not session.refresh_requested()
        stop = threading.Event()
        started = time.monotonic()
        waker = threading.Timer(0.5, lambda: request_refresh(reader_store))
        waker.start()
        session.wait(60, stop)
        waker.join()
        assert time.monotonic() - started < 10
        assert session.refresh_requested()
        session.close()
