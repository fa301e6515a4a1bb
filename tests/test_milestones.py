"""What a petition document says about its past and its deadline: known points, events, deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from petitiondesk.core.milestones import (
    MODERATION_THRESHOLD,
    MOST_BEFORE_OPENING,
    Deadline,
    deadline,
    effective_state,
    end_of_uk_day,
    events,
    known_points,
)
from petitiondesk.core.models import Debate, GovernmentResponse, Parliament, Petition
from petitiondesk.core.parse import parse_petition_document


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ts(text: str) -> float:
    return at(text).timestamp()


def petition(**fields) -> Petition:
    base = {"id": 229963, "action": "Leave the EU without a deal in March 2019", "state": "open",
            "signature_count": 593_441}
    return Petition(**{**base, **fields})


# Composed in the 2019 schema (no closing_date), with the shape of a real capture of that year.
DOC_2019 = dict(
    created_at=at("2018-11-29T10:02:11"),
    moderation_threshold_reached_at=at("2018-11-29T11:40:02"),
    opened_at=at("2018-12-03T12:21:45"),
    response_threshold_reached_at=at("2018-12-03T18:03:00"),
    debate_threshold_reached_at=at("2018-12-07T20:14:58"),
    government_response_at=at("2018-12-20T16:37:36"),
    scheduled_debate_date=date(2019, 4, 1),
    updated_at=at("2019-03-26T17:19:45"),
)


# --- known points ---------------------------------------------------------------------------------


def test_a_2019_document_gives_the_curve_from_moderation_to_now():
    points = known_points(petition(**DOC_2019))
    assert [(p.name, p.count) for p in points] == [
        ("moderation", MODERATION_THRESHOLD),
        ("opened", MOST_BEFORE_OPENING),
        ("response_threshold", 10_000),
        ("debate_threshold", 100_000),
        ("updated", 593_441),
    ]
    assert points[2].at == ts("2018-12-03T18:03:00")
    assert points[2].label == "reached 10,000 — from the site"


def test_a_closed_petition_ends_with_its_final_count_at_closing():
    closed = petition(state="closed", closed_at=at("2019-06-03T22:59:59.999"),
                      **{**DOC_2019, "updated_at": at("2019-07-01T09:00:00")})
    points = known_points(closed)
    assert points[-1].name == "closed" and points[-1].count == 593_441
    assert "updated" not in [p.name for p in points]  # after closing it says nothing new


def test_by_days_since_opening_a_curve_crosses_day_0_near_zero_not_at_thousands():
    # Moderation before opening, 10,000 that evening: the line between them crossed the opening
    # at ~9,400. Only the creator and 20 sponsors can sign before a petition opens.
    doc = petition(**DOC_2019)
    points = known_points(doc)
    opened = doc.opened_at.timestamp()
    at_opening = np.interp(opened, [p.at for p in points], [p.count for p in points])
    assert at_opening <= MOST_BEFORE_OPENING
    assert points[1].label.startswith("opened: at most 21")


def test_a_petition_opened_with_fewer_signatures_than_sponsors_allow_keeps_its_count():
    few = petition(**{**DOC_2019, "signature_count": 12, "response_threshold_reached_at": None,
                      "debate_threshold_reached_at": None})
    assert [(p.name, p.count) for p in known_points(few)][1] == ("opened", 12)


def test_a_threshold_passed_without_a_timestamp_is_skipped_not_invented():
    points = known_points(petition(**{**DOC_2019, "response_threshold_reached_at": None}))
    assert [p.name for p in points] == ["moderation", "opened", "debate_threshold", "updated"]


def test_thresholds_out_of_order_keep_the_one_that_agrees_with_the_rest():
    # 100,000 "reached" before 10,000: the two cannot both be right; the higher threshold wins.
    muddled = petition(**{**DOC_2019, "response_threshold_reached_at": at("2018-12-09T00:00:00")})
    names = [p.name for p in known_points(muddled)]
    assert "debate_threshold" in names and "response_threshold" not in names


def test_a_threshold_before_opening_is_dropped():
    early = petition(**{**DOC_2019, "response_threshold_reached_at": at("2018-12-01T00:00:00")})
    assert "response_threshold" not in [p.name for p in known_points(early)]


def test_a_reset_threshold_left_on_a_lower_count_is_dropped():
    # The count fell back below 10,000 but the timestamp stayed (old data): the count now wins.
    reset = petition(signature_count=9_990, **{**DOC_2019, "debate_threshold_reached_at": None})
    points = known_points(reset)
    assert [p.name for p in points] == ["moderation", "opened", "updated"]


def test_known_points_that_contradict_recorded_samples_are_dropped():
    recorded_t = [ts("2018-12-02T12:00:00"), ts("2018-12-04T12:00:00")]
    recorded_c = [20_000, 40_000]  # the app saw 20,000 before the site's "10,000 reached"
    names = [p.name for p in known_points(petition(**DOC_2019), recorded_t, recorded_c)]
    assert "response_threshold" not in names and "debate_threshold" in names


def test_an_archived_parliaments_own_thresholds_are_used():
    old = petition(parliament=Parliament(response_threshold=5_000, debate_threshold=50_000), **DOC_2019)
    counts = [p.count for p in known_points(old)]
    assert counts == [MODERATION_THRESHOLD, MOST_BEFORE_OPENING, 5_000, 50_000, 593_441]


# --- events -----------------------------------------------------------------------------------------


def test_events_of_a_2019_document_in_time_order():
    found = events(petition(**DOC_2019))
    assert [e.kind for e in found] == ["created", "opened", "response", "debate", "closing"]
    closing = found[-1]
    assert closing.label == "closes (computed)"
    assert closing.at == pytest.approx(ts("2019-06-03T22:59:59.999"))  # 3 June 2019, 23:59:59.999 BST
    debate = found[3]
    assert debate.date_only and debate.at == ts("2019-03-31T23:00:00")  # 1 April 2019 in UK time


def test_the_2015_schema_open_at_gives_the_opening():
    doc = {"data": {"type": "petition", "id": 105991, "attributes": {
        "action": "Old", "state": "closed", "signature_count": 433_450,
        "open_at": "2015-07-01T10:00:00.000Z", "closed_at": "2016-01-01T23:59:59.999Z"}}}
    found = events(parse_petition_document(doc))
    assert [e.kind for e in found] == ["opened", "closing"]
    assert found[1].label == "closed"


def test_debated_not_debated_response_and_dissolution():
    debated = petition(debate=Debate(debated_on=date(2019, 4, 1)), government_response=GovernmentResponse(
        responded_on=date(2018, 12, 20)), parliament=Parliament(dissolution_at=at("2019-11-06T00:01:00")),
        opened_at=at("2019-06-01T09:00:00"))
    kinds = [e.kind for e in events(debated)]
    assert kinds == ["response", "debated", "opened", "closing", "dissolution"]
    assert events(debated)[-2].at == ts("2019-11-06T00:01:00")  # dissolution caps the deadline
    not_debated = petition(debate=Debate(), debate_outcome_at=at("2019-05-01T10:00:00"))
    assert [e.kind for e in events(not_debated)] == ["not_debated"]


def test_count_drops_among_recorded_samples_are_events():
    times = [0.0, 3600.0, 7200.0, 10800.0]
    counts = [1_000, 1_200, 1_150, 1_300]
    drops = [e for e in events(petition(), times, counts) if e.kind == "count_drop"]
    assert [(e.at, e.label) for e in drops] == [(7200.0, "-50 signatures removed")]


# --- deadline ---------------------------------------------------------------------------------------


def test_a_stated_closing_date_is_the_end_of_that_uk_day():
    stated = deadline(petition(closing_date=date(2026, 8, 3), opened_at=at("2026-02-03T10:00:00")))
    assert stated == Deadline(end_of_uk_day(date(2026, 8, 3)), True, "closing_date")


@pytest.mark.parametrize(
    ("opened", "last_day"),
    [
        ("2020-01-01T10:00:00", date(2020, 7, 1)),  # the site's own example
        ("2019-08-31T12:00:00", date(2020, 2, 29)),  # a shorter month: its last day
        ("2019-03-31T23:30:00", date(2019, 10, 1)),  # 00:30 BST on 1 April is the 1st in the UK
    ],
)
def test_without_a_closing_date_the_deadline_is_six_months_from_the_uk_opening_day(opened, last_day):
    computed = deadline(petition(opened_at=at(opened)))
    assert computed == Deadline(end_of_uk_day(last_day), False, "opened_at + 6 months")


def test_dissolution_closes_petitions_early():
    archived = petition(opened_at=at("2019-09-01T10:00:00"), parliament=Parliament(
        dissolution_at=at("2019-11-06T00:01:00")))
    assert deadline(archived) == Deadline(ts("2019-11-06T00:01:00"), False, "dissolution")


def test_closed_at_wins_and_no_opening_means_no_deadline():
    assert deadline(petition(closed_at=at("2019-06-03T22:59:59.999"))).source == "closed_at"
    assert deadline(petition()) is None


def test_an_open_document_past_its_computed_deadline_is_treated_as_closed():
    captured_long_ago = petition(**DOC_2019)
    assert effective_state(captured_long_ago, now=ts("2019-06-04T00:00:00")) == "closed"
    assert effective_state(captured_long_ago, now=ts("2019-06-03T12:00:00")) == "open"
    assert effective_state(petition(state="rejected"), now=ts("2030-01-01T00:00:00")) == "rejected"


# --- random documents: never a crash, never an invented or contradictory point ------------------

moments = st.one_of(st.none(), st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 1, 1),
                                            timezones=st.just(UTC)))


@st.composite
def documents(draw):
    return petition(
        state=draw(st.sampled_from(["open", "closed", "rejected"])),
        signature_count=draw(st.integers(0, 2_000_000)),
        created_at=draw(moments), opened_at=draw(moments), updated_at=draw(moments), closed_at=draw(moments),
        moderation_threshold_reached_at=draw(moments), response_threshold_reached_at=draw(moments),
        debate_threshold_reached_at=draw(moments), government_response_at=draw(moments),
        debate_outcome_at=draw(moments),
        closing_date=draw(st.one_of(st.none(), st.dates(max_value=date(9999, 12, 31)))),
        scheduled_debate_date=draw(st.one_of(st.none(), st.dates(min_value=date(2010, 1, 1)))),
        debate=draw(st.one_of(st.none(), st.builds(Debate, debated_on=st.one_of(st.none(), st.dates())))),
        parliament=draw(st.one_of(st.none(), st.builds(Parliament, dissolution_at=moments,
                                                       response_threshold=st.one_of(st.none(), st.integers(1, 10**6)),
                                                       debate_threshold=st.one_of(st.none(), st.integers(1, 10**7))))),
    )


@settings(max_examples=300, deadline=None)
@given(documents(), st.lists(st.tuples(st.floats(1.2e9, 1.9e9), st.integers(0, 3_000_000)), max_size=8))
def test_random_documents_give_ordered_consistent_points_and_never_crash(doc, samples):
    times = [t for t, _ in samples]
    counts = [c for _, c in samples]
    points = known_points(doc, times, counts)
    stated = {doc.signature_count, doc.response_threshold, doc.debate_threshold, MODERATION_THRESHOLD,
              min(MOST_BEFORE_OPENING, doc.signature_count)}
    assert all(p.count in stated for p in points)
    assert [p.at for p in points] == sorted(p.at for p in points)
    assert all(a.count <= b.count for a, b in zip(points, points[1:], strict=False))
    for p in points:  # no recorded sample contradicts a point
        assert all(c <= p.count for t, c in samples if t < p.at)
        assert all(c >= p.count for t, c in samples if t > p.at)
    found = events(doc, times, counts)
    assert [e.at for e in found] == sorted(e.at for e in found)
    closing = deadline(doc)
    assert closing is None or isinstance(closing.at, float)
    assert effective_state(doc, now=datetime(2031, 1, 1, tzinfo=UTC).timestamp()) in {"open", "closed", "rejected"}


def test_a_curve_from_known_points_feeds_the_forecast():
    from petitiondesk.core.analysis import estimate_final

    doc = petition(**DOC_2019)
    points = known_points(doc)
    now = ts("2019-03-26T18:00:00")
    closes = deadline(doc).at
    estimate = estimate_final(np.array([now - 2 * 3600, now]), np.array([593_300, 593_441]), now, closes,
                              known_points=points, opened_at=doc.opened_at)
    assert 593_441 <= estimate.low <= estimate.final <= estimate.high
    assert estimate.high - estimate.low < 0.5 * 593_441  # ten weeks left of six months, well past the burst
