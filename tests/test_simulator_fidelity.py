"""The simulator held to the site's own request specs and controllers (alphagov/e-petitions at
c87c8b6, 2026-08-19). Each test names the spec (or, where the site has no request spec for it, the
controller or model) lines it is derived from; docs/SIMULATOR.md lists what is approximated."""

from __future__ import annotations

import csv
import io
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from petitiondesk.simulator import documents
from test_simulator import all_pages

CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET",
    "access-control-allow-headers": "Origin, X-Requested-With, Content-Type, Accept",
}
JSON_TYPE = "application/json; charset=utf-8"


def with_response(server) -> list[int]:
    return [pid for pid in server.world.ids("archived") if server.world.milestones(pid).government_response_at]


# --- formats ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/petitions.xml",  # spec/requests/petitions_list_spec.rb:23
    "/archived/petitions.xml",  # spec/requests/archived_petitions_list_spec.rb:27
    "/parliaments.xml",  # spec/requests/parliaments_spec.rb:31
    "/parliaments",  # spec/requests/parliaments_spec.rb:26 (HTML is not a format it renders)
    "/constituencies",  # spec/requests/disallowed_format_spec.rb:441
    "/constituencies.html",  # spec/requests/disallowed_format_spec.rb:431
])
def test_formats_a_route_does_not_render_are_not_acceptable(frozen, path):
    _, http = frozen
    assert http.get(path).status_code == 406


def test_a_petition_in_xml_is_not_acceptable(frozen):
    # spec/requests/petition_show_spec.rb:26 and archived_petition_show_spec.rb:26
    server, http = frozen
    assert http.get(f"/petitions/{server.world.ids('open')[0]}.xml").status_code == 406
    assert http.get(f"/archived/petitions/{server.world.ids('archived')[0]}.xml").status_code == 406


@pytest.mark.parametrize("path", ["/trending", "/trending.xml"])
def test_trending_exists_only_as_json(frozen, path):
    # spec/requests/trending_petitions_spec.rb:23-31; config/routes.rb:31-37 (`scope format: true`)
    _, http = frozen
    assert http.get(path).status_code == 404
    assert http.get(path, headers={"Accept": "application/json"}).status_code == 404


