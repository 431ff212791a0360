"""Changing many leads at once, and undoing it.

A bulk edit runs over every lead a ``LeadFilter`` matches (a selection is a filter of ids),
in one write transaction, a chunk at a time so it can report progress and be cancelled
with nothing written. Each lead's values before and after are kept in ``bulk_edit_rows``;
undo puts back only the values that still hold what the edit wrote, so a lead someone
changed since keeps that change. A deletion keeps the whole row and its activities.
Every change bumps the lead's version, so an editor holding an older copy is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, NotFoundError
from leaddesk.core.fields import LEAD_STATUSES, REASON_STATUSES
from leaddesk.core.importing.history import restore_value, snapshot
from leaddesk.core.importing.records import json_value
from leaddesk.core.importing.suppression import remember
from leaddesk.core.leads import LeadFilter, count_leads
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import Activity, BulkEdit, BulkEditRow, leads, utcnow
from leaddesk.core.scoring.sql import rescore_with_active

Kind = Literal["owner", "status", "tag", "do_not_call", "delete"]

_EDITS = BulkEdit.__table__  # type: ignore[attr-defined]
_ROWS = BulkEditRow.__table__  # type: ignore[attr-defined]
_ACTIVITIES = Activity.__table__  # type: ignore[attr-defined]
CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class BulkAction:
    """What to do to each lead: set its owner (None: nobody), its status, add a tag, mark
    it do-not-call (or not), or delete it."""

    kind: Kind
    value: Any = None

    def validated(self) -> BulkAction:
        if self.kind == "status" and self.value not in LEAD_STATUSES:
            raise InvalidInputError(
                f"“{self.value}” is not a status. Choose one of: {', '.join(LEAD_STATUSES)}."
            )
        if self.kind == "tag" and not str(self.value or "").strip(" ,"):
            raise InvalidInputError("Type the tag to add.")
        if self.kind == "owner" and self.value is not None:
            return BulkAction("owner", str(self.value).strip() or None)
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        return {"owner": ("owner",), "status": ("status",), "tag": ("tags",),
                "do_not_call": ("do_not_call",), "delete": ()}[self.kind]  # fmt: skip

    def new_values(self, lead: sa.RowMapping) -> dict[str, Any]:
        """The values this action gives ``lead`` (only those that change)."""
        if self.kind == "tag":
            values: dict[str, Any] = {"tags": add_tag(lead["tags"], str(self.value))}
        elif self.kind == "status" and self.value not in REASON_STATUSES:
            values = {"status": self.value, "lost_reason": None}
        else:
            values = {self.columns[0]: self.value}
        return {k: v for k, v in values.items() if lead[k] != v}

    def describe(self, count: int) -> str:
        leads_ = f"{count:,} lead{'' if count == 1 else 's'}"
        if self.kind == "owner":
            return f"Assigned {leads_} to {self.value}" if self.value else f"Unassigned {leads_}"
        if self.kind == "status":
            return f"Set {leads_} to {str(self.value).capitalize()}"
        if self.kind == "tag":
            return f"Tagged {leads_} “{str(self.value).strip(' ,')}”"
        if self.kind == "do_not_call":
            return (
                f"Marked {leads_} do not call" if self.value else f"Cleared do not call on {leads_}"
            )
        return f"Deleted {leads_}"


def add_tag(tags: str | None, tag: str) -> str:
    """``tags`` with ``tag`` added once (tags compare without case)."""
    present = [t.strip() for t in (tags or "").split(",") if t.strip()]
    tag = tag.strip(" ,")
    if tag.casefold() not in {t.casefold() for t in present}:
        present.append(tag)
    return ", ".join(present)


@dataclass(frozen=True, slots=True)
class BulkResult:
    edit_id: int | None
    """None when no lead needed changing (nothing to undo)."""
    changed: int
    matched: int
    summary: str


def apply_bulk(
    db: Database, lead_filter: LeadFilter, action: BulkAction, rep: str | None = None
) -> Job[BulkResult]:
    """Apply ``action`` to every lead ``lead_filter`` matches, as one undoable edit."""
    action = action.validated()
    with db.write() as conn:
        matched = count_leads(conn, lead_filter)
        inserted = conn.execute(
            _EDITS.insert().values(action=action.kind, summary="", rep=rep, leads=0, at=utcnow())
        )
        edit_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        changed = done = 0
        yield Progress(0, matched, action.describe(matched) + "…")
        for chunk in _chunks(conn, lead_filter):
            if action.kind == "delete":
                changed += _delete(conn, edit_id, chunk)
            else:
                changed += _update(conn, edit_id, action, chunk)
            done += len(chunk)
            yield Progress(done, matched, action.describe(matched) + "…")
        summary = action.describe(changed)
        if changed == 0:
            conn.execute(_EDITS.delete().where(_EDITS.c.id == edit_id))
            return BulkResult(None, 0, matched, "Nothing to change: " + _already(action))
        conn.execute(
            _EDITS.update().where(_EDITS.c.id == edit_id).values(summary=summary, leads=changed)
        )
    return BulkResult(int(edit_id), changed, matched, summary)


def _already(action: BulkAction) -> str:
    return "the leads were deleted already." if action.kind == "delete" else "they all had it."


def _chunks(conn: Connection, lead_filter: LeadFilter) -> Iterator[list[int]]:
    """The matching ids, read before any change, in chunks (changes cannot shift them)."""
    ids = conn.execute(sa.select(leads.c.id).where(lead_filter.clause())).scalars().all()
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _update(conn: Connection, edit_id: int, action: BulkAction, ids: Sequence[int]) -> int:
    read = ["tags", "lost_reason"] if action.kind in ("tag", "status") else []
    columns = [leads.c.id, *(leads.c[c] for c in {*action.columns, *read})]
    rows, updates = [], []
    for lead in conn.execute(sa.select(*columns).where(leads.c.id.in_(ids))).mappings():
        new = action.new_values(lead)
        if not new:
            continue
        before = {k: json_value(lead[k]) for k in new}
        rows.append({"edit_id": edit_id, "lead_id": lead["id"],
                     "before": {"before": before, "after": new}})  # fmt: skip
        updates.append({"lead_id": lead["id"], **new})
    if not updates:
        return 0
    conn.execute(_ROWS.insert(), rows)
    _write(conn, updates)
    rescore_with_active(conn, [u["lead_id"] for u in updates])
    return len(updates)


def _write(conn: Connection, updates: list[dict[str, Any]]) -> None:
    """Write per-lead values (grouped by the columns they set) and bump each version."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for update in updates:
        by_columns.setdefault(tuple(sorted(k for k in update if k != "lead_id")), []).append(update)
    for names, group in by_columns.items():
        statement = (
            leads.update()
            .where(leads.c.id == sa.bindparam("lead_id"))
            .values(
                {n: sa.bindparam(n) for n in names}
                | {"version": leads.c.version + 1, "updated_at": utcnow()}
            )
        )
        conn.execute(statement, group)


