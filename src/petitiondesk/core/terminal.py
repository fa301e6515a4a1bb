"""Text from the network, made safe to print on a terminal.

A petition's title or a government response could carry escape sequences (erase the line, set the
window title, OSC 8 hyperlinks, a bell): printed as they are, they would act on the user's terminal.
Human output goes through `for_terminal`; `--json` output stays faithful (json.dumps escapes them).
"""

from __future__ import annotations

import re
import unicodedata

# ESC-introduced sequences (CSI ... final byte, OSC ... BEL or ST, and two-byte escapes), and the
# 8-bit C1 forms of CSI and OSC.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erases
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?"
)


def for_terminal(text: str, keep_newlines: bool = False) -> str:
    """`text` without escape sequences or control characters (tabs become spaces; line breaks too,
    unless `keep_newlines`), so printing it can only ever show characters."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    kept = []
    for char in text:
        if char == "\n" and keep_newlines:
            kept.append(char)
        elif char in "\t\n\r\v\f":
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf") and char not in "\u200d":
            continue  # C0/C1 controls and invisible format characters (bidi overrides included)
        else:
            kept.append(char)
    return "".join(kept)
