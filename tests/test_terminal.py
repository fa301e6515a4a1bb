"""Text from the network printed on a terminal can only show characters, never act."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from petitiondesk.core.terminal import for_terminal


def test_escape_sequences_are_removed_and_the_words_kept():
    hostile = (
        "Ban\x1b[2K\x1b[1A fees"  # erase line, cursor up
        "\x1b]0;pwned\x07"  # window title
        "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"  # OSC 8 hyperlink
        "\x07\x08\x9b31m!"
    )
    assert for_terminal(hostile) == "Ban feesclick!"


def test_line_breaks_and_tabs_become_spaces_unless_kept():
    assert for_terminal("one\ntwo\tthree\r") == "one two three "
    assert for_terminal("one\ntwo", keep_newlines=True) == "one\ntwo"


def test_ordinary_text_is_untouched():
    text = "Make the A1 safer — £5m for Côte-d'Ivoire’s 10,000 signatories 🎉"
    assert for_terminal(text) == text


def test_bidi_overrides_are_dropped():
    assert for_terminal("abc\u202edef") == "abcdef"


@given(st.text())
def test_nothing_that_acts_on_a_terminal_survives(text):
    cleaned = for_terminal(text)
    assert "\x1b" not in cleaned and "\x9b" not in cleaned and "\x07" not in cleaned
    assert all(ord(char) >= 0x20 and not 0x7F <= ord(char) <= 0x9F for char in cleaned)
