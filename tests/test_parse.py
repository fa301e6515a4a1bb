"""Parsing what the site sends: real shapes, drift it must tolerate, and things that are not petitions."""

from __future__ import annotations

import copy
import json
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitiondesk.core.models import Petition, PetitionCount
from petitiondesk.core.parse import (
    ParseError,
    load_json,
    parse_constituencies,
    parse_count,
    parse_date,
    parse_list_page,
    parse_petition_document,
    parse_petition_item,
    parse_petitions_csv,
    parse_timestamp,
    parse_trending,
)

UTC = UTC
OPEN_SAMPLE = "composed-petition-open-752318.json"
DEBATED_SAMPLE = "composed-petition-closed-debated-701284.json"
LIST_SAMPLE = "composed-petitions-list-open-page2.json"


def load_sample(samples_dir, name: str) -> dict:
    return json.loads((samples_dir / name).read_text(encoding="utf-8"))


# --- the composed documents of tests/data (README.md there) ---------------------------------------


def test_debated_sample_gives_its_debate_response_and_breakdowns(samples_dir):
    petition = parse_petition_document((samples_dir / DEBATED_SAMPLE).read_bytes())

    assert petition.id == 701284
    assert petition.state == "closed"
    assert petition.signature_count == 112739
    assert petition.debate.debated_on == date(2025, 3, 24)
    assert petition.debate.debated
    assert petition.debate.debate_summary_url.startswith("https://ukparliament.shorthandstories.com/")
    assert petition.government_response.responded_on == date(2025, 1, 8)
    assert "[1]: https://www.gov.uk/" in petition.government_response.details
    assert petition.government_response_at == datetime(2025, 1, 8, 15, 30, 12, 874000, tzinfo=UTC)
    assert petition.closed_at == datetime(2025, 5, 14, 22, 59, 59, 999000, tzinfo=UTC)
    assert petition.scheduled_debate_date == date(2025, 3, 24)
    assert petition.debate_scheduled_on == date(2025, 2, 25)
    assert len(petition.signatures_by_constituency) == 12
    assert petition.signatures_by_constituency[0].ons_code == "E14001063"
    assert petition.signatures_by_constituency[0].mp == "Alex Baker MP"
    assert {region.ons_code for region in petition.signatures_by_region} <= set("ABDEFGHJKLMN")
    assert all(len(region.ons_code) == 1 for region in petition.signatures_by_region)
    assert petition.signatures_by_country[0] == petition.signatures_by_country[0].__class__(
        name="Australia", signature_count=188, code="AU"
    )
    assert [d.acronym for d in petition.departments] == ["DBT", "Defra"]
    assert petition.topics == ("business-and-trade", "environment")
    assert petition.other_parliamentary_business[0].occurred_on == date(2025, 3, 20)
    assert petition.closing_date is None  # closed: the deadline key only matters while open
    assert not petition.archived
    assert petition.web_url == "https://petition.parliament.uk/petitions/701284"


def test_open_sample_keeps_closing_date_creator_and_milestones(samples_dir):
    petition = parse_petition_document((samples_dir / OPEN_SAMPLE).read_text(encoding="utf-8"))

    assert petition.id == 752318
    assert petition.state == "open"
    assert petition.signature_count == 10685
    assert petition.closing_date == date(2026, 8, 3)
    assert petition.creator_name == "Hannah Okafor"
    assert petition.response_threshold_reached_at == datetime(2026, 3, 12, 21, 7, 41, tzinfo=UTC)
    assert petition.government_response is None
    assert petition.debate is None
    assert petition.rejection is None
    assert len(petition.signatures_by_country) == 8
    assert len(petition.signatures_by_constituency) == 12
    assert len(petition.signatures_by_region) == 6


def test_list_sample_gives_items_without_breakdowns_and_links(samples_dir):
    page = parse_list_page((samples_dir / LIST_SAMPLE).read_bytes())

    assert [item.id for item in page.items] == [748902, 750166, 746771]
    assert page.items[0].action == "Hold a public inquiry into the cost of water company bills"
    assert all(item.signatures_by_country is None for item in page.items)
    assert all(item.other_parliamentary_business is None for item in page.items)
    assert page.links.next.endswith("page=3&state=open")
    assert page.links.last.endswith("page=412&state=open")


