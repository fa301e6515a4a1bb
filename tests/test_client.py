"""PetitionsClient: every answer of the site becomes the right Outcome and a readable message.

Exact-header and edge cases use httpx.MockTransport; the behaviour end to end is checked against
the simulator (a real HTTP server on 127.0.0.1).
"""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from petitiondesk import __version__
from petitiondesk.core.client import Outcome, PetitionsClient

BASE = "https://petition.parliament.uk"
JSON = {"content-type": "application/json; charset=utf-8"}


def make_client(handler, **options) -> PetitionsClient:
    options.setdefault("min_interval", 0.0)
    options.setdefault("sleep", lambda seconds: None)
    return PetitionsClient(BASE, transport=httpx.MockTransport(handler), **options)


@pytest.fixture
def open_doc(samples_dir) -> bytes:
    return (samples_dir / "composed-petition-open-752318.json").read_bytes()


# -- requests as sent -------------------------------------------------------------------------


def test_requests_identify_the_app_ask_for_json_and_gzip(open_doc):
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, content=open_doc, headers=JSON)

    with make_client(handler) as client:
        client.petition(752318, if_modified_since="Sat, 28 Nov 2026 18:00:00 GMT")
    request = seen[0]
    assert request.headers["user-agent"] == (
        f"PetitionDesk/{__version__} (+https://github.com/petitiondesk/petitiondesk)"
    )
    assert request.headers["accept"] == "application/json"
    assert request.headers["accept-encoding"] == "gzip"
    assert request.headers["if-modified-since"] == "Sat, 28 Nov 2026 18:00:00 GMT"
    assert request.url.path == "/petitions/752318.json"


def test_list_page_always_sends_count_50_and_validated_parameters(samples_dir):
    page = (samples_dir / "composed-petitions-list-open-page2.json").read_bytes()
    seen = []

    def handler(request):
        seen.append(request.url)
        return httpx.Response(200, content=page, headers=JSON)

    with make_client(handler) as client:
        fetched = client.list_page(state="open", q="  swimming\x00 lessons ", page=2, topic="education")
    assert fetched.outcome is Outcome.OK and len(fetched.value.items) == 3
    params = dict(seen[0].params)
    assert params == {"count": "50", "page": "2", "state": "open", "q": "swimming lessons", "topic": "education"}


@pytest.mark.parametrize("bad", [0, -1, 100_000, 2.0, "2", True])
def test_invalid_pages_are_never_sent(bad):
    client = make_client(lambda request: pytest.fail("a request was sent"))
    with pytest.raises((ValueError, TypeError)):
        client.list_page(page=bad)


@pytest.mark.parametrize("bad", [0, -5, "700123", 7.0, False, 10**12])
def test_invalid_ids_are_never_sent(bad):
    client = make_client(lambda request: pytest.fail("a request was sent"))
    with pytest.raises((ValueError, TypeError)):
        client.petition(bad)
    with pytest.raises((ValueError, TypeError)):
        client.count(bad)


def test_unknown_list_state_is_refused_before_sending():
    client = make_client(lambda request: pytest.fail("a request was sent"))
    with pytest.raises(ValueError, match="unknown list state"):
        client.list_page(state="hidden")
    with pytest.raises(ValueError):
        client.list_page(state="open", archived=True)  # the archive has no "open" facet


@pytest.mark.parametrize(
    "url, reason",
    [
        ("https://evil.example/petitions.json?page=2", "another site"),
        ("http://petition.parliament.uk/petitions.json?page=2", "another site"),
        ("https://petition.parliament.uk/petitions/1.json", "not a petition list"),
        ("https://petition.parliament.uk/petitions.json?page=100000", "invalid page"),
        ("https://petition.parliament.uk/petitions.json?page=0", "invalid page"),
    ],
)
def test_next_links_elsewhere_are_not_followed(url, reason):
    client = make_client(lambda request: pytest.fail("a request was sent"))
    fetched = client.list_url(url)
    assert fetched.outcome is Outcome.BAD_RESPONSE
    assert reason in fetched.message


