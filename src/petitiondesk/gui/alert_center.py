"""Where new alerts go in the window: the status bar always, the tray's count, and a desktop
notification unless alerts are paused or it is the quiet hours.

It is given alerts already recorded in the store (by this process's poller, or read back from
the store when another process polls) and does no I/O itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal, Slot

from petitiondesk.core.alert_store import StoredAlert
from petitiondesk.core.alerts import announcements
from petitiondesk.core.terminal import for_terminal
from petitiondesk.gui.alerts_view import AlertSettings
from petitiondesk.gui.notifier import Notifier
from petitiondesk.gui.tray import Tray


def status_line(alerts: Sequence[StoredAlert]) -> str:
    """One line for the status bar: the alert itself, or how many there are."""
    if len(alerts) == 1:
        alert = alerts[0].alert
        return for_terminal(f"{alert.title}: {alert.message}")
    return f"{len(alerts)} new alerts: see Alerts"


class AlertCenter(QObject):
    status_message = Signal(str)
    open_petition = Signal(int)

    def __init__(self, notifier: Notifier, settings: AlertSettings, tray: Tray | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self.settings = settings
        self.tray = tray
        notifier.activated.connect(self.open_petition)
        notifier.failed.connect(self._notifier_failed)
        if tray is not None:
            tray.set_paused(settings.paused)
            tray.pause_toggled.connect(settings.set_paused)
            settings.changed.connect(lambda: tray.set_paused(settings.paused))

    def deliver(self, new: Sequence[StoredAlert], unread: int) -> None:
        """Tell the user about `new` alerts; `unread` is the list's unread count after them."""
        if self.tray is not None:
            self.tray.set_unread(unread)
        if not new:
            return
        self.status_message.emit(status_line(new))
        if not self.settings.notifications_allowed():
            return
        away = [stored.alert for stored in new if stored.away]
        present = [stored.alert for stored in new if not stored.away]
        for announcement in announcements(away, away=True) + announcements(present, away=False):
            self.notifier.notify(announcement)

    @Slot(str)
    def _notifier_failed(self, message: str) -> None:
        self.status_message.emit(f"{message}. Alerts are still listed under Alerts.")
