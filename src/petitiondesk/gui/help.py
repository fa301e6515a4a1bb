"""Help menu windows: the keyboard shortcuts, and About (version, licences, the data's licence)."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petitiondesk import APP_NAME, __version__

#: Keys that belong to a widget rather than to a menu action.
WIDGET_KEYS = (
    ("Move between the window's panes", "Tab / Shift+Tab, F6"),
    ("Graph: move through time", "Left / Right, or drag or scroll"),
    ("Graph: zoom time", "+ / −"),
    ("Graph: zoom the counts", "Shift+scroll"),
    ("Graph: fit every sample", "Home"),
    ("Graph: jump to the latest sample", "End"),
    ("Open the selected petition's details", "Enter"),
)

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ABOUT_HTML = """
<h3>{name} {version}</h3>
<p>Watch UK Parliament petitions grow: a watchlist, live signature graphs, government responses and
debates, recorded on your own computer.</p>
<p><b>The data</b> comes from <a href="https://petition.parliament.uk">petition.parliament.uk</a> and
contains public sector information licensed under the
<a href="{ogl}">Open Government Licence v3.0</a>.
{name} is not affiliated with the UK Parliament.</p>
<p><b>Constituency hex maps</b> © 2017- Open Innovations (ODI Leeds), MIT licence.</p>
<p><b>Built with</b> Qt and PySide6 {pyside} (LGPL v3), pyqtgraph (MIT), NumPy (BSD), httpx (BSD),
platformdirs (MIT), on Python {python}.</p>
<p>{name} is free software under the MIT licence.</p>
"""


def action_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(what it does, keys) for every action in the window that has a shortcut, menu order kept."""
    seen: set[str] = set()
    rows = []
    for action in window.findChildren(QAction):
        if _window_of(action) not in (window, None):
            continue  # a window opened from this one has its own keys (a comparison's Esc closes only it)
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        text = action.text().replace("&", "").rstrip("…").strip()
        if not keys or not text or text in seen:
            continue
        seen.add(text)
        rows.append((text, ", ".join(keys)))
    return rows


def _window_of(action: QAction) -> QWidget | None:
    """The window whose menus or widgets hold the action (menus are windows of their own: skipped)."""
    owner = action.parent()
    while isinstance(owner, QMenu):
        owner = owner.parent()
    return owner.window() if isinstance(owner, QWidget) else None


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut, in a table that can itself be read by keyboard and screen reader."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = action_shortcuts(window) + list(WIDGET_KEYS)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 480)

    def rows(self) -> list[tuple[str, str]]:
        return [(self._text(r, 0), self._text(r, 1)) for r in range(self.table.rowCount())]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


def open_shortcuts(window: QWidget) -> ShortcutsDialog:
    """The shortcuts window, open beside the main window (not modal) until closed."""
    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def about_html() -> str:
    return ABOUT_HTML.format(name=APP_NAME, version=__version__, pyside=pyside_version,
                             python=platform.python_version(), ogl=OGL_URL)


def show_about(window: QWidget) -> None:
    box = QMessageBox(window)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setTextFormat(Qt.TextFormat.RichText)  # our own text, never the network's
    box.setText(about_html())
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    box.setIconPixmap(window.windowIcon().pixmap(64, 64))
    box.exec()
