"""The window's export actions: the chart as PNG or SVG, the chart on the clipboard, data as CSV.

Drawing happens on the GUI thread (Qt paints there); the file itself is written on a short-lived
thread so a slow or full disk never freezes the window. Each export goes through
`core.export.atomic_write`: a failure gets a clear message and leaves no half-written file.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMenu,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from petitiondesk.core import export as csv_export
from petitiondesk.core.export import ExportError, atomic_write
from petitiondesk.core.models import Petition
from petitiondesk.gui.chart import SignatureChart
from petitiondesk.gui.preferences import EXPORT_FOLDER, Preferences

LAST_FOLDER_KEY = "export/lastFolder"
SIZE_KEY = "export/imageSize"
SIZE_PRESETS = (
    ("Presentation slide (1920 × 1080)", 1920, 1080),
    ("Social media post (1200 × 675)", 1200, 675),
    ("Square (1080 × 1080)", 1080, 1080),
    ("Document (1600 × 900)", 1600, 900),
    ("Print, A4 landscape at 300 dpi (3508 × 2480)", 3508, 2480),
)


@dataclass(frozen=True)
class ExportSubject:
    """The petition the user is looking at."""

    petition_id: int
    petition: Petition | None
    constituency_baseline: dict[str, int] | None = None


class ImageSizeDialog(QDialog):
    """Pixel size of an exported image, with presets; sharp (2x) rendering for PNGs."""

    def __init__(self, width: int, height: int, scale: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Chart Image Size")
        self.presets = QComboBox(self)
        self.presets.setAccessibleName("Size presets")
        self.presets.addItem("Custom", None)
        for label, w, h in SIZE_PRESETS:
            self.presets.addItem(label, (w, h))
        self.width_box = self._spin(width, "Width in pixels")
        self.height_box = self._spin(height, "Height in pixels")
        self.sharp = QCheckBox("Draw text and lines at double density (for HiDPI screens)", self)
        self.sharp.setChecked(scale > 1)
        self.presets.setCurrentIndex(self._preset_index(width, height))  # a preset's size is named, not "Custom"
        self.presets.currentIndexChanged.connect(self._apply_preset)
        self.width_box.valueChanged.connect(self._name_size)
        self.height_box.valueChanged.connect(self._name_size)

        form = QFormLayout(self)
        form.addRow("&Preset:", self.presets)
        form.addRow("&Width:", self.width_box)
        form.addRow("&Height:", self.height_box)
        form.addRow(self.sharp)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose File…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _spin(self, value: int, name: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(16, 20000)
        box.setSuffix(" px")
        box.setValue(value)
        box.setAccessibleName(name)
        return box

    def _apply_preset(self) -> None:
        size = self.presets.currentData()
        if size:
            self.width_box.setValue(size[0])
            self.height_box.setValue(size[1])

    def _name_size(self) -> None:
        """Typing a preset's size selects it; any other size is Custom."""
        self.presets.blockSignals(True)
        self.presets.setCurrentIndex(self._preset_index(self.width_box.value(), self.height_box.value()))
        self.presets.blockSignals(False)

    def _preset_index(self, width: int, height: int) -> int:
        sizes = [(w, h) for _, w, h in SIZE_PRESETS]
        return sizes.index((width, height)) + 1 if (width, height) in sizes else 0  # 0: Custom

    def chosen(self) -> tuple[int, int, float]:
        return self.width_box.value(), self.height_box.value(), 2.0 if self.sharp.isChecked() else 1.0


