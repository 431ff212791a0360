"""Import history: the batches, undoing one, and the problem rows to fix and re-import."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, NotFoundError
from leaddesk.core.exporting import SafeCellWriter, closing_on_failure, replacing
from leaddesk.core.fields import custom_field
from leaddesk.core.importing.readers import read_table
from leaddesk.core.importing.records import json_value
from leaddesk.core.schema import (
    CustomFieldRecord,
    ImportBatch,
    ImportChange,
    UTCDateTime,
    leads,
    utcnow,
)

if TYPE_CHECKING:
    from leaddesk.core.importing.pipeline import ImportReport


def snapshot(lead: dict[str, Any]) -> dict[str, Any]:
    """A lead's row as JSON, to put it back exactly on undo."""
    return {k: json_value(v) if k != "custom" else v for k, v in lead.items() if k != "id"}


def restore_value(name: str, value: Any) -> Any:
    column_type = leads.c[name].type
    if isinstance(value, str) and isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and isinstance(column_type, sa.Date):
        return date.fromisoformat(value)
    return value


def list_batches(conn: Connection) -> list[dict[str, Any]]:
    """Import history, newest first, for the GUI's Import history and the CLI."""
    table = ImportBatch.__table__  # type: ignore[attr-defined]
    columns = [table.c[n] for n in (
        "id", "file_name", "sheet", "imported_at", "rows_read", "created", "updated", "merged",
        "skipped", "rejected", "undone_at")]  # fmt: skip
    rows = conn.execute(sa.select(*columns).order_by(table.c.id.desc())).mappings()
    return [{k: json_value(v) for k, v in row.items()} for row in rows]


def undo_import(db: Database, batch_id: int) -> dict[str, Any]:
    """Put the database back as it was before batch ``batch_id``.

    Leads the batch created are deleted (with their activities); leads it changed get their
    whole row back; custom fields it introduced and no lead uses any more are removed.
    """
    batch_table = ImportBatch.__table__  # type: ignore[attr-defined]
    changes_table = ImportChange.__table__  # type: ignore[attr-defined]
    custom_table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
    with db.write() as conn:
        batch = (
            conn.execute(sa.select(batch_table).where(batch_table.c.id == batch_id))
            .mappings()
            .first()
        )
        if batch is None:
            raise NotFoundError(
                f"There is no import batch {batch_id}. The import history lists the batches."
            )
        if batch["undone_at"] is not None:
            raise InvalidInputError(f"Import batch {batch_id} was already undone.")
        created: list[int] = []
        restored = 0
        query = sa.select(changes_table.c.lead_id, changes_table.c.action, changes_table.c.before)
        for lead_id, action, before in conn.execute(
            query.where(changes_table.c.batch_id == batch_id)
        ):
            if action == "created":
                created.append(lead_id)
            elif before:
                values = {k: restore_value(k, v) for k, v in before.items() if k in leads.c}
                values["version"] = leads.c.version + 1  # an editor holding it must reload
                conn.execute(leads.update().where(leads.c.id == lead_id).values(values))
                restored += 1
        for start in range(0, len(created), 500):
            conn.execute(leads.delete().where(leads.c.id.in_(created[start : start + 500])))
        removed = []
        for key in (batch["report"] or {}).get("custom_fields_created", []):
            used = conn.execute(
                sa.select(leads.c.id).where(leads.c.custom[key].as_string().is_not(None)).limit(1)
            ).first()
            if used is None:
                conn.execute(custom_table.delete().where(custom_table.c.key == key))
                removed.append(key)
        conn.execute(
            batch_table.update().where(batch_table.c.id == batch_id).values(undone_at=utcnow())
        )
    return {
        "batch_id": batch_id,
        "deleted": len(created),
        "restored": restored,
        "custom_fields_removed": removed,
    }


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