#: Which parser reads each kind of composed document in tests/data, by file-name prefix.
PARSERS = {
    "composed-petition-": parse_petition_document,
    "composed-petitions-list-": parse_list_page,
    "composed-archived-petitions-list-": parse_list_page,
    "composed-count-": parse_count,
    "composed-trending": parse_trending,
    "composed-constituencies": parse_constituencies,
    "composed-petitions-open": parse_petitions_csv,
}


def parser_for(name: str):
    return next((parser for prefix, parser in PARSERS.items() if name.startswith(prefix)), None)


def test_every_sample_parses(samples_dir):
    documents = sorted(path for path in samples_dir.iterdir() if path.suffix in (".json", ".csv"))
    assert len(documents) >= 15
    for path in documents:
        if path.name.startswith("composed-error-"):
            with pytest.raises(ParseError, match="the server sent an error"):
                parse_petition_document(path.read_bytes())
            continue
        parser = parser_for(path.name)
        assert parser, f"{path.name}: no parser named for it in PARSERS"
        assert parser(path.read_bytes()), path.name


def test_2015_schema_open_at_country_names_only_and_escaped_ampersands(samples_dir):
    petition = parse_petition_document((samples_dir / "composed-petition-2015-schema-108217.json").read_bytes())

    assert petition.id == 108217 and petition.state == "open"
    assert petition.action == "Cut VAT on home insulation & draught-proofing to 0%"  # sent as \u0026
    assert "<5%" in petition.additional_details
    assert "\r\n" in petition.background  # kept as sent; the views decide how to show it
    assert petition.opened_at == datetime(2015, 9, 15, 9, 31, 48, 903000, tzinfo=UTC)
    assert petition.closing_date is None
    assert [country.code for country in petition.signatures_by_country] == [None, None, None]
    assert sum(c.signature_count for c in petition.signatures_by_country) > petition.signature_count
    assert petition.government_response.responded_on is None  # no such key before 2018
    assert petition.government_response_at.date() == date(2015, 10, 28)
    assert petition.signatures_by_region is None
    assert petition.other_parliamentary_business is None
    assert petition.departments == () and petition.topics == ()
    assert petition.committee_note is None


def test_2019_schema_old_boundaries_vacant_seats_and_an_empty_rejection(samples_dir):
    petition = parse_petition_document((samples_dir / "composed-petition-2019-schema-271903.json").read_bytes())

    assert petition.state == "open" and petition.rejection is None  # {"code": null, "details": null}
    assert petition.closing_date is None
    assert petition.updated_at == datetime(2019, 10, 21, 9, 14, 32, tzinfo=UTC)
    codes = [row.ons_code for row in petition.signatures_by_constituency]
    assert "E14000530" in codes and "N06000003" in codes
    vacant = [row.name for row in petition.signatures_by_constituency if row.mp is None]
    assert vacant == ["Newport West", "Belfast South"]
    assert [row.code for row in petition.signatures_by_country][0] == "BAT"  # not every code is ISO
    assert sum(c.signature_count for c in petition.signatures_by_country) == 15370 != petition.signature_count
    assert petition.signatures_by_region is None


def test_rejected_petition_has_its_reason_and_no_breakdowns(samples_dir):
    petition = parse_petition_document((samples_dir / "composed-petition-rejected-758840.json").read_bytes())

    assert petition.state == "rejected"
    assert petition.rejection.code == "duplicate"
    assert petition.rejection.details.startswith("There's already a petition")
    assert petition.rejected_at == datetime(2026, 2, 24, 16, 40, 21, 874000, tzinfo=UTC)
    assert petition.opened_at is None
    assert petition.signatures_by_country is None and petition.signatures_by_constituency is None
    assert petition.signatures_by_region is None and petition.other_parliamentary_business is None


