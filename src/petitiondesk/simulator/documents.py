"""World state -> the exact JSON dicts of petition.parliament.uk (docs/API.md §3-§8).

Built directly as dicts, in the site's template key order; nothing here knows about HTTP.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from typing import Any

from petitiondesk.core.models import DEBATE_THRESHOLD, RESPONSE_THRESHOLD
from petitiondesk.simulator import content
from petitiondesk.simulator.world import (
    ARCHIVED_DISSOLUTION,
    ARCHIVED_PERIOD,
    UTC,
    Milestones,
    Plan,
    Seat,
    World,
    london_date,
    london_offset,
)

BREAKDOWN_KEYS = (
    "signatures_by_country",
    "signatures_by_constituency",
    "signatures_by_region",
    "other_parliamentary_business",
)


# --- formats (§8) -------------------------------------------------------------------------------


def api_time(moment: datetime | None) -> str | None:
    """TS: UTC ISO-8601 with milliseconds and `Z`."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def api_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def rails_time(moment: datetime | None) -> str | None:
    """Rails' default: milliseconds and the Europe/London offset (`+01:00` in summer)."""
    if moment is None:
        return None
    offset = london_offset(moment)
    local = moment.astimezone(UTC) + offset
    sign_hours = int(offset.total_seconds() // 3600)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}+{sign_hours:02d}:00"


# --- nested objects -----------------------------------------------------------------------------


def _department(acronym: str) -> dict:
    name, slug = content.DEPARTMENTS[acronym]
    return {"acronym": acronym, "name": name, "url": f"https://www.gov.uk/government/organisations/{slug}"}


def _government_response(plan: Plan, answered: datetime) -> dict:
    rng = random.Random(plan.id)
    department = content.DEPARTMENTS[plan.departments[0]][0] if plan.departments else "Cabinet Office"
    details = (
        "The Government thanks everyone who signed this petition and recognises the strength of feeling.\n\n"
        "We have already taken several steps:\n\n"
        "* increased funding for the services involved this year\n"
        "* published guidance[1] for the organisations responsible\n"
        "* asked an independent panel to review the evidence\n\n"
        "We will set out further plans once the review[2] reports.\n\n"
        f"{department}\n\n"
        "[1]: https://www.gov.uk/guidance/example-guidance\n"
        f"[2]: https://www.gov.uk/government/publications/review-{plan.id}"
    )
    return {
        "responded_on": api_date(london_date(answered)),
        "summary": rng.choice(content.SUMMARIES),
        "details": details,
        "created_at": api_time(answered),
        "updated_at": api_time(answered),
    }


def _debate(plan: Plan, milestones: Milestones) -> dict:
    if not milestones.debated:
        return {
            "debated_on": None,
            "transcript_url": None,
            "video_url": None,
            "debate_pack_url": None,
            "public_engagement_url": None,
            "debate_summary_url": None,
            "overview": "The Petitions Committee decided not to schedule a debate on this petition "
            "because the issue was debated recently.",
        }
    day = milestones.scheduled_debate_date
    assert day is not None  # debated: the debate had a date
    return {
        "debated_on": api_date(day),
        "transcript_url": f"https://hansard.parliament.uk/commons/{day}/debates/{plan.id}/Petition{plan.id}",
        "video_url": f"https://parliamentlive.tv/Event/Index/00000000-0000-0000-0000-000000{plan.id}",
        "debate_pack_url": (
            f"https://commonslibrary.parliament.uk/research-briefings/cdp-{day.year}-{plan.id % 1000:04d}/"
        ),
        "public_engagement_url": (
            f"https://committees.parliament.uk/committee/326/petitions-committee/news/{plan.id}/"
        ),
        "debate_summary_url": f"https://ukparliament.shorthandstories.com/petition-{plan.id}-debate-summary/",
        "overview": f"MPs debated this petition on {day:%-d %B %Y}.",
    }


def _parliamentary_business(plan: Plan, milestones: Milestones) -> list[dict]:
    if milestones.debate_scheduled_on is None:
        return []
    sent = datetime.combine(milestones.debate_scheduled_on, datetime.min.time(), UTC) + timedelta(hours=11)
    sent = sent.replace(microsecond=(plan.id % 1000) * 1000)
    return [
        {
            "subject": "Parliament will debate this petition",
            "body": f"MPs will debate this petition on {milestones.scheduled_debate_date:%-d %B %Y}.\n\n"
            "You can watch the debate online[1].\n\n[1]: https://parliamentlive.tv/",
            "occurred_on": api_date(milestones.debate_scheduled_on),
            "created_at": api_time(sent),
            "updated_at": api_time(sent),
        }
    ]


# --- breakdowns (§4.2, §4.3): close to, never exactly, the total ---------------------------------


def _seat_shares(world: World, plan: Plan, seats: tuple[Seat, ...]) -> tuple[float, ...]:
    """Each seat's share of a petition's UK signatures: its usual weight, jittered, with one hot spot."""
    cached = world.shares_cache.get(plan.id)
    if cached is not None:
        return cached
    rng = random.Random(f"shares:{world.seed}:{plan.id}")
    weights = [seat.weight * rng.lognormvariate(0, 0.3) for seat in seats]
    for near in range(plan.local_bias - 2, plan.local_bias + 3):
        weights[near % len(weights)] *= 8
    total = sum(weights)
    shares = tuple(weight / total for weight in weights)
    if len(world.shares_cache) > 2048:
        world.shares_cache.clear()
    world.shares_cache[plan.id] = shares
    return shares


MAPPED = 0.985  # some UK signatures map to no constituency


def _abroad_and_uk(rng: random.Random, count: int) -> tuple[int, int]:
    abroad = int(count * rng.uniform(0.01, 0.05))
    return abroad, count - abroad + int(count * 0.0003)  # batch jobs drift a little from the total


def seat_signatures(world: World, petition_id: int, seat_index: int, moment: datetime) -> int:
    """One current constituency's row of `signatures_by_constituency`, without building the rest."""
    plan = world.plan(petition_id)
    _, uk = _abroad_and_uk(random.Random(f"breakdown:{plan.id}"), world.count(petition_id, moment))
    return int(uk * MAPPED * _seat_shares(world, plan, world.seats)[seat_index])


def _breakdowns(world: World, plan: Plan, count: int, milestones: Milestones) -> dict:
    rng = random.Random(f"breakdown:{plan.id}")
    abroad, uk = _abroad_and_uk(rng, count)
    weights = [share for _, _, share in content.COUNTRIES]
    scale = abroad / sum(weights)
    countries = [{"name": "United Kingdom", "code": "GB", "signature_count": uk}] if uk > 0 else []
    for name, code, share in content.COUNTRIES:
        signatures = int(share * scale * rng.uniform(0.7, 1.3))
        if signatures > 0:
            countries.append({"name": name, "code": code, "signature_count": signatures})
    countries.sort(key=lambda row: str(row["name"]))

    seats = world.old_seats if plan.archived else world.seats
    shares = _seat_shares(world, plan, seats)
    constituencies: list[dict[str, Any]] = []
    regions: dict[str, int] = {}
    for seat, share in zip(seats, shares, strict=True):
        signatures = int(uk * MAPPED * share)
        if signatures <= 0:
            continue
        constituencies.append(
            {"name": seat.name, "ons_code": seat.ons_code, "mp": seat.mp, "signature_count": signatures}
        )
        regions[seat.region] = regions.get(seat.region, 0) + signatures
    if not plan.archived:
        constituencies.sort(key=lambda row: str(row["ons_code"]))
    region_names = {letter: name for letter, name in content.REGIONS.values()}
    return {
        "signatures_by_country": countries,
        "signatures_by_constituency": constituencies,
        "signatures_by_region": [
            {"name": region_names[letter], "ons_code": letter, "signature_count": total}
            for letter, total in sorted(regions.items())
        ],
        "other_parliamentary_business": _parliamentary_business(plan, milestones),
    }


# --- petitions ----------------------------------------------------------------------------------


def petition_state(world: World, petition_id: int, moment: datetime) -> str:
    plan = world.plan(petition_id)
    if plan.rejection:
        return "rejected"
    if plan.archived:
        return "closed"
    assert plan.deadline is not None  # published and not rejected: it opened
    return "closed" if moment > plan.deadline else "open"


def updated_at(world: World, petition_id: int, moment: datetime, milestones: Milestones | None = None
               ) -> datetime:
    """The last count change or edit (a response, a debate outcome), whichever is later."""
    milestones = milestones or world.milestones(petition_id, moment)
    stamps = (world.updated_at(petition_id, moment), milestones.government_response_at,
              milestones.debate_outcome_at)
    return max(stamp for stamp in stamps if stamp is not None)


def petition_attributes(world: World, petition_id: int, moment: datetime, full: bool) -> dict:
    """`attributes` in template order; `full` adds the breakdowns of the single view."""
    plan = world.plan(petition_id)
    state = petition_state(world, petition_id, moment)
    count = world.count(petition_id, moment)
    milestones = world.milestones(petition_id, moment)
    updated = updated_at(world, petition_id, moment, milestones)
    attributes: dict[str, Any] = {
        "action": plan.action,
        "background": plan.background,
        "additional_details": plan.additional_details,
        "committee_note": plan.committee_note,
        "state": state,
        "signature_count": count,
    }
    if state == "open" and not plan.archived and plan.deadline is not None:
        attributes["closing_date"] = api_date(london_date(plan.deadline))
    closed_at = plan.deadline if state == "closed" else None
    attributes.update(
        {
            "created_at": api_time(plan.created_at),
            "updated_at": api_time(updated),
            "rejected_at": api_time(plan.rejected_at),
            "opened_at": api_time(plan.opened_at),
            "closed_at": api_time(closed_at),
            "moderation_threshold_reached_at": api_time(plan.moderation_at),
            "response_threshold_reached_at": api_time(milestones.response_threshold_at),
            "government_response_at": api_time(milestones.government_response_at),
            "debate_threshold_reached_at": api_time(milestones.debate_threshold_at),
            "debate_scheduled_on": api_date(milestones.debate_scheduled_on),
            "scheduled_debate_date": api_date(milestones.scheduled_debate_date),
            "debate_outcome_at": api_time(milestones.debate_outcome_at),
        }
    )
    if not plan.archived:
        attributes["creator_name"] = plan.creator_name if state == "open" else None
    attributes["rejection"] = (
        {"code": plan.rejection[0], "details": plan.rejection[1]} if plan.rejection else None
    )
    attributes["government_response"] = (
        _government_response(plan, milestones.government_response_at)
        if milestones.government_response_at
        else None
    )
    attributes["debate"] = _debate(plan, milestones) if milestones.debate_outcome_at else None
    attributes["departments"] = [_department(acronym) for acronym in plan.departments]
    attributes["topics"] = list(plan.topics)
    if full and state != "rejected":
        attributes.update(_breakdowns(world, plan, count, milestones))
    return attributes


def petition_document(world: World, petition_id: int, self_url: str, moment: datetime) -> dict:
    """`/petitions/:id.json` or, for archived ones, `/archived/petitions/:id.json`."""
    plan = world.plan(petition_id)
    data = {
        "type": "archived-petition" if plan.archived else "petition",
        "id": petition_id,
        "attributes": petition_attributes(world, petition_id, moment, full=True),
    }
    if plan.archived:
        data["parliament"] = parliament_block()
    return {"links": {"self": self_url}, "data": data}


def list_item(world: World, petition_id: int, base: str, moment: datetime) -> dict:
    plan = world.plan(petition_id)
    kind = "archived/petitions" if plan.archived else "petitions"
    item = {
        "type": "archived-petition" if plan.archived else "petition",
        "id": petition_id,
        "links": {"self": f"{base}/{kind}/{petition_id}.json"},
    }
    if plan.archived:  # archived/petitions/_petition.json.jbuilder:8-14, in lists too
        item["parliament"] = parliament_block()
    item["attributes"] = petition_attributes(world, petition_id, moment, full=False)
    return item


def count_document(world: World, petition_id: int, moment: datetime) -> dict:
    """`/petitions/:id/count.json` (§5): no envelope, London-offset Rails times."""
    milestones = world.milestones(petition_id, moment)
    return {
        "signature_count": world.count(petition_id, moment),
        "response_threshold_reached_at": rails_time(milestones.response_threshold_at),
        "government_response_at": rails_time(milestones.government_response_at),
        "debate_threshold_reached_at": rails_time(milestones.debate_threshold_at),
        "scheduled_debate_date": api_date(milestones.scheduled_debate_date),
        "debate_outcome_at": rails_time(milestones.debate_outcome_at),
        "debated": milestones.debate_state == "debated",
    }


def parliament_block() -> dict:
    return {
        "period": ARCHIVED_PERIOD,
        "government": "Conservative",
        "dissolution_at": rails_time(ARCHIVED_DISSOLUTION),
        "response_threshold": RESPONSE_THRESHOLD,
        "debate_threshold": DEBATE_THRESHOLD,
    }


def parliaments_document() -> list[dict]:
    """`/parliaments.json`: the archived parliaments, most recently archived first
    (`Parliament.archived` orders by archived_at desc before `order(:period)`; parliaments_spec.rb:58-77)."""
    latest = parliament_block()
    rows = [{key: latest[key] for key in
             ("period", "dissolution_at", "government", "response_threshold", "debate_threshold")}]
    earlier = [
        ("2017-2019", datetime(2019, 11, 6, 0, 1, tzinfo=UTC), "Conservative"),
        ("2015-2017", datetime(2017, 5, 2, 23, 1, tzinfo=UTC), "Conservative"),
        ("2010-2015", datetime(2015, 3, 29, 23, 1, tzinfo=UTC), "Conservative – Liberal Democrat coalition"),
    ]
    rows += [
        {"period": period, "dissolution_at": rails_time(dissolved), "government": government,
         "response_threshold": RESPONSE_THRESHOLD, "debate_threshold": DEBATE_THRESHOLD}
        for period, dissolved, government in earlier
    ]
    return rows


OLD_BOUNDARIES = ("2010-05-06", "2024-05-30")  # every archived parliament here sat on the 2010 boundaries


def parliament_document(world: World, period: str) -> dict | None:
    """`/parliaments/:period.json` (parliaments/show.json.jbuilder): the parliament and its
    constituencies; None for a period that is not an archived parliament."""
    rows = [row for row in parliaments_document() if row["period"] == period]
    if not rows:
        return None
    start, end = OLD_BOUNDARIES
    document = dict(rows[0])
    document["constituencies"] = {
        seat.ons_code: {"constituency": seat.name, "ons_code": seat.ons_code, "start_date": start, "end_date": end}
        for seat in sorted(world.old_seats, key=lambda seat: seat.ons_code)
    }
    return document


def period_constituencies_document(world: World, period: str) -> dict | None:
    """`/parliaments/:period/constituencies.json`: an archived parliament's seats, as `/constituencies.json`."""
    if not any(row["period"] == period for row in parliaments_document()):
        return None
    return _constituencies(world.old_seats, *OLD_BOUNDARIES)


def constituencies_document(world: World) -> dict:
    return _constituencies(world.seats, "2024-07-05", None)


def _constituencies(seats, start_date: str, end_date: str | None) -> dict:
    return {
        seat.ons_code: {
            "mp": seat.mp,
            "party": seat.party,
            "constituency": seat.name,
            "ons_code": seat.ons_code,
            "start_date": start_date,
            "end_date": end_date,
        }
        for seat in sorted(seats, key=lambda seat: seat.ons_code)
    }


def slug(name: str) -> str:
    """A constituency name in URL form, as Rails' `parameterize`: "Croydon East" -> "croydon-east"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def local_petitions_document(world: World, seat_index: int, include_closed: bool, base: str,
                             moment: datetime) -> dict:
    """`/petitions/local/:slug.json` (open) or `.../all.json` (open and closed): the 50 petitions
    with the most signatures in one constituency (local_petitions/_petitions.json.jbuilder)."""
    seat = world.seats[seat_index]
    states = ("open", "closed") if include_closed else ("open",)
    rows = []
    for pid in world.visible_ids():
        state = petition_state(world, pid, moment)
        if state in states and (local := seat_signatures(world, pid, seat_index, moment)) > 0:
            rows.append((local, world.count(pid, moment), pid, state))
    rows.sort(key=lambda row: (-row[0], -row[1]))
    document: dict = {"constituency": seat.name}
    if seat.mp:  # omitted for a vacant seat
        document["mp"] = {"name": seat.mp, "url": f"https://members.parliament.uk/constituency/{seat.ons_code}"}
    document["petitions"] = [
        {"action": world.plan(pid).action, "url": f"{base}/petitions/{pid}", "state": state,
         "constituency_signature_count": local, "total_signature_count": total}
        for local, total, pid, state in rows[:50]
    ]
    return document


def topics_document() -> dict:
    return {code: {"code": code, "name": name} for code, (name, _, _) in sorted(content.TOPICS.items())}


def trending_document(world: World, self_url: str, base: str, moment: datetime) -> dict:
    open_ids = [pid for pid in world.visible_ids() if petition_state(world, pid, moment) == "open"]
    last_hour = sorted(
        ((world.signatures_in_last_hour(pid, moment), pid) for pid in open_ids), reverse=True
    )
    items = [
        {
            "type": "petition",
            "id": pid,
            "links": {"self": f"{base}/petitions/{pid}.json"},
            "attributes": {"action": world.plan(pid).action, "signature_count": signatures},
        }
        for signatures, pid in last_hour[:10]
        if signatures > 0
    ]
    minute = moment.replace(second=0, microsecond=0)
    return {"links": {"self": self_url}, "data": items, "meta": {"updated_at": api_time(minute)}}
