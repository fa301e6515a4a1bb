"""Quitting never freezes: the real app, in a process of its own, asked to quit while its refresh
request hangs on a server that never answers, is gone within a second (asserted with room to
spare for a loaded machine) and leaves its database whole."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from petitiondesk import paths
from petitiondesk.core.store import Store
from slow_servers import SlowServer

# Opens the window on `api_base` (and, given a petition number, a comparison of that petition), and
# closes the main window (as the user's Quit does) once the file "quit-now" appears in the data
# folder, printing the time it was asked to.
DRIVER = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from petitiondesk.gui.app import GuiOptions, run_gui
from petitiondesk.gui.compare_window import open_comparison
from petitiondesk.gui.main_window import MainWindow

app = QApplication(sys.argv[:1])
api_base, data_dir = sys.argv[1], Path(sys.argv[2])
compared = [int(pid) for pid in sys.argv[3:]]

def close_when_asked():
    main = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
    if main is not None and compared:
        open_comparison(main, compared)
        compared.clear()
    if main is not None and (data_dir / "quit-now").exists():
        watcher.stop()
        print(f"asked {time.time():.3f}", flush=True)
        main.quit()

watcher = QTimer()
watcher.timeout.connect(close_when_asked)
watcher.start(20)
sys.exit(run_gui(GuiOptions(data_dir=data_dir, api_base=api_base)))
"""


@pytest.mark.parametrize("compared", [(), (700002,)], ids=["main window", "with a comparison open"])
def test_quitting_while_a_request_hangs_exits_within_a_second(data_dir, tmp_path, compared):
    with Store.open(paths.database_path(data_dir)) as store:
        store.pin(700001)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"))
    wanted = [f"/petitions/{pid}.json" for pid in compared]
    with SlowServer("hang") as server:
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, server.url, str(data_dir), *map(str, compared)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ends = time.monotonic() + 60
            while not _asked_for_all(server, wanted) and proc.poll() is None and time.monotonic() < ends:
                time.sleep(0.05)
            assert _asked_for_all(server, wanted), f"the window never asked for all of {wanted}: {server.requests}"
            time.sleep(0.5)  # the requests are now waiting for answers that never come
            (data_dir / "quit-now").touch()
            out, err = proc.communicate(timeout=60)
            exited = time.time()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    asked = float(out.split("asked ", 1)[1].split()[0])
    took = exited - asked
    print(f"asked to quit mid-request: the process had exited {took * 1000:.0f} ms later")
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "still busy" not in err and "QThread" not in err, err
    assert took < 3.0
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        assert [entry.petition_id for entry in store.watchlist()] == [700001]


def _asked_for_all(server: SlowServer, paths: list[str]) -> bool:
    """The refresh's first request, and one for each path (the comparison's), are waiting."""
    return bool(server.requests) and all(any(path in request for request in server.requests) for path in paths)


@pytest.mark.parametrize("writer", ["main window", "comparison"])
def test_an_export_being_written_when_the_window_closes_is_finished_not_cut_off(make_window, data_dir, tmp_path,
                                                                                writer):
    from petitiondesk.core.export import atomic_write
    from petitiondesk.gui.compare_window import CompareService, CompareWindow

    window = make_window()
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "history.csv"
    chunk = b"x" * 100_000

    def slow_export(file) -> None:  # a large file on a slow disk: 20 chunks over ~0.4 s
        for _ in range(20):
            file.write(chunk)
            time.sleep(0.02)

    job = lambda: atomic_write(target, slow_export)  # noqa: E731
    if writer == "comparison":  # a comparison window opened from the main one, writing its CSV
        compare = CompareWindow(CompareService(paths.database_path(data_dir)), parent=window)
        compare._write(target, job)
    else:
        window.exports._write(target, "history", job)
    time.sleep(0.05)  # the writer is part-way through
    window.close()
    assert target.read_bytes() == chunk * 20
    assert [path.name for path in folder.iterdir()] == ["history.csv"]  # no half-written part file
    if writer == "comparison":
        compare.close()
