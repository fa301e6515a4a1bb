"""What a request to the site came back with: an `Outcome` and, when there is one, the value.

Kept apart from the client (core/client.py, which makes the requests with httpx) so that modules
that only read answers (the refresher's rules, the browse lists) import no HTTP library: the window
paints its watchlist without waiting for httpx to load.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Outcome(enum.Enum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    NOT_FOUND = "not_found"
    GONE = "gone"
    NOT_VISIBLE = "not_visible"
    COLLECTING_SUPPORTERS = "collecting_supporters"  # not open yet; its count.json answers (§9)
    IN_MODERATION = "in_moderation"  # likewise
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    NETWORK_ERROR = "network_error"
    BAD_RESPONSE = "bad_response"


@dataclass(frozen=True)
class Fetched(Generic[T]):
    outcome: Outcome
    value: T | None = None
    status: int | None = None
    last_modified: str | None = None
    etag: str | None = None
    max_age: float | None = None
    retry_after: float | None = None  # seconds, from Retry-After (delta or HTTP date)
    archived: bool = False  # the answer came from /archived/petitions/ID.json
    message: str = ""  # one line for users
    raw: bytes | None = None  # body of a 200, for storing

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK
