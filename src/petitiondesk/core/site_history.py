"""Whole-site history: the count of every open petition, from one request, every 10 minutes.

The site keeps no history, so whoever records first wins: a petition pinned later already has its
curve since PetitionDesk was installed. One `/petitions.csv?state=open` (docs/API.md §3.6) lists
every open petition with its count; its counts go into the same samples table as the pinned
petitions', with the same plateau compression (a petition that does not move costs nothing).

The `Refresher` runs a site pass when one is due (`due_at`), through the shared request
scheduler as background work; this module holds the options and the store-facing steps. Pinned
petitions are left to the refresher's own, faster polling: mixing two sources that are fresh at
different moments would draw made-up drops on their curves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from petitiondesk.core.store import HistoryUsage, Store

DEFAULT_INTERVAL = 600.0  # seconds: 10 minutes
MIN_INTERVAL = 60.0  # never more than one listing a minute, whatever the settings say
DAY = 86400.0
#: When the last site pass asked for the listing (POSIX seconds), shared by the window and `record`.
LAST_PASS_SETTING = "site_history.last_pass_at"


@dataclass(frozen=True)
class SiteHistoryOptions:
    """What the user chose: whether to record every open petition, how often, and how long to keep
    the history of petitions never pinned (0: for ever)."""

    enabled: bool = True
    interval: float = DEFAULT_INTERVAL
    forget_after_days: int = 0

    @property
    def spacing(self) -> float:
        return max(MIN_INTERVAL, float(self.interval))


@dataclass(frozen=True)
class SitePass:
    """What one site pass did."""

    listed: int  # open petitions in the listing
    recorded: int  # of those, the ones whose sample was stored or whose plateau was extended
    forgotten: int = 0  # samples of never-pinned petitions removed as too old


def due_at(store: Store, options: SiteHistoryOptions | None, now: float) -> float | None:
    """When the next site pass is due (POSIX seconds); None when whole-site recording is off.
    A last pass in the future (the computer's clock was put back) does not hold recording up."""
    if options is None or not options.enabled:
        return None
    last = store.setting(LAST_PASS_SETTING, None)
    if not isinstance(last, (int, float)) or last > now:
        return now
    return float(last) + options.spacing


def mark_asked(store: Store, now: float) -> None:
    """Remember the listing was asked for (answered or not): the next try is a whole interval later."""
    store.set_setting(LAST_PASS_SETTING, float(now))


def record_listing(store: Store, counts: Mapping[int, int], now: float, options: SiteHistoryOptions,
                   pinned: Iterable[int]) -> SitePass:
    """Sample every listed petition that is not pinned, then forget what the options say is too old;
    one transaction."""
    skip = set(pinned)
    wanted = {pid: count for pid, count in counts.items() if pid not in skip}
    with store.transaction():
        recorded = store.add_samples(now, wanted)
        forgotten = 0
        if options.forget_after_days > 0:
            forgotten = store.forget_unpinned_history(now - options.forget_after_days * DAY)
    return SitePass(listed=len(counts), recorded=recorded, forgotten=forgotten)


def describe_usage(usage: HistoryUsage) -> str:
    """The history's size in words, for Preferences and the command line."""
    if usage.samples == 0:
        return f"No signature counts recorded yet. The whole data file: {_megabytes(usage.file_bytes)}."
    size = f" takes {_megabytes(usage.history_bytes)}" if usage.history_bytes else ""
    return (f"The recorded history{size}: {usage.samples:,} counts of {usage.petitions:,} petitions, "
            f"{usage.never_pinned:,} of them never pinned. The whole data file: {_megabytes(usage.file_bytes)}.")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1e3)):,} kB"
