"""The user's preferences: one table of settings, typed access to them, and the dialog.

To add a setting, append a `Preference` to `PREFERENCES` (or call `register`): the dialog shows it
in its section with the right kind of control, `Preferences.value` reads it typed, and `changed`
announces edits, so the part of the app that uses it connects to that signal and nothing else.
A section that needs more than simple values (a button, a figure) adds a page with `register_page`.
Stored in the app's QSettings file under `preferences/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.gui.format import ZONE_CHOICES
from petitiondesk.gui.theme import THEMES

PREFIX = "preferences/"


@dataclass(frozen=True)
class Preference:
    """One setting: where it is stored, how it is shown, what it is when never set."""

    key: str
    label: str
    section: str
    default: int | str | bool
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, words shown) for a list
    minimum: int = 0
    maximum: int = 0
    suffix: str = ""
    is_folder: bool = False

    @property
    def kind(self) -> str:
        if self.choices:
            return "choice"
        if self.is_folder:
            return "folder"
        if isinstance(self.default, bool):
            return "bool"
        if isinstance(self.default, int):
            return "int"
        return "text"


REFRESH_MINUTES = "refresh/countMinutes"
EXPORT_FOLDER = "export/folder"
THEME = "appearance/theme"
TIME_ZONE = "appearance/timeZone"
START_AT_LOGIN = "system/startAtLogin"

PREFERENCES: list[Preference] = [
    Preference(REFRESH_MINUTES, "Check &counts every", "General", 2, minimum=1, maximum=60, suffix=" min",
               help="How often the signature counts of pinned petitions are read. The site asks for no"
                    " more than about one request a second, whatever you choose."),
    Preference(EXPORT_FOLDER, "&Export folder", "General", "", is_folder=True,
               help="Where export dialogs open. Empty: your Pictures folder for charts, Documents for data."),
    Preference(START_AT_LOGIN, "Start at &login", "General", False,
               help="Open PetitionDesk minimised to the tray when you log in, so that it keeps recording"
                    " and alerting."),
    Preference(THEME, "&Theme", "Appearance", "system", choices=tuple(THEMES.items())),
    Preference(TIME_ZONE, "Show &times in", "Appearance", "uk", choices=tuple(ZONE_CHOICES.items()),
               help="Petitions run on UK time; CSV and JSON exports are always in UTC."),
]

#: Extra pages: (section title, factory making the page's widget for a dialog).
_PAGES: list[tuple[str, Callable[[QWidget], QWidget]]] = []


def register(preference: Preference) -> None:
    """Add a setting (later features call this when they are imported)."""
    if any(existing.key == preference.key for existing in PREFERENCES):
        raise ValueError(f"preference {preference.key} is registered twice")
    PREFERENCES.append(preference)


def register_page(section: str, factory: Callable[[QWidget], QWidget]) -> None:
    """Add a page of its own (buttons, figures) to the dialog's `section`; `factory(dialog)`."""
    _PAGES.append((section, factory))


def find(key: str) -> Preference:
    for preference in PREFERENCES:
        if preference.key == key:
            return preference
    raise KeyError(key)


