"""The soak: faults, kill -9, hostile servers, bad database files and a long-running window, on loopback.

    .venv/bin/python bench/soak.py [--quick] [--seed N]      (or `make soak`)

It prints a table of figures and "nothing lost" as its pass line; it exits 1 when anything
committed was lost, a command crashed (a traceback, a signal, a hang), a bad file was changed,
petition text reached a terminal with its escape sequences, or the window leaked threads or file
descriptors. Defaults take about 5 minutes on 2 cores; `--quick` about 1.5. Only 127.0.0.1 is
contacted. Each section prints its rows as it finishes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from petitiondesk import paths
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.store import Store
from petitiondesk.simulator import FAULT_KINDS, SimulatorServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hostile_servers import HostileSite
from slow_servers import SlowServer

#: Any control character a terminal acts on (newlines and tabs aside), and bidi overrides.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
COMMAND_TIMEOUT = 60.0
#: Runs a command and writes its peak memory (KiB) to a file: measured from a small parent, since a
#: child forked from the soak itself would inherit the soak's high-water mark.
_PEAK_WRAPPER = """
import os, resource, subprocess, sys
status = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
if status < 0:
    os.kill(os.getpid(), -status)
sys.exit(status)
"""


@dataclass(frozen=True)
class Sizes:
    fault_passes: int
    kills: int
    window_seconds: float
    poller_seconds: float


FULL = Sizes(fault_passes=200, kills=50, window_seconds=75, poller_seconds=12)
QUICK = Sizes(fault_passes=30, kills=6, window_seconds=15, poller_seconds=5)


@dataclass
class Table:
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, check: str, figure: str, ok: bool | None = True) -> None:
        verdict = "ok" if ok else ("FAIL" if ok is False else "note")
        self.rows.append((check, figure, verdict))
        if ok is False:
            self.failures.append(check)
        print(f"  {check}: {figure} [{verdict}]", flush=True)

    def render(self) -> str:
        width = max(len(check) for check, _, _ in self.rows)
        lines = [f"{'check':<{width}}  result  figures", f"{'-' * width}  ------  -------"]
        lines += [f"{check:<{width}}  {verdict:<6}  {figure}" for check, figure, verdict in self.rows]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Running the command line


@dataclass(frozen=True)
class Run:
    status: int | None  # None: killed by the soak after COMMAND_TIMEOUT
    out: str
    err: str
    seconds: float
    peak_rss_mb: float

    @property
    def crashed(self) -> bool:
        return self.status is None or self.status < 0 or self.status > 2 or "Traceback" in self.err

    @property
    def shows_controls(self) -> bool:
        return bool(_CONTROLS.search(self.out) or _CONTROLS.search(self.err))


def child_env(temp: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PETITIONDESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(temp / "state"), TMPDIR=str(temp),
               PYTHONUNBUFFERED="1")
    return env


def petitiondesk(*args: str, data_dir: Path, api_base: str, env: dict, timeout: float = COMMAND_TIMEOUT) -> Run:
    """`petitiondesk ARGS` in a process of its own, with its peak memory."""
    peak_file = Path(env["TMPDIR"]) / f"peak-{threading.get_ident()}"
    command = [sys.executable, "-I", "-S", "-c", _PEAK_WRAPPER, str(peak_file), sys.executable, "-m", "petitiondesk",
               "--data-dir", str(data_dir), "--api-base", api_base, *args]
    started = time.monotonic()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        return Run(None, _text(expired.stdout), _text(expired.stderr), time.monotonic() - started, 0.0)
    peak_mb = int(peak_file.read_text() or 0) / 1024 if peak_file.exists() else 0.0
    peak_file.unlink(missing_ok=True)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started, peak_mb)


def _text(output: bytes | str | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def _holds_data(path: Path) -> bool:
    """Not SQLite's -shm index, nor an empty -wal: a read-only reader of a WAL file leaves those."""
    return not path.name.endswith("-shm") and not (path.name.endswith("-wal") and path.stat().st_size == 0)


def folder_digest(folder: Path) -> str:
    """Names and contents of the files that hold data."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if _holds_data(p)):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def quick_check(database: Path) -> str:
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return str(error)


# ---------------------------------------------------------------------------------------------
# 1. Refreshes with every fault kind on


class CountingFaults:
    """Wraps the simulator's fault plan to count the faults it injects, by kind."""

    def __init__(self, plan) -> None:
        self.plan = plan
        self.counts: dict[str, int] = {}
        self._pick = plan.pick
        plan.pick = self.pick

    def pick(self, path: str):
        fault = self._pick(path)
        if fault is not None:
            self.counts[fault.kind] = self.counts.get(fault.kind, 0) + 1
        return fault


