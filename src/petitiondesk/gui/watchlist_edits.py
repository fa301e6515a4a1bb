"""The user's edits to the watchlist that the worker stores: removals (and their Undo), and the order.

A removal takes the rows out of the model at once and asks the worker to unpin; until the worker
confirms, a refresh result must not bring them back (`is_dropped`). Undo pins them again (their
recorded history was kept) and, once every one is back, restores the order they had. A new order
(a drag, Ctrl+Shift+Up/Down, an undo) is stored by the worker, whose answer is what the database
holds; only the answer to the last one sent is applied, so quick moves are not undone by earlier
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal, Slot

from petitiondesk.core.watch_rows import WatchRow
from petitiondesk.gui.watchlist_model import WatchlistModel
from petitiondesk.gui.worker import PinResult, RefreshService


class WatchlistEdits(QObject):
    undo_available = Signal(bool)

    def __init__(self, model: WatchlistModel, service: RefreshService, pin: Callable[[int, bool], None],
                 say: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.service = service
        self.pin = pin  # pins a petition (id, archived) through the worker
        self.say = say  # a line for the status bar
        self._dropped: set[int] = set()  # unpinned here, not yet confirmed by the worker
        self._last: tuple[tuple[int, ...], tuple[WatchRow, ...]] | None = None  # order before, rows removed
        self._restoring: set[int] = set()  # petitions Undo is pinning again
        self._order_to_restore: tuple[int, ...] = ()
        self._orders_pending = 0  # orders sent to the worker and not yet answered
        model.order_changed.connect(self.store_order)
        service.reorder_finished.connect(self._on_reorder_finished)
        service.unpin_finished.connect(self._on_unpin_finished)

    # --- removing, and undoing it ---------------------------------------------------------------

    def remove(self, ids: Iterable[int]) -> int:
        rows = tuple(row for row in map(self.model.watch_row, ids) if row is not None)
        if not rows:
            return 0
        self._last = (tuple(self.model.watch_order()), rows)
        gone = [row.petition_id for row in rows]
        self._dropped.update(gone)
        self.model.remove(gone)
        for petition_id in gone:
            self.service.unpin(petition_id)
        self.undo_available.emit(True)
        return len(rows)

    def undo(self) -> int:
        """Pin the last removed petitions again; how many."""
        if self._last is None:
            return 0
        self._order_to_restore, rows = self._last
        self._last = None
        self.undo_available.emit(False)
        self._restoring = {row.petition_id for row in rows}
        self._dropped -= self._restoring
        self.model.upsert(rows)  # back at once; the worker confirms
        for row in rows:
            self.pin(row.petition_id, bool(row.petition and row.petition.archived))
        return len(rows)

    def is_dropped(self, petition_id: int) -> bool:
        return petition_id in self._dropped

    def keep(self, petition_id: int) -> None:
        """Pinned again by the user: no longer on its way out."""
        self._dropped.discard(petition_id)

    def restoring(self) -> set[int]:
        return set(self._restoring)

    def pinned_again(self, result: PinResult) -> bool:
        """A pin's result: True if Undo asked for it; once all are back, the old order is put back."""
        if result.petition_id not in self._restoring:
            return False
        self._restoring.discard(result.petition_id)
        if result.row is None:
            self.model.remove([result.petition_id])
        else:
            self.model.upsert([result.row])
        if not self._restoring:
            self.store_order(self._order_to_restore)
        return True

    @Slot(int, str)
    def _on_unpin_finished(self, petition_id: int, error: str) -> None:
        self._dropped.discard(petition_id)
        if error:
            self.say(f"Could not remove petition {petition_id}: {error}")

    # --- the order ------------------------------------------------------------------------------

    @Slot(object)
    def store_order(self, order) -> None:
        self._orders_pending += 1
        self.service.reorder(order)

    @Slot(object, str)
    def _on_reorder_finished(self, stored: tuple[int, ...], error: str) -> None:
        self._orders_pending = max(0, self._orders_pending - 1)
        if error:
            self.say(f"Could not save the new order: {error}")
        # What the database holds, whatever happened; an earlier answer while the user kept moving
        # rows would undo the moves made since.
        if stored and (error or not self._orders_pending):
            self.model.set_order(stored)
