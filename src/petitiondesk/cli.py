"""The `petitiondesk` command: the window with no subcommand, the core's command-line face otherwise.

Errors print one line on stderr and exit non-zero: 2 for bad usage or a bad petition reference, 1 for
anything else. A command that fails writes nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from petitiondesk import __version__, paths
from petitiondesk.core.terminal import for_terminal

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """A failure to report in one line; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILED):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------------------------
# Argument parsing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="petitiondesk",
        description="Watch UK Parliament petitions grow. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"PetitionDesk {__version__}")
    _add_global_options(parser, defaults=True)
    window = parser.add_argument_group("window")
    window.add_argument("--demo", action="store_true",
                        help="try the app offline against the built-in simulator")
    window.add_argument("--self-test", action="store_true",
                        help="open the window on the simulator, draw a chart, and exit 0 if all went well")
    window.add_argument("--install-desktop-entry", action="store_true",
                        help="add PetitionDesk to the desktop's application menu (Linux)")
    window.add_argument("--uninstall-desktop-entry", action="store_true",
                        help="remove what --install-desktop-entry added")
    window.add_argument("--minimized", action="store_true",
                        help="start in the system tray (as start at login does), where there is one")
    window.add_argument("--open", action="append", default=[], metavar="REF", dest="open_refs",
                        help="pin this petition in the window (a link or number; given again to a running window)")
    window.add_argument("--screenshot", type=Path, metavar="PNG", help=argparse.SUPPRESS)
    window.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = _command(commands, "add", "pin petitions to the watchlist and fetch each once")
    add.add_argument("refs", nargs="+", metavar="REF", help="a link, a number or #number")

    remove = _command(commands, "remove", "unpin petitions")
    remove.add_argument("refs", nargs="+", metavar="ID")

    listing = _command(commands, "list", "the watchlist")
    listing.add_argument("--json", action="store_true", help="print JSON")

    show = _command(commands, "show", "everything known about one petition")
    show.add_argument("ref", metavar="ID")
    show.add_argument("--json", action="store_true",
                      help="one object: id plus the API's attribute names and values, with the deadline, "
                           "estimate and milestones")

    _command(commands, "refresh", "one polite refresh of every watched petition")

    record = _command(commands, "record", "refresh in a loop until interrupted (for cron or a service)")
    record.add_argument("--interval", type=float, default=120.0, metavar="SECONDS",
                        help="seconds between passes (default 120; never faster than the site allows)")
    record.add_argument("--no-site-history", action="store_true",
                        help="record only the pinned petitions, not the count of every open petition")
    record.add_argument("--site-history-interval", type=float, default=600.0, metavar="SECONDS",
                        help="seconds between two recordings of every open petition's count, one request "
                             "each (default 600, at least 60)")
    record.add_argument("--forget-unpinned-after", type=int, default=0, metavar="DAYS",
                        help="forget the recorded counts of petitions never pinned once older than DAYS "
                             "(default 0: keep them)")

    backup = _command(commands, "backup", "write a consistent copy of everything recorded to FILE")
    backup.add_argument("file", type=Path, metavar="FILE")

    told = record.add_mutually_exclusive_group()
    told.add_argument("--alerts", action="store_true", help="print each new alert as a line")
    told.add_argument("--alerts-json", action="store_true", help="print each new alert as a JSON line")

    alerts = _command(commands, "alerts", "the recent alerts (milestones, responses, debates, surges...)")
    alerts.add_argument("--json", action="store_true", help="print JSON")
    alerts.add_argument("--limit", type=int, default=50, metavar="N", help="at most N, newest first (default 50)")

    rates = _command(commands, "base-rates", "the spread of past petitions' final counts that the forecast uses")
    rates.add_argument("--learn", action="store_true",
                       help="read them once from the site's archive (a request per 50 petitions that reached "
                            "10,000) and keep them; without this, the built-in ones are used")

    history = _command(commands, "history", "the signature counts recorded for one petition")
    history.add_argument("ref", metavar="ID")
    history.add_argument("--csv", action="store_true",
                         help="print CSV: time, signature_count, source (recorded or milestone), name")
    history.add_argument("--json", action="store_true", help="print JSON (the same columns)")

    search = _command(commands, "search", "find petitions on the site (by words, or a number)")
    search.add_argument("text", nargs="?", default="", metavar="TEXT")
    search.add_argument("--state", default=None,
                        help="a facet: all, open, recent, closed, rejected, awaiting_response, with_response, "
                             "awaiting_debate, debated, not_debated (archived: all, published, rejected, "
                             "with_response, debated, not_debated)")
    search.add_argument("--archived", action="store_true", help="search the petitions of past parliaments")
    search.add_argument("--limit", type=int, default=50, metavar="N",
                        help="at most N results (default 50; the site gives 50 a page, about one a second)")
    search.add_argument("--json", action="store_true", help="print JSON")

    watchlist = _command(commands, "watchlist", "export or import the watchlist")
    actions = watchlist.add_subparsers(dest="watchlist_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write the watchlist to FILE (.json, or .txt for links)")
    export.add_argument("file", type=Path, metavar="FILE")
    _add_global_options(export, defaults=False)
    imports = actions.add_parser("import", help="pin the petitions in FILE (JSON, links, or any text)")
    imports.add_argument("file", type=Path, metavar="FILE")
    _add_global_options(imports, defaults=False)

    chart = _command(commands, "export-chart",
                     "save a petition's signature chart, or several petitions compared on one chart, as PNG or SVG")
    chart.add_argument("refs", nargs="+", metavar="ID", help="one petition, or several to compare")
    chart.add_argument("--align", choices=("calendar", "opened"), default="calendar",
                       help="compared curves by date, or by days since each petition opened")
    chart.add_argument("--units", choices=("signatures", "share"), default="signatures",
                       help="compared counts as signatures or as a share of 100,000")
    chart.add_argument("--log", action="store_true", help="a logarithmic count axis")
    chart.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                       help="the image to write; .png or .svg")
    chart.add_argument("--width", type=int, default=1600, metavar="PX")
    chart.add_argument("--height", type=int, default=900, metavar="PX")
    chart.add_argument("--scale", type=float, default=1.0,
                       help="draw as on a screen with this pixel ratio (2 for HiDPI-style text)")

    _command(commands, "repair", "copy what can be read from a damaged database into a new file beside it")
    hexmap = _command(commands, "export-map", "save a petition's constituency map as PNG or SVG, and its movers as CSV")
    hexmap.add_argument("ref", metavar="ID")
    hexmap.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="the image to write; .png or .svg")
    hexmap.add_argument("--mode", default="signatures", choices=("signatures", "share", "per_1000", "change_24h"),
                        help="what the colours show (per_1000: 2010-2019 seats only; change_24h: needs a "
                             "snapshot from a day ago)")
    hexmap.add_argument("--width", type=int, default=1400, metavar="PX")
    hexmap.add_argument("--height", type=int, default=1600, metavar="PX")
    hexmap.add_argument("--movers-csv", type=Path, metavar="FILE",
                        help="also write the 24-hour movers (constituencies, regions, nations) as CSV")

    sim = _command(commands, "simulator", "run the local simulator of petition.parliament.uk")
    sim.add_argument("--port", type=int, default=8642)
    sim.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    sim.add_argument("--faults", default=None, help='e.g. "latency=0.1,error503=0.05"')
    sim.add_argument("--seed", type=int, default=1)
    return parser