class Preferences(QObject):
    """Typed reading and writing of the preferences; `changed(key)` after each edit."""

    changed = Signal(str)

    def __init__(self, settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings

    def value(self, key: str) -> int | str | bool:
        """The stored value, or the default when unset or unreadable (a hand-edited file)."""
        preference = find(key)
        raw = self.settings.value(PREFIX + key)
        if raw is None:
            return preference.default
        return _coerce(preference, raw)

    def set(self, key: str, value: int | str | bool, *, announce: bool = True) -> None:
        """Store a value; `announce=False` records what is already true (nothing to apply)."""
        preference = find(key)
        value = _coerce(preference, value)
        if value == self.value(key):
            return
        self.settings.setValue(PREFIX + key, value)
        if announce:
            self.changed.emit(key)


def _coerce(preference: Preference, raw: object) -> int | str | bool:
    kind = preference.kind
    try:
        if kind == "bool":
            return str(raw).lower() in ("true", "1", "yes") if not isinstance(raw, bool) else raw
        if kind == "int":
            number = int(str(raw))
            return min(max(number, preference.minimum), preference.maximum)
        text = str(raw)
        if kind == "choice" and text not in dict(preference.choices):
            return preference.default
        return text
    except ValueError:
        return preference.default


class PreferencesDialog(QDialog):
    """Every registered preference, a tab per section; applied when the user presses OK."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None, *, database: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferencesDialog")
        self.preferences = preferences
        #: The app's database, for pages that show or copy what it holds (None: they say so).
        self.database = database
        self._readers: dict[str, Callable[[], int | str | bool]] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Preference sections")
        forms: dict[str, QFormLayout] = {}
        for preference in PREFERENCES:
            form = forms.get(preference.section)
            if form is None:
                form = forms[preference.section] = self._section(preference.section)
            self._add_row(form, preference)
        for section, factory in _PAGES:
            form = forms.get(section) or forms.setdefault(section, self._section(section))
            form.addRow(factory(self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _section(self, title: str) -> QFormLayout:
        page = QWidget(self.tabs)
        form = QFormLayout(page)
        self.tabs.addTab(page, title)
        return form

    def _add_row(self, form: QFormLayout, preference: Preference) -> None:
        current = self.preferences.value(preference.key)
        control, read = _control(preference, current, self)
        for widget in (control, *control.findChildren(QWidget)):
            if widget is control or widget.property("preferenceKey") == preference.key:
                widget.setAccessibleName(preference.label.replace("&", ""))
        if preference.help:
            control.setToolTip(preference.help)
        self._readers[preference.key] = read
        label = QLabel(preference.label + ":", self)
        label.setBuddy(control.focusProxy() or control)
        form.addRow(label, control)
        if preference.help:
            note = QLabel(preference.help, self)
            note.setWordWrap(True)
            note.setEnabled(False)  # muted, as a hint
            form.addRow("", note)

    def accept(self) -> None:
        for key, read in self._readers.items():
            self.preferences.set(key, read())
        super().accept()

    def control_for(self, key: str) -> QWidget:
        """The widget editing `key` (tests and accessibility checks)."""
        for form_page in range(self.tabs.count()):
            page = self.tabs.widget(form_page)
            for child in page.findChildren(QWidget) if page is not None else ():
                if child.property("preferenceKey") == key:
                    return child
        raise KeyError(key)


def _control(preference: Preference, current, parent: QWidget) -> tuple[QWidget, Callable[[], int | str | bool]]:
    kind = preference.kind
    if kind == "choice":
        box = QComboBox(parent)
        for value, words in preference.choices:
            box.addItem(words, value)
        box.setCurrentIndex(max(box.findData(current), 0))
        box.setProperty("preferenceKey", preference.key)
        return box, lambda: box.currentData()
    if kind == "int":
        spin = QSpinBox(parent)
        spin.setRange(preference.minimum, preference.maximum)
        spin.setSuffix(preference.suffix)
        spin.setValue(int(current))
        spin.setProperty("preferenceKey", preference.key)
        return spin, spin.value
    if kind == "bool":
        check = QCheckBox(parent)
        check.setChecked(bool(current))
        check.setProperty("preferenceKey", preference.key)
        return check, check.isChecked
    line = QLineEdit(str(current), parent)
    line.setProperty("preferenceKey", preference.key)
    if kind != "folder":
        return line, line.text
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(line, 1)
    choose = QPushButton("Choose…", holder)
    choose.setAccessibleName(f"Choose the {preference.label.replace('&', '').lower()}")
    choose.clicked.connect(lambda: _choose_folder(line, parent))
    row.addWidget(choose)
    line.setPlaceholderText("Pictures and Documents")
    holder.setFocusProxy(line)
    return holder, lambda: line.text().strip()


def _choose_folder(line: QLineEdit, parent: QWidget) -> None:
    start = line.text() or str(Path.home())
    folder = QFileDialog.getExistingDirectory(parent, "Choose a Folder", start)
    if folder:
        line.setText(folder)
