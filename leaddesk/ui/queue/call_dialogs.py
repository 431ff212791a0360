"""The questions some outcomes ask before they are logged: when to call back, why it was lost.

Each one is answered with the keyboard: Enter accepts what is offered, Esc logs nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.queue import place
from leaddesk.ui import theme

LOST_REASONS = (
    "Not interested",
    "Already has a supplier",
    "No budget",
    "Bad timing",
    "Not the decision maker",
    "Too small",
)


def qt_zone(zone: tzinfo) -> QTimeZone:
    name = getattr(zone, "key", None)  # ZoneInfo's IANA name
    if name and QTimeZone.isTimeZoneIdAvailable(name.encode()):
        return QTimeZone(name.encode())
    return QTimeZone.utc()


class CallbackDialog(QDialog):
    """Connected: when to call back, in the lead's local time (as the person said it)."""

    NO_CALLBACK = 2  # the dialog's result when the rep wants no callback

    def __init__(
        self,
        name: str,
        offered: datetime,
        lead_zone: tzinfo,
        user_zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Call back")
        self._lead_zone, self._user_zone = lead_zone, user_zone
        self.when = QDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setTimeZone(qt_zone(lead_zone))
        self.when.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(offered.timestamp())))
        self.when.setMinimumDateTime(QDateTime.currentDateTime())
        self.yours = theme.muted()
        self.when.dateTimeChanged.connect(self._show_your_time)
        form = QFormLayout()
        form.addRow(f"Their time ({place(lead_zone)}):", self.when)
        form.addRow("", self.yours)
        buttons = QDialogButtonBox()
        schedule = buttons.addButton("Schedule callback", QDialogButtonBox.ButtonRole.AcceptRole)
        schedule.setDefault(True)
        none = buttons.addButton("No callback", QDialogButtonBox.ButtonRole.ActionRole)
        none.clicked.connect(lambda: self.done(self.NO_CALLBACK))
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"When should you call {name} back?"))
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._show_your_time()
        self.adjustSize()  # settle the size before the window exists

    def callback(self) -> datetime:
        """The chosen moment, in UTC."""
        return datetime.fromtimestamp(self.when.dateTime().toSecsSinceEpoch(), UTC)

    def _show_your_time(self) -> None:
        yours = self.callback().astimezone(self._user_zone)
        theirs = self.callback().astimezone(self._lead_zone)
        same = yours.utcoffset() == theirs.utcoffset()
        self.yours.setText("" if same else f"That is {yours:%a %d %b, %H:%M} your time.")
        self.yours.setVisible(not same)


class LostReasonDialog(QDialog):
    """Not interested: the reason, picked or typed, stored as the lead's lost reason."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Not interested")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(LOST_REASONS)
        self.reason.setMinimumWidth(280)
        line = self.reason.lineEdit()
        assert line is not None  # an editable combo box has one
        line.returnPressed.connect(self.accept)  # Enter picks the reason, as in any form
        line.selectAll()  # typing replaces the reason offered
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Mark as lost")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Why is {name} not interested? The lead will be marked lost."))
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.adjustSize()  # settle the size before the window exists

    def text(self) -> str:
        return self.reason.currentText().strip() or LOST_REASONS[0]
