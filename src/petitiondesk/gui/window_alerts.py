"""Alerts in a main window, in one call: `WindowAlerts(window, service, open_petition)`.

It adds the Alerts dock (the list, pause and quiet hours, the rules), the tray icon with the unread
count, desktop notifications and status-bar messages, and keeps recording in the tray when the
window is closed (asked once, remembered; off where there is no tray). The window gives it its
`RefreshService` and a way to show a petition; everything else is wired here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from petitiondesk.core.alerts import AlertRules
from petitiondesk.gui.alert_center import AlertCenter
from petitiondesk.gui.alerts_view import AlertRulesEditor, AlertSettings, AlertsView
from petitiondesk.gui.notifier import Notifier, make_notifier
from petitiondesk.gui.tray import Tray

CLOSE_TO_TRAY_KEY = "alerts/close_to_tray"  # "yes", "no", or absent: not asked yet
READER_MESSAGE = "Recording by another PetitionDesk process (this window shows what it records)."


class WindowAlerts(QObject):
    def __init__(self, window: QMainWindow, service, open_petition: Callable[[int], None],
                 settings: QSettings | None = None, notifier: Notifier | None = None,
                 tray: Tray | None = None, use_tray: bool | None = None,
                 say: Callable[[str], None] | None = None) -> None:
        """`service` is the window's RefreshService; `notifier` and `tray` are for tests (by default
        the platform's, and a tray only where the desktop has one)."""
        super().__init__(window)
        self._window = window
        self._service = service
        self._open_petition = open_petition
        self._qsettings = settings if settings is not None else QSettings()
        self._quitting = False
        self._reading = False
        self._say = say or (lambda text: window.statusBar().showMessage(text, 15_000))
        self.rules = AlertRules()  # the stored defaults, once the worker has read them
        self.rules_dialog: QDialog | None = None
        self.settings = AlertSettings(self._qsettings, self)
        if use_tray is None:
            use_tray = Tray.available()
        self.tray = tray if tray is not None else (Tray(parent=self) if use_tray else None)
        self.notifier = notifier if notifier is not None else make_notifier(self.tray.icon if self.tray else None, self)
        self.center = AlertCenter(self.notifier, self.settings, self.tray, self)
        self.view = AlertsView(self.settings)
        self.dock = self._build_dock()
        self._connect()
        if self.tray is not None and Tray.available():  # an injected tray (tests) is not shown
            self.tray.show()
        window.installEventFilter(self)
        service.load_alerts()

    # --- wiring ---------------------------------------------------------------------------------

    def _build_dock(self) -> QDockWidget:
        dock = QDockWidget("Alerts", self._window)
        dock.setObjectName("alertsDock")
        rules_button = QPushButton("Alert &rules…", self.view)
        rules_button.clicked.connect(self.edit_rules)
        self.view.buttons.insertWidget(0, rules_button)
        self.view.setMinimumWidth(560)
        dock.setWidget(self.view)
        self._window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        return dock

    def _connect(self) -> None:
        service = self._service
        service.refresh_finished.connect(self._pass_finished)
        service.alerts_loaded.connect(self._alerts_loaded)
        self.view.mark_read.connect(service.mark_alerts_read)
        self.view.clear.connect(service.clear_alerts)
        self.view.open_petition.connect(self.show_petition)
        self.center.open_petition.connect(self.show_petition)
        self.center.status_message.connect(self._show_status)
        if self.tray is not None:
            self.tray.open_requested.connect(self.show_window)
            self.tray.refresh_requested.connect(lambda: service.refresh_now(True))
            self.tray.quit_requested.connect(self.quit)

    @Slot(object)
    def _pass_finished(self, result) -> None:
        self.center.deliver(result.alerts, result.unread)
        if result.alerts:
            self._service.load_alerts()
        if not result.polling and not self._reading:
            self._say(READER_MESSAGE)
        self._reading = not result.polling

    @Slot(object, int, object)
    def _alerts_loaded(self, listing, unread: int, rules: AlertRules) -> None:
        self.rules = rules
        self.view.set_alerts(listing)
        if self.tray is not None:
            self.tray.set_unread(unread)

    @Slot(str)
    def _show_status(self, message: str) -> None:
        self._say(message)

    # --- what the user does ---------------------------------------------------------------------

    @Slot(int)
    def show_petition(self, petition_id: int) -> None:
        self.show_window()
        self._open_petition(petition_id)

    @Slot()
    def show_window(self) -> None:
        window = self._window
        window.showNormal() if window.isMinimized() or not window.isVisible() else window.show()
        window.raise_()
        window.activateWindow()

    @Slot()
    def edit_rules(self) -> None:
        """The default rules, in a dialog; saved by the worker, where `record` reads them too."""
        dialog = QDialog(self._window)
        dialog.setWindowTitle("Alert rules")
        editor = AlertRulesEditor(self.rules, dialog)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(editor)
        layout.addWidget(buttons)
        editor.rules_changed.connect(self._save_rules)
        dialog.open()
        self.rules_dialog = dialog

    def _save_rules(self, rules: AlertRules) -> None:
        self.rules = rules
        self._service.save_alert_rules(rules)

    @Slot()
    def quit(self) -> None:
        self.let_close()
        self._window.close()
        QApplication.quit()

    def let_close(self) -> None:
        """From now on closing the window closes it (the window's own Quit calls this first)."""
        self._quitting = True
        QApplication.setQuitOnLastWindowClosed(True)

    # --- closing to the tray --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close and self._keep_running():
            event.ignore()
            QApplication.setQuitOnLastWindowClosed(False)  # a dialog closing must not end the app
            self._window.hide()  # the tray icon stays, with Quit in its menu
            return True
        return super().eventFilter(watched, event)

    def _keep_running(self) -> bool:
        if self._quitting or self.tray is None:
            return False
        choice = self._qsettings.value(CLOSE_TO_TRAY_KEY)
        if choice not in ("yes", "no"):
            choice = self._ask_close_to_tray()
            self._qsettings.setValue(CLOSE_TO_TRAY_KEY, choice)
        return choice == "yes"

    def _ask_close_to_tray(self) -> str:
        answer = QMessageBox.question(
            self._window, "Keep recording?",
            "Keep recording and alerting in the system tray when the window is closed?\n\n"
            "PetitionDesk will ask only this once; Quit in the tray menu ends it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return "yes" if answer == QMessageBox.StandardButton.Yes else "no"
