"""The local store: one SQLite file in the data folder.

It keeps the watchlist (and every petition ever pinned), the latest full document of each petition
(raw, compressed), the refresh engine's fetch state, signature samples (of pinned petitions and,
from the whole-site recorder, of every open one), constituency snapshots and the app's settings.

Threads: one `Store` (one connection) per thread. WAL mode lets the GUI thread read while the
worker writes. Every write runs in one transaction; `transaction()` groups several.

Safety: the file carries our `application_id` and its schema version in `user_version`. A file
that is not ours, or was made by a newer release, is refused with a `StoreError` and is never
written to. Before the first write of a session `PRAGMA quick_check` runs: a damaged file is
refused for writing (reading what is still readable goes on), and `repair()` copies what can be
read into a new file without touching the damaged one. The folder is kept private (0700) and the
files in it 0600. A read-only folder or file opens read-only, with writes off and a notice saying so.

Upgrading: schema version N is reached by running `_MIGRATIONS[N - 1]`, each in its own
transaction. Before the first step on a file that holds data, a copy of the file is written beside
it (`petitiondesk.sqlite3.bak-v1-20261201-213000`: byte for byte, or through SQLite's backup API while
the WAL holds commits, see `_write_backup`); `Store.notices` says where. Recorded history cannot be
fetched again, so the copy is kept, never deleted by the app.

Adding a table (whole-site recording, an archive cache, ...) is a new function and one line in
`_MIGRATIONS` (saved comparisons came in this way as step 3, alerts as step 4):

    def _v5_site_counts(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE site_counts (petition_id INTEGER NOT NULL, t INTEGER NOT NULL, "
                   "count INTEGER NOT NULL, PRIMARY KEY (petition_id, t)) WITHOUT ROWID")

    _MIGRATIONS = (_v1_tables, _v2_schema_history, _v3_comparisons, _v4_alerts, _v5_site_counts)

Never edit a released step: users' files already ran it. tests/test_store_migration.py opens the
0.1.0 fixture (tests/data/db/) with the new code and checks that nothing was lost.
"""

from __future__ import annotations

import errno
import functools
import itertools
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, SupportsIndex, TypeVar

import numpy as np

from petitiondesk import __version__
from petitiondesk.core.models import Petition

if TYPE_CHECKING:
    from petitiondesk.core.alert_store import AlertStore

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

#: "PtDk": marks a SQLite file as PetitionDesk's (PRAGMA application_id).
APPLICATION_ID = int.from_bytes(b"PtDk", "big")

PROBLEMS = frozenset(
    {"offline", "not_found", "gone", "not_visible", "collecting_supporters", "in_moderation", "blocked",
     "rate_limited", "unavailable", "bad_response"}
)

#: Constituency snapshots: at most one per petition per hour; kept hourly for 48 h, then daily.
SNAPSHOT_INTERVAL = 3600
SNAPSHOT_HOURLY_WINDOW = 48 * 3600
DAY = 86400

_SQLITE_MAGIC = b"SQLite format 3\x00"
_BUSY_TIMEOUT_MS = 5000
#: Private: a watchlist and its notes are nobody else's business (the folder 0700, each file 0600).
_FOLDER_MODE = 0o700
_FILE_MODE = 0o600
_SIDE_FILES = ("-wal", "-shm")


def _v1_tables(db: sqlite3.Connection) -> None:
    """The schema of release 0.1.0."""
    for statement in _V1_STATEMENTS:
        db.execute(statement)


