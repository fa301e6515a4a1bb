"""The constituency map in the Signatures tab: colours, hover, click, find, movers and export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QToolTip

from hexmap_documents import counts_for, petition
from petitiondesk.core.hexmap import CHANGE, PER_1000, SHARE, SIGNATURES, VIRIDIS
from petitiondesk.gui.detail_pane import DetailPane
from petitiondesk.gui.format import plain_tooltip
from petitiondesk.gui.map_view import NO_MP, SEAT_ABOLISHED, legend_labels

ALDERSHOT, ALDRIDGE = "E14000530", "E14000531"
HOSTILE = "<b>Bold</b> & <img src=x>"


@pytest.fixture
def pane(qtbot):
    widget = DetailPane()
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    widget.tabs.setCurrentIndex(2)
    return widget


def grown(year: int, extra: dict[str, int]):
    return petition(year, counts=counts_for(year, extra))


def test_a_2019_document_fills_all_650_seats_of_the_2010_map(pane):
    pane.show_petition(petition(2010))
    view = pane.map_panel.view
    assert view.hexmap.year == 2010
    assert all(view.colour_of(code) in VIRIDIS for code in view.hexmap.hexes)
    modes = [pane.map_panel.mode_box.itemData(i) for i in range(pane.map_panel.mode_box.count())]
    assert modes == [SIGNATURES, SHARE, PER_1000]  # no 24-hour mode before a snapshot a day old
    assert "2010–2019 boundaries" in pane.map_panel.note.text()
    # the busiest seat (most signatures) is drawn in the lightest colour, the quietest in the darkest
    counts = counts_for(2010)
    assert view.colour_of(max(counts, key=counts.get)) == VIRIDIS[-1]
    assert view.colour_of(min(counts, key=counts.get)) == VIRIDIS[0]


def test_a_2024_document_has_no_electorate_mode_and_lists_unknown_codes(pane):
    pane.show_petition(petition(2024, unknown={"E14999999": 12}))
    panel = pane.map_panel
    assert panel.view.hexmap.year == 2024
    assert PER_1000 not in [panel.mode_box.itemData(i) for i in range(panel.mode_box.count())]
    assert "1 not on this map: E14999999" in panel.note.text()
    assert "E14999999" in panel.note.toolTip()


def test_a_2015_document_without_country_codes_still_shows_shares(pane):
    pane.show_petition(petition(2010, country_codes=False))
    pane.map_panel.set_mode(SHARE)
    assert pane.map_panel.mode == SHARE
    assert "%" in pane.map_panel.legend.text()


def test_a_refresh_recolours_without_rebuilding_the_map(pane):
    pane.show_petition(petition(2010))
    view = pane.map_panel.view
    quiet = min(counts_for(2010), key=counts_for(2010).get)
    assert view.colour_of(quiet) == VIRIDIS[0]
    items_before = list(view.scene().items())
    pane.show_petition(grown(2010, {quiet: 5000}))
    assert view.colour_of(quiet) == VIRIDIS[-1]
    assert view.builds == 1 and list(view.scene().items()) == items_before


def test_the_map_built_a_turn_at_a_time_shows_every_seat_once(qtbot):
    """The first showing's map is built in pieces (the tab, then a third of the seats per turn of the
    event loop), and a petition shown before the last piece still gets the whole map, built once."""
    widget = DetailPane()
    qtbot.addWidget(widget)
    document = petition(2010)
    steps = widget.map_steps(document)
    assert len(steps) == 4
    steps[0]()  # the Signatures tab and its modules: no seat yet
    view = widget.map_panel.view
    assert view.builds == 0
    steps[1]()
    assert view.builds == 0  # a third of the seats: not on show, not counted as built
    widget.show_petition(document)  # shown before the rest: finished now, not rebuilt later
    assert view.builds == 1 and view.hexmap.year == 2010
    seats = [item for item in view.scene().items() if item.data(0)]
    assert sorted(item.data(0) for item in seats) == sorted(view.hexmap.hexes)
    for step in steps[2:]:
        step()
    assert view.builds == 1 and len([item for item in view.scene().items() if item.data(0)]) == len(seats)


def test_switching_modes_recolours_from_the_combo(pane):
    pane.show_petition(petition(2010))
    panel = pane.map_panel
    panel.mode_box.setCurrentIndex(panel.mode_box.findData(PER_1000))
    assert panel.mode == PER_1000
    assert panel.mode_box.currentText() == "Per 1,000 electors" and "0.0&nbsp;–" in panel.legend.text()
    assert panel.colouring.values[ALDERSHOT] == pytest.approx(1000 * 1 / 72430)  # 1 signature, 72,430 electors


def test_hover_text_is_plain_and_says_what_the_document_says_of_the_mp(pane):
    document = petition(2010, action=HOSTILE)
    rows = {row.ons_code: row for row in document.signatures_by_constituency}
    pane.show_petition(document)
    text = pane.map_panel.describe(ALDERSHOT)  # mp null in the document, and a seat abolished in 2024
    assert text.splitlines()[:2] == ["Aldershot", f"MP: {SEAT_ABOLISHED}"]
    assert f"Signatures: {rows[ALDERSHOT].signature_count}" in text
    assert "Last 24 hours: not recorded yet" in text
    assert pane.map_panel.describe(ALDRIDGE).splitlines()[1] == "MP: MP for Aldridge-Brownhills"
    vacant_2024 = petition(2024, vacant=("E14001063",))
    pane.show_petition(vacant_2024)
    assert pane.map_panel.describe("E14001063").splitlines()[1] == f"MP: {NO_MP}"
    shown = plain_tooltip(HOSTILE)
    assert "<b>" not in shown and "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;img" in shown


def test_hovering_a_seat_shows_its_tooltip_as_escaped_text(pane, monkeypatch):
    shown = []
    monkeypatch.setattr(QToolTip, "showText", lambda position, text, widget=None: shown.append(text))
    pane.show_petition(petition(2010, counts={ALDRIDGE: 5}, vacant=()))
    view = pane.map_panel.view
    point = view.centre_of(ALDRIDGE).toPoint()
    view.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    assert shown == [plain_tooltip(pane.map_panel.describe(ALDRIDGE))]
    assert "Aldridge-Brownhills\nMP: MP for Aldridge-Brownhills\nSignatures: 5 " in pane.map_panel.describe(ALDRIDGE)


def test_clicking_a_seat_selects_its_row_and_selecting_a_row_outlines_its_seat(pane, qtbot):
    pane.show_petition(petition(2010))
    view = pane.map_panel.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.centre_of(ALDRIDGE).toPoint())
    current = pane.constituency_view.currentIndex()
    assert pane.constituency_model.record(current.row()).ons_code == ALDRIDGE
    assert pane.breakdown_tabs.currentWidget() is pane.constituency_view
    pane.constituency_view.selectRow(0)
    top = pane.constituency_model.record(0).ons_code
    assert view.selected_code == top and view._selected.isVisible()


def test_find_my_constituency_outlines_it_and_keeps_it_across_petitions(pane):
    pane.show_petition(petition(2010))
    panel = pane.map_panel
    assert panel.find("aldridge") == ALDRIDGE
    assert panel.view.mine_code == ALDRIDGE and panel.view._mine.isVisible()
    pane.show_petition(petition(2010, petition_id=250001))
    assert panel.view.mine_code == ALDRIDGE and panel.view._mine.isVisible()
    assert panel.find("Nowhere at all") is None
    assert "No constituency on this map is called 'Nowhere at all'" in panel.note.text()
    assert panel.find("Leeds") is None and "constituencies match 'Leeds'" in panel.note.text()
    assert panel.view.mine_code == ALDRIDGE  # an unclear search changes nothing


def test_my_constituency_follows_its_name_onto_the_other_era_map(pane):
    pane.show_petition(petition(2010))
    assert pane.map_panel.find("Aldershot") == ALDERSHOT
    pane.show_petition(petition(2024, petition_id=250002))
    assert pane.map_panel.view.mine_code == "E14001063"  # Aldershot's 2024 code
    pane.show_petition(petition(2010))
    assert pane.map_panel.view.mine_code == ALDERSHOT


def test_the_map_follows_a_dark_palette(pane):
    pane.show_petition(petition(2010))
    dark = QPalette(pane.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    pane.map_panel.view.setPalette(dark)
    assert pane.map_panel.view.backgroundBrush().color() == QColor("#1e1e1e")


def test_movers_say_when_they_will_appear_until_a_baseline_exists(pane):
    ready = datetime(2026, 12, 1, 15, 5, tzinfo=UTC).timestamp()
    pane.show_petition(petition(2010), movers_ready_at=ready)
    assert "about a day apart exist (at 15:05 on 1 Dec, UK time)" in pane.movers_message.text()
    assert not pane._movers_table_page.isVisible() and pane.movers is None


def test_movers_rank_the_gains_and_offer_a_map_mode(pane):
    baseline = counts_for(2010)
    pane.show_petition(grown(2010, {ALDERSHOT: 300, ALDRIDGE: 200}), constituency_baseline=baseline)
    assert pane.movers_model.rowCount() == 650
    top_two = [pane.movers_model.data(pane.movers_model.index(row, 0)) for row in (0, 1)]
    assert top_two == ["Aldershot", "Aldridge-Brownhills"]
    assert pane.movers_model.data(pane.movers_model.index(0, 2)) == "+300"
    pane.movers_choice.setCurrentIndex(2)  # regions
    assert pane.movers_model.data(pane.movers_model.index(0, 0)) == "South East"
    pane.map_panel.set_mode(CHANGE)
    assert pane.map_panel.view.colour_of(ALDERSHOT) == VIRIDIS[-1]
    assert "Last 24 hours: +300" in pane.map_panel.describe(ALDERSHOT)


def test_the_map_and_movers_export_as_files(pane, tmp_path, qtbot):
    document = petition(2010, action=HOSTILE, counts=counts_for(2010, {ALDERSHOT: 10}))
    pane.show_petition(document, constituency_baseline=counts_for(2010))
    messages = []
    pane.export_finished.connect(lambda text, path: messages.append((text, path)))
    for name in ("map.png", "map.svg", "movers.csv"):
        target = tmp_path / name
        pane.export_movers(target) if name.endswith(".csv") else pane.export_map(target)
    pane.wait_for_writers()
    qtbot.waitUntil(lambda: len(messages) == 3)
    assert all(path for _, path in messages), messages
    image = QImage(str(tmp_path / "map.png"))
    assert (image.width(), image.height()) == (1400, 1600)
    svg = (tmp_path / "map.svg").read_text()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in svg and "<b>" not in svg and "Open Innovations" in svg
    assert "Aldershot,1,11,10" in (tmp_path / "movers.csv").read_text(encoding="utf-8-sig")


def test_an_export_to_a_missing_folder_says_so_and_writes_nothing(pane, tmp_path, qtbot):
    pane.show_petition(petition(2010))
    messages = []
    pane.export_finished.connect(lambda text, path: messages.append((text, path)))
    pane.export_map(tmp_path / "absent" / "map.png")
    pane.wait_for_writers()
    qtbot.waitUntil(lambda: bool(messages))
    assert messages[0][1] == "" and "the folder does not exist" in messages[0][0]
    pane.export_map(tmp_path / "map.gif")
    assert "use .png or .svg" in messages[-1][0]


def test_a_petition_without_constituencies_shows_no_map_or_movers(pane):
    pane.show_petition(petition(2010, counts={}))
    assert pane.movers_message.text().startswith("This petition has no signatures by constituency")
    assert pane.map_panel.legend.text() == "No constituency data to colour the map with."


def test_an_exported_map_lists_the_codes_it_could_not_place(qtbot):
    from petitiondesk.gui.map_export import map_spec, svg_bytes

    spec = map_spec(petition(2024, unknown={"E14999999": 12, "W99999999": 1}))
    words = " ".join(re.sub(r"<[^>]+>", " ", svg_bytes(spec, 800, 900).decode()).split())  # wrapped lines joined
    assert "Not on this map (2): E14999999, W99999999." in words
    assert "2 constituency code(s) not on this map" in words


def test_share_legends_have_enough_decimals_to_tell_classes_apart(pane):
    pane.show_petition(petition(2010))
    pane.map_panel.set_mode(SHARE)
    labels = [label for _, label in legend_labels(pane.map_panel.colouring)]
    assert len(set(labels)) == len(labels) == 5
    assert labels[0].startswith("<0.001%") and labels[-1].endswith("0.31%")  # 1 and 650 of 212,575


def test_a_restored_constituency_is_outlined_and_a_found_one_is_announced(pane):
    chosen = []
    pane.my_constituency_chosen.connect(chosen.append)
    pane.set_my_constituency("E14001063")  # Aldershot's 2024 code, before any map is shown
    pane.show_petition(petition(2010))
    assert pane.map_panel.view.mine_code == ALDERSHOT
    pane.map_panel.find("Aldridge-Brownhills")
    assert chosen == [ALDRIDGE]


def test_my_constituency_is_shown_with_its_count_and_rank_on_every_petition(pane):
    pane.show_petition(petition(2010))
    pane.map_panel.find("Aldershot")
    count = counts_for(2010)[ALDERSHOT]
    rank = sum(1 for n in counts_for(2010).values() if n > count) + 1
    assert f"your constituency, Aldershot: {count:,} (rank {rank:,} of 650)" in pane.status_label.text()
    pane.show_petition(petition(2024, petition_id=250002))  # the other era: found by its name
    assert "your constituency, Aldershot: " in pane.status_label.text()
