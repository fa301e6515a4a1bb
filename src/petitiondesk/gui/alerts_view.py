"""The alerts list (read/unread, cleared by the user) and the alert settings (quiet hours, pause).

The view reads and writes nothing itself: it shows the alerts it is given (`AlertsModel.set_alerts`,
updated in place) and asks for changes through signals (`open_petition`, `mark_read`, `clear`),
which the window carries to the thread that owns the store. Settings live in QSettings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTime,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from petitiondesk.core.alert_store import StoredAlert
from petitiondesk.core.alerts import AlertRules, in_quiet_hours, parse_round_numbers
from petitiondesk.core.terminal import for_terminal
from petitiondesk.gui.format import display_zone, format_uk_time, plain_tooltip

PAUSED_KEY = "alerts/paused"
QUIET_KEY = "alerts/quiet_hours"
QUIET_START_KEY = "alerts/quiet_start"  # minutes after midnight, local time
QUIET_END_KEY = "alerts/quiet_end"
DEFAULT_QUIET = (22 * 60, 7 * 60)

_DISPLAY, _FONT, _TOOLTIP, _ACCESSIBLE = (int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole))
_ROLES = frozenset((_DISPLAY, _FONT, _TOOLTIP, _ACCESSIBLE))


class AlertSettings(QObject):
    """"Pause alerts" and quiet hours: while either holds, alerts reach the list and the status
    bar but no desktop notification is shown."""

    changed = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()

    @property
    def paused(self) -> bool:
        return _as_bool(self._settings.value(PAUSED_KEY, False))

    def set_paused(self, paused: bool) -> None:
        self._store(PAUSED_KEY, bool(paused))

    @property
    def quiet_hours(self) -> tuple[int, int] | None:
        """(start, end) in minutes after local midnight, or None when switched off."""
        if not _as_bool(self._settings.value(QUIET_KEY, False)):
            return None
        return (_minutes(self._settings.value(QUIET_START_KEY), DEFAULT_QUIET[0]),
                _minutes(self._settings.value(QUIET_END_KEY), DEFAULT_QUIET[1]))

    def set_quiet_hours(self, hours: tuple[int, int] | None) -> None:
        self._settings.setValue(QUIET_KEY, hours is not None)
        if hours is not None:
            self._settings.setValue(QUIET_START_KEY, int(hours[0]) % 1440)
            self._settings.setValue(QUIET_END_KEY, int(hours[1]) % 1440)
        self.changed.emit()

    def notifications_allowed(self, now: datetime | None = None) -> bool:
        """False while paused or in the quiet hours (`now`: local time, by default the clock's)."""
        if self.paused:
            return False
        quiet = self.quiet_hours
        if quiet is None:
            return True
        local = now or datetime.now().astimezone()
        return not in_quiet_hours(local.hour * 60 + local.minute, *quiet)

    def _store(self, key: str, value) -> None:
        self._settings.setValue(key, value)
        self.changed.emit()


def _as_bool(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true") or value == 1


def _minutes(value, default: int) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return default
    return minutes if 0 <= minutes < 1440 else default


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as runs of neighbours: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


class AlertsModel(QAbstractTableModel):
    """Alerts newest first; unread in bold. Updated in place: new rows inserted, gone rows
    removed, changed rows signalled, never a reset (selection and scroll survive)."""

    WHEN, PETITION, WHAT = range(3)
    HEADERS = ("When", "Petition", "What happened")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StoredAlert] = []
        #: Each row's cells, made once per row and zone when first asked: the When column is sized over every row.
        self._texts: dict[int, tuple[tzinfo, list[str | None]]] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def set_alerts(self, alerts: Sequence[StoredAlert]) -> None:
        """Show `alerts`, newest (highest id) first as `AlertStore.listing` gives them, so the rows
        kept keep their order: gone rows removed, new ones inserted and changed ones announced a run
        of neighbouring rows at a time. A row at a time, each announcement resized the When column
        over every row and updated the buttons: 150-190 ms to mark 500 alerts read, 8 ms to add 180."""
        alerts = sorted({stored.id: stored for stored in alerts}.values(), key=lambda stored: -stored.id)
        wanted = {stored.id for stored in alerts}
        for first, last in reversed(_runs([row for row, stored in enumerate(self._rows) if stored.id not in wanted])):
            self.beginRemoveRows(QModelIndex(), first, last)
            for stored in self._rows[first:last + 1]:
                self._texts.pop(stored.id, None)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        shown = {stored.id for stored in self._rows}
        changed = []
        position = 0
        while position < len(alerts):
            if alerts[position].id in shown:  # the row at `position` already
                if self._rows[position] != alerts[position]:
                    self._rows[position] = alerts[position]
                    self._texts.pop(alerts[position].id, None)
                    changed.append(position)
                position += 1
                continue
            end = position
            while end < len(alerts) and alerts[end].id not in shown:
                end += 1
            self.beginInsertRows(QModelIndex(), position, end - 1)
            self._rows[position:position] = alerts[position:end]
            self.endInsertRows()
            position = end
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.HEADERS) - 1))

    def alert_at(self, row: int) -> StoredAlert:
        return self._rows[row]

    def unread_ids(self) -> list[int]:
        return [stored.id for stored in self._rows if stored.unread]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES or not index.isValid():
            return None
        stored = self._rows[index.row()]
        if role == _FONT:
            return self._bold if stored.unread else None
        text = self._text(stored, index.column())
        if role == _TOOLTIP:
            return plain_tooltip(text) if index.column() != self.WHEN else None
        if role == _ACCESSIBLE and stored.unread and index.column() == self.WHAT:
            return f"Unread: {text}"
        return text

    def _text(self, stored: StoredAlert, column: int) -> str:
        zone = display_zone()
        made = self._texts.get(stored.id)
        if made is None or made[0] is not zone:  # new, or the user chose another zone
            made = self._texts[stored.id] = (zone, [None, None, None])
        text = made[1][column]
        if text is None:
            text = made[1][column] = self._make_text(stored, column)
        return text

    def _make_text(self, stored: StoredAlert, column: int) -> str:
        if column == self.WHEN:
            return format_uk_time(datetime.fromtimestamp(stored.detected_at, UTC))
        if column == self.PETITION:
            return for_terminal(stored.alert.title)
        message = for_terminal(stored.alert.message)
        return f"{message} (while you were away)" if stored.away else message


