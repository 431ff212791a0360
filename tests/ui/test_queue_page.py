"""The Queue page: one key per outcome, the next lead at once, undo, note, empty states."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QToolButton
from pytestqt.qtbot import QtBot

from leaddesk.core.activities import Outcome
from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter, display_name, get_lead, lead_ids
from leaddesk.core.progress import run
from leaddesk.core.queue import day_progress
from leaddesk.core.queue_settings import QueueSettings, save_queue_settings
from leaddesk.core.sample import load_sample
from leaddesk.core.schema import Activity
from leaddesk.core.scoring.predictive.predictions import write_probabilities
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages.queue_page import QueuePage
from leaddesk.ui.queue.day_summary import DaySummaryDialog

AnswerDialog = Callable[..., list[str]]
activities = Activity.__table__  # type: ignore[attr-defined]


def calls(db: Database, lead_id: int) -> list[sa.Row[tuple[str, str | None]]]:
    query = sa.select(activities.c.outcome, activities.c.note).where(
        activities.c.lead_id == lead_id, activities.c.kind == "call"
    )
    with db.read() as conn:
        return list(conn.execute(query.order_by(activities.c.id)))


@pytest.fixture
def page(qtbot: QtBot, sample_db: Database, window: MainWindow) -> QueuePage:
    window.show_page("queue")
    page = window.queue_page
    assert page.current_entry() is not None
    page.list.setFocus()
    qtbot.waitUntil(page.list.hasFocus)
    return page


def test_number_key_logs_the_outcome_and_shows_the_next_lead(
    qtbot: QtBot, page: QueuePage, sample_db: Database
) -> None:
    first = page.current_entry()
    assert first is not None
    second = page.model.entry(1)
    assert second is not None
    before = len(calls(sample_db, first.lead_id))
    rows = page.model.rowCount()

    qtbot.keyClick(page.list, Qt.Key.Key_2)

    assert [c.outcome for c in calls(sample_db, first.lead_id)][before:] == ["voicemail"]
    assert page.model.rowCount() == rows - 1
    current = page.current_entry()
    assert current is not None
    assert current.lead_id == second.lead_id
    assert page.card.name.text() == page.model.data(page.model.index(0, 0))
    assert "Left voicemail" in page.feedback.text()


def test_do_not_call_key_flags_the_lead(qtbot: QtBot, page: QueuePage, sample_db: Database) -> None:
    entry = page.current_entry()
    assert entry is not None
    qtbot.keyClick(page.list, Qt.Key.Key_7)
    with sample_db.read() as conn:
        assert get_lead(conn, entry.lead_id)["do_not_call"] is True
    assert page.model.row_of(entry.lead_id) == -1


def test_ctrl_z_undoes_the_last_outcome(
    qtbot: QtBot, page: QueuePage, sample_db: Database, answer_dialog: AnswerDialog
) -> None:
    entry = page.current_entry()
    assert entry is not None
    with sample_db.read() as conn:
        before = get_lead(conn, entry.lead_id)
    asked = answer_dialog()  # the lost reason offered first: "Not interested"
    qtbot.keyClick(page.list, Qt.Key.Key_5)
    assert asked == ["Not interested"]
    with sample_db.read() as conn:
        lost = get_lead(conn, entry.lead_id)
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Not interested")
    assert page.undo_action.isEnabled()

    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())
    qtbot.keyClick(page.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    with sample_db.read() as conn:
        after = get_lead(conn, entry.lead_id)
    assert after["status"] == before["status"]
    assert after["attempts"] == before["attempts"]
    current = page.current_entry()
    assert current is not None
    assert current.lead_id == entry.lead_id
    assert not page.undo_action.isEnabled()


def test_enter_moves_on_without_logging(qtbot: QtBot, page: QueuePage, sample_db: Database) -> None:
    first, second = page.model.entry(0), page.model.entry(1)
    assert first is not None
    assert second is not None
    before = len(calls(sample_db, first.lead_id))
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    current = page.current_entry()
    assert current is not None
    assert current.lead_id == second.lead_id
    assert len(calls(sample_db, first.lead_id)) == before


def test_note_is_saved_with_the_next_outcome(
    qtbot: QtBot, page: QueuePage, sample_db: Database, answer_dialog: AnswerDialog
) -> None:
    entry = page.current_entry()
    assert entry is not None
    qtbot.keyClick(page.list, Qt.Key.Key_N)
    assert page.note_edit.hasFocus()
    qtbot.keyClicks(page.note_edit, "Call back after 3")  # digits type, they log nothing
    qtbot.keyClick(page.note_edit, Qt.Key.Key_Escape)
    assert page.list.hasFocus()

    asked = answer_dialog()  # accept the callback offered
    qtbot.keyClick(page.list, Qt.Key.Key_3)

    assert asked == ["Call back"]
    assert calls(sample_db, entry.lead_id)[-1].note == "Call back after 3"
    assert calls(sample_db, entry.lead_id)[-1].outcome == "connected"
    assert page.note_edit.toPlainText() == ""
    with sample_db.read() as conn:
        callback = get_lead(conn, entry.lead_id)["next_follow_up_at"]
    assert callback is not None
    assert callback > datetime.now(UTC)
    assert "callback" in page.feedback.text()


def test_escape_in_the_callback_question_logs_nothing(
    qtbot: QtBot, page: QueuePage, sample_db: Database, answer_dialog: AnswerDialog
) -> None:
    entry = page.current_entry()
    assert entry is not None
    before = len(calls(sample_db, entry.lead_id))
    answer_dialog(Qt.Key.Key_Escape)
    qtbot.keyClick(page.list, Qt.Key.Key_3)
    assert len(calls(sample_db, entry.lead_id)) == before
    assert page.current_entry() == entry


def test_buttons_show_their_keys_and_do_the_same(page: QueuePage, sample_db: Database) -> None:
    texts = {b.text() for b in page.findChildren(QToolButton)}
    for outcome in Outcome:
        assert f"{outcome.key}   {outcome.label}" in texts
    assert "Ctrl+Z   Undo" in texts
    entry = page.current_entry()
    assert entry is not None
    page.outcome_actions[Outcome.MEETING].trigger()
    assert calls(sample_db, entry.lead_id)[-1].outcome == "meeting"


def test_card_shows_the_lead_and_its_score_explanation(page: QueuePage) -> None:
    entry = page.current_entry()
    assert entry is not None
    assert entry.reason == page.card.reason.text()
    assert f"tel:{entry.lead['phone']}" in page.card.phone.text()
    assert page.card.badge.text().startswith(f"{math.floor(entry.lead['score'])} · ")
    assert "<table" in page.card.explanation.text()
    assert page.card.chance.isHidden()  # no predictive model yet: no probability


def test_card_shows_the_probability_beside_the_score(
    page: QueuePage, sample_db: Database, window: MainWindow
) -> None:
    with sample_db.write() as conn:
        ids = np.array(lead_ids(conn, LeadFilter(), limit=1000))
        write_probabilities(conn, ids, np.linspace(0.9, 0.1, len(ids)))
        save_queue_settings(conn, QueueSettings(order="probability"))
    window.settings_page.settings_changed.emit()
    page.refresh()
    ranked = [e for e in page.model.entries() if e.bucket in ("score", "new")]
    page.list.setCurrentIndex(page.model.index(page.model.row_of(ranked[0].lead_id), 0))
    entry = page.current_entry()
    assert entry == ranked[0]
    called = [e.lead["probability"] for e in ranked if e.bucket == "score"]
    assert called == sorted(called, reverse=True)  # in the team's order
    assert page.card.chance.isVisibleTo(page.card)
    assert page.card.chance.text() == f"{entry.lead['probability']:.0f}% likely"
    assert page.card.reason.text() == entry.reason


def test_empty_database_says_there_is_nobody_to_call(qtbot: QtBot, db: Database) -> None:
    page = QueuePage(db)
    qtbot.addWidget(page)
    page.refresh()
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title.text() == "No leads to call yet"
    assert not page.outcome_actions[Outcome.NO_ANSWER].isEnabled()
    with qtbot.waitSignal(page.sample_requested):
        page.sample_button.click()


def test_all_done_when_every_lead_was_called(qtbot: QtBot, db: Database) -> None:
    run(load_sample(db, n=12))
    page = QueuePage(db)
    qtbot.addWidget(page)
    page.refresh()
    called = 0
    while page.current_entry() is not None and called < 12:
        page.log(Outcome.NO_ANSWER)
        called += 1
    assert called > 0
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title.text() == "All done for today"
    assert page.import_button.isHidden()
    assert "of 50 calls made today" in page.empty.footer.text()


# The offscreen platform cannot raise a popup menu or grab the keyboard for it.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_rep_works_twenty_leads_with_the_keyboard_alone(
    qtbot: QtBot, page: QueuePage, sample_db: Database, answer_dialog: AnswerDialog
) -> None:
    """The whole morning: outcomes, a callback, a lost reason, a note, a snooze, a skip."""
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_4, Qt.Key.Key_6] * 5
    keys[5], keys[9] = Qt.Key.Key_3, Qt.Key.Key_5
    seen: list[int] = []
    for n, key in enumerate(keys):
        entry = page.current_entry()
        assert entry is not None
        assert entry.lead_id not in seen  # a lead worked once never comes back today
        seen.append(entry.lead_id)
        if n == 2:  # a note first: N, type, Esc back to the keys
            qtbot.keyClick(page.list, Qt.Key.Key_N)
            qtbot.keyClicks(page.note_edit, "Asked for the brochure")
            qtbot.keyClick(page.note_edit, Qt.Key.Key_Escape)
        if key == Qt.Key.Key_3:
            answer_dialog()
        if key == Qt.Key.Key_5:
            answer_dialog(typed="Bad timing")
        qtbot.keyClick(page.list, key)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())
    # Snooze one (S, then Enter on "Until tomorrow") and skip one (Enter).
    snoozed = page.current_entry()
    assert snoozed is not None
    qtbot.keyClick(page.list, Qt.Key.Key_S)
    menu = QApplication.activePopupWidget()
    assert menu is not None
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    skipped = page.current_entry()
    assert skipped is not None
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    assert page.current_entry() != skipped

    with sample_db.read() as conn:
        logged = conn.execute(
            sa.select(
                activities.c.lead_id, activities.c.outcome, activities.c.rep, activities.c.note
            )
            .where(activities.c.kind == "call", activities.c.rep == page.rep)
            .order_by(activities.c.id)
        ).all()
        lost = get_lead(conn, seen[9])
        callback = get_lead(conn, seen[5])["next_follow_up_at"]
        snooze_until = get_lead(conn, snoozed.lead_id)["snoozed_until"]
    assert len(seen) == 20
    assert [row.lead_id for row in logged] == seen
    assert logged[2].note == "Asked for the brochure"
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Bad timing")
    assert callback is not None
    assert snooze_until is not None
    assert page.model.row_of(snoozed.lead_id) == -1
    assert page.progress_text.text() == f"20 of {page.settings.daily_target} calls made today"
    page.refresh()
    queued = {e.lead_id for e in page.model.entries()}
    assert not queued & {*seen, snoozed.lead_id}  # called today, or snoozed: not shown again


def test_why_isnt_it_here_answers_below_the_list(
    qtbot: QtBot, page: QueuePage, sample_db: Database
) -> None:
    entry = page.current_entry()
    assert entry is not None
    qtbot.keyClick(page.list, Qt.Key.Key_7)  # do not call: it leaves the queue
    qtbot.keyClick(page.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.why_edit.hasFocus()
    qtbot.keyClicks(page.why_edit, entry.lead["phone"][-7:])  # part of the number will do
    qtbot.keyClick(page.why_edit, Qt.Key.Key_Return)
    assert page.why_answer.isVisible()
    assert "because it is marked do-not-call" in page.why_answer.text()
    qtbot.keyClick(page.why_edit, Qt.Key.Key_Escape)
    assert page.list.hasFocus()


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_snooze_is_undone_with_ctrl_z(qtbot: QtBot, page: QueuePage, sample_db: Database) -> None:
    entry = page.current_entry()
    assert entry is not None
    page.snooze(1)
    assert page.model.row_of(entry.lead_id) == -1
    assert "Snoozed" in page.feedback.text()
    qtbot.keyClick(page.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with sample_db.read() as conn:
        assert get_lead(conn, entry.lead_id)["snoozed_until"] is None
    current = page.current_entry()
    assert current is not None
    assert current.lead_id == entry.lead_id


def test_day_summary_counts_the_reps_calls(page: QueuePage, qtbot: QtBot) -> None:
    page.log(Outcome.MEETING)
    page.log(Outcome.NO_ANSWER)
    with page._db.read() as conn:
        today = day_progress(conn, rep=page.rep, settings=page.settings)
    dialog = DaySummaryDialog(today, page.model.rowCount(), page)
    qtbot.addWidget(dialog)
    numbers = {key: label.text() for key, label in dialog.tiles.numbers.items()}
    assert numbers == {
        "calls": "2",
        "connects": "1",
        "meetings": "1",
        "left": f"{page.model.rowCount():,}",
    }
    assert sum(dialog.bars.by_hour.values()) == 2
    assert "48 calls to go" in dialog.remaining.text() or "only" in dialog.remaining.text()


def test_the_call_sheet_is_the_queue_on_screen(
    qtbot: QtBot, page: QueuePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sheet.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    page.export_call_sheet()
    qtbot.waitUntil(lambda: "Saved the call sheet" in page.feedback.text(), timeout=10_000)
    sheet = load_workbook(target).active
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert names[: page.model.rowCount()] == [display_name(e.lead) for e in page.model.entries()]


def test_the_queue_follows_the_teams_settings(
    page: QueuePage, sample_db: Database, window: MainWindow
) -> None:
    with sample_db.write() as conn:
        save_queue_settings(conn, QueueSettings(daily_target=12))
    window.settings_page.settings_changed.emit()
    window.show_page("leads")
    window.show_page("queue")
    assert page.progress_text.text().endswith("of 12 calls made today")
