"""The watchlist's rows come from each document's summary kept beside it (issue 15: start-up parses a
few kilobytes per petition, not whole documents): the same petitions, field for field, in new files,
upgraded files and files whose summaries are missing or out of date."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from petitiondesk.core.parse import parse_petition_document
from petitiondesk.core.store import Store
from petitiondesk.simulator import World
from petitiondesk.simulator.documents import petition_document
from schema_steps import leave_as_of

NOW = 1_780_000_000.0


@pytest.fixture
def db_path(data_dir) -> Path:
    return data_dir / "petitiondesk.sqlite3"


def documents(count: int = 4) -> dict[int, bytes]:
    world = World(seed=3, speed=1.0, open_count=30)
    ids = world.ids("open")[:count - 1] + world.ids("closed")[:1]
    return {pid: json.dumps(petition_document(world, pid, f"https://petition.parliament.uk/petitions/{pid}.json",
                                              world.now())).encode() for pid in ids}


def expected_summaries(raw: dict[int, bytes]) -> dict:
    return {pid: parse_petition_document(body).without_breakdowns() for pid, body in raw.items()}


def test_summaries_are_the_documents_without_their_breakdowns(db_path):
    raw = documents()
    assert any(parse_petition_document(body).signatures_by_constituency for body in raw.values())
    with Store.open(db_path) as store:
        for pid, body in raw.items():
            store.save_document(pid, body, NOW)
    with Store.open(db_path, readonly=True) as store:  # a new connection: nothing remembered
        assert store.summaries(raw) == expected_summaries(raw)
    with sqlite3.connect(db_path) as db:
        stored = {pid: json.loads(summary) for pid, summary in db.execute(
            "SELECT petition_id, summary FROM document_summaries")}
    db.close()
    assert set(stored) == set(raw)
    for summary in stored.values():  # the breakdowns, most of a document, are left in the document
        assert not {"signatures_by_constituency", "signatures_by_region", "signatures_by_country"} \
            & set(summary["data"]["attributes"])


def test_an_upgraded_file_gets_the_summaries_of_the_documents_it_holds(db_path):
    raw = documents()
    with Store.open(db_path) as store:
        for pid, body in raw.items():
            store.save_document(pid, body, NOW)
        store.save_document(999_999, b"<html>not a petition</html>", NOW)
    leave_as_of(db_path, 6)
    with Store.open(db_path) as store:
        assert store.summaries([*raw, 999_999]) == expected_summaries(raw)
    with sqlite3.connect(db_path) as db:
        summarised = {pid for (pid,) in db.execute("SELECT petition_id FROM document_summaries")}
    db.close()
    assert summarised == set(raw)  # the page that is not a petition has none, and is still left out


def test_a_summary_not_of_the_stored_document_is_not_used(db_path):
    raw = documents(2)
    first, second = raw
    with Store.open(db_path) as store:
        store.save_document(first, raw[first], NOW)
        store.save_document(second, raw[second], NOW)
    with sqlite3.connect(db_path) as db:  # as after a repair of an older file: a summary missing, one stale
        db.execute("DELETE FROM document_summaries WHERE petition_id = ?", (first,))
        db.execute("UPDATE document_summaries SET fetched_at = fetched_at - 1, summary = ? WHERE petition_id = ?",
                   (b'{"data": {"id": 1, "type": "petition", "attributes": {}}}', second))
    db.close()
    with Store.open(db_path, readonly=True) as store:
        assert store.summaries(raw) == expected_summaries(raw)


def test_a_new_document_replaces_its_summary(db_path):
    raw = documents(2)
    first, second = raw
    with Store.open(db_path) as store:
        store.save_document(first, raw[first], NOW)
        store.save_document(first, raw[second].replace(str(second).encode(), str(first).encode()), NOW + 60)
    with Store.open(db_path, readonly=True) as store:
        summary = store.summaries([first])[first]
    assert summary.action == parse_petition_document(raw[second]).action