def bad_rows(store: Store, ids: list[int]) -> int:
    """Samples with impossible counts or times, and documents stored under another petition's number."""
    bad = 0
    documents = store.petitions(ids)
    for pid in ids:
        times, counts = store.samples(pid)
        bad += int((counts < 0).sum()) + int((times[1:] < times[:-1]).sum())
        if pid in documents and documents[pid].id != pid:
            bad += 1
    return bad


def soak_faults(table: Table, temp: Path, passes: int, seed: int) -> None:
    spec = "latency=0.002," + ",".join(f"{kind}=0.02" for kind in FAULT_KINDS if kind != "latency")
    with SimulatorServer(port=0, seed=seed, speed=60, faults=spec) as server, \
            Store.open(temp / "faults.sqlite3") as store, \
            PetitionsClient(server.url, min_interval=0, timeout=1.0, retries=1, sleep=lambda _: None,
                            deadline=5.0) as client:
        counter = CountingFaults(server.faults)
        ids = server.world.ids("open")[:8] + server.world.ids("closed")[:2] + server.world.archived_ids()[:2]
        with store.transaction():
            for pid in ids:
                store.pin(pid)
        now = [time.time()]
        refresher = Refresher(client, store, clock=lambda: now[0])
        updates = tracebacks = 0
        started = time.monotonic()
        for _ in range(passes):
            try:
                report = refresher.refresh()
            except Exception as error:  # what the soak is looking for: count it, carry on
                tracebacks += 1
                print(f"    traceback: {error!r}", file=sys.stderr)
                now[0] += 300
                continue
            updates += len(report.updates)
            now[0] = max(now[0] + refresher.count_interval + 1, report.next_due_at,
                         report.blocked_until or 0, report.paused_until or 0)
        bad = bad_rows(store, ids)
    integrity = quick_check(temp / "faults.sqlite3")
    injected = sum(counter.counts.values())
    table.add("refreshes under every fault kind",
              f"{passes} passes, {updates} petition refreshes, {len(server.request_log)} requests, "
              f"{injected} faults injected ({len(counter.counts)} kinds) in {time.monotonic() - started:.0f} s")
    table.add("  tracebacks / bad rows / quick_check", f"{tracebacks} / {bad} / {integrity}",
              tracebacks == 0 and bad == 0 and integrity == "ok")


# ---------------------------------------------------------------------------------------------
# 2. kill -9 of `petitiondesk record`, with a read-only observer


def observe(database: Path) -> set[tuple]:
    """Everything committed, as seen by a read-only connection: pins, samples and documents."""
    with Store.open(database, readonly=True) as store:
        pins = [entry.petition_id for entry in store.watchlist()]
        seen: set[tuple] = {("pin", pid) for pid in pins}
        seen |= {("document", pid) for pid in store.petitions(pins)}
        for pid in pins:
            times, counts = store.samples(pid)
            seen |= {("sample", pid, t, c) for t, c in zip(times.tolist(), counts.tolist(), strict=True)}
    return seen


