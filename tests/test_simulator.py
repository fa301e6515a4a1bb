"""The simulator behaves like petition.parliament.uk (docs/API.md), checked over real HTTP."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pytest

from petitiondesk.resources import hexmap_path
from petitiondesk.simulator import FaultPlan, SimulatorServer, World

TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LONDON = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[01]:00")
HEXMAP = hexmap_path(2024)
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ATTRIBUTE_ORDER = [
    "action", "background", "additional_details", "committee_note", "state", "signature_count",
    "closing_date", "created_at", "updated_at", "rejected_at", "opened_at", "closed_at",
    "moderation_threshold_reached_at", "response_threshold_reached_at", "government_response_at",
    "debate_threshold_reached_at", "debate_scheduled_on", "scheduled_debate_date", "debate_outcome_at",
    "creator_name", "rejection", "government_response", "debate", "departments", "topics",
    "signatures_by_country", "signatures_by_constituency", "signatures_by_region",
    "other_parliamentary_business",
]
BREAKDOWNS = {"signatures_by_country", "signatures_by_constituency", "signatures_by_region",
              "other_parliamentary_business"}


@pytest.fixture
def http(simulator):
    with httpx.Client(base_url=simulator.url, timeout=5) as client:
        yield client


def all_pages(client: httpx.Client, url: str) -> list[dict]:
    items = []
    while url:
        body = client.get(url).json()
        items += body["data"]
        url = body["links"]["next"]
    return items


def biggest(server, kind="open") -> int:
    return max(server.world.ids(kind), key=server.world.count)


# --- single petitions -----------------------------------------------------------------------------


def test_open_petition_has_every_attribute_in_template_order(simulator, http):
    petition_id = biggest(simulator)
    response = http.get(f"/petitions/{petition_id}.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["links"] == {"self": f"{simulator.url}/petitions/{petition_id}.json"}
    data = body["data"]
    assert (data["type"], data["id"]) == ("petition", petition_id) and "links" not in data
    attributes = data["attributes"]
    assert list(attributes) == ATTRIBUTE_ORDER
    assert attributes["state"] == "open" and attributes["closed_at"] is None
    assert DATE.fullmatch(attributes["closing_date"]) and attributes["creator_name"]
    for key in ("created_at", "updated_at", "opened_at", "moderation_threshold_reached_at",
                "response_threshold_reached_at", "debate_threshold_reached_at"):
        assert TS.fullmatch(attributes[key]), key
    assert attributes["signature_count"] >= 100_000
    assert attributes["departments"][0]["url"].startswith("https://www.gov.uk/government/organisations/")
    assert all(re.fullmatch(r"[a-z][-a-z0-9]*", topic) for topic in attributes["topics"])


def test_closed_petition_ends_at_uk_midnight_and_hides_its_creator(simulator, http):
    petition_id = biggest(simulator, "closed")
    attributes = http.get(f"/petitions/{petition_id}.json").json()["data"]["attributes"]
    assert attributes["state"] == "closed"
    assert "closing_date" not in attributes and attributes["creator_name"] is None
    assert re.fullmatch(r".*T2[23]:59:59\.999Z", attributes["closed_at"])
    assert BREAKDOWNS <= attributes.keys()


def test_rejected_petition_has_a_reason_and_no_breakdowns(simulator, http):
    petition_id = simulator.world.ids("rejected")[0]
    attributes = http.get(f"/petitions/{petition_id}.json").json()["data"]["attributes"]
    assert attributes["state"] == "rejected" and TS.fullmatch(attributes["rejected_at"])
    assert attributes["rejection"]["code"] and "details" in attributes["rejection"]
    assert attributes["opened_at"] is None
    assert not BREAKDOWNS & attributes.keys()


def test_breakdowns_cover_the_hex_map_and_nearly_sum_to_the_total():
    hexes = json.loads(HEXMAP.read_text(encoding="utf-8"))["hexes"]
    with SimulatorServer(hexmap=HEXMAP, seed=5) as server, httpx.Client(base_url=server.url) as client:
        petition_id = biggest(server)
        attributes = client.get(f"/petitions/{petition_id}.json").json()["data"]["attributes"]
        seats = client.get("/constituencies.json").json()
    total = attributes["signature_count"]
    rows = attributes["signatures_by_constituency"]
    assert len(rows) == 650
    assert [row["ons_code"] for row in rows] == sorted(hexes)
    assert all(row["name"] == hexes[row["ons_code"]]["n"] for row in rows)
    assert sum(row["mp"] is None for row in rows) == 3  # vacant seats
    assert sum(seat["mp"] is None for seat in seats.values()) == 3
    mp_name = re.compile(r"(Dr |Rt Hon |Ms |Mr |Sir |Dame )?\S+ \S+ MP")
    assert all(mp_name.fullmatch(row["mp"]) for row in rows if row["mp"])
    countries = attributes["signatures_by_country"]
    assert [row["name"] for row in countries] == sorted(row["name"] for row in countries)
    uk = next(row for row in countries if row["code"] == "GB")["signature_count"]
    assert uk > 0.9 * total
    country_sum = sum(row["signature_count"] for row in countries)
    assert country_sum != total and abs(country_sum - total) < 0.01 * total
    constituency_sum = sum(row["signature_count"] for row in rows)
    assert 0.97 * uk < constituency_sum < uk
    regions = attributes["signatures_by_region"]
    assert [row["ons_code"] for row in regions] == list("ABDEFGHJKLMN")
    assert sum(row["signature_count"] for row in regions) == constituency_sum


def test_without_a_hex_map_constituencies_are_invented_but_valid():
    world = World(seed=3, hexmap=None)
    with SimulatorServer(world=world) as server, httpx.Client(base_url=server.url) as client:
        seats = client.get("/constituencies.json").json()
    assert len(seats) == 650
    assert all(re.fullmatch(r"[EWSN]\d{8}", code) for code in seats)
    assert len({seat["constituency"] for seat in seats.values()}) == 650


def test_count_endpoint_is_bare_with_london_offsets(simulator, http):
    body = http.get(f"/petitions/{biggest(simulator)}/count.json").json()
    assert list(body) == ["signature_count", "response_threshold_reached_at", "government_response_at",
                          "debate_threshold_reached_at", "scheduled_debate_date", "debate_outcome_at",
                          "debated"]
    assert body["signature_count"] >= 100_000
    assert LONDON.fullmatch(body["response_threshold_reached_at"])
    assert LONDON.fullmatch(body["debate_threshold_reached_at"])
    assert isinstance(body["debated"], bool)


def test_head_gives_headers_without_a_body(simulator, http):
    response = http.head(f"/petitions/{biggest(simulator)}.json")
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 1000


# --- statuses and redirects -----------------------------------------------------------------------


def test_archived_petition_is_reached_through_the_live_url(simulator, http):
    petition_id = simulator.world.ids("archived")[0]
    response = http.get(f"/petitions/{petition_id}.json")
    assert response.status_code == 302
    assert response.headers["location"] == f"{simulator.url}/archived/petitions/{petition_id}.json"
    archived = http.get(response.headers["location"])
    assert "max-age=120" in archived.headers["cache-control"] and archived.headers["last-modified"]
    data = archived.json()["data"]
    assert data["type"] == "archived-petition"
    assert data["parliament"] == {"period": "2019-2024", "government": "Conservative",
                                  "dissolution_at": "2024-05-30T00:01:00.000+01:00",
                                  "response_threshold": 10000, "debate_threshold": 100000}
    assert "creator_name" not in data["attributes"] and "closing_date" not in data["attributes"]
    assert http.get(f"/petitions/{petition_id}/count.json").status_code == 404


def test_archived_constituencies_use_old_codes_sorted_by_name(simulator, http):
    petition_id = max(simulator.world.ids("archived"), key=simulator.world.count)
    rows = http.get(f"/archived/petitions/{petition_id}.json").json()["data"]["attributes"][
        "signatures_by_constituency"]
    assert [row["name"] for row in rows] == sorted(row["name"] for row in rows)
    english = [row["ons_code"] for row in rows if row["ons_code"].startswith("E")]
    assert english and all("E14000530" <= code <= "E14001062" for code in english)  # pre-2024 family
    assert not any(row["ons_code"].startswith("N05") for row in rows)
    assert sum(row["mp"] is None for row in rows) > len(rows) / 2


@pytest.mark.parametrize(
    ("kind", "status", "location"),
    [
        ("pending", 302, "/petitions/{id}/gathering-support"),
        ("moderation", 302, "/petitions/{id}/moderation-info"),
        ("removed", 410, None),
        ("hidden", 410, None),
    ],
)
def test_unpublished_and_withdrawn_petitions(simulator, http, kind, status, location):
    petition_id = simulator.world.ids(kind)[0]
    response = http.get(f"/petitions/{petition_id}.json")
    assert response.status_code == status
    if location:
        assert response.headers["location"] == simulator.url + location.format(id=petition_id)
        page = http.get(response.headers["location"])
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    else:
        assert response.json() == {"status": 410, "error": "Gone"}


def test_error_statuses_have_rails_bodies(simulator, http):
    assert http.get("/petitions/699999.json").json() == {"status": 404, "error": "Not Found"}
    bad = http.get("/petitions/abc.json")
    assert bad.status_code == 400 and bad.json() == {"status": 400, "error": "Bad Request"}
    assert http.get(f"/petitions/{simulator.world.ids('open')[0]}.xml").status_code == 406
    assert http.get("/trending").status_code == 404
    assert http.get("/petitions.json?q=a%00b").status_code == 400
    unknown_format = http.get("/petitions/1.foo?x=1")
    assert unknown_format.status_code == 302
    assert unknown_format.headers["location"] == f"{simulator.url}/petitions/1?x=1"


def test_removing_a_petition_makes_it_gone(simulator, http):
    petition_id = simulator.world.ids("open")[3]
    assert http.get(f"/petitions/{petition_id}/count.json").status_code == 200
    simulator.world.remove(petition_id)
    assert http.get(f"/petitions/{petition_id}/count.json").status_code == 410
    assert petition_id in simulator.world.ids("removed")


def test_ruby_integer_ids_are_accepted(simulator, http):
    petition_id = simulator.world.ids("open")[0]
    assert http.get(f"/petitions/{hex(petition_id)}.json").json()["data"]["id"] == petition_id


# --- lists ----------------------------------------------------------------------------------------


def test_list_links_page_to_the_end(frozen):
    server, http = frozen
    items = all_pages(http, "/petitions.json?state=open&count=50")
    assert sorted(item["id"] for item in items) == server.world.ids("open")
    assert all(not BREAKDOWNS & item["attributes"].keys() for item in items)
    assert items[0]["links"]["self"] == f"{server.url}/petitions/{items[0]['id']}.json"


def test_list_links_are_rebuilt_with_sorted_keys(frozen):
    server, http = frozen
    links = http.get("/petitions.json?state=open&page=2&count=3").json()["links"]
    base = f"{server.url}/petitions.json"
    assert links["self"] == f"{base}?state=open&page=2&count=3"
    assert links["first"] == f"{base}?count=3&state=open"
    assert links["prev"] == f"{base}?count=3&state=open"
    assert links["next"] == f"{base}?count=3&page=3&state=open"
    assert links["last"] == f"{base}?count=3&page=134&state=open"  # 400 open petitions / 3


def test_page_and_count_are_validated_like_the_site(frozen):
    _, http = frozen

    def size(query):
        return len(http.get(f"/petitions.json?{query}").json()["data"])

    assert size("") == 25
    assert (size("count=50"), size("count=55"), size("count=60"), size("count=0")) == (50, 50, 25, 25)
    first = http.get("/petitions.json?count=5").json()["data"]
    assert http.get("/petitions.json?count=5&page=100000").json()["data"] == first
    assert http.get("/petitions.json?count=5&page=abc").json()["data"] == first


def test_paging_past_the_end_is_empty_and_points_back(frozen):
    server, http = frozen
    body = http.get("/petitions.json?state=rejected&count=50&page=9").json()
    assert body["data"] == []
    assert body["links"]["next"] is None
    assert body["links"]["prev"] == f"{server.url}/petitions.json?count=50&page=4&state=rejected"
    empty = http.get("/petitions.json?q=zzyzx").json()
    assert empty["data"] == [] and empty["links"]["first"] == empty["links"]["last"]
    assert empty["links"]["prev"] is None and empty["links"]["next"] is None


def _when(value):
    return value or ""


FACET_ORDERS = {
    "open": lambda a: (-a["signature_count"],),
    "closed": lambda a: (-a["signature_count"],),
    "all": lambda a: (-a["signature_count"],),
    "recent": lambda a: tuple(-ord(c) for c in a["opened_at"]),
    "rejected": lambda a: tuple(-ord(c) for c in a["created_at"]),
    "awaiting_response": lambda a: (a["response_threshold_reached_at"],),
    "with_response": lambda a: tuple(-ord(c) for c in a["government_response_at"]),
    "awaiting_debate": lambda a: (a["scheduled_debate_date"] is None, _when(a["scheduled_debate_date"]),
                                  a["debate_threshold_reached_at"]),
    "debated": lambda a: tuple(-ord(c) for c in a["scheduled_debate_date"]),
    "not_debated": lambda a: tuple(-ord(c) for c in a["debate_outcome_at"]),
}


@pytest.mark.parametrize("state", sorted(FACET_ORDERS))
def test_each_facet_selects_and_sorts_like_the_site(frozen, state):
    _, http = frozen
    items = all_pages(http, f"/petitions.json?state={state}&count=50")
    assert items, f"the catalogue has no {state} petitions"
    attributes = [item["attributes"] for item in items]
    assert attributes == sorted(attributes, key=FACET_ORDERS[state])
    if state in ("open", "recent", "closed", "rejected"):
        assert {a["state"] for a in attributes} == {"closed" if state == "closed" else
                                                    "rejected" if state == "rejected" else "open"}
    if state == "awaiting_response":
        assert all(a["government_response"] is None for a in attributes)
    if state == "debated":
        assert all(a["debate"] is None or a["debate"]["debated_on"] for a in attributes)
        assert any(a["debate"] and a["debate"]["transcript_url"] for a in attributes)
    if state == "not_debated":
        assert all(a["debate"]["debated_on"] is None for a in attributes)


def test_archived_list_has_its_own_facets(frozen):
    server, http = frozen
    items = all_pages(http, "/archived/petitions.json?state=published&count=50")
    assert {item["attributes"]["state"] for item in items} == {"closed"}
    counts = [item["attributes"]["signature_count"] for item in items]
    assert counts == sorted(counts, reverse=True)
    assert items[0]["links"]["self"].startswith(f"{server.url}/archived/petitions/")
    moved = http.get("/archived/petitions.json?state=open")
    assert moved.status_code == 302 and "/archived/petitions?" in moved.headers["location"]


def test_invalid_state_redirects_to_the_html_list(frozen):
    server, http = frozen
    response = http.get("/petitions.json?state=hidden&q=rail&page=2&count=5")
    assert response.status_code == 302
    assert response.headers["location"] == f"{server.url}/petitions?page=2&q=rail&state=all"
    followed = http.get("/petitions.json?state=hidden", follow_redirects=True)
    assert followed.headers["content-type"].startswith("text/html")


def test_search_covers_action_background_and_details(frozen):
    server, http = frozen
    items = all_pages(http, "/petitions.json?q=school%20meals&count=50")
    assert items and all("school meals" in item["attributes"]["action"].lower() for item in items)
    by_details = all_pages(http, "/petitions.json?q=ring-fenced&count=50")
    assert by_details
    assert all("ring-fenced" in item["attributes"]["additional_details"] for item in by_details)


def test_digits_only_query_naming_a_petition_redirects_to_its_page(frozen):
    server, http = frozen
    petition_id = server.world.ids("open")[0]
    response = http.get(f"/petitions.json?q={petition_id}")
    assert response.status_code == 302
    assert response.headers["location"] == f"{server.url}/petitions/{petition_id}"
    assert http.get("/petitions.json?q=123").status_code == 200


def test_topic_filter(frozen):
    _, http = frozen
    items = all_pages(http, "/petitions.json?topic=health&count=50")
    assert items and all("health" in item["attributes"]["topics"] for item in items)
    assert http.get("/petitions.json?topic=no-such-topic").json()["data"] == []


def test_csv_lists_every_match_in_id_order(frozen):
    server, http = frozen
    response = http.get("/petitions.csv?state=open")
    assert response.headers["content-disposition"] == "attachment; filename=filtered-petitions.csv"
    lines = response.text.splitlines()
    assert lines[0] == '"Petition","URL","State","Signatures Count"'
    rows = list(csv.reader(lines[1:]))
    assert [int(url.rsplit("/", 1)[1]) for _, url, _, _ in rows] == server.world.ids("open")
    first = server.world.ids("open")[0]
    assert lines[1].endswith(f'/petitions/{first}","open",{server.world.count(first)}')
    archived = http.get("/archived/petitions.csv")
    assert archived.headers["content-disposition"] == "attachment; filename=filtered-archived-petitions.csv"
    assert len(archived.text.splitlines()) == 1 + len(server.world.ids("archived"))


# --- caching --------------------------------------------------------------------------------------


def test_single_petition_honours_if_modified_since(simulator, http):
    url = f"/petitions/{biggest(simulator)}.json"
    response = http.get(url)
    cache_control = response.headers["cache-control"]
    assert re.fullmatch(r"max-age=\d+, public, stale-while-revalidate=\d+, stale-if-error=\d+", cache_control)
    assert "etag" not in response.headers
    last_modified = parsedate_to_datetime(response.headers["last-modified"])
    assert last_modified.second % 10 == 0
    unchanged = http.get(url, headers={"If-Modified-Since": response.headers["last-modified"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    earlier = format_datetime(last_modified - timedelta(seconds=10), usegmt=True)
    assert http.get(url, headers={"If-Modified-Since": earlier}).status_code == 200


def test_lists_have_weak_etags_that_change_with_the_counts(frozen):
    server, http = frozen
    first = http.get("/petitions.json?state=open")
    assert first.headers["cache-control"] == "max-age=0, private, must-revalidate"
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert http.get("/petitions.json?state=open", headers={"If-None-Match": etag}).status_code == 304
    server.world.advance(3600)
    changed = http.get("/petitions.json?state=open", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_static_documents(simulator, http):
    topics = http.get("/topics.json")
    assert topics.headers["cache-control"] == "max-age=60, public, stale-while-revalidate=120, stale-if-error=300"
    assert topics.json()["health"] == {"code": "health", "name": "Health and social care"}
    parliaments = http.get("/parliaments.json").json()
    assert [row["period"] for row in parliaments] == ["2019-2024", "2017-2019", "2015-2017", "2010-2015"]
    assert LONDON.fullmatch(parliaments[0]["dissolution_at"])
    seat = next(iter(http.get("/constituencies.json").json().values()))
    assert set(seat) == {"mp", "party", "constituency", "ons_code", "start_date", "end_date"}
    period = http.get("/parliaments/2019-2024.json").json()
    assert period["period"] == "2019-2024" and len(period["constituencies"]) == 650
    assert http.get("/parliaments/1999-2000.json").status_code == 404


def test_trending_counts_the_last_hour_only(simulator, http):
    body = http.get("/trending.json").json()
    assert body["links"]["self"] == f"{simulator.url}/trending.json"
    assert 0 < len(body["data"]) <= 10
    assert re.fullmatch(r".*T\d\d:\d\d:00\.000Z", body["meta"]["updated_at"])
    top = body["data"][0]
    assert top["attributes"]["signature_count"] < simulator.world.count(top["id"])
    last_hours = [item["attributes"]["signature_count"] for item in body["data"]]
    assert last_hours == sorted(last_hours, reverse=True)


# --- the clock ------------------------------------------------------------------------------------


def test_clock_speed_makes_counts_grow():
    with SimulatorServer(speed=7200, seed=2) as server, httpx.Client(base_url=server.url) as client:
        petition_id = max(server.world.ids("open"), key=server.world.signatures_in_last_hour)
        before = client.get(f"/petitions/{petition_id}/count.json").json()["signature_count"]
        time.sleep(0.5)  # an hour of simulated time
        after = client.get(f"/petitions/{petition_id}/count.json").json()["signature_count"]
    assert after > before


def test_response_threshold_is_stamped_when_crossed(frozen):
    server, http = frozen
    world = server.world
    now = world.now()
    petition_id = next(
        pid for pid in world.ids("open")
        if world.count(pid) < 10_000 <= world.count(pid, now + timedelta(days=20))
    )
    url = f"/petitions/{petition_id}.json"
    assert http.get(url).json()["data"]["attributes"]["response_threshold_reached_at"] is None
    world.advance(20 * 86400)
    attributes = http.get(url).json()["data"]["attributes"]
    stamped = datetime.fromisoformat(attributes["response_threshold_reached_at"].replace("Z", "+00:00"))
    assert now < stamped <= world.now()
    assert attributes["signature_count"] >= 10_000


def test_set_count_stamps_and_resets_thresholds_and_a_response_follows(frozen):
    server, http = frozen
    world = server.world
    petition_id = next(
        pid for pid in world.ids("open")
        if world.count(pid) < 1000 and (world.plan(pid).response_delay_days or 99) < 40
    )
    count_url = f"/petitions/{petition_id}/count.json"
    world.set_count(petition_id, 100_500)
    body = http.get(count_url).json()
    assert body["signature_count"] == 100_500
    assert body["response_threshold_reached_at"] and body["debate_threshold_reached_at"]
    world.set_count(petition_id, 9_990)  # invalidated signatures take it back under 10k
    body = http.get(count_url).json()
    assert body["response_threshold_reached_at"] is None and body["debate_threshold_reached_at"] is None
    world.set_count(petition_id, 10_001)
    world.advance(45 * 86400)
    attributes = http.get(f"/petitions/{petition_id}.json").json()["data"]["attributes"]
    response = attributes["government_response"]
    assert TS.fullmatch(attributes["government_response_at"])
    assert DATE.fullmatch(response["responded_on"]) and response["summary"]
    assert re.search(r"\w\[1\]", response["details"]) and "\n[1]: https://" in response["details"]
    assert attributes["updated_at"] >= attributes["government_response_at"]


def test_same_seed_and_start_give_the_same_site():
    first, second = World(seed=9, speed=0, start=START), World(seed=9, speed=0, start=START)
    other = World(seed=10, speed=0, start=START)
    assert first.ids("open") == second.ids("open")
    assert [first.count(pid) for pid in first.ids("open")] == [
        second.count(pid) for pid in second.ids("open")]
    assert first.ids("open") != other.ids("open")


# --- faults ---------------------------------------------------------------------------------------


@pytest.fixture
def faulty(simulator, http):
    return simulator, http, f"/petitions/{simulator.world.ids('open')[0]}.json"


@pytest.mark.parametrize("status", [403, 404, 410, 500])
def test_forced_error_statuses(faulty, status):
    server, http, url = faulty
    server.faults.force(str(status), path_contains="/petitions/")
    response = http.get(url)
    assert response.status_code == status and response.json()["status"] == status
    assert http.get(url).status_code == 200  # times=1: only once


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_statuses_say_when_to_retry(faulty, status):
    server, http, url = faulty
    server.faults.force(str(status), retry_after=7)
    response = http.get(url)
    assert response.status_code == status and response.headers["retry-after"] == "7"


def test_forced_fault_only_hits_matching_paths_and_counts_down(faulty):
    server, http, url = faulty
    server.faults.force("500", path_contains="count.json", times=2)
    assert http.get(url).status_code == 200
    count_url = url.replace(".json", "/count.json")
    assert [http.get(count_url).status_code for _ in range(3)] == [500, 500, 200]
    assert server.faults.pending() == 0


def test_latency(faulty):
    server, http, url = faulty
    server.faults.force("latency", seconds=0.3)
    started = time.monotonic()
    assert http.get(url).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_timeout_outlasts_the_client_and_stop_is_prompt(faulty):
    server, http, url = faulty
    server.faults.force("timeout")
    with pytest.raises(httpx.ReadTimeout):
        http.get(url, timeout=0.3)
    assert server.request_log[-1][2] == 0


def test_stop_is_prompt_with_a_request_hanging():
    server = SimulatorServer(speed=0).start()
    server.faults.force("timeout")
    errors = []

    def hang():
        try:
            httpx.get(f"{server.url}/petitions.json", timeout=30)
        except httpx.HTTPError as error:
            errors.append(error)

    client = threading.Thread(target=hang)
    client.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    client.join(5)
    assert errors and isinstance(errors[0], httpx.RemoteProtocolError)


def test_drop_closes_without_a_response(faulty):
    server, http, url = faulty
    server.faults.force("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url)
    assert http.get(url).status_code == 200


def test_truncated_is_a_valid_start_of_json_cut_off(faulty):
    server, http, url = faulty
    server.faults.force("truncated")
    response = http.get(url)
    assert response.status_code == 200 and response.text.startswith('{"links":{"self":')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    server.faults.force("truncated", incomplete=True)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url)


def test_malformed_is_not_json(faulty):
    server, http, url = faulty
    server.faults.force("malformed")
    response = http.get(url)
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("status", [200, 500])
def test_html_error_page(faulty, status):
    server, http, url = faulty
    server.faults.force("html", status=status)
    response = http.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html") and "<html" in response.text


def test_drift_renames_adds_and_drops_keys(faulty):
    server, http, url = faulty
    server.faults.force("drift")
    attributes = http.get(url).json()["data"]["attributes"]
    assert "open_at" in attributes and "opened_at" not in attributes
    assert "x_simulator_unknown" in attributes
    assert "closing_date" not in attributes and "topics" not in attributes
    assert attributes["signature_count"] >= 0 and attributes["action"]
    server.faults.force("drift")
    count = http.get(url.replace(".json", "/count.json")).json()
    assert set(count) == {"signature_count", "x_simulator_unknown"}  # the pre-2025 minimal form


def test_fault_spec_string_applies_at_random(simulator):
    with SimulatorServer(speed=0, faults="latency=0.01,error503=1") as server:
        with httpx.Client(base_url=server.url) as client:
            assert {client.get("/topics.json").status_code for _ in range(3)} == {503}
    with pytest.raises(ValueError, match="bogus"):
        FaultPlan.from_spec("bogus=1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultPlan.from_spec("error500=2")


def test_request_log_counts_requests(faulty):
    server, http, url = faulty
    before = len(server.request_log)
    http.get(url)
    http.get("/petitions/abc.json")
    assert server.request_log[before:] == [("GET", url, 200), ("GET", "/petitions/abc.json", 400)]


# --- the command ----------------------------------------------------------------------------------


def test_main_serves_until_terminated():
    process = subprocess.Popen(
        [sys.executable, "-m", "petitiondesk.simulator", "--port", "0", "--speed", "0", "--open", "20"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert httpx.get(f"{url}/topics.json").status_code == 200
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()


def test_main_rejects_a_bad_fault_spec(capsys):
    from petitiondesk.simulator import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--faults", "bogus=1"])
    assert exit_info.value.code == 2
    assert "bogus" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "words"), [
    (["--port", "99999"], "port"),
    (["--speed", "-5"], "speed"),
    (["--speed", "nan"], "speed"),
    (["--faults", "latency=-1"], "latency"),
    (["--faults", "latency=nan"], "latency"),
])
def test_main_refuses_impossible_settings_with_a_usage_error(capsys, argv, words):
    from petitiondesk.simulator import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


# --- the population ----------------------------------------------------------------------------------


def test_the_population_ends_as_real_petitions_did():
    # Of 2,220 real petitions that reached 10,000 (shared reference final-counts-10k-plus.json, 2010-2024):
    # 50.9 % ended below 20,000 and 16.4 % reached 100,000.
    world = World(seed=11, speed=0, start=START, open_count=3000, archived_count=3000)
    finals = [world.natural_count(world.plan(pid), world.plan(pid).deadline)
              for pid in world.ids("closed") + world.ids("archived") + world.ids("open")
              if world.plan(pid).opened_at is not None]
    popular = [final for final in finals if final >= 10_000]
    assert 0.07 < len(popular) / len(finals) < 0.13
    assert 0.45 < sum(final < 20_000 for final in popular) / len(popular) < 0.56
    assert 0.13 < sum(final >= 100_000 for final in popular) / len(popular) < 0.21
    assert max(finals) > 300_000


def test_signing_has_a_daily_rhythm_and_launch_bursts_decay():
    world = World(seed=11, speed=0, start=START, open_count=600, archived_count=0)
    night = day = first_days = a_month_on = 0

    def gained(plan, since: timedelta, until: timedelta) -> int:
        midnight = plan.opened_at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        return world.natural_count(plan, midnight + until) - world.natural_count(plan, midnight + since)

    for plan in map(world.plan, world.ids("closed")):
        night += gained(plan, timedelta(hours=2), timedelta(hours=6))  # 02-06 UTC
        day += gained(plan, timedelta(hours=14), timedelta(hours=18))  # 14-18 UTC
        first_days += gained(plan, timedelta(0), timedelta(days=2))
        a_month_on += gained(plan, timedelta(days=30), timedelta(days=32))
    assert day > 2 * night
    assert first_days > 3 * a_month_on
