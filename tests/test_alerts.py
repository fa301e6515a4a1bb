"""Alert detection: which events of a pinned petition are told, under keys that make each fire once."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitiondesk.core.alert_store import AlertStore
from petitiondesk.core.alerts import AlertRules, Kind, announcements, conditions
from petitiondesk.core.models import Debate, GovernmentResponse, Petition
from petitiondesk.core.store import Store

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
T = NOW.timestamp()
HOUR = 3600.0
RULES = AlertRules()


def petition(**changes) -> Petition:
    base = Petition(id=700123, action="Fund local libraries", state="open", signature_count=5_000,
                    closing_date=date(2027, 3, 1), opened_at=NOW - timedelta(days=30))
    return replace(base, **changes)


@contextmanager
def memory() -> Iterator[AlertStore]:
    """The alerts' memory in a fresh store."""
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "p.sqlite3") as store:
        yield store.alerts()


def keys(found) -> set[str]:
    return {alert.key for alert in found}


def detect(doc: Petition | None, times=(), counts=(), now: float = T, rules: AlertRules = RULES, problem=None):
    return conditions(700123, doc, times, counts, now, rules, problem)


def hourly(rates: list[float], end: float = T, start_count: int = 1_000) -> tuple[np.ndarray, np.ndarray]:
    """Samples every hour up to `end`, the count growing by each rate in turn."""
    times = end - HOUR * np.arange(len(rates), -1, -1)
    counts = start_count + np.concatenate([[0], np.cumsum(rates)]).astype(np.int64)
    return times, counts


# -------------------------------------------------------------------------------- each event


def test_thresholds_and_the_users_round_numbers_are_reached_once_each():
    rules = AlertRules(round_numbers=(50_000, 25_000))
    found = detect(petition(signature_count=60_000), rules=rules)
    assert keys(found) == {"threshold:10000", "threshold:25000", "threshold:50000"}
    assert [a.message for a in found] == ["reached 10,000 signatures", "reached 25,000 signatures",
                                          "reached 50,000 signatures"]
    with memory() as fired:
        assert len(fired.record(found, T)) == 3
        assert fired.record(detect(petition(signature_count=61_000), rules=rules), T + 60) == []


def test_the_latest_sample_counts_before_the_document_does():
    found = detect(petition(signature_count=9_000), times=[T - 60], counts=[100_001])
    assert keys(found) == {"threshold:10000", "threshold:100000"}


def test_a_document_newer_than_the_last_sample_gives_the_count():
    newer = petition(signature_count=10_400, updated_at=NOW)
    assert keys(detect(newer, times=[T - 60], counts=[1_009])) == {"threshold:10000"}
    older = petition(signature_count=10_400, updated_at=NOW - timedelta(hours=1))
    assert detect(older, times=[T - 60], counts=[1_009]) == []


def test_a_government_response_and_each_later_update_are_told():
    answered = NOW - timedelta(days=1)
    response = GovernmentResponse(summary="No.", created_at=answered, updated_at=answered)
    first = detect(petition(government_response=response, government_response_at=answered))
    assert keys(first) == {"response"}
    assert first[0].happened_at == answered.timestamp()
    edited = replace(response, updated_at=NOW)
    again = replace(response, updated_at=NOW + timedelta(hours=2))
    with memory() as fired:
        fired.record(first, T)
        second = fired.record(detect(petition(government_response=edited, government_response_at=answered)), T)
        third = fired.record(detect(petition(government_response=again, government_response_at=answered)), T)
    assert [s.alert.kind for s in second] == [Kind.RESPONSE_UPDATED]
    assert [s.alert.message for s in third] == ["the government updated its response"]


def test_a_debate_scheduled_rescheduled_held_with_outcome_and_video():
    scheduled = detect(petition(scheduled_debate_date=date(2027, 1, 11)))
    assert [a.message for a in scheduled] == ["a debate is scheduled for 11 January 2027"]
    moved = detect(petition(scheduled_debate_date=date(2027, 1, 18)))
    assert keys(moved) != keys(scheduled)
    held = petition(scheduled_debate_date=date(2027, 1, 18), debate_outcome_at=NOW,
                    debate=Debate(debated_on=date(2027, 1, 18), video_url="https://parliamentlive.tv/x"))
    assert keys(detect(held)) == {"debated", "debate_outcome", "debate_video"}


