"""The window's status bar: what the last refresh did, its progress, the countdown, and Undo."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QPushButton

from petitiondesk.gui.format import format_relative, format_uk_time, zone_name
from petitiondesk.gui.worker import RefreshResult

STARTING = "Starting…"


def _uk_time(seconds: float) -> str:
    """A time in the shown zone, saying which ("14 Mar 2026, 09:12 UK time")."""
    return f"{format_uk_time(datetime.fromtimestamp(seconds, UTC))} {zone_name()}"


def refresh_status_text(result: RefreshResult, problems: int, now: float) -> str:
    """One line saying how a refresh pass went."""
    report = result.report
    if result.error or report is None:
        return f"Refresh failed: {result.error or 'no report'}"
    if report.blocked_until:
        return f"The site is refusing our requests; trying again after {_uk_time(report.blocked_until)}"
    if report.paused_until:
        return f"The site asked us to slow down; trying again after {_uk_time(report.paused_until)}"
    if report.offline:
        return "Offline: the site cannot be reached"
    if report.cancelled:
        return "Refresh stopped"
    text = f"Last refresh {_uk_time(report.finished_at)}"
    return text + (f" · {problems} with problems" if problems else "")


class StatusBar:
    """Builds its widgets into `window`'s status bar; `is_refreshing` says whether a pass runs."""

    def __init__(self, window: QMainWindow, is_refreshing: Callable[[], bool]) -> None:
        bar = window.statusBar()
        self._bar = bar
        self._is_refreshing = is_refreshing
        self._next_pass_at: float | None = None  # time.time() of the next scheduled pass
        self.label = QLabel(window)
        self.label.setObjectName("statusMessage")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Refresh status")
        self.undo_button = QPushButton("&Undo", window)
        self.undo_button.setObjectName("undoRemove")
        self.undo_button.setAccessibleName("Undo the removal")
        self.undo_button.hide()
        self.progress = QProgressBar(window)
        self.progress.setObjectName("refreshProgress")
        self.progress.setAccessibleName("Refresh progress")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.next_label = QLabel(window)
        self.next_label.setObjectName("nextRefresh")
        self.next_label.setAccessibleName("Next refresh")
        bar.addWidget(self.label, 1)
        bar.addPermanentWidget(self.undo_button)  # stays in view while a passing message is shown
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.next_label)
        self.countdown = QTimer(window)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.update_countdown)
        self.countdown.start()
        self.say(STARTING)

    def say(self, text: str) -> None:
        self.label.setText(text)

    def answer(self, text: str) -> None:
        """What the user's own action did: in view at once, in front of any passing message."""
        self._bar.clearMessage()
        self.say(text)

    def offer_undo(self, offered: bool) -> None:
        """The Undo button beside the news, while there is something to undo."""
        self.undo_button.setVisible(offered)

    def text(self) -> str:
        return self.label.text()

    def flash(self, text: str, ms: int = 8000) -> None:
        self._bar.showMessage(text, ms)

    def refresh_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.say("Refreshing…")

    def refresh_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.say(f"Refreshing… {done} of {total}")

    def refresh_finished(self, next_pass_in: float | None) -> None:
        self.progress.hide()
        self._next_pass_at = None if next_pass_in is None else time.time() + next_pass_in
        self.update_countdown()

    @Slot()
    def update_countdown(self) -> None:
        if self._is_refreshing():
            self.next_label.setText("Refreshing now")
        elif self._next_pass_at is None:
            self.next_label.setText("")
        else:
            seconds = max(0.0, self._next_pass_at - time.time())
            self.next_label.setText(f"Next refresh {format_relative(seconds)}")
