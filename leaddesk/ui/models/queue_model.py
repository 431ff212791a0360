"""Today's call queue as a list model, and the delegate that draws one entry.

The queue is small (``build_queue`` returns at most a few hundred entries), so the model
holds the entries; logging a call removes one row rather than resetting the list, which
keeps the view's selection and scroll position where the user left them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from leaddesk.core.leads import display_name
from leaddesk.core.queue import QueueEntry
from leaddesk.ui.widgets.badges import badge_size, badge_text, paint_badge

LEAD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
REASON_ROLE = Qt.ItemDataRole.UserRole + 2
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 3
BADGE_ROLE = Qt.ItemDataRole.UserRole + 4
TIER_ROLE = Qt.ItemDataRole.UserRole + 5

_Index = QModelIndex | QPersistentModelIndex


def subtitle(lead: dict[str, Any]) -> str:
    """ "Job title at Company", or whichever of the two is known."""
    title, company = lead.get("job_title"), lead.get("company")
    if title and company:
        return f"{title} at {company}"
    return str(title or company or "")


class QueueModel(QAbstractListModel):
    """The entries of today's queue, in queue order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[QueueEntry] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        lead = entry.lead
        if role == Qt.ItemDataRole.DisplayRole:
            return display_name(lead)
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.reason
        if role == LEAD_ID_ROLE:
            return entry.lead_id
        if role == REASON_ROLE:
            return entry.reason
        if role == SUBTITLE_ROLE:
            return subtitle(lead)
        if role == BADGE_ROLE:
            return badge_text(lead.get("score"), lead.get("tier"))
        if role == TIER_ROLE:
            return lead.get("tier")
        return None

    def set_entries(self, entries: Sequence[QueueEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[QueueEntry]:
        """The entries in queue order (a copy)."""
        return list(self._entries)

    def entry(self, row: int) -> QueueEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, lead_id: int) -> int:
        """The row of ``lead_id``, or -1 when it is not in the queue."""
        return next((i for i, e in enumerate(self._entries) if e.lead_id == lead_id), -1)

    def remove_lead(self, lead_id: int) -> None:
        row = self.row_of(lead_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._entries[row]
            self.endRemoveRows()


class QueueDelegate(QStyledItemDelegate):
    """Two lines per entry (name, then title and company) with the score badge on the right."""

    MARGIN = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(240, 2 * height + 3 * self.MARGIN)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text = option.text
        option.text = ""
        if style is not None:  # the selection and hover background only
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        rect: QRect = option.rect.adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, -self.MARGIN)
        metrics = option.fontMetrics
        badge = str(index.data(BADGE_ROLE) or "")
        badge_width = badge_size(metrics, badge).width()
        painter.save()
        paint_badge(
            painter,
            QRect(rect.right() - badge_width, rect.top(), badge_width, metrics.height() + 6),
            badge,
            index.data(TIER_ROLE),
        )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        name_font = painter.font()
        name_font.setBold(True)
        painter.setFont(name_font)
        bold_metrics = QFontMetrics(name_font)
        line = QRect(rect.left(), rect.top(), rect.width() - badge_width - 8, metrics.height())
        painter.drawText(
            line,
            Qt.AlignmentFlag.AlignLeft,
            bold_metrics.elidedText(text, Qt.TextElideMode.ElideRight, line.width()),
        )
        name_font.setBold(False)
        painter.setFont(name_font)
        if not selected:
            painter.setPen(palette.placeholderText().color())
        second = QRect(
            rect.left(), rect.top() + metrics.height() + 4, rect.width(), metrics.height()
        )
        sub = str(index.data(SUBTITLE_ROLE) or "")
        painter.drawText(
            second,
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(sub, Qt.TextElideMode.ElideRight, second.width()),
        )
        painter.restore()
