"""The model's numbers beside its rules: sales-ready threshold, group caps, grade and tier bands."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QWidget

from leaddesk.core.scoring.model import ScoringModel
from leaddesk.ui.scoring.session import EditSession


def _box(minimum: float, tip: str, special: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(1)
    box.setRange(minimum, 1000)
    box.setSingleStep(5)
    box.setKeyboardTracking(False)  # one edit per number typed, not one per digit
    box.setToolTip(tip)
    if special:
        box.setSpecialValueText(special)
    box.setMinimumWidth(84)
    return box


class ModelSettings(QWidget):
    """Spin boxes that edit the session's threshold, caps and bands as undoable steps."""

    def __init__(self, session: EditSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.threshold = _box(-1000, "A lead with at least this total score is sales-ready.")
        self.fit_cap = _box(0, "Fit points count up to this many (0: no limit).", "no limit")
        self.engagement_cap = _box(
            0, "Engagement points count up to this many (0: no limit).", "no limit"
        )
        self.grades = {g: _box(-1000, f"Fit score from which a lead is grade {g}.") for g in "ABC"}
        self.tiers = {
            t: _box(-1000, f"Total score from which a lead is {t}.") for t in ("Hot", "Warm")
        }
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)

        def place(row: int, column: int, text: str, box: QDoubleSpinBox) -> None:
            label = QLabel(text)
            label.setBuddy(box)
            grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(box, row, column + 1)

        threshold = QLabel("Sales-ready &at")
        threshold.setBuddy(self.threshold)
        grid.addWidget(threshold, 0, 0)
        grid.addWidget(self.threshold, 0, 2)  # in line with the band boxes below
        place(0, 3, "Fit &max", self.fit_cap)
        place(0, 5, "E&ngagement max", self.engagement_cap)
        self._bands_row(grid)
        grid.setColumnStretch(7, 1)

        self.threshold.valueChanged.connect(
            lambda v: self._set("Change the sales-ready threshold", "threshold", v)
        )
        self.fit_cap.valueChanged.connect(
            lambda v: self._set("Change the fit maximum", "fit_cap", v)
        )
        self.engagement_cap.valueChanged.connect(
            lambda v: self._set("Change the engagement maximum", "engagement_cap", v)
        )
        for grade, box in self.grades.items():
            box.valueChanged.connect(lambda v, g=grade: self._band("grade_bands", g, v))
        for tier, box in self.tiers.items():
            box.valueChanged.connect(lambda v, t=tier: self._band("tier_bands", t, v))
        session.changed.connect(self.show_model)
        self.show_model()

    def _bands_row(self, grid: QGridLayout) -> None:
        """Grade bands A, B, C on one line, tier bands Hot, Warm on the next."""
        for row, (title, boxes) in enumerate(
            (("Grade from fit score", self.grades), ("Tier from total score", self.tiers)), 1
        ):
            grid.addWidget(QLabel(title), row, 0)
            for column, (name, box) in enumerate(boxes.items()):
                label = QLabel(name)
                label.setBuddy(box)
                grid.addWidget(label, row, 2 * column + 1, Qt.AlignmentFlag.AlignRight)
                grid.addWidget(box, row, 2 * column + 2)

    def show_model(self) -> None:
        model = self.session.model
        values = [
            (self.threshold, model.threshold),
            (self.fit_cap, model.fit_cap or 0),
            (self.engagement_cap, model.engagement_cap or 0),
            *((box, model.grade_bands.get(g, 0)) for g, box in self.grades.items()),
            *((box, model.tier_bands.get(t, 0)) for t, box in self.tiers.items()),
        ]
        for box, value in values:
            box.blockSignals(True)
            box.setValue(float(value))
            box.blockSignals(False)

    def _set(self, text: str, name: str, value: float) -> None:
        stored: float | None = round(value, 1)
        if name.endswith("_cap") and not stored:
            stored = None
        self._edit(text, name, lambda m: setattr(m, name, stored))

    def _band(self, bands: str, name: str, value: float) -> None:
        text = f"Change the {'grade' if bands == 'grade_bands' else 'tier'} bands"
        self._edit(text, f"{bands}:{name}", lambda m: getattr(m, bands).__setitem__(name, value))

    def _edit(self, text: str, key: str, change: Callable[[ScoringModel], None]) -> None:
        self.session.edit(text, change, merge=f"setting:{key}")
