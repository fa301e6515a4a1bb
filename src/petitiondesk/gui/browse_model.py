"""The browse list as a Qt table model: immutable `BrowseRow`s in the site's order, sorted and filtered here.

Pages arrive while the user reads, so rows are only ever inserted (`beginInsertRows`) as they come,
each at the place the current sort gives it; only a new query resets the model. Sorting and
filtering use core.browse's `sort_rows` / `filter_rows` over plain lists and announce the new order
with one `layoutChanged`, moving persistent indexes (the selection) with their petitions: a
QSortFilterProxyModel would call Python `data()` for every comparison and take seconds at 30,000
rows (13-17 s measured for 100,000; bench/bench_browse_model.py prints today's figures).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from functools import cmp_to_key
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from petitiondesk.core.browse import SORT_KEYS, BrowseRow, filter_rows, sort_rows
from petitiondesk.core.models import Petition, TrendingPetition
from petitiondesk.gui.format import MISSING, format_count, format_date, plain_tooltip, state_words


class BrowseColumn:
    PINNED, TITLE, STATE, SIGNATURES, OPENED, STATUS = range(6)
    COUNT = 6
    HEADERS = ("", "Petition", "State", "Signatures", "Opened", "Response and debate")


RecordRole = Qt.ItemDataRole.UserRole + 1  # the BrowseRow itself
SortRole = Qt.ItemDataRole.UserRole + 2  # a native value that sorts correctly
PetitionIdRole = Qt.ItemDataRole.UserRole + 3

#: The roles this model answers; the delegate asks for a dozen others on every paint.
_ROLES = frozenset(int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.TextAlignmentRole, RecordRole, SortRole, PetitionIdRole))
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_ROOT = QModelIndex()  # the parent of every row (one shared default, not one per call)

PINNED_MARK = "✓"
PINNED_TIP = "On your watchlist"
#: The columns that sort by a key of core.browse; the pinned column returns to the site's order.
SORT_KEY_OF = {
    BrowseColumn.TITLE: "action",
    BrowseColumn.STATE: "state",
    BrowseColumn.SIGNATURES: "signature_count",
    BrowseColumn.OPENED: "opened_at",
    BrowseColumn.STATUS: "status",
}
def state_text(row: BrowseRow) -> str:
    return state_words(row.state, row.archived)


def trending_rows(items: Iterable[TrendingPetition]) -> list[BrowseRow]:
    """Rows for "Rising now": the count is signatures in the LAST HOUR, so the view relabels it."""
    return [BrowseRow.from_petition(Petition(id=item.id, action=item.action, state="open",
                                             signature_count=item.signatures_last_hour))
            for item in items]


class BrowseModel(QAbstractTableModel):
    """Rows of one listing; `append_rows` as pages arrive, `load` for a new query."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[BrowseRow] = []  # every loaded row, in the site's order
        self._site_index: dict[int, int] = {}  # petition id -> place in the site's order
        self._shown: list[BrowseRow] = []  # filtered and sorted
        self._pinned: frozenset[int] = frozenset()
        self._filter = ""
        self._sort_key: str | None = None  # None: the site's order
        self._descending = False
        self._count_header = BrowseColumn.HEADERS[BrowseColumn.SIGNATURES]

    # --- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else BrowseColumn.COUNT

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():  # first: it is most calls, and cheap
            return None
        number = index.row()
        if number >= len(self._shown):
            return None
        row = self._shown[number]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == BrowseColumn.PINNED and role == Qt.ItemDataRole.AccessibleTextRole:
                return "Pinned" if row.id in self._pinned else "Not pinned"
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == BrowseColumn.SIGNATURES:
                return _RIGHT
            return _CENTRE if column == BrowseColumn.PINNED else None
        if role == RecordRole:
            return row
        if role == PetitionIdRole:
            return row.id
        if role == SortRole:
            key = SORT_KEY_OF.get(column)
            return SORT_KEYS[key](row) if key else row.id in self._pinned
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < BrowseColumn.COUNT:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._count_header if section == BrowseColumn.SIGNATURES else BrowseColumn.HEADERS[section]
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole) \
                    and section == BrowseColumn.PINNED:
                return "Pinned to your watchlist (sort by this column for the site's own order)"
        return super().headerData(section, orientation, role)

    def refresh_texts(self) -> None:
        """Repaint every cell (the time zone changed: the opening dates follow it); no reset."""
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, BrowseColumn.COUNT - 1))

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort what was loaded; the pinned column (or -1) restores the site's order."""
        self._sort_key = SORT_KEY_OF.get(column)
        self._descending = order == Qt.SortOrder.DescendingOrder and self._sort_key is not None
        self._relayout()

    # --- what the view calls ----------------------------------------------------------------

    def load(self, rows: Iterable[BrowseRow] = (), count_header: str | None = None) -> None:
        """A new query: replace every row (the only reset this model does)."""
        self.beginResetModel()
        self._all, self._site_index = [], {}
        self._count_header = count_header or BrowseColumn.HEADERS[BrowseColumn.SIGNATURES]
        self._shown = []
        self._take(rows)
        self._shown = self._visible(self._all)
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, BrowseColumn.SIGNATURES, BrowseColumn.SIGNATURES)

    def append_rows(self, rows: Iterable[BrowseRow]) -> int:
        """Add a page's rows (new ids only), each inserted where the current sort puts it; returns
        how many were new."""
        fresh = self._take(rows)
        visible = self._visible(fresh)
        if not visible:
            return len(fresh)
        if self._sort_key is None:  # the site's order: a new page goes at the end
            self._insert_block(len(self._shown), visible)
            return len(fresh)
        order = cmp_to_key(self._compare)
        blocks: list[tuple[int, list[BrowseRow]]] = []
        for row in visible:  # already in the current order, so positions never decrease
            position = bisect.bisect_right(self._shown, order(row), key=order)
            if blocks and blocks[-1][0] == position:
                blocks[-1][1].append(row)
            else:
                blocks.append((position, [row]))
        for position, block in reversed(blocks):  # from the bottom, so earlier positions stay valid
            self._insert_block(position, block)
        return len(fresh)

    def set_filter(self, text: str) -> None:
        """Show only loaded rows whose id, title, state or status contain every word of `text`."""
        text = " ".join(text.split())
        if text == self._filter:
            return
        self._filter = text
        self._relayout()

    @property
    def filter_text(self) -> str:
        return self._filter

    def set_pinned(self, petition_ids: Iterable[int]) -> None:
        """Mark pinned rows; only rows whose mark changed are announced."""
        pinned = frozenset(petition_ids)
        changed = pinned ^ self._pinned
        self._pinned = pinned
        if not changed:
            return
        for number, row in enumerate(self._shown):
            if row.id in changed:
                self.dataChanged.emit(self.index(number, BrowseColumn.PINNED), self.index(number, BrowseColumn.PINNED))

    def is_pinned(self, petition_id: int) -> bool:
        return petition_id in self._pinned

    def record(self, row: int) -> BrowseRow | None:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def row_of(self, petition_id: int) -> int:
        """The shown row of a petition, or -1 (not loaded or filtered out)."""
        for number, row in enumerate(self._shown):
            if row.id == petition_id:
                return number
        return -1

    def loaded_count(self) -> int:
        """Rows loaded, filtered out or not."""
        return len(self._all)

    def loaded_ids(self) -> list[int]:
        return [row.id for row in self._all]

    # --- inside -------------------------------------------------------------------------------

    def _take(self, rows: Iterable[BrowseRow]) -> list[BrowseRow]:
        fresh = []
        for row in rows:
            if row.id not in self._site_index:
                self._site_index[row.id] = len(self._all)
                self._all.append(row)
                fresh.append(row)
        return fresh

    def _visible(self, rows: list[BrowseRow]) -> list[BrowseRow]:
        """`rows` (in site order) filtered and sorted the current way."""
        chosen = filter_rows(rows, self._filter) if self._filter else list(rows)
        if self._sort_key is not None:
            chosen = sort_rows(chosen, self._sort_key, self._descending)
        return chosen

    def _compare(self, a: BrowseRow, b: BrowseRow) -> int:
        """The order of `sort_rows`: unknown values last either way, ties in the site's order."""
        assert self._sort_key is not None  # only sorting compares
        value_of: Callable[[BrowseRow], Any] = SORT_KEYS[self._sort_key]
        va, vb = value_of(a), value_of(b)
        if (va is None) != (vb is None):
            return 1 if va is None else -1
        if va is not None and va != vb:
            smaller = va < vb
            return (1 if smaller else -1) if self._descending else (-1 if smaller else 1)
        return self._site_index[a.id] - self._site_index[b.id]

    def _insert_block(self, position: int, rows: list[BrowseRow]) -> None:
        self.beginInsertRows(QModelIndex(), position, position + len(rows) - 1)
        self._shown[position:position] = rows
        self.endInsertRows()

    def _relayout(self) -> None:
        """A new order or filter in one layout change; persistent indexes follow their petitions."""
        self.layoutAboutToBeChanged.emit()
        old = self._shown
        self._shown = self._visible(self._all)
        persistent = self.persistentIndexList()
        if persistent:
            new_row = {row.id: number for number, row in enumerate(self._shown)}
            moved = []
            for index in persistent:
                target = new_row.get(old[index.row()].id) if index.row() < len(old) else None
                moved.append(QModelIndex() if target is None else self.index(target, index.column()))
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _display(self, row: BrowseRow, column: int) -> str:
        if column == BrowseColumn.PINNED:
            return PINNED_MARK if row.id in self._pinned else ""
        if column == BrowseColumn.TITLE:
            return row.action
        if column == BrowseColumn.STATE:
            return state_text(row)
        if column == BrowseColumn.SIGNATURES:
            return format_count(row.signature_count)
        if column == BrowseColumn.OPENED:
            return format_date(row.opened_at) if row.opened_at else MISSING
        if column == BrowseColumn.STATUS:
            return row.status
        return ""

    def _tooltip(self, row: BrowseRow, column: int) -> str | None:
        if column == BrowseColumn.PINNED:
            return PINNED_TIP if row.id in self._pinned else None
        if column == BrowseColumn.TITLE:
            return plain_tooltip(f"{row.action}\nPetition {row.id}")
        if column == BrowseColumn.STATUS:
            return plain_tooltip(row.status) if row.status else None
        if column == BrowseColumn.SIGNATURES and self._count_header != BrowseColumn.HEADERS[BrowseColumn.SIGNATURES]:
            return self._count_header
        return None
