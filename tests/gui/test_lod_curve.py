"""The long-curve item both charts draw with (gui/lod_curve.py), on its own plot."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from petitiondesk.gui.lod_curve import SETTLE_MS, LodCurve


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_times_out_of_order_or_not_numbers_are_drawn_in_time_order_not_fatal(plot):
    curve = LodCurve()
    plot.addItem(curve)
    x = np.arange(100_000, dtype=float)
    y = x * 3
    x[500] = np.nan  # a time that is not a number
    x[[10, 20]] = x[[20, 10]]  # two out of order
    curve.setData(x, y)
    plot.getPlotItem().getViewBox().setXRange(0, 99_999, padding=0)
    drawn_x, drawn_y = curve.getData()
    assert np.all(np.diff(drawn_x) >= 0) and np.isfinite(drawn_x).all()
    assert len(drawn_x) < 3_000 and drawn_y.max() == 3 * 99_999


def test_the_view_fitted_to_a_curve_shows_all_of_it_not_only_what_was_drawn(plot):
    curve = LodCurve()
    plot.addItem(curve)
    x = np.arange(200_000, dtype=float)
    curve.setData(x, np.sin(x / 5_000) * 1_000)
    box = plot.getPlotItem().getViewBox()
    box.setXRange(1_000, 2_000, padding=0)  # only a sliver is drawn
    box.autoRange(padding=0)
    (left, right), (bottom, top) = box.viewRange()
    assert left == pytest.approx(0, abs=2_000) and right == pytest.approx(199_999, abs=2_000)  # a pen's width
    assert bottom == pytest.approx(-1_000, abs=20) and top == pytest.approx(1_000, abs=20)


def test_a_drag_draws_it_thin_and_its_own_pen_comes_back_when_the_view_is_still(plot, qtbot):
    curve = LodCurve(pen=pg.mkPen("b", width=3))
    plot.addItem(curve)
    curve.setData(np.arange(50_000, dtype=float), np.arange(50_000, dtype=float))
    box = plot.getPlotItem().getViewBox()
    qtbot.wait(SETTLE_MS * 2)
    box.setXRange(0, 40_000, padding=0)  # one move (Fit, a new sample followed): no flicker
    assert curve.opts["pen"].widthF() == 3
    box.setXRange(1_000, 41_000, padding=0)  # the next step of a drag
    assert curve.opts["pen"].widthF() == 1
    qtbot.waitUntil(lambda: curve.opts["pen"].widthF() == 3, timeout=SETTLE_MS * 10)