def test_a_decision_not_to_debate_is_an_outcome_in_its_own_words():
    found = detect(petition(debate_outcome_at=NOW, debate=Debate(overview="Debated recently.")))
    expected = [(Kind.DEBATE_OUTCOME, "the Petitions Committee decided not to debate it")]
    assert [(a.kind, a.message) for a in found] == expected


def test_closing_in_the_last_day_but_not_before():
    closing = date(2026, 12, 1)  # ends at midnight UK time: 12 hours after NOW
    assert [a.message for a in detect(petition(closing_date=closing))] == ["closes in about 12 hours"]
    assert detect(petition(closing_date=closing), now=T - DAY_AND_A_HALF) == []


DAY_AND_A_HALF = 36 * HOUR


def test_closed_says_the_final_count():
    found = detect(petition(state="closed", closing_date=None, closed_at=NOW, signature_count=12_345))
    assert [a.message for a in found if a.kind is Kind.CLOSED] == ["closed with 12,345 signatures"]


def test_rejected_and_removed():
    assert keys(detect(petition(state="rejected", signature_count=3))) == {"rejected"}
    assert keys(detect(petition(), problem="gone")) == {"removed"}
    assert detect(petition(), problem="gone", rules=AlertRules(removed=False)) == []


def test_a_surge_is_three_times_the_usual_rate_and_at_least_100_an_hour():
    times, counts = hourly([50.0] * 72 + [400.0])
    surge = [a for a in detect(petition(), times, counts) if a.kind is Kind.SURGE]
    assert [a.message for a in surge] == ["is surging: 400 signatures in the last hour (usually 50)"]
    twice = hourly([200.0] * 72 + [400.0])
    assert not [a for a in detect(petition(), *twice) if a.kind is Kind.SURGE]
    quiet = hourly([10.0] * 72 + [60.0])
    assert not [a for a in detect(petition(), *quiet) if a.kind is Kind.SURGE]


def test_no_surge_without_a_day_of_history_or_a_recent_sample():
    launch = hourly([5.0] * 10 + [500.0])
    assert not [a for a in detect(petition(), *launch) if a.kind is Kind.SURGE]
    times, counts = hourly([50.0] * 72 + [400.0], end=T - HOUR)
    assert not [a for a in detect(petition(), times, counts) if a.kind is Kind.SURGE]


def test_hours_nothing_recorded_are_not_history():
    times, counts = hourly([50.0] * 72 + [400.0])
    away = (times > T - 60 * HOUR) & (times < T - 2 * HOUR)  # 2 days not running: the count jumped
    gap_times, gap_counts = times[~away], counts[~away]
    assert not [a for a in detect(petition(), gap_times, gap_counts) if a.kind is Kind.SURGE]
    last_hour_unseen = (times[:-2].tolist() + [T - 0.1 * HOUR, T], counts[:-2].tolist() + [counts[-1] - 10, counts[-1]])
    assert not [a for a in detect(petition(), *last_hour_unseen) if a.kind is Kind.SURGE]


def test_a_stall_is_a_day_without_signatures_while_open_and_each_stall_is_new():
    times = [T - 30 * HOUR, T - 25 * HOUR, T]
    found = detect(petition(), times, [900, 1_000, 1_000])
    assert [a.message for a in found] == ["has had no new signatures for 25 hours"]
    assert not detect(petition(), [T - 30 * HOUR, T - 20 * HOUR, T], [900, 1_000, 1_000])
    assert not [a for a in detect(petition(state="closed", closing_date=None), times, [900, 1_000, 1_000])
                if a.kind is Kind.STALL]
    later = detect(petition(), [*times, T + HOUR, T + 30 * HOUR], [900, 1_000, 1_000, 1_001, 1_001],
                   now=T + 30 * HOUR)
    assert keys(later) != keys(found)


def test_rules_switched_off_tell_nothing():
    off = AlertRules(thresholds=False, response=False, debate=False, closing_soon=False, closed=False,
                     surge=False, stall=False, removed=False)
    busy = petition(state="closed", closing_date=None, signature_count=200_000, government_response_at=NOW,
                    debate_outcome_at=NOW, debate=Debate(debated_on=date(2026, 11, 1)))
    assert detect(busy, rules=off) == []