def test_the_accept_header_chooses_json_csv_or_nothing(frozen):
    # spec/requests/disallowed_format_spec.rb:98-114 ("a route that supports html, json and csv formats")
    server, http = frozen
    as_json = http.get("/petitions", headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.headers["content-type"] == JSON_TYPE
    as_csv = http.get("/petitions", headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert http.get("/petitions", headers={"Accept": "application/xml"}).status_code == 406
    # disallowed_format_spec.rb:415-429: constituencies by Accept header
    assert http.get("/constituencies", headers={"Accept": "application/json"}).status_code == 200
    assert http.get("/constituencies", headers={"Accept": "text/html"}).status_code == 406


def test_html_only_pages_refuse_json(frozen):
    # spec/requests/disallowed_format_spec.rb:228-242 with the shared examples at 11-38
    server, http = frozen
    pending = server.world.ids("pending")[0]
    assert http.get(f"/petitions/{pending}/gathering-support.json").status_code == 406
    headers = {"Accept": "application/json"}
    assert http.get(f"/petitions/{pending}/gathering-support", headers=headers).status_code == 406
    assert http.get(f"/petitions/{pending}/gathering-support").status_code == 200


def test_an_unknown_extension_redirects_and_an_unknown_accept_is_not_acceptable(frozen):
    # spec/requests/unknown_format_spec.rb:6-27
    server, http = frozen
    petition_id = server.world.ids("open")[0]
    moved = http.get(f"/petitions/{petition_id}.please")
    assert moved.status_code == 302 and moved.headers["location"] == f"{server.url}/petitions/{petition_id}"
    assert http.get(moved.headers["location"]).status_code == 200
    assert http.get(f"/petitions/{petition_id}", headers={"Accept": "application/please"}).status_code == 406


# --- links -----------------------------------------------------------------------------------------


def test_archived_list_links(frozen):
    # spec/requests/archived_petitions_list_spec.rb:40-101
    server, http = frozen
    base = f"{server.url}/archived/petitions.json"
    assert http.get("/archived/petitions.json").json()["links"]["self"] == base
    links = http.get("/archived/petitions.json?count=2").json()["links"]
    last = len(server.world.ids("archived")) // 2 + len(server.world.ids("archived")) % 2
    assert links["first"] == f"{base}?count=2" and links["last"] == f"{base}?count=2&page={last}"
    assert links["next"] == f"{base}?count=2&page=2" and links["prev"] is None
    second = http.get("/archived/petitions.json?count=2&page=2").json()["links"]
    assert second["prev"] == f"{base}?count=2"
    empty = http.get("/archived/petitions.json?count=2&page=3&q=xyzzyq").json()
    assert empty["data"] == [] and empty["links"]["last"] == empty["links"]["first"] == f"{base}?count=2&q=xyzzyq"
    assert empty["links"]["prev"] == f"{base}?count=2&q=xyzzyq" and empty["links"]["next"] is None


def test_trending_links_to_itself_and_quantizes_its_time(frozen):
    # spec/requests/trending_petitions_spec.rb:37-42 and 113-118
    server, http = frozen
    body = http.get("/trending.json?anything=1").json()
    assert body["links"]["self"] == f"{server.url}/trending.json"
    assert body["meta"]["updated_at"].endswith(":00.000Z")


# --- archived petitions ----------------------------------------------------------------------------


def test_archived_list_items_carry_their_parliament(frozen):
    # app/views/archived/petitions/_petition.json.jbuilder:3-14 (links in collections, then parliament);
    # spec/requests/archived_petitions_list_spec.rb:131-146 and archived_petition_show_spec.rb:76-83
    server, http = frozen
    item = http.get("/archived/petitions.json?count=1").json()["data"][0]
    assert list(item) == ["type", "id", "links", "parliament", "attributes"]
    assert item["links"]["self"] == f"{server.url}/archived/petitions/{item['id']}.json"
    shown = http.get(item["links"]["self"]).json()["data"]
    assert item["parliament"] == shown["parliament"]
    assert item["parliament"]["period"] == "2019-2024" and item["parliament"]["response_threshold"] == 10000


def test_archived_list_is_by_signatures(frozen):
    # spec/requests/archived_petitions_list_spec.rb:114-129
    _, http = frozen
    counts = [item["attributes"]["signature_count"] for item in all_pages(http, "/archived/petitions.json?count=50")]
    assert counts == sorted(counts, reverse=True) and len(set(counts)) > 10


@pytest.mark.parametrize("state", ["rejected", "with_response"])
def test_archived_rejected_and_with_response_are_by_signatures(frozen, state):
    # app/models/archived/petition.rb:66 and 68 (the live facets of these names are by date)
    _, http = frozen
    items = all_pages(http, f"/archived/petitions.json?state={state}&count=50")
    counts = [item["attributes"]["signature_count"] for item in items]
    assert len(items) > 3 and counts == sorted(counts, reverse=True)
    created = [item["attributes"]["created_at"] for item in items]
    assert created != sorted(created, reverse=True)  # not the live facets' newest-first


def test_the_live_url_of_an_archived_petition_redirects_keeping_json_and_cors(frozen):
    # spec/requests/archived_petition_show_spec.rb:31-41
    server, http = frozen
    petition_id = server.world.ids("archived")[0]
    moved = http.get(f"/petitions/{petition_id}.json")
    assert moved.status_code == 302
    assert moved.headers["location"] == f"{server.url}/archived/petitions/{petition_id}.json"
    assert {name: moved.headers[name] for name in CORS} == CORS
    assert http.get(f"/petitions/{petition_id}/count.json").status_code == 404  # not in the live table


def test_a_removed_archived_petition_is_gone_and_its_live_url_leads_there(frozen):
    # spec/requests/removed_petitions_spec.rb:13-20; archived/petitions_controller.rb:79-82;
    # petitions_controller.rb:128-132 (the archived redirect runs before anything else)
    server, http = frozen
    petition_id = server.world.ids("archived")[0]
    server.world.remove(petition_id)
    assert http.get(f"/archived/petitions/{petition_id}.json").status_code == 410
    assert http.get(f"/archived/petitions/{petition_id}").status_code == 410
    moved = http.get(f"/petitions/{petition_id}.json")
    assert moved.status_code == 302 and moved.headers["location"].endswith(f"/archived/petitions/{petition_id}.json")
    assert petition_id not in [item["id"] for item in all_pages(http, "/archived/petitions.json?count=50")]


def test_a_petition_hidden_after_opening_is_gone(frozen):
    # spec/requests/removed_petitions_spec.rb:4-11
    server, http = frozen
    assert http.get(f"/petitions/{server.world.ids('hidden')[0]}").status_code == 410


def test_archived_last_modified_is_updated_at_to_the_second(frozen):
    # app/models/archived/petition.rb:509-511 (the live model rounds to 10 s: petition.rb:1178-1180)
    server, http = frozen
    seen = []
    for petition_id in with_response(server):
        response = http.get(f"/archived/petitions/{petition_id}.json")
        stated = response.json()["data"]["attributes"]["updated_at"]
        modified = parsedate_to_datetime(response.headers["last-modified"])
        assert modified == documents.updated_at(server.world, petition_id, server.world.now()).replace(microsecond=0)
        assert stated.startswith(modified.strftime("%Y-%m-%dT%H:%M:%S"))
        seen.append(modified.second % 10)
    assert any(seen)  # some are not on a 10-second boundary


# --- petitions that are not open -------------------------------------------------------------------


@pytest.mark.parametrize("kind, page", [("pending", "gathering-support"), ("moderation", "moderation-info")])
def test_count_of_a_petition_not_open_yet_answers_while_its_page_redirects(frozen, kind, page):
    # petitions_controller.rb:17-22: the redirect filters are `only: [..., :show]`; `count` is not among them
    server, http = frozen
    petition_id = server.world.ids(kind)[0]
    shown = http.get(f"/petitions/{petition_id}.json")
    assert shown.status_code == 302 and shown.headers["location"] == f"{server.url}/petitions/{petition_id}/{page}"
    count = http.get(f"/petitions/{petition_id}/count.json")
    assert count.status_code == 200 and count.headers["content-type"] == JSON_TYPE
    assert count.json()["signature_count"] == server.world.count(petition_id) > 0
    assert {name: count.headers[name] for name in CORS} == CORS  # petitions_controller.rb:6


def test_a_published_petition_opens_in_place(frozen):
    server, http = frozen
    petition_id = server.world.ids("moderation")[0]
    server.world.publish(petition_id)
    shown = http.get(f"/petitions/{petition_id}.json")
    assert shown.status_code == 200 and shown.json()["data"]["attributes"]["state"] == "open"


def test_stopped_and_dormant_petitions(frozen):
    # app/models/petition.rb:21 (SHOW_STATES has stopped, not dormant); petitions_controller.rb:20, 222-224
    server, http = frozen
    stopped, dormant = server.world.ids("stopped")[0], server.world.ids("dormant")[0]
    moved = http.get(f"/petitions/{stopped}.json")
    assert moved.status_code == 302 and moved.headers["location"] == f"{server.url}/"
    assert http.get(f"/petitions/{stopped}/count.json").status_code == 200
    assert http.get(f"/petitions/{dormant}.json").status_code == 404
    assert http.get(f"/petitions/{dormant}/count.json").status_code == 404


def test_a_petition_hidden_before_it_opened_is_not_found(frozen):
    # app/models/petition.rb:21 (hidden is not in SHOW_STATES) and :480-486 (410 only once it had opened)
    server, http = frozen
    hidden = server.world.ids("hidden_unpublished")[0]
    assert http.get(f"/petitions/{hidden}.json").status_code == 404
    assert http.get(f"/petitions/{hidden}/count.json").status_code == 404


def test_an_archived_petition_stopped_at_dissolution_is_not_found_on_the_archive(frozen):
    # petitions_controller.rb:128-132 (any archived row redirects), archived/petitions_controller.rb:84 (visible only)
    server, http = frozen
    stopped = server.world.ids("archived_stopped")[0]
    moved = http.get(f"/petitions/{stopped}.json")
    assert moved.status_code == 302 and moved.headers["location"].endswith(f"/archived/petitions/{stopped}.json")
    assert http.get(moved.headers["location"]).status_code == 404
    assert stopped not in [item["id"] for item in all_pages(http, "/archived/petitions.json?count=50")]


@pytest.mark.parametrize("path", [
    "/archived/petitions/not-a-number",  # spec/requests/invalid_ids_spec.rb:4
    "/petitions/not-a-number",  # invalid_ids_spec.rb:18
    "/petitions/not-a-number/count.json",  # invalid_ids_spec.rb:25
    "/petitions/not-a-number/gathering-support",  # invalid_ids_spec.rb:32
    "/petitions/not-a-number/moderation-info",  # invalid_ids_spec.rb:39
    "/petitions?q=bad%00request",  # spec/requests/bad_requests_spec.rb:4
])
def test_bad_ids_and_null_bytes_are_bad_requests(frozen, path):
    _, http = frozen
    assert http.get(path).status_code == 400


# --- caching ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/constituencies.json", "/parliaments.json", "/parliaments/2010-2015.json",
                                  "/topics.json"])
