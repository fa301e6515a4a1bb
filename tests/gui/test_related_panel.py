"""The related petitions panel against the simulator: shared topic or department, counts, one-click pin."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from petitiondesk.core.browse import RelatedResult
from petitiondesk.core.client import PetitionsClient
from petitiondesk.core.models import Petition
from petitiondesk.gui.browse_service import BrowseConfig, BrowseService
from petitiondesk.gui.related_panel import RelatedPanel

TIMEOUT_MS = 15_000


@pytest.fixture
def service(simulator):
    browse = BrowseService(BrowseConfig(simulator.url, request_interval=0.0))
    yield browse
    assert browse.shutdown()


@pytest.fixture
def panel(qtbot, service):
    widget = RelatedPanel(service)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def fetch(simulator, petition_id: int) -> Petition:
    with PetitionsClient(simulator.url, min_interval=0) as client:
        return client.petition(petition_id).value


def test_related_petitions_share_a_topic_or_department_with_counts_and_reasons(qtbot, panel, simulator):
    petition = fetch(simulator, simulator.world.ids("closed")[0])
    with qtbot.waitSignal(panel.service.related_loaded, timeout=TIMEOUT_MS):
        panel.show_petition(petition)
    items = panel.items()
    assert 0 < len(items) <= 5
    departments = {d.acronym or d.name for d in petition.departments}
    for item in items:
        row = item.row
        assert row.state == "open" and row.id != petition.id
        assert set(row.topics) & set(petition.topics) or set(row.departments) & departments
        assert simulator.world.plan(row.id).action == row.action
    labels = [label.text() for label in panel.findChildren(type(panel.status_label)) if "signatures ·" in label.text()]
    assert labels == [f"{item.row.signature_count:,} signatures · {item.reason.replace('-', ' ')}" for item in items]
    assert not panel.status_label.isVisible()


def test_one_click_pins_and_a_pinned_one_says_so(qtbot, panel, simulator):
    petition = fetch(simulator, simulator.world.ids("closed")[0])
    with qtbot.waitSignal(panel.service.related_loaded, timeout=TIMEOUT_MS):
        panel.show_petition(petition)
    first = panel.items()[0].row.id
    with qtbot.waitSignal(panel.pin_requested) as pinned:
        qtbot.mouseClick(panel.pin_buttons[first], Qt.MouseButton.LeftButton)
    assert pinned.args == [first, False]
    panel.set_pinned({first})
    assert panel.pin_buttons[first].text() == "Pinned" and not panel.pin_buttons[first].isEnabled()


def test_an_answer_for_a_petition_no_longer_selected_is_ignored(qtbot, panel, simulator):
    world = simulator.world
    first, second = fetch(simulator, world.ids("closed")[0]), fetch(simulator, world.ids("open")[0])
    panel.show_petition(first)
    with qtbot.waitSignal(panel.service.related_loaded, timeout=TIMEOUT_MS,
                          check_params_cb=lambda pid, result: pid == second.id):
        panel.show_petition(second)
    qtbot.wait(300)  # the answer for `first` has come and gone by now
    shown = panel.items()
    assert shown and all(item.row.id != second.id for item in shown)
    panel.show_result(first.id, RelatedResult())  # a late answer for the petition the user left
    assert panel.items() == shown


def test_a_petition_without_topics_or_departments_asks_nothing(qtbot, panel, simulator):
    before = len(simulator.request_log)
    panel.show_petition(Petition(id=5, action="Alone", state="open", signature_count=3))
    qtbot.wait(100)
    assert "no topic or department" in panel.status_label.text()
    assert len(simulator.request_log) == before and panel.items() == ()


def test_a_failed_lookup_is_a_message(qtbot, panel, simulator):
    petition = fetch(simulator, simulator.world.ids("closed")[0])
    simulator.faults.force("404", path_contains="petitions.json", times=2)
    with qtbot.waitSignal(panel.service.related_loaded, timeout=TIMEOUT_MS):
        panel.show_petition(petition)
    assert panel.items() == ()
    assert panel.status_label.text().startswith("Related petitions could not be loaded:")


def test_related_titles_show_literally_in_their_tooltips(qtbot, panel):
    from tests.gui.test_browse_model import HOSTILE, as_rendered

    from petitiondesk.core.browse import BrowseRow, Related

    hostile = Petition(id=9, action=HOSTILE, state="open", signature_count=5)
    panel._petition_id = 1
    panel.show_result(1, RelatedResult(items=(Related(BrowseRow.from_petition(hostile), "similar title: ban"),)))
    labels = [label for label in panel.findChildren(type(panel.status_label)) if label.toolTip()]
    assert any(as_rendered(label.toolTip()) == f"{HOSTILE}\nOpen on the website" for label in labels)
