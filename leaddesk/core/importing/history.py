"""Import history: the batches, undoing one, and the problem rows to fix and re-import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.backups import back_up
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, NotFoundError
from leaddesk.core.exporting import SafeCellWriter, closing_on_failure, replacing
from leaddesk.core.fields import custom_field
from leaddesk.core.importing.readers import read_table
from leaddesk.core.importing.records import json_value
from leaddesk.core.schema import (
    Activity,
    CustomFieldRecord,
    ImportBatch,
    ImportChange,
    UTCDateTime,
    leads,
    utcnow,
)
from leaddesk.core.scoring.sql import rescore_with_active
from leaddesk.paths import backup_dir

if TYPE_CHECKING:
    from leaddesk.core.importing.pipeline import ImportReport


_BATCHES = ImportBatch.__table__  # type: ignore[attr-defined]
_CHANGES = ImportChange.__table__  # type: ignore[attr-defined]
_CUSTOM_FIELDS = CustomFieldRecord.__table__  # type: ignore[attr-defined]
_ACTIVITIES = Activity.__table__  # type: ignore[attr-defined]


def snapshot(lead: dict[str, Any]) -> dict[str, Any]:
    """A lead's row as JSON, to put it back exactly on undo."""
    return {k: json_value(v) if k != "custom" else v for k, v in lead.items() if k != "id"}


def restore_value(name: str, value: Any, table: sa.Table = leads) -> Any:
    """A value of ``table``'s column ``name`` back from its JSON snapshot."""
    column_type = table.c[name].type
    if isinstance(value, str) and isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and isinstance(column_type, sa.Date):
        return date.fromisoformat(value)
    return value


def list_batches(conn: Connection) -> list[dict[str, Any]]:
    """Import history, newest first, for the GUI's Import history and the CLI."""
    columns = [_BATCHES.c[n] for n in (
        "id", "file_name", "sheet", "imported_at", "rows_read", "created", "updated", "merged",
        "skipped", "rejected", "undone_at")]  # fmt: skip
    rows = conn.execute(sa.select(*columns).order_by(_BATCHES.c.id.desc())).mappings()
    return [{k: json_value(v) for k, v in row.items()} for row in rows]


@dataclass(frozen=True, slots=True)
class UndoPreview:
    """What undoing a batch will do, for the confirmation the user answers first."""

    batch_id: int
    file_name: str
    delete: int
    """Leads the import created that still exist: undo deletes them."""
    restore: int
    """Leads the import changed that still exist: undo puts their old values back."""
    edited_since: int
    """Of the leads to restore, those edited after the import: their later edits are kept
    (imports made before LeadDesk recorded what they wrote restore whole rows)."""
    called_since: int
    """Created leads with calls or notes logged since: those go with the leads."""


def _open_batch(conn: Connection, batch_id: int) -> sa.RowMapping:
    batch = conn.execute(sa.select(_BATCHES).where(_BATCHES.c.id == batch_id)).mappings().first()
    if batch is None:
        raise NotFoundError(
            f"There is no import batch {batch_id}. The import history lists the batches."
        )
    if batch["undone_at"] is not None:
        raise InvalidInputError(f"Import batch {batch_id} was already undone.")
    return batch


def undo_preview(conn: Connection, batch_id: int) -> UndoPreview:
    """Count what ``undo_import`` would delete, restore and keep, without changing anything."""
    batch = _open_batch(conn, batch_id)
    joined = _CHANGES.join(leads, leads.c.id == _CHANGES.c.lead_id)
    of_batch = _CHANGES.c.batch_id == batch_id
    created = of_batch & (_CHANGES.c.action == "created")
    updated = of_batch & (_CHANGES.c.action == "updated")
    count = sa.func.count()
    delete = conn.execute(sa.select(count).select_from(joined).where(created)).scalar_one()
    restore = edited_since = 0
    for version, before, changed in conn.execute(
        sa.select(leads.c.version, _CHANGES.c.before, _CHANGES.c.changed)
        .select_from(joined)
        .where(updated)
    ):
        restore += 1
        edited_since += changed is not None and _edited_since(version, before)
    called_since = conn.execute(
        sa.select(sa.func.count(sa.distinct(_ACTIVITIES.c.lead_id)))
        .select_from(_CHANGES.join(_ACTIVITIES, _ACTIVITIES.c.lead_id == _CHANGES.c.lead_id))
        .where(created)
    ).scalar_one()
    return UndoPreview(batch_id, batch["file_name"], delete, restore, edited_since, called_since)


def _edited_since(version: int, before: dict[str, Any] | None) -> bool:
    return bool(before) and version != before["version"] + 1  # type: ignore[index]