def test_static_documents_are_cached_a_minute_and_revalidate(frozen, path):
    # spec/requests/caching_spec.rb:84-97 (and the shared example at 17-23); fresh_when in their controllers
    _, http = frozen
    response = http.get(path)
    assert response.headers["cache-control"] == "max-age=60, public, stale-while-revalidate=120, stale-if-error=300"
    since = response.headers["last-modified"]
    assert http.get(path, headers={"If-Modified-Since": since}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(since).replace(year=2020), usegmt=True)
    assert http.get(path, headers={"If-Modified-Since": earlier}).status_code == 200


def test_archived_petitions_are_cached_two_minutes(frozen):
    # spec/requests/caching_spec.rb:155-163
    server, http = frozen
    response = http.get(f"/archived/petitions/{server.world.ids('archived')[0]}.json")
    assert response.headers["cache-control"] == "max-age=120, public, stale-while-revalidate=240, stale-if-error=600"


def test_the_petition_list_keeps_rails_default_caching(frozen):
    # spec/requests/cache_control_header_spec.rb:7-15
    _, http = frozen
    assert http.get("/petitions.json").headers["cache-control"] == "max-age=0, private, must-revalidate"


# --- parliaments and constituencies ----------------------------------------------------------------


def test_parliaments_most_recently_archived_first_each_with_its_own_page(frozen):
    # spec/requests/parliaments_spec.rb:58-77 and 99-129
    _, http = frozen
    parliaments = http.get("/parliaments.json").json()
    assert [row["period"] for row in parliaments] == ["2019-2024", "2017-2019", "2015-2017", "2010-2015"]
    for row in parliaments:
        assert list(row) == ["period", "dissolution_at", "government", "response_threshold", "debate_threshold"]
        page = http.get(f"/parliaments/{row['period']}.json").json()
        assert {key: page[key] for key in row} == row
        seat = next(iter(page["constituencies"].values()))
        assert list(seat) == ["constituency", "ons_code", "start_date", "end_date"]
    assert http.get("/parliaments/1999-2000.json").status_code == 404