# -- answers ------------------------------------------------------------------------------------


def test_headers_of_a_200_are_kept_for_the_next_conditional_request(open_doc):
    headers = {**JSON, "cache-control": "max-age=60, public, stale-while-revalidate=120",
               "last-modified": "Sat, 28 Nov 2026 18:00:00 GMT"}
    with make_client(lambda request: httpx.Response(200, content=open_doc, headers=headers)) as client:
        fetched = client.petition(752318)
    assert fetched.outcome is Outcome.OK
    assert fetched.value.id == 752318 and fetched.raw == open_doc
    assert fetched.max_age == 60.0
    assert fetched.last_modified == "Sat, 28 Nov 2026 18:00:00 GMT"


def test_gzip_bodies_are_decoded(open_doc):
    body = gzip.compress(open_doc)
    headers = {**JSON, "content-encoding": "gzip"}
    with make_client(lambda request: httpx.Response(200, content=body, headers=headers)) as client:
        fetched = client.petition(752318)
    assert fetched.outcome is Outcome.OK and fetched.value.id == 752318


def test_the_live_url_of_an_archived_petition_is_followed_once(open_doc):
    archived = json.loads(open_doc)
    archived["data"]["type"] = "archived-petition"
    archived["data"]["id"] = 400123
    paths = []

    def handler(request):
        paths.append(request.url.path)
        if request.url.path == "/petitions/400123.json":
            return httpx.Response(302, headers={"location": f"{BASE}/archived/petitions/400123.json"})
        return httpx.Response(200, json=archived)

    with make_client(handler) as client:
        fetched = client.petition(400123)
    assert paths == ["/petitions/400123.json", "/archived/petitions/400123.json"]
    assert fetched.outcome is Outcome.OK and fetched.archived and fetched.value.archived


def test_a_validator_of_the_live_document_is_not_sent_to_the_archive(open_doc):
    archived = json.loads(open_doc)
    archived["data"]["type"] = "archived-petition"

    def handler(request):
        if request.url.path.startswith("/petitions/"):
            return httpx.Response(302, headers={"location": "/archived/petitions/752318.json"})
        if "if-modified-since" in request.headers:
            return httpx.Response(304)
        return httpx.Response(200, json=archived)

    with make_client(handler) as client:
        fetched = client.petition(752318, if_modified_since="Sat, 28 Nov 2026 18:00:00 GMT")
    assert fetched.outcome is Outcome.OK and fetched.value.archived


def test_an_archived_link_of_a_parliament_still_being_archived_gets_the_live_document(open_doc):
    # §6: the archived URL then redirects to /petitions/ID, without .json.
    paths = []

    def handler(request):
        paths.append(request.url.path)
        if request.url.path.startswith("/archived/"):
            return httpx.Response(302, headers={"location": f"{BASE}/petitions/752318"})
        return httpx.Response(200, content=open_doc, headers=JSON)

    with make_client(handler) as client:
        fetched = client.petition(752318, archived=True)
    assert paths == ["/archived/petitions/752318.json", "/petitions/752318.json"]
    assert fetched.outcome is Outcome.OK and not fetched.archived and fetched.value.id == 752318


@pytest.mark.parametrize(
    "location",
    ["/", "/petitions/999/gathering-support",  # another petition's page says nothing of this one
     "/archived/petitions/999.json",  # another petition's archive: not followed
     "https://elsewhere.example/archived/petitions/700001.json"],
)
def test_other_redirects_mean_not_publicly_visible(location):
    paths = []

    def handler(request):
        paths.append(request.url.path)
        return httpx.Response(302, headers={"location": location})

    with make_client(handler) as client:
        fetched = client.petition(700001)
    assert fetched.outcome is Outcome.NOT_VISIBLE
    assert "not publicly visible" in fetched.message
    assert paths == ["/petitions/700001.json"]


