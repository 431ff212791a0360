"""The Queue page: one lead at a time, large, and one key per call outcome.

The page shows the current lead of today's queue (``core.queue.build_queue``, with the team's
settings and the user's time zone) on a ``LeadCard``, and the rest of the queue beside it.
Keys ``1``..``7`` log an outcome through ``core.activities.log_outcome`` (``3`` asks when to
call back, ``5`` why the lead was lost); the logged lead leaves the list and the next one is
shown at once. ``S`` snoozes, ``N`` takes a note, ``Enter`` skips, ``Ctrl+Z`` undoes the last
outcome or snooze. In team mode the lead on screen is claimed, so no colleague calls it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.activities import (
    Outcome,
    log_outcome,
    recent_activities,
    snooze,
    snooze_until,
    suggested_callback,
    undo_outcome,
)
from leaddesk.core.claims import claim_next
from leaddesk.core.db import Database
from leaddesk.core.leads import display_name, lead_count
from leaddesk.core.queue import (
    DayProgress,
    QueueEntry,
    build_queue,
    day_progress,
    lead_zone,
    time_at_lead,
    why_not_here,
)
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.schema import utcnow
from leaddesk.core.scoring.explain import explain_lead
from leaddesk.ui import theme
from leaddesk.ui.models.queue_model import QueueDelegate, QueueModel
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.queue.call_dialogs import CallbackDialog, LostReasonDialog
from leaddesk.ui.queue.day_summary import DaySummaryDialog
from leaddesk.ui.queue.lead_card import LeadCard
from leaddesk.ui.widgets.empty_state import EmptyState
from leaddesk.ui.workers import run_with_progress

QUEUE_LIMIT = 200  # leads listed; the queue goes on past them as they are called
REFRESH_MS = 5 * 60 * 1000  # callbacks fall due and calling hours open while the page is open


@dataclass(frozen=True, slots=True)
class UndoStep:
    """Something Ctrl+Z can take back: a logged call, or a snooze (with its previous value)."""

    lead_id: int
    what: str
    activity_id: int | None = None
    snoozed_before: datetime | None = None


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
    settings_requested = Signal()

    def __init__(
        self, db: Database, preferences: Preferences | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._preferences = preferences or Preferences(QSettings())
        self._team = not db.is_sqlite  # a shared database: owners and claims apply
        self._undo: list[UndoStep] = []
        self._text_boxes: list[QWidget] = []  # where Esc hands the keyboard back to the keys
        self.settings = QueueSettings()
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
        self.snooze_action = self._action("Snooze…", "S", self.choose_snooze)
        self.next_action = self._action("Next lead", "Return", self.next_lead)
        self.next_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.next_action.setToolTip("Next lead (Enter)")
        self.undo_action = self._action("Undo", "Ctrl+Z", self.undo)
        self.summary_action = self._action("Day summary", "D", self.show_summary)
        self.sheet_action = self._action("Call sheet…", "Ctrl+P", self.export_call_sheet)
        self.why_action = self._action("Why isn't…", "Ctrl+F", self.start_why)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_workspace())
        self.empty = EmptyState(theme.icon("queue"), "", "")
        self.import_button = self.empty.add_button(
            "Import a spreadsheet…", self.import_requested.emit, primary=True
        )
        self.sample_button = self.empty.add_button(
            "Try with sample data", self.sample_requested.emit, primary=False
        )
        self.settings_button = self.empty.add_button(
            "Queue settings…", self.settings_requested.emit, primary=False
        )
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_if_idle)
        self._timer.start()
        self._update_actions()

    # -- layout ---------------------------------------------------------------------------
    def _action(self, text: str, key: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(key).toString()})")
        action.triggered.connect(lambda: slot())
        self.addAction(action)
        return action

    def _outcome_action(self, outcome: Outcome) -> QAction:
        return self._action(outcome.label, outcome.key, lambda: self.log(outcome))

    def _build_workspace(self) -> QWidget:
        self.card = LeadCard()
        self.card.copy_button.clicked.connect(self.copy_phone)
        outcomes = QGridLayout()
        outcomes.setSpacing(6)
        for i, (outcome, action) in enumerate(self.outcome_actions.items()):
            outcomes.addWidget(_button(action, outcome.key), i // 4, i % 4)
        outcomes.addWidget(_button(self.note_action, "N"), 1, 3)
        controls = QHBoxLayout()
        controls.setSpacing(6)
        controls.addWidget(_button(self.snooze_action, "S"))
        controls.addWidget(_button(self.next_action, "Enter"))
        controls.addWidget(_button(self.undo_action, "Ctrl+Z"))

        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(
            "Note for this call (N). It is saved with the outcome you log next; "
            "press Esc to go back to the keys."
        )
        self.note_edit.setMaximumHeight(58)
        self._escape_to_keys(self.note_edit)
        self.feedback = theme.muted()
        self.card.action_area.addLayout(outcomes)
        self.card.action_area.addLayout(controls)
        self.card.action_area.addWidget(self.note_edit)
        self.card.action_area.addWidget(self.feedback)

        workspace = QWidget()
        side = QWidget()
        side.setLayout(self._build_side())
        side.setMinimumWidth(280)
        side.setMaximumWidth(400)  # at a small window, the card keeps the room it needs
        # The card takes the rest, whatever the width of its texts: no jump between leads.
        self.card.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(workspace)
        row.setContentsMargins(16, 16, 16, 16)
        row.setSpacing(16)
        row.addWidget(self.card, 3)
        row.addWidget(side, 2)
        return workspace

    def _build_side(self) -> QVBoxLayout:
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress_text = theme.muted()
        summary = QPushButton("Day summary")
        summary.setToolTip("Calls, connects and meetings today, by hour (D)")
        summary.clicked.connect(self.show_summary)
        sheet = QPushButton("Call sheet…")
        sheet.setToolTip("Save today's queue as an Excel call sheet to print (Ctrl+P)")
        sheet.clicked.connect(self.export_call_sheet)
        today = QHBoxLayout()
        today.addWidget(self.progress_text, 1)
        today.addWidget(summary)
        today.addWidget(sheet)

        self.why_edit = QLineEdit()
        self.why_edit.setPlaceholderText(
            "Why isn't a lead here? Type a name, company or phone (Ctrl+F)"
        )
        self.why_edit.setClearButtonEnabled(True)
        self.why_edit.returnPressed.connect(self.explain_absence)
        self._escape_to_keys(self.why_edit)
        self.why_answer = QLabel()
        self.why_answer.setWordWrap(True)
        self.why_answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why_answer.hide()

        self.remaining = theme.muted()
        side = QVBoxLayout()
        side.setSpacing(8)
        side.addWidget(theme.heading("Today", 1.2))
        side.addWidget(self.progress)
        side.addLayout(today)
        side.addSpacing(6)
        side.addWidget(theme.heading("Up next", 1.2))
        side.addWidget(self.remaining)
        side.addWidget(self.list, 1)
        side.addWidget(self.why_edit)
        side.addWidget(self.why_answer)
        return side

    # -- data -----------------------------------------------------------------------------
    @property
    def rep(self) -> str:
        return self._preferences.rep_name

    @property
    def _owner(self) -> str | None:
        return self.rep if self._team else None

    def refresh(self, select_lead: int | None = None) -> None:
        """Build today's queue again and show ``select_lead`` (or the current lead) first."""
        current = self.current_entry()
        keep = select_lead if select_lead is not None else current.lead_id if current else None
        self.settings = self._preferences.queue_settings(self._db)
        with self._db.read() as conn:
            entries = build_queue(
                conn, owner=self._owner, settings=self.settings, limit=QUEUE_LIMIT
            )
            has_leads = bool(entries) or lead_count(conn) > 0
            self.today = day_progress(conn, rep=self.rep, settings=self.settings)
        self.model.set_entries(entries)
        self.feedback.clear()
        self.why_answer.hide()
        row = self.model.row_of(keep) if keep is not None else -1
        self._select_row(max(row, 0))
        if not entries:
            self._show_empty(has_leads)

    def _refresh_if_idle(self) -> None:
        if self.isVisible() and not self.note_edit.hasFocus() and not self.why_edit.hasFocus():
            self.refresh()

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
            hours = self.settings.calling_hours
            self.empty.text.setText(
                "Every lead due today has been called. Callbacks and new leads will appear "
                "here when they are due."
                + (
                    f" Only leads inside calling hours ({hours[0]:%H:%M}-{hours[1]:%H:%M} "
                    "their time) are shown."
                    if hours
                    else ""
                )
            )
        else:
            self.empty.title.setText("No leads to call yet")
            self.empty.text.setText(
                "Import a spreadsheet of contacts, or try LeadDesk with sample data; "
                "the best leads to call will line up here."
            )
        self.import_button.setVisible(not has_leads)
        self.sample_button.setVisible(not has_leads)
        self.settings_button.setVisible(has_leads)
        self.empty.set_footer(self._progress_text() if self.today and self.today.calls else "")
        self.stack.setCurrentWidget(self.empty)

    def _show_current(self) -> None:
        entry = self.current_entry()
        if entry is not None and self._team:
            entry = self._claim_from(entry)
        self._show_progress()
        self._update_actions()
        if entry is None:
            return
        self.stack.setCurrentIndex(0)
        with self._db.read() as conn:
            explanation = explain_lead(conn, entry.lead_id)
            recent = recent_activities(conn, entry.lead_id)
        local, warning = time_at_lead(entry.lead, self.settings)
        self.card.show_entry(entry, explanation, recent, local, warning)
        self.note_edit.clear()

    def _claim_from(self, entry: QueueEntry) -> QueueEntry | None:
        """Claim the current lead, or the next one still free: a colleague may have taken it."""
        row = self.model.row_of(entry.lead_id)
        ids = [e.lead_id for e in self.model.entries()[row:]]
        claimed = claim_next(self._db, ids, self.rep, settings=self.settings)
        if claimed == entry.lead_id:
            return entry
        for taken in ids[: ids.index(claimed) if claimed is not None else len(ids)]:
            self.model.remove_lead(taken)
        if claimed is None:
            self.refresh()
            return None
        self.feedback.setText("Leads a colleague took meanwhile were skipped.")
        self._select_row(self.model.row_of(claimed))
        return None  # _select_row showed it

    def _show_progress(self) -> None:
        count = self.model.rowCount()
        more = "+" if count >= QUEUE_LIMIT else ""
        self.remaining.setText(
            f"{count}{more} lead{'' if count == 1 else 's'} to call today, this one included"
        )
        if self.today is not None:
            self.progress.setMaximum(self.today.target)
            self.progress.setValue(min(self.today.calls, self.today.target))
        self.progress_text.setText(self._progress_text())

    def _progress_text(self) -> str:
        if self.today is None:
            return ""
        return f"{self.today.calls} of {self.today.target} calls made today"

    def _update_actions(self) -> None:
        has_lead = self.current_entry() is not None
        for action in (
            *self.outcome_actions.values(),
            self.note_action,
            self.next_action,
            self.snooze_action,
        ):
            action.setEnabled(has_lead)
        self.undo_action.setEnabled(bool(self._undo))
        self.undo_action.setToolTip(
            f"Undo {self._undo[-1].what} (Ctrl+Z)" if self._undo else "Nothing to undo yet"
        )

    # -- what the keys do -----------------------------------------------------------------
    def log(self, outcome: Outcome) -> None:
        """Log ``outcome`` for the current lead and show the next one."""
        entry = self.current_entry()
        if entry is None:
            return
        follow_up, lost_reason = None, None
        if outcome is Outcome.CONNECTED:
            go_on, follow_up = self.ask_callback(entry)
            if not go_on:
                return
        elif outcome is Outcome.NOT_INTERESTED:
            lost_reason = self.ask_lost_reason(entry)
            if lost_reason is None:
                return
        note = self.note_edit.toPlainText().strip() or None
        logged = log_outcome(
            self._db,
            entry.lead_id,
            outcome,
            note=note,
            follow_up=follow_up,
            rep=self.rep,
            settings=self.settings,
            lost_reason=lost_reason,
        )
        name = display_name(entry.lead)
        self._undo.append(UndoStep(entry.lead_id, f"“{outcome.label}”", logged.activity_id))
        self._count_call(+1)
        done = f"Logged “{outcome.label}” for {name}"
        if follow_up is not None:
            done += f", callback {follow_up.astimezone(self.settings.zone()):%a %d %b %H:%M}"
        self._leave(entry, f"{done}. Ctrl+Z undoes it.")

    def ask_callback(self, entry: QueueEntry) -> tuple[bool, datetime | None]:
        """After a connected call: (log it?, when to call back; None for no callback)."""
        zone = lead_zone(entry.lead, self.settings.zone())
        offered = suggested_callback(utcnow(), zone, self.settings)
        dialog = CallbackDialog(display_name(entry.lead), offered, zone, self.settings.zone(), self)
        result = self._ask(dialog)
        if result == QDialog.DialogCode.Accepted:
            return True, dialog.callback()
        return result == CallbackDialog.NO_CALLBACK, None

    def ask_lost_reason(self, entry: QueueEntry) -> str | None:
        """Why a lead is not interested (None if the rep cancelled)."""
        dialog = LostReasonDialog(display_name(entry.lead), self)
        return dialog.text() if self._ask(dialog) == QDialog.DialogCode.Accepted else None

    def _ask(self, dialog: QDialog) -> int:
        """Run a question dialog, then hand the keyboard back to the outcome keys."""
        result = dialog.exec()
        dialog.deleteLater()
        self.window().activateWindow()
        self.list.setFocus()
        return result

    def choose_snooze(self) -> None:
        """Offer snooze lengths in a menu under the Snooze button (keyboard friendly)."""
        entry = self.current_entry()
        if entry is None:
            return
        menu = QMenu(self)
        days = self.settings.cadence.snooze_days
        options = [("Until tomorrow", 1)] + ([(f"For {days} days", days)] if days > 1 else [])
        options += [("For a week", 7)]
        for text, length in options:
            menu.addAction(text).triggered.connect(lambda _=False, n=length: self.snooze(n))
        menu.setActiveAction(menu.actions()[0])
        menu.popup(self.card.mapToGlobal(self.note_edit.geometry().topLeft()))

    def snooze(self, days: int) -> None:
        """Keep the current lead off the queue for ``days`` days of the user's calendar."""
        entry = self.current_entry()
        if entry is None:
            return
        until = snooze_until(utcnow(), days, self.settings.zone())
        before = snooze(self._db, entry.lead_id, until)
        name = display_name(entry.lead)
        self._undo.append(UndoStep(entry.lead_id, "snooze", snoozed_before=before))
        local = until.astimezone(self.settings.zone())
        self._leave(entry, f"Snoozed {name} until {local:%a %d %b}. Ctrl+Z undoes it.")

    def _leave(self, entry: QueueEntry, message: str) -> None:
        """The lead is done for today: drop it from the list and show the next one."""
        row = self.list.currentIndex().row()
        self.model.remove_lead(entry.lead_id)
        if self.model.rowCount():
            self._select_row(min(row, self.model.rowCount() - 1))
        else:
            self.refresh()
        self.feedback.setText(message)
        self.list.setFocus()
        self.leads_changed.emit()

    def undo(self) -> None:
        """Take back the last outcome or snooze and bring its lead back as the current one."""
        if not self._undo:
            return
        step = self._undo.pop()
        if step.activity_id is not None:
            undo_outcome(self._db, step.activity_id)
            self._count_call(-1)
        else:
            snooze(self._db, step.lead_id, step.snoozed_before)
        self.refresh(select_lead=step.lead_id)
        self.feedback.setText(f"Undone: {step.what}.")
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

    def start_why(self) -> None:
        self.why_edit.setFocus()
        self.why_edit.selectAll()

    def explain_absence(self) -> None:
        """Answer "Why isn't Acme here?" below the list."""
        queued = {e.lead_id: e.rank for e in self.model.entries()}
        with self._db.read() as conn:
            answers = why_not_here(
                conn, self.why_edit.text(), queued, owner=self._owner, settings=self.settings
            )
        self.why_answer.setText("\n".join(answers))
        self.why_answer.setVisible(bool(answers))

    def show_summary(self) -> None:
        with self._db.read() as conn:
            self.today = day_progress(conn, rep=self.rep, settings=self.settings)
        DaySummaryDialog(self.today, self.model.rowCount(), self).exec()
        self._show_progress()

    def export_call_sheet(self) -> None:
        """Save the queue as shown as an Excel call sheet, for those who call from paper."""
        from leaddesk.core.call_sheet import export_call_sheet

        entries = self.model.entries()
        default = (
            Path.home() / f"Call sheet {utcnow().astimezone(self.settings.zone()):%Y-%m-%d}.xlsx"
        )
        name, _ = QFileDialog.getSaveFileName(
            self, "Save call sheet", str(default), "Excel workbook (*.xlsx)"
        )
        if not name:
            return
        path = Path(name).with_suffix(".xlsx")
        job = export_call_sheet(path, entries, settings=self.settings, rep=self.rep)
        run_with_progress(
            self,
            job,
            "Writing the call sheet…",
            lambda result: self.feedback.setText(f"Saved the call sheet to {result.path}."),
        )

    def copy_phone(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.lead.get("phone"):
            QGuiApplication.clipboard().setText(entry.lead["phone"])
            self.feedback.setText(f"Copied {entry.lead['phone']}.")

    def _escape_to_keys(self, box: QWidget) -> None:
        self._text_boxes.append(box)
        box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the note or question box, keys type: Esc hands the keyboard back to the
        outcome keys, and Enter in the question box asks it (not "Next lead")."""
        if watched not in self._text_boxes or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            event.accept()  # the box takes Enter for itself
            return False
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.list.setFocus()
            return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.list.setFocus()
