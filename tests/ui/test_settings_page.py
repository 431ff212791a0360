"""The Settings page as a user works it: read the defaults, change the rules, save, undo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings, Qt, QTime
from PySide6.QtWidgets import QLayout, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from leaddesk.core.assignment import TeamSettings, load_team_settings, save_team_settings
from leaddesk.core.bulk import last_undoable
from leaddesk.core.db import Database
from leaddesk.core.queue_settings import (
    Cadence,
    QueueSettings,
    load_queue_settings,
    save_queue_settings,
)
from leaddesk.core.schema import leads
from leaddesk.ui.pages.settings_page import SAVED_TEAM_TEXT, SAVED_TEXT, SettingsPage
from leaddesk.ui.preferences import Preferences


@pytest.fixture
def preferences(settings: QSettings) -> Preferences:
    return Preferences(settings)


@pytest.fixture
def page(qtbot: QtBot, db: Database, preferences: Preferences) -> Iterator[SettingsPage]:
    """The page shown in a window, held as the main window holds its pages."""
    host = QWidget()
    layout = QVBoxLayout(host)
    # As in MainWindow: the window's minimum does not follow the page's (offscreen warns).
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    widget = SettingsPage(db, preferences)
    layout.addWidget(widget)
    qtbot.addWidget(host)
    host.resize(1100, 760)
    host.show()
    qtbot.waitExposed(host)
    yield widget  # the host (and so the page) lives until the test ends
    host.close()


def stored(db: Database) -> QueueSettings:
    with db.read() as conn:
        return load_queue_settings(conn)


def test_a_fresh_database_shows_the_defaults(page: SettingsPage) -> None:
    defaults = QueueSettings()
    assert page.form_state().team == defaults
    assert page.daily_target.value() == 50
    assert page.max_attempts.value() == defaults.cadence.max_attempts
    assert not page.calling_hours.isChecked()
    assert page.hours_from.time() == QTime(9, 0)
    assert page.hours_to.time() == QTime(18, 0)
    assert page.rep_name.text() == ""
    assert page.rep_name.placeholderText()  # the login name stands in
    assert page.timezone.currentIndex() == 0
    assert page.timezone.currentText().startswith("This computer's time zone (")
    assert not page.save_button.isEnabled()  # nothing to save yet
    assert page.message.text() == ""


def test_calling_hours_off_disables_their_editors(page: SettingsPage) -> None:
    editors = (page.hours_from, page.hours_to, page.weekdays_only)
    assert not any(editor.isEnabled() for editor in editors)
    page.calling_hours.setChecked(True)
    assert all(editor.isEnabled() for editor in editors)
    assert page.form_state().team == QueueSettings(calling_hours=(time(9), time(18)))
    page.calling_hours.setChecked(False)
    assert not any(editor.isEnabled() for editor in editors)
    assert page.form_state().team == QueueSettings()
    assert not page.save_button.isEnabled()  # back as it was saved


def test_saving_stores_the_rules_and_preferences(
    qtbot: QtBot, page: SettingsPage, db: Database, preferences: Preferences
) -> None:
    page.daily_target.setValue(80)
    page.calling_hours.setChecked(True)
    page.hours_from.setTime(QTime(8, 30))
    page.hours_to.setTime(QTime(17, 0))
    page.weekdays_only.setChecked(False)
    page.skip_invalid_phones.setChecked(False)
    page.claim_minutes.setValue(30)
    page.retry_working_days.setValue(2)
    page.max_attempts.setValue(3)
    page.nurture_days.setValue(60)
    page.voicemail_working_days.setValue(4)
    page.callback_working_days.setValue(5)
    page.snooze_days.setValue(7)
    page.rep_name.setText("  Ada Lovelace ")
    page.timezone.setEditText("europe/paris")  # typed, in any case
    assert page.save_button.isEnabled()

    with qtbot.waitSignal(page.settings_changed, timeout=1000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert stored(db) == QueueSettings(
        daily_target=80,
        skip_invalid_phones=False,
        calling_hours=(time(8, 30), time(17)),
        weekdays_only=False,
        claim_minutes=30,
        cadence=Cadence(
            retry_working_days=2,
            max_attempts=3,
            nurture_days=60,
            voicemail_working_days=4,
            callback_working_days=5,
            snooze_days=7,
        ),
    )
    assert preferences.rep_name == "Ada Lovelace"
    assert preferences.timezone == "Europe/Paris"
    assert page.message.text() == SAVED_TEXT
    assert not page.save_button.isEnabled()

    # A fresh page (the next start of the app) shows what was saved.
    again = SettingsPage(db, preferences)
    qtbot.addWidget(again)
    assert again.form_state() == page.form_state()
    assert again.timezone.currentText() == "Europe/Paris"
    assert again.hours_from.isEnabled()


def test_the_queue_order_and_its_blend(qtbot: QtBot, page: SettingsPage, db: Database) -> None:
    assert page.order.currentText() == "Rule score"
    assert [page.order.itemText(i) for i in range(page.order.count())] == [
        "Rule score",
        "Probability",
        "Blend",
    ]
    assert not page.blend.isEnabled()  # only a blend has a weight
    page.order.setCurrentIndex(page.order.findText("Probability"))
    assert not page.blend.isEnabled()
    assert page.form_state().team == QueueSettings(order="probability")
    page.order.setCurrentIndex(page.order.findText("Blend"))
    assert page.blend.isEnabled()
    assert page.blend.value() == 50
    page.blend.setValue(70)
    with qtbot.waitSignal(page.settings_changed, timeout=1000):
        page.save_button.click()
    assert stored(db) == QueueSettings(order="blend", blend=70)

    page.restore_button.click()
    assert (page.order.currentText(), page.blend.value()) == ("Rule score", 50)
    assert not page.blend.isEnabled()
    page.refresh()  # what was saved comes back
    assert (page.order.currentText(), page.blend.value()) == ("Blend", 70)
    assert page.blend.isEnabled()
    assert not page.save_button.isEnabled()


def test_an_impossible_window_is_explained_and_nothing_is_saved(
    qtbot: QtBot, page: SettingsPage, db: Database, preferences: Preferences
) -> None:
    page.calling_hours.setChecked(True)
    page.hours_from.setTime(QTime(18, 0))
    page.hours_to.setTime(QTime(9, 0))
    page.daily_target.setValue(70)
    page.rep_name.setText("Grace")
    with qtbot.assertNotEmitted(page.settings_changed):
        page.save_button.click()
    assert "Calling hours must start before they end (18:00-09:00)" in page.message.text()
    assert "#b91c1c" in page.message.styleSheet()  # in red
    assert stored(db) == QueueSettings()
    assert preferences.rep_name != "Grace"
    assert page.save_button.isEnabled()  # still to be saved once fixed

    page.hours_to.setTime(QTime(20, 0))  # editing clears the message
    assert page.message.text() == ""
    page.save_button.click()
    assert stored(db).calling_hours == (time(18), time(20))


def test_an_unknown_time_zone_is_explained(
    page: SettingsPage, db: Database, preferences: Preferences
) -> None:
    page.timezone.setEditText("Atlantis/Capital")
    page.daily_target.setValue(60)
    page.save_button.click()
    assert "“Atlantis/Capital” is not a time zone" in page.message.text()
    assert stored(db) == QueueSettings()
    assert preferences.timezone is None


def test_restore_defaults_fills_the_form_until_saved(
    qtbot: QtBot, page: SettingsPage, db: Database, preferences: Preferences
) -> None:
    custom = QueueSettings(
        daily_target=20, calling_hours=(time(10), time(16)), cadence=Cadence(snooze_days=3)
    )
    with db.write() as conn:
        save_queue_settings(conn, custom)
    preferences.rep_name = "Ada"
    page.refresh()
    assert page.form_state().team == custom
    assert page.rep_name.text() == "Ada"
    assert not page.save_button.isEnabled()

    page.restore_button.click()
    assert page.form_state().team == QueueSettings()
    assert page.rep_name.text() == "Ada"  # the user's own name is not a queue rule
    assert not page.hours_from.isEnabled()
    assert page.save_button.isEnabled()
    assert stored(db) == custom  # not saved until Save

    with qtbot.waitSignal(page.settings_changed, timeout=1000):
        page.save_button.click()
    assert stored(db) == QueueSettings()


def test_only_own_preferences_changed(
    qtbot: QtBot, page: SettingsPage, db: Database, preferences: Preferences
) -> None:
    page.rep_name.setText("Ada")
    with qtbot.waitSignal(page.settings_changed, timeout=1000):
        page.save_button.click()
    assert preferences.rep_name == "Ada"
    assert page.message.text() == "Saved."
    page.rep_name.clear()  # back to the login name
    page.timezone.setCurrentIndex(page.timezone.findText("Asia/Tokyo"))
    page.save_button.click()
    assert preferences.rep_name == page.rep_name.placeholderText()
    assert preferences.timezone == "Asia/Tokyo"
    page.timezone.setCurrentIndex(0)
    page.save_button.click()
    assert preferences.timezone is None


def test_dark_and_light_apply_at_once_and_are_remembered(
    page: SettingsPage, preferences: Preferences
) -> None:
    from PySide6.QtWidgets import QApplication

    from leaddesk.ui import theme

    app = QApplication.instance()
    try:
        page.scheme.setCurrentIndex(page.scheme.findData("dark"))
        assert preferences.color_scheme == "dark"
        QApplication.processEvents()  # widgets take the new palette from the event loop
        assert theme.is_dark(page)
        page.scheme.setCurrentIndex(page.scheme.findData("light"))
        assert preferences.color_scheme == "light"
        QApplication.processEvents()
        assert not theme.is_dark(page)
    finally:
        assert isinstance(app, QApplication)
        theme.apply_scheme(app, "light")


def test_the_phone_region_is_kept_for_imports(page: SettingsPage, preferences: Preferences) -> None:
    changed: list[bool] = []
    page.region_changed.connect(lambda: changed.append(True))
    page.region.setCurrentIndex(page.region.findData("AT"))
    assert changed == [True]
    assert preferences.region == "AT"
    page.region.setCurrentIndex(0)
    assert preferences.region is None


def test_database_buttons_ask_the_window(page: SettingsPage, db: Database) -> None:
    assert page.location.text() == db.describe()
    asked: list[str] = []
    page.database_requested.connect(asked.append)
    buttons = {b.text(): b for b in page.findChildren(QPushButton)}
    for text in ("Open…", "New…", "Move…", "Back up now…"):
        buttons[text].click()
    assert asked == ["open", "new", "move", "backup"]


# --- the Team card ---------------------------------------------------------------------------


def stored_team(db: Database) -> TeamSettings:
    with db.read() as conn:
        return load_team_settings(conn)


def add_reps(qtbot: QtBot, page: SettingsPage, *names: str) -> None:
    for name in names:
        page.team.new_rep.clear()
        qtbot.keyClicks(page.team.new_rep, name)
        qtbot.keyClick(page.team.new_rep, Qt.Key.Key_Return)


def test_the_team_card_edits_reps_and_territories_and_saves_them(
    qtbot: QtBot, page: SettingsPage, db: Database, preferences: Preferences
) -> None:
    team = page.team
    assert page.form_state().assignment == TeamSettings()
    assert not team.territories.isEnabled()  # only assigning by country uses them
    add_reps(qtbot, page, "Ana", " Ben ", "Cy")
    assert [team.reps.item(i).text() for i in range(team.reps.count())] == ["Ana", "Ben", "Cy"]
    assert team.new_rep.text() == ""
    team.mode.setCurrentIndex(team.mode.findData("territory"))
    assert team.territories.isEnabled()
    team.country.setCurrentIndex(team.country.findData("DE"))
    team.territory_rep.setCurrentIndex(team.territory_rep.findData("Ana"))
    qtbot.mouseClick(team.set_territory, Qt.MouseButton.LeftButton)
    assert team.set_territory.text() == "Change"  # the country has a rep now
    team.country.setCurrentIndex(team.country.findData("FR"))
    team.territory_rep.setCurrentIndex(team.territory_rep.findData("Cy"))
    team.set_territory.click()
    assert team.territories.item(0, 0).text() == "France (FR)"
    team.fallback.setCurrentIndex(team.fallback.findData("Ben"))

    team.reps.setCurrentRow(0)
    team.reps.item(0).setText("Anna")  # renamed in place, as a double-click lets one do
    qtbot.waitUntil(lambda: team.draft.reps[0] == "Anna")
    assert team.territories.item(1, 1).text() == "Anna"  # Germany follows its rep
    team.reps.setCurrentRow(2)
    team.remove_rep.click()
    assert team.territories.rowCount() == 1  # Cy's France went with Cy

    with qtbot.waitSignal(page.settings_changed, timeout=1000):
        page.save_button.click()
    assert stored_team(db) == TeamSettings(("Anna", "Ben"), "territory", {"DE": "Anna"}, "Ben")
    assert page.message.text() == SAVED_TEAM_TEXT
    assert not page.save_button.isEnabled()
    again = SettingsPage(db, preferences)
    qtbot.addWidget(again)
    assert again.form_state() == page.form_state()


def test_a_rep_twice_is_refused_with_the_reason(qtbot: QtBot, page: SettingsPage) -> None:
    add_reps(qtbot, page, "Ana", "ANA")
    assert page.team.draft.reps == ("Ana",)
    assert page.message.text() == "“ANA” is one of the reps already."
    assert page.team.new_rep.text() == "ANA"  # kept, to correct


def test_round_robin_without_reps_cannot_be_saved(page: SettingsPage, db: Database) -> None:
    page.team.mode.setCurrentIndex(page.team.mode.findData("round_robin"))
    page.save_button.click()
    assert page.message.text().startswith("Add the team's reps first")
    assert stored_team(db) == TeamSettings()


def test_reassigning_moves_open_leads_and_the_leads_page_can_undo_it(
    qtbot: QtBot, page: SettingsPage, db: Database
) -> None:
    with db.write() as conn:
        save_team_settings(conn, TeamSettings(("Ana", "Ben", "Cy"), "round_robin"))
        conn.execute(
            leads.insert(),
            [{"owner": "Ana", "status": s, "custom": {}} for s in ("new", "new", "won")],
        )
    page.refresh()
    dialog = page.reassign_leads()
    assert dialog is not None
    assert dialog.source.currentText() == "Ana — 2 open leads"
    assert [dialog.target.itemText(i) for i in range(dialog.target.count())] == [
        "The other reps, in turn",
        "Ben",
        "Cy",
    ]
    dialog.target.setCurrentIndex(dialog.target.findData("Cy"))
    with qtbot.waitSignal(page.leads_changed, timeout=5000):
        dialog.reassign_button.click()

    with db.read() as conn:
        owners = list(conn.execute(sa.select(leads.c.owner).order_by(leads.c.id)).scalars())
        undoable = last_undoable(conn)
    assert owners == ["Cy", "Cy", "Ana"]
    assert page.message.text() == (
        "Assigned 2 leads to Cy. To undo it, press Ctrl+Z on the Leads page."
    )
    assert undoable is not None
    assert undoable["summary"] == "Assigned 2 leads to Cy"


def test_reassigning_with_no_open_leads_says_so(page: SettingsPage) -> None:
    assert page.reassign_leads() is None
    assert page.message.text() == "There are no open leads to reassign."
