"""The main window: the watchlist (or the browse view) beside the selected petition's graph and details.

The window wires the parts together and never touches the network or the database: it asks the
`RefreshService` for refreshes, pins, unpins, reorders, imports and exports, and applies its
results to the `WatchlistModel` in place. The `WatchlistView` is the list pane, the `BrowseView`
the find-and-pin pane, and the `PetitionPresenter` shows the selected petition (graph, details,
related petitions), read in the data reader's thread. While browsing, the result the selection
rests on is previewed there instead, fetched by the browse service without pinning it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTabWidget, QWidget

from petitiondesk import APP_NAME
from petitiondesk.core.watch_rows import WatchRow
from petitiondesk.gui import window_state
from petitiondesk.gui.add_dialog import AddPetitionsDialog, waiting_text
from petitiondesk.gui.browse_preview import BrowsePreview
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.browse_view import BrowseView
from petitiondesk.gui.data_reader import DataReaderService
from petitiondesk.gui.export_actions import ExportActions
from petitiondesk.gui.first_paint import OnFirstPaint
from petitiondesk.gui.petition_presenter import PetitionPresenter
from petitiondesk.gui.preferences import Preferences
from petitiondesk.gui.service import BackgroundService, stop_all
from petitiondesk.gui.status_bar import STARTING, StatusBar, refresh_status_text
from petitiondesk.gui.tables import copy_petitions, open_web_page
from petitiondesk.gui.watchlist_edits import WatchlistEdits
from petitiondesk.gui.watchlist_files import WatchlistFiles
from petitiondesk.gui.watchlist_model import WatchlistModel
from petitiondesk.gui.watchlist_view import WatchlistView
from petitiondesk.gui.window_actions import WindowActions
from petitiondesk.gui.window_pins import WindowPins
from petitiondesk.gui.window_preferences import WindowPreferences
from petitiondesk.gui.worker import RefreshResult, RefreshService

if TYPE_CHECKING:
    from petitiondesk.gui.window_alerts import WindowAlerts

log = logging.getLogger(__name__)

WATCHLIST_TAB, BROWSE_TAB = 0, 1
#: What is not on screen at start is built once the rows are painted, or this long after the first paint.
LATER_PARTS_AT_LATEST_MS = 2000


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
        self.settings = settings
        self.preferences = Preferences(settings, self)
        self.clock = clock
        self.last_refresh: RefreshResult | None = None  # its words are said again when the zone changes
        # Qt adds the application's name to a title that does not end with it: say it once.
        self.setWindowTitle(f"{title_suffix.strip(' —-')} — {APP_NAME}" if title_suffix.strip() else APP_NAME)
        self.setObjectName("mainWindow")
        self.model = WatchlistModel(self)
        self.edits = WatchlistEdits(self.model, service, self.pin_petition, lambda text: self.status.say(text), self)
        self._closed = False

        self.pins = WindowPins(self)
        self._build_panes()
        self.preview = BrowsePreview(self)
        self.browse.preview_requested.connect(self.preview.show)
        self.left_tabs.currentChanged.connect(self.preview.tab_changed)
        self.status: StatusBar = StatusBar(self, lambda: self.service.is_refreshing)
        self.status_label, self.progress, self.next_label = self.status.label, self.status.progress, \
            self.status.next_label
        self.files: WatchlistFiles = WatchlistFiles(self, service, settings, self.status.say, self.model.upsert)
        self.menu_actions = WindowActions(self)
        self.exports: ExportActions = self.menu_actions.exports
        self.status.undo_button.clicked.connect(self.undo_remove)
        self.watchlist.hint.connect(self.status.flash)
        self.edits.undo_available.connect(self.status.offer_undo)
        self.edits.undo_available.connect(self.menu_actions.undo_action.setEnabled)
        self._connect_service()
        self._alerts: WindowAlerts | None = None
        self._later_parts_built = False
        OnFirstPaint(self, self._after_first_paint)
        self.menu_actions.view_menu.aboutToShow.connect(self._build_later_parts)  # its Alerts entry
        window_state.restore(self, self.settings)
        self.applied_preferences: WindowPreferences = WindowPreferences(self, self.preferences)
        self.table.setFocus()  # keyboard users start in the list

    # --- construction ---------------------------------------------------------------------------

    def _build_panes(self) -> None:
        self._build_left_tabs()
        self._build_petition_side()
        self.main_splitter = self._splitter("mainSplitter", Qt.Orientation.Horizontal, self.left_tabs,
                                            self.right_splitter)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.main_splitter)
        window_state.default_size(self)

    def _build_left_tabs(self) -> None:
        """The watchlist and the browse view, as tabs."""
        # Made first, so that Tab goes: these tabs, the filter, the list, then on to the graph.
        self.left_tabs = QTabWidget(self)
        self.watchlist = WatchlistView(self.model, self)
        # The parts the tests, the bench and the app reach through the window.
        self.table, self.filter_edit, self.list_stack = self.watchlist.table, self.watchlist.filter_edit, \
            self.watchlist.list_stack
        self.watchlist.current_changed.connect(self._on_current_changed)
        self.watchlist.add_requested.connect(self.show_add_dialog)
        self.watchlist.links_dropped.connect(self.add_text)
        self.watchlist.open_requested.connect(self.open_on_website)
        self.model.watched_changed.connect(self._share_pinned)

        self.browse = BrowseView(self.browse_service, self)
        self.browse.pin_requested.connect(self.pin_petition)
        self.browse.message.connect(lambda text: self.status.answer(text))
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.setAccessibleName("Watchlist or browse")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(self.watchlist, "&Watchlist")
        self.left_tabs.addTab(self.browse, "&Browse and Search")
        self.left_tabs.setTabToolTip(BROWSE_TAB, "Find petitions on the site and pin them")
        self.left_tabs.tabBar().setAccessibleName("Watchlist or browse")

    def _build_petition_side(self) -> None:
        """The selected petition: its graph over tabs of details (overview, response and debate,
        signatures with the map, related petitions); the splitter between them gives either room."""
        self.presenter = PetitionPresenter(self.reader, self.browse_service, self.model.watch_row,
                                           clock=self.clock, parent=self)
        self.chart, self.detail, self.related = self.presenter.chart, self.presenter.detail, self.presenter.related
        self.presenter.selection_loaded.connect(self.selection_loaded)
        self.presenter.selection_loaded.connect(self._on_selection_loaded)
        self.presenter.read_failed.connect(lambda text: self.status.say(text))
        self.related.pin_requested.connect(self.pin_petition)
        self.detail.link_failed.connect(lambda text: self.status.answer(text))
        self.detail.tabs.addTab(self.related, "Re&lated")
        self.detail.tabs.setTabToolTip(self.detail.tabs.count() - 1,
                                       "Petitions on the same topics, or with similar titles")

        self.right_splitter: QSplitter = self._splitter("rightSplitter", Qt.Orientation.Vertical,
                                                        self.chart, self.detail)
        self.right_splitter.setStretchFactor(0, 1)
        self.right_splitter.setStretchFactor(1, 1)
        self.right_splitter.setSizes([340, 420])

    @property
    def alerts(self) -> WindowAlerts:
        """The Alerts dock, the tray, notifications: built once the rows are painted (or when first needed,
        e.g. starting minimised to the tray); nothing is alerted before the first pass anyway."""
        return self._alerts or self._build_alerts()

    def _build_alerts(self) -> WindowAlerts:
        from petitiondesk.gui.window_alerts import WindowAlerts

        self._alerts = WindowAlerts(self, self.service, self.show_petition, self.settings, say=self.status.answer)
        self.menu_actions.add_view_action(self._alerts.dock.toggleViewAction())
        return self._alerts

    @Slot()
    def _after_first_paint(self) -> None:
        # The graph's plot (pyqtgraph) now: the list was not kept waiting for it.
        self.chart.ensure_plot()
        QTimer.singleShot(LATER_PARTS_AT_LATEST_MS, self._build_later_parts)

    @Slot()
    def _build_later_parts(self) -> None:
        """What is not on screen at start, once (see `LATER_PARTS_AT_LATEST_MS`)."""
        if self._later_parts_built or self._closed:
            return
        self._later_parts_built = True
        if self._alerts is None:  # else built already, when first needed
            self._build_alerts()
        # The Signatures tab on a turn of its own, before the first refresh brings breakdowns:
        # built then, it held the window 20-80 ms as the first document arrived.
        QTimer.singleShot(0, self.detail.build_signatures_tab)

    def _splitter(self, name: str, orientation: Qt.Orientation, *widgets: QWidget) -> QSplitter:
        splitter = QSplitter(orientation, self)
        splitter.setObjectName(name)
        for widget in widgets:
            splitter.addWidget(widget)
        return splitter

    def _connect_service(self) -> None:
        service = self.service
        service.rows_loaded.connect(self._on_rows_loaded)
        self.reader.rows_read.connect(self._on_rows_loaded)  # at start-up, before the worker's (see app.py)
        service.refresh_started.connect(self._on_refresh_started)
        service.refresh_progress.connect(self.status.refresh_progress)
        service.refresh_finished.connect(self._on_refresh_finished)
        service.pin_finished.connect(self.pins.on_pin_finished)
        service.import_finished.connect(self.files.import_finished)
        service.export_finished.connect(self.files.export_finished)
        service.failed.connect(self._on_failed)

    # --- user actions ---------------------------------------------------------------------------

    @Slot()
    def refresh_now(self) -> None:
        self.service.refresh_now(force=True)
        self.status.say("Refreshing…")

    @Slot()
    def focus_filter(self) -> None:
        """Find: the watchlist's filter, or the site search when browsing."""
        edit = self.browse.search_edit if self.left_tabs.currentWidget() is self.browse else self.filter_edit
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()

    def show_tab(self, number: int) -> None:
        """0: the watchlist (focus in the list); 1: browse and search (focus in the search box)."""
        self.left_tabs.setCurrentIndex(number)
        if number == WATCHLIST_TAB:
            self.watchlist.focus_list()
        else:
            self.browse.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # Adding: see window_pins (the names stay here for the actions, the app and the tests).
    def add_dialog(self) -> AddPetitionsDialog:
        return self.pins.dialog()

    @Slot()
    def show_add_dialog(self) -> None:
        self.pins.show_dialog()

    @Slot(str)
    def add_text(self, text: str) -> None:
        self.pins.add_text(text)

    @Slot(int, bool)
    def pin_petition(self, petition_id: int, archived: bool = False) -> None:
        self.pins.pin_petition(petition_id, archived)

    def add_petition(self, reference: str) -> None:
        self.pins.add_petition(reference)

    @Slot()
    def remove_selected(self) -> None:
        count = self.edits.remove(self.selected_ids())
        if count:
            noun = "petition" if count == 1 else "petitions"
            self.status.answer(f"Removed {count} {noun} from the watchlist (their history is kept)")

    @Slot()
    def undo_remove(self) -> None:
        """Pin the last removed petitions again, in their places; their recorded history is still there."""
        count = self.edits.undo()
        if count:
            self.status.answer(f"Restored {count} petition{'' if count == 1 else 's'}")

    @Slot()
    def open_on_website(self) -> None:
        row = self.current_row()
        if row is None:
            return
        failure = open_web_page(row.web_url)
        if failure:
            self.status.answer(failure)

    @Slot()
    def copy_link(self) -> None:
        """Ctrl+C: the title and link of each selected petition, as in every list of the app."""
        copy_petitions((row.title, row.web_url) for row in self.watchlist.selected_rows())

    # --- selection ------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        return self.watchlist.selected_ids()

    def current_row(self) -> WatchRow | None:
        return self.watchlist.current_row()

    def select_petition(self, petition_id: int) -> bool:
        return self.watchlist.select_petition(petition_id)

    def show_petition(self, petition_id: int) -> None:
        """Bring a petition into view (from an alert): the watchlist tab, its row selected."""
        self.left_tabs.setCurrentIndex(WATCHLIST_TAB)
        self.select_petition(petition_id)

    def quit(self) -> None:
        """Close for good, even when closing would otherwise keep recording in the tray."""
        if self._alerts is not None:  # without them, closing closes
            self._alerts.let_close()
        self.close()

    @property
    def is_reading(self) -> bool:
        return self.presenter.is_reading

    def chart_sample_count(self) -> int:
        return int(self.presenter.times.size)

    @Slot(object)
    def _on_current_changed(self, petition_id: int | None) -> None:
        if self.preview.previewing is None or self.left_tabs.currentWidget() is not self.browse:
            self.presenter.show_petition(petition_id)  # a Browse preview keeps the right-hand side
            if petition_id is not None:
                self.service.want_document(petition_id)  # an old document is fetched soon
        self.menu_actions.update_enabled()

    @Slot()
    def _share_pinned(self) -> None:
        """Mark what is pinned in the browse list and the related panel."""
        pinned = self.model.petition_ids()
        self.browse.set_pinned(pinned)
        self.related.set_pinned(pinned)

    # --- results from the worker ----------------------------------------------------------------

    @Slot(object)
    def _on_rows_loaded(self, rows) -> None:
        """The stored rows: the reader's at start-up (estimates pending; None: unreadable), then the worker's."""
        kept = [row for row in rows or () if not self.edits.is_dropped(row.petition_id)]
        if not self._later_parts_built:
            OnFirstPaint(self, self._build_later_parts)  # on the turn after these rows are painted
        if rows is None or self.model.petition_ids():  # on show already: in place, the selection stays
            self.model.upsert(kept)
            return
        self.model.load(kept)
        wanted = self.settings.value("selectedPetition")
        if wanted is not None and self.presenter.selected_id is None:
            try:
                self.select_petition(int(wanted))
            except (TypeError, ValueError):
                pass
        if self.presenter.selected_id is None and self.model.rowCount():
            self.table.selectRow(0)
        if self.status.text() == STARTING:
            self.status.say("Watchlist loaded")
        # Now, not behind the selected petition's graph and details: their answer, queued meanwhile, goes first.
        self.table.viewport().repaint()

    @Slot()
    def _on_refresh_started(self) -> None:
        self.status.refresh_started()

    @Slot(object)
    def _on_refresh_finished(self, result: RefreshResult) -> None:
        if result.watched or result.error is None:  # unpinned elsewhere (the command line, say)
            self.model.remove(set(self.model.petition_ids()) - set(result.watched) - self.edits.restoring())
        self.model.upsert(row for row in result.rows if not self.edits.is_dropped(row.petition_id))
        self.last_refresh = result
        self.status.say(refresh_status_text(result, self.model.problem_count(), self.clock()))
        self.status.refresh_finished(result.next_pass_in)
        self.presenter.refresh_selected()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.progress.hide()
        self.status.say(message)
        self.model.upsert(replace(row, problem="offline", problem_detail=message) for row in self.model.rows())

    @Slot(int)
    def _on_selection_loaded(self, petition_id: int) -> None:
        """One current count everywhere; a petition without its details says why, not "Select…"."""
        presenter = self.presenter
        newest = int(presenter.counts[-1]) if presenter.counts.size else None
        self.detail.set_current_count(petition_id, newest)
        if presenter.shown_petition is None:
            self.detail.show_placeholder(waiting_text(petition_id, self.model.watch_row(petition_id)))

    # --- state across sessions ------------------------------------------------------------------

    def save_state(self) -> None:
        window_state.save(self, self.settings)

    @Slot()
    def shut_down(self) -> None:
        """Save the layout and stop the worker (once): on close, and on quit by any other route."""
        if self._closed:
            return
        self._closed = True
        self.save_state()
        self.status.countdown.stop()
        self.status.say("Stopping…")
        self.presenter.stop()
        opened: list[Any] = [child for child in self.findChildren(QMainWindow)  # comparisons stop with this window
                             if isinstance(getattr(child, "service", None), BackgroundService)]
        services = (self.reader, self.browse_service, self.service, *(window.service for window in opened))
        for service in services:
            service.stop()  # all of them first: requests aborted, nothing waits behind another
        for writing in (self.exports, *opened):
            writing.wait_for_writers()  # a file being saved is finished, not cut off
        stop_all(services)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)


def _application() -> QApplication:
    """The running QApplication (a window exists only inside one)."""
    return cast(QApplication, QApplication.instance())
