"""How the window reports trouble: problems of the world as warnings, bugs as logged reports.

A ``LeadDeskError`` carries a message written for the user, so it is shown as is. Anything
else is a bug: its traceback goes to the rotating log in ``paths.log_dir()`` and the user
sees where the log is, then goes on working. Messages are opened window-modal with
``open()`` rather than ``exec()``, so no nested event loop runs inside a slot.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from leaddesk import APP_NAME, paths
from leaddesk.core.errors import LeadDeskError

log = logging.getLogger("leaddesk")

LOG_NAME = "leaddesk.log"


def log_file() -> Path:
    return paths.log_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send LeadDesk's log to a rotating file in the log folder (once per process)."""
    path = log_file()
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def icon_beside(icon: QWidget, text: QWidget) -> QHBoxLayout:
    """A dialog's icon at the top left, its text taking the rest of the row."""
    row = QHBoxLayout()
    row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
    row.addSpacing(12)
    row.addWidget(text, 1)
    return row


def _parent(parent: QWidget | None) -> QWidget | None:
    return parent if parent is not None else QApplication.activeWindow()


_ICONS = {
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "bug": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "question": QStyle.StandardPixmap.SP_MessageBoxQuestion,
}


class MessageDialog(QDialog):
    """A message with an icon, optional details and buttons.

    Unlike ``QMessageBox`` it settles its size before it is shown, so it never resizes
    itself under the platform's feet (which the offscreen platform reports as a warning).
    """

    def __init__(
        self,
        kind: str,
        text: str,
        parent: QWidget | None = None,
        *,
        details: str = "",
        accept_text: str | None = None,
        reject_text: str = "Cancel",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(_ICONS[kind]).pixmap(QSize(48, 48)))
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(380)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setMinimumHeight(160)
        self.buttons = QDialogButtonBox()
        if accept_text is None:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Ok)
        else:
            self.buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
            self.buttons.addButton(reject_text, QDialogButtonBox.ButtonRole.RejectRole)
        if details:
            toggle = self.buttons.addButton("Show details", QDialogButtonBox.ButtonRole.ResetRole)
            toggle.clicked.connect(self.toggle_details)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(icon_beside(icon, self.text))
        layout.addWidget(self.details)
        layout.addWidget(self.buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.adjustSize()

    def toggle_details(self) -> None:
        self.details.setVisible(not self.details.isVisible())
        self.adjustSize()

    def show_modal(self) -> MessageDialog:
        """Show window-modal without a nested event loop, and keep it alive while shown."""
        _SHOWN.add(self)
        self.finished.connect(lambda _: _SHOWN.discard(self))
        self.open()
        return self


_SHOWN: set[MessageDialog] = set()  # parentless dialogs would be collected while open


def show_problem(message: str, parent: QWidget | None = None) -> MessageDialog:
    """A problem of the world: the message says what happened and what to do."""
    return MessageDialog("warning", message, _parent(parent)).show_modal()


def show_bug(error: BaseException, parent: QWidget | None = None) -> MessageDialog:
    """A bug: say it is one, where the details went, and that work can go on."""
    text = (
        "Something went wrong inside LeadDesk. Your data is safe, and you can keep working.\n\n"
        f"The details were written to the log:\n{log_file()}\n\n"
        "If it happens again, please send that file to the LeadDesk team."
    )
    details = "".join(traceback.format_exception(error))
    return MessageDialog("bug", text, _parent(parent), details=details).show_modal()


def report(error: BaseException, parent: QWidget | None = None) -> None:
    """Show ``error`` the way its kind deserves (see the module docstring)."""
    if isinstance(error, LeadDeskError):
        log.info("problem shown to the user: %s", error)
        show_problem(str(error), parent)
    else:
        log.error("bug", exc_info=(type(error), error, error.__traceback__))
        show_bug(error, parent)


class ExceptionHook:
    """``sys.excepthook`` for the GUI: exceptions escaping slots are reported, not fatal."""

    def __init__(self) -> None:
        self._previous = sys.excepthook
        self._reporting = False

    def __call__(
        self,
        kind: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, error, tb)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(tb)
        if self._reporting:  # an error while showing an error: log it, show nothing more
            log.error("bug while reporting a bug", exc_info=(kind, error, tb))
            return
        self._reporting = True
        try:
            report(error)
        finally:
            self._reporting = False

    def install(self) -> ExceptionHook:
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        sys.excepthook = self._previous
