"""One editing session over one version of the scoring model, with undo and autosave.

Every edit replaces the whole model with a changed copy, and the undo stack keeps the model
before and after. A model is a few dozen rules, so snapshots are cheap, and undo covers every
kind of edit (a cell, a reorder, a band) the same way. The first edit of the active (or an
archived) version stores a draft copy first, so what is live never changes under the user.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from leaddesk.core.db import Database
from leaddesk.core.errors import LeadDeskError
from leaddesk.core.fields import FieldRegistry
from leaddesk.core.scoring import editing, store
from leaddesk.core.scoring.model import ScoringModel, validate

SAVE_DELAY_MS = 700

_MERGE_IDS: dict[str, int] = {}


def _merge_id(key: str | None) -> int:
    """Qt merges commands by an int id; each kind of repeated edit gets its own."""
    if key is None:
        return -1
    return _MERGE_IDS.setdefault(key, len(_MERGE_IDS) + 1)


class _Snapshot(QUndoCommand):
    """The model before and after one edit."""

    def __init__(
        self,
        session: EditSession,
        text: str,
        before: ScoringModel,
        after: ScoringModel,
        key: str | None,
    ) -> None:
        super().__init__(text)
        self._session = session
        self._before = before
        self._after = after
        self._id = _merge_id(key)

    def id(self) -> int:
        return self._id

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Steps of one spin box or one drag become one undo step.
        if not isinstance(other, _Snapshot) or other.id() != self.id():
            return False
        self._after = other._after
        return True

    def redo(self) -> None:
        self._session._show(self._after)

    def undo(self) -> None:
        self._session._show(self._before)


class EditSession(QObject):
    """The model being edited, its version, its problems and its undo history."""

    changed = Signal()  # the model's content changed (an edit, undo, redo or another version)
    version_changed = Signal()  # the edited version is another one (loaded, or a draft copy)
    save_state_changed = Signal(str)  # a sentence about saving, for the page's status line

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.undo_stack = QUndoStack(self)
        self.model = ScoringModel("")
        self.version: store.ModelInfo | None = None
        self.registry = FieldRegistry()
        self.problems = editing.place_problems([])
        self._dirty = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_now)

    # -- reading ----------------------------------------------------------------------------
    @property
    def is_draft(self) -> bool:
        return self.version is not None and self.version.state == "draft"

    @property
    def valid(self) -> bool:
        return not self.problems

    def load(
        self, version: store.ModelInfo | None, model: ScoringModel, registry: FieldRegistry
    ) -> None:
        """Edit ``model`` (stored as ``version``, None for the built-in default) from scratch."""
        self.save_now()
        self.undo_stack.clear()
        self.version = version
        self.registry = registry
        self._dirty = False
        self._show(editing.copy_model(model), save=False)
        self.version_changed.emit()

    def set_registry(self, registry: FieldRegistry) -> None:
        """New custom fields arrived (an import): check the rules against them again."""
        self.registry = registry
        self._show(self.model, save=False)

    # -- editing ----------------------------------------------------------------------------
    def edit(
        self, text: str, change: Callable[[ScoringModel], None], *, merge: str | None = None
    ) -> None:
        """Apply ``change`` to a copy of the model as one undoable step called ``text``.

        ``merge`` names a kind of repeated edit (a spin box's steps) that undo takes back at
        once when the steps follow each other.
        """
        before = editing.copy_model(self.model)
        after = editing.copy_model(self.model)
        change(after)
        if after.to_dict() == before.to_dict():
            return
        if not self.is_draft and not self._start_draft(before):
            return
        self.undo_stack.push(_Snapshot(self, text, before, after, merge))

    def _start_draft(self, model: ScoringModel) -> bool:
        """Store a draft copy of the version shown, before its first change."""
        model_id = self.version.id if self.version is not None else None
        try:
            with self._db.write() as conn:
                draft_id = editing.editable_version(conn, model_id, model)
                self.version = next(m for m in store.list_models(conn) if m.id == draft_id)
        except LeadDeskError as exc:
            self.save_state_changed.emit(f"Could not start a draft: {exc}")
            return False
        self.version_changed.emit()
        return True

    def _show(self, model: ScoringModel, *, save: bool = True) -> None:
        self.model = editing.copy_model(model)
        self.problems = editing.place_problems(validate(self.model, self.registry))
        if save:
            self._dirty = True
            self._save_timer.start()
            self._report_save_state()
        self.changed.emit()

    # -- saving -----------------------------------------------------------------------------
    def save_now(self) -> bool:
        """Write pending changes to the draft; False while they cannot be saved (invalid)."""
        self._save_timer.stop()
        if not self._dirty or not self.is_draft or self.version is None:
            return not self._dirty
        if not self.valid:
            self._report_save_state()
            return False
        try:
            with self._db.write() as conn:
                store.update_draft(conn, self.version.id, self.model)
        except LeadDeskError as exc:
            self.save_state_changed.emit(f"Your changes could not be saved: {exc}")
            return False
        self._dirty = False
        self._report_save_state()
        return True

    def _report_save_state(self) -> None:
        if not self._dirty:
            text = "All changes saved to the draft."
        elif not self.valid:
            text = "Not saved: fix the problems first."
        else:
            text = "Saving…"
        self.save_state_changed.emit(text)
