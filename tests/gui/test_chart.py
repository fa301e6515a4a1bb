"""The signature graph: thresholds, following the latest point, log scale, crosshair, summary."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPalette

from petitiondesk.core.models import Parliament, Petition
from petitiondesk.gui.chart import EMPTY_NO_PETITION, EMPTY_NO_SAMPLES, SignatureChart

HOUR = 3600.0
# 1 June 2026, 12:00 UTC: British Summer Time, so UK clocks read 13:00.
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC).timestamp()


def petition(count=0, **fields) -> Petition:
    fields.setdefault("state", "open")
    return Petition(id=700001, action="Plant more trees", signature_count=count, **fields)


def hourly(counts) -> tuple[np.ndarray, np.ndarray]:
    counts = np.asarray(counts, dtype=np.int64)
    return START + HOUR * np.arange(counts.size), counts


@pytest.fixture
def chart(qtbot):
    widget = SignatureChart()
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def x_range(chart):
    return chart.plot_widget.getPlotItem().getViewBox().viewRange()[0]


def test_response_line_only_when_the_count_is_near_it(chart):
    times, counts = hourly(np.linspace(0, 500, 24))
    chart.set_petition(petition(500), times, counts)
    assert not chart.threshold_visible("response")
    assert not chart.threshold_visible("debate")

    times, counts = hourly(np.linspace(0, 50_000, 24))
    chart.set_petition(petition(50_000), times, counts)
    assert chart.threshold_visible("response")
    assert not chart.threshold_visible("debate")


def test_a_petition_closing_in_on_100k_shows_how_far_it_has_to_go(chart):
    times, counts = hourly(np.linspace(60_000, 90_000, 24))
    chart.set_petition(petition(90_000), times, counts)
    assert chart.threshold_visible("debate")
    assert chart._threshold_lines["debate"].label.toPlainText() == "100,000 — considered for debate"


def test_archived_petitions_use_their_own_thresholds(chart):
    old = petition(
        9_000, state="closed", archived=True,
        parliament=Parliament(period="2010-2015", response_threshold=5_000, debate_threshold=50_000),
    )
    times, counts = hourly(np.linspace(0, 9_000, 24))
    chart.set_petition(old, times, counts)
    line = chart._threshold_lines["response"]
    assert chart.threshold_visible("response")
    assert line.value() == 5_000
    assert line.label.toPlainText() == "5,000 — government response"


def test_new_samples_follow_the_latest_point_when_fitted(chart):
    times, counts = hourly(np.arange(0, 48) * 100)
    chart.set_petition(petition(4_700), times, counts)
    more_times, more_counts = hourly(np.arange(0, 60) * 100)
    chart.update_samples(more_times, more_counts)
    low, high = x_range(chart)
    assert low <= more_times[0] and high >= more_times[-1]


def test_new_samples_keep_a_zoom_on_the_past(chart):
    times, counts = hourly(np.arange(0, 48) * 100)
    chart.set_petition(petition(4_700), times, counts)
    view = chart.plot_widget.getPlotItem().getViewBox()
    view.setXRange(times[5], times[20], padding=0)  # the user zooms into day one
    before = view.viewRange()
    chart.update_samples(*hourly(np.arange(0, 60) * 100))
    assert view.viewRange() == before


def test_new_samples_slide_a_zoom_that_shows_the_latest_point(chart):
    times, counts = hourly(np.arange(0, 48) * 100)
    chart.set_petition(petition(4_700), times, counts)
    view = chart.plot_widget.getPlotItem().getViewBox()
    view.setXRange(times[-6], times[-1] + 600, padding=0)  # the last few hours
    width = x_range(chart)[1] - x_range(chart)[0]
    more_times, more_counts = hourly(np.arange(0, 51) * 100)
    chart.update_samples(more_times, more_counts)
    low, high = x_range(chart)
    assert high >= more_times[-1] > low
    assert high - low == pytest.approx(width)  # the user's zoom level is kept
    _, (_, y_high) = view.viewRange()
    assert y_high >= 5_000  # the new top is not cut off


def test_fit_brings_back_every_sample(chart):
    times, counts = hourly(np.arange(0, 48) * 100)
    chart.set_petition(petition(4_700), times, counts)
    chart.plot_widget.getPlotItem().getViewBox().setXRange(times[5], times[10], padding=0)
    chart.fit_button.click()
    low, high = x_range(chart)
    assert low <= times[0] and high >= times[-1]


def test_log_scale_copes_with_counts_of_zero(chart):
    times, counts = hourly([0, 0, 5, 100, 1_000, 12_000])
    chart.set_petition(petition(12_000), times, counts)
    chart.log_button.click()
    assert chart.log_scale and chart.log_button.isChecked()
    view = chart.plot_widget.getPlotItem().getViewBox()
    (_, _), (y_low, y_high) = view.viewRange()
    assert math.isfinite(y_low) and math.isfinite(y_high)
    assert y_low <= math.log10(5) and y_high >= math.log10(12_000)
    assert chart._threshold_lines["response"].value() == pytest.approx(4.0)  # log10(10,000)
    shown_x, shown_y = chart._curve.getData()
    assert np.isfinite(shown_y).sum() == 4  # the zeros are left out, the rest drawn
    chart.set_log_scale(False)
    assert not chart.log_button.isChecked()
    assert chart._threshold_lines["response"].value() == 10_000


def test_only_zeros_on_a_log_scale_do_not_break_the_view(chart):
    chart.set_log_scale(True)
    chart.set_petition(petition(0), *hourly([0, 0, 0]))
    (_, _), (y_low, y_high) = chart.plot_widget.getPlotItem().getViewBox().viewRange()
    assert math.isfinite(y_low) and math.isfinite(y_high)


def test_crosshair_reads_the_sample_under_the_pointer_in_uk_time(chart, qtbot):
    times, counts = hourly([100, 250, 900, 1_400, 2_000])
    chart.set_petition(petition(2_000), times, counts)
    qtbot.wait(10)  # let the plot lay out so that scene and view coordinates agree
    view = chart.plot_widget.getPlotItem().getViewBox()
    near_third = view.mapViewToScene(QPointF(times[2] + 0.2 * HOUR, 500))
    chart.plot_widget.scene().sigMouseMoved.emit(near_third)
    assert chart.readout_label.text() == "1 Jun 2026, 15:00 (UK time) · 900 signatures"
    assert chart._cross_v.isVisible() and chart._cross_v.value() == times[2]

    outside = view.mapViewToScene(QPointF(times[0], 0)) + QPointF(-200, 0)
    chart.plot_widget.scene().sigMouseMoved.emit(outside)
    assert not chart._cross_v.isVisible()
    assert "signatures" not in chart.readout_label.text()


def test_nearest_sample_rounds_to_the_closer_neighbour(chart):
    times, counts = hourly([10, 20, 30])
    chart.set_petition(petition(30), times, counts)
    assert chart.sample_nearest(times[1] - 0.4 * HOUR) == (times[1], 20)
    assert chart.sample_nearest(times[1] - 0.6 * HOUR) == (times[0], 10)
    assert chart.sample_nearest(times[-1] + 10 * HOUR) == (times[-1], 30)


def test_empty_states_say_why_nothing_is_drawn(chart):
    assert chart.is_empty and chart.empty_label.text() == EMPTY_NO_PETITION
    chart.set_petition(petition(10), np.array([]), np.array([]))
    assert chart.is_empty and chart.empty_label.text() == EMPTY_NO_SAMPLES
    assert not chart.fit_button.isEnabled()
    assert chart.summary_label.text() == "10 signatures"
    chart.update_samples(*hourly([10]))
    assert not chart.is_empty


def test_summary_gives_the_last_day_the_rate_and_an_estimate(chart):
    times, counts = hourly(np.arange(0, 49) * 100)  # 100 an hour for two days
    chart.clock = lambda: float(times[-1])
    chart.set_petition(petition(4_800, closing_date=date(2026, 7, 1)), times, counts)
    text = chart.summary_label.text()
    assert text.startswith("4,800 signatures")
    assert "+2,400 in the last 24 h" in text
    assert "100 an hour" in text
    assert "expected by closing" in text


def test_summary_of_a_closed_petition_gives_its_final_count(chart):
    times, counts = hourly(np.arange(0, 49) * 100)
    chart.clock = lambda: float(times[-1]) + 90 * 86400  # months later
    closed = petition(4_800, state="closed",
                      closed_at=datetime(2026, 6, 3, 22, 59, 59, tzinfo=UTC))
    chart.set_petition(closed, times, counts)
    assert chart.summary_label.text() == "4,800 signatures · closed 3 Jun 2026"


def test_summary_of_a_short_recording_says_since_when(chart):
    times, counts = hourly([1_000, 1_100, 1_250])
    chart.clock = lambda: float(times[-1])
    chart.set_petition(petition(1_250), times, counts)
    assert "+250 since recording began" in chart.summary_label.text()


def test_open_petition_without_a_closing_date_gets_no_estimate(chart):
    times, counts = hourly(np.arange(0, 49) * 100)
    chart.clock = lambda: float(times[-1])
    chart.set_petition(petition(4_800), times, counts)
    assert "closing" not in chart.summary_label.text()


def test_curves_are_created_once(chart):
    item = chart.plot_widget.getPlotItem()
    items_before = list(item.items)
    for n in (5, 50, 500):
        chart.set_petition(petition(n), *hourly(np.arange(n)))
        chart.update_samples(*hourly(np.arange(n + 3)))
        chart.set_log_scale(n == 50)
    assert list(item.items) == items_before
    assert chart._curve.getData()[0].size == 503


def minutely(samples: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(15)
    return START + 60.0 * np.arange(samples), np.cumsum(rng.poisson(2, samples)).astype(np.int64)


def test_a_long_history_is_drawn_at_the_resolution_of_the_view_edge_to_edge_after_a_pan(chart, qtbot):
    times, counts = minutely(300_000)  # seven months
    chart.set_petition(petition(int(counts[-1])), times, counts)
    pixels = view(chart).width()
    drawn_x, drawn_y = chart._curve.getData()
    assert 2 * pixels <= len(drawn_x) <= 4 * pixels + 4  # each pixel's lowest and highest, not 300,000
    assert drawn_x[0] == times[0] and drawn_x[-1] == times[-1] and drawn_y[-1] == counts[-1]
    for key in (Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Left, Qt.Key.Key_Left):
        qtbot.keyClick(chart.plot_widget, key)
    (left, right), (bottom, top) = view(chart).viewRange()
    drawn_x, drawn_y = chart._curve.getData()
    assert times[0] < left and right < times[-1]  # samples beyond both edges
    assert drawn_x[0] <= left and drawn_x[-1] >= right  # the line runs to both edges
    assert len(drawn_x) <= 4 * pixels + 4
    inside = (times >= left) & (times <= right)
    assert drawn_y.min() <= counts[inside].min() and drawn_y.max() >= counts[inside].max()
    assert bottom <= counts[inside].min() and counts[inside].max() <= top  # the counts follow


def test_a_spike_of_one_sample_stays_visible_when_zoomed_out(chart):
    times, counts = minutely(300_000)
    counts[123_457] += 40_000  # one sample
    chart.set_petition(petition(int(counts[-1])), times, counts)
    drawn_x, drawn_y = chart._curve.getData()
    assert len(drawn_x) < 3_000
    spike = drawn_x == times[123_457]
    assert list(drawn_y[spike]) == [counts[123_457]]  # drawn at its own time, to its full height
    chart.set_log_scale(True)
    drawn_x, drawn_y = chart._curve.getData()
    assert list(drawn_y[drawn_x == times[123_457]]) == [pytest.approx(math.log10(counts[123_457]))]


def test_unsorted_or_mismatched_samples_are_tidied_not_fatal(chart):
    times = np.array([START + 2 * HOUR, START, START + HOUR, START + 3 * HOUR])
    counts = np.array([30, 10, 20])  # one count short
    chart.set_petition(petition(30), times, counts)
    shown_times, shown_counts = chart._curve.getData()
    assert list(shown_counts) == [10, 20, 30]
    assert list(np.diff(shown_times) > 0) == [True, True]


def test_chart_follows_a_dark_palette(chart):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    chart.setPalette(dark)
    assert chart.plot_widget.backgroundBrush().color() == QColor("#1e1e1e")
    assert chart._count_axis.textPen().color() == QColor("#eeeeee")


def test_controls_have_accessible_names(chart):
    assert chart.fit_button.accessibleName()
    assert chart.log_button.accessibleName()
    assert chart.plot_widget.accessibleName()


def test_keyboard_pans_zooms_and_fits(chart, qtbot):
    times, counts = hourly(np.arange(0, 48) * 100)
    chart.set_petition(petition(4_700), times, counts)
    chart.plot_widget.setFocus()
    low, high = x_range(chart)
    qtbot.keyClick(chart.plot_widget, Qt.Key.Key_Plus)
    zoomed_low, zoomed_high = x_range(chart)
    assert zoomed_high - zoomed_low == pytest.approx((high - low) * 0.8)
    qtbot.keyClick(chart.plot_widget, Qt.Key.Key_Left)
    assert x_range(chart)[0] < zoomed_low
    qtbot.keyClick(chart.plot_widget, Qt.Key.Key_End)
    assert x_range(chart)[1] >= times[-1]
    qtbot.keyClick(chart.plot_widget, Qt.Key.Key_Home)
    assert x_range(chart) == pytest.approx([low, high])


def test_switching_to_log_scale_keeps_the_time_window_the_user_chose(chart):
    times, counts = hourly(np.arange(1, 49) * 100)
    chart.set_petition(petition(4_800), times, counts)
    view = chart.plot_widget.getPlotItem().getViewBox()
    view.setXRange(times[5], times[20], padding=0)
    chart.set_log_scale(True)
    assert x_range(chart) == pytest.approx([times[5], times[20]])


def test_a_big_petition_recorded_late_fills_the_graph_with_its_growth(chart):
    times, counts = hourly(np.linspace(1_730_000, 1_736_000, 24))
    chart.set_petition(petition(1_736_000), times, counts)
    _, (y_low, y_high) = chart.plot_widget.getPlotItem().getViewBox().viewRange()
    assert 1_700_000 < y_low < 1_730_000 and 1_736_000 < y_high < 1_750_000
    assert not chart.threshold_visible("response") and not chart.threshold_visible("debate")


def test_threshold_labels_that_would_overlap_keep_only_the_higher_one(chart):
    times, counts = hourly(np.linspace(0, 3_000_000, 24))  # 10k and 100k a few pixels apart
    chart.set_petition(petition(3_000_000), times, counts)
    response, debate = chart._threshold_lines["response"], chart._threshold_lines["debate"]
    assert response.isVisible() and debate.isVisible()
    assert debate.label.isVisible() and not response.label.isVisible()
    chart.set_petition(petition(150_000), *hourly(np.linspace(0, 150_000, 24)))
    assert response.label.isVisible() and debate.label.isVisible()


def view(chart):
    return chart.plot_widget.getPlotItem().getViewBox()


def wheel(chart, qtbot, delta=120, modifiers=Qt.KeyboardModifier.NoModifier):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    widget = chart.plot_widget.viewport()
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, widget.mapToGlobal(centre), QPoint(0, 0), QPoint(0, delta),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(widget, event)


def test_the_wheel_zooms_time_and_the_counts_follow_the_curve(chart, qtbot):
    times, counts = hourly(np.linspace(0, 50_000, 200))
    chart.set_petition(petition(50_000), times, counts)
    (x0, x1), _ = view(chart).viewRange()
    for _ in range(6):
        wheel(chart, qtbot, 120)
    (z0, z1), (y0, y1) = view(chart).viewRange()
    assert z1 - z0 < (x1 - x0) * 0.7, "the time window narrowed"
    shown = counts[(times >= z0) & (times <= z1)]
    assert y0 <= shown.min() and shown.max() <= y1, "every sample in view is inside the count range"
    assert (y1 - y0) < 50_000 * 0.9, "the counts zoomed in with the time window instead of staying 0-50,000"


def test_shift_wheel_zooms_the_counts_and_leaves_time_alone(chart, qtbot):
    times, counts = hourly(np.linspace(0, 50_000, 200))
    chart.set_petition(petition(50_000), times, counts)
    (x0, x1), (y0, y1) = view(chart).viewRange()
    wheel(chart, qtbot, 240, Qt.KeyboardModifier.ShiftModifier)
    (z0, z1), (w0, w1) = view(chart).viewRange()
    assert (z0, z1) == pytest.approx((x0, x1))
    assert w1 - w0 < y1 - y0
    assert not chart.counts_follow_time
    chart.fit()
    assert chart.counts_follow_time


def test_the_debate_label_is_not_clipped_at_the_top(chart):
    times, counts = hourly(np.linspace(60_000, 95_000, 24))
    chart.set_petition(petition(95_000), times, counts)
    assert chart.threshold_visible("debate")
    assert chart.threshold_label_below("debate")  # the line is at the top: its text goes under it
    assert not chart.threshold_label_below("response") or not chart.threshold_visible("response")


def test_a_log_scale_over_a_narrow_range_has_several_ticks(chart):
    times, counts = hourly(np.linspace(1_100_000, 1_160_000, 48))
    chart.set_petition(petition(1_160_000), times, counts)
    chart.set_log_scale(True)
    axis = chart.plot_widget.getPlotItem().getAxis("left")
    low, high = view(chart).viewRange()[1]
    levels = axis.tickValues(low, high, 300)
    ticks = [t for _, values in levels for t in values if low <= t <= high]
    assert len(ticks) >= 3
    labels = axis.tickStrings(ticks, 1.0, 1.0)
    assert all(label.replace(",", "").isdigit() for label in labels)


def test_an_export_from_the_window_frames_what_the_view_shows(chart):
    times, counts = hourly(np.linspace(1_100_000, 1_160_000, 48))
    chart.set_petition(petition(1_160_000), times, counts)
    spec = chart.export_spec(700001)
    (x0, x1), (y0, y1) = view(chart).viewRange()
    assert spec.x_range == pytest.approx((x0, x1)) and spec.count_range() == pytest.approx((y0, y1))
    assert spec.thresholds_in_frame() == ()


class Point:
    def __init__(self, at, count, label):
        self.at, self.count, self.label = at, count, label


class Event:
    def __init__(self, kind, at, label):
        self.kind, self.at, self.label = kind, at, label


def test_a_gap_in_recording_is_a_break_bridged_by_a_dashed_segment_but_a_plateau_is_not(chart):
    times = np.array([START, START + 600, START + 6 * HOUR, START + 6 * HOUR + 600, START + 12 * HOUR])
    counts = np.array([100, 110, 500, 510, 510])  # closed for 6 h while 390 signed; then a plateau
    chart.set_petition(petition(510), times, counts)
    x, y = chart._curve.getData()
    assert np.isnan(y).sum() == 1 and x[np.isnan(y)] == [START + 6 * HOUR]  # one break, after the second sample
    gap_x, gap_y = chart.overlays._gap_curve.getData()
    assert list(gap_x[np.isfinite(gap_x)]) == [START + 600, START + 6 * HOUR]
    assert list(gap_y[np.isfinite(gap_y)]) == [110, 500]


def test_milestones_from_the_site_show_a_curve_for_a_petition_pinned_today(chart):
    opened = START - 40 * 24 * HOUR
    known = [Point(opened + 2 * 24 * HOUR, 10_000, "Reached 10,000"), Point(opened + 9 * 24 * HOUR, 100_000,
                                                                              "Reached 100,000")]
    times, counts = hourly([593_000, 593_200, 593_441])  # pinned today: three samples
    chart.set_petition(petition(593_441), times, counts)
    chart.set_context(known, [Event("opened", opened, "opened")])
    (x0, x1), (y0, y1) = view(chart).viewRange()
    assert x0 <= opened + 2 * 24 * HOUR and x1 >= times[-1]  # the frame runs from the milestones to now
    assert y0 <= 10_000
    line_x, line_y = chart.overlays._known_line.getData()
    assert list(line_y) == [10_000, 100_000, 593_000]  # dashed from the milestones to the first sample
    assert "opened" in chart.overlays.visible_event_labels()
    assert chart._curve.getData()[0].size == 3  # recorded samples stay apart from stated counts


def test_pointing_at_a_milestone_says_it_comes_from_the_site(chart, qtbot):
    known = [Point(START - 24 * HOUR, 10_000, "Reached 10,000")]
    chart.set_petition(petition(20_000), *hourly(np.linspace(15_000, 20_000, 24)))
    chart.set_context(known)
    target = view(chart).mapViewToScene(QPointF(START - 24 * HOUR, 10_000))
    chart._on_mouse_moved(target)
    assert chart.readout_label.text().startswith("Reached 10,000 · ")
    assert chart.readout_label.text().endswith("— from the site")


def test_the_forecast_cone_runs_to_the_deadline_and_can_be_hidden(chart):
    from petitiondesk.gui.chart_overlays import Cone

    times, counts = hourly(np.linspace(1_000, 5_000, 48))
    deadline = START + 30 * 24 * HOUR
    chart.set_petition(petition(5_000), times, counts)
    chart.set_context(cone=Cone(float(times[-1]), 5_000, deadline, 8_000, 12_000, 25_000))
    (x0, x1), (y0, y1) = view(chart).viewRange()
    assert x1 >= deadline and y1 >= 25_000
    chart.set_forecast_shown(False)
    (x0, x1), (y0, y1) = view(chart).viewRange()
    assert x1 < deadline and y1 < 8_000
    assert not chart.overlays._cone_fill.isVisible()


def test_the_outlook_of_an_old_document_gives_milestones_a_computed_deadline_and_the_odds(chart):
    """A 2019-style document: no closing date, thresholds passed before pinning, pinned today."""
    from datetime import timedelta

    from petitiondesk.core import analysis

    opened = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    old = petition(60_000, opened_at=opened, response_threshold_reached_at=opened + timedelta(days=3))
    times, counts = hourly(np.linspace(58_000, 60_000, 48))
    chart.clock = lambda: float(times[-1])
    chart.set_petition(old, times, counts)
    chart.set_outlook(analysis.outlook(old, times, counts, float(times[-1])))
    summary = chart.summary_label.text()
    assert "expected by closing (computed deadline)" in summary
    assert [p.count for p in chart.overlays.known][:2] == [21, 10_000]  # at most 21 at opening (sponsors)
    assert any(label.startswith("closes in ") and label.endswith("(computed)")
               for label in chart.overlays.visible_event_labels())
    debate = chart._threshold_lines["debate"].label.toPlainText()
    assert debate.startswith("100,000 — considered for debate · ") and "chance" in debate
    (x0, _), _ = view(chart).viewRange()
    assert x0 <= (opened + timedelta(days=3)).timestamp()  # the curve runs back to the 10,000 milestone


def test_event_lines_are_in_the_plot_only_while_they_mark_an_event(chart):
    item = chart.plot_widget.getPlotItem()
    times, counts = hourly([100, 200, 300])
    chart.set_petition(petition(300), times, counts)
    without = len(item.items)  # unused lines would still follow every move of the view
    chart.set_context((), [Event("opened", START - HOUR, "opened"), Event("response", START + HOUR, "response")])
    assert chart.overlays.visible_event_labels() == ["opened", "response"]
    assert len(item.items) == without + 2
    chart.set_context((), [Event("opened", START - HOUR, "opened")])
    assert chart.overlays.visible_event_labels() == ["opened"] and len(item.items) == without + 1
    chart.set_context()
    assert chart.overlays.visible_event_labels() == [] and len(item.items) == without


def test_a_read_with_its_outlook_is_framed_and_drawn_once_and_a_new_sample_moves_the_cone(chart):
    """The presenter gives the samples and the outlook together: the view moves once per read (no
    frame between two fits for the window to paint), and the cone starts from the newest sample."""
    from datetime import timedelta

    from petitiondesk.core import analysis

    opened = datetime.fromtimestamp(START, UTC) - timedelta(days=20)
    shown = petition(40_000, opened_at=opened)
    times, counts = hourly(np.linspace(30_000, 40_000, 48))
    moves = []
    view(chart).sigRangeChanged.connect(lambda *_: moves.append(1))
    chart.clock = lambda: float(times[-1])
    chart.set_petition(shown, times, counts, analysis.outlook(shown, times, counts, float(times[-1])))
    assert len(moves) == 1
    cone = chart.overlays.cone
    assert cone is not None and cone.start == times[-1]
    (_, x1), (_, y1) = view(chart).viewRange()
    assert x1 >= cone.end and y1 >= cone.high  # fitted to the deadline and the cone's top
    assert "chance" in chart._threshold_lines["debate"].label.toPlainText()

    more_times, more_counts = np.append(times, times[-1] + HOUR), np.append(counts, 41_000)
    chart.clock = lambda: float(more_times[-1])
    moves.clear()
    chart.update_samples(more_times, more_counts,
                         analysis.outlook(shown, more_times, more_counts, float(more_times[-1])))
    assert len(moves) == 1
    assert chart.overlays.cone.start == more_times[-1] and chart.overlays.cone.start_count == 41_000
    (_, x1), _ = view(chart).viewRange()
    assert x1 >= chart.overlays.cone.end  # still fitted


def test_milestones_and_gaps_follow_the_scale_when_it_changes(chart):
    known = [Point(START - 24 * HOUR, 10_000, "Reached 10,000")]
    times = START + np.array([0, 600, 1200, 1800, 6 * HOUR])
    counts = np.array([20_000, 20_050, 20_100, 20_150, 21_000])  # then closed for 6 h
    chart.set_petition(petition(21_000), times, counts)
    chart.set_context(known)
    chart.set_log_scale(True)  # drawn where the curve is, not at the logarithm of its logarithm
    _, line_y = chart.overlays._known_line.getData()
    assert list(line_y) == pytest.approx([4.0, math.log10(20_000)])
    _, gap_y = chart.overlays._gap_curve.getData()
    assert list(gap_y[np.isfinite(gap_y)]) == pytest.approx([math.log10(20_150), math.log10(21_000)])
    chart.set_log_scale(False)
    assert list(chart.overlays._known_line.getData()[1]) == [10_000, 20_000]
    _, gap_y = chart.overlays._gap_curve.getData()
    assert list(gap_y[np.isfinite(gap_y)]) == [20_150, 21_000]


def test_gaps_are_found_by_the_first_quartile_of_the_steps_as_numpy_gives_it():
    from petitiondesk.gui.chart_overlays import GAP_SECONDS, gap_mask

    rng = np.random.default_rng(3)
    for size in (2, 3, 4, 5, 8, 17, 1000):
        for _ in range(20):
            steps = rng.choice([60.0, 600.0, 3600.0, 7200.0, 86400.0], size=size - 1) * rng.uniform(0.5, 2, size - 1)
            times = START + np.concatenate([[0.0], np.cumsum(steps)])
            counts = np.arange(size) * 10
            limit = max(GAP_SECONDS, float(np.percentile(steps, 25)) * 6)
            assert list(gap_mask(times, counts)) == list(steps > limit)


def test_the_plot_is_built_when_first_needed_with_the_scale_and_forecast_chosen_before(qtbot):
    """The window paints before the plot exists (gui/chart_plot.py imports pyqtgraph): what the user
    chose meanwhile (the saved log scale, the forecast hidden) is how the plot is then drawn."""
    widget = SignatureChart()
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_petition(None, np.empty(0), np.empty(0))
    widget.set_log_scale(True)
    widget.set_forecast_shown(False)
    widget.fit()
    assert widget._parts is None  # nothing to draw yet
    assert widget.is_empty and widget.empty_label.text() == EMPTY_NO_PETITION
    assert widget.log_scale and widget.log_button.isChecked()
    built = []
    widget.plot_built.connect(lambda: built.append(True))

    times, counts = hourly(np.linspace(1_000, 20_000, 48))
    widget.set_petition(petition(20_000), times, counts)
    assert built == [True] and not widget.is_empty
    assert widget.plot_widget.getPlotItem().ctrl.logYCheck.isChecked()  # the count axis is logarithmic
    assert not widget.overlays.show_cone
    bottom, top = widget.plot_widget.getPlotItem().getViewBox().viewRange()[1]
    assert bottom <= math.log10(1_000) and top >= math.log10(20_000)  # fitted in log units
    widget.ensure_plot()
    assert built == [True]  # once


def test_a_right_click_on_the_plot_asks_for_its_menu_where_the_pointer_is(chart, qtbot):
    times, counts = hourly(np.linspace(0, 500, 24))
    chart.set_petition(petition(500), times, counts)
    asked = []
    chart.context_menu_requested.connect(asked.append)
    plot = chart.plot_widget
    plot.customContextMenuRequested.emit(plot.rect().center())
    assert asked == [plot.mapToGlobal(plot.rect().center())]


def test_a_petition_shown_in_pieces_leaves_the_previous_one_on_screen_until_the_last_piece(chart):
    """The presenter shows a read a piece per turn of the event loop: no paint in between shows a
    curve without its milestones, or the new samples under the old petition's lines."""
    times, counts = hourly(np.linspace(0, 500, 24))
    chart.set_petition(petition(500), times, counts)
    before = chart.plot_widget.grab().toImage()
    times, counts = hourly(np.linspace(5_000, 60_000, 48))
    hedgehogs = Petition(id=700002, action="Save the hedgehogs", signature_count=60_000, state="open")
    steps = chart.petition_steps(hedgehogs, times, counts)
    for step in steps[:-1]:
        step()
        assert not chart.plot_widget.updatesEnabled()  # the screen keeps the previous drawing
    steps[-1]()
    assert chart.plot_widget.updatesEnabled()
    assert chart.petition.action == "Save the hedgehogs" and chart.threshold_visible("response")
    assert chart.plot_widget.grab().toImage() != before

    # Pieces dropped half-way (the user moved on): the next petition shown is painted again.
    chart.petition_steps(petition(10), *hourly([1, 5, 10]))[0]()
    chart.set_petition(petition(700), *hourly([100, 400, 700]))
    assert chart.plot_widget.updatesEnabled() and chart.samples()[1].tolist() == [100, 400, 700]


def test_new_samples_shown_in_pieces_end_as_update_samples_leaves_them(qtbot):
    charts = []
    for _ in range(2):
        widget = SignatureChart()
        qtbot.addWidget(widget)
        widget.resize(800, 450)
        widget.show()
        qtbot.waitExposed(widget)
        widget.set_petition(petition(9_000), *hourly(np.linspace(1_000, 9_000, 24)))
        charts.append(widget)
    more = hourly(np.linspace(1_000, 12_000, 30))
    whole, pieces = charts
    whole.update_samples(*more)
    steps = pieces.sample_steps(*more)
    for step in steps[:-1]:
        step()
        assert not pieces.plot_widget.updatesEnabled()
    steps[-1]()
    assert pieces.plot_widget.updatesEnabled()
    assert pieces.samples()[1].tolist() == whole.samples()[1].tolist()
    assert np.allclose(x_range(pieces), x_range(whole)) and pieces.threshold_visible("response")
    assert pieces.summary_label.text() == whole.summary_label.text()
