"""The system tray icon: the count of unread alerts on the icon and a menu (open, refresh now,
pause alerts, quit). It only asks; the window acts on its signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

BADGE_SIZES = (16, 22, 24, 32, 48, 64)
BADGE_COLOUR = QColor("#c0392b")
MOST_SHOWN = 99  # the badge says "99+" beyond this


def badge_text(unread: int) -> str:
    return "" if unread <= 0 else (str(unread) if unread <= MOST_SHOWN else f"{MOST_SHOWN}+")


def tray_tooltip(unread: int, paused: bool) -> str:
    words = "no unread alerts" if unread <= 0 else f"{unread} unread alert{'s' if unread != 1 else ''}"
    return f"PetitionDesk: {words}" + (" (alerts paused)" if paused else "")


def badged_icon(base: QIcon, unread: int) -> QIcon:
    """`base` with the unread count in a red disc in its lower right corner (unchanged at 0)."""
    text = badge_text(unread)
    if not text or base.isNull():
        return base
    icon = QIcon()
    for size in BADGE_SIZES:
        pixmap = base.pixmap(size, size)
        if pixmap.isNull():
            continue
        pixmap = pixmap.copy()
        _paint_badge(pixmap, text)
        icon.addPixmap(pixmap)
    return icon


def _paint_badge(pixmap: QPixmap, text: str) -> None:
    side = pixmap.width() / pixmap.devicePixelRatio()
    disc = side * (0.62 if len(text) > 1 else 0.5)
    rect = QRectF(side - disc, side - disc, disc, disc)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BADGE_COLOUR)
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(disc * (0.5 if len(text) > 2 else 0.62))))
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.white)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()


class Tray(QObject):
    open_requested = Signal()
    refresh_requested = Signal()
    pause_toggled = Signal(bool)
    quit_requested = Signal()

    def __init__(self, base_icon: QIcon | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._base = base_icon if base_icon is not None else QApplication.windowIcon()
        self._unread = 0
        self.icon = QSystemTrayIcon(self._base, self)
        self.menu = QMenu()
        self.open_action = self._add("&Open PetitionDesk", self.open_requested.emit)
        self.refresh_action = self._add("&Refresh now", self.refresh_requested.emit)
        self.pause_action = self.menu.addAction("&Pause alerts")
        self.pause_action.setCheckable(True)
        self.pause_action.toggled.connect(self._pause_changed)
        self.menu.addSeparator()
        self.quit_action = self._add("&Quit", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._show_state()

    @staticmethod
    def available() -> bool:
        """False where the desktop has no tray (then closing the window quits)."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def set_unread(self, unread: int) -> None:
        if unread != self._unread:
            self._unread = unread
            self._show_state()

    def set_paused(self, paused: bool) -> None:
        """Show the setting as changed elsewhere (not echoed back as `pause_toggled`)."""
        blocked = self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(blocked)
        self._show_state()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def _add(self, text: str, slot) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(slot)
        return action

    def _show_state(self) -> None:
        self.icon.setIcon(badged_icon(self._base, self._unread))
        self.icon.setToolTip(tray_tooltip(self._unread, self.pause_action.isChecked()))

    @Slot(bool)
    def _pause_changed(self, paused: bool) -> None:
        self._show_state()
        self.pause_toggled.emit(paused)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()
