"""The skeleton every background service of the window shares: a thread, its worker, stopping.

A service is two objects (docs/ARCHITECTURE.md, threads). The `ServiceWorker` lives in the service's thread:
only the service creates it, its slots run there, and only its signals leave. The
`BackgroundService` lives in the GUI thread: the window talks only to it, it sends requests with
queued signals and re-emits the worker's results there.

The thread is a plain Python thread that runs a Qt event loop, so Python knows it by name and
nothing needs to be tidied up in `threading` when it ends. Stopping comes in two halves, so
that quitting stops every service before waiting for any: `stop()` sets the stop flag, aborts
the requests in flight (their sockets are shut under them, see core/deadline.py) and ends the
event loop, without waiting; `wait()` then waits for the thread. `stop_all()` does both for
several services, waiting in parallel. The thread is a daemon, so that a thread still stuck
(connecting to an unreachable host can take the system's connect timeout) never holds the
process open after the window has gone; nothing half-written is left by that, as every write
to the store is one transaction and requests happen outside them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal

from petitiondesk.core.scheduler import POLITE_INTERVAL, RequestScheduler

if TYPE_CHECKING:  # httpx is imported by the client, in the service's thread, off the start-up path
    from petitiondesk.core.client import PetitionsClient

log = logging.getLogger(__name__)

#: How long quitting waits, in all, for the services to end once their requests are aborted:
#: the process must be gone within a second however slow the site is.
QUIT_WAIT_S = 0.8
#: How long `shutdown()` waits when asked directly (tests, the demo's teardown).
SHUTDOWN_WAIT_S = 10.0


def describe_error(error: BaseException) -> str:
    """One line for a user; StoreError and friends already carry one."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def shared_scheduler(interval: float | None) -> RequestScheduler:
    """A scheduler for services that share one pace with the site (None: the polite default)."""
    return RequestScheduler(POLITE_INTERVAL if interval is None else interval)


class Generation:
    """A number the GUI thread bumps or sets and the worker reads (under a lock, not by GIL luck):
    which request the GUI still wants. Anything tagged with another number is stale."""

    def __init__(self, value: int = 0) -> None:
        self._lock = threading.Lock()
        self._value = value

    def bump(self) -> int:
        with self._lock:
            self._value += 1
            return self._value

    def set(self, value: int) -> None:
        with self._lock:
            self._value = value

    @property
    def value(self) -> int:
        with self._lock:
            return self._value


class ServiceWorker(QObject):
    """Base of the objects living in a service's thread: the stop flag and the clients to abort."""

    def __init__(self) -> None:
        super().__init__()
        self.stop_flag = threading.Event()
        self._clients: list[PetitionsClient] = []
        self._clients_lock = threading.Lock()

    def stopping(self) -> bool:
        return self.stop_flag.is_set()

    def new_client(self, api_base: str, scheduler: RequestScheduler | None, transport: Any = None) -> PetitionsClient:
        """A client in this thread, taking its turns from the shared scheduler, aborted by `stop()`."""
        from petitiondesk.core.client import PetitionsClient

        client = PetitionsClient(api_base, transport=transport, scheduler=scheduler)
        client.should_stop = self.stop_flag.is_set
        with self._clients_lock:
            self._clients.append(client)
        if self.stop_flag.is_set():
            client.abort()
        return client

    def abort_requests(self) -> None:
        """From the GUI thread: end every request in flight now."""
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            client.abort()

    def release(self) -> None:
        """In the service's thread, after its loop has ended: close what the subclass opened."""

    def finish(self) -> None:
        self.release()
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            try:
                client.close()
            except Exception:
                log.exception("closing a client failed")


class BackgroundService(QObject):
    """The GUI thread's handle on one worker thread: start, stop without waiting, wait."""

    _quit_requested = Signal()

    def __init__(self, name: str, worker: ServiceWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._worker = worker
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def is_stopped(self) -> bool:
        return self._stopped

    def start(self) -> bool:
        """Start the thread (once); True when it runs and the worker lives there."""
        if self._thread is not None or self._stopped:
            return self.is_running
        ready = threading.Event()
        home: list[QThread] = []
        self._thread = threading.Thread(target=self._run, args=(ready, home), name=self._name, daemon=True)
        self._thread.start()
        ready.wait()
        if not home:  # the thread could not set up its event loop (logged there)
            return False
        self._worker.moveToThread(home[0])
        return True

    def stop(self) -> None:
        """Stop without waiting: no new work, requests in flight aborted, the thread's loop ends."""
        self._stopped = True
        self._worker.stop_flag.set()
        self._worker.abort_requests()
        self._quit_requested.emit()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True once it has (or never started)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def shutdown(self, timeout: float = SHUTDOWN_WAIT_S) -> bool:
        """`stop()` then `wait()`; True once the thread has ended."""
        return stop_all([self], timeout)

    def _run(self, ready: threading.Event, home: list[QThread]) -> None:
        try:
            loop = QEventLoop()
            self._quit_requested.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
            home.append(QThread.currentThread())
        except Exception:
            log.exception("the %s thread could not start", self._name)
            return
        finally:
            ready.set()  # start() never waits for ever
        if not self._stopped:
            loop.exec()
        worker = self._worker
        try:
            worker.finish()
        except Exception:
            log.exception("the %s thread did not close cleanly", self._name)
        # Hand the worker back to the GUI thread, which deletes it: this thread's loop is over.
        application = QCoreApplication.instance()
        if application is not None:
            worker.moveToThread(application.thread())


def stop_all(services: Iterable[BackgroundService], timeout: float = QUIT_WAIT_S) -> bool:
    """Stop every service first, then wait for them together, `timeout` seconds in all."""
    services = list(services)
    for service in services:
        service.stop()
    deadline = time.monotonic() + timeout
    ended = True
    for service in services:
        if not service.wait(max(0.0, deadline - time.monotonic())):
            log.error("the %s thread was still busy when PetitionDesk quit", service._name)
            ended = False
    return ended
