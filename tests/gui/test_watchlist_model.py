"""The watchlist model: what a view sees when rows are loaded, refreshed, sorted, filtered, removed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QTableView
from tests.gui.test_browse_model import as_rendered

from petitiondesk.gui.watchlist_model import Column, RecordRole, SortRole, WatchlistModel


def titles(model: WatchlistModel) -> list[str]:
    return [model.index(r, Column.TITLE).data() for r in range(model.rowCount())]


def loaded(make_row, *counts) -> WatchlistModel:
    model = WatchlistModel()
    model.load(make_row(i + 1, f"Petition {chr(65 + i)}", count) for i, count in enumerate(counts))
    return model


def test_model_passes_qtmodeltester(qtmodeltester, make_row):
    model = loaded(make_row, 500, 20, None, 7)
    model.upsert([make_row(9, "Another", 12, problem="offline", problem_detail="No connection")])
    qtmodeltester.check(model, force_py=True)


def test_cells_show_formatted_values_and_the_problem_reason(qapp, make_row):
    model = WatchlistModel()
    model.load([make_row(1, "Fund libraries", 123456, change=2400, problem="gone",
                         problem_detail="The petition was removed by the site (410 Gone)"),
                make_row(2, "Fine")])
    assert model.index(0, Column.SIGNATURES).data() == "123,456"
    assert model.index(0, Column.CHANGE).data() == "+2,400"
    problem = model.index(0, Column.PROBLEM)
    assert problem.data(Qt.ItemDataRole.AccessibleTextRole) == "Removed"
    assert problem.data(Qt.ItemDataRole.DecorationRole) is not None
    assert as_rendered(problem.data(Qt.ItemDataRole.ToolTipRole)) == \
        "Removed: The petition was removed by the site (410 Gone)"
    assert model.index(1, Column.PROBLEM).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(0, Column.STATE).data() == "Open"
    assert model.index(0, 0).data(RecordRole).petition_id == 1


def test_change_since_recording_began_says_over_how_long(make_row):
    began = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)  # rows are checked at 12:00
    model = WatchlistModel()
    model.load([make_row(1, count=50, change=40, change_complete=False, change_since=began),
                make_row(2, count=900, change=300, change_complete=True)])
    assert model.index(0, Column.CHANGE).data() == "+40*"  # marked, and short enough for the column
    tooltip = model.index(0, Column.CHANGE).data(Qt.ItemDataRole.ToolTipRole)
    assert "recording began over 2 h" in tooltip and "09:30" in tooltip and "less than 24 hours" in tooltip
    assert model.index(1, Column.CHANGE).data() == "+300"
    assert "last 24 hours" in model.index(1, Column.CHANGE).data(Qt.ItemDataRole.ToolTipRole)


def test_refresh_emits_data_changed_only_for_changed_rows_and_never_resets(qtbot, make_row):
    model = loaded(make_row, 10, 20, 30)
    changed_rows, resets = [], []
    model.dataChanged.connect(lambda top, bottom, roles: changed_rows.append((top.row(), bottom.row())))
    model.modelReset.connect(lambda: resets.append(True))
    same = [model.watch_row(1), model.watch_row(3)]
    updated = replace(model.watch_row(2), signature_count=25)
    assert model.upsert(same + [updated]) == 1
    assert changed_rows == [(1, 1)]
    assert model.index(1, Column.SIGNATURES).data() == "25"
    assert resets == []


def test_adjacent_changed_rows_are_announced_together(make_row):
    model = loaded(make_row, 1, 2, 3, 4, 5)
    spans = []
    model.dataChanged.connect(lambda top, bottom, roles: spans.append((top.row(), bottom.row(), bottom.column())))
    model.upsert([replace(model.watch_row(pid), signature_count=99) for pid in (1, 2, 4, 5)])
    assert spans == [(0, 1, Column.COUNT - 1), (3, 4, Column.COUNT - 1)]


def test_sort_is_done_in_the_model_and_keeps_unknown_counts_last(make_row):
    model = loaded(make_row, 500, 20, None, 7)
    model.sort(Column.SIGNATURES, Qt.SortOrder.AscendingOrder)
    assert titles(model) == ["Petition D", "Petition B", "Petition A", "Petition C"]
    model.sort(Column.SIGNATURES, Qt.SortOrder.DescendingOrder)
    assert titles(model) == ["Petition A", "Petition B", "Petition D", "Petition C"]
    assert model.index(0, Column.SIGNATURES).data(SortRole) == 500


def test_sort_and_filter_keep_the_selection(qtbot, make_row):
    model = loaded(make_row, 500, 20, 300, 7)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    selection = view.selectionModel()
    selection.setCurrentIndex(model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)

    def selected_title():
        return selection.currentIndex().siblingAtColumn(Column.TITLE).data()

    model.sort(Column.SIGNATURES, Qt.SortOrder.DescendingOrder)
    assert selected_title() == "Petition C" and selection.currentIndex().row() == 1
    model.set_filter("petition c")
    assert titles(model) == ["Petition C"] and selected_title() == "Petition C"
    model.set_filter("")
    assert titles(model) == ["Petition A", "Petition C", "Petition B", "Petition D"]
    assert selected_title() == "Petition C"
    assert [i.row() for i in selection.selectedRows()] == [1]


def test_a_refresh_that_changes_the_sorted_value_moves_the_row_and_its_selection(qtbot, make_row):
    model = loaded(make_row, 10, 20, 30)
    model.sort(Column.SIGNATURES, Qt.SortOrder.DescendingOrder)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectRow(2)  # Petition A, 10
    model.upsert([replace(model.watch_row(1), signature_count=99)])
    assert titles(model) == ["Petition A", "Petition C", "Petition B"]
    assert view.selectionModel().selectedRows()[0].row() == 0


def test_filter_matches_title_and_id_and_new_rows_respect_it(make_row):
    model = loaded(make_row, 1, 2, 3)
    model.set_filter("  PETITION b ")
    assert titles(model) == ["Petition B"]
    model.set_filter("3")
    assert titles(model) == ["Petition C"]
    inserted = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.upsert([make_row(4, "Hidden by the filter", 5), make_row(13, "Shown: id has a 3", 5)])
    assert titles(model) == ["Petition C", "Shown: id has a 3"] and inserted == [(1, 1)]
    assert set(model.petition_ids()) == {1, 2, 3, 4, 13}


def test_remove_takes_rows_out_without_a_reset(make_row):
    model = loaded(make_row, 1, 2, 3, 4)
    removed, resets = [], []
    model.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    model.modelReset.connect(lambda: resets.append(True))
    model.remove([2, 3])
    assert titles(model) == ["Petition A", "Petition D"]
    assert removed == [(1, 2)] and resets == []
    assert model.row_of(4) == 1 and model.row_of(2) == -1
    assert model.rowCount(QModelIndex()) == 2


def test_a_refresh_of_counts_announces_only_the_cells_from_the_count_on(make_row):
    model = loaded(make_row, 10, 20, 30)
    spans = []
    model.dataChanged.connect(lambda top, bottom, roles: spans.append(
        (top.row(), top.column(), bottom.row(), bottom.column())))
    model.upsert([replace(model.watch_row(1), signature_count=11)])
    model.upsert([replace(model.watch_row(2), petition=replace(model.watch_row(2).petition, action="New words"))])
    model.upsert([replace(model.watch_row(3), problem="offline", problem_detail="no network")])
    last = Column.COUNT - 1
    assert spans == [(0, Column.SIGNATURES, 0, last), (1, Column.TITLE, 1, last), (2, Column.PROBLEM, 2, last)]
    assert model.index(1, Column.TITLE).data() == "New words"


def test_a_petition_that_closes_or_is_archived_has_its_state_cell_repainted(make_row):
    model = loaded(make_row, 10, 20)
    spans = []
    model.dataChanged.connect(lambda top, bottom, roles: spans.append((top.row(), top.column())))
    first, second = model.watch_row(1), model.watch_row(2)
    model.upsert([replace(first, petition=replace(first.petition, state="closed"), signature_count=12)])
    model.upsert([replace(second, petition=replace(second.petition, archived=True))])
    assert spans == [(0, Column.STATE), (1, Column.STATE)]
    assert model.index(0, Column.STATE).data() != model.index(1, Column.STATE).data()
    assert model.index(0, Column.SIGNATURES).data() == "12"


def test_a_long_run_of_changed_rows_is_announced_in_blocks_a_view_repaints_in_part(make_row):
    # Qt repaints a whole table for one dataChanged of 200 cells or more, visible or not.
    model = loaded(make_row, *range(1, 301))
    spans = []
    model.dataChanged.connect(lambda top, bottom, roles: spans.append(
        (top.row(), top.column(), bottom.row(), bottom.column())))
    model.upsert([replace(model.watch_row(pid), signature_count=1000 + pid) for pid in range(1, 301)])
    covered = [row for top, _, bottom, _ in spans for row in range(top, bottom + 1)]
    assert covered == list(range(300))  # every changed row, once, in order
    assert all((bottom - top + 1) * (right - left + 1) < 200 for top, left, bottom, right in spans)
    assert {(left, right) for _, left, _, right in spans} == {(Column.SIGNATURES, Column.COUNT - 1)}
    assert model.index(299, Column.SIGNATURES).data() == "1,300"


def test_whoever_hears_of_a_removal_finds_the_petition_already_gone(make_row):
    model = loaded(make_row, 1, 2, 3)
    heard = []
    model.rowsRemoved.connect(lambda *args: heard.append(sorted(model.petition_ids())))
    model.watched_changed.connect(lambda: heard.append(sorted(model.petition_ids())))
    model.remove([2])
    assert heard == [[1, 3], [1, 3]]


def test_moving_by_one_passes_the_shown_neighbour_and_leaves_filtered_rows_in_place(make_row):
    model = WatchlistModel()
    model.load([make_row(1, "Ban cats"), make_row(2, "Fund dogs"), make_row(3, "Ban dogs"), make_row(4, "Ban owls")])
    moves = []
    model.order_changed.connect(moves.append)
    assert model.move_by([4], -1)
    assert model.watch_order() == [1, 2, 4, 3] and moves == [(1, 2, 4, 3)]
    model.set_filter("ban")  # "Fund dogs" hidden
    assert titles(model) == ["Ban cats", "Ban owls", "Ban dogs"]
    assert model.move_by([4], -1)
    assert titles(model) == ["Ban owls", "Ban cats", "Ban dogs"] and model.watch_order() == [4, 1, 2, 3]
    assert not model.move_by([4], -1)  # at the top already
    assert model.move_by([1], 1)
    assert titles(model) == ["Ban owls", "Ban dogs", "Ban cats"] and model.watch_order() == [4, 2, 3, 1]
    assert not model.move_by([1], 1)
    model.sort(Column.TITLE)
    assert not model.can_reorder()


# --- the outlook: a computed deadline, the estimate, closed past the deadline ----------------------

def row_2019(make_row, now: float):
    """The watchlist row of a 2019 document (no closing_date) with three days recorded up to `now`."""
    import numpy as np

    from outlook_documents import PETITION_ID, document_2019
    from petitiondesk.core import analysis
    from petitiondesk.core.parse import parse_petition_document

    petition = parse_petition_document(document_2019(updated_at=now - 60))
    times = now - np.arange(72, -1, -1) * 3600.0
    counts = 560_000 + np.arange(73) * 460
    return make_row(PETITION_ID, petition.action, int(counts[-1]), position=0, petition=petition,
                    outlook=analysis.outlook(petition, times, counts, now))


def test_a_computed_deadline_is_marked_and_explained_and_the_estimate_has_its_range(qapp, make_row):
    model = WatchlistModel()
    model.load([row_2019(make_row, datetime(2019, 3, 26, 18, 0, tzinfo=UTC).timestamp()), make_row(2, "Plain")])
    closes = model.index(0, Column.CLOSING)
    assert closes.data() == "3 Jun 2019*"
    assert "six-month rule" in closes.data(Qt.ItemDataRole.ToolTipRole)
    estimate = model.record(0).outlook.estimate
    assert model.index(0, Column.ESTIMATE).data() == f"{round(estimate.final):,}"
    tooltip = model.index(0, Column.ESTIMATE).data(Qt.ItemDataRole.ToolTipRole)
    assert f"between {round(estimate.low):,} and {round(estimate.high):,}" in tooltip and "80 %" in tooltip
    assert model.index(0, Column.STATE).data() == "Open"
    assert model.index(1, Column.CLOSING).data() == "—" and model.index(1, Column.ESTIMATE).data() == "—"
    model.sort(Column.ESTIMATE, Qt.SortOrder.AscendingOrder)
    assert titles(model)[-1] == "Plain"  # no estimate sorts last


def test_a_document_past_its_computed_deadline_reads_closed_without_an_estimate(qapp, make_row):
    model = WatchlistModel()
    model.load([row_2019(make_row, datetime(2026, 12, 1, tzinfo=UTC).timestamp())])
    assert model.index(0, Column.STATE).data() == "Closed"
    assert model.index(0, Column.ESTIMATE).data() == "—"
    assert "final" in model.index(0, Column.ESTIMATE).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, Column.CLOSING).data() == "3 Jun 2019*"
