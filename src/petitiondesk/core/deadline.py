"""A total deadline for each request, and a way to abort it from another thread.

httpx's timeouts bound each read, so a server that drips a byte every few seconds can hold a
request for ever. Here every socket read, write, connect and TLS handshake of a client is given
at most the time left before its request's deadline, and `RequestGate.abort()` shuts the sockets
down under a blocked read, which then returns at once. The gate reaches the sockets through an
httpcore network backend (`GatedBackend`), httpcore's own extension point.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore

#: The most one request (its retries included) may take, in seconds.
REQUEST_DEADLINE = 30.0


class Aborted(httpcore.ReadError):
    """The request was aborted from another thread (quitting, Ctrl+C)."""


class RequestGate:
    """The deadline of the request in progress and the abort switch of one client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadline = float("inf")
        self._sockets: set[socket.socket] = set()
        self.aborted = threading.Event()

    def start(self, seconds: float) -> None:
        """Start the clock of the request in progress; its retries and redirect share it."""
        if self._deadline == float("inf"):
            self._deadline = time.monotonic() + seconds

    def finish(self) -> None:
        self._deadline = float("inf")

    def expired(self) -> bool:
        return time.monotonic() >= self._deadline

    def allowance(self, timeout: float | None, late: type[Exception]) -> float | None:
        """`timeout` cut to the time left; raises `late` past the deadline, `Aborted` after an abort."""
        if self.aborted.is_set():
            raise Aborted("the request was stopped")
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise late("the request's deadline has passed")
        if left == float("inf"):
            return timeout
        return left if timeout is None else min(timeout, left)

    def abort(self) -> None:
        """Stop for good: blocked reads return now, and no request starts after this."""
        self.aborted.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:  # the plain socket's shutdown, also under TLS: it wakes a blocked recv at once
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def _track(self, stream: httpcore.NetworkStream) -> socket.socket | None:
        sock = stream.get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return None
        with self._lock:
            self._sockets.add(sock)
        if self.aborted.is_set():
            self.abort()
        return sock

    def _forget(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._sockets.discard(sock)


class _GatedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, gate: RequestGate) -> None:
        self._inner = inner
        self._gate = gate
        self._socket = gate._track(inner)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._gate.allowance(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._gate.allowance(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._gate._forget(self._socket)
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        allowance = self._gate.allowance(timeout, httpcore.ConnectTimeout)
        self._gate._forget(self._socket)
        return _GatedStream(self._inner.start_tls(ssl_context, server_hostname, allowance), self._gate)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GatedBackend(httpcore.NetworkBackend):
    """httpcore's blocking backend, with every operation held to the gate's deadline and abort."""

    def __init__(self, gate: RequestGate) -> None:
        self._gate = gate
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        allowance = self._gate.allowance(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, allowance, local_address, socket_options)
        return _GatedStream(stream, self._gate)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        allowance = self._gate.allowance(timeout, httpcore.ConnectTimeout)
        return _GatedStream(self._inner.connect_unix_socket(path, allowance, socket_options), self._gate)

    def sleep(self, seconds: float) -> None:
        self._gate.aborted.wait(seconds)


def route_through(client: Any, backend: httpcore.NetworkBackend) -> bool:
    """Make every connection pool of an `httpx.Client` (direct, and each proxy's) use `backend`.

    httpx builds its pools itself (proxies from the environment included) and offers no public
    way to pass a network backend down, so this sets the pools' own attribute. False when the
    client has no such pool (a test's mock transport): that client never touches a socket."""
    transports = [client._transport, *client._mounts.values()]
    routed = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = backend
            routed = True
    return routed
