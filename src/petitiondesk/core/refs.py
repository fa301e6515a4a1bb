"""Petition references as people paste them: links, bare numbers and ``#ID``.

Accepted forms of a single reference (surrounding whitespace and ``<...>`` are ignored):

* a link to petition.parliament.uk (``www.`` optional, http or https or no scheme at all) to
  ``/petitions/ID`` or ``/archived/petitions/ID``, with an optional trailing slash, ``.json``,
  query string or fragment; also ``/petitions/ID/count.json`` and the signing page
  ``/petitions/ID/signatures/new``, which people copy from their address bar;
* the same paths without the site, such as ``/archived/petitions/ID``;
* a bare number ``700123`` or ``#700123``.

Ids must be 1 to 999,999,999: nine digits is ample (today's ids are six) and refuses pasted
phone numbers and the like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BadReference", "PetitionRef", "find_references", "parse_reference"]

MAX_ID_DIGITS = 9
_EXPECTED = (
    "expected a link like https://petition.parliament.uk/petitions/700123, "
    "a number like 700123, or #700123"
)

_HOST = r"(?:www\.)?petition\.parliament\.uk"
_PATH = (
    r"/(?P<archived>archived/)?petitions/(?P<id>\d+)"
    r"(?:\.json|/count\.json|/signatures/new)?/?"
    r"(?:[?#]\S*)?"
)
# The site part is optional: a path copied on its own ("/archived/petitions/ID") names a petition too.
_LINK = re.compile(rf"(?:(?:https?://)?{_HOST}(?::443|:80)?)?{_PATH}", re.ASCII | re.IGNORECASE)
_NUMBER = re.compile(r"#?\s*(?P<id>\d+)", re.ASCII)
_ANY_URL = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?(?P<host>[a-z0-9.-]+\.[a-z]{2,})(?::\d+)?(?:[/?#].*)?",
    re.ASCII | re.IGNORECASE,
)
# In free text a link ends at whitespace or at punctuation that closes a sentence or a bracket.
_LINK_IN_TEXT = re.compile(
    rf"(?<![\w.@-])(?:https?://)?{_HOST}/(?:archived/)?petitions/\d+[^\s<>()\[\]{{}}\"']*",
    re.ASCII | re.IGNORECASE,
)
_NUMBER_LINE = re.compile(r"\s*<?\s*#?(\d+)\s*>?\s*", re.ASCII)


class BadReference(ValueError):
    """The text does not name a petition; the message says which forms are accepted."""


@dataclass(frozen=True)
class PetitionRef:
    id: int
    archived: bool = False


def _quoted(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return repr(shown)


def _checked_id(digits: str, text: str) -> int:
    if len(digits.lstrip("0")) > MAX_ID_DIGITS:
        raise BadReference(f"{_quoted(text)} is not a petition: the number is too long; {_EXPECTED}")
    petition_id = int(digits.lstrip("0") or "0")  # 5,000 leading zeros exceed int()'s digit limit
    if petition_id <= 0:
        raise BadReference(f"{_quoted(text)} is not a petition: ids start at 1; {_EXPECTED}")
    return petition_id


def _unwrap(text: str) -> str:
    core = text.strip()
    if core.startswith("<") and core.endswith(">"):
        core = core[1:-1].strip()
    return core


def parse_reference(text: str) -> PetitionRef:
    """The petition a pasted link, number or ``#ID`` names; BadReference otherwise."""
    if not isinstance(text, str):
        raise BadReference(f"{_quoted(str(text))} is not a petition: {_EXPECTED}")
    core = _unwrap(text)
    number = _NUMBER.fullmatch(core)
    if number:
        return PetitionRef(_checked_id(number.group("id"), core))
    link = _LINK.fullmatch(core)
    if link:
        petition_id = _checked_id(link.group("id"), core)
        return PetitionRef(petition_id, archived=bool(link.group("archived")))
    other = _ANY_URL.fullmatch(core)
    if other and not re.fullmatch(_HOST, other.group("host"), re.IGNORECASE):
        host = other.group("host")
        raise BadReference(
            f"{_quoted(core)} is not a petition: {host!r} is not petition.parliament.uk; {_EXPECTED}"
        )
    raise BadReference(f"{_quoted(core or text)} is not a petition: {_EXPECTED}")


def find_references(text: str) -> list[PetitionRef]:
    """Every petition link, and every number alone on its line, in order, once per petition."""
    found: list[tuple[int, PetitionRef]] = []
    for match in _LINK_IN_TEXT.finditer(text):
        ref = _reference_or_none(match.group(0).rstrip(".,;:!?"))
        if ref is not None:
            found.append((match.start(), ref))
    offset = 0
    for line in text.splitlines(keepends=True):
        if _NUMBER_LINE.fullmatch(line.rstrip("\r\n")):
            ref = _reference_or_none(line)
            if ref is not None:
                found.append((offset, ref))
        offset += len(line)
    found.sort(key=lambda pair: pair[0])
    seen: set[int] = set()
    unique = []
    for _, ref in found:
        if ref.id not in seen:  # ids are unique across parliaments, archived or not
            seen.add(ref.id)
            unique.append(ref)
    return unique


def _reference_or_none(text: str) -> PetitionRef | None:
    try:
        return parse_reference(text)
    except BadReference:
        return None
