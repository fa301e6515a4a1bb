"""Unexpected errors: one dialog at a time, and a burst of the same error is one dialog with a count."""

from __future__ import annotations

import threading

import pytest

from petitiondesk.gui.crash import CrashReporter

WAIT_MS = 10_000


@pytest.fixture
def reporter(tmp_path):
    reporter = CrashReporter(tmp_path / "logs")
    assert reporter.install() is None
    yield reporter
    for dialog in list(reporter.dialogs):
        dialog.close()
    reporter.uninstall()


def fail_in_a_thread(message: str) -> None:
    def broken():
        raise RuntimeError(message)

    thread = threading.Thread(target=broken, name="helper")
    thread.start()
    thread.join()


def shown(reporter):
    return [dialog for dialog in reporter.dialogs if dialog.isVisible()]


def test_a_burst_of_the_same_error_shows_one_dialog_with_a_count(qtbot, reporter):
    for _ in range(5):
        fail_in_a_thread("the same thing broke")
    qtbot.waitUntil(lambda: bool(shown(reporter)) and shown(reporter)[0].count_label.isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)  # every report has been delivered
    (dialog,) = shown(reporter)
    assert dialog.count_label.text() == "This happened 5 times."
    assert "RuntimeError: the same thing broke" in dialog.report_view.toPlainText()


def test_a_different_error_waits_until_the_open_dialog_is_closed(qtbot, reporter):
    fail_in_a_thread("first")
    qtbot.waitUntil(lambda: bool(shown(reporter)), timeout=WAIT_MS)
    fail_in_a_thread("second")
    fail_in_a_thread("second")
    fail_in_a_thread("first")
    qtbot.wait(100)
    (first,) = shown(reporter)
    assert "RuntimeError: first" in first.report_view.toPlainText()
    assert first.count_label.text() == "This happened 2 times."
    first.close()
    qtbot.waitUntil(lambda: bool(shown(reporter)), timeout=WAIT_MS)
    (second,) = shown(reporter)
    assert "RuntimeError: second" in second.report_view.toPlainText()
    assert second.count_label.text() == "This happened 2 times."
    second.close()
    qtbot.wait(50)
    assert not shown(reporter)  # nothing else was waiting


def test_an_error_seen_once_shows_no_count(qtbot, reporter):
    fail_in_a_thread("once")
    qtbot.waitUntil(lambda: bool(shown(reporter)), timeout=WAIT_MS)
    assert shown(reporter)[0].count_label.isHidden()