def soak_kills(table: Table, temp: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    data_dir = temp / "kills"
    database = paths.database_path(data_dir)
    env = child_env(temp)
    lost = observed = corrupt = 0
    with SimulatorServer(port=0, seed=seed, speed=60, open_count=kills * 3 + 50) as server:
        fresh = iter(server.world.ids("open"))
        for _ in range(kills):
            with Store.open(database) as store:  # between two kills: new pins, so each run has work
                for pid in (next(fresh), next(fresh), next(fresh)):
                    store.pin(pid)
            record = subprocess.Popen(
                [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", server.url,
                 "record", "--interval", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.8, 3.0))
            before = observe(database)  # committed: it must survive what follows
            record.send_signal(signal.SIGKILL)
            record.wait()
            after = observe(database)
            observed += len(before)
            lost += len(before - after)
            corrupt += quick_check(database) != "ok"
    samples = sum(1 for item in after if item[0] == "sample")
    table.add("kill -9 of record",
              f"{kills} kills at random moments, {observed:,} committed rows checked across them "
              f"(pins, documents, samples), {samples} samples at the end")
    table.add("  committed rows lost / damaged files", f"{lost} / {corrupt}", lost == 0 and corrupt == 0)


# ---------------------------------------------------------------------------------------------
# 3. Hostile servers


def soak_hostile(table: Table, temp: Path, seed: int) -> None:
    env = child_env(temp)
    with SimulatorServer(port=0, seed=seed) as simulator:
        base = _debated_document(simulator)
    with HostileSite(base) as site:
        for scenario, petition_id in site.ids.items():
            _hostile_scenario(table, scenario, petition_id, site.url, temp / f"hostile-{petition_id}", env)


def _debated_document(simulator: SimulatorServer) -> dict:
    """A document with every kind of text: a response and a debate, if the simulator has one."""
    document = {}
    for pid in simulator.world.ids("closed")[:60]:
        with urllib.request.urlopen(f"{simulator.url}/petitions/{pid}.json", timeout=10) as answer:
            document = json.loads(answer.read())
        attributes = document["data"]["attributes"]
        if attributes.get("debate") and attributes.get("government_response"):
            break
    return document


def _hostile_scenario(table: Table, scenario: str, petition_id: int, url: str, data_dir: Path, env: dict) -> None:
    runs = [petitiondesk("add", str(petition_id), data_dir=data_dir, api_base=url, env=env)]
    runs.append(petitiondesk("list", data_dir=data_dir, api_base=url, env=env))
    runs.append(petitiondesk("show", str(petition_id), data_dir=data_dir, api_base=url, env=env))
    crashed = sum(run.crashed for run in runs)
    leaking = sum(run.shows_controls for run in runs)
    bad = 0
    if paths.database_path(data_dir).exists():
        with Store.open(paths.database_path(data_dir), readonly=True) as store:
            bad = bad_rows(store, [petition_id])
    add = runs[0]
    said = (add.err or add.out).strip().replace("petitiondesk: ", "")
    table.add(f"hostile: {scenario}",
              f"add exit {add.status} in {add.seconds:.1f} s, peak {add.peak_rss_mb:.0f} MB; crashes {crashed}, "
              f"control chars shown {leaking}, bad rows {bad}: {said[:110]!r}",
              crashed == 0 and leaking == 0 and bad == 0)


class _DripChecks:
    """`add` against a server dripping a byte every 5 s, and SIGTERM to `record` against it, in the
    background while the other sections run (the deadline is 30 s)."""

    def __init__(self, url: str, temp: Path, env: dict) -> None:
        self.results: list[tuple[str, str, bool]] = []
        self._threads = [threading.Thread(target=self._add, args=(url, temp, env), daemon=True),
                         threading.Thread(target=self._record, args=(url, temp, env), daemon=True)]
        for thread in self._threads:
            thread.start()

    def finish(self) -> list[tuple[str, str, bool]]:
        for thread in self._threads:
            thread.join()
        return self.results

    def _add(self, url: str, temp: Path, env: dict) -> None:
        run = petitiondesk("add", "700001", data_dir=temp / "drip-add", api_base=url, env=env, timeout=90)
        ok = not run.crashed and run.seconds < 45
        said = (run.err + run.out).strip()
        self.results.append(("hostile: a byte every 5 s, add", f"exit {run.status} after {run.seconds:.1f} s "
                             f"(deadline 30 s): {said[:90]!r}", ok))

    def _record(self, url: str, temp: Path, env: dict) -> None:
        data_dir = temp / "drip-record"
        with Store.open(paths.database_path(data_dir)) as store:
            store.pin(700001)
        record = subprocess.Popen(
            [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", url, "record"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        record.stdout.readline()  # "Recording every ...": its first request is under way
        time.sleep(2)  # and stuck in the drip
        record.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        try:
            _, err = record.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            record.kill()
            _, err = record.communicate()
        seconds = time.monotonic() - sent
        ok = record.returncode == 0 and seconds < 2 and "Traceback" not in err
        self.results.append(("hostile: a byte every 5 s, SIGTERM to record",
                             f"exit {record.returncode} {seconds:.2f} s after the signal", ok))


# ---------------------------------------------------------------------------------------------
# 4. Bad database files


def _valid_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(path) as store:
        store.pin(700001)
        store.add_sample(700001, time.time() - 60, 5)


def _truncated(path: Path) -> None:
    _valid_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_inside(path: Path) -> None:
    """A sound header over a garbled page: only an integrity check can tell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(path) as store, store.transaction():
        for pid in range(700001, 700401):
            store.pin(pid)
            store.add_sample(pid, time.time() - 60, pid)
    page_size = 4096
    with path.open("r+b") as file:
        for page in range(1, path.stat().st_size // page_size, 2):  # every other page after the first
            file.seek(page * page_size)
            file.write(b"\xff" * 16)  # a b-tree page header no SQLite wrote


def _random_bytes(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(random.Random(1).randbytes(40_000))


def _foreign(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE recipes (name TEXT)")
        db.execute("INSERT INTO recipes VALUES ('soup')")


def _newer(path: Path) -> None:
    _valid_database(path)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"PRAGMA user_version = {Store.SCHEMA_VERSION + 5}")


def _text_file(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("my shopping list\n")


BAD_FILES = {"truncated": _truncated, "damaged inside": _damaged_inside, "random bytes": _random_bytes,
             "another app's SQLite": _foreign, "a newer schema": _newer, "a text file": _text_file}


def soak_bad_files(table: Table, temp: Path, seed: int) -> None:
    env = child_env(temp)
    with SimulatorServer(port=0, seed=seed) as simulator:
        pid = str(simulator.world.ids("open")[0])
        reads = (("list",), ("history", "700001"))
        writes = (("remove", "700001"), ("add", pid), ("refresh",))
        for name, make in BAD_FILES.items():
            data_dir = temp / f"bad-{len(table.rows)}"
            make(paths.database_path(data_dir))
            before = folder_digest(data_dir)
            runs = [petitiondesk(*command, data_dir=data_dir, api_base=simulator.url, env=env)
                    for command in (*reads, *writes)]
            changed = folder_digest(data_dir) != before
            strays = sorted(path.name.rsplit("-", 1)[-1] for path in data_dir.iterdir() if not _holds_data(path))
            refused = [run.status == 1 and len(run.err.strip().splitlines()) == 1 for run in runs]
            crashed = sum(run.crashed for run in runs)
            said = runs[0].err.strip().replace(str(data_dir), "DIR").replace("petitiondesk: ", "")
            # Reads may answer from what is intact; every write must be refused.
            table.add(f"bad database: {name}",
                      f"reads refused {sum(refused[:len(reads)])}/{len(reads)}, writes refused "
                      f"{sum(refused[len(reads):])}/{len(writes)} (one line each), crashes {crashed}, file changed "
                      f"{'yes' if changed else 'no'}{' (left empty ' + '/'.join(strays) + ')' if strays else ''}: "
                      f"{said[:100]!r}",
                      crashed == 0 and not changed and all(refused[len(reads):]))
        _read_only_folder(table, temp, simulator.url, env)
        _folder_is_a_file(table, temp, simulator.url, env)


def _read_only_folder(table: Table, temp: Path, url: str, env: dict) -> None:
    data_dir = temp / "read-only"
    _valid_database(paths.database_path(data_dir))
    before = folder_digest(data_dir)
    for path in (paths.database_path(data_dir), data_dir):
        path.chmod(0o500 if path.is_dir() else 0o400)
    try:
        runs = [petitiondesk(*command, data_dir=data_dir, api_base=url, env=env)
                for command in (("list",), ("history", "700001"))]
    finally:
        data_dir.chmod(0o700)
    crashed = sum(run.crashed for run in runs)
    works = sum(run.status == 0 for run in runs)
    note = " (as root: permissions are not enforced)" if os.geteuid() == 0 else ""
    table.add("bad database: a read-only folder",
              f"list and history work {works}/2, crashes {crashed}, changed "
              f"{'yes' if folder_digest(data_dir) != before else 'no'}{note}", crashed == 0)


def _folder_is_a_file(table: Table, temp: Path, url: str, env: dict) -> None:
    data_dir = temp / "a-file"
    data_dir.write_text("not a folder\n")
    run = petitiondesk("add", "700001", data_dir=data_dir, api_base=url, env=env)
    said = run.err.strip().replace(str(data_dir), "DIR").replace("petitiondesk: ", "")
    table.add("bad database: --data-dir is a file, add", f"exit {run.status}: {said[:100]!r}",
              not run.crashed and data_dir.read_text() == "not a folder\n")


# ---------------------------------------------------------------------------------------------
# 5. Two pollers on one folder (issue 15 #9)


def soak_pollers(table: Table, temp: Path, seconds: float, seed: int) -> None:
    env = child_env(temp)
    requests = []
    for pollers in (1, 2):
        with SimulatorServer(port=0, seed=seed, speed=60) as server:
            data_dir = temp / f"pollers-{pollers}"
            with Store.open(paths.database_path(data_dir)) as store:
                for pid in server.world.ids("open")[:5]:
                    store.pin(pid)
            command = [sys.executable, "-m", "petitiondesk", "--data-dir", str(data_dir), "--api-base", server.url,
                       "record", "--interval", "1"]
            processes = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          text=True) for _ in range(pollers)]
            time.sleep(seconds)
            for process in processes:
                process.send_signal(signal.SIGTERM)
            crashed = sum(process.wait(30) != 0 or "Traceback" in process.stderr.read() for process in processes)
            requests.append((len(server.request_log), crashed))
    (one, crashed_one), (two, crashed_two) = requests
    table.add("two pollers on one folder",
              f"{one} requests with one `record`, {two} with two, in {seconds:g} s each ({two / max(one, 1):.1f}x)",
              None if crashed_one + crashed_two == 0 else False)


# ---------------------------------------------------------------------------------------------
# 6. The window: memory, threads, descriptors


def window_child(seconds: float) -> None:
    """In a process of its own: the demo window refreshing for `seconds`, sampled every second."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from petitiondesk.gui.app import GuiOptions, run_gui

    app = QApplication.instance() or QApplication(sys.argv[:1])
    samples: list[tuple[float, float, int, int]] = []
    started = time.monotonic()

    def sample() -> None:
        status = Path("/proc/self/status").read_text()
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        samples.append((time.monotonic() - started, rss_kb / 1024, len(os.listdir("/proc/self/task")),
                        len(os.listdir("/proc/self/fd"))))

    timer = QTimer(app)
    timer.timeout.connect(sample)
    timer.start(1000)
    # The demo makes its own folder under TMPDIR (the soak's) and removes it on the way out.
    status = run_gui(GuiOptions(data_dir=Path(tempfile.gettempdir()), api_base="", demo=True, quit_after=seconds))
    print(json.dumps({"status": status, "samples": samples}))


def soak_window(table: Table, temp: Path, seconds: float) -> None:
    window_temp = temp / "window"
    window_temp.mkdir()
    env = child_env(window_temp)
    started = time.monotonic()
    child = subprocess.run([sys.executable, __file__, "--window-child", str(seconds)], env=env,
                           capture_output=True, text=True, timeout=seconds + 120)
    if child.returncode != 0 or "Traceback" in child.stderr:
        table.add("window soak", f"exit {child.returncode}: {child.stderr.strip()[-200:]!r}", False)
        return
    report = json.loads(child.stdout.strip().splitlines()[-1])
    samples = [sample for sample in report["samples"] if sample[0] < seconds - 1.5]  # before quitting began
    warm = samples[min(len(samples) - 1, max(2, len(samples) // 5))]  # after start-up and the first passes
    last = samples[-1]
    peak = max(sample[1] for sample in samples)
    minutes = max((last[0] - warm[0]) / 60, 1e-9)
    left = sorted(path.name for path in window_temp.iterdir() if path.name != "state")
    table.add("window soak (demo, refreshing every 2 s)",
              f"{time.monotonic() - started:.0f} s, {len(samples)} samples; RSS {warm[1]:.0f} -> {last[1]:.0f} MB "
              f"(peak {peak:.0f}, {(last[1] - warm[1]) / minutes:+.1f} MB/min)")
    steady = last[2] <= warm[2] + 1 and last[3] <= warm[3] + 4
    table.add("  threads / open fds, warm -> end", f"{warm[2]} -> {last[2]} / {warm[3]} -> {last[3]}", steady)
    table.add("  exit status / temporary files left", f"{report['status']} / {left or 'none'}",
              report["status"] == 0 and not left)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: about 1.5 minutes instead of 5")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--window-child", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.window_child is not None:
        window_child(args.window_child)
        return 0
    sizes = QUICK if args.quick else FULL
    table = Table()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="petitiondesk-soak-") as folder:
        temp = Path(folder)
        with SlowServer("drip", every=5.0) as drip:
            dripping = _DripChecks(drip.url, temp, child_env(temp))
            run_sections(table, temp, sizes, args.seed)
            print("== a server dripping a byte every 5 s", flush=True)
            for row in dripping.finish():
                table.add(*row)
    print()
    print(table.render())
    verdict = "nothing lost" if not table.failures else f"FAILED: {', '.join(table.failures)}"
    print(f"\n{verdict} ({time.monotonic() - started:.0f} s)")
    return 0 if not table.failures else 1


def run_sections(table: Table, temp: Path, sizes: Sizes, seed: int) -> None:
    sections = [
        ("refreshes with every fault kind", lambda: soak_faults(table, temp, sizes.fault_passes, seed)),
        ("kill -9 of record", lambda: soak_kills(table, temp, sizes.kills, seed)),
        ("hostile servers", lambda: soak_hostile(table, temp, seed)),
        ("bad database files", lambda: soak_bad_files(table, temp, seed)),
        ("two pollers", lambda: soak_pollers(table, temp, sizes.poller_seconds, seed)),
        ("the window", lambda: soak_window(table, temp, sizes.window_seconds)),
    ]
    for title, run in sections:
        print(f"== {title}", flush=True)
        run()


if __name__ == "__main__":
    sys.exit(main())
