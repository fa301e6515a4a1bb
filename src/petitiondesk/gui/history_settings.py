"""Preferences > History: recording every open petition, forgetting, the history's size, backups.

Importing this module registers the settings and the page. The window passes the chosen options
to the refresh service at start (`site_history_options`) and whenever they change
(`follow_preferences`); the recorder itself is in core (`Refresher`, `core/site_history.py`).
The page's figures and the backup are read and written on short-lived threads, each with its own
read-only connection, never on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from petitiondesk.core.site_history import DEFAULT_INTERVAL, SiteHistoryOptions
from petitiondesk.gui.preferences import Preference, Preferences, register, register_page

log = logging.getLogger(__name__)

SECTION = "History"
RECORD_ALL = "history/recordEveryOpenPetition"
RECORD_MINUTES = "history/everyOpenPetitionMinutes"
FORGET_DAYS = "history/forgetNeverPinnedAfterDays"
KEYS = (RECORD_ALL, RECORD_MINUTES, FORGET_DAYS)

register(Preference(
    RECORD_ALL, "Record &every open petition", SECTION, True,
    help="The site keeps no history. One request records them all, so a petition you pin later "
         "already has its curve."))
register(Preference(
    RECORD_MINUTES, "Record them e&very", SECTION, int(DEFAULT_INTERVAL // 60), minimum=1, maximum=1440,
    suffix=" min", help="Pinned petitions are checked more often (General)."))
register(Preference(
    FORGET_DAYS, "&Forget petitions never pinned after", SECTION, 0, minimum=0, maximum=3650, suffix=" days",
    help="Their older counts are deleted as new ones are recorded. 0 keeps everything."))


def site_history_options(preferences: Preferences) -> SiteHistoryOptions:
    return SiteHistoryOptions(enabled=bool(preferences.value(RECORD_ALL)),
                              interval=60.0 * int(preferences.value(RECORD_MINUTES)),
                              forget_after_days=int(preferences.value(FORGET_DAYS)))


def follow_preferences(preferences: Preferences, service) -> None:
    """Pass the options on to the refresh service each time one of them changes."""

    def changed(key: str) -> None:
        if key in KEYS:
            service.set_site_history(site_history_options(preferences))

    preferences.changed.connect(changed)


class _Relay(QObject):
    """Carries a background job's answer to the GUI thread. Made there, and kept alive there until
    its answer has been delivered, so that it is never destroyed by the job's thread."""

    done = Signal(object, str)  # the result, or an error message
    waiting: set[_Relay] = set()

    @Slot(object, str)
    def finish(self, *_answer) -> None:
        _Relay.waiting.discard(self)
        self.deleteLater()


def run_off_the_gui_thread(name: str, job: Callable[[], object], answer: Callable[[object, str], None]) -> None:
    """Run `job()` on a short-lived thread; `answer(result, error)` then runs on the GUI thread,
    unless the widget it belongs to has gone meanwhile (Qt drops a signal to a deleted receiver)."""
    relay = _Relay()
    _Relay.waiting.add(relay)
    relay.done.connect(answer)
    relay.done.connect(relay.finish)

    def run() -> None:
        try:
            result, error = job(), ""
        except Exception as exc:  # a StoreError (a full disk...), or anything else: said, not raised
            log.warning("%s failed: %s", name, exc)
            result, error = None, str(exc) or type(exc).__name__
        relay.done.emit(result, error)

    threading.Thread(target=run, name=name, daemon=True).start()


class HistoryPage(QWidget):
    """The history's size, and "Back up data…"."""

    def __init__(self, dialog: QWidget) -> None:
        super().__init__(dialog)
        self.database = _database_of(dialog)
        self.usage_label = QLabel("Measuring the recorded history…", self)
        self.usage_label.setObjectName("historyUsage")
        self.usage_label.setWordWrap(True)
        self.usage_label.setTextFormat(Qt.TextFormat.PlainText)
        # Room for the figures from the start: the dialog does not grow when the answer arrives.
        self.usage_label.setMinimumHeight(self.usage_label.fontMetrics().lineSpacing() * 3)
        self.backup_button = QPushButton("&Back Up Data…", self)
        self.backup_button.setToolTip("Write a copy of everything PetitionDesk has recorded to a file of your choice")
        self.backup_button.clicked.connect(self.choose_backup_file)
        self.backup_label = QLabel("", self)
        self.backup_label.setObjectName("backupResult")
        self.backup_label.setWordWrap(True)
        self.backup_label.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.backup_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.usage_label)
        layout.addLayout(row)
        if self.database is None:
            self.usage_label.setText("No database is open.")
            self.backup_button.setEnabled(False)
        else:
            self.measure()

    def measure(self) -> None:
        database = self.database
        run_off_the_gui_thread("history-usage", lambda: _usage_words(database), self._show_usage)

    def choose_backup_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = Path(folder or Path.home()) / f"petitiondesk-backup-{date.today().isoformat()}.sqlite3"
        path, _ = QFileDialog.getSaveFileName(self, "Back Up Data", str(suggested),
                                              "PetitionDesk data (*.sqlite3);;All files (*)")
        if path:
            self.back_up_to(Path(path))

    def back_up_to(self, target: Path) -> None:
        """Write the copy off the GUI thread; the page says when it is done, or why it failed."""
        database = self.database
        self.backup_button.setEnabled(False)
        self.backup_label.setText(f"Backing up to {target}…")
        run_off_the_gui_thread("history-backup", lambda: _back_up(database, target), self._backed_up)

    @Slot(object, str)
    def _show_usage(self, words, error: str) -> None:
        self.usage_label.setText(words if not error else f"Cannot measure the recorded history: {error}")

    @Slot(object, str)
    def _backed_up(self, target, error: str) -> None:
        self.backup_button.setEnabled(True)
        if error:
            self.backup_label.setText("The backup failed.")
            QMessageBox.warning(self, "Back Up Data", error)
            return
        self.backup_label.setText(f"Backed up to {target}.")


def _database_of(dialog: QWidget) -> Path | None:
    """The database the dialog was given, else that of the window it belongs to (MainWindow.database)."""
    given = getattr(dialog, "database", None) or getattr(dialog.parentWidget(), "database", None)
    return Path(given) if given is not None else None


def _usage_words(database: Path) -> str:
    from petitiondesk.core.site_history import describe_usage
    from petitiondesk.core.store import Store

    with Store.open(database, readonly=True) as store:
        return describe_usage(store.history_usage())


def _back_up(database: Path, target: Path) -> Path:
    from petitiondesk.core.store import Store

    with Store.open(database, readonly=True) as store:
        store.back_up_to(target)
    return target


register_page(SECTION, HistoryPage)
