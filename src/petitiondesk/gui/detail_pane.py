"""Everything about one petition: what it asks, where it stands, the response, the debate and
where its signatures come from.

Every string from the network is shown as text: plain-text labels, or html.escape before any
rich text is composed. Links are made only for http(s) addresses and checked again before they
are opened, so a ``javascript:`` or ``file:`` address in the data can never run or open anything.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QStandardPaths, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core import analysis
from petitiondesk.core import export as csv_export
from petitiondesk.core.export import ExportError, atomic_write
from petitiondesk.core.models import Petition
from petitiondesk.gui.breakdown_models import (
    RECORD_ROLE,
    ConstituencyTableModel,
    CountryTableModel,
    MoverTableModel,
    RecordTableModel,
    RegionTableModel,
    uk_total,
)
from petitiondesk.gui.format import (
    format_count,
    format_date,
    format_percent,
    format_uk_time,
    outlook_lines,
    progress_label,
    state_label,
    to_uk,
    zone_name,
)
from petitiondesk.gui.tables import open_web_page

if TYPE_CHECKING:
    from petitiondesk.core.hexmap import ConstituencyRank
    from petitiondesk.core.movers import Movers

EMPTY_TEXT = "Select a petition to see its details."
REJECTED_NO_BREAKDOWNS = (
    "This petition was rejected, so there are no breakdowns of where its signatures come from."
)
BREAKDOWNS_NOT_LOADED = (
    "The breakdowns of where signatures come from arrive with the petition's full details."
)
MOVERS_PENDING = (
    "Movers will appear when two snapshots of the constituencies about a day apart exist{when}. "
    "PetitionDesk records one at most hourly while it refreshes this petition."
)
MOVERS_NO_SEATS = "This petition has no signatures by constituency, so there are no movers."
#: (label, which movers, column to sort by) for the movers table's selector.
MOVER_VIEWS = (
    ("Constituencies gaining most", "constituencies", MoverTableModel.CHANGE),
    ("Constituencies growing fastest (%)", "constituencies", MoverTableModel.GROWTH),
    ("Regions", "regions", MoverTableModel.CHANGE),
    ("Nations", "nations", MoverTableModel.CHANGE),
)
SAFE_SCHEMES = ("http", "https")
_SIZING_ROWS = 200  # rows read to size a table's columns
MAP_SEATS_PER_TURN = 220  # a third of the 650 seats: ~4 ms of building the map per turn

# Short explanations of the rejection codes the site uses (API §4.2); unknown codes show as sent.
REJECTION_REASONS = {
    "duplicate": "There's already a petition about this issue.",
    "irrelevant": "It's about something the Government or Parliament is not responsible for.",
    "no-action": "It did not ask for a clear action from the Government or Parliament.",
    "honours": "It's about honours or appointments.",
    "fake-name": "It was not signed with a real name.",
    "foi": "It asked for information that can be requested under Freedom of Information.",
    "libellous": "It included potentially libellous or defamatory content.",
    "offensive": "It included offensive language or content.",
    "advert": "It was an advert or spam.",
    "already-happening": "It asked for something the Government is already doing.",
    "individual": "It was about a particular person or case.",
    "personal": "It included personal or confidential information.",
    "fraudulent": "It was fraudulent.",
    "operational": "It was about an operational matter for an independent body.",
    "local": "It was about a local matter.",
    "joke": "It was a joke.",
    "no-reply": "The creator did not reply to the Committee.",
    "removed": "It was removed.",
}

_FOOTNOTE = re.compile(r"^\[(\d+)\]:\s*(\S+)\s*$")
_REFERENCE = re.compile(r"\[(\d+)\](?!:)")


# -- safe text ------------------------------------------------------------------------------------
def is_safe_url(url: str | None) -> TypeGuard[str]:
    """Only web addresses with a host are ever linked or opened."""
    if not url:
        return False
    qurl = QUrl(url.strip())
    return qurl.isValid() and qurl.scheme().lower() in SAFE_SCHEMES and bool(qurl.host())


def link_html(text: str, url: str | None) -> str:
    """An <a> for a safe address, else just the escaped text (the address is not offered)."""
    if not is_safe_url(url):
        return html.escape(text)
    return f'<a href="{html.escape(url.strip(), quote=True)}">{html.escape(text)}</a>'


def paragraphs_html(text: str) -> str:
    """Plain text from the site as rich text: blank lines make paragraphs, footnotes `[n]: url`
    become links and so do their `[n]` references. Everything else is escaped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    footnotes = {}
    for line in lines:
        match = _FOOTNOTE.match(line.strip())
        if match and is_safe_url(match.group(2)):
            footnotes[match.group(1)] = match.group(2)

    def render_line(line: str) -> str:
        match = _FOOTNOTE.match(line.strip())
        if match:
            number, url = match.groups()
            return f"[{number}]: {link_html(url, url)}"
        escaped = html.escape(line)
        return _REFERENCE.sub(
            lambda m: link_html(m.group(0), footnotes.get(m.group(1))), escaped
        )

    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(render_line(line))
        elif current:
            paragraphs.append("<p>" + "<br>".join(current) + "</p>")
            current = []
    return "".join(paragraphs)


