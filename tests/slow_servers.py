"""Real local socket servers that misbehave slowly: one that never answers, one that drips.

They run on 127.0.0.1 in a thread of the test process (or, with `python tests/slow_servers.py
hang`, as a process of their own that prints its address). Each connection gets a thread; `stop()`
closes everything so that no test leaves a thread behind.
"""

from __future__ import annotations

import socket
import sys
import threading
import time

COUNT_BODY = b'{"signature_count": 5}'


def _response(body: bytes = COUNT_BODY) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class SlowServer:
    """`mode`: "hang" reads the request and never answers; "drip" sends its answer one byte every
    `every` seconds, from the first byte of the status line; "drip-body" sends the headers at once
    and drips the body."""

    def __init__(self, mode: str, every: float = 5.0) -> None:
        self.mode = mode
        self.every = every
        self.connections = 0
        self.requests: list[str] = []  # the request line of each connection, e.g. "GET /petitions/1.json HTTP/1.1"
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, name=f"slow-server-{mode}", daemon=True)]

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SlowServer:
        self._threads[0].start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        for sock in [self._listener, *self._sockets]:
            try:
                sock.close()
            except OSError:
                pass
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._sockets.append(conn)
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = conn.recv(65536)
            self.requests.append(request.split(b"\r\n", 1)[0].decode("latin-1"))
            answer = _response()
            if self.mode == "hang":
                self._stopped.wait()
                return
            split = answer.index(b"\r\n\r\n") + 4 if self.mode == "drip-body" else 0
            conn.sendall(answer[:split])
            for byte in answer[split:]:
                if self._stopped.wait(self.every):
                    return
                conn.sendall(bytes([byte]))
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":  # a server in a process of its own, for tests that run the app in one
    with SlowServer(sys.argv[1] if len(sys.argv) > 1 else "hang") as server:
        print(server.url, flush=True)
        while True:
            time.sleep(3600)