def undo_import(db: Database, batch_id: int) -> dict[str, Any]:
    """Put the database back as it was before batch ``batch_id``, keeping later edits.

    Leads the batch created are deleted (with their activities). A lead it changed and
    nobody edited since gets its whole row back; one edited since (its version moved on)
    gets back only the fields that still hold what the import wrote, so a later edit of
    the same lead is never undone with it. Custom fields the batch introduced and no lead
    uses any more are removed. A SQLite database is backed up first.
    """
    if db.path is not None:
        with db.read() as conn:
            _open_batch(conn, batch_id)  # a wrong id costs no backup
        back_up(db, backup_dir(), f"before-undo-import-{batch_id}")
    with db.write() as conn:
        batch = _open_batch(conn, batch_id)
        created: list[int] = []
        restored: list[int] = []
        partly = 0  # leads edited since: only the import's values go back
        now = utcnow()
        query = sa.select(_CHANGES.c.lead_id, _CHANGES.c.action, _CHANGES.c.before,
                          _CHANGES.c.changed).where(_CHANGES.c.batch_id == batch_id)  # fmt: skip
        for lead_id, action, before, changed in conn.execute(query):
            if action == "created":
                created.append(lead_id)
                continue
            current = conn.execute(sa.select(leads).where(leads.c.id == lead_id)).mappings().first()
            if current is None or not before:
                continue  # deleted since: there is nothing to put back
            if changed is None or not _edited_since(current["version"], before):
                values = {k: restore_value(k, v) for k, v in before.items() if k in leads.c}
            else:
                values = _import_values_only(current, before, changed)
                values["updated_at"] = now
                partly += 1
            values["version"] = leads.c.version + 1  # an editor holding it must reload
            conn.execute(leads.update().where(leads.c.id == lead_id).values(values))
            restored.append(lead_id)
        for start in range(0, len(created), 500):
            conn.execute(leads.delete().where(leads.c.id.in_(created[start : start + 500])))
        # Old rows carry the scores of their day and model; edited ones, of values undo changed.
        rescore_with_active(conn, restored)
        removed = _drop_unused_custom_fields(
            conn, (batch["report"] or {}).get("custom_fields_created", [])
        )
        conn.execute(_BATCHES.update().where(_BATCHES.c.id == batch_id).values(undone_at=now))
    return {
        "batch_id": batch_id,
        "deleted": len(created),
        "restored": len(restored),
        "kept_later_edits": partly,
        "custom_fields_removed": removed,
    }


# A phone, its validity flag and its digits are one value: restored together or not at all.
_PHONE_PARTS = ("phone", "phone_valid", "phone_digits")


def _import_values_only(
    current: sa.RowMapping, before: dict[str, Any], changed: dict[str, Any]
) -> dict[str, Any]:
    """The old value of each field the import wrote and nobody has changed since."""
    values: dict[str, Any] = {}
    for name, written in changed.items():
        if name == "custom":
            custom = dict(current["custom"] or {})
            old = before.get("custom") or {}
            for key, value in written.items():
                if custom.get(key) == value and old.get(key) != value:
                    if key in old:
                        custom[key] = old[key]
                    else:
                        custom.pop(key, None)
            values["custom"] = custom
        elif name in _PHONE_PARTS[1:]:
            continue  # restored with the phone, as one unit
        elif name in leads.c and json_value(current[name]) == written:
            parts = _PHONE_PARTS if name == "phone" else (name,)
            values.update((part, restore_value(part, before.get(part))) for part in parts)
    return values


def _drop_unused_custom_fields(conn: Connection, keys: list[str]) -> list[str]:
    """The import's custom fields no lead uses any more, unless a scoring model rule does."""
    from leaddesk.core.scoring.store import active_model  # scoring imports importing

    model = active_model(conn)[1]
    scored = {rule.field for rule in (*model.fit_rules, *model.engagement_rules)}
    removed = []
    for key in keys:
        if key in scored:
            continue  # the model would no longer run, and with it every rescore
        used = conn.execute(
            sa.select(leads.c.id).where(leads.c.custom[key].as_string().is_not(None)).limit(1)
        ).first()
        if used is None:
            conn.execute(_CUSTOM_FIELDS.delete().where(_CUSTOM_FIELDS.c.key == key))
            removed.append(key)
    return removed


# The problem-rows workbook repeats the user's cells as they were: no field's number format.
_AS_WRITTEN = custom_field("as_written", "As written")


def write_problem_rows(path: Path, report: ImportReport, target: Path) -> int:
    """Save the rows of ``path`` that were rejected or warned about, with their original
    columns plus "Row" and "Problem", as an ``.xlsx`` to fix and import again.

    The cells come from the user's file, so they go through the export's safe writer (a
    ``=HYPERLINK(…)`` stays text) and the file replaces ``target`` only once complete; a
    target that cannot be written raises ``BadFileError``. Returns how many rows were written.
    """
    from openpyxl import Workbook

    problems: dict[int, list[str]] = {}
    for rejected in report.rejected:
        problems.setdefault(rejected.row, []).append(rejected.reason)
    for warning in report.warnings:
        found = re.match(r"Row (\d+): (.*)", warning, re.DOTALL)
        if found:
            problems.setdefault(int(found.group(1)), []).append(found.group(2))
    table = read_table(path, report.sheet)
    written = 0
    with replacing(target) as temporary, closing_on_failure(Workbook(write_only=True)) as book:
        sheet = book.create_sheet("Problems")
        writer = SafeCellWriter(sheet)
        sheet.append(["Row", *(writer.text(h) for h in table.headers), "Problem"])
        for row, cells in table.rows:
            if row in problems:
                values = (writer.cell(json_value(c), _AS_WRITTEN) for c in cells)
                sheet.append([row, *values, writer.text(" ".join(problems[row]))])
                written += 1
        book.save(temporary)
    return written
