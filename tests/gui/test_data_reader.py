"""The selected petition's samples are read off the GUI thread: the reader on its own, then the window.

Slow reads are made slow by patching `DataReader._read` (it runs in the reader's thread) to sleep.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from petitiondesk import paths
from petitiondesk.core.store import Store, StoreError
from petitiondesk.gui.data_reader import DataReader, DataReaderService

WAIT_MS = 15_000
SLOW_READ_S = 0.6


@pytest.fixture
def reader(qtbot, data_dir):
    service = DataReaderService(paths.database_path(data_dir))
    yield service
    service.shutdown()


def read(qtbot, service, petition_id, **options):
    """One request and its answer (a ReadResult)."""
    with qtbot.waitSignal(service.loaded, timeout=WAIT_MS) as answered:
        service.request(petition_id, **options)
    return answered.args[0]


def slow_for(monkeypatch, petition_id, seconds=SLOW_READ_S, until: threading.Event | None = None):
    """Make the reader's reads of one petition take `seconds` longer (or last until `until` is set);
    returns the ids it read."""
    original, started = DataReader._read, []

    def slow(self, request):
        started.append(request.petition_id)
        if request.petition_id == petition_id:
            if until is not None:
                until.wait(WAIT_MS / 1000)
            else:
                time.sleep(seconds)
        return original(self, request)

    monkeypatch.setattr(DataReader, "_read", slow)
    return started


# --- the reader on its own -------------------------------------------------------------------------


def test_reads_all_samples_then_those_since_the_last_with_the_baseline_a_day_back(qtbot, reader):
    with Store.open(reader.database) as store:
        for t, count in ((1_000.0, 5), (2_000.0, 9), (90_000.0, 40)):
            store.add_sample(7, t, count)
        store.add_constituency_snapshot(7, 1_500, {"E14000530": 3, "S14000021": 1})
        store.add_sample(8, 1_000.0, 123)  # another petition's samples stay out

    everything = read(qtbot, reader, 7, baseline_at=90_000.0 - 86_400)
    assert everything.error is None and everything.petition_id == 7
    assert everything.times.tolist() == [1_000.0, 2_000.0, 90_000.0]
    assert everything.counts.tolist() == [5, 9, 40]
    assert everything.baseline == {"E14000530": 3, "S14000021": 1}
    assert not everything.times.flags.writeable  # crossed a thread: nobody writes to it again

    newer = read(qtbot, reader, 7, since=2_000.0)
    assert newer.times.tolist() == [2_000.0, 90_000.0] and newer.baseline is None


def test_a_database_not_there_yet_reads_as_no_samples_until_it_is(qtbot, reader):
    nothing = read(qtbot, reader, 7)
    assert nothing.error is None and nothing.times.size == 0 and nothing.counts.size == 0
    with Store.open(reader.database) as store:
        store.add_sample(7, 1_000.0, 5)
    assert read(qtbot, reader, 7).counts.tolist() == [5]


def test_a_broken_database_is_a_message_and_the_reader_carries_on(qtbot, reader):
    reader.database.write_bytes(b"this is not a database at all" * 100)
    broken = read(qtbot, reader, 7)
    assert "not a PetitionDesk database" in broken.error and broken.times.size == 0
    reader.database.unlink()  # moved aside: the next read starts afresh
    with Store.open(reader.database) as store:
        store.add_sample(7, 1_000.0, 5)
    assert read(qtbot, reader, 7).counts.tolist() == [5]


def test_only_the_newest_request_is_answered_and_queued_ones_are_skipped(qtbot, reader, monkeypatch):
    with Store.open(reader.database) as store:
        for petition_id in (1, 2, 3):
            store.add_sample(petition_id, 1_000.0, petition_id * 10)
    release = threading.Event()  # the first read lasts until both newer requests are made, however loaded the machine
    started = slow_for(monkeypatch, 1, until=release)
    answers = []
    reader.loaded.connect(answers.append)
    with qtbot.waitSignal(reader.loaded, timeout=WAIT_MS):
        reader.request(1)  # in progress while the user moves on twice
        qtbot.waitUntil(lambda: 1 in started, timeout=WAIT_MS)  # being read, not merely queued
        reader.request(2)
        reader.request(3)
        release.set()
    qtbot.wait(100)  # anything else on its way lands meanwhile
    assert [answer.petition_id for answer in answers] == [3]
    assert answers[0].counts.tolist() == [30]
    assert 2 not in started  # superseded before its turn: never read


def test_shutdown_ends_the_thread_and_refuses_new_requests(qtbot, reader):
    read(qtbot, reader, 7)
    assert reader.is_running
    assert reader.shutdown()
    assert not reader.is_running
    assert reader.request(7) is None


# --- the window ------------------------------------------------------------------------------------


def wait_for_pass(qtbot, window):
    with qtbot.waitSignal(window.service.refresh_finished, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: not window.is_reading, timeout=WAIT_MS)


def stored_samples(window, petition_id):
    with Store.open(window.database, readonly=True) as store:
        return store.samples(petition_id)


def shown_samples(window):
    return window.chart.samples()


def test_selecting_shows_that_petitions_recorded_samples(qtbot, simulator, make_window, select_and_wait):
    ids = simulator.world.ids("open")[:3]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    simulator.world.advance(3600)
    with qtbot.waitSignal(window.service.refresh_finished, timeout=WAIT_MS):
        window.refresh_now()
    for petition_id in (ids[2], ids[1]):
        select_and_wait(window, petition_id)
        times, counts = stored_samples(window, petition_id)
        shown_times, shown_counts = shown_samples(window)
        assert times.size >= 2
        assert np.array_equal(shown_times, times) and np.array_equal(shown_counts, counts)
        assert window.chart.petition.id == petition_id == window.detail.petition.id


def test_a_slow_read_keeps_the_window_responsive_and_a_quick_reselection_drops_it(
        qtbot, simulator, make_window, monkeypatch):
    first, slow, wanted = simulator.world.ids("open")[:3]
    window = make_window([first, slow, wanted])
    wait_for_pass(qtbot, window)
    assert window.chart.petition.id == first
    slow_for(monkeypatch, slow)
    ticks = []
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start()
    shown = []
    window.selection_loaded.connect(shown.append)
    try:
        began = time.monotonic()
        window.select_petition(slow)
        # Until its samples arrive the previous petition stays on show, curve and title together.
        assert window.chart.petition.id == first == window.detail.petition.id
        qtbot.wait(50)
        with qtbot.waitSignal(window.selection_loaded, timeout=WAIT_MS):
            window.select_petition(wanted)  # queued behind the slow read
        waited = time.monotonic() - began
    finally:
        ticker.stop()
    assert waited >= SLOW_READ_S
    assert len(ticks) >= 20  # the event loop kept turning while the reader slept
    qtbot.wait(100)
    assert shown == [wanted]  # the slow petition's late answer was dropped
    times, counts = stored_samples(window, wanted)
    assert np.array_equal(shown_samples(window)[0], times)
    assert window.chart.petition.id == wanted == window.detail.petition.id


def test_a_read_slower_than_a_moment_shows_the_new_petition_loading(qtbot, simulator, make_window,
                                                                   monkeypatch):
    from petitiondesk.gui.petition_presenter import LOADING_TEXT

    first, slow = simulator.world.ids("open")[:2]
    window = make_window([first, slow])
    wait_for_pass(qtbot, window)
    slow_for(monkeypatch, slow)
    with qtbot.waitSignal(window.selection_loaded, timeout=WAIT_MS):
        window.select_petition(slow)
        qtbot.waitUntil(lambda: window.chart.petition.id == slow, timeout=WAIT_MS)
        # Its title with no curve yet, never the previous petition's curve under it.
        assert window.chart.is_empty and window.chart.empty_label.text() == LOADING_TEXT
        assert window.detail.petition.id == slow
        assert not window.exports.export_image_action.isEnabled()
    assert not window.chart.is_empty
    assert np.array_equal(shown_samples(window)[0], stored_samples(window, slow)[0])
    assert window.exports.export_image_action.isEnabled()


def test_a_database_error_shows_in_the_status_bar(qtbot, simulator, make_window, monkeypatch):
    first, broken = simulator.world.ids("open")[:2]
    window = make_window([first, broken])
    wait_for_pass(qtbot, window)

    def damaged(self, request):
        raise StoreError(f"{self._database} is damaged (database disk image is malformed). Move it aside.")

    monkeypatch.setattr(DataReader, "_read", damaged)
    with qtbot.waitSignal(window.selection_loaded, timeout=WAIT_MS):
        window.select_petition(broken)
    assert window.status_label.text().startswith("Cannot read the database:")
    assert "is damaged" in window.status_label.text()
    # The petition chosen is the one on show, without a curve rather than with the previous one's.
    assert window.chart.petition.id == broken and window.chart.is_empty
    assert "is damaged" in window.chart.empty_label.text()


def test_the_reader_thread_is_gone_after_the_window_closes_mid_read(qtbot, simulator, make_window,
                                                                   monkeypatch):
    first, slow = simulator.world.ids("open")[:2]
    window = make_window([first, slow])
    wait_for_pass(qtbot, window)
    names_before = {thread.name for thread in threading.enumerate()}
    assert window.reader.is_running
    slow_for(monkeypatch, slow)
    window.select_petition(slow)
    qtbot.wait(50)  # the read is under way
    window.close()
    assert not window.reader.is_running
    assert window.reader.request(first) is None
    assert {thread.name for thread in threading.enumerate()} <= names_before



# --- the outlook, worked out in the reader's thread ------------------------------------------------


def test_with_its_document_a_read_brings_the_outlook_over_every_sample_even_those_already_shown(qtbot, reader):
    from outlook_documents import COMPUTED_DEADLINE, PETITION_ID, document_2019
    from petitiondesk.core import analysis
    from petitiondesk.core.parse import parse_petition_document

    now = 1_553_623_200.0  # 26 Mar 2019, 18:00 UTC: the petition is open
    petition = parse_petition_document(document_2019(updated_at=now - 60))
    with Store.open(reader.database) as store:
        for hour in range(72, -1, -1):
            store.add_sample(PETITION_ID, now - hour * 3600.0, 560_000 + (72 - hour) * 460)

    without = read(qtbot, reader, PETITION_ID)
    assert without.outlook is None  # no document asked about: samples only
    first = read(qtbot, reader, PETITION_ID, petition=petition, now=now)
    assert first.outlook.deadline.at == COMPUTED_DEADLINE and not first.outlook.deadline.stated
    assert first.outlook.estimate is not None and first.outlook.state == "open"
    assert first.outlook == analysis.outlook(petition, first.times, first.counts, now)

    with Store.open(reader.database) as store:
        store.add_sample(PETITION_ID, now + 600, 600_000)
    later = read(qtbot, reader, PETITION_ID, since=float(first.times[-1]), petition=petition, now=now + 600,
                 shown=(first.times, first.counts))
    assert later.times.tolist() == [now, now + 600]  # only what is new crosses the thread
    everything = (np.append(first.times, now + 600), np.append(first.counts, 600_000))
    assert later.outlook == analysis.outlook(petition, *everything, now + 600)  # but the whole curve counts
    assert later.outlook.estimate.final >= 600_000


def test_a_document_the_outlook_cannot_handle_still_brings_its_samples(qtbot, reader, monkeypatch):
    from outlook_documents import PETITION_ID, document_2019
    from petitiondesk.core import analysis
    from petitiondesk.core.parse import parse_petition_document

    def broken(*_args, **_kwargs):
        raise ValueError("a contradiction nobody foresaw")

    monkeypatch.setattr(analysis, "outlook", broken)
    with Store.open(reader.database) as store:
        store.add_sample(PETITION_ID, 1_000.0, 5)
    answer = read(qtbot, reader, PETITION_ID, petition=parse_petition_document(document_2019()))
    assert answer.error is None and answer.counts.tolist() == [5] and answer.outlook is None


def test_the_outlook_uses_the_base_rates_learnt_from_the_archive_once_kept(qtbot, reader):
    from outlook_documents import PETITION_ID, document_2019
    from petitiondesk.core import analysis, base_rates
    from petitiondesk.core.forecast import BaseRates
    from petitiondesk.core.parse import parse_petition_document

    now = 1_553_623_200.0
    petition = parse_petition_document(document_2019(30_000, updated_at=now - 60, debate_threshold_reached_at=None))
    few = BaseRates((10_000.0, 11_000.0, 12_000.0), (1.0, 0.5, 0.1), above_index=6.0)
    with Store.open(reader.database) as store:
        for hour in range(72, -1, -1):
            store.add_sample(PETITION_ID, now - hour * 3600.0, 25_000 + (72 - hour) * 68)
        base_rates.save(store, base_rates.Learnt(few, 80, 2), now)
    answer = read(qtbot, reader, PETITION_ID, petition=petition, now=now)
    assert answer.outlook == analysis.outlook(petition, answer.times, answer.counts, now, few)
    assert answer.outlook != analysis.outlook(petition, answer.times, answer.counts, now)


def test_the_reader_says_when_the_24_hour_movers_will_appear(qtbot, reader):
    from petitiondesk.core import movers

    first = 1_700_000_000.0
    with Store.open(reader.database) as store:
        store.add_sample(7, first, 5)
        store.add_constituency_snapshot(7, first, {"E14001063": 5})
    waiting = read(qtbot, reader, 7, baseline_at=first + 3600, now=first + 3600)
    assert waiting.movers_ready_at == pytest.approx(first + movers.MIN_GAP)
    with Store.open(reader.database) as store:
        store.add_constituency_snapshot(7, first + 23 * 3600, {"E14001063": 50})
    ready = read(qtbot, reader, 7, baseline_at=first + 24 * 3600, now=first + 24 * 3600)
    assert ready.movers_ready_at is None  # two snapshots a day apart: the movers are there
