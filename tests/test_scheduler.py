"""The request scheduler shared by every thread that talks to the site: one polite pace for all the
background work together, and the user's own requests at the front of the queue."""

from __future__ import annotations

import threading
import time

import httpx

from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.scheduler import RequestScheduler

BASE = "https://petition.parliament.uk"
COUNT = b'{"signature_count": 5}'
INTERVAL = 0.25


class Site:
    """A mock site that notes when each request arrived."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []  # (when, path)
        self._lock = threading.Lock()

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent.append((time.monotonic(), request.url.path))
        return httpx.Response(200, content=COUNT, headers={"content-type": "application/json"})

    def client(self, scheduler: RequestScheduler) -> PetitionsClient:
        return PetitionsClient(BASE, transport=httpx.MockTransport(self.handler), scheduler=scheduler)


def run_stream(client: PetitionsClient, requests: int, marks: list[float]) -> None:
    for _ in range(requests):
        client.count(700001)
        marks.append(time.monotonic())


def test_two_background_streams_together_keep_to_one_request_per_interval():
    scheduler, site = RequestScheduler(INTERVAL), Site()
    streams = [threading.Thread(target=run_stream, args=(site.client(scheduler), 5, [])) for _ in range(2)]
    began = time.monotonic()
    for stream in streams:
        stream.start()
    for stream in streams:
        stream.join(10)
    took = time.monotonic() - began
    times = sorted(t for t, _ in site.sent)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    print(f"10 requests from 2 streams in {took:.2f} s; smallest gap {min(gaps):.3f} s (interval {INTERVAL} s)")
    assert len(times) == 10
    assert min(gaps) >= INTERVAL * 0.9  # not two streams at one request per interval each
    assert took >= 9 * INTERVAL * 0.9


def test_a_request_the_user_waits_for_goes_ahead_of_a_pass_waiting_at_most_one_slot():
    scheduler, pass_site, user_site = RequestScheduler(INTERVAL), Site(), Site()
    background, user = pass_site.client(scheduler), user_site.client(scheduler)
    pass_marks: list[float] = []
    a_pass = threading.Thread(target=run_stream, args=(background, 8, pass_marks))
    a_pass.start()
    while len(pass_marks) < 3:
        time.sleep(0.01)
    asked = time.monotonic()
    with user.foreground():
        user.count(700001)
    waited = time.monotonic() - asked
    a_pass.join(10)
    print(f"the user's request waited {waited * 1000:.0f} ms in the middle of a pass (a slot is "
          f"{INTERVAL * 1000:.0f} ms)")
    assert waited <= INTERVAL + 0.2
    pass_times = [t for t, _ in pass_site.sent]
    (user_at,) = [t for t, _ in user_site.sent]
    assert len(pass_times) == 8
    # The pass keeps its pace, and its next request keeps its distance from the user's one.
    assert all(later - earlier >= INTERVAL * 0.9 for earlier, later in zip(pass_times, pass_times[1:], strict=False))
    assert min(t - user_at for t in pass_times if t > user_at) >= INTERVAL * 0.9
    assert scheduler.granted == {"background": 8, "foreground": 1}


def test_foreground_requests_in_a_row_are_spaced_like_bulk_work():
    scheduler, site = RequestScheduler(INTERVAL), Site()
    user = site.client(scheduler)
    with user.foreground():
        for _ in range(3):
            user.count(700001)
    times = [t for t, _ in site.sent]
    assert all(later - earlier >= INTERVAL * 0.9 for earlier, later in zip(times, times[1:], strict=False))


def test_a_waiting_turn_ends_at_once_when_cancelled():
    scheduler = RequestScheduler(30.0)
    assert scheduler.take_turn()  # the next background turn is now 30 s away
    stop = threading.Event()
    answers: list[bool] = []
    waiter = threading.Thread(target=lambda: answers.append(scheduler.take_turn(cancelled=stop.is_set)))
    waiter.start()
    time.sleep(0.1)
    began = time.monotonic()
    stop.set()
    scheduler.wake()
    waiter.join(2)
    assert answers == [False] and time.monotonic() - began < 0.5
