"""Small questions the Leads page asks before a bulk action: an owner, a tag, a yes/no."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from leaddesk.ui.dialogs import MessageDialog


class AskText(QDialog):
    """A line to type, with the usual answers offered in its list."""

    def __init__(
        self, title: str, prompt: str, choices: list[str], ok_text: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.box = QComboBox()
        self.box.setEditable(True)
        self.box.addItems(choices)
        self.box.setMinimumWidth(320)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.box.editTextChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(bool(self.box.currentText().strip()))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.box)
        layout.addWidget(buttons)
        self.box.setFocus()
        line = self.box.lineEdit()
        assert line is not None  # the box is editable
        line.selectAll()  # typing replaces the offered answer
        self.adjustSize()

    def text(self) -> str:
        return self.box.currentText().strip()


def ask_text(
    parent: QWidget, title: str, prompt: str, choices: list[str], ok_text: str
) -> str | None:
    """The typed answer, or None if the user cancelled."""
    dialog = AskText(title, prompt, choices, ok_text, parent)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


def confirm(parent: QWidget, text: str, accept_text: str) -> bool:
    dialog = MessageDialog("question", text, parent, accept_text=accept_text)
    return dialog.exec() == QDialog.DialogCode.Accepted
