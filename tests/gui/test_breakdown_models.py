"""Where the signatures come from: the constituency, region and country tables."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from petitiondesk.core.models import ConstituencySignatures, CountrySignatures
from petitiondesk.core.parse import parse_petition_document
from petitiondesk.gui.breakdown_models import (
    RECORD_ROLE,
    SORT_ROLE,
    ConstituencyTableModel,
    CountryTableModel,
    RegionTableModel,
    uk_total,
)

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


@pytest.fixture
def debated(samples_dir):
    path = samples_dir / "composed-petition-closed-debated-701284.json"
    return parse_petition_document(path.read_bytes())


def column_texts(model, column):
    return [model.index(row, column).data() for row in range(model.rowCount())]


def column_keys(model, column):
    return [model.index(row, column).data(SORT_ROLE) for row in range(model.rowCount())]


def filled_constituencies(petition, baseline=None):
    model = ConstituencyTableModel()
    model.set_total(uk_total(petition.signatures_by_country, petition.signatures_by_constituency))
    model.set_baseline(baseline)
    model.set_records(petition.signatures_by_constituency)
    return model


def test_constituency_model_passes_the_model_tester(qtmodeltester, debated):
    model = filled_constituencies(debated, baseline={"E14001063": 200})
    qtmodeltester.check(model)
    model.sort(ConstituencyTableModel.SIGNATURES, DESC)
    qtmodeltester.check(model)


@pytest.mark.parametrize("model_class", [RegionTableModel, CountryTableModel])
def test_region_and_country_models_pass_the_model_tester(qtmodeltester, debated, model_class):
    model = model_class()
    rows = debated.signatures_by_region if model_class is RegionTableModel else debated.signatures_by_country
    model.set_total(debated.signature_count)
    model.set_records(rows)
    assert model.rowCount() == len(rows)
    qtmodeltester.check(model)


@pytest.mark.parametrize("column", range(5))
@pytest.mark.parametrize("order", [ASC, DESC])
def test_constituencies_sort_by_every_column(debated, column, order):
    baseline = {c.ons_code: c.signature_count - (i * 7) % 23 for i, c in
                enumerate(debated.signatures_by_constituency)}
    model = filled_constituencies(debated, baseline)
    model.sort(column, order)
    keys = column_keys(model, column)
    comparable = [k.casefold() if isinstance(k, str) else k for k in keys]
    assert comparable == sorted(comparable, reverse=order == DESC)
    assert model.rowCount() == 12  # sorting loses nothing


@pytest.mark.parametrize("model_class", [RegionTableModel, CountryTableModel])
@pytest.mark.parametrize("column", range(3))
def test_regions_and_countries_sort_by_every_column(debated, model_class, column):
    model = model_class()
    rows = debated.signatures_by_region if model_class is RegionTableModel else debated.signatures_by_country
    model.set_total(debated.signature_count)
    model.set_records(rows)
    for order in (ASC, DESC):
        model.sort(column, order)
        keys = [k.casefold() if isinstance(k, str) else k for k in column_keys(model, column)]
        assert keys == sorted(keys, reverse=order == DESC)


def test_most_signatures_first_reads_as_the_user_expects(debated):
    model = filled_constituencies(debated)
    model.sort(ConstituencyTableModel.SIGNATURES, DESC)
    assert model.index(0, ConstituencyTableModel.NAME).data() == "Walthamstow"
    assert model.index(0, ConstituencyTableModel.SIGNATURES).data() == "281"
    # 281 of the UK's 110,904 signatures
    assert model.index(0, ConstituencyTableModel.SHARE).data() == "0.3%"
    assert model.index(0, 0).data(RECORD_ROLE).ons_code == "E14001563"


def test_vacant_seat_says_vacant_and_sorts_last(debated):
    rows = list(debated.signatures_by_constituency)
    rows[3] = replace(rows[3], mp=None)
    model = ConstituencyTableModel()
    model.set_records(rows)
    model.sort(ConstituencyTableModel.MP, ASC)
    last = model.rowCount() - 1
    assert model.index(last, ConstituencyTableModel.MP).data() == "vacant"
    assert model.index(last, ConstituencyTableModel.NAME).data() == rows[3].name


def test_change_column_is_empty_without_a_baseline_and_counts_new_places_from_zero(debated):
    model = filled_constituencies(debated)
    assert set(column_texts(model, ConstituencyTableModel.CHANGE)) == {""}
    aldershot = next(c for c in debated.signatures_by_constituency if c.name == "Aldershot")
    model.set_baseline({aldershot.ons_code: aldershot.signature_count - 40})
    changes = dict(zip(column_texts(model, 0), column_texts(model, ConstituencyTableModel.CHANGE), strict=True))
    assert changes["Aldershot"] == "+40"
    # absent from the baseline: it had no signatures a day ago
    assert changes["Walthamstow"] == "+281"


def test_refresh_of_the_same_places_updates_in_place_and_keeps_the_sort(qtbot, debated):
    model = filled_constituencies(debated)
    model.sort(ConstituencyTableModel.SIGNATURES, DESC)
    selected = QPersistentModelIndex(model.index(0, 0))  # Walthamstow, as a view would hold it
    grown = [replace(c, signature_count=c.signature_count + (500 if c.name == "Aldershot" else 1))
             for c in debated.signatures_by_constituency]
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        model.set_records(grown)
    assert model.index(0, 0).data() == "Aldershot"  # 714 now leads: still sorted by signatures
    assert column_keys(model, ConstituencyTableModel.SIGNATURES)[0] == 714
    assert selected.isValid() and selected.data() == "Walthamstow"



def test_the_same_figures_again_announce_nothing_so_the_table_is_not_repainted(qtbot, debated):
    model = filled_constituencies(debated)
    same = [replace(c) for c in debated.signatures_by_constituency]  # equal records, new objects
    with qtbot.assertNotEmitted(model.modelReset), qtbot.assertNotEmitted(model.dataChanged), \
            qtbot.assertNotEmitted(model.layoutChanged):
        model.set_records(same)
    grown = [replace(c, signature_count=c.signature_count + 1) for c in same]
    with qtbot.waitSignal(model.dataChanged):
        model.set_records(grown)

def test_new_places_reset_the_model(qtbot, debated):
    model = filled_constituencies(debated)
    extra = ConstituencySignatures("Bath", "E14001084", 3, "Wera Hobhouse MP")
    with qtbot.waitSignal(model.modelReset):
        model.set_records((*debated.signatures_by_constituency, extra))
    assert model.rowCount() == 13


def test_sort_moves_persistent_indexes_with_their_rows(debated):
    model = filled_constituencies(debated)
    model.sort(ConstituencyTableModel.NAME, ASC)
    held = QPersistentModelIndex(model.index(0, ConstituencyTableModel.MP))
    name = model.index(0, 0).data()
    model.sort(ConstituencyTableModel.NAME, DESC)
    assert held.row() == model.rowCount() - 1
    assert model.index(held.row(), 0).data() == name
    assert held.column() == ConstituencyTableModel.MP


def test_uk_total_prefers_the_gb_row_and_falls_back_to_the_constituencies(debated):
    assert uk_total(debated.signatures_by_country, debated.signatures_by_constituency) == 110_904
    no_uk_row = [c for c in debated.signatures_by_country if c.code != "GB"]
    summed = sum(c.signature_count for c in debated.signatures_by_constituency)
    assert uk_total(no_uk_row, debated.signatures_by_constituency) == summed
    old_capture = [CountrySignatures("United Kingdom", 900)]  # before 2016 countries had no code
    assert uk_total(old_capture, ()) == 900


def test_shares_without_a_total_say_so_rather_than_divide_by_zero(debated):
    model = RegionTableModel()
    model.set_records(debated.signatures_by_region)
    assert set(column_texts(model, RegionTableModel.SHARE)) == {"—"}
    model.sort(RegionTableModel.SHARE, DESC)  # None keys sort without error
    assert model.rowCount() == 12


def test_header_names_each_column():
    model = ConstituencyTableModel()
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == ["Constituency", "Signatures", "Share", "24 h", "MP"]


def test_refresh_that_reorders_rows_keeps_a_held_row_on_its_place(debated):
    model = filled_constituencies(debated)
    model.sort(ConstituencyTableModel.SIGNATURES, DESC)
    held = QPersistentModelIndex(model.index(0, 0))
    grown = [replace(c, signature_count=c.signature_count + (500 if c.name == "Aldershot" else 0))
             for c in debated.signatures_by_constituency]
    model.set_records(grown)
    assert model.index(held.row(), 0).data() == "Walthamstow"
