"""The Import page: choose a file, map its columns, review duplicates, import, read the summary.

Each step calls the import pipeline (``preview_import``, ``import_file``) or its history
(``list_batches``, ``undo_preview``, ``undo_import``, ``write_problem_rows``); reading and
importing run on the worker behind a progress dialog with Cancel, and a cancelled import
leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.db import Database
from leaddesk.core.errors import LeadDeskError
from leaddesk.core.importing.history import (
    UndoPreview,
    list_batches,
    undo_import,
    undo_preview,
    write_problem_rows,
)
from leaddesk.core.importing.pipeline import (
    ImportOptions,
    ImportPreview,
    ImportReport,
    import_file,
    preview_import,
)
from leaddesk.core.importing.readers import SPREADSHEET_SUFFIXES
from leaddesk.core.leads import load_registry
from leaddesk.ui import dialogs, theme
from leaddesk.ui.dialogs import MessageDialog, log
from leaddesk.ui.formatting import format_value, relative_time
from leaddesk.ui.widgets.stat_tiles import StatTiles
from leaddesk.ui.widgets.tables import read_only_table
from leaddesk.ui.workers import Worker, call_job, run_with_progress

FILE_FILTER = (
    "Spreadsheets (" + " ".join(f"*{s}" for s in SPREADSHEET_SUFFIXES) + ");;All files (*)"
)
CUSTOM = "__custom__"  # the combo's value for "keep as a custom field" (None in the mapping)

DUPLICATE_CHOICES = (
    ("update", "Fill in their empty fields", "{n} of them gain values; nothing is overwritten"),
    ("overwrite", "Overwrite them with the file's values", "{n} of them change"),
    ("skip", "Leave them as they are", "the file's rows for them are skipped"),
)
PREVIEW_ROWS = 20


def _primary(text: str, slot: Callable[[], None]) -> QPushButton:
    """The button that moves the wizard on: the default, and a little taller."""
    button = QPushButton(text)
    button.setDefault(True)
    button.setMinimumHeight(34)
    button.clicked.connect(slot)
    return button


def _button_row(left: QWidget | None, *right: QWidget) -> QHBoxLayout:
    """A step's bottom row: an optional widget on the left, the buttons on the right."""
    row = QHBoxLayout()
    if left is not None:
        row.addWidget(left)
    row.addStretch()
    for widget in right:
        row.addWidget(widget)
    return row


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _undo_question(preview: UndoPreview) -> str:
    parts = [f"Undo the import of {preview.file_name}?"]
    if preview.delete:
        parts.append(
            f"{_plural(preview.delete, 'lead')} it created will be deleted"
            + (
                f", with the calls logged on {preview.called_since} of them"
                if preview.called_since
                else ""
            )
            + "."
        )
    if preview.restore:
        parts.append(
            f"{_plural(preview.restore, 'lead')} it updated will get their earlier values back."
        )
    if preview.edited_since:
        parts.append(
            f"{_plural(preview.edited_since, 'lead')} were edited after the import; "
            "those later edits are kept."
        )
    parts.append("A backup is made first.")
    return " ".join(parts)


def _summary_note(report: ImportReport) -> str:
    if not (report.created or report.updated):
        return "No lead was added or changed."
    if not report.scored:
        return "The leads were imported but not scored: the warnings below say why."
    return (
        "Every new and updated lead was scored with the active model; the best of them "
        "are waiting in today's Queue."
    )


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


