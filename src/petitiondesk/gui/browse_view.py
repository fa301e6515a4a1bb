"""Find and pin: browse the site's lists, search them, and pin petitions to the watchlist.

The view asks its `BrowseService` for pages and shows them as they arrive, with a visible
"loading more…" line (the count so far and a Stop button), or the error with a Retry button. It
never pins by itself: it emits `pin_requested(petition_id, archived)` for the window to pass to the
refresh worker, and shows which rows are pinned through `set_pinned`.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core.browse import (
    ARCHIVED_FACETS,
    FACETS,
    TRENDING_LABEL,
    BrowsePage,
    BrowseQuery,
    BrowseRow,
    Facet,
    TrendingResult,
)
from petitiondesk.gui.browse_model import BrowseColumn, BrowseModel, state_text, trending_rows
from petitiondesk.gui.browse_service import BrowseService
from petitiondesk.gui.format import format_count, format_uk_time, zone_name
from petitiondesk.gui.tables import copy_petitions, open_web_page, set_up_petition_table

#: The facet chooser's entry for /trending.json; its counts are NOT totals (API §7.1).
RISING_NOW = "Rising now (signatures in the last hour)"
SEARCH_HINT = "Search the site: words, or a petition's number or link"
DEFAULT_FACET = FACETS[1]  # open petitions: what most people come to browse


class BrowseTable(QTableView):
    """The result list; Enter or Return pins the selected rows (instead of moving down)."""

    pin_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.pin_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


#: A result is previewed only once the selection rests this long: arrowing through makes no burst.
PREVIEW_DELAY_MS = 400


class BrowseView(QWidget):
    pin_requested = Signal(int, bool)  # petition id, archived
    #: The result the selection rests on (a BrowseRow), or None: the window previews it.
    preview_requested = Signal(object)
    #: One line for the window's status bar (a browser that could not be opened).
    message = Signal(str)

    def __init__(self, service: BrowseService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("browseView")
        self.service = service
        self.model = BrowseModel(self)
        self._trending_shown = False
        self._jump_to: int | None = None
        self._build()
        service.page_loaded.connect(self._on_page)
        service.loading_changed.connect(self._on_loading_changed)
        service.trending_loaded.connect(self._on_trending)
        self._show_status("Choose a list or search, then press Enter.")

    # --- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.facet_box = QComboBox(self)
        self.facet_box.setObjectName("browseFacet")
        self.facet_box.setAccessibleName("Which petitions to list")
        for facet in FACETS:
            self.facet_box.addItem(facet.label, facet)
        self.facet_box.insertSeparator(self.facet_box.count())
        for facet in ARCHIVED_FACETS:
            self.facet_box.addItem(facet.label, facet)
        self.facet_box.insertSeparator(self.facet_box.count())
        self.facet_box.addItem(RISING_NOW, None)
        self.facet_box.setCurrentIndex(self.facet_box.findData(DEFAULT_FACET))
        self.facet_box.activated.connect(lambda _index: self.search())
        self.facet_box.currentIndexChanged.connect(self._on_facet_changed)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("browseSearch")
        self.search_edit.setPlaceholderText(SEARCH_HINT)
        self.search_edit.setAccessibleName("Search the petitions site")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.search)
        self.search_button = QPushButton("&Search", self)
        self.search_button.setAccessibleName("Search")
        self.search_button.clicked.connect(self.search)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("browseFilter")
        self.filter_edit.setPlaceholderText("Filter the rows loaded")
        self.filter_edit.setAccessibleName("Filter the rows loaded")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter)

        self.table = BrowseTable(self)
        set_up_petition_table(self.table, "browseTable", "Petitions found", self.model)  # site's order
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one line a row: dense, and no measuring
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.pin_pressed.connect(self.pin_selected)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((BrowseColumn.PINNED, 28), (BrowseColumn.TITLE, 380), (BrowseColumn.STATE, 100),
                              (BrowseColumn.SIGNATURES, 95), (BrowseColumn.OPENED, 100),
                              (BrowseColumn.STATUS, 190)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(BrowseColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)

        # The current result in full: titles are cut in the table, and many start alike.
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("browseDetail")
        self.detail_label.setAccessibleName("The selected petition")
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._request_preview)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)

        self.note_label = QLabel(self)  # what "Rising now" counts, when it is shown
        self.note_label.setObjectName("browseNote")
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setWordWrap(True)
        self.note_label.hide()

        self.status_label = QLabel(self)
        self.status_label.setObjectName("browseStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAccessibleName("Browse status")
        self.status_label.setWordWrap(True)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("browseBusy")
        self.busy.setAccessibleName("Loading more petitions")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.stop_button = QPushButton("S&top", self)
        self.stop_button.setAccessibleName("Stop loading")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self.retry_button = QPushButton("&Retry", self)
        self.retry_button.setAccessibleName("Retry loading")
        self.retry_button.clicked.connect(self.retry)
        self.retry_button.hide()
        self.pin_button = QPushButton("&Pin to Watchlist", self)
        self.pin_button.setObjectName("browsePin")
        self.pin_button.setAccessibleName("Pin the selected petitions to the watchlist")
        self.pin_button.clicked.connect(self.pin_selected)

        self.pin_action = QAction("&Pin", self)
        self.pin_action.triggered.connect(self.pin_selected)
        self.open_action = QAction("&Open on the Website", self)
        self.open_action.triggered.connect(self.open_on_website)
        self.copy_action = QAction("&Copy Title and Link", self)
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_link)
        self.table.addAction(self.copy_action)

        query_row = QHBoxLayout()
        show_label = QLabel("&Show:", self)
        show_label.setBuddy(self.facet_box)
        query_row.addWidget(show_label)
        query_row.addWidget(self.facet_box)
        query_row.addWidget(self.search_edit, 1)
        query_row.addWidget(self.search_button)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.busy)
        status_row.addWidget(self.stop_button)
        status_row.addWidget(self.retry_button)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.pin_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(query_row)
        layout.addWidget(self.note_label)
        layout.addLayout(status_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail_label)
        layout.addLayout(filter_row)
        self.setTabOrder(self.facet_box, self.search_edit)
        self.setTabOrder(self.search_edit, self.search_button)
        self.setTabOrder(self.search_button, self.table)
        self.setTabOrder(self.table, self.filter_edit)
        self.setTabOrder(self.filter_edit, self.pin_button)
        self._update_actions()

    # --- what the window and the user do --------------------------------------------------------

    def current_facet(self) -> Facet | None:
        """The chosen list; None for "Rising now"."""
        return self.facet_box.currentData()

    def choose_facet(self, state: str | None, archived: bool = False) -> None:
        """Select a list without loading it (`state=None` is "Rising now")."""
        for index in range(self.facet_box.count()):
            facet = self.facet_box.itemData(index)
            if (state is None and facet is None and self.facet_box.itemText(index) == RISING_NOW) or (
                    facet is not None and facet.state == state and facet.archived == archived):
                self.facet_box.setCurrentIndex(index)
                return
        raise ValueError(f"no such list: {state!r}")

    @Slot()
    def search(self) -> None:
        """Load the chosen list with the search text (or "Rising now")."""
        facet = self.current_facet()
        self.filter_edit.clear()
        if facet is None:
            self._show_trending()
            return
        self._trending_shown = False
        self.note_label.hide()
        text = self.search_edit.text().strip()
        query = BrowseQuery(facet.state, q=text or None, archived=facet.archived)
        self._jump_to = None
        self.model.load()
        self.service.load(query)
        self._show_status(f"Loading {query.label}…", loading=True)

    @Slot()
    def stop(self) -> None:
        self.service.stop_loading()
        self._show_status(f"Stopped: {self._count_text()} loaded", retry="&Load the Rest")

    @Slot()
    def retry(self) -> None:
        if self._trending_shown:
            self._show_trending()
            return
        self.service.resume()
        self._show_status(f"Loading more… {self._count_text()} so far", loading=True)

    def set_pinned(self, petition_ids) -> None:
        self.model.set_pinned(petition_ids)
        self._update_actions()

    def selected_rows(self) -> list[BrowseRow]:
        numbers = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not numbers and self.table.currentIndex().isValid():
            numbers = [self.table.currentIndex().row()]
        return [row for row in map(self.model.record, numbers) if row is not None]

    @Slot()
    def pin_selected(self) -> None:
        for row in self.selected_rows():
            if not self.model.is_pinned(row.id):
                self.pin_requested.emit(row.id, row.archived)

    @Slot()
    def open_on_website(self) -> None:
        rows = self.selected_rows()
        failure = open_web_page(rows[0].web_url) if rows else ""
        if failure:
            self.message.emit(failure)

    @Slot()
    def copy_link(self) -> None:
        copy_petitions((row.action, row.web_url) for row in self.selected_rows())

    # --- results --------------------------------------------------------------------------------

    @Slot(object)
    def _on_page(self, page: BrowsePage) -> None:
        if self._trending_shown:
            return
        self.model.append_rows(page.rows)
        if page.jumped_to is not None:
            self._select(page.jumped_to)
        if page.error:
            self._show_status(f"{self._count_text()} loaded; the next page failed: {page.error}", retry="&Retry")
        elif page.has_more and self.service.is_loading:
            self._show_status(f"Loading more… {self._count_text()} so far", loading=True)
        elif page.has_more:  # the page that was on its way when the user pressed Stop
            self._show_status(f"Stopped: {self._count_text()} loaded", retry="&Load the Rest")
        else:
            self._show_status(self._finished_text(page))

    @Slot(bool)
    def _on_loading_changed(self, loading: bool) -> None:
        self.busy.setVisible(loading and not self._trending_shown)
        self.stop_button.setVisible(loading and not self._trending_shown)

    @Slot(object)
    def _on_trending(self, result: TrendingResult) -> None:
        if not self._trending_shown:
            return
        if result.error:
            self._show_status(f"Rising now could not be loaded: {result.error}", retry="&Retry")
            return
        self.model.load(trending_rows(result.items), count_header=TRENDING_LABEL)
        when = f", updated {format_uk_time(result.updated_at)} {zone_name()}" if result.updated_at else ""
        self.note_label.setText(f"Rising now: open petitions by {TRENDING_LABEL.lower()} — "
                                f"not their totals{when}.")
        self.note_label.show()
        count = len(result.items)
        self._show_status(f"{count} petition{'' if count == 1 else 's'} rising now" if count
                          else "Nothing is rising now (the site may have turned trending off).")

    # --- inside ---------------------------------------------------------------------------------

    def _show_trending(self) -> None:
        self._trending_shown = True
        self.service.stop_loading()
        self.model.load(count_header=TRENDING_LABEL)
        self.service.load_trending()
        self._show_status("Loading rising petitions…")

    def _select(self, petition_id: int) -> None:
        row = self.model.row_of(petition_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, BrowseColumn.TITLE))
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _count_text(self) -> str:
        count = self.model.loaded_count()
        return f"{count:,} petition{'' if count == 1 else 's'}"

    def _finished_text(self, page: BrowsePage) -> str:
        if page.jumped_to is not None:
            return f"Petition {page.jumped_to}"
        if not self.model.loaded_count():
            return "No petitions match."
        return f"All {self._count_text()} loaded"

    def _show_status(self, text: str, *, loading: bool = False, retry: str | None = None) -> None:
        self.status_label.setText(text)
        self.busy.setVisible(loading)
        self.stop_button.setVisible(loading)
        self.retry_button.setVisible(retry is not None)
        if retry is not None:
            self.retry_button.setText(retry)

    @Slot(int)
    def _on_facet_changed(self, _index: int) -> None:
        searchable = self.current_facet() is not None  # the site cannot search "Rising now"
        self.search_edit.setEnabled(searchable)
        self.search_edit.setPlaceholderText(SEARCH_HINT if searchable else "Rising now cannot be searched")

    @Slot(str)
    def _on_filter(self, text: str) -> None:
        self.model.set_filter(text)

    def current_record(self) -> BrowseRow | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    @Slot()
    def _on_current_row(self, *_args) -> None:
        row = self.current_record()
        self.detail_label.setText(_detail_line(row) if row is not None else "")
        self._preview_timer.start()  # restarted by each move: only where the selection rests

    @Slot()
    def _request_preview(self) -> None:
        self.preview_requested.emit(self.current_record())

    @Slot(QModelIndex)
    def _on_double_click(self, index: QModelIndex) -> None:
        row = self.model.record(index.row())
        if row is not None and not self.model.is_pinned(row.id):
            self.pin_requested.emit(row.id, row.archived)

    @Slot()
    def _update_actions(self, *args) -> None:
        rows = self.selected_rows()
        pinnable = any(not self.model.is_pinned(row.id) for row in rows)
        self.pin_button.setEnabled(pinnable)
        self.pin_action.setEnabled(pinnable)
        for action in (self.open_action, self.copy_action):
            action.setEnabled(bool(rows))

    @Slot(QPoint)
    def _show_context_menu(self, position: QPoint) -> None:
        if not self.table.indexAt(position).isValid():
            return
        self._update_actions()
        menu = self.context_menu()
        menu.popup(self.table.viewport().mapToGlobal(position))

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.pin_action)
        menu.addSeparator()
        menu.addAction(self.open_action)
        menu.addAction(self.copy_action)
        return menu


def _detail_line(row: BrowseRow) -> str:
    """The full title and where the petition stands, for the line under the results."""
    facts = [state_text(row), f"{format_count(row.signature_count)} signatures", row.status, f"Petition {row.id}"]
    return f"{row.action}\n" + " · ".join(fact for fact in facts if fact)