def _command(commands, name: str, help_text: str) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=help_text, description=help_text)
    _add_global_options(sub, defaults=False)
    return sub


def _add_global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    # Accepted before or after the subcommand; SUPPRESS keeps a subcommand from erasing the top value.
    default = None if defaults else argparse.SUPPRESS
    parser.add_argument("--data-dir", type=Path, default=default, metavar="DIR",
                        help=f"where data is kept (also ${paths.DATA_DIR_ENV})")
    parser.add_argument("--api-base", default=default, metavar="URL",
                        help=f"the site (default {paths.DEFAULT_API_BASE}; also ${paths.API_BASE_ENV})")


# ---------------------------------------------------------------------------------------------
# Entry point


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_links_to_open(list(sys.argv[1:] if argv is None else argv)))
    handler = COMMANDS.get(args.command)
    try:
        if handler is None:
            return _open_window(args)
        if args.command in _NETWORK_COMMANDS:
            _check_api_base(args)  # before anything is written
        return handler(args)
    except CommandError as error:
        print(f"petitiondesk: {for_terminal(str(error))}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `petitiondesk list | head`: the reader left; not an error
        sys.stdout = None
        return EXIT_OK


def _links_to_open(argv: list[str]) -> list[str]:
    """`petitiondesk LINK...` (a desktop opening a petition link with the app) is the window with
    `--open LINK` for each: links are not command names, so argparse would refuse them."""
    from petitiondesk.core.refs import BadReference, parse_reference

    options: list[str] = []
    links: list[str] = []
    arguments = iter(argv)
    for arg in arguments:
        if arg in _OPTIONS_WITH_VALUES:
            options += [arg, next(arguments, "")]
        elif arg.startswith("-"):
            options.append(arg)
        else:
            links.append(arg)
    if not links or links[0] in COMMANDS:
        return argv
    try:
        parse_reference(links[0])
    except BadReference:
        return argv  # argparse says what is wrong
    return options + [item for link in links for item in ("--open", link)]


_OPTIONS_WITH_VALUES = frozenset({"--data-dir", "--api-base", "--open", "--screenshot", "--quit-after"})


def _check_api_base(args) -> None:
    try:
        _client(args).close()
    except ValueError as error:
        raise CommandError(f"--api-base: {error}; expected http:// or https:// and a host", EXIT_USAGE) from None


def _open_window(args) -> int:
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return _desktop_entry(install=args.install_desktop_entry)
    if args.self_test:
        return _self_test()
    from petitiondesk.gui.app import GuiOptions, run_gui

    return run_gui(GuiOptions(
        data_dir=paths.data_dir(args.data_dir),
        api_base=paths.api_base(args.api_base),
        demo=args.demo,
        screenshot=args.screenshot,
        quit_after=args.quit_after,
        minimized=args.minimized,
        references=tuple(args.open_refs),
    ))


def _desktop_entry(*, install: bool) -> int:
    from petitiondesk.desktop_entry import DesktopEntryError, install_desktop_entry, uninstall_desktop_entry

    try:
        changed = install_desktop_entry() if install else uninstall_desktop_entry()
    except DesktopEntryError as error:
        raise CommandError(str(error)) from None
    verb = "Installed" if install else "Removed"
    for path in changed:
        print(f"{verb} {path}")
    if not changed:
        print("Nothing to remove.")
    return EXIT_OK


def _self_test() -> int:
    """Smoke test for installs and bundles: the real window, the simulator, a chart, then quit."""
    import tempfile

    from petitiondesk.gui.app import GuiOptions, run_gui

    with tempfile.TemporaryDirectory(prefix="petitiondesk-self-test-") as folder:
        shot = Path(folder) / "window.png"
        status = run_gui(GuiOptions(data_dir=Path(folder), api_base="", demo=True,
                                    screenshot=shot, quit_after=20.0))
        if status != 0:
            raise CommandError(f"self-test failed: the window exited with status {status}")
        if not shot.exists() or shot.stat().st_size < 2000:
            raise CommandError("self-test failed: the window drew nothing")
    print(f"PetitionDesk {__version__}: self-test passed")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# Helpers shared by the commands


@contextmanager
def _open_store(args, *, create: bool = True) -> Iterator:
    from petitiondesk.core.store import Store, StoreError

    path = paths.database_path(paths.data_dir(args.data_dir))
    if not create and not path.exists():
        raise CommandError(f"nothing recorded yet in {path.parent} (add a petition first)")
    try:
        store = Store.open(path)
    except StoreError as error:
        raise CommandError(str(error)) from None
    for notice in store.notices:  # an upgrade and where its backup went; writes off
        print(f"petitiondesk: {notice}", file=sys.stderr)
    try:
        yield store
    except StoreError as error:  # e.g. another PetitionDesk holds the write lock
        raise CommandError(str(error)) from None
    finally:
        store.close()


def _client(args):
    """The command's one client: polite pace, 30 s deadline per request, system certificates."""
    from petitiondesk.core.client import PetitionsClient

    return PetitionsClient(paths.api_base(args.api_base))


@contextmanager
def _open_refresher(args, store, client=None, site_history=None) -> Iterator:
    from petitiondesk.core.refresh import Refresher

    with client or _client(args) as opened:
        yield Refresher(opened, store, site_history=site_history)


def _database_exists(args) -> bool:
    return paths.database_path(paths.data_dir(args.data_dir)).exists()


def _parse_refs(texts: Sequence[str]) -> list:
    """All references or none: a bad one is a usage error, so nothing gets written."""
    from petitiondesk.core.refs import BadReference, parse_reference

    refs = []
    for text in texts:
        try:
            refs.append(parse_reference(text))
        except BadReference as error:
            raise CommandError(str(error), EXIT_USAGE) from None
    return refs


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(t: float) -> str:
    """A time for people reading the terminal, saying its zone ("14 Mar 2026, 09:12 UK time");
    CSV and JSON keep `_iso` (UTC)."""
    from petitiondesk.gui.format import format_uk_time, zone_name  # plain Python: no Qt

    return f"{format_uk_time(datetime.fromtimestamp(t, UTC))} {zone_name()}"


def _count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _print_json(value) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------------------
# Commands


def cmd_add(args) -> int:
    refs = _parse_refs(args.refs)
    failed = 0
    with _open_store(args) as store, _open_refresher(args, store) as refresher:
        for ref in refs:
            if store.is_pinned(ref.id):
                print(f"{ref.id}: already pinned")
                continue
            update = refresher.pin(ref.id, archived=ref.archived)
            if store.is_pinned(ref.id):
                title = update.petition.action if update.petition else "(details not fetched yet)"
                note = f" ({update.message})" if update.problem else ""
                print(for_terminal(f"{ref.id}: pinned: {title} ({_count(update.signature_count)} signatures){note}"))
            else:
                failed += 1
                print(for_terminal(f"petitiondesk: {ref.id}: not pinned: {update.message or update.problem}"),
                      file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_remove(args) -> int:
    refs = _parse_refs(args.refs)
    missing = []
    with _open_store(args, create=False) as store:
        with store.transaction():
            for ref in refs:
                if not store.unpin(ref.id):
                    missing.append(ref.id)
    for ref in refs:
        if ref.id not in missing:
            print(f"{ref.id}: unpinned (its recorded history is kept)")
    if missing:
        raise CommandError(f"not on the watchlist: {', '.join(map(str, missing))}")
    return EXIT_OK


def cmd_list(args) -> int:
    import time

    from petitiondesk.core.refresh import WAITING_PROBLEMS
    from petitiondesk.core.watch_rows import WatchRow, build_rows

    rows: tuple[WatchRow, ...] = ()
    if _database_exists(args):
        with _open_store(args) as store:
            rows = build_rows(store, time.time())
    if args.json:
        _print_json([row.as_dict() for row in rows])
        return EXIT_OK
    if not rows:
        print("The watchlist is empty. Pin a petition with: petitiondesk add LINK")
        return EXIT_OK
    print(f"{'ID':>7}  {'SIGNATURES':>11}  {'STATE':<9} {'CLOSES':<11} TITLE")
    for row in rows:
        problem = f"  [{row.problem}]" if row.problem else ""
        if row.petition:
            state = for_terminal(row.state or "")  # closed once past its deadline, whatever an old document says
        else:  # a petition not open yet (hidden, or waiting for sponsors) is not a mystery
            state = "not open" if row.problem in WAITING_PROBLEMS else "?"
        title = for_terminal(row.petition.action) if row.petition else "(not fetched yet)"
        closes = _closes(row)
        print(f"{row.petition_id:>7}  {_count(row.signature_count):>11}  {state:<9} {closes:<11} {title}{problem}")
    if any(row.closing_computed for row in rows):
        print("* computed: the document states no closing date (the site's six-month rule from opening)")
    return EXIT_OK


def _closes(row) -> str:
    """ "2026-08-03", or "2019-06-03*" when computed; the day in UK time."""
    from petitiondesk.core.milestones import uk_zone

    closing = row.closing
    if closing is None:
        return "-"
    day = closing.astimezone(uk_zone()).date() if isinstance(closing, datetime) else closing
    return day.isoformat() + ("*" if row.closing_computed else "")


def cmd_show(args) -> int:
    import time

    from petitiondesk.core import analysis
    from petitiondesk.core.serialize import petition_to_api_dict
    from petitiondesk.core.watch_rows import read_row

    (ref,) = _parse_refs([args.ref])
    row = None
    if _database_exists(args):
        with _open_store(args) as store:
            row = read_row(store, ref.id, time.time())
    petition = row.petition if row is not None else None
    if petition is None:
        petition, row = _fetch_without_storing(args, ref), None
    now = time.time()
    seen = row.outlook if row is not None else analysis.outlook(petition, (), (), now)
    if args.json:
        _print_json({**petition_to_api_dict(petition), **_outlook_json(seen)})
    else:
        _print_petition(petition, row)
        _print_outlook(seen, now)
    return EXIT_OK


def _outlook_json(seen) -> dict:
    """`show --json`'s additions: the deadline, the estimate and the milestones (ISO UTC or null)."""
    def iso(t: float | None) -> str | None:
        return None if t is None else _iso(t)

    estimate, deadline = seen.estimate, seen.deadline
    return {
        "deadline": None if deadline is None else {"at": _iso(deadline.at), "stated": deadline.stated,
                                                   "source": deadline.source},
        "estimate": None if estimate is None else {"final": round(estimate.final), "low": round(estimate.low),
                                                   "high": round(estimate.high), "method": estimate.method},
        "milestones": [{"target": m.target, "reached_at": iso(m.reached_at), "eta": iso(m.eta), "chance": m.chance}
                       for m in seen.milestones],
    }


def _print_outlook(seen, now: float) -> None:
    from petitiondesk.core.terminal import for_terminal
    from petitiondesk.gui.format import outlook_lines  # plain Python: no Qt

    print("\nwhere it is going:")
    for line in outlook_lines(seen, now):
        print("  " + for_terminal(line))


def _fetch_without_storing(args, ref):
    from petitiondesk.core.fetched import Outcome

    with _client(args) as client, client.foreground():
        fetched = client.petition(ref.id, archived=ref.archived)
    if fetched.outcome is not Outcome.OK or fetched.value is None:
        raise CommandError(f"{ref.id}: {fetched.message or fetched.outcome.name.lower()}")
    return fetched.value


def _print_petition(p, row) -> None:
    """`row` is what was recorded about it (None when fetched just now): its latest count."""
    from petitiondesk.core.serialize import petition_to_api_dict

    print(for_terminal(p.action))
    print(p.web_url)
    count = f"{p.signature_count:,} signatures"
    if row is not None and row.counted_at is not None and row.signature_count != p.signature_count:
        count += f" ({_count(row.signature_count)} at {_when(row.counted_at.timestamp())})"
    print(f"{for_terminal(p.state)}, {count}")
    data = petition_to_api_dict(p)
    skip = {"id", "action", "state", "signature_count"}
    for key, value in data.items():
        if key in skip or value in (None, "", [], {}):
            continue
        if isinstance(value, (list, dict)):
            text = json.dumps(value, indent=2, ensure_ascii=False)
        else:
            text = str(value)
        print(f"\n{key}:\n  " + for_terminal(text, keep_newlines=True).replace("\n", "\n  "))


def cmd_refresh(args) -> int:
    with _open_store(args) as store, _open_refresher(args, store) as refresher:
        if not store.watchlist():
            print("The watchlist is empty: nothing to refresh.")
            return EXIT_OK
        report = refresher.refresh()
    return _print_report(report)


def _print_report(report) -> int:
    problems = [u for u in report.updates if u.problem]
    sampled = sum(1 for u in report.updates if u.sampled_at is not None)
    site = f", every open petition recorded ({report.site.listed:,})" if report.site else ""
    print(f"{_when(report.finished_at)}: {len(report.updates)} checked, {sampled} sampled{site}, "
          f"{_plural(report.requests, 'request')}, {_plural(len(problems), 'problem')}")
    for update in problems:
        print(for_terminal(f"  {update.petition_id}: {update.problem}: {update.message}"), file=sys.stderr)
    if report.blocked_until:
        print(f"  the site is refusing requests (403); next try after {_when(report.blocked_until)}",
              file=sys.stderr)
    elif report.paused_until:
        print(f"  paused: the site asked PetitionDesk to wait (429 or 503); next try after "
              f"{_when(report.paused_until)}", file=sys.stderr)
    elif report.offline:
        print("  offline: the site could not be reached; the next pass tries again", file=sys.stderr)
    return EXIT_OK


#: Waits while another process holds the database's write lock: from 5 s, doubling, up to a minute.
BUSY_BACKOFF = (5.0, 60.0)


class _BusyWaiter:
    """Runs a step again, backing off, while another PetitionDesk holds the write lock; says so once
    for each time the lock gets in the way. A recorder meant to run for weeks must not die of it."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._wait = 0.0

    def run(self, step):
        """`step()`'s result; None when stopped while waiting."""
        from petitiondesk.core.store import StoreError

        while not self._stop.is_set():
            try:
                result = step()
            except StoreError as error:
                if not _is_busy(error):
                    raise
                self._back_off()
                continue
            self._wait = 0.0
            return result
        return None

    def _back_off(self) -> None:
        first, cap = BUSY_BACKOFF
        if not self._wait:
            print("petitiondesk: the database is busy (another PetitionDesk is writing to it); waiting to try "
                  "again", file=sys.stderr, flush=True)
        self._wait = min(cap, self._wait * 2) if self._wait else first
        self._stop.wait(self._wait)


def _is_busy(error: BaseException) -> bool:
    import sqlite3

    cause = error.__cause__
    return isinstance(cause, sqlite3.OperationalError) and getattr(cause, "sqlite_errorname", "") in (
        "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_RECOVERY")


def cmd_record(args) -> int:
    from petitiondesk.core.poller import PollerSession
    from petitiondesk.core.poller_lock import PollerLock
    from petitiondesk.core.store import Store, StoreError

    if not 1 <= args.interval <= 7 * 86400:  # also refuses nan and inf (which no wait accepts)
        raise CommandError(f"--interval must be a number of seconds from 1 to 604800, not {args.interval:g}",
                           EXIT_USAGE)
    site_history = _site_history_options(args)
    stop, client = threading.Event(), _client(args)

    def on_signal(*_) -> None:  # in the main thread, between two of its bytecodes
        stop.set()
        client.abort()  # a request in flight ends now, however slow the site

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    busy = _BusyWaiter(stop)
    try:
        store = busy.run(lambda: Store.open(paths.database_path(paths.data_dir(args.data_dir))))
        if store is not None:
            with store, _open_refresher(args, store, client, site_history) as refresher:
                lock = PollerLock(paths.data_dir(args.data_dir))
                session = busy.run(lambda: PollerSession(store, refresher, lock))
                try:
                    if session is not None:
                        _record(args, session, stop, busy)
                finally:
                    lock.release()
    except StoreError as error:
        raise CommandError(str(error)) from None
    finally:
        client.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped.")
    return EXIT_OK


def _site_history_options(args):
    from petitiondesk.core.site_history import MIN_INTERVAL, SiteHistoryOptions

    if args.no_site_history:
        return SiteHistoryOptions(enabled=False)
    if not MIN_INTERVAL <= args.site_history_interval <= 7 * 86400:
        raise CommandError(f"--site-history-interval must be a number of seconds from {MIN_INTERVAL:g} to 604800, "
                           f"not {args.site_history_interval:g}", EXIT_USAGE)
    if args.forget_unpinned_after < 0:
        raise CommandError("--forget-unpinned-after must be a number of days, 0 to keep everything", EXIT_USAGE)
    return SiteHistoryOptions(interval=args.site_history_interval, forget_after_days=args.forget_unpinned_after)


def _record(args, session, stop: threading.Event, busy: _BusyWaiter) -> None:
    site = _site_history_options(args)
    also = f", and every open petition every {site.spacing:g} s" if site.enabled else ""
    print(f"Recording every {args.interval:g} s{also}; stop with Ctrl+C.", flush=True)
    polling = None
    while not stop.is_set():
        outcome = busy.run(lambda: session.run_pass(should_stop=stop.is_set))
        if outcome is None:
            return
        if outcome.polling != polling:
            polling = outcome.polling
            if not polling:
                print("Another PetitionDesk process is recording this data folder; this one only reports "
                      "its results until it stops.")
        if outcome.report is not None and not outcome.report.cancelled:
            _print_report(outcome.report)
        for stored in outcome.alerts:
            if args.alerts_json:
                print(json.dumps(_alert_dict(stored), ensure_ascii=False))
            elif args.alerts:
                print(_alert_line(stored))
        sys.stdout.flush()
        wait = args.interval
        if outcome.report is not None:
            wait = max(args.interval, outcome.report.next_due_at - outcome.report.finished_at)
        session.wait(max(1.0, wait), stop)


def cmd_alerts(args) -> int:
    if args.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {args.limit}", EXIT_USAGE)
    with _open_store(args, create=False) as store:
        listed = store.alerts().listing(limit=args.limit)
    if args.json:
        _print_json([_alert_dict(stored) for stored in listed])
        return EXIT_OK
    if not listed:
        print("No alerts yet. They come while PetitionDesk records (the window, or `petitiondesk record`).")
    for stored in listed:
        print(_alert_line(stored))
    return EXIT_OK


def _alert_line(stored) -> str:
    alert = stored.alert
    mark = " (unread)" if stored.unread else ""
    away = " (while you were away)" if stored.away else ""
    return for_terminal(f"{_iso(stored.detected_at)}  {alert.petition_id}  {alert.title}: {alert.message}{away}{mark}")


def _alert_dict(stored) -> dict:
    """An alert for --json: the same names as the store, times in ISO 8601 UTC."""
    from petitiondesk.core.models import SITE_BASE

    alert = stored.alert
    return {
        "id": stored.id,
        "petition_id": alert.petition_id,
        "kind": str(alert.kind),
        "key": alert.key,
        "title": alert.title,
        "message": alert.message,
        "happened_at": None if alert.happened_at is None else _iso(alert.happened_at),
        "detected_at": _iso(stored.detected_at),
        "status": str(stored.status),
        "away": stored.away,
        "url": f"{SITE_BASE}/petitions/{alert.petition_id}",
    }


HISTORY_COLUMNS = ("time", "signature_count", "source", "name")


def cmd_history(args) -> int:
    from petitiondesk.core.milestones import known_points

    (ref,) = _parse_refs([args.ref])
    with _open_store(args, create=False) as store:
        times, counts = store.samples(ref.id)
        petition = store.petition(ref.id)
    # The counts the site states (10,000 reached at ...) join the recorded ones: the curve before pinning.
    points = known_points(petition, times, counts) if petition is not None else ()
    rows = sorted([(float(t), int(c), "recorded", "") for t, c in zip(times.tolist(), counts.tolist(), strict=True)]
                  + [(point.at, point.count, "milestone", point.name) for point in points if point.stated])
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HISTORY_COLUMNS)
        writer.writerows((_iso(t), count, source, name) for t, count, source, name in rows)
        return EXIT_OK
    if args.json:
        _print_json([dict(zip(HISTORY_COLUMNS, (_iso(row[0]), *row[1:]), strict=True)) for row in rows])
        return EXIT_OK
    if not rows:
        raise CommandError(f"{ref.id}: no samples recorded (pin it and keep PetitionDesk running)")
    for t, count, source, name in rows:
        note = f"  {name.replace('_', ' ')}, from the site" if source == "milestone" else ""
        print(f"{_when(t)}  {count:>11,}{note}")
    return EXIT_OK


def cmd_backup(args) -> int:
    from petitiondesk.core.site_history import describe_usage

    with _open_store(args, create=False) as store:  # a StoreError (full disk...) is one line, exit 1
        store.back_up_to(args.file)
        usage = store.history_usage()
    print(f"Backed up to {args.file}. {describe_usage(usage)}")
    return EXIT_OK


def cmd_base_rates(args) -> int:
    import time

    from petitiondesk.core import base_rates

    if not args.learn and not _database_exists(args):  # nothing learnt yet; looking creates nothing
        _print_base_rates(None, base_rates.stored(None))
        return EXIT_OK
    with _open_store(args) as store:
        if args.learn and not base_rates.learnt_already(store):
            print("Reading the site's archive of past petitions, most signed first, down to 10,000…", flush=True)
            with _client(args) as client:
                try:
                    learnt = base_rates.learn(client)
                except base_rates.LearningFailed as error:
                    raise CommandError(f"could not read the archive: {error}") from None
            if learnt is not None:
                base_rates.save(store, learnt, time.time())
                print(f"Read {_plural(learnt.requests, 'page')}: {_plural(learnt.petitions, 'petition')} "
                      "reached 10,000" + ("" if learnt.rates else " (too few to use: the built-in rates stay)"))
        elif args.learn:
            print("Already learnt from the archive (archived petitions do not change).")
        _print_base_rates(store.setting(base_rates.SETTING), base_rates.stored(store))
    return EXIT_OK


def _print_base_rates(kept, rates) -> None:
    import numpy as np

    from petitiondesk.core.forecast import BUILT_IN_BASE_RATES

    if rates is BUILT_IN_BASE_RATES:
        print("In use: the built-in base rates (2,220 archived petitions of 2011-2024 that reached 10,000).")
    else:
        print(f"In use: learnt from the site's archive at {_iso(kept['learnt_at'])} "
              f"({_plural(kept['petitions'], 'petition')} that reached 10,000).")
    half = next(count for count, share in zip(rates.counts, rates.survival, strict=True) if share <= 0.5)
    debated = float(np.interp(np.log(100_000), np.log(rates.counts), rates.survival))
    print(f"Of the petitions that reach 10,000, half end below {round(half):,}; "
          f"{debated:.0%} reach 100,000.")


def cmd_search(args) -> int:
    from petitiondesk.core.browse import BrowseQuery, Browser

    state = args.state or "all"
    if args.limit < 1:
        raise CommandError("--limit must be at least 1", EXIT_USAGE)
    try:
        query = BrowseQuery(state=state, q=args.text or None, archived=args.archived)
        with _client(args) as client:
            browser = Browser(client, query)
            for page in browser.pages(should_stop=lambda: len(browser.rows) >= args.limit):
                if page.error:
                    raise CommandError(page.error)
    except ValueError as error:  # an unknown facet
        raise CommandError(str(error), EXIT_USAGE) from None
    rows = browser.rows[: args.limit]
    if args.json:
        _print_json([row.as_dict() for row in rows])
        return EXIT_OK
    if not rows:
        print(for_terminal(f"No petitions: {query.label}."))
        return EXIT_OK
    for row in rows:
        status = f"  ({row.status})" if row.status else ""
        print(for_terminal(f"{row.id:>7}  {row.signature_count:>11,}  {row.state:<8} {row.action}{status}"))
    more = "" if browser.finished else f" (the first {len(rows)}; more with --limit)"
    print(for_terminal(f"{_plural(len(rows), 'petition')}: {query.label}{more}."))
    return EXIT_OK


def cmd_watchlist(args) -> int:
    from petitiondesk.core.export import ExportError
    from petitiondesk.core.watchlist_io import WatchlistFileError, export_watchlist, import_watchlist

    if args.watchlist_command == "export":
        if not _database_exists(args):
            raise CommandError("the watchlist is empty: nothing to export")
        with _open_store(args) as store:
            try:
                count = export_watchlist(store, args.file)
            except ExportError as error:
                raise CommandError(str(error)) from None
        print(f"Exported {_plural(count, 'petition')} to {args.file}")
        return EXIT_OK
    with _open_store(args) as store:
        try:
            report = import_watchlist(store, args.file)
        except WatchlistFileError as error:
            raise CommandError(str(error)) from None
    for line in report.lines():
        print(line)
    print(report.summary())
    return EXIT_OK


def cmd_export_chart(args) -> int:
    refs = _parse_refs(args.refs)
    if args.output.suffix.lower() not in (".png", ".svg"):
        raise CommandError(f"cannot tell the format of {args.output}: name it .png or .svg", EXIT_USAGE)
    if not 0.5 <= args.scale <= 4:  # screens' pixel ratios; also refuses nan
        raise CommandError(f"--scale must be from 0.5 to 4, not {args.scale:g}", EXIT_USAGE)
    ids = list(dict.fromkeys(ref.id for ref in refs))
    if len(ids) == 1:
        with _open_store(args, create=False) as store:
            read = (ids[0], store.petition(ids[0]), *store.samples(ids[0]))
    else:
        series = _comparison_series(args, ids)
    _start_offscreen_qt()
    from petitiondesk.core.export import ExportError

    try:
        size = _export_one_chart(args, *read) if len(ids) == 1 else _export_comparison(args, series)
    except ExportError as error:
        raise CommandError(str(error)) from None
    print(f"Saved {args.output} ({size})")
    return EXIT_OK


def _start_offscreen_qt():
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window is needed to draw an image
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])  # Qt needs it alive while drawing