@pytest.mark.parametrize("page, outcome, words", [
    ("gathering-support", Outcome.COLLECTING_SUPPORTERS, "collecting supporters"),
    ("moderation-info", Outcome.IN_MODERATION, "in moderation"),
])
def test_a_redirect_to_its_own_waiting_page_means_not_open_yet(page, outcome, words):
    location = {"location": f"{BASE}/petitions/700001/{page}"}
    with make_client(lambda request: httpx.Response(302, headers=location)) as client:
        fetched = client.petition(700001)
    assert fetched.outcome is outcome and words in fetched.message and "not open" in fetched.message


def test_a_document_for_another_petition_is_refused(open_doc):
    with make_client(lambda request: httpx.Response(200, content=open_doc, headers=JSON)) as client:
        fetched = client.petition(700001)  # the sample is petition 752318
    assert fetched.outcome is Outcome.BAD_RESPONSE and "752318" in fetched.message


@pytest.mark.parametrize("body, content_type", [
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "text/html"),
    (b"ERROR: The request could not be satisfied", "text/plain"),
    (b"Service Unavailable", ""),
])
def test_an_error_page_served_with_200_is_a_passing_site_fault_retried_not_not_visible(body, content_type):
    sent, waits = [], []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    with make_client(handler, sleep=waits.append, retries=2) as client:
        fetched = client.petition(700001)
    assert fetched.outcome is Outcome.UNAVAILABLE
    assert "error page" in fetched.message and "temporary" in fetched.message
    assert "not publicly visible" not in fetched.message
    assert len(sent) == 3 and len(waits) == 2


def test_an_error_page_that_passes_is_not_reported(open_doc):
    answers = iter([httpx.Response(200, content=b"<html>busy</html>", headers={"content-type": "text/html"}),
                    httpx.Response(200, content=open_doc, headers=JSON)])
    with make_client(lambda request: next(answers)) as client:
        assert client.petition(752318).outcome is Outcome.OK


@pytest.mark.parametrize(
    "status, outcome, words",
    [
        (304, Outcome.NOT_MODIFIED, "not changed"),
        (404, Outcome.NOT_FOUND, "not found"),
        (410, Outcome.GONE, "removed"),
        (403, Outcome.BLOCKED, "blocked"),
        (429, Outcome.RATE_LIMITED, "slow down"),
        (503, Outcome.UNAVAILABLE, "maintenance"),
        (400, Outcome.BAD_RESPONSE, "refused"),
    ],
)
def test_each_status_has_its_outcome_and_message(status, outcome, words):
    sent = []

    def handler(request):
        sent.append(request)
        return httpx.Response(status, json={"status": status, "error": "x"})

    with make_client(handler) as client:
        fetched = client.count(700001)
    assert fetched.outcome is outcome and fetched.status == status
    assert words in fetched.message
    assert len(sent) == 1  # none of these is retried


def test_retry_after_in_seconds_and_as_a_date():
    later = datetime.now(UTC) + timedelta(minutes=10)
    answers = iter([
        httpx.Response(429, headers={"retry-after": "120"}),
        httpx.Response(503, headers={"retry-after": format_datetime(later, usegmt=True)}),
        httpx.Response(429, headers={"retry-after": "soon"}),
    ])
    with make_client(lambda request: next(answers)) as client:
        assert client.trending().retry_after == 120.0
        assert 590 <= client.trending().retry_after <= 600
        assert client.trending().retry_after is None


def test_server_errors_are_retried_with_growing_waits_then_reported():
    waits, sent = [], []

    def handler(request):
        sent.append(request)
        return httpx.Response(500)

    with make_client(handler, sleep=waits.append, retries=3) as client:
        fetched = client.petition(700001)
    assert fetched.outcome is Outcome.UNAVAILABLE and "(500)" in fetched.message
    assert len(sent) == 4 and len(waits) == 3
    assert waits == sorted(waits) and waits[0] > 0


