"""Desktop notifications for alerts, through the platform's own mechanism; injectable.

- Linux: freedesktop notifications over D-Bus, with an "Open" action: clicking the notification
  opens its petition (`activated`). D-Bus is spoken by `jeepney` on a notifier thread: QtDBus
  from Python cannot send the unsigned integer that `Notify` requires (PySide6 marshals every
  int as signed), and the calls must not wait on the GUI thread anyway.
- Elsewhere: the tray icon's message balloon (`QSystemTrayIcon.showMessage`).
- Tests: `FakeNotifier` (there is no session bus or tray under Xvfb).

When no service exists or it fails, `failed` says why; alerts still reach the alerts list and the
status bar, which do not depend on any notifier.
"""

from __future__ import annotations

import html
import logging
import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from petitiondesk.core.alerts import Announcement
from petitiondesk.core.terminal import for_terminal

log = logging.getLogger(__name__)

APP_NAME = "PetitionDesk"
APP_ICON = "petitiondesk"  # the icon name the desktop entry installs
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
OPEN_ACTION = "default"  # the spec's name for clicking the notification itself
REPLY_TIMEOUT = 5.0
BODY_LIMIT = 1000  # a summary of many alerts is cut here; the alerts list has them all


def plain(announcement: Announcement) -> tuple[str, str]:
    """Title and body without control characters (the body keeps its line breaks)."""
    body = for_terminal(announcement.body, keep_newlines=True)
    if len(body) > BODY_LIMIT:
        body = body[: BODY_LIMIT - 1].rsplit("\n", 1)[0] + "\n…"
    return for_terminal(announcement.title), body


class Notifier(QObject):
    """Shows announcements; `activated(petition_id)` when the user clicks one that names a petition."""

    activated = Signal(int)
    failed = Signal(str)  # human words: notifications cannot be shown

    def notify(self, announcement: Announcement) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop any thread or connection; safe to call twice."""


class NullNotifier(Notifier):
    """Where the desktop has no way to notify: the alerts list and status bar carry the alerts."""

    def notify(self, announcement: Announcement) -> None:
        pass


class FakeNotifier(Notifier):
    """Keeps what it was asked to show; `click(i)` acts as the user clicking the i-th one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: list[Announcement] = []

    def notify(self, announcement: Announcement) -> None:
        self.shown.append(announcement)

    def click(self, index: int = -1) -> None:
        petition_id = self.shown[index].petition_id
        if petition_id is not None:
            self.activated.emit(petition_id)


class TrayNotifier(Notifier):
    """The tray icon's message; a click opens the petition of the latest message."""

    def __init__(self, tray: QSystemTrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._latest: int | None = None
        tray.messageClicked.connect(self._clicked)

    def notify(self, announcement: Announcement) -> None:
        title, body = plain(announcement)
        self._latest = announcement.petition_id
        self._tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information)

    @Slot()
    def _clicked(self) -> None:
        if self._latest is not None:
            self.activated.emit(self._latest)


class _SignalQueue:
    """What jeepney's receiver thread puts D-Bus signals into: a Qt signal, queued to the GUI thread."""

    def __init__(self, signal) -> None:
        self._signal = signal

    def put_nowait(self, message) -> None:
        body = message.body
        if len(body) >= 2 and isinstance(body[0], int) and isinstance(body[1], str):
            self._signal.emit(body[0], body[1])


