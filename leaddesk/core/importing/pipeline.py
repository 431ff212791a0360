"""An import from file to scored leads, as one undoable batch.

``import_file`` reads the table, maps headers to fields, normalises every value, merges
duplicates inside the file, matches the rest against the database by identity (external id,
email, phone, then name with company), and writes everything in one transaction together
with a batch record and each changed lead's values before, so ``undo_import`` can put the
database back. A cancelled or failing import leaves the database untouched; a bad row never
fails the import, it is reported with its spreadsheet row number. Bulk work goes through
SQLAlchemy Core in chunks; dedupe runs on dictionaries in memory.

The steps live in their own modules: ``readers`` (file to table), ``mapping`` (headers to
fields), ``records`` (cells to values), ``matching`` (identity), ``history`` (undo).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.allocation import cyclic_gc_paused
from leaddesk.core.assignment import assign_imported
from leaddesk.core.db import Database, insert_many
from leaddesk.core.errors import BadFileError, InvalidInputError, LeadDeskError
from leaddesk.core.fields import (
    Field,
    FieldRegistry,
    custom_field,
)
from leaddesk.core.importing import mapping as mapping_mod
from leaddesk.core.importing.exported import take_exported_columns
from leaddesk.core.importing.history import snapshot
from leaddesk.core.importing.matching import (
    FLAGS,
    load_leads,
    match_existing,
    merge_in_file,
    merge_into,
)
from leaddesk.core.importing.normalize import (
    clean_text,
    default_region,
)
from leaddesk.core.importing.readers import IDENTITY_FIELDS, SheetData, read_table
from leaddesk.core.importing.records import (
    CHUNK,
    Normalizer,
    Record,
    RejectedRow,
    column_samples,
    infer_type,
)
from leaddesk.core.importing.suppression import mark_suppressed, suppressed_note
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import (
    LEAD_DEFAULTS,
    CustomFieldRecord,
    ImportBatch,
    ImportChange,
    leads,
    utcnow,
)
from leaddesk.core.scoring.sql import rescore_with_active_steps

OnDuplicate = Literal["skip", "update", "overwrite"]


@dataclass(slots=True)
class ImportOptions:
    """What the user chose for this import (the CLI flags and the wizard's pages)."""

    sheet: str | None = None
    on_duplicate: OnDuplicate = "update"
    region: str | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, for a dry run, would do); ``to_json`` is the CLI contract."""

    batch_id: int | None
    file_name: str
    sheet: str | None
    header_row: int
    mapping: dict[str, str | None]
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    suppressed: int = 0
    """Leads of the file on the do-not-contact list, imported as do not call or email."""
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)
    dry_run: bool = False
    scored: bool = False
    """True when the leads this import created or changed were scored (also when there were
    none); False for a dry run, or when scoring failed (``warnings`` says why), so a summary
    never claims scores the leads do not have."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["lead_ids"]
        return data


@dataclass(slots=True)
class ImportPreview:
    """What the wizard shows before anything is written.

    ``mapping`` is header -> field name, None for a column that will become a new custom
    field (pass it back, edited, as ``ImportOptions.mapping``); ``rows`` are the first leads
    as they would be stored (custom values under ``custom.<key>``).
    """

    sheet: str | None
    sheets: list[str]
    header_row: int
    headers: list[str]
    mapping: dict[str, str | None]
    samples: dict[str, list[str]]
    """Up to five different values of each column, as written."""
    new_count: int
    update_count: int
    problem_count: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    merged_count: int = 0
    """Rows merged into another row of the file (the same person twice)."""
    existing_count: int = 0
    """Leads of the file that are already in LeadDesk, whatever the duplicate mode."""
    update_counts: dict[str, int] = field(default_factory=dict)
    """Existing leads each duplicate mode would change (``skip`` changes none)."""
    saved_mapping: bool = False
    """The mapping is the one chosen last time for a file with these headers."""
    row_fields: dict[str, Field] = field(default_factory=dict)
    """The field of each key of ``rows`` (its label and type), in the file's column order."""


