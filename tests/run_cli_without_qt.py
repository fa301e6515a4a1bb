"""Runs the Qt-free side of PetitionDesk in one fresh process and reports what it loaded.

    python tests/run_cli_without_qt.py DATA_DIR

Imports every `petitiondesk.core` module, then runs each command of `petitiondesk` that needs no
window (add, remove, list, show, refresh, record, history, search, watchlist, simulator) against a
simulator in this process, `record` and `simulator` until a SIGTERM as a service manager would send.
Prints one JSON line: each command's exit status, the Qt modules that got imported (there must be
none: the command line runs on servers without a display), and the names the simulator command serves.
tests/test_repository.py runs it; it is not collected by pytest itself.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import pkgutil
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import httpx

import petitiondesk.core
from petitiondesk.cli import main
from petitiondesk.simulator import SimulatorServer

QT_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph")


def import_every_core_module() -> None:
    for module in pkgutil.iter_modules(petitiondesk.core.__path__, "petitiondesk.core."):
        importlib.import_module(module.name)


def qt_modules() -> list[str]:
    return sorted(name for name in sys.modules if name.split(".")[0] in QT_PACKAGES)


def run(*argv: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return main(list(argv))


def terminate_soon(seconds: float) -> None:
    """SIGTERM to this process, as `systemctl stop` sends; the commands must stop cleanly on it."""
    threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGTERM)).start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_and_read_seat_names() -> tuple[int, list[str]]:
    """Runs `petitiondesk simulator` until it has answered /constituencies.json once."""
    port, names = free_port(), []

    def read_then_stop() -> None:
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                try:
                    seats = httpx.get(f"http://127.0.0.1:{port}/constituencies.json", timeout=5).json()
                    names.extend(seat["constituency"] for seat in seats.values())
                    return
                except httpx.TransportError:
                    time.sleep(0.1)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=read_then_stop, daemon=True).start()
    return run("simulator", "--port", str(port)), names


def run_every_command(data_dir: Path) -> dict[str, int]:
    with SimulatorServer(port=0, speed=60.0, seed=11) as site:
        first, second = site.world.ids("open")[:2]
        word = max(site.world.plan(first).action.split(), key=len)
        common = ["--data-dir", str(data_dir), "--api-base", site.url]
        exported = data_dir / "watchlist.json"
        status = {
            "add": run("add", str(first), str(second), *common),
            "list": run("list", *common),
            "list --json": run("list", "--json", *common),
            "show": run("show", str(first), *common),
            "show --json": run("show", str(first), "--json", *common),
            "refresh": run("refresh", *common),
        }
        terminate_soon(2.0)
        status["record"] = run("record", "--interval", "1", *common)
        status["history"] = run("history", str(first), *common)
        status["history --csv"] = run("history", str(first), "--csv", *common)
        status["search"] = run("search", word, *common)
        status["search NUMBER"] = run("search", str(second), *common)
        status["watchlist export"] = run("watchlist", "export", str(exported), *common)
        status["remove"] = run("remove", str(second), *common)
        status["watchlist import"] = run("watchlist", "import", str(exported), *common)
    return status


def report(data_dir: Path) -> dict:
    import_every_core_module()
    status = run_every_command(data_dir)
    status["simulator"], seat_names = serve_and_read_seat_names()
    return {"exit_codes": status, "qt_modules": qt_modules(), "simulator_seats": seat_names}


if __name__ == "__main__":
    print(json.dumps(report(Path(sys.argv[1]))))