def test_archived_petition_has_its_parliament_and_old_seats_without_mps(samples_dir):
    petition = parse_petition_document((samples_dir / "composed-petition-archived-612077.json").read_bytes())

    assert petition.archived
    assert petition.web_url == "https://petition.parliament.uk/archived/petitions/612077"
    assert petition.parliament.period == "2019-2024"
    assert petition.parliament.dissolution_at == datetime(2024, 5, 29, 23, 1, tzinfo=UTC) == petition.closed_at
    assert petition.parliament.response_threshold == 10_000
    assert petition.creator_name is None and petition.closing_date is None
    assert petition.debate is not None and not petition.debate.debated  # decided not to debate
    assert petition.departments[0].url is None
    names = [row.name for row in petition.signatures_by_constituency]
    assert names == sorted(names)  # archived seats come by name, not by code
    assert [row.mp for row in petition.signatures_by_constituency].count(None) == 6


def test_list_pages_past_the_end_and_of_the_archive(samples_dir):
    past = parse_list_page((samples_dir / "composed-petitions-list-past-the-end.json").read_bytes())
    assert past.items == () and past.links.next is None
    assert past.links.prev.endswith("page=4&state=debated")

    archive = parse_list_page((samples_dir / "composed-archived-petitions-list-page1.json").read_bytes())
    assert [item.id for item in archive.items] == [612077, 588190]
    assert all(item.archived and item.parliament.period == "2019-2024" for item in archive.items)
    assert archive.items[1].rejection.code == "no-action"
    assert all(item.signatures_by_constituency is None for item in archive.items)
    assert archive.links.prev is None and archive.links.next.endswith("page=2")


def test_count_documents_in_both_forms(samples_dir):
    full = parse_count((samples_dir / "composed-count-701284.json").read_bytes())
    assert full.debated is True
    assert full.debate_outcome_at == datetime(2025, 3, 27, 10, 5, 44, 219000, tzinfo=UTC)
    assert full.scheduled_debate_date == date(2025, 3, 24)
    minimal = parse_count((samples_dir / "composed-count-pre-2025.json").read_bytes())
    assert minimal == PetitionCount(signature_count=58933)


def test_trending_constituencies_and_csv_documents(samples_dir):
    trending = parse_trending((samples_dir / "composed-trending.json").read_bytes())
    assert [(item.id, item.signatures_last_hour) for item in trending.items] == [(750166, 1288), (752318, 311)]

    seats = parse_constituencies((samples_dir / "composed-constituencies.json").read_bytes())
    assert seats["E14001187"].party == "Conservative"
    assert seats["E14001451"].mp is None and seats["E14001451"].party is None  # vacant

    rows = parse_petitions_csv((samples_dir / "composed-petitions-open.csv").read_bytes())
    assert [row.id for row in rows] == [748902, 751044, 752318]
    assert rows[1].action.startswith("%3D1+1")  # escaped by the site, kept as sent


# --- documents that are not petitions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Petitions</body></html>", "HTML page"),
        (b"  \n<html>", "HTML page"),
        (b'{"links": {}, "data": {"type": "petition", "id": 7', "cut off"),
        (b"", "empty response"),
        (b"\xff\xfe{\x00}", "not UTF-8"),
        (b'{"status":404,"error":"Not Found"}', "the server sent an error: 404 Not Found"),
        (b'{"status":410,"error":"Gone"}', "410 Gone"),
        (b"[]", "is a list"),
        (b'"x"', "is a string"),
        (b"null", "is null"),
        (b'{"data": []}', "'data' is a list"),
        (b'{"links": {}}', "no 'data'"),
        (b'{"data": {"type": "petition", "id": 1}}', "no attributes"),
        (b'{"data": {"type": "petition", "attributes": {}}}', "no valid id"),
        (b'{"data": {"type": "trending", "id": 3, "attributes": {}}}', "'trending'"),
        (b'{"a": 1} trailing', "not valid JSON"),
        (b'{"signature_count": NaN}', "not usable JSON"),
    ],
)
def test_non_petitions_raise_a_readable_parse_error(body, message):
    with pytest.raises(ParseError) as caught:
        parse_petition_document(body)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text and len(text) < 200


