"""Logging call outcomes: one key per call, and the lead moves on by itself.

An outcome is stored as an activity and drives the lead's cadence (status, attempts, last
contact, next follow-up, do-not-call, phone flag) in the same transaction, which also rescores
the lead, so the queue and the score are right the moment the next lead appears. What the
lead was before is kept with the activity, so the last outcome can be undone exactly, as long
as nothing has changed the lead since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, NotFoundError
from leaddesk.core.fields import CLOSED_STATUSES
from leaddesk.core.leads import Lead, get_lead, to_json_value, update_lead
from leaddesk.core.queue_settings import DEFAULT_CALLING_HOURS, QueueSettings
from leaddesk.core.schema import Activity, Setting, utcnow

activities = Activity.__table__  # type: ignore[attr-defined]
settings_table = Setting.__table__  # type: ignore[attr-defined]

_UNDO_KEY = "undo.call.{}"
UNDO_DEPTH = 200  # calls that can still be undone; older undo records are dropped


class Outcome(StrEnum):
    """What happened on a call; ``key`` is the keyboard shortcut on the Queue page."""

    NO_ANSWER = "no-answer"
    VOICEMAIL = "voicemail"
    CONNECTED = "connected"
    MEETING = "meeting"
    NOT_INTERESTED = "not-interested"
    WRONG_NUMBER = "wrong-number"
    DO_NOT_CALL = "do-not-call"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def key(self) -> str:
        return str(list(Outcome).index(self) + 1)

    @classmethod
    def from_key(cls, key: str) -> Outcome:
        """The outcome for a shortcut key "1".."7"; InvalidInputError for any other."""
        for outcome in cls:
            if outcome.key == key:
                return outcome
        raise InvalidInputError(f"“{key}” is not an outcome key; use 1 to {len(cls)}.")


_LABELS = {
    Outcome.NO_ANSWER: "No answer",
    Outcome.VOICEMAIL: "Left voicemail",
    Outcome.CONNECTED: "Connected",
    Outcome.MEETING: "Meeting booked",
    Outcome.NOT_INTERESTED: "Not interested",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.DO_NOT_CALL: "Do not call",
}


@dataclass(frozen=True, slots=True)
class LoggedCall:
    """The stored activity and the lead as it is after the call."""

    activity_id: int
    lead: Lead


def add_working_days(moment: datetime, days: int, zone: tzinfo) -> datetime:
    """``moment`` plus ``days`` working days of the user's week, at the same local time.

    Counted on the user's wall clock: a call on Friday evening in Los Angeles (Saturday in
    UTC) comes back on Monday, and across a daylight-saving change at the same hour.
    """
    local = moment.astimezone(zone)
    day = local.date()
    while days > 0 or day.weekday() >= 5:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime.combine(day, local.time(), zone).astimezone(UTC)


def plan_changes(
    lead: Lead,
    outcome: Outcome,
    at: datetime,
    follow_up: datetime | None,
    note: str | None,
    settings: QueueSettings = QueueSettings(),
    *,
    lost_reason: str | None = None,
) -> dict[str, Any]:
    """The lead fields an outcome changes: the cadence, as one pure function to test."""
    cadence, zone = settings.cadence, settings.zone()
    attempts = int(lead.get("attempts") or 0) + 1
    status = lead.get("status") or "new"
    changes: dict[str, Any] = {
        "attempts": attempts,
        "last_contacted_at": at,
        "status": "contacted" if status == "new" else status,
        "next_follow_up_at": follow_up,
    }
    if outcome is Outcome.NO_ANSWER:
        if attempts >= cadence.max_attempts:
            changes.update(attempts=0, status="nurture")
            changes["next_follow_up_at"] = follow_up or at + timedelta(days=cadence.nurture_days)
        else:
            changes["next_follow_up_at"] = follow_up or add_working_days(
                at, cadence.retry_working_days, zone
            )
    elif outcome is Outcome.VOICEMAIL:
        changes["next_follow_up_at"] = follow_up or add_working_days(
            at, cadence.voicemail_working_days, zone
        )
    elif outcome is Outcome.MEETING:
        changes["status"] = "qualified"
    elif outcome is Outcome.NOT_INTERESTED:
        changes.update(status="lost", lost_reason=lost_reason or note or "Not interested")
    elif outcome is Outcome.WRONG_NUMBER:
        changes["phone_valid"] = False
    elif outcome is Outcome.DO_NOT_CALL:
        changes["do_not_call"] = True
    if status in CLOSED_STATUSES:
        # A call never changes a closed lead's status (a won deal stays won), nor records a
        # reason for a loss that did not happen.
        changes["status"] = status
        if status != "lost":
            changes.pop("lost_reason", None)
    return changes


def log_outcome(
    db: Database,
    lead_id: int,
    outcome: Outcome,
    *,
    note: str | None = None,
    at: datetime | None = None,
    follow_up: datetime | None = None,
    rep: str | None = None,
    settings: QueueSettings = QueueSettings(),
    lost_reason: str | None = None,
) -> LoggedCall:
    """Store a call's outcome, move the lead along its cadence, and rescore it (one transaction)."""
    at = _aware(at, "call time") or utcnow()
    follow_up = _aware(follow_up, "follow-up")
    with db.write() as conn:
        lead = get_lead(conn, lead_id)
        changes = plan_changes(
            lead, Outcome(outcome), at, follow_up, note, settings, lost_reason=lost_reason
        )
        activity_id = int(
            conn.execute(
                activities.insert()
                .values(
                    lead_id=lead_id, kind="call", outcome=str(outcome), at=at, rep=rep, note=note
                )
                .returning(activities.c.id)
            ).scalar_one()
        )
        before = {name: to_json_value(lead.get(name)) for name in changes}
        after = update_lead(conn, lead_id, changes, expected_version=None)
        # The versions before and after the call: undo is refused once the lead changes again.
        undo = {
            "lead_id": lead_id,
            "version_before": lead["version"],
            "version": after["version"],
            "before": before,
        }
        conn.execute(settings_table.insert().values(key=_UNDO_KEY.format(activity_id), value=undo))
        _prune_undo(conn)
        return LoggedCall(activity_id, after)  # update_lead rescored it, with this call


