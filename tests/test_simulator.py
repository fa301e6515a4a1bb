"""The simulator behaves like petition.parliament.uk (petitions-api.md), checked over real HTTP."""

from __future__ import annotations

import re

import httpx
import pytest

from petitiondesk.simulator import SimulatorServer

TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
LONDON = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[01]:00")


@pytest.fixture
def http(simulator):
    with httpx.Client(base_url=simulator.url, timeout=5) as client:
        yield client


def test_single_open_petition_has_the_documented_shape(simulator, http):
    petition_id = simulator.world.ids("open")[0]
    response = http.get(f"/petitions/{petition_id}.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["links"]["self"] == f"{simulator.url}/petitions/{petition_id}.json"
    data = body["data"]
    assert data["type"] == "petition" and data["id"] == petition_id
    attributes = data["attributes"]
    assert attributes["state"] == "open"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", attributes["closing_date"])
    assert TS.fullmatch(attributes["created_at"]) and TS.fullmatch(attributes["opened_at"])
    assert attributes["creator_name"]
    assert {"signatures_by_country", "signatures_by_constituency", "signatures_by_region"} <= attributes.keys()


def test_count_endpoint_uses_london_offsets(simulator, http):
    big = max(simulator.world.ids("open"), key=simulator.world.count)
    body = http.get(f"/petitions/{big}/count.json").json()
    assert body["signature_count"] >= 10_000
    assert LONDON.fullmatch(body["response_threshold_reached_at"])
    assert isinstance(body["debated"], bool)


@pytest.fixture
def frozen():
    """A simulator whose clock stands still, so that list order cannot shift between pages."""
    with SimulatorServer(port=0, speed=0, seed=7, open_count=120, archived_count=80) as server:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            yield server, client


def test_list_links_page_to_the_end(frozen):
    server, http = frozen
    url = "/petitions.json?state=open&count=50"
    seen = []
    while url:
        body = http.get(url).json()
        seen += [item["id"] for item in body["data"]]
        url = body["links"]["next"]
    assert sorted(seen) == sorted(server.world.ids("open"))
