"""The comparison window: petitions on one chart (`CompareView`), saved comparisons, exports.

Nothing here touches the disk or the network on the GUI thread. `CompareService` runs a worker
thread (`gui/service.py`) that reads the petitions' samples and documents through its own
read-only `Store` connection (as `gui/data_reader.py` does), fetches the document of a petition
the store does not know (an archived one added by number or link) with its own client, and keeps
the saved comparisons through a write connection of its own. Exports are drawn here (Qt paints on
the GUI thread) and written by a short-lived thread, atomically.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core import compare
from petitiondesk.core.export import ExportError, atomic_write, iso_utc, write_csv
from petitiondesk.core.refs import BadReference, parse_reference
from petitiondesk.core.store import SavedComparison
from petitiondesk.gui.compare_export import comparison_bytes
from petitiondesk.gui.compare_view import CompareView, buddy_label
from petitiondesk.gui.data_reader import DataReader
from petitiondesk.gui.service import BackgroundService, Generation, describe_error

if TYPE_CHECKING:  # httpx, the client and the store are imported in the worker's thread
    import httpx

    from petitiondesk.core.client import Fetched, PetitionsClient
    from petitiondesk.core.models import Petition
    from petitiondesk.core.scheduler import RequestScheduler
    from petitiondesk.core.store import Store

log = logging.getLogger(__name__)

EXPORT_SIZE = (1600, 900)


# -- what crosses the thread (immutable) -----------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    """The series of one request, in the order asked; `problems` names the petitions left out."""

    generation: int
    series: tuple[compare.Series, ...]
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SavedList:
    """The saved comparisons after a store job; `error` when the job failed (nothing changed)."""

    comparisons: tuple[SavedComparison, ...]
    error: str | None = None
    done: str = ""


@dataclass(frozen=True)
class StoreJob:
    kind: str  # "list", "save", "rename", "delete"
    args: tuple = field(default=())


@dataclass(frozen=True)
class Fetching:
    """Where to fetch a petition the store does not hold: the window's site, pace and transport."""

    api_base: str
    scheduler: RequestScheduler | None = None
    transport: httpx.BaseTransport | None = None


class CompareWorker(DataReader):
    """Lives in the comparison's thread; only its signals leave it. Reads through a `DataReader`'s
    read-only connection (opened on first use; none while there is no database yet)."""

    loaded = Signal(object)  # Loaded
    saved_list = Signal(object)  # SavedList

    def __init__(self, database: Path, latest: Generation, fetching: Fetching | None) -> None:
        super().__init__(Path(database), latest)
        self._fetching = fetching
        self._writer: Store | None = None
        self._client: PetitionsClient | None = None

    @Slot(int, object)
    def load(self, generation: int, petition_ids: tuple[int, ...]) -> None:
        if generation != self._latest.value or self.stopping():
            return  # superseded while queued
        series, problems = [], []
        for pid in petition_ids:
            if self.stopping():
                return
            try:
                one = self._series(pid)
            except Exception as error:  # a damaged file or a bad answer: a message, not a dead thread
                log.exception("reading petition %s for a comparison failed", pid)
                self._close_store()  # reopened on the next read (the file may have been replaced)
                problems.append(f"{pid}: {describe_error(error)}")
                continue
            if isinstance(one, str):
                problems.append(one)
            else:
                series.append(one)
        self.loaded.emit(Loaded(generation, tuple(series), tuple(problems)))

    @Slot(object)
    def run_job(self, job: StoreJob) -> None:
        done = ""
        try:
            store = self._write_store()
            if job.kind == "save":
                store.save_comparison(job.args[0])
                done = f"Saved the comparison “{job.args[0].name}”."
            elif job.kind == "rename":
                store.rename_comparison(*job.args)
                done = f"Renamed “{job.args[0]}” to “{job.args[1]}”."
            elif job.kind == "delete":
                store.delete_comparison(job.args[0])
                done = f"Deleted the comparison “{job.args[0]}”."
            self.saved_list.emit(SavedList(tuple(store.comparisons()), done=done))
        except Exception as error:
            log.warning("saved comparisons: %s failed: %s", job.kind, error)
            listed: tuple[SavedComparison, ...] = ()
            try:
                listed = tuple(self._writer.comparisons()) if self._writer is not None else ()
            except Exception:
                pass
            self.saved_list.emit(SavedList(listed, describe_error(error)))

    def release(self) -> None:
        self._close_store()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # -- in the thread -------------------------------------------------------------------------
    def _series(self, pid: int) -> compare.Series | str:
        fetch = self._fetch if self._fetching is not None else None
        return compare.load_series(pid, self._open(), fetch, self._keep)

    def _fetch(self, pid: int) -> Fetched[Petition]:
        """The petition's document from the site (archived ones through the site's redirect)."""
        if self._client is None:
            config = self._fetching
            self._client = self.new_client(config.api_base, config.scheduler, config.transport)
        with self._client.foreground():
            return self._client.petition(pid)

    def _keep(self, pid: int, raw: bytes) -> None:
        """Store an archived petition's document, so the next opening reads it; a store that cannot
        be written (read-only folder, full disk) only means it is fetched again next time."""
        try:
            self._write_store().save_document(pid, raw, time.time())
        except Exception as error:
            log.warning("keeping archived petition %s for comparisons failed: %s", pid, error)

    def _write_store(self):
        if self._writer is None:
            from petitiondesk.core.store import Store

            self._writer = Store.open(self._database)
        return self._writer


