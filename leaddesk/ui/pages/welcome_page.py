"""The first screen of an empty database: what LeadDesk is and the ways to start."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leaddesk import APP_NAME
from leaddesk.ui import theme
from leaddesk.ui.widgets.empty_state import EmptyState


class WelcomePage(QWidget):
    """Shown until the database has leads."""

    import_requested = Signal()
    sample_requested = Signal()
    connect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = EmptyState(
            theme.app_icon(),
            f"Welcome to {APP_NAME}",
            "Bring in your contact list and LeadDesk scores every lead, then lines up "
            "the best ones to call today, one key per call.",
            icon_size=96,
        )
        self.import_button = self.empty.add_button(
            "Import a spreadsheet…",
            self.import_requested.emit,
            primary=True,
        )
        self.sample_button = self.empty.add_button(
            "Try with sample data",
            self.sample_requested.emit,
            icon=theme.icon("sample"),
            primary=False,
        )
        self.connect_button = self.empty.add_button(
            "Connect to a team database…",
            self.connect_requested.emit,
            primary=False,
        )
        self.empty.set_footer(
            "You can also drop an Excel, OpenDocument or CSV file anywhere on this window."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
