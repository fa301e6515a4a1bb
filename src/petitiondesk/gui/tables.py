"""How the app's petition lists look and behave: one place for the watchlist and the browse view."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QTableView


def set_up_petition_table(table: QTableView, object_name: str, accessible_name: str, model) -> None:
    """Whole-row selection, sorting done by the model (starting in its own order), one line per row."""
    table.setObjectName(object_name)
    table.setAccessibleName(accessible_name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setTabKeyNavigation(False)  # Tab leaves the list for the next pane instead of walking cells
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # no column: the list's own order
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().setVisible(False)


def copy_petitions(petitions: Iterable[tuple[str, str]]) -> bool:
    """Ctrl+C in every list: each petition's title with its link on the next line, a blank line
    between petitions; False when there is none."""
    text = "\n\n".join(f"{title}\n{url}" for title, url in petitions)
    if text:
        QGuiApplication.clipboard().setText(text)
    return bool(text)


def open_web_page(url: str) -> str:
    """Open a petition's page in the browser: "" when opened, else one line saying why not (with
    the address, so the user can copy it). Only http(s) addresses are opened."""
    address = QUrl(url.strip())
    if address.scheme() not in ("http", "https"):
        return f"Not a web address, so it was not opened: {url}"
    if not QDesktopServices.openUrl(address):
        return f"No web browser could be opened; the address is {url}"
    return ""
