"""Axis items shared by the on-screen chart and the exported image."""

from __future__ import annotations

import pyqtgraph as pg


class CountAxis(pg.AxisItem):
    """Signature counts with thousands separators ("100,000"), in linear or log mode."""

    def __init__(self, orientation: str = "left", **kwargs):
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return [f"{10 ** v:,.0f}" if 10 ** v >= 1 else f"{10 ** v:.2g}" for v in values]
        return [f"{v * scale:,.0f}" for v in values]
