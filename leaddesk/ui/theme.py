"""Icons, colours and the few style rules the window shares, kept in one place."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel, QWidget

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"

# Tier colours: background of the score badge, and its text.
TIER_COLORS: dict[str, tuple[str, str]] = {
    "Hot": ("#dc2626", "#ffffff"),
    "Warm": ("#f59e0b", "#1f2937"),
    "Cold": ("#3b82f6", "#ffffff"),
}
NO_TIER_COLORS = ("#9ca3af", "#ffffff")
ACCENT = "#2563eb"


LINE_COLOR = "#41505f"  # the stroke of the line icons: dark grey, for a light palette
ICON_SIZES = (16, 22, 24, 32, 48, 64)


def icon(name: str) -> QIcon:
    """An icon from ``leaddesk/resources/icons/<name>.svg``; on a dark palette, line icons
    are drawn in its text colour, where their dark grey would not show."""
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return _icon(name, text if is_dark() else None)


@cache
def _icon(name: str, line_color: str | None) -> QIcon:
    path = ICONS / f"{name}.svg"
    svg = path.read_text(encoding="utf-8")
    if line_color is None or LINE_COLOR not in svg:
        return QIcon(str(path))
    renderer = QSvgRenderer(QByteArray(svg.replace(LINE_COLOR, line_color).encode()))
    result = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    return icon("leaddesk")


def tier_colors(tier: str | None) -> tuple[QColor, QColor]:
    """Background and text colour of a score badge for ``tier``."""
    background, text = TIER_COLORS.get(tier or "", NO_TIER_COLORS)
    return QColor(background), QColor(text)


def scaled_font(widget: QWidget, factor: float, *, bold: bool = False) -> QFont:
    """The widget's font, ``factor`` times larger, so text follows the user's font size."""
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def heading(text: str, factor: float = 1.5, parent: QWidget | None = None) -> QLabel:
    """A bold title label."""
    label = QLabel(text, parent)
    label.setFont(scaled_font(label, factor, bold=True))
    return label


def muted(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A secondary, wrapping label in a softer colour."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # follows light and dark
    return label


SIDEBAR_STYLE = """
QListWidget#sidebar {
    border: none;
    background: palette(window);
    padding: 8px 6px;
    outline: 0;
}
QListWidget#sidebar::item {
    padding: 8px 10px;
    margin: 1px 0;
    border-radius: 6px;
}
QListWidget#sidebar::item:hover { background: rgba(37, 99, 235, 0.08); }
QListWidget#sidebar::item:selected {
    background: rgba(37, 99, 235, 0.16);
    color: palette(text);
    font-weight: bold;
}
"""

CARD_STYLE = """
QFrame#card {
    background: palette(base);
    border: 1px solid rgba(0, 0, 0, 0.12);
    border-radius: 10px;
}
"""


# -- light and dark ---------------------------------------------------------------------
SCHEMES = ("system", "light", "dark")
_DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#25272b",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#2d2f33",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: "#2563eb",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2d2f33",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.Light: "#3c4043",
    QPalette.ColorRole.Midlight: "#34373b",
    QPalette.ColorRole.Mid: "#3c4043",
    QPalette.ColorRole.Dark: "#121314",
    QPalette.ColorRole.Shadow: "#000000",
}


def dark_palette() -> QPalette:
    """LeadDesk's dark palette for the Fusion style (greys of the same family as the accent)."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):  # fmt: skip
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7280"))
    return palette


def wants_dark(scheme: str) -> bool:
    """Whether ``scheme`` ("system", "light" or "dark") means dark on this computer now."""
    if scheme == "system":
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return scheme == "dark"


def apply_scheme(app: QApplication, scheme: str) -> None:
    """Light or dark for the whole app. The Fusion style draws both the same way on every
    platform, so LeadDesk sets the palette itself rather than hope the platform does."""
    style = app.style()
    app.setPalette(dark_palette() if wants_dark(scheme) else style.standardPalette())
    # A widget with a style sheet keeps the palette it was polished with: polish it again.
    for widget in app.allWidgets():
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


def is_dark(widget: QWidget | None = None) -> bool:
    """Whether the widget (or, without one, the app) is drawn light on dark."""
    palette = widget.palette() if widget is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def muted_color(widget: QWidget) -> QColor:
    """Secondary text and lines, in the widget's light or dark palette."""
    return widget.palette().color(QPalette.ColorRole.PlaceholderText)


def good_color(widget: QWidget | None = None) -> str:
    """A green for gains and good news that reads on the background, light or dark."""
    return "#4ade80" if is_dark(widget) else "#15803d"


def bad_color(widget: QWidget | None = None) -> str:
    """A red for losses and problems that reads on the background, light or dark."""
    return "#f87171" if is_dark(widget) else "#b91c1c"
