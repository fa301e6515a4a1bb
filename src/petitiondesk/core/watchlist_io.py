"""Exporting and importing the watchlist: a JSON file, a plain list of links, or any text with links.

Export writes the pins in watchlist order, atomically. Import reads PetitionDesk's JSON, a list of
links, or any text (an e-mail, a web page saved as text) and pins what it names, in the file's order,
after the existing pins. It never fetches (the refresh engine fetches new pins on its next pass),
never duplicates or moves an existing pin, and runs in one store transaction: all or nothing.

A file that is not what it claims to be, or is hostile (huge, deeply nested, wrong types, NaN, too
many entries), is refused whole with a `WatchlistFileError` whose message a user can act on.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

from petitiondesk.core.export import atomic_write
from petitiondesk.core.models import SITE_BASE
from petitiondesk.core.parse import parse_timestamp
from petitiondesk.core.refs import MAX_ID_DIGITS, BadReference, find_references, parse_reference
from petitiondesk.core.store import Store, WatchEntry

__all__ = [
    "FORMAT",
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "PETITION_SETTINGS_KEY",
    "VERSION",
    "ImportEntry",
    "ImportPlan",
    "ImportReport",
    "Skipped",
    "WatchlistFileError",
    "export_json",
    "export_text",
    "export_watchlist",
    "import_text",
    "import_watchlist",
    "plan_import",
    "read_import_file",
]

FORMAT = "petitiondesk-watchlist"
VERSION = 1
MAX_FILE_BYTES = 5_000_000
MAX_ENTRIES = 10_000
MAX_DEPTH = 8  # top object > petitions > item > settings > a few levels of a setting's value
MAX_SETTINGS_BYTES = 4_000  # one petition's settings, as JSON
MAX_ID = 10**MAX_ID_DIGITS - 1
#: The store setting holding per-petition settings: {"<id>": {...}}.
PETITION_SETTINGS_KEY = "petition_settings"

# Tokens a user meant as a reference: an address anywhere, or a number (#ID) alone on its line.
_ADDRESS_LIKE = re.compile(r"\S*(?:://|www\.|\.uk/|/petitions/)\S*", re.IGNORECASE)
_NUMBER_LIKE = re.compile(r"<?#?\d+>?")


class WatchlistFileError(Exception):
    """A watchlist file was refused or could not be read; str() says why in a user's words."""


@dataclass(frozen=True)
class ImportEntry:
    """One petition a file names, with where it was found ("line 3", "item 2")."""

    petition_id: int
    where: str
    archived: bool = False
    pinned_at: float | None = None
    settings: dict[str, Any] | None = None


@dataclass(frozen=True)
class Skipped:
    where: str
    text: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """What a file says, read and checked but not yet applied."""

    kind: str  # "json" or "text"
    entries: tuple[ImportEntry, ...]
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    added: tuple[ImportEntry, ...]
    already_pinned: tuple[ImportEntry, ...]
    skipped: tuple[Skipped, ...]
    kind: str = "text"

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.already_pinned)} already pinned, "
                f"{len(self.skipped)} skipped")

    def lines(self) -> list[str]:
        """One line per petition or skipped entry, for the command line and the import dialog."""
        out = [f"{entry.petition_id}: added ({entry.where})" for entry in self.added]
        out += [f"{entry.petition_id}: already pinned ({entry.where})" for entry in self.already_pinned]
        out += [f"{item.where}: skipped {item.text!r}: {item.reason}" for item in self.skipped]
        return out


# ------------------------------------------------------------------------------------------ export


def export_watchlist(store: Store, path: Path, kind: str | None = None, now: float | None = None) -> int:
    """Export as JSON, or as text when `kind` is "text" or the name ends in .txt; returns the count."""
    kind = kind or ("text" if Path(path).suffix.lower() == ".txt" else "json")
    if kind == "json":
        return export_json(store, path, now)
    if kind == "text":
        return export_text(store, path)
    raise ValueError(f"unknown export kind {kind!r}; expected 'json' or 'text'")


def export_json(store: Store, path: Path, now: float | None = None) -> int:
    """The whole watchlist with order, pin times, archived flags and per-petition settings."""
    settings = _petition_settings(store)
    petitions = [
        {
            "id": entry.petition_id,
            "url": _web_url(entry.petition_id, archived),
            "position": entry.position,
            "pinned_at": _iso(entry.pinned_at),
            "archived": archived,
            "settings": settings.get(str(entry.petition_id), {}),
        }
        for entry, archived in _entries_with_archived(store)
    ]
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(time.time() if now is None else now),
        "petitions": petitions,
    }
    body = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    atomic_write(Path(path), lambda file: file.write(body))
    return len(petitions)


def export_text(store: Store, path: Path) -> int:
    """One link per line, in watchlist order: readable anywhere, importable back."""
    links = [_web_url(entry.petition_id, archived) for entry, archived in _entries_with_archived(store)]
    body = "".join(f"{link}\n" for link in links).encode("utf-8")
    atomic_write(Path(path), lambda file: file.write(body))
    return len(links)


