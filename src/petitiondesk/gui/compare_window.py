"""The comparison window: petitions on one chart (`CompareView`), saved comparisons, exports.

Nothing here touches the disk or the network on the GUI thread. `CompareService` runs a worker
thread (`gui/service.py`) that reads the petitions' samples and documents through its own
read-only `Store` connection (as `gui/data_reader.py` does), fetches the document of a petition
the store does not know (an archived one added by number, link or search) with its own client,
and keeps the saved comparisons, and archived petitions' documents once fetched
(`compare.load_series`), through a write connection of its own. The main window stops this thread
with its own services when it quits. Exports are drawn here (Qt paints on the GUI thread) and
written by a short-lived thread, atomically.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
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
from petitiondesk.gui.format import format_count
from petitiondesk.gui.service import BackgroundService, Generation, describe_error

if TYPE_CHECKING:  # httpx, the client and the store are imported in the worker's thread
    import httpx

    from petitiondesk.core.browse import BrowseRow
    from petitiondesk.core.client import PetitionsClient
    from petitiondesk.core.fetched import Fetched
    from petitiondesk.core.models import Petition
    from petitiondesk.core.scheduler import RequestScheduler
    from petitiondesk.core.store import Store

log = logging.getLogger(__name__)

EXPORT_SIZE = (1600, 900)
NOTHING_YET = "Add petitions to compare them: Add Petition… (Ctrl+N)."
_TITLE_ROLE = Qt.ItemDataRole.UserRole + 1  # a listed petition's title, beside its number


# -- what crosses the thread (immutable) -----------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    """The series of one request, in the order asked; `problems` says why the others are left out."""

    generation: int
    series: tuple[compare.Series, ...]
    problems: tuple[compare.NotLoaded, ...] = ()


@dataclass(frozen=True)
class SavedList:
    """The saved comparisons after a store job; `error` when the job failed (nothing changed)."""

    comparisons: tuple[SavedComparison, ...]
    error: str | None = None
    done: str = ""


@dataclass(frozen=True)
class Found:
    """The first page of petitions matching a search (the add dialog's results), or why there are none."""

    generation: int
    rows: tuple[BrowseRow, ...]
    error: str | None = None


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
    found = Signal(object)  # Found

    def __init__(self, database: Path, latest: Generation, fetching: Fetching | None,
                 searches: Generation | None = None) -> None:
        super().__init__(Path(database), latest)
        self._fetching = fetching
        self._searches = searches or Generation()
        self._writer: Store | None = None
        self._client: PetitionsClient | None = None
        self._to_keep: dict[int, bytes] = {}  # archived documents fetched by this load, stored after it

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
                problems.append(compare.NotLoaded(pid, f"{pid}: {describe_error(error)}"))
                continue
            if isinstance(one, compare.NotLoaded):
                problems.append(one)
            else:
                series.append(one)
        self.loaded.emit(Loaded(generation, tuple(series), tuple(problems)))
        self._store_kept()  # after the chart has its curves: a first write checks the whole file

    @Slot(int, str, bool)
    def search(self, generation: int, text: str, archived: bool) -> None:
        """The first page (50) of the site's petitions matching `text`, open or archived."""
        if generation != self._searches.value or self.stopping():
            return
        from petitiondesk.core.browse import BrowseQuery, Browser

        try:
            if self._fetching is None:
                raise RuntimeError("Searching the site is not available here.")
            client = self._site()
            with client.foreground():
                page = Browser(client, BrowseQuery("all", q=text, archived=archived)).fetch_next()
            found = Found(generation, page.rows, page.error)
        except Exception as error:  # a bad answer: a message in the dialog, not a dead thread
            log.warning("searching for a comparison failed: %s", error)
            found = Found(generation, (), describe_error(error))
        if not self.stopping():
            self.found.emit(found)

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
    def _series(self, pid: int) -> compare.Series | compare.NotLoaded:
        fetch = self._fetch if self._fetching is not None else None
        return compare.load_series(pid, self._open(), fetch, self._keep)

    def _fetch(self, pid: int) -> Fetched[Petition]:
        """The petition's document from the site (archived ones through the site's redirect)."""
        client = self._site()
        with client.foreground():
            return client.petition(pid)

    def _site(self) -> PetitionsClient:
        """The thread's client, made on first use (a comparison of watched petitions needs none)."""
        if self._client is None:
            config = self._fetching
            assert config is not None  # only asked for when fetching is configured
            self._client = self.new_client(config.api_base, config.scheduler, config.transport)
        return self._client

    def _keep(self, pid: int, raw: bytes) -> None:
        self._to_keep[pid] = raw

    def _store_kept(self) -> None:
        """Store the archived petitions' documents, so the next opening reads them; a store that cannot
        be written (read-only folder, full disk) only means they are fetched again next time."""
        kept, self._to_keep = self._to_keep, {}
        for pid, raw in kept.items():
            if self.stopping():
                return  # quitting: fetched again next time rather than holding the quit up
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
    found = Signal(object)  # Found, only for the newest search

    _load_requested = Signal(int, object)
    _job_requested = Signal(object)
    _search_requested = Signal(int, str, bool)

    def __init__(self, database: Path, fetching: Fetching | None = None, parent: QObject | None = None) -> None:
        latest, searches = Generation(), Generation()
        worker = CompareWorker(Path(database), latest, fetching, searches)
        super().__init__("petitiondesk-compare", worker, parent)
        self._latest, self._searches = latest, searches
        self.can_search = fetching is not None
        self._load_requested.connect(worker.load, Qt.ConnectionType.QueuedConnection)
        self._job_requested.connect(worker.run_job, Qt.ConnectionType.QueuedConnection)
        self._search_requested.connect(worker.search, Qt.ConnectionType.QueuedConnection)
        worker.loaded.connect(self._on_loaded)
        worker.saved_list.connect(self.saved_list)
        worker.found.connect(self._on_found)

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

    def search(self, text: str, archived: bool = False) -> None:
        """Search the site; an earlier search's answer will be dropped."""
        if self.is_stopped:
            return
        self.start()
        self._search_requested.emit(self._searches.bump(), text, archived)

    @Slot(object)
    def _on_loaded(self, result: Loaded) -> None:
        if not self.is_stopped and result.generation == self._latest.value:
            self.loaded.emit(result)

    @Slot(object)
    def _on_found(self, result: Found) -> None:
        if not self.is_stopped and result.generation == self._searches.value:
            self.found.emit(result)


# -- the add dialog ----------------------------------------------------------------------------
class AddPetitionDialog(QDialog):
    """Pick petitions from the watchlist, give any petition's number or link (archived ones too), or
    search the site by words and tick what it finds. `search` is the service's (None: no searching)."""

    def __init__(self, watched: Sequence[tuple[int, str]], shown: set[int], parent: QWidget | None = None,
                 search: CompareService | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add Petitions to the Comparison")
        self.resize(640, 520)  # room for whole titles
        self._shown = shown
        self._details: dict[int, str] = {}  # search results' count, state and year, by petition
        self._service = search if search is not None and search.can_search else None
        self.list = self._checklist("Watched petitions", watched)
        self.reference = QLineEdit(self)
        self.reference.setAccessibleName("Petition number, link or words to search for")
        self.reference.setPlaceholderText("e.g. 241584, a link, or words from a title")
        self.reference.returnPressed.connect(self._on_return)
        self.archived_box = QCheckBox("Past &parliaments", self)
        self.archived_box.setToolTip("Search the petitions of past parliaments instead of this one's")
        self.search_button = QPushButton("&Search", self)
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        self.results = self._checklist("Petitions found", ())
        self.results.hide()
        self.error = QLabel("", self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add")
        self.add_button.setAutoDefault(False)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        self._lay_out(buttons, bool(watched))
        if self._service is not None:
            self._service.found.connect(self._on_found)
        else:
            self.archived_box.hide()
            self.search_button.hide()

    def _checklist(self, name: str, petitions: Sequence[tuple[int, str]]) -> QListWidget:
        checklist = QListWidget(self)
        checklist.setAccessibleName(name)
        self._fill(checklist, petitions)
        return checklist

    def _fill(self, checklist: QListWidget, petitions: Sequence[tuple[int, str]],
              details: Mapping[int, str] | None = None) -> None:
        checklist.clear()
        for pid, title in petitions:
            detail = (details or {}).get(pid)
            item = QListWidgetItem(f"{title} ({pid})" + (f" · {detail}" if detail else ""))  # plain text
            item.setData(Qt.ItemDataRole.UserRole, pid)
            item.setData(_TITLE_ROLE, title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if pid in self._shown:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("Already in the comparison")
            checklist.addItem(item)

    def _lay_out(self, buttons: QDialogButtonBox, any_watched: bool) -> None:
        finding = QHBoxLayout()
        finding.addWidget(self.reference, 1)
        finding.addWidget(self.archived_box)
        finding.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.addWidget(buddy_label("From the &watchlist:", self.list, self))
        layout.addWidget(self.list)
        words = "number, link or words" if self._service is not None else "number or link"
        layout.addWidget(buddy_label(f"Or any petition, open or archived, by &{words}:", self.reference, self))
        layout.addLayout(finding)
        layout.addWidget(self.results)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if not any_watched:  # nothing to tick: straight to typing
            self.list.setEnabled(False)
            self.reference.setFocus()

    def chosen(self) -> list[int]:
        """The ticked petitions (watchlist, then search results), then the one typed (BadReference
        with a message if the text names no petition and is not a search whose results are ticked)."""
        ids = [*_ticked(self.list), *_ticked(self.results)]
        text = self.reference.text().strip()
        if text:
            try:
                ids.append(parse_reference(text).id)
            except BadReference:
                if not ids or self._service is None:
                    raise
        return list(dict.fromkeys(ids))

    def search(self) -> None:
        text = " ".join(self.reference.text().split())
        if self._service is None or not text:
            return
        self.error.setText(f"Searching for “{text}”…")
        self._service.search(text, self.archived_box.isChecked())

    @Slot(object)
    def _on_found(self, found: Found) -> None:
        ticked = {pid: title for pid, title in _ticked_items(self.results)}  # kept across searches
        rows = [(row.id, row.action) for row in found.rows if row.id not in ticked]
        self._details.update({row.id: _found_detail(row) for row in found.rows})
        self._fill(self.results, [*ticked.items(), *rows], self._details)
        for row in range(len(ticked)):
            self.results.item(row).setCheckState(Qt.CheckState.Checked)
        self.results.show()
        if found.error:
            self.error.setText(f"The search failed: {found.error}")
        elif not found.rows:
            self.error.setText("No petitions match. Try other words, or Past parliaments.")
        else:
            shown = f"the first {len(found.rows)}" if len(found.rows) >= 50 else str(len(found.rows))
            self.error.setText(f"Found {shown}: tick the petitions to add, then Add.")
            self.results.setCurrentRow(len(ticked))
            self.results.setFocus()

    def _on_return(self) -> None:
        """Enter: a number or link is added at once (with what is ticked); words are searched for."""
        text = self.reference.text().strip()
        try:
            if text:
                parse_reference(text)
        except BadReference:
            if self._service is not None:
                self.search()
                return
        self._accept_if_valid()

    def _accept_if_valid(self) -> None:
        try:
            chosen = self.chosen()
        except BadReference as error:
            self.error.setText(str(error) + (" To search by words, press Search." if self._service else ""))
            return
        if not chosen:
            self.error.setText("Tick a petition, or give its number or link.")
            return
        self.accept()


def _found_detail(row: BrowseRow) -> str:
    """What tells apart petitions of the same title: count, state, the year it opened."""
    state = "archived" if row.archived else row.state
    opened = f", opened {row.opened_at.year}" if row.opened_at else ""
    return f"{format_count(row.signature_count)} signatures, {state}{opened}"


def _ticked_items(checklist: QListWidget) -> list[tuple[int, str]]:
    items = (checklist.item(row) for row in range(checklist.count()))
    return [(item.data(Qt.ItemDataRole.UserRole), item.data(_TITLE_ROLE)) for item in items
            if item.checkState() == Qt.CheckState.Checked]


def _ticked(checklist: QListWidget) -> list[int]:
    return [pid for pid, _ in _ticked_items(checklist)]


# -- the window --------------------------------------------------------------------------------
class CompareWindow(QMainWindow):
    """A comparison of petitions, in a window of its own; several may be open at once."""

    _written = Signal(str, str)  # from a writer thread: message, error

    def __init__(self, service: CompareService, watched: Callable[[], Sequence[tuple[int, str]]] = list,
                 parent: QWidget | None = None, start_folder: Callable[[str], Path] = lambda _: Path.home()) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.resize(1100, 760)
        self.service = service
        service.setParent(self)
        self.watched = watched
        self.start_folder = start_folder  # where the export dialog opens (the window's export folder)
        self.view = CompareView(self)
        self.setCentralWidget(self.view)
        self.petition_ids: list[int] = []
        self.name: str | None = None
        self.saved: tuple[SavedComparison, ...] = ()
        self._writers: list[threading.Thread] = []
        self._update_title()
        self._build_menus()
        self._let_the_table_remove()
        self.view.add_requested.connect(self.ask_to_add)
        self.view.export_requested.connect(self.ask_to_export)
        service.loaded.connect(self._on_loaded)
        service.saved_list.connect(self._on_saved_list)
        self._written.connect(self._on_written)
        service.job("list")

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Comparison")
        self.add_action = self._action(menu, "&Add Petition…", self.ask_to_add, QKeySequence.StandardKey.New)
        self.remove_action = self._action(menu, "Re&move from Comparison", self.remove_selected,
                                          QKeySequence.StandardKey.Delete)
        self.export_action = self._action(menu, "&Export as PNG, SVG or CSV…", self.ask_to_export, "Ctrl+E")
        menu.addSeparator()
        self.save_action = self._action(menu, "&Save…", self.ask_to_save, QKeySequence.StandardKey.Save)
        self.open_menu = menu.addMenu("&Open Saved")
        self.rename_action = self._action(menu, "&Rename Saved…", self.ask_to_rename)
        self.delete_action = self._action(menu, "&Delete Saved…", self.ask_to_delete)
        menu.addSeparator()
        self.close_action = self._action(menu, "&Close", self.close, QKeySequence.StandardKey.Close)
        self.close_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Close), QKeySequence("Esc")])
        self._fill_open_menu()

    def _let_the_table_remove(self) -> None:
        """Delete, or the table's context menu, removes the selected petitions."""
        table = self.view.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addAction(self.remove_action)
        table.itemSelectionChanged.connect(
            lambda: self.remove_action.setEnabled(bool(table.selectionModel().selectedRows())))
        self.remove_action.setEnabled(False)

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
        if not self.petition_ids:
            self.view.set_series([])
            self.statusBar().showMessage(self._how_to_start())
            self.view.add_button.setFocus()
            return
        self.statusBar().showMessage(f"Reading {_petitions(len(self.petition_ids))}…")
        self.service.load(self.petition_ids)

    def add_petitions(self, petition_ids: Sequence[int]) -> None:
        self.set_petitions([*self.petition_ids, *petition_ids])

    def ask_to_add(self) -> None:
        dialog = AddPetitionDialog(self.watched(), set(self.petition_ids), self, self.service)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_petitions(dialog.chosen())
        dialog.deleteLater()  # and with it its connection to the service's search results

    def remove_selected(self) -> None:
        """Take the petitions selected in the table off the chart (nothing is read again)."""
        table = self.view.table
        rows = sorted({index.row() for index in table.selectionModel().selectedRows()})
        series = self.view.series
        gone = [series[row] for row in rows if row < len(series)]
        if not gone:
            self.statusBar().showMessage("Select a petition in the table to remove it.")
            return
        gone_ids = {one.petition_id for one in gone}
        self.petition_ids = [pid for pid in self.petition_ids if pid not in gone_ids]
        kept = [one for one in series if one.petition_id not in gone_ids]
        self.view.set_series(kept)
        what = f"“{gone[0].title}”" if len(gone) == 1 else _petitions(len(gone))
        self.statusBar().showMessage(f"Removed {what} from the comparison." if kept else self._how_to_start())
        if kept:  # the next row, so that Delete again removes the next one
            table.selectRow(min(rows[0], len(kept) - 1))
            table.setFocus()
        else:
            self.view.add_button.setFocus()

    @Slot(object)
    def _on_loaded(self, result: Loaded) -> None:
        wanted = set(self.petition_ids)  # one removed while the others were read stays removed
        series = [one for one in result.series if one.petition_id in wanted]
        self.view.set_series(series)
        # One the site has not got leaves; one that failed for now (offline) stays, so saving keeps it.
        staying = {one.petition_id for one in series} | {gap.petition_id for gap in result.problems if gap.for_now}
        self.petition_ids = [pid for pid in self.petition_ids if pid in staying]
        message = f"{_petitions(len(series))} compared." if series else self._how_to_start()
        for words, for_now in (("Left out for now", True), ("Left out", False)):
            gaps = [gap.message for gap in result.problems if gap.for_now == for_now and gap.petition_id in wanted]
            if gaps:
                message += f" {words}: " + "; ".join(gaps)
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

    def save_as(self, name: str) -> bool:
        """Save under `name`; replacing another saved comparison of that name is asked first."""
        name = " ".join(name.split())
        taken = name != self.name and any(saved.name == name for saved in self.saved)
        if taken and not _confirmed(self, "Save Comparison", f"A comparison named “{name}” is saved already. "
                                    "Replace it with this one?", "Replace"):
            return False
        self.name = name
        self._update_title()
        self.service.job("save", self.current(self.name))
        return True

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
        if _confirmed(self, "Delete Comparison", f"Delete the saved comparison “{name}”?", "Delete"):
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
        elif not self.petition_ids:  # the list arrives after an empty window opened
            self.statusBar().showMessage(self._how_to_start())

    def _how_to_start(self) -> str:
        return NOTHING_YET + (" Or open a saved one: Comparison > Open Saved." if self.saved else "")

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
        suggested = self.start_folder("chart") / _file_name(self.name)
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
                                       view.hidden_ids(), view.colour_slots())
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
        self.service.stop()  # the thread ends on its own
        self.wait_for_writers()  # a file being saved is finished before the window (and its signal) goes
        super().closeEvent(event)


def _confirmed(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before something is lost; the names in `text` are shown as typed (plain text)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.button(QMessageBox.StandardButton.Yes).setText(action)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def _petitions(count: int) -> str:
    return f"{count} petition{'' if count == 1 else 's'}"


def _file_name(name: str | None) -> str:
    """A file name for a comparison's export: its name without what a path would read as folders."""
    words = re.sub(r"[^\w.-]+", "-", name or "").strip("-.")
    return f"comparison-{words}.png" if words else "comparison.png"


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

    compare_window = CompareWindow(service, watched, window, window.exports.start_folder)
    compare_window.view.clock = window.clock  # "now" for the table: the demo's fast clock too
    compare_window.set_petitions(petition_ids)
    compare_window.show()
    return compare_window
