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
    assert view.table.item(0, 6).text() == "2.0"  # days to 10,000
    assert view.table.item(1, 7).text() == "—"  # never reached 100,000


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
