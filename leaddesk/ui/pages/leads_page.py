"""The Leads page: the whole database in a table, searched, filtered and sorted in SQL.

Above the table: the search box, the saved views, the column chooser and the filter bar.
When leads are selected, a bar offers bulk actions on them (or on every matching lead);
each bulk action can be undone from the message that reports it, or with Ctrl+Z.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.bulk import BulkAction, BulkResult, apply_bulk, last_undoable, undo_bulk
from leaddesk.core.db import Database
from leaddesk.core.errors import LeadDeskError
from leaddesk.core.leads import LeadFilter, common_values
from leaddesk.core.saved_views import SavedView, delete_view, load_views, save_view
from leaddesk.core.scoring.sql import RescoreResult, rescore_job
from leaddesk.ui import dialogs, theme
from leaddesk.ui.leads.ask import ask_text, confirm
from leaddesk.ui.leads.bulk_bar import BulkBar
from leaddesk.ui.leads.filter_bar import FilterBar
from leaddesk.ui.models.leads_model import LEAD_ID_ROLE, TIER_ROLE, LeadsModel
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.widgets.badges import paint_badge
from leaddesk.ui.widgets.empty_state import EmptyState
from leaddesk.ui.workers import Worker, call_job, run_with_progress

SEARCH_DELAY_MS = 250
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALL_LEADS = "All leads"
WIDTHS = {
    "score": 100, "probability": 100, "grade": 60, "first_name": 110, "last_name": 120,
    "company": 190, "job_title": 180, "email": 240, "phone": 150, "country": 70, "status": 95,
}  # fmt: skip


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
    """Find leads, look at one, and act on many."""

    leads_changed = Signal()
    open_lead_requested = Signal(int)
    export_requested = Signal(object, str)  # the leads (a LeadFilter) and their description

    def __init__(
        self, db: Database, preferences: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.preferences = preferences
        self.model = LeadsModel(db, self)
        self.model.set_columns(preferences.leads_columns)
        self.worker: Worker | None = None
        self.batch: int | None = None
        self._undo_id: int | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, email, company or phone…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        self.search.textChanged.connect(self._search_later)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.views = QComboBox()
        self.views.setMinimumWidth(220)
        self.views.setToolTip("Saved views: a filter and a sort the whole team shares")
        self.views.activated.connect(self._view_chosen)
        self.view_menu_button = QToolButton()
        self.view_menu_button.setText("Views")
        self.view_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        view_menu = QMenu(self.view_menu_button)
        view_menu.addAction("Save as view…", self.save_current_view)
        self.delete_view_action = view_menu.addAction("Delete this view", self.delete_current_view)
        self.view_menu_button.setMenu(view_menu)
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setMenu(QMenu(self.columns_button))
        self.columns_button.menu().aboutToShow.connect(
            lambda: self._fill_column_menu(self.columns_button.menu())
        )
        self.count = theme.muted()
        self.count.setWordWrap(False)
        self.batch_chip = QPushButton()
        self.batch_chip.setFlat(True)
        self.batch_chip.setToolTip("Show all leads again")
        self.batch_chip.setStyleSheet(
            "QPushButton { border: 1px solid rgba(37, 99, 235, 0.5); border-radius: 12px;"
            " padding: 3px 10px; background: rgba(37, 99, 235, 0.08); }"
        )
        self.batch_chip.clicked.connect(lambda: self.show_batch(None))
        self.batch_chip.hide()
        self.filters = FilterBar(self._common_values)
        self.filters.changed.connect(lambda _: self._apply())
        self.bulk_bar = BulkBar()
        self.bulk_bar.requested.connect(self.run_bulk)
        self.bulk_bar.select_all_requested.connect(self.select_all)
        self.bulk_bar.hide()
        self.message = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo_last)
        message_row = QHBoxLayout()
        message_row.setContentsMargins(0, 0, 0, 0)
        message_row.addWidget(self.message)
        message_row.addWidget(self.undo_button)
        message_row.addStretch()
        self.message_bar = QWidget()
        self.message_bar.setLayout(message_row)
        self.message_bar.hide()

        self.score_delegate = ScoreDelegate(self)  # one, moved to wherever the score column is
        self.table = self._make_table()
        self.empty = EmptyState(theme.icon("leads"), "", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        bar = QHBoxLayout()
        bar.addWidget(theme.heading("Leads", 1.5))
        bar.addSpacing(16)
        bar.addWidget(self.search, 2)
        bar.addWidget(self.views, 1)
        bar.addWidget(self.view_menu_button)
        bar.addWidget(self.batch_chip)
        bar.addStretch()
        bar.addWidget(self.count)
        bar.addWidget(self.columns_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addLayout(bar)
        layout.addWidget(self.filters)
        layout.addWidget(self.bulk_bar)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.stack, 1)
        self.model.modelReset.connect(self._after_reset)
        for key, slot in ((QKeySequence.StandardKey.Undo, self.undo_last),
                          (QKeySequence.StandardKey.Find, self.search.setFocus)):  # fmt: skip
            shortcut = QShortcut(key, self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._load_views()
        self._after_reset()

    # -- the table ------------------------------------------------------------------------
    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(30)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(LEFT)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        header.sectionMoved.connect(self._column_moved)
        header.sectionResized.connect(self._column_resized)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._row_menu)
        table.doubleClicked.connect(self._open_index)
        table.activated.connect(self._open_index)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        return table

    def _after_reset(self) -> None:
        """The model was read again: columns, sort indicator, delegate, count and empty state."""
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        widths = self.preferences.leads_column_widths
        for column, name in enumerate(self.model.column_names()):
            self.table.setColumnWidth(column, widths.get(name, WIDTHS.get(name, 140)))
            self.table.setItemDelegateForColumn(column, None)  # type: ignore[arg-type]
        header.blockSignals(False)
        if "score" in self.model.column_names():
            self.table.setItemDelegateForColumn(self.model.column_of("score"), self.score_delegate)
        order_by, descending = self.model.sort_key()
        if order_by in self.model.column_names():
            header.setSortIndicator(
                self.model.column_of(order_by),
                Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
            )
        self._update_count()
        self._selection_changed()

    def _column_moved(self, _logical: int, _old: int, _new: int) -> None:
        header = self.table.horizontalHeader()
        names = self.model.column_names()
        ordered = [names[header.logicalIndex(v)] for v in range(header.count())]
        self._set_columns(ordered)

    def _column_resized(self, column: int, _old: int, new: int) -> None:
        widths = self.preferences.leads_column_widths
        widths[self.model.field_at(column).name] = new
        self.preferences.leads_column_widths = widths

    def _set_columns(self, names: list[str]) -> None:
        self.preferences.leads_columns = names
        self.model.set_columns(names)

    def _header_menu(self, point: QPoint) -> None:
        menu = QMenu(self)
        self._fill_column_menu(menu)
        menu.popup(self.table.horizontalHeader().mapToGlobal(point))

    def _fill_column_menu(self, menu: QMenu) -> None:
        """Every field in the registry, ticked when shown; ticking adds it at the end."""
        menu.clear()
        shown = self.model.column_names()
        for field in self.model.registry:
            if not field.stored:
                continue
            action = QAction(field.label + (" (custom)" if field.custom else ""), menu)
            action.setCheckable(True)
            action.setChecked(field.name in shown)
            action.setEnabled(len(shown) > 1 or field.name not in shown)
            action.toggled.connect(lambda on, name=field.name: self._toggle_column(name, on))
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("Reset columns", lambda: self._set_columns_default())

    def _toggle_column(self, name: str, on: bool) -> None:
        shown = self.model.column_names()
        self._set_columns([*shown, name] if on else [n for n in shown if n != name])

    def _set_columns_default(self) -> None:
        self.preferences.leads_columns = None
        self.preferences.leads_column_widths = {}
        self.model.set_columns(None)

    # -- search, filters and views --------------------------------------------------------
    def _search_later(self) -> None:
        self._search_timer.start()

    def apply_search(self) -> None:
        """Filter by the search box now (the box itself waits for a pause in typing)."""
        self._search_timer.stop()
        self._apply()

    def current_filter(self) -> LeadFilter:
        return replace(
            self.filters.lead_filter, search=self.search.text().strip(), import_batch=self.batch
        )

    def _apply(self) -> None:
        self.model.set_filter(self.current_filter())

    def show_filter(self, lead_filter: LeadFilter, description: str = "") -> None:
        """Show the leads ``lead_filter`` matches (a dashboard click, a view)."""
        self.batch = None
        self.batch_chip.hide()
        self.search.blockSignals(True)
        self.search.setText(lead_filter.search)
        self.search.blockSignals(False)
        self.filters.set_filter(replace(lead_filter, search="", import_batch=None))
        self.views.setCurrentIndex(0)
        self._apply()
        if description:
            self._say(f"Showing {description}.", undo=False)
        self.table.scrollToTop()

    def _common_values(self, field: str) -> list[tuple[str, int]]:
        with self.db.read() as conn:
            return common_values(conn, field)

    def _load_views(self) -> None:
        with self.db.read() as conn:
            self._views = load_views(conn)
        current = self.views.currentText()
        self.views.clear()
        self.views.addItem(ALL_LEADS)
        for view in self._views:
            self.views.addItem(view.name)
        self.views.setCurrentIndex(max(0, self.views.findText(current)))
        self.delete_view_action.setEnabled(self.views.currentIndex() > 0)
        custom = [(f.name, f.label) for f in self.model.registry.custom]
        self.filters.set_custom_fields(custom)

    def _view_chosen(self, index: int) -> None:
        view = self._views[index - 1] if index > 0 else SavedView(ALL_LEADS)
        self.delete_view_action.setEnabled(index > 0)
        self.batch = None
        self.batch_chip.hide()
        self.search.blockSignals(True)
        self.search.setText(view.filter.search)
        self.search.blockSignals(False)
        self.filters.set_filter(replace(view.filter, search=""))
        self.model.set_sort(view.order_by, view.descending)
        self._apply()

    def save_current_view(self, name: str | None = None) -> None:
        if name is None:
            current = self.views.currentText() if self.views.currentIndex() > 0 else ""
            name = ask_text(self, "Save view", "Name of the view:", [current] if current else [],
                            "Save")  # fmt: skip
            if not name:
                return
        order_by, descending = self.model.sort_key()
        view = SavedView(
            name, replace(self.current_filter(), import_batch=None), order_by, descending
        )
        try:
            with self.db.write() as conn:
                save_view(conn, view)
        except LeadDeskError as exc:
            dialogs.show_problem(str(exc), self)
            return
        self._load_views()
        self.views.setCurrentIndex(self.views.findText(view.name.strip()))
        self.delete_view_action.setEnabled(True)

    def delete_current_view(self) -> None:
        if self.views.currentIndex() <= 0:
            return
        with self.db.write() as conn:
            delete_view(conn, self.views.currentText())
        self.views.setCurrentIndex(0)
        self._load_views()

    def show_batch(self, batch_id: int | None, file_name: str = "") -> None:
        """Only the leads one import created or changed (None: all leads again), newest first."""
        self.batch = batch_id
        self.batch_chip.setText(f"Imported from {file_name}  ✕")
        self.batch_chip.setVisible(batch_id is not None)
        self.search.clear()
        self.filters.set_filter(LeadFilter())
        self.views.setCurrentIndex(0)
        self.model.set_sort("created_at", True)
        self.apply_search()
        self.table.scrollToTop()

    def refresh(self) -> None:
        self.model.reload()
        self._load_views()

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        f = self.model.lead_filter
        searching = not f.is_empty()
        self.count.setText(
            f"{rows:,} lead{'' if rows == 1 else 's'}" + (" found" if searching else "")
        )
        if rows:
            self.stack.setCurrentWidget(self.table)
            return
        if self.batch is not None and replace(f, import_batch=None).is_empty():
            self.empty.title.setText("No leads from this import")
            self.empty.text.setText(
                "The import was undone, or its leads were deleted since. "
                "Click the “Imported from” button above to see all leads."
            )
        elif searching and f.search:
            self.empty.title.setText("No leads match")
            self.empty.text.setText(
                f"Nothing matches “{f.search}”. Try part of a name, an email, a company, "
                "or three or more digits of a phone number."
            )
        elif searching:
            self.empty.title.setText("No leads match these filters")
            self.empty.text.setText("Loosen a filter above, or click “Clear filters”.")
        else:
            self.empty.title.setText("No leads yet")
            self.empty.text.setText(
                "Import a spreadsheet (File ▸ Import…) or load sample data to see your leads here."
            )
        self.stack.setCurrentWidget(self.empty)

    # -- selection and bulk actions -------------------------------------------------------
    def _ranges(self) -> list[tuple[int, int]]:
        selection = self.table.selectionModel().selection()
        ranges = (selection.at(i) for i in range(selection.count()))
        rows = sorted((r.top(), r.bottom()) for r in ranges)
        merged: list[tuple[int, int]] = []
        for top, bottom in rows:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]))
            else:
                merged.append((top, bottom))
        return merged

    def selected_count(self) -> int:
        return sum(bottom - top + 1 for top, bottom in self._ranges())

    def _selection_changed(self, *_: QItemSelection) -> None:
        selected = self.selected_count()
        self.bulk_bar.setVisible(selected > 0)
        if selected:
            filtered = not self.model.lead_filter.is_empty()
            self.bulk_bar.show_selection(selected, self.model.rowCount(), filtered)

    def select_all(self) -> None:
        self.table.selectAll()

    def selection_filter(self) -> tuple[LeadFilter, str]:
        """The selected leads as a filter: the page's own when every lead is selected."""
        selected = self.selected_count()
        if selected and selected == self.model.rowCount():
            f = self.model.lead_filter
            return f, f"all {selected:,} {'matching ' if not f.is_empty() else ''}leads"
        ids = self.model.ids_of(self._ranges())
        return LeadFilter(
            ids=tuple(ids)
        ), f"{len(ids):,} selected lead{'' if len(ids) == 1 else 's'}"

    def run_bulk(self, kind: str, value: Any = None) -> None:
        """Do ``kind`` to the selected leads, asking first what a bulk action needs."""
        if not self.selected_count():
            return
        lead_filter, described = self.selection_filter()
        if kind == "export":
            self.export_requested.emit(lead_filter, described)
            return
        if kind == "rescore":
            ids = self.model.ids_of(self._ranges())
            self.worker = run_with_progress(
                self, rescore_job(self.db, ids), "Rescoring…", self._rescored
            )
            return
        if kind == "owner":
            owners = [self.preferences.rep_name] + [v for v, _ in self._common_values("owner")]
            value = ask_text(self, "Assign", f"Assign {described} to:", list(dict.fromkeys(owners)),
                             "Assign")  # fmt: skip
        elif kind == "tag":
            tags = [v for v, _ in self._common_values("tags")][:20]
            value = ask_text(self, "Add tag", f"Tag to add to {described}:", tags, "Add tag")
        elif kind == "do_not_call":
            value = True
        elif kind == "delete":
            text = f"Delete {described}? Their calls and history go too. You can undo this."
            value = True if confirm(self, text, "Delete") else None
        if value is None:
            return
        action = BulkAction(kind, value)  # type: ignore[arg-type]
        self.worker = run_with_progress(
            self,
            apply_bulk(self.db, lead_filter, action, rep=self.preferences.rep_name),
            action.describe(self.selected_count()) + "…",
            self._bulk_done,
        )

    def _bulk_done(self, result: BulkResult) -> None:
        self._undo_id = result.edit_id
        self._say(result.summary + ".", undo=result.edit_id is not None)
        self.table.clearSelection()
        self.model.reload()
        self.leads_changed.emit()

    def _rescored(self, result: RescoreResult) -> None:
        self._say(f"Rescored {result.scored:,} leads; {result.changed:,} changed.", undo=False)
        self.model.reload()
        self.leads_changed.emit()

    def undo_last(self) -> None:
        """Undo the newest bulk edit (the one the message offers, or an older one)."""
        edit_id = self._undo_id
        if edit_id is None:
            with self.db.read() as conn:
                last = last_undoable(conn)
            if last is None:
                self._say("Nothing to undo.", undo=False)
                return
            edit_id = last["id"]
        self.worker = run_with_progress(
            self,
            call_job(lambda: undo_bulk(self.db, edit_id), "Undoing…"),
            "Undoing…",
            self._undone,
            cancellable=False,
        )

    def _undone(self, result: Any) -> None:
        self._undo_id = None
        kept = f" {result.kept:,} changed since kept their newer values." if result.kept else ""
        self._say(f"{result.summary}.{kept}", undo=False)
        self.model.reload()
        self.leads_changed.emit()

    def _say(self, text: str, *, undo: bool) -> None:
        self.message.setText(text)
        self.undo_button.setVisible(undo)
        self.message_bar.show()

    # -- one lead -------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        lead_id = index.data(LEAD_ID_ROLE)
        if lead_id is not None:
            self.open_lead_requested.emit(int(lead_id))

    def _row_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        if not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._open_index(index))
        menu.addSeparator()
        for kind, button in self.bulk_bar.buttons.items():
            if isinstance(button, QToolButton):
                menu.addMenu(button.menu())
            else:
                menu.addAction(button.text(), partial(self.run_bulk, kind))
        menu.popup(self.table.viewport().mapToGlobal(point))
