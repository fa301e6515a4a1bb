"""Petition references as users paste them."""

from __future__ import annotations

import pytest

from petitiondesk.core.refs import BadReference, PetitionRef, find_references, parse_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://petition.parliament.uk/petitions/700123", PetitionRef(700123)),
        ("http://petition.parliament.uk/petitions/700123", PetitionRef(700123)),
        ("https://www.petition.parliament.uk/petitions/700123", PetitionRef(700123)),
        ("https://petition.parliament.uk/petitions/700123/", PetitionRef(700123)),
        ("https://petition.parliament.uk/petitions/700123.json", PetitionRef(700123)),
        ("https://petition.parliament.uk/petitions/700123?utm_source=share", PetitionRef(700123)),
        ("https://petition.parliament.uk/petitions/700123#signatures", PetitionRef(700123)),
        ("https://petition.parliament.uk/petitions/700123/count.json", PetitionRef(700123)),
        ("https://petition.parliament.uk/petitions/700123/signatures/new", PetitionRef(700123)),
        ("petition.parliament.uk/petitions/700123", PetitionRef(700123)),
        ("HTTPS://Petition.Parliament.UK/petitions/700123", PetitionRef(700123)),
        ("https://petition.parliament.uk/archived/petitions/300123", PetitionRef(300123, archived=True)),
        ("https://petition.parliament.uk/archived/petitions/300123.json", PetitionRef(300123, archived=True)),
        ("/archived/petitions/300123", PetitionRef(300123, archived=True)),
        ("/petitions/700123.json", PetitionRef(700123)),
        ("700123", PetitionRef(700123)),
        ("#700123", PetitionRef(700123)),
        ("  700123\n", PetitionRef(700123)),
        ("<https://petition.parliament.uk/petitions/700123>", PetitionRef(700123)),
        (" < 700123 > ", PetitionRef(700123)),
        ("1", PetitionRef(1)),
        ("999999999", PetitionRef(999_999_999)),
    ],
)
def test_accepted_references(text, expected):
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("foo", "expected a link like https://petition.parliament.uk/petitions/700123"),
        ("", "is not a petition"),
        ("0", "ids start at 1"),
        ("#0", "ids start at 1"),
        ("https://petition.parliament.uk/petitions/0", "ids start at 1"),
        ("1234567890", "too long"),
        ("-5", "is not a petition"),
        ("12.5", "is not a petition"),
        ("https://example.com/petitions/700123", "'example.com' is not petition.parliament.uk"),
        ("https://petition.parliament.uk.evil.example/petitions/1", "is not petition.parliament.uk"),
        ("https://notpetition.parliament.uk/petitions/1", "is not petition.parliament.uk"),
        ("https://petition.parliament.uk/petitions", "is not a petition"),
        ("/petitions", "is not a petition"),
        ("//example.com/petitions/700123", "is not a petition"),
        ("https://petition.parliament.uk/petitions/local/croydon-east", "is not a petition"),
        ("https://petition.parliament.uk/petitions/700123/sponsors/abc", "is not a petition"),
        ("ftp://petition.parliament.uk/petitions/700123", "is not a petition"),
        ("700123 700124", "is not a petition"),
        ("٧٠٠١٢٣", "is not a petition"),  # Arabic-Indic digits: not what anyone means by an id
    ],
)
def test_refused_references_say_what_was_expected(text, reason):
    with pytest.raises(BadReference) as caught:
        parse_reference(text)
    message = str(caught.value)
    assert reason in message
    assert "#700123" in message  # every refusal lists the accepted forms


def test_bad_reference_quotes_long_input_briefly():
    with pytest.raises(BadReference) as caught:
        parse_reference("x" * 500)
    assert len(str(caught.value)) < 250


def test_find_references_in_free_text_in_order_without_duplicates():
    text = (
        "Please sign https://petition.parliament.uk/petitions/700123. It matters!\n"
        "Also (https://petition.parliament.uk/archived/petitions/300001) from before.\n"
        "701284\n"
        "  #752318  \n"
        "The number 1234 inside a sentence is not a reference.\n"
        "Again: <https://www.petition.parliament.uk/petitions/700123/>\n"
        "https://example.com/petitions/5\n"
        "mypetition.parliament.uk/petitions/6\n"
        "0\n"
    )
    assert find_references(text) == [
        PetitionRef(700123),
        PetitionRef(300001, archived=True),
        PetitionRef(701284),
        PetitionRef(752318),
    ]


def test_find_references_in_nothing():
    assert find_references("") == []
    assert find_references("no petitions here, only 2024 and 10,000 signatures") == []


def test_thousands_of_leading_zeros_name_the_petition_instead_of_a_traceback():
    assert parse_reference("0" * 5000 + "5").id == 5
    assert parse_reference("#" + "0" * 5000 + "700123").id == 700123
    with pytest.raises(BadReference):
        parse_reference("0" * 5000)