def _entries_with_archived(store: Store) -> Iterator[tuple[WatchEntry, bool]]:
    entries = store.watchlist()
    documents = store.summaries(entry.petition_id for entry in entries)
    for entry in entries:
        document = documents.get(entry.petition_id)
        archived = document.archived if document else store.fetch_state(entry.petition_id).archived
        yield entry, archived


def _web_url(petition_id: int, archived: bool) -> str:
    return f"{SITE_BASE}/{'archived/petitions' if archived else 'petitions'}/{petition_id}"


def _iso(t: float) -> str:
    moment = datetime.fromtimestamp(t, UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _petition_settings(store: Store) -> dict[str, Any]:
    value = store.setting(PETITION_SETTINGS_KEY, {})
    return value if isinstance(value, dict) else {}


# ------------------------------------------------------------------------------------------ import


def import_watchlist(store: Store, path: Path, now: float | None = None) -> ImportReport:
    """Read `path` (JSON or any text) and pin what it names; WatchlistFileError if refused."""
    return plan_import(store, read_import_file(path), now)


def import_text(store: Store, text: str, now: float | None = None) -> ImportReport:
    """Pin the petitions named in pasted or dropped text."""
    return plan_import(store, _plan_from_text(text), now)


def read_import_file(path: Path) -> ImportPlan:
    """Read and check a file without touching the store (an import dialog can preview it)."""
    text = _read_text(Path(path))
    # A footnoted text may start with "[1]", so only a brace (or the name) says "JSON".
    if Path(path).suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _plan_from_json(text, Path(path).name)
    return _plan_from_text(text)


def plan_import(store: Store, plan: ImportPlan, now: float | None = None) -> ImportReport:
    """Pin the plan's new petitions after the existing ones, in one transaction."""
    added, already, skipped = [], [], list(plan.skipped)
    first_seen: dict[int, str] = {}
    pinned_at_now = time.time() if now is None else now
    with store.transaction():
        settings = _petition_settings(store)
        settings_changed = False
        for entry in plan.entries:
            if entry.petition_id in first_seen:
                skipped.append(Skipped(entry.where, str(entry.petition_id),
                                       f"listed again (first at {first_seen[entry.petition_id]})"))
                continue
            first_seen[entry.petition_id] = entry.where
            if store.is_pinned(entry.petition_id):
                already.append(entry)
                continue
            store.pin(entry.petition_id, entry.pinned_at if entry.pinned_at is not None else pinned_at_now)
            if entry.archived:
                state = store.fetch_state(entry.petition_id)
                if not state.archived:  # so that the first fetch asks the archive directly
                    store.save_fetch_state(replace(state, archived=True))
            if entry.settings:
                settings[str(entry.petition_id)] = entry.settings
                settings_changed = True
            added.append(entry)
        if settings_changed:
            store.set_setting(PETITION_SETTINGS_KEY, settings)
    return ImportReport(tuple(added), tuple(already), tuple(skipped), plan.kind)


# -- reading files


def _read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise WatchlistFileError(f"{path} is a folder, not a watchlist file.")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise WatchlistFileError(f"{path} does not exist.") from None
    except OSError as error:
        raise WatchlistFileError(f"Cannot read {path}: {error.strerror or error}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise WatchlistFileError(
            f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB: too big to be a watchlist; "
            "nothing was imported."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise WatchlistFileError(
            f"{path.name} is not a text file (not UTF-8 at byte {error.start}); nothing was imported."
        ) from None


def _plan_from_text(text: str) -> ImportPlan:
    """Every petition link (and number alone on a line); address-like tokens that are not, skipped."""
    entries: list[ImportEntry] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        found = find_references(line)
        entries += [ImportEntry(ref.id, where, archived=ref.archived) for ref in found]
        if not found:
            skipped += _unusable_tokens(line, where)
        if len(entries) + len(skipped) > MAX_ENTRIES:
            raise WatchlistFileError(
                f"The text names more than {MAX_ENTRIES:,} petitions or links; nothing was imported."
            )
    return ImportPlan("text", tuple(entries), tuple(skipped))


def _unusable_tokens(line: str, where: str) -> list[Skipped]:
    """Tokens that look like a reference but name no petition. Prose (with its years and phone
    numbers) is ignored."""
    out = []
    tokens = line.split()
    for token in tokens:
        token = token.rstrip(".,;:!?)")
        alone = len(tokens) == 1
        if not (_ADDRESS_LIKE.fullmatch(token) or (alone and _NUMBER_LIKE.fullmatch(token))):
            continue
        try:
            parse_reference(token)
        except BadReference as error:
            out.append(Skipped(where, token[:80], _reason(error)))
    return out


def _reason(error: BadReference) -> str:
    """The part of the parser's message that says why (the accepted forms are shown elsewhere)."""
    _, _, why = str(error).partition(" is not a petition: ")
    why = why.split("; expected", 1)[0]
    return "not a petition link or number" if not why or why.startswith("expected") else why


def _plan_from_json(text: str, name: str) -> ImportPlan:
    document = _load_json(text, name)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise WatchlistFileError(f"{name} is JSON but not a PetitionDesk watchlist; nothing was imported.")
    version = document.get("version")
    if not _is_int(version) or version < 1:
        raise WatchlistFileError(f"{name} has no valid format version; nothing was imported.")
    if version > VERSION:
        raise WatchlistFileError(
            f"{name} was made by a newer PetitionDesk (watchlist format {version}); update to import it."
        )
    petitions = document.get("petitions")
    if not isinstance(petitions, list):
        raise WatchlistFileError(f"{name}: \"petitions\" must be a list; nothing was imported.")
    if len(petitions) > MAX_ENTRIES:
        raise WatchlistFileError(f"{name} lists more than {MAX_ENTRIES:,} petitions; nothing was imported.")
    entries = [_json_entry(item, index, name) for index, item in enumerate(petitions, start=1)]
    # The file's order is its positions when given (ties and missing ones keep the list order).
    order = sorted(range(len(entries)), key=lambda i: (_position(petitions[i]), i))
    return ImportPlan("json", tuple(entries[i] for i in order))


def _load_json(text: str, name: str) -> object:
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise WatchlistFileError(
            f"{name} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "nothing was imported."
        ) from None
    except RecursionError:
        raise WatchlistFileError(f"{name} is nested far too deeply to be a watchlist; nothing was imported.") from None
    except ValueError as error:  # NaN/Infinity, numbers thousands of digits long
        raise WatchlistFileError(f"{name} is not usable JSON ({_first_line(error)}); nothing was imported.") from None
    if _depth(document) > MAX_DEPTH:
        raise WatchlistFileError(f"{name} is nested too deeply to be a watchlist; nothing was imported.")
    return document


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _first_line(error: BaseException) -> str:
    return (str(error).strip() or type(error).__name__).splitlines()[0][:120]


def _depth(value: object, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of containers, counting no further than `limit` (enough to refuse)."""
    deepest, level = 0, [(value, 1)]
    while level:
        node, depth = level.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth >= limit:
                return depth
            children = node.values() if isinstance(node, dict) else node
            level.extend((child, depth + 1) for child in children)
    return deepest


def _json_entry(item: object, index: int, name: str) -> ImportEntry:
    where = f"item {index}"

    def refuse(problem: str) -> WatchlistFileError:
        return WatchlistFileError(f"{name}, {where}: {problem}; nothing was imported.")

    if not isinstance(item, dict):
        raise refuse(f"expected an object with an \"id\", found {_describe(item)}")
    petition_id = item.get("id")
    if not _is_int(petition_id) or not 1 <= petition_id <= MAX_ID:
        raise refuse(f"\"id\" must be a whole number from 1 to {MAX_ID:,}, not {_short(petition_id)}")
    position = item.get("position")
    if position is not None and (not _is_int(position) or position < 0):
        raise refuse(f"\"position\" must be a whole number from 0, not {_short(position)}")
    archived = item.get("archived")
    if archived is None:
        archived = _archived_from_url(item.get("url"))
    elif not isinstance(archived, bool):
        raise refuse(f"\"archived\" must be true or false, not {_short(archived)}")
    settings = item.get("settings")
    if settings is not None and not isinstance(settings, dict):
        raise refuse(f"\"settings\" must be an object, not {_describe(settings)}")
    if settings and len(json.dumps(settings)) > MAX_SETTINGS_BYTES:
        raise refuse(f"its settings are larger than {MAX_SETTINGS_BYTES:,} bytes")
    pinned_at = _pinned_at(item.get("pinned_at"))
    if pinned_at is False:
        raise refuse(f"\"pinned_at\" must be a time like 2026-03-01T12:00:00Z, not {_short(item.get('pinned_at'))}")
    return ImportEntry(petition_id, where, archived=archived, pinned_at=pinned_at, settings=settings or None)


def _position(item: dict[str, Any]) -> float:
    position = item.get("position")
    return position if _is_int(position) else math.inf


def _pinned_at(value: object) -> float | None | bool:
    """POSIX seconds from an ISO time or a number; None if absent; False if unusable."""
    if value is None:
        return None
    if isinstance(value, str):
        moment = parse_timestamp(value)
        return moment.timestamp() if moment is not None else False
    if (_is_int(value) or isinstance(value, float)) and 0 <= value < 2**33:  # finite, before year 2242
        return float(value)
    return False


def _archived_from_url(url: object) -> bool:
    if not isinstance(url, str):
        return False
    try:
        return parse_reference(url).archived
    except BadReference:
        return False


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _describe(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    if _is_int(value) or isinstance(value, float):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _short(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, (dict, list)) else _describe(value)
    return text if len(text) <= 40 else text[:37] + "..."
