"""The Settings page: the user's own preferences and the team's queue and follow-up rules.

The page only lays out a form over two stores: ``Preferences`` (QSettings, this computer's
user) and the team's ``QueueSettings`` (the database). Validation and storage are the core's
(``QueueSettings.validated``, ``save_queue_settings``); the page keeps what was loaded, so
Save is offered only when the form differs from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import time
from functools import reduce
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import available_timezones

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QStringListModel,
    Qt,
    QTime,
    QTimer,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.assignment import (
    MODES,
    TeamSettings,
    country_label,
    load_team_settings,
    open_leads_by_owner,
    reassign,
    save_team_settings,
)
from leaddesk.core.bulk import BulkResult
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, LeadDeskError
from leaddesk.core.importing.countries import NAMES as COUNTRY_NAMES
from leaddesk.core.importing.normalize import default_region
from leaddesk.core.queue_settings import (
    DEFAULT_CALLING_HOURS,
    ORDERS,
    Cadence,
    QueueSettings,
    load_queue_settings,
    save_queue_settings,
)
from leaddesk.ui import theme
from leaddesk.ui.preferences import Preferences, login_name
from leaddesk.ui.workers import run_with_progress

COLUMN_WIDTH = 760  # the form's widest: fields do not stretch across a large window
FIELD_WIDTH = 340  # name and time zone
PAGE_MARGIN = 24
SAVED_TEXT = "Saved. Every rep's queue now follows these rules."
SAVED_OWN_TEXT = "Saved."
SAVED_TEAM_TEXT = "Saved. The leads of the next imports get their owners by these rules."
SAVED_SHOWN_MS = 6000
ORDER_LABELS = ("Rule score", "Probability", "Blend")  # of ``queue_settings.ORDERS``, in order
MODE_LABELS = (  # of ``assignment.MODES``, in order
    "Nobody (as the file says)",
    "The reps in turn (round-robin)",
    "The rep of the lead's country",
)
IN_TURN = "The reps in turn"
PRIMARY_STYLE = (
    f"QPushButton {{ background: {theme.ACCENT}; color: white; border: none;"
    " border-radius: 6px; padding: 6px 22px; font-weight: bold; }"
    " QPushButton:hover { background: #1d4ed8; }"
    " QPushButton:disabled { background: #cbd5e1; color: #f8fafc; }"
)

if TYPE_CHECKING:  # only to name the loaders' argument: pages hold no SQL
    from sqlalchemy.engine import Connection

T = TypeVar("T")


def this_computers_zone() -> str:
    """The name of the computer's time zone, for the user to recognise (not to compute with)."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="replace")
    return name or "unknown"


@dataclass(frozen=True, slots=True)
class FormState:
    """What the form says: compared with what was loaded to know whether Save has work."""

    team: QueueSettings | None  # None: the stored settings could not be read
    rep_name: str
    timezone: str | None
    assignment: TeamSettings | None  # None: as ``team``


