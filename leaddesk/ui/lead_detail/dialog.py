"""The lead detail dialog: one lead, whole, edited in place.

Left, every editable field; right, the lead's timeline, and its score's explanation with the
predictive model's probability; at the bottom, erase, export and save. All reading and writing
goes through ``core.lead_record``: values are checked as the user types (messages under the
fields, Save offered only when everything can be stored), an edit is saved in one transaction,
and when a colleague saved the lead meanwhile the user chooses field by field instead of
overwriting their work. The dialog stays open after a save and shows the lead as saved.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.db import Database
from leaddesk.core.errors import LeadDeskError, NotFoundError
from leaddesk.core.lead_record import (
    EditConflict,
    Erasure,
    TimelineEntry,
    editable_fields,
    erase_lead,
    export_lead,
    phone_region,
    rebase,
    save_changes,
    timeline,
    validate_changes,
)
from leaddesk.core.leads import Lead, display_name, get_lead, load_registry
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.scoring.explain import Explanation, explain_lead
from leaddesk.core.scoring.predictive.predictions import Prediction, explain_leads
from leaddesk.core.scoring.predictive.store import ActiveModel, active_predictive_model
from leaddesk.ui import dialogs, theme
from leaddesk.ui.dialogs import MessageDialog
from leaddesk.ui.lead_detail.conflict_chooser import ConflictChooser
from leaddesk.ui.lead_detail.fields_form import FieldsForm
from leaddesk.ui.lead_detail.header import LeadHeader
from leaddesk.ui.lead_detail.parts import ElidedLabel, secondary
from leaddesk.ui.lead_detail.score_panel import ScorePanel
from leaddesk.ui.lead_detail.timeline_view import TimelineView
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.workers import call_job, run_with_progress

DEFAULT_SIZE = QSize(900, 700)
MINIMUM_SIZE = QSize(720, 520)
JSON_FILES = "JSON files (*.json)"
EXCEL_FILES = "Excel workbooks (*.xlsx)"
GONE = (
    "This lead no longer exists: someone erased or deleted it while you had it open. "
    "Your changes could not be saved."
)


def file_name(name: str) -> str:
    """A file name made from a lead's name, without the characters file systems refuse."""
    return re.sub(r'[\\/:*?"<>|\s]+', " ", name).strip() or "lead"