def test_constituencies_of_a_period_and_of_the_current_parliament(frozen):
    # config/routes.rb:3-9: /parliaments/:period/constituencies with period \d{4}-\d{4} or "current"
    _, http = frozen
    current = http.get("/constituencies.json").json()
    assert http.get("/parliaments/current/constituencies.json").json() == current
    old = http.get("/parliaments/2019-2024/constituencies.json").json()
    assert set(old).isdisjoint(current) and len(old) == 650
    assert http.get("/parliaments/1999-2000/constituencies.json").status_code == 404


# --- search and the list parameters ----------------------------------------------------------------


def test_q_matches_whole_stemmed_words(frozen):
    # app/models/concerns/hybrid_searching.rb:33-42: to_tsvector('english', column) @@ plainto_tsquery per column
    server, http = frozen
    found = all_pages(http, "/petitions.json?q=firework&count=50")
    assert found and all("firework" in item["attributes"]["action"].lower() for item in found)
    assert any("fireworks" in item["attributes"]["action"].lower() for item in found)
    allowance = all_pages(http, "/petitions.json?q=allowances&count=50")
    assert any("allowance" in item["attributes"]["action"].lower() for item in allowance)
    assert http.get("/petitions.json?q=lowan").json()["data"] == []  # part of a word finds nothing
    assert http.get("/petitions.json?q=the").json()["data"] == []  # a stop word alone finds nothing


def test_query_comes_before_q_and_digits_redirect_on_the_archive_too(frozen):
    # petitions_controller.rb:138-142, 178-180 and archived/petitions_controller.rb:114-122
    server, http = frozen
    live, archived = server.world.ids("open")[0], server.world.ids("archived")[0]
    assert http.get(f"/petitions.json?query=&q={live}").status_code == 200  # an empty query= wins
    moved = http.get(f"/petitions.json?query={live}")
    assert moved.status_code == 302 and moved.headers["location"] == f"{server.url}/petitions/{live}"
    moved = http.get(f"/archived/petitions.json?q={archived}")
    assert moved.status_code == 302 and moved.headers["location"] == f"{server.url}/archived/petitions/{archived}"
    assert http.get(f"/archived/petitions.json?q={live}").status_code == 200  # not an archived petition


