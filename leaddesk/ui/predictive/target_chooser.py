"""What the model learns to predict: won versus lost, or a yes/no field of the leads."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QWidget

from leaddesk.core.scoring.predictive.target import Target

STATUS_TEXT = "Won versus lost"


def target_text(target: Target) -> str:
    return STATUS_TEXT if target.is_status else f"{target.label}: yes versus no"


class TargetChooser(QComboBox):
    """The targets the data allows; ``field()`` names the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip("What the model learns to predict")
        self.setAccessibleName("Predict")
        self.targets: list[Target] = []

    def set_targets(self, targets: Sequence[Target], chosen: str | None) -> None:
        """Offer ``targets``, keeping the one chosen (by field) when it is still there."""
        chosen = chosen if chosen is not None else self.field()
        self.blockSignals(True)
        self.clear()
        self.targets = list(targets)
        for target in self.targets:
            self.addItem(target_text(target), target.field)
        self.setCurrentIndex(max(self.findData(chosen), 0))
        self.blockSignals(False)

    def field(self) -> str | None:
        """The chosen target's field ("status" for won versus lost)."""
        data = self.currentData()
        return str(data) if data is not None else None