class AlertsView(QWidget):
    open_petition = Signal(int)
    mark_read = Signal(list)  # ids
    clear = Signal(object)  # a list of ids, or None for all

    def __init__(self, settings: AlertSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsView")
        self.settings = settings
        self.model = AlertsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("alertsTable")
        self.table.setAccessibleName("Alerts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.model.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.model.WHAT, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(self.model.PETITION, 200)
        header.setMinimumSectionSize(60)
        self.table.activated.connect(self._opened)
        self.empty_label = QLabel("No alerts. PetitionDesk tells you here when a pinned petition passes a "
                                  "milestone, gets a response or a debate, surges, stalls or closes.", self)
        self.empty_label.setWordWrap(True)
        self.read_button = QPushButton("Mark all &read", self)
        self.read_button.clicked.connect(lambda: self.mark_read.emit(self.model.unread_ids()))
        self.clear_selected_button = QPushButton("C&lear selected", self)
        self.clear_selected_button.clicked.connect(self._clear_selected)
        self.clear_button = QPushButton("Clear &all", self)
        self.clear_button.clicked.connect(lambda: self.clear.emit(None))
        self._build_settings_row()
        self._lay_out()
        self.model.rowsInserted.connect(self._show_state)
        self.model.rowsRemoved.connect(self._show_state)
        self.model.dataChanged.connect(self._show_state)
        self._show_state()

    def set_alerts(self, alerts: Sequence[StoredAlert]) -> None:
        self.model.set_alerts(alerts)

    def _build_settings_row(self) -> None:
        self.pause_box = QCheckBox("&Pause alerts", self)
        self.pause_box.setToolTip("Alerts still reach this list, without desktop notifications.")
        self.quiet_box = QCheckBox("&Quiet hours from", self)
        self.quiet_start = QTimeEdit(self)
        self.quiet_end = QTimeEdit(self)
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
        self.quiet_start.setAccessibleName("Quiet hours start")
        self.quiet_end.setAccessibleName("Quiet hours end")
        self._load_settings()
        self.pause_box.toggled.connect(self.settings.set_paused)
        self.quiet_box.toggled.connect(self._save_quiet)
        self.quiet_start.timeChanged.connect(self._save_quiet)
        self.quiet_end.timeChanged.connect(self._save_quiet)
        self.settings.changed.connect(self._load_settings)

    def _lay_out(self) -> None:
        settings_row = QHBoxLayout()
        for widget in (self.pause_box, self.quiet_box, self.quiet_start, QLabel("to", self), self.quiet_end):
            settings_row.addWidget(widget)
        settings_row.addStretch(1)
        self.buttons = buttons = QHBoxLayout()  # the window may add its own (Alert rules…)
        buttons.addStretch(1)
        for button in (self.read_button, self.clear_selected_button, self.clear_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(settings_row)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    @Slot()
    def _load_settings(self) -> None:
        widgets = (self.pause_box, self.quiet_box, self.quiet_start, self.quiet_end)
        blocked = [widget.blockSignals(True) for widget in widgets]
        self.pause_box.setChecked(self.settings.paused)
        quiet = self.settings.quiet_hours
        self.quiet_box.setChecked(quiet is not None)
        start, end = quiet or DEFAULT_QUIET
        self.quiet_start.setTime(QTime(start // 60, start % 60))
        self.quiet_end.setTime(QTime(end // 60, end % 60))
        for widget, was in zip(widgets, blocked, strict=True):
            widget.blockSignals(was)
        self.quiet_start.setEnabled(quiet is not None)
        self.quiet_end.setEnabled(quiet is not None)

    @Slot()
    def _save_quiet(self) -> None:
        if not self.quiet_box.isChecked():
            self.settings.set_quiet_hours(None)
            return
        start, end = self.quiet_start.time(), self.quiet_end.time()
        self.settings.set_quiet_hours((start.hour() * 60 + start.minute(), end.hour() * 60 + end.minute()))

    @Slot()
    def _show_state(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty_label.setVisible(empty)
        self.table.setVisible(not empty)
        self.read_button.setEnabled(bool(self.model.unread_ids()))
        self.clear_selected_button.setEnabled(not empty)
        self.clear_button.setEnabled(not empty)

    @Slot(QModelIndex)
    def _opened(self, index: QModelIndex) -> None:
        stored = self.model.alert_at(index.row())
        if stored.unread:
            self.mark_read.emit([stored.id])
        self.open_petition.emit(stored.alert.petition_id)

    @Slot()
    def _clear_selected(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if rows:
            self.clear.emit([self.model.alert_at(row).id for row in sorted(rows)])


class AlertRulesEditor(QWidget):
    """Which alerts a petition gets (or the defaults). It only edits: `rules_changed` carries the
    new rules to whoever saves them in the store, where `record` reads them too."""

    rules_changed = Signal(object)  # AlertRules

    SWITCHES = (
        ("thresholds", "&Response and debate thresholds (10,000 and 100,000)"),
        ("response", "Government &response, and each update to it"),
        ("debate", "&Debate scheduled, held, its outcome and video"),
        ("closing_soon", "C&losing within 24 hours"),
        ("closed", "Closed, with the final &count"),
        ("surge", "&Surges"),
        ("stall", "S&talls (no new signatures while open)"),
        ("removed", "Re&moved or rejected"),
    )

    def __init__(self, rules: AlertRules | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertRulesEditor")
        self._rules = rules or AlertRules()
        form = QFormLayout(self)
        self.switches: dict[str, QCheckBox] = {}
        for name, text in self.SWITCHES:
            box = QCheckBox(text, self)
            box.toggled.connect(self._edited)
            self.switches[name] = box
            form.addRow(box)
        self.round_numbers = QLineEdit(self)
        self.round_numbers.setPlaceholderText("e.g. 25,000 50k 250000")
        self.round_numbers.setAccessibleName("Also tell me at these counts")
        self.round_numbers.editingFinished.connect(self._edited)
        form.addRow("Also at &these counts:", self.round_numbers)
        self.round_numbers_error = QLabel(self)
        self.round_numbers_error.setObjectName("roundNumbersError")
        self.round_numbers_error.setTextFormat(Qt.TextFormat.PlainText)
        self.round_numbers_error.hide()
        form.addRow(self.round_numbers_error)
        self.surge_factor = self._spin(form, "Surge: at least this many &times the usual rate:", 1.5, 20.0, 1)
        self.surge_minimum = self._spin(form, "Surge: and at least this many an &hour:", 1.0, 1e6, 0)
        self.stall_hours = self._spin(form, "Stall: no new signatures for this many h&ours:", 1.0, 24 * 14, 0)
        self.set_rules(self._rules)

    def rules(self) -> AlertRules:
        return self._rules

    def set_rules(self, rules: AlertRules) -> None:
        self._rules = rules
        widgets = [*self.switches.values(), self.round_numbers, self.surge_factor, self.surge_minimum,
                   self.stall_hours]
        blocked = [widget.blockSignals(True) for widget in widgets]
        for name, box in self.switches.items():
            box.setChecked(getattr(rules, name))
        self.round_numbers.setText(" ".join(f"{n:,}" for n in rules.round_numbers))
        self.surge_factor.setValue(rules.surge_factor)
        self.surge_minimum.setValue(rules.surge_min_per_hour)
        self.stall_hours.setValue(rules.stall_hours)
        for widget, was in zip(widgets, blocked, strict=True):
            widget.blockSignals(was)
        self.round_numbers_error.hide()

    def _spin(self, form: QFormLayout, label: str, low: float, high: float, decimals: int) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.valueChanged.connect(self._edited)
        form.addRow(label, spin)
        return spin

    @Slot()
    def _edited(self) -> None:
        try:
            numbers = parse_round_numbers(self.round_numbers.text())
        except ValueError as error:
            self.round_numbers_error.setText(str(error))
            self.round_numbers_error.show()
            return  # the rest waits for a valid list: nothing half-read is saved
        self.round_numbers_error.hide()
        switches = {name: box.isChecked() for name, box in self.switches.items()}
        rules = AlertRules(**switches, round_numbers=numbers, surge_factor=self.surge_factor.value(),
                           surge_min_per_hour=self.surge_minimum.value(), stall_hours=self.stall_hours.value(),
                           closing_warning_hours=self._rules.closing_warning_hours)
        if rules != self._rules:
            self._rules = rules
            self.rules_changed.emit(rules)
