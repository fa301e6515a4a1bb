"""`petitiondesk --demo`: varied petitions from the simulator, and a real window under Xvfb."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from petitiondesk.gui.app import demo_petitions


def test_the_demo_pins_one_petition_of_each_kind(simulator):
    world = simulator.world
    picks = demo_petitions(world)
    assert len(picks) == len(set(picks)) == 6
    kinds = [world.current_kind(pid) for pid in picks]
    assert kinds[:3] == ["open", "open", "open"]
    assert world.count(picks[0]) >= 100_000
    assert kinds[3] == "closed" and world.milestones(picks[3]).debated
    assert world.milestones(picks[3]).government_response_at is not None
    assert kinds[4:] == ["rejected", "archived"]


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (CI installs it)")
def test_the_demo_window_under_xvfb_saves_a_screenshot_with_content(tmp_path):
    shot = tmp_path / "demo.png"
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # the crash log goes here, not in the user's home
    command = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24",
               sys.executable, "-m", "petitiondesk", "--demo", "--screenshot", str(shot), "--quit-after", "30"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90)
    assert finished.returncode == 0, finished.stderr[-2000:]
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1000 and image.height() >= 600
    assert distinct_colours(image) > 40  # rows, a curve, text: not a blank or uniform window
    assert "Traceback" not in finished.stderr
    assert not list(Path(tmp_path / "state").rglob("faulthandler.log"))  # a clean exit leaves none


def _wait_for_pins(folder_glob, timeout: float) -> Path:
    """The demo's folder once its window runs and the refresh worker has pinned petitions."""
    from petitiondesk import paths
    from petitiondesk.core.store import Store, StoreError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for folder in folder_glob():
            database = paths.database_path(folder)
            if database.exists():
                try:
                    with Store.open(database, readonly=True) as store:
                        if store.watchlist():
                            return folder
                except StoreError:
                    pass
        time.sleep(0.2)
    raise AssertionError("the demo pinned nothing in time")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_with_a_signal_removes_its_temporary_folder(tmp_path, signum):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), XDG_STATE_HOME=str(tmp_path / "state"), QT_QPA_PLATFORM="offscreen")
    demo = subprocess.Popen([sys.executable, "-m", "petitiondesk", "--demo", "--quit-after", "120"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        folder = _wait_for_pins(lambda: temp.glob("petitiondesk-demo-*"), timeout=60)
        demo.send_signal(signum)
        _, stderr = demo.communicate(timeout=20)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate()
    assert demo.returncode == 0, stderr[-2000:]
    assert not folder.exists()
    assert list(temp.iterdir()) == []
    assert "Traceback" not in stderr
