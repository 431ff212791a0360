"""The lead detail dialog: fields edited in place, save, conflicts, erase, export, keyboard."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QFileDialog, QLineEdit
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.errors import NotFoundError
from leaddesk.core.lead_record import save_changes, timeline
from leaddesk.core.leads import LeadFilter, display_name, get_lead, list_leads
from leaddesk.core.schema import Activity, CustomFieldRecord, Suppression, leads
from leaddesk.core.scoring.predictive.predictions import MINUS, explain_leads
from leaddesk.core.scoring.predictive.store import active_predictive_model
from leaddesk.ui import theme
from leaddesk.ui.formatting import relative_time
from leaddesk.ui.lead_detail import LeadDetailDialog
from leaddesk.ui.lead_detail.dialog import EXCEL_FILES
from leaddesk.ui.lead_detail.prediction_panel import NO_MODEL
from leaddesk.ui.preferences import Preferences

AnswerDialog = Callable[..., list[str]]
activities = Activity.__table__  # type: ignore[attr-defined]
custom_fields = CustomFieldRecord.__table__  # type: ignore[attr-defined]


@pytest.fixture
def preferences(settings: QSettings) -> Preferences:
    preferences = Preferences(settings)
    preferences.rep_name = "Alex Morgan"
    return preferences


@pytest.fixture
def lead_id(sample_db: Database) -> int:
    """A sample lead that has been called, so its timeline has something to show."""
    with sample_db.read() as conn:
        return int(list_leads(conn, LeadFilter(statuses=("contacted",)), limit=1)[0]["id"])


@pytest.fixture
def dialog(
    qtbot: QtBot, sample_db: Database, lead_id: int, preferences: Preferences
) -> Iterator[LeadDetailDialog]:
    detail = LeadDetailDialog(sample_db, lead_id, preferences)
    qtbot.addWidget(detail)
    detail.show()
    detail.activateWindow()
    qtbot.waitExposed(detail)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail)
    yield detail
    detail.form.load(detail.lead())  # nothing left unsaved: closing asks nothing


def read(db: Database, lead_id: int) -> dict[str, Any]:
    with db.read() as conn:
        return get_lead(conn, lead_id)


def line(dialog: LeadDetailDialog, name: str) -> QLineEdit:
    editor = dialog.form.editor(name)
    assert isinstance(editor, QLineEdit)
    return editor


def retype(qtbot: QtBot, editor: QLineEdit, text: str) -> None:
    """Select what the field holds, type over it and leave the field with Tab, as a user."""
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)


def save(qtbot: QtBot, dialog: LeadDetailDialog) -> None:
    qtbot.keyClick(
        dialog.focusWidget() or dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def test_it_shows_the_lead_whole(
    dialog: LeadDetailDialog, sample_db: Database, lead_id: int
) -> None:
    lead = read(sample_db, lead_id)
    assert dialog.header.name.full_text() == display_name(lead)
    assert display_name(lead) in dialog.windowTitle()
    assert line(dialog, "email").text() == lead["email"]
    assert line(dialog, "phone").text() == lead["phone"]
    status = dialog.form.editor("status")
    assert isinstance(status, QComboBox)
    assert status.currentData() == "contacted"
    with sample_db.read() as conn:
        entries = timeline(conn, lead_id)
    assert dialog.timeline.entries() == entries
    assert any(e.kind == "call" for e in entries)
    assert entries[0].title in dialog.timeline.toPlainText()
    assert dialog.tabs.tabText(0) == f"Activity ({len(entries)})"
    assert f"Score {lead['score']:g}" in dialog.score.parts.text()
    prediction = dialog.score.prediction  # no predictive model yet: a hint how to get one
    assert not prediction.hint.isHidden()
    assert prediction.hint.text() == NO_MODEL
    assert prediction.percent.isHidden()
    assert prediction.factors.isHidden()
    assert not dialog.save_button.isEnabled()  # nothing to save yet
    assert dialog.form.editor("first_name").hasFocus()  # typing starts at the top


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_prediction_beside_the_score(
    qtbot: QtBot, trained: Database, preferences: Preferences, scheme: str
) -> None:
    with trained.read() as conn:
        lead_id = int(list_leads(conn, LeadFilter(statuses=("contacted",)), limit=1)[0]["id"])
        model = active_predictive_model(conn)
        expected = explain_leads(conn, [lead_id])[lead_id]
    assert model is not None
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply_scheme(app, scheme)
    try:
        detail = LeadDetailDialog(trained, lead_id, preferences)
        qtbot.addWidget(detail)
        detail.tabs.setCurrentWidget(detail.score)
        panel = detail.score.prediction
        assert panel.hint.isHidden()
        assert panel.percent.text() == expected.percent
        assert panel.outcome.text() == "likely to win"
        assert panel.model.text().startswith(f"{model.kind.capitalize()} · hold-out AUC 0.")
        # The shared trained database was made when the test run began.
        assert panel.model.text().endswith(f"trained {relative_time(model.trained_at)}")
        shown = panel.factors.text()
        assert expected.factors
        for factor in expected.factors:
            sign = "+" if factor.weight > 0 else MINUS
            color = theme.good_color(detail) if factor.weight > 0 else theme.bad_color(detail)
            row = f"color:{color}; padding:2px 8px 2px 0'><b>{sign}</b></td>"
            assert f"{row}<td style='padding:2px 0'>{html.escape(factor.text)}</td>" in shown
        assert theme.is_dark(detail) is (scheme == "dark")
    finally:
        theme.apply_scheme(app, "light")


def test_an_invalid_email_is_marked_and_blocks_saving_until_fixed(
    qtbot: QtBot, dialog: LeadDetailDialog, sample_db: Database, lead_id: int
) -> None:
    before = read(sample_db, lead_id)
    email = line(dialog, "email")

    retype(qtbot, email, "anna@")

    assert "“anna@” is not an email address" in dialog.form.problem_text("email")
    assert not dialog.save_button.isEnabled()
    assert dialog.feedback.full_text() == "Correct Email to save."
    save(qtbot, dialog)  # Ctrl+S saves nothing, and takes the user to the field to fix
    assert read(sample_db, lead_id)["version"] == before["version"]
    assert email.hasFocus()

    with qtbot.waitSignal(dialog.lead_changed) as changed:
        retype(qtbot, email, " Anna.New@Example.COM")
        assert email.text() == "anna.new@example.com"  # shown as it will be stored
        assert dialog.form.problem_text("email") == ""
        assert dialog.save_button.isEnabled()
        save(qtbot, dialog)

    assert changed.args == [lead_id]
    after = read(sample_db, lead_id)
    assert after["email"] == "anna.new@example.com"
    assert after["version"] == before["version"] + 1
    assert dialog.feedback.full_text() == "Saved."
    assert not dialog.save_button.isEnabled()
    latest = dialog.timeline.entries()[0]
    assert (latest.title, latest.rep) == ("Edited", "Alex Morgan")
    assert latest.detail.startswith("Changed Email.")


def test_phone_and_country_are_normalised_when_the_field_is_left(
    qtbot: QtBot, dialog: LeadDetailDialog, sample_db: Database, lead_id: int
) -> None:
    retype(qtbot, line(dialog, "country"), "germany")
    retype(qtbot, line(dialog, "phone"), "0151 23456789")
    assert line(dialog, "country").text() == "DE"
    assert line(dialog, "phone").text() == "+4915123456789"
    dialog.save_button.click()
    lead = read(sample_db, lead_id)
    assert (lead["country"], lead["phone"], lead["phone_valid"]) == ("DE", "+4915123456789", True)


def test_a_lost_lead_asks_for_its_reason(
    qtbot: QtBot, dialog: LeadDetailDialog, sample_db: Database, lead_id: int
) -> None:
    status = dialog.form.editor("status")
    reason = dialog.form.editor("lost_reason")
    assert isinstance(status, QComboBox)
    assert isinstance(reason, QComboBox)
    assert not reason.isVisibleTo(dialog)  # a contacted lead has no lost reason to show
    status.setCurrentIndex(status.findData("lost"))
    assert reason.isVisibleTo(dialog)
    reason.setCurrentText("")
    save(qtbot, dialog)
    assert "Say why the lead was lost" in dialog.form.problem_text("lost_reason")
    reason.setCurrentText("No budget")
    save(qtbot, dialog)
    lead = read(sample_db, lead_id)
    assert (lead["status"], lead["lost_reason"]) == ("lost", "No budget")


def test_a_concurrent_change_is_shown_side_by_side_to_choose(
    qtbot: QtBot, dialog: LeadDetailDialog, db_path: Path, lead_id: int, sample_db: Database
) -> None:
    retype(qtbot, line(dialog, "job_title"), "VP Sales")
    retype(qtbot, line(dialog, "city"), "Cologne")
    colleague = Database.open(db_path)  # another LeadDesk on the same database
    try:
        version = read(colleague, lead_id)["version"]
        changes = {"job_title": "Chief Executive Officer", "owner": "Sam Lee"}
        save_changes(colleague, lead_id, changes, version, "Sam Lee")
    finally:
        colleague.close()

    save(qtbot, dialog)

    chooser = dialog.chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)
    [mine] = chooser.mine_buttons()
    assert mine.text() == "VP Sales"
    assert not mine.isChecked()  # what is saved stays unless the user picks their own
    texts = [b.text() for b in chooser.findChildren(type(mine))]
    assert texts == ["VP Sales", "Chief Executive Officer"]
    assert read(sample_db, lead_id)["job_title"] == "Chief Executive Officer"  # not overwritten

    mine.click()
    with qtbot.waitSignal(dialog.lead_changed):
        chooser.accept()

    lead = read(sample_db, lead_id)
    assert (lead["job_title"], lead["city"], lead["owner"]) == ("VP Sales", "Cologne", "Sam Lee")
    assert line(dialog, "owner").text() == "Sam Lee"  # their change is shown, and kept
    assert dialog.form.changes() == {}


def test_a_change_elsewhere_in_the_lead_is_kept_without_asking(
    qtbot: QtBot, dialog: LeadDetailDialog, sample_db: Database, lead_id: int
) -> None:
    retype(qtbot, line(dialog, "city"), "Cologne")
    version = read(sample_db, lead_id)["version"]
    save_changes(sample_db, lead_id, {"owner": "Sam Lee"}, version, "Sam Lee")

    save(qtbot, dialog)

    assert dialog.chooser is None
    lead = read(sample_db, lead_id)
    assert (lead["city"], lead["owner"]) == ("Cologne", "Sam Lee")
    assert "changed Owner meanwhile" in dialog.feedback.full_text()


def test_custom_fields_are_edited_like_the_others(
    qtbot: QtBot, sample_db: Database, lead_id: int, preferences: Preferences
) -> None:
    with sample_db.write() as conn:
        conn.execute(
            custom_fields.insert(),
            [
                {"key": "budget", "label": "Budget", "type": "number"},
                {"key": "partner", "label": "Partner", "type": "bool"},
            ],
        )
    detail = LeadDetailDialog(sample_db, lead_id, preferences)
    qtbot.addWidget(detail)
    detail.show()
    qtbot.waitExposed(detail)
    retype(qtbot, line(detail, "budget"), "25k")
    assert line(detail, "budget").text() == "25,000"
    partner = detail.form.editor("partner")
    assert isinstance(partner, QComboBox)
    assert partner.currentText() == "Not set"
    partner.setCurrentIndex(partner.findData(True))
    detail.save_button.click()
    assert read(sample_db, lead_id)["custom"] == {"budget": 25000, "partner": True}
    assert detail.timeline.entries()[0].detail.startswith("Changed Budget, Partner.")


def test_escape_asks_before_unsaved_edits_are_lost(
    qtbot: QtBot, dialog: LeadDetailDialog, answer_dialog: AnswerDialog
) -> None:
    retype(qtbot, line(dialog, "city"), "Cologne")

    asked = answer_dialog(Qt.Key.Key_Escape)  # "Keep editing"
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: asked == ["LeadDesk"])
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert dialog.isVisible()
    assert line(dialog, "city").text() == "Cologne"

    asked = answer_dialog()  # "Discard changes"
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert asked == ["LeadDesk"]


def test_escape_closes_at_once_when_nothing_was_edited(
    qtbot: QtBot, dialog: LeadDetailDialog
) -> None:
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_erasing_asks_naming_the_lead_then_removes_it(
    qtbot: QtBot,
    dialog: LeadDetailDialog,
    sample_db: Database,
    lead_id: int,
    answer_dialog: AnswerDialog,
) -> None:
    name = display_name(read(sample_db, lead_id))
    answer_dialog(Qt.Key.Key_Escape)
    box = dialog.confirm_erase()
    assert box.text.text().startswith(f"Erase {name} for good?")
    qtbot.waitUntil(lambda: not box.isVisible())
    assert read(sample_db, lead_id)["id"] == lead_id  # cancelled: still there

    answer_dialog()
    with qtbot.waitSignal(dialog.lead_erased) as erased:
        dialog.erase_button.click()

    assert erased.args == [lead_id]
    assert not dialog.isVisible()
    with pytest.raises(NotFoundError):
        read(sample_db, lead_id)
    with sample_db.read() as conn:
        left = conn.execute(
            sa.select(sa.func.count()).where(activities.c.lead_id == lead_id)
        ).scalar_one()
    assert left == 0
    assert dialog.erasure is not None
    assert dialog.erasure.name == name


def test_export_writes_the_lead_where_the_user_chose(
    dialog: LeadDetailDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lead_id: int
) -> None:
    target = tmp_path / "subject access request"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "JSON files")
    )
    dialog.export_button.click()
    written = target.with_name(target.name + ".json")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["lead"]["id"] == lead_id
    assert data["activities"]
    assert dialog.feedback.full_text() == f"Exported to {written}"


def test_tab_moves_down_the_form_then_on_to_the_buttons(
    qtbot: QtBot, dialog: LeadDetailDialog
) -> None:
    order = ["first_name", "last_name", "email", "phone", "external_id", "tags", "status"]
    assert dialog.form.editor(order[0]).hasFocus()
    for name in order[1:]:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert dialog.form.editor(name).hasFocus(), name
    dialog.form.editor("notes").setFocus()
    visited = []
    for _ in range(6):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        visited.append(dialog.focusWidget())
    assert dialog.close_button in visited  # Tab leaves the notes, and reaches the buttons


# --- privacy: the do-not-contact list, the Excel export ------------------------------------


def suppressions(db: Database) -> list[tuple[bool, bool]]:
    table = Suppression.__table__  # type: ignore[attr-defined]
    query = sa.select(table.c.do_not_call, table.c.do_not_email)
    with db.read() as conn:
        return [(bool(r[0]), bool(r[1])) for r in conn.execute(query)]


def test_erasing_can_keep_the_person_on_the_do_not_contact_list(
    qtbot: QtBot, dialog: LeadDetailDialog, sample_db: Database, lead_id: int
) -> None:
    assert read(sample_db, lead_id)["email"]
    box = dialog.confirm_erase()
    keep = box.findChild(QCheckBox)
    assert keep is not None
    assert keep.isEnabled()
    assert not keep.isChecked()  # erasing alone keeps nothing
    keep.setChecked(True)
    with qtbot.waitSignal(dialog.lead_erased, timeout=5000):
        box.accept()
    assert dialog.erasure is not None
    assert dialog.erasure.suppressed
    assert suppressions(sample_db) == [(True, True)]


def test_a_do_not_call_lead_always_stays_on_the_list(
    qtbot: QtBot, sample_db: Database, lead_id: int, preferences: Preferences
) -> None:
    with sample_db.write() as conn:
        conn.execute(leads.update().where(leads.c.id == lead_id).values(do_not_call=True))
    detail = LeadDetailDialog(sample_db, lead_id, preferences)
    qtbot.addWidget(detail)
    box = detail.confirm_erase()
    keep = box.findChild(QCheckBox)
    assert keep is not None
    assert keep.isChecked()
    assert not keep.isEnabled()
    with qtbot.waitSignal(detail.lead_erased, timeout=5000):
        box.accept()
    assert suppressions(sample_db) == [(True, False)]  # as marked, nothing more


def test_export_can_write_an_excel_workbook(
    dialog: LeadDetailDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lead_id: int
) -> None:
    target = tmp_path / "subject access request"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), EXCEL_FILES)
    )
    dialog.export_button.click()
    written = target.with_name(target.name + ".xlsx")
    book = load_workbook(written)
    assert book.sheetnames[0] == "Lead"
    assert book["Lead"]["B2"].value == lead_id
    assert dialog.feedback.full_text() == f"Exported to {written}"