def test_the_parliament_parameter(frozen):
    # archived/petitions_controller.rb:39-43 (Integer() or 400), 51-57 (Parliament.archived.find or 404)
    server, http = frozen
    assert http.get("/archived/petitions.json?parliament=abc").status_code == 400
    assert http.get("/archived/petitions.json?parliament=999").status_code == 404
    chosen = http.get("/archived/petitions.json?parliament=4&count=2").json()
    assert chosen["data"] and chosen["links"]["next"].endswith("?count=2&page=2&parliament=4")
    assert http.get("/archived/petitions.json?parliament=1").json()["data"] == []  # none kept from 2010-15
    moved = http.get("/archived/petitions.json?state=bogus&parliament=4")
    assert moved.status_code == 302 and "parliament=4" in moved.headers["location"]  # search_params: :125


def test_csv_quotes_its_header_and_text_columns_and_names_the_archive(frozen):
    # app/views/petitions/index.csv.ruby:12-14 and archived/petitions/index.csv.ruby; archived controller :92-94
    server, http = frozen
    live = http.get("/petitions.csv?state=open")
    lines = live.text.splitlines()
    assert lines[0] == '"Petition","URL","State","Signatures Count"'
    assert lines[1].startswith('"') and lines[1].rsplit(",", 1)[1].isdigit()
    archived = http.get("/archived/petitions.csv")
    assert archived.headers["content-disposition"] == "attachment; filename=filtered-archived-petitions.csv"
    rows = list(csv.reader(io.StringIO(archived.text)))[1:]
    assert [int(url.rsplit("/", 1)[1]) for _, url, _, _ in rows] == server.world.ids("archived")


# --- other routes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path, location", [
    ("/departments", "/"),  # spec/requests/redirects_spec.rb:8
    ("/api/petitions", "/"),  # redirects_spec.rb:16
    ("/privacy-policy", "/privacy"),  # redirects_spec.rb:24
    ("/terms-and-conditions", "/help"),  # redirects_spec.rb:32
    ("/help/standards", "/standards"),  # redirects_spec.rb:40
    ("/faq", "/help"),  # redirects_spec.rb:56
])
def test_legacy_paths_move_permanently(frozen, path, location):
    server, http = frozen
    moved = http.get(path)
    assert moved.status_code == 301 and moved.headers["location"] == f"{server.url}{location}"
    assert moved.headers["cache-control"] == "max-age=3155695200, public"


def test_local_petitions(frozen):
    # app/views/local_petitions/_petitions.json.jbuilder; local_petitions_controller.rb (top 50 by the seat's
    # signatures); spec/requests/caching_spec.rb:71-82 (cached for the count interval)
    server, http = frozen
    seat = next(seat for seat in server.world.seats if seat.mp)
    open_only = http.get(f"/petitions/local/{documents.slug(seat.name)}.json")
    body = open_only.json()
    assert body["constituency"] == seat.name and body["mp"]["name"] == seat.mp
    petitions = body["petitions"]
    assert 0 < len(petitions) <= 50 and {row["state"] for row in petitions} == {"open"}
    local = [row["constituency_signature_count"] for row in petitions]
    assert local == sorted(local, reverse=True)
    assert all(row["total_signature_count"] > row["constituency_signature_count"] for row in petitions)
    assert open_only.headers["cache-control"].startswith("max-age=")
    every = http.get(f"/petitions/local/{documents.slug(seat.name)}/all.json").json()["petitions"]
    assert "closed" in {row["state"] for row in every}
    assert http.get("/petitions/local/no-such-place.json").status_code == 404
    # app/views/local_petitions/show.csv.ruby and local_petitions_controller.rb:106-112 (the file name)
    as_csv = http.get(f"/petitions/local/{documents.slug(seat.name)}.csv")
    assert as_csv.headers["content-disposition"].endswith(f"open-popular-petitions-in-{documents.slug(seat.name)}.csv")
    lines = as_csv.text.splitlines()
    assert lines[0] == '"Petition","URL","State","Local Signatures","Total Signatures"'
    first = petitions[0]
    assert lines[1].endswith(f'"open",{first["constituency_signature_count"]},{first["total_signature_count"]}')