class CompareService(BackgroundService):
    """The window's handle on the comparison's thread; answers come back in the GUI thread."""

    loaded = Signal(object)  # Loaded, only for the newest request
    saved_list = Signal(object)  # SavedList

    _load_requested = Signal(int, object)
    _job_requested = Signal(object)

    def __init__(self, database: Path, fetching: Fetching | None = None, parent: QObject | None = None) -> None:
        latest = Generation()
        worker = CompareWorker(Path(database), latest, fetching)
        super().__init__("petitiondesk-compare", worker, parent)
        self._latest = latest
        self._load_requested.connect(worker.load, Qt.ConnectionType.QueuedConnection)
        self._job_requested.connect(worker.run_job, Qt.ConnectionType.QueuedConnection)
        worker.loaded.connect(self._on_loaded)
        worker.saved_list.connect(self.saved_list)

    def load(self, petition_ids: Sequence[int]) -> None:
        """Read these petitions' series; an earlier request's answer will be dropped."""
        if self.is_stopped:
            return
        self.start()
        self._load_requested.emit(self._latest.bump(), tuple(int(pid) for pid in petition_ids))

    def job(self, kind: str, *args) -> None:
        if self.is_stopped:
            return
        self.start()
        self._job_requested.emit(StoreJob(kind, args))

    @Slot(object)
    def _on_loaded(self, result: Loaded) -> None:
        if not self.is_stopped and result.generation == self._latest.value:
            self.loaded.emit(result)