def test_rules_from_stored_json_keep_what_is_valid():
    rules = AlertRules.from_json({"surge": False, "round_numbers": [5000, "x", -1, 5000, True],
                                  "stall_hours": "soon", "surge_factor": 4, "nonsense": 1})
    assert rules == AlertRules(surge=False, round_numbers=(5000,), surge_factor=4.0)
    assert AlertRules.from_json(rules.to_json()) == rules
    assert AlertRules.from_json("garbage") == AlertRules()


def test_without_a_document_the_petition_is_named_by_number():
    assert [a.title for a in detect(None, [T], [10_000])] == ["Petition 700123"]


# ------------------------------------------------------------------------------- announcing


def test_alerts_are_announced_one_by_one_or_as_one_summary_after_an_absence():
    found = detect(petition(signature_count=150_000, government_response_at=NOW))
    single = announcements(found, away=False)
    assert [(n.title, n.body, n.petition_id) for n in single][0] == (
        "Fund local libraries", "The government responded.", 700123)
    assert len(single) == 3
    (summary,) = announcements(found, away=True)
    assert summary.title == "While you were away: 3 alerts"
    assert summary.body.splitlines()[1] == "Fund local libraries: reached 10,000 signatures"
    assert summary.petition_id == 700123
    assert announcements([], away=True) == []


# ------------------------------------------------------------------------------- properties

dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 1, 1))
moments = st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
documents = st.builds(
    Petition,
    id=st.just(700123),
    action=st.text(max_size=20),
    state=st.sampled_from(["open", "closed", "rejected", "hidden", ""]),
    signature_count=st.integers(min_value=0, max_value=10**7),
    closing_date=st.none() | dates,
    closed_at=st.none() | moments,
    government_response_at=st.none() | moments,
    scheduled_debate_date=st.none() | dates,
    debate_outcome_at=st.none() | moments,
    government_response=st.none() | st.builds(GovernmentResponse, created_at=st.none() | moments,
                                               updated_at=st.none() | moments),
    debate=st.none() | st.builds(Debate, debated_on=st.none() | dates, video_url=st.none() | st.text(max_size=5)),
)
passes = st.lists(
    st.tuples(
        st.none() | documents,
        st.floats(min_value=1.0, max_value=2 * 86400.0),  # time since the previous pass
        st.integers(min_value=-50, max_value=200_000),  # change in count
        st.sampled_from([None, None, "gone", "offline"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(passes, st.lists(st.integers(min_value=1, max_value=10**7), max_size=3))
def test_a_run_of_passes_never_crashes_and_never_fires_a_key_twice(run, round_numbers):
    rules = AlertRules(round_numbers=tuple(round_numbers))
    told: list[tuple[int, str]] = []
    with memory() as fired:
        _run_passes(fired, run, rules, told)
    assert len(told) == len(set(told))


def _run_passes(fired: AlertStore, run, rules: AlertRules, told: list) -> None:
    now, count = T, 0
    times: list[float] = []
    counts: list[int] = []
    for doc, gap, change, problem in run:
        now += gap
        count = max(0, count + change)
        times.append(now)
        counts.append(count)
        found = conditions(700123, doc, times, counts, now, rules, problem)
        assert found == conditions(700123, doc, times, counts, now, rules, problem)  # keys are stable
        new = [stored.alert for stored in fired.record(found, now)]
        assert fired.record(found, now) == []
        told += [a.identity for a in new]
        announcements(new, away=True)


def test_quiet_hours_may_run_past_midnight():
    from petitiondesk.core.alerts import in_quiet_hours

    night = (22 * 60, 7 * 60)
    assert [in_quiet_hours(m, *night) for m in (21 * 60 + 59, 22 * 60, 0, 6 * 60 + 59, 7 * 60)] == [
        False, True, True, True, False]
    assert in_quiet_hours(13 * 60, 12 * 60, 14 * 60) and not in_quiet_hours(14 * 60, 12 * 60, 14 * 60)
    assert not in_quiet_hours(600, 600, 600)


def test_round_numbers_are_read_as_people_type_them():
    from petitiondesk.core.alerts import parse_round_numbers

    assert parse_round_numbers("25,000 50000; 1m, 250k") == (25_000, 50_000, 250_000, 1_000_000)
    assert parse_round_numbers("5000,10000") == (5_000, 10_000)
    assert parse_round_numbers("") == ()
    for bad in ("lots", "0", "-5", "1.5", "1e99", "nan"):
        with pytest.raises(ValueError, match="is not a number of signatures"):
            parse_round_numbers(bad)
