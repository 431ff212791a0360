"""The Scoring page: edit the model's rules, see their effect on the leads, activate.

The page lays out the editor's parts and connects them: an ``EditSession`` holds the model
being edited (with undo and autosave), the rule tables and settings edit it, a
``PreviewRunner`` recomputes the preview after each change, and activation runs the core
rescoring job behind a progress dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.db import Database
from leaddesk.core.errors import LeadDeskError
from leaddesk.core.leads import load_registry
from leaddesk.core.scoring import editing, store
from leaddesk.core.scoring.model import ScoringModel, compare
from leaddesk.core.scoring.preview import DraftPreview, preview_job
from leaddesk.core.scoring.sql import RescoreResult
from leaddesk.core.scoring.templates import TEMPLATES
from leaddesk.ui import dialogs, theme
from leaddesk.ui.scoring.delegates import ActivityDelegate, RuleDelegate
from leaddesk.ui.scoring.model_settings import ModelSettings
from leaddesk.ui.scoring.preview_panel import PreviewPanel
from leaddesk.ui.scoring.preview_runner import PreviewRunner
from leaddesk.ui.scoring.rules_model import ActivityTableModel, RuleTableModel
from leaddesk.ui.scoring.rules_panel import RulesPanel
from leaddesk.ui.scoring.session import EditSession
from leaddesk.ui.workers import Worker, run_with_progress

STATE_NAMES = {"draft": "Draft", "active": "Active", "archived": "Archived"}
STATE_COLORS = {"draft": "#f59e0b", "active": "#16a34a", "archived": "#6b7280"}
NOTES = {
    "active": "This is the active model: it scores every lead. Your first change makes a "
    "draft copy, and leads keep their scores until you activate the draft.",
    "draft": "A draft, saved as you work. Leads keep their current scores until you activate it.",
    "archived": "An earlier version. Reactivate it as it is, or change it to start a new "
    "draft from it.",
}
NOTE_STYLE = "background: rgba(37, 99, 235, 0.08); border-radius: 6px; padding: 6px 10px;"
PROBLEM_STYLE = (
    "background: rgba(220, 38, 38, 0.08); color: #991b1b; border-radius: 6px; padding: 6px 10px;"
)
PROBLEMS_SHOWN = 4


def confirm_activation(parent: QWidget, text: str, on_yes: Callable[[], None]) -> None:
    """Ask before every lead is rescored (tests replace this to answer yes)."""
    box = dialogs.MessageDialog("question", text, parent, accept_text="Activate")
    box.accepted.connect(on_yes)
    box.show_modal()


def _version_text(info: store.ModelInfo) -> str:
    when: datetime = info.activated_at or info.created_at
    return f"{STATE_NAMES.get(info.state, info.state)} · {when:%d %b %H:%M} · {info.name}"


class CompareDialog(QDialog):
    """What changes between the active model and the version shown, one line per change."""

    def __init__(self, title: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare with the active model")
        self.list = QListWidget()
        self.list.addItems(lines or ["No differences: this version scores like the active one."])
        self.list.setMinimumSize(560, 300)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.adjustSize()


class ScoringPage(QWidget):
    """The rule editor beside a live preview of the draft on the team's leads."""

    scores_changed = Signal()  # a model was activated: every lead has new scores
    open_lead_requested = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.worker: Worker | None = None
        self._values: dict[str, list[str]] = {}
        self._activities: list[tuple[str, str | None]] = []
        self._versions: list[store.ModelInfo] = []
        self.preview: DraftPreview | None = None
        self._preview_of: dict[str, object] | None = None  # the model the preview is about
        self.session = EditSession(db, self)
        self.runner = PreviewRunner(db, self)

        self._build_header()
        self.settings_panel = ModelSettings(self.session)
        self.fit_model = RuleTableModel(self.session, "fit", self)
        self.engagement_model = RuleTableModel(self.session, "engagement", self)
        self.activity_model = ActivityTableModel(self.session, self)
        widths = {0: 36, 1: 120, 2: 100, 4: 64}
        self.fit_panel = RulesPanel(
            self.fit_model,
            RuleDelegate(self.fit_model, self.values, self),
            lambda m: editing.new_rule(self.session.registry, "fit", self.values("job_title")),
            "No fit rules yet. Add one to give points for who the lead is "
            "(job title, company size, country…).",
            widths,
            (3, 5),
        )
        self.engagement_panel = RulesPanel(
            self.engagement_model,
            RuleDelegate(self.engagement_model, self.values, self),
            lambda m: editing.new_rule(self.session.registry, "engagement"),
            "No engagement rules yet. Add one to give points for what the lead did "
            "(page views, email clicks, forms…).",
            widths,
            (3, 5),
        )
        self.activity_panel = RulesPanel(
            self.activity_model,
            ActivityDelegate(self.activity_model, self.activity_choices, self),
            lambda m: editing.new_activity_rule(m.activity_rules),
            "No activity rules yet. Add one to give points for calls, meetings and other "
            "logged activities.",
            {0: 36, 1: 190, 2: 90, 3: 100, 4: 80},
        )
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for panel in (self.fit_panel, self.engagement_panel, self.activity_panel):
            self.tabs.addTab(panel, "")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(PROBLEM_STYLE)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.hide()

        editor = QWidget()
        left = QVBoxLayout(editor)
        left.setContentsMargins(0, 0, 12, 0)
        left.addWidget(self.settings_panel)
        left.addSpacing(4)
        left.addWidget(self.tabs, 1)
        left.addWidget(self.problems)
        self.preview_panel = PreviewPanel()
        self.preview_panel.setMinimumWidth(380)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(editor)
        splitter.addWidget(self.preview_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 440])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 12)
        layout.setSpacing(8)
        layout.addLayout(self.header)
        layout.addLayout(self.note_row)
        layout.addWidget(splitter, 1)

        self.session.changed.connect(self._model_changed)
        self.session.version_changed.connect(self._version_changed)
        self.session.save_state_changed.connect(self.save_state.setText)
        self.runner.ready.connect(self._preview_ready)
        self.runner.failed.connect(self._preview_failed)
        self.runner.busy_changed.connect(self._busy_changed)
        self.preview_panel.threshold_moved.connect(self._threshold_dragged)
        self.preview_panel.open_lead_requested.connect(self.open_lead_requested)
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _build_header(self) -> None:
        self.versions = QComboBox()
        self.versions.setMinimumWidth(260)
        self.versions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.versions.setToolTip("Every saved version of the model: drafts, active, archived")
        self.versions.activated.connect(self._version_picked)
        self.state_badge = QLabel()
        self.menu = QMenu(self)
        self.new_draft_action = self.menu.addAction("New draft from the active model")
        self.new_draft_action.triggered.connect(lambda: self.new_draft_from_active())
        templates = self.menu.addMenu("New draft from a template")
        for key, make in TEMPLATES.items():
            action = templates.addAction(make().name)
            action.triggered.connect(partial(self.new_from_template, key))
        self.menu.addSeparator()
        self.menu.addAction("Import from JSON…").triggered.connect(lambda: self.import_json())
        self.menu.addAction("Export to JSON…").triggered.connect(lambda: self.export_json())
        self.menu.addSeparator()
        self.compare_action = self.menu.addAction("Compare with the active model…")
        self.compare_action.triggered.connect(lambda: self.compare_with_active())
        versions_button = QToolButton()
        versions_button.setText("Versions")
        versions_button.setMenu(self.menu)
        versions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        versions_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        versions_button.setMinimumHeight(30)

        stack = self.session.undo_stack
        self.undo_action = stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        undo_button, redo_button = QToolButton(), QToolButton()
        for action, button in ((self.undo_action, undo_button), (self.redo_action, redo_button)):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            button.setDefaultAction(action)
            button.setMinimumHeight(30)
        undo_button.setToolTip("Undo (Ctrl+Z)")
        redo_button.setToolTip("Redo (Ctrl+Shift+Z)")
        # The buttons read "Undo"/"Redo"; the action's text (what would be undone) is a tip.
        stack.undoTextChanged.connect(lambda t: undo_button.setToolTip(f"Undo {t} (Ctrl+Z)"))
        stack.redoTextChanged.connect(lambda t: redo_button.setToolTip(f"Redo {t} (Ctrl+Shift+Z)"))
        for button in (undo_button, redo_button):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        stack.undoTextChanged.connect(lambda _t: undo_button.setText("Undo"))
        stack.redoTextChanged.connect(lambda _t: redo_button.setText("Redo"))
        undo_button.setText("Undo")
        redo_button.setText("Redo")

        self.activate_button = QPushButton("Activate…")
        self.activate_button.setMinimumHeight(30)
        self.activate_button.setStyleSheet(
            f"QPushButton {{ background: {theme.ACCENT}; color: white; border: none;"
            " border-radius: 6px; padding: 5px 16px; font-weight: bold; }"
            " QPushButton:hover { background: #1d4ed8; }"
            " QPushButton:disabled { background: #cbd5e1; color: #f8fafc; }"
        )
        self.activate_button.clicked.connect(lambda: self.activate())

        self.header = QHBoxLayout()
        self.header.setSpacing(8)
        self.title = theme.heading("", 1.4)
        self.title.setToolTip("The model you are editing")
        self.header.addWidget(self.title)
        self.header.addWidget(self.state_badge)
        self.header.addSpacing(12)
        version = QLabel("&Version")
        version.setBuddy(self.versions)
        self.header.addWidget(version)
        self.header.addWidget(self.versions)
        self.header.addWidget(versions_button)
        self.header.addStretch()
        self.header.addWidget(undo_button)
        self.header.addWidget(redo_button)
        self.header.addSpacing(8)
        self.header.addWidget(self.activate_button)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.save_state = theme.muted()
        self.save_state.setWordWrap(False)
        self.note_row = QHBoxLayout()
        self.note_row.addWidget(self.note, 1)
        self.note_row.addWidget(self.save_state)

    # -- data the editors offer -------------------------------------------------------------
    def values(self, field_name: str) -> list[str]:
        """Values of a field found in the data, read once per refresh."""
        if field_name not in self._values:
            if field_name not in self.session.registry:
                return []
            with self._db.read() as conn:
                self._values[field_name] = editing.field_values(
                    conn, self.session.registry, field_name
                )
        return self._values[field_name]

    def activity_choices(self) -> list[tuple[str, str | None]]:
        if not self._activities:
            with self._db.read() as conn:
                self._activities = editing.activity_choices(conn)
        return self._activities

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Leads or versions changed: read versions and fields again, preview again.

        The edit in progress is kept unless its version is gone or was activated elsewhere.
        """
        self._values.clear()
        self._activities.clear()
        self._preview_of = None  # the leads changed: the last preview is about other data
        with self._db.read() as conn:
            self._versions = store.list_models(conn)
            registry = load_registry(conn)
        current = self.session.version
        still = next((v for v in self._versions if current and v.id == current.id), None)
        if current is None and self.session.model.name and not self._versions:
            self.session.set_registry(registry)  # still the built-in default
        elif still is not None and still.state == current.state:  # type: ignore[union-attr]
            self.session.version = still
            self.session.set_registry(registry)
        else:
            with self._db.read() as conn:
                info = editing.version_to_open(conn)
            self._load(info)
            return
        self._show_versions()
        self._schedule_preview()

    def _load(self, info: store.ModelInfo | None) -> None:
        """Edit another version (None: the built-in default, before any is stored)."""
        self.session.save_now()
        self.runner.stop()
        with self._db.read() as conn:
            self._versions = store.list_models(conn)
            registry = load_registry(conn)
            model = store.active_model(conn)[1] if info is None else store.get_model(conn, info.id)
        self.session.load(info, model, registry)
        self.session.save_state_changed.emit("")

    def load_version(self, model_id: int) -> None:
        with self._db.read() as conn:
            versions = store.list_models(conn)
        info = next((v for v in versions if v.id == model_id), None)
        if info is not None:
            self._load(info)

    def _version_picked(self, row: int) -> None:
        model_id = self.versions.itemData(row)
        current = self.session.version.id if self.session.version else None
        if model_id != current and model_id is not None:
            self.load_version(int(model_id))

    def _show_versions(self) -> None:
        self.versions.blockSignals(True)
        self.versions.clear()
        for info in self._versions:
            self.versions.addItem(_version_text(info), info.id)
        if not self._versions:
            self.versions.addItem(f"Active · built in · {self.session.model.name}", None)
        current = self.session.version
        self.versions.setCurrentIndex(
            max(self.versions.findData(current.id if current else None), 0)
        )
        self.versions.blockSignals(False)
        state = current.state if current else "active"
        self.state_badge.setText(STATE_NAMES.get(state, state))
        self.state_badge.setStyleSheet(
            f"background: {STATE_COLORS.get(state, '#6b7280')}; color: white;"
            " border-radius: 9px; padding: 2px 10px; font-weight: bold;"
        )
        self.note.setText(NOTES.get(state, ""))
        self._show_title()
        self.compare_action.setEnabled(state != "active")
        self._update_activate()

    @property
    def model(self) -> ScoringModel:
        """The model as edited now."""
        return self.session.model

    def _show_title(self) -> None:
        name = self.session.model.name
        metrics = self.title.fontMetrics()
        self.title.setText(metrics.elidedText(name, Qt.TextElideMode.ElideRight, 320))
        self.title.setToolTip(f"The model you are editing: {name}")

    # -- following the session --------------------------------------------------------------
    def _version_changed(self) -> None:
        with self._db.read() as conn:
            self._versions = store.list_models(conn)
        self._show_versions()

    def _model_changed(self) -> None:
        session = self.session
        counts = (
            ("Fit", "fit", len(session.model.fit_rules)),
            ("Engagement", "engagement", len(session.model.engagement_rules)),
            ("Activity", "activity", len(session.model.activity_rules)),
        )
        for tab, (title, group, count) in enumerate(counts):
            flagged = any(key[0] == group for key in session.problems.by_rule)
            self.tabs.setTabText(tab, f"{title} ({count})" + (" ⚠" if flagged else ""))
        messages = session.problems.messages
        if messages:
            shown = "\n".join(f"• {m}" for m in messages[:PROBLEMS_SHOWN])
            more = len(messages) - PROBLEMS_SHOWN
            self.problems.setText(
                "Fix these before the draft can be saved or activated:\n"
                + shown
                + (f"\n…and {more} more (see the highlighted rules)." if more > 0 else "")
            )
        self.problems.setVisible(bool(messages))
        self.preview_panel.set_threshold(session.model.threshold)
        self._update_activate()
        self._schedule_preview()

    def _update_activate(self) -> None:
        version = self.session.version
        state = version.state if version else "active"
        self.activate_button.setText("Reactivate…" if state == "archived" else "Activate…")
        self.activate_button.setEnabled(state != "active" and self.session.valid)
        if state == "active":
            tip = "This version is already active. Change a rule to start a draft."
        elif not self.session.valid:
            tip = "Fix the problems listed under the rules first."
        else:
            tip = "Rescore every lead with this version."
        self.activate_button.setToolTip(tip)

    # -- preview ----------------------------------------------------------------------------
    def _schedule_preview(self) -> None:
        """Preview the model as it is now, only while the page is on screen."""
        if not self.isVisible():
            self.runner.stop()
            return
        if self.session.valid:
            self.runner.schedule(self.session.model)
        else:
            self.runner.stop()
            self.preview_panel.set_status("Paused: fix the problems")

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self.preview_panel.set_status("Updating…")
        elif self.preview is not None:
            self.preview_panel.set_status(f"{self.preview.leads:,} leads")

    def _preview_ready(self, preview: DraftPreview) -> None:
        self.preview = preview
        self._preview_of = self.session.model.to_dict()
        self.preview_panel.show_preview(preview)
        self.preview_panel.set_threshold(self.session.model.threshold)
        self.preview_panel.set_status(f"{preview.leads:,} leads")

    def _preview_failed(self, message: str) -> None:
        self.preview_panel.set_status("Preview not available")
        self.preview_panel.summary.setText(message)

    def _threshold_dragged(self, value: float) -> None:
        self.session.edit(
            "Change the sales-ready threshold",
            lambda m: setattr(m, "threshold", round(value, 1)),
            merge="setting:threshold",
        )

    # -- versions ---------------------------------------------------------------------------
    def _store_new(self, make: Callable[[Any], int]) -> None:
        """Store a new version with ``make(conn)`` and open it; problems are shown."""
        try:
            with self._db.write() as conn:
                model_id = make(conn)
        except LeadDeskError as exc:
            dialogs.show_problem(str(exc), self)
            return
        self.load_version(model_id)

    def new_draft_from_active(self) -> None:
        self._store_new(lambda conn: store.save_model(conn, store.active_model(conn)[1]))

    def new_from_template(self, key: str) -> None:
        model = TEMPLATES[key]()
        self._store_new(lambda conn: store.save_model(conn, model))

    def import_json(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Import a scoring model", str(Path.home()), "Scoring models (*.json)"
            )
            if not name:
                return
            path = Path(name)
        chosen = path
        self._store_new(lambda conn: store.import_model_json(conn, chosen))

    def export_json(self, path: Path | None = None) -> None:
        self.session.save_now()
        version = self.session.version
        if path is None:
            suggested = (self.session.model.name or "scoring-model").replace("/", "-") + ".json"
            name, _ = QFileDialog.getSaveFileName(
                self, "Export the scoring model", str(Path.home() / suggested), "JSON (*.json)"
            )
            if not name:
                return
            path = Path(name)
        try:
            with self._db.read() as conn:
                store.export_model_json(conn, path, version.id if version else None)
        except LeadDeskError as exc:
            dialogs.show_problem(str(exc), self)
            return
        self.save_state.setText(f"Exported to {path.name}.")

    def compare_with_active(self) -> CompareDialog:
        with self._db.read() as conn:
            _id, active = store.active_model(conn)
        lines = compare(active, self.session.model, self.session.registry)
        title = f"From the active model “{active.name}” to “{self.session.model.name}”:"
        dialog = CompareDialog(title, lines, self)
        dialog.open()
        return dialog

    # -- activation -------------------------------------------------------------------------
    def activate(self) -> None:
        """Confirm with the effect on the leads, then rescore every lead with this version."""
        version = self.session.version
        if version is None or version.state == "active" or not self.session.valid:
            return
        if not self.session.save_now():
            dialogs.show_problem("The draft could not be saved, so it cannot be activated.", self)
            return
        model = self.session.model
        if self.preview is not None and self._preview_of == model.to_dict():
            self._confirm(version.id, self.preview)
            return
        self.worker = run_with_progress(
            self,
            preview_job(self._db, model),
            "Working out the effect on your leads…",
            lambda preview: self._confirm(version.id, preview),
        )

    def _confirm(self, model_id: int, preview: DraftPreview) -> None:
        name = self.session.model.name
        text = (
            f"Activate “{name}”?\n\n{preview.summary()}\n\n"
            "Every lead is rescored now; the queue and explanations follow the new scores. "
            "The current active model is kept as an archived version you can reactivate."
        )
        confirm_activation(self, text, lambda: self._run_activation(model_id))

    def _run_activation(self, model_id: int) -> None:
        self.runner.stop()
        self.worker = run_with_progress(
            self,
            store.activate_model(self._db, model_id),
            "Activating the model and rescoring every lead…",
            lambda result: self._activated(model_id, result),
        )

    def _activated(self, model_id: int, result: RescoreResult) -> None:
        self.load_version(model_id)
        self.refresh()
        self.save_state.setText(
            f"Activated. {result.scored:,} leads rescored, {result.changed:,} changed."
        )
        self.scores_changed.emit()

    # -- Qt events --------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._preview_of != self.session.model.to_dict() or self.preview is None:
            self._schedule_preview()

    def hideEvent(self, event: QHideEvent) -> None:
        self.session.save_now()  # leaving the page (or closing the window) keeps the draft
        self.runner.stop()
        super().hideEvent(event)
