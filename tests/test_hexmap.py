"""The hex maps: the right map for each era's documents, unknown codes listed, honest colour classes."""

from __future__ import annotations

import itertools
import math

import pytest

from hexmap_documents import counts_for, petition
from petitiondesk.core.export import uk_total
from petitiondesk.core.hexmap import (
    CHANGE,
    PER_1000,
    SHARE,
    SIGNATURES,
    VIRIDIS,
    HexMapError,
    available_modes,
    choose_hexmap,
    colour_petition,
    hex_centre,
    load_hexmap,
    map_values,
    parse_hexjson,
    quantile_scale,
)


@pytest.mark.parametrize("year", [2024, 2010])
def test_each_map_has_650_seats_in_distinct_places_across_the_four_nations(year):
    hexmap = load_hexmap(year)
    assert len(hexmap.hexes) == 650
    assert len({(h.q, h.r) for h in hexmap.hexes.values()}) == 650
    assert {code[0] for code in hexmap.hexes} == set("EWSN")
    assert all(h.region for h in hexmap.hexes.values())


def test_only_the_2010_map_carries_electorates():
    assert load_hexmap(2010).has_electorates
    assert not load_hexmap(2024).has_electorates
    assert load_hexmap(2010).hexes["E14000530"].electorate == 72430  # Aldershot, as vendored


def test_neighbouring_hexes_touch_without_overlapping():
    """odd-r: odd rows shifted right by half a hex, so the nearest centres are exactly sqrt(3) apart."""
    centres = [h.centre for h in load_hexmap(2024).hexes.values()]
    nearest = min(math.dist(a, b) for a, b in itertools.combinations(centres[:200], 2))
    assert nearest == pytest.approx(math.sqrt(3))
    assert hex_centre(0, 1)[0] - hex_centre(0, 0)[0] == pytest.approx(math.sqrt(3) / 2)
    assert hex_centre(0, 1)[1] < hex_centre(0, 0)[1]  # rows count upward: row 1 is drawn higher


def test_a_2019_document_gets_the_2010_map_and_a_2024_one_the_new_map():
    assert choose_hexmap(counts_for(2010)).hexmap.year == 2010
    assert choose_hexmap(counts_for(2024)).hexmap.year == 2024
    assert choose_hexmap(counts_for(2010)).unknown == ()


def test_codes_on_neither_map_are_listed_not_dropped():
    codes = [*list(counts_for(2010))[:100], "E14999999", "X00000001"]
    choice = choose_hexmap(codes)
    assert choice.hexmap.year == 2010
    assert choice.unknown == ("E14999999", "X00000001")


def test_a_damaged_map_file_says_so():
    with pytest.raises(HexMapError, match="damaged"):
        parse_hexjson(b'{"layout": "odd-r", "hexes": {"E1": {"n": "x"}}}', 2024)
    with pytest.raises(HexMapError, match="not odd-r"):
        parse_hexjson(b'{"layout": "odd-q", "hexes": {}}', 2024)


def test_quantile_classes_hold_about_as_many_seats_each_from_dark_to_light():
    scale = quantile_scale([float(v) for v in range(1, 651)])
    sizes = [entry.high - entry.low + 1 for entry in scale.legend]
    assert sizes == [130, 130, 130, 130, 130]
    assert [entry.colour for entry in scale.legend] == [VIRIDIS[0], VIRIDIS[2], VIRIDIS[4], VIRIDIS[6], VIRIDIS[8]]
    assert scale.colour(1) == VIRIDIS[0] and scale.colour(650) == VIRIDIS[8]
    assert scale.colour(130) == VIRIDIS[0] and scale.colour(131) == VIRIDIS[2]


def test_equal_values_share_a_class_rather_than_leaving_empty_ones():
    scale = quantile_scale([0.0] * 600 + [5.0] * 50)
    assert [(e.low, e.high) for e in scale.legend] == [(0, 0), (5, 5)]
    assert scale.colour(0) != scale.colour(5)
    assert quantile_scale([]).legend == ()


def test_share_is_of_the_uk_row_not_of_the_seats_sum():
    """2019: the UK count exceeds the constituencies' sum (signatures that map to no seat)."""
    document = petition(2010)
    total = uk_total(document.signatures_by_country, document.signatures_by_constituency)
    seats = sum(row.signature_count for row in document.signatures_by_constituency)
    assert total == seats + 1000
    counts = {row.ons_code: row.signature_count for row in document.signatures_by_constituency}
    shares = map_values(SHARE, counts, load_hexmap(2010), total)
    assert shares["E14000530"] == pytest.approx(counts["E14000530"] / total)
    assert sum(shares.values()) < 1


def test_a_2015_document_without_country_codes_still_gets_shares():
    document = petition(2010, country_codes=False)
    colouring = colour_petition(document.signatures_by_constituency,
                                uk_total(document.signatures_by_country, document.signatures_by_constituency), SHARE)
    assert colouring.mode == SHARE and len(colouring.values) == 650


def test_per_1000_electors_uses_the_era_electorate():
    counts = {"E14000530": 7243}
    values = map_values(PER_1000, counts, load_hexmap(2010), 10_000)
    assert values == {"E14000530": pytest.approx(100.0)}


def test_modes_offered_follow_the_map_and_the_recorded_baseline():
    assert available_modes(load_hexmap(2010), False) == (SIGNATURES, SHARE, PER_1000)
    assert available_modes(load_hexmap(2024), True) == (SIGNATURES, SHARE, CHANGE)
    rows = petition(2024).signatures_by_constituency
    assert colour_petition(rows, 1000, PER_1000).mode == SIGNATURES  # 2024 seats: no electorates


def test_change_mode_counts_a_seat_missing_from_the_baseline_as_new():
    counts = {"E14000530": 50, "E14000531": 20}
    values = map_values(CHANGE, counts, load_hexmap(2010), 70, baseline={"E14000530": 45})
    assert values == {"E14000530": 5.0, "E14000531": 20.0}
