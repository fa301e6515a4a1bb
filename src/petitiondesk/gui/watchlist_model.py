"""The watchlist as a Qt table model: one immutable `WatchRow` per watched petition.

Sorting and filtering happen here, on a list of petition ids, not in a QSortFilterProxyModel
(a proxy calls Python `data()` for every comparison and takes seconds at scale: 13-17 s measured
for 100,000 rows). Every change is announced with the narrowest signal that describes it: `dataChanged` for
rows whose values changed, inserts and removals for rows that appear or go, and a layout change
(with persistent indexes moved) when the order changes, so that views keep their selection and
scroll position. The model is only reset by `load()`, the initial fill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from petitiondesk.core.refresh import WAITING_PROBLEMS, WAITING_WORDS
from petitiondesk.core.watch_rows import WatchRow
from petitiondesk.gui.format import (
    DEADLINE_RULES,
    MISSING,
    format_count,
    format_date,
    format_delta,
    format_relative,
    format_uk_time,
    plain_tooltip,
    state_words,
    zone_name,
)


class Column:
    PROBLEM, TITLE, STATE, SIGNATURES, CHANGE, ESTIMATE, CLOSING, UPDATED = range(8)
    COUNT = 8
    HEADERS = ("", "Petition", "State", "Signatures", "24 h change", "Estimate", "Closes", "Last updated")


RecordRole = Qt.ItemDataRole.UserRole + 1  # the WatchRow itself
SortRole = Qt.ItemDataRole.UserRole + 2  # a native value that sorts correctly
PetitionIdRole = Qt.ItemDataRole.UserRole + 3

_RIGHT_ALIGNED = {Column.SIGNATURES, Column.CHANGE, Column.ESTIMATE}
#: Marks a figure that is not what its column's title says: a computed deadline, a change over less than 24 h.
MARK = "*"
#: A figure still being worked out (the estimates of the first rows at start-up).
PENDING = "…"
#: Dragged rows carry their petition ids under this type (and no text, so no drop target reads them).
IDS_MIME_TYPE = "application/x-petitiondesk-petition-ids"
_RIGHT_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_CELL_FLAGS_DRAGGABLE = _CELL_FLAGS | Qt.ItemFlag.ItemIsDragEnabled
_DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
_ROOT = QModelIndex()
#: Cells per `dataChanged` at most: Qt repaints a whole view for a range of 200 cells or more.
_CELLS_PER_ANNOUNCEMENT = 128
_SERVED_ROLES = frozenset(int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.AccessibleTextRole, RecordRole, SortRole, PetitionIdRole,
))


def _state_text(row: WatchRow) -> str:
    if row.petition:
        return state_words(row.state or row.petition.state, row.petition.archived)
    # Before it opens the site shows only a petition's count; the tooltip says which stage it is at.
    return "Not open" if row.problem in WAITING_PROBLEMS else MISSING


def _change_text(row: WatchRow) -> str:
    """"+2,400"; "+310*" when recording began less than 24 h ago (the tooltip says over how long)."""
    if row.change is None:
        return MISSING
    return format_delta(row.change) + ("" if row.change_complete else MARK)


def _change_tooltip(row: WatchRow) -> str:
    if row.change_complete:
        return "Change in signatures over the last 24 hours"
    span = ""
    if row.change_since is not None and row.checked_at is not None:
        recorded = max(0.0, (row.checked_at - row.change_since).total_seconds())
        span = "under a minute" if recorded < 60 else format_relative(recorded).removeprefix("in ")
        span = f" over {span}"
    return (f"{MARK} Change since recording began{span} ({format_uk_time(row.change_since)}, {zone_name()}): "
            "less than 24 hours")


def _estimate(row: WatchRow):
    """The final-count estimate of an open petition (a closed one's count is final); None if unknown."""
    seen = row.outlook
    return seen.estimate if seen is not None and seen.state == "open" else None


def _estimate_text(row: WatchRow) -> str:
    if row.estimate_pending:
        return PENDING
    estimate = _estimate(row)
    return format_count(estimate.final) if estimate is not None else MISSING


def _estimate_tooltip(row: WatchRow) -> str | None:
    if row.estimate_pending:
        return "Working out the estimate from the recorded counts…"
    estimate = _estimate(row)
    if estimate is None:
        if row.outlook is not None and row.outlook.state != "open":
            return "Not open: its count is final"
        return "No estimate yet: it needs a few hours of recorded counts and a deadline"
    deadline = " (computed)" if row.closing_computed else ""
    return (f"Expected final count by closing{deadline}: about {format_count(estimate.final)}; "
            f"80 % likely between {format_count(estimate.low)} and {format_count(estimate.high)} "
            f"(method: {estimate.method})")


def _closing_text(row: WatchRow) -> str:
    if not row.closing:
        return MISSING
    return format_date(row.closing) + (MARK if row.closing_computed else "")


def _closing_tooltip(row: WatchRow) -> str | None:
    if not row.closing_computed or row.outlook is None or row.outlook.deadline is None:
        return None
    rule = DEADLINE_RULES.get(row.outlook.deadline.source, "computed")
    return f"{MARK} The document states no closing date: {rule}"


def _display(row: WatchRow, column: int) -> str:
    if column == Column.TITLE:
        return row.title
    if column == Column.STATE:
        return _state_text(row)
    if column == Column.SIGNATURES:
        return format_count(row.signature_count)
    if column == Column.CHANGE:
        return _change_text(row)
    if column == Column.ESTIMATE:
        return _estimate_text(row)
    if column == Column.CLOSING:
        return _closing_text(row)
    if column == Column.UPDATED:
        return format_uk_time(row.checked_at)
    return ""


def _tooltip(row: WatchRow, column: int) -> str | None:
    if column == Column.PROBLEM and row.problem:  # the detail may quote the site
        return plain_tooltip(f"{row.problem_label}: {row.problem_detail}" if row.problem_detail else row.problem_label)
    if column == Column.TITLE:
        return plain_tooltip(row.title)
    if column == Column.STATE and row.petition is None and row.problem in WAITING_PROBLEMS:
        return WAITING_WORDS[row.problem].capitalize()
    if column == Column.CHANGE and row.change is not None:
        return _change_tooltip(row)
    if column == Column.ESTIMATE and row.petition is not None:
        return _estimate_tooltip(row)
    if column == Column.CLOSING:
        return _closing_tooltip(row)
    return None


def _sort_value(row: WatchRow, column: int) -> Any:
    """A native value; `None` (unknown) sorts after everything else in ascending order."""
    if column == Column.PROBLEM:
        return row.problem_label or None
    if column == Column.TITLE:
        return row.title.casefold()
    if column == Column.STATE:
        return _state_text(row).casefold() if row.petition or row.problem in WAITING_PROBLEMS else None
    if column == Column.SIGNATURES:
        return row.signature_count
    if column == Column.CHANGE:
        return row.change
    if column == Column.ESTIMATE:
        estimate = _estimate(row)
        return estimate.final if estimate is not None else None
    if column == Column.CLOSING:
        closing = row.closing
        if isinstance(closing, datetime):
            return closing.date()
        return closing
    if column == Column.UPDATED:
        return row.checked_at
    return None


def _sort_key(row: WatchRow, column: int) -> tuple:
    value = _sort_value(row, column)
    # Ties keep the watchlist order, so a sort is stable and predictable.
    return (value is None, value if value is not None else 0, row.position, row.petition_id)


def _first_changed_column(old: WatchRow | None, new: WatchRow) -> int:
    """The leftmost column whose cell (text, tooltip or icon) differs; the columns after the
    state are cheap to repaint and change on nearly every refresh, so they count as changed."""
    if old is None or (old.problem, old.problem_detail) != (new.problem, new.problem_detail):
        return Column.PROBLEM
    if old.title != new.title:
        return Column.TITLE
    if _state_key(old) != _state_key(new):
        return Column.STATE
    return Column.SIGNATURES


def _state_key(row: WatchRow) -> tuple:
    """What the state cell's text is made of (`_state_text`), without making it: compared for
    every row of every pass (formatting both took half of a 500-row update)."""
    if row.petition:
        return row.state or row.petition.state, row.petition.archived
    return (row.problem in WAITING_PROBLEMS,)


def _matches(row: WatchRow, needle: str) -> bool:
    if not needle:
        return True
    haystack = f"{row.title}\n{row.petition_id}\n{_state_text(row)}".casefold()
    return needle in haystack


class WatchlistModel(QAbstractTableModel):
    """Rows of watched petitions, sorted and filtered in place."""

    #: The watchlist's new order after a drag (petition ids), for the worker to store.
    order_changed = Signal(object)
    #: Petitions joined or left the watchlist (sent once `petition_ids()` says so).
    watched_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: dict[int, WatchRow] = {}
        self._view: list[int] = []  # petition ids in display order (filtered and sorted)
        self._row_of: dict[int, int] = {}
        self._text_cache: dict[int, tuple[str, ...]] = {}
        self._sort_column = -1  # -1: the watchlist's own order
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter = ""
        self._warning_icon: QIcon | None = None
        #: False until the first fill: an empty model is then "not read yet", not "nothing pinned".
        self.loaded = False

    # --- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else Column.COUNT

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A paint asks ~5 roles of every visible cell: answer the ones not served at once, and
        # the text (the most asked) from the cache with as few calls into Qt as possible.
        if role not in _SERVED_ROLES:
            return None
        row_number = index.row()
        if not 0 <= row_number < len(self._view):  # an invalid index has row -1
            return None
        petition_id = self._view[row_number]
        column = index.column()
        if role == _DISPLAY_ROLE:
            texts = self._text_cache.get(petition_id)
            if texts is not None:
                return texts[column]
        row = self._rows.get(petition_id)
        if row is None:  # asked while its row is on its way out
            return None
        if role == _DISPLAY_ROLE:
            return self._texts(petition_id)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._problem_icon() if column == Column.PROBLEM and row.problem else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT_ALIGNMENT if column in _RIGHT_ALIGNED else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == Column.PROBLEM:
                return row.problem_label or "No problem"
            return self._texts(petition_id)[column]
        if role == RecordRole:
            return row
        if role == SortRole:
            return _sort_value(row, column)
        return row.petition_id  # PetitionIdRole

    def _texts(self, petition_id: int) -> tuple[str, ...]:
        """The formatted cells of a row, made once per change of the row (formatting dates is slow)."""
        texts = self._text_cache.get(petition_id)
        if texts is None:
            row = self._rows[petition_id]
            texts = self._text_cache[petition_id] = tuple(_display(row, column) for column in range(Column.COUNT))
        return texts

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < Column.COUNT:
            if role == Qt.ItemDataRole.DisplayRole:
                if section == Column.UPDATED:  # which zone its times are in, short enough to fit
                    return f"Updated ({zone_name()})"
                return Column.HEADERS[section]
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole) \
                    and section == Column.PROBLEM:
                return "Problems: offline, removed, not visible…"
        return super().headerData(section, orientation, role)

    def refresh_texts(self) -> None:
        """Format every cell again (the time zone changed): the rows stay, the views repaint."""
        self._text_cache.clear()
        if self._view:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._view) - 1, Column.COUNT - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, Column.COUNT - 1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Rows are dragged, and dropped between rows, only while the list shows its own order.
        # Called for every visible cell on each paint: constants, no enum arithmetic.
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self._sort_column < 0 else Qt.ItemFlag.NoItemFlags
        return _CELL_FLAGS_DRAGGABLE if self._sort_column < 0 else _CELL_FLAGS

    # --- drag to reorder (the view's InternalMove calls these) ---------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [IDS_MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:
        """The dragged petitions' ids, in list order (no text: a drag inside the list is not a paste)."""
        rows = sorted({index.row() for index in indexes if index.isValid()})
        mime = QMimeData()
        mime.setData(IDS_MIME_TYPE, ",".join(str(self._view[row]) for row in rows).encode("ascii"))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: QModelIndex | QPersistentModelIndex) -> bool:
        return (action == Qt.DropAction.MoveAction and data.hasFormat(IDS_MIME_TYPE) and self.can_reorder()
                and not parent.isValid())

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        """Move the dragged petitions before the row they were dropped above (the end when -1)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            ids = [int(text) for text in bytes(data.data(IDS_MIME_TYPE).data()).decode("ascii").split(",") if text]
        except ValueError:
            return False
        before = self._view[row] if 0 <= row < len(self._view) else None
        return self.move_before(ids, before)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self._reorder(self._visible_order())

    # --- what the window calls --------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter

    def set_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._filter:
            return
        self._filter = needle
        self._sync()

    def load(self, rows: Iterable[WatchRow]) -> None:
        """Replace everything: the initial fill (the only reset this model does)."""
        self.beginResetModel()
        self._rows = {row.petition_id: row for row in rows}
        self._text_cache.clear()
        self._view = self._visible_order()
        self._index_rows()
        self.loaded = True
        self.endResetModel()
        self.watched_changed.emit()

    def upsert(self, rows: Iterable[WatchRow]) -> int:
        """Update rows in place and add new ones; returns how many rows changed or appeared."""
        changed: dict[int, int] = {}  # petition id -> the first column whose cell changed
        joined = False
        for row in rows:
            old = self._rows.get(row.petition_id)
            if old != row:
                joined = joined or old is None
                self._rows[row.petition_id] = row
                self._text_cache.pop(row.petition_id, None)
                changed[row.petition_id] = _first_changed_column(old, row)
        if not changed:
            return 0
        self._sync()
        self._announce_changed(changed)
        if joined:
            self.watched_changed.emit()
        return len(changed)

    def remove(self, petition_ids: Iterable[int]) -> None:
        """Forget petitions, then take their rows out: whoever hears `rowsRemoved` (the browse view's
        pinned marks) already finds them gone from `petition_ids()`."""
        gone = {pid for pid in petition_ids if pid in self._rows}
        if not gone:
            return
        for pid in gone:
            del self._rows[pid]
            self._text_cache.pop(pid, None)
        self._remove_missing([pid for pid in self._view if pid not in gone])
        self.watched_changed.emit()

    def can_reorder(self) -> bool:
        return self._sort_column < 0

    def watch_order(self) -> list[int]:
        """Every watched petition in the watchlist's own order, shown or filtered out."""
        return sorted(self._rows, key=lambda pid: (self._rows[pid].position, pid))

    def move_before(self, petition_ids: Iterable[int], before: int | None) -> bool:
        """Move petitions (keeping their relative order) before `before`, or to the end when None;
        announces the new order with `order_changed` for the worker to store. False if nothing moved."""
        order = self.watch_order()
        moving = set(petition_ids) & set(order)
        if not moving:
            return False
        rest = [pid for pid in order if pid not in moving]
        at = rest.index(before) if before in rest else len(rest)
        new = rest[:at] + [pid for pid in order if pid in moving] + rest[at:]
        if new == order:
            return False
        self.set_order(new)
        self.order_changed.emit(tuple(new))
        return True

    def move_by(self, petition_ids: Iterable[int], step: int) -> bool:
        """Move petitions one shown row up (step -1) or down (+1) past their neighbour, keeping
        petitions hidden by the filter where they are; False at the top or the bottom."""
        wanted = set(petition_ids)
        moving = [pid for pid in self._view if pid in wanted]
        if not moving or step not in (-1, 1):
            return False
        if step < 0:
            first = self._row_of[moving[0]]
            return first > 0 and self.move_before(moving, self._view[first - 1])
        last = self._row_of[moving[-1]]
        if last + 1 >= len(self._view):
            return False
        order = self.watch_order()
        after = order.index(self._view[last + 1]) + 1
        return self.move_before(moving, order[after] if after < len(order) else None)

    def set_order(self, petition_ids: Sequence[int]) -> None:
        """Positions from this order (ids not in it keep theirs, after it); the view keeps its selection."""
        place = {pid: number for number, pid in enumerate(petition_ids)}
        for pid, row in self._rows.items():
            position = place.get(pid, len(place) + row.position)
            if row.position != position:
                self._rows[pid] = replace(row, position=position)
        self._sync()

    def row_of(self, petition_id: int) -> int:
        """The display row of a petition, or -1 when it is filtered out or not watched."""
        return self._row_of.get(petition_id, -1)

    def record(self, row: int) -> WatchRow | None:
        return self._rows.get(self._view[row]) if 0 <= row < len(self._view) else None

    def watch_row(self, petition_id: int) -> WatchRow | None:
        return self._rows.get(petition_id)

    def rows(self) -> list[WatchRow]:
        """Every watched petition's row, shown or filtered out."""
        return list(self._rows.values())

    def problem_count(self) -> int:
        return sum(1 for row in self._rows.values() if row.problem)

    def petition_ids(self) -> list[int]:
        """Every watched petition, shown or filtered out."""
        return list(self._rows)

    # --- keeping views in step --------------------------------------------------------------

    def _visible_order(self) -> list[int]:
        visible = [row for row in self._rows.values() if _matches(row, self._filter)]
        column = self._sort_column
        if 0 <= column < Column.COUNT:
            descending = self._sort_order == Qt.SortOrder.DescendingOrder
            # Unknown values stay last whichever way the column is sorted.
            known = sorted((r for r in visible if _sort_value(r, column) is not None),
                           key=lambda r: _sort_key(r, column), reverse=descending)
            unknown = sorted((r for r in visible if _sort_value(r, column) is None),
                             key=lambda r: (r.position, r.petition_id))
            visible = known + unknown
        else:
            visible.sort(key=lambda r: (r.position, r.petition_id))
        return [row.petition_id for row in visible]

    def _index_rows(self) -> None:
        self._row_of = {pid: i for i, pid in enumerate(self._view)}

    def _sync(self) -> None:
        """Move the view to the current filter and order: removals, then a reorder, then inserts."""
        target = self._visible_order()
        wanted = set(target)
        self._remove_missing([pid for pid in self._view if pid in wanted])
        present = set(self._view)
        self._reorder([pid for pid in target if pid in present])
        self._insert_new(target)

    def _remove_missing(self, keep: list[int]) -> None:
        kept = set(keep)
        row = len(self._view) - 1
        while row >= 0:  # bottom up, so earlier row numbers stay valid
            if self._view[row] in kept:
                row -= 1
                continue
            last = row
            while row >= 0 and self._view[row] not in kept:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, last)
            del self._view[row + 1:last + 1]
            self._index_rows()
            self.endRemoveRows()

    def _reorder(self, order: list[int]) -> None:
        """Rearrange the shown rows (same set) and carry persistent indexes (the selection)."""
        if order == self._view:
            return
        self.layoutAboutToBeChanged.emit()
        old_view = self._view
        self._view = order
        self._index_rows()
        before = self.persistentIndexList()
        after = [self.index(self._row_of[old_view[i.row()]], i.column()) for i in before]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _insert_new(self, target: list[int]) -> None:
        """Insert the ids of `target` not yet shown; the shown ones already follow its order."""
        position = 0
        while position < len(target):
            if position < len(self._view) and self._view[position] == target[position]:
                position += 1
                continue
            end = position
            while end < len(target) and target[end] not in self._row_of:
                end += 1
            self.beginInsertRows(QModelIndex(), position, end - 1)
            self._view[position:position] = target[position:end]
            self._index_rows()
            self.endInsertRows()
            position = end

    def _announce_changed(self, first_columns: dict[int, int]) -> None:
        """`dataChanged` for runs of adjacent changed rows, each from the first column that changed
        in it: a refresh of counts leaves the problem, title and state cells out.

        A view repaints only the cells a range covers, but only for ranges of under ~200 cells
        (Qt 6): a longer one repaints the whole viewport, which costs the GUI thread 15-20 ms on
        every pass. So long runs go out in blocks small enough to stay under that limit."""
        changed = sorted((self._row_of[pid], column) for pid, column in first_columns.items() if pid in self._row_of)
        start = 0
        for i in range(1, len(changed) + 1):
            if i == len(changed) or changed[i][0] != changed[i - 1][0] + 1:
                first_column = min(column for _, column in changed[start:i])
                self._announce_rows(changed[start][0], changed[i - 1][0], first_column)
                start = i

    def _announce_rows(self, first_row: int, last_row: int, first_column: int) -> None:
        last_column = Column.COUNT - 1
        block = max(1, _CELLS_PER_ANNOUNCEMENT // (last_column - first_column + 1))
        for top in range(first_row, last_row + 1, block):
            bottom = min(top + block - 1, last_row)
            self.dataChanged.emit(self.createIndex(top, first_column), self.createIndex(bottom, last_column))

    def _problem_icon(self) -> QIcon:
        if self._warning_icon is None:
            style = QApplication.style() if QApplication.instance() else None
            if style is None:
                return QIcon()
            self._warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon

