"""One poller per data folder: an OS file lock beside the database.

The window and `petitiondesk record` may run on the same data folder. Whichever takes the lock
first polls the site; the other only reads the store (and may try again later, to take over when
the poller quits). The lock is the operating system's (flock on Unix, LockFileEx on Windows,
through `filelock`), so it is released when its process ends, even by a crash or `kill -9`.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "poller.lock"


class PollerLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        # Not thread-local: the thread that takes it may differ from the one that lets it go.
        # No soft fallback: a lock file that outlives a crash would stop polling for good.
        self._lock = FileLock(self.path, timeout=0, thread_local=False, fallback_to_soft=False)

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._lock.is_locked

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it, without waiting; True if held now.

        OSError if the folder cannot hold a lock file (missing, read-only).
        """
        if self.held:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self.held:
            self._lock.release(force=True)

    def __enter__(self) -> PollerLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
