"""One poller per data folder: two processes, one lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from petitiondesk.core.poller_lock import PollerLock

HOLDER = textwrap.dedent(
    """
    import sys
    from petitiondesk.core.poller_lock import PollerLock
    lock = PollerLock(sys.argv[1])
    print("polling" if lock.try_acquire() else "reading", flush=True)
    sys.stdin.readline()
    """
)


def start_holder(data_dir) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    return process


def test_the_first_process_polls_and_the_second_reads_until_the_first_quits(data_dir):
    first = start_holder(data_dir)
    try:
        assert first.stdout.readline().strip() == "polling"
        second = start_holder(data_dir)
        assert second.stdout.readline().strip() == "reading"
        second.communicate("\n", timeout=30)
        mine = PollerLock(data_dir)
        assert not mine.try_acquire()
        first.communicate("\n", timeout=30)
        assert mine.try_acquire() and mine.held
        mine.release()
        assert not mine.held
    finally:
        first.kill()


def test_a_killed_poller_lets_another_take_over(data_dir):
    first = start_holder(data_dir)
    assert first.stdout.readline().strip() == "polling"
    first.kill()
    first.wait(timeout=30)
    with PollerLock(data_dir) as mine:
        assert mine.try_acquire()
        third = start_holder(data_dir)
        assert third.communicate("\n", timeout=30)[0].strip() == "reading"


def test_the_lock_is_made_in_a_data_folder_that_does_not_exist_yet(tmp_path):
    with PollerLock(tmp_path / "new" / "folder") as lock:
        assert lock.try_acquire()
        assert lock.try_acquire()  # asking again while holding it is harmless
