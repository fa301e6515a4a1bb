"""A curve of many samples that pans and zooms at the cost of the pixels it covers, not its samples.

pyqtgraph's auto-downsampling reduces every curve's samples in view at each frame of a pan (peak
mode: each pixel's lowest and highest), a pass over up to a million samples per curve and frame.
`LodCurve` does that once, in a `core.decimate.MinMaxPyramid`, and on each move of the view slices
it: about two points a pixel, spikes and the exact ends kept (issue 14: 10 x 100,000 samples;
issue 15: 1,000,000; bench/bench_compare.py, bench/bench_chart.py). The signature graph and the
comparison both draw their recorded curves with it.

While the view keeps moving (a drag, a run of wheel turns), the curve is drawn 1 px wide and gets
its pen back once the view has been still for SETTLE_MS: Qt strokes wider lines one segment at a
time, 2.7 ms a frame for 4,000 points against 0.1 ms at 1 px (bench/bench_chart.py). A single
move (Fit, a new sample followed) keeps the pen: the line does not flicker as samples arrive.

It is a `pg.PlotDataItem` in every other way: pens, the legend, log mode (`setLogMode` through the
plot), `connect="finite"`; `getData()` is what is drawn, as with pyqtgraph's own downsampling. The
full samples stay with whoever set them (read-outs and CSV use those).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotDataItem import PlotDataset
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPen

from petitiondesk.core.decimate import MinMaxPyramid

#: Before the curve is in a laid-out plot it is drawn as if this many pixels wide.
UNPLACED_PIXELS = 2_000
#: Lines further than this many view heights above or below the view are cut there: Qt's raster
#: painter mis-draws far-off coordinates (pyqtgraph's dynamicRangeLimit, done here on the few points drawn).
FAR_OFF_VIEWS = 1e6
#: How long the view must be still before the curve is drawn with its own pen again.
SETTLE_MS = 200


class LodCurve(pg.PlotDataItem):
    """A PlotDataItem whose x is ascending and finite (y NaN where the line breaks), drawn at the
    view's resolution from a min/max pyramid built when its data is set."""

    _datasetDisplay: PlotDataset | None  # pyqtgraph's cache of what is drawn, set and cleared here too

    def __init__(self, *args, **kwargs):
        self._pyramid = MinMaxPyramid(np.empty(0), np.empty(0))
        self._pyramid_of: object = None
        self._pen: QPen | None = None  # as set; drawn 1 px wide while the view moves
        self._drawn_thin = False
        self._settle: QTimer | None = None
        super().__init__(*args, **kwargs)
        if self._pen is None:  # given to the constructor, which sets it without setPen
            self._pen = pg.mkPen(self.opts["pen"])
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)  # goes with the item
        self._settle.timeout.connect(self._settled)
        # Its own level of detail instead of pyqtgraph's, however the plot is set up.
        self.opts.update(autoDownsample=False, clipToView=False, downsample=1, dynamicRangeLimit=None)
        self.visibleChanged.connect(self._draw_if_stale)

    def setPen(self, *args, **kwargs) -> None:
        self._pen = pg.mkPen(*args, **kwargs)
        super().setPen(_thin(self._pen) if self._drawn_thin else self._pen)

    def _moved(self) -> None:
        """Thin from the second move within SETTLE_MS (the view is being dragged or zoomed)."""
        if self._settle is None:
            return
        if self._settle.isActive() and not self._drawn_thin and self._pen is not None and self._pen.widthF() > 1:
            self._drawn_thin = True
            super().setPen(_thin(self._pen))
        self._settle.start()

    def _settled(self) -> None:
        if self._drawn_thin:
            self._drawn_thin = False
            super().setPen(self._pen)

    def pixelPadding(self) -> float:
        """As wide as its own pen while drawn thin too: a view kept fitted to it (autorange) would
        otherwise move as it thins and thickens, and never settle."""
        padding = super().pixelPadding()
        if self._drawn_thin and self._pen is not None and self._pen.isCosmetic():
            padding += (self._pen.widthF() - 1) * 0.7072  # PlotCurveItem's own measure of a pen
        return padding

    def setDownsampling(self, *args, **kwargs) -> None:
        """Ignored: the pyramid chooses the detail (PlotItem.addItem passes the plot's setting on)."""

    def setClipToView(self, state) -> None:
        """Ignored, as setDownsampling: only the range in view is drawn already."""

    # -- what is drawn ---------------------------------------------------------------------------
    def pyramid(self) -> MinMaxPyramid:
        """The pyramid of the data set now (built on first use after setData)."""
        dataset = self._dataset
        if dataset is None:
            return MinMaxPyramid(np.empty(0), np.empty(0))
        if self._pyramid_of is not dataset:
            # New samples after the old ones (a refresh) extend the pyramid; others rebuild it.
            try:
                self._pyramid = self._pyramid.extended(dataset.x, dataset.y)
            except ValueError:  # times out of order or not numbers: drawn in time order, without those
                x, y = np.asarray(dataset.x, dtype=float), np.asarray(dataset.y, dtype=float)
                keep = np.isfinite(x)
                order = np.argsort(x[keep], kind="stable")
                self._pyramid = MinMaxPyramid(x[keep][order], y[keep][order])
            self._pyramid_of = dataset
        return self._pyramid

    def _getDisplayDataset(self) -> PlotDataset | None:
        # Overrides pyqtgraph 0.14's (pinned in pyproject.toml) step that maps, clips and reduces
        # the data for display: the display data is the pyramid's slice for the range in view.
        if self._dataset is None:
            return None
        if self._datasetDisplay is not None:
            return self._datasetDisplay
        if self.opts["logMode"][0] or self.opts["fftMode"]:
            return super()._getDisplayDataset()  # not used by the charts: pyqtgraph's way
        (low, high), y_range = self._view_ranges()
        x, y = self.pyramid().view(low, high, self._pixels())
        if self.opts["logMode"][1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(y)
            y[~np.isfinite(y)] = np.nan  # zero and below: not drawn, as pyqtgraph's log mode
        if y_range is not None:
            height = y_range[1] - y_range[0]
            y = np.clip(y, y_range[0] - FAR_OFF_VIEWS * height, y_range[1] + FAR_OFF_VIEWS * height)
        self._datasetDisplay = PlotDataset(x, y, True, None)
        return self._datasetDisplay

    def _view_ranges(self) -> tuple[tuple[float, float], tuple[float, float] | None]:
        view = self.getViewBox()
        if view is None:
            return (-np.inf, np.inf), None
        x_range, y_range = view.viewRange()
        return (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))

    def _pixels(self) -> float:
        view = self.getViewBox()
        width = view.width() if view is not None else 0.0
        if width <= 1:
            return UNPLACED_PIXELS
        widget = self.getViewWidget()
        return width * (widget.devicePixelRatioF() if widget is not None else 1.0)

    def viewRangeChanged(self, vb=None, ranges=None, changed=None) -> None:
        """A new range in view: slice the pyramid for it (a hidden curve waits until shown)."""
        x_moved = changed is None or changed[0]
        if not (x_moved or self._far_off_matters()):
            return
        self._moved()
        self._datasetDisplay = None
        if self.isVisible():
            self.updateItems(styleUpdate=False)

    def _far_off_matters(self) -> bool:
        """Whether the data reaches far enough beyond the count range in view to be cut."""
        extent = self.pyramid().extent(0, len(self.pyramid()))
        view = self.getViewBox()
        if extent is None or view is None:
            return False
        bottom, top = view.viewRange()[1]
        return (extent[1] - extent[0]) > FAR_OFF_VIEWS * max(top - bottom, 1e-300)

    def _draw_if_stale(self) -> None:
        if self.isVisible() and self._datasetDisplay is None and self._dataset is not None:
            self.updateItems(styleUpdate=False)

    # -- bounds ----------------------------------------------------------------------------------
    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        """The range of all the data, not only of what is drawn (a view fitted to it shows all)."""
        pyramid = self.pyramid()
        if not self.isVisible() or not len(pyramid) or self.opts["logMode"][0]:
            return super().dataBounds(ax, frac, orthoRange)
        if ax == 0:
            return float(pyramid.x[0]), float(pyramid.x[-1])
        start, stop = (0, len(pyramid)) if orthoRange is None else pyramid.span(*orthoRange)
        extent = pyramid.extent(start, stop)
        if extent is None:
            return None, None
        low, high = extent
        if self.opts["logMode"][1]:
            if high <= 0:
                return None, None
            # The lowest positive count is not in the pyramid: the lowest drawn stands for it.
            low = np.log10(low) if low > 0 else super().dataBounds(ax, frac, orthoRange)[0]
            high = np.log10(high)
        return low, high


def _thin(pen: QPen) -> QPen:
    thin = QPen(pen)
    thin.setWidthF(1.0)
    return thin
