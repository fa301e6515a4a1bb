"""The detail pane: what a petition asks, where it stands, the response, the debate, the places."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QLabel

from petitiondesk.core.models import (
    Department,
    GovernmentResponse,
    Petition,
    Rejection,
)
from petitiondesk.core.parse import parse_petition_document
from petitiondesk.gui.breakdown_models import ConstituencyTableModel
from petitiondesk.gui.detail_pane import (
    BREAKDOWNS_NOT_LOADED,
    EMPTY_TEXT,
    REJECTED_NO_BREAKDOWNS,
    DetailPane,
    paragraphs_html,
)
from petitiondesk.gui.map_view import MapPanel

HOSTILE = '<b>bold</b><a href="javascript:alert(1)">click</a><img src="file:///etc/passwd">'


def load(samples_dir, name) -> Petition:
    return parse_petition_document((samples_dir / f"composed-petition-{name}.json").read_bytes())


@pytest.fixture
def debated(samples_dir):
    return load(samples_dir, "closed-debated-701284")


@pytest.fixture
def open_petition(samples_dir):
    return load(samples_dir, "open-752318")


@pytest.fixture
def pane(qtbot):
    widget = DetailPane()
    qtbot.addWidget(widget)
    widget.resize(700, 800)
    widget.show()
    return widget


@pytest.fixture
def opened_urls(monkeypatch):
    """Every address handed to the desktop, instead of a browser."""
    opened: list[str] = []

    def fake_open(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return opened


def rich_labels(pane) -> list[QLabel]:
    return [label for label in pane.findChildren(QLabel)
            if label.textFormat() == Qt.TextFormat.RichText and label.text()]


def as_read(label: QLabel) -> str:
    """What a user reads in a label: rich text rendered, plain text as is."""
    if label.textFormat() != Qt.TextFormat.RichText:
        return label.text()
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def everything_read(pane) -> str:
    return "\n".join(as_read(label) for label in pane.findChildren(QLabel))


def hrefs(pane) -> list[str]:
    found = []
    for label in rich_labels(pane):
        document = QTextDocument()
        document.setHtml(label.text())
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.charFormat().isAnchor():
                    found.append(fragment.charFormat().anchorHref())
                it += 1
            block = block.next()
    return found


def test_closed_debated_petition_shows_response_debate_and_links(pane, debated):
    pane.show_petition(debated)
    text = everything_read(pane)
    assert debated.action in pane.title_label.text()
    assert debated.government_response.summary in text
    assert "Responded on 8 Jan 2025" in text
    assert "Debated on 24 Mar 2025" in text
    assert "Decision to debate taken on 25 Feb 2025" in text
    assert "Closed: \n" not in text and "14 May 2025, 23:59" in text  # the deadline, in UK time
    assert debated.debate.overview in text
    links = hrefs(pane)
    for url in (debated.debate.transcript_url, debated.debate.video_url,
                debated.debate.debate_pack_url, debated.debate.public_engagement_url,
                debated.debate.debate_summary_url,
                "https://www.gov.uk/government/publications/example-repair-guidance",
                "https://www.gov.uk/government/organisations/department-for-business-and-trade"):
        assert url in links
    assert "The Petitions Committee has published a summary of public views" in text
    assert "Debated" in pane.status_label.text()


def test_open_petition_shows_its_closing_date_and_no_response(pane, open_petition):
    pane.show_petition(open_petition)
    text = everything_read(pane)
    assert "3 Aug 2026, 23:59 (UK time)" in text
    assert "Hannah Okafor" in text
    assert "awaiting a response" in text
    assert "Responded on" not in text
    assert "Debated on" not in text
    assert pane.status_label.text().startswith("Open · 10,685 signatures")


def test_rejected_petition_gives_its_reason_and_no_breakdowns(pane):
    rejected = Petition(
        id=700002, action="Abolish Mondays", state="rejected", signature_count=0,
        rejected_at=datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
        rejection=Rejection("irrelevant", "Only Parliament can change the calendar."),
    )
    pane.show_petition(rejected)
    text = everything_read(pane)
    assert "Reason: irrelevant" in text
    assert "Only Parliament can change the calendar." in text
    assert not pane.shows_breakdown_tables
    assert pane.breakdown_message.text() == REJECTED_NO_BREAKDOWNS
    assert "no breakdowns" in REJECTED_NO_BREAKDOWNS
    assert pane.constituency_model.rowCount() == 0


def test_a_list_item_without_breakdowns_says_they_come_later(pane, debated):
    pane.show_petition(replace(debated, signatures_by_country=None,
                               signatures_by_constituency=None, signatures_by_region=None))
    assert pane.breakdown_message.text() == BREAKDOWNS_NOT_LOADED


def test_breakdown_tables_fill_and_sort_most_signatures_first(pane, debated):
    pane.show_petition(debated)
    assert pane.shows_breakdown_tables
    assert pane.constituency_model.rowCount() == 12
    assert pane.region_model.rowCount() == 12
    assert pane.country_model.rowCount() == 9
    assert pane.country_model.index(0, 0).data() == "United Kingdom"
    assert "110,904 signatures from the United Kingdom (98.4% of 112,739)" in (
        pane.breakdown_summary.text())
    assert pane.constituency_view.isColumnHidden(ConstituencyTableModel.CHANGE)


def test_a_baseline_adds_the_last_day_per_constituency(pane, debated):
    baseline = {c.ons_code: c.signature_count - 10 for c in debated.signatures_by_constituency}
    pane.show_petition(debated, constituency_baseline=baseline)
    assert not pane.constituency_view.isColumnHidden(ConstituencyTableModel.CHANGE)
    model = pane.constituency_model
    assert model.index(0, ConstituencyTableModel.CHANGE).data() == "+10"


def test_network_markup_is_shown_literally(pane, debated):
    hostile = replace(
        debated,
        action=HOSTILE,
        background=HOSTILE,
        committee_note=HOSTILE,
        departments=(Department(name=HOSTILE, acronym="X", url="javascript:alert(1)"),),
        government_response=GovernmentResponse(
            summary=HOSTILE,
            details=f"First {HOSTILE} see[1] and[2].\n\n[1]: javascript:alert(1)\n[2]: file:///etc/passwd",
            responded_on=date(2025, 1, 8),
        ),
        debate=replace(debated.debate, overview=HOSTILE, transcript_url="javascript:alert(1)",
                       video_url="file:///etc/passwd"),
    )
    pane.show_petition(hostile)
    assert pane.title_label.text() == HOSTILE
    assert pane.title_label.textFormat() == Qt.TextFormat.PlainText
    text = everything_read(pane)
    assert text.count(HOSTILE) >= 6  # title, note, background, department, summary, details, overview
    assert all(not label.text().count("<img") for label in rich_labels(pane))
    links = hrefs(pane)
    assert not [url for url in links if not url.startswith(("http://", "https://"))]
    assert "Transcript" in text and "Video" in text  # named, but not offered as links


def test_plain_labels_never_guess_rich_text(pane, debated):
    pane.show_petition(debated)
    for label in pane.findChildren(QLabel):
        assert label.textFormat() in (Qt.TextFormat.PlainText, Qt.TextFormat.RichText)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x",
                                 "https://", "", "data:text/html,<b>x</b>"])
def test_links_that_are_not_web_addresses_are_never_opened(pane, opened_urls, url):
    assert pane.open_link(url) is False
    assert opened_urls == []


def test_activating_a_link_in_the_response_opens_it(pane, debated, opened_urls):
    pane.show_petition(debated)
    footnote = "https://www.gov.uk/government/publications/example-repair-guidance"
    label = next(label for label in rich_labels(pane) if footnote in label.text())
    label.linkActivated.emit(footnote)  # what Qt emits when the user clicks or presses Enter
    label.linkActivated.emit("javascript:alert(1)")
    assert opened_urls == [footnote]


def test_website_button_opens_the_petition_page(pane, debated, opened_urls):
    pane.show_petition(debated)
    pane.web_button.click()
    assert opened_urls == ["https://petition.parliament.uk/petitions/701284"]


def test_no_petition_shows_the_empty_state(pane, debated):
    pane.show_petition(debated)
    pane.show_petition(None)
    assert pane.petition is None
    assert pane.empty_label.isVisible() and pane.empty_label.text() == EMPTY_TEXT
    assert not pane.tabs.isVisible()


def test_response_details_keep_paragraphs_and_link_footnotes():
    rendered = paragraphs_html("One & two\nthree[1]\n\n<script>\n\n[1]: https://example.org/a?b=1&c=2")
    assert rendered.count("<p>") == 3
    assert "One &amp; two<br>three" in rendered
    assert '<a href="https://example.org/a?b=1&amp;c=2">[1]</a>' in rendered
    assert "&lt;script&gt;" in rendered


def test_tabs_name_the_sections_and_are_reachable_by_keyboard(pane, debated):
    pane.show_petition(debated)
    names = [pane.tabs.tabText(i).replace("&&", "\0").replace("&", "").replace("\0", "&")
             for i in range(pane.tabs.count())]
    assert names == ["Overview", "Response & debate", "Signatures"]
    assert pane.tabs.accessibleName()
    assert pane.constituency_view.accessibleName() == "Signatures by constituency"
    footnote_label = next(label for label in rich_labels(pane) if "[1]" in label.text())
    assert footnote_label.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByKeyboard


def test_a_refresh_of_the_same_petition_keeps_the_reading_position(pane, debated, qtbot):
    pane.resize(500, 300)  # small enough for the response to scroll
    pane.tabs.setCurrentIndex(1)
    pane.show_petition(debated)
    bar = pane._response.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 100)
    bar.setValue(100)
    pane.show_petition(replace(debated, signature_count=debated.signature_count + 5))
    qtbot.waitUntil(lambda: bar.value() == 100)
    assert pane.tabs.currentIndex() == 1
    assert "112,744 signatures" in pane.status_label.text()

    other = replace(debated, id=701285)
    pane.show_petition(other)
    qtbot.wait(20)
    assert pane._response.verticalScrollBar().value() == 0  # a new petition starts at the top


def test_dates_are_shown_in_uk_time_whatever_the_season():
    from petitiondesk.gui.format import format_date, format_uk_time

    winter = datetime(2026, 1, 14, 9, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 14, 9, 12, tzinfo=UTC)
    assert format_uk_time(winter) == "14 Jan 2026, 09:12"
    assert format_uk_time(summer) == "14 Jul 2026, 10:12"
    assert format_date(date(2026, 3, 4)) == "4 Mar 2026"


def test_counts_changes_and_relative_times_read_naturally():
    from petitiondesk.gui.format import format_count, format_delta, format_relative

    assert format_count(112_739) == "112,739"
    assert format_delta(2_400) == "+2,400"
    assert format_delta(-12) == "-12"
    assert format_delta(0) == "0"
    assert format_relative(45) == "in 45 s"
    assert format_relative(-180) == "3 min ago"
    assert format_relative(-2 * 86400) == "2 days ago"


def test_an_unchanged_refresh_leaves_the_widgets_alone(pane, debated):
    pane.show_petition(debated)
    page = pane._response.widget()
    pane.show_petition(replace(debated))  # an equal record from the next fetch
    assert pane._response.widget() is page
    pane.show_petition(debated, constituency_baseline={"E14001063": 1})
    assert not pane.constituency_view.isColumnHidden(ConstituencyTableModel.CHANGE)


def test_a_refused_link_is_reported_so_the_window_can_say_why(pane, opened_urls, qtbot):
    with qtbot.waitSignal(pane.link_refused) as refused:
        pane.open_link("javascript:alert(1)")
    assert refused.args == ["javascript:alert(1)"]
    with qtbot.waitSignal(pane.link_opened):
        pane.open_link("https://petition.parliament.uk/petitions/1")


def test_constituency_names_are_whole_once_the_signatures_tab_is_shown(qtbot, pane, open_petition):
    """The columns are sized when the tables come on screen (sizing 650 rows while hidden stalled
    the window each time a document arrived)."""
    pane.show_petition(open_petition)
    view = pane.constituency_view
    assert not view.isVisible()  # the Overview tab is current
    pane.tabs.setCurrentIndex(pane.tabs.count() - 1)  # Signatures
    qtbot.waitUntil(lambda: view.isVisible())
    longest = max((record.name for record in pane.constituency_model.records()[:200]),
                  key=view.fontMetrics().horizontalAdvance)
    qtbot.waitUntil(lambda: view.columnWidth(0) >= view.fontMetrics().horizontalAdvance(longest))


def test_the_map_prepared_ahead_is_the_one_shown_without_building_again(pane, open_petition):
    pane.prepare_map(open_petition)
    view = pane.map_panel.view
    assert view.builds == 1 and view.hexmap is None  # built, not yet on show
    pane.show_petition(open_petition)
    assert view.builds == 1 and view.hexmap is not None
    assert view.hexmap.hexes.keys() >= {row.ons_code for row in open_petition.signatures_by_constituency}


def test_the_signatures_tab_is_built_when_a_petition_first_needs_it_with_the_seat_chosen_before(pane, open_petition):
    """Not built with the pane (the window's start) nor for a petition's texts alone; its breakdowns
    build it, with that petition's seats, and the user's seat chosen earlier outlined on its map."""
    seat = open_petition.signatures_by_constituency[0].ons_code
    assert pane.findChild(MapPanel) is None
    pane.set_my_constituency(seat)
    pane.show_texts(open_petition)
    assert pane.findChild(MapPanel) is None
    pane.show_breakdowns()
    assert pane.findChild(MapPanel) is not None
    assert pane.constituency_model.rowCount() == len(open_petition.signatures_by_constituency)
    assert pane.map_panel.view.mine_code == seat
    assert pane.shows_breakdown_tables


def test_the_signatures_tab_opened_before_any_petition_is_empty_then_shows_the_next_one(pane, open_petition):
    pane.tabs.setCurrentIndex(pane.tabs.count() - 1)  # Signatures
    assert pane.findChild(MapPanel) is not None
    assert pane.constituency_model.rowCount() == 0
    pane.show_petition(open_petition)
    assert pane.constituency_model.rowCount() == len(open_petition.signatures_by_constituency)
