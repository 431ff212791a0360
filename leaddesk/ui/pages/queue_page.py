"""The Queue page: one lead at a time, large, and one key per call outcome.

The page shows the current lead of today's queue (``core.queue.build_queue``) with its score
explanation and recent activity, and the rest of the queue beside it. Keys ``1``..``7`` log
an outcome through ``core.activities.log_outcome``; the logged lead leaves the list and the
next one is shown at once. ``Ctrl+Z`` undoes the last outcome with ``undo_outcome``.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.activities import Outcome, log_outcome, undo_outcome
from leaddesk.core.db import Database
from leaddesk.core.leads import display_name, lead_count
from leaddesk.core.queue import DayProgress, QueueEntry, build_queue, day_progress
from leaddesk.core.scoring.explain import Explanation, explain_lead
from leaddesk.ui import theme
from leaddesk.ui.formatting import relative_time
from leaddesk.ui.models.queue_model import QueueDelegate, QueueModel, subtitle
from leaddesk.ui.widgets.badges import ScoreBadge
from leaddesk.ui.widgets.empty_state import EmptyState


def _button(action: QAction, key: str) -> QToolButton:
    """A button for ``action`` that shows the key that does the same."""
    action.setIconText(f"{key}   {action.text()}")  # what a text-only tool button shows
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.setMinimumHeight(34)
    return button


class QueuePage(QWidget):
    """Work today's queue with the keyboard."""

    leads_changed = Signal()
    import_requested = Signal()
    sample_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._undo: list[tuple[int, int, str]] = []  # (activity id, lead id, what was logged)
        self.today: DayProgress | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(theme.CARD_STYLE)

        self.model = QueueModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(QueueDelegate(self.list))
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setMinimumWidth(300)
        self.list.selectionModel().currentRowChanged.connect(self._show_current)

        self.outcome_actions = {outcome: self._outcome_action(outcome) for outcome in Outcome}
        self.note_action = self._action("Note", "N", self.start_note)
        self.next_action = self._action("Next lead", "Return", self.next_lead)
        self.next_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.undo_action = self._action("Undo last call", "Ctrl+Z", self.undo)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_workspace())
        self.empty = EmptyState(theme.icon("queue"), "", "")
        self.import_button = self.empty.add_button(
            "Import a spreadsheet…", self.import_requested.emit, primary=True
        )
        self.sample_button = self.empty.add_button(
            "Try with sample data", self.sample_requested.emit, primary=False
        )
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._update_actions()

    # -- layout ---------------------------------------------------------------------------
    def _action(self, text: str, key: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(key).toString()})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _outcome_action(self, outcome: Outcome) -> QAction:
        return self._action(outcome.label, outcome.key, lambda: self.log(outcome))

    def _build_workspace(self) -> QWidget:
        self.name = QLabel()
        self.name.setFont(theme.scaled_font(self.name, 2.0, bold=True))
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = ScoreBadge()
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
        self.copy_button.clicked.connect(self.copy_phone)
        self.email = theme.muted()

        heading = QHBoxLayout()
        heading.addWidget(self.name, 1)
        heading.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone)
        phone_row.addWidget(self.copy_button)
        phone_row.addSpacing(16)
        phone_row.addWidget(self.email, 1)

        outcomes = QGridLayout()
        outcomes.setSpacing(6)
        for i, (outcome, action) in enumerate(self.outcome_actions.items()):
            outcomes.addWidget(_button(action, outcome.key), i // 4, i % 4)
        outcomes.addWidget(_button(self.note_action, "N"), 1, 3)
        controls = QHBoxLayout()
        controls.addWidget(_button(self.next_action, "Enter"))
        controls.addWidget(_button(self.undo_action, "Ctrl+Z"))

        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(
            "Note for this call (N). It is saved with the outcome you log next; "
            "press Esc to go back to the keys."
        )
        self.note_edit.setMaximumHeight(58)
        self.note_edit.installEventFilter(self)

        self.feedback = theme.muted()
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.activity = QLabel()
        self.activity.setWordWrap(True)
        self.activity.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.activity.setTextFormat(Qt.TextFormat.RichText)
        details_widget = QWidget()
        details = QHBoxLayout(details_widget)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(24)
        for title, label in (
            ("Why this score", self.explanation),
            ("Where things stand", self.activity),
        ):
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

        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(8)
        inner.addLayout(heading)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.reason)
        inner.addSpacing(6)
        inner.addLayout(phone_row)
        inner.addSpacing(10)
        inner.addLayout(outcomes)
        inner.addLayout(controls)
        inner.addWidget(self.note_edit)
        inner.addWidget(self.feedback)
        inner.addSpacing(8)
        inner.addWidget(scroll, 1)

        self.remaining = theme.muted()
        side = QVBoxLayout()
        side.addWidget(theme.heading("Up next", 1.2))
        side.addWidget(self.remaining)
        side.addWidget(self.list, 1)

        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(16, 16, 16, 16)
        row.setSpacing(16)
        row.addWidget(card, 3)
        row.addLayout(side, 2)
        return workspace

    # -- data -----------------------------------------------------------------------------
    def refresh(self, select_lead: int | None = None) -> None:
        """Build today's queue again and show ``select_lead`` (or the current lead) first."""
        current = self.current_entry()
        keep = select_lead if select_lead is not None else current.lead_id if current else None
        with self._db.read() as conn:
            entries = build_queue(conn)
            has_leads = bool(entries) or lead_count(conn) > 0
            self.today = day_progress(conn)
        self.model.set_entries(entries)
        row = self.model.row_of(keep) if keep is not None else -1
        self._select_row(max(row, 0))
        if not entries:
            self._show_empty(has_leads)

    def current_entry(self) -> QueueEntry | None:
        return self.model.entry(self.list.currentIndex().row())

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.list.selectionModel().setCurrentIndex(index, flags)
        if index.isValid():
            self.list.scrollTo(index)
        self._show_current()

    def _show_empty(self, has_leads: bool) -> None:
        if has_leads:
            self.empty.title.setText("All done for today")
            self.empty.text.setText(
                "Every lead due today has been called. Callbacks and new leads will appear "
                "here when they are due."
            )
        else:
            self.empty.title.setText("No leads to call yet")
            self.empty.text.setText(
                "Import a spreadsheet of contacts, or try LeadDesk with sample data; "
                "the best leads to call will line up here."
            )
        self.import_button.setVisible(not has_leads)
        self.sample_button.setVisible(not has_leads)
        self.empty.set_footer(self._progress_text() if self.today and self.today.calls else "")
        self.stack.setCurrentWidget(self.empty)

    def _show_current(self) -> None:
        entry = self.current_entry()
        count = self.model.rowCount()
        self.remaining.setText(
            f"{count} lead{'' if count == 1 else 's'} in today's queue · {self._progress_text()}"
        )
        self._update_actions()
        if entry is None:
            return
        self.stack.setCurrentIndex(0)
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
        self.email.setText(lead.get("email") or "")
        with self._db.read() as conn:
            explanation = explain_lead(conn, entry.lead_id)
        self.badge.set_score(explanation.score, explanation.tier, explanation.grade)
        self.explanation.setText(_explanation_html(explanation))
        self.activity.setText(_history_html(lead))
        self.note_edit.clear()

    def _progress_text(self) -> str:
        if self.today is None:
            return ""
        return f"{self.today.calls} of {self.today.target} calls made today"

    def _update_actions(self) -> None:
        has_lead = self.current_entry() is not None
        for action in (*self.outcome_actions.values(), self.note_action, self.next_action):
            action.setEnabled(has_lead)
        self.undo_action.setEnabled(bool(self._undo))

    # -- what the keys do -----------------------------------------------------------------
    def log(self, outcome: Outcome) -> None:
        """Log ``outcome`` for the current lead and show the next one."""
        entry = self.current_entry()
        if entry is None:
            return
        note = self.note_edit.toPlainText().strip() or None
        logged = log_outcome(self._db, entry.lead_id, outcome, note=note)
        name = display_name(entry.lead)
        self._undo.append((logged.activity_id, entry.lead_id, f"{outcome.label} for {name}"))
        self._count_call(+1)
        row = self.list.currentIndex().row()
        self.model.remove_lead(entry.lead_id)
        self.feedback.setText(f"Logged “{outcome.label}” for {name}. Ctrl+Z undoes it.")
        if self.model.rowCount():
            self._select_row(min(row, self.model.rowCount() - 1))
        else:
            self.refresh()
        self.list.setFocus()
        self.leads_changed.emit()

    def undo(self) -> None:
        """Take back the last logged outcome and bring its lead back as the current one."""
        if not self._undo:
            return
        activity_id, lead_id, what = self._undo.pop()
        undo_outcome(self._db, activity_id)
        self._count_call(-1)
        self.feedback.setText(f"Undone: {what}.")
        self.refresh(select_lead=lead_id)
        self.list.setFocus()
        self.leads_changed.emit()

    def _count_call(self, step: int) -> None:
        # Counted here rather than read again: the next lead must appear at once.
        if self.today is not None:
            self.today = replace(self.today, calls=max(self.today.calls + step, 0))

    def next_lead(self) -> None:
        """Skip to the next lead without logging anything (wrapping round at the end)."""
        count = self.model.rowCount()
        if count:
            self._select_row((self.list.currentIndex().row() + 1) % count)

    def start_note(self) -> None:
        self.note_edit.setFocus()

    def copy_phone(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.lead.get("phone"):
            QGuiApplication.clipboard().setText(entry.lead["phone"])
            self.feedback.setText(f"Copied {entry.lead['phone']}.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in the note box hands the keyboard back to the outcome keys."""
        if (
            watched is self.note_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.list.setFocus()
            return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.list.setFocus()


def _explanation_html(explanation: Explanation) -> str:
    if not explanation.contributions:
        return f"<span style='color:{theme.MUTED}'>No rule gave this lead points yet.</span>"
    rows = []
    for item in explanation.contributions:
        color = "#15803d" if item.points >= 0 else "#b91c1c"
        rows.append(
            f"<tr><td style='padding:2px 12px 2px 0'>{html.escape(item.label)}</td>"
            f"<td align='right' style='color:{color}'><b>{item.points:+g}</b></td></tr>"
        )
    return "<table width='100%'>" + "".join(rows) + "</table>"


def _history_html(lead: dict[str, Any]) -> str:
    """Where the lead stands: last contact, attempts, follow-up, status and notes."""
    facts = []
    if lead.get("last_contacted_at"):
        facts.append(f"Last contacted {relative_time(lead['last_contacted_at'])}")
    else:
        facts.append("Never called")
    attempts = int(lead.get("attempts") or 0)
    if attempts:
        facts.append(f"{attempts} call attempt{'' if attempts == 1 else 's'}")
    if lead.get("next_follow_up_at"):
        facts.append(f"Follow-up due {relative_time(lead['next_follow_up_at'])}")
    if lead.get("status"):
        facts.append(f"Status: {str(lead['status']).capitalize()}")
    if lead.get("source"):
        facts.append(f"Source: {html.escape(str(lead['source']))}")
    text = "<br>".join(facts)
    if lead.get("notes"):
        text += f"<p style='margin-top:6px'><i>{html.escape(str(lead['notes']))}</i></p>"
    return text