def test_a_server_error_that_passes_is_not_reported(open_doc):
    answers = iter([httpx.Response(502), httpx.Response(200, content=open_doc, headers=JSON)])
    waits = []
    with make_client(lambda request: next(answers), sleep=waits.append) as client:
        fetched = client.petition(752318)
    assert fetched.outcome is Outcome.OK and len(waits) == 1


@pytest.mark.parametrize(
    "error, words",
    [
        (httpx.ConnectError("refused"), "could not reach"),
        (httpx.ReadTimeout("slow"), "too long"),
        (httpx.RemoteProtocolError("closed"), "dropped"),
    ],
)
def test_network_errors_are_retried_then_reported_never_raised(error, words):
    waits = []

    def handler(request):
        raise error

    with make_client(handler, sleep=waits.append, retries=2) as client:
        fetched = client.count(700001)
    assert fetched.outcome is Outcome.NETWORK_ERROR and words in fetched.message
    assert len(waits) == 2


@pytest.mark.parametrize(
    "body, words",
    [
        (b'{"signature_count": 12', "cut off"),
        (b"not json at all", "not valid JSON"),
        (b"", "empty"),
        (b'{"status": 404, "error": "Not Found"}', "error"),
    ],
)
def test_bodies_that_do_not_parse_are_bad_responses_with_the_reason(body, words):
    with make_client(lambda request: httpx.Response(200, content=body, headers=JSON)) as client:
        fetched = client.count(700001)
    assert fetched.outcome is Outcome.BAD_RESPONSE
    assert words in fetched.message and fetched.message.startswith("petition 700001")


def test_responses_over_the_size_cap_are_not_read():
    huge = b'{"signature_count": 1, "pad": "' + b"x" * 2000 + b'"}'

    def streamed(request):
        return httpx.Response(200, headers=JSON, stream=httpx.ByteStream(huge))

    with make_client(lambda request: httpx.Response(200, content=huge, headers=JSON), max_bytes=1000) as client:
        fetched = client.count(700001)
    assert fetched.outcome is Outcome.BAD_RESPONSE and "larger than" in fetched.message
    with make_client(streamed, max_bytes=1000) as client:  # no Content-Length: stops while reading
        assert client.count(700001).outcome is Outcome.BAD_RESPONSE


def test_requests_are_spaced_by_min_interval_but_one_the_user_waits_for_goes_at_once(open_doc):
    sent_at = []

    def handler(request):
        sent_at.append(time.monotonic())
        return httpx.Response(200, content=open_doc, headers=JSON)

    with make_client(handler, min_interval=0.5) as client:
        client.petition(752318)
        client.petition(752318)
        with client.foreground():
            client.petition(752318)
    assert 0.45 < sent_at[1] - sent_at[0] < 1.0
    assert sent_at[2] - sent_at[1] < 0.25


def test_csv_of_open_petitions():
    text = ('"Petition","URL","State","Signatures Count"\n'
            '"Fund libraries","https://petition.parliament.uk/petitions/700001","open","1234"\n')
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, text=text, headers={"content-type": "text/csv"})

    with make_client(handler) as client:
        fetched = client.petitions_csv()
    assert fetched.outcome is Outcome.OK
    assert [(row.id, row.signature_count) for row in fetched.value] == [(700001, 1234)]
    assert seen[0].url.path == "/petitions.csv" and dict(seen[0].url.params) == {"state": "open"}


# -- end to end, against the simulator ------------------------------------------------------------


@pytest.fixture
def live(simulator):
    waits = []
    with PetitionsClient(simulator.url, min_interval=0.0, sleep=waits.append, timeout=1.0, retries=2) as client:
        client.waits = waits
        yield client


