"""The draft's effect on the leads: distribution, sales-ready counts, who moves, backtest."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.scoring.preview import Backtest, DraftPreview, LeadMove
from leaddesk.ui import theme
from leaddesk.ui.widgets.score_histogram import ACTIVE_COLOR, DRAFT_COLOR, ScoreHistogram
from leaddesk.ui.widgets.tables import read_only_table

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
NO_LEADS = (
    "There are no leads yet, so there is nothing to preview. Import a spreadsheet or load "
    "the sample data, and this panel shows how the draft would score them."
)
NO_OUTCOMES = (
    "No leads are marked won or lost yet, so the draft cannot be tested against results. "
    "As leads are closed, this section compares how well each model ranks them."
)


def _swatch(color: QColor, text: str) -> QLabel:
    label = QLabel(f'<span style="color:{color.name()}">■</span> {text}')
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _count_tile(caption: str) -> tuple[QFrame, QLabel]:
    tile = QFrame()
    tile.setObjectName("card")
    tile.setStyleSheet(theme.CARD_STYLE)
    number = QLabel("\N{EN DASH}")
    number.setFont(theme.scaled_font(number, 1.5, bold=True))
    box = QVBoxLayout(tile)
    box.setContentsMargins(12, 6, 12, 6)
    box.setSpacing(0)
    box.addWidget(theme.muted(caption))
    box.addWidget(number)
    return tile, number


def _percent(rate: float | None) -> str:
    return "\N{EN DASH}" if rate is None else f"{rate:.0%}"


class PreviewPanel(QWidget):
    """Shows one ``DraftPreview``; double-clicking a lead asks to open it."""

    open_lead_requested = Signal(int)
    threshold_moved = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview: DraftPreview | None = None
        self.status = theme.muted()
        self.status.setWordWrap(False)
        title = QHBoxLayout()
        title.addWidget(theme.heading("Preview on your leads", 1.15))
        title.addStretch()
        title.addWidget(self.status)

        self.histogram = ScoreHistogram()
        self.histogram.setMinimumHeight(170)
        self.histogram.threshold_moved.connect(self.threshold_moved)
        legend = QHBoxLayout()
        legend.addWidget(_swatch(ACTIVE_COLOR, "Active model"))
        legend.addWidget(_swatch(DRAFT_COLOR, "Draft"))
        legend.addWidget(_swatch(QColor("#dc2626"), "Threshold (drag it)"))
        legend.addStretch()

        now_tile, self.ready_active = _count_tile("Sales-ready now")
        draft_tile, self.ready_draft = _count_tile("With this draft")
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        tiles.addWidget(now_tile)
        tiles.addWidget(draft_tile)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.entering = self._moves_table()
        self.leaving = self._moves_table()
        self.moves = QTabWidget()
        self.moves.setDocumentMode(True)
        self.moves.addTab(self.entering, "Become sales-ready")
        self.moves.addTab(self.leaving, "Stop being sales-ready")

        self.auc = QLabel()
        self.auc.setFont(theme.scaled_font(self.auc, 1.0, bold=True))
        self.bands = read_only_table(["Tier", "Active: won", "Draft: won"], stretch=0)
        self.bands.setFixedHeight(4 * 28 + 4)
        self.bands.verticalHeader().setDefaultSectionSize(28)
        self.no_outcomes = theme.muted(NO_OUTCOMES)
        backtest = QWidget()
        box = QVBoxLayout(backtest)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(theme.heading("Backtest on won and lost leads", 1.0))
        box.addWidget(self.auc)
        box.addWidget(self.bands)
        box.addWidget(self.no_outcomes)
        self.backtest_note = theme.muted()
        box.addWidget(self.backtest_note)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.histogram, 2)
        layout.addLayout(legend)
        layout.addLayout(tiles)
        layout.addWidget(self.summary)
        layout.addWidget(self.moves, 2)
        layout.addWidget(backtest)

        self.empty = theme.muted(NO_LEADS)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(title)
        outer.addWidget(self.stack, 1)

    def _moves_table(self) -> QTableWidget:
        table = read_only_table(["Lead", "Company", "Score"], stretch=1)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        table.verticalHeader().setDefaultSectionSize(26)
        table.setMinimumHeight(110)
        table.setToolTip("Double-click a lead to open it.")
        table.cellDoubleClicked.connect(lambda row, _c, t=table: self._open(t, row))
        table.cellActivated.connect(lambda row, _c, t=table: self._open(t, row))
        return table

    def _open(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        if item is not None:
            self.open_lead_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    # -- showing ----------------------------------------------------------------------------
    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def set_threshold(self, value: float) -> None:
        self.histogram.set_threshold(value)

    def show_preview(self, preview: DraftPreview) -> None:
        self.preview = preview
        if not preview.leads:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(0)
        self.histogram.set_data(
            preview.bin_edges, preview.active_counts, preview.draft_counts, preview.threshold_active
        )
        self.histogram.set_threshold(preview.threshold_draft)
        self.ready_active.setText(f"{preview.sales_ready_active:,}")
        delta = preview.sales_ready_draft - preview.sales_ready_active
        self.ready_draft.setText(
            f"{preview.sales_ready_draft:,}" + (f"  ({delta:+,})" if delta else "")
        )
        self.summary.setText(preview.summary())
        self._fill_moves(self.entering, preview.entering, preview.entering_count)
        self._fill_moves(self.leaving, preview.leaving, preview.leaving_count)
        self.moves.setTabText(0, f"Become sales-ready ({preview.entering_count:,})")
        self.moves.setTabText(1, f"Stop being sales-ready ({preview.leaving_count:,})")
        self._show_backtest(preview.backtest)

    def _fill_moves(self, table: QTableWidget, moves: tuple[LeadMove, ...], total: int) -> None:
        table.setRowCount(len(moves))
        for row, move in enumerate(moves):
            name = QTableWidgetItem(move.name)
            name.setData(Qt.ItemDataRole.UserRole, move.id)
            score = QTableWidgetItem(f"{move.before:.1f} → {move.after:.1f}")
            score.setTextAlignment(RIGHT)
            table.setItem(row, 0, name)
            table.setItem(row, 1, QTableWidgetItem(move.company))
            table.setItem(row, 2, score)
        if total > len(moves):
            table.setToolTip(
                f"The {len(moves)} with the biggest scores of {total:,}. Double-click to open."
            )
        else:
            table.setToolTip("Double-click a lead to open it.")

    def _show_backtest(self, backtest: Backtest) -> None:
        usable = backtest.usable
        self.auc.setVisible(usable)
        self.bands.setVisible(usable)
        self.backtest_note.setVisible(usable)
        self.no_outcomes.setVisible(not usable)
        if not usable:
            return
        if backtest.auc_draft is not None and backtest.auc_active is not None:
            self.auc.setText(
                f"Draft AUC {backtest.auc_draft:.2f} vs active {backtest.auc_active:.2f}"
            )
        self.auc.setToolTip(
            "The chance that a won lead scores higher than a lost one: 0.5 is a coin toss, "
            "1.0 ranks every won lead first."
        )
        self.bands.setRowCount(len(backtest.bands_draft))
        for row, (active, draft) in enumerate(
            zip(backtest.bands_active, backtest.bands_draft, strict=True)
        ):
            self.bands.setItem(row, 0, QTableWidgetItem(draft.band))
            for column, band in ((1, active), (2, draft)):
                text = f"{_percent(band.rate)} of {band.leads:,}" if band.leads else "no leads"
                item = QTableWidgetItem(text)
                item.setTextAlignment(RIGHT)
                self.bands.setItem(row, column, item)
        self.backtest_note.setText(
            f"Based on {backtest.won:,} won and {backtest.lost:,} lost leads."
        )
