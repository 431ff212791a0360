"""Qt item models: qtmodeltester, and the leads table reading SQL one page at a time."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter, lead_ids
from leaddesk.core.queue import build_queue
from leaddesk.core.scoring.predictive.predictions import write_probabilities
from leaddesk.ui.models.leads_model import CACHED_PAGES, LEAD_ID_ROLE, PAGE_SIZE, LeadsModel
from leaddesk.ui.models.queue_model import REASON_ROLE, QueueModel


def test_leads_model_passes_the_model_tester(
    qtmodeltester: ModelTester, sample_db: Database
) -> None:
    model = LeadsModel(sample_db)
    assert model.rowCount() == 450
    qtmodeltester.check(model, force_py=True)
    model.sort(model.column_of("last_name"), Qt.SortOrder.AscendingOrder)
    model.set_filter(LeadFilter(search="a"))
    qtmodeltester.check(model, force_py=True)


def test_empty_leads_model_passes_the_model_tester(
    qtmodeltester: ModelTester, db: Database
) -> None:
    model = LeadsModel(db)
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_leads_are_read_one_page_at_a_time(sample_db: Database) -> None:
    model = LeadsModel(sample_db)
    assert model.page_reads == 0
    model.data(model.index(0, 0))
    model.data(model.index(PAGE_SIZE - 1, 3))
    assert model.page_reads == 1
    model.data(model.index(449, 0))  # a jump to the end reads only the last page
    assert model.page_reads == 2
    for row in range(0, 450, PAGE_SIZE):
        model.data(model.index(row, 0))
    assert model.page_reads == 3
    assert len(model._pages) <= CACHED_PAGES


def test_sorting_happens_in_sql(sample_db: Database) -> None:
    model = LeadsModel(sample_db)
    column = model.column_of("last_name")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    names = [model.data(model.index(row, column)) for row in range(model.rowCount())]
    assert names == sorted(names, key=lambda n: (n == "", n))
    model.sort(model.column_of("score"), Qt.SortOrder.DescendingOrder)
    scores = [model.lead(row)["score"] for row in range(model.rowCount())]  # type: ignore[index]
    assert scores == sorted(scores, reverse=True)


def test_score_cell_is_a_badge_with_the_tier(sample_db: Database) -> None:
    model = LeadsModel(sample_db)
    lead = model.lead(0)
    assert lead is not None
    text = model.data(model.index(0, model.column_of("score")))
    assert text == f"{lead['score']:.0f} · {lead['tier']}"
    assert model.data(model.index(0, 0), LEAD_ID_ROLE) == lead["id"]


def test_probability_reads_as_a_percentage_and_sorts_in_sql(sample_db: Database) -> None:
    with sample_db.write() as conn:
        ids = np.array(lead_ids(conn, LeadFilter(), limit=450))
        chances = np.linspace(0.9, 0.1, len(ids))
        write_probabilities(conn, ids[::2], chances[::2])  # the others are not predicted yet
    model = LeadsModel(sample_db)
    column = model.column_of("probability")
    assert column == model.column_of("score") + 1  # a default column, beside the score
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Probability"
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    title = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
    assert title == right  # over its numbers
    model.sort(column, Qt.SortOrder.DescendingOrder)
    first = model.index(0, column)
    assert model.data(first) == "90%"
    assert model.data(first, Qt.ItemDataRole.TextAlignmentRole) == right
    shown = [model.lead(row)["probability"] for row in range(model.rowCount())]  # type: ignore[index]
    assert shown == sorted(shown[:225], reverse=True) + [None] * 225  # not predicted: last
    assert model.data(model.index(449, column)) == ""


def test_search_filters_in_sql(sample_db: Database) -> None:
    model = LeadsModel(sample_db)
    lead = model.lead(5)
    assert lead is not None
    model.set_filter(LeadFilter(search=lead["last_name"]))
    found = [model.lead(row) for row in range(model.rowCount())]
    assert 0 < len(found) < 450
    assert lead["id"] in {f["id"] for f in found if f is not None}


def test_queue_model_passes_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, sample_db: Database
) -> None:
    model = QueueModel()
    with sample_db.read() as conn:
        entries = build_queue(conn, limit=30)
    model.set_entries(entries)
    qtmodeltester.check(model, force_py=True)
    assert model.data(model.index(0, 0), REASON_ROLE) == entries[0].reason
    with qtbot.waitSignal(model.rowsRemoved):
        model.remove_lead(entries[0].lead_id)
    assert model.rowCount() == 29
    assert model.row_of(entries[0].lead_id) == -1
    qtmodeltester.check(model, force_py=True)


def test_values_read_as_people_say_them() -> None:
    from datetime import UTC, datetime, timedelta

    from leaddesk.core.fields import builtin
    from leaddesk.ui.formatting import format_value, relative_time

    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(seconds=20), now) == "just now"
    assert relative_time(now - timedelta(hours=1), now) == "1 hour ago"
    assert relative_time(now - timedelta(days=3), now) == "3 days ago"
    assert relative_time(now + timedelta(days=2, hours=1), now) == "in 2 days"
    assert relative_time(now - timedelta(days=90), now).endswith("2025")
    assert format_value(True) == "Yes"
    assert format_value(1234567.0, builtin("annual_revenue")) == "1,234,567"
    assert format_value(2.5) == "2.50"
    assert format_value(None) == ""