def suggested_callback(now: datetime, zone: tzinfo, settings: QueueSettings) -> datetime:
    """The callback first offered after a connected call: ``callback_working_days`` working
    days on, at the same time of day at the lead, moved to the start of calling hours (9:00
    when none are set) if that time is outside them."""
    at_lead = add_working_days(now, settings.cadence.callback_working_days, zone).astimezone(zone)
    start, end = settings.calling_hours or DEFAULT_CALLING_HOURS
    if not start <= at_lead.time().replace(tzinfo=None) < end:
        at_lead = datetime.combine(at_lead.date(), start, zone)
    return at_lead.replace(second=0, microsecond=0).astimezone(UTC)


def snooze_until(now: datetime, days: int, zone: tzinfo) -> datetime:
    """The start of the user's day ``days`` days from now: the lead is back in that day's queue."""
    day = now.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def recent_activities(conn: Connection, lead_id: int, limit: int = 6) -> list[dict[str, Any]]:
    """The lead's latest activities, newest first (what a rep glances at before calling)."""
    rows = conn.execute(
        sa.select(activities)
        .where(activities.c.lead_id == lead_id)
        .order_by(activities.c.at.desc(), activities.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(row) for row in rows]


def snooze(db: Database, lead_id: int, until: datetime | None) -> datetime | None:
    """Keep the lead off the queue until ``until`` (None wakes it); returns the previous value,
    so the Queue page can undo a snooze by snoozing back to it."""
    until = _aware(until, "snooze time")
    with db.write() as conn:
        before: datetime | None = get_lead(conn, lead_id)["snoozed_until"]
        update_lead(conn, lead_id, {"snoozed_until": until}, expected_version=None)
        return before


def undo_outcome(db: Database, activity_id: int) -> Lead:
    """Remove a logged call and put its lead back as it was before the call.

    Only the lead's last call, and only while the lead is as that call left it: restoring
    older values would silently wipe out what happened since (a later do-not-call, an edit).
    """
    with db.write() as conn:
        key = _UNDO_KEY.format(activity_id)
        saved = _undo_record(conn, key)
        if saved is None:
            exists = conn.execute(
                sa.select(activities.c.id).where(activities.c.id == activity_id)
            ).first()
            if exists is None:
                raise NotFoundError(f"There is no logged call with id {activity_id}.")
            raise InvalidInputError(
                "This call cannot be undone: only the most recent calls logged in LeadDesk can. "
                "Edit the lead instead."
            )
        lead_id = int(saved["lead_id"])
        version = get_lead(conn, lead_id)["version"]
        if _last_call(conn, lead_id) != activity_id or version != saved.get("version"):
            raise InvalidInputError(
                "Only the last call can be undone, and only before the lead changes again."
            )
        restored = {name: _decode(name, value) for name, value in saved["before"].items()}
        conn.execute(activities.delete().where(activities.c.id == activity_id))
        after = update_lead(conn, lead_id, restored, expected_version=None)  # rescored without it
        conn.execute(settings_table.delete().where(settings_table.c.key == key))
        _reopen_previous_undo(conn, lead_id, saved.get("version_before"), after["version"])
        return after


def _undo_record(conn: Connection, key: str) -> Any:
    return conn.execute(
        sa.select(settings_table.c.value).where(settings_table.c.key == key)
    ).scalar()


def forget_undo(conn: Connection, activity_ids: list[int]) -> None:
    """Drop the undo records of these calls (their lead is being erased)."""
    keys = [_UNDO_KEY.format(i) for i in activity_ids]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        conn.execute(settings_table.delete().where(settings_table.c.key.in_(chunk)))


def _prune_undo(conn: Connection) -> None:
    """Keep the undo records of the last ``UNDO_DEPTH`` calls only."""
    keys = conn.execute(
        sa.select(settings_table.c.key).where(settings_table.c.key.like(_UNDO_KEY.format("%")))
    ).scalars()
    ids = sorted(int(key.rsplit(".", 1)[1]) for key in keys)
    stale = [_UNDO_KEY.format(i) for i in ids[:-UNDO_DEPTH]]
    if stale:
        conn.execute(settings_table.delete().where(settings_table.c.key.in_(stale)))


def _last_call(conn: Connection, lead_id: int) -> int | None:
    """The id of the lead's most recently stored call, logged here or imported."""
    return conn.execute(
        sa.select(sa.func.max(activities.c.id)).where(
            activities.c.lead_id == lead_id, activities.c.kind == "call"
        )
    ).scalar()


def _reopen_previous_undo(
    conn: Connection, lead_id: int, version_before: int | None, version_now: int
) -> None:
    """Let the lead's previous call be undone next, if the undo put the lead back as it left it.

    The lead is then exactly as that call left it, only with a newer version (versions never
    go back, or an edit opened before the undo could pass the optimistic lock), so that
    call's record moves on to the new version and Ctrl+Z can go on undoing.
    """
    previous = _last_call(conn, lead_id)
    if previous is None or version_before is None:
        return
    key = _UNDO_KEY.format(previous)
    saved = _undo_record(conn, key)
    if saved is not None and saved.get("version") == version_before:
        conn.execute(
            settings_table.update()
            .where(settings_table.c.key == key)
            .values(value={**saved, "version": version_now})
        )


def _decode(name: str, value: Any) -> Any:
    if name.endswith("_at") and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _aware(moment: datetime | None, what: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInputError(f"The {what} needs a time zone (for example 2026-03-31T14:30Z).")
    return moment
