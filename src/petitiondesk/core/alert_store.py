"""The alerts' memory in the store: which alerts fired (so each fires once) and the alerts list.

One table. A row per (petition, key) that ever held: `INSERT OR IGNORE` on that pair is the
fire-once guarantee, atomic across threads and processes (the window and `record` share the file).
Conditions that held when a petition was pinned are kept as `silent` rows, never shown; an alert
the user clears stays as a `cleared` row, so clearing never lets it fire again.

The table is created by the store's migrations; get an `AlertStore` from `Store.alerts()`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from petitiondesk.core.alerts import Alert, Kind
from petitiondesk.core.store import _translating_errors

_COLUMNS = "id, petition_id, key, kind, title, message, happened_at, detected_at, status, away"
_HEARTBEAT = "active_at"


class Status(StrEnum):
    SILENT = "silent"  # held when the petition was pinned: remembered, never shown
    UNREAD = "unread"
    READ = "read"
    CLEARED = "cleared"  # removed from the list by the user; still remembered


@dataclass(frozen=True)
class StoredAlert:
    id: int
    alert: Alert
    detected_at: float
    status: Status
    away: bool  # found in the first pass after nothing was running

    @property
    def unread(self) -> bool:
        return self.status is Status.UNREAD


def baseline_key(pinned_at: float) -> str:
    """The silent row that says "the conditions holding at this pin were remembered"."""
    return f"baseline:{pinned_at!r}"


class AlertStore:
    def __init__(self, db: sqlite3.Connection, path: Path,
                 transaction: Callable[[], AbstractContextManager[None]]) -> None:
        """Use `Store.alerts()`: `transaction` is the store's, so that calls join an outer one."""
        self._db = db
        self.path = path  # for error messages
        self._transaction = transaction

    # ----------------------------------------------------------------------------------- writing

    @_translating_errors
    def record(self, alerts: Iterable[Alert], detected_at: float, *, away: bool = False) -> list[StoredAlert]:
        """Add the alerts not fired before as unread; returns those, in order (the rest are ignored)."""
        return self._insert(alerts, detected_at, Status.UNREAD, away)

    @_translating_errors
    def remember_silently(self, petition_id: int, pinned_at: float, alerts: Iterable[Alert], now: float) -> None:
        """The baseline at pinning: what holds now is remembered and never announced."""
        marker = Alert(petition_id, baseline_key(pinned_at), Kind.OTHER, "", "")
        with self._transaction():
            self._insert([*alerts, marker], now, Status.SILENT, False)

    def _insert(self, alerts: Iterable[Alert], detected_at: float, status: Status, away: bool) -> list[StoredAlert]:
        added: list[StoredAlert] = []
        with self._transaction():
            for alert in alerts:
                cursor = self._db.execute(
                    f"INSERT OR IGNORE INTO alerts ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (int(alert.petition_id), alert.key, str(alert.kind), alert.title, alert.message,
                     alert.happened_at, float(detected_at), str(status), int(away)),
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    added.append(StoredAlert(cursor.lastrowid, alert, float(detected_at), status, away))
        return added

    @_translating_errors
    def mark_read(self, ids: Iterable[int] | None = None) -> int:
        """Unread -> read, for `ids` or all; returns how many changed."""
        return self._set_status(Status.READ, (Status.UNREAD,), ids)

    @_translating_errors
    def clear(self, ids: Iterable[int] | None = None) -> int:
        """Take alerts off the list (they stay remembered, so they never fire again)."""
        return self._set_status(Status.CLEARED, (Status.UNREAD, Status.READ), ids)

    def _set_status(self, status: Status, from_statuses: tuple[Status, ...], ids: Iterable[int] | None) -> int:
        marks = ",".join("?" * len(from_statuses))
        sql = f"UPDATE alerts SET status = ? WHERE status IN ({marks})"
        with self._transaction():
            if ids is None:
                return self._db.execute(sql, (str(status), *map(str, from_statuses))).rowcount
            return sum(
                self._db.execute(sql + " AND id = ?", (str(status), *map(str, from_statuses), int(i))).rowcount
                for i in ids
            )

    @_translating_errors
    def touch(self, now: float) -> None:
        """Note that a poller was running at `now` (read back by `active_at`)."""
        self._db.execute("INSERT OR REPLACE INTO alert_state (name, value) VALUES (?, ?)", (_HEARTBEAT, float(now)))

    # ----------------------------------------------------------------------------------- reading

    @_translating_errors
    def has_baseline(self, petition_id: int, pinned_at: float) -> bool:
        row = self._db.execute("SELECT 1 FROM alerts WHERE petition_id = ? AND key = ?",
                               (int(petition_id), baseline_key(pinned_at))).fetchone()
        return row is not None

    @_translating_errors
    def listing(self, limit: int = 500) -> list[StoredAlert]:
        """The alerts list: unread and read, newest first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE status IN (?, ?) ORDER BY id DESC LIMIT ?",
            (str(Status.UNREAD), str(Status.READ), int(limit)),
        )
        return [_stored(row) for row in rows]

    @_translating_errors
    def after(self, last_id: int) -> list[StoredAlert]:
        """Alerts recorded after `last_id` (by any process) and still on the list, oldest first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE id > ? AND status IN (?, ?) ORDER BY id",
            (int(last_id), str(Status.UNREAD), str(Status.READ)),
        )
        return [_stored(row) for row in rows]

    @_translating_errors
    def last_id(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM alerts").fetchone()[0])

    @_translating_errors
    def unread_count(self) -> int:
        row = self._db.execute("SELECT count(*) FROM alerts WHERE status = ?", (str(Status.UNREAD),)).fetchone()
        return int(row[0])

    @_translating_errors
    def active_at(self) -> float | None:
        row = self._db.execute("SELECT value FROM alert_state WHERE name = ?", (_HEARTBEAT,)).fetchone()
        return None if row is None else float(row[0])


def _stored(row: tuple[Any, ...]) -> StoredAlert:
    alert_id, petition_id, key, kind_name, title, message, happened_at, detected_at, status, away = row
    try:
        kind = Kind(kind_name)
    except ValueError:  # written by a newer release
        kind = Kind.OTHER
    alert = Alert(petition_id, key, kind, title, message, happened_at)
    return StoredAlert(alert_id, alert, detected_at, Status(status), bool(away))
