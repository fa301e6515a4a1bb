"""Light, dark or the system's own look, chosen in Preferences.

Qt 6.8+ can ask the platform for a colour scheme (`QStyleHints.setColorScheme`), but many Linux
desktops and Xvfb ignore it; so a chosen light or dark theme is also applied as a Fusion palette,
which looks the same everywhere. "system" puts back the style and palette the app started with.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = {"system": "Same as the system", "light": "Light", "dark": "Dark"}

_started_with: tuple[str, QPalette] | None = None


def apply_theme(app: QApplication, choice: str) -> None:
    """Switch the whole application to the "system", "light" or "dark" look."""
    global _started_with
    if _started_with is None:
        _started_with = (app.style().name(), QPalette(app.palette()))
    hints = app.styleHints()
    if choice == "dark":
        hints.setColorScheme(Qt.ColorScheme.Dark)
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette())
    elif choice == "light":
        hints.setColorScheme(Qt.ColorScheme.Light)
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(app.style().standardPalette())
    else:
        hints.unsetColorScheme()
        style_name, palette = _started_with
        app.setStyle(QStyleFactory.create(style_name))
        app.setPalette(palette)


def dark_palette() -> QPalette:
    """A readable dark palette (contrast of text on window above 12:1)."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1f2328",
        QPalette.ColorRole.WindowText: "#e6edf3",
        QPalette.ColorRole.Base: "#161a1f",
        QPalette.ColorRole.AlternateBase: "#22272e",
        QPalette.ColorRole.ToolTipBase: "#2d333b",
        QPalette.ColorRole.ToolTipText: "#e6edf3",
        QPalette.ColorRole.PlaceholderText: "#8b949e",
        QPalette.ColorRole.Text: "#e6edf3",
        QPalette.ColorRole.Button: "#2d333b",
        QPalette.ColorRole.ButtonText: "#e6edf3",
        QPalette.ColorRole.BrightText: "#ff7b72",
        QPalette.ColorRole.Highlight: "#4493f8",
        QPalette.ColorRole.HighlightedText: "#0d1117",
        QPalette.ColorRole.Link: "#58a6ff",
        QPalette.ColorRole.LinkVisited: "#bc8cff",
        QPalette.ColorRole.Mid: "#444c56",
        QPalette.ColorRole.Dark: "#0d1117",
        QPalette.ColorRole.Light: "#3d444d",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
    return palette
