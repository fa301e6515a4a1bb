"""Adding petitions by reference: the Ctrl+N dialog, and text dropped or pasted onto the watchlist.

`AddPetitionsDialog` takes one reference a line, in every form `core.refs.parse_reference` accepts,
and shows each line's fate: lines that are not petition links, or name a petition already pinned,
are answered at once; the others are sent through `pin_requested(reference)` (the window passes
them to the refresh worker, which fetches before pinning) and answered by `record_result(PinResult)`
as the worker's results come back: added, not found, removed from the site, or why not.

Dropped or pasted text goes through the same dialog (`add_text`): the petition links it contains
are listed one a line and submitted. `ReferenceDropTarget` gives any widget (the watchlist) that
drop and Ctrl+V behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal, Slot
from PySide6.QtGui import QDragMoveEvent, QDropEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core.refs import BadReference, find_references, parse_reference

# What each line came to, in the user's words.
ADDED = "Added"
ALREADY_PINNED = "Already pinned"
NOT_FOUND = "Not found"
REMOVED = "Removed from the site"
NOT_A_PETITION = "Not a petition link"
NOT_VISIBLE = "Not publicly visible"
ADDING = "Adding…"
COULD_NOT_ADD = "Could not add"
LISTED_ABOVE = "Listed above"

PLACEHOLDER = ("One petition a line, for example:\n"
               "700123\n#700124\nhttps://petition.parliament.uk/petitions/700125\n"
               "https://petition.parliament.uk/archived/petitions/300001")


def outcome_of(result) -> tuple[str, str]:
    """(outcome, detail) of a worker's `PinResult`."""
    if getattr(result, "row", None) is not None and not result.error:
        return ADDED, ""
    error = result.error or "the site did not answer"
    problem = getattr(result, "problem", None)  # a future PinResult may carry the worker's code
    if problem == "not_found" or (problem is None and "(404)" in error):
        return NOT_FOUND, error
    if problem == "gone" or (problem is None and "(410)" in error):
        return REMOVED, error
    if problem == "not_visible" or (problem is None and "not publicly visible" in error):
        return NOT_VISIBLE, error
    return COULD_NOT_ADD, error


def pinned_text(row) -> str:
    """What pinning a petition did (`row`: its WatchRow), in the words the status bar shows."""
    if row.petition is None:  # pinned, but the site has not answered yet (offline, paused...)
        return f"Pinned {row.petition_id}; details will load when the site can be reached"
    return f"Added petition {row.petition_id}"


def waiting_text(petition_id: int, row) -> str:
    """What the detail pane says about a pinned petition whose details have not arrived."""
    if row is not None and row.problem:
        reason = row.problem_detail or row.problem_label
        return f"Petition {petition_id}: {reason}\nIts details will load when the site can be reached."
    return f"Loading petition {petition_id} from the site…"


def references_in(text: str) -> list[str]:
    """The petition links dropped or pasted text contains, one per petition, as web addresses."""
    from petitiondesk.core.models import SITE_BASE

    return [f"{SITE_BASE}/{'archived/petitions' if ref.archived else 'petitions'}/{ref.id}"
            for ref in find_references(text)]


def mime_text(mime: QMimeData) -> str:
    """The links (text/uri-list) or plain text of a drop or a paste."""
    if mime.hasUrls():
        return "\n".join(url.toString() for url in mime.urls())
    return mime.text() if mime.hasText() else ""


class AddPetitionsDialog(QDialog):
    pin_requested = Signal(str)  # one reference for the refresh worker

    class Col:
        LINE, REFERENCE, OUTCOME, DETAIL = range(4)
        HEADERS = ("Line", "Reference", "Result", "Details")

    def __init__(self, pinned_ids: Callable[[], Iterable[int]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addPetitionsDialog")
        self.setWindowTitle("Add petitions")
        self._pinned_ids = pinned_ids
        self._waiting: dict[str, int] = {}  # reference sent -> its result row
        self._build()

    def _build(self) -> None:
        prompt = QLabel("&Petition numbers or links, one a line:", self)
        self.input = QPlainTextEdit(self)
        self.input.setObjectName("addInput")
        self.input.setAccessibleName("Petition numbers or links, one a line")
        self.input.setPlaceholderText(PLACEHOLDER)
        self.input.setTabChangesFocus(True)
        self.input.setMinimumSize(520, 110)
        prompt.setBuddy(self.input)
        self.results = QTableWidget(0, len(self.Col.HEADERS), self)
        self.results.setObjectName("addResults")
        self.results.setAccessibleName("What happened to each line")
        self.results.setHorizontalHeaderLabels(self.Col.HEADERS)
        self.results.verticalHeader().setVisible(False)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setWordWrap(False)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.Col.DETAIL, QHeaderView.ResizeMode.Stretch)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("addSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setAccessibleName("Summary")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.add_button = self.buttons.addButton("&Add", QDialogButtonBox.ButtonRole.ActionRole)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.input)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.buttons)
        self.resize(720, 460)

    # --- what the window calls ------------------------------------------------------------------

    def add_text(self, text: str) -> int:
        """Dropped or pasted text: list the petition links it contains and submit them; how many."""
        links = references_in(text)
        if not links:
            self.summary_label.setText("No petition links or numbers in the dropped or pasted text.")
            return 0
        self.input.setPlainText("\n".join(links))
        self.submit()
        return len(links)

    @Slot()
    def submit(self) -> None:
        """Check every line; pin the good ones through `pin_requested`. Lines that fail stay in the
        box for fixing; those added or already pinned leave it."""
        lines = self.input.toPlainText().splitlines()
        to_fix: list[str] = []
        self.results.setRowCount(0)
        self._waiting.clear()
        pinned = set(self._pinned_ids())
        seen: dict[int, int] = {}  # petition id -> line it was first on
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                ref = parse_reference(text)
            except BadReference as error:
                self._add_row(number, text, NOT_A_PETITION, _why(error))
                to_fix.append(text)
                continue
            if ref.id in seen:
                self._add_row(number, text, LISTED_ABOVE, f"petition {ref.id} is on line {seen[ref.id]}")
                continue
            seen[ref.id] = number
            if ref.id in pinned:
                self._add_row(number, text, ALREADY_PINNED, f"petition {ref.id} is on your watchlist")
                continue
            row = self._add_row(number, text, ADDING, f"asking the site about petition {ref.id}")
            self._waiting[text] = row
        self.input.setPlainText("\n".join(to_fix))
        self._update_summary()
        for text in list(self._waiting):
            self.pin_requested.emit(text)

    @Slot(object)
    def record_result(self, result) -> bool:
        """A worker's `PinResult` for a reference this dialog sent; False if it is not ours."""
        row = self._waiting.pop(result.reference, None)
        if row is None:
            return False
        outcome, detail = outcome_of(result)
        if outcome == ADDED and result.row is not None:
            detail = result.row.title if result.row.petition is not None else pinned_text(result.row)
        self._set_row(row, outcome, detail)
        if outcome != ADDED:
            self._keep_for_fixing(result.reference)
        self._update_summary()
        return True

    def is_waiting_for(self, reference: str) -> bool:
        return reference in self._waiting

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def outcomes(self) -> list[tuple[str, str]]:
        """(reference, outcome) of each line shown, in order."""
        return [(self._cell(row, self.Col.REFERENCE), self._cell(row, self.Col.OUTCOME))
                for row in range(self.results.rowCount())]

    def _cell(self, row: int, column: int) -> str:
        item = self.results.item(row, column)
        return item.text() if item is not None else ""

    # --- inside ---------------------------------------------------------------------------------

    def _keep_for_fixing(self, reference: str) -> None:
        lines = [line for line in self.input.toPlainText().splitlines() if line.strip()]
        if reference not in lines:
            self.input.setPlainText("\n".join([*lines, reference]))

    def _add_row(self, line: int, text: str, outcome: str, detail: str) -> int:
        row = self.results.rowCount()
        self.results.insertRow(row)
        for column, value in ((self.Col.LINE, str(line)), (self.Col.REFERENCE, text)):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            self.results.setItem(row, column, item)
        self._set_row(row, outcome, detail)
        return row

    def _set_row(self, row: int, outcome: str, detail: str) -> None:
        for column, value in ((self.Col.OUTCOME, outcome), (self.Col.DETAIL, detail)):
            item = QTableWidgetItem(value)
            item.setToolTip(detail or outcome)
            self.results.setItem(row, column, item)

    def _update_summary(self) -> None:
        counts: dict[str, int] = {}
        for _reference, outcome in self.outcomes():
            counts[outcome] = counts.get(outcome, 0) + 1
        order = (ADDED, ADDING, ALREADY_PINNED, LISTED_ABOVE, NOT_FOUND, REMOVED, NOT_VISIBLE, NOT_A_PETITION,
                 COULD_NOT_ADD)
        parts = [f"{outcome.lower()}: {counts[outcome]}" for outcome in order if counts.get(outcome)]
        self.summary_label.setText("; ".join(parts).capitalize() if parts else "")


def _why(error: BadReference) -> str:
    _, _, why = str(error).partition(" is not a petition: ")
    return why.split("; expected", 1)[0] or "expected a number like 700123 or a link to petition.parliament.uk"


class ReferenceDropTarget(QObject):
    """Makes `widget` accept dropped links or text, and Ctrl+V, handing the text to `on_text`.

    Installed as an event filter, so the widget (the watchlist table) needs no subclass. On an item
    view the viewport receives drags, so pass the view: the filter watches its viewport too.
    """

    text_received = Signal(str)

    def __init__(self, widget: QWidget, on_text: Callable[[str], None] | None = None) -> None:
        super().__init__(widget)
        self._widget = widget
        self._targets = [widget]
        viewport = getattr(widget, "viewport", None)
        if callable(viewport):
            self._targets.append(viewport())
        for target in self._targets:
            target.setAcceptDrops(True)
            target.installEventFilter(self)
        if on_text is not None:
            self.text_received.connect(on_text)

    def paste(self) -> bool:
        """What Ctrl+V does: the clipboard's links or text; False if there was nothing to take."""
        mime = QGuiApplication.clipboard().mimeData()
        text = mime_text(mime) if mime is not None else ""
        if not text.strip():
            return False
        self.text_received.emit(text)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragMoveEvent):  # and QDragEnterEvent, a kind of it
            if _usable(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif isinstance(event, QDropEvent):
            text = mime_text(event.mimeData())
            if text.strip():
                event.acceptProposedAction()
                self.text_received.emit(text)
                return True
        elif isinstance(event, QKeyEvent) and watched is self._widget and event.matches(QKeySequence.StandardKey.Paste):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # Ctrl+V belongs to the list here, not to a window-wide shortcut
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.paste()
                return True
        return False


def _usable(mime: QMimeData | None) -> bool:
    return mime is not None and (mime.hasUrls() or mime.hasText())