# -- the pane -------------------------------------------------------------------------------------
class DetailPane(QWidget):
    """The selected petition in three tabs: Overview, Response & debate, Signatures."""

    #: A safe link the user activated (after it was handed to the desktop).
    link_opened = Signal(str)
    #: A link that was not opened because it is not a web address.
    link_refused = Signal(str)
    #: A link that could not be opened (no browser): one line for the status bar.
    link_failed = Signal(str)
    #: An export from the Signatures tab ended: (message, saved path or "" on failure).
    export_finished = Signal(str, str)
    #: The user found their constituency on the map (its ONS code), for the window to remember.
    my_constituency_chosen = Signal(str)
    _written = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setAccessibleName("Petition details")
        self._petition: Petition | None = None
        self._baseline: dict[str, int] | None = None
        self._movers_ready_at: float | None = None
        self._mine: str | None = None  # the user's own constituency (ONS code), once found
        self._current_count: tuple[int | None, int | None] = (None, None)  # (petition id, newest sample)
        self.movers: Movers | None = None
        self._outlook: analysis.Outlook | None = None
        #: Seconds since the epoch: "10,000 in about 3 days" counts from it (tests pin it).
        self.clock = time.time
        self.outlook_section: QWidget | None = None  # made with each petition's overview
        self.outlook_label: QLabel | None = None
        self._writers: list[threading.Thread] = []
        self._written.connect(self.export_finished)

        self._build_header()
        self._build_tabs()
        self.empty_label = _plain_label(EMPTY_TEXT, self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(self._content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.show_petition(None)

    # -- construction ----------------------------------------------------------------------------
    def _build_header(self) -> None:
        self.title_label = _plain_label("", self)
        self.title_label.setObjectName("petitionTitle")
        self.title_label.setAccessibleName("Petition title")
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)

        self.status_label = _plain_label("", self)
        self.status_label.setObjectName("petitionStatus")
        self.status_label.setAccessibleName("Petition status")

        self.web_button = QPushButton("Open on the website", self)
        self.web_button.setToolTip("Open this petition on petition.parliament.uk")
        self.web_button.setAccessibleName("Open the petition on petition.parliament.uk")
        self.web_button.clicked.connect(self._open_web_page)

    def _build_tabs(self) -> None:
        self._content = QWidget(self)
        self.tabs = QTabWidget(self._content)
        self.tabs.setAccessibleName("Petition detail sections")
        self.tabs.setDocumentMode(True)
        self._overview = _scroll_area("Overview")
        self._response = _scroll_area("Government response and debate")
        self.tabs.addTab(self._overview, "&Overview")
        self.tabs.addTab(self._response, "&Response && debate")
        # Its models now (cheap, and readable at any time); its widgets when first needed (shown, or a
        # petition's breakdowns to show): not before the window's first paint.
        self.constituency_model = ConstituencyTableModel(self)
        self.region_model = RegionTableModel(self)
        self.country_model = CountryTableModel(self)
        self.movers_model = MoverTableModel(self)
        self._signatures_stack = QStackedWidget()
        self._signatures_built = False
        self.tabs.addTab(self._signatures_stack, "&Signatures")
        self.tabs.currentChanged.connect(self._on_tab_changed)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.web_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self._content)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.title_label)
        layout.addLayout(status_row)
        layout.addWidget(self.tabs, 1)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self._signatures_stack:
            self.build_signatures_tab()

    @property
    def signatures_built(self) -> bool:
        return self._signatures_built

    def build_signatures_tab(self) -> None:
        """The Signatures tab's map, tables and movers, once: when it is first shown or has something
        to show (~15 ms, kept out of the window's start)."""
        if self._signatures_built:
            return
        self._signatures_built = True
        self._fill_signatures_tab()
        self.map_panel.set_mine(self._mine)

    def _fill_signatures_tab(self) -> None:
        from petitiondesk.gui.map_view import MapPanel  # imported with the tab, after the first paint

        self.constituency_view = _table_view(self.constituency_model, "Signatures by constituency")
        self.region_view = _table_view(self.region_model, "Signatures by region")
        self.country_view = _table_view(self.country_model, "Signatures by country")

        self.breakdown_summary = _plain_label("", None)
        self.breakdown_summary.setAccessibleName("Signature totals")
        self.breakdown_tabs = QTabWidget()
        self.breakdown_tabs.setAccessibleName("Signature breakdowns")
        self.breakdown_tabs.addTab(self.constituency_view, "Constituencies")
        self.breakdown_tabs.addTab(self.region_view, "Regions")
        self.breakdown_tabs.addTab(self.country_view, "Countries")
        self.breakdown_tabs.addTab(self._build_movers_page(), "Movers (24 h)")
        self.map_panel = MapPanel()
        self.map_panel.constituency_clicked.connect(self.select_constituency)
        self.map_panel.export_requested.connect(self.export_map)
        self.map_panel.mine_chosen.connect(self.my_constituency_chosen)
        self.map_panel.mine_chosen.connect(self.set_my_constituency)
        self.constituency_view.selectionModel().currentRowChanged.connect(self._on_constituency_row)
        tables = QWidget()
        tables_layout = QVBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        tables_layout.addWidget(self.breakdown_tabs, 1)
        self.signatures_splitter = _map_beside(self.map_panel, tables)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(6, 6, 6, 6)
        page_layout.addWidget(self.breakdown_summary)
        page_layout.addWidget(self.map_panel.controls)
        page_layout.addWidget(self.signatures_splitter, 1)

        self.breakdown_message = _plain_label("", None)
        self.breakdown_message.setAccessibleName("Signature breakdowns")
        self.breakdown_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._signatures_stack.addWidget(page)
        self._signatures_stack.addWidget(self.breakdown_message)
        self._tables_page = page

    def _build_movers_page(self) -> QWidget:
        self.movers_view = _table_view(self.movers_model, "24-hour movers")
        self.movers_choice = QComboBox()
        self.movers_choice.setAccessibleName("Which movers")
        for label, _, _ in MOVER_VIEWS:
            self.movers_choice.addItem(label)
        self.movers_choice.currentIndexChanged.connect(self._show_movers_view)
        self.movers_export_button = QPushButton("Export CSV…")
        self.movers_export_button.setToolTip("Save the movers (constituencies, regions, nations) as CSV")
        self.movers_export_button.clicked.connect(self.export_movers)
        self.movers_heading = _plain_label("", None, muted=True)
        controls = QHBoxLayout()
        controls.addWidget(self.movers_choice, 1)
        controls.addWidget(self.movers_export_button)
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(controls)
        table_layout.addWidget(self.movers_heading)
        table_layout.addWidget(self.movers_view, 1)
        self.movers_message = _plain_label("", None)
        self.movers_message.setAccessibleName("24-hour movers")
        self.movers_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._movers_stack = QStackedWidget()
        self._movers_stack.addWidget(table_page)
        self._movers_stack.addWidget(self.movers_message)
        self._movers_table_page = table_page
        return self._movers_stack

    # -- public API ------------------------------------------------------------------------------
    def show_petition(
        self,
        petition: Petition | None,
        *,
        constituency_baseline: dict[str, int] | None = None,
        movers_ready_at: float | None = None,
    ) -> None:
        """Show a petition (None: the empty state). A baseline (signatures by ONS code about 24
        hours ago) adds the constituencies' change over the last day and the movers; without one,
        `movers_ready_at` (POSIX time, when known) says when the movers will appear."""
        if self.show_texts(petition, constituency_baseline=constituency_baseline, movers_ready_at=movers_ready_at):
            self.show_breakdowns()

    def show_texts(
        self,
        petition: Petition | None,
        *,
        constituency_baseline: dict[str, int] | None = None,
        movers_ready_at: float | None = None,
    ) -> bool:
        """The first half of `show_petition`: everything but where the signatures come from, which
        `show_breakdowns` adds (a caller may do that on the next turn of the event loop: each half
        takes several milliseconds). False when nothing changed, and nothing more is needed."""
        if petition is not None and petition == self._petition and (
            constituency_baseline == self._baseline and movers_ready_at == self._movers_ready_at
        ):
            return False  # an unchanged refresh: keep every widget, selection and scroll as they are
        self._baseline = constituency_baseline
        self._movers_ready_at = movers_ready_at
        same_petition = (
            petition is not None
            and self._petition is not None
            and petition.id == self._petition.id
        )
        self._petition = petition
        if not same_petition:
            self._outlook = None  # the previous petition's; this one's follows
        if petition is None:
            self.empty_label.setText(EMPTY_TEXT)
            self._stack.setCurrentWidget(self.empty_label)
            return True
        scroll = self._scroll_positions() if same_petition else None
        self.title_label.setText(petition.action)
        self.status_label.setText(self._status_text(petition))
        self._overview.setWidget(_column(self._overview_sections(petition)))
        self._response.setWidget(_column(self._response_sections(petition)))
        self._stack.setCurrentWidget(self._content)
        if scroll is not None:
            # The new contents are laid out on the next turn of the event loop.
            self._pending_scroll = scroll
            QTimer.singleShot(0, self._restore_scroll_positions)
        return True

    def show_breakdowns(self) -> None:
        """The second half of `show_petition`: the shown petition's constituencies, regions,
        countries, map and movers."""
        self._show_breakdowns(self._petition, self._baseline)

    @property
    def petition(self) -> Petition | None:
        return self._petition

    def show_outlook(self, outlook: analysis.Outlook | None) -> None:
        """Where the shown petition is going (worked out by the reader): its deadline, the estimate
        and its milestones, in the overview's "Where it is going" section."""
        self._outlook = outlook
        self._fill_outlook_section()

    def outlook_lines(self) -> list[str]:
        """The "Where it is going" section's lines (empty while there is no outlook)."""
        return outlook_lines(self._outlook, float(self.clock())) if self._outlook is not None else []

    def open_link(self, url: str) -> bool:
        """Open a web address in the browser; anything but http(s) is refused."""
        if not is_safe_url(url):
            self.link_refused.emit(url)
            return False
        failure = open_web_page(url)
        if failure:
            self.link_failed.emit(failure)
            return False
        self.link_opened.emit(url)
        return True

    def show_placeholder(self, text: str) -> None:
        """A selected petition whose details are not here yet: say why (loading, offline, refused)."""
        self._petition = None
        self.empty_label.setText(text)
        self._stack.setCurrentWidget(self.empty_label)

    def set_current_count(self, petition_id: int, count: int | None) -> None:
        """The newest recorded count, newer than the document's between two full reads: shown
        in the header, as the list and the graph show it."""
        self._current_count = (petition_id, count)
        if self._petition is not None and self._petition.id == petition_id:
            self.status_label.setText(self._status_text(self._petition))

    def redisplay(self) -> None:
        """Show the same petition again (the time zone changed): every date is formatted anew."""
        petition = self._petition
        if petition is not None:
            self._petition = None
            self.show_petition(petition, constituency_baseline=self._baseline,
                               movers_ready_at=self._movers_ready_at)

    # -- header ----------------------------------------------------------------------------------
    def _status_text(self, petition: Petition) -> str:
        pid, current = self._current_count
        count = current if pid == petition.id and current is not None else petition.signature_count
        parts = [state_label(petition), f"{format_count(count)} signatures"]
        progress = progress_label(petition)
        if progress:
            parts.append(progress)
        mine = _rank_of_mine(petition, self._mine) if self._mine else None
        if mine is not None:
            parts.append(f"your constituency, {mine.name}: {format_count(mine.count)}"
                         f" (rank {mine.rank:,} of {mine.of:,})")
        parts.append(f"Petition {petition.id}")
        return " · ".join(parts)

    def _open_web_page(self) -> None:
        if self._petition is not None:
            self.open_link(self._petition.web_url)

    # -- overview --------------------------------------------------------------------------------
    def _overview_sections(self, petition: Petition) -> list[QWidget]:
        widgets: list[QWidget] = [self._build_outlook_section()]
        if petition.committee_note:
            widgets += [
                _heading("Note from the Petitions Committee"),
                _plain_label(petition.committee_note, framed=True),
            ]
        widgets += [_heading("Background"), _plain_label(petition.background or "—")]
        if petition.additional_details:
            widgets += [_heading("More details"), _plain_label(petition.additional_details)]
        if petition.rejection is not None:
            widgets += self._rejection_section(petition)
        widgets += [_heading(f"Dates ({zone_name()})"), _facts(self._date_facts(petition), self)]
        widgets += [_heading("About"), _facts(self._about_facts(petition), self)]
        return widgets

    def _build_outlook_section(self) -> QWidget:
        """Rebuilt with the overview; `show_outlook` refills its label in place."""
        self.outlook_section = QWidget()
        layout = QVBoxLayout(self.outlook_section)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading("Where it is going"))
        self.outlook_label = _plain_label("")
        self.outlook_label.setAccessibleName("Where it is going")
        layout.addWidget(self.outlook_label)
        self._fill_outlook_section()
        return self.outlook_section

    def _fill_outlook_section(self) -> None:
        if self.outlook_label is None or self.outlook_section is None:
            return  # no petition shown yet
        lines = self.outlook_lines()
        self.outlook_label.setText("\n".join(lines))
        self.outlook_section.setVisible(bool(lines))

    def _rejection_section(self, petition: Petition) -> list[QWidget]:
        rejection = petition.rejection
        if rejection is None:
            return []
        reason = REJECTION_REASONS.get(rejection.code, "")
        code_text = f"Reason: {rejection.code}" + (f" — {reason}" if reason else "")
        widgets: list[QWidget] = [_heading("Why it was rejected"), _plain_label(code_text)]
        if rejection.details:
            widgets.append(_plain_label(rejection.details))
        return widgets

    def _date_facts(self, petition: Petition) -> list[tuple[str, str, bool]]:
        """(label, text, is_rich) rows about when things happened."""
        facts = []
        if petition.created_at:
            facts.append(("Created", format_uk_time(petition.created_at), False))
        if petition.opened_at:
            facts.append(("Opened", format_uk_time(petition.opened_at), False))
        if petition.state == "open" and petition.closing_date:
            facts.append(("Closes", f"{format_date(petition.closing_date)}, 23:59 (UK time)", False))
        elif petition.closed_at:
            facts.append(("Closed", format_uk_time(petition.closed_at), False))
        if petition.rejected_at:
            facts.append(("Rejected", format_uk_time(petition.rejected_at), False))
        if petition.response_threshold_reached_at:
            facts.append(
                (
                    f"{format_count(petition.response_threshold)} reached",
                    format_uk_time(petition.response_threshold_reached_at),
                    False,
                )
            )
        if petition.debate_threshold_reached_at:
            facts.append(
                (
                    f"{format_count(petition.debate_threshold)} reached",
                    format_uk_time(petition.debate_threshold_reached_at),
                    False,
                )
            )
        if petition.parliament is not None and petition.parliament.period:
            facts.append(("Parliament", petition.parliament.period, False))
        return facts

    def _about_facts(self, petition: Petition) -> list[tuple[str, str, bool]]:
        facts = []
        if petition.creator_name:
            facts.append(("Created by", petition.creator_name, False))
        if petition.departments:
            links = [
                link_html(_department_name(d.name, d.acronym), d.url) for d in petition.departments
            ]
            facts.append(("Departments", "<br>".join(links), True))
        if petition.topics:
            facts.append(("Topics", ", ".join(t.replace("-", " ") for t in petition.topics), False))
        facts.append(("Signatures", format_count(petition.signature_count), False))
        return facts

    # -- response and debate ---------------------------------------------------------------------
    def _response_sections(self, petition: Petition) -> list[QWidget]:
        widgets = [_heading("Government response"), *self._response_widgets(petition)]
        widgets += [_heading("Debate"), *self._debate_widgets(petition)]
        business = petition.other_parliamentary_business or ()
        if business:
            widgets.append(_heading("Other parliamentary business"))
            for item in business:
                widgets.append(_plain_label(item.subject, bold=True))
                if item.occurred_on:
                    widgets.append(_plain_label(format_date(item.occurred_on), muted=True))
                widgets.append(self._rich_label(paragraphs_html(item.body)))
        return widgets

    def _response_widgets(self, petition: Petition) -> list[QWidget]:
        response = petition.government_response
        if response is None:
            if petition.state == "rejected":
                return [_plain_label("Rejected petitions get no government response.")]
            threshold = format_count(petition.response_threshold)
            if petition.response_threshold_reached_at:
                return [_plain_label(f"Reached {threshold} signatures: awaiting a response.")]
            return [
                _plain_label(
                    "No response yet. The government responds to petitions "
                    f"with more than {threshold} signatures."
                )
            ]
        responded = response.responded_on or response.created_at
        widgets: list[QWidget] = []
        if responded:
            widgets.append(_plain_label(f"Responded on {format_date(responded)}", muted=True))
        if response.summary:
            widgets.append(_plain_label(response.summary, bold=True))
        if response.details:
            widgets.append(self._rich_label(paragraphs_html(response.details)))
        return widgets

    def _debate_widgets(self, petition: Petition) -> list[QWidget]:
        debate = petition.debate
        lines = []
        if petition.debate_scheduled_on:
            lines.append(f"Decision to debate taken on {format_date(petition.debate_scheduled_on)}")
        if petition.scheduled_debate_date and not (debate and debate.debated):
            lines.append(f"Debate scheduled for {format_date(petition.scheduled_debate_date)}")
        if debate is not None:
            if debate.debated:
                lines.append(f"Debated on {format_date(debate.debated_on)}")
            else:
                lines.append("Not debated: Parliament decided not to debate this petition.")
        elif not lines:
            threshold = format_count(petition.debate_threshold)
            if petition.debate_threshold_reached_at:
                lines.append(f"Reached {threshold} signatures: awaiting a decision on a debate.")
            else:
                lines.append(
                    "No debate yet. Parliament considers petitions with more than "
                    f"{threshold} signatures for debate."
                )
        widgets: list[QWidget] = [_plain_label("\n".join(lines))]
        if debate is None:
            return widgets
        if debate.overview:
            widgets.append(_plain_label(debate.overview))
        links = [
            ("Transcript", debate.transcript_url),
            ("Video", debate.video_url),
            ("Debate pack", debate.debate_pack_url),
            ("Public engagement", debate.public_engagement_url),
            ("Debate summary", debate.debate_summary_url),
        ]
        present = [link_html(text, url) for text, url in links if url]
        if present:
            widgets.append(self._rich_label(" · ".join(present)))
        return widgets

    # -- signatures ------------------------------------------------------------------------------
    def _show_breakdowns(self, petition: Petition | None, baseline: dict[str, int] | None) -> None:
        if petition is None and not self._signatures_built:
            return  # nothing shown yet, nothing to clear
        self.build_signatures_tab()
        if petition is None:
            message = ""
        elif petition.state == "rejected":
            message = REJECTED_NO_BREAKDOWNS
        elif (
            petition.signatures_by_constituency is None
            and petition.signatures_by_region is None
            and petition.signatures_by_country is None
        ):
            message = BREAKDOWNS_NOT_LOADED
        else:
            message = None
        if message is not None:
            for model in (self.constituency_model, self.region_model, self.country_model, self.movers_model):
                model.set_records(())
            self.movers = None
            self.breakdown_message.setText(message)
            self._signatures_stack.setCurrentWidget(self.breakdown_message)
            return
        assert petition is not None  # no petition has a message (above)
        constituencies = petition.signatures_by_constituency or ()
        regions = petition.signatures_by_region or ()
        countries = petition.signatures_by_country or ()
        in_uk = uk_total(countries, constituencies)
        for model, total in (
            (self.constituency_model, in_uk),
            (self.region_model, in_uk),
            (self.country_model, petition.signature_count),
        ):
            model.set_total(total)
        self.constituency_model.set_baseline(baseline)
        self.constituency_model.set_records(constituencies)
        self.region_model.set_records(regions)
        self.country_model.set_records(countries)
        self.constituency_view.setColumnHidden(
            ConstituencyTableModel.CHANGE, baseline is None
        )
        share = in_uk / petition.signature_count if petition.signature_count else None
        self.breakdown_summary.setText(
            f"{format_count(in_uk)} signatures from the United Kingdom "
            f"({format_percent(share)} of {format_count(petition.signature_count)}). "
            "Breakdowns need not add up to the total."
        )
        self.breakdown_tabs.setTabText(0, f"Constituencies ({len(constituencies)})")
        self.breakdown_tabs.setTabText(1, f"Regions ({len(regions)})")
        self.breakdown_tabs.setTabText(2, f"Countries ({len(countries)})")
        # An empty table would only puzzle: the site gives no regions for some petitions.
        self.breakdown_tabs.setTabVisible(1, bool(regions))
        self.breakdown_tabs.setTabVisible(2, bool(countries))
        self.map_panel.show_constituencies(constituencies, in_uk, baseline)
        self._show_movers(constituencies, baseline)
        self._signatures_stack.setCurrentWidget(self._tables_page)

    # -- map and movers --------------------------------------------------------------------------
    def _show_movers(self, constituencies, baseline: dict[str, int] | None) -> None:
        if not constituencies or baseline is None:
            self.movers = None
            self.movers_model.set_records(())
            self.movers_message.setText(self._movers_pending_text() if constituencies else MOVERS_NO_SEATS)
            self._movers_stack.setCurrentWidget(self.movers_message)
            return
        counts = {row.ons_code: row.signature_count for row in constituencies}
        names = {row.ons_code: row.name for row in constituencies}
        from petitiondesk.core.hexmap import choose_hexmap  # with the map and movers, after the first paint
        from petitiondesk.core.movers import compute_movers

        hexmap = choose_hexmap(counts).hexmap
        self.movers = compute_movers(baseline, counts, names=names, hexmap=hexmap)
        self.movers_heading.setText(
            "Change since the snapshot recorded about 24 hours ago; regions and nations are summed "
            "from their constituencies."
        )
        self._show_movers_view(self.movers_choice.currentIndex())
        self._movers_stack.setCurrentWidget(self._movers_table_page)

    def _movers_pending_text(self) -> str:
        when = ""
        if self._movers_ready_at is not None:
            ready = to_uk(datetime.fromtimestamp(self._movers_ready_at, UTC))
            when = f" (at {ready:%H:%M} on {ready.day} {ready:%b}, {zone_name()})"
        return MOVERS_PENDING.format(when=when)

    @Slot(int)
    def _show_movers_view(self, index: int) -> None:
        if self.movers is None or not 0 <= index < len(MOVER_VIEWS):
            return
        _, which, column = MOVER_VIEWS[index]
        self.movers_model.set_records(getattr(self.movers, which))
        self.movers_view.sortByColumn(column, Qt.SortOrder.DescendingOrder)

    def set_my_constituency(self, code: str | None) -> None:
        """Outline the user's own seat on every map from now on (e.g. restored from settings), and
        give its count and rank in the heading of every petition."""
        self._mine = code or None
        if self._signatures_built:
            self.map_panel.set_mine(code)
        if self._petition is not None:
            self.status_label.setText(self._status_text(self._petition))

    @Slot(str)
    def select_constituency(self, code: str) -> bool:
        """Select the seat's row in the constituency table (and show that table); False if absent."""
        self.build_signatures_tab()
        for row, record in enumerate(self.constituency_model.records()):
            if record.ons_code == code:
                index = self.constituency_model.index(row, 0)
                self.breakdown_tabs.setCurrentWidget(self.constituency_view)
                self.constituency_view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
                self.constituency_view.scrollTo(index)
                return True
        return False

    def _on_constituency_row(self, current, _previous) -> None:
        record = current.data(RECORD_ROLE) if current.isValid() else None
        self.map_panel.set_selected(record.ons_code if record is not None else None)

    def export_map(self, path: Path | None = None) -> None:
        """Save the map as PNG or SVG (asks where when `path` is None); drawn here, written off the GUI thread."""
        petition = self._petition
        if petition is None or not petition.signatures_by_constituency:
            self.export_finished.emit("There is no map to export: this petition has no constituency figures.", "")
            return
        path = path or self._ask_path(f"petition-{petition.id}-map.png", "PNG image (*.png);;SVG image (*.svg)")
        if path is None:
            return
        self.build_signatures_tab()  # the map's mode and the user's seat
        from petitiondesk.gui import map_export  # imported when first used

        try:
            spec = map_export.map_spec(petition, self.map_panel.mode, self._baseline, self.map_panel.view.mine_code)
            data = map_export.map_bytes(spec, path)
        except ExportError as error:
            self.export_finished.emit(str(error), "")
            return
        self._write(path, "map", lambda: atomic_write(path, lambda file: file.write(data)))

    def export_movers(self, path: Path | None = None) -> None:
        movers, petition = self.movers, self._petition
        if movers is None or petition is None:
            self.export_finished.emit("There are no movers to export yet.", "")
            return
        path = path or self._ask_path(f"petition-{petition.id}-movers.csv", "CSV (*.csv)")
        if path is not None:
            self._write(path, "movers", lambda: csv_export.write_movers_csv(path, petition.id, movers))

    def _ask_path(self, name: str, filters: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, chosen_filter = QFileDialog.getSaveFileName(self, "Export", str(Path(folder) / name), filters)
        if not chosen:
            return None
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".svg" if "svg" in chosen_filter.lower() else Path(name).suffix)
        return path

    def _write(self, path: Path, what: str, job: Callable[[], None]) -> None:
        """Write off the GUI thread (a slow or full disk must not freeze the window)."""

        def run() -> None:
            try:
                job()
                self._written.emit(f"Saved the {what} to {path}", str(path))
            except ExportError as error:
                self._written.emit(str(error), "")
            except Exception as error:
                self._written.emit(f"Cannot save to {path}: {error}", "")

        thread = threading.Thread(target=run, name=f"export-{what}", daemon=True)
        self._writers = [t for t in self._writers if t.is_alive()] + [thread]
        thread.start()

    def wait_for_writers(self, timeout: float = 10.0) -> None:
        """Let files being written finish (at quit, and in tests)."""
        for thread in self._writers:
            thread.join(timeout)
        self._writers = []

    def prepare_map(self, petition: Petition | None, seats: int | None = None) -> None:
        """Build the map that will show `petition`'s constituencies, ahead of `show_petition`: a
        caller may do it on turns of the event loop of its own, to keep each turn short. The first
        call builds the Signatures tab (and imports its modules) and no seats when `seats` is given;
        later calls add up to `seats` seats each (None: the rest)."""
        rows = petition.signatures_by_constituency if petition is not None else None
        if not rows:
            return
        if not self._signatures_built and seats is not None:
            self.build_signatures_tab()
            return
        from petitiondesk.core.hexmap import choose_hexmap

        self.build_signatures_tab()
        self.map_panel.view.prepare(choose_hexmap(row.ons_code for row in rows).hexmap, seats)

    def map_steps(self, petition: Petition | None) -> list[Callable[[], None]]:
        """prepare_map in pieces of a turn each: the tab, then the seats a third at a time."""
        steps: list[Callable[[], None]] = [partial(self.prepare_map, petition, MAP_SEATS_PER_TURN) for _ in range(3)]
        return [*steps, partial(self.prepare_map, petition)]

    @property
    def shows_breakdown_tables(self) -> bool:
        return self._signatures_built and self._signatures_stack.currentWidget() is self._tables_page

    # -- helpers bound to the pane ---------------------------------------------------------------
    def _rich_label(self, rich_html: str) -> QLabel:
        """A label for rich text composed here from escaped parts; its links come to open_link."""
        label = QLabel(rich_html)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setOpenExternalLinks(False)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.linkActivated.connect(self.open_link)
        return label

    def _scroll_positions(self) -> tuple[int, int]:
        return (
            self._overview.verticalScrollBar().value(),
            self._response.verticalScrollBar().value(),
        )

    def _restore_scroll_positions(self) -> None:
        overview, response = self._pending_scroll
        self._overview.verticalScrollBar().setValue(overview)
        self._response.verticalScrollBar().setValue(response)