def _export_one_chart(args, petition_id, petition, times, counts) -> str:
    """Today's single-petition chart, with its milestones and (while open) the forecast cone."""
    import time

    from petitiondesk.core import analysis
    from petitiondesk.gui.chart_export import export_chart, spec_for

    if len(times) == 0:
        raise CommandError(f"{petition_id}: no samples recorded yet, so there is no chart to export")
    known: tuple[tuple[float, int], ...] = ()
    cone = None
    if petition is not None:
        seen = analysis.outlook(petition, times, counts, time.time())
        known = tuple((point.at, point.count) for point in seen.known_points)
        cone = _forecast_cone(seen, times, counts)
    spec = spec_for(petition, petition_id, times, counts, log_scale=args.log, known=known, cone=cone)
    export_chart(spec, args.output, args.width, args.height, args.scale)
    return f"{args.width} x {args.height}"


def _forecast_cone(seen, times, counts) -> tuple[float, float, float, float, float, float] | None:
    """From the latest sample to the deadline, as the window draws it (gui.chart's cone)."""
    estimate, closing = seen.estimate, seen.deadline
    if estimate is None or closing is None or seen.state != "open" or closing.at <= float(times[-1]):
        return None
    return (float(times[-1]), float(counts[-1]), closing.at, estimate.low, estimate.final, estimate.high)


