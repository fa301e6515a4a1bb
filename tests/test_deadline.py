"""Every request has a total deadline and can be aborted from another thread, against real local
sockets that hang or drip; proxies from the environment and certificate errors."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from pathlib import Path

import pytest

from petitiondesk.core.client import Outcome, PetitionsClient
from slow_servers import COUNT_BODY, SlowServer

TLS = Path(__file__).parent / "data" / "tls"


def timed(call):
    began = time.monotonic()
    result = call()
    return result, time.monotonic() - began


@pytest.mark.parametrize("mode", ["drip", "drip-body"])
def test_a_server_dripping_a_byte_every_5_s_cannot_hold_a_request_past_its_deadline(mode):
    with SlowServer(mode, every=5.0) as server, \
            PetitionsClient(server.url, deadline=1.5, retries=3, min_interval=0) as client:
        fetched, took = timed(lambda: client.count(700001))
    print(f"{mode}: given up after {took:.2f} s (deadline 1.5 s, per-read timeout 15 s)")
    assert fetched.outcome is Outcome.NETWORK_ERROR
    assert "took too long" in fetched.message and "1.5 s" in fetched.message
    assert took < 3.0  # the retries share the deadline


def test_the_deadline_is_about_30_s_by_default():
    with PetitionsClient("http://127.0.0.1:9") as client:
        assert 20 <= client.deadline <= 40


def test_a_hanging_request_is_aborted_from_another_thread_at_once():
    with SlowServer("hang") as server, PetitionsClient(server.url, retries=3, min_interval=0) as client:
        answers = []
        caller = threading.Thread(target=lambda: answers.append(client.count(700001)))
        caller.start()
        while server.connections == 0:
            time.sleep(0.01)
        time.sleep(0.2)  # the request is now blocked reading
        began = time.monotonic()
        client.abort()
        caller.join(5)
        took = time.monotonic() - began
        assert not caller.is_alive() and took < 0.5
        assert answers[0].outcome is Outcome.NETWORK_ERROR and "stopped" in answers[0].message
        assert client.count(700001).outcome is Outcome.NETWORK_ERROR  # aborted for good: no new request
        assert server.connections == 1


def test_a_request_waiting_for_its_turn_is_aborted_too():
    with SlowServer("hang") as server, PetitionsClient(server.url, min_interval=30.0, deadline=0.3) as client:
        client.count(700001)  # times out; the next turn is 30 s away
        answers = []
        caller = threading.Thread(target=lambda: answers.append(client.count(700001)))
        caller.start()
        time.sleep(0.1)
        client.abort()
        caller.join(2)
        assert not caller.is_alive() and "stopped" in answers[0].message


class _Proxy(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        _Proxy.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(COUNT_BODY)))
        self.end_headers()
        self.wfile.write(COUNT_BODY)

    def log_message(self, *args):
        pass


def test_requests_go_through_the_proxy_named_in_the_environment(monkeypatch):
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with PetitionsClient("http://petition.invalid", min_interval=0, retries=0) as client:
            fetched = client.count(700001)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert fetched.outcome is Outcome.OK and fetched.value.signature_count == 5
    assert _Proxy.seen == ["http://petition.invalid/petitions/700001/count.json"]


def test_waiting_for_a_turn_does_not_count_against_the_deadline():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with PetitionsClient(f"http://127.0.0.1:{server.server_address[1]}", min_interval=1.0, deadline=0.5,
                             retries=0) as client:
            assert client.count(700001).ok
            fetched, took = timed(lambda: client.count(700001))  # a second in the queue, then sent
    finally:
        server.shutdown()
        server.server_close()
    assert fetched.ok and took >= 0.8


def test_a_certificate_nobody_trusts_is_said_in_one_line():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "self-signed-cert.pem", TLS / "self-signed-key.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with PetitionsClient(f"https://127.0.0.1:{server.server_address[1]}", min_interval=0, retries=3) as client:
            fetched, took = timed(lambda: client.count(700001))
    finally:
        server.shutdown()
        server.server_close()
    assert fetched.outcome is Outcome.NETWORK_ERROR
    assert "certificate" in fetched.message and "self-signed" in fetched.message and "\n" not in fetched.message
    assert client.requests_sent == 1 and took < 1.0  # not retried: trying again cannot make it trusted
    print(fetched.message)