# --- the plan ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    table: SheetData
    mapping: dict[str, str | None]
    new_fields: list[Field]
    creates: list[Record]
    updates: list[tuple[int, Record]]  # existing lead id, record
    existing: dict[int, dict[str, Any]]
    report: ImportReport
    saved_mapping: bool
    registry: FieldRegistry  # the fields the import writes, new custom fields included


def _resolve_mapping(
    conn: Connection,
    table: SheetData,
    options: ImportOptions,
    registry: FieldRegistry,
    exported: bool,
) -> tuple[dict[str, Field], dict[str, str | None], list[Field], list[str], bool]:
    """Header -> target field (custom fields created for unmapped headers), the mapping as
    names, the new custom fields, warnings, and whether a saved mapping was the base.

    ``exported``: a file LeadDesk wrote, whose headers are field labels and whose values
    fit their fields; in a workbook its cells' types also give new custom fields theirs.
    """
    headers = table.headers
    warnings: list[str] = []
    saved = mapping_mod.load_saved_mapping(conn, headers)
    if exported:
        guessed = mapping_mod.export_mapping(headers, registry)
    else:
        guessed = mapping_mod.guess_mapping(headers, registry)
    if saved is not None:
        base = {h: (n if n is not None and n in registry else guessed[h]) for h, n in saved.items()}
    elif exported:
        base = guessed
    else:
        columns = column_samples(table, 200)
        base, warnings = mapping_mod.check_against_values(guessed, columns, registry)
    chosen = mapping_mod.apply_overrides(base, options.mapping, registry)
    targets: dict[str, Field] = {}
    new_fields: list[Field] = []
    samples = column_samples(table, 500)
    for header in headers:
        name = chosen[header]
        if name is None:
            key = registry.unused_custom_key(header)
            typed = exported and table.sheet is not None  # a workbook, not a CSV file
            target = custom_field(key, header, infer_type(samples[header], typed=typed))
            registry = FieldRegistry([*registry.custom, target])
            new_fields.append(target)
        else:
            target = registry.get(name)
        targets[header] = target
    resolved: dict[str, str | None] = {h: t.name for h, t in targets.items()}
    return targets, resolved, new_fields, warnings, saved is not None


def _check_options(options: ImportOptions) -> str | None:
    """Refuse choices that would silently spoil the import; returns the phone region to use.

    A region phonenumbers does not know would flag every number written without ``+`` as
    invalid, so ``--region germany`` is an error, not a quiet fallback.
    """
    if options.on_duplicate not in ("skip", "update", "overwrite"):
        raise InvalidInputError(
            f"“{options.on_duplicate}” is not a way to handle duplicates: "
            "use skip, update or overwrite."
        )
    if not options.region:
        return default_region()
    region = options.region.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidInputError(
            f"“{options.region}” is not a country code LeadDesk knows; "
            "use a two-letter code such as DE or US."
        )
    return region