def test_simulator_single_petition_count_and_conditional_304(simulator, live):
    petition_id = simulator.world.ids("open")[0]
    fetched = live.petition(petition_id)
    assert fetched.outcome is Outcome.OK and fetched.value.id == petition_id
    assert fetched.max_age and fetched.last_modified
    count = live.count(petition_id)
    assert count.outcome is Outcome.OK and count.value.signature_count >= 0
    simulator.world.set_count(petition_id, 777)
    first = live.count(petition_id)
    again = live.count(petition_id, if_modified_since=first.last_modified)
    assert first.value.signature_count == 777
    assert again.outcome is Outcome.NOT_MODIFIED and again.value is None


@pytest.mark.parametrize(
    "kind, outcome, words",
    [("removed", Outcome.GONE, "410"), ("hidden", Outcome.GONE, "410"),
     ("pending", Outcome.COLLECTING_SUPPORTERS, "collecting supporters"),
     ("moderation", Outcome.IN_MODERATION, "in moderation"), ("dormant", Outcome.NOT_FOUND, "404")],
)
def test_simulator_petitions_that_cannot_be_shown(simulator, live, kind, outcome, words):
    fetched = live.petition(simulator.world.ids(kind)[0])
    assert fetched.outcome is outcome and words in fetched.message


def test_simulator_unknown_petition_is_not_found(live):
    fetched = live.petition(699_999_999)
    assert fetched.outcome is Outcome.NOT_FOUND and "not found" in fetched.message


def test_simulator_archived_redirect_and_count_404(simulator, live):
    petition_id = simulator.world.ids("archived")[0]
    fetched = live.petition(petition_id)
    assert fetched.outcome is Outcome.OK and fetched.archived and fetched.value.archived
    assert fetched.value.parliament is not None
    assert [path for _, path, _ in simulator.request_log] == [
        f"/petitions/{petition_id}.json", f"/archived/petitions/{petition_id}.json"]
    assert live.count(petition_id).outcome is Outcome.NOT_FOUND  # archived: count.json is 404 (§5)


@pytest.mark.parametrize(
    "fault, params, outcome, words",
    [
        ("403", {}, Outcome.BLOCKED, "blocked"),
        ("404", {}, Outcome.NOT_FOUND, "not found"),
        ("410", {}, Outcome.GONE, "removed"),
        ("429", {"retry_after": 42}, Outcome.RATE_LIMITED, "slow down"),
        ("503", {"retry_after": 42}, Outcome.UNAVAILABLE, "maintenance"),
        ("truncated", {}, Outcome.BAD_RESPONSE, "cut off"),
        ("malformed", {}, Outcome.BAD_RESPONSE, "petition"),
    ],
)
def test_simulator_faults_become_outcomes(simulator, live, fault, params, outcome, words):
    petition_id = simulator.world.ids("open")[0]
    simulator.faults.force(fault, **params)
    fetched = live.petition(petition_id)
    assert fetched.outcome is outcome and words in fetched.message
    if fault in ("429", "503"):
        assert fetched.retry_after == 42.0
    assert len(simulator.request_log) == 1  # none of these is retried


@pytest.mark.parametrize("fault, params", [("500", {}), ("html", {"status": 500}), ("html", {"status": 200}),
                                           ("drop", {}),
                                           ("timeout", {"seconds": 5}),
                                           ("truncated", {"incomplete": True})])
def test_simulator_passing_trouble_is_retried_away(simulator, live, fault, params):
    petition_id = simulator.world.ids("open")[0]
    simulator.faults.force(fault, times=2, **params)
    fetched = live.petition(petition_id)
    assert fetched.outcome is Outcome.OK and len(live.waits) == 2


@pytest.mark.parametrize("fault, outcome", [("500", Outcome.UNAVAILABLE), ("drop", Outcome.NETWORK_ERROR),
                                            ("timeout", Outcome.NETWORK_ERROR)])
