"""Base rates learnt from the site's archive: how the final counts of past petitions are spread.

The forecast weighs each possible final count by how common such a count is among past petitions
(`core.forecast.BaseRates`). Built-in rates ship with the app. The site's archived list of published
petitions, sorted by count (docs/API.md §3.1), gives the final counts of past parliaments' petitions:
reading it takes one request per 50 petitions at the client's polite pace and stops at the first page
that reaches below 10,000. Archived petitions do not change, so what was learnt is kept in the store
and read from there ever after; without it the built-in rates are used. Imports no Qt.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from petitiondesk.core.browse import BrowseQuery, Browser
from petitiondesk.core.forecast import BUILT_IN_BASE_RATES, BaseRates

if TYPE_CHECKING:
    from petitiondesk.core.client import PetitionsClient
    from petitiondesk.core.store import Store

log = logging.getLogger(__name__)

SETTING = "forecast.base_rates"
THRESHOLD = 10_000  # the population: petitions that reached a government response


class LearningFailed(Exception):
    """The archive could not be read to the end (the message says why); nothing was stored."""


@dataclass(frozen=True)
class Learnt:
    rates: BaseRates | None  # None: too few past petitions reached THRESHOLD to say anything
    petitions: int  # how many archived petitions at THRESHOLD or more were read
    requests: int


def learn(client: PetitionsClient, should_stop: Callable[[], bool] = lambda: False) -> Learnt | None:
    """Read the archive's published petitions, most signed first, down to THRESHOLD; None if stopped."""
    browser = Browser(client, BrowseQuery(state="published", archived=True))
    for page in browser.pages(should_stop):
        if page.error:
            raise LearningFailed(page.error)
        if page.rows and min(row.signature_count for row in page.rows) < THRESHOLD:
            break  # sorted by count: every later page is below it too
    else:
        if not browser.finished:
            return None  # stopped
    finals = [row.signature_count for row in browser.rows if row.signature_count >= THRESHOLD]
    return Learnt(BaseRates.from_finals(finals, THRESHOLD), len(finals), browser.pages_loaded)


def save(store: Store, learnt: Learnt, learnt_at: float) -> None:
    """Keep what was learnt (rates too few to use are kept too: the archive need not be read again)."""
    rates = learnt.rates
    store.set_setting(SETTING, {
        "learnt_at": learnt_at,
        "petitions": learnt.petitions,
        "rates": None if rates is None else {"counts": list(rates.counts), "survival": list(rates.survival),
                                             "below_index": rates.below_index, "above_index": rates.above_index},
    })


def stored(store: Store | None) -> BaseRates:
    """The rates the forecast uses: those learnt and kept in `store`, else the built-in ones."""
    value = store.setting(SETTING) if store is not None else None
    return _parse(value.get("rates")) if isinstance(value, dict) else BUILT_IN_BASE_RATES


def learnt_already(store: Store) -> bool:
    return isinstance(store.setting(SETTING), dict)


def _parse(value: Any) -> BaseRates:  # any JSON: checked below
    """Stored rates, checked (a damaged setting falls back to the built-in rates, with a log line)."""
    if value is None:
        return BUILT_IN_BASE_RATES
    try:
        counts = tuple(float(count) for count in value["counts"])
        survival = tuple(float(share) for share in value["survival"])
        below, above = float(value["below_index"]), float(value["above_index"])
        ordered = all(a < b for a, b in zip(counts, counts[1:], strict=False)) and all(
            a > b for a, b in zip(survival, survival[1:], strict=False))
        usable = all(math.isfinite(x) and x > 0 for x in (*counts, *survival, below, above))
        if len(counts) == len(survival) >= 2 and ordered and usable:
            return BaseRates(counts, survival, below, above)
    except (KeyError, TypeError, ValueError):
        pass
    log.warning("the stored base rates are damaged; using the built-in ones")
    return BUILT_IN_BASE_RATES