def _plan(
    conn: Connection, path: Path, options: ImportOptions, table: SheetData | None = None
) -> Job[_Plan]:
    """Everything an import would do, computed without writing."""
    region = _check_options(options)
    registry = load_registry(conn)
    if table is None:
        yield Progress(0, 0, f"Reading {path.name}")
        table = read_table(path, options.sheet, registry)
    if not table.rows:
        raise BadFileError(
            f"{path.name} has a header row ({', '.join(table.headers)}) but no rows below it: "
            "there is nothing to import."
        )
    exported = take_exported_columns(conn, table)
    targets, resolved, new_fields, warnings, saved = _resolve_mapping(
        conn, table, options, registry, exported is not None
    )
    if not any(t.name in (*IDENTITY_FIELDS, "company") for t in targets.values()):
        raise BadFileError(
            f"{path.name} does not look like a contact list: no column holds names, emails, "
            f"phones, companies or IDs (its columns: {', '.join(table.headers)}). If one does, "
            'choose its field in the import wizard or with --map "Header=field".'
        )
    full_registry = FieldRegistry([*registry.custom, *new_fields])
    lead_ids = exported.lead_ids if exported is not None else None
    normalizer = Normalizer(table, targets, full_registry, region, lead_ids)
    report = ImportReport(
        batch_id=None,
        file_name=path.name,
        sheet=table.sheet,
        header_row=table.header_row,
        mapping=resolved,
        rows_read=len(table.rows),
        dry_run=options.dry_run,
    )
    total = len(table.rows)
    records = yield from normalizer.records()
    report.rejected = normalizer.rejected
    groups, report.merged = merge_in_file(records)
    report.suppressed = mark_suppressed(conn, groups)
    if report.suppressed:
        warnings.append(suppressed_note(report.suppressed))
    yield Progress(total, total, "Looking for duplicates")
    matches = match_existing(conn, groups)
    existing = load_leads(conn, sorted(set(matches.values())))
    creates: list[Record] = []
    updates: list[tuple[int, Record]] = []
    claimed: dict[int, Record] = {}
    for index, group in enumerate(groups):
        lead_id = matches.get(index)
        if lead_id is None:
            creates.append(group)
        elif lead_id in claimed:
            merge_into(claimed[lead_id], group)
            report.merged += 1
        else:
            claimed[lead_id] = group
            updates.append((lead_id, group))
    new_fields += [f for f in normalizer.raw_fields.values() if f.name not in full_registry]
    gone = sum(
        1
        for index, group in enumerate(groups)
        if group.lead_id is not None and matches.get(index) != group.lead_id
    )
    if gone:
        warnings.append(
            f"{gone:,} row(s) were exported from leads that have been deleted since; they "
            "were matched by external ID, email, phone and name, or added as new leads."
        )
    if exported is not None:
        warnings += exported.warnings()
    report.warnings = (
        warnings
        + [f"Row {row}: {why}; it is not a lead and was left out." for row, why in table.left_out]
        + normalizer.column_warnings()
        + normalizer.warnings
    )
    return _Plan(
        table, resolved, new_fields, creates, updates, existing, report, saved, full_registry
    )


# --- writing ---------------------------------------------------------------------------------

_INSERT_COLUMNS = [c.name for c in leads.columns if c.name != "id"]


def _insert_columns(records: list[Record]) -> list[str]:
    """The columns a chunked insert needs: those the file fills, plus LeadDesk's own."""
    used: set[str] = {"custom", "created_at", "updated_at", "import_batch_id", *LEAD_DEFAULTS}
    for record in records:
        used.update(record.values)
    return [name for name in _INSERT_COLUMNS if name in used]


def _insert_row(
    columns: list[str], record: Record, batch_id: int | None, now: datetime
) -> dict[str, Any]:
    row = dict.fromkeys(columns)
    row.update(LEAD_DEFAULTS)
    row.update(record.values)
    row.update(custom=record.custom, created_at=now, updated_at=now, import_batch_id=batch_id)
    return row


def _is_empty(name: str, value: Any) -> bool:
    return value is None or value == "" or (name == "status" and value == "new")


def _same(current: Any, value: Any) -> bool:
    """An imported value is no change: moments count to the second, as spreadsheets keep
    them, so re-importing an export does not touch every lead LeadDesk timed finer."""
    if isinstance(current, datetime) and isinstance(value, datetime):
        return current.replace(microsecond=0) == value.replace(microsecond=0)
    return bool(current == value)


def _changes(lead: dict[str, Any], record: Record, mode: OnDuplicate) -> dict[str, Any]:
    """The columns an import changes on an existing lead (flags are never cleared)."""
    changes: dict[str, Any] = {}
    for name, value in record.values.items():
        if name in ("phone_valid", "phone_digits"):
            continue
        current = lead.get(name)
        if name in FLAGS:
            if value and not current:
                changes[name] = True
        elif not _same(current, value) and (mode == "overwrite" or _is_empty(name, current)):
            changes[name] = value
    if "phone" in changes:
        changes["phone_valid"] = record.values.get("phone_valid", True)
        changes["phone_digits"] = record.values.get("phone_digits")
    custom = dict(lead.get("custom") or {})
    for key, value in record.custom.items():
        if (mode == "overwrite" or custom.get(key) in (None, "")) and custom.get(key) != value:
            custom[key] = value
    if custom != (lead.get("custom") or {}):
        changes["custom"] = custom
    return changes


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024**2), b""):
            digest.update(block)
    return digest.hexdigest()


