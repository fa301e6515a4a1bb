"""Related petitions: up to five open petitions sharing a topic or department with the selected one.

The panel asks the `BrowseService` (its background thread and client) for `core.browse.related`,
shows each with its count and why it is related, and one click ("Pin") from the watchlist: it
emits `pin_requested(petition_id, archived)` for the window, as the browse view does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from petitiondesk.core.browse import Related, RelatedResult
from petitiondesk.gui.format import format_count, plain_tooltip

TITLE = "Related open petitions"


class RelatedPanel(QWidget):
    pin_requested = Signal(int, bool)  # petition id, archived

    def __init__(self, service=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relatedPanel")
        self.setAccessibleName(TITLE)
        self.service = service
        self._petition_id: int | None = None
        self._items: tuple[Related, ...] = ()
        self._pinned: frozenset[int] = frozenset()
        self.pin_buttons: dict[int, QPushButton] = {}
        heading = QLabel(f"<b>{TITLE}</b>", self)
        heading.setTextFormat(Qt.TextFormat.RichText)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("relatedStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self._rows = QWidget(self)
        self._grid = QGridLayout(self._rows)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(0, 1)
        self._grid.setVerticalSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(heading)
        layout.addWidget(self.status_label)
        layout.addWidget(self._rows)
        if service is not None:
            service.related_loaded.connect(self.show_result)
        self.show_petition(None)

    # --- what the window calls ------------------------------------------------------------------

    @property
    def petition_id(self) -> int | None:
        """The petition whose related ones are shown (or looked up)."""
        return self._petition_id

    def show_petition(self, petition) -> None:
        """Look up the petitions related to `petition` (a `Petition`, or None to clear)."""
        self._petition_id = petition.id if petition is not None else None
        self._set_items(())
        if petition is None:
            self.status_label.setText("Select a petition to see related ones.")
        elif not petition.topics and not petition.departments:
            self.status_label.setText("This petition has no topic or department to compare.")
        elif self.service is None:
            self.status_label.setText("")
        else:
            self.status_label.setText("Looking for related petitions…")
            self.service.load_related(petition)

    @Slot(int, object)
    def show_result(self, petition_id: int, result: RelatedResult) -> None:
        if petition_id != self._petition_id:
            return
        self._set_items(result.items)
        if result.items:
            text = ""
        elif result.error:
            text = f"Related petitions could not be loaded: {result.error}"
        else:
            text = "No open petition shares a topic or department with this one."
        if result.items and result.error:
            text = f"Some related petitions may be missing: {result.error}"
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def set_pinned(self, petition_ids) -> None:
        self._pinned = frozenset(petition_ids)
        for petition_id, button in self.pin_buttons.items():
            self._style_button(button, petition_id)

    def items(self) -> tuple[Related, ...]:
        return self._items

    # --- inside ---------------------------------------------------------------------------------

    def _set_items(self, items: tuple[Related, ...]) -> None:
        while self._grid.count():
            layout_item = self._grid.takeAt(0)
            widget = layout_item.widget() if layout_item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.pin_buttons = {}
        self._items = tuple(items)
        self.status_label.setVisible(True)
        for number, item in enumerate(self._items):
            row = item.row
            title = QLabel(f'<a href="{row.web_url}">{_escape(row.action)}</a>', self._rows)
            title.setTextFormat(Qt.TextFormat.RichText)
            title.setToolTip(plain_tooltip(f"{row.action}\nOpen on the website"))
            title.setOpenExternalLinks(False)
            title.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
            title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            title.setAccessibleName(row.action)
            detail = QLabel(f"{format_count(row.signature_count)} signatures · {_reason_text(item.reason)}",
                            self._rows)
            detail.setTextFormat(Qt.TextFormat.PlainText)
            detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            button = QPushButton("Pin", self._rows)
            button.setObjectName(f"relatedPin{row.id}")
            button.clicked.connect(lambda _checked=False, pid=row.id, archived=row.archived:
                                   self.pin_requested.emit(pid, archived))
            self._style_button(button, row.id)
            self.pin_buttons[row.id] = button
            # Two lines each: the title over its count and reason, the button beside both.
            self._grid.addWidget(title, 2 * number, 0)
            self._grid.addWidget(detail, 2 * number + 1, 0)
            self._grid.addWidget(button, 2 * number, 1, 2, 1, Qt.AlignmentFlag.AlignVCenter)

    def _style_button(self, button: QPushButton, petition_id: int) -> None:
        pinned = petition_id in self._pinned
        button.setText("Pinned" if pinned else "Pin")
        button.setEnabled(not pinned)
        button.setAccessibleName("Already on your watchlist" if pinned else f"Pin petition {petition_id}")


def _reason_text(reason: str) -> str:
    """"topic: culture-media-and-sport" -> "topic: culture media and sport" (topic codes are slugs)."""
    kind, _, value = reason.partition(": ")
    return f"{kind}: {value.replace('-', ' ')}" if kind == "topic" else reason


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