class _WheelGuard(QObject):
    """Scrolling the page over a number or a list scrolls the page, unless the field has focus.

    Without it, a user scrolling down the page changes whichever value passes the pointer.
    """

    def __init__(self, page: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._page = page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            QCoreApplication.sendEvent(self._page, event)
            return True
        return False


def _number(minimum: int, maximum: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setToolTip(tip)
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    box.setMinimumWidth(72)
    return box


def _clock() -> QTimeEdit:
    edit = QTimeEdit()
    edit.setDisplayFormat("HH:mm")
    edit.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    edit.setMinimumWidth(84)
    return edit


def _unit(box: QSpinBox, one: str, many: str, zero: str | None = None) -> QLabel:
    """The words after a number, in the singular or plural as the number changes."""
    label = QLabel()

    def update(value: int) -> None:
        label.setText(zero if value == 0 and zero else one if value == 1 else many)

    box.valueChanged.connect(update)
    update(box.value())
    return label


def _sentence(*parts: str | QWidget) -> QWidget:
    """One row of the form written as a sentence: words and the fields within them."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    first_box: QWidget | None = None
    for part in parts:
        if isinstance(part, str):
            layout.addWidget(QLabel(part))
        else:
            layout.addWidget(part)
            first_box = first_box or part
    layout.addStretch(1)
    if first_box is not None:  # the form label's shortcut (its buddy is the row) reaches it
        row.setFocusProxy(first_box)
    return row


def _stack(*buttons: QWidget) -> QWidget:
    """Buttons one above the other, at the top of the row they belong to."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for button in buttons:
        layout.addWidget(button)
    layout.addStretch(1)
    return column


def _time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class TeamEditor(QObject):
    """The Team card's fields over a draft of the team's settings.

    Each edit goes through the draft's own methods (``TeamSettings.with_rep`` and the like),
    which keep the territories in step with the reps and say what cannot be; the fields are
    then shown again from the draft, so they never disagree with it.
    """

    edited = Signal()
    problem = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.draft = TeamSettings()
        self._showing = False
        self.reps = QListWidget()
        self.reps.setFixedSize(FIELD_WIDTH, 112)
        self.reps.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.reps.setToolTip("Double-click a name (or press F2) to rename the rep.")
        self.rename_rep = QPushButton("Rename")
        self.remove_rep = QPushButton("Remove")
        self.remove_rep.setToolTip("Take the rep off the team. Their leads keep them as owner.")
        self.new_rep = QLineEdit()
        self.new_rep.setPlaceholderText("A rep's name, as they set it under “You”")
        self.new_rep.setFixedWidth(FIELD_WIDTH)
        self.add_rep = QPushButton("Add")
        self.mode = QComboBox()
        for value, text in zip(MODES, MODE_LABELS, strict=True):
            self.mode.addItem(text, value)
        self.mode.setFixedWidth(FIELD_WIDTH)
        self.mode.setToolTip("Only leads an import creates get an owner this way.")
        self.territories = QTableWidget(0, 2)
        self.territories.setHorizontalHeaderLabels(["Country", "Rep"])
        self.territories.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.territories.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.territories.verticalHeader().hide()
        self.territories.verticalHeader().setDefaultSectionSize(
            self.territories.fontMetrics().height() + 8
        )
        self.territories.horizontalHeader().setStretchLastSection(True)
        self.territories.setColumnWidth(0, FIELD_WIDTH * 3 // 5)
        self.territories.setFixedSize(FIELD_WIDTH, 112)
        self.remove_territory = QPushButton("Remove")
        self.country = QComboBox()
        for code in sorted(COUNTRY_NAMES, key=country_label):
            self.country.addItem(country_label(code), code)
        self.country.setMaxVisibleItems(16)
        self.country.setCurrentIndex(max(self.country.findData(default_region()), 0))
        self.territory_rep = QComboBox()
        self.territory_rep.setMinimumWidth(120)
        self.set_territory = QPushButton("Add")
        self.fallback = QComboBox()
        self.fallback.setFixedWidth(FIELD_WIDTH)
        self.fallback.setToolTip("Leads from a country not in the list, or with no country.")
        self._connect()

    def _connect(self) -> None:
        self.add_rep.clicked.connect(self._add_rep)
        self.new_rep.returnPressed.connect(self._add_rep)
        self.rename_rep.clicked.connect(lambda: self.reps.editItem(self.reps.currentItem()))
        self.remove_rep.clicked.connect(self._remove_rep)
        self.reps.itemChanged.connect(self._renamed)
        self.reps.currentRowChanged.connect(self._update_state)
        self.mode.currentIndexChanged.connect(
            lambda: self._change(lambda: replace(self.draft, mode=self.mode.currentData()))
        )
        self.fallback.currentIndexChanged.connect(
            lambda: self._change(lambda: replace(self.draft, fallback=self.fallback.currentData()))
        )
        self.set_territory.clicked.connect(self._set_territory)
        self.remove_territory.clicked.connect(self._remove_territory)
        self.territories.itemSelectionChanged.connect(self._update_state)
        self.country.currentIndexChanged.connect(self._update_state)

    @property
    def combos(self) -> tuple[QComboBox, ...]:
        return (self.mode, self.country, self.territory_rep, self.fallback)

    def show_settings(self, settings: TeamSettings) -> None:
        self.draft = settings
        self._show()

    # -- edits --------------------------------------------------------------------------------
    def _change(self, change: Callable[[], TeamSettings]) -> bool:
        """Apply ``change`` to the draft; a change the draft refuses is told, not made."""
        if self._showing:
            return False
        try:
            draft = change()
        except InvalidInputError as exc:
            self._show()
            self.problem.emit(str(exc))
            return False
        self.draft = draft
        self._show()
        self.edited.emit()
        return True

    def _add_rep(self) -> None:
        if self._change(lambda: self.draft.with_rep(self.new_rep.text())):
            self.new_rep.clear()

    def _renamed(self, item: QListWidgetItem) -> None:
        old, new = item.data(Qt.ItemDataRole.UserRole), item.text()
        if new != old and not self._showing:
            # Once the editor has let go of the item: showing the draft replaces the items.
            QTimer.singleShot(0, self, lambda: self._change(lambda: self.draft.renamed(old, new)))

    def _remove_rep(self) -> None:
        item = self.reps.currentItem()
        if item is not None:
            self._change(lambda: self.draft.without_rep(item.data(Qt.ItemDataRole.UserRole)))

    def _set_territory(self) -> None:
        code, rep = self.country.currentData(), self.territory_rep.currentData()
        self._change(lambda: self.draft.with_territory(code, rep))

    def _remove_territory(self) -> None:
        codes = self._selected_countries()
        self._change(lambda: reduce(TeamSettings.without_territory, codes, self.draft))

    def _selected_countries(self) -> list[str]:
        model = self.territories.model()
        rows = {index.row() for index in self.territories.selectedIndexes()}
        return [model.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in sorted(rows)]

    # -- showing ------------------------------------------------------------------------------
    def _show(self) -> None:
        draft = self.draft
        self._showing = True
        try:
            row = self.reps.currentRow()
            self.reps.clear()
            for rep in draft.reps:
                item = QListWidgetItem(rep)
                item.setData(Qt.ItemDataRole.UserRole, rep)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.reps.addItem(item)
            self.reps.setCurrentRow(min(row, self.reps.count() - 1))
            self.mode.setCurrentIndex(max(self.mode.findData(draft.mode), 0))
            self._show_territories()
            reps = [(rep, rep) for rep in draft.reps]
            _fill(self.territory_rep, reps, self.territory_rep.currentData())
            _fill(self.fallback, [(IN_TURN, None), *reps], draft.fallback)
        finally:
            self._showing = False
        self._update_state()

    def _show_territories(self) -> None:
        territories = sorted(self.draft.territories.items(), key=lambda t: country_label(t[0]))
        self.territories.setRowCount(len(territories))
        for row, (code, rep) in enumerate(territories):
            country = QTableWidgetItem(country_label(code))
            country.setData(Qt.ItemDataRole.UserRole, code)
            self.territories.setItem(row, 0, country)
            self.territories.setItem(row, 1, QTableWidgetItem(rep))

    def _update_state(self) -> None:
        self.rename_rep.setEnabled(self.reps.currentItem() is not None)
        self.remove_rep.setEnabled(self.reps.currentItem() is not None)
        by_country = self.draft.mode == "territory"
        for widget in (self.territories, self.country, self.territory_rep, self.fallback):
            widget.setEnabled(by_country)
        self.set_territory.setEnabled(by_country and bool(self.draft.reps))
        self.set_territory.setText(
            "Change" if self.country.currentData() in self.draft.territories else "Add"
        )
        self.remove_territory.setEnabled(by_country and bool(self._selected_countries()))


class ReassignDialog(QDialog):
    """Whose open leads move, and to which rep (or to the others, in turn)."""

    def __init__(
        self, owners: list[tuple[str, int]], reps: tuple[str, ...], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reassign leads")
        self._reps = reps
        self.source = QComboBox()
        for owner, count in owners:
            leads = f"{count:,} open lead{'' if count == 1 else 's'}"
            self.source.addItem(f"{owner or 'Nobody (unassigned)'} — {leads}", owner)
        self.target = QComboBox()
        self.target.setMinimumWidth(FIELD_WIDTH)
        self.buttons = QDialogButtonBox()
        self.reassign_button = self.buttons.addButton(
            "Reassign", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Open leads &of", self.source)
        form.addRow("&Go to", self.target)
        note = theme.muted(
            "Won, lost and disqualified leads keep their owner. To undo the move, press "
            "Ctrl+Z on the Leads page."
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.source.currentIndexChanged.connect(self._offer_targets)
        self._offer_targets()
        self.adjustSize()  # settled before it is shown: it never resizes itself once open

    def _offer_targets(self) -> None:
        owner = self.source.currentData()
        others = [rep for rep in self._reps if rep != owner]
        self.target.clear()
        if len(others) > 1:
            self.target.addItem("The other reps, in turn" if owner else "The reps, in turn", None)
        for rep in others:
            self.target.addItem(rep, rep)
        self.reassign_button.setEnabled(bool(others))

    def choice(self) -> tuple[str, str | None]:
        """The owner whose leads move, and their new owner (None: the others in turn)."""
        return self.source.currentData(), self.target.currentData()


def _fill(combo: QComboBox, items: Sequence[tuple[str, str | None]], chosen: str | None) -> None:
    """Offer ``items`` (text, data) in ``combo``, with ``chosen`` (else the first) current."""
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(chosen), 0))


class SettingsPage(QWidget):
    """Your name and time zone, the call queue's rules, and the follow-ups after each call."""

    settings_changed = Signal()  # saved: queues, progress and logged calls may read anew
    database_requested = Signal(str)  # "open", "new", "move", "backup" or "restore"
    region_changed = Signal()
    leads_changed = Signal()  # leads were reassigned: lists showing owners may read anew

    def __init__(
        self, db: Database, preferences: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._preferences = preferences
        self._loaded = FormState(QueueSettings(), "", None, TeamSettings())
        self._filling = False
        self._labels: list[QLabel] = []
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(SAVED_SHOWN_MS)
        self._hide_timer.timeout.connect(self._clear_message)
        self.setStyleSheet(theme.CARD_STYLE)

        self._build_fields()
        cards = (
            self._you_card(),
            self._computer_card(),
            self._queue_card(),
            self._cadence_card(),
            self._team_card(),
            self._database_card(),
        )
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:  # one label column down the whole page
            label.setMinimumWidth(width)

        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 18, 0, 20)
        layout.setSpacing(14)
        layout.addWidget(theme.heading("Settings", 1.5))
        intro = theme.muted(
            "Your name and time zone are kept on this computer. The call queue and the "
            "follow-ups are shared: everyone using this database works by the same rules."
        )
        layout.addWidget(intro)
        layout.addSpacing(2)
        for card in cards:
            layout.addWidget(card)
        layout.addStretch(1)

        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.setLayout(self._centred(column))
        self.scroll_area = scroll
        self._wheel_guard = _WheelGuard(scroll.viewport(), self)

        footer = QFrame()
        footer.setFrameShape(QFrame.Shape.NoFrame)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 10, 0, 12)
        row.setSpacing(10)
        row.addWidget(self.message, 1)
        row.addWidget(self.restore_button)
        row.addWidget(self.save_button)
        footer_layout = QVBoxLayout(footer)
        footer_layout.setContentsMargins(0, 0, 0, 0)
        footer_layout.setSpacing(0)
        footer_layout.addWidget(line)
        self._footer_row = self._centred(buttons)
        footer_layout.addLayout(self._footer_row)
        # The column above is centred beside the scroll bar: the buttons follow it.
        scroll.verticalScrollBar().rangeChanged.connect(self._align_footer)

        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(0)
        page.addWidget(scroll, 1)
        page.addWidget(footer)

        self._connect()
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.rep_name = QLineEdit()
        self.rep_name.setPlaceholderText(login_name())
        self.rep_name.setClearButtonEnabled(True)
        self.rep_name.setFixedWidth(FIELD_WIDTH)
        self.rep_name.setToolTip("Stored with each call you log. Empty: your login name.")

        self._zones = sorted(available_timezones())
        self._zone_names = {name.casefold(): name for name in self._zones}
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone.setMaxVisibleItems(16)
        self.timezone.setFixedWidth(FIELD_WIDTH)
        self.timezone.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.timezone.addItem(f"This computer's time zone ({this_computers_zone()})", None)
        for name in self._zones:
            self.timezone.addItem(name, name)
        completer = QCompleter(QStringListModel(self._zones, self), self.timezone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.timezone.setCompleter(completer)
        self.timezone.setToolTip(
            "Your working day: when today starts and ends, and which days are working days. "
            "Type to search, for example “Paris” or “New_York”."
        )

        self.daily_target = _number(1, 1000, "Each rep's queue shows progress towards it.")
        self.calling_hours = QCheckBox("Only call inside calling hours at the lead's local time")
        self.hours_from = _clock()
        self.hours_to = _clock()
        self.weekdays_only = QCheckBox("Weekdays only")
        self.weekdays_only.setToolTip("Outside calling hours too on Saturdays and Sundays.")
        self.skip_invalid_phones = QCheckBox("Skip leads whose phone is flagged as wrong")
        self.order = QComboBox()
        for value, text in zip(ORDERS, ORDER_LABELS, strict=True):
            self.order.addItem(text, value)
        self.order.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.order.setToolTip(
            "How leads without a callback are ranked (callbacks always come first, by time). "
            "Rule score: the scoring rules' points. Probability: the predictive model's chance "
            "that the lead converts. Blend: a mix of the two."
        )
        self.blend = _number(0, 100, "How much the probability counts in the blend.")
        self.blend.setSuffix(" %")
        self.claim_minutes = _number(
            1, 240, "On a shared database, other reps do not get a lead you have open."
        )

        self.retry_working_days = _number(0, 30, "0: later the same working day.")
        self.max_attempts = _number(1, 50, "Unanswered calls in a row before nurture.")
        self.nurture_days = _number(0, 365, "How long a lead rests in nurture.")
        self.voicemail_working_days = _number(0, 30, "0: later the same working day.")
        self.callback_working_days = _number(
            0, 30, "The date first offered for a callback; you can pick another on the call."
        )
        self.snooze_days = _number(1, 90, "Snoozing (S on the queue) hides a lead this long.")

        self.team = TeamEditor(self)
        self.reassign_button = QPushButton("Reassign leads of…")
        self.reassign_button.setToolTip(
            "Move one rep's open leads to another rep, or share them among the others."
        )

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.restore_button = QPushButton("Restore defaults")
        self.restore_button.setMinimumHeight(32)
        self.restore_button.setToolTip(
            "Put LeadDesk's default queue and follow-up rules in the form (your name and time "
            "zone stay). Nothing changes until you save."
        )
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setMinimumHeight(32)
        self.save_button.setStyleSheet(PRIMARY_STYLE)
        self.save_button.setToolTip("Save (Ctrl+S)")

    def _card(self, title: str, note: str) -> tuple[QFrame, QFormLayout]:
        card = QFrame()
        card.setObjectName("card")
        box = QVBoxLayout(card)
        box.setContentsMargins(24, 16, 24, 18)
        box.setSpacing(4)
        box.addWidget(theme.heading(title, 1.15))
        box.addWidget(theme.muted(note))
        box.addSpacing(10)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        box.addLayout(form)
        return card, form

    def _row(self, form: QFormLayout, text: str, field: QWidget) -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if text:
            label.setBuddy(field)
        self._labels.append(label)
        form.addRow(label, field)
        return label

    def _you_card(self) -> QFrame:
        card, form = self._card("You", "Stored on this computer, for you only.")
        hint = theme.muted("Stored with each call you log.")
        hint.setWordWrap(False)
        self._row(form, "Your &name", _sentence(self.rep_name, hint))
        self._row(form, "&Time zone", self.timezone)
        return card

    def _computer_card(self) -> QFrame:
        card, form = self._card(
            "This computer", "Applied at once, and kept on this computer for you only."
        )
        self.scheme = QComboBox()
        for scheme, text in zip(theme.SCHEMES, ("Follow the computer", "Light", "Dark"),
                                strict=True):  # fmt: skip
            self.scheme.addItem(text, scheme)
        self.scheme.setCurrentIndex(self.scheme.findData(self._preferences.color_scheme))
        self.scheme.setFixedWidth(FIELD_WIDTH)
        self.scheme.currentIndexChanged.connect(self._scheme_chosen)
        self.region = QComboBox()
        self.region.addItem(f"From this computer's language ({default_region() or 'none'})", None)
        for code, names in sorted(COUNTRY_NAMES.items(), key=lambda item: item[1][0]):
            self.region.addItem(f"{names[0]} ({code})", code)
        self.region.setCurrentIndex(max(0, self.region.findData(self._preferences.region)))
        self.region.setFixedWidth(FIELD_WIDTH)
        self.region.setMaxVisibleItems(16)
        self.region.setToolTip(
            "Phone numbers written without + are read as numbers of this country."
        )
        self.region.currentIndexChanged.connect(self._region_chosen)
        self._row(form, "&Appearance", self.scheme)
        self._row(form, "Phone &region", self.region)
        return card

    def _database_card(self) -> QFrame:
        card, form = self._card(
            "Database", "Where this window's leads are kept. A copy is made before any upgrade."
        )
        self.location = QLabel(self._db.describe())
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setWordWrap(True)
        self.location.setMaximumWidth(FIELD_WIDTH + 160)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        for action, text, tip in (
            ("open", "Open…", "Switch to another LeadDesk database."),
            ("new", "New…", "Start an empty database in a file you name."),
            ("move", "Move…", "Move this database to another folder or disk."),
            ("backup", "Back up now…", "Save a copy, safely, even while LeadDesk uses it."),
            ("restore", "Restore…", "Put back one of this database's backups."),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setEnabled(action in ("open", "new") or self._db.path is not None)
            button.clicked.connect(lambda _=False, a=action: self.database_requested.emit(a))
            row.addWidget(button)
        row.addStretch()
        self._row(form, "Location", self.location)
        self._row(form, "", buttons)
        return card

    def _team_card(self) -> QFrame:
        card, form = self._card(
            "Team",
            "Shared with the team: its reps, and who owns the leads an import creates. An "
            "owner named in the file is kept.",
        )
        team = self.team
        self._row(form, "&Reps", _sentence(team.reps, _stack(team.rename_rep, team.remove_rep)))
        self._row(form, "", _sentence(team.new_rep, team.add_rep))
        self._row(form, "New &leads go to", team.mode)
        self._row(form, "&Territories", _sentence(team.territories, _stack(team.remove_territory)))
        self._row(form, "", _sentence(team.country, "to", team.territory_rep, team.set_territory))
        self._row(form, "Other &countries", team.fallback)
        note = theme.muted("Undo it on the Leads page.")
        note.setWordWrap(False)
        self._row(form, "Reassign", _sentence(self.reassign_button, note))
        return card

    def _scheme_chosen(self) -> None:
        self._preferences.color_scheme = self.scheme.currentData()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_scheme(app, self._preferences.color_scheme)

    def _region_chosen(self) -> None:
        self._preferences.region = self.region.currentData()
        self.region_changed.emit()

    def _queue_card(self) -> QFrame:
        card, form = self._card(
            "Call queue", "Shared with the team: stored in the database, for every rep."
        )
        self._row(
            form,
            "&Daily call target",
            _sentence(self.daily_target, _unit(self.daily_target, "call a day", "calls a day")),
        )
        self._row(form, "Calling &hours", self.calling_hours)
        indent = self._check_indent()  # the options of calling hours sit under its words
        window = _sentence("From", self.hours_from, "to", self.hours_to)
        window.layout().setContentsMargins(indent, 0, 0, 0)  # type: ignore[union-attr]
        self._row(form, "", window)
        weekdays = _sentence(self.weekdays_only)
        weekdays.layout().setContentsMargins(indent, 0, 0, 0)  # type: ignore[union-attr]
        self._row(form, "", weekdays)
        self._row(form, "Wrong numbers", self.skip_invalid_phones)
        self._row(form, "&Order leads by", _sentence(self.order, self._order_note()))
        # Words and number grey out together while another order is chosen.
        self.blend_row = _sentence(
            "In the blend, the probability counts for", self.blend, "and the rule score the rest"
        )
        self._row(form, "", self.blend_row)
        self._row(
            form,
            "Team &mode",
            _sentence(
                "A lead you open stays yours for",
                self.claim_minutes,
                _unit(self.claim_minutes, "minute", "minutes"),
            ),
        )
        return card

    @staticmethod
    def _order_note() -> QLabel:
        note = theme.muted("Callbacks always come first.")
        note.setWordWrap(False)
        return note

    def _cadence_card(self) -> QFrame:
        card, form = self._card(
            "Follow-ups after each call",
            "When a lead comes back to the queue after each outcome. Shared with the team. "
            "A date you pick during the call always comes first.",
        )
        same_day = "working days (the same day)"
        self._row(
            form,
            "No &answer",
            _sentence(
                "Try again after",
                self.retry_working_days,
                _unit(self.retry_working_days, "working day", "working days", same_day),
            ),
        )
        self._row(
            form,
            "",
            _sentence(
                "After",
                self.max_attempts,
                _unit(
                    self.max_attempts,
                    "unanswered call, move the lead to nurture",
                    "unanswered calls, move the lead to nurture",
                ),
            ),
        )
        self._row(
            form,
            "",
            _sentence(
                "and call it again after",
                self.nurture_days,
                _unit(self.nurture_days, "day", "days"),
            ),
        )
        self._row(
            form,
            "Left &voicemail",
            _sentence(
                "Call again after",
                self.voicemail_working_days,
                _unit(self.voicemail_working_days, "working day", "working days", same_day),
            ),
        )
        self._row(
            form,
            "&Connected",
            _sentence(
                "Offer a callback in",
                self.callback_working_days,
                _unit(self.callback_working_days, "working day", "working days", same_day),
            ),
        )
        self._row(
            form,
            "Sn&ooze (S)",
            _sentence(
                "Back on the queue after",
                self.snooze_days,
                _unit(self.snooze_days, "day", "days"),
            ),
        )
        return card

    def _check_indent(self) -> int:
        """How far a check box's text sits from its left edge, to line rows up under it."""
        style = self.calling_hours.style()
        return style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + style.pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing
        )

    @staticmethod
    def _centred(widget: QWidget) -> QHBoxLayout:
        """``widget`` in the middle, as wide as the space allows up to ``COLUMN_WIDTH``."""
        widget.setMaximumWidth(COLUMN_WIDTH)
        row = QHBoxLayout()
        row.setContentsMargins(PAGE_MARGIN, 0, PAGE_MARGIN, 0)
        row.addStretch(1)
        row.addWidget(widget, 100)
        row.addStretch(1)
        return row

    def _align_footer(self, _minimum: int = 0, maximum: int = 0) -> None:
        bar = self.scroll_area.verticalScrollBar()
        extra = bar.sizeHint().width() if maximum > 0 else 0
        self._footer_row.setContentsMargins(PAGE_MARGIN, 0, PAGE_MARGIN + extra, 0)

    def _connect(self) -> None:
        self.rep_name.textChanged.connect(self._edited)
        self.timezone.editTextChanged.connect(self._edited)
        self.timezone.currentIndexChanged.connect(self._edited)
        for check in (self.calling_hours, self.weekdays_only, self.skip_invalid_phones):
            check.toggled.connect(self._edited)
        for clock in (self.hours_from, self.hours_to):
            clock.timeChanged.connect(self._edited)
        for box in self.findChildren(QAbstractSpinBox):
            if isinstance(box, QSpinBox):
                box.valueChanged.connect(self._edited)
        self.order.currentIndexChanged.connect(self._edited)
        self.team.edited.connect(self._edited)
        self.team.problem.connect(self._show_error)
        self.reassign_button.clicked.connect(self.reassign_leads)
        lists = (self.timezone, self.order, *self.team.combos)
        for widget in (*self.findChildren(QAbstractSpinBox), *lists):
            widget.installEventFilter(self._wheel_guard)
        self.restore_button.clicked.connect(self.restore_defaults)
        self.save_button.clicked.connect(self.save)
        save_action = QAction("Save settings", self)
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_action.triggered.connect(self.save)
        self.addAction(save_action)

    # -- data -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the saved settings and preferences again (unsaved edits are dropped)."""
        team, queue_problem = self._read_saved(
            load_queue_settings, "queue settings", "The defaults are shown"
        )
        assignment, team_problem = self._read_saved(
            load_team_settings, "team settings", "No reps are shown"
        )
        problem = queue_problem or team_problem
        self._loaded = FormState(team, self._own_name(), self._preferences.timezone, assignment)
        self._fill_team(team or QueueSettings())
        self.team.show_settings(assignment or TeamSettings())
        self._filling = True
        try:
            self.rep_name.setText(self._loaded.rep_name)
            self._show_timezone(self._loaded.timezone)
        finally:
            self._filling = False
        self._hide_timer.stop()
        if problem:
            self._show_error(problem)
        else:
            self._clear_message()
        self._update_state()

    def _read_saved(
        self, load: Callable[[Connection], T], what: str, instead: str
    ) -> tuple[T | None, str]:
        """Saved team settings, or None and why they could not be read."""
        try:
            with self._db.read() as conn:
                return load(conn), ""
        except InvalidInputError as exc:
            return None, (
                f"The saved {what} could not be read: {exc} {instead}; save to replace them."
            )

    def restore_defaults(self) -> None:
        """LeadDesk's default queue and follow-up rules in the form, not yet saved."""
        self._fill_team(QueueSettings())
        self._edited()

    def save(self) -> None:
        """Validate and store the form: the team's rules in the database, the rest here."""
        if not self.is_dirty():
            return
        state = self.form_state()
        team, assignment = state.team, state.assignment
        assert team is not None  # the form always describes settings
        assert assignment is not None
        team_changed = team != self._loaded.team
        assignment_changed = assignment != self._loaded.assignment
        try:
            team.for_user(state.timezone).validated()
            assignment.validated()
            if team_changed or assignment_changed:
                with self._db.write() as conn:
                    if team_changed:
                        save_queue_settings(conn, team)
                    if assignment_changed:
                        save_team_settings(conn, assignment)
        except LeadDeskError as exc:
            self._show_error(str(exc))
            return
        self._preferences.rep_name = state.rep_name
        self._preferences.timezone = state.timezone
        self._loaded = state
        self._update_state()
        saved = SAVED_TEAM_TEXT if assignment_changed else SAVED_OWN_TEXT
        self._show_message(SAVED_TEXT if team_changed else saved, theme.good_color(self))
        self._hide_timer.start()
        self.settings_changed.emit()

    def form_state(self) -> FormState:
        """The settings and preferences as the form shows them (not validated)."""
        hours = (
            (_time(self.hours_from.time()), _time(self.hours_to.time()))
            if self.calling_hours.isChecked()
            else None
        )
        team = QueueSettings(
            daily_target=self.daily_target.value(),
            skip_invalid_phones=self.skip_invalid_phones.isChecked(),
            calling_hours=hours,
            weekdays_only=self.weekdays_only.isChecked(),
            claim_minutes=self.claim_minutes.value(),
            order=self.order.currentData(),
            blend=self.blend.value(),
            cadence=Cadence(
                retry_working_days=self.retry_working_days.value(),
                max_attempts=self.max_attempts.value(),
                nurture_days=self.nurture_days.value(),
                voicemail_working_days=self.voicemail_working_days.value(),
                callback_working_days=self.callback_working_days.value(),
                snooze_days=self.snooze_days.value(),
            ),
        )
        return FormState(
            team, self.rep_name.text().strip(), self._chosen_timezone(), self.team.draft
        )

    def is_dirty(self) -> bool:
        return self.form_state() != self._loaded

    def reassign_leads(self) -> ReassignDialog | None:
        """Ask whose open leads go to whom, then move them as one bulk edit (the Leads
        page's Undo takes it back)."""
        with self._db.read() as conn:
            owners = open_leads_by_owner(conn)
        if not owners:
            self._show_error("There are no open leads to reassign.")
            return None
        dialog = ReassignDialog(owners, self.team.draft.reps, self)
        dialog.accepted.connect(lambda: self._reassign(*dialog.choice()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _reassign(self, owner: str, to: str | None) -> None:
        try:
            job = reassign(self._db, owner, to, self.team.draft, rep=self._preferences.rep_name)
        except LeadDeskError as exc:
            self._show_error(str(exc))
            return
        run_with_progress(self, job, "Reassigning leads…", self._reassigned)

    def _reassigned(self, result: BulkResult) -> None:
        if result.edit_id is None:
            self._show_message(result.summary, theme.good_color(self))
            return
        self._show_message(
            f"{result.summary}. To undo it, press Ctrl+Z on the Leads page.",
            theme.good_color(self),
        )
        self.leads_changed.emit()

    # -- helpers ----------------------------------------------------------------------------
    def _own_name(self) -> str:
        """The name the user set, or "" while the login name stands in for it."""
        name = self._preferences.rep_name
        return "" if name == login_name() else name

    def _fill_team(self, settings: QueueSettings) -> None:
        self._filling = True
        try:
            self.daily_target.setValue(settings.daily_target)
            self.skip_invalid_phones.setChecked(settings.skip_invalid_phones)
            self.calling_hours.setChecked(settings.calling_hours is not None)
            start, end = settings.calling_hours or DEFAULT_CALLING_HOURS
            self.hours_from.setTime(QTime(start.hour, start.minute))
            self.hours_to.setTime(QTime(end.hour, end.minute))
            self.weekdays_only.setChecked(settings.weekdays_only)
            self.claim_minutes.setValue(settings.claim_minutes)
            self.order.setCurrentIndex(max(self.order.findData(settings.order), 0))
            self.blend.setValue(settings.blend)
            cadence = settings.cadence
            self.retry_working_days.setValue(cadence.retry_working_days)
            self.max_attempts.setValue(cadence.max_attempts)
            self.nurture_days.setValue(cadence.nurture_days)
            self.voicemail_working_days.setValue(cadence.voicemail_working_days)
            self.callback_working_days.setValue(cadence.callback_working_days)
            self.snooze_days.setValue(cadence.snooze_days)
        finally:
            self._filling = False

    def _show_timezone(self, name: str | None) -> None:
        index = 0 if name is None else self.timezone.findData(name)
        if index >= 0:
            self.timezone.setCurrentIndex(index)
        else:
            self.timezone.setEditText(name or "")

    def _chosen_timezone(self) -> str | None:
        """The zone named in the box; None for this computer's (the first item, or nothing)."""
        text = self.timezone.currentText().strip()
        if not text or text == self.timezone.itemText(0):
            return None
        return self._zone_names.get(text.casefold(), text)

    def _edited(self) -> None:
        if self._filling:
            return
        self._hide_timer.stop()
        self._clear_message()
        self._update_state()

    def _update_state(self) -> None:
        hours = self.calling_hours.isChecked()
        for widget in (self.hours_from, self.hours_to, self.weekdays_only):
            widget.setEnabled(hours)
        self.blend_row.setEnabled(self.order.currentData() == "blend")
        self.save_button.setEnabled(self.is_dirty())

    def _show_error(self, text: str) -> None:
        self._show_message(text, theme.bad_color(self))

    def _show_message(self, text: str, color: str) -> None:
        self.message.setStyleSheet(f"color: {color};")
        self.message.setText(text)

    def _clear_message(self) -> None:
        self.message.clear()
