"""Browsing and searching: the site's facets in its order, paging, search, numbers, related, trending."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from petitiondesk.core.browse import (
    ARCHIVED_FACETS,
    FACETS,
    TRENDING_LABEL,
    BrowseQuery,
    Browser,
    BrowseRow,
    filter_rows,
    load_all,
    numeric_reference,
    related,
    sort_rows,
    status_text,
    title_keywords,
    trending,
    trending_text,
)
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.models import Debate, GovernmentResponse, Petition
from petitiondesk.simulator import SimulatorServer
from petitiondesk.simulator.documents import petition_state

FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.fixture
def client(still_site):
    with PetitionsClient(still_site.url, min_interval=0, retries=0) as petitions:
        yield petitions


def list_requests(server: SimulatorServer, path: str) -> list[dict]:
    """The query of every request the site received for a list path."""
    found = []
    for method, target, _status in server.request_log:
        parts = urlsplit(target)
        if method == "GET" and parts.path == path:
            found.append({key: values[-1] for key, values in parse_qs(parts.query).items()})
    return found


# -- the site's own ordering (docs/API.md §3.1 and §6), computed from the simulated world ------------


def site_order(world, state: str, archived: bool) -> list[int]:
    now = world.now()
    ids = world.archived_ids() if archived else world.visible_ids()
    states = {pid: petition_state(world, pid, now) for pid in ids}
    created = {pid: world.plan(pid).created_at for pid in ids}
    marks = {pid: world.milestones(pid, now) for pid in ids if states[pid] != "rejected"}

    def by_count(pid):
        return (-world.count(pid, now), -created[pid].timestamp())

    def ts(moment):
        return (moment or FAR_PAST).timestamp()

    if state in ("all", "published"):
        return sorted((p for p in ids if state == "all" or states[p] != "rejected"), key=by_count)
    if archived and state == "rejected":  # by signatures on the archive (app/models/archived/petition.rb:66)
        return sorted((p for p in ids if states[p] == "rejected"), key=by_count)
    if archived and state == "with_response":  # likewise (archived/petition.rb:68)
        return sorted((p for p, m in marks.items() if m.government_response_at), key=by_count)
    if state in ("open", "closed"):
        return sorted((p for p in ids if states[p] == state), key=by_count)
    if state == "recent":
        return sorted((p for p in ids if states[p] == "open"), key=lambda p: -world.plan(p).opened_at.timestamp())
    if state == "rejected":
        return sorted((p for p in ids if states[p] == "rejected"), key=lambda p: -created[p].timestamp())
    if state == "awaiting_response":
        chosen = [p for p, m in marks.items() if m.response_threshold_at and not m.government_response_at]
        return sorted(chosen, key=lambda p: ts(marks[p].response_threshold_at))
    if state == "with_response":
        chosen = [p for p, m in marks.items() if m.government_response_at]
        return sorted(chosen, key=lambda p: -ts(marks[p].government_response_at))
    if state == "awaiting_debate":
        chosen = [p for p, m in marks.items() if m.debate_state in ("awaiting", "scheduled")]
        return sorted(chosen, key=lambda p: (marks[p].scheduled_debate_date is None,
                                             marks[p].scheduled_debate_date or date.max,
                                             ts(marks[p].debate_threshold_at)))
    if state == "debated":
        chosen = [p for p, m in marks.items() if m.debate_state == "debated"]
        return sorted(chosen, key=lambda p: (-(marks[p].scheduled_debate_date or date.min).toordinal(),
                                             -ts(marks[p].debate_outcome_at), -created[p].timestamp()))
    if state == "not_debated":
        chosen = [p for p, m in marks.items() if m.debate_state == "not_debated"]
        return sorted(chosen, key=lambda p: (-ts(marks[p].debate_outcome_at), -created[p].timestamp()))
    raise AssertionError(state)


def test_facets_are_the_sites_in_its_order():
    assert [f.state for f in FACETS] == ["all", "open", "recent", "closed", "rejected", "awaiting_response",
                                         "with_response", "awaiting_debate", "debated", "not_debated"]
    assert [f.state for f in ARCHIVED_FACETS] == ["all", "published", "rejected", "with_response", "debated",
                                                  "not_debated"]
    assert all(f.archived for f in ARCHIVED_FACETS) and not any(f.archived for f in FACETS)
    assert len({f.label for f in FACETS + ARCHIVED_FACETS}) == len(FACETS) + len(ARCHIVED_FACETS)


@pytest.mark.parametrize("facet", FACETS + ARCHIVED_FACETS, ids=lambda f: f.label)
def test_each_facet_lists_what_the_site_would_in_its_order(still_site, client, facet):
    browser = load_all(client, BrowseQuery(facet.state, archived=facet.archived))
    expected = site_order(still_site.world, facet.state, facet.archived)
    assert browser.finished and browser.error is None
    assert [row.id for row in browser.rows] == expected
    assert all(row.archived == facet.archived for row in browser.rows)


def test_paging_follows_next_links_to_the_end_asking_for_each_page_once(still_site, client):
    reported = []
    browser = load_all(client, BrowseQuery("all"), on_page=reported.append)
    total = len(still_site.world.visible_ids())
    pages = math.ceil(total / 50)
    assert pages >= 3
    requests = list_requests(still_site, "/petitions.json")
    assert sorted(int(query.get("page", "1")) for query in requests) == list(range(1, pages + 1))
    assert all(query["count"] == "50" for query in requests)
    assert [page.page for page in reported] == list(range(1, pages + 1))
    assert [len(page.rows) for page in reported] == [50] * (pages - 1) + [total - 50 * (pages - 1)]
    assert [page.has_more for page in reported] == [True] * (pages - 1) + [False]
    assert reported[-1].total == len(browser.rows) == total


def test_a_petition_that_moves_between_pages_is_listed_once(still_site, client):
    browser = Browser(client, BrowseQuery("open"))
    first = browser.fetch_next()
    leader = first.rows[0].id
    still_site.world.set_count(leader, 0)  # drops from the top of page 1 to the last page
    later = list(browser.pages())
    ids = [row.id for row in browser.rows]
    assert len(ids) == len(set(ids))
    assert ids.count(leader) == 1 and ids[0] == leader
    assert sum(page.duplicates for page in later) == 1


def test_stopping_between_pages_keeps_the_rows_and_resumes_later(still_site, client):
    browser = Browser(client, BrowseQuery("all"))
    seen = [page for page in browser.pages(should_stop=lambda: browser.pages_loaded >= 2)]
    assert len(seen) == 2 and len(browser.rows) == 100 and not browser.finished
    assert len(list_requests(still_site, "/petitions.json")) == 2
    list(browser.pages())
    assert browser.finished
    assert [row.id for row in browser.rows] == site_order(still_site.world, "all", False)


def test_a_failed_page_is_reported_and_keeps_what_was_loaded(still_site, client):
    still_site.faults.force("503", path_contains="page=3")
    browser = Browser(client, BrowseQuery("all"))
    pages = list(browser.pages())
    assert [page.error is None for page in pages] == [True, True, False]
    assert "maintenance" in pages[-1].error and pages[-1].has_more
    assert len(browser.rows) == 100 and not browser.finished
    list(browser.pages())  # retry: the fault was used up
    assert browser.finished and browser.error is None
    assert [row.id for row in browser.rows] == site_order(still_site.world, "all", False)


def test_search_finds_words_of_the_action(still_site, client):
    world = still_site.world
    target = world.plan(world.ids("open")[0])
    word = max(target.action.split(), key=len)
    browser = load_all(client, BrowseQuery("all", q=word))
    assert target.id in [row.id for row in browser.rows]
    for row in browser.rows:
        plan = world.plan(row.id)
        assert word.lower() in f"{plan.action} {plan.background} {plan.additional_details}".lower()
    assert len(browser.rows) < len(world.visible_ids())


def test_search_finds_words_only_in_the_background(still_site, client):
    world = still_site.world
    for pid in world.visible_ids():
        plan = world.plan(pid)
        words = [w for w in plan.background.split()
                 if w.isalpha() and len(w) > 5 and w.lower() not in plan.action.lower()]
        if words:
            break
    browser = load_all(client, BrowseQuery("all", q=words[0]))
    found = [row for row in browser.rows if row.id == pid]
    assert found and words[0].lower() not in found[0].action.lower()


@pytest.mark.parametrize("form", ["{id}", "#{id}", "https://petition.parliament.uk/petitions/{id}"])
def test_a_numeric_query_jumps_to_that_petition(still_site, client, form):
    pid = still_site.world.ids("closed")[3]
    browser = Browser(client, BrowseQuery("open", q=form.format(id=pid)))
    pages = list(browser.pages())
    assert [row.id for row in browser.rows] == [pid] and browser.finished
    assert pages[0].jumped_to == pid
    assert list_requests(still_site, "/petitions.json") == []  # the HTML redirect was never followed
    assert ("GET", f"/petitions/{pid}.json", 200) in still_site.request_log


def test_a_numeric_query_finds_an_archived_petition(still_site, client):
    pid = still_site.world.archived_ids()[5]
    browser = load_all(client, BrowseQuery("open", q=str(pid)))
    assert [(row.id, row.archived) for row in browser.rows] == [(pid, True)]
    shown = browser.rows[0].as_dict()
    assert shown["url"] == f"https://petition.parliament.uk/archived/petitions/{pid}"
    assert shown["opened_at"].endswith("Z") and shown["action"] == still_site.world.plan(pid).action


def test_a_number_that_names_no_petition_is_searched_as_text(still_site, client):
    world = still_site.world
    browser = load_all(client, BrowseQuery("all", q="2030"))  # no petition 2030: as in "by 2030"
    assert browser.finished and browser.error is None and browser.rows
    for row in browser.rows:
        plan = world.plan(row.id)
        assert "2030" in f"{plan.action} {plan.background} {plan.additional_details}"
    assert list_requests(still_site, "/petitions.json")[0]["q"] == "2030"


def test_a_link_to_a_missing_petition_says_so(still_site, client):
    browser = load_all(client, BrowseQuery("all", q="https://petition.parliament.uk/petitions/5"))
    assert browser.rows == [] and browser.finished
    assert "not found" in browser.error


def test_numeric_reference_accepts_only_references():
    assert numeric_reference(" 700123 ").id == 700123
    assert numeric_reference("#700123").id == 700123
    assert numeric_reference("https://petition.parliament.uk/archived/petitions/300001").archived
    for words in ("sewage 2030", "", None, "0", "https://example.com/petitions/1"):
        assert numeric_reference(words) is None


def test_an_unknown_facet_is_refused_before_any_request(client):
    with pytest.raises(ValueError, match="facet"):
        Browser(client, BrowseQuery("hidden"))
    with pytest.raises(ValueError):
        Browser(client, BrowseQuery("published", archived=False))


# -- related petitions -----------------------------------------------------------------------------


def test_related_petitions_share_a_topic_or_department_and_are_open(still_site, client):
    world = still_site.world
    petition = client.petition(world.ids("closed")[0]).value
    before = len(still_site.request_log)
    result = related(petition, client)
    assert result.error is None
    assert len(still_site.request_log) - before <= 2
    assert 0 < len(result.items) <= 5
    departments = {d.acronym for d in petition.departments}
    for item in result.items:
        assert item.row.id != petition.id and item.row.state == "open"
        assert set(item.row.topics) & set(petition.topics) or set(item.row.departments) & departments
    counts = [item.row.signature_count for item in result.items]
    assert counts == sorted(counts, reverse=True)
    # The most signed open petition of its first topic is among them.
    same_topic = [p for p in world.ids("open") if petition.topics[0] in world.plan(p).topics]
    assert max(same_topic, key=world.count) in [item.row.id for item in result.items]


def test_a_petition_whose_title_has_no_telling_words_has_no_related_and_costs_no_request(client, still_site):
    lonely = Petition(id=1, action="Stop this now", state="open", signature_count=1)
    assert related(lonely, client).items == ()
    assert still_site.request_log == []


def test_a_petition_without_topics_or_departments_finds_open_ones_with_similar_titles(client, still_site):
    """Petitions from before 2020 carry no topics or departments: fall back on shared title words."""
    world = still_site.world
    model = client.petition(world.ids("open")[0]).value
    old = Petition(id=1, action=model.action, state="closed", signature_count=10)  # no topics, no departments
    before = len(still_site.request_log)
    result = related(old, client)
    assert result.error is None
    assert len(still_site.request_log) - before <= 2
    ids = [item.row.id for item in result.items]
    assert model.id in ids  # the open petition of the same title is the first thing anyone would expect
    keywords = set(title_keywords(model.action))
    overlaps = [len(keywords & set(title_keywords(item.row.action))) for item in result.items]
    assert overlaps == sorted(overlaps, reverse=True) and overlaps[0] == len(keywords)  # most alike first
    for item in result.items:
        assert item.reason.startswith("similar title: ")
        assert set(item.reason.removeprefix("similar title: ").split(", ")) <= keywords


def test_title_keywords_drop_common_words_and_plurals():
    assert title_keywords("Ban the sale of fireworks to the public") == ["sale", "firework"]
    assert title_keywords("Make the Government review business rates") == ["business", "rate"]


# -- trending ----------------------------------------------------------------------------------------


def test_trending_counts_are_signatures_in_the_last_hour(still_site, client):
    result = trending(client)
    world = still_site.world
    assert result.error is None and result.items
    for item in result.items:
        assert item.signatures_last_hour == world.signatures_in_last_hour(item.id)
    assert any(item.signatures_last_hour < world.count(item.id) for item in result.items)
    assert "last hour" in TRENDING_LABEL.lower()
    assert trending_text(result.items[0]).endswith("in the last hour")


def test_trending_failure_is_a_message(still_site, client):
    still_site.faults.force("500", path_contains="trending")
    result = trending(client)
    assert result.items == () and "error" in result.error


# -- rows: status, sorting and filtering -------------------------------------------------------------

TODAY = date(2026, 3, 1)
STAMP = datetime(2026, 1, 5, 12, tzinfo=UTC)


def petition(**fields) -> Petition:
    base = dict(id=700001, action="Do a thing", state="open", signature_count=5)
    return Petition(**(base | fields))


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, ""),
        ({"response_threshold_reached_at": STAMP}, "awaiting response"),
        ({"response_threshold_reached_at": STAMP, "government_response": GovernmentResponse(summary="s")},
         "responded"),
        ({"debate_threshold_reached_at": STAMP}, "awaiting a debate decision"),
        ({"debate_threshold_reached_at": STAMP, "scheduled_debate_date": date(2026, 3, 3)},
         "debate scheduled for 3 Mar 2026"),
        ({"scheduled_debate_date": date(2026, 2, 27)}, "debated"),
        ({"debate": Debate(debated_on=date(2026, 2, 27))}, "debated"),
        ({"debate": Debate(debated_on=None)}, "not debated"),
        ({"government_response": GovernmentResponse(), "debate": Debate(debated_on=date(2026, 2, 1))},
         "responded, debated"),
    ],
)
def test_status_text_follows_the_ui_mapping(fields, expected):
    assert status_text(petition(**fields), today=TODAY) == expected


def rows_for_sorting() -> list[BrowseRow]:
    return [
        BrowseRow.from_petition(petition(id=1, action="beta", signature_count=10, opened_at=STAMP), TODAY),
        BrowseRow.from_petition(petition(id=2, action="Alpha", signature_count=30, state="rejected"), TODAY),
        BrowseRow.from_petition(petition(id=3, action="gamma", signature_count=10,
                                         opened_at=STAMP.replace(day=9)), TODAY),
        BrowseRow.from_petition(petition(id=4, action="delta", signature_count=20, opened_at=STAMP.replace(day=1),
                                         response_threshold_reached_at=STAMP), TODAY),
    ]


def test_sorting_keeps_ties_in_site_order_and_unknown_dates_last():
    rows = rows_for_sorting()
    assert [r.id for r in sort_rows(rows, "signature_count", descending=True)] == [2, 4, 1, 3]
    assert [r.id for r in sort_rows(rows, "signature_count")] == [1, 3, 4, 2]
    assert [r.id for r in sort_rows(rows, "action")] == [2, 1, 4, 3]  # case does not matter
    assert [r.id for r in sort_rows(rows, "opened_at")] == [4, 1, 3, 2]
    assert [r.id for r in sort_rows(rows, "opened_at", descending=True)] == [3, 1, 4, 2]
    assert [r.id for r in sort_rows(rows, "status")] == [4, 1, 2, 3]
    with pytest.raises(ValueError, match="cannot sort"):
        sort_rows(rows, "colour")


def test_filtering_matches_every_word_in_title_state_status_or_id():
    rows = rows_for_sorting()
    assert [r.id for r in filter_rows(rows, "ALPHA")] == [2]
    assert [r.id for r in filter_rows(rows, "open  awaiting")] == [4]
    assert [r.id for r in filter_rows(rows, "3")] == [3]
    assert [r.id for r in filter_rows(rows, "rejected beta")] == []
    assert [r.id for r in filter_rows(rows, "   ")] == [1, 2, 3, 4]
