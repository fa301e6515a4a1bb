"""The local store: one SQLite file in the data folder.

It keeps the watchlist, the latest full document of each petition (raw, compressed), the refresh
engine's fetch state, signature samples, constituency snapshots and the app's settings.

Threads: one `Store` (one connection) per thread. WAL mode lets the GUI thread read while the
worker writes. Every write runs in one transaction; `transaction()` groups several.

Safety: the file carries our `application_id` and its schema version in `user_version`. A file
that is not ours, is damaged, or was made by a newer release is refused with a `StoreError` and is
never written to. Later releases append steps to `_MIGRATIONS`.
"""

from __future__ import annotations

import errno
import functools
import itertools
import json
import logging
import os
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from petitiondesk.core.models import Petition

log = logging.getLogger(__name__)

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

# Each entry migrates the schema from version i to i + 1, inside one transaction.
_MIGRATIONS: list[tuple[str, ...]] = [
    (
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
    ),
]


def _ever_pinned_migration() -> tuple[str, ...]:
    """Schema 2: remember every petition ever pinned, so that forgetting the history of petitions
    recorded only by the whole-site recorder never touches one the user once watched."""
    return (
        """CREATE TABLE ever_pinned (
            petition_id INTEGER PRIMARY KEY,
            first_pinned_at REAL NOT NULL)""",
        "INSERT OR IGNORE INTO ever_pinned (petition_id, first_pinned_at) SELECT petition_id, pinned_at FROM watchlist",
    )


_MIGRATIONS.append(_ever_pinned_migration())


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
        return f"{path} is damaged ({text}). Move it aside to start afresh."
    if "unable to open" in lowered:
        return f"Cannot open {path}: check that the folder exists and is writable."
    return f"Database error in {path}: {text}"


def _translating_errors(method):
    """Turn sqlite and OS failures into a StoreError with a clear message."""

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.ProgrammingError:
            raise  # a bug in the caller (e.g. a closed store), not a user's problem
        except sqlite3.Error as error:
            raise StoreError(_describe_sqlite_error(error, self.path)) from error
        except OSError as error:
            raise StoreError(f"Cannot use {self.path}: {error.strerror or error}") from error

    return wrapper


class Store:
    SCHEMA_VERSION: int = len(_MIGRATIONS)

    def __init__(self, connection: sqlite3.Connection, path: Path, readonly: bool) -> None:
        """Use `Store.open`; this only wraps a connection that has been checked."""
        self._db = connection
        self.path = path
        self.readonly = readonly
        self._depth = 0
        # Parsed documents by id, with the (fetched_at, stored size) they came from: parsing costs
        # far more than reading those two columns, and a replaced document changes them.
        self._parsed: dict[int, tuple[tuple[float, int], Petition | None]] = {}

    # ----------------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> Store:
        """Open (creating the folder and file if missing, unless read-only) and migrate."""
        path = Path(path)
        _refuse_if_not_sqlite(path, readonly)
        if path.exists() and path.stat().st_size > 0:
            _refuse_if_foreign_or_newer(path, readonly)
        connection = _connect(path, readonly)
        store = cls(connection, path, readonly)
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
        if self._identity()[0] == self.SCHEMA_VERSION:
            return  # up to date: take no write lock, so opening never waits for a busy writer
        for step, statements in enumerate(_MIGRATIONS):
            with self.transaction():
                # Re-read inside the lock: another process may have migrated meanwhile.
                version, app_id, has_tables = self._identity()
                _check_identity(self.path, version, app_id, has_tables)
                if version != step:
                    continue
                for statement in statements:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {step + 1}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ------------------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One BEGIN IMMEDIATE .. COMMIT; nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
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

    @_translating_errors
    def _run(self, function, *args):
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
    def save_document(self, petition_id: int, raw: bytes, fetched_at: float) -> None:
        """Keep the latest full document as fetched (compressed); it is parsed again on read."""
        petition_id = _petition_id(petition_id)
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO documents (petition_id, fetched_at, raw) VALUES (?, ?, ?)",
                (petition_id, float(fetched_at), zlib.compress(bytes(raw), 6)),
            )
        self._parsed.pop(petition_id, None)

    def petition(self, petition_id: int) -> Petition | None:
        """The latest stored document parsed, or None if there is none or it no longer parses."""
        return self.petitions([petition_id]).get(petition_id)

    @_translating_errors
    def petitions(self, ids: Iterable[int]) -> dict[int, Petition]:
        """The stored petitions among `ids`; missing or unreadable ones are left out."""
        wanted = list(dict.fromkeys(_petition_id(i) for i in ids))
        found: dict[int, Petition] = {}
        stale: list[int] = []
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT petition_id, fetched_at, length(raw) FROM documents WHERE petition_id IN ({marks})", chunk
            )
            for petition_id, fetched_at, size in rows:
                cached = self._parsed.get(petition_id)
                if cached is not None and cached[0] == (fetched_at, size):
                    if cached[1] is not None:
                        found[petition_id] = cached[1]
                else:
                    stale.append(petition_id)
        for chunk in _chunks(stale, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT petition_id, fetched_at, raw FROM documents WHERE petition_id IN ({marks})", chunk
            )
            for petition_id, fetched_at, blob in rows.fetchall():
                petition = _parse_stored(petition_id, blob)
                self._parsed[petition_id] = ((fetched_at, len(blob)), petition)
                if petition is not None:
                    found[petition_id] = petition
        return found

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
        start = -(2**63)
        if since is not None:
            in_force = self._db.execute(
                "SELECT max(t) FROM samples WHERE petition_id = ? AND t <= ?", (petition_id, float(since))
            ).fetchone()[0]
            start = float(since) if in_force is None else in_force
        rows = self._db.execute(
            "SELECT t, count FROM samples WHERE petition_id = ? AND t >= ? ORDER BY t", (petition_id, start)
        )
        # Flattening the cursor straight into numpy avoids a list of tuples (about 25% faster).
        pairs = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64).reshape(-1, 2)
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
        return self._db.execute("SELECT count(*) FROM samples").fetchone()[0]

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

    # ---------------------------------------------------------------------------------- settings

    @_translating_errors
    def setting(self, key: str, default=None):
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
    def set_setting(self, key: str, value) -> None:
        """Store any JSON-serialisable value (TypeError otherwise)."""
        text = json.dumps(value)
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, text))

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


# --------------------------------------------------------------------------------- file checks


def _refuse_if_not_sqlite(path: Path, readonly: bool) -> None:
    """Look at the raw header before SQLite does, so that a stranger's file is never touched."""
    try:
        if not path.exists():
            if readonly:
                raise StoreError(f"There is no PetitionDesk database at {path}.")
            path.parent.mkdir(parents=True, exist_ok=True)
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
        raise StoreError(f"{path} is damaged (the file is truncated); it was left untouched. Move it aside to start afresh.")


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
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
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
            return sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(_describe_sqlite_error(error, path)) from error


# ------------------------------------------------------------------------------------- helpers


def _petition_id(value) -> int:
    """Ids may arrive as numpy integers, which sqlite3 cannot bind."""
    return int(value)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _parse_stored(petition_id: int, blob: bytes) -> Petition | None:
    from petitiondesk.core.parse import parse_petition_document  # written alongside; imported when needed

    try:
        return parse_petition_document(zlib.decompress(blob))
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
