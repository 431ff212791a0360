"""The call queue: who is eligible, in what order, with what reason, on which local day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from leaddesk.core.db import Database
from leaddesk.core.queue import (
    build_queue,
    day_progress,
    lead_zone,
    place,
    time_at_lead,
    why_not_here,
    why_not_queued,
)
from leaddesk.core.queue_settings import Cadence, QueueSettings

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]
# Thursday 5 March 2026, 14:00 UTC; the user works in UTC unless a test says otherwise.
NOW = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
UTC_SETTINGS = QueueSettings(timezone="UTC")
CALLABLE = {"phone": "+4930123456", "score": 50.0}


def queue(db: Database, **kwargs: Any) -> list[Any]:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("settings", UTC_SETTINGS)
    with db.read() as conn:
        return build_queue(conn, **kwargs)


EXCLUDED = [
    ("closed won", {"status": "won"}, "it is closed (status won)"),
    ("closed lost", {"status": "lost"}, "it is closed (status lost)"),
    ("disqualified", {"status": "disqualified"}, "it is closed (status disqualified)"),
    ("do not call", {"do_not_call": True}, "it is marked do-not-call"),
    ("no phone", {"phone": None}, "it has no phone number"),
    ("empty phone", {"phone": ""}, "it has no phone number"),
    ("wrong number", {"phone_valid": False}, "its phone number is flagged as wrong"),
    ("snoozed", {"snoozed_until": NOW + timedelta(hours=1)}, "it is snoozed until today 15:00"),
    ("called today", {"last_contacted_at": NOW - timedelta(hours=5), "attempts": 1},
     "it was already called today (today 09:00)"),
    ("attempt limit", {"attempts": 6}, "it reached the limit of 6 call attempts"),
    ("future callback", {"next_follow_up_at": NOW + timedelta(days=2)},
     "its next call is planned for Sat 14:00"),
    ("someone else's", {"owner": "bob"}, "it belongs to bob"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "why"), EXCLUDED, ids=[c[0] for c in EXCLUDED])
def test_ineligible_leads_are_left_out_and_explained(
    db: Database, add_leads: AddLeads, case: str, changes: dict[str, Any], why: str
) -> None:
    ok, left_out = add_leads(
        [CALLABLE | {"first_name": "Ok"}, CALLABLE | {"first_name": "Acme", **changes}]
    )
    assert [e.lead_id for e in queue(db, owner="ann")] == [ok]
    with db.read() as conn:
        reasons = why_not_queued(conn, left_out, now=NOW, owner="ann", settings=UTC_SETTINGS)
        assert why_not_queued(conn, ok, now=NOW, owner="ann", settings=UTC_SETTINGS) == []
    assert reasons == [f"Acme is not in the queue because {why}."]


ELIGIBLE = [
    ("snooze over", {"snoozed_until": NOW - timedelta(minutes=1)}),
    ("called yesterday", {"last_contacted_at": NOW - timedelta(days=1), "attempts": 5}),
    ("unassigned", {"owner": None}),
    ("own lead", {"owner": "ann"}),
    ("nurture", {"status": "nurture"}),
]


@pytest.mark.parametrize(("case", "changes"), ELIGIBLE, ids=[c[0] for c in ELIGIBLE])
def test_eligible_leads(
    db: Database, add_leads: AddLeads, case: str, changes: dict[str, Any]
) -> None:
    (lead_id,) = add_leads([CALLABLE | changes])
    assert [e.lead_id for e in queue(db, owner="ann")] == [lead_id]


def test_the_order_and_the_reasons(db: Database, add_leads: AddLeads) -> None:
    tuesday = NOW - timedelta(days=2)
    rows = [
        {"first_name": "new low", "score": 10.0, "grade": "C"},
        {"first_name": "new high", "score": 80.0, "grade": "A"},
        {"first_name": "called high", "score": 86.0, "tier": "Hot", "attempts": 1,
         "last_contacted_at": tuesday, "last_activity_at": NOW - timedelta(days=1)},
        {"first_name": "called tie stale", "score": 40.0, "tier": "Warm", "attempts": 1,
         "last_contacted_at": tuesday, "last_activity_at": NOW - timedelta(days=9)},
        {"first_name": "called tie fresh", "score": 40.0, "tier": "Warm", "attempts": 2,
         "last_contacted_at": tuesday, "last_activity_at": NOW - timedelta(days=2)},
        {"first_name": "due 10:30", "next_follow_up_at": NOW.replace(hour=10, minute=30),
         "last_contacted_at": tuesday, "attempts": 1, "score": 1.0},
        {"first_name": "due 09:00", "next_follow_up_at": NOW.replace(hour=9), "score": 99.0},
        {"first_name": "due 16:00", "next_follow_up_at": NOW.replace(hour=16), "score": 5.0},
        {"first_name": "overdue newer", "next_follow_up_at": NOW - timedelta(days=1)},
        {"first_name": "overdue older", "next_follow_up_at": NOW - timedelta(days=3),
         "last_contacted_at": NOW - timedelta(days=4), "attempts": 1},
        {"first_name": "unscored", "score": None},
    ]  # fmt: skip
    add_leads([CALLABLE | row for row in rows])
    entries = queue(db)
    assert [e.lead["first_name"] for e in entries] == [
        "overdue older", "overdue newer", "due 09:00", "due 10:30", "due 16:00",
        "called high", "called tie fresh", "called tie stale", "new high", "new low", "unscored",
    ]  # fmt: skip
    assert [e.rank for e in entries] == list(range(1, 12))
    reasons = {e.lead["first_name"]: e.reason for e in entries}
    assert reasons["overdue older"] == "Callback overdue since Mon 14:00 (you promised on Sun)"
    assert reasons["overdue newer"] == "Callback overdue since Wed 14:00"
    assert reasons["due 10:30"] == "Callback due 10:30 (you promised on Tue)"
    assert reasons["called high"] == "Hot · score 86 · active yesterday · 1 earlier call"
    assert reasons["called tie fresh"] == "Warm · score 40 · active 2 days ago · 2 earlier calls"
    assert reasons["new high"] == "New lead, grade A · score 80"
    assert reasons["unscored"] == "New lead · not scored yet"
    assert [e.bucket for e in entries][:6] == ["overdue", "overdue", "due", "due", "due", "score"]
    assert [e.lead["first_name"] for e in queue(db, limit=3)] == [
        "overdue older",
        "overdue newer",
        "due 09:00",
    ]
    data = entries[0].to_json()
    assert (data["lead_id"], data["rank"], data["first_name"]) == (
        entries[0].lead_id,
        1,
        "overdue older",
    )
    assert "custom" in data
    assert "score" in data


# Both sides of midnight: the user's day decides "today", whatever UTC says.
MIDNIGHT = [
    # (user zone, now UTC, last contacted UTC, eligible)
    ("America/Los_Angeles", datetime(2026, 3, 5, 7, 30), datetime(2026, 3, 5, 6, 0), False),
    ("America/Los_Angeles", datetime(2026, 3, 5, 8, 30), datetime(2026, 3, 5, 7, 30), True),
    ("Pacific/Auckland", datetime(2026, 3, 5, 7, 30), datetime(2026, 3, 4, 12, 0), False),
    ("Pacific/Auckland", datetime(2026, 3, 5, 7, 30), datetime(2026, 3, 4, 10, 30), True),
    ("UTC", datetime(2026, 3, 5, 7, 30), datetime(2026, 3, 4, 12, 0), True),
]


@pytest.mark.parametrize(("zone", "now", "contacted", "eligible"), MIDNIGHT)
def test_already_called_today_uses_the_users_day(
    db: Database, add_leads: AddLeads, zone: str, now: datetime, contacted: datetime, eligible: bool
) -> None:
    add_leads([CALLABLE | {"last_contacted_at": contacted.replace(tzinfo=UTC), "attempts": 1}])
    entries = queue(db, now=now.replace(tzinfo=UTC), settings=QueueSettings(timezone=zone))
    assert bool(entries) is eligible


def test_daylight_saving_day(db: Database, add_leads: AddLeads) -> None:
    # Europe/Berlin springs forward on 29 March 2026: that day lasts 23 hours.
    berlin = QueueSettings(timezone="Europe/Berlin")
    late, tomorrow, early = add_leads(
        [
            CALLABLE
            | {"next_follow_up_at": datetime(2026, 3, 29, 21, 30, tzinfo=UTC)},  # 23:30 CEST
            CALLABLE
            | {"next_follow_up_at": datetime(2026, 3, 29, 22, 30, tzinfo=UTC)},  # 00:30 next day
            CALLABLE | {"next_follow_up_at": datetime(2026, 3, 29, 0, 30, tzinfo=UTC)},  # 01:30 CET
        ]
    )
    now = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    entries = queue(db, now=now, day=date(2026, 3, 29), settings=berlin)
    assert [(e.lead_id, e.reason) for e in entries] == [
        (early, "Callback due 01:30"),
        (late, "Callback due 23:30"),
    ]
    assert tomorrow not in [e.lead_id for e in entries]
    next_day = queue(db, now=now, day=date(2026, 3, 30), settings=berlin)
    assert next_day[0].lead_id == early  # yesterday's is now overdue
    assert tomorrow in [e.lead_id for e in next_day]


def test_day_progress(db: Database, add_leads: AddLeads) -> None:
    calls = [
        (
            0,
            {
                "kind": "call",
                "outcome": "connected",
                "at": NOW.replace(hour=9, minute=5),
                "rep": "ann",
            },
        ),
        (
            0,
            {
                "kind": "call",
                "outcome": "no-answer",
                "at": NOW.replace(hour=9, minute=40),
                "rep": "ann",
            },
        ),
        (0, {"kind": "call", "outcome": "meeting", "at": NOW.replace(hour=11), "rep": "bob"}),
        (0, {"kind": "call", "outcome": "meeting", "at": NOW - timedelta(days=1), "rep": "ann"}),
        (0, {"kind": "email_open", "at": NOW}),
    ]
    add_leads([CALLABLE], calls)
    with db.read() as conn:
        everyone = day_progress(
            conn, now=NOW, settings=QueueSettings(daily_target=3, timezone="UTC")
        )
        ann = day_progress(conn, now=NOW, rep="ann", settings=UTC_SETTINGS)
    assert everyone.to_json() == {
        "calls": 3,
        "target": 3,
        "remaining": 0,
        "connects": 2,
        "meetings": 1,
        "outcomes": {"connected": 1, "no-answer": 1, "meeting": 1},
        "by_hour": {9: 2, 11: 1},
    }
    assert (ann.calls, ann.remaining) == (2, 48)


ZONES = [
    ({"timezone": "Asia/Tokyo", "phone": "+4930123456"}, "Asia/Tokyo"),
    ({"timezone": "Not/AZone", "phone": "+14155550100"}, "America/Los_Angeles"),
    ({"phone": "+4930123456", "country": "US"}, "Europe/Berlin"),
    ({"phone": "0301234", "country": "fr"}, "Europe/Paris"),
    ({"phone": None, "country": None}, "UTC"),
]


@pytest.mark.parametrize(("lead", "zone"), ZONES)
def test_lead_time_zone(lead: dict[str, Any], zone: str) -> None:
    assert str(lead_zone(lead, UTC)) == zone


def test_calling_hours_at_the_lead(db: Database, add_leads: AddLeads) -> None:
    # Thursday 17:30 UTC: 09:30 in San Francisco, 12:30 in New York, 18:30 in Berlin,
    # and already Friday 02:30 in Tokyo.
    now = datetime(2026, 3, 5, 17, 30, tzinfo=UTC)
    sf, ny, berlin, tokyo = add_leads(
        [
            CALLABLE | {"first_name": "Sf", "phone": "+14155550100"},
            CALLABLE | {"first_name": "Ny", "phone": "+12125550100", "score": 40.0},
            CALLABLE | {"first_name": "Berlin", "phone": "+4930123456", "score": 90.0},
            CALLABLE | {"first_name": "Tokyo", "timezone": "Asia/Tokyo", "score": 95.0},
        ]
    )
    hours = QueueSettings(timezone="UTC", calling_hours=(time(9), time(18)))
    assert [e.lead_id for e in queue(db, now=now, settings=hours)] == [sf, ny]
    assert {e.lead_id for e in queue(db, now=now)} == {sf, ny, berlin, tokyo}  # hours off
    # Planning another day ignores the clock at the lead.
    tomorrow = queue(db, now=now, day=date(2026, 3, 6), settings=hours)
    assert len(tomorrow) == 4
    with db.read() as conn:
        why = why_not_queued(conn, berlin, now=now, settings=hours)
    assert why == [
        "Berlin is not in the queue because it is Thu 18:30 there, "
        "outside calling hours (09:00-18:00)."
    ]
    saturday = datetime(2026, 3, 7, 17, 30, tzinfo=UTC)
    assert queue(db, now=saturday, settings=hours) == []


def test_paging_past_leads_outside_their_hours(db: Database, add_leads: AddLeads) -> None:
    now = datetime(2026, 3, 5, 17, 30, tzinfo=UTC)
    closed = [CALLABLE | {"phone": "+4930123456", "score": 90.0}] * 120
    (open_id,) = add_leads([*closed, CALLABLE | {"phone": "+14155550100", "score": 1.0}])[-1:]
    hours = QueueSettings(timezone="UTC", calling_hours=(time(9), time(18)))
    assert [e.lead_id for e in queue(db, now=now, settings=hours, limit=5)] == [open_id]


def test_the_reason_names_what_the_lead_did_last(db: Database, add_leads: AddLeads) -> None:
    called = {"attempts": 1, "last_contacted_at": NOW - timedelta(days=3), "tier": "Hot"}
    opened, formed, quiet = add_leads(
        [
            CALLABLE | called | {"score": 86.0},
            CALLABLE | called,
            CALLABLE | called | {"score": 9.0},
        ],
        [
            (0, {"kind": "email_open", "at": NOW - timedelta(days=5)}),
            (0, {"kind": "email_open", "at": NOW - timedelta(days=1), "note": "Pricing"}),
            (0, {"kind": "call", "outcome": "connected", "at": NOW - timedelta(hours=1)}),
            (1, {"kind": "form_submission", "at": NOW - timedelta(days=4)}),
        ],
    )
    reasons = {e.lead_id: e.reason for e in queue(db)}
    assert (
        reasons[opened] == "Hot · score 86 · opened an email (Pricing) yesterday · 1 earlier call"
    )
    assert reasons[formed] == "Hot · score 50 · filled in a form 4 days ago · 1 earlier call"
    assert reasons[quiet] == "Hot · score 9 · 1 earlier call"


def test_the_attempt_limit_is_the_cadences(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([CALLABLE | {"attempts": 3, "first_name": "Acme"}])
    strict = QueueSettings(timezone="UTC", cadence=Cadence(max_attempts=3))
    assert queue(db) != []
    assert queue(db, settings=strict) == []
    with db.read() as conn:
        assert why_not_queued(conn, lead_id, now=NOW, settings=strict) == [
            "Acme is not in the queue because it reached the limit of 3 call attempts."
        ]


# The US moves its clocks on 8 March 2026, Europe on 29 March: in between, New York is
# four hours behind UTC and Berlin one hour ahead. (now UTC, lead phone, callable 9-18)
DST_HOURS = [
    (datetime(2026, 3, 6, 13, 30), "+12125550100", False),  # Fri 08:30 EST: too early
    (datetime(2026, 3, 9, 13, 30), "+12125550100", True),  # Mon 09:30 EDT
    (datetime(2026, 3, 9, 21, 59), "+12125550100", True),  # Mon 17:59 EDT
    (datetime(2026, 3, 9, 22, 0), "+12125550100", False),  # Mon 18:00 EDT
    (datetime(2026, 3, 27, 16, 59), "+4930123456", True),  # Fri 17:59 CET
    (datetime(2026, 3, 30, 16, 0), "+4930123456", False),  # Mon 18:00 CEST
    (datetime(2026, 3, 30, 7, 0), "+4930123456", True),  # Mon 09:00 CEST
    # Sunday 23:30 UTC is already Monday 08:30 in Tokyo: too early, then on time.
    (datetime(2026, 3, 8, 23, 30), "+81312345678", False),
    (datetime(2026, 3, 9, 0, 0), "+81312345678", True),
    # Friday 23:30 UTC is Saturday in Tokyo: a weekend there, whatever the user's day.
    (datetime(2026, 3, 6, 23, 30), "+81312345678", False),
]


@pytest.mark.parametrize(("now", "phone", "callable_there"), DST_HOURS)
def test_calling_hours_follow_the_leads_clock(
    db: Database, add_leads: AddLeads, now: datetime, phone: str, callable_there: bool
) -> None:
    add_leads([CALLABLE | {"phone": phone}])
    hours = QueueSettings(timezone="UTC", calling_hours=(time(9), time(18)), weekdays_only=True)
    assert bool(queue(db, now=now.replace(tzinfo=UTC), settings=hours)) is callable_there


# (now UTC, calling hours, warning): the local time at a New York lead, and when to hold off.
AT_LEAD = [
    (datetime(2026, 3, 5, 15, 0), None, None),  # Thu 10:00 EST
    (datetime(2026, 3, 5, 12, 30), None, "outside calling hours"),  # 07:30
    (datetime(2026, 3, 6, 2, 30), None, "outside calling hours"),  # 21:30
    (datetime(2026, 3, 7, 15, 0), None, None),  # Saturday, but no calling hours set
    (datetime(2026, 3, 7, 15, 0), (time(9), time(18)), "a Saturday there"),
    (datetime(2026, 3, 5, 13, 30), (time(9), time(18)), "outside calling hours"),  # 08:30
]


@pytest.mark.parametrize(("now", "hours", "warning"), AT_LEAD)
def test_time_at_the_lead(now: datetime, hours: Any, warning: str | None) -> None:
    settings = QueueSettings(timezone="Europe/Berlin", calling_hours=hours)
    local, said = time_at_lead({"phone": "+12125550100"}, settings, now.replace(tzinfo=UTC))
    assert (local.utcoffset(), said) == (timedelta(hours=-5), warning)
    assert place(local.tzinfo) == "New York"  # type: ignore[arg-type]


def test_why_isnt_acme_here(db: Database, add_leads: AddLeads) -> None:
    queued, _closed, _further = add_leads(
        [
            CALLABLE | {"first_name": "Ann", "company": "Acme Ltd"},
            CALLABLE | {"first_name": "Bob", "company": "Acme Ltd", "status": "won"},
            CALLABLE | {"first_name": "Cy", "company": "Acme Ltd", "score": 10.0},
        ]
    )
    with db.read() as conn:
        answers = why_not_here(conn, "acme", {queued: 1}, now=NOW, settings=UTC_SETTINGS)
        assert why_not_here(conn, "globex", {}, now=NOW) == ["No lead matches “globex”."]
        assert why_not_here(conn, "  ", {}, now=NOW) == []
    assert answers == [
        "Ann is number 1 in today's queue.",
        "Bob is not in the queue because it is closed (status won).",
        "Cy can be called today, further down the queue than the leads shown.",
    ]