_V1_STATEMENTS = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    """CREATE TABLE watchlist (
        petition_id INTEGER PRIMARY KEY,
        position INTEGER NOT NULL,
        pinned_at REAL NOT NULL)""",
    """CREATE TABLE documents (
        petition_id INTEGER PRIMARY KEY,
        fetched_at REAL NOT NULL,
        raw BLOB NOT NULL)""",
    """CREATE TABLE fetch_state (
        petition_id INTEGER PRIMARY KEY,
        last_modified TEXT,
        etag TEXT,
        fetched_at REAL,
        checked_at REAL,
        next_check_at REAL NOT NULL DEFAULT 0,
        next_full_at REAL NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        problem TEXT,
        problem_detail TEXT,
        archived INTEGER NOT NULL DEFAULT 0,
        milestones TEXT)""",
    # Only changes are stored; a plateau is kept as its two ends.
    """CREATE TABLE samples (
        petition_id INTEGER NOT NULL,
        t INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (petition_id, t)) WITHOUT ROWID""",
    # counts: zlib-compressed JSON object {ons_code: count}.
    """CREATE TABLE constituency_snapshots (
        petition_id INTEGER NOT NULL,
        t INTEGER NOT NULL,
        counts BLOB NOT NULL,
        PRIMARY KEY (petition_id, t)) WITHOUT ROWID""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
)


def _v2_schema_history(db: sqlite3.Connection) -> None:
    """Which release upgraded the file, when, and where the copy made before it went."""
    db.execute("""CREATE TABLE schema_history (
        version INTEGER PRIMARY KEY,
        applied_at REAL NOT NULL,
        release TEXT NOT NULL,
        backup TEXT)""")


def _v3_comparisons(db: sqlite3.Connection) -> None:
    """Saved comparisons (issue 14): named sets of petitions and how they were last drawn."""
    db.execute("""CREATE TABLE comparisons (
        name TEXT PRIMARY KEY,
        petition_ids TEXT NOT NULL,
        alignment TEXT NOT NULL DEFAULT 'calendar',
        units TEXT NOT NULL DEFAULT 'signatures',
        log_scale INTEGER NOT NULL DEFAULT 0,
        saved_at REAL NOT NULL)""")


def _v4_alerts(db: sqlite3.Connection) -> None:
    """Alerts (core/alert_store.py): one row per (petition, key) that ever held, so that each alert
    fires once in any process; status is silent, unread, read or cleared."""
    db.execute("""CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        petition_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        happened_at REAL,
        detected_at REAL NOT NULL,
        status TEXT NOT NULL,
        away INTEGER NOT NULL DEFAULT 0,
        UNIQUE (petition_id, key))""")
    db.execute("CREATE INDEX alerts_by_status ON alerts (status, id)")
    db.execute("""CREATE TABLE alert_state (
        name TEXT PRIMARY KEY,
        value REAL NOT NULL)""")


def _v5_ever_pinned(db: sqlite3.Connection) -> None:
    """Every petition ever pinned (whole-site history): forgetting the counts of petitions the user
    never pinned must never touch one they once watched. The pins of older files count."""
    db.execute("""CREATE TABLE ever_pinned (
        petition_id INTEGER PRIMARY KEY,
        first_pinned_at REAL NOT NULL)""")
    db.execute("INSERT INTO ever_pinned (petition_id, first_pinned_at) SELECT petition_id, pinned_at FROM watchlist")


def _v6_archive_pages(db: sqlite3.Connection) -> None:
    """Pages of the archive's listings as fetched (issue 15): archived petitions do not change, so the
    Browse tab reads them from here after the first load; `next_url` is where a stopped load resumes."""
    db.execute("""CREATE TABLE archive_pages (
        listing TEXT NOT NULL,
        page INTEGER NOT NULL,
        raw BLOB NOT NULL,
        next_url TEXT,
        fetched_at REAL NOT NULL,
        PRIMARY KEY (listing, page)) WITHOUT ROWID""")


#: `_MIGRATIONS[N - 1]` takes the schema from version N - 1 to N (see the module docstring).
_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_tables, _v2_schema_history, _v3_comparisons, _v4_alerts, _v5_ever_pinned, _v6_archive_pages)
#: The first version whose files have a schema_history table to record upgrades in.
_HISTORY_FROM = 2


@dataclass(frozen=True)
class SavedComparison:
    """A named set of petitions to compare, with the alignment, units and scale last used."""

    name: str
    petition_ids: tuple[int, ...]
    alignment: str = "calendar"
    units: str = "signatures"
    log_scale: bool = False


class StoreError(Exception):
    """The database cannot be used; str() is a message fit for a user."""


@dataclass(frozen=True)
class WatchEntry:
    petition_id: int
    position: int
    pinned_at: float


@dataclass(frozen=True)
class HistoryUsage:
    """What the recorded signature history takes on disk."""

    samples: int  # stored rows, after plateau compression
    petitions: int
    never_pinned: int  # of those petitions, the ones recorded only by the whole-site recorder
    history_bytes: int  # the samples' pages (0 where SQLite cannot tell)
    file_bytes: int  # the whole database


@dataclass(frozen=True)
class FetchState:
    """What the refresh engine knows about fetching one petition; the store only keeps it."""

    petition_id: int
    last_modified: str | None = None  # the Last-Modified header text, for If-Modified-Since
    etag: str | None = None
    fetched_at: float | None = None  # last full document
    checked_at: float | None = None  # last count check
    next_check_at: float = 0.0
    next_full_at: float = 0.0
    failures: int = 0
    problem: str | None = None  # one of PROBLEMS
    problem_detail: str | None = None
    archived: bool = False
    milestones: str | None = None  # opaque text the refresh engine compares


_FETCH_STATE_COLUMNS = (
    "petition_id, last_modified, etag, fetched_at, checked_at, next_check_at, next_full_at, "
    "failures, problem, problem_detail, archived, milestones"
)


def _describe_sqlite_error(error: BaseException, path: Path) -> str:
    text = str(error)
    lowered = text.lower()
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return f"The disk is full: could not save to {path}. Free some space and try again."
    if "readonly" in lowered or "read-only" in lowered:
        return f"Cannot write to {path}: the file or its folder is read-only."
    if "locked" in lowered or "busy" in lowered:
        return f"{path} is busy: another PetitionDesk is writing to it. Try again in a moment."
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return f"{path} is damaged ({text}). {REPAIR_HINT}"
    if "unable to open" in lowered:
        return f"Cannot open {path}: check that the folder exists and is writable."
    return f"Database error in {path}: {text}"


class _HasPath(Protocol):
    path: Path


S = TypeVar("S", bound=_HasPath)


def _translating_errors(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Turn sqlite and OS failures into a StoreError with a clear message (for the Store and for
    the AlertStore on its connection)."""

    @functools.wraps(method)
    def wrapper(store: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(store, *args, **kwargs)
        except sqlite3.ProgrammingError:
            raise  # a bug in the caller (e.g. a closed store), not a user's problem
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(error, store.path)) from error
        except OSError as error:
            raise StoreError(f"Cannot use {store.path}: {error.strerror or error}") from error

    return wrapper


