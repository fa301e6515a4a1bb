"""Small loopback servers that answer like a broken or malicious petition.parliament.uk, for the soak.

`HostileSite(documents)` serves `/petitions/ID.json` (and `/petitions/ID/count.json`) for each
scenario's petition number: a gzip bomb, an endless body, a redirect loop, a document for another
petition, impossible counts, 5,000 constituencies, markup and escape sequences in every text field.
(The server that drips a byte every few seconds is tests/slow_servers.py's.) Standard library only;
127.0.0.1 only.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: Appended to every text field of the "escapes" document: markup, a local file, terminal escapes.
HOSTILE_TEXT = ("<b>bold</b><a href='https://evil.example'>link</a><img src='file:///etc/passwd'>"
                "\x1b[2K\x1b[1A\x1b]0;pwned\x07\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\x07\u202e")
#: How long an endless body goes on at most (the client should give up long before).
ENDLESS_SECONDS = 120
_PATH = re.compile(r"^/(?:archived/)?petitions/(\d+)(/count)?\.json")


#: The fields people read: the title, texts, the response, the debate, names of places, MPs, departments.
TEXT_KEYS = frozenset({"action", "background", "additional_details", "committee_note", "creator_name", "summary",
                       "details", "overview", "body", "name", "mp", "acronym"})


def _poison_texts(node, key: str | None = None):
    if isinstance(node, dict):
        return {name: _poison_texts(value, name) for name, value in node.items()}
    if isinstance(node, list):
        return [_poison_texts(value, key) for value in node]
    return node + HOSTILE_TEXT if isinstance(node, str) and key in TEXT_KEYS else node


def _set_counts(document: dict, count: int) -> dict:
    attributes = document["data"]["attributes"]
    attributes["signature_count"] = count
    for key in ("signatures_by_constituency", "signatures_by_country", "signatures_by_region"):
        for entry in attributes.get(key) or []:
            entry["signature_count"] = count
    return document


def _many_constituencies(document: dict, how_many: int) -> dict:
    attributes = document["data"]["attributes"]
    attributes["signatures_by_constituency"] = [
        {"name": f"Seat {n}", "ons_code": f"E{14000000 + n}", "mp": f"MP {n}", "signature_count": n}
        for n in range(how_many)]
    return document


def hostile_documents(base: dict, base_id: int) -> dict[str, Callable[[int], dict]]:
    """Scenario name -> a function from the requested petition number to the document served."""

    def as_petition(document: dict, petition_id: int) -> dict:
        document = copy.deepcopy(document)
        document["data"]["id"] = petition_id
        document["links"] = {"self": f"https://petition.parliament.uk/petitions/{petition_id}.json"}
        return document

    return {
        "wrong petition": lambda pid: as_petition(base, base_id if base_id != pid else pid + 1),
        "negative counts": lambda pid: _set_counts(as_petition(base, pid), -5),
        "huge counts": lambda pid: _set_counts(as_petition(base, pid), 10**30),
        "5,000 constituencies": lambda pid: _many_constituencies(as_petition(base, pid), 5000),
        "markup and escapes": lambda pid: _poison_texts(as_petition(base, pid)),
    }


def _gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MB of spaces, gzipped to about a thousandth of that (built without holding them)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip format
    megabyte = b" " * 1_000_000
    return b"".join([*(packer.compress(megabyte) for _ in range(megabytes)), packer.flush()])


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client hanging up on an endless body or a bomb is what the soak expects


class HostileSite:
    """One server, one petition number per scenario: `url`, `ids[scenario]`."""

    RAW_SCENARIOS = ("gzip bomb", "endless body", "redirect loop")

    def __init__(self, base_document: dict, first_id: int = 900001) -> None:
        base_id = int(base_document["data"]["id"])
        self._documents = hostile_documents(base_document, base_id)
        names = [*self.RAW_SCENARIOS, *self._documents]
        self.ids = {name: first_id + n for n, name in enumerate(names)}
        self._by_id = {pid: name for name, pid in self.ids.items()}
        self._bomb = _gzip_bomb(200)
        self.stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile-site", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> HostileSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                match = _PATH.match(self.path)
                name = site._by_id.get(int(match.group(1))) if match else None
                if name is None:
                    self._send(404, b'{"error": "not found"}')
                elif name == "gzip bomb":
                    self._send(200, site._bomb, {"Content-Encoding": "gzip"})
                elif name == "endless body":
                    self._endless()
                elif name == "redirect loop":
                    self._send(302, b"", {"Location": self.path})
                else:
                    self._send(200, json.dumps(site._documents[name](int(match.group(1)))).encode())

            def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _endless(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b" " * 65536
                frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                stop_at = time.monotonic() + ENDLESS_SECONDS
                try:
                    self.wfile.write(b'{"data": ')
                    while time.monotonic() < stop_at and not site.stopping.is_set():
                        self.wfile.write(frame)
                except OSError:
                    pass  # the client gave up: what we want
                self.close_connection = True

        return Handler
