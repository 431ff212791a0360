"""The Leads page: the table over SQL, a debounced search, sort by header, empty states."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter, count_leads
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages.leads_page import LeadsPage, ScoreDelegate


def leads_page(window: MainWindow) -> LeadsPage:
    window.show_page("leads")
    return window.leads_page


def test_search_waits_for_a_pause_then_filters_in_sql(
    qtbot: QtBot, sample_db: Database, window: MainWindow
) -> None:
    page = leads_page(window)
    assert page.model.rowCount() == 450
    assert page.count.text() == "450 leads"
    # QTest types ASCII only
    lead = next(
        lead for r in range(50) if (lead := page.model.lead(r)) and lead["last_name"].isascii()
    )
    qtbot.keyClicks(page.search, lead["last_name"])
    assert page.model.rowCount() == 450  # not yet: the search waits for a pause in typing
    with sample_db.read() as conn:
        expected = count_leads(conn, LeadFilter(search=lead["last_name"]))
    qtbot.waitUntil(lambda: page.model.rowCount() == expected)
    assert page.count.text().endswith("found")


def test_no_match_shows_an_empty_state(
    qtbot: QtBot, sample_db: Database, window: MainWindow
) -> None:
    page = leads_page(window)
    page.search.setText("zzzz-nobody-by-this-name")
    page.apply_search()
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title.text() == "No leads match"
    page.search.clear()
    page.apply_search()
    assert page.stack.currentWidget() is page.table


def test_clicking_a_header_sorts(qtbot: QtBot, sample_db: Database, window: MainWindow) -> None:
    page = leads_page(window)
    header: QHeaderView = page.table.horizontalHeader()
    column = page.model.column_of("company")
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(column) + 5, 5),
    )
    assert page.model.sort_key()[0] == "company"
    companies = [page.model.lead(r)["company"] for r in range(20)]  # type: ignore[index]
    assert companies == sorted(companies) or companies == sorted(companies, reverse=True)


def test_score_column_is_drawn_as_a_badge(sample_db: Database, window: MainWindow) -> None:
    page = leads_page(window)
    delegate = page.table.itemDelegateForColumn(page.model.column_of("score"))
    assert isinstance(delegate, ScoreDelegate)
    page.table.grab()  # paints the visible rows through the delegate without errors