def test_simulator_lasting_trouble_ends_after_the_retries(simulator, live, fault, outcome):
    simulator.faults.force(fault, times=3, seconds=5)
    fetched = live.count(simulator.world.ids("open")[0])
    assert fetched.outcome is outcome and fetched.message
    assert live.requests_sent == 3 and len(live.waits) == 2  # a hung request is logged late


def test_simulator_schema_drift_still_parses(simulator, live):
    petition_id = simulator.world.ids("open")[0]
    simulator.faults.force("drift")
    fetched = live.petition(petition_id)
    assert fetched.outcome is Outcome.OK and fetched.value.opened_at is not None


def test_simulator_list_pages_followed_to_the_end(simulator, live):
    fetched = live.list_page(state="open")
    assert fetched.outcome is Outcome.OK and len(fetched.value.items) == 50
    seen = {item.id for item in fetched.value.items}
    pages = 1
    while fetched.value.links.next:
        fetched = live.list_url(fetched.value.links.next)
        assert fetched.outcome is Outcome.OK
        seen.update(item.id for item in fetched.value.items)
        pages += 1
    assert seen == set(simulator.world.ids("open")) and pages == -(-len(seen) // 50)


def test_simulator_list_etag_gives_304(simulator, live):
    first = live.list_page(state="closed", page=2)
    assert first.etag
    again = live.list_page(state="closed", page=2, if_none_match=first.etag)
    assert again.outcome is Outcome.NOT_MODIFIED


def test_simulator_digits_search_redirects_to_a_web_page(simulator, live):
    petition_id = simulator.world.ids("open")[0]
    assert live.list_page(q=str(petition_id)).outcome is Outcome.NOT_VISIBLE


def test_simulator_csv_trending_and_constituencies(simulator, live):
    rows = live.petitions_csv(state="open")
    assert rows.outcome is Outcome.OK
    assert {row.id for row in rows.value} == set(simulator.world.ids("open"))
    trending = live.trending()
    assert trending.outcome is Outcome.OK and len(trending.value.items) <= 10
    seats = live.constituencies()
    assert seats.outcome is Outcome.OK and len(seats.value) >= 600


def test_nothing_listening_is_a_network_error():
    waits = []
    with PetitionsClient("http://127.0.0.1:9", sleep=waits.append, min_interval=0.0) as client:
        fetched = client.petition(700001)
    assert fetched.outcome is Outcome.NETWORK_ERROR and "could not reach" in fetched.message
    assert len(waits) == 3


def _gzipped_spaces(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join([*(packer.compress(b" " * 1_000_000) for _ in range(megabytes)), packer.flush()])


def test_a_gzip_bomb_is_refused_without_inflating_it_in_memory():
    bomb = _gzipped_spaces(60)  # 60 MB of spaces in about 60 KB
    headers = {**JSON, "content-encoding": "gzip"}
    # A stream, as from the network: `content=` would make httpx inflate it before the client sees it.
    with make_client(lambda request: httpx.Response(200, stream=httpx.ByteStream(bomb), headers=headers)) as client:
        tracemalloc.start()
        try:
            fetched = client.petition(752318)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert fetched.outcome is Outcome.BAD_RESPONSE and "larger than 5 MB" in fetched.message
    assert peak < 3 * client.max_bytes  # what is kept, plus a step: not the 60 MB it would inflate to


def test_garbled_gzip_is_a_bad_response_in_one_line(open_doc):
    body = gzip.compress(open_doc)
    garbled = body[:20] + bytes(b ^ 0xFF for b in body[20:60]) + body[60:]
    headers = {**JSON, "content-encoding": "gzip"}
    with make_client(lambda request: httpx.Response(200, stream=httpx.ByteStream(garbled), headers=headers),
                     retries=0) as client:
        fetched = client.petition(752318)
    assert fetched.outcome is Outcome.BAD_RESPONSE and "garbled" in fetched.message
