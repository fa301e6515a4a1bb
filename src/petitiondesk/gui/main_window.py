"""The main window: the watchlist beside the selected petition's graph and details.

The window never touches the network: it asks the `RefreshService` for refreshes, pins and
unpins, and reads samples and documents for the selected petition through its own read-only
`Store` connection. Refresh results update the watchlist model in place.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Callable

import numpy as np
from PySide6.QtCore import QByteArray, QModelIndex, QPoint, QSettings, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
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
    QVBoxLayout,
    QWidget,
)

from petitiondesk import APP_NAME
from petitiondesk.core.models import SITE_BASE
from petitiondesk.core.refs import BadReference, parse_reference
from petitiondesk.gui.chart import SignatureChart
from petitiondesk.gui.detail_pane import DetailPane
from petitiondesk.gui.format import format_relative, format_uk_time
from petitiondesk.gui.watchlist_model import Column, WatchlistModel, WatchRow
from petitiondesk.gui.worker import PinResult, RefreshResult, RefreshService

log = logging.getLogger(__name__)

DAY = 86400.0
EMPTY_HINT = "No petitions on your watchlist yet.\nAdd one by its number or its link on petition.parliament.uk."


def _utc_time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


class AddPetitionDialog(QDialog):
    """Asks for a petition reference and checks it as the user types."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a petition")
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setAccessibleName("Petition number or link")
        self.reference_edit.setPlaceholderText("700123 or https://petition.parliament.uk/petitions/700123")
        self.reference_edit.setMinimumWidth(420)
        self.problem_label = QLabel(self)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        prompt = QLabel("Petition number or link:", self)
        prompt.setBuddy(self.reference_edit)
        layout.addWidget(prompt)
        layout.addWidget(self.reference_edit)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.reference_edit.textChanged.connect(self._check)
        self._check("")

    def reference(self) -> str:
        return self.reference_edit.text().strip()

    @Slot(str)
    def _check(self, text: str) -> None:
        problem = ""
        if text.strip():
            try:
                parse_reference(text)
            except BadReference as error:
                problem = str(error)
        self.problem_label.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()) and not problem)


