"""What the store has to tell at start-up (an upgrade and where its backup went, writes off) is shown
once, in plain text, without blocking the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from petitiondesk.gui.app import _show_notices


def test_notices_are_shown_in_plain_text_without_blocking(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    notice = "Upgraded /home/<b>me</b>/petitiondesk.sqlite3; a copy of the file as it was is at /x.bak-v1"
    _show_notices(window, [notice, "Writes are off: /ro is read-only."])  # returns: nothing waits on it
    [box] = window.findChildren(QMessageBox)
    qtbot.waitUntil(box.isVisible)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == notice + "\n\nWrites are off: /ro is read-only."
    box.close()
