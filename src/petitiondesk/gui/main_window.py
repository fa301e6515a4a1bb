"""The main window: the watchlist (or the browse view) beside the selected petition's graph and details.

The window never touches the network or the database: it asks the `RefreshService` for
refreshes, pins, unpins, reorders, imports and exports, the `BrowseService` for listings and
related petitions, and the `DataReaderService` for the selected petition's samples and its
constituency baseline (read in the reader's thread). Refresh results update the watchlist model
in place. Until a new selection's samples arrive the previous petition stays on show, graph and
details together; a read that takes longer than `LOADING_STATE_DELAY_MS` shows a loading state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QModelIndex, QPoint, QSettings, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from petitiondesk import APP_NAME
from petitiondesk.core.models import SITE_BASE
from petitiondesk.core.refs import BadReference, parse_reference
from petitiondesk.gui.add_dialog import AddPetitionsDialog, ReferenceDropTarget
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.browse_view import BrowseView
from petitiondesk.gui.chart import SignatureChart
from petitiondesk.gui.data_reader import DataReaderService, ReadResult
from petitiondesk.gui.detail_pane import DetailPane
from petitiondesk.gui.export_actions import ExportActions, ExportSubject
from petitiondesk.gui.format import format_relative, format_uk_time
from petitiondesk.gui.related_panel import RelatedPanel
from petitiondesk.gui.service import stop_all
from petitiondesk.gui.tables import set_up_petition_table
from petitiondesk.gui.watchlist_model import Column, WatchlistModel, WatchRow
from petitiondesk.gui.worker import ExportResult, ImportResult, PinResult, RefreshResult, RefreshService

log = logging.getLogger(__name__)

DAY = 86400.0
EMPTY_HINT = ("No petitions on your watchlist yet.\nAdd one by its number or its link on petition.parliament.uk,"
              "\ndrop or paste links here, or find petitions under Browse and Search.")
#: Selecting a petition asks the site for related ones only once the selection rests this long.
RELATED_DELAY_MS = 400
#: A selection whose samples take longer than this to read shows "Loading" instead of the previous one.
LOADING_STATE_DELAY_MS = 200
LOADING_TEXT = "Loading the recorded samples…"
IMPORT_FILTERS = "Watchlists and text (*.json *.txt);;All files (*)"
EXPORT_FILTERS = "PetitionDesk watchlist (*.json);;Links, one a line (*.txt)"


def _utc_time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class MainWindow(QMainWindow):
    #: The selected petition's samples (all of them, or those a refresh added) are on show.
    selection_loaded = Signal(int)

    def __init__(self, service: RefreshService, database: Path, settings: QSettings, *,
                 clock: Callable[[], float] = time.time, title_suffix: str = "",
                 browse_service: BrowseService | None = None, data_reader: DataReaderService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        # Browsing has its own thread and client, on the same site as the refresh worker.
        self.browse_service = browse_service or BrowseService(BrowseConfig.like(service.config), self)
        # A `Store` is accepted for its path (older callers); the window never reads through it.
        self.database = Path(database)
        # Reads of the database happen in the reader's thread, through its own connection.
        self.reader = data_reader or DataReaderService(self.database, self)
        self.reader.loaded.connect(self._on_read)
        self.settings = settings
        self.clock = clock
        self.setWindowTitle(APP_NAME + title_suffix)
        self.setObjectName("mainWindow")
        self.model = WatchlistModel(self)
        self._selected_id: int | None = None  # the list's current petition
        self._shown_id: int | None = None  # whose samples are in _times/_counts and on show
        self._shown_petition = None
        self._shown_baseline: dict[str, int] | None = None
        self._times = np.empty(0, dtype=np.float64)
        self._counts = np.empty(0, dtype=np.int64)
        self._dropped: set[int] = set()  # unpinned here, not yet confirmed by the worker
        self._next_pass_at: float | None = None  # time.time() of the next scheduled pass
        self._user_pins: set[str] = set()  # references added here, selected once they arrive
        self._add_dialog: AddPetitionsDialog | None = None
        self._closed = False

        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._connect_service()
        self._restore_state()
        self.table.setFocus()  # keyboard users start in the list

    # --- construction ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("Filter petitions")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter the watchlist")
        self.filter_edit.textChanged.connect(self.model.set_filter)
        # Escape in the filter box clears it and goes back to the list.
        clear_filter = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter_edit)
        clear_filter.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear_filter.activated.connect(self._leave_filter)

        self.table = QTableView(self)
        set_up_petition_table(self.table, "watchlistTable", "Watched petitions", self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.doubleClicked.connect(lambda index: self.open_on_website())
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((Column.PROBLEM, 30), (Column.TITLE, 250), (Column.STATE, 80),
                              (Column.SIGNATURES, 85), (Column.CHANGE, 105), (Column.CLOSING, 92),
                              (Column.UPDATED, 130)):
            header.resizeSection(column, width)
        # The title takes whatever room the other columns leave.
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(28)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.empty_label = QLabel(EMPTY_HINT, self)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.add_button = QPushButton("Add a petition…", self)
        self.add_button.clicked.connect(self.show_add_dialog)
        empty = QWidget(self)
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(empty)

        # Drag rows to reorder (the model refuses while sorted by a column); drop or paste links to add.
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.setDropIndicatorShown(True)
        self.model.order_changed.connect(self.service.reorder)
        self.drop_target = ReferenceDropTarget(self.table, self.add_text)
        self.empty_drop_target = ReferenceDropTarget(empty, self.add_text)

        watchlist = QWidget(self)
        left_layout = QVBoxLayout(watchlist)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.filter_edit)
        left_layout.addWidget(self.list_stack, 1)

        self.browse = BrowseView(self.browse_service, self)
        self.browse.pin_requested.connect(self.pin_petition)
        self.left_tabs = QTabWidget(self)
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(watchlist, "&Watchlist")
        self.left_tabs.addTab(self.browse, "&Browse and Search")
        self.left_tabs.setTabToolTip(1, "Find petitions on the site and pin them")

        self.chart = SignatureChart(self)
        self.chart.clock = self.clock
        self.detail = DetailPane(self)
        self.related = RelatedPanel(self.browse_service, self)
        self.related.pin_requested.connect(self.pin_petition)
        self._related_timer = QTimer(self)  # arrowing through the list asks only about where it stops
        self._related_timer.setSingleShot(True)
        self._related_timer.setInterval(RELATED_DELAY_MS)
        self._related_timer.timeout.connect(self._show_related)
        self._loading_timer = QTimer(self)  # a quick read swaps the petitions without a flash
        self._loading_timer.setSingleShot(True)
        self._loading_timer.setInterval(LOADING_STATE_DELAY_MS)
        self._loading_timer.timeout.connect(self._show_loading)

        self.detail_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.detail_splitter.setObjectName("detailSplitter")
        self.detail_splitter.addWidget(self.detail)
        self.detail_splitter.addWidget(self.related)
        self.detail_splitter.setStretchFactor(0, 1)
        self.detail_splitter.setSizes([300, 150])
        self.right_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.right_splitter.setObjectName("rightSplitter")
        self.right_splitter.addWidget(self.chart)
        self.right_splitter.addWidget(self.detail_splitter)
        self.right_splitter.setSizes([320, 380])
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.left_tabs)
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.main_splitter)
        self._default_size()
        self.model.rowsInserted.connect(self._update_empty_state)
        self.model.rowsRemoved.connect(self._update_empty_state)
        self.model.modelReset.connect(self._update_empty_state)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._share_pinned)

    def _default_size(self) -> None:
        """Room for every column and a readable graph, within the screen."""
        width, height = 1440, 880
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width, height = min(width, int(available.width() * 0.95)), min(height, int(available.height() * 0.9))
        self.resize(width, height)
        self.main_splitter.setSizes([int(width * 0.58), int(width * 0.42)])

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.add_action = self._action("&Add Petitions…", self.show_add_dialog, keys.New,
                                       "Watch petitions by their numbers or links")
        self.import_action = self._action("&Import Watchlist…", self.import_watchlist, None,
                                          "Add the petitions of a watchlist file or any text with petition links")
        self.export_action = self._action("&Export Watchlist…", self.export_watchlist, None,
                                          "Save the watchlist as a JSON file or a list of links")
        self.paste_action = self._action("&Paste Petition Links", self.drop_target.paste, keys.Paste,
                                         "Add the petitions whose links are on the clipboard")
        # Ctrl+V adds links only in the list; in a text box it pastes text.
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.paste_action)
        self.watchlist_action = self._action("&Watchlist", lambda: self.show_tab(0), "Ctrl+1",
                                             "Show the watchlist")
        self.browse_action = self._action("&Browse and Search", lambda: self.show_tab(1), "Ctrl+2",
                                          "Find petitions on the site and pin them")
        self.remove_action = self._action("&Remove from Watchlist", self.remove_selected, keys.Delete,
                                          "Stop watching the selected petitions")
        # Delete belongs to the list: in the filter box it must still delete text.
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.addAction(self.remove_action)
        self.refresh_action = self._action("&Refresh Now", self.refresh_now, keys.Refresh,
                                           "Fetch the latest counts now")
        refresh_keys = QKeySequence.keyBindings(keys.Refresh)
        if QKeySequence("F5") not in refresh_keys:
            refresh_keys.append(QKeySequence("F5"))
        self.refresh_action.setShortcuts(refresh_keys)
        self.find_action = self._action("&Find…", self.focus_filter, keys.Find, "Filter the watchlist")
        self.quit_action = self._action("&Quit", self.close, keys.Quit, "Quit PetitionDesk")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.open_web_action = self._action("&Open on the Website", self.open_on_website, "Ctrl+Shift+O",
                                            "Open the petition's page in your browser")
        self.copy_link_action = self._action("&Copy Link", self.copy_link, None,
                                             "Copy the petition's web address")
        self.fit_action = self._action("&Fit Graph", self.chart.fit, "Ctrl+0", "Show every recorded sample")
        self.log_action = self._action("&Logarithmic Scale", self.chart.set_log_scale, "Ctrl+L",
                                       "Logarithmic signature axis")
        self.log_action.setCheckable(True)
        self.chart.log_button.toggled.connect(self.log_action.setChecked)
        self.about_action = self._action("&About PetitionDesk", self.show_about)
        self.exports = ExportActions(self, self.chart, self.settings, self._export_subject)
        self.exports.export_finished.connect(lambda message, _path: self.statusBar().showMessage(message, 8000))
        self.chart.plot_widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.chart.plot_widget.customContextMenuRequested.connect(self._show_chart_menu)

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.add_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addMenu(self.exports.menu(self)).setText("Export Chart and &Data")
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.paste_action)
        edit_menu.addAction(self.find_action)
        edit_menu.addAction(self.copy_link_action)
        edit_menu.addAction(self.remove_action)
        view_menu = menus.addMenu("&View")
        view_menu.addAction(self.watchlist_action)
        view_menu.addAction(self.browse_action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        view_menu.addAction(self.fit_action)
        view_menu.addAction(self.log_action)
        petition_menu = menus.addMenu("&Petition")
        petition_menu.addAction(self.open_web_action)
        petition_menu.addAction(self.copy_link_action)
        petition_menu.addAction(self.remove_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.about_action)
        self._build_toolbar()
        self._update_selection_actions()

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.add_action, self.refresh_action, None, self.exports.export_image_action,
                       self.exports.copy_image_action, self.exports.export_history_action):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)

    def _export_subject(self) -> ExportSubject | None:
        if self._selected_id is None or self._shown_id != self._selected_id:
            return None  # nothing selected, or its samples are still on their way
        return ExportSubject(self._selected_id, self._shown_petition, self._shown_baseline)

    @Slot(QPoint)
    def _show_chart_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        for action in self.exports.all_actions[:4]:
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.fit_action)
        menu.addAction(self.log_action)
        menu.popup(self.chart.plot_widget.mapToGlobal(position))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("statusMessage")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAccessibleName("Refresh status")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("refreshProgress")
        self.progress.setAccessibleName("Refresh progress")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.next_label = QLabel(self)
        self.next_label.setObjectName("nextRefresh")
        self.next_label.setAccessibleName("Next refresh")
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.next_label)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._update_countdown)
        self.countdown.start()
        self.status_label.setText("Starting…")

    def _connect_service(self) -> None:
        service = self.service
        service.rows_loaded.connect(self._on_rows_loaded)
        service.refresh_started.connect(self._on_refresh_started)
        service.refresh_progress.connect(self._on_refresh_progress)
        service.refresh_finished.connect(self._on_refresh_finished)
        service.pin_finished.connect(self._on_pin_finished)
        service.unpin_finished.connect(self._on_unpin_finished)
        service.reorder_finished.connect(self._on_reorder_finished)
        service.import_finished.connect(self._on_import_finished)
        service.export_finished.connect(self._on_export_finished)
        service.failed.connect(self._on_failed)

    # --- user actions ---------------------------------------------------------------------------

    @Slot()
    def refresh_now(self) -> None:
        self.service.refresh_now(force=True)
        self.status_label.setText("Refreshing…")

    @Slot()
    def focus_filter(self) -> None:
        """Find: the watchlist's filter, or the site search when browsing."""
        edit = self.browse.search_edit if self.left_tabs.currentWidget() is self.browse else self.filter_edit
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()

    def show_tab(self, number: int) -> None:
        """0: the watchlist (focus in the list); 1: browse and search (focus in the search box)."""
        self.left_tabs.setCurrentIndex(number)
        target = self.table if number == 0 else self.browse.search_edit
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def _leave_filter(self) -> None:
        self.filter_edit.clear()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def add_dialog(self) -> AddPetitionsDialog:
        """The one add dialog (not modal: results keep arriving while the user works)."""
        if self._add_dialog is None:
            self._add_dialog = AddPetitionsDialog(self.model.petition_ids, self)
            self._add_dialog.pin_requested.connect(self._pin_from_dialog)
        return self._add_dialog

    @Slot()
    def show_add_dialog(self) -> None:
        dialog = self.add_dialog()
        if dialog.isVisible():  # open behind the window: bring it forward
            dialog.raise_()
            dialog.activateWindow()
        dialog.show()
        dialog.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot(str)
    def add_text(self, text: str) -> None:
        """Links dropped or pasted on the watchlist: added through the add dialog, which shows how."""
        dialog = self.add_dialog()
        dialog.show()
        if not dialog.add_text(text):
            self.status_label.setText("No petition links in what was dropped or pasted")

    @Slot(str)
    def _pin_from_dialog(self, reference: str) -> None:
        try:
            self._dropped.discard(parse_reference(reference).id)
        except BadReference:
            pass
        self.service.pin(reference)

    @Slot(int, bool)
    def pin_petition(self, petition_id: int, archived: bool = False) -> None:
        """Pin from the browse view or the related panel; the watchlist's selection stays."""
        self._dropped.discard(petition_id)
        self.status_label.setText(f"Adding petition {petition_id}…")
        kind = "archived/petitions" if archived else "petitions"
        self.service.pin(f"{SITE_BASE}/{kind}/{petition_id}")

    def add_petition(self, reference: str) -> None:
        """Pin through the worker; the row appears when the site has answered."""
        try:
            ref = parse_reference(reference)
        except BadReference as error:
            self._warn("Cannot add this petition", str(error))
            return
        self._dropped.discard(ref.id)
        self.status_label.setText(f"Adding petition {ref.id}…")
        self._user_pins.add(reference)
        self.service.pin(reference)

    @Slot()
    def remove_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self._dropped.update(ids)
        self.model.remove(ids)
        for petition_id in ids:
            self.service.unpin(petition_id)
        noun = "petition" if len(ids) == 1 else "petitions"
        self.status_label.setText(f"Removed {len(ids)} {noun} from the watchlist")

    @Slot()
    def open_on_website(self) -> None:
        row = self.current_row()
        if row is None:
            return
        url = QUrl(_web_url(row))
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)

    @Slot()
    def copy_link(self) -> None:
        row = self.current_row()
        if row is not None:
            QGuiApplication.clipboard().setText(_web_url(row))

    @Slot()
    def show_about(self) -> None:
        from petitiondesk import __version__

        QMessageBox.about(self, f"About {APP_NAME}",
                          f"{APP_NAME} {__version__}\nWatch UK Parliament petitions grow.\n\n"
                          "Data from petition.parliament.uk (Open Government Licence).")

    # --- selection ------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [record.petition_id for record in map(self.model.record, rows) if record is not None]

    def current_row(self) -> WatchRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select_petition(self, petition_id: int) -> bool:
        row = self.model.row_of(petition_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, Column.TITLE))
        return True

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        record = self.model.record(current.row()) if current.isValid() else None
        self._show_petition(record.petition_id if record else None)
        self._update_selection_actions()

    def _show_petition(self, petition_id: int | None) -> None:
        if petition_id == self._selected_id:
            return
        self._selected_id = petition_id
        if petition_id is None:
            self.reader.cancel()
            self._loading_timer.stop()
            self._forget_shown()
            self.chart.set_petition(None, self._times, self._counts)
            self.detail.show_petition(None)
            self._related_timer.stop()
            self.related.show_petition(None)
        elif petition_id == self._shown_id:  # back to the one still on show: only what is new
            self._loading_timer.stop()
            self._request_new_samples()
        else:  # the previous petition stays on show until this one's samples arrive
            self._request_all_samples(petition_id)
            self._loading_timer.start()

    def _forget_shown(self) -> None:
        self._shown_id = None
        self._times, self._counts = np.empty(0, np.float64), np.empty(0, np.int64)
        self._shown_petition = self._shown_baseline = None

    def _request_all_samples(self, petition_id: int) -> None:
        self.reader.request(petition_id, baseline_at=self.clock() - DAY)

    def _request_new_samples(self, with_baseline: bool = False) -> None:
        """What was recorded since the last sample on show (only the newest stored row can change)."""
        since = float(self._times[-1]) if self._times.size else None
        self.reader.request(self._shown_id, since=since,
                            baseline_at=self.clock() - DAY if with_baseline else None)

    @property
    def is_reading(self) -> bool:
        """True while samples of the selected petition are on their way from the database."""
        return self.reader.is_waiting

    @Slot()
    def _show_loading(self) -> None:
        """A slow read: the selected petition without samples yet, rather than the previous one."""
        petition_id = self._selected_id
        if petition_id is None or petition_id == self._shown_id or not self.is_reading:
            return
        record = self.model.watch_row(petition_id)
        petition = record.petition if record else None
        self._forget_shown()  # nothing of this petition is on show yet
        self.chart.set_petition(petition, self._times, self._counts)
        if petition is not None:
            self.chart.empty_label.setText(LOADING_TEXT)
        self.detail.show_petition(petition)
        self._related_timer.stop()
        self.exports.update_enabled()

    @Slot(object)
    def _on_read(self, result: ReadResult) -> None:
        if self._closed or result.petition_id != self._selected_id:
            return  # the user has moved on (the reader drops most of these itself)
        if result.error:
            self.status_label.setText(f"Cannot read the database: {result.error}")
        if result.petition_id == self._shown_id:
            self._show_new_samples(result)
        else:
            self._show_loaded_petition(result)
        self.exports.update_enabled()
        self.selection_loaded.emit(result.petition_id)

    def _show_loaded_petition(self, result: ReadResult) -> None:
        """A newly selected petition's samples have arrived: show it, graph and details together."""
        self._loading_timer.stop()
        record = self.model.watch_row(result.petition_id)
        petition = record.petition if record else None
        self._shown_id = result.petition_id
        self._times, self._counts = result.times, result.counts
        self._shown_petition = petition
        self._shown_baseline = result.baseline
        self.chart.set_petition(petition, self._times, self._counts)
        if result.error and petition is not None:
            self.chart.empty_label.setText(f"Cannot read the recorded samples: {result.error}")
        self.detail.show_petition(petition, constituency_baseline=self._shown_baseline)
        self._related_timer.start()

    def _show_new_samples(self, result: ReadResult) -> None:
        """New samples or a new document of the petition on show, without moving the user's view."""
        times, counts = self._merged(result.times, result.counts)
        if not np.array_equal(times, self._times) or not np.array_equal(counts, self._counts):
            self._times, self._counts = times, counts
            self.chart.update_samples(times, counts)
        record = self.model.watch_row(result.petition_id)
        petition = record.petition if record else None
        new_baseline = result.request.baseline_at is not None and result.error is None
        if new_baseline:
            self._shown_baseline = result.baseline
        new_document = petition is not None and petition != self._shown_petition
        if new_document:
            if self._shown_petition is None:  # its first document: thresholds and closing date
                self.chart.set_petition(petition, self._times, self._counts)
                self._related_timer.start()  # topics and departments are known now
            self._shown_petition = petition
        if petition is not None and (new_document or new_baseline):
            self.detail.show_petition(petition, constituency_baseline=self._shown_baseline)

    def _merged(self, fresh_t: np.ndarray, fresh_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The samples on show with those read since the last of them (which replace it)."""
        if not fresh_t.size:
            return self._times, self._counts
        keep = self._times < fresh_t[0]
        return np.concatenate([self._times[keep], fresh_t]), np.concatenate([self._counts[keep], fresh_c])

    def _refresh_selected(self) -> None:
        """After a pass: read what it recorded for the selected petition (a new document brings a
        new baseline for the constituencies' change)."""
        petition_id = self._selected_id
        if petition_id is None:
            return
        record = self.model.watch_row(petition_id)
        if record is None:
            return
        if petition_id != self._shown_id:
            self._request_all_samples(petition_id)  # this pass's samples may be newer than the read on its way
            return
        new_document = record.petition is not None and record.petition != self._shown_petition
        self._request_new_samples(with_baseline=new_document)

    def _update_selection_actions(self) -> None:
        has_row = self.current_row() is not None
        for action in (self.remove_action, self.open_web_action, self.copy_link_action):
            action.setEnabled(has_row)
        if hasattr(self, "exports"):
            self.exports.update_enabled()

    @Slot(QPoint)
    def _show_context_menu(self, position: QPoint) -> None:
        if not self.table.indexAt(position).isValid():
            return
        menu = QMenu(self)
        menu.addAction(self.open_web_action)
        menu.addAction(self.copy_link_action)
        menu.addAction(self.refresh_action)
        menu.addAction(self.exports.export_image_action)
        menu.addSeparator()
        menu.addAction(self.remove_action)
        menu.popup(self.table.viewport().mapToGlobal(position))

    # --- results from the worker ----------------------------------------------------------------

    @Slot(object)
    def _on_rows_loaded(self, rows) -> None:
        wanted = self.settings.value("selectedPetition")
        self.model.load(row for row in rows if row.petition_id not in self._dropped)
        self._update_empty_state()
        if wanted is not None and self._selected_id is None:
            try:
                self.select_petition(int(wanted))
            except (TypeError, ValueError):
                pass
        if self._selected_id is None and self.model.rowCount():
            self.table.selectRow(0)
        if self.status_label.text() == "Starting…":
            self.status_label.setText("Watchlist loaded")

    @Slot()
    def _on_refresh_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText("Refreshing…")

    @Slot(int, int)
    def _on_refresh_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status_label.setText(f"Refreshing… {done} of {total}")

    @Slot(object)
    def _on_refresh_finished(self, result: RefreshResult) -> None:
        self.progress.hide()
        if result.watched or result.error is None:  # unpinned elsewhere (the command line, say)
            self.model.remove(set(self.model.petition_ids()) - set(result.watched))
        self.model.upsert(row for row in result.rows if row.petition_id not in self._dropped)
        self._next_pass_at = None if result.next_pass_in is None else time.time() + result.next_pass_in
        self.status_label.setText(self._status_text(result))
        self._refresh_selected()
        self._update_countdown()

    def _status_text(self, result: RefreshResult) -> str:
        report = result.report
        if result.error:
            return f"Refresh failed: {result.error}"
        if report.blocked_until:
            after = format_uk_time(_utc_time(report.blocked_until))
            return f"The site is refusing our requests; trying again after {after}"
        if report.paused_until:
            after = format_uk_time(_utc_time(report.paused_until))
            return f"The site asked us to slow down; trying again after {after}"
        if report.offline:
            return "Offline: the site cannot be reached"
        if report.cancelled:
            return "Refresh stopped"
        problems = sum(1 for pid in self.model.petition_ids() if self.model.watch_row(pid).problem)
        finished = format_uk_time(_utc_time(report.finished_at if report is not None else self.clock()))
        text = f"Last refresh {finished}"
        if problems:
            text += f" · {problems} with problems"
        return text

    @Slot(object)
    def _on_pin_finished(self, result: PinResult) -> None:
        if self._add_dialog is not None and self._add_dialog.record_result(result):
            if result.row is not None:  # the dialog shows refusals line by line: no message box
                self.model.upsert([result.row])
                self.status_label.setText(f"Added petition {result.row.petition_id}")
            return
        if result.error or result.row is None:
            self._user_pins.discard(result.reference)
            self.status_label.setText(f"Could not add {result.reference}: {result.error}")
            self._warn("Cannot add this petition", result.error or "The site did not answer.")
            return
        self.model.upsert([result.row])
        if result.reference in self._user_pins or self._selected_id is None:
            self.select_petition(result.row.petition_id)
        self._user_pins.discard(result.reference)
        self.status_label.setText(f"Added petition {result.row.petition_id}")
        self._update_empty_state()

    @Slot()
    def _show_related(self) -> None:
        petition = self._shown_petition
        if petition is None or self.related.petition_id != petition.id:
            self.related.show_petition(petition)

    @Slot()
    def _share_pinned(self, *args) -> None:
        """Mark what is pinned in the browse list and the related panel."""
        pinned = self.model.petition_ids()
        self.browse.set_pinned(pinned)
        self.related.set_pinned(pinned)

    @Slot(object, str)
    def _on_reorder_finished(self, stored: tuple[int, ...], error: str) -> None:
        if error:
            self.status_label.setText(f"Could not save the new order: {error}")
        if stored:
            self.model.set_order(stored)  # what the database holds, whatever happened

    # --- import and export ----------------------------------------------------------------------

    @Slot()
    def import_watchlist(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a watchlist", self._file_folder(),
                                              IMPORT_FILTERS)
        if path:
            self.settings.setValue("watchlistFolder", str(Path(path).parent))
            self.status_label.setText(f"Importing {Path(path).name}…")
            self.service.import_watchlist(path)

    @Slot()
    def export_watchlist(self) -> None:
        suggested = str(Path(self._file_folder()) / "petitiondesk-watchlist.json")
        path, chosen = QFileDialog.getSaveFileName(self, "Export the watchlist", suggested, EXPORT_FILTERS)
        if not path:
            return
        kind = "text" if chosen.startswith("Links") or Path(path).suffix.lower() == ".txt" else "json"
        if not Path(path).suffix:
            path += ".txt" if kind == "text" else ".json"
        self.settings.setValue("watchlistFolder", str(Path(path).parent))
        self.service.export_watchlist(path, kind)

    def _file_folder(self) -> str:
        folder = self.settings.value("watchlistFolder")
        return str(folder) if folder else str(Path.home())

    @Slot(object)
    def _on_import_finished(self, result: ImportResult) -> None:
        name = Path(result.path).name
        if result.error:
            self.status_label.setText(f"Nothing was imported from {name}")
            self._warn("Cannot import this watchlist", result.error)
            return
        report = result.report
        self.model.upsert(result.rows)
        self.status_label.setText(f"Imported {name}: {report.summary()}")
        box = QMessageBox(QMessageBox.Icon.Information, "Watchlist imported",
                          f"{name}: {report.summary()}.", QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if report.lines():
            box.setDetailedText("\n".join(report.lines()))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    @Slot(object)
    def _on_export_finished(self, result: ExportResult) -> None:
        name = Path(result.path).name
        if result.error:
            self.status_label.setText(f"Could not export to {name}")
            self._warn("Cannot export the watchlist", result.error)
            return
        noun = "petition" if result.count == 1 else "petitions"
        self.status_label.setText(f"Exported {result.count} {noun} to {name}")

    @Slot(int, str)
    def _on_unpin_finished(self, petition_id: int, error: str) -> None:
        self._dropped.discard(petition_id)
        if error:
            self.status_label.setText(f"Could not remove petition {petition_id}: {error}")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.status_label.setText(message)
        self.model.upsert(replace(self.model.watch_row(pid), problem="offline", problem_detail=message)
                          for pid in self.model.petition_ids())

    @Slot()
    def _update_countdown(self) -> None:
        if self.service.is_refreshing:
            self.next_label.setText("Refreshing now")
        elif self._next_pass_at is None:
            self.next_label.setText("")
        else:
            seconds = max(0.0, self._next_pass_at - time.time())
            self.next_label.setText(f"Next refresh {format_relative(seconds)}")

    @Slot()
    def _update_empty_state(self, *args) -> None:
        empty = not self.model.petition_ids()
        self.list_stack.setCurrentIndex(1 if empty else 0)
        if not empty and self.model.rowCount() == 0:
            self.list_stack.setCurrentIndex(0)  # filtered to nothing: keep the (empty) table

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- state across sessions ------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = self.settings
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for key, splitter in (("mainSplitter", self.main_splitter), ("rightSplitter", self.right_splitter)):
            state = settings.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        header_state = settings.value("watchlistHeader")
        if isinstance(header_state, QByteArray):
            self.table.horizontalHeader().restoreState(header_state)
        try:
            column = int(settings.value("sortColumn", -1))
            order = Qt.SortOrder(int(settings.value("sortOrder", 0)))
        except (TypeError, ValueError):
            column, order = -1, Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(column, order)
        if str(settings.value("logScale", "false")).lower() == "true":
            self.chart.set_log_scale(True)

    def save_state(self) -> None:
        settings = self.settings
        header = self.table.horizontalHeader()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("mainSplitter", self.main_splitter.saveState())
        settings.setValue("rightSplitter", self.right_splitter.saveState())
        settings.setValue("watchlistHeader", header.saveState())
        settings.setValue("sortColumn", header.sortIndicatorSection() if header.isSortIndicatorShown() else -1)
        settings.setValue("sortOrder", header.sortIndicatorOrder().value)
        settings.setValue("logScale", self.chart.log_scale)
        if self._selected_id is not None:
            settings.setValue("selectedPetition", self._selected_id)
        settings.sync()

    def chart_sample_count(self) -> int:
        return int(self._times.size)

    @Slot()
    def shut_down(self) -> None:
        """Save the layout and stop the worker (once): on close, and on quit by any other route."""
        if self._closed:
            return
        self._closed = True
        self.save_state()
        self.countdown.stop()
        self.status_label.setText("Stopping…")
        self._related_timer.stop()
        self._loading_timer.stop()
        services = (self.reader, self.browse_service, self.service)
        for service in services:
            service.stop()  # all of them first: requests aborted, nothing waits behind another
        self.exports.wait_for_writers()  # a file being saved is finished, not cut off
        stop_all(services)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)


def _web_url(row: WatchRow) -> str:
    return row.petition.web_url if row.petition else f"{SITE_BASE}/petitions/{row.petition_id}"