class FreedesktopNotifier(Notifier):
    """org.freedesktop.Notifications over the session bus, on one notifier thread."""

    _sent = Signal(int, int)  # (notification id, petition id): from the notifier thread
    _invoked = Signal(int, str)  # (notification id, action): from jeepney's receiver thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notifier")
        self._router = None
        self._markup = False
        self._petitions: dict[int, int] = {}  # notification id -> petition id (GUI thread)
        self._early: set[int] = set()  # clicks that arrived before Notify's reply was seen
        self._connected = False  # asked to connect yet (on the first notification)
        self._sent.connect(self._remember)
        self._invoked.connect(self._on_action)

    def _submit(self, function, *args) -> None:
        """Run on the notifier thread; a failure there is logged rather than lost in a Future."""
        assert self._pool is not None
        self._pool.submit(function, *args).add_done_callback(_log_failure)

    def notify(self, announcement: Announcement) -> None:
        if self._pool is None:
            return
        if not self._connected:
            self._connected = True
            self._submit(self._connect)
        self._submit(self._send, announcement)

    def close(self) -> None:
        if self._pool is None:
            return
        self._submit(self._disconnect)
        self._pool.shutdown(wait=True)
        self._pool = None

    # -- on the notifier thread ----------------------------------------------------------------

    def _connect(self) -> None:
        from jeepney import DBusAddress, MatchRule, new_method_call
        from jeepney.bus_messages import message_bus
        from jeepney.io.threading import DBusRouter, open_dbus_connection

        try:
            router = DBusRouter(open_dbus_connection("SESSION"))
        except Exception as error:  # no bus, refused, bad address: notifications are off
            self.failed.emit(f"Desktop notifications are unavailable: {error or type(error).__name__}")
            return
        try:
            rule = MatchRule(type="signal", interface=SERVICE, member="ActionInvoked", path=PATH)
            router.filter(rule, queue=_SignalQueue(self._invoked))
            router.send_and_get_reply(message_bus.AddMatch(rule), timeout=REPLY_TIMEOUT)
            address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
            reply = router.send_and_get_reply(new_method_call(address, "GetCapabilities"), timeout=REPLY_TIMEOUT)
            capabilities = reply.body[0] if reply.body and isinstance(reply.body[0], list) else []
        except Exception as error:
            self._close_router(router)
            self.failed.emit(f"Desktop notifications are unavailable: {error or type(error).__name__}")
            return
        self._markup = "body-markup" in capabilities
        self._router = router

    def _send(self, announcement: Announcement) -> None:
        from jeepney import DBusAddress, MessageType, new_method_call

        if self._router is None:
            return  # `failed` has said why
        title, body = plain(announcement)
        if self._markup:  # servers that read markup would otherwise obey tags in petition titles
            body = html.escape(body, quote=False)
        actions = [OPEN_ACTION, "Open"] if announcement.petition_id is not None else []
        address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
        call = new_method_call(address, "Notify", "susssasa{sv}i",
                               (APP_NAME, 0, APP_ICON, title, body, actions, {}, -1))
        try:
            reply = self._router.send_and_get_reply(call, timeout=REPLY_TIMEOUT)
        except Exception as error:
            self.failed.emit(f"A desktop notification could not be shown: {error or type(error).__name__}")
            return
        if reply.header.message_type is MessageType.error:
            self.failed.emit(f"A desktop notification could not be shown: {reply.body[:1]}")
            return
        if announcement.petition_id is not None and reply.body:
            self._sent.emit(int(reply.body[0]), announcement.petition_id)

    def _disconnect(self) -> None:
        if self._router is not None:
            self._close_router(self._router)
            self._router = None

    @staticmethod
    def _close_router(router) -> None:
        router.close()
        router.conn.close()

    # -- on the GUI thread ---------------------------------------------------------------------

    @Slot(int, int)
    def _remember(self, notification_id: int, petition_id: int) -> None:
        self._petitions[notification_id] = petition_id
        if notification_id in self._early:
            self._early.discard(notification_id)
            self.activated.emit(petition_id)

    @Slot(int, str)
    def _on_action(self, notification_id: int, action: str) -> None:
        if action != OPEN_ACTION:
            return
        petition_id = self._petitions.get(notification_id)  # other applications' ids are not ours
        if petition_id is not None:
            self.activated.emit(petition_id)
        elif len(self._early) < 100:  # the receiver thread can beat the notifier thread to it
            self._early.add(notification_id)


def _log_failure(done: Future[None]) -> None:
    error = done.exception()
    if error is not None:
        log.error("notifier thread failed", exc_info=error)


def make_notifier(tray: QSystemTrayIcon | None, parent: QObject | None = None) -> Notifier:
    """The platform's notifier: D-Bus on Linux when a session bus is there, else the tray's
    messages, else none (the alerts list and status bar still show every alert)."""
    if sys.platform.startswith("linux") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return FreedesktopNotifier(parent)
    if tray is not None and QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
        return TrayNotifier(tray, parent)
    return NullNotifier(parent)
