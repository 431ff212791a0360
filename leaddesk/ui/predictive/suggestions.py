"""Suggested rules: what the predictive model learned, offered one by one for the draft of
the rule model, each with the points it would give and what the data shows for it.

One row per suggestion with its own "Add to draft" button, so the keyboard reaches every
one with Tab; an added row stays, marked, so the list does not jump under the pointer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.ui import theme

if TYPE_CHECKING:
    from leaddesk.core.scoring.predictive.suggest import Suggestion

HEADERS = ("Group", "Rule", "Points", "Why")
GROUPS = {"fit": "Fit", "engagement": "Engagement"}
ADD, ADDED = "Add to draft", "Added ✓"


class SuggestionsPanel(QFrame):
    """A card listing suggestions; ``accept_requested(Suggestion)`` when one is added."""

    accept_requested = Signal(object)
    open_draft_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet(theme.CARD_STYLE)
        self.suggestions: list[Suggestion] = []
        self.buttons: list[QPushButton] = []
        self._points: list[tuple[QLabel, float]] = []
        self.subtitle = theme.muted(
            "Rules your scoring model does not have yet, learned from your outcomes. Added "
            "rules go into a draft: scores change only once you activate it on the Scoring page."
        )
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(16)
        self.rows.setVerticalSpacing(8)
        self.rows.setColumnStretch(1, 3)
        self.rows.setColumnStretch(3, 4)
        self.empty = theme.muted()
        self.empty.hide()
        self.status = theme.muted()
        self.open_button = QPushButton("Open the draft in Scoring")
        self.open_button.setEnabled(False)
        self.open_button.setToolTip("Add a suggested rule first")
        self.open_button.clicked.connect(lambda: self.open_draft_requested.emit())
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(theme.heading("Suggested rules", 1.1))
        layout.addWidget(self.subtitle)
        layout.addSpacing(4)
        layout.addLayout(self.rows)
        layout.addWidget(self.empty)
        layout.addLayout(footer)

    def show_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        """One row per suggestion (the rows shown before are dropped)."""
        while (item := self.rows.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.hide()
                widget.deleteLater()
        self.suggestions = list(suggestions)
        self.buttons, self._points = [], []
        self.empty.setText(
            "No new rules to suggest: your scoring model already has what this model "
            "found, or no field stands out enough in your outcomes."
        )
        self.empty.setVisible(not self.suggestions)
        if not self.suggestions:
            return
        for column, header in enumerate(HEADERS):
            label = QLabel(header)
            label.setFont(theme.scaled_font(label, 0.9, bold=True))
            if header == "Points":
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.rows.addWidget(label, 0, column)
        for row, suggestion in enumerate(self.suggestions, start=1):
            self._add_row(row, suggestion)
        self._color_points()

    def _add_row(self, row: int, suggestion: Suggestion) -> None:
        group = theme.muted(GROUPS.get(suggestion.group, suggestion.group.capitalize()))
        group.setWordWrap(False)
        rule = QLabel(suggestion.text)
        rule.setWordWrap(True)
        rule.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        points = QLabel(f"{suggestion.points:+g}")
        points.setFont(theme.scaled_font(points, 1.0, bold=True))
        points.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        evidence = theme.muted(suggestion.evidence)
        button = QPushButton(ADD)
        button.setAccessibleName(f"Add “{suggestion.text}” to the draft")
        button.setToolTip(f"Add “{suggestion.text}” ({suggestion.points:+g}) to the draft")
        button.clicked.connect(lambda: self.accept_requested.emit(suggestion))
        top = Qt.AlignmentFlag.AlignVCenter
        for column, widget in enumerate((group, rule, points, evidence, button)):
            self.rows.addWidget(widget, row, column, top)
        self.buttons.append(button)
        self._points.append((points, suggestion.points))

    def mark_added(self, suggestion: Suggestion) -> None:
        """Show ``suggestion`` as added, and offer to open the draft."""
        index = self.suggestions.index(suggestion)
        button = self.buttons[index]
        focused = button.hasFocus()
        button.setText(ADDED)
        button.setEnabled(False)
        added = sum(1 for b in self.buttons if b.text() == ADDED)
        self.status.setText(
            f"{added} rule{'' if added == 1 else 's'} added to the draft. "
            "Activate it on the Scoring page to rescore your leads."
        )
        self.open_button.setEnabled(True)
        self.open_button.setToolTip("Show the draft with its new rules on the Scoring page")
        following = next((b for b in self.buttons[index + 1 :] if b.isEnabled()), None)
        if following is not None and focused:
            following.setFocus()  # keyboard users go on down the list

    def _color_points(self) -> None:
        """Gains in green, losses in red, in the colours of the palette now."""
        for label, points in self._points:
            color = theme.good_color(self) if points > 0 else theme.bad_color(self)
            label.setStyleSheet(f"color: {color};")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._color_points()