def test_truncated_body_reports_the_byte_where_it_stopped(samples_dir):
    body = (samples_dir / OPEN_SAMPLE).read_bytes()[:812]
    with pytest.raises(ParseError, match=r"cut off \(invalid JSON at byte 812\)"):
        load_json(body)


@pytest.mark.parametrize("name", [OPEN_SAMPLE, DEBATED_SAMPLE, LIST_SAMPLE])
def test_every_truncation_of_a_sample_is_reported_as_cut_off(samples_dir, name):
    body = (samples_dir / name).read_bytes().rstrip()
    for length in range(1, len(body)):
        with pytest.raises(ParseError, match="cut off"):
            load_json(body[:length])


def test_load_json_accepts_a_byte_order_mark():
    assert load_json("\ufeff{\"a\": 1}".encode()) == {"a": 1}


@pytest.mark.parametrize(
    ("attributes", "missing"),
    [
        ({"state": "open", "signature_count": 1}, "title"),
        ({"action": "A", "signature_count": 1}, "state"),
        ({"action": "A", "state": "open"}, "signature count"),
        ({"action": "A", "state": "open", "signature_count": True}, "signature count"),
        ({"action": "A", "state": "open", "signature_count": -3}, "signature count"),
        ({"action": "A", "state": "open", "signature_count": "12"}, "signature count"),
        ({"action": 5, "state": "open", "signature_count": 1}, "title"),
    ],
)
def test_a_petition_without_its_required_fields_is_refused(attributes, missing):
    with pytest.raises(ParseError, match=missing):
        parse_petition_item({"type": "petition", "id": 9, "attributes": attributes})


def test_boolean_id_is_not_an_id():
    with pytest.raises(ParseError, match="no valid id"):
        parse_petition_item({"type": "petition", "id": True, "attributes": {}})


# --- tolerance ------------------------------------------------------------------------------------


def minimal_item(**attributes) -> dict:
    attrs = {"action": "Do a thing", "state": "open", "signature_count": 42, **attributes}
    return {"type": "petition", "id": 700001, "attributes": attrs}


def test_old_open_at_spelling_is_understood():
    petition = parse_petition_item(minimal_item(open_at="2015-08-07T10:00:00.000Z"))
    assert petition.opened_at == datetime(2015, 8, 7, 10, tzinfo=UTC)


def test_opened_at_wins_over_open_at():
    petition = parse_petition_item(
        minimal_item(open_at="2015-08-07T10:00:00.000Z", opened_at="2016-01-01T00:00:00.000Z")
    )
    assert petition.opened_at.year == 2016


def test_rejection_with_null_code_means_no_rejection():
    petition = parse_petition_item(minimal_item(rejection={"code": None, "details": None}))
    assert petition.rejection is None
    rejected = parse_petition_item(minimal_item(state="rejected", rejection={"code": "duplicate"}))
    assert rejected.rejection.code == "duplicate"
    assert rejected.rejection.details is None


def test_closing_date_is_dropped_unless_open():
    assert parse_petition_item(minimal_item(closing_date="2026-08-03")).closing_date == date(2026, 8, 3)
    closed = parse_petition_item(minimal_item(state="closed", closing_date="2026-08-03"))
    assert closed.closing_date is None


def test_breakdowns_absent_are_none_and_present_are_tuples_without_bad_rows():
    petition = parse_petition_item(
        minimal_item(
            signatures_by_country=[
                {"name": "United Kingdom", "code": "GB", "signature_count": 40},
                {"name": "Nowhere", "signature_count": "many"},
                {"code": "FR", "signature_count": 2},
                {"name": "France", "signature_count": 2},  # pre-2016: no code
                "junk",
            ],
            signatures_by_constituency=[],
        )
    )
    assert [row.name for row in petition.signatures_by_country] == ["United Kingdom", "France"]
    assert petition.signatures_by_country[1].code is None
    assert petition.signatures_by_constituency == ()
    assert petition.signatures_by_region is None
    assert petition.other_parliamentary_business is None