def _comparison_series(args, ids: list[int]) -> list:
    """Each petition as the window compares it: from the store, or fetched when the store lacks it
    (an archived one is then kept, so the next comparison asks the site nothing for it)."""
    import time

    from petitiondesk.core import compare
    from petitiondesk.core.store import StoreError

    def keep(pid: int, raw: bytes) -> None:
        try:
            store.save_document(pid, raw, time.time())
        except StoreError as error:  # writes off or a full disk: it is fetched again next time
            print(f"petitiondesk: archived petition {pid} not kept: {error}", file=sys.stderr)

    with _open_store(args) as store, _client(args) as client:
        loaded = [compare.load_series(pid, store, client.petition, keep) for pid in ids]
    problems = [one.message for one in loaded if isinstance(one, compare.NotLoaded)]
    if problems:
        raise CommandError("; ".join(problems))
    return loaded


def _export_comparison(args, series) -> str:
    from petitiondesk.gui.compare_export import export_comparison

    empty = [one.petition_id for one in series if len(one.curve()[0]) == 0]
    if empty:
        raise CommandError(f"nothing known yet of {', '.join(map(str, empty))}: pin and refresh first")
    if args.align == "opened":
        unplaced = [one.petition_id for one in series if one.opened_at is None]
        if unplaced:
            raise CommandError(f"cannot align by opening: no opening date for {', '.join(map(str, unplaced))}")
    export_comparison(series, args.output, args.align, args.units, args.log, args.width, args.height)
    return f"{len(series)} petitions, {args.width} x {args.height}"


