"""Cycles are collected on the GUI thread only (gui/collector.py): a worker thread that collected a
window's Qt objects could deadlock with the GUI thread (seen once in a full test run)."""

from __future__ import annotations

import gc
import threading

from petitiondesk.gui.collector import GuiThreadCollector


class Cycle:
    """Half of a reference cycle that says which thread freed it."""

    freed_in: list[str] = []

    def __init__(self) -> None:
        self.other = self

    def __del__(self) -> None:
        Cycle.freed_in.append(threading.current_thread().name)


def test_a_cycle_made_and_left_on_a_worker_thread_is_freed_on_the_gui_thread(qtbot, cycles_collected_on_the_gui_thread):
    assert not gc.isenabled()  # no thread collects by itself while the window runs
    Cycle.freed_in.clear()

    kept: list[list[object]] = []

    def work() -> None:
        # Objects kept alive and garbage in cycles, far past the first threshold (700): Python would
        # collect here, in this thread. (Its count is allocations less frees: kept ones keep it past
        # the threshold whatever a previous test's objects, freed meanwhile, take off.)
        kept.extend([] for _ in range(50_000))
        for _ in range(1_000):
            Cycle()

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()
    assert Cycle.freed_in == []
    qtbot.waitUntil(lambda: len(Cycle.freed_in) == 1_000, timeout=5_000)
    assert set(Cycle.freed_in) == {threading.main_thread().name}


def test_stopping_gives_collection_back_to_python(qtbot):
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    collector.stop()
    assert not gc.isenabled()  # the test's own collector (conftest) is still on
    collector.deleteLater()


def test_freezing_the_survivors_of_a_pass_frees_the_garbage_first(qtbot, cycles_collected_on_the_gui_thread):
    """Survivors are frozen out of later collections after each refresh pass: a dead cycle frozen
    with them would never be freed."""
    Cycle.freed_in.clear()
    alive = Cycle()
    for _ in range(10):
        Cycle()
    frozen_before = gc.get_freeze_count()
    cycles_collected_on_the_gui_thread.freeze_survivors()
    assert len(Cycle.freed_in) == 10
    assert gc.get_freeze_count() > frozen_before and alive.other is alive
    gc.unfreeze()  # the test's objects go back to the collector