class LeadDetailDialog(QDialog):
    """Everything about one lead; Ctrl+S saves, Esc closes (asking first if edits are unsaved).

    Signals:
        lead_changed: the lead was saved (its id), so lists showing it can refresh.
        lead_erased: the lead was erased (its id); the dialog closes itself.
    """

    lead_changed = Signal(int)
    lead_erased = Signal(int)

    def __init__(
        self,
        db: Database,
        lead_id: int,
        preferences: Preferences,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._lead_id = lead_id
        self._preferences = preferences
        self._zone = QueueSettings().for_user(preferences.timezone).zone()
        self._lead: Lead = {}
        self._status = ""  # what the last save or export did, shown while nothing is edited
        self.chooser: ConflictChooser | None = None
        self.erasure: Erasure | None = None
        with db.read() as conn:
            self._registry = load_registry(conn)
        self._fields = editable_fields(self._registry)

        self.header = LeadHeader()
        self.form = FieldsForm(self._fields, self._zone)
        self.timeline = TimelineView(self._zone)
        self.score = ScorePanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.timeline, "Activity")
        self.tabs.addTab(self.score, "Score")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.form)
        self.splitter.addWidget(self.tabs)
        self.splitter.setChildrenCollapsible(False)

        self.erase_button = QPushButton("Erase lead…")
        self.erase_button.setToolTip("Delete this lead and everything kept about it, for good")
        palette = self.erase_button.palette()
        palette.setColor(QPalette.ColorRole.ButtonText, QColor(theme.bad_color(self)))
        self.erase_button.setPalette(palette)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Save everything about this lead as a JSON file or an Excel workbook"
        )
        self.feedback = secondary(ElidedLabel())
        self.close_button = QPushButton("Close")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save your changes (Ctrl+S)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.erase_button)
        buttons.addWidget(self.export_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.feedback, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addWidget(self.header)
        layout.addSpacing(8)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.form.edited.connect(self._refresh)
        self.form.left.connect(self._normalise)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.erase_button.clicked.connect(self.confirm_erase)
        self.export_button.clicked.connect(self.export)
        self.setMinimumSize(MINIMUM_SIZE)
        self._show(*self._read())
        self.form.focus_first()
        self.adjustSize()  # settle the size before the window exists
        self.resize(DEFAULT_SIZE.boundedTo(self.screen().availableGeometry().size() * 0.95))
        width = self.width() - 40
        self.splitter.setSizes([width * 11 // 20, width * 9 // 20])  # the form a little wider

    def lead(self) -> Lead:
        """The lead as last read or saved."""
        return dict(self._lead)

    # -- showing ---------------------------------------------------------------------------

    def _read(
        self,
    ) -> tuple[Lead, list[TimelineEntry], Explanation, ActiveModel | None, Prediction | None]:
        with self._db.read() as conn:
            lead = get_lead(conn, self._lead_id)
            model = active_predictive_model(conn)
            prediction = explain_leads(conn, [self._lead_id]).get(self._lead_id)
            explanation = explain_lead(conn, self._lead_id)
            return lead, timeline(conn, self._lead_id), explanation, model, prediction

    def _show(
        self,
        lead: Lead,
        entries: list[TimelineEntry],
        explanation: Explanation,
        model: ActiveModel | None,
        prediction: Prediction | None,
    ) -> None:
        self._lead = lead
        self.setWindowTitle(f"{display_name(lead)}[*] — LeadDesk")
        self.header.show_lead(lead, self._zone)
        self.form.load(lead)
        self.timeline.show_entries(entries)
        self.tabs.setTabText(0, f"Activity ({len(entries)})")
        self.score.show_explanation(explanation)
        self.score.prediction.show_prediction(model, prediction)
        self._refresh()

    def _check(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        """The changes as typed, as they would be stored, and the problems with them."""
        changes = self.form.changes()
        clean, problems = validate_changes(
            self._registry,
            changes,
            phone_region(self._lead, self._preferences.region),
            lead=self._lead,
        )
        return changes, clean, problems

    def _refresh(self) -> None:
        changes, _clean, problems = self._check()
        self.form.show_problems(problems)
        self.setWindowModified(bool(changes))
        self.save_button.setEnabled(bool(changes) and not problems)
        if problems:
            labels = ", ".join(self._registry.get(name).label for name in problems)
            self.feedback.set_full_text(f"Correct {labels} to save.")
        else:
            self.feedback.set_full_text("Unsaved changes." if changes else self._status)

    def _normalise(self, name: str) -> None:
        """When the user leaves a field, show what will be stored ("germany" -> "DE")."""
        _changes, clean, _problems = self._check()
        if name in clean:
            self.form.put(name, clean[name])
        self._refresh()

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        """Save the changes, or mark every field that stops them."""
        changes, clean, problems = self._check()
        if problems:
            self.form.show_problems(problems, everywhere=True)
            return
        if changes:
            self._commit(clean, int(self._lead["version"]))

    def _commit(self, changes: dict[str, Any], version: int, note: str = "") -> None:
        try:
            saved = save_changes(
                self._db, self._lead_id, changes, version, self._preferences.rep_name
            )
        except EditConflict as conflict:
            self._resolve(changes, conflict.theirs)
            return
        except NotFoundError:
            dialogs.show_problem(GONE, self)
            return
        except LeadDeskError as problem:
            dialogs.report(problem, self)
            return
        self._status = " ".join(("Saved.", note)).strip()
        self._show(*self._read())
        if saved["version"] != version:
            self.lead_changed.emit(self._lead_id)

    def _resolve(self, mine: dict[str, Any], theirs: Lead) -> None:
        """Someone saved the lead meanwhile: keep their fields, ask about the shared ones."""
        rebased = rebase(self._registry, self._lead, mine, theirs)
        if not rebased.conflicts:
            kept = ", ".join(f.label for f in rebased.theirs_only)
            note = f"Someone else changed {kept} meanwhile; their values are kept." if kept else ""
            self._commit(rebased.changes, int(theirs["version"]), note)
            return
        chooser = ConflictChooser(display_name(theirs), rebased, self._registry, self._zone, self)
        chooser.accepted.connect(
            lambda: self._commit(rebased.changes | chooser.chosen(), int(theirs["version"]))
        )
        self.chooser = chooser
        chooser.open()

    # -- closing ---------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc, Close and the window's close button: ask first if there are unsaved edits."""
        if not self.form.changes():
            super().reject()
            return
        box = MessageDialog(
            "question",
            f"Discard your changes to {display_name(self._lead)}?",
            self,
            accept_text="Discard changes",
            reject_text="Keep editing",
        )
        box.accepted.connect(self._discard)
        box.show_modal()

    def _discard(self) -> None:
        super().reject()

    # -- erasing and exporting -------------------------------------------------------------

    def confirm_erase(self) -> MessageDialog:
        name = display_name(self._lead)
        box = MessageDialog(
            "warning",
            f"Erase {name} for good?\n\n"
            f"Everything LeadDesk keeps about {name} is deleted now: their details, calls, "
            "notes, and import and edit history. This cannot be undone.\n\n"
            "Erasing is meant for a request to delete personal data. To stop calling a lead, "
            "tick “Do not call” instead.",
            self,
            accept_text="Erase for good",
        )
        keep = self._do_not_contact_choice()
        layout = box.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, keep)  # under the text, above the buttons
        box.adjustSize()
        box.accepted.connect(lambda: self.erase(suppress=keep.isEnabled() and keep.isChecked()))
        return box.show_modal()

    def _do_not_contact_choice(self) -> QCheckBox:
        """Whether the person stays on the do-not-contact list (always, if already flagged)."""
        keep = QCheckBox("Keep them on the do-not-contact list: they asked not to be contacted")
        keep.setToolTip(
            "Only a hash of their email and phone is kept (never the address or number), so a "
            "future import of them is marked do not call and do not email."
        )
        if self._lead.get("do_not_call") or self._lead.get("do_not_email"):
            keep.setChecked(True)
            keep.setEnabled(False)
            keep.setText("Marked do not call or do not email: they stay on the do-not-contact list")
        return keep

    def erase(self, *, suppress: bool = False) -> None:
        """Erase the lead on the thread pool (merging the search index takes a while on a
        large database); the dialog closes when it is done."""
        run_with_progress(
            self,
            call_job(lambda: erase_lead(self._db, self._lead_id, suppress=suppress), "Erasing…"),
            "Erasing the lead…",
            self._erased,
            self._erase_failed,
            cancellable=False,
        )

    def _erased(self, erasure: Erasure | None) -> None:
        self.erasure = erasure
        self.lead_erased.emit(self._lead_id)
        self.done(QDialog.DialogCode.Accepted)

    def _erase_failed(self, problem: BaseException) -> None:
        if isinstance(problem, NotFoundError):
            self._erased(None)  # erased or deleted meanwhile: gone either way
        else:
            dialogs.report(problem, self)

    def export(self) -> None:
        """Save everything about the lead as JSON or as an Excel workbook, where the user
        chooses."""
        suggested = Path.home() / f"{file_name(display_name(self._lead))}.json"
        chosen, kind = QFileDialog.getSaveFileName(
            self, "Export this lead", str(suggested), f"{JSON_FILES};;{EXCEL_FILES}"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".json", ".xlsx"):
            path = Path(chosen + (".xlsx" if kind == EXCEL_FILES else ".json"))
        try:
            export_lead(self._db, self._lead_id, path)
        except LeadDeskError as problem:
            dialogs.report(problem, self)
            return
        self._status = f"Exported to {path}"
        self.feedback.set_full_text(self._status)