def _write(conn: Connection, path: Path, plan: _Plan, options: ImportOptions) -> Job[None]:
    """Write a plan inside the caller's transaction, then score the leads it touched."""
    report = plan.report
    now = utcnow()
    custom_table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
    if plan.new_fields:
        conn.execute(
            custom_table.insert(),
            [{"key": f.name, "label": f.label, "type": str(f.type), "created_at": now}
             for f in plan.new_fields],
        )  # fmt: skip
    batch_table = ImportBatch.__table__  # type: ignore[attr-defined]
    batch_id: int = conn.execute(
        batch_table.insert()
        .values(
            file_name=path.name,
            file_hash=file_hash(path),
            sheet=plan.table.sheet,
            header_row=plan.table.header_row,
            mapping=plan.mapping,
            on_duplicate=options.on_duplicate,
            report={},
            imported_at=now,
        )
        .returning(batch_table.c.id)
    ).scalar_one()
    report.batch_id = batch_id
    changes_table = ImportChange.__table__  # type: ignore[attr-defined]
    total = len(plan.creates) + len(plan.updates)
    done = 0
    was_empty = not plan.existing and conn.execute(sa.select(leads.c.id).limit(1)).first() is None
    columns = _insert_columns(plan.creates)
    for start in range(0, len(plan.creates), CHUNK):
        chunk = [
            _insert_row(columns, r, batch_id, now) for r in plan.creates[start : start + CHUNK]
        ]
        insert_many(conn, leads, columns, chunk)
        done += len(chunk)
        yield Progress(done, total, "Saving leads")
    if plan.creates:
        created = sa.select(leads.c.id).where(leads.c.import_batch_id == batch_id)
        report.lead_ids = list(conn.execute(created.order_by(leads.c.id)).scalars())
        report.created = len(report.lead_ids)
        conn.execute(
            changes_table.insert().from_select(
                ["batch_id", "lead_id", "action", "before"],
                sa.select(sa.literal(batch_id), leads.c.id, sa.literal("created"), sa.null()).where(
                    leads.c.import_batch_id == batch_id
                ),
            )
        )
        assign_imported(conn, batch_id)
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    befores: list[dict[str, Any]] = []
    for lead_id, record in plan.updates:
        lead = plan.existing[lead_id]
        changes = (
            _changes(lead, record, options.on_duplicate) if options.on_duplicate != "skip" else {}
        )
        if not changes:
            report.skipped += 1
            continue
        befores.append(
            {"batch_id": batch_id, "lead_id": lead_id, "action": "updated",
             "before": snapshot(lead), "changed": snapshot(changes)}
        )  # fmt: skip
        changes.update(updated_at=now, version=lead["version"] + 1)
        by_columns.setdefault(tuple(sorted(changes)), []).append({"_id": lead_id, **changes})
        report.lead_ids.append(lead_id)
        report.updated += 1
    for names, rows in by_columns.items():
        statement = (
            leads.update()
            .where(leads.c.id == sa.bindparam("_id"))
            .values({name: sa.bindparam(name) for name in names})
        )
        for start in range(0, len(rows), CHUNK):
            conn.execute(statement, rows[start : start + CHUNK])
            done += len(rows[start : start + CHUNK])
            yield Progress(done, total, "Updating leads")
    for start in range(0, len(befores), CHUNK):
        conn.execute(changes_table.insert(), befores[start : start + CHUNK])
    report.scored = True
    if report.lead_ids:
        try:
            with conn.begin_nested():  # a model that cannot run must not cost the import
                yield from rescore_with_active_steps(conn, None if was_empty else report.lead_ids)
        except LeadDeskError as exc:
            report.scored = False
            report.warnings.append(
                f"The leads were imported but not scored: {exc} "
                "Fix the scoring model, then score again (Scoring page, or `leaddesk score`)."
            )
    mapping_mod.save_mapping(conn, plan.table.headers, plan.mapping)
    conn.execute(
        batch_table.update()
        .where(batch_table.c.id == batch_id)
        .values(
            rows_read=report.rows_read,
            created=report.created,
            updated=report.updated,
            merged=report.merged,
            skipped=report.skipped,
            rejected=len(report.rejected),
            report={
                "rejected": [asdict(r) for r in report.rejected],
                "warnings": report.warnings,
                "custom_fields_created": [f.name for f in plan.new_fields],
            },
        )
    )


