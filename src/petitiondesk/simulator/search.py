"""The site's `q=`: PostgreSQL full-text search, approximated without a database (docs/API.md §3.2).

The site matches `to_tsvector('english', column) @@ plainto_tsquery('english', q)` for each of
`action`, `background` and `additional_details`, OR-ed (app/models/concerns/hybrid_searching.rb:33-42):
a petition matches when one column holds every word of the query, each compared by its English stem.
So `fireworks` finds "firework", `lowan` finds nothing (not "allowance"), and a query of stop words
alone finds nothing.

What is approximate here: the stemmer is a short Porter-style suffix stripper, not PostgreSQL's
Snowball English (it agrees on plurals, -ed, -ing, -ly, -ness, -ation and friends, and may differ on
rarer words); the stop words are PostgreSQL's English list; hyphenated words count as their parts.
The site's optional semantic (pgvector) half of a hybrid search is not simulated.
"""

from __future__ import annotations

import re
from functools import lru_cache

# PostgreSQL's `english.stop` (the Snowball list), which plainto_tsquery drops from a query.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom this that these those am is
are was were be been being have has had having do does did doing a an the and but if or because as until
while of at by for with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how all any both each
few more most other some such no nor not only own same so than too very s t can will just don should now
""".split())

_WORD = re.compile(r"[^\W_]+")
_VOWELS = set("aeiouy")
_STEP2 = (  # longest first, applied once, when the stem left has a vowel-consonant pair
    ("ational", "ate"), ("tional", "tion"), ("ization", "ize"), ("fulness", "ful"), ("iveness", "ive"),
    ("ousness", "ous"), ("biliti", "ble"), ("ation", "ate"), ("alism", "al"), ("aliti", "al"),
    ("iviti", "ive"), ("ement", ""), ("ness", ""), ("ment", ""), ("ance", ""), ("ence", ""), ("able", ""),
    ("ible", ""), ("ator", "ate"), ("ful", ""), ("ous", ""), ("ive", ""), ("ize", ""), ("ise", ""),
    ("ism", ""), ("ist", ""), ("iti", ""), ("ent", ""), ("ant", ""), ("al", ""), ("er", ""), ("ic", ""),
)


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-then-consonant runs."""
    pattern = "".join("v" if ch in _VOWELS else "c" for ch in stem)
    return len(re.findall(r"v+c+", pattern))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """An English stem close to PostgreSQL's: `fireworks` and `firework` share one, `allowance` is `allow`."""
    word = word.lower().removesuffix("'s")
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies"):
        word = word[:-3] + "i"
    elif word.endswith("s") and not word.endswith(("ss", "us")) and _VOWELS & set(word[:-2]):
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and _VOWELS & set(base):
            word = base
            if word.endswith(("at", "bl", "iz")):
                word += "e"
            elif len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            elif _measure(word) == 1 and _short(word):  # "hoped" -> "hope", as "hope" stays
                word += "e"
            break
    if word.endswith("ly") and _measure(word[:-2]) > 0:
        word = word[:-2]
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        word = word[:-1] + "i"
    for _ in range(2):  # "nationality" -> "national" -> "nation"
        for suffix, replacement in _STEP2:
            if word.endswith(suffix) and _measure(word[: -len(suffix)]) > 0:
                word = word[: -len(suffix)] + replacement
                break
    if word.endswith("e") and (_measure(word[:-1]) > 1 or (_measure(word[:-1]) == 1 and not _short(word[:-1]))):
        word = word[:-1]
    return word


def _short(stem: str) -> bool:
    """Porter's *o: ends consonant-vowel-consonant, the last not w, x or y ("hop", not "tax")."""
    return (len(stem) >= 3 and stem[-1] not in _VOWELS | set("wx") and stem[-2] in _VOWELS
            and stem[-3] not in _VOWELS)


def terms(text: str) -> frozenset[str]:
    """The stems a column or a query contributes, stop words dropped (`to_tsvector('english', ...)`)."""
    return frozenset(stem(word) for word in _WORD.findall(text.lower()) if word not in STOP_WORDS)


def matches(query_terms: frozenset[str], columns: tuple[str, ...]) -> bool:
    """plainto_tsquery ANDs the words; the site ORs the columns. An empty query matches nothing."""
    return bool(query_terms) and any(query_terms <= terms(column) for column in columns)
