"""Table models for where a petition's signatures come from: constituencies, regions, countries.

Each model holds a short list of frozen records and sorts it itself (a Python sort key on native
values), because a QSortFilterProxyModel calls back into Python for every comparison. A refresh of
the same places updates the rows in place (dataChanged) so that selection and scroll survive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from petitiondesk.core.export import uk_total
from petitiondesk.core.models import ConstituencySignatures
from petitiondesk.gui.format import format_count, format_delta, format_percent

#: data(index, SORT_ROLE) gives the native value a column sorts by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: data(index, RECORD_ROLE) gives the row's record itself.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

VACANT = "vacant"
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROOT = QModelIndex()  # the parent of every row (one shared default, not one per call)


@dataclass(frozen=True)
class Column:
    title: str
    display: Callable[[Any], str]
    sort_key: Callable[[Any], Any]
    numeric: bool = False
    tooltip: str = ""


class RecordTableModel(QAbstractTableModel):
    """Rows of records described by a list of columns; sorts inside the model."""

    columns: tuple[Column, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    # -- reading ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        record = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return column.sort_key(record)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(_RIGHT.value)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(_RIGHT.value)
        return None

    def record(self, row: int) -> Any:
        return self._rows[row]

    def records(self) -> list[Any]:
        return list(self._rows)

    # -- writing ---------------------------------------------------------------------------------
    def set_records(self, records: Sequence[Any]) -> None:
        """Show these records, keeping the current sort. A refresh of the same places updates
        them in place (selection and scroll survive); other places reset the model."""
        rows = list(records)
        if self._sort_column >= 0:
            rows.sort(key=self._key_for(self._sort_column), reverse=self._descending())
        old_ids = [self._identity(r) for r in self._rows]
        new_ids = [self._identity(r) for r in rows]
        if len(set(new_ids)) != len(new_ids) or sorted(map(str, old_ids)) != sorted(
            map(str, new_ids)
        ):
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return
        if old_ids != new_ids:
            self._reorder(rows, new_ids)
        elif rows == self._rows:
            return  # the same figures: no dataChanged, which would repaint the whole table
        else:
            self._rows = rows
        if rows:
            last = self.index(len(rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _reorder(self, rows: list[Any], new_ids: list[Any]) -> None:
        """The same places in a new order (their counts changed): a layout change, not a reset."""
        self.layoutAboutToBeChanged.emit()
        new_row_of = {identity: row for row, identity in enumerate(new_ids)}
        old_persistent = self.persistentIndexList()
        new_persistent = [
            self.index(new_row_of[self._identity(self._rows[i.row()])], i.column())
            for i in old_persistent
        ]
        self._rows = rows
        self.changePersistentIndexList(old_persistent, new_persistent)
        self.layoutChanged.emit()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_records = [self._rows[i.row()] for i in old_persistent]
        self._rows.sort(key=self._key_for(column), reverse=self._descending())
        new_position = {id(record): row for row, record in enumerate(self._rows)}
        new_persistent = [
            self.index(new_position[id(record)], old.column())
            for record, old in zip(old_records, old_persistent, strict=True)
        ]
        self.changePersistentIndexList(old_persistent, new_persistent)
        self.layoutChanged.emit()

    def _descending(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _key_for(self, column: int) -> Callable[[Any], Any]:
        sort_key = self.columns[column].sort_key
        # Name as a tie-breaker keeps equal counts in a stable, readable order.
        return lambda record: (_comparable(sort_key(record)), record.name.casefold())

    @staticmethod
    def _identity(record: Any) -> Any:
        return getattr(record, "ons_code", None) or getattr(record, "code", None) or record.name


def _comparable(value: Any) -> tuple:
    """Sort keys where a missing value (None) goes after every real one, ascending."""
    if value is None:
        return (1, 0)
    if isinstance(value, str):
        return (0, value.casefold())
    return (0, value)


class _ShareMixin:
    """Shares of a total that the pane knows and the records do not."""

    _total: int = 0

    def set_total(self, total: int) -> None:
        self._total = max(total, 0)
        model = cast(QAbstractTableModel, self)  # the model this is mixed into
        if model.rowCount():
            model.dataChanged.emit(
                model.index(0, 0), model.index(model.rowCount() - 1, model.columnCount() - 1)
            )

    def share(self, record) -> float | None:
        return record.signature_count / self._total if self._total else None


def _name_count_share(model: _ShareMixin, name_header: str, share_tip: str) -> tuple[Column, ...]:
    """The name, signatures and share columns every breakdown table starts with."""
    return (
        Column(name_header, lambda r: r.name, lambda r: r.name),
        Column("Signatures", lambda r: format_count(r.signature_count), lambda r: r.signature_count,
               numeric=True),
        Column("Share", lambda r: format_percent(model.share(r)), lambda r: model.share(r),
               numeric=True, tooltip=share_tip),
    )


class ConstituencyTableModel(_ShareMixin, RecordTableModel):
    # The MP comes last: a narrow pane keeps the numbers in view and scrolls to the names.
    NAME, SIGNATURES, SHARE, CHANGE, MP = range(5)

    def __init__(self, parent=None):
        self._baseline: dict[str, int] | None = None
        super().__init__(parent)
        self.columns = (
            *_name_count_share(self, "Constituency", "Share of the signatures from the United Kingdom"),
            Column(
                "24 h",
                lambda r: format_delta(self.change(r)) if self.has_baseline else "",
                lambda r: self.change(r),
                numeric=True,
                tooltip="Change in the last 24 hours",
            ),
            Column("MP", lambda r: r.mp or VACANT, lambda r: r.mp, tooltip="The current MP"),
        )

    @property
    def has_baseline(self) -> bool:
        return self._baseline is not None

    def set_baseline(self, baseline: dict[str, int] | None) -> None:
        """Counts by ONS code from about 24 hours ago; a place absent from it had none then."""
        self._baseline = dict(baseline) if baseline is not None else None
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, self.CHANGE), self.index(self.rowCount() - 1, self.CHANGE)
            )

    def change(self, record: ConstituencySignatures) -> int | None:
        if self._baseline is None:
            return None
        return record.signature_count - self._baseline.get(record.ons_code, 0)


class _NamedShareTableModel(_ShareMixin, RecordTableModel):
    """Name, signatures and share: the region and country tables."""

    NAME, SIGNATURES, SHARE = range(3)
    NAME_HEADER = ""
    SHARE_TIP = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns = _name_count_share(self, self.NAME_HEADER, self.SHARE_TIP)


class RegionTableModel(_NamedShareTableModel):
    NAME_HEADER = "Region"
    SHARE_TIP = "Share of the signatures from the United Kingdom"


class CountryTableModel(_NamedShareTableModel):
    NAME_HEADER = "Country"
    SHARE_TIP = "Share of all signatures"


class MoverTableModel(RecordTableModel):
    """24-hour movers (`core.movers.Mover` records): places, regions or nations by their gain."""

    NAME, SIGNATURES, CHANGE, GROWTH = range(4)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns = (
            Column("Place", lambda m: m.name, lambda m: m.name),
            Column("Signatures", lambda m: format_count(m.after), lambda m: m.after, numeric=True),
            Column("24 h", lambda m: format_delta(m.change), lambda m: m.change, numeric=True,
                   tooltip="Signatures gained between the two snapshots"),
            Column("Growth", lambda m: format_percent(m.relative), lambda m: m.relative, numeric=True,
                   tooltip="Gain as a share of the signatures before (places with at least 10)"),
        )


__all__ = [
    "RECORD_ROLE",
    "SORT_ROLE",
    "VACANT",
    "ConstituencyTableModel",
    "MoverTableModel",
    "CountryTableModel",
    "RecordTableModel",
    "RegionTableModel",
    "uk_total",
]