def test_counts_that_do_not_add_up_are_kept_as_sent():
    petition = parse_petition_item(
        minimal_item(signatures_by_country=[{"name": "United Kingdom", "code": "GB", "signature_count": 500}])
    )
    assert petition.signature_count == 42
    assert petition.signatures_by_country[0].signature_count == 500


def test_wrongly_typed_optional_fields_become_defaults():
    petition = parse_petition_item(
        minimal_item(
            background=7,
            additional_details=None,
            committee_note=["x"],
            created_at=12345,
            closing_date="soon",
            creator_name=False,
            government_response="yes",
            debate=[],
            departments={"name": "x"},
            topics=["ok", 3, None],
            signatures_by_region="many",
            rejection="duplicate",
        )
    )
    assert petition.background == ""
    assert petition.additional_details == ""
    assert petition.committee_note is None
    assert petition.created_at is None
    assert petition.closing_date is None
    assert petition.creator_name is None
    assert petition.government_response is None
    assert petition.debate is None
    assert petition.departments == ()
    assert petition.topics == ("ok",)
    assert petition.signatures_by_region is None
    assert petition.rejection is None


def test_archived_petition_carries_its_parliament():
    item = minimal_item(state="closed")
    item["type"] = "archived-petition"
    item["parliament"] = {
        "period": "2019-2024",
        "government": "Conservative",
        "dissolution_at": "2024-05-30T00:01:00.000+01:00",
        "response_threshold": 10000,
        "debate_threshold": 100000,
    }
    petition = parse_petition_document({"data": item})
    assert petition.archived
    assert petition.parliament.period == "2019-2024"
    assert petition.parliament.dissolution_at == datetime(2024, 5, 29, 23, 1, tzinfo=UTC)
    assert petition.web_url == "https://petition.parliament.uk/archived/petitions/700001"


