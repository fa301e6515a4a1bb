"""Every text the site sends is shown as typed, everywhere in the window (issue 15, defect 2).

The real main window runs against the simulator through a transport that appends markup and escape
sequences (bench/hostile_servers.py's HOSTILE_TEXT) to every text field of every document: titles,
texts, the response, the debate, constituencies, MPs, departments. The test opens everything a user
would (the add dialog, an alert, the petition with every tab, related petitions, a search in the browse
tab and a result's preview, the comparison window), then walks every widget, item view, tab, action,
tooltip and chart text, and fails wherever Qt would draw that markup as formatting, a link or an image.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
from PySide6 import QtGui
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QGraphicsTextItem,
    QGraphicsView,
    QHeaderView,
    QLabel,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from tests.gui.test_main_window import WAIT_MS, debated_with_response, settled, wait_for_pass

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from hostile_servers import HOSTILE_TEXT, poison_texts

#: The markup at the head of HOSTILE_TEXT, as a reader sees it when it is shown as typed; drawn as
#: rich text it would read "boldlink" with an image after it.
AS_TYPED = HOSTILE_TEXT[:HOSTILE_TEXT.index("\x1b")]
#: Only text from the network carries it (in the markup's link and in an OSC 8 hyperlink).
FROM_THE_NETWORK = "evil.example"
#: Where the sweep must find the site's text (widget paths as Sweep names them), or it proves nothing.
REACHED = {
    "the watchlist": r"watchlistTable cell .* tooltip",
    "the add dialog": r"addResults cell .* tooltip",
    "the petition's title": r"petitionTitle text",
    "the petition's texts": r"detailPane/.*QScrollArea/.*QLabel text",
    "the signatures tables": r"detailPane/.*QTableView cell",
    "related petitions": r"relatedPanel/.*QLabel tooltip",
    "the browse tab": r"browseTable cell .* tooltip",
    "the comparison": r"CompareWindow/.*cell .* tooltip",
    "the alerts list": r"alertsTable cell .* tooltip",
}


class PoisonedSite(httpx.BaseTransport):
    """The simulator, with HOSTILE_TEXT appended to every text field of every JSON document it sends."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with httpx.HTTPTransport() as real:  # one per request: the window's threads each send their own
            response = real.handle_request(request)
            body = response.read()
        if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
            return httpx.Response(response.status_code, headers=response.headers, content=body)
        headers = [(name, value) for name, value in response.headers.items()
                   if name.lower() not in ("content-length", "content-encoding")]
        poisoned = json.dumps(poison_texts(json.loads(body))).encode()
        return httpx.Response(200, headers=headers, content=poisoned)


class Sweep:
    """Where text from the network was found, and where it would be drawn as markup."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.rendered: list[str] = []

    def check(self, place: str, text: object, rich: bool) -> None:
        if not isinstance(text, str) or FROM_THE_NETWORK not in text:
            return
        self.seen.append(place)
        if rich and AS_TYPED not in _visible_text(text):
            self.rendered.append(place)

    def walk(self) -> None:
        for widget in QApplication.allWidgets():
            self.widget(widget)

    def tooltip(self, place: str, text: object) -> None:
        self.check(place, text, isinstance(text, str) and QtGui.Qt.mightBeRichText(text))

    def widget(self, widget: QWidget) -> None:
        place = _name(widget)
        self.tooltip(f"{place} tooltip", widget.toolTip())
        for action in widget.actions():
            self.tooltip(f"{place} action {action.text()!r} tooltip", action.toolTip())
        if isinstance(widget, QLabel):
            self.check(f"{place} text", widget.text(), _label_is_rich(widget))
        elif isinstance(widget, QAbstractButton):
            self.check(f"{place} text", widget.text(), False)
        elif isinstance(widget, QTextEdit):
            self.check(f"{place} document", widget.toHtml(), True)
        elif isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                self.tooltip(f"{place} tab {tab} tooltip", widget.tabToolTip(tab))
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView) and widget.model():
            self.model(place, widget.model())
        elif isinstance(widget, QGraphicsView) and widget.scene() is not None:
            self.scene(place, widget)

    def model(self, place: str, model: QAbstractItemModel) -> None:
        for section in range(_columns(model, QModelIndex())):
            tip = model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            self.tooltip(f"{place} header {section} tooltip", tip)
        for index in _indexes(model, QModelIndex()):
            cell = f"{place} cell ({index.row()}, {index.column()})"
            self.check(f"{cell} text", index.data(Qt.ItemDataRole.DisplayRole), False)  # delegates draw plain text
            self.tooltip(f"{cell} tooltip", index.data(Qt.ItemDataRole.ToolTipRole))

    def scene(self, place: str, view: QGraphicsView) -> None:
        for item in view.scene().items():
            self.tooltip(f"{place} chart item tooltip", item.toolTip())
            if isinstance(item, QGraphicsTextItem):  # pyqtgraph's labels and legends: rich text
                self.check(f"{place} chart text {item.toPlainText()[:30]!r}", item.toHtml(), True)


def _visible_text(rich_text: str) -> str:
    """What a reader sees of rich text: Qt's own rendering of it, as plain text."""
    document = QTextDocument()
    document.setHtml(rich_text)
    return document.toPlainText()


