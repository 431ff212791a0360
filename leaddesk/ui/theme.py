"""Icons, colours and the few style rules the window shares, kept in one place."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QIcon
from PySide6.QtWidgets import QLabel, QWidget

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"

# Tier colours: background of the score badge, and its text.
TIER_COLORS: dict[str, tuple[str, str]] = {
    "Hot": ("#dc2626", "#ffffff"),
    "Warm": ("#f59e0b", "#1f2937"),
    "Cold": ("#3b82f6", "#ffffff"),
}
NO_TIER_COLORS = ("#9ca3af", "#ffffff")
ACCENT = "#2563eb"
MUTED = "#6b7280"


@cache
def icon(name: str) -> QIcon:
    """An icon from ``leaddesk/resources/icons/<name>.svg``."""
    return QIcon(str(ICONS / f"{name}.svg"))


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
    label.setStyleSheet(f"color: {MUTED};")
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
