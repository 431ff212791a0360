"""The Leads page: the whole database in a table, searched and sorted in SQL."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter
from leaddesk.ui import theme
from leaddesk.ui.models.leads_model import TIER_ROLE, LeadsModel
from leaddesk.ui.widgets.badges import paint_badge
from leaddesk.ui.widgets.empty_state import EmptyState

SEARCH_DELAY_MS = 250
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class ScoreDelegate(QStyledItemDelegate):
    """Draws the score column as a pill in its tier's colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        widget = option.widget
        style = widget.style() if widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        if text:
            rect = option.rect.adjusted(6, 2, -4, -2)
            paint_badge(painter, rect, text, index.data(TIER_ROLE))


class LeadsPage(QWidget):
    """Find leads by name, email, company or part of a phone number."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LeadsModel(db, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, email, company or phone…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(340)
        self.search.textChanged.connect(self._search_later)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.count = theme.muted()
        self.batch: int | None = None
        self.batch_chip = QPushButton()
        self.batch_chip.setFlat(True)
        self.batch_chip.setToolTip("Show all leads again")
        self.batch_chip.setStyleSheet(
            "QPushButton { border: 1px solid rgba(37, 99, 235, 0.5); border-radius: 12px;"
            " padding: 3px 10px; background: rgba(37, 99, 235, 0.08); }"
        )
        self.batch_chip.clicked.connect(lambda: self.show_batch(None))
        self.batch_chip.hide()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setDefaultAlignment(LEFT)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSortIndicator(
            self.model.column_of("score"), Qt.SortOrder.DescendingOrder
        )
        self.table.setItemDelegateForColumn(self.model.column_of("score"), ScoreDelegate(self))
        self._size_columns()

        self.empty = EmptyState(theme.icon("leads"), "", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        bar = QHBoxLayout()
        bar.addWidget(theme.heading("Leads", 1.5))
        bar.addSpacing(16)
        bar.addWidget(self.search)
        bar.addWidget(self.batch_chip)
        bar.addStretch()
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.model.modelReset.connect(self._update_count)
        self._update_count()

    def _size_columns(self) -> None:
        widths = {
            "score": 100, "grade": 60, "first_name": 110, "last_name": 120, "company": 190,
            "job_title": 180, "email": 240, "phone": 150, "country": 70, "status": 95,
        }  # fmt: skip
        for column in range(self.model.columnCount()):
            name = self.model.field_at(column).name
            self.table.setColumnWidth(column, widths.get(name, 140))

    def _search_later(self) -> None:
        self._search_timer.start()

    def apply_search(self) -> None:
        """Filter by the search box now (the box itself waits for a pause in typing)."""
        self._search_timer.stop()
        self.model.set_filter(
            LeadFilter(search=self.search.text().strip(), import_batch=self.batch)
        )

    def show_batch(self, batch_id: int | None, file_name: str = "") -> None:
        """Only the leads one import created or changed (None: all leads again), newest first."""
        self.batch = batch_id
        self.batch_chip.setText(f"Imported from {file_name}  ✕")
        self.batch_chip.setVisible(batch_id is not None)
        self.search.clear()
        self.apply_search()
        self.table.sortByColumn(self.model.column_of("created_at"), Qt.SortOrder.DescendingOrder)
        self.table.scrollToTop()

    def refresh(self) -> None:
        columns = self.model.columnCount()
        self.model.reload()
        if self.model.columnCount() != columns:
            self._size_columns()

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        searching = bool(self.model.lead_filter.search) or self.batch is not None
        self.count.setText(
            f"{rows:,} lead{'' if rows == 1 else 's'}" + (" found" if searching else "")
        )
        if rows:
            self.stack.setCurrentWidget(self.table)
            return
        if self.batch is not None and not self.model.lead_filter.search:
            self.empty.title.setText("No leads from this import")
            self.empty.text.setText(
                "The import was undone, or its leads were deleted since. "
                "Click the “Imported from” button above to see all leads."
            )
        elif searching:
            self.empty.title.setText("No leads match")
            self.empty.text.setText(
                f"Nothing matches “{self.model.lead_filter.search}”. Try part of a name, an "
                "email, a company, or three or more digits of a phone number."
            )
        else:
            self.empty.title.setText("No leads yet")
            self.empty.text.setText(
                "Import a spreadsheet (File ▸ Import…) or load sample data to see your leads here."
            )
        self.stack.setCurrentWidget(self.empty)