def _count_unchanged(plan: _Plan, mode: OnDuplicate) -> tuple[int, int]:
    """(would update, would skip) for the matched leads of a plan."""
    updated = 0
    for lead_id, record in plan.updates:
        if mode != "skip" and _changes(plan.existing[lead_id], record, mode):
            updated += 1
    return updated, len(plan.updates) - updated


def import_file(
    db: Database, path: Path, options: ImportOptions | None = None
) -> Job[ImportReport]:
    """Import ``path`` as one batch; see the module docstring.

    Progress is yielded inside the transaction: stopping the job rolls everything back.
    With ``options.dry_run`` nothing is written and the report says what would happen.
    """
    options = options or ImportOptions()
    path = Path(path)
    _check_options(options)  # before the file is read: a typo should not cost a long wait
    with cyclic_gc_paused():
        if options.dry_run:
            with db.read() as conn:
                plan = yield from _plan(conn, path, options)
            report = plan.report
            report.created = len(plan.creates)
            report.updated, report.skipped = _count_unchanged(plan, options.on_duplicate)
            report.lead_ids = [lead_id for lead_id, _ in plan.updates]
            return report
        yield Progress(0, 0, f"Reading {path.name}")
        with db.read() as conn:
            registry = load_registry(conn)
        table = read_table(path, options.sheet, registry)  # before the write lock is taken
        with db.write() as conn:
            plan = yield from _plan(conn, path, options, table)
            yield from _write(conn, path, plan, options)
    return plan.report


def preview_import(db: Database, path: Path, options: ImportOptions | None = None) -> ImportPreview:
    """What the import wizard shows: sheet, header row, mapping, samples and counts."""
    from leaddesk.core.progress import run

    options = options or ImportOptions()
    path = Path(path)
    with db.read() as conn:
        plan = run(_plan(conn, path, options))
    table = plan.table
    samples: dict[str, list[str]] = {}
    for index, header in enumerate(table.headers):
        values = (clean_text(cells[index]) for _, cells in table.rows[:1000])
        distinct = dict.fromkeys(v for v in values if v is not None)
        samples[header] = list(distinct)[:5]
    report = plan.report
    problem_rows = {r.row for r in report.rejected} | {
        int(m.group(1)) for w in report.warnings if (m := re.match(r"Row (\d+):", w))
    }
    update_counts = {mode: _count_unchanged(plan, mode)[0] for mode in get_args(OnDuplicate)}
    new_keys = {f.name for f in plan.new_fields}
    guessed = {h: (None if n in new_keys else n) for h, n in plan.mapping.items()}
    rows = [
        {**r.values, **{f"custom.{k}": v for k, v in r.custom.items()}}
        for r in plan.creates[:20] or [r for _, r in plan.updates[:20]]
    ]
    registry = plan.registry
    row_fields: dict[str, Field] = {}
    for name in plan.mapping.values():
        if name is None or name == "full_name":
            continue
        target = registry.get(name)
        row_fields[f"custom.{name}" if target.custom else name] = target
    if "full_name" in plan.mapping.values():  # split into two fields, shown as such
        names = {n: registry.get(n) for n in ("first_name", "last_name")}
        row_fields = {**names, **row_fields}
    return ImportPreview(
        sheet=table.sheet,
        sheets=table.sheets,
        header_row=table.header_row,
        headers=table.headers,
        mapping=guessed,
        samples=samples,
        new_count=len(plan.creates),
        update_count=update_counts[options.on_duplicate],
        problem_count=len(problem_rows),
        rows=rows,
        warnings=report.warnings,
        merged_count=report.merged,
        existing_count=len(plan.updates),
        update_counts=update_counts,
        saved_mapping=plan.saved_mapping,
        row_fields=row_fields,
    )