class Store:
    SCHEMA_VERSION: int = len(_MIGRATIONS)

    def __init__(self, connection: sqlite3.Connection, path: Path, readonly: bool,
                 writes_off: str | None = None) -> None:
        """Use `Store.open`; this only wraps a connection that has been checked."""
        self._db = connection
        self.path = path
        self.readonly = readonly
        #: Why this store cannot write (None when it can): the message every write raises.
        self._writes_off = writes_off
        self._depth = 0
        self._integrity_checked = False
        #: Things the user should be told once (writes off; an upgrade and where its backup went).
        self.notices: list[str] = [writes_off] if writes_off else []
        #: The copy made before this session's upgrade, if there was one.
        self.backup: Path | None = None
        # Documents' summaries by id, with the (fetched_at, stored size) they came from: parsing costs
        # far more than reading those two columns, and a replaced document changes them.
        self._summaries: dict[int, tuple[tuple[float, int], Petition | None]] = {}

    # ----------------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> Store:
        """Open (creating the folder and file if missing, unless read-only) and migrate.

        A file or folder that cannot be written opens read-only instead, and `notices` says so.
        """
        path = Path(path)
        _prepare_folder(path.parent, create=not readonly)
        _refuse_if_not_sqlite(path, readonly)
        if path.exists() and path.stat().st_size > 0:
            _refuse_if_foreign_or_newer(path, readonly)
        read_only = _read_only_part(path)
        if read_only and not readonly and not path.exists():
            raise StoreError(f"Cannot create {path}: {read_only} is read-only.")
        if not read_only and not readonly:
            _make_private(path)
        connection = _connect(path, readonly or read_only is not None)
        writes_off = None if read_only is None else (
            f"Writes are off: {read_only} is read-only, so PetitionDesk shows what is recorded and records nothing new."
        )
        store = cls(connection, path, readonly or writes_off is not None, writes_off)
        try:
            store._prepare()
        except BaseException:
            connection.close()
            raise
        return store

    @_translating_errors
    def _prepare(self) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        version, app_id, has_tables = self._identity()
        _check_identity(self.path, version, app_id, has_tables)
        if self.readonly:
            if version == 0:
                raise StoreError(f"There is no PetitionDesk database at {self.path} yet (the file is empty).")
            if version < self.SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} uses an older schema ({version}); open it once with write access to upgrade it."
                )
            return
        if self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise StoreError(f"Cannot use {self.path}: the file system does not support SQLite's WAL mode.")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def _identity(self) -> tuple[int, int, bool]:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        has_tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        return version, app_id, has_tables

    def _migrate(self) -> None:
        found = self._identity()[0]
        if found == self.SCHEMA_VERSION:
            return  # up to date: take no write lock, so opening never waits for a busy writer
        if found > 0:  # fold the WAL into the file, so that the backup can be a plain copy
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for target, step in enumerate(_MIGRATIONS, start=1):
            with self.transaction():
                # Re-read inside the lock: another process may have migrated meanwhile.
                version, app_id, has_tables = self._identity()
                _check_identity(self.path, version, app_id, has_tables)
                if version != target - 1:
                    continue
                if found > 0 and self.backup is None:
                    self.backup = self._write_backup(version)
                step(self._db)
                self._db.execute(f"PRAGMA user_version = {target}")
                if target >= _HISTORY_FROM:
                    self._db.execute(
                        "INSERT OR REPLACE INTO schema_history (version, applied_at, release, backup) "
                        "VALUES (?, ?, ?, ?)",
                        (target, time.time(), __version__, None if self.backup is None else str(self.backup)),
                    )
        if self.backup is not None:
            self.notices.append(
                f"Upgraded {self.path} to this release's format; a copy of the file as it was is at {self.backup}."
            )

    def _write_backup(self, version: int) -> Path:
        """A copy of the whole file beside it, taken under the write lock before the first step.

        With the WAL empty, the file alone holds every commit and nobody can change it while we hold
        the lock: it is copied as it is, byte for byte. Otherwise SQLite's backup API copies the last
        commit (from a second connection: one in a write transaction cannot be a backup's source);
        that copy is the same data, with a few header counters of its own.
        """
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.bak-v{version}-{stamp}")
        for extra in itertools.count(2):
            if not target.exists():
                break
            target = self.path.with_name(f"{self.path.name}.bak-v{version}-{stamp}-{extra}")
        _create_private(target)
        wal = self.path.with_name(self.path.name + "-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            shutil.copyfile(self.path, target)
            return target
        source, copy = sqlite3.connect(self.path), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One BEGIN IMMEDIATE .. COMMIT; nested calls join the outer transaction.

        The first one of a session checks the file's integrity: nothing is written to a damaged file.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if self.readonly:
            raise StoreError(self._writes_off or f"Cannot write to {self.path}: it was opened read-only.")
        if not self._integrity_checked:
            self._run(self._check_integrity)
        self._run(self._db.execute, "BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self._run(self._db.execute, "COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _check_integrity(self) -> None:
        """PRAGMA quick_check: a damaged file gets no new writes (they could spread the damage)."""
        try:
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as error:
            problems = [str(error)]
        if problems != ["ok"]:
            raise StoreError(damaged_message(self.path, "; ".join(problems)))
        self._integrity_checked = True

    @_translating_errors
    def _run(self, function: Callable[..., object], *args: object) -> object:
        return function(*args)

    # --------------------------------------------------------------------------------- watchlist

    @_translating_errors
    def pin(self, petition_id: int, pinned_at: float | None = None) -> bool:
        """Add to the end of the watchlist; False if already pinned."""
        petition_id = _petition_id(petition_id)
        with self.transaction():
            if self.is_pinned(petition_id):
                return False
            size = self._db.execute("SELECT count(*) FROM watchlist").fetchone()[0]
            pinned_at = time.time() if pinned_at is None else float(pinned_at)
            self._db.execute(
                "INSERT INTO watchlist (petition_id, position, pinned_at) VALUES (?, ?, ?)",
                (petition_id, size, pinned_at),
            )
            self._db.execute(
                "INSERT OR IGNORE INTO ever_pinned (petition_id, first_pinned_at) VALUES (?, ?)",
                (petition_id, pinned_at),
            )
            return True

    @_translating_errors
    def unpin(self, petition_id: int) -> bool:
        """Remove from the watchlist (its history stays); False if it was not pinned."""
        petition_id = _petition_id(petition_id)
        with self.transaction():
            row = self._db.execute("SELECT position FROM watchlist WHERE petition_id = ?", (petition_id,)).fetchone()
            if row is None:
                return False
            self._db.execute("DELETE FROM watchlist WHERE petition_id = ?", (petition_id,))
            self._db.execute("UPDATE watchlist SET position = position - 1 WHERE position > ?", (row[0],))
            return True

    @_translating_errors
    def watchlist(self) -> list[WatchEntry]:
        rows = self._db.execute("SELECT petition_id, position, pinned_at FROM watchlist ORDER BY position")
        return [WatchEntry(petition_id, position, pinned_at) for petition_id, position, pinned_at in rows]

    @_translating_errors
    def is_pinned(self, petition_id: int) -> bool:
        petition_id = _petition_id(petition_id)
        row = self._db.execute("SELECT 1 FROM watchlist WHERE petition_id = ?", (petition_id,)).fetchone()
        return row is not None

    @_translating_errors
    def move(self, petition_id: int, new_position: int) -> None:
        """Move a pinned petition to `new_position` (clamped), shifting the others; KeyError if not pinned."""
        petition_id = _petition_id(petition_id)
        with self.transaction():
            row = self._db.execute("SELECT position FROM watchlist WHERE petition_id = ?", (petition_id,)).fetchone()
            if row is None:
                raise KeyError(f"petition {petition_id} is not on the watchlist")
            old = row[0]
            size = self._db.execute("SELECT count(*) FROM watchlist").fetchone()[0]
            new = max(0, min(int(new_position), size - 1))
            if new > old:
                self._db.execute(
                    "UPDATE watchlist SET position = position - 1 WHERE position > ? AND position <= ?", (old, new)
                )
            elif new < old:
                self._db.execute(
                    "UPDATE watchlist SET position = position + 1 WHERE position >= ? AND position < ?", (new, old)
                )
            self._db.execute("UPDATE watchlist SET position = ? WHERE petition_id = ?", (new, petition_id))

    # --------------------------------------------------------------------------------- documents

    @_translating_errors
    def save_document(self, petition_id: int, raw: bytes, fetched_at: float, parsed: Petition | None = None) -> None:
        """Keep the latest full document as fetched (compressed); it is parsed again on read, unless
        the caller hands over its parse (`parsed`), whose summary is then remembered."""
        petition_id = _petition_id(petition_id)
        blob = zlib.compress(bytes(raw), 6)
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO documents (petition_id, fetched_at, raw) VALUES (?, ?, ?)",
                (petition_id, float(fetched_at), blob),
            )
        if parsed is None:
            self._summaries.pop(petition_id, None)
        else:
            self._summaries[petition_id] = ((float(fetched_at), len(blob)), parsed.without_breakdowns())

    def petition(self, petition_id: int) -> Petition | None:
        """The latest stored document parsed in full, or None if there is none or it no longer parses."""
        return self.petitions([petition_id]).get(_petition_id(petition_id))

    @_translating_errors
    def petitions(self, ids: Iterable[int]) -> dict[int, Petition]:
        """The stored documents among `ids`, parsed in full (each time: they are not kept);
        missing or unreadable ones are left out."""
        found: dict[int, Petition] = {}
        for petition_id, _fetched_at, blob in self._documents(ids, "raw"):
            petition = _parse_stored(petition_id, blob)
            if petition is not None:
                found[petition_id] = petition
        return found

    @_translating_errors
    def summaries(self, ids: Iterable[int]) -> dict[int, Petition]:
        """The stored documents among `ids` without their breakdowns (`Petition.without_breakdowns`):
        what the watchlist, the schedule and the alerts need, kept between calls (500 full documents
        would hold ~60 MB); missing or unreadable ones are left out."""
        found: dict[int, Petition] = {}
        stale: list[int] = []
        for petition_id, fetched_at, size in self._documents(ids, "length(raw)"):
            cached = self._summaries.get(petition_id)
            if cached is not None and cached[0] == (fetched_at, size):
                if cached[1] is not None:
                    found[petition_id] = cached[1]
            else:
                stale.append(petition_id)
        for petition_id, fetched_at, blob in self._documents(stale, "raw"):
            summary = _parse_stored(petition_id, blob, breakdowns=False)
            self._summaries[petition_id] = ((fetched_at, len(blob)), summary)
            if summary is not None:
                found[petition_id] = summary
        return found

    def _documents(self, ids: Iterable[int], column: str) -> Iterator[tuple[int, float, Any]]:
        """(petition id, fetched_at, `column`) of the stored documents among `ids`."""
        wanted = list(dict.fromkeys(_petition_id(i) for i in ids))
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(
                f"SELECT petition_id, fetched_at, {column} FROM documents WHERE petition_id IN ({marks})", chunk
            ).fetchall()

    # ------------------------------------------------------------------------------- fetch state

    @_translating_errors
    def fetch_state(self, petition_id: int) -> FetchState:
        """The saved state, or a default one if none was ever saved."""
        petition_id = _petition_id(petition_id)
        row = self._db.execute(
            f"SELECT {_FETCH_STATE_COLUMNS} FROM fetch_state WHERE petition_id = ?", (petition_id,)
        ).fetchone()
        if row is None:
            return FetchState(petition_id)
        values = list(row)
        values[10] = bool(values[10])
        return FetchState(*values)

    @_translating_errors
    def save_fetch_state(self, state: FetchState) -> None:
        if state.problem is not None and state.problem not in PROBLEMS:
            raise ValueError(f"unknown fetch problem {state.problem!r}; expected one of {sorted(PROBLEMS)}")
        with self.transaction():
            self._db.execute(
                f"INSERT OR REPLACE INTO fetch_state ({_FETCH_STATE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    _petition_id(state.petition_id),
                    state.last_modified,
                    state.etag,
                    state.fetched_at,
                    state.checked_at,
                    float(state.next_check_at),
                    float(state.next_full_at),
                    int(state.failures),
                    state.problem,
                    state.problem_detail,
                    int(bool(state.archived)),
                    state.milestones,
                ),
            )

    # ----------------------------------------------------------------------------------- samples

    @_translating_errors
    def add_sample(self, petition_id: int, t: float, count: int) -> bool:
        """Record `count` seen at POSIX time `t` (whole seconds kept).

        Only changes are stored, and a plateau as its two ends: when the last two stored samples
        already equal `count`, the last one moves forward to `t`. Returns True if stored or
        extended; False for a sample not newer than the last one stored (kept first-seen).
        """
        with self.transaction():
            return self._add_sample(_petition_id(petition_id), int(t), int(count))

    @_translating_errors
    def add_samples(self, t: float, counts: Mapping[int, int]) -> int:
        """`add_sample` for many petitions seen at the same time, in one transaction; how many were
        stored or extended."""
        t = int(t)
        with self.transaction():
            return sum(self._add_sample(_petition_id(pid), t, int(count)) for pid, count in counts.items())

    def _add_sample(self, petition_id: int, t: int, count: int) -> bool:
        last_two = self._db.execute(
            "SELECT t, count FROM samples WHERE petition_id = ? ORDER BY t DESC LIMIT 2", (petition_id,)
        ).fetchall()
        if last_two and t <= last_two[0][0]:
            return False
        plateau = len(last_two) == 2 and last_two[0][1] == last_two[1][1] == count
        if plateau:
            self._db.execute(
                "UPDATE samples SET t = ? WHERE petition_id = ? AND t = ?", (t, petition_id, last_two[0][0])
            )
        else:
            self._db.execute(
                "INSERT INTO samples (petition_id, t, count) VALUES (?, ?, ?)", (petition_id, t, count)
            )
        return True

    @_translating_errors
    def samples(self, petition_id: int, since: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(times as float64 POSIX seconds, counts as int64), oldest first.

        With `since`, the samples at or after it, preceded by the last one before it: that one
        holds the count in force at `since`, so a step chart or a 24-hour change starts right.
        """
        petition_id = _petition_id(petition_id)
        start: float = -(2**63)
        if since is not None:
            in_force = self._db.execute(
                "SELECT max(t) FROM samples WHERE petition_id = ? AND t <= ?", (petition_id, float(since))
            ).fetchone()[0]
            start = float(since) if in_force is None else in_force
        # Two strings made by SQLite and parsed by numpy, both in C: 2.7 times quicker than a Python
        # object per value (1,000,000 samples: 225 ms instead of 607). Both columns come from one pass
        # over the same rows, so they stay paired; SQLite does not promise group_concat's order, so
        # the times are sorted here (already sorted, in practice).
        times_text, counts_text = self._db.execute(
            "SELECT group_concat(t), group_concat(count) FROM samples WHERE petition_id = ? AND t >= ?",
            (petition_id, start),
        ).fetchone()
        if times_text is None:
            return np.empty(0, np.float64), np.empty(0, np.int64)
        times = np.fromstring(times_text, dtype=np.int64, sep=",")
        counts = np.fromstring(counts_text, dtype=np.int64, sep=",")
        if times.size > 1 and np.any(times[1:] < times[:-1]):
            order = np.argsort(times, kind="stable")
            times, counts = times[order], counts[order]
        return times.astype(np.float64), counts

    @_translating_errors
    def samples_in_force(self, petition_id: int, moments: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
        """The first and the last sample, and the one in force at each of `moments` (the last at or
        before it), as `samples` gives them: enough for the 24-hour change without reading the whole
        curve (a few primary-key lookups, however many samples are stored)."""
        petition_id = _petition_id(petition_id)
        first_and_last = "SELECT t, count FROM samples WHERE petition_id = ? ORDER BY t {} LIMIT 1"
        found = {row for order in ("ASC", "DESC")
                 for row in self._db.execute(first_and_last.format(order), (petition_id,))}
        for moment in moments:
            found.update(self._db.execute(
                "SELECT t, count FROM samples WHERE petition_id = ? AND t <= ? ORDER BY t DESC LIMIT 1",
                (petition_id, float(moment))))
        pairs = np.array(sorted(found), dtype=np.int64).reshape(-1, 2)
        return pairs[:, 0].astype(np.float64), np.ascontiguousarray(pairs[:, 1])

    @_translating_errors
    def latest_sample(self, petition_id: int) -> tuple[float, int] | None:
        petition_id = _petition_id(petition_id)
        row = self._db.execute(
            "SELECT t, count FROM samples WHERE petition_id = ? ORDER BY t DESC LIMIT 1", (petition_id,)
        ).fetchone()
        return None if row is None else (float(row[0]), row[1])

    @_translating_errors
    def sample_total(self) -> int:
        """Stored sample rows across all petitions (after compaction)."""
        total: int = self._db.execute("SELECT count(*) FROM samples").fetchone()[0]
        return total

    # -------------------------------------------------------------------- constituency snapshots

    @_translating_errors
    def add_constituency_snapshot(self, petition_id: int, t: float, counts: Mapping[str, int]) -> bool:
        """Keep the counts by ONS code at `t`; False (nothing stored) if the last one is under an hour old.

        Older snapshots thin out: hourly for 48 hours, then the last of each UTC day.
        """
        petition_id = _petition_id(petition_id)
        t = int(t)
        with self.transaction():
            last = self._db.execute(
                "SELECT max(t) FROM constituency_snapshots WHERE petition_id = ?", (petition_id,)
            ).fetchone()[0]
            if last is not None and t < last + SNAPSHOT_INTERVAL:
                return False
            self._db.execute(
                "INSERT INTO constituency_snapshots (petition_id, t, counts) VALUES (?, ?, ?)",
                (petition_id, t, _pack_counts(counts)),
            )
            self._prune_snapshots(petition_id, t - SNAPSHOT_HOURLY_WINDOW)
            return True

    def _prune_snapshots(self, petition_id: int, cutoff: int) -> None:
        """Before `cutoff`, keep only the last snapshot of each UTC day."""
        self._db.execute(
            f"""DELETE FROM constituency_snapshots
                WHERE petition_id = :id AND t < :cutoff AND t NOT IN (
                    SELECT max(t) FROM constituency_snapshots
                    WHERE petition_id = :id AND t < :cutoff GROUP BY t / {DAY})""",
            {"id": petition_id, "cutoff": cutoff},
        )

    @_translating_errors
    def constituency_counts_at(self, petition_id: int, t: float) -> tuple[float, dict[str, int]] | None:
        """The latest snapshot taken at or before `t`, as (its time, counts); None if there is none
        (or it is unreadable)."""
        petition_id = _petition_id(petition_id)
        row = self._db.execute(
            "SELECT t, counts FROM constituency_snapshots WHERE petition_id = ? AND t <= ? ORDER BY t DESC LIMIT 1",
            (petition_id, t),
        ).fetchone()
        if row is None:
            return None
        counts = _unpack_counts(row[1])
        if counts is None:
            log.warning("constituency snapshot of petition %s at %s is unreadable", petition_id, row[0])
            return None
        return float(row[0]), counts

    @_translating_errors
    def data_version(self) -> int:
        """A number that changes when another connection (thread or process) commits a change."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    # ------------------------------------------------------------------------------------ alerts

    def alerts(self) -> AlertStore:
        """The alerts' memory and list on this store's connection (core/alert_store.py)."""
        from petitiondesk.core.alert_store import AlertStore  # it builds on this module

        return AlertStore(self._db, self.path, self.transaction)

    # ----------------------------------------------------------------------------- archive pages

    @_translating_errors
    def archive_page(self, listing: str, page: int) -> tuple[bytes, str | None] | None:
        """Page `page` (from 1) of an archive listing as fetched, and its next link; None if not kept."""
        row = self._db.execute("SELECT raw, next_url FROM archive_pages WHERE listing = ? AND page = ?",
                               (listing, int(page))).fetchone()
        if row is None:
            return None
        try:
            return zlib.decompress(row[0]), row[1]
        except zlib.error:
            log.warning("archive page %s of %r is unreadable; it is fetched again", page, listing)
            return None

    @_translating_errors
    def save_archive_page(self, listing: str, page: int, raw: bytes, next_url: str | None, fetched_at: float) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO archive_pages (listing, page, raw, next_url, fetched_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (listing, int(page), zlib.compress(bytes(raw), 6), next_url, float(fetched_at)))

    # ---------------------------------------------------------------------------------- settings

    @_translating_errors
    def setting(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under `key`, or `default` if absent or unreadable."""
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            log.warning("setting %r holds invalid JSON; using the default", key)
            return default

    @_translating_errors
    def set_setting(self, key: str, value: object) -> None:
        """Store any JSON-serialisable value (TypeError otherwise)."""
        text = json.dumps(value)
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, text))

    # ------------------------------------------------------------------------- saved comparisons

    @_translating_errors
    def comparisons(self) -> list[SavedComparison]:
        """The saved comparisons by name (case-insensitive order); unreadable rows are skipped."""
        rows = self._db.execute(
            "SELECT name, petition_ids, alignment, units, log_scale FROM comparisons ORDER BY name COLLATE NOCASE")
        saved = []
        for name, ids, alignment, units, log_scale in rows:
            try:
                petition_ids = tuple(_petition_id(pid) for pid in json.loads(ids))
            except (ValueError, TypeError):
                log.warning("saved comparison %r holds unreadable petition ids; skipped", name)
                continue
            saved.append(SavedComparison(name, petition_ids, alignment, units, bool(log_scale)))
        return saved

    @_translating_errors
    def save_comparison(self, comparison: SavedComparison) -> None:
        """Save (or replace) a comparison under its name."""
        name = _comparison_name(comparison.name)
        ids = json.dumps([_petition_id(pid) for pid in comparison.petition_ids])
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO comparisons (name, petition_ids, alignment, units, log_scale, saved_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, ids, comparison.alignment, comparison.units, int(comparison.log_scale), time.time()))

    @_translating_errors
    def rename_comparison(self, old: str, new: str) -> None:
        """Rename a saved comparison; StoreError if the new name is taken or the old one is gone."""
        new = _comparison_name(new)
        with self.transaction():
            if new != old and self._db.execute("SELECT 1 FROM comparisons WHERE name = ?", (new,)).fetchone():
                raise StoreError(f"There is already a comparison named “{new}”.")
            if not self._db.execute("UPDATE comparisons SET name = ? WHERE name = ?", (new, old)).rowcount:
                raise StoreError(f"There is no saved comparison named “{old}”.")

    @_translating_errors
    def delete_comparison(self, name: str) -> bool:
        """Forget a saved comparison; False if there was none by that name."""
        with self.transaction():
            return self._db.execute("DELETE FROM comparisons WHERE name = ?", (name,)).rowcount > 0

    # ------------------------------------------------------------- movers (reads snapshots only)

    @_translating_errors
    def constituency_snapshot_times(self, petition_id: int) -> list[float]:
        """When each stored constituency snapshot of the petition was taken, oldest first."""
        petition_id = _petition_id(petition_id)
        rows = self._db.execute(
            "SELECT t FROM constituency_snapshots WHERE petition_id = ? ORDER BY t", (petition_id,)
        )
        return [float(t) for (t,) in rows]

    # ----------------------------------------------- whole-site history: its size, forgetting, backups

    @_translating_errors
    def history_usage(self) -> HistoryUsage:
        """How much the recorded signature history takes (a full scan of the samples: off the GUI thread)."""
        samples, petitions, never_pinned = self._db.execute(
            """SELECT count(*), count(DISTINCT petition_id),
                      count(DISTINCT CASE WHEN petition_id NOT IN (SELECT petition_id FROM ever_pinned)
                                          THEN petition_id END)
               FROM samples"""
        ).fetchone()
        page_size = self._db.execute("PRAGMA page_size").fetchone()[0]
        file_bytes = self._db.execute("PRAGMA page_count").fetchone()[0] * page_size
        try:  # SQLite's dbstat table gives the samples' own pages, where the build has it
            history_bytes = self._db.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'samples'").fetchone()[0]
        except sqlite3.OperationalError:
            history_bytes = None
        return HistoryUsage(samples, petitions, never_pinned, int(history_bytes or 0), file_bytes)

    @_translating_errors
    def forget_unpinned_history(self, before: float) -> int:
        """Delete the samples older than `before` of every petition never pinned; how many went."""
        with self.transaction():
            cursor = self._db.execute(
                """DELETE FROM samples WHERE t < ?
                   AND petition_id NOT IN (SELECT petition_id FROM ever_pinned)""",
                (int(before),),
            )
            return cursor.rowcount

    @_translating_errors
    def back_up_to(self, target: Path) -> None:
        """Write a consistent copy of the whole database to `target`, all or nothing.

        SQLite's backup API copies one snapshot while the worker goes on writing; the copy is made
        beside `target` under a temporary name, synced, then renamed over it, so a full disk or a
        crash leaves no half-written backup (and an older backup of that name intact)."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise StoreError(f"Cannot back up {self.path} onto itself: choose another file.")
        if target.is_dir():
            raise StoreError(f"Cannot back up to {target}: a folder of that name is there.")
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            os.close(handle)
        except OSError as error:
            raise _backup_failed(target, error) from error
        try:
            copy = sqlite3.connect(temporary)
            try:
                self._db.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            finally:
                copy.close()
            with open(temporary, "rb+") as file:
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except sqlite3.Error as error:
            Path(temporary).unlink(missing_ok=True)
            raise StoreError(_describe_sqlite_error(error, target) + " No backup was written.") from error
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise _backup_failed(target, error) from error
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# ------------------------------------------------------------------------------------- repair

REPAIR_HINT = "`petitiondesk repair` copies what can still be read into a new file and leaves this one as it is."


def damaged_message(path: Path, detail: str) -> str:
    return f"{path} is damaged ({detail}); nothing was written to it. {REPAIR_HINT}"


@dataclass(frozen=True)
class RepairReport:
    damaged: Path  # left exactly as it was
    repaired: Path  # a new, healthy file beside it
    rows: dict[str, int]  # rows copied, by table
    incomplete: tuple[str, ...]  # tables where damage hid some rows

    def describe(self) -> str:
        copied = ", ".join(f"{table} {count:,}" for table, count in self.rows.items())
        lost = f" Some rows of {', '.join(self.incomplete)} could not be read." if self.incomplete else ""
        return (
            f"Copied what could be read from {self.damaged} into {self.repaired} (rows: {copied}).{lost} "
            f"The damaged file was left as it was. To use the copy: quit PetitionDesk, move {self.damaged.name} "
            f"aside and rename {self.repaired.name} to {self.damaged.name}."
        )


def repair(path: Path) -> RepairReport:
    """Copy every row that can still be read from a damaged database into a new file beside it.

    The original (and its -wal) is only ever read, and through a private copy: SQLite may write to
    a file it opens (recovering a WAL), and that must not happen to the only copy of someone's history.
    """
    path = Path(path)
    _refuse_if_not_sqlite(path, readonly=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    repaired = path.with_name(f"{path.name}.repaired-{stamp}")
    if repaired.exists():
        raise StoreError(f"{repaired} is already there; move it aside and try again.")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.repair-", dir=path.parent))
    except OSError as error:
        raise StoreError(f"Cannot repair {path}: {error.strerror or error}") from error
    try:
        source = _staged_copy(path, staging)
        try:
            with Store.open(repaired) as target:
                rows, incomplete = _salvage_all(source, target)
        finally:
            source.close()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RepairReport(path, repaired, rows, tuple(incomplete))


def _staged_copy(path: Path, staging: Path) -> sqlite3.Connection:
    for side in ("", "-wal"):
        original = path.with_name(path.name + side)
        if original.exists():
            shutil.copyfile(original, staging / (path.name + side))
    copy = sqlite3.connect(staging / path.name)
    try:
        version = copy.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:
        version = 0  # page 1 itself may be damaged: salvage what the tables still give
    if version > Store.SCHEMA_VERSION:
        copy.close()
        raise StoreError(f"{path} was made by a newer PetitionDesk (schema {version}); repair it with that release.")
    return copy


def _salvage_all(source: sqlite3.Connection, target: Store) -> tuple[dict[str, int], list[str]]:
    rows: dict[str, int] = {}
    incomplete: list[str] = []
    tables = [name for (name,) in target._db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    with target.transaction():
        for table in tables:
            info = list(target._db.execute(f"PRAGMA table_info({table})"))
            key = [name for _, name, _, _, _, pk in sorted(info, key=lambda column: column[5]) if pk]
            columns = key + [column[1] for column in info if not column[5]]
            salvaged, complete = _salvage_rows(source, table, columns, len(key))
            marks = ",".join("?" * len(columns))
            target._db.executemany(f"INSERT OR REPLACE INTO {table} ({','.join(columns)}) VALUES ({marks})", salvaged)
            rows[table] = len(salvaged)
            if not complete:
                incomplete.append(table)
        # Positions lost with a damaged row would leave gaps; the order itself is kept.
        target._db.execute(
            "UPDATE watchlist SET position = "
            "(SELECT count(*) FROM watchlist AS w WHERE w.position < watchlist.position)"
        )
    return rows, incomplete


def _salvage_rows(source: sqlite3.Connection, table: str, columns: list[str], keys: int,
                  ) -> tuple[list[tuple[Any, ...]], bool]:
    """Rows in key order; past a damaged page, go on from the next petition (integer first key)."""
    found: list[tuple[Any, ...]] = []
    complete = True
    key = ",".join(columns[:keys])
    after: tuple[Any, ...] | None = None
    for attempt in range(200):
        where = "" if after is None else f"WHERE ({key}) > ({','.join('?' * keys)})"
        try:
            cursor = source.execute(f"SELECT {','.join(columns)} FROM {table} {where} ORDER BY {key}", after or ())
            for row in cursor:
                found.append(row)
                after = row[:keys]
            return found, complete
        except sqlite3.OperationalError as error:
            if "no such" in str(error):
                return found, complete  # an older schema without this table or column: nothing lost
            complete = False
        except sqlite3.DatabaseError:
            complete = False
        if after is None or not isinstance(after[0], int):
            return found, complete
        # Composite keys: the next petition. A single key: ever longer strides over the damaged pages.
        after = (after[0] + 1, *(-(2**63),) * (keys - 1)) if keys > 1 else (after[0] + (1 << min(attempt, 40)),)
    return found, complete


# --------------------------------------------------------------------------------- file checks


def _prepare_folder(folder: Path, *, create: bool) -> None:
    """The data folder: a clear word when a file is in the way; created private, kept private."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            if not candidate.is_dir():
                raise StoreError(f"Cannot use {folder} as the data folder: {candidate} is a file, not a folder.")
            break
    if create:
        try:
            folder.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the data folder {folder}: {error.strerror or error}") from error
    if folder.is_dir() and _owned_and_plain(folder):
        _tighten(folder, _FOLDER_MODE)


def _owned_and_plain(folder: Path) -> bool:
    """Only the user's own folder is tightened: never a shared one such as /tmp or their home."""
    info = folder.stat()
    shared = info.st_mode & 0o1000 or folder.resolve() in (Path.home().resolve(), Path(folder.anchor))
    return hasattr(os, "geteuid") and info.st_uid == os.geteuid() and not shared


def _tighten(path: Path, mode: int) -> None:
    """Remove group and other permissions; a file we may not change is left as it is."""
    try:
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)
    except OSError as error:
        log.info("could not make %s private: %s", path, error)


def _make_private(path: Path) -> None:
    """The database 0600 before SQLite opens it: its -wal and -shm files take the same mode."""
    if not path.exists():
        _create_private(path)
    for each in (path, *(path.with_name(path.name + side) for side in _SIDE_FILES)):
        if each.exists():
            _tighten(each, _FILE_MODE)


def _create_private(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, _FILE_MODE))
    except OSError as error:
        raise StoreError(f"Cannot create {path}: {error.strerror or error}") from error


def _read_only_part(path: Path) -> Path | None:
    """The folder or file that keeps PetitionDesk from writing `path` (SQLite also needs the folder
    for its -wal and -shm files), or None."""
    for each in (path.parent, path):
        if each.exists() and not os.access(each, os.W_OK):
            return each
    return None




def _refuse_if_not_sqlite(path: Path, readonly: bool) -> None:
    """Look at the raw header before SQLite does, so that a stranger's file is never touched."""
    try:
        if not path.exists():
            if readonly:
                raise StoreError(f"There is no PetitionDesk database at {path}.")
            return
        if path.is_dir():
            raise StoreError(f"Cannot use {path}: it is a folder, not a database file.")
        size = path.stat().st_size
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise StoreError(f"Cannot use {path}: {error.strerror or error}") from error
    if size == 0:
        return
    if not header.startswith(_SQLITE_MAGIC):
        raise StoreError(f"{path} is not a PetitionDesk database (it is not an SQLite file); it was left untouched.")
    if len(header) < 100 or _looks_truncated(path, header, size):
        raise StoreError(f"{path} is damaged (the file is truncated); it was left untouched. {REPAIR_HINT}")


def _looks_truncated(path: Path, header: bytes, size: int) -> bool:
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return True
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False  # a checkpoint may have been cut short; SQLite recovers from the WAL itself
    header_pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]
    return size % page_size != 0 or (header_valid and header_pages * page_size > size)


def _refuse_if_foreign_or_newer(path: Path, readonly: bool) -> None:
    """Read the identity through a read-only connection: nothing is written before it passes."""
    try:
        probe = _connect_readonly(path)
    except sqlite3.Error as error:
        raise StoreError(_describe_sqlite_error(error, path)) from error
    try:
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        app_id = probe.execute("PRAGMA application_id").fetchone()[0]
        has_tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    except sqlite3.Error as error:
        raise StoreError(_describe_sqlite_error(error, path) + " It was left untouched.") from error
    finally:
        probe.close()
    _check_identity(path, version, app_id, has_tables)


def _check_identity(path: Path, version: int, app_id: int, has_tables: bool) -> None:
    if app_id == 0 and version == 0 and not has_tables:
        return  # an empty database: ours to set up
    if app_id != APPLICATION_ID:
        raise StoreError(
            f"{path} is not a PetitionDesk database (it belongs to another application); it was left untouched."
        )
    if version > Store.SCHEMA_VERSION:
        raise StoreError(
            f"{path} was made by a newer PetitionDesk (schema {version}; this one reads up to "
            f"{Store.SCHEMA_VERSION}). Update PetitionDesk to open it."
        )


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            return _connect_readonly(path)
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(_describe_sqlite_error(error, path)) from error


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """mode=ro; in a read-only folder where SQLite cannot make the -shm file, the file as it is.

    `immutable` reads without locks or the WAL, which is right only where nobody can write: a
    read-only folder with no -wal file (a -wal file there means mode=ro worked, it needs no -shm).
    """
    uri = path.resolve().as_uri()
    connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA user_version").fetchone()  # SQLite opens the file on first use
        return connection
    except sqlite3.OperationalError:
        connection.close()
        if _read_only_part(path) is None or path.with_name(path.name + "-wal").exists():
            raise
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)


