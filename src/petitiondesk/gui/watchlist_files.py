"""Importing and exporting the watchlist as a file: the dialogs, and what the worker's answers say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from petitiondesk.gui.worker import ExportResult, ImportResult, RefreshService

IMPORT_FILTERS = "Watchlists and text (*.json *.txt);;All files (*)"
EXPORT_FILTERS = "PetitionDesk watchlist (*.json);;Links, one a line (*.txt)"
FOLDER_KEY = "watchlistFolder"


def warn(parent: QWidget, title: str, text: str) -> None:
    """A warning that does not block the window; text from files or the network stays plain."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class WatchlistFiles:
    """File > Import Watchlist and Export Watchlist; `say` puts a line in the status bar."""

    def __init__(self, window: QWidget, service: RefreshService, settings: QSettings,
                 say: Callable[[str], None], upsert: Callable[[tuple], object]) -> None:
        self.window = window
        self.service = service
        self.settings = settings
        self.say = say
        self.upsert = upsert  # the rows an import added, into the watchlist

    @Slot()
    def import_watchlist(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import a watchlist", self._folder(), IMPORT_FILTERS)
        if path:
            self.settings.setValue(FOLDER_KEY, str(Path(path).parent))
            self.say(f"Importing {Path(path).name}…")
            self.service.import_watchlist(path)

    @Slot()
    def export_watchlist(self) -> None:
        suggested = str(Path(self._folder()) / "petitiondesk-watchlist.json")
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export the watchlist", suggested, EXPORT_FILTERS)
        if not path:
            return
        kind = "text" if chosen.startswith("Links") or Path(path).suffix.lower() == ".txt" else "json"
        if not Path(path).suffix:
            path += ".txt" if kind == "text" else ".json"
        self.settings.setValue(FOLDER_KEY, str(Path(path).parent))
        self.service.export_watchlist(path, kind)

    def _folder(self) -> str:
        """The folder used last, else the user's documents folder (not wherever the app was started)."""
        folder = self.settings.value(FOLDER_KEY)
        if folder:
            return str(folder)
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return documents or str(Path.home())

    @Slot(object)
    def import_finished(self, result: ImportResult) -> None:
        name = Path(result.path).name
        if result.error:
            self.say(f"Nothing was imported from {name}")
            warn(self.window, "Cannot import this watchlist", result.error)
            return
        report = result.report
        self.upsert(result.rows)
        self.say(f"Imported {name}: {report.summary()}")
        box = QMessageBox(QMessageBox.Icon.Information, "Watchlist imported",
                          f"{name}: {report.summary()}.", QMessageBox.StandardButton.Ok, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if report.lines():
            box.setDetailedText("\n".join(report.lines()))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    @Slot(object)
    def export_finished(self, result: ExportResult) -> None:
        name = Path(result.path).name
        if result.error:
            self.say(f"Could not export to {name}")
            warn(self.window, "Cannot export the watchlist", result.error)
            return
        noun = "petition" if result.count == 1 else "petitions"
        self.say(f"Exported {result.count} {noun} to {name}")
