"""One instance per data folder: a second start hands its links to the first and exits."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from petitiondesk.gui.single_instance import SingleInstance, decode_request, encode_request, server_name

SECOND = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication
    from petitiondesk.gui.single_instance import SingleInstance
    app = QCoreApplication([])
    print("first" if SingleInstance(sys.argv[1]).claim(sys.argv[2:]) else "handed over", flush=True)
    """
)

CRASHING = textwrap.dedent(
    """
    import os, sys
    from PySide6.QtCore import QCoreApplication
    from petitiondesk.gui.single_instance import SingleInstance
    app = QCoreApplication([])
    SingleInstance(sys.argv[1]).claim([])
    print("listening", flush=True)
    os._exit(0)  # dies without closing its socket, like a crash
    """
)


def start_second(data_dir, *references: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SECOND, str(data_dir), *references],
                            stdout=subprocess.PIPE, text=True)


def test_a_second_start_hands_its_links_to_the_first_and_exits(qtbot, data_dir):
    first = SingleInstance(data_dir)
    try:
        assert first.claim([])
        with qtbot.waitSignal(first.raise_requested, timeout=15_000) as raised:
            second = start_second(data_dir, "https://petition.parliament.uk/petitions/700123", "#700124")
            while second.poll() is None:
                qtbot.wait(20)  # the first must answer while the second waits
        assert second.stdout.read().strip() == "handed over"
        assert raised.args == [["https://petition.parliament.uk/petitions/700123", "#700124"]]
    finally:
        first.close()


def test_another_data_folder_is_another_instance(qtbot, tmp_path):
    first = SingleInstance(tmp_path / "one")
    try:
        assert first.claim([])
        second = start_second(tmp_path / "two")
        assert second.communicate(timeout=30)[0].strip() == "first"
    finally:
        first.close()


def test_a_crashed_instance_does_not_stop_the_next_start(qtbot, data_dir):
    crashed = subprocess.run([sys.executable, "-c", CRASHING, str(data_dir)], capture_output=True, text=True,
                             timeout=30)
    assert crashed.stdout.strip() == "listening"
    again = SingleInstance(data_dir)
    try:
        assert again.claim([])
    finally:
        again.close()


def test_requests_that_are_not_ours_are_ignored():
    assert decode_request(encode_request(["#1", "2"])) == ["#1", "2"]
    assert decode_request(b'{"open": ["#1", 5, null]}') == ["#1"]
    for junk in (b"", b"\xff\xfe", b"[]", b'{"open": "x"}', b"{" * 70_000):
        assert decode_request(junk) is None
    assert server_name(__file__) != server_name(".")