# ------------------------------------------------------------------------------------- helpers


def _petition_id(value: SupportsIndex | int) -> int:
    """Ids may arrive as numpy integers, which sqlite3 cannot bind."""
    return int(value)


def _comparison_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise StoreError("A saved comparison needs a name.")
    return name[:200]


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _parse_stored(petition_id: int, blob: bytes, *, breakdowns: bool = True) -> Petition | None:
    from petitiondesk.core.parse import parse_petition_document  # written alongside; imported when needed

    try:
        return parse_petition_document(zlib.decompress(blob), breakdowns=breakdowns)
    except Exception as error:  # a stored document that no longer parses is as good as absent
        log.warning("stored document of petition %s no longer parses: %s", petition_id, error)
        return None


def _pack_counts(counts: Mapping[str, int]) -> bytes:
    ordered = {str(code): int(counts[code]) for code in sorted(counts)}
    return zlib.compress(json.dumps(ordered, separators=(",", ":")).encode(), 9)


def _unpack_counts(blob: bytes) -> dict[str, int] | None:
    try:
        data = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {str(code): int(count) for code, count in data.items() if isinstance(count, int)}


def _backup_failed(target: Path, error: OSError) -> StoreError:
    reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    return StoreError(f"Cannot back up to {target}: {reason}. No backup was written.")
