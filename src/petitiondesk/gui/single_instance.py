"""One window per data folder: starting PetitionDesk again raises the running window and hands it
the petition links given on the command line.

The first instance listens on a local socket (QLocalServer: a Unix socket, or a named pipe on
Windows) named after the user and the data folder; a later one connects, sends one JSON line
`{"open": [...]}` and exits. A lock file around "connect, else listen" keeps two instances that
start at the same moment from both listening.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 1000
LOCK_TIMEOUT_MS = 3000
MAX_MESSAGE = 64 * 1024  # links for a few thousand petitions; anything longer is not ours


def server_name(data_dir: Path) -> str:
    """A name private to this user and data folder (the same folder is the same instance)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (rare): the folder alone still separates
        user = ""
    digest = hashlib.sha256(f"{user}\0{Path(data_dir).resolve()}".encode()).hexdigest()[:20]
    return f"petitiondesk-{digest}"


def encode_request(references: list[str]) -> bytes:
    return json.dumps({"open": [str(r) for r in references]}).encode() + b"\n"


def decode_request(data: bytes) -> list[str] | None:
    """The references in a request, or None if it is not one of ours."""
    if len(data) > MAX_MESSAGE:
        return None
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(message, dict) or not isinstance(message.get("open"), list):
        return None
    return [item for item in message["open"] if isinstance(item, str)]


class SingleInstance(QObject):
    """`claim()` once at start: True means this is the first instance (then `raise_requested`
    brings requests from later ones); False means the running one was told and this one should exit."""

    raise_requested = Signal(list)  # the references to open (maybe none): raise the window

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._lock_path = Path(data_dir) / "instance.lock"
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def claim(self, references: list[str]) -> bool:
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = QLockFile(str(self._lock_path))
        lock.setStaleLockTime(10_000)
        locked = lock.tryLock(LOCK_TIMEOUT_MS)  # without it (a hung instance) we still go on
        try:
            if self._tell_running_instance(references):
                return False
            return self._listen()
        finally:
            if locked:
                lock.unlock()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _tell_running_instance(self, references: list[str]) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(encode_request(references))
        sent = socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(CONNECT_TIMEOUT_MS)
        return sent

    def _listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            QLocalServer.removeServer(self.name)  # left behind by a crashed instance
            if not server.listen(self.name):
                return True  # cannot listen: run anyway, only without raising by a second start
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    @Slot()
    def _accept(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._finish(s))

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        if len(buffer) > MAX_MESSAGE:
            self._buffers.pop(socket, None)
            socket.abort()

    def _finish(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.pop(socket, None)
        socket.deleteLater()
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        references = decode_request(bytes(buffer))
        if references is not None:
            self.raise_requested.emit(references)
