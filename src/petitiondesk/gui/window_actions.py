"""The main window's actions, menus, toolbar, context menus and pane keys (F6, Shift+F6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

from petitiondesk import APP_NAME
from petitiondesk.gui.export_actions import ExportActions
from petitiondesk.gui.watchlist_model import Column
from petitiondesk.gui.watchlist_view import MY_ORDER

if TYPE_CHECKING:
    from petitiondesk.gui.main_window import MainWindow

_SORTABLE = (Column.TITLE, Column.STATE, Column.SIGNATURES, Column.CHANGE, Column.CLOSING, Column.UPDATED,
             Column.PROBLEM)


class WindowActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._build_actions()
        self.exports = ExportActions(window, window.chart, window.settings, window.presenter.export_subject)
        self.exports.export_finished.connect(lambda message, _path: window.status.flash(message))
        window.presenter.shown_changed.connect(self.update_enabled)
        window.chart.context_menu_requested.connect(self._show_chart_menu)
        window.watchlist.context_menu_requested.connect(self._show_row_menu)
        self._build_menus()
        self._build_toolbar()
        self._build_pane_keys()
        self._on_sorted()

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    # Help and printing are imported when first used, not before the window's first paint.
    def _show_shortcuts(self) -> None:
        from petitiondesk.gui.help import open_shortcuts

        open_shortcuts(self.window)

    def _show_about(self) -> None:
        from petitiondesk.gui.help import show_about

        show_about(self.window)

    def _print(self, *, preview: bool) -> None:
        from petitiondesk.gui.printing import print_shown

        print_shown(self.window, preview=preview)

    def _list_action(self, action: QAction) -> QAction:
        """A key that belongs to the list: in a text box the same key edits text."""
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.window.table.addAction(action)
        return action

    def _build_actions(self) -> None:
        w, keys = self.window, QKeySequence.StandardKey
        self.add_action = self._action("&Add Petitions…", w.show_add_dialog, keys.New,
                                       "Watch petitions by their numbers or links")
        self.import_action = self._action("&Import Watchlist…", w.files.import_watchlist, None,
                                          "Add the petitions of a watchlist file or any text with petition links")
        self.export_action = self._action("&Export Watchlist…", w.files.export_watchlist, None,
                                          "Save the watchlist as a JSON file or a list of links")
        self.paste_action = self._list_action(self._action(
            "&Paste Petition Links", w.watchlist.drop_target.paste, keys.Paste,
            "Add the petitions whose links are on the clipboard"))
        self.watchlist_action = self._action("&Watchlist", lambda: w.show_tab(0), "Ctrl+1", "Show the watchlist")
        self.browse_action = self._action("&Browse and Search", lambda: w.show_tab(1), "Ctrl+2",
                                          "Find petitions on the site and pin them")
        self.remove_action = self._list_action(self._action(
            "&Remove from Watchlist", w.remove_selected, keys.Delete, "Stop watching the selected petitions"))
        self.undo_action = self._action("&Undo Remove", w.undo_remove, keys.Undo,
                                        "Put the petitions just removed back in their places")
        self.undo_action.setEnabled(False)
        self.refresh_action = self._action("&Refresh Now", w.refresh_now, keys.Refresh, "Fetch the latest counts now")
        refresh_keys = QKeySequence.keyBindings(keys.Refresh)
        if QKeySequence("F5") not in refresh_keys:
            refresh_keys.append(QKeySequence("F5"))
        self.refresh_action.setShortcuts(refresh_keys)
        self.find_action = self._action("&Find…", w.focus_filter, keys.Find, "Filter the watchlist")
        self.quit_action = self._action("&Quit", w.quit, keys.Quit, f"Quit {APP_NAME}")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.open_web_action = self._action("&Open on the Website", w.open_on_website, "Ctrl+Shift+O",
                                            "Open the petition's page in your browser")
        self.copy_link_action = self._list_action(self._action(
            "&Copy Title and Link", w.copy_link, keys.Copy, "Copy the petitions' titles and web addresses"))
        # Off while sorted; the list's own key handling then says why (WatchlistTable).
        self.move_up_action = self._list_action(self._action(
            "Move &Up", lambda: w.watchlist.move_selected(-1), "Ctrl+Shift+Up",
            "Move the selected petitions up, in my order"))
        self.move_down_action = self._list_action(self._action(
            "Move &Down", lambda: w.watchlist.move_selected(1), "Ctrl+Shift+Down",
            "Move the selected petitions down, in my order"))
        self.fit_action = self._action("&Fit Graph", w.chart.fit, "Ctrl+0", "Show every recorded sample")
        self.log_action = self._action("&Logarithmic Scale", w.chart.set_log_scale, "Ctrl+L",
                                       "Logarithmic signature axis")
        self.log_action.setCheckable(True)
        w.chart.log_button.toggled.connect(self.log_action.setChecked)
        self.about_action = self._action(f"&About {APP_NAME}", self._show_about, None,
                                         "Version, licences, and the data's Open Government Licence")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.preferences_action = self._action("Pre&ferences…", lambda: w.applied_preferences.show_dialog(),
                                               keys.Preferences,
                                               "Refresh interval, export folder, theme and time zone")
        if QKeySequence("Ctrl+,") not in self.preferences_action.shortcuts():  # no standard key on Linux
            self.preferences_action.setShortcuts([*self.preferences_action.shortcuts(), QKeySequence("Ctrl+,")])
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.shortcuts_action = self._action("&Keyboard Shortcuts", self._show_shortcuts, "F1",
                                             "Every keyboard shortcut of the window")
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+?")])
        self.print_action = self._action("&Print…", lambda: self._print(preview=False), keys.Print,
                                         "Print the petition's graph and details")
        self.print_preview_action = self._action("Print Pre&view…", lambda: self._print(preview=True), None,
                                                 "See the printed pages of the graph and details")
        self.compare_action = self._action("Co&mpare…", self.compare_selected, "Ctrl+M",
                                           "Show the selected petitions on one chart")
        self._build_sort_actions()

    def _build_sort_actions(self) -> None:
        """View > Sort by: My order, or a column; kept in step with header clicks."""
        self.sort_group = QActionGroup(self.window)
        self.sort_actions: dict[int, QAction] = {}
        for column in (-1, *_SORTABLE):
            text = MY_ORDER if column < 0 else (Column.HEADERS[column] or "Problems")
            action = QAction(f"&{text}", self.window, checkable=True)
            action.triggered.connect(lambda _checked, c=column: self.window.watchlist.sort_by(c))
            self.sort_group.addAction(action)
            self.sort_actions[column] = action
        self.sort_actions[-1].setStatusTip("The order you gave the petitions (drag them, or Ctrl+Shift+Up/Down)")
        header = self.window.table.horizontalHeader()
        header.sortIndicatorChanged.connect(self._on_sorted)

    @Slot()
    def _on_sorted(self, *args) -> None:
        self.sort_actions.get(self.window.watchlist.sort_column(), self.sort_actions[-1]).setChecked(True)
        self.update_enabled()

    def _build_menus(self) -> None:
        menus = self.window.menuBar()
        file_menu = menus.addMenu("&File")
        _add(file_menu, self.add_action, None, self.import_action, self.export_action, None)
        file_menu.addMenu(self.exports.menu(self.window)).setText("Export Chart and &Data")
        _add(file_menu, None, self.print_preview_action, self.print_action, None, self.quit_action)
        _add(menus.addMenu("&Edit"), self.undo_action, None, self.paste_action, self.find_action,
             self.copy_link_action, self.remove_action, None, self.move_up_action, self.move_down_action,
             None, self.compare_action, None, self.preferences_action)
        self.view_menu = view_menu = menus.addMenu("&View")
        _add(view_menu, self.watchlist_action, self.browse_action, None)
        sort_menu = view_menu.addMenu("&Sort by")
        _add(sort_menu, self.sort_actions[-1], None, *(self.sort_actions[c] for c in _SORTABLE))
        self.columns_menu = view_menu.addMenu("&Columns")  # the watchlist's, as its header's context menu
        watchlist = self.window.watchlist
        watchlist.fill_column_menu(self.columns_menu)  # and again as it opens: the header may have changed
        self.columns_menu.aboutToShow.connect(lambda: watchlist.fill_column_menu(self.columns_menu))
        _add(view_menu, None, self.refresh_action, None, self.fit_action, self.log_action)
        _add(menus.addMenu("&Petition"), self.open_web_action, self.copy_link_action, self.remove_action,
             None, self.compare_action)
        _add(menus.addMenu("&Help"), self.shortcuts_action, None, self.about_action)

    def add_view_action(self, action) -> None:
        """An extra View menu entry (the Alerts dock's show/hide)."""
        self.view_menu.addAction(action)

    def _build_toolbar(self) -> None:
        toolbar = self.window.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        _add(toolbar, self.add_action, self.refresh_action, None, self.exports.export_image_action,
             self.exports.copy_image_action, self.exports.export_history_action)

    def _build_pane_keys(self) -> None:
        """F6 and Shift+F6 go round the panes: the list, the graph, the details (related is one of their tabs)."""
        for key, step in (("F6", 1), ("Shift+F6", -1)):
            shortcut = QShortcut(QKeySequence(key), self.window)
            shortcut.activated.connect(lambda s=step: self.cycle_panes(s))

    def panes(self) -> list[QWidget]:
        w = self.window
        return [w.left_tabs.currentWidget(), w.chart, w.detail]

    def cycle_panes(self, step: int) -> QWidget | None:
        """Focus the next (or previous) pane that can take it; returns it."""
        panes = self.panes()
        focus = self.window.focusWidget()  # the window's, even while another window is active
        here = next((i for i, pane in enumerate(panes) if focus is pane or pane.isAncestorOf(focus)), -1) \
            if focus is not None else -1
        for turn in range(1, len(panes) + 1):
            pane = panes[(here + step * turn) % len(panes)]
            if _focus_first(pane):
                return pane
        return None

    def update_enabled(self) -> None:
        w = self.window
        has_row = w.current_row() is not None
        for action in (self.remove_action, self.open_web_action, self.copy_link_action):
            action.setEnabled(has_row)
        printable = w.presenter.export_subject() is not None and w.presenter.times.size > 0
        self.print_action.setEnabled(printable)
        self.print_preview_action.setEnabled(printable)
        movable = has_row and w.model.can_reorder()
        self.move_up_action.setEnabled(movable)
        self.move_down_action.setEnabled(movable)
        self.exports.update_enabled()

    @Slot(QPoint)
    def _show_row_menu(self, position: QPoint) -> None:
        menu = QMenu(self.window)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _add(menu, self.open_web_action, self.copy_link_action, self.refresh_action, self.exports.export_image_action,
             None, self.move_up_action, self.move_down_action, None, self.compare_action, None, self.remove_action)
        menu.popup(position)

    @Slot(QPoint)
    def _show_chart_menu(self, position: QPoint) -> None:  # global
        menu = QMenu(self.window)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _add(menu, *self.exports.all_actions[:4], None, self.fit_action, self.log_action)
        menu.popup(position)

    @Slot()
    def compare_selected(self):
        """The selected petitions on one chart, in a window of their own (empty: add them there)."""
        from petitiondesk.gui.compare_window import open_comparison

        return open_comparison(self.window, self.window.selected_ids())


def _add(menu, *actions: QAction | None) -> None:
    """Actions in order; None is a separator."""
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)


def _focus_first(pane: QWidget) -> bool:
    """Focus the pane, or its list if it has one, or its first visible child that takes keyboard focus."""
    children = pane.findChildren(QWidget)
    lists = [child for child in children if isinstance(child, QAbstractItemView)]
    for widget in (pane, *lists, *children):
        if widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
    return False