def _label_is_rich(label: QLabel) -> bool:
    text_format = label.textFormat()
    if text_format == Qt.TextFormat.AutoText:
        return QtGui.Qt.mightBeRichText(label.text())
    return text_format != Qt.TextFormat.PlainText


def _indexes(model: QAbstractItemModel, parent: QModelIndex) -> Iterator[QModelIndex]:
    for row in range(model.rowCount(parent)):
        for column in range(_columns(model, parent)):
            index = model.index(row, column, parent)
            yield index
            if column == 0 and not isinstance(model, QAbstractTableModel | QAbstractListModel) \
                    and model.rowCount(index):
                yield from _indexes(model, index)


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    return 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)  # a list's is private


def _name(widget: QWidget) -> str:
    names = []
    while widget is not None:
        names.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(names))


def open_every_tab(qtbot, top: QWidget) -> None:
    """Show every page of every tab widget (some fill or build their contents when first shown)."""
    for tabs in top.findChildren(QTabWidget):
        for page in range(tabs.count()):
            tabs.setCurrentIndex(page)
            qtbot.wait(50)


def test_no_widget_draws_markup_from_the_site(qtbot, simulator, make_window, select_and_wait):
    world = simulator.world
    chosen = debated_with_response(world)
    nearing = next(pid for pid in world.ids("open") if 1_000 < world.count(pid) < 9_000)  # for an alert
    window = settled(qtbot, make_window(refresh_on_start=False, transport=PoisonedSite()))

    window.show_add_dialog()  # added as a user would, so the dialog shows their titles too
    dialog = window.add_dialog()
    dialog.input.setPlainText(f"{chosen}\n{nearing}")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.waiting == 0, timeout=WAIT_MS)
    wait_for_pass(qtbot, window, window.refresh_now)  # what holds on pinning is remembered silently
    world.advance(120)
    world.set_count(nearing, 10_500)
    wait_for_pass(qtbot, window, window.refresh_now)  # "passed 10,000 signatures" in the alerts list
    select_and_wait(window, chosen, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(window.related.items()), timeout=WAIT_MS)
    open_every_tab(qtbot, window.detail)
    sweep = Sweep()
    sweep.walk()  # the pinned petition, every tab, its related petitions, the alert

    window.menu_actions.browse_action.trigger()
    browse = window.browse
    browse.choose_facet("open")
    qtbot.keyClicks(browse.search_edit, "ban")
    qtbot.keyClick(browse.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.browse_service.is_loading and browse.model.rowCount() > 0, timeout=WAIT_MS)
    unpinned = next(row for row in range(browse.model.rowCount())
                    if browse.model.record(row).id not in window.model.petition_ids())
    with qtbot.waitSignal(window.browse_service.preview_loaded, timeout=WAIT_MS):
        browse.table.selectRow(unpinned)
    assert window.detail.petition.id == browse.model.record(unpinned).id  # previewed on the right
    open_every_tab(qtbot, window.detail)

    compare = window.menu_actions.compare_selected()
    qtbot.waitUntil(lambda: len(compare.view.series) == 1 and compare.view.table.rowCount() == 1, timeout=WAIT_MS)
    sweep.walk()  # the browse tab, its preview, the comparison
    compare.close()

    assert not sweep.rendered, "drawn as markup:\n" + "\n".join(sweep.rendered)
    places = "\n".join(sweep.seen)
    for part, where in REACHED.items():  # the site's text did reach each part the test opened
        assert re.search(where, places), f"no text from the site found in {part}"