def _rank_of_mine(petition: Petition, code: str) -> ConstituencyRank | None:
    from petitiondesk.core.hexmap import rank_of  # only once the user has found their seat

    return rank_of(petition.signatures_by_constituency or (), code)


# -- widget helpers -------------------------------------------------------------------------------
def _plain_label(
    text: str, parent=None, *, bold: bool = False, muted: bool = False, framed: bool = False
) -> QLabel:
    """Network text as text: never interpreted as HTML; selectable with mouse and keyboard."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
    if muted:
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    if framed:
        label.setFrameShape(QFrame.Shape.StyledPanel)
        label.setMargin(6)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 0)
    return label


def _facts(rows: Iterable[tuple[str, str, bool]], pane: DetailPane) -> QWidget:
    """A two-column list of "label: value" rows; rich values were composed from escaped parts."""
    box = QWidget()
    form = QFormLayout(box)
    form.setContentsMargins(0, 0, 0, 0)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for name, value, rich in rows:
        field = pane._rich_label(value) if rich else _plain_label(value)
        form.addRow(_plain_label(f"{name}:"), field)
    return box


def _column(widgets: list[QWidget]) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(8, 4, 8, 8)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return page


def _scroll_area(name: str) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setAccessibleName(name)
    return area


def _table_view(model: RecordTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    rows = view.verticalHeader()
    rows.setVisible(False)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)  # compact rows
    header = view.horizontalHeader()
    header.setSortIndicatorShown(True)
    # Whole names and numbers; a narrow pane scrolls sideways rather than eliding them. Sized
    # once per new set of places, not on every refresh (each sizing reads every cell).
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setResizeContentsPrecision(_SIZING_ROWS)
    _ColumnSizer(view, model)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # signatures, in every breakdown
    return view


class _ColumnSizer(QObject):
    """Sizes a table's columns to its contents after each new set of places, when it is on screen.

    Sizing reads every cell of `_SIZING_ROWS` rows through Python (~15 ms for 650 constituencies):
    done at once it stalled the window whenever the selected petition's document arrived, although
    the tables sit in a tab that is mostly hidden. So it waits for the table to be shown, and then
    for the next turn of the event loop, apart from the work that filled the model."""

    def __init__(self, view: QTableView, model: RecordTableModel) -> None:
        super().__init__(view)
        self._view = view
        self._pending = False
        model.modelReset.connect(self._contents_replaced)
        view.installEventFilter(self)

    @Slot()
    def _contents_replaced(self) -> None:
        if not self._pending:
            self._pending = True
            if self._view.isVisible():
                QTimer.singleShot(0, self._size)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self._pending:
            QTimer.singleShot(0, self._size)
        return False

    @Slot()
    def _size(self) -> None:
        if self._pending and self._view.isVisible():
            self._pending = False
            self._view.resizeColumnsToContents()


def _map_beside(map_panel: QWidget, tables: QWidget) -> QSplitter:
    """The map to the left of the tables (it is taller than wide, like the country). A short pane
    scrolls the map's column rather than squeezing its legend over the map."""
    scroller = QScrollArea()
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroller.setWidget(map_panel)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(scroller)
    splitter.addWidget(tables)
    splitter.setStretchFactor(0, 2)
    splitter.setStretchFactor(1, 3)
    return splitter


def _department_name(name: str, acronym: str | None) -> str:
    return f"{name} ({acronym})" if acronym and acronym != name else name
