"""Logging call outcomes: the cadence each outcome sets, one transaction, exact undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from leaddesk.core.activities import (
    Outcome,
    add_working_days,
    log_outcome,
    plan_changes,
    recent_activities,
    snooze,
    snooze_until,
    suggested_callback,
    undo_outcome,
)
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, NotFoundError
from leaddesk.core.leads import get_lead, update_lead
from leaddesk.core.queue_settings import Cadence, QueueSettings
from leaddesk.core.schema import Activity

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]
THURSDAY = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
CALLBACK = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def test_outcomes_have_keys_and_labels() -> None:
    assert [o.key for o in Outcome] == ["1", "2", "3", "4", "5", "6", "7"]
    assert Outcome.from_key("4") is Outcome.MEETING
    assert Outcome.MEETING.label == "Meeting booked"
    assert Outcome("do-not-call") is Outcome.DO_NOT_CALL
    with pytest.raises(InvalidInputError):
        Outcome.from_key("9")


NEW = {"status": "new", "attempts": 0}
# (lead before, outcome, at, follow-up given, note, expected changes beyond attempts/last contact)
CADENCE = [
    (NEW, Outcome.NO_ANSWER, THURSDAY, None, None,
     {"status": "contacted", "next_follow_up_at": THURSDAY + timedelta(days=1)}),
    (NEW, Outcome.NO_ANSWER, FRIDAY, None, None,
     {"next_follow_up_at": FRIDAY + timedelta(days=3)}),  # Friday -> Monday
    ({"status": "contacted", "attempts": 5}, Outcome.NO_ANSWER, THURSDAY, None, None,
     {"status": "nurture", "attempts": 0, "next_follow_up_at": THURSDAY + timedelta(days=30)}),
    (NEW, Outcome.VOICEMAIL, THURSDAY, None, None,
     {"next_follow_up_at": THURSDAY + timedelta(days=4)}),  # Saturday -> Monday
    (NEW, Outcome.VOICEMAIL, THURSDAY, CALLBACK, None, {"next_follow_up_at": CALLBACK}),
    (NEW, Outcome.CONNECTED, THURSDAY, None, None,
     {"status": "contacted", "next_follow_up_at": None}),
    (NEW, Outcome.CONNECTED, THURSDAY, CALLBACK, None, {"next_follow_up_at": CALLBACK}),
    (NEW, Outcome.MEETING, THURSDAY, None, None, {"status": "qualified"}),
    (NEW, Outcome.NOT_INTERESTED, THURSDAY, None, "Has a vendor",
     {"status": "lost", "lost_reason": "Has a vendor", "next_follow_up_at": None}),
    (NEW, Outcome.NOT_INTERESTED, THURSDAY, None, None, {"lost_reason": "Not interested"}),
    (NEW, Outcome.WRONG_NUMBER, THURSDAY, None, None, {"phone_valid": False}),
    (NEW, Outcome.DO_NOT_CALL, THURSDAY, None, None, {"do_not_call": True}),
    ({"status": "won", "attempts": 2}, Outcome.NO_ANSWER, THURSDAY, None, None, {"status": "won"}),
    ({"status": "won", "attempts": 2}, Outcome.NOT_INTERESTED, THURSDAY, None, None,
     {"status": "won", "lost_reason": None}),
    ({"status": "disqualified", "attempts": 0}, Outcome.NOT_INTERESTED, THURSDAY, None, "No",
     {"status": "disqualified", "lost_reason": None}),
    ({"status": "won", "attempts": 2}, Outcome.MEETING, THURSDAY, None, None, {"status": "won"}),
    ({"status": "lost", "attempts": 2}, Outcome.MEETING, THURSDAY, None, None, {"status": "lost"}),
    ({"status": "lost", "attempts": 2}, Outcome.NOT_INTERESTED, THURSDAY, None, "Budget",
     {"status": "lost", "lost_reason": "Budget"}),
]  # fmt: skip


@pytest.mark.parametrize(("lead", "outcome", "at", "follow_up", "note", "expected"), CADENCE)
def test_cadence(
    lead: dict[str, Any],
    outcome: Outcome,
    at: datetime,
    follow_up: datetime | None,
    note: str | None,
    expected: dict[str, Any],
) -> None:
    changes = plan_changes(lead, outcome, at, follow_up, note, QueueSettings(timezone="UTC"))
    assert changes["last_contacted_at"] == at
    if "attempts" not in expected:
        assert changes["attempts"] == lead["attempts"] + 1
    assert {k: changes.get(k) for k in expected} == expected


# (user zone, call at UTC, working days, follow-up at UTC): counted on the user's wall clock.
WORKING_DAYS = [
    # Friday 18:00 PST in Los Angeles is Saturday 02:00 UTC: still Friday for the rep, so
    # Monday 18:00, which is PDT by then (the clocks moved on 8 March): 01:00 UTC Tuesday.
    ("America/Los_Angeles", datetime(2026, 3, 7, 2, 0), 1, datetime(2026, 3, 10, 1, 0)),
    # Saturday 10:00 in Berlin: the next working day is Monday.
    ("Europe/Berlin", datetime(2026, 3, 7, 9, 0), 1, datetime(2026, 3, 9, 9, 0)),
    # Across Europe's spring-forward (29 March): 10:00 CET Friday -> 10:00 CEST Monday.
    ("Europe/Berlin", datetime(2026, 3, 27, 9, 0), 1, datetime(2026, 3, 30, 8, 0)),
    ("UTC", datetime(2026, 3, 5, 14, 0), 0, datetime(2026, 3, 5, 14, 0)),
    ("UTC", datetime(2026, 3, 7, 14, 0), 0, datetime(2026, 3, 9, 14, 0)),  # Sat -> Mon
]


@pytest.mark.parametrize(("zone", "at", "days", "expected"), WORKING_DAYS)
def test_working_days_are_the_users(zone: str, at: datetime, days: int, expected: datetime) -> None:
    settings = QueueSettings(timezone=zone)
    result = add_working_days(at.replace(tzinfo=UTC), days, settings.zone())
    assert result == expected.replace(tzinfo=UTC)


def test_the_cadence_follows_the_teams_settings() -> None:
    quick = QueueSettings(
        timezone="UTC", cadence=Cadence(retry_working_days=2, max_attempts=2, nurture_days=10)
    )
    first = plan_changes(NEW, Outcome.NO_ANSWER, THURSDAY, None, None, quick)
    assert first["next_follow_up_at"] == THURSDAY + timedelta(days=4)  # Thu + 2 working days
    second = plan_changes(
        {"status": "contacted", "attempts": 1}, Outcome.NO_ANSWER, THURSDAY, None, None, quick
    )
    assert (second["status"], second["next_follow_up_at"]) == (
        "nurture",
        THURSDAY + timedelta(days=10),
    )


def test_a_lost_reason_apart_from_the_note() -> None:
    changes = plan_changes(
        NEW, Outcome.NOT_INTERESTED, THURSDAY, None, "Call in Q3", lost_reason="Bad timing"
    )
    assert (changes["status"], changes["lost_reason"]) == ("lost", "Bad timing")


def test_snooze_and_wake(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456"}])
    assert snooze(db, lead_id, FRIDAY) is None
    assert snooze(db, lead_id, None) == FRIDAY
    with db.read() as conn:
        assert get_lead(conn, lead_id)["snoozed_until"] is None
    with pytest.raises(InvalidInputError, match="time zone"):
        snooze(db, lead_id, datetime(2026, 3, 6, 9))


def test_log_outcome_updates_the_lead_and_its_score(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456", "job_title": "CEO"}])
    before = datetime.now(UTC)
    logged = log_outcome(db, lead_id, Outcome.MEETING, note="Demo Tue", rep="ann")
    lead = logged.lead
    assert lead["status"] == "qualified"
    assert lead["attempts"] == 1
    assert lead["version"] == 2
    assert lead["last_contacted_at"] >= before
    assert lead["updated_at"] >= before
    assert lead["engagement_score"] == 25.0  # the default model's meeting rule, undecayed
    with db.read() as conn:
        table = Activity.__table__  # type: ignore[attr-defined]
        row = conn.execute(sa.select(table).where(table.c.id == logged.activity_id)).one()
    assert (row.kind, row.outcome, row.note, row.rep, row.lead_id) == (
        "call", "meeting", "Demo Tue", "ann", lead_id
    )  # fmt: skip


def test_undo_restores_the_lead_exactly(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456", "status": "contacted", "attempts": 2}])
    with db.read() as conn:
        original = get_lead(conn, lead_id)
    logged = log_outcome(db, lead_id, Outcome.DO_NOT_CALL, at=THURSDAY)
    assert logged.lead["do_not_call"] is True
    restored = undo_outcome(db, logged.activity_id)
    keep = ("status", "attempts", "do_not_call", "last_contacted_at", "next_follow_up_at")
    assert {k: restored[k] for k in keep} == {k: original[k] for k in keep}
    with db.read() as conn:
        table = Activity.__table__  # type: ignore[attr-defined]
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    with pytest.raises(NotFoundError):
        undo_outcome(db, logged.activity_id)


def test_bad_input_is_refused(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456"}])
    with pytest.raises(NotFoundError):
        log_outcome(db, 999, Outcome.NO_ANSWER)
    with pytest.raises(InvalidInputError, match="time zone"):
        log_outcome(db, lead_id, Outcome.NO_ANSWER, at=datetime(2026, 3, 5, 14, 0))
    with db.read() as conn:
        assert get_lead(conn, lead_id)["attempts"] == 0


def test_only_recent_calls_keep_an_undo_record(
    db: Database, add_leads: AddLeads, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaddesk.core import activities

    monkeypatch.setattr(activities, "UNDO_DEPTH", 2)
    (lead_id,) = add_leads([{"phone": "+4930123456"}])
    logged = [log_outcome(db, lead_id, Outcome.NO_ANSWER) for _ in range(3)]
    with pytest.raises(InvalidInputError, match=r"cannot be undone"):
        undo_outcome(db, logged[0].activity_id)
    assert undo_outcome(db, logged[2].activity_id)["attempts"] == 2


def test_a_call_never_changes_a_closed_leads_status(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456", "status": "won"}])
    logged = log_outcome(db, lead_id, Outcome.NOT_INTERESTED, note="Happy as is")
    assert (logged.lead["status"], logged.lead["lost_reason"]) == ("won", None)
    assert logged.lead["attempts"] == 1


UNDO_REFUSED = r"Only the last call can be undone, and only before the lead changes again\."


def test_only_the_last_call_can_be_undone(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456", "status": "contacted", "attempts": 2}])
    first = log_outcome(db, lead_id, Outcome.NO_ANSWER, at=THURSDAY)
    second = log_outcome(db, lead_id, Outcome.DO_NOT_CALL, at=FRIDAY)
    with pytest.raises(InvalidInputError, match=UNDO_REFUSED):
        undo_outcome(db, first.activity_id)
    with db.read() as conn:
        assert get_lead(conn, lead_id)["do_not_call"] is True  # the later call still stands
    restored = undo_outcome(db, second.activity_id)
    assert (restored["do_not_call"], restored["attempts"]) == (False, 3)
    restored = undo_outcome(db, first.activity_id)  # now the last call again
    assert (restored["attempts"], restored["last_contacted_at"]) == (2, None)


def test_a_call_recorded_elsewhere_after_it_blocks_undo(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456"}])
    logged = log_outcome(db, lead_id, Outcome.NO_ANSWER, at=THURSDAY)
    with db.write() as conn:  # as an import of call history would, without touching the lead
        table = Activity.__table__  # type: ignore[attr-defined]
        conn.execute(table.insert().values(lead_id=lead_id, kind="call", at=FRIDAY))
    with pytest.raises(InvalidInputError, match=UNDO_REFUSED):
        undo_outcome(db, logged.activity_id)


def test_undo_is_refused_once_the_lead_changed(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456"}])
    logged = log_outcome(db, lead_id, Outcome.NO_ANSWER, at=THURSDAY)
    with db.write() as conn:
        update_lead(conn, lead_id, {"owner": "bea"}, expected_version=logged.lead["version"])
    with pytest.raises(InvalidInputError, match=UNDO_REFUSED):
        undo_outcome(db, logged.activity_id)
    with db.read() as conn:
        lead = get_lead(conn, lead_id)
    assert (lead["owner"], lead["attempts"]) == ("bea", 1)


def test_undoing_a_later_call_does_not_reopen_one_before_an_edit(
    db: Database, add_leads: AddLeads
) -> None:
    (lead_id,) = add_leads([{"phone": "+4930123456"}])
    first = log_outcome(db, lead_id, Outcome.NO_ANSWER, at=THURSDAY)
    with db.write() as conn:
        update_lead(conn, lead_id, {"owner": "bea"}, expected_version=first.lead["version"])
    second = log_outcome(db, lead_id, Outcome.VOICEMAIL, at=FRIDAY)
    assert undo_outcome(db, second.activity_id)["owner"] == "bea"
    with pytest.raises(InvalidInputError, match=UNDO_REFUSED):
        undo_outcome(db, first.activity_id)


NEW_YORK = ZoneInfo("America/New_York")
# (now UTC, calling hours, callback offered UTC): the same time at the lead, next working day,
# inside calling hours when they are on.
CALLBACKS = [
    (datetime(2026, 3, 5, 15, 20, 30), None, datetime(2026, 3, 6, 15, 20)),  # Thu 10:20 EST
    (datetime(2026, 3, 6, 15, 20), None, datetime(2026, 3, 9, 14, 20)),  # Fri -> Mon 10:20 EDT
    (datetime(2026, 3, 5, 23, 0), (time(9), time(18)), datetime(2026, 3, 6, 14, 0)),  # 18:00 -> 9
    (datetime(2026, 3, 6, 9, 0), None, datetime(2026, 3, 9, 13, 0)),  # Fri 04:00 -> Mon 9:00
]


@pytest.mark.parametrize(("now", "hours", "expected"), CALLBACKS)
def test_suggested_callback(
    now: datetime, hours: tuple[time, time] | None, expected: datetime
) -> None:
    settings = QueueSettings(timezone="UTC", calling_hours=hours)
    offered = suggested_callback(now.replace(tzinfo=UTC), NEW_YORK, settings)
    assert offered == expected.replace(tzinfo=UTC)


def test_snooze_until_the_start_of_a_later_day() -> None:
    late_friday = datetime(2026, 3, 7, 4, 0, tzinfo=UTC)  # Friday 20:00 in Los Angeles
    until = snooze_until(late_friday, 1, ZoneInfo("America/Los_Angeles"))
    assert until == datetime(2026, 3, 7, 8, 0, tzinfo=UTC)  # Saturday 00:00 PST


def test_recent_activities_newest_first(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads(
        [{"phone": "+4930123456"}],
        [(0, {"kind": "email_open", "at": THURSDAY - timedelta(days=i)}) for i in range(8)],
    )
    log_outcome(db, lead_id, Outcome.CONNECTED, at=FRIDAY, note="Call back Tue", rep="ann")
    with db.read() as conn:
        recent = recent_activities(conn, lead_id, limit=3)
    assert [(a["kind"], a["at"]) for a in recent] == [
        ("call", FRIDAY),
        ("email_open", THURSDAY),
        ("email_open", THURSDAY - timedelta(days=1)),
    ]
    assert (recent[0]["note"], recent[0]["rep"]) == ("Call back Tue", "ann")
