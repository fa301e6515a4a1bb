"""The rows the window's watchlist and the command line's `list` and `show` share, read from a store."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime

from petitiondesk.core.store import FetchState, Store
from petitiondesk.core.watch_rows import build_rows, read_row

DAY = 86400.0
NOW = 1_800_000_000.0


def test_rows_follow_the_watchlist_with_the_newest_count_and_the_24_hour_change(tmp_path, samples_dir):
    raw = (samples_dir / "composed-petition-open-752318.json").read_bytes()
    with Store.open(tmp_path / "p.db") as store:
        for pid in (752318, 700002, 700001):
            store.pin(pid, pinned_at=NOW - 3 * DAY)
        store.save_document(752318, raw, NOW - 60)
        store.add_sample(752318, NOW - 2 * DAY, 1_000)
        store.add_sample(752318, NOW - DAY, 1_500)
        store.add_sample(752318, NOW - 60, 2_100)
        store.add_sample(700002, NOW - 3 * DAY, 40)  # recorded long ago only
        store.save_fetch_state(FetchState(700001, checked_at=NOW - 30, problem="not_found", problem_detail="404"))
        rows = build_rows(store, NOW)
        one = build_rows(store, NOW, [700001])
    assert [row.petition_id for row in rows] == [752318, 700002, 700001]
    first, old, missing = rows
    assert first.signature_count == 2_100 and first.change == 600 and first.change_complete
    assert first.title == json.loads(raw)["data"]["attributes"]["action"]
    assert first.counted_at == datetime.fromtimestamp(NOW - 60, UTC)
    assert old.signature_count == 40 and old.change == 0  # its last count, even days old: no change since
    assert old.title == "Petition 700002" and old.web_url == "https://petition.parliament.uk/petitions/700002"
    assert missing.problem_label == "Not found" and missing.signature_count is None
    assert [row.petition_id for row in one] == [700001]
    listed = first.as_dict()
    assert listed["id"] == 752318 and listed["signature_count"] == 2_100
    # The document says open, but its closing date (3 Aug 2026) is long past at NOW: the site closed it.
    assert listed["state"] == "closed" and listed["closes"] == "2026-08-03" and not listed["closes_computed"]
    assert listed["pinned_at"] == datetime.fromtimestamp(NOW - 3 * DAY, UTC).isoformat().replace("+00:00", "Z")


def test_a_petition_not_on_the_watchlist_still_has_a_row(tmp_path):
    with Store.open(tmp_path / "p.db") as store:
        store.add_sample(700003, NOW - 10, 77)
        row = read_row(store, 700003, NOW)
    assert row.signature_count == 77 and row.pinned_at is None and row.petition is None


def test_the_rows_module_imports_no_qt():
    import subprocess

    code = ("import sys, petitiondesk.core.watch_rows; "
            "sys.exit(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# --- the outlook: computed deadline, estimate, closed past the deadline ----------------------------

HOUR = 3600.0


def record_2019_curve(store, now: float) -> None:
    """A 2019 document captured while open, and three days of counts recorded up to `now`."""
    from outlook_documents import PETITION_ID, document_2019

    store.pin(PETITION_ID, pinned_at=now - 3 * DAY)
    store.save_document(PETITION_ID, document_2019(updated_at=now - 60), now - 60)
    for hour in range(72, -1, -1):
        store.add_sample(PETITION_ID, now - hour * HOUR, 560_000 + (72 - hour) * 460)


def test_a_2019_document_without_closing_date_gets_the_computed_deadline_and_an_estimate(tmp_path):
    from outlook_documents import COMPUTED_DEADLINE, PETITION_ID

    now = datetime(2019, 3, 26, 18, 0, tzinfo=UTC).timestamp()
    with Store.open(tmp_path / "p.db") as store:
        record_2019_curve(store, now)
        (row,) = build_rows(store, now)
    assert row.petition.closing_date is None
    assert row.closing == datetime.fromtimestamp(COMPUTED_DEADLINE, UTC) and row.closing_computed
    assert row.state == "open"
    estimate = row.outlook.estimate
    assert estimate is not None and estimate.low <= estimate.final <= estimate.high
    assert estimate.final >= 593_120  # never below the count now (the last sample: 560,000 + 72 x 460)
    # the site's milestones are on its curve, and both thresholds read as reached on their dates
    assert [point.name for point in row.outlook.known_points][:4] == ["moderation", "opened", "response_threshold",
                                                                      "debate_threshold"]
    assert all(milestone.reached_at is not None for milestone in row.outlook.milestones)
    listed = row.as_dict()
    assert listed["closes"] == "2019-06-03T22:59:59Z" and listed["closes_computed"]
    assert row.petition_id == PETITION_ID


def test_a_document_past_its_computed_deadline_reads_as_closed_with_no_estimate(tmp_path):
    now = datetime(2019, 3, 26, 18, 0, tzinfo=UTC).timestamp()
    with Store.open(tmp_path / "p.db") as store:
        record_2019_curve(store, now)
        (row,) = build_rows(store, datetime(2026, 12, 1, tzinfo=UTC).timestamp())
    assert row.petition.state == "open" and row.state == "closed" and row.as_dict()["state"] == "closed"
    assert row.outlook.estimate.method == "closed"  # its last count is final


# --- the window's first rows: read without the whole curve ------------------------------------------


def record_curves(store, now: float, samples_dir) -> None:
    """Three watched petitions: one recorded for three days, one for six hours, one never (no document)."""
    from outlook_documents import PETITION_ID, document_2019

    store.pin(PETITION_ID, pinned_at=now - 3 * DAY)
    store.save_document(PETITION_ID, document_2019(updated_at=now - 60), now - 60)
    for minute in range(3 * 24 * 60, -1, -7):  # every 7 minutes, some of them plateaus
        store.add_sample(PETITION_ID, now - minute * 60, 560_000 + (3 * 24 * 60 - minute) // 3 * 2)
    store.pin(752318, pinned_at=now - 6 * HOUR)  # open until 2026
    store.save_document(752318, (samples_dir / "composed-petition-open-752318.json").read_bytes(), now - 60)
    for minute in range(6 * 60, 0, -10):
        store.add_sample(752318, now - minute * 60, 40 + (6 * 60 - minute))
    store.add_sample(752318, now + 120, 999)  # recorded after `now` (a clock set back): not in the change
    store.pin(700003)


def test_the_first_rows_say_what_the_whole_curve_says_but_the_estimate(tmp_path, samples_dir):
    now = datetime(2019, 3, 26, 18, 0, tzinfo=UTC).timestamp()
    with Store.open(tmp_path / "p.db") as store:
        record_curves(store, now, samples_dir)
        whole = build_rows(store, now)
        first = build_rows(store, now, estimates=False)
    assert [row.petition_id for row in first] == [row.petition_id for row in whole]
    for quick, full in zip(first, whole, strict=True):
        assert (quick.signature_count, quick.counted_at) == (full.signature_count, full.counted_at)
        assert (quick.change, quick.change_complete, quick.change_since) == \
            (full.change, full.change_complete, full.change_since)
        assert (quick.title, quick.state, quick.closing, quick.closing_computed) == \
            (full.title, full.state, full.closing, full.closing_computed)
    recorded, recent, never = first
    assert recorded.estimate_pending and recent.estimate_pending and recorded.outlook.estimate is None
    assert whole[0].outlook.estimate is not None and not whole[0].estimate_pending
    assert recorded.change_complete and recorded.change > 0
    assert not recent.change_complete and recent.change == 350 and recent.signature_count == 999  # the newest
    assert never.signature_count is None and never.change is None
    assert not never.estimate_pending  # no document: nothing to estimate


def test_samples_in_force_are_those_the_whole_curve_has_at_each_moment(tmp_path):
    with Store.open(tmp_path / "p.db") as store:
        for t, count in ((100, 1), (200, 5), (300, 5), (400, 9)):
            store.add_sample(700001, t, count)
        times, counts = store.samples_in_force(700001, (250, 50, 400))
        none = store.samples_in_force(700009, (250,))
    assert times.tolist() == [100.0, 200.0, 400.0] and counts.tolist() == [1, 5, 9]
    assert times.dtype.kind == "f" and counts.dtype.kind == "i"
    assert none[0].size == 0 and none[1].size == 0


def test_a_pass_keeps_the_outlooks_whose_count_and_document_did_not_move(tmp_path, samples_dir):
    from outlook_documents import PETITION_ID, document_2019
    from petitiondesk.core.watch_rows import OUTLOOK_REUSE_SECONDS, OutlookMemo

    now = datetime(2019, 3, 26, 18, 0, tzinfo=UTC).timestamp()
    memo = OutlookMemo()
    with Store.open(tmp_path / "p.db") as store:
        record_curves(store, now, samples_dir)
        first = build_rows(store, now, memo=memo)
        later = now + 600  # the next pass: nothing moved but the clock
        kept, fresh = build_rows(store, later, memo=memo), build_rows(store, later)
        assert kept[0].outlook is first[0].outlook  # not worked out again
        for row, worked_out in zip(kept, fresh, strict=True):  # the rest as ever: count, 24 h change, problem
            assert replace(row, outlook=None) == replace(worked_out, outlook=None)
        store.add_sample(PETITION_ID, later + 60, 600_000)  # a surge: worked out again, and it says so
        moved = build_rows(store, later + 60, memo=memo)
        assert moved[0].outlook == build_rows(store, later + 60)[0].outlook
        assert moved[0].outlook.estimate.final > first[0].outlook.estimate.final
        store.save_document(PETITION_ID, document_2019(updated_at=later, signature_count=600_001), later + 90)
        renewed = build_rows(store, later + 90, memo=memo)[0]  # a new document
        assert renewed.outlook is not moved[0].outlook and renewed == build_rows(store, later + 90)[0]
        stale = later + 90 + OUTLOOK_REUSE_SECONDS  # and once the kept one is old
        assert build_rows(store, stale, memo=memo)[0] == build_rows(store, stale)[0]
