"""The Dashboard page: is the scoring working, and how is the work moving, at a glance.

Tiles and six charts over the whole database, read off the GUI thread by a loader that only
ever shows the newest numbers. Every tile and every bar opens the leads it counts: the page
emits ``open_leads(LeadFilter, description)`` and the window shows them on the Leads page.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.dashboard import DAYS, Bar, Dashboard, dashboard_job
from leaddesk.core.db import Database
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.ui import theme
from leaddesk.ui.dashboard.card import CLICK_HINT, ChartCard
from leaddesk.ui.dashboard.cards import ConversionCard, ScoreCard, StackedCard
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.widgets.empty_state import EmptyState
from leaddesk.ui.widgets.stat_tiles import StatTiles
from leaddesk.ui.workers import LatestLoader

TILES = (
    ("leads", "Leads"),
    ("sales_ready", "Sales-ready"),
    ("calls_today", "Calls today"),
    ("meetings", f"Meetings booked, last {DAYS} days"),
    ("won", "Won"),
)


class DashboardPage(QWidget):
    """Tiles and charts; ``refresh()`` when the data changed (cheap while hidden)."""

    open_leads = Signal(object, str)
    """The leads behind a tile or bar: (LeadFilter, a short description like "Score 40-50")."""
    loaded = Signal()
    """New numbers are on screen."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        preferences: Preferences | None = None,
    ) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self.dashboard: Dashboard | None = None
        self.loader = LatestLoader(lambda: dashboard_job(db, self.zone()), self)
        self.loader.loaded.connect(self.show_dashboard)
        self.loader.failed.connect(self._show_failure)

        self.message = theme.muted("Counting your leads…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = EmptyState(
            theme.icon("dashboard"),
            "Nothing to chart yet",
            "Import a spreadsheet or try the sample data, and this page will show how your "
            "leads score, convert and move along, with a click through to each group.",
        )
        self.scores = ScoreCard()
        self.conversion = ConversionCard()
        self.tiers = StackedCard("Leads by tier and grade")
        self.calls = StackedCard(f"Calls, last {DAYS} days", "calls", label_every=7)
        self.pipeline = StackedCard("Pipeline by status", horizontal=True, counts=True)
        self.imports = StackedCard("Recent imports", horizontal=True)
        for card in self.cards:
            card.bar_clicked.connect(self.open_bar)
        self.tiles = StatTiles(TILES)
        self._tile_keys: dict[QObject, str] = {}
        for key, number in self.tiles.numbers.items():
            tile = number.parentWidget()
            assert tile is not None  # the tile's card
            tile.setCursor(Qt.CursorShape.PointingHandCursor)
            tile.setToolTip(CLICK_HINT)
            tile.installEventFilter(self)
            self._tile_keys[tile] = key

        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.empty)
        self.content = self._content()
        self.stack.addWidget(self.content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    @property
    def cards(self) -> tuple[ChartCard, ...]:
        return (self.scores, self.conversion, self.tiers, self.calls, self.pipeline, self.imports)

    def _content(self) -> QScrollArea:
        self.updated = theme.muted()
        self.updated.setWordWrap(False)
        header = QHBoxLayout()
        header.addWidget(theme.heading("Dashboard", 1.5))
        header.addStretch()
        header.addWidget(self.updated, 0, Qt.AlignmentFlag.AlignBottom)
        grid = QGridLayout()
        grid.setSpacing(12)
        for index, card in enumerate(self.cards):
            card.setMinimumHeight(270)
            grid.addWidget(card, index // 3, index % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        inner = QWidget()
        column_layout = QVBoxLayout(inner)
        column_layout.setContentsMargins(16, 14, 16, 16)
        column_layout.setSpacing(12)
        column_layout.addLayout(header)
        column_layout.addWidget(self.tiles)
        column_layout.addLayout(grid, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        return scroll

    def zone(self) -> tzinfo:
        """The user's time zone, whose calendar days the calls chart counts (as the queue)."""
        timezone = self.preferences.timezone if self.preferences is not None else None
        return QueueSettings(timezone=timezone).zone()

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """The data changed: read it again now if the page is shown, else when it is."""
        self.loader.refresh()

    def show_dashboard(self, dashboard: Dashboard) -> None:
        """Put ``dashboard``'s numbers on screen (the loader calls this)."""
        self.dashboard = dashboard
        if dashboard.is_empty:
            self.stack.setCurrentWidget(self.empty)
            self.loaded.emit()
            return
        tiles = dashboard.headline
        self.tiles.set(
            leads=tiles.leads.count,
            sales_ready=tiles.sales_ready.count,
            calls_today=tiles.calls_today.count,
            meetings=tiles.meetings.count,
            won=tiles.won.count,
        )
        self.scores.show_scores(dashboard.scores)
        self.conversion.show_bands(dashboard.conversion)
        self.tiers.show_chart(
            dashboard.tiers,
            "Grade: how well a lead fits · tier: its whole score",
            "No lead has a tier or a grade yet.",
        )
        self.calls.show_chart(
            dashboard.calls,
            f"{dashboard.calls.total:,} calls by outcome, on your calendar's days",
            f"No calls logged in the last {DAYS} days.\nCalls logged on the Queue page show here.",
        )
        self.pipeline.show_chart(dashboard.pipeline, "Where every lead stands now", "")
        self.imports.show_chart(
            dashboard.imports,
            "Leads each import created and updated",
            "No imports yet.\nEach spreadsheet you import will show here.",
        )
        self.updated.setText(f"Updated at {datetime.now():%H:%M}")
        self.stack.setCurrentWidget(self.content)
        self.loaded.emit()

    def _show_failure(self, message: str) -> None:
        if self.dashboard is None:
            self.message.setText(f"The dashboard could not be read. {message}")
            self.stack.setCurrentWidget(self.message)
        else:
            self.updated.setText(f"Not updated: {message}")

    # -- clicks -----------------------------------------------------------------------------
    def open_bar(self, bar: Bar) -> None:
        """Show the leads behind ``bar`` (a chart's bar or a tile)."""
        self.open_leads.emit(bar.leads, bar.description)

    def open_tile(self, key: str) -> None:
        """Show the leads a tile counts; ``key`` is one of ``TILES``."""
        if self.dashboard is not None:
            self.open_bar(getattr(self.dashboard.headline, key))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched in self._tile_keys
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self.open_tile(self._tile_keys[watched])
            return True
        return super().eventFilter(watched, event)
