"""A crash never vanishes silently.

An unexpected exception, in any thread, is written to the log file in the platform's log folder
and shown in a dialog whose text can be copied. One dialog at a time: the same error again while
it is open adds to its count ("This happened 5 times") instead of opening another, and a
different error waits for its turn. A hard crash (a segfault in Qt, an abort) cannot
run Python code, so `faulthandler` writes its traceback to a file; on the next start that file is
found non-empty and offered to the user.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from petitiondesk import APP_NAME, __version__

log = logging.getLogger(__name__)

LOG_FILE = "petitiondesk.log"
FAULT_FILE = "faulthandler.log"


class CrashDialog(QDialog):
    """Says what happened, shows the report as copyable plain text, points at the log folder."""

    def __init__(self, title: str, message: str, report: str, log_dir: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("crashDialog")
        self._log_dir = log_dir
        label = QLabel(message, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("crashCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.hide()
        self.report_view = QPlainTextEdit(report, self)
        self.report_view.setReadOnly(True)
        self.report_view.setAccessibleName("Error report")
        self.report_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report_view.setMinimumSize(560, 240)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("Copy Report", self)
        copy.clicked.connect(self.copy_report)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        folder = QPushButton("Open Log Folder", self)
        folder.clicked.connect(self._open_log_folder)
        buttons.addButton(folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.count_label)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(buttons)

    def set_count(self, count: int) -> None:
        """How often this error happened while the dialog was waiting to be read."""
        self.count_label.setText(f"This happened {count} times." if count > 1 else "")
        self.count_label.setVisible(count > 1)

    @Slot()
    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_view.toPlainText())

    @Slot()
    def _open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_dir)))


@dataclass
class _Pending:
    report: str
    count: int = 1


def _error_of(report: str) -> str:
    """What makes two reports the same error: the traceback, not the thread it happened in."""
    return report.partition("\n\n")[2] or report


class CrashReporter(QObject):
    """Install once the QApplication exists; `uninstall()` restores the previous hooks."""

    #: A formatted report, from any thread; delivered to the GUI thread, where the dialog opens.
    exception_caught = Signal(str)

    def __init__(self, log_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_dir = Path(log_dir)
        self.log_path = self.log_dir / LOG_FILE
        self.fault_path = self.log_dir / FAULT_FILE
        self.dialogs: list[CrashDialog] = []
        self._shown: tuple[str, CrashDialog, _Pending] | None = None  # the error on show, its dialog
        self._waiting: dict[str, _Pending] = {}  # errors to show once it is closed, in order
        self._handler: logging.Handler | None = None
        self._fault_file: TextIO | None = None
        self._previous_hooks: tuple[Callable[..., Any], Callable[..., Any]] | None = None
        self.exception_caught.connect(self._show_exception, Qt.ConnectionType.QueuedConnection)

    def install(self) -> str | None:
        """Start logging and catching; returns the report of a hard crash of the last run, if any."""
        try:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            log.warning("cannot create the log folder %s: %s", self.log_dir, error)
            return None
        self._start_log_file()
        previous = self._take_previous_fault()
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        try:
            fault_file = self._fault_file = open(self.fault_path, "w", encoding="utf-8")
            faulthandler.enable(fault_file, all_threads=True)
        except OSError as error:
            log.warning("cannot write %s: %s", self.fault_path, error)
        log.info("%s %s started", APP_NAME, __version__)
        return previous

    def uninstall(self) -> None:
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks
            self._previous_hooks = None
        if self._fault_file is not None:
            faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None
            # A clean exit leaves nothing to offer next time.
            self.fault_path.unlink(missing_ok=True)
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def offer_previous_crash(self, report: str, parent: QWidget | None = None) -> CrashDialog:
        return self._open_dialog(
            f"{APP_NAME} closed unexpectedly",
            f"{APP_NAME} stopped unexpectedly last time. This is what it recorded; "
            f"copying it into a bug report helps. It is also kept in {self.log_dir}.",
            report, parent)

    # --- inside ---------------------------------------------------------------------------------

    def _start_log_file(self) -> None:
        handler = logging.handlers.RotatingFileHandler(self.log_path, maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
        self._handler = handler

    def _take_previous_fault(self) -> str | None:
        """The faulthandler output of the last run, moved aside so that it is offered only once."""
        try:
            text = self.fault_path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        if not text:
            return None
        kept = self.log_dir / f"crash-{datetime.now():%Y%m%d-%H%M%S}.log"
        try:
            self.fault_path.replace(kept)
        except OSError:
            pass
        log.error("the previous run crashed; its report is in %s", kept)
        return text

    def _excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        self._report(exc_type, exc, tb, threading.current_thread().name)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self._report(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _report(self, exc_type, exc, tb, thread_name: str) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        report = f"{APP_NAME} {__version__}, Python {sys.version.split()[0]}, thread {thread_name}\n\n{text}"
        log.critical("unexpected error in %s\n%s", thread_name, text)
        # Emitting is safe from any thread; the queued connection opens the dialog in the GUI thread.
        self.exception_caught.emit(report)

    @Slot(str)
    def _show_exception(self, report: str) -> None:
        error = _error_of(report)
        if self._shown is not None and self._shown[0] == error:
            self._shown[2].count += 1
            self._shown[1].set_count(self._shown[2].count)
        elif error in self._waiting:
            self._waiting[error].count += 1
        elif self._shown is not None:
            self._waiting[error] = _Pending(report)
        else:
            self._show_next(error, _Pending(report))

    def _show_next(self, error: str, pending: _Pending) -> None:
        try:
            dialog = self._open_dialog(
                "Unexpected error",
                f"Something went wrong inside {APP_NAME}. It keeps running, but what you were doing "
                f"may not have finished. The details below were saved to {self.log_path}.",
                pending.report, QApplication.activeWindow())
        except Exception:  # never let the reporter itself loop on its own failure
            log.exception("could not show the error dialog")
            return
        dialog.set_count(pending.count)
        self._shown = (error, dialog, pending)
        dialog.finished.connect(self._on_closed)

    @Slot()
    def _on_closed(self, *args) -> None:
        self._shown = None
        if self._waiting:
            error = next(iter(self._waiting))
            self._show_next(error, self._waiting.pop(error))

    def _open_dialog(self, title: str, message: str, report: str, parent: QWidget | None) -> CrashDialog:
        dialog = CrashDialog(title, message, report, self.log_dir, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog
