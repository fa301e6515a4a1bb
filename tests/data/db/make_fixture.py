"""Writes `petitiondesk-v1.sqlite`: a user's database as PetitionDesk 0.1.0 (schema 1) left it.

Run ONCE, against release 0.1.0 (commit 541c1ea, the last before the migration framework), with

    .venv/bin/python tests/data/db/make_fixture.py

and never again: the point of the fixture is that it was written by the old code, so that
tests/test_store_migration.py proves a newer release upgrades it without losing anything. Running it
against a newer release would only test that release against itself.

Everything goes through the release's own code: the refresher fetches the documents from the
built-in simulator (on a fixed date) and pins them, then a week of samples (with plateaus) and
constituency snapshots are recorded through `Store`, one petition is unpinned (its history stays),
the watchlist is reordered, one petition is pinned by import before it was ever fetched, and a
per-petition setting is saved. Beside the database, `petitiondesk-v1.json` lists what was written:
the test checks the migrated file against it.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from petitiondesk import __version__
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.refresh import Refresher
from petitiondesk.core.store import Store
from petitiondesk.core.watchlist_io import import_text
from petitiondesk.simulator import SimulatorServer
from petitiondesk.simulator.world import World

HERE = Path(__file__).resolve().parent
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DAYS = 7
HOUR = 3600


def samples_digest(times, counts) -> str:
    """A fingerprint of every (time, count) pair, in order; the test computes the same."""
    text = ",".join(f"{int(t)}:{int(c)}" for t, c in zip(times, counts, strict=True))
    return hashlib.sha256(text.encode()).hexdigest()


def record_days(store: Store, petition_id: int, start: float, count: int, rng: random.Random) -> None:
    """A week of counts every 15 minutes: growth by day, still nights (plateaus) in between."""
    for step in range(1, DAYS * 24 * 4):
        t = start + step * 900
        hour = (step // 4) % 24
        if 7 <= hour <= 22:
            count += rng.randrange(0, 60)
        store.add_sample(petition_id, t, count)
        if step % 80 == 0:  # every 20 hours: a constituency snapshot (thinned to daily after 48 h)
            document = store.petition(petition_id)
            seats = document.signatures_by_constituency if document else ()
            scale = count / max(1, sum(seat.signature_count for seat in seats or ()))
            store.add_constituency_snapshot(
                petition_id, t, {seat.ons_code: int(seat.signature_count * scale) for seat in seats or ()}
            )


def main() -> None:
    target = HERE / f"petitiondesk-v{Store.SCHEMA_VERSION}.sqlite"
    target.unlink(missing_ok=True)
    rng = random.Random(2026)
    world = World(seed=8, speed=1e-9, open_count=12, archived_count=4, start=START)
    now = START.timestamp()
    with SimulatorServer(world=world) as server, Store.open(target) as store:
        chosen = [*world.ids("open")[:3], world.ids("closed")[0]]
        archived = world.archived_ids()[0]
        with PetitionsClient(server.url) as client:
            refresher = Refresher(client, store, clock=lambda: now)
            for petition_id in chosen:
                refresher.pin(petition_id)
            refresher.pin(archived, archived=True)
        for petition_id in [*chosen, archived]:
            latest = store.latest_sample(petition_id)
            record_days(store, petition_id, now, latest[1] if latest else 0, rng)
        store.unpin(chosen[1])  # removed from the watchlist; its history stays
        store.move(archived, 0)  # the user's own order, not the pinning order
        import_text(store, "https://petition.parliament.uk/petitions/999001", now=now + DAYS * 86400)
        petition_settings = {str(chosen[0]): {"note": "fixture"}}
        store.set_setting("petition_settings", petition_settings)
        manifest = {
            "written_by": f"PetitionDesk {__version__}",
            "schema": Store.SCHEMA_VERSION,
            "watchlist": [entry.petition_id for entry in store.watchlist()],
            "documents": {
                str(pid): {"action": doc.action, "signature_count": doc.signature_count}
                for pid, doc in sorted(store.petitions([*chosen, archived]).items())
            },
            "samples": {},
            "snapshots": {},
            "settings": {"petition_settings": petition_settings},
        }
        for petition_id in [*chosen, archived]:
            times, counts = store.samples(petition_id)
            manifest["samples"][str(petition_id)] = {
                "rows": len(times), "last": [int(times[-1]), int(counts[-1])], "sha256": samples_digest(times, counts)
            }
    with sqlite3.connect(target) as raw:  # snapshot rows, read as stored
        for petition_id, rows in raw.execute("SELECT petition_id, count(*) FROM constituency_snapshots GROUP BY 1"):
            manifest["snapshots"][str(petition_id)] = rows
    (HERE / f"petitiondesk-v{Store.SCHEMA_VERSION}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{target.name}: {target.stat().st_size:,} bytes; watchlist {manifest['watchlist']}")


if __name__ == "__main__":
    main()
