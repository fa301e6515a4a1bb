"""The main window as the user left it: size, splitters, columns and sort, tabs, scale, selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication

from petitiondesk.gui.watchlist_model import Column

if TYPE_CHECKING:
    from petitiondesk.gui.main_window import MainWindow

#: Settings keys of the tab widgets whose current tab is remembered.
_TAB_KEYS = ("leftTab", "detailTab")
#: The user's own constituency (an ONS code), outlined on every petition's map.
MY_CONSTITUENCY_KEY = "myConstituency"


def _tab_widgets(window: MainWindow):
    return dict(zip(_TAB_KEYS, (window.left_tabs, window.detail.tabs), strict=True))


def default_size(window: MainWindow) -> None:
    """Room for every column and a readable graph, within the screen (before any saved size)."""
    width, height = 1440, 880
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width, height = min(width, int(available.width() * 0.95)), min(height, int(available.height() * 0.9))
    window.resize(width, height)
    # A small screen gives the list's titles a little more; the details have their own tabs.
    share = 0.6 if width < 1400 else 0.55
    window.main_splitter.setSizes([int(width * share), int(width * (1 - share))])
    if width < 1400:  # and the titles the time of each update (the status bar says when the last was)
        window.watchlist.set_column_shown(Column.UPDATED, False)


def restore(window: MainWindow, settings: QSettings) -> None:
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    for key, splitter in (("mainSplitter", window.main_splitter), ("rightSplitter", window.right_splitter)):
        state = settings.value(key)
        if isinstance(state, QByteArray):
            splitter.restoreState(state)
    window.watchlist.restore_state(settings)
    for key, tabs in _tab_widgets(window).items():
        try:
            index = int(str(settings.value(key, 0)))
        except (TypeError, ValueError):
            continue
        if 0 <= index < tabs.count():
            tabs.setCurrentIndex(index)
    if str(settings.value("logScale", "false")).lower() == "true":
        window.chart.set_log_scale(True)
    mine = settings.value(MY_CONSTITUENCY_KEY)
    if mine:
        window.detail.set_my_constituency(str(mine))
    window.detail.my_constituency_chosen.connect(lambda code: settings.setValue(MY_CONSTITUENCY_KEY, code))


def save(window: MainWindow, settings: QSettings) -> None:
    settings.setValue("geometry", window.saveGeometry())
    settings.setValue("mainSplitter", window.main_splitter.saveState())
    settings.setValue("rightSplitter", window.right_splitter.saveState())
    window.watchlist.save_state(settings)
    for key, tabs in _tab_widgets(window).items():
        settings.setValue(key, tabs.currentIndex())
    settings.setValue("logScale", window.chart.log_scale)
    if window.presenter.selected_id is not None:
        settings.setValue("selectedPetition", window.presenter.selected_id)
    settings.sync()
