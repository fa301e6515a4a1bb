"""Adding petitions from the window: the add dialog, drops and pastes, Browse and Related pins, and
the worker's answers to them. The worker fetches; rows appear when the site has answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot

from petitiondesk.core.models import SITE_BASE
from petitiondesk.core.refs import BadReference, parse_reference
from petitiondesk.gui.add_dialog import AddPetitionsDialog, pinned_text
from petitiondesk.gui.watchlist_files import warn
from petitiondesk.gui.worker import PinResult

if TYPE_CHECKING:
    from petitiondesk.gui.main_window import MainWindow


class WindowPins(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self._user_pins: set[str] = set()  # references added here, selected once they arrive
        self._dialog: AddPetitionsDialog | None = None

    def dialog(self) -> AddPetitionsDialog:
        """The one add dialog (not modal: results keep arriving while the user works)."""
        if self._dialog is None:
            self._dialog = AddPetitionsDialog(self.window.model.petition_ids, self.window)
            self._dialog.pin_requested.connect(self._pin_from_dialog)
        return self._dialog

    @Slot()
    def show_dialog(self) -> None:
        dialog = self.dialog()
        if dialog.isVisible():  # open behind the window: bring it forward
            dialog.raise_()
            dialog.activateWindow()
        dialog.show()
        dialog.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot(str)
    def add_text(self, text: str) -> None:
        """Links dropped or pasted on the watchlist: added through the add dialog, which shows how."""
        dialog = self.dialog()
        dialog.show()
        if not dialog.add_text(text):
            self.window.status.say("No petition links in what was dropped or pasted")

    @Slot(str)
    def _pin_from_dialog(self, reference: str) -> None:
        try:
            self.window.edits.keep(parse_reference(reference).id)
        except BadReference:
            pass
        self.window.service.pin(reference)

    @Slot(int, bool)
    def pin_petition(self, petition_id: int, archived: bool = False) -> None:
        """Pin from the browse view or the related panel; the watchlist's selection stays."""
        self.window.edits.keep(petition_id)
        self.window.status.say(f"Adding petition {petition_id}…")
        kind = "archived/petitions" if archived else "petitions"
        self.window.service.pin(f"{SITE_BASE}/{kind}/{petition_id}")

    def add_petition(self, reference: str) -> None:
        """Pin through the worker; the row appears when the site has answered."""
        try:
            ref = parse_reference(reference)
        except BadReference as error:
            warn(self.window, "Cannot add this petition", str(error))
            return
        self.window.edits.keep(ref.id)
        self.window.status.say(f"Adding petition {ref.id}…")
        self._user_pins.add(reference)
        self.window.service.pin(reference)

    @Slot(object)
    def on_pin_finished(self, result: PinResult) -> None:
        window = self.window
        if window.edits.pinned_again(result):
            return
        if self._dialog is not None and self._dialog.record_result(result):
            if result.row is not None:  # the dialog shows refusals line by line: no message box
                window.model.upsert([result.row])
                window.status.say(pinned_text(result.row))
            return
        if result.error or result.row is None:
            self._user_pins.discard(result.reference)
            window.status.say(f"Could not add {result.reference}: {result.error}")
            warn(window, "Cannot add this petition", result.error or "The site did not answer.")
            return
        window.model.upsert([result.row])
        if result.reference in self._user_pins or window.presenter.selected_id is None:
            window.select_petition(result.row.petition_id)
        self._user_pins.discard(result.reference)
        window.status.say(pinned_text(result.row))
