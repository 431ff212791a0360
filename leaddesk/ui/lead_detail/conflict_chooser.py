"""When a colleague saved the lead while the user was editing it: both values side by side,
field by field, and the user picks which to keep. Nothing of theirs is overwritten unseen.

``core.lead_record.rebase`` decides which fields conflict; this dialog only asks.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.fields import Field, FieldRegistry
from leaddesk.core.lead_record import FieldConflict, Rebased
from leaddesk.ui import theme
from leaddesk.ui.formatting import format_value
from leaddesk.ui.lead_detail.parts import local_text, secondary

CHOICE_WIDTH = 280  # a long note is cut to this; the whole text is its tooltip


def value_text(field: Field, value: Any, zone: tzinfo) -> str:
    """A value as both people would recognise it; "(empty)" for none."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, datetime):
        return local_text(value, zone)
    if field.name == "status":
        return str(value).capitalize()
    return format_value(value, field)


def _labels(fields: list[Field]) -> str:
    return ", ".join(f.label for f in fields)


class ConflictChooser(QDialog):
    """Mine or theirs for each field both people changed; "Save my choices" saves."""

    def __init__(
        self,
        name: str,
        rebased: Rebased,
        registry: FieldRegistry,
        zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Someone else changed this lead")
        self._conflicts = rebased.conflicts
        self._mine: list[QRadioButton] = []
        intro = QLabel(
            f"Someone else saved {name} while you were editing. "
            "Choose the value to keep for each field you both changed."
        )
        intro.setWordWrap(True)
        notes = []
        if rebased.theirs_only:
            notes.append(f"They also changed {_labels(rebased.theirs_only)}: kept as they are.")
        if rebased.changes:
            mine_only = [registry.get(name) for name in rebased.changes]
            notes.append(f"Your other changes ({_labels(mine_only)}) are saved as you made them.")
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        grid.addWidget(theme.heading("Field", 1.0), 0, 0)
        grid.addWidget(theme.heading("Yours", 1.0), 0, 1)
        grid.addWidget(theme.heading("Theirs (saved)", 1.0), 0, 2)
        for row, conflict in enumerate(rebased.conflicts, 1):
            self._add_row(grid, row, conflict, zone)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        buttons = QDialogButtonBox()
        save = buttons.addButton("Save my choices", QDialogButtonBox.ButtonRole.AcceptRole)
        save.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for note in notes:
            layout.addWidget(secondary(QLabel(note)))
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.adjustSize()  # settle the size before the window exists

    def _add_row(self, grid: QGridLayout, row: int, conflict: FieldConflict, zone: tzinfo) -> None:
        group = QButtonGroup(self)
        mine = self._choice(value_text(conflict.field, conflict.mine, zone))
        theirs = self._choice(value_text(conflict.field, conflict.theirs, zone))
        theirs.setChecked(True)  # what is saved stays unless the user picks their own
        group.addButton(mine)
        group.addButton(theirs)
        grid.addWidget(QLabel(conflict.field.label), row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(mine, row, 1)
        grid.addWidget(theirs, row, 2)
        self._mine.append(mine)

    @staticmethod
    def _choice(text: str) -> QRadioButton:
        button = QRadioButton()
        one_line = " ".join(text.split())
        elided = Qt.TextElideMode.ElideRight
        button.setText(button.fontMetrics().elidedText(one_line, elided, CHOICE_WIDTH))
        button.setToolTip(text)
        return button

    def mine_buttons(self) -> list[QRadioButton]:
        """The "yours" choice of each conflicting field, in order."""
        return list(self._mine)

    def chosen(self) -> dict[str, Any]:
        """The fields where the user keeps their own value, with that value."""
        return {
            conflict.field.name: conflict.mine
            for conflict, button in zip(self._conflicts, self._mine, strict=True)
            if button.isChecked()
        }