class ImportPage(QWidget):
    """A three-step import, with the history of earlier imports and their undo."""

    leads_changed = Signal()
    show_leads_requested = Signal(int, str)  # batch id, file name

    START, MAPPING, REVIEW, SUMMARY = range(4)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.region: str | None = None  # where numbers without + are from (None: the locale's)
        self.path: Path | None = None
        self.preview: ImportPreview | None = None
        self.reviewed: ImportPreview | None = None
        self.report: ImportReport | None = None
        self.worker: Worker | None = None
        self.steps = QStackedWidget()
        self.steps.addWidget(self._build_start())
        self.steps.addWidget(self._build_mapping())
        self.steps.addWidget(self._build_review())
        self.steps.addWidget(self._build_summary())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(theme.heading("Import a spreadsheet", 1.5))
        layout.addWidget(self.steps, 1)
        self.refresh()

    # -- step 1: choose a file, and the history -------------------------------------------
    def _build_start(self) -> QWidget:
        drop = QFrame()
        drop.setObjectName("dropzone")
        drop.setStyleSheet(
            "QFrame#dropzone { border: 2px dashed rgba(37, 99, 235, 0.45); border-radius: 12px;"
            " background: rgba(37, 99, 235, 0.04); }"
        )
        icon = QLabel()
        icon.setPixmap(theme.icon("spreadsheet").pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = theme.heading("Drop a spreadsheet here", 1.3)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        choose = QPushButton("Choose a file…")
        choose.setMinimumHeight(36)
        choose.clicked.connect(lambda: self.start())
        formats = theme.muted(
            "Excel (.xlsx, .xls, .xlsm, .xlsb), OpenDocument (.ods) and text files (.csv, .tsv, "
            ".txt). The first row with headers names the columns; you check the mapping next."
        )
        formats.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner = QVBoxLayout(drop)
        inner.setContentsMargins(24, 28, 24, 28)
        inner.addWidget(icon)
        inner.addWidget(title)
        inner.addWidget(formats)
        inner.addSpacing(8)
        inner.addWidget(choose, 0, Qt.AlignmentFlag.AlignCenter)

        self.history = read_only_table(["File", "Imported", "Result", ""])
        self.history_empty = theme.muted("Files you import will be listed here, with an Undo.")

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(drop)
        layout.addSpacing(16)
        layout.addWidget(theme.heading("Import history", 1.15))
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history, 1)
        return page

    def refresh(self) -> None:
        """Read the import history again."""
        with self._db.read() as conn:
            batches = list_batches(conn)
        self.history.setRowCount(0)  # drops the old rows' Undo buttons too
        self.history.setRowCount(len(batches))
        for row, batch in enumerate(batches):
            when = batch.get("imported_at")  # ISO text, as list_batches gives it
            result = f"{batch.get('created', 0)} new, {batch.get('updated', 0)} updated" + (
                f", {batch['rejected']} rejected" if batch.get("rejected") else ""
            )
            for column, text in enumerate(
                (
                    str(batch.get("file_name", "")),
                    relative_time(datetime.fromisoformat(when)) if when else "",
                    result,
                )
            ):
                self.history.setItem(row, column, QTableWidgetItem(text))
            if batch.get("undone_at"):
                self.history.setItem(row, 3, QTableWidgetItem("Undone"))
                self.history.removeCellWidget(row, 3)
            else:
                button = QPushButton("Undo…")
                button.clicked.connect(lambda _=False, b=batch: self.confirm_undo(b))
                self.history.setCellWidget(row, 3, button)
        self.history.setVisible(bool(batches))
        self.history_empty.setVisible(not batches)

    def start(self, path: Path | None = None) -> None:
        """Begin an import of ``path``, asking for a file when none is given."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Import a spreadsheet", str(Path.home()), FILE_FILTER
            )
            if not name:
                return
            path = Path(name)
        self.path = path
        self.load_preview(None)

    def load_preview(self, sheet: str | None) -> None:
        assert self.path is not None
        path, options = self.path, ImportOptions(sheet=sheet, region=self.region)
        job = call_job(lambda: preview_import(self._db, path, options), f"Reading {path.name}…")
        self.worker = run_with_progress(self, job, f"Reading {path.name}…", self.show_mapping)

    # -- step 2: mapping ------------------------------------------------------------------
    def _build_mapping(self) -> QWidget:
        self.file_label = theme.heading("", 1.15)
        self.file_label.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumWidth(160)
        self.sheet_combo.activated.connect(
            lambda: self.load_preview(self.sheet_combo.currentText())
        )
        self.sheet_label = QLabel("Sheet:")
        self.counts = theme.muted()

        self.mapping_table = read_only_table(
            ["Column in your file", "Imports as", "Sample values"], stretch=2
        )
        self.mapping_table.verticalHeader().setDefaultSectionSize(36)
        self.mapping_table.setAlternatingRowColors(False)
        header = self.mapping_table.horizontalHeader()
        for column, width in ((0, 240), (1, 260)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.mapping_table.setColumnWidth(column, width)

        self.saved_note = theme.muted(
            "The mapping you chose last time for a file with these columns is filled in."
        )
        back = QPushButton("Back")
        back.clicked.connect(self.cancel)
        self.next_button = _primary("Next: duplicates", self.review)

        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.sheet_label)
        top.addWidget(self.sheet_combo)
        bottom = _button_row(self.saved_note, back, self.next_button)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.counts)
        layout.addWidget(self.mapping_table, 1)
        layout.addLayout(bottom)
        return page

    def show_mapping(self, preview: ImportPreview) -> None:
        """Fill the mapping step from a preview of the file."""
        assert self.path is not None
        self.preview = preview
        log.info("import of %s: read, %d columns to map", self.path, len(preview.headers))
        with self._db.read() as conn:
            fields = sorted(load_registry(conn).importable(), key=lambda f: f.label.casefold())
        self.file_label.setText(self.path.name)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(preview.sheets)
        if preview.sheet:
            self.sheet_combo.setCurrentText(preview.sheet)
        many = len(preview.sheets) > 1
        self.sheet_combo.setVisible(many)
        self.sheet_label.setVisible(many)
        self.counts.setText(
            f"Headers found on row {preview.header_row}"
            + (f" of the sheet “{preview.sheet}”" if preview.sheet else "")
            + f". Check what each of the {len(preview.headers)} columns becomes; a column "
            "without a field of its own is kept as a custom field."
        )
        self.saved_note.setVisible(preview.saved_mapping)
        self.mapping_table.setRowCount(len(preview.headers))
        for row, header in enumerate(preview.headers):
            self.mapping_table.setItem(row, 0, QTableWidgetItem(header))
            combo = QComboBox()
            for f in fields:
                combo.addItem(f.label, f.name)
            combo.insertSeparator(combo.count())
            combo.addItem("Custom field", CUSTOM)
            # A header becoming a new custom field maps to a key not in the registry yet.
            target = preview.mapping.get(header)
            found = combo.findData(target) if target is not None else -1
            combo.setCurrentIndex(found if found >= 0 else combo.findData(CUSTOM))
            self.mapping_table.setCellWidget(row, 1, combo)
            samples = ", ".join(s for s in preview.samples.get(header, []) if s)
            item = QTableWidgetItem(samples)
            item.setToolTip(samples)
            self.mapping_table.setItem(row, 2, item)
        self.steps.setCurrentIndex(self.MAPPING)

    def mapping(self) -> dict[str, str | None]:
        """The mapping as the user left it: header -> field, None for a custom field."""
        assert self.preview is not None
        result: dict[str, str | None] = {}
        for row, header in enumerate(self.preview.headers):
            value = self.mapping_combo(row).currentData()
            result[header] = None if value == CUSTOM else value
        return result

    def mapping_combo(self, row: int) -> QComboBox:
        widget = self.mapping_table.cellWidget(row, 1)
        assert isinstance(widget, QComboBox)
        return widget

    def set_mapping(self, header: str, field_name: str) -> None:
        """Choose what ``header`` becomes (a field name, or CUSTOM)."""
        assert self.preview is not None
        combo = self.mapping_combo(self.preview.headers.index(header))
        combo.setCurrentIndex(combo.findData(field_name))

    def cancel(self) -> None:
        self.path = self.preview = self.reviewed = None
        self.steps.setCurrentIndex(self.START)

    # -- step 3: review what the import will do ---------------------------------------------
    def review(self) -> None:
        """Work out, with the mapping as chosen, what importing would create and change."""
        assert self.path is not None
        assert self.preview is not None
        path = self.path
        options = ImportOptions(
            sheet=self.preview.sheet, mapping=self.mapping(), region=self.region
        )
        job = call_job(lambda: preview_import(self._db, path, options), "Checking…")
        self.worker = run_with_progress(
            self, job, f"Checking {path.name} for duplicates…", self.show_review
        )

    def _build_review(self) -> QWidget:
        self.review_title = theme.heading("", 1.15)
        self.review_title.setWordWrap(True)
        self.review_tiles = StatTiles(
            (
                ("new", "new leads"),
                ("existing", "already in LeadDesk"),
                ("merged", "duplicate rows merged"),
                ("problems", "rows with problems"),
            )
        )
        self.duplicate_box = QFrame()
        self.duplicate_group = QButtonGroup(self)
        self.duplicate_buttons: dict[str, QRadioButton] = {}
        box = QVBoxLayout(self.duplicate_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("For the leads already in LeadDesk:"))
        for mode, text, _ in DUPLICATE_CHOICES:
            button = QRadioButton(text)
            button.toggled.connect(self._update_import_button)
            self.duplicate_group.addButton(button)
            self.duplicate_buttons[mode] = button
            box.addWidget(button)
        self.duplicate_buttons["update"].setChecked(True)
        self.flags_note = theme.muted(
            "Do-not-call and do-not-email flags are never cleared by an import."
        )
        box.addWidget(self.flags_note)
        self.preview_table = read_only_table([], stretch=-1)
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.steps.setCurrentIndex(self.MAPPING))
        self.import_button = _primary("Import", self.run_import)
        buttons = _button_row(None, back, self.import_button)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.review_title)
        layout.addSpacing(4)
        layout.addWidget(self.review_tiles)
        layout.addSpacing(8)
        layout.addWidget(self.duplicate_box)
        layout.addSpacing(8)
        layout.addWidget(theme.heading("The first rows, as they will be stored", 1.05))
        layout.addWidget(self.preview_table, 1)
        layout.addLayout(buttons)
        return page

    def show_review(self, preview: ImportPreview) -> None:
        assert self.path is not None
        self.reviewed = preview
        self.review_title.setText(
            f"{self.path.name}: {_plural(len(preview.headers), 'column')} mapped. "
            "This is what the import will do:"
        )
        self.review_tiles.set(
            new=preview.new_count,
            existing=preview.existing_count,
            merged=preview.merged_count,
            problems=preview.problem_count,
        )
        for mode, text, detail in DUPLICATE_CHOICES:
            count = preview.update_counts.get(mode, 0)
            self.duplicate_buttons[mode].setText(f"{text}: {detail.format(n=f'{count:,}')}")
        self.duplicate_box.setVisible(preview.existing_count > 0)
        self._fill_preview_table(preview)
        self._update_import_button()
        self.steps.setCurrentIndex(self.REVIEW)

    def _fill_preview_table(self, preview: ImportPreview) -> None:
        fields = preview.row_fields
        table = self.preview_table
        table.clear()
        table.setColumnCount(len(fields))
        table.setHorizontalHeaderLabels([f.label for f in fields.values()])
        rows = preview.rows[:PREVIEW_ROWS]
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, (key, target) in enumerate(fields.items()):
                text = format_value(values.get(key), target)
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.resizeColumnsToContents()
        for column in range(len(fields)):
            table.setColumnWidth(column, min(table.columnWidth(column), 260))

    def duplicate_mode(self) -> str:
        return next(m for m, b in self.duplicate_buttons.items() if b.isChecked())

    def set_duplicate_mode(self, mode: str) -> None:
        self.duplicate_buttons[mode].setChecked(True)

    def _update_import_button(self) -> None:
        preview = self.reviewed
        if preview is None:
            return
        count = preview.new_count + preview.update_counts.get(self.duplicate_mode(), 0)
        self.import_button.setText(f"Import {_plural(count, 'lead')}")
        self.import_button.setEnabled(count > 0)

    # -- step 4: run and summary ----------------------------------------------------------
    def run_import(self) -> None:
        assert self.path is not None
        assert self.reviewed is not None
        options = ImportOptions(
            region=self.region,
            sheet=self.reviewed.sheet,
            on_duplicate=self.duplicate_mode(),  # type: ignore[arg-type]
            mapping=self.mapping(),
        )
        job = import_file(self._db, self.path, options)
        self.worker = run_with_progress(
            self, job, f"Importing {self.path.name}…", self.show_summary
        )

    def _build_summary(self) -> QWidget:
        self.summary_title = theme.heading("", 1.3)
        self.summary_title.setWordWrap(True)
        self.summary_note = theme.muted()
        self.tiles = StatTiles(
            (
                ("created", "new leads"),
                ("updated", "updated"),
                ("merged", "merged duplicates"),
                ("skipped", "skipped"),
                ("rejected", "rejected"),
            )
        )
        self.stats = self.tiles.numbers
        self.problems_title = theme.heading("Rows not imported", 1.1)
        self.rejected = read_only_table(["Row", "Why"], stretch=1)
        self.warnings = theme.muted()
        self.show_button = _primary("Show imported leads", self._show_imported)
        self.problems_button = QPushButton("Save problem rows as Excel…")
        self.problems_button.setToolTip(
            "The rows that were rejected or warned about, with your original columns and a "
            "Problem column: fix them and import the file again."
        )
        self.problems_button.clicked.connect(lambda: self.save_problem_rows())
        again = QPushButton("Import another file…")
        again.clicked.connect(lambda: self.start())
        done = QPushButton("Done")
        done.clicked.connect(self.cancel)
        buttons = _button_row(self.problems_button, done, again, self.show_button)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.summary_title)
        layout.addWidget(self.summary_note)
        layout.addSpacing(8)
        layout.addWidget(self.tiles)
        layout.addSpacing(8)
        layout.addWidget(self.warnings)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.rejected, 1)
        layout.addStretch()
        layout.addLayout(buttons)
        return page

    def show_summary(self, report: ImportReport) -> None:
        self.report = report
        log.info(
            "import of %s: %d rows read, %d created, %d updated",
            self.path,
            report.rows_read,
            report.created,
            report.updated,
        )
        self.summary_title.setText(
            f"Imported {report.file_name}"
            + (f" (sheet {report.sheet})" if report.sheet else "")
            + f": {report.rows_read} rows read."
        )
        self.summary_note.setText(_summary_note(report))
        self.tiles.set(
            created=report.created,
            updated=report.updated,
            merged=report.merged,
            skipped=report.skipped,
            rejected=len(report.rejected),
        )
        self.rejected.setRowCount(len(report.rejected))
        for row, rejected in enumerate(report.rejected):
            self.rejected.setItem(row, 0, QTableWidgetItem(str(rejected.row)))
            reason = QTableWidgetItem(rejected.reason)
            reason.setToolTip(rejected.reason)
            self.rejected.setItem(row, 1, reason)
        self.rejected.setVisible(bool(report.rejected))
        self.problems_title.setVisible(bool(report.rejected))
        self.warnings.setText("\n".join(report.warnings))
        self.warnings.setVisible(bool(report.warnings))
        self.problems_button.setVisible(bool(report.rejected or report.warnings))
        self.show_button.setEnabled(bool(report.lead_ids))
        self.steps.setCurrentIndex(self.SUMMARY)
        self.refresh()
        self.leads_changed.emit()

    def _show_imported(self) -> None:
        report = self.report
        if report is not None and report.batch_id is not None:
            self.show_leads_requested.emit(report.batch_id, report.file_name)

    def save_problem_rows(self, target: Path | None = None) -> None:
        """Write the rows to fix as a workbook (asking where, unless ``target`` is given)."""
        assert self.path is not None
        assert self.report is not None
        if target is None:
            suggested = self.path.with_name(f"{self.path.stem} - problems.xlsx")
            name, _ = QFileDialog.getSaveFileName(
                self, "Save problem rows", str(suggested), "Excel workbook (*.xlsx)"
            )
            if not name:
                return
            target = Path(name)
        path, report, chosen = self.path, self.report, target
        job = call_job(lambda: write_problem_rows(path, report, chosen), "Saving…")
        self.worker = run_with_progress(
            self, job, f"Saving {chosen.name}…", self._problem_rows_saved, cancellable=False
        )

    def _problem_rows_saved(self, count: int) -> None:
        self.summary_note.setText(
            f"{_plural(count, 'row')} to fix saved. Correct them in Excel and import the file."
        )

    # -- undo -----------------------------------------------------------------------------
    def confirm_undo(self, batch: dict[str, Any]) -> MessageDialog | None:
        try:
            with self._db.read() as conn:
                preview = undo_preview(conn, int(batch["id"]))
        except LeadDeskError as exc:  # undone meanwhile, from the command line or a colleague
            dialogs.show_problem(str(exc), self)
            self.refresh()
            return None
        box = MessageDialog("question", _undo_question(preview), self, accept_text="Undo import")
        box.accepted.connect(lambda: self.undo_batch(preview.batch_id))
        return box.show_modal()

    def undo_batch(self, batch_id: int) -> None:
        job = call_job(lambda: undo_import(self._db, batch_id), "Undoing the import…")
        self.worker = run_with_progress(
            self, job, "Undoing the import…", self._undone, cancellable=False
        )

    def _undone(self, _summary: object) -> None:
        self.refresh()
        self.leads_changed.emit()