class ExportActions(QObject):
    """Export menu entries for a window that shows one petition's chart and details."""

    #: (message, path or "") from the GUI thread once a file is written or has failed.
    export_finished = Signal(str, str)
    _written = Signal(str, str, str)  # from the writer thread: path, error, description

    def __init__(self, window: QWidget, chart: SignatureChart, settings: QSettings,
                 subject: Callable[[], ExportSubject | None]):
        super().__init__(window)
        self.window = window
        self.chart = chart
        self.settings = settings
        self.subject = subject
        self._writers: list[threading.Thread] = []
        self._written.connect(self._on_written)

        self.export_image_action = self._action("Export Chart as &Image…", self.export_image,
                                                QKeySequence("Ctrl+E"), "Save the graph as PNG or SVG")
        self.copy_image_action = self._action("&Copy Chart", self.copy_image, QKeySequence("Ctrl+Shift+C"),
                                              "Put an image of the graph on the clipboard")
        self.export_history_action = self._action("Export &History as CSV…", self.export_history,
                                                  tip="Every recorded sample of this petition")
        self.export_visible_action = self._action("Export &Visible Range as CSV…", self.export_visible_history,
                                                  tip="The samples in the graph's current time window")
        self.export_constituencies_action = self._action("Export &Constituencies as CSV…",
                                                         lambda: self.export_breakdown("constituencies"))
        self.export_regions_action = self._action("Export &Regions as CSV…",
                                                  lambda: self.export_breakdown("regions"))
        self.export_countries_action = self._action("Export C&ountries as CSV…",
                                                    lambda: self.export_breakdown("countries"))
        self.all_actions = (self.export_image_action, self.copy_image_action, self.export_history_action,
                            self.export_visible_action, self.export_constituencies_action,
                            self.export_regions_action, self.export_countries_action)
        self.update_enabled()

    def _action(self, text: str, slot, shortcut: QKeySequence | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip or text.replace("&", "").rstrip("…"))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def menu(self, parent: QWidget) -> QMenu:
        menu = QMenu("&Export", parent)
        for action in self.all_actions[:2]:
            menu.addAction(action)
        menu.addSeparator()
        for action in self.all_actions[2:]:
            menu.addAction(action)
        return menu

    def update_enabled(self) -> None:
        subject = self.subject()
        times, _ = self.chart.samples()
        has_chart = subject is not None and times.size > 0
        petition = subject.petition if subject else None
        for action in (self.export_image_action, self.copy_image_action, self.export_history_action,
                       self.export_visible_action):
            action.setEnabled(has_chart)
        self.export_constituencies_action.setEnabled(bool(petition and petition.signatures_by_constituency))
        self.export_regions_action.setEnabled(bool(petition and petition.signatures_by_region))
        self.export_countries_action.setEnabled(bool(petition and petition.signatures_by_country))

    # -- the exports -----------------------------------------------------------------------------
    def export_image(self) -> None:
        subject = self._subject_with_chart()
        if subject is None:
            return
        width, height = self._saved_size()
        screen = QGuiApplication.primaryScreen()
        dialog = ImageSizeDialog(width, height, screen.devicePixelRatio() if screen else 1.0, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        width, height, scale = dialog.chosen()
        self.settings.setValue(SIZE_KEY, f"{width}x{height}")
        path = self._ask_path(subject, "chart", "PNG image (*.png);;SVG vector image (*.svg)", ".png")
        if path is None:
            return
        from petitiondesk.gui import chart_export  # pyqtgraph: imported with the plot, not before the first paint

        spec = self.chart.export_spec(subject.petition_id)
        try:  # drawing is Qt work: here, on the GUI thread
            if path.suffix.lower() == ".svg":
                data = chart_export.svg_bytes(spec, width, height)
            else:
                path = path.with_suffix(".png") if path.suffix.lower() != ".png" else path
                data = chart_export.png_bytes(spec, width, height, scale)
        except ExportError as error:
            self._fail(str(error))
            return
        self._write(path, "chart", lambda: atomic_write(path, lambda file: file.write(data)))

    def copy_image(self) -> None:
        subject = self._subject_with_chart()
        if subject is None:
            return
        from petitiondesk.gui import chart_export

        width, height = self._saved_size()
        chart_export.copy_to_clipboard(self.chart.export_spec(subject.petition_id), width, height)
        self.export_finished.emit("The chart is on the clipboard.", "")

    def export_history(self, visible_only: bool = False) -> None:
        subject = self._subject_with_chart()
        if subject is None:
            return
        path = self._ask_path(subject, "visible-history" if visible_only else "history", "CSV (*.csv)", ".csv")
        if path is None:
            return
        times, counts = self.chart.samples(visible_only=visible_only)
        title = subject.petition.action if subject.petition else ""
        times, counts = times.copy(), counts.copy()  # the writer thread gets its own arrays
        self._write(path, "history",
                    lambda: csv_export.write_history_csv(path, subject.petition_id, times, counts, title))

    def export_visible_history(self) -> None:
        self.export_history(visible_only=True)

    def export_breakdown(self, table: str) -> None:
        subject = self.subject()
        if subject is None or subject.petition is None:
            return
        path = self._ask_path(subject, table, "CSV (*.csv)", ".csv")
        if path is None:
            return
        petition, baseline = subject.petition, subject.constituency_baseline
        jobs = {
            "constituencies": lambda: csv_export.write_constituencies_csv(path, petition, baseline),
            "regions": lambda: csv_export.write_regions_csv(path, petition),
            "countries": lambda: csv_export.write_countries_csv(path, petition),
        }
        self._write(path, table, jobs[table])

    # -- helpers ---------------------------------------------------------------------------------
    def _subject_with_chart(self) -> ExportSubject | None:
        subject = self.subject()
        times, _ = self.chart.samples()
        if subject is None or times.size == 0:
            self._fail("There is no graph to export yet: PetitionDesk records counts while it runs.")
            return None
        return subject

    def _saved_size(self) -> tuple[int, int]:
        match = re.fullmatch(r"(\d+)x(\d+)", str(self.settings.value(SIZE_KEY, "1600x900")))
        return (int(match[1]), int(match[2])) if match else (1600, 900)

    def _ask_path(self, subject: ExportSubject, what: str, filters: str, suffix: str) -> Path | None:
        suggested = self.start_folder(what) / f"petition-{subject.petition_id}-{what}{suffix}"
        name, chosen_filter = QFileDialog.getSaveFileName(self.window, "Export", str(suggested), filters)
        if not name:
            return None
        path = Path(name)
        if not path.suffix:
            path = path.with_suffix(".svg" if "svg" in chosen_filter.lower() else suffix)
        self.settings.setValue(LAST_FOLDER_KEY, str(path.parent))
        return path

    def start_folder(self, what: str) -> Path:
        """Where a save dialog opens: the folder set in Preferences, else the last one used, else
        Pictures (charts) or Documents (data), else home; never the working directory."""
        standard = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation if what == "chart"
            else QStandardPaths.StandardLocation.DocumentsLocation)
        chosen = Preferences(self.settings).value(EXPORT_FOLDER)
        for candidate in (chosen, self.settings.value(LAST_FOLDER_KEY), standard):
            if candidate and Path(str(candidate)).is_dir():
                return Path(str(candidate))
        return Path.home()

    def _write(self, path: Path, description: str, job: Callable[[], None]) -> None:
        """Run the file-writing `job` off the GUI thread; the result comes back through `_written`."""

        def run() -> None:
            try:
                job()
                self._written.emit(str(path), "", description)
            except ExportError as error:
                self._written.emit(str(path), str(error), description)
            except Exception as error:
                self._written.emit(str(path), f"Cannot save to {path}: {error}", description)

        thread = threading.Thread(target=run, name=f"export-{description}", daemon=True)
        self._writers = [t for t in self._writers if t.is_alive()] + [thread]
        thread.start()

    @Slot(str, str, str)
    def _on_written(self, path: str, error: str, description: str) -> None:
        if error:
            self._fail(error)
            return
        self.export_finished.emit(f"Saved the {description} to {path}", path)

    def _fail(self, message: str) -> None:
        self.export_finished.emit(message, "")
        QMessageBox.warning(self.window, "Export", message)

    def wait_for_writers(self, timeout: float = 10.0) -> None:
        """Let files being written finish (at quit, and in tests)."""
        for thread in self._writers:
            thread.join(timeout)
        self._writers = []
