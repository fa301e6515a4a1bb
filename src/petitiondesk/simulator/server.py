"""The HTTP side of the simulator: a stdlib ThreadingHTTPServer, faults, and prompt shutdown."""

from __future__ import annotations

import json
import random
import select
import socket
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from petitiondesk.simulator.faults import Fault, FaultPlan
from petitiondesk.simulator.site import Reply, Site, error_reply, html_reply
from petitiondesk.simulator.world import World

NO_RESPONSE = 0  # status logged for dropped or hung connections


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address, simulator: SimulatorServer) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        """Clients hanging up mid-reply are normal here (faults, timeouts): stay quiet."""

    def drop_all_connections(self) -> None:
        """Wake handler threads blocked reading a kept-alive connection."""
        with self.connections_lock:
            for connection in list(self.connections):
                _shutdown(connection)


def _shutdown(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real site behind its CDN
    disable_nagle_algorithm = True  # else small replies wait ~40 ms for a delayed ACK
    wbufsize = -1  # headers and body leave in one write; handle_one_request flushes
    server_version = "PetitionDeskSimulator/1"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)
        if self.server.simulator.stopping.is_set():
            _shutdown(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format, *args) -> None:
        pass

    def date_time_string(self, timestamp=None) -> str:
        """`Date` in simulated time, so that it agrees with `Last-Modified`."""
        return format_datetime(self.server.simulator.world.now(), usegmt=True)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        simulator = self.server.simulator
        fault = simulator.faults.pick(self.path)
        delay = simulator.faults.latency
        if fault and fault.kind == "latency":
            delay += float(fault.params.get("seconds", 0.5))
        if delay and simulator.stopping.wait(delay):
            return self._hang_up()
        if fault and fault.kind == "timeout":
            simulator.log(self.command, self.path, NO_RESPONSE)  # now: tests look before it ends
            self._hang(float(fault.params.get("seconds", 600)))
            return self._hang_up(log=False)
        if fault and fault.kind == "drop":
            return self._hang_up()
        try:
            assert simulator.site is not None  # set before the server thread starts
            reply = _faulty_reply(fault, simulator.site, self.path, self.headers)
        except Exception as error:  # a simulator bug must show as a 500, not kill the connection
            reply = error_reply(500)
            reply.headers["X-Simulator-Error"] = type(error).__name__
        if fault and fault.kind == "truncated" and fault.params.get("incomplete"):
            return self._send_incomplete(reply)
        self._send(reply, send_body)

    def _send(self, reply: Reply, send_body: bool) -> None:
        self.server.simulator.log(self.command, self.path, reply.status)  # before the client can see it
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 304:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if send_body and reply.status != 304:
            self.wfile.write(reply.body)

    def _send_incomplete(self, reply: Reply) -> None:
        """Promise more body than is sent, then close: a short read on the client."""
        self.server.simulator.log(self.command, self.path, reply.status)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body) * 2 + 10))
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()
        self.close_connection = True
        _shutdown(self.connection)

    def _hang(self, seconds: float) -> None:
        """Say nothing until the client gives up, the server stops, or `seconds` pass."""
        deadline = time.monotonic() + seconds
        stopping = self.server.simulator.stopping
        while not stopping.wait(0.05) and time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return  # the client closed its end
                except OSError:
                    return

    def _hang_up(self, log: bool = True) -> None:
        if log:
            self.server.simulator.log(self.command, self.path, NO_RESPONSE)
        self.close_connection = True
        _shutdown(self.connection)


def _faulty_reply(fault: Fault | None, site: Site, path: str, headers) -> Reply:
    """The site's reply, or what a failing server, proxy or CDN sends instead."""
    if fault is None or fault.kind in ("latency", "timeout", "drop"):
        return site.handle(path, headers)
    kind, params = fault.kind, fault.params
    if kind in ("403", "404", "410", "500"):
        return error_reply(int(kind))
    if kind in ("429", "503"):
        return error_reply(int(kind), headers={"Retry-After": str(params.get("retry_after", 5))})
    if kind == "html":
        status = int(params.get("status", 500))
        return html_reply(status, "We're sorry, but something went wrong", "<p>Please try again later.</p>")
    reply = site.handle(path, headers)
    if not reply.is_json or reply.status != 200:
        return reply
    if kind == "truncated":
        keep = float(params.get("keep", 0.5))
        reply.body = reply.body[: max(1, int(len(reply.body) * keep))]
    elif kind == "malformed":
        reply.body = b"<<not JSON: upstream sent garbage>> {\"data\": [1, 2,,}"
    elif kind == "drift":
        document = json.loads(reply.body)
        _drift(document, random.Random(path))
        reply.body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return reply


OPTIONAL_KEYS = ("committee_note", "closing_date", "departments", "topics", "debate_scheduled_on",
                 "creator_name", "signatures_by_region", "other_parliamentary_business")


def _drift(node, rng: random.Random) -> None:
    """Schema drift in place: unknown keys everywhere, some optional keys gone, `open_at`."""
    if isinstance(node, list):
        for item in node:
            _drift(item, rng)
        return
    if not isinstance(node, dict):
        return
    for value in list(node.values()):
        _drift(value, rng)
    node["x_simulator_unknown"] = {"note": "a key no client knows", "n": rng.randint(1, 9)}
    if "debated" in node and "signature_count" in node:  # count.json before 2025-08: the count alone
        for key in [key for key in node if key not in ("signature_count", "x_simulator_unknown")]:
            node.pop(key)
    if "opened_at" in node:
        node["open_at"] = node.pop("opened_at")
        for key in OPTIONAL_KEYS:
            node.pop(key, None)


class SimulatorServer:
    """A local petition.parliament.uk on a loopback port, for tests, benches and `--demo`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 60.0,
        seed: int = 1,
        hexmap: Path | None = None,
        faults: str | FaultPlan | None = None,
        open_count: int = 400,
        archived_count: int = 300,
        world: World | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.world = world or World(seed=seed, speed=speed, hexmap=hexmap, open_count=open_count,
                                    archived_count=archived_count)
        self.faults = FaultPlan.from_spec(faults, seed)
        self.request_log: list[tuple[str, str, int]] = []
        self.stopping = threading.Event()
        self._log_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.site: Site | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the simulator is not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> SimulatorServer:
        """Bind and serve in a background thread; returns once the socket is listening."""
        if self._httpd is not None:
            raise RuntimeError("the simulator is already running")
        self.stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self.site = Site(self.world, self.url)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"petition-simulator:{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly, even with hung requests and kept-alive connections, and join every thread."""
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.drop_all_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def log(self, method: str, path: str, status: int) -> None:
        with self._log_lock:
            self.request_log.append((method, path, status))

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


__all__ = ["NO_RESPONSE", "SimulatorServer"]