# -- the add dialog ----------------------------------------------------------------------------
class AddPetitionDialog(QDialog):
    """Pick petitions from the watchlist, or give any petition's number or link (archived ones too)."""

    def __init__(self, watched: Sequence[tuple[int, str]], shown: set[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add Petitions to the Comparison")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Watched petitions")
        for pid, title in watched:
            item = QListWidgetItem(f"{title} ({pid})")  # list items are plain text
            item.setData(Qt.ItemDataRole.UserRole, pid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if pid in shown:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.reference = QLineEdit(self)
        self.reference.setAccessibleName("Petition number or link")
        self.reference.setPlaceholderText("e.g. 241584 or https://petition.parliament.uk/archived/petitions/241584")
        self.error = QLabel("", self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(buddy_label("From the &watchlist:", self.list, self))
        layout.addWidget(self.list)
        layout.addWidget(buddy_label("Or any petition, open or archived, by &number or link:", self.reference, self))
        layout.addWidget(self.reference)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def chosen(self) -> list[int]:
        """The ticked petitions, then the one typed (ValueError with a message if it is not one)."""
        ids = [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
               if self.list.item(row).checkState() == Qt.CheckState.Checked]
        text = self.reference.text().strip()
        if text:
            ids.append(parse_reference(text).id)
        return ids

    def _accept_if_valid(self) -> None:
        try:
            self.chosen()
        except BadReference as error:
            self.error.setText(str(error))
            return
        self.accept()


# -- the window --------------------------------------------------------------------------------
class CompareWindow(QMainWindow):
    """A comparison of petitions, in a window of its own; several may be open at once."""

    _written = Signal(str, str)  # from a writer thread: message, error

    def __init__(self, service: CompareService, watched: Callable[[], Sequence[tuple[int, str]]] = list,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.resize(1100, 760)
        self.service = service
        service.setParent(self)
        self.watched = watched
        self.view = CompareView(self)
        self.setCentralWidget(self.view)
        self.petition_ids: list[int] = []
        self.name: str | None = None
        self.saved: tuple[SavedComparison, ...] = ()
        self._writers: list[threading.Thread] = []
        self._update_title()
        self._build_menus()
        self.view.add_requested.connect(self.ask_to_add)
        self.view.export_requested.connect(self.ask_to_export)
        service.loaded.connect(self._on_loaded)
        service.saved_list.connect(self._on_saved_list)
        self._written.connect(self._on_written)
        service.job("list")

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Comparison")
        self.add_action = self._action(menu, "&Add Petition…", self.ask_to_add, QKeySequence.StandardKey.New)
        self.export_action = self._action(menu, "&Export as PNG, SVG or CSV…", self.ask_to_export, "Ctrl+E")
        menu.addSeparator()
        self.save_action = self._action(menu, "&Save…", self.ask_to_save, QKeySequence.StandardKey.Save)
        self.open_menu = menu.addMenu("&Open Saved")
        self.rename_action = self._action(menu, "&Rename…", self.ask_to_rename)
        self.delete_action = self._action(menu, "&Delete…", self.ask_to_delete)
        menu.addSeparator()
        self._action(menu, "&Close", self.close, QKeySequence.StandardKey.Close)
        self._fill_open_menu()

    def _action(self, menu: QMenu, text: str, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- petitions ---------------------------------------------------------------------------
    def set_petitions(self, petition_ids: Sequence[int]) -> None:
        """Compare these petitions (read off the GUI thread; the chart fills when they arrive)."""
        self.petition_ids = list(dict.fromkeys(int(pid) for pid in petition_ids))
        self.statusBar().showMessage(f"Reading {len(self.petition_ids)} petitions…" if self.petition_ids else
                                     "Add petitions to compare them.")
        self.service.load(self.petition_ids)

    def add_petitions(self, petition_ids: Sequence[int]) -> None:
        self.set_petitions([*self.petition_ids, *petition_ids])

    def ask_to_add(self) -> None:
        dialog = AddPetitionDialog(self.watched(), set(self.petition_ids), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_petitions(dialog.chosen())

    @Slot(object)
    def _on_loaded(self, result: Loaded) -> None:
        self.view.set_series(result.series)
        self.petition_ids = [one.petition_id for one in result.series]  # those that could not be read leave
        message = f"{len(result.series)} petitions compared."
        if result.problems:
            message += " Left out: " + "; ".join(result.problems)
        self.statusBar().showMessage(message)
        self._update_title()

    def _update_title(self) -> None:
        self.setWindowTitle(f"Comparison: {self.name}" if self.name else "Compare Petitions")

    # -- saved comparisons ---------------------------------------------------------------------
    def current(self, name: str) -> SavedComparison:
        return SavedComparison(name, tuple(self.petition_ids), self.view.alignment, self.view.units,
                               self.view.log_scale)

    def ask_to_save(self) -> None:
        if not self.petition_ids:
            self.statusBar().showMessage("Add petitions before saving the comparison.")
            return
        name, ok = QInputDialog.getText(self, "Save Comparison", "Name:", text=self.name or "")
        if ok and name.strip():
            self.save_as(name)

    def save_as(self, name: str) -> None:
        self.name = " ".join(name.split())
        self._update_title()
        self.service.job("save", self.current(self.name))

    def open_saved(self, saved: SavedComparison) -> None:
        self.name = saved.name
        self.view.align_box.setCurrentIndex(max(0, self.view.align_box.findData(saved.alignment)))
        self.view.units_box.setCurrentIndex(max(0, self.view.units_box.findData(saved.units)))
        self.view.log_box.setChecked(saved.log_scale)
        self._update_title()
        self.set_petitions(saved.petition_ids)

    def ask_to_rename(self) -> None:
        old = self._pick_saved("Rename Comparison")
        if old is None:
            return
        new, ok = QInputDialog.getText(self, "Rename Comparison", "New name:", text=old)
        if ok and new.strip():
            self.rename(old, new)

    def rename(self, old: str, new: str) -> None:
        if self.name == old:
            self.name = " ".join(new.split())
            self._update_title()
        self.service.job("rename", old, new)

    def ask_to_delete(self) -> None:
        name = self._pick_saved("Delete Comparison")
        if name is None:
            return
        answer = QMessageBox.question(self, "Delete Comparison", f"Delete the saved comparison “{name}”?")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(name)

    def delete(self, name: str) -> None:
        if self.name == name:
            self.name = None
            self._update_title()
        self.service.job("delete", name)

    def _pick_saved(self, title: str) -> str | None:
        names = [saved.name for saved in self.saved]
        if not names:
            self.statusBar().showMessage("There are no saved comparisons yet.")
            return None
        start = names.index(self.name) if self.name in names else 0
        name, ok = QInputDialog.getItem(self, title, "Comparison:", names, start, False)
        return name if ok else None

    @Slot(object)
    def _on_saved_list(self, listed: SavedList) -> None:
        self.saved = listed.comparisons
        self._fill_open_menu()
        if listed.error:
            QMessageBox.warning(self, "Saved Comparisons", listed.error)
        elif listed.done:
            self.statusBar().showMessage(listed.done)

    def _fill_open_menu(self) -> None:
        self.open_menu.clear()
        for saved in self.saved:
            action = self.open_menu.addAction(saved.name.replace("&", "&&"))
            action.triggered.connect(lambda _checked=False, s=saved: self.open_saved(s))
        self.open_menu.setEnabled(bool(self.saved))
        self.rename_action.setEnabled(bool(self.saved))
        self.delete_action.setEnabled(bool(self.saved))

    # -- exports -------------------------------------------------------------------------------
    def ask_to_export(self) -> None:
        if not self.view.series:
            self.statusBar().showMessage("There is nothing to export yet: add petitions first.")
            return
        suggested = Path.home() / f"comparison{'-' + self.name if self.name else ''}.png"
        name, chosen = QFileDialog.getSaveFileName(self, "Export Comparison", str(suggested),
                                                   "PNG image (*.png);;SVG vector image (*.svg);;CSV (*.csv)")
        if name:
            path = Path(name)
            if not path.suffix:
                path = path.with_suffix("." + next(s for s in ("svg", "csv", "png") if s in chosen.lower()))
            self.export_to(path)

    def export_to(self, path: Path) -> None:
        """Draw here (images) or gather the rows (CSV), then write the file on a short-lived thread."""
        view = self.view
        series, alignment, units = view.series, view.alignment, view.units
        suffix = path.suffix.lower()
        try:
            if suffix == ".csv":
                rows = [_csv_row(row, alignment) for row in compare.csv_rows(series, alignment, units)]
                self._write(path, lambda: write_csv(path, _csv_header(alignment, units), rows))
                return
            payload = comparison_bytes(series, suffix, alignment, units, view.log_scale, *EXPORT_SIZE,
                                       view.hidden_ids())
        except ExportError as error:
            self._on_written("", str(error))
            return
        self._write(path, lambda: atomic_write(path, lambda file: file.write(payload)))

    def _write(self, path: Path, job: Callable[[], None]) -> None:
        def run() -> None:
            try:
                job()
                self._written.emit(f"Saved {path}.", "")
            except ExportError as error:
                self._written.emit("", str(error))
            except Exception as error:
                self._written.emit("", f"Cannot save to {path}: {error}")

        thread = threading.Thread(target=run, name="export-comparison", daemon=True)
        self._writers = [t for t in self._writers if t.is_alive()] + [thread]
        thread.start()

    def wait_for_writers(self, timeout: float = 10.0) -> None:
        for thread in self._writers:
            thread.join(timeout)

    @Slot(str, str)
    def _on_written(self, message: str, error: str) -> None:
        if error:
            QMessageBox.warning(self, "Export Comparison", error)
        else:
            self.statusBar().showMessage(message)

    def closeEvent(self, event) -> None:
        self.service.stop()  # the thread ends on its own; exports being written finish
        super().closeEvent(event)


def _csv_header(alignment: str, units: str) -> tuple[str, ...]:
    x = "time_utc" if alignment == "calendar" else "days_since_opening"
    return ("petition_id", "petition", x, "signatures" if units == "signatures" else "share_of_100000", "source")


def _csv_row(row: tuple, alignment: str) -> tuple:
    """Calendar x as an ISO time a spreadsheet reads; days since opening as a number."""
    pid, title, x, value, source = row
    return (pid, title, iso_utc(x) if alignment == "calendar" else round(x, 4), value, source)


def open_comparison(window, petition_ids: Sequence[int]) -> CompareWindow:
    """A comparison window over the main window's database and site, showing these petitions."""
    from petitiondesk.gui.browse_service import BrowseConfig

    config = BrowseConfig.like(window.service.config)
    service = CompareService(window.database, Fetching(config.api_base, config.scheduler, config.transport))
    rows = window.model.rows

    def watched() -> list[tuple[int, str]]:
        return [(row.petition_id, row.petition.action if row.petition else f"Petition {row.petition_id}")
                for row in rows()]

    compare_window = CompareWindow(service, watched, window)
    compare_window.view.clock = window.clock  # "now" for the table: the demo's fast clock too
    compare_window.set_petitions(petition_ids)
    compare_window.show()
    return compare_window