# Hypothesis: mutate the real samples the ways the site has drifted, and worse.

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(node, prefix=()):
    """Every (container path, key) inside a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix, key
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield prefix, index
            yield from _paths(value, prefix + (index,))


def _container(doc, path):
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def drifted_documents(draw, samples):
    name = draw(st.sampled_from([OPEN_SAMPLE, DEBATED_SAMPLE]))
    doc = copy.deepcopy(samples[name])
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        places = list(_paths(doc))
        if not places:
            break
        path, key = draw(st.sampled_from(places))
        container = _container(doc, path)
        action = draw(st.sampled_from(["drop", "null", "junk", "unknown", "rename_opened"]))
        if action == "drop":
            del container[key]
        elif action == "null":
            container[key] = None
        elif action == "junk":
            container[key] = draw(JUNK)
        elif action == "unknown" and isinstance(container, dict):
            container[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
        elif action == "rename_opened":
            attrs = doc.get("data", {}).get("attributes") if isinstance(doc.get("data"), dict) else None
            if isinstance(attrs, dict) and "opened_at" in attrs:
                attrs["open_at"] = attrs.pop("opened_at")
    return doc


def _is_complete(record) -> bool:
    """A record whose required fields have their declared types all the way down."""
    if not isinstance(record.id, int) or record.id <= 0:
        return False
    if not isinstance(record.action, str) or not isinstance(record.state, str):
        return False
    if not isinstance(record.signature_count, int) or record.signature_count < 0:
        return False
    for field in fields(record):
        value = getattr(record, field.name)
        if isinstance(value, datetime) and value.utcoffset() != timedelta(0):
            return False
        if isinstance(value, tuple):
            if not all(is_dataclass(row) or isinstance(row, str) for row in value):
                return False
    return True


@pytest.fixture
def samples(samples_dir):
    # Loaded once per test; Hypothesis reuses it for every example, which is fine: never mutated.
    return {name: load_sample(samples_dir, name) for name in (OPEN_SAMPLE, DEBATED_SAMPLE)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_drifted_samples_give_a_whole_petition_or_a_parse_error(samples, data):
    doc = data.draw(drifted_documents(samples))
    for form in (doc, json.dumps(doc), json.dumps(doc).encode()):
        try:
            petition = parse_petition_document(form)
        except ParseError as error:
            assert str(error) and "\n" not in str(error)
            continue
        assert isinstance(petition, Petition)
        assert _is_complete(petition)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_parse_error(body):
    for parser in (parse_petition_document, parse_count, parse_list_page, parse_trending, parse_constituencies):
        try:
            parser(body)
        except ParseError:
            pass


@settings(max_examples=200, deadline=None)
@given(doc=st.recursive(JUNK, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["data", "id", "type", "attributes", "action", "state", "signature_count", "links"]),
    inner, max_size=5)))
def test_arbitrary_json_values_never_raise_anything_but_parse_error(doc):
    for parser in (parse_petition_document, parse_count, parse_list_page, parse_trending, parse_constituencies):
        try:
            parser(doc)
        except ParseError:
            pass


# --- timestamps and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-26T17:19:45.070Z", datetime(2019, 3, 26, 17, 19, 45, 70000, tzinfo=UTC)),
        ("2019-03-26T17:19:45Z", datetime(2019, 3, 26, 17, 19, 45, tzinfo=UTC)),
        ("2023-06-30T00:00:00.000+01:00", datetime(2023, 6, 29, 23, 0, tzinfo=UTC)),
        ("2023-01-30T00:00:00+00:00", datetime(2023, 1, 30, tzinfo=UTC)),
        ("2023-01-30T00:00:00.123456789-05:30", datetime(2023, 1, 30, 5, 30, 0, 123456, tzinfo=UTC)),
    ],
)
def test_timestamps_in_both_formats_become_utc(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "garbage",
    [None, "", "yesterday", "2019-03-26", "2019-13-26T17:19:45Z", "2019-03-26T17:19:45", 1553620785, True,
     "2019-03-26T25:00:00Z", "２０１９-03-26T17:19:45Z"],
)
def test_garbage_timestamps_are_none(garbage):
    assert parse_timestamp(garbage) is None


def test_dates():
    assert parse_date("2025-03-24") == date(2025, 3, 24)
    for garbage in (None, "", "2025-02-30", "24/03/2025", 20250324, "2025-03-24T00:00:00Z"):
        assert parse_date(garbage) is None


# --- count.json ------------------------------------------------------------------------------------


def test_count_full_form_with_london_offsets():
    count = parse_count(
        b'{"signature_count": 10685, "response_threshold_reached_at": "2026-03-12T21:07:41.000+00:00",'
        b' "government_response_at": null, "debate_threshold_reached_at": null,'
        b' "scheduled_debate_date": "2026-07-01", "debate_outcome_at": "2026-07-02T10:00:00.000+01:00",'
        b' "debated": false}'
    )
    assert count.signature_count == 10685
    assert count.response_threshold_reached_at == datetime(2026, 3, 12, 21, 7, 41, tzinfo=UTC)
    assert count.scheduled_debate_date == date(2026, 7, 1)
    assert count.debate_outcome_at == datetime(2026, 7, 2, 9, tzinfo=UTC)
    assert count.debated is False


def test_count_minimal_pre_2025_form():
    assert parse_count('{"signature_count": 5}') == PetitionCount(signature_count=5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"status":404,"error":"Not Found"}', "404 Not Found"),
        ('{"signature_count": "5"}', "expected a signature count"),
        ('{"signature_count": -1}', "expected a signature count"),
        ("[5]", "is a list"),
        ("<html></html>", "HTML"),
    ],
)
def test_bad_counts(body, message):
    with pytest.raises(ParseError, match=message):
        parse_count(body)


def test_count_milestones_change_when_a_threshold_is_reached():
    before = parse_count({"signature_count": 9999, "response_threshold_reached_at": None})
    after = parse_count({"signature_count": 10000, "response_threshold_reached_at": "2026-03-12T21:07:41Z"})
    assert before.milestones() != after.milestones()


# --- list pages, trending, CSV, constituencies --------------------------------------------------


def test_list_page_skips_bad_items_but_not_the_page(samples_dir):
    doc = load_sample(samples_dir, LIST_SAMPLE)
    doc["data"].insert(1, {"type": "petition", "id": "748903", "attributes": {}})
    doc["data"].append("junk")
    page = parse_list_page(doc)
    assert [item.id for item in page.items] == [748902, 750166, 746771]


def test_list_page_whose_data_is_not_a_list_is_refused():
    with pytest.raises(ParseError, match="'data' is an object"):
        parse_list_page({"data": {"type": "petition"}})


def test_empty_list_page_past_the_end():
    page = parse_list_page({"links": {"next": None, "prev": "https://x/petitions.json?page=9"}, "data": []})
    assert page.items == ()
    assert page.links.next is None
    assert page.links.prev.endswith("page=9")


def test_trending_keeps_last_hour_counts_apart_from_totals():
    trending = parse_trending(
        {
            "links": {"self": "https://petition.parliament.uk/trending.json"},
            "meta": {"updated_at": "2026-03-18T14:36:00.000Z"},
            "data": [
                {"type": "petition", "id": 752318, "attributes": {"action": "Swim", "signature_count": 311}},
                {"type": "petition", "id": 3, "attributes": {"action": "Bad", "signature_count": None}},
            ],
        }
    )
    assert len(trending.items) == 1
    assert trending.items[0].signatures_last_hour == 311
    assert trending.updated_at == datetime(2026, 3, 18, 14, 36, tzinfo=UTC)
    assert parse_trending('{"data": []}').items == ()


CSV_TEXT = (
    '"Petition","URL","State","Signatures Count"\r\n'
    '"Make swimming lessons free","https://petition.parliament.uk/petitions/752318","open","10685"\r\n'
    '"%3DSUM(A1), a title, with commas","https://petition.parliament.uk/petitions/700001","open","12"\r\n'
    '"No url","","open","3"\r\n'
    '"Bad count","https://petition.parliament.uk/petitions/700002","open","many"\r\n'
)


def test_petitions_csv_takes_ids_from_urls_and_keeps_escaped_text():
    rows = parse_petitions_csv(CSV_TEXT)
    assert [(row.id, row.signature_count) for row in rows] == [(752318, 10685), (700001, 12)]
    assert rows[1].action == "%3DSUM(A1), a title, with commas"
    assert rows[0].state == "open"


def test_petitions_csv_that_is_html_or_another_table_is_refused():
    with pytest.raises(ParseError, match="HTML"):
        parse_petitions_csv("<html><body>Sorry</body></html>")
    with pytest.raises(ParseError, match="not a petitions CSV"):
        parse_petitions_csv("a,b,c\n1,2,3\n")
    with pytest.raises(ParseError, match="not a petitions CSV"):
        parse_petitions_csv("")


def test_constituencies_keyed_by_ons_code():
    result = parse_constituencies(
        {
            "E14001186": {
                "mp": "Rt Hon Chris Philp MP",
                "party": "Conservative",
                "constituency": "Croydon South",
                "ons_code": "E14001186",
                "start_date": "2024-07-04",
                "end_date": None,
            },
            "W07000081": {"mp": None, "party": None, "constituency": "Aberafan Maesteg", "ons_code": "W07000081"},
            "E14009999": {"mp": "Nobody"},
            "junk": 5,
        }
    )
    assert sorted(result) == ["E14001186", "W07000081"]
    assert result["E14001186"].party == "Conservative"
    assert result["E14001186"].start_date == date(2024, 7, 4)
    assert result["W07000081"].mp is None
    with pytest.raises(ParseError, match="404"):
        parse_constituencies('{"status":404,"error":"Not Found"}')


def test_a_lone_surrogate_escape_becomes_a_replacement_character():
    # "\ud800" is valid JSON but no text encoding can write it: printing or saving the title
    # would raise UnicodeEncodeError. A proper pair (an emoji) is kept.
    body = (b'{"data": {"type": "petition", "id": 1, "attributes": {"action": "Bad \\ud800 and '
            b'\\ud83d\\ude00", "state": "open", "signature_count": 3, "topics": ["\\udfff"]}}}')
    petition = parse_petition_document(body)
    assert petition.action == "Bad \ufffd and \U0001f600"
    assert petition.topics == ("\ufffd",)
    petition.action.encode("utf-8")  # would raise before
