"""Base rates learnt once from the site's archive, kept in the store, and used by every forecast."""

from __future__ import annotations

import pytest

from outlook_documents import PETITION_ID, document_2019
from petitiondesk.cli import main
from petitiondesk.core import base_rates
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.forecast import BUILT_IN_BASE_RATES, BaseRates
from petitiondesk.core.store import Store
from petitiondesk.core.watch_rows import build_rows
from petitiondesk.paths import database_path

NOW = 1_553_623_200.0  # 26 Mar 2019, 18:00 UTC: the 2019 petition is open


@pytest.fixture(scope="module")
def archive():
    """A site whose archive holds about 85 petitions that reached 10,000 (the default has too few)."""
    from petitiondesk.simulator import SimulatorServer

    server = SimulatorServer(port=0, speed=1e-9, seed=77, open_count=40, archived_count=900)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_learning_reads_the_archive_down_to_10000_and_no_further(archive):
    with PetitionsClient(archive.url, min_interval=0) as client:
        learnt = base_rates.learn(client)
    assert len(archive.world.archived_ids()) == 900
    assert learnt.requests == 2  # of 18 pages: the second one reaches below 10,000
    assert 50 <= learnt.petitions < 100 and learnt.rates is not None
    assert learnt.rates.counts[0] == 10_000 and learnt.rates != BUILT_IN_BASE_RATES


def test_learnt_rates_are_kept_and_used_by_the_watchlist_and_a_damaged_setting_is_not(tmp_path, archive):
    few = BaseRates((10_000.0, 11_000.0, 12_000.0), (1.0, 0.5, 0.1), above_index=6.0)  # nearly all end near 10k
    with Store.open(tmp_path / "p.db") as store:
        store.pin(PETITION_ID)
        store.save_document(PETITION_ID, document_2019(30_000, updated_at=NOW - 60, debate_threshold_reached_at=None),
                            NOW - 60)
        for hour in range(72, -1, -1):
            store.add_sample(PETITION_ID, NOW - hour * 3600.0, 25_000 + (72 - hour) * 68)
        built_in = build_rows(store, NOW)[0].outlook.estimate
        base_rates.save(store, base_rates.Learnt(few, 80, 2), NOW)
        assert base_rates.stored(store) == few and base_rates.learnt_already(store)
        learnt = build_rows(store, NOW)[0].outlook.estimate
        store.set_setting(base_rates.SETTING, {"learnt_at": NOW, "petitions": 3, "rates": {"counts": [1, "x"]}})
        damaged = base_rates.stored(store)
    assert learnt.high < built_in.high  # a prior with few big finals narrows the top of the range
    assert damaged is BUILT_IN_BASE_RATES


def test_the_command_learns_once_and_says_what_is_in_use(archive, tmp_path, capsys):
    def run(*args):
        status = main(["--data-dir", str(tmp_path), "--api-base", archive.url, "base-rates", *args])
        return status, capsys.readouterr().out

    status, out = run()
    assert status == 0 and "built-in" in out and not database_path(tmp_path).exists()
    status, out = run("--learn")
    assert status == 0 and "Read 2 pages" in out and "learnt from the site's archive" in out
    status, out = run("--learn")
    assert "Already learnt" in out  # archived petitions do not change: one reading is enough
