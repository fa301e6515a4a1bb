"""The watchlist pane: the filter box, the table of watched petitions, the empty state, drop targets.

The view never talks to a service: it shows its `WatchlistModel`, and says what the user asked
for through signals (`current_changed`, `add_requested`, `links_dropped`, `open_requested`,
`context_menu_requested`, `hint`). Sorting is the model's: a header click sorts ascending, then
descending, then goes back to the user's own order ("My order"), the only order in which rows can
be dragged or moved with Ctrl+Shift+Up/Down.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, QPoint, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core.watch_rows import WatchRow
from petitiondesk.gui.add_dialog import ReferenceDropTarget
from petitiondesk.gui.tables import set_up_petition_table
from petitiondesk.gui.watchlist_model import Column, WatchlistModel

EMPTY_HINT = ("No petitions on your watchlist yet.\nAdd one by its number or its link on petition.parliament.uk,"
              "\ndrop or paste links here, or find petitions under Browse and Search.")
MY_ORDER = "My order"
SORTED_HINT = ("Sorted by {column}: petitions keep to that order. Choose View > Sort by > My order "
               "(or click the header until the arrow goes) to move them by hand.")
#: The columns' names in the Columns menu (the problem column's header is a blank above its icons).
COLUMN_NAMES = {column: Column.HEADERS[column] or "Problems" for column in range(Column.COUNT)}
_COLUMN_WIDTHS = ((Column.PROBLEM, 30), (Column.TITLE, 250), (Column.STATE, 80), (Column.SIGNATURES, 85),
                  (Column.CHANGE, 90), (Column.ESTIMATE, 90), (Column.CLOSING, 92), (Column.UPDATED, 130))


class WatchlistTable(QTableView):
    """The table; Ctrl+Shift+Up/Down move the selected petitions, and a drag that cannot reorder
    (the list is sorted) says why instead of silently selecting rows."""

    move_requested = Signal(int)  # -1: up one place, +1: down one place
    drag_refused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._press: QPoint | None = None  # where the left button went down
        self._refused = False  # this press's drag was refused

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers()
        if mods == (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier) \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_requested.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint()
        self._refused = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        model = self.model()
        press = self._press
        if (event.buttons() & Qt.MouseButton.LeftButton and press is not None and not self._refused
                and isinstance(model, WatchlistModel) and not model.can_reorder()
                and (event.position().toPoint() - press).manhattanLength() >= QApplication.startDragDistance()):
            self._refused = True
            self.drag_refused.emit()
            return  # no rubber-band selection either: the user meant to move a row
        if self._refused:
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press, self._refused = None, False
        super().mouseReleaseEvent(event)


class WatchlistView(QWidget):
    current_changed = Signal(object)  # the current petition's id, or None
    add_requested = Signal()
    links_dropped = Signal(str)  # text dropped or pasted on the list
    open_requested = Signal()
    context_menu_requested = Signal(QPoint)  # global position, over a row
    hint = Signal(str)  # a sentence for the status bar

    def __init__(self, model: WatchlistModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchlistView")
        self.model = model
        self._build_filter()
        self._build_table()
        self._build_empty_state()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list_stack, 1)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.update_empty_state)
        self.update_empty_state()

    # --- construction ---------------------------------------------------------------------------

    def _build_filter(self) -> None:
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("Filter petitions")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter the watchlist")
        self.filter_edit.textChanged.connect(self.model.set_filter)
        # Escape in the filter box clears it and goes back to the list.
        clear_filter = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter_edit)
        clear_filter.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear_filter.activated.connect(self.leave_filter)

    def _build_table(self) -> None:
        self.table = WatchlistTable(self)
        set_up_petition_table(self.table, "watchlistTable", "Watched petitions", self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.table.doubleClicked.connect(lambda _index: self.open_requested.emit())
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in _COLUMN_WIDTHS:
            header.resizeSection(column, width)
        # The title takes whatever room the other columns leave.
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(28)
        header.setSortIndicatorClearable(True)  # a third click: back to my order
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_menu)
        # Drag rows to reorder (the model refuses while sorted by a column); drop or paste links to add.
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setDropIndicatorShown(True)
        self.table.move_requested.connect(self.move_selected)
        self.table.drag_refused.connect(self._say_why_not_movable)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.drop_target = ReferenceDropTarget(self.table, self.links_dropped.emit)

    def _build_empty_state(self) -> None:
        self.empty_label = QLabel(EMPTY_HINT, self)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.add_button = QPushButton("Add a petition…", self)
        self.add_button.setAccessibleName("Add a petition")
        self.add_button.clicked.connect(self.add_requested)
        empty = QWidget(self)
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(empty)
        self.empty_drop_target = ReferenceDropTarget(empty, self.links_dropped.emit)

    # --- what the window asks -------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [record.petition_id for record in map(self.model.record, rows) if record is not None]

    def selected_rows(self) -> list[WatchRow]:
        """The selected petitions in list order, or the current one when nothing is selected."""
        rows = [self.model.watch_row(pid) for pid in self.selected_ids()]
        current = self.current_row()
        return [row for row in rows if row is not None] or ([current] if current is not None else [])

    def current_row(self) -> WatchRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select_petition(self, petition_id: int) -> bool:
        row = self.model.row_of(petition_id)
        if row < 0:
            return False
        # The selection model, not selectRow(): a Shift or Ctrl held down must not extend or toggle it.
        flags = QItemSelectionModel.SelectionFlag
        self.table.selectionModel().setCurrentIndex(self.model.index(row, Column.TITLE),
                                                    flags.ClearAndSelect | flags.Rows)
        self.table.scrollTo(self.model.index(row, Column.TITLE))
        return True

    def focus_list(self) -> None:
        shown = self.list_stack.currentWidget()
        target = self.table if shown is self.table else self.add_button
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def leave_filter(self) -> None:
        self.filter_edit.clear()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def sort_column(self) -> int:
        """The column the list is sorted by, or -1 for my order."""
        header = self.table.horizontalHeader()
        return header.sortIndicatorSection() if header.isSortIndicatorShown() else -1

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column, or -1: my order (the header shows no arrow then)."""
        self.table.sortByColumn(column, order)

    @Slot(int)
    def move_selected(self, step: int) -> bool:
        """Ctrl+Shift+Up/Down: the selected petitions one place up or down, in my order only."""
        ids = self.selected_ids()
        if not ids:
            return False
        if not self.model.can_reorder():
            self._say_why_not_movable()
            return False
        moved = self.model.move_by(ids, step)
        if moved:
            self.table.scrollTo(self.model.index(self.model.row_of(ids[0]), Column.TITLE))
        return moved

    @Slot()
    def update_empty_state(self, *args) -> None:
        # A filter that hides every row keeps the (empty) table, and so does a watchlist not read yet
        # (its rows come a moment after the window shows); only an empty watchlist invites.
        empty = self.model.loaded and not self.model.petition_ids()
        self.list_stack.setCurrentIndex(1 if empty else 0)

    # --- columns --------------------------------------------------------------------------------

    def fill_column_menu(self, menu: QMenu) -> None:
        """The columns the user may show or hide, each checked while shown (the title always is):
        the header's context menu and View > Columns."""
        menu.clear()
        header = self.table.horizontalHeader()
        for column in range(Column.COUNT):
            if column == Column.TITLE:
                continue
            action = menu.addAction(COLUMN_NAMES[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(partial(self.set_column_shown, column))
        menu.addSeparator()
        menu.addAction("Show &All Columns", self.show_all_columns)

    def set_column_shown(self, column: int, shown: bool) -> None:
        if column != Column.TITLE:
            self.table.horizontalHeader().setSectionHidden(column, not shown)

    def show_all_columns(self) -> None:
        for column in range(Column.COUNT):
            self.set_column_shown(column, True)

    def column_shown(self, column: int) -> bool:
        return not self.table.horizontalHeader().isSectionHidden(column)

    @Slot(QPoint)
    def _on_header_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.fill_column_menu(menu)
        menu.popup(self.table.horizontalHeader().mapToGlobal(position))

    # --- state across sessions ------------------------------------------------------------------

    def restore_state(self, settings: QSettings) -> None:
        header_state = settings.value("watchlistHeader")
        if isinstance(header_state, QByteArray):
            self.table.horizontalHeader().restoreState(header_state)
        try:
            column = int(str(settings.value("sortColumn", -1)))
            order = Qt.SortOrder(int(str(settings.value("sortOrder", 0))))
        except (TypeError, ValueError):
            column, order = -1, Qt.SortOrder.AscendingOrder
        self.sort_by(column, order)

    def save_state(self, settings: QSettings) -> None:
        header = self.table.horizontalHeader()
        settings.setValue("watchlistHeader", header.saveState())
        settings.setValue("sortColumn", self.sort_column())
        settings.setValue("sortOrder", header.sortIndicatorOrder().value)

    # --- inside ---------------------------------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = self.model.record(current.row()) if current.isValid() else None
        self.current_changed.emit(record.petition_id if record else None)

    @Slot(QPoint)
    def _on_context_menu(self, position: QPoint) -> None:
        if self.table.indexAt(position).isValid():
            self.context_menu_requested.emit(self.table.viewport().mapToGlobal(position))

    @Slot()
    def _say_why_not_movable(self) -> None:
        column = self.sort_column()
        self.hint.emit(SORTED_HINT.format(column=Column.HEADERS[column] or "problems"))
