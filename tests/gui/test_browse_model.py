"""The browse model: pages appended in place, sorting and filtering inside it, pinned marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from petitiondesk.core.browse import TRENDING_LABEL, BrowseRow, sort_rows
from petitiondesk.core.models import Petition, TrendingPetition
from petitiondesk.gui.browse_model import (
    PINNED_MARK,
    BrowseColumn,
    BrowseModel,
    PetitionIdRole,
    RecordRole,
    SortRole,
    trending_rows,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


def row(pid: int, action: str = "", count: int = 0, days: int | None = 0, state: str = "open",
        archived: bool = False) -> BrowseRow:
    opened = None if days is None else START + timedelta(days=days)
    petition = Petition(id=pid, action=action or f"Petition {pid}", state=state, signature_count=count,
                        opened_at=opened, archived=archived)
    return BrowseRow.from_petition(petition)


def ids(model: BrowseModel) -> list[int]:
    return [model.index(r, 0).data(PetitionIdRole) for r in range(model.rowCount())]


def page_rows(first: int, how_many: int) -> list[BrowseRow]:
    # Counts repeat every 7 ids so that sorted pages interleave and tie.
    return [row(pid, f"Ban item {pid % 13}", count=(pid * 37) % 7 * 100, days=None if pid % 5 == 0 else pid)
            for pid in range(first, first + how_many)]


def test_model_passes_qtmodeltester_while_pages_arrive_sorted_and_filtered(qtmodeltester):
    model = BrowseModel()
    model.load(page_rows(1, 20))
    model.set_pinned({3, 4})
    qtmodeltester.check(model, force_py=True)
    model.sort(BrowseColumn.SIGNATURES, Qt.SortOrder.DescendingOrder)
    model.append_rows(page_rows(21, 20))
    model.set_filter("item 3")
    model.append_rows(page_rows(41, 20))
    model.set_filter("")
    model.set_pinned({5})


def test_cells_show_title_state_count_date_status_and_the_pinned_mark(qapp):
    model = BrowseModel()
    model.load([row(7, "Fund libraries", 123456, days=3), row(8, "Old one", 5, days=None, state="closed",
                                                              archived=True)])
    model.set_pinned({7})
    assert [model.index(0, c).data() for c in range(BrowseColumn.COUNT)] == [
        PINNED_MARK, "Fund libraries", "Open", "123,456", "4 Jan 2026", ""]
    assert model.index(1, BrowseColumn.PINNED).data() == ""
    assert model.index(1, BrowseColumn.STATE).data() == "Closed (archived)"
    assert model.index(1, BrowseColumn.OPENED).data() == "—"
    assert model.index(0, BrowseColumn.PINNED).data(Qt.ItemDataRole.AccessibleTextRole) == "Pinned"
    assert model.index(1, BrowseColumn.PINNED).data(Qt.ItemDataRole.AccessibleTextRole) == "Not pinned"
    assert model.index(0, 0).data(RecordRole).id == 7
    assert model.index(0, BrowseColumn.SIGNATURES).data(SortRole) == 123456
    assert model.headerData(BrowseColumn.SIGNATURES, Qt.Orientation.Horizontal) == "Signatures"


def test_pages_are_inserted_at_the_end_in_site_order_without_a_reset(qtbot):
    model = BrowseModel()
    model.load()
    resets, inserted = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    assert model.append_rows(page_rows(1, 50)) == 50
    assert model.append_rows(page_rows(40, 50)) == 39  # the list shifted: 11 seen already
    assert ids(model) == list(range(1, 90))
    assert inserted == [(0, 49), (50, 88)] and resets == []


def test_rows_arriving_while_sorted_take_their_sorted_place_and_keep_the_selection(qapp):
    model = BrowseModel()
    view = QTableView()
    view.setModel(model)
    model.load(page_rows(1, 50))
    model.sort(BrowseColumn.SIGNATURES, Qt.SortOrder.DescendingOrder)
    view.selectionModel().select(model.index(model.row_of(10), 0),
                                 QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    for first in (51, 101, 151):
        model.append_rows(page_rows(first, 50))
    every = page_rows(1, 200)
    assert ids(model) == [r.id for r in sort_rows(every, "signature_count", descending=True)]
    assert resets == []
    selected = [model.index(i.row(), 0).data(PetitionIdRole) for i in view.selectionModel().selectedRows()]
    assert selected == [10]


def test_sorting_by_date_puts_unknown_dates_last_both_ways_and_the_pin_column_restores_site_order(qapp):
    model = BrowseModel()
    model.load(page_rows(1, 30))
    model.sort(BrowseColumn.OPENED, Qt.SortOrder.AscendingOrder)
    shown = ids(model)
    assert shown[-6:] == [5, 10, 15, 20, 25, 30]  # no opening date
    model.sort(BrowseColumn.OPENED, Qt.SortOrder.DescendingOrder)
    assert ids(model)[:3] == [29, 28, 27] and ids(model)[-6:] == [5, 10, 15, 20, 25, 30]
    model.sort(BrowseColumn.PINNED, Qt.SortOrder.DescendingOrder)
    assert ids(model) == list(range(1, 31))


def test_filtering_shows_matching_loaded_rows_and_new_pages_are_filtered_too(qapp):
    model = BrowseModel()
    model.load([row(1, "Ban fireworks"), row(2, "Fund rivers"), row(3, "ban the sale of fireworks")])
    layouts = []
    model.layoutChanged.connect(lambda *args: layouts.append(1))
    model.set_filter("  FIREWORKS   ban ")
    assert ids(model) == [1, 3] and layouts == [1]
    model.append_rows([row(4, "Ban fireworks at night"), row(5, "Plant trees")])
    assert ids(model) == [1, 3, 4]
    assert model.loaded_count() == 5
    model.set_filter("")
    assert ids(model) == [1, 2, 3, 4, 5]


def test_set_pinned_announces_only_the_rows_whose_mark_changed(qtbot):
    model = BrowseModel()
    model.load(page_rows(1, 10))
    model.set_pinned({2, 3})
    changed = []
    model.dataChanged.connect(lambda top, bottom, roles: changed.append((top.row(), top.column(), bottom.row())))
    model.set_pinned({3, 9})
    assert sorted(changed) == [(1, BrowseColumn.PINNED, 1), (8, BrowseColumn.PINNED, 8)]
    assert model.is_pinned(9) and not model.is_pinned(2)
    assert model.index(8, BrowseColumn.PINNED).data() == PINNED_MARK


def test_trending_rows_are_labelled_as_signatures_in_the_last_hour(qapp):
    model = BrowseModel()
    model.load(trending_rows([TrendingPetition(5, "Save the pier", 1200)]), count_header=TRENDING_LABEL)
    assert model.headerData(BrowseColumn.SIGNATURES, Qt.Orientation.Horizontal) == TRENDING_LABEL
    assert model.index(0, BrowseColumn.SIGNATURES).data() == "1,200"
    assert model.index(0, BrowseColumn.SIGNATURES).data(Qt.ItemDataRole.ToolTipRole) == TRENDING_LABEL
    model.load([row(1)])
    assert model.headerData(BrowseColumn.SIGNATURES, Qt.Orientation.Horizontal) == "Signatures"


HOSTILE = 'Ban <b>bold</b> <a href="x">links</a> <img src="file:///etc/passwd"> & co'


def as_rendered(tooltip: str) -> str:
    """What Qt shows for a tooltip: rich text when it looks like markup, else the text itself."""
    from PySide6 import QtGui

    if not QtGui.Qt.mightBeRichText(tooltip):
        return tooltip
    document = QtGui.QTextDocument()
    document.setHtml(tooltip)
    return document.toPlainText().replace("\u2028", "\n")


def test_titles_from_the_site_show_literally_in_tooltips(qapp):
    model = BrowseModel()
    model.load([row(1, HOSTILE)])
    tooltip = model.index(0, BrowseColumn.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert as_rendered(tooltip) == f"{HOSTILE}\nPetition 1"
