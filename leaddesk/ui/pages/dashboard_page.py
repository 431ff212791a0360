"""The Dashboard page: for now, what it will show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leaddesk.ui import theme
from leaddesk.ui.widgets.empty_state import TEXT_WIDTH, EmptyState

COMING = (
    "how your scores are spread, and where the sales-ready line falls",
    "leads by tier and grade",
    "whether higher scores really convert better, band by band",
    "calls and outcomes per day over the last 30 days",
    "your pipeline by status, and the history of your imports",
)


class DashboardPage(QWidget):
    """A friendly preview of the charts that will live here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = EmptyState(
            theme.icon("dashboard"),
            "Your dashboard is on its way",
            "Soon this page will show, at a glance:",
        )
        items = theme.muted(
            "".join(f"<p style='margin:3px 0'>•&nbsp; {line}</p>" for line in COMING)
        )
        items.setFixedWidth(TEXT_WIDTH - 80)
        items.setFont(theme.scaled_font(items, 1.05))
        closing = theme.muted("Each chart will open the matching leads with one click.")
        closing.setWordWrap(False)
        self.empty.details.addWidget(items, 0, Qt.AlignmentFlag.AlignHCenter)
        self.empty.details.addSpacing(8)
        self.empty.details.addWidget(closing, 0, Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
