"""The top of the lead detail: who the lead is, at a glance, and its score badge."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QWidget

from leaddesk.core.leads import display_name
from leaddesk.ui import theme
from leaddesk.ui.formatting import format_value
from leaddesk.ui.lead_detail.parts import ElidedLabel, local_text, secondary
from leaddesk.ui.models.queue_model import subtitle
from leaddesk.ui.widgets.badges import ScoreBadge


def place(lead: dict[str, Any]) -> str:
    """ "Barcelona, ES", or whichever of the two is known."""
    return ", ".join(str(p) for p in (lead.get("city"), lead.get("country")) if p)


def facts(lead: dict[str, Any], zone: tzinfo) -> str:
    """What LeadDesk keeps about the work with the lead, that nobody edits by hand."""
    parts = []
    if lead.get("created_at"):
        parts.append(f"Added {local_text(lead['created_at'], zone)}")
    attempts = int(lead.get("attempts") or 0)
    if lead.get("last_contacted_at"):
        calls = f"{attempts} call attempt{'' if attempts == 1 else 's'}, " if attempts else ""
        parts.append(f"{calls}last contacted {format_value(lead['last_contacted_at'])}")
    else:
        parts.append("Never contacted")
    if lead.get("updated_at"):
        parts.append(f"updated {format_value(lead['updated_at'])}")
    return " · ".join(parts)


class LeadHeader(QWidget):
    """Name (large), title, company and place, the bookkeeping facts, and the score badge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = ElidedLabel()
        self.name.setFont(theme.scaled_font(self.name, 1.7, bold=True))
        self.subtitle = secondary(ElidedLabel())
        self.subtitle.setFont(theme.scaled_font(self.subtitle, 1.1))
        self.facts = secondary(ElidedLabel())
        self.badge = ScoreBadge()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(
            self.badge, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        grid.addWidget(self.subtitle, 1, 0, 1, 2)
        grid.addWidget(self.facts, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    def show_lead(self, lead: dict[str, Any], zone: tzinfo) -> None:
        self.name.set_full_text(display_name(lead))
        self.subtitle.set_full_text(" · ".join(p for p in (subtitle(lead), place(lead)) if p))
        self.facts.set_full_text(facts(lead, zone))
        self.badge.set_score(lead.get("score"), lead.get("tier"), lead.get("grade"))