class MainWindow(QMainWindow):
    def __init__(self, service: RefreshService, store, settings: QSettings, *,
                 clock: Callable[[], float] = time.time, title_suffix: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.store = store  # the GUI thread's own (read) connection
        self.settings = settings
        self.clock = clock
        self.setWindowTitle(APP_NAME + title_suffix)
        self.setObjectName("mainWindow")
        self.model = WatchlistModel(self)
        self._selected_id: int | None = None
        self._shown_petition = None
        self._times = np.empty(0, dtype=np.float64)
        self._counts = np.empty(0, dtype=np.int64)
        self._dropped: set[int] = set()  # unpinned here, not yet confirmed by the worker
        self._next_pass_at: float | None = None  # time.time() of the next scheduled pass
        self._user_pins: set[str] = set()  # references added here, selected once they arrive
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
        self.table.setObjectName("watchlistTable")
        self.table.setAccessibleName("Watched petitions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the watchlist's own order
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
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

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.filter_edit)
        left_layout.addWidget(self.list_stack, 1)

        self.chart = SignatureChart(self)
        self.chart.clock = self.clock
        self.detail = DetailPane(self)

        self.right_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.right_splitter.setObjectName("rightSplitter")
        self.right_splitter.addWidget(self.chart)
        self.right_splitter.addWidget(self.detail)
        self.right_splitter.setSizes([320, 380])
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(left)
        self.main_splitter.addWidget(self.right_splitter)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.main_splitter)
        self._default_size()
        self.model.rowsInserted.connect(self._update_empty_state)
        self.model.rowsRemoved.connect(self._update_empty_state)
        self.model.modelReset.connect(self._update_empty_state)

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
        self.add_action = self._action("&Add Petition…", self.show_add_dialog, keys.New,
                                       "Watch another petition")
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

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.add_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.find_action)
        edit_menu.addAction(self.copy_link_action)
        edit_menu.addAction(self.remove_action)
        view_menu = menus.addMenu("&View")
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
        self._update_selection_actions()

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
        service.failed.connect(self._on_failed)

    # --- user actions ---------------------------------------------------------------------------

    @Slot()
    def refresh_now(self) -> None:
        self.service.refresh_now(force=True)
        self.status_label.setText("Refreshing…")

    @Slot()
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    @Slot()
    def _leave_filter(self) -> None:
        self.filter_edit.clear()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def show_add_dialog(self) -> None:
        dialog = AddPetitionDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_petition(dialog.reference())

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
            self._times, self._counts = np.empty(0, np.float64), np.empty(0, np.int64)
            self._shown_petition = None
            self.chart.set_petition(None, self._times, self._counts)
            self.detail.show_petition(None)
            return
        record = self.model.watch_row(petition_id)
        petition = record.petition if record else None
        self._times, self._counts = self._read(lambda: self.store.samples(petition_id),
                                               (np.empty(0, np.float64), np.empty(0, np.int64)))
        self._shown_petition = petition
        self.chart.set_petition(petition, self._times, self._counts)
        self.detail.show_petition(petition, constituency_baseline=self._baseline(petition_id))

    def _baseline(self, petition_id: int) -> dict[str, int] | None:
        snapshot = self._read(lambda: self.store.constituency_counts_at(petition_id, self.clock() - DAY), None)
        return snapshot[1] if snapshot else None

    def _refresh_selected(self) -> None:
        """New samples or a new document for the shown petition, without moving the user's view."""
        petition_id = self._selected_id
        if petition_id is None:
            return
        record = self.model.watch_row(petition_id)
        if record is None:
            return
        times, counts = self._new_samples(petition_id)
        if not np.array_equal(times, self._times) or not np.array_equal(counts, self._counts):
            self._times, self._counts = times, counts
            self.chart.update_samples(times, counts)
        if record.petition is not None and record.petition != self._shown_petition:
            if self._shown_petition is None:  # its first document: thresholds and closing date
                self.chart.set_petition(record.petition, self._times, self._counts)
            self._shown_petition = record.petition
            self.detail.show_petition(record.petition, constituency_baseline=self._baseline(petition_id))

    def _new_samples(self, petition_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The shown samples with what was recorded since; only the newest stored row can change."""
        if not self._times.size:
            return self._read(lambda: self.store.samples(petition_id), (self._times, self._counts))
        fresh_t, fresh_c = self._read(lambda: self.store.samples(petition_id, since=float(self._times[-1])),
                                      (self._times, self._counts))
        if not fresh_t.size:
            return self._times, self._counts
        keep = self._times < fresh_t[0]
        return np.concatenate([self._times[keep], fresh_t]), np.concatenate([self._counts[keep], fresh_c])

    def _read(self, query, fallback):
        """A read of the GUI's store; a failure is shown in the status bar, never raised."""
        try:
            return query()
        except Exception as error:
            log.exception("reading the database failed")
            self.status_label.setText(f"Cannot read the database: {error}")
            return fallback

    def _update_selection_actions(self) -> None:
        has_row = self.current_row() is not None
        for action in (self.remove_action, self.open_web_action, self.copy_link_action):
            action.setEnabled(has_row)

    @Slot(QPoint)
    def _show_context_menu(self, position: QPoint) -> None:
        if not self.table.indexAt(position).isValid():
            return
        menu = QMenu(self)
        menu.addAction(self.open_web_action)
        menu.addAction(self.copy_link_action)
        menu.addAction(self.refresh_action)
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
        self.service.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)


def _web_url(row: WatchRow) -> str:
    return row.petition.web_url if row.petition else f"{SITE_BASE}/petitions/{row.petition_id}"
