"""The watchlist keeps documents without their breakdowns (memory, issue 15); the petition on show
still has every constituency, region and country, read in full from the store."""

from __future__ import annotations

from petitiondesk.core.store import Store

WAIT_MS = 45_000


def stored_document(window, petition_id):
    with Store.open(window.database, readonly=True) as store:
        return store.petition(petition_id)


def wait_for_pass(qtbot, window, action=None):
    with qtbot.waitSignal(window.service.refresh_finished, timeout=WAIT_MS):
        if action is not None:
            action()


def shown_constituencies(window):
    """The detail pane's constituency table, as a set (it sorts them by signatures)."""
    return set(window.detail.constituency_model.records())


def test_the_shown_petition_has_every_constituency_though_its_row_keeps_none(qtbot, simulator, make_window,
                                                                              select_and_wait):
    ids = simulator.world.ids("open")[:6]
    window = make_window(ids)
    wait_for_pass(qtbot, window)
    documents = {pid: stored_document(window, pid) for pid in ids}
    widest = max(ids, key=lambda pid: len(documents[pid].signatures_by_constituency or ()))
    assert len(documents[widest].signatures_by_constituency) > 100

    if window.presenter.selected_id == widest:  # the first row is selected at start
        select_and_wait(window, next(pid for pid in ids if pid != widest))
    select_and_wait(window, widest)
    row = window.model.watch_row(widest)
    assert row.petition.signatures_by_constituency is None and row.petition.action == documents[widest].action
    assert shown_constituencies(window) == set(documents[widest].signatures_by_constituency)
    assert set(window.detail.region_model.records()) == set(documents[widest].signatures_by_region)
    # Exports (CSV of constituencies, regions, countries; the map) get the full document.
    assert window.presenter.export_subject().petition == documents[widest]
    assert window.exports.export_constituencies_action.isEnabled()


def test_a_document_arriving_while_its_petition_is_shown_replaces_the_constituencies(qtbot, simulator,
                                                                                    make_window):
    petition_id = max(simulator.world.ids("open")[:6], key=simulator.world.count)  # the busiest
    window = make_window([petition_id])  # the only row: selected at start
    wait_for_pass(qtbot, window)
    before = set(stored_document(window, petition_id).signatures_by_constituency)
    qtbot.waitUntil(lambda: shown_constituencies(window) == before, timeout=WAIT_MS)

    simulator.world.advance(6 * 3600)  # six hours of signing: a new document on the next forced pass
    wait_for_pass(qtbot, window, window.refresh_now)
    newest = stored_document(window, petition_id)
    assert set(newest.signatures_by_constituency) != before
    qtbot.waitUntil(lambda: shown_constituencies(window) == set(newest.signatures_by_constituency),
                    timeout=WAIT_MS)
    assert window.presenter.export_subject().petition == newest
