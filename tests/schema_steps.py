"""A store file rolled back to an older schema version, for tests of one migration step.

Dropping "the table the step adds" and setting the version one lower only works while that step is
the last one; this drops every table the later steps added, whatever they are.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from petitiondesk.core.store import _MIGRATIONS


def leave_as_of(path: Path, version: int) -> None:
    """The file as schema `version` left it: later steps' tables and history rows gone, its version set back."""
    old = sqlite3.connect(":memory:")
    for step in _MIGRATIONS[:version]:
        step(old)
    kept = {name for (name,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    old.close()
    raw = sqlite3.connect(path, isolation_level=None)
    tables = [name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in tables:
        if name not in kept and not name.startswith("sqlite_"):  # SQLite's own, e.g. sqlite_sequence
            raw.execute(f'DROP TABLE "{name}"')
    if "schema_history" in kept:
        raw.execute("DELETE FROM schema_history WHERE version > ?", (version,))
    raw.execute(f"PRAGMA user_version = {version}")
    raw.close()
