"""The selected petition's outlook reaches the chart and the detail pane: a 2019 document pinned today
shows its curve from the site's milestones at once; an open one its deadline, estimate and odds."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from outlook_documents import PETITION_ID, document_2019
from petitiondesk import paths
from petitiondesk.core.parse import parse_petition_document
from petitiondesk.core.store import Store
from petitiondesk.core.watch_rows import WatchRow
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.data_reader import DataReaderService
from petitiondesk.gui.petition_presenter import PetitionPresenter

WAIT_MS = 15_000
OPEN_NOW = datetime(2019, 3, 26, 18, 0, tzinfo=UTC).timestamp()  # the 2019 petition is open
TODAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def presenter_for(qtbot, data_dir):
    """`presenter_for(document_bytes, now)`: a presenter whose watchlist holds that document."""
    made = []

    def build(raw: bytes, now: float) -> PetitionPresenter:
        rows = {PETITION_ID: WatchRow(PETITION_ID, petition=parse_petition_document(raw))}
        parent = QWidget()
        qtbot.addWidget(parent)
        reader = DataReaderService(paths.database_path(data_dir))
        browse = BrowseService(BrowseConfig("http://127.0.0.1:9", request_interval=0.0))
        presenter = PetitionPresenter(reader, browse, rows.get, clock=lambda: now, parent=parent)
        made.append((presenter, reader, browse, parent))  # the parent too: it owns the presenter
        return presenter

    yield build
    for presenter, reader, browse, _parent in made:
        presenter.stop()
        assert reader.shutdown() and browse.shutdown()


def show(qtbot, presenter: PetitionPresenter) -> None:
    with qtbot.waitSignal(presenter.selection_loaded, timeout=WAIT_MS):
        presenter.show_petition(PETITION_ID)


def test_a_2019_document_pinned_today_shows_its_milestone_curve_and_deadline_at_once(qtbot, presenter_for, data_dir):
    with Store.open(paths.database_path(data_dir)) as store:
        store.add_sample(PETITION_ID, TODAY - 60, 593_441)  # the one count recorded since pinning
    presenter = presenter_for(document_2019(), TODAY)
    show(qtbot, presenter)
    chart = presenter.chart
    assert not chart.is_empty
    assert [point.count for point in chart.overlays.known][:4] == [6, 21, 10_000, 100_000]  # 21 at most at opening
    assert chart.overlays.known[0].at < chart.overlays.known[-1].at < TODAY  # from opening on, not one dot
    assert "closed 3 Jun 2019 (computed)" in chart.summary_label.text()
    lines = presenter.detail.outlook_lines()
    assert lines[0].startswith("Closed: 3 Jun 2019") and "six-month rule" in lines[0]
    assert "10,000 reached 3 Dec 2018" in lines and "100,000 reached 7 Dec 2018" in lines
    assert presenter.detail.outlook_section.isVisibleTo(presenter.detail)


def test_an_open_petition_shows_its_estimate_and_odds_and_follows_new_samples(qtbot, presenter_for, data_dir):
    raw = document_2019(signature_count=4_000, updated_at=OPEN_NOW - 60, debate_threshold_reached_at=None,
                        response_threshold_reached_at=None, government_response_at=None, scheduled_debate_date=None,
                        opened_at="2019-03-20T12:00:00.000Z", open_at="2019-03-20T12:00:00.000Z")
    database = paths.database_path(data_dir)
    with Store.open(database) as store:
        for hour in range(48, -1, -1):
            store.add_sample(PETITION_ID, OPEN_NOW - hour * 3600.0, 1_000 + (48 - hour) * 60)
    presenter = presenter_for(raw, OPEN_NOW)
    show(qtbot, presenter)
    chart, detail = presenter.chart, presenter.detail
    assert chart.overlays.cone is not None  # the forecast cone to the computed deadline
    assert chart.overlays.cone.end == pytest.approx(datetime(2019, 9, 20, 22, 59, 59, 999000, tzinfo=UTC).timestamp())
    assert "(computed deadline)" in chart.summary_label.text()
    lines = detail.outlook_lines()
    assert lines[0].startswith("Closes: 20 Sep 2019") and lines[1].startswith("Expected final count: about ")
    assert lines[2].startswith("10,000 ") and "chance" in lines[2]
    assert lines[3].startswith("100,000") and "chance" in lines[3]
    first_final = chart.overlays.cone.central

    with Store.open(database) as store:  # a surge: the next pass records it
        store.add_sample(PETITION_ID, OPEN_NOW + 1800, 9_000)
    presenter.clock = lambda: OPEN_NOW + 1800
    with qtbot.waitSignal(presenter.selection_loaded, timeout=WAIT_MS):
        presenter.refresh_selected()
    assert presenter.counts[-1] == 9_000
    assert chart.overlays.cone.central > first_final  # the outlook followed the new sample
    assert detail.outlook_lines() != lines


def test_without_a_deadline_or_history_the_detail_pane_says_so_rather_than_guess(qtbot, presenter_for):
    raw = document_2019(opened_at=None, open_at=None, signature_count=3, response_threshold_reached_at=None,
                        debate_threshold_reached_at=None)
    presenter = presenter_for(raw, OPEN_NOW)
    show(qtbot, presenter)
    lines = presenter.detail.outlook_lines()
    assert lines[0] == "Expected final count: too little recorded yet to say"
    assert lines[1:] == ["10,000: too little recorded yet to say", "100,000: too little recorded yet to say"]
    assert np.size(presenter.times) == 0


def test_milestones_read_as_a_user_would_say_them():
    from petitiondesk.core.analysis import MilestoneOutlook
    from petitiondesk.gui.format import milestone_words

    now = OPEN_NOW
    assert milestone_words(MilestoneOutlook(10_000, None, None, 1.0), now) == "10,000 reached before recording began"
    assert milestone_words(MilestoneOutlook(10_000, now - 86400 * 100, None, 1.0), now) == "10,000 reached 16 Dec 2018"
    assert milestone_words(MilestoneOutlook(100_000, None, now + 3.5 * 86400, 0.64), now) == \
        "100,000 in about 3 days · 64 % chance"
    assert milestone_words(MilestoneOutlook(100_000, None, None, 0.004), now) == "100,000: under 1 % chance"
    assert milestone_words(MilestoneOutlook(100_000, None, None, 0.0), now) == "100,000 not reached"
