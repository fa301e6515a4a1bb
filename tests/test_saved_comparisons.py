"""Saved comparisons in the store: named sets that survive restarts, and the schema step adding them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from petitiondesk.core.store import SavedComparison, Store, StoreError

OLD_RELEASE = Path(__file__).parent / "data" / "db" / "petitiondesk-v1.sqlite"


def test_a_saved_comparison_survives_closing_the_store(tmp_path):
    path = tmp_path / "petitiondesk.sqlite3"
    with Store.open(path) as store:
        store.save_comparison(SavedComparison("  Rivals \n 2026 ", (700123, 241584), "opened", "share", True))
    with Store.open(path, readonly=True) as store:
        assert store.comparisons() == [SavedComparison("Rivals 2026", (700123, 241584), "opened", "share", True)]


def test_saving_under_a_name_again_replaces_it_and_names_sort_without_case(tmp_path):
    with Store.open(tmp_path / "db") as store:
        store.save_comparison(SavedComparison("b", (1,)))
        store.save_comparison(SavedComparison("A", (2,)))
        store.save_comparison(SavedComparison("b", (3, 4)))
        assert [(s.name, s.petition_ids) for s in store.comparisons()] == [("A", (2,)), ("b", (3, 4))]


def test_rename_refuses_a_taken_name_or_a_missing_one_and_changes_nothing(tmp_path):
    with Store.open(tmp_path / "db") as store:
        store.save_comparison(SavedComparison("A", (1,)))
        store.save_comparison(SavedComparison("B", (2,)))
        with pytest.raises(StoreError, match="already"):
            store.rename_comparison("A", "B")
        with pytest.raises(StoreError, match="no saved comparison"):
            store.rename_comparison("C", "D")
        with pytest.raises(StoreError, match="needs a name"):
            store.rename_comparison("A", "   ")
        store.rename_comparison("A", "Z")
        assert [(s.name, s.petition_ids) for s in store.comparisons()] == [("B", (2,)), ("Z", (1,))]
        assert store.delete_comparison("Z") and not store.delete_comparison("Z")
        assert [s.name for s in store.comparisons()] == ["B"]


def test_a_database_from_before_saved_comparisons_is_upgraded_keeping_its_watchlist(tmp_path):
    """The file release 0.1.0 wrote (tests/data/db), upgraded through every step to this release's."""
    path = tmp_path / "petitiondesk.sqlite3"
    shutil.copyfile(OLD_RELEASE, path)
    with sqlite3.connect(OLD_RELEASE) as raw:
        pinned = [pid for (pid,) in raw.execute("SELECT petition_id FROM watchlist ORDER BY position")]
    raw.close()
    with Store.open(path) as store:
        assert [entry.petition_id for entry in store.watchlist()] == pinned and pinned
        store.save_comparison(SavedComparison("After the upgrade", (pinned[0],)))
        assert [s.name for s in store.comparisons()] == ["After the upgrade"]


def test_a_damaged_row_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "db"
    with Store.open(path) as store:
        store.save_comparison(SavedComparison("Good", (1,)))
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO comparisons (name, petition_ids, saved_at) VALUES ('Bad', 'not json', 0)")
    raw.commit()
    raw.close()
    with Store.open(path) as store:
        assert [s.name for s in store.comparisons()] == ["Good"]
