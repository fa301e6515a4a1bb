"""The window's start-up rows read at once (`Store.read_at_once`: a few single-step statements instead of
five per petition) are the rows read petition by petition, field for field: pins without a document,
without samples or fetch state, a problem, closed and open petitions, times with every digit."""

from __future__ import annotations

import json
import sqlite3

import pytest

from petitiondesk import paths
from petitiondesk.core.store import FetchState, Store
from petitiondesk.core.watch_rows import build_rows, quick_row_moments
from petitiondesk.simulator import World
from petitiondesk.simulator.documents import petition_document

NOW = 1_780_000_000.123456789


@pytest.fixture
def database(data_dir):
    world = World(seed=3, speed=1.0, open_count=30)
    ids = world.ids("open")[:4] + world.ids("closed")[:2]
    path = paths.database_path(data_dir)
    with Store.open(path) as store, store.transaction():
        for number, pid in enumerate(ids):
            store.pin(pid)
            if number == 5:
                continue  # pinned, never fetched
            url = f"https://petition.parliament.uk/petitions/{pid}.json"
            store.save_document(pid, json.dumps(petition_document(world, pid, url, world.now())).encode(),
                                NOW - 0.000_000_7 * number)
            if number != 4:  # no fetch state saved
                store.save_fetch_state(FetchState(pid, etag='"x"', fetched_at=NOW - 1 / 3, checked_at=NOW - 2 / 7,
                                                  next_check_at=NOW + 1 / 9, problem="offline" if number == 1 else None,
                                                  problem_detail="no route" if number == 1 else None))
            for hour in range(0 if number == 3 else 30, -1, -1):  # number 3: one sample
                store.add_sample(pid, NOW - hour * 3600 - 0.5, 1_000 + (30 - hour) * (number + 1))
        store.pin(999_999)  # pinned only: no document, state or samples
    with sqlite3.connect(path) as db:  # a pin time with more digits than JSON keeps
        db.execute("UPDATE watchlist SET pinned_at = ?", (NOW - 1 / 7,))
    db.close()
    return path


def test_rows_read_at_once_are_the_rows_read_one_by_one(database):
    with Store.open(database, readonly=True) as store:
        one_by_one = build_rows(store, NOW, estimates=False)
    with Store.open(database, readonly=True) as store, store.read_at_once(quick_row_moments(NOW)):
        with sqlite3.connect(database) as other:  # after the read on entry: not seen
            other.execute("DELETE FROM fetch_state")
            other.execute("DELETE FROM watchlist")
        other.close()
        at_once = build_rows(store, NOW, estimates=False)
    assert len(at_once) == 7
    assert at_once == one_by_one
    assert {row.problem for row in at_once} == {"offline", None}


def test_a_row_that_cannot_be_read_at_once_is_read_on_its_own(database):
    with sqlite3.connect(database) as db:  # a summary that is not text
        db.execute("UPDATE document_summaries SET summary = x'ff00ff' WHERE rowid = 1")
    db.close()
    with Store.open(database, readonly=True) as store:
        one_by_one = build_rows(store, NOW, estimates=False)
    with Store.open(database, readonly=True) as store, store.read_at_once(quick_row_moments(NOW)):
        assert build_rows(store, NOW, estimates=False) == one_by_one
