"""Fixtures for the GUI tests: petitions from the shared samples and ready-made watchlist rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from petitiondesk.core.parse import parse_petition_document
from petitiondesk.gui.watchlist_model import WatchRow


@pytest.fixture
def open_petition(samples_dir):
    return parse_petition_document((samples_dir / "composed-petition-open-752318.json").read_bytes())


@pytest.fixture
def debated_petition(samples_dir):
    return parse_petition_document((samples_dir / "composed-petition-closed-debated-701284.json").read_bytes())


@pytest.fixture
def make_row():
    """A WatchRow for a made-up petition: `make_row(3, "Ban x", 1200)`."""

    def build(petition_id: int, action: str = "", count: int | None = 0, position: int | None = None,
              **fields) -> WatchRow:
        from petitiondesk.core.models import Petition

        petition = Petition(id=petition_id, action=action or f"Petition number {petition_id}",
                            state=fields.pop("state", "open"), signature_count=count or 0)
        row = WatchRow(petition_id=petition_id, position=petition_id if position is None else position,
                       petition=petition, signature_count=count,
                       checked_at=datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc))
        return replace(row, **fields)

    return build
