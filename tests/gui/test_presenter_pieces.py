"""A read goes on show a piece per turn, each after the window has painted the one before."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QWidget

from petitiondesk.gui.petition_presenter import PAINT_WAIT_MS, AfterPaint


class Window(QWidget):
    def __init__(self, seen: list[str]) -> None:
        super().__init__()
        self.seen = seen

    def paintEvent(self, event) -> None:
        self.seen.append("paint")


def shown_window(qtbot, seen: list[str]) -> Window:
    window = Window(seen)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # its first paints are over
    return window


def test_the_next_piece_comes_after_the_windows_paint_of_the_last(qtbot):
    seen: list[str] = []
    window = shown_window(qtbot, seen)
    pacer = AfterPaint(lambda: seen.append("piece"), window)
    seen.clear()
    window.update()  # what the last piece changed
    pacer.wait(window)
    qtbot.waitUntil(lambda: "piece" in seen, timeout=1000)
    assert seen[:2] == ["paint", "piece"]


def test_a_piece_that_changed_nothing_on_screen_waits_a_little_and_a_hidden_window_not_at_all(qtbot):
    seen: list[str] = []
    window = shown_window(qtbot, seen)
    pacer = AfterPaint(lambda: seen.append("piece"), window)
    seen.clear()
    began = time.monotonic()
    pacer.wait(window)  # nothing to paint
    qtbot.waitUntil(lambda: "piece" in seen, timeout=1000)
    assert time.monotonic() - began >= PAINT_WAIT_MS / 1000 * 0.9
    window.hide()
    seen.clear()
    pacer.wait(window)
    qtbot.waitUntil(lambda: "piece" in seen, timeout=PAINT_WAIT_MS // 2)
    pacer.wait(window)
    pacer.cancel()  # a newer read: nothing left of this one runs
    qtbot.wait(PAINT_WAIT_MS * 2)
    assert seen == ["piece"]
