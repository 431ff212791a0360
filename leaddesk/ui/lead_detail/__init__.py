"""The lead detail: one lead, whole, edited in place (see ``dialog``)."""

from leaddesk.ui.lead_detail.dialog import LeadDetailDialog

__all__ = ["LeadDetailDialog"]
