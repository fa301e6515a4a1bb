"""The comparison window and its images."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage
from tests.test_compare import new_petition, old_petition

from petitiondesk.core import compare
from petitiondesk.core.models import Petition
from petitiondesk.gui.compare_export import COLOURS, export_comparison
from petitiondesk.gui.compare_view import CompareView


@pytest.fixture
def view(qtbot):
    widget = CompareView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_each_petition_gets_its_own_colour_blind_safe_colour_and_a_table_row(view):
    view.set_series([old_petition(), new_petition()])
    assert view.table.rowCount() == 2
    first, second = (view.table.item(row, 0).foreground().color().name() for row in range(2))
    assert first == COLOURS[0].lower() and second == COLOURS[1].lower()
    assert view.table.item(0, 7).text() == "2.0"  # days to 10,000
    assert view.table.item(1, 8).text() == "—"  # never reached 100,000


def test_a_2019_petition_and_one_open_today_line_up_by_days_since_opening(view):
    view.set_series([old_petition(), new_petition()])
    view.align_box.setCurrentIndex(view.align_box.findData("opened"))
    for pid in (241584, 700123):
        x, _ = view.curve_data(pid)
        assert 0 <= np.nanmin(x) and np.nanmax(x) < 40  # both start near day 0 on the same axis
    text = view.reading_text(6.0)
    assert "Day 6.0" in text and "between known points" in text


def test_share_units_and_log_scale_redraw_the_same_curves(view):
    view.set_series([new_petition()])
    view.units_box.setCurrentIndex(view.units_box.findData("share"))
    _, y = view.curve_data(700123)
    assert np.nanmax(y) == pytest.approx(0.2)
    view.log_box.setChecked(True)
    assert view.plot_widget.getPlotItem().getAxis("left").logMode


def test_the_legend_toggles_curves_and_hidden_ones_leave_the_reading(view, qtbot):
    view.set_series([old_petition(), new_petition()])
    sample, _label = view.legend.items[0]
    sample.item.setVisible(False)  # what a click on the legend entry does
    assert view.hidden_ids() == {241584}
    assert "Leave the EU" not in view.reading_text(old_petition().times[1])


def test_titles_are_text_in_the_legend_and_the_table(view):
    hostile = Petition(id=5, action="<b>Bold</b> & <i>co</i>", state="open", signature_count=3)
    view.set_series([compare.Series(5, hostile, np.array([1.76e9, 1.7601e9]), np.array([1, 3]))])
    _, label = view.legend.items[0]
    assert "<b>Bold</b> &amp; <i>co</i>" not in label.text  # escaped: shown as typed
    assert view.table.item(0, 0).text() == "<b>Bold</b> & <i>co</i>"


def test_the_comparison_exports_as_png_and_svg(qapp, tmp_path):
    series = [old_petition(), new_petition()]
    export_comparison(series, tmp_path / "c.png", "opened", "signatures", False, 1200, 675)
    image = QImage(str(tmp_path / "c.png"))
    assert (image.width(), image.height()) == (1200, 675)
    export_comparison(series, tmp_path / "c.svg", "opened", "share", True, 1200, 675)
    svg = (tmp_path / "c.svg").read_text(encoding="utf-8")
    assert "Leave the EU without a deal" in svg and "Plant more trees" in svg


def test_the_pointer_reads_every_curve(view, qtbot):
    view.set_series([new_petition()])
    qtbot.wait(50)  # the view fits the curves when it next paints
    box = view.plot_widget.getPlotItem().getViewBox()
    x = float(new_petition().times[5])
    view._on_mouse_moved(box.mapViewToScene(QPointF(x, 10_000)))
    assert "Plant more trees: 11,111" in view.readout.text()


def test_switching_alignment_with_long_curves_frames_and_draws_them_on_the_new_axis(view, qtbot):
    """Downsampling and clip-to-view follow the range in view: after calendar seconds, days since
    opening once drew nothing (the old range made every curve empty) and framed ±6 million days."""
    start = new_petition()
    times = start.times[0] + 60.0 * np.arange(50_000)
    view.set_series([compare.Series(700123, start.petition, times, np.arange(50_000, dtype=np.int64))])
    qtbot.wait(50)
    view.align_box.setCurrentIndex(view.align_box.findData("opened"))
    qtbot.wait(50)
    (left, right), _ = view.plot_widget.getPlotItem().getViewBox().viewRange()
    assert -5 < left < 1 and 34 < right < 40  # 50,000 minutes: about 35 days
    _, solid = view._curves[700123]
    drawn_x, _ = solid.getData()
    assert drawn_x is not None and len(drawn_x) > 100


def test_the_grid_stays_when_the_axes_change(view):
    view.set_series([new_petition()])
    view.align_box.setCurrentIndex(view.align_box.findData("opened"))
    view.units_box.setCurrentIndex(view.units_box.findData("share"))
    item = view.plot_widget.getPlotItem()
    assert all(item.getAxis(name).grid for name in ("left", "bottom"))


def test_a_still_view_settles_full_width_and_stops_repainting(view, qtbot):
    """Curves are thin while the view moves; left alone, it must settle, not re-fit for ever."""
    from petitiondesk.gui.compare_view import CURVE_WIDTH
    from petitiondesk.gui.lod_curve import SETTLE_MS

    view.set_series([old_petition(), new_petition()])
    view.log_box.setChecked(True)
    qtbot.wait(SETTLE_MS * 2)
    changes = []
    view.plot_widget.getPlotItem().getViewBox().sigRangeChanged.connect(lambda *_: changes.append(1))
    qtbot.wait(SETTLE_MS * 3)
    assert changes == []
    _, solid = view._curves[700123]
    assert solid.opts["pen"].widthF() == CURVE_WIDTH
    box = view.plot_widget.getPlotItem().getViewBox()
    box.scaleBy(x=0.5)  # one move (a fit, a wheel turn) keeps the pen
    assert solid.opts["pen"].widthF() == CURVE_WIDTH
    box.scaleBy(x=0.5)  # the user keeps zooming: thin until still again
    assert solid.opts["pen"].widthF() == 1
    qtbot.waitUntil(lambda: solid.opts["pen"].widthF() == CURVE_WIDTH, timeout=SETTLE_MS * 10)


def long_series(pid: int, samples: int, spike_at: int | None = None) -> compare.Series:
    start = new_petition()
    petition = Petition(id=pid, action=f"Petition {pid}", state="open", signature_count=samples,
                        opened_at=start.petition.opened_at)
    counts = np.arange(samples, dtype=np.int64)
    if spike_at is not None:
        counts[spike_at] = 5 * samples  # one sample far above the rest
    return compare.Series(pid, petition, start.times[0] + 60.0 * np.arange(samples), counts)


def drawn(view, pid: int) -> tuple[np.ndarray, np.ndarray]:
    _, solid = view._curves[pid]
    return solid.getData()


def test_long_curves_are_drawn_at_the_views_resolution_edge_to_edge_after_a_pan(view, qtbot):
    view.set_series([long_series(1, 200_000), long_series(2, 150_000)])
    box = view.plot_widget.getPlotItem().getViewBox()
    pixels = box.width()
    (left, right), _ = box.viewRange()
    box.setXRange(left + (right - left) * 0.3, left + (right - left) * 0.5, padding=0)
    (left, right), _ = box.viewRange()
    for pid in (1, 2):
        x, _ = drawn(view, pid)
        assert x[0] <= left and x[-1] >= right  # each line runs to both edges of the view
        assert len(x) <= 4 * pixels + 4  # about two points a pixel, not the 40,000 samples in view


def test_a_spike_of_one_sample_stays_visible_zoomed_out_by_date_and_by_opening_in_log_and_share(view):
    view.set_series([long_series(1, 200_000, spike_at=76_543)])
    for switch in (lambda: None, lambda: view.align_box.setCurrentIndex(view.align_box.findData("opened")),
                   lambda: view.log_box.setChecked(True),
                   lambda: view.units_box.setCurrentIndex(view.units_box.findData("share"))):
        switch()
        placed_x, placed_y = view.curve_data(1)
        x, y = drawn(view, 1)
        assert len(x) < 5_000
        assert list(x[x == placed_x[76_543]]) == [placed_x[76_543]]  # drawn at its own moment
        spike = placed_y[76_543]
        assert np.nanmax(y) == pytest.approx(np.log10(spike) if view.log_scale else spike)


def test_a_curve_hidden_in_the_legend_comes_back_drawn_for_where_the_view_is_now(view):
    view.set_series([long_series(1, 200_000), long_series(2, 200_000)])
    sample, _label = view.legend.items[0]
    sample.item.setVisible(False)  # what a click on the legend entry does
    box = view.plot_widget.getPlotItem().getViewBox()
    (left, right), _ = box.viewRange()
    box.setXRange(left + (right - left) * 0.6, left + (right - left) * 0.7, padding=0)  # moved while hidden
    (left, right), _ = box.viewRange()
    sample.item.setVisible(True)
    x, _ = drawn(view, 1)
    assert x[0] <= left and x[-1] >= right and x[0] > left - (right - left)


def test_the_dashed_part_shows_with_its_curve_and_only_where_the_site_states_counts(view):
    view.set_series([old_petition(), long_series(2, 1_000)])
    old_dashed, old_solid = view._curves[241584]
    new_dashed, _ = view._curves[2]
    assert old_dashed.isVisible()  # from its milestones to its first recorded sample
    assert not new_dashed.isVisible()  # recorded from the start: nothing dashed to draw
    old_solid.setVisible(False)  # a click on its legend entry
    assert not old_dashed.isVisible()
    old_solid.setVisible(True)
    assert old_dashed.isVisible()


def rival(pid: int, title: str, opened_days_ago: float, days: float, final: int, archived: bool = False,
          gap: tuple[float, float] | None = None) -> compare.Series:
    """A petition recorded every 10 minutes from its opening; `gap`: days (from opening) not recorded."""
    from datetime import timedelta

    from tests.test_compare import OPENED_NOW

    opened = OPENED_NOW - timedelta(days=opened_days_ago)
    petition = Petition(id=pid, action=title, state="closed" if archived else "open", signature_count=final,
                        opened_at=opened, archived=archived,
                        closed_at=opened + timedelta(days=180) if archived else None)
    times = opened.timestamp() + np.arange(0, days * 86400, 600.0)
    counts = np.linspace(0, final, len(times)).astype(np.int64)
    if gap is not None:
        keep = (times < opened.timestamp() + gap[0] * 86400) | (times > opened.timestamp() + gap[1] * 86400)
        times, counts = times[keep], counts[keep]
    return compare.Series(pid, petition, times, counts)


def colour_of(view, pid: int) -> str:
    _, solid = view._curves[pid]
    return solid.opts["pen"].color().name()


def test_removing_a_petition_changes_no_other_colour_in_the_chart_the_table_or_the_export(view):
    from petitiondesk.gui.compare_export import ComparisonFigure

    first, second, third, fourth = (rival(pid, f"Petition {pid}", 5, 4, 1000) for pid in (1, 2, 3, 4))
    view.set_series([first, second, third])
    view.set_series([first, third])  # the second removed
    assert colour_of(view, 3) == COLOURS[2].lower()
    assert view.table.item(1, 0).foreground().color().name() == COLOURS[2].lower()
    view.set_series([first, third, fourth])  # a newcomer takes the free colour
    assert colour_of(view, 4) == COLOURS[1].lower()
    figure = ComparisonFigure(view.series, "calendar", "signatures", False, 800, 450, slots=view.colour_slots())
    try:
        legend = {label.text: sample.item.opts["pen"].color().name() for sample, label in figure.plot.legend.items}
    finally:
        figure.close()
    assert legend == {"Petition 1": COLOURS[0].lower(), "Petition 3": COLOURS[2].lower(),
                      "Petition 4": COLOURS[1].lower()}


def test_same_titles_are_told_apart_in_the_legend_the_table_and_the_readout(view):
    old = rival(241584, "Call a General Election", 2500, 10, 150_000, archived=True)
    new = rival(701489, "Call a General Election", 5, 4, 20_000)
    view.set_series([old, new])
    names = [label.text for _, label in view.legend.items]
    assert names == ["Call a General Election (241584, 2019)", "Call a General Election (701489, 2026)"]
    assert [view.table.item(row, 0).text() for row in range(2)] == names
    view.align_box.setCurrentIndex(view.align_box.findData("opened"))
    reading = view.reading_text(2.0)
    assert "(241584, 2019): " in reading and "(701489, 2026): " in reading


def test_an_archived_petition_is_marked_in_the_table_and_the_legend_tooltip(view):
    old = rival(241584, "Leave the EU", 2800, 10, 150_000, archived=True)  # opened March 2019
    view.set_series([old, rival(700123, "Plant more trees", 5, 4, 20_000)])
    assert view.table.item(0, 1).text() == "Closed 2019 · earlier parliament"
    assert view.table.item(1, 1).text() == "Open"
    _, label = view.legend.items[0]
    assert "Petition 241584" in label.toolTip() and "earlier parliament" in label.toolTip()


def milestone_label_box(view, line) -> tuple[tuple[float, float], tuple[float, float]]:
    box = view.plot_widget.getPlotItem().getViewBox()
    rect = box.mapSceneToView(line.label.sceneBoundingRect()).boundingRect()
    return (rect.left(), rect.right()), (rect.top(), rect.bottom())


@pytest.mark.parametrize("alignment", ["calendar", "opened"])
def test_no_curve_runs_over_a_milestones_label(view, alignment):
    """An open petition's latest counts, at the right edge just over 100,000, hid the label there."""
    view.set_series([rival(1, "Older", 30, 30, 400_000), rival(2, "Open now", 10, 10, 104_000)])
    view.align_box.setCurrentIndex(view.align_box.findData(alignment))
    curves = [view.curve_data(pid) for pid in (1, 2)]
    for line in view._milestone_lines:
        x_span, y_span = milestone_label_box(view, line)
        assert compare.curves_through(curves, x_span, y_span) == 0, line.label.toPlainText()


