"""Petition documents shaped like the real ones the map must handle, generated from the vendored maps.

- 2019 style: all 650 seats with their 2010 ONS codes, some vacant (mp null), countries whose UK row
  is larger than the constituencies' sum (signatures that map to no seat), no regions (before 2020).
- 2015 style: the same seats, countries without codes (before 2016).
- 2024 style: the newer codes, with regions.
Counts follow a fixed pattern so that every figure a test checks can be worked out by hand.
"""

from __future__ import annotations

import json

from petitiondesk.core.hexmap import load_hexmap
from petitiondesk.core.parse import parse_petition_document

VACANT_2010 = ("E14000530", "S14000051")  # Aldershot, Orkney and Shetland: mp null in these documents


def counts_for(year: int, extra: dict[str, int] | None = None) -> dict[str, int]:
    """Seat i (in code order) has i + 1 signatures, plus `extra`."""
    codes = sorted(load_hexmap(year).hexes)
    counts = {code: i + 1 for i, code in enumerate(codes)}
    for code, more in (extra or {}).items():
        counts[code] = counts.get(code, 0) + more
    return counts


def document(year: int = 2010, *, petition_id: int = 250000, counts: dict[str, int] | None = None,
             country_codes: bool = True, unknown: dict[str, int] | None = None, action: str = "Test petition",
             vacant: tuple[str, ...] = VACANT_2010, archived: bool = False) -> bytes:
    hexmap = load_hexmap(year)
    counts = counts_for(year) if counts is None else dict(counts)
    rows = [{"name": hexmap.hexes[code].name, "ons_code": code,
             "mp": None if code in vacant else f"MP for {hexmap.hexes[code].name}", "signature_count": n}
            for code, n in counts.items()]
    rows += [{"name": f"Unknown place {code}", "ons_code": code, "mp": None, "signature_count": n}
             for code, n in (unknown or {}).items()]
    in_seats = sum(row["signature_count"] for row in rows)
    uk = in_seats + 1000  # the UK row counts signatures that map to no seat too
    countries = [{"name": "United Kingdom", "signature_count": uk}, {"name": "France", "signature_count": 40}]
    if country_codes:
        countries[0]["code"], countries[1]["code"] = "GB", "FR"
    attributes = {
        "action": action, "state": "closed", "signature_count": uk + 40 + 7,  # 7: countries unlisted
        "background": "", "additional_details": "", "created_at": "2019-03-01T10:00:00.000Z",
        "updated_at": "2019-04-01T10:00:00.000Z", "opened_at": "2019-03-02T10:00:00.000Z",
        "closed_at": "2019-09-02T10:00:00.000Z",
        "signatures_by_country": countries, "signatures_by_constituency": rows,
    }
    if year == 2024:
        attributes["signatures_by_region"] = []
    kind = "archived-petition" if archived else "petition"
    return json.dumps({"data": {"type": kind, "id": petition_id, "attributes": attributes}}).encode()


def petition(year: int = 2010, **options):
    return parse_petition_document(document(year, **options))
