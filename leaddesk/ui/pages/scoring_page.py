"""The Scoring page: the active model's rules, read-only until the editor arrives."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.db import Database
from leaddesk.core.fields import FieldRegistry
from leaddesk.core.leads import load_registry
from leaddesk.core.scoring.model import Rule, ScoringModel, activity_label, rule_label
from leaddesk.core.scoring.store import active_model
from leaddesk.ui import theme
from leaddesk.ui.widgets.tables import ROW_HEIGHT, read_only_table


def _number(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "none"
    return f"{value:g}{suffix}"


def _points(value: float) -> str:
    return f"{value:+g}"


def _fixed_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> QTableWidget:
    """A read-only table as tall as its rows, so the page scrolls as one."""
    table = read_only_table(headers)
    table.setRowCount(len(rows))
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 1 and text.startswith("-"):
                item.setForeground(QColor("#b91c1c"))
            elif c == 1 and text.startswith("+"):
                item.setForeground(QColor("#15803d"))
            table.setItem(r, c, item)
    header_height = table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(header_height + ROW_HEIGHT * max(len(rows), 1) + 4)
    return table


def _fact(title: str, value: str, note: str) -> QFrame:
    frame = QFrame()
    frame.setObjectName("card")
    frame.setStyleSheet(theme.CARD_STYLE)
    box = QVBoxLayout(frame)
    box.setContentsMargins(16, 12, 16, 12)
    box.addWidget(theme.muted(title))
    number = QLabel(value)
    number.setFont(theme.scaled_font(number, 1.6, bold=True))
    box.addWidget(number)
    box.addWidget(theme.muted(note))
    return frame


class ScoringPage(QWidget):
    """What gives a lead its points: fit, engagement and activity rules, caps and bands."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.refresh()

    def refresh(self) -> None:
        with self._db.read() as conn:
            _, model = active_model(conn)
            registry = load_registry(conn)
        self.model = model
        old = self.content.layout()
        if old is not None:
            QWidget().setLayout(old)  # reparent the old layout so it is deleted with its widgets
        self._build(model, registry)

    def _build(self, model: ScoringModel, registry: FieldRegistry) -> None:
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(10)
        layout.addWidget(theme.heading("Scoring", 1.5))
        self.title = theme.heading(model.name, 1.15)
        layout.addWidget(self.title)
        note = QLabel(
            "This is the model that scores every lead. Editing comes next: you will be able "
            "to change rules, preview their effect on your leads, and activate a new version."
        )
        note.setWordWrap(True)
        note.setStyleSheet(
            "background: rgba(37, 99, 235, 0.08); border-radius: 6px; padding: 8px 12px;"
        )
        layout.addWidget(note)

        grades = ", ".join(f"{g} from {v:g}" for g, v in model.grade_bands.items()) + ", else D"
        tiers = ", ".join(f"{t} from {v:g}" for t, v in model.tier_bands.items()) + ", else Cold"
        facts = QHBoxLayout()
        facts.setSpacing(12)
        facts.addWidget(_fact("Sales-ready at", _number(model.threshold), "total score"))
        facts.addWidget(_fact("Fit points", f"up to {_number(model.fit_cap)}", grades))
        facts.addWidget(_fact("Engagement points", f"up to {_number(model.engagement_cap)}", tiers))
        layout.addLayout(facts)

        def rules_rows(rules: Sequence[Rule]) -> list[list[str]]:
            return [
                [rule_label(r, registry) + ("" if r.enabled else " (off)"), _points(r.points)]
                for r in rules
            ]

        sections = (
            ("Fit: who the lead is", ["Rule", "Points"], rules_rows(model.fit_rules)),
            (
                "Engagement: what the lead did",
                ["Rule", "Points"],
                rules_rows(model.engagement_rules),
            ),
            (
                "Activity: calls, opens and visits, fading with time",
                ["Activity", "Points each", "Half-life", "Cap"],
                [
                    [
                        activity_label(r) + ("" if r.enabled else " (off)"),
                        _points(r.points),
                        _number(r.half_life_days, " days"),
                        _number(r.cap),
                    ]
                    for r in model.activity_rules
                ],
            ),
        )
        for title, headers, rows in sections:
            layout.addSpacing(6)
            layout.addWidget(theme.heading(title, 1.1))
            if rows:
                layout.addWidget(_fixed_table(headers, rows))
            else:
                layout.addWidget(theme.muted("No rules in this group."))
        layout.addStretch()
