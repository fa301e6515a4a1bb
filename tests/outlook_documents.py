"""Petition documents in the 2019 schema: no `closing_date` (the site added it later), thresholds
passed with their timestamps. Composed with the shape and dates of a real capture of "Leave the EU
without a deal in March 2019" taken while it was open; only the figures tests check are set."""

from __future__ import annotations

import json
from datetime import UTC, datetime

PETITION_ID = 229963
OPENED = "2018-12-03T12:21:45.000Z"
# The site's rule: the end of the opening day in UK time plus six months = 3 June 2019, 23:59:59 BST.
COMPUTED_DEADLINE = datetime(2019, 6, 3, 22, 59, 59, 999000, tzinfo=UTC).timestamp()
RESPONSE_REACHED = datetime(2018, 12, 3, 18, 3, tzinfo=UTC).timestamp()
DEBATE_REACHED = datetime(2018, 12, 7, 20, 14, 58, tzinfo=UTC).timestamp()
UPDATED = datetime(2019, 3, 26, 17, 19, 45, tzinfo=UTC).timestamp()


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def document_2019(signature_count: int = 593_441, updated_at: float = UPDATED, **attributes) -> bytes:
    """The document's raw JSON; `attributes` override or add (None removes a timestamp)."""
    fields = {
        "action": "Leave the EU without a deal in March 2019",
        "background": "The UK voted to leave the EU; leave on 29 March 2019 without a deal.",
        "additional_details": "",
        "state": "open",
        "signature_count": signature_count,
        "created_at": "2018-11-29T10:02:11.000Z",
        "updated_at": iso(updated_at),
        "open_at": OPENED,
        "opened_at": OPENED,
        "closed_at": None,
        "rejected_at": None,
        "moderation_threshold_reached_at": "2018-11-29T11:40:02.000Z",
        "response_threshold_reached_at": iso(RESPONSE_REACHED),
        "government_response_at": "2018-12-20T16:37:36.000Z",
        "debate_threshold_reached_at": iso(DEBATE_REACHED),
        "scheduled_debate_date": "2019-04-01",
        "debate_outcome_at": None,
        "creator_name": None,
        "rejection": None,
        "government_response": None,
        "debate": None,
        "signatures_by_country": [],
        "signatures_by_constituency": [],
        **attributes,
    }
    return json.dumps({
        "links": {"self": f"https://petition.parliament.uk/petitions/{PETITION_ID}.json"},
        "data": {"type": "petition", "id": PETITION_ID, "attributes": fields},
    }).encode()
