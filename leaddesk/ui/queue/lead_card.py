"""The current lead, large: who, its score and probability, why now, the number to dial, the
time there, the score's reasons and what happened lately. It only shows what the Queue page
hands it."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.activities import Outcome
from leaddesk.core.leads import display_name
from leaddesk.core.queue import QueueEntry, place
from leaddesk.core.scoring.explain import Explanation
from leaddesk.core.wording import deed
from leaddesk.ui import theme
from leaddesk.ui.formatting import relative_time
from leaddesk.ui.models.queue_model import subtitle
from leaddesk.ui.widgets.badges import ProbabilityBadge, ScoreBadge

WARNING = "#b45309"
_OUTCOMES = {outcome.value: outcome.label for outcome in Outcome}


def _rich_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class LeadCard(QFrame):
    """The card at the centre of the Queue page; ``action_area`` takes the page's buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.name = QLabel()
        self.name.setFont(theme.scaled_font(self.name, 2.0, bold=True))
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = ScoreBadge()
        self.chance = ProbabilityBadge()
        self.subtitle = QLabel()
        self.subtitle.setFont(theme.scaled_font(self.subtitle, 1.15))
        self.subtitle.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(f"color: {theme.ACCENT}; font-weight: bold;")
        self.phone = QLabel()
        self.phone.setFont(theme.scaled_font(self.phone, 1.4))
        self.phone.setOpenExternalLinks(True)
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy the phone number")
        self.local_time = QLabel()
        self.local_time.setWordWrap(True)
        self.email = theme.muted()
        self.email.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation = _rich_label()
        self.activity = _rich_label()

        heading = QHBoxLayout()
        heading.addWidget(self.name, 1)
        heading.addWidget(self.chance, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone)
        phone_row.addWidget(self.copy_button)
        phone_row.addSpacing(16)
        phone_row.addWidget(self.local_time, 1)
        self.email.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        details_widget = QWidget()
        details = QHBoxLayout(details_widget)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(24)
        for title, label in (("Why this score", self.explanation), ("Lately", self.activity)):
            column = QVBoxLayout()
            column.addWidget(theme.heading(title, 1.05))
            column.addWidget(label)
            column.addStretch()
            details.addLayout(column, 1)
        scroll = QScrollArea()
        scroll.setWidget(details_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        details_widget.setAutoFillBackground(False)

        self.action_area = QVBoxLayout()  # the page puts its outcome buttons here
        self.action_area.setSpacing(6)
        inner = QVBoxLayout(self)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(8)
        inner.addLayout(heading)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.reason)
        inner.addSpacing(6)
        inner.addLayout(phone_row)
        inner.addWidget(self.email)
        inner.addSpacing(10)
        inner.addLayout(self.action_area)
        inner.addSpacing(8)
        inner.addWidget(scroll, 1)

    def show_entry(
        self,
        entry: QueueEntry,
        explanation: Explanation,
        recent: Sequence[dict[str, Any]],
        local: datetime,
        warning: str | None,
    ) -> None:
        """Fill the card; ``local`` is the time at the lead, ``warning`` why not to call now."""
        lead = entry.lead
        self.name.setText(display_name(lead))
        self.subtitle.setText(subtitle(lead))
        self.subtitle.setVisible(bool(self.subtitle.text()))
        self.reason.setText(entry.reason)
        phone = lead.get("phone") or ""
        self.phone.setText(
            f'<a href="tel:{html.escape(phone)}">{html.escape(phone)}</a>' if phone else ""
        )
        self.copy_button.setEnabled(bool(phone))
        where = place(local.tzinfo) if local.tzinfo else ""
        text = f"{local:%a %H:%M} in {html.escape(where)}"
        if warning:
            text += f" · <span style='color:{WARNING}'><b>{html.escape(warning)}</b></span>"
        self.local_time.setText(text)
        self.local_time.setToolTip(
            "The time where the lead is, from their time zone, phone or country"
        )
        self.email.setText(lead.get("email") or "")
        self.email.setVisible(bool(lead.get("email")))
        self.badge.set_score(explanation.score, explanation.tier, explanation.grade)
        self.chance.set_probability(lead.get("probability"))
        self.explanation.setText(explanation_html(explanation, self))
        self.activity.setText(history_html(lead, recent, theme.muted_color(self).name()))


def explanation_html(explanation: Explanation, widget: QWidget) -> str:
    """The rules that gave the lead its points, gains in green and losses in red."""
    if not explanation.contributions:
        muted = theme.muted_color(widget).name()
        return f"<span style='color:{muted}'>No rule gave this lead points yet.</span>"
    rows = []
    for item in explanation.contributions:
        color = theme.good_color(widget) if item.points >= 0 else theme.bad_color(widget)
        rows.append(
            f"<tr><td style='padding:2px 12px 2px 0'>{html.escape(item.label)}</td>"
            f"<td align='right' style='color:{color}'><b>{item.points:+g}</b></td></tr>"
        )
    return "<table width='100%'>" + "".join(rows) + "</table>"


def history_html(lead: dict[str, Any], recent: Sequence[dict[str, Any]], muted: str) -> str:
    """Where the lead stands (attempts, follow-up, status) and its latest activities."""
    facts = []
    attempts = int(lead.get("attempts") or 0)
    facts.append(
        f"{attempts} call attempt{'' if attempts == 1 else 's'}" if attempts else "Never called"
    )
    follow = lead.get("next_follow_up_at")
    if follow is not None:
        due = "was due" if follow < datetime.now(UTC) else "due"
        facts.append(f"callback {due} {relative_time(follow)}")
    if lead.get("status"):
        facts.append(f"status {lead['status']}")
    if lead.get("source"):
        facts.append(f"source {html.escape(str(lead['source']))}")
    text = " · ".join(facts)
    if lead.get("notes"):
        text += f"<p style='margin:6px 0'><i>{html.escape(str(lead['notes']))}</i></p>"
    rows = [_activity_row(activity, muted) for activity in recent]
    if rows:
        text += "<table style='margin-top:6px'>" + "".join(rows) + "</table>"
    return text


def _activity_row(activity: dict[str, Any], muted: str) -> str:
    kind = str(activity["kind"])
    if kind == "call":
        what = f"Call: {_OUTCOMES.get(activity.get('outcome') or '', 'logged')}"
    else:
        what = deed(kind).capitalize()
    by = f" · {html.escape(activity['rep'])}" if activity.get("rep") else ""
    note = activity.get("note")
    note_html = f"<br><i>{html.escape(str(note))}</i>" if note else ""
    return (
        f"<tr><td style='padding:2px 10px 2px 0; color:{muted}' nowrap>"
        f"{relative_time(activity['at'])}</td>"
        f"<td style='padding:2px 0'>{html.escape(what)}{by}{note_html}</td></tr>"
    )
