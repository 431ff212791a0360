"""A problem of the world in words (too few outcomes, a locked database), in a red that
reads on the palette now, light or dark; hidden while there is none."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from leaddesk.ui import theme

STYLE = "background: rgba(220, 38, 38, 0.10); border-radius: 6px; padding: 8px 10px;"


class ProblemLabel(QLabel):
    """``show_problem(text)`` shows it, an empty text hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._recolor()
        self.hide()

    def show_problem(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def _recolor(self) -> None:
        # The app's palette: the label's own takes its tinted background from the style.
        style = f"{STYLE} color: {theme.bad_color()};"
        if self.styleSheet() != style:  # restyling changes the palette: once is enough
            self.setStyleSheet(style)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolor()
