"""Previewing a Browse result on the right-hand side without pinning it.

A pinned result shows what PetitionDesk recorded; any other shows what the site states about it
(its count now, when it passed 10,000 and 100,000), fetched by the browse service only once the
selection rests, so arrowing through a list makes no burst of requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Slot

from petitiondesk.core.milestones import known_points

if TYPE_CHECKING:
    from petitiondesk.gui.main_window import MainWindow


class BrowsePreview(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.previewing: int | None = None  # the unpinned result on show, if any
        window.browse_service.preview_loaded.connect(self._on_loaded)

    @Slot(int)
    def tab_changed(self, index: int) -> None:
        """Each tab shows its own selection on the right: the watchlist's petition, or Browse's preview."""
        window = self.window
        if window.left_tabs.widget(index) is not window.browse:
            row = window.current_row()
            if row is None and self.previewing is not None:  # the presenter shows nothing already
                window.chart.set_petition(None, window.presenter.times, window.presenter.counts)
                window.detail.show_petition(None)
                window.related.show_petition(None)
            self.previewing = None
            window.presenter.show_petition(row.petition_id if row else None)
        else:
            self.show(window.browse.current_record())

    def _browsing(self) -> bool:
        return self.window.left_tabs.currentWidget() is self.window.browse

    @Slot(object)
    def show(self, row) -> None:
        """The Browse result the selection rests on, on the right, without pinning it."""
        window = self.window
        if row is None or not self._browsing():
            return
        if row.id in window.model.petition_ids():  # pinned: its recorded samples and details
            self.previewing = None
            window.presenter.show_petition(row.id)
            return
        self.previewing = row.id
        window.presenter.show_petition(None)
        window.detail.show_placeholder(f"Loading petition {row.id} from the site…\n\n{row.action}")
        window.browse_service.load_preview(row.id, row.archived)

    @Slot(int, object, str)
    def _on_loaded(self, petition_id: int, petition, why_not: str) -> None:
        window = self.window
        if petition_id != self.previewing or not self._browsing():
            return  # the user has moved on
        if petition is None:
            window.detail.show_placeholder(f"Petition {petition_id} could not be loaded: {why_not}")
            return
        # Nothing is recorded for a petition not pinned: what is known is what the site states,
        # drawn apart from recorded samples.
        window.chart.set_petition(petition, np.empty(0, np.float64), np.empty(0, np.int64))
        window.chart.set_context(known_points(petition))
        window.detail.show_petition(petition)
        window.related.show_petition(petition)
