"""A pinned petition that is not open yet: the watchlist names its stage and count, then opens in place."""

from __future__ import annotations

from PySide6.QtCore import Qt

from petitiondesk.gui.watchlist_model import Column, WatchlistModel, WatchRow


def test_the_state_column_names_the_stage_and_the_row_opens_in_place(qapp, qtbot, make_row):
    model = WatchlistModel()
    model.load([
        WatchRow(petition_id=700010, position=0, signature_count=4, problem="collecting_supporters",
                 problem_detail="petition 700010 is collecting supporters; it is not open for signatures yet"),
        WatchRow(petition_id=700011, position=1, signature_count=7, problem="in_moderation"),
        WatchRow(petition_id=700012, position=2, problem="not_found"),
    ])
    tooltip = Qt.ItemDataRole.ToolTipRole
    assert [model.index(row, Column.STATE).data() for row in range(3)] == ["Not open", "Not open", "—"]
    stages = [model.index(row, Column.STATE).data(tooltip) for row in range(3)]
    assert stages == ["Not open yet: collecting supporters", "Not open yet: in moderation", None]
    assert model.index(0, Column.SIGNATURES).data() == "4"
    assert model.index(0, Column.PROBLEM).data(tooltip).startswith("Not open yet: petition 700010 is collecting")

    with qtbot.assertNotEmitted(model.modelReset):
        model.upsert([make_row(700010, "Ban the thing", 120, position=0)])
    opened = model.row_of(700010)
    assert model.index(opened, Column.STATE).data() == "Open"
    assert model.index(opened, Column.TITLE).data() == "Ban the thing"
