"""The archive in the Browse tab: kept in the store after the first load, so later loads ask nothing
and a first load cut short resumes where it stopped (issue 15)."""

from __future__ import annotations

import sqlite3

import pytest

from petitiondesk.core.browse import BrowseQuery, Browser, load_all
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.store import Store

ARCHIVE = BrowseQuery("all", archived=True)


@pytest.fixture
def client(simulator):
    with PetitionsClient(simulator.url, min_interval=0.0, sleep=lambda _: None, timeout=5.0) as made:
        yield made


@pytest.fixture
def database(data_dir):
    return data_dir / "petitiondesk.sqlite3"


def load(client, query, database) -> Browser:
    with Store.open(database) as store:
        browser = Browser(client, query, store=store)
        for page in browser.pages():
            assert page.error is None
        return browser


def test_the_second_load_of_the_archive_asks_the_site_nothing(simulator, client, database):
    first = load(client, ARCHIVE, database)
    assert first.finished and first.pages_loaded > 2
    assert len(first.rows) == len(simulator.world.archived_ids())
    mark = len(simulator.request_log)
    second = load(client, ARCHIVE, database)
    assert simulator.request_log[mark:] == []
    assert second.finished and second.rows == first.rows


def test_a_first_load_cut_short_resumes_where_it_stopped(simulator, client, database):
    with Store.open(database) as store:
        stopped = Browser(client, ARCHIVE, store=store)
        stopped.fetch_next()
        stopped.fetch_next()
    mark = len(simulator.request_log)
    resumed = load(client, ARCHIVE, database)  # a restart: a new store connection, a new browser
    asked = len(simulator.request_log) - mark
    assert asked == resumed.pages_loaded - 2
    assert resumed.rows == load_all(client, ARCHIVE).rows


def test_live_listings_and_searches_are_asked_each_time(simulator, client, database):
    for query in (BrowseQuery("open"), BrowseQuery("all", q="ban", archived=True)):
        load(client, query, database)
        mark = len(simulator.request_log)
        load(client, query, database)
        assert len(simulator.request_log) > mark, query


def test_a_damaged_kept_page_is_fetched_again_and_nothing_is_lost(simulator, client, database):
    first = load(client, ARCHIVE, database)
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE archive_pages SET raw = x'00ff' WHERE page = 2")
    mark = len(simulator.request_log)
    again = load(client, ARCHIVE, database)
    assert [path for _, path, _ in simulator.request_log[mark:]] == ["/archived/petitions.json?count=50&page=2"]
    assert again.rows == first.rows


def test_a_read_only_store_browses_the_archive_uncached(simulator, client, database):
    Store.open(database).close()
    with Store.open(database, readonly=True) as store:
        browser = Browser(client, ARCHIVE, store=store)
        pages = list(browser.pages())
    assert all(page.error is None for page in pages) and browser.finished
