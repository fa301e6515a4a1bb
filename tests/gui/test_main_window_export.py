"""Exporting from the main window: the toolbar, Ctrl+E, the chart's context menu and the File menu."""

from __future__ import annotations

from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QToolBar

from petitiondesk.gui import export_actions


def wait_for_pass(qtbot, window, start=None):
    with qtbot.waitSignal(window.service.refresh_finished, timeout=30_000):
        if start is not None:
            start()


def test_ctrl_e_exports_the_selected_chart(qtbot, simulator, make_window, monkeypatch, tmp_path):
    petition_ids = simulator.world.ids("open")[:2]
    window = make_window(petition_ids)
    wait_for_pass(qtbot, window)
    simulator.world.advance(3600)
    wait_for_pass(qtbot, window, window.refresh_now)
    assert window.current_row().petition_id == petition_ids[0]  # the first row is selected at start
    with qtbot.waitSignal(window.selection_loaded, timeout=10_000):
        assert window.select_petition(petition_ids[1])
    assert window.exports.export_image_action.isEnabled()
    assert window.exports.export_image_action.shortcut() == QKeySequence("Ctrl+E")

    target = tmp_path / "chart.png"
    monkeypatch.setattr(export_actions.ImageSizeDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (str(target), "PNG image (*.png)")))
    with qtbot.waitSignal(window.exports.export_finished, timeout=10_000) as finished:
        window.exports.export_image_action.trigger()
    assert finished.args[1] == str(target)
    assert QImage(str(target)).width() > 0
    assert "Saved" in window.statusBar().currentMessage()


def test_export_entries_are_in_the_menus_and_toolbar(qtbot, simulator, make_window):
    window = make_window([])
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert window.exports.export_image_action in toolbar.actions()
    menus = window.findChildren(QMenu)
    assert any(window.exports.export_countries_action in menu.actions() for menu in menus)
    assert any(menu.title() == "&File" and any("Export Chart" in a.text() for a in menu.actions())
               for menu in menus)
    # Nothing selected: nothing to export, so the entries are off rather than failing later.
    assert not window.exports.export_image_action.isEnabled()
