"""Records back to the API's JSON shape: readable by anyone who knows the API, and lossless."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from petitiondesk.core.models import (
    ConstituencySignatures,
    CountrySignatures,
    Debate,
    Department,
    GovernmentResponse,
    Parliament,
    ParliamentaryBusiness,
    Petition,
    PetitionCount,
    RegionSignatures,
    Rejection,
)
from petitiondesk.core.parse import (
    MAX_COUNT,
    MAX_PETITION_ID,
    parse_count,
    parse_petition_document,
    parse_petition_item,
)
from petitiondesk.core.serialize import count_to_dict, format_timestamp, petition_to_api_dict

UTC = UTC


def reparse(api_dict: dict) -> Petition:
    """What a reader of the exported JSON gets back, after a real trip through JSON text."""
    decoded = json.loads(json.dumps(api_dict))
    kind = "archived-petition" if decoded.get("archived") else "petition"
    return parse_petition_item({"type": kind, "id": decoded["id"], "attributes": decoded})


def test_debated_sample_is_written_with_the_api_names_and_formats(samples_dir):
    original = json.loads((samples_dir / "composed-petition-closed-debated-701284.json").read_text("utf-8"))
    petition = parse_petition_document(original)

    written = petition_to_api_dict(petition)

    attributes = original["data"]["attributes"]
    assert written["id"] == 701284
    for key in ("government_response_at", "closed_at", "opened_at", "scheduled_debate_date", "debate_scheduled_on"):
        assert written[key] == attributes[key], key
    assert written["debate"] == attributes["debate"]
    assert written["government_response"] == attributes["government_response"]
    assert written["signatures_by_constituency"] == attributes["signatures_by_constituency"]
    assert written["departments"] == attributes["departments"]
    assert "closing_date" not in written  # the site sends it only for open petitions
    assert "archived" not in written
    assert list(written)[:6] == ["id", "action", "background", "additional_details", "committee_note", "state"]


def test_every_sample_round_trips(samples_dir):
    documents = sorted(samples_dir.glob("composed-petition-*.json"))  # every schema, archived and rejected too
    assert len(documents) >= 6
    for path in documents:
        petition = parse_petition_document(path.read_bytes())
        assert reparse(petition_to_api_dict(petition)) == petition, path.name


def test_absent_breakdowns_are_omitted_and_empty_ones_kept():
    petition = Petition(id=5, action="A", state="rejected", signature_count=0, signatures_by_country=())
    written = petition_to_api_dict(petition)
    assert written["signatures_by_country"] == []
    assert "signatures_by_constituency" not in written
    assert "other_parliamentary_business" not in written


def test_archived_petition_says_so_and_carries_its_parliament():
    petition = Petition(
        id=300123,
        action="Old",
        state="closed",
        signature_count=12,
        archived=True,
        parliament=Parliament(period="2019-2024", dissolution_at=datetime(2024, 5, 29, 23, 1, tzinfo=UTC)),
    )
    written = petition_to_api_dict(petition)
    assert written["archived"] is True
    assert written["parliament"]["period"] == "2019-2024"
    assert written["parliament"]["dissolution_at"] == "2024-05-29T23:01:00.000Z"
    assert reparse(written) == petition


def test_timestamps_are_written_like_the_site_writes_them():
    assert format_timestamp(datetime(2025, 1, 8, 15, 30, 12, 874000, tzinfo=UTC)) == "2025-01-08T15:30:12.874Z"
    assert format_timestamp(datetime(2025, 1, 8, 15, 30, 12, tzinfo=UTC)) == "2025-01-08T15:30:12.000Z"
    assert format_timestamp(None) is None


def test_count_to_dict_round_trips_both_forms():
    full = PetitionCount(
        signature_count=10685,
        response_threshold_reached_at=datetime(2026, 3, 12, 21, 7, 41, tzinfo=UTC),
        scheduled_debate_date=date(2026, 7, 1),
        debated=False,
    )
    written = count_to_dict(full)
    assert written["response_threshold_reached_at"] == "2026-03-12T21:07:41.000Z"
    assert written["debated"] is False
    assert parse_count(json.dumps(written)) == full
    assert parse_count(json.dumps(count_to_dict(PetitionCount(signature_count=3)))) == PetitionCount(3)


# Property: any record the parser can produce survives the trip out and back.

texts = st.text(max_size=20)
maybe_texts = st.none() | texts
timestamps = st.none() | st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
dates = st.none() | st.dates()
counts = st.integers(min_value=0, max_value=MAX_COUNT)


def tuples_of(strategy):
    return st.lists(strategy, max_size=3).map(tuple)


def optional_tuples_of(strategy):
    return st.none() | tuples_of(strategy)


petitions = st.builds(
    Petition,
    id=st.integers(min_value=1, max_value=MAX_PETITION_ID),
    action=texts,
    state=st.sampled_from(["open", "closed", "rejected", "something-new"]),
    signature_count=counts,
    background=texts,
    additional_details=texts,
    committee_note=maybe_texts,
    closing_date=dates,
    created_at=timestamps,
    updated_at=timestamps,
    rejected_at=timestamps,
    opened_at=timestamps,
    closed_at=timestamps,
    moderation_threshold_reached_at=timestamps,
    response_threshold_reached_at=timestamps,
    government_response_at=timestamps,
    debate_threshold_reached_at=timestamps,
    debate_scheduled_on=dates,
    scheduled_debate_date=dates,
    debate_outcome_at=timestamps,
    creator_name=maybe_texts,
    rejection=st.none() | st.builds(Rejection, code=texts, details=maybe_texts),
    government_response=st.none() | st.builds(GovernmentResponse, summary=texts, details=texts,
                                             responded_on=dates, created_at=timestamps, updated_at=timestamps),
    debate=st.none() | st.builds(Debate, debated_on=dates, transcript_url=maybe_texts, video_url=maybe_texts,
                                 debate_pack_url=maybe_texts, public_engagement_url=maybe_texts,
                                 debate_summary_url=maybe_texts, overview=texts),
    departments=tuples_of(st.builds(Department, name=texts, acronym=maybe_texts, url=maybe_texts)),
    topics=tuples_of(texts),
    signatures_by_country=optional_tuples_of(
        st.builds(CountrySignatures, name=texts, signature_count=counts, code=maybe_texts)
    ),
    signatures_by_constituency=optional_tuples_of(
        st.builds(ConstituencySignatures, name=texts, ons_code=texts, signature_count=counts, mp=maybe_texts)
    ),
    signatures_by_region=optional_tuples_of(
        st.builds(RegionSignatures, name=texts, ons_code=texts, signature_count=counts)
    ),
    other_parliamentary_business=optional_tuples_of(
        st.builds(ParliamentaryBusiness, subject=texts, body=texts, occurred_on=dates,
                  created_at=timestamps, updated_at=timestamps)
    ),
    archived=st.booleans(),
    parliament=st.none() | st.builds(
        Parliament,
        period=maybe_texts,
        government=maybe_texts,
        dissolution_at=timestamps,
        response_threshold=st.none() | st.integers(min_value=1, max_value=10**7),
        debate_threshold=st.none() | st.integers(min_value=1, max_value=10**7),
    ),
).filter(lambda p: p.state == "open" or p.closing_date is None)  # the parser's own rule


@settings(max_examples=300, deadline=None)
@given(petition=petitions)
def test_any_parsed_record_round_trips(petition):
    assert reparse(petition_to_api_dict(petition)) == petition
