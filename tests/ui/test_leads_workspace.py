"""The Leads page as a workspace: filters, saved views, columns, bulk actions and undo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter, count_leads, list_leads
from leaddesk.core.saved_views import load_views
from leaddesk.ui import main_window
from leaddesk.ui.export_dialog import ExportChoice, ExportCounts
from leaddesk.ui.lead_detail import LeadDetailDialog
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages.leads_page import LeadsPage
from leaddesk.ui.preferences import Preferences

AnswerDialog = Callable[..., list[str]]  # the answer_dialog fixture (tests/conftest.py)


def leads_page(window: MainWindow) -> LeadsPage:
    window.show_page("leads")
    return window.leads_page


def tick(page: LeadsPage, part: str, value: str) -> None:
    """Tick ``value`` in a filter popup, as a click on its check box would."""
    button, values = page.filters._lists[part]
    button.menu().aboutToShow.emit()
    item = next(
        values.item(i)
        for i in range(values.count())
        if values.item(i).data(Qt.ItemDataRole.UserRole) == value
    )
    item.setCheckState(Qt.CheckState.Checked)


def test_filters_combine_and_the_buttons_say_what_is_chosen(
    sample_db: Database, window: MainWindow
) -> None:
    page = leads_page(window)
    tick(page, "statuses", "new")
    tick(page, "tiers", "Hot")
    expected_filter = LeadFilter(statuses=("new",), tiers=("Hot",))
    with sample_db.read() as conn:
        expected = count_leads(conn, expected_filter)
    assert 0 < expected < 450
    assert page.model.lead_filter == expected_filter
    assert page.model.rowCount() == expected
    assert page.filters._lists["statuses"][0].text() == "Status: New"
    assert page.count.text() == f"{expected:,} leads found"
    assert page.filters.clear_button.isVisible()
    page.filters.clear_button.click()
    assert page.model.rowCount() == 450
    assert page.filters._lists["tiers"][0].text() == "Tier ▾"


def test_owner_values_come_from_the_data_with_nobody_first(
    sample_db: Database, window: MainWindow
) -> None:
    page = leads_page(window)
    tick(page, "owners", "")
    with sample_db.read() as conn:
        assert page.model.rowCount() == count_leads(conn, LeadFilter(owners=("",)))


def test_a_saved_view_brings_back_its_filter_and_sort(
    qtbot: QtBot, sample_db: Database, window: MainWindow
) -> None:
    page = leads_page(window)
    tick(page, "countries", "DE")
    page.table.sortByColumn(page.model.column_of("company"), Qt.SortOrder.AscendingOrder)
    page.save_current_view("German leads by company")
    with sample_db.read() as conn:
        assert load_views(conn)[-1].filter == LeadFilter(countries=("DE",))
    page.filters.clear()
    page.views.setCurrentIndex(0)
    page.views.activated.emit(0)
    assert page.model.lead_filter == LeadFilter()
    index = page.views.findText("German leads by company")
    page.views.setCurrentIndex(index)
    page.views.activated.emit(index)
    assert page.model.lead_filter == LeadFilter(countries=("DE",))
    assert page.model.sort_key() == ("company", False)
    assert page.filters._lists["countries"][0].text() == "Country: DE"


def test_columns_are_chosen_moved_and_remembered(
    sample_db: Database, window: MainWindow, settings: QSettings
) -> None:
    page = leads_page(window)
    page._toggle_column("grade", False)
    page._toggle_column("tags", True)
    names = page.model.column_names()
    assert "grade" not in names
    assert names[-1] == "tags"
    header = page.table.horizontalHeader()
    header.moveSection(page.model.column_of("email"), 0)
    assert page.model.column_names()[0] == "email"
    assert Preferences(settings).leads_columns == page.model.column_names()
    again = LeadsPage(sample_db, Preferences(settings))
    assert again.model.column_names() == page.model.column_names()
    again.deleteLater()


def test_bulk_assign_every_matching_lead_then_undo(
    qtbot: QtBot, sample_db: Database, window: MainWindow, answer_dialog: AnswerDialog
) -> None:
    page = leads_page(window)
    tick(page, "tiers", "Warm")
    warm = page.model.rowCount()
    page.table.selectRow(0)
    assert page.bulk_bar.label.text() == "1 selected"
    assert page.bulk_bar.select_all.text() == f"Select all {warm:,} matching leads"
    page.bulk_bar.select_all.click()
    assert page.bulk_bar.label.text() == f"All {warm:,} matching leads selected"
    answer_dialog(typed="Zoe Quinn")
    page.bulk_bar.buttons["owner"].click()
    qtbot.waitUntil(lambda: page.message.text().startswith("Assigned"))
    assert page.message.text() == f"Assigned {warm:,} leads to Zoe Quinn."
    with sample_db.read() as conn:
        assert count_leads(conn, LeadFilter(owners=("Zoe Quinn",))) == warm
    window.activateWindow()  # back from the question, as the user is
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.message.text().startswith("Undid"))
    with sample_db.read() as conn:
        assert count_leads(conn, LeadFilter(owners=("Zoe Quinn",))) == 0


def test_deleting_a_selection_asks_first_and_can_be_undone(
    qtbot: QtBot, sample_db: Database, window: MainWindow, answer_dialog: AnswerDialog
) -> None:
    page = leads_page(window)
    with sample_db.read() as conn:
        first_three = [lead["id"] for lead in list_leads(conn, limit=3)]
    page.table.selectRow(0)
    for row in (1, 2):
        page.table.selectionModel().select(
            page.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    answer_dialog(Qt.Key.Key_Escape)
    page.bulk_bar.buttons["delete"].click()
    assert page.model.rowCount() == 450  # cancelled: nothing deleted
    seen = answer_dialog()
    page.bulk_bar.buttons["delete"].click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 447)
    assert seen
    assert page.undo_button.isVisible()
    with sample_db.read() as conn:
        assert count_leads(conn, LeadFilter(ids=tuple(first_three))) == 0
    page.undo_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 450)


def test_a_dashboard_click_shows_its_leads(sample_db: Database, window: MainWindow) -> None:
    page = leads_page(window)
    page.show_filter(LeadFilter(grades=("A",), min_score=80), "grade A leads scoring 80+")
    assert page.message.text() == "Showing grade A leads scoring 80+."
    assert page.filters._lists["grades"][0].text() == "Grade: A"
    assert page.filters.score_button.text() == "Score: ≥ 80"
    with sample_db.read() as conn:
        assert page.model.rowCount() == count_leads(conn, LeadFilter(grades=("A",), min_score=80))


def test_enter_on_a_lead_opens_its_detail(
    qtbot: QtBot, sample_db: Database, window: MainWindow
) -> None:
    page = leads_page(window)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, page.model.column_of("last_name")))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = window.findChild(LeadDetailDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog._lead_id == page.model.lead(0)["id"]  # type: ignore[index]
    dialog.reject()


def test_export_of_the_leads_shown_writes_just_those(
    qtbot: QtBot,
    sample_db: Database,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = leads_page(window)
    tick(page, "tiers", "Hot")
    asked: list[ExportCounts] = []

    def answer(_parent: object, counts: ExportCounts) -> ExportChoice:
        asked.append(counts)
        return ExportChoice("shown", tmp_path / "hot.xlsx")

    monkeypatch.setattr(main_window, "ask_export", answer)
    window.export_leads()
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Exported"), timeout=10_000
    )
    assert asked[0].shown == page.model.rowCount()
    assert asked[0].shown_in_words == "tier Hot"
    sheet = load_workbook(tmp_path / "hot.xlsx")["Leads"]
    assert sheet.max_row - 1 == page.model.rowCount()