def test_milestone_labels_have_the_plots_background_behind_them_in_a_dark_palette(view):
    from PySide6.QtGui import QColor, QPalette

    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#17181a"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    view.setPalette(palette)
    for line in view._milestone_lines:
        assert line.label.color.name() == "#e8eaed"
        assert line.label.fill.color().name() == "#17181a"
        assert line.zValue() > 0  # above the curves


def test_a_gap_in_recording_is_dashed_not_joined_in_the_window_and_the_export(view):
    from petitiondesk.gui.compare_export import ComparisonFigure

    view.set_series([rival(1, "Closed the app for a day", 5, 4, 40_000, gap=(1.0, 2.0))])
    dashed, solid = view._curves[1]
    _, y = solid.getData()
    assert np.isnan(y).sum() == 1  # the solid line stops at the gap
    x, y = dashed.getData()
    day = 86400.0
    spans = x[1:][np.isfinite(y[1:]) & np.isfinite(y[:-1])] - x[:-1][np.isfinite(y[1:]) & np.isfinite(y[:-1])]
    assert dashed.isVisible() and spans.max() > 0.9 * day  # and the dashed one bridges it
    figure = ComparisonFigure(view.series, "calendar", "signatures", False, 800, 450)
    try:
        solids = [item for item in figure.plot.listDataItems() if item.opts.get("name")]
        assert np.isnan(solids[0].getData()[1]).sum() == 1
    finally:
        figure.close()


def test_a_two_week_span_has_date_labels_on_its_axis(view):
    from PySide6.QtGui import QPainter

    view.set_series([rival(1, "Two weeks", 14, 14, 40_000)])
    axis = view.plot_widget.getPlotItem().getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    assert len(texts) >= 2, "the days are named under the chart"
