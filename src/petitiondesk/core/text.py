"""Text from the network made safe to print or show: control characters removed."""

from __future__ import annotations

import unicodedata


def strip_controls(text: str, keep_newlines: bool = False) -> str:
    """`text` without control and format characters (escape sequences, bidi overrides, NUL...),
    so that a petition's title cannot move a terminal's cursor or reverse a line. Tabs become
    spaces; newlines are kept only when asked."""
    kept = []
    for char in text:
        if char == "\n" and keep_newlines:
            kept.append(char)
        elif char in "\t\r\n":
            kept.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs") or char == "\u200d":
            kept.append(char)  # ZWJ stays: emoji sequences need it
    return "".join(kept)
