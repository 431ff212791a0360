"""The import wizard: file, mapping, run, summary, history and undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.importing.history import undo_import
from leaddesk.core.importing.pipeline import ImportReport
from leaddesk.core.leads import list_leads, load_registry
from leaddesk.ui import dialogs
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages.import_page import CUSTOM, ImportPage, _summary_note
from leaddesk.ui.workers import running_workers

HEADERS = ["Full Name", "E-mail", "Phone number", "Company", "Favourite colour"]
ROWS = [
    ["Ada Lovelace", "ada@example.com", "+44 20 7946 0018", "Analytical", "green"],
    ["Grace Hopper", "grace@example.com", "+1 202 555 0143", "Navy", "blue"],
    ["No Contact", "", "", "Nowhere", "red"],
]


def workbook(path: Path, *, second_sheet: bool = False) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    if second_sheet:
        book.create_sheet("Notes").append(["Nothing to import here"])
    book.save(path)
    return path


@pytest.fixture
def page(window: MainWindow) -> ImportPage:
    window.show_page("import")
    return window.import_page


def wait_idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_workers() == 0)


def to_review(qtbot: QtBot, page: ImportPage) -> None:
    """From the mapping step to the review of duplicates, as the Next button does."""
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.steps.currentIndex() == page.REVIEW)


def test_mapping_step_shows_guesses_and_samples(
    qtbot: QtBot, page: ImportPage, tmp_path: Path
) -> None:
    page.start(workbook(tmp_path / "leads.xlsx", second_sheet=True))
    qtbot.waitUntil(lambda: page.steps.currentIndex() == page.MAPPING)
    assert page.mapping_combo(1).currentData() == "email"
    assert page.mapping_combo(0).currentData() == "full_name"
    assert page.mapping_combo(4).currentData() == CUSTOM
    assert "ada@example.com" in page.mapping_table.item(1, 2).text()
    assert page.sheet_combo.isVisibleTo(page)
    assert page.sheet_combo.currentText() == "Leads"
    assert page.mapping() == {
        "Full Name": "full_name",
        "E-mail": "email",
        "Phone number": "phone",
        "Company": "company",
        "Favourite colour": None,
    }


def test_import_runs_and_summarises(
    qtbot: QtBot, page: ImportPage, db: Database, tmp_path: Path
) -> None:
    page.start(workbook(tmp_path / "leads.xlsx"))
    qtbot.waitUntil(lambda: page.steps.currentIndex() == page.MAPPING)
    page.set_mapping("Company", CUSTOM)
    to_review(qtbot, page)
    assert page.review_tiles.numbers["new"].text() == "2"
    assert page.review_tiles.numbers["problems"].text() == "1"
    assert not page.duplicate_box.isVisibleTo(page)  # nothing is in LeadDesk yet
    labels = [page.preview_table.horizontalHeaderItem(c).text() for c in range(5)]
    assert labels == ["First name", "Last name", "Email", "Phone", "Company"]
    assert page.preview_table.item(0, 3).text() == "+442079460018"
    assert page.import_button.text() == "Import 2 leads"
    with qtbot.waitSignal(page.leads_changed):
        page.import_button.click()
    assert page.steps.currentIndex() == page.SUMMARY
    assert page.report is not None
    assert page.stats["created"].text() == "2"
    assert page.stats["rejected"].text() == "1"
    assert page.rejected.rowCount() == 1
    assert page.rejected.item(0, 0).text() == "4"  # the spreadsheet's own row number
    assert page.problems_button.isVisibleTo(page)
    page.save_problem_rows(tmp_path / "problems.xlsx")
    wait_idle(qtbot)
    problems = load_workbook(tmp_path / "problems.xlsx").worksheets[0]
    assert [c.value for c in problems[2]][:3] == [4, "No Contact", None]
    with db.read() as conn:
        leads = list_leads(conn)
        registry = load_registry(conn)
    assert {lead["email"] for lead in leads} == {"ada@example.com", "grace@example.com"}
    assert all(lead["company"] is None for lead in leads)  # kept as a custom field instead
    assert {f.label for f in registry.custom} == {"Company", "Favourite colour"}
    page.show_button.click()
    window = page.window()
    assert isinstance(window, MainWindow)
    assert window.current_page() == "leads"
    assert window.leads_page.model.sort_key() == ("created_at", True)
    assert window.leads_page.batch_chip.text().startswith("Imported from leads.xlsx")
    assert window.leads_page.model.rowCount() == 2
    window.leads_page.batch_chip.click()
    assert window.leads_page.batch is None


def test_history_lists_imports_and_undoes_them(
    qtbot: QtBot, page: ImportPage, db: Database, tmp_path: Path
) -> None:
    page.start(workbook(tmp_path / "leads.xlsx"))
    qtbot.waitUntil(lambda: page.steps.currentIndex() == page.MAPPING)
    to_review(qtbot, page)
    with qtbot.waitSignal(page.leads_changed):
        page.run_import()
    page.cancel()
    assert page.history.rowCount() == 1
    assert page.history.item(0, 0).text() == "leads.xlsx"
    assert page.history.item(0, 2).text() == "3 new, 0 updated"
    undo = page.history.cellWidget(0, 3)
    assert isinstance(undo, QPushButton)
    undo.click()
    box = next(w for w in dialogs._SHOWN if w.isVisible())
    assert "3 leads it created will be deleted" in box.text.text()
    with qtbot.waitSignal(page.leads_changed):
        box.accept()
    with db.read() as conn:
        assert list_leads(conn) == []
    assert page.history.item(0, 3).text() == "Undone"


def test_a_bad_file_is_explained(
    qtbot: QtBot, page: ImportPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_problem", lambda text, _parent=None: shown.append(text))
    bad = tmp_path / "leads.xlsx"
    bad.write_bytes(b"%PDF-1.4 definitely not a workbook")
    page.start(bad)
    qtbot.waitUntil(lambda: bool(shown))
    assert "PDF" in shown[0]
    assert page.steps.currentIndex() == page.START


@pytest.mark.parametrize(
    ("created", "scored", "says"),
    [(3, True, "was scored"), (3, False, "not scored"), (0, False, "No lead was added")],
)
def test_the_summary_says_whether_the_leads_were_scored(
    created: int, scored: bool, says: str
) -> None:
    report = ImportReport(None, "c.xlsx", None, 1, {}, created=created, scored=scored)
    assert says in _summary_note(report)


def test_undoing_a_batch_undone_elsewhere_is_explained(
    qtbot: QtBot, page: ImportPage, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_problem", lambda text, _parent=None: shown.append(text))
    page.start(workbook(tmp_path / "leads.xlsx"))
    qtbot.waitUntil(lambda: page.steps.currentIndex() == page.MAPPING)
    to_review(qtbot, page)
    with qtbot.waitSignal(page.leads_changed):
        page.run_import()
    undo_import(db, 1)  # from the command line, while the history still offers Undo
    assert page.confirm_undo({"id": 1}) is None
    assert "already undone" in shown[0]
    assert page.history.item(0, 3).text() == "Undone"