def _delete(conn: Connection, edit_id: int, ids: Sequence[int]) -> int:
    rows = conn.execute(sa.select(leads).where(leads.c.id.in_(ids))).mappings().all()
    activities: dict[int, list[dict[str, Any]]] = {}
    query = sa.select(_ACTIVITIES).where(_ACTIVITIES.c.lead_id.in_(ids))
    for activity in conn.execute(query).mappings():
        activities.setdefault(activity["lead_id"], []).append(
            {k: json_value(v) for k, v in activity.items()}
        )
    conn.execute(
        _ROWS.insert(),
        [
            {"edit_id": edit_id, "lead_id": lead["id"],
             "before": {"lead": {"id": lead["id"], **snapshot(dict(lead))},
                        "activities": activities.get(lead["id"], [])}}
            for lead in rows
        ],
    )  # fmt: skip
    remember(conn, [dict(row) for row in rows])  # do-not-contact wishes outlive the leads
    conn.execute(leads.delete().where(leads.c.id.in_(ids)))
    return len(rows)


@dataclass(frozen=True, slots=True)
class UndoResult:
    summary: str
    restored: int
    kept: int
    """Leads changed again since the edit, whose newer values were kept."""


def undo_bulk(db: Database, edit_id: int) -> UndoResult:
    """Undo bulk edit ``edit_id``, keeping any value someone changed since."""
    with db.write() as conn:
        edit = conn.execute(sa.select(_EDITS).where(_EDITS.c.id == edit_id)).mappings().first()
        if edit is None or edit["undone_at"] is not None:
            raise NotFoundError("That change was undone already, or is no longer kept.")
        kept = 0
        touched: list[int] = []
        query = sa.select(_ROWS.c.lead_id, _ROWS.c.before).where(_ROWS.c.edit_id == edit_id)
        for lead_id, saved in conn.execute(query).all():
            if edit["action"] == "delete":
                done = _reinsert(conn, saved)
            else:
                done = _restore(conn, lead_id, saved["before"], saved["after"])
            if done:
                touched.append(lead_id)
            else:
                kept += 1
        restored = len(touched)
        if touched:
            rescore_with_active(conn, touched)
        conn.execute(_EDITS.update().where(_EDITS.c.id == edit_id).values(undone_at=utcnow()))
    return UndoResult(f"Undid “{edit['summary']}”", restored, kept)


def _restore(conn: Connection, lead_id: int, before: dict[str, Any], after: dict[str, Any]) -> bool:
    current = (
        conn.execute(sa.select(*(leads.c[k] for k in after)).where(leads.c.id == lead_id))
        .mappings()
        .first()
    )
    if current is None:
        return False
    values = {k: restore_value(k, before[k]) for k in after if json_value(current[k]) == after[k]}
    if not values:
        return False
    conn.execute(
        leads.update()
        .where(leads.c.id == lead_id)
        .values(values | {"version": leads.c.version + 1, "updated_at": utcnow()})
    )
    return True


def _reinsert(conn: Connection, saved: dict[str, Any]) -> bool:
    lead = saved["lead"]
    if conn.execute(sa.select(leads.c.id).where(leads.c.id == lead["id"])).first():
        return False  # the id was taken again since
    conn.execute(leads.insert().values({k: restore_value(k, v) for k, v in lead.items()}))
    for activity in saved["activities"]:
        conn.execute(
            _ACTIVITIES.insert().values(
                {k: restore_value(k, v, _ACTIVITIES) for k, v in activity.items()}
            )
        )
    return True


def last_undoable(conn: Connection) -> dict[str, Any] | None:
    """The newest bulk edit not undone yet (what Ctrl+Z on the Leads page would undo)."""
    query = (
        sa.select(_EDITS.c.id, _EDITS.c.summary, _EDITS.c.at)
        .where(_EDITS.c.undone_at.is_(None))
        .order_by(_EDITS.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None