def cmd_repair(args) -> int:
    from petitiondesk.core.store import StoreError, repair

    path = paths.database_path(paths.data_dir(args.data_dir))
    if not path.exists():
        raise CommandError(f"there is no database to repair at {path}")
    try:
        report = repair(path)
    except StoreError as error:
        raise CommandError(str(error)) from None
    print(report.describe())
    return EXIT_OK


def cmd_export_map(args) -> int:
    import os
    import time

    from petitiondesk.core.hexmap import available_modes, choose_hexmap
    from petitiondesk.core.movers import DAY, MoversPending, read_movers

    (ref,) = _parse_refs([args.ref])
    if args.output.suffix.lower() not in (".png", ".svg"):
        raise CommandError(f"cannot tell the format of {args.output}: name it .png or .svg", EXIT_USAGE)
    now = time.time()
    with _open_store(args, create=False) as store:
        petition = store.petition(ref.id)
        if petition is None or not petition.signatures_by_constituency:
            raise CommandError(f"{ref.id}: no signatures by constituency recorded, so there is no map to export")
        rows = petition.signatures_by_constituency
        hexmap = choose_hexmap(row.ons_code for row in rows).hexmap
        snapshot = store.constituency_counts_at(ref.id, now - DAY)
        movers = read_movers(store, ref.id, names={row.ons_code: row.name for row in rows}, hexmap=hexmap,
                             now=now) if args.movers_csv else None
    if args.mode not in available_modes(hexmap, snapshot is not None):
        raise CommandError(f"{ref.id}: cannot colour by {args.mode}: "
                           + ("no snapshot from a day ago yet" if args.mode == "change_24h"
                              else "the 2024 seats carry no electorates"), EXIT_USAGE)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window is needed to draw an image
    from PySide6.QtWidgets import QApplication

    from petitiondesk.core.export import ExportError, write_movers_csv
    from petitiondesk.gui.map_export import export_map, map_spec

    app = QApplication.instance() or QApplication([])  # noqa: F841 (Qt needs it alive while drawing)
    try:
        export_map(map_spec(petition, args.mode, snapshot[1] if snapshot else None), args.output,
                   args.width, args.height)
        print(f"Saved {args.output} ({args.width} x {args.height}, {hexmap.label})")
        if isinstance(movers, MoversPending):
            when = f" (at {_when(movers.ready_at)})" if movers.ready_at else " (none recorded yet)"
            raise CommandError(f"{ref.id}: no movers yet: they need two snapshots about a day apart{when}")
        if movers is not None:
            write_movers_csv(args.movers_csv, ref.id, movers)
            print(f"Saved {args.movers_csv} ({len(movers.constituencies):,} constituencies)")
    except ExportError as error:
        raise CommandError(str(error)) from None
    return EXIT_OK


def cmd_simulator(args) -> int:
    from petitiondesk.simulator import main as simulator_main

    argv = ["--port", str(args.port), "--speed", str(args.speed), "--seed", str(args.seed)]
    if args.faults:
        argv += ["--faults", args.faults]
    return simulator_main(argv)


_NETWORK_COMMANDS = frozenset({"add", "show", "refresh", "record", "search", "base-rates"})

COMMANDS = {
    "add": cmd_add,
    "remove": cmd_remove,
    "list": cmd_list,
    "show": cmd_show,
    "refresh": cmd_refresh,
    "record": cmd_record,
    "alerts": cmd_alerts,
    "history": cmd_history,
    "backup": cmd_backup,
    "base-rates": cmd_base_rates,
    "search": cmd_search,
    "watchlist": cmd_watchlist,
    "export-chart": cmd_export_chart,
    "repair": cmd_repair,
    "export-map": cmd_export_map,
    "simulator": cmd_simulator,
}
