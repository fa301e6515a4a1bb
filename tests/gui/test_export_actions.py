"""Export from the window: chart images and CSV through the actions, with the file dialog patched."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from petitiondesk.gui import export_actions
from petitiondesk.gui.chart import SignatureChart
from petitiondesk.gui.export_actions import LAST_FOLDER_KEY, ExportActions, ExportSubject

HOUR = 3600.0


@pytest.fixture
def chart(qtbot, debated_petition):
    widget = SignatureChart()  # never shown: exports must not depend on it
    qtbot.addWidget(widget)
    times = 1_740_000_000.0 + HOUR * np.arange(48)
    counts = np.linspace(90_000, 112_739, 48).astype(np.int64)
    widget.set_petition(debated_petition, times, counts)
    return widget


@pytest.fixture
def actions(qtbot, chart, debated_petition, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    subject = ExportSubject(debated_petition.id, debated_petition, {"E14001063": 200})
    controller = ExportActions(chart, chart, settings, lambda: subject)
    yield controller
    controller.wait_for_writers()


@pytest.fixture
def save_as(monkeypatch):
    """Answer the save dialog with a given path; records the folder it was opened in."""
    asked = []

    def use(path):
        def fake(parent, caption, suggested, filters):
            asked.append(suggested)
            return str(path), filters.split(";;")[0]

        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
        return asked

    return use


@pytest.fixture(autouse=True)
def accept_size_dialog(monkeypatch):
    monkeypatch.setattr(export_actions.ImageSizeDialog, "exec", lambda self: QDialog.DialogCode.Accepted)


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text)))
    return shown


def test_export_png_at_the_saved_size_remembers_the_folder(qtbot, actions, save_as, tmp_path):
    actions.settings.setValue(export_actions.SIZE_KEY, "1200x675")
    target = tmp_path / "out" / "chart.png"
    target.parent.mkdir()
    save_as(target)
    with qtbot.waitSignal(actions.export_finished) as finished:
        actions.export_image_action.trigger()
    assert finished.args[1] == str(target)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1200, 675)
    assert actions.settings.value(LAST_FOLDER_KEY) == str(target.parent)

    asked = save_as(tmp_path / "again.png")
    with qtbot.waitSignal(actions.export_finished):
        actions.export_image()
    assert asked[-1].startswith(str(target.parent)), "the dialog opens in the last folder used"


def test_export_svg_keeps_the_title(qtbot, actions, save_as, tmp_path, debated_petition):
    target = tmp_path / "chart.svg"
    save_as(target)
    with qtbot.waitSignal(actions.export_finished):
        actions.export_image()
    root = ET.parse(target).getroot()
    assert debated_petition.action in "".join(root.itertext())


def test_export_history_csv_has_every_sample(qtbot, actions, save_as, tmp_path):
    target = tmp_path / "history.csv"
    save_as(target)
    with qtbot.waitSignal(actions.export_finished):
        actions.export_history_action.trigger()
    with open(target, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert len(rows) == 49
    assert int(rows[-1][3]) == 112_739


def test_export_visible_range_only(qtbot, actions, chart, save_as, tmp_path):
    times, _ = chart.samples()
    chart.plot_widget.getViewBox().setXRange(times[10], times[19], padding=0)
    target = tmp_path / "visible.csv"
    save_as(target)
    with qtbot.waitSignal(actions.export_finished):
        actions.export_visible_action.trigger()
    with open(target, newline="", encoding="utf-8-sig") as file:
        assert len(list(csv.reader(file))) - 1 == 10


def test_export_constituencies_with_change(qtbot, actions, save_as, tmp_path):
    target = tmp_path / "constituencies.csv"
    save_as(target)
    with qtbot.waitSignal(actions.export_finished):
        actions.export_constituencies_action.trigger()
    with open(target, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[0][0] == "ons_code" and len(rows) == 13  # 12 seats in the sample
    aldershot = next(r for r in rows if r[0] == "E14001063")
    assert aldershot[5] == str(int(aldershot[3]) - 200)


def test_unwritable_target_warns_and_leaves_nothing(qtbot, actions, save_as, tmp_path, warnings):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    save_as(blocker / "chart.png")
    with qtbot.waitSignal(actions.export_finished) as finished:
        actions.export_image()
    assert finished.args[1] == ""
    assert warnings and "Nothing was written" in warnings[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "settings.ini"]


def test_copy_chart_puts_an_image_on_the_clipboard(qtbot, actions):
    QGuiApplication.clipboard().clear()
    actions.copy_image_action.trigger()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() >= 1600


def test_actions_disabled_without_a_graph(qtbot, tmp_path):
    chart = SignatureChart()
    qtbot.addWidget(chart)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    controller = ExportActions(chart, chart, settings, lambda: None)
    assert not controller.export_image_action.isEnabled()
    assert not controller.export_constituencies_action.isEnabled()


def test_save_dialogs_open_in_the_preferred_then_last_then_standard_folder(actions, tmp_path, monkeypatch):
    from petitiondesk.gui.preferences import EXPORT_FOLDER, Preferences

    pictures = tmp_path / "Pictures"
    pictures.mkdir()
    monkeypatch.setattr(export_actions.QStandardPaths, "writableLocation", staticmethod(lambda _where: str(pictures)))
    assert actions.start_folder("chart") == pictures  # a first export: Pictures, not the working directory
    last = tmp_path / "last"
    last.mkdir()
    actions.settings.setValue(LAST_FOLDER_KEY, str(last))
    assert actions.start_folder("chart") == last
    chosen = tmp_path / "exports"
    chosen.mkdir()
    Preferences(actions.settings).set(EXPORT_FOLDER, str(chosen))
    assert actions.start_folder("history") == chosen
    chosen.rmdir()  # a folder that has gone away is passed over
    assert actions.start_folder("history") == last


def test_the_image_size_dialog_names_a_preset_size(qtbot):
    dialog = export_actions.ImageSizeDialog(1600, 900, 1.0)
    qtbot.addWidget(dialog)
    assert dialog.presets.currentText() == "Document (1600 × 900)"
    dialog.width_box.setValue(1601)
    assert dialog.presets.currentText() == "Custom"
    dialog.width_box.setValue(1920)
    dialog.height_box.setValue(1080)
    assert dialog.presets.currentText().startswith("Presentation slide")
