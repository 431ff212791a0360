"""One lead, whole: its fields edited with validation, its history as one timeline, its
erasure for good, and everything about it exported as JSON or as an Excel workbook.

The lead detail view is built on these functions. An edit is checked against the version the
editor read (a colleague's save in between raises ``EditConflict`` with their lead, so the
user chooses field by field instead of overwriting it), saved and rescored through
``update_lead`` in one transaction, and recorded as an "edit" activity naming the fields and
the score change, so the timeline tells who changed what.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.activities import Outcome, forget_undo
from leaddesk.core.bulk import add_tag
from leaddesk.core.db import Database, translate_errors
from leaddesk.core.errors import DatabaseError, InvalidInputError
from leaddesk.core.exporting import Table, replacing, write_tables
from leaddesk.core.fields import REASON_STATUSES, Field, FieldRegistry, FieldType, Group
from leaddesk.core.importing.normalize import (
    clean_text,
    default_region,
    normalize_country,
    normalize_email,
    normalize_phone,
    parse_bool,
    parse_datetime,
    parse_number,
)
from leaddesk.core.importing.records import json_value
from leaddesk.core.importing.suppression import remember
from leaddesk.core.leads import Lead, display_name, get_lead, load_registry, update_lead
from leaddesk.core.schema import (
    Activity,
    BulkEdit,
    BulkEditRow,
    ImportBatch,
    ImportChange,
    leads,
    utcnow,
)
from leaddesk.core.scoring.explain import Explanation, explain_lead
from leaddesk.core.search_index import TABLE as SEARCH_TABLE
from leaddesk.core.wording import deed

_ACTIVITIES = Activity.__table__  # type: ignore[attr-defined]
_CHANGES = ImportChange.__table__  # type: ignore[attr-defined]
_BATCHES = ImportBatch.__table__  # type: ignore[attr-defined]
_BULK_EDITS = BulkEdit.__table__  # type: ignore[attr-defined]
_BULK_ROWS = BulkEditRow.__table__  # type: ignore[attr-defined]

EDIT = "edit"
"""The activity kind of a saved edit."""
# LeadDesk's own bookkeeping of calls and rows: shown, never typed over.
_BOOKKEEPING = frozenset({"attempts", "last_contacted_at", "created_at", "updated_at"})
"""Statuses that keep a reason; any other status clears it."""
_OUTCOMES = {outcome.value: outcome.label for outcome in Outcome}


class EditConflict(DatabaseError):  # noqa: N818 (a conflict to resolve, not a failure)
    """Someone saved the lead after the editor read it; ``theirs`` is the lead as it is now."""

    def __init__(self, theirs: Lead) -> None:
        super().__init__(
            "Someone else saved this lead while you were editing it. "
            "Choose, field by field, whose values to keep."
        )
        self.theirs = theirs


# --- fields ------------------------------------------------------------------------------


def editable_fields(registry: FieldRegistry) -> list[Field]:
    """The fields a person may edit: all stored ones but scores and LeadDesk's bookkeeping."""
    return [
        f for f in registry.stored() if f.group is not Group.SCORE and f.name not in _BOOKKEEPING
    ]


def stored_value(lead: Mapping[str, Any], field: Field) -> Any:
    """The lead's value for ``field`` as stored: its column, or its key in ``custom``."""
    if field.custom:
        return (lead.get("custom") or {}).get(field.name)
    return lead.get(field.name)


def phone_region(lead: Mapping[str, Any], default: str | None = None) -> str | None:
    """Where a phone typed without ``+`` is from: the lead's country, else the user's region,
    else the locale's (the importer's rule: the row's country, then the default region)."""
    return lead.get("country") or default or default_region()


def validate_changes(
    registry: FieldRegistry,
    changes: Mapping[str, Any],
    region: str | None,
    *,
    lead: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check and normalise edited values, as the importer does: email lower-cased, phone in
    E.164, country as its ISO code, numbers and dates parsed, tags tidied.

    Args:
        changes: field name -> value as typed (text) or picked (bool, datetime, status).
        region: where a phone written without ``+`` is from; a country changed in the same
            edit takes its place.
        lead: the lead as it is, for the rules spanning fields (a lost lead needs a reason).

    Returns:
        The clean values in their stored form (custom values as JSON), and a message per
        field whose value cannot be stored.
    """
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    names = sorted(changes, key=lambda name: name != "country")  # the phone needs the country
    for name in names:
        if name not in registry:
            problems[name] = "LeadDesk has no such field."
            continue
        field = registry.get(name)
        if not field.stored or field.group is Group.SCORE or name in _BOOKKEEPING:
            problems[name] = f"{field.label} is kept by LeadDesk and cannot be edited."
            continue
        try:
            value = _clean(field, changes[name], clean.get("country") or region)
        except ValueError as problem:
            problems[name] = str(problem)
            continue
        clean[name] = json_value(value) if field.custom else value
    if lead is not None and ("status" in clean or "lost_reason" in clean):
        _check_reason(clean, problems, lead)
    return clean, problems


def _check_reason(clean: dict[str, Any], problems: dict[str, str], lead: Mapping[str, Any]) -> None:
    """A lost lead says why; a lead moved to a status without a reason drops its old one."""
    status = clean.get("status", lead.get("status"))
    if "status" in clean and status not in REASON_STATUSES:
        clean["lost_reason"] = None
        problems.pop("lost_reason", None)
    elif status == "lost" and not clean.get("lost_reason", lead.get("lost_reason")):
        problems.setdefault("lost_reason", "Say why the lead was lost, for example “No budget”.")


def _clean(field: Field, value: Any, region: str | None) -> Any:
    """``value`` as ``field`` stores it; ValueError with the message to show if it cannot be."""
    kind = field.type
    if kind is FieldType.BOOL:
        return _bool(field, value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if kind is FieldType.CHOICE:
            raise ValueError(f"Choose a {field.label.lower()}.")
        return None
    shown = clean_text(value) or ""
    if kind is FieldType.EMAIL:
        email = normalize_email(value)
        if email is None:
            raise ValueError(f"“{shown}” is not an email address. Write it as name@company.com.")
        return email
    if kind is FieldType.PHONE:
        phone = normalize_phone(value, region)
        if phone is None or not phone.valid:
            where = f" in {region}" if region else ""
            raise ValueError(
                f"“{shown}” is not a phone number{where}. "
                "Write it with its country code, for example +44 20 7946 0958."
            )
        return phone.value
    if kind is FieldType.COUNTRY:
        country = normalize_country(value)
        if country is None:
            raise ValueError(
                f"“{shown}” is not a country LeadDesk knows. Write its name or its "
                "two-letter code (DE, US)."
            )
        return country
    if kind.is_numeric:
        number = parse_number(value)
        if number is None:
            raise ValueError(f"“{shown}” is not a number.")
        return number
    if kind.is_temporal:
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(f"“{shown}” is not a date. Write it as 2026-03-31.")
        return moment.date() if kind is FieldType.DATE else moment
    if kind is FieldType.CHOICE:
        if value not in field.choices:
            raise ValueError(f"Choose one of: {', '.join(field.choices)}.")
        return value
    if field.name == "tags":
        return _tags(value)
    return clean_text(value)


def _bool(field: Field, value: Any) -> bool | None:
    if value is None or value == "":
        return None if field.custom else False
    flag = parse_bool(value)
    if flag is None:
        raise ValueError(f"“{value}” is neither yes nor no.")
    return flag


def _tags(value: Any) -> str | None:
    """Comma-separated tags, each once, as ``tag_clause`` reads them ("VIP, Fair 2026")."""
    tags = ""
    for tag in str(value).split(","):
        if tag.strip():
            tags = add_tag(tags, tag)
    return tags or None


# --- saving ------------------------------------------------------------------------------


def save_changes(
    db: Database,
    lead_id: int,
    changes: Mapping[str, Any],
    expected_version: int,
    rep: str | None,
) -> Lead:
    """Save an edit of one lead in one transaction, rescore it, and record the edit.

    The values are validated again here (InvalidInputError names the fields), so no caller
    can store what the detail view would refuse. Values equal to the stored ones are left
    alone; an edit that changes nothing writes nothing.

    Raises:
        EditConflict: the lead is no longer at ``expected_version``; carries it as it is now.
        NotFoundError: the lead was deleted meanwhile.
    """
    with db.write() as conn:
        # Lock the row (PostgreSQL) so nobody saves between this check and the update.
        conn.execute(sa.select(leads.c.id).where(leads.c.id == lead_id).with_for_update())
        before = get_lead(conn, lead_id)
        if before["version"] != expected_version:
            raise EditConflict(before)
        registry = load_registry(conn)
        clean, problems = validate_changes(registry, changes, phone_region(before), lead=before)
        if problems:
            raise InvalidInputError(
                " ".join(f"{_label(registry, name)}: {text}" for name, text in problems.items())
            )
        edited = {
            name: value
            for name, value in clean.items()
            if value != stored_value(before, registry.get(name))
        }
        if not edited:
            return before
        after = update_lead(
            conn, lead_id, _columns(before, edited, registry), expected_version=expected_version
        )
        names = [f.name for f in registry if f.name in edited]  # in the form's order
        note = edit_note(registry, names, before, after)
        conn.execute(
            _ACTIVITIES.insert().values(lead_id=lead_id, kind=EDIT, at=utcnow(), rep=rep, note=note)
        )
        return after


def _label(registry: FieldRegistry, name: str) -> str:
    return registry.get(name).label if name in registry else name


def _columns(before: Lead, edited: Mapping[str, Any], registry: FieldRegistry) -> dict[str, Any]:
    """Column values for ``update_lead``: custom values merged into ``custom``, and a phone
    with its validity flag and the digits the search box matches."""
    values: dict[str, Any] = {}
    custom = dict(before.get("custom") or {})
    for name, value in edited.items():
        if registry.get(name).custom:
            if value is None:
                custom.pop(name, None)
            else:
                custom[name] = value
            values["custom"] = custom
        else:
            values[name] = value
    if "phone" in edited:
        country = edited.get("country", before.get("country"))
        phone = normalize_phone(edited["phone"], country or default_region())
        values["phone_valid"] = True
        values["phone_digits"] = phone.digits if phone else None
    return values


def edit_note(
    registry: FieldRegistry, names: list[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> str:
    """What an edit changed, for the timeline: "Changed Email, Status. Score 42 → 57."""
    note = "Changed " + ", ".join(_label(registry, name) for name in names) + "."
    old, new = before.get("score"), after.get("score")
    if old != new:
        note += f" Score {_score(old)} \N{RIGHTWARDS ARROW} {_score(new)}"
        if before.get("tier") != after.get("tier") and after.get("tier"):
            note += f" ({before.get('tier') or 'no tier'} \N{RIGHTWARDS ARROW} {after['tier']})"
        note += "."
    return note


def _score(score: float | None) -> str:
    return "not scored" if score is None else f"{score:g}"


# --- conflicts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field both people changed, to different values."""

    field: Field
    mine: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class Rebased:
    """My edit replayed on the lead as someone else saved it."""

    changes: dict[str, Any]
    """My values for the fields nobody else touched: saved as they are."""
    conflicts: list[FieldConflict]
    """Fields we both changed, differently: the user chooses."""
    theirs_only: list[Field]
    """Fields only they changed: their values stay."""


def rebase(
    registry: FieldRegistry, original: Lead, mine: Mapping[str, Any], theirs: Lead
) -> Rebased:
    """Sort my clean ``mine`` changes of ``original`` against the ``theirs`` lead."""
    changes: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    theirs_only: list[Field] = []
    for field in editable_fields(registry):
        was, now = stored_value(original, field), stored_value(theirs, field)
        if field.name in mine:
            value = mine[field.name]
            if now == was:
                changes[field.name] = value
            elif now != value:
                conflicts.append(FieldConflict(field, value, now))
        elif now != was:
            theirs_only.append(field)
    return Rebased(changes, conflicts, theirs_only)


# --- timeline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened to a lead."""

    at: datetime
    kind: str
    """"call", "note", "edit", "import", "added", or an engagement kind ("email_open")."""
    title: str
    detail: str = ""
    rep: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "rep": self.rep,
        }


def activity_title(kind: str, outcome: str | None) -> str:
    """An activity as a line of the timeline: "Call: Left voicemail", "Opened an email"."""
    if kind == "call":
        return f"Call: {_OUTCOMES.get(outcome or '', outcome or 'logged')}"
    if kind == EDIT:
        return "Edited"
    if kind == "note":
        return "Note"
    return deed(kind).capitalize()


def timeline(conn: Connection, lead_id: int) -> list[TimelineEntry]:
    """Everything that happened to the lead, newest first: calls with their outcomes and
    notes, engagement, edits with their score changes, and the imports that created or
    updated it (NotFoundError for an unknown lead)."""
    lead = get_lead(conn, lead_id)
    registry = load_registry(conn)
    entries = _import_entries(conn, lead_id, registry)
    if lead.get("created_at") is not None and not any(e.kind == "added" for e in entries):
        entries.insert(0, TimelineEntry(lead["created_at"], "added", "Added to LeadDesk"))
    query = (
        sa.select(_ACTIVITIES)
        .where(_ACTIVITIES.c.lead_id == lead_id)
        .order_by(_ACTIVITIES.c.at, _ACTIVITIES.c.id)
    )
    for activity in conn.execute(query).mappings():
        entries.append(
            TimelineEntry(
                activity["at"],
                activity["kind"],
                activity_title(activity["kind"], activity["outcome"]),
                activity["note"] or "",
                activity["rep"],
            )
        )
    entries.sort(key=lambda entry: entry.at)  # stable: ties keep their order, then reversed
    entries.reverse()
    return entries


def _import_entries(conn: Connection, lead_id: int, registry: FieldRegistry) -> list[TimelineEntry]:
    entries = []
    for row in conn.execute(_import_history_query(lead_id)).mappings():
        created = row["action"] == "created"
        title = f"{'Imported from' if created else 'Updated by import of'} {row['file_name']}"
        detail = "" if created else "Set " + ", ".join(_written_labels(registry, row["changed"]))
        if row["undone_at"] is not None:
            detail = (detail + ". " if detail else "") + "This import was undone later."
        entries.append(
            TimelineEntry(row["imported_at"], "added" if created else "import", title, detail)
        )
    return entries


def _written_labels(registry: FieldRegistry, changed: Mapping[str, Any] | None) -> list[str]:
    """The labels of the fields an import wrote (its custom values by their own labels)."""
    if not changed:
        return ["values (not recorded by older imports)"]
    written = {n for n in changed if n not in ("custom", "phone_valid", "phone_digits")}
    written |= set(changed.get("custom") or {})
    known = [f.label for f in registry if f.name in written]  # in the form's order
    return known + sorted(written - {f.name for f in registry})


def _import_history_query(lead_id: int) -> sa.Select[Any]:
    return (
        sa.select(
            _CHANGES.c.batch_id,
            _CHANGES.c.action,
            _CHANGES.c.before,
            _CHANGES.c.changed,
            _BATCHES.c.file_name,
            _BATCHES.c.sheet,
            _BATCHES.c.imported_at,
            _BATCHES.c.undone_at,
        )
        .select_from(_CHANGES.join(_BATCHES, _BATCHES.c.id == _CHANGES.c.batch_id))
        .where(_CHANGES.c.lead_id == lead_id)
        .order_by(_BATCHES.c.imported_at, _CHANGES.c.id)
    )


# --- erasure -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasing a lead removed."""

    name: str
    activities: int
    import_changes: int
    bulk_edit_rows: int
    suppressed: bool = False
    """The person stays on the do-not-contact list (as hashes of their email and phone)."""

    def text(self) -> str:
        history = self.import_changes + self.bulk_edit_rows
        text = (
            f"{self.name} was erased, with {_plural(self.activities, 'activity', 'activities')} "
            f"and {_plural(history, 'history record')}."
        )
        if self.suppressed:
            text += (
                " They stay on the do-not-contact list, so an import of them again marks them "
                "do not call or do not email as before."
            )
        return text


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def erase_lead(db: Database, lead_id: int, *, suppress: bool = False) -> Erasure:
    """Delete the lead and everything kept about it, in one transaction (GDPR erasure).

    Its activities, the undo records of its calls, its import history and what import
    reports quote of it, the copies bulk edits kept for undo, and its search index entries
    all go, so no undo can bring it back. A lead marked do not call or do not email, or one
    whose person asked to be left alone (``suppress``), stays on the do-not-contact list.
    On SQLite the deleted bytes are overwritten and the write-ahead log is emptied into the
    file, so none of the lead's text is left in either. NotFoundError if it is already gone.
    """
    with db.write() as conn, _zeroing_deletes(conn):
        lead = get_lead(conn, lead_id)
        activity_ids = list(
            conn.execute(
                sa.select(_ACTIVITIES.c.id).where(_ACTIVITIES.c.lead_id == lead_id)
            ).scalars()
        )
        forget_undo(conn, activity_ids)
        _scrub_import_reports(conn, lead)
        removed = {
            table.name: conn.execute(table.delete().where(table.c.lead_id == lead_id)).rowcount
            for table in (_ACTIVITIES, _CHANGES, _BULK_ROWS)
        }
        suppressed = remember(conn, [lead], asked=suppress) > 0
        conn.execute(leads.delete().where(leads.c.id == lead_id))
        _merge_search_index(conn)
    _empty_write_ahead_log(db)
    return Erasure(
        display_name(lead),
        removed[_ACTIVITIES.name],
        removed[_CHANGES.name],
        removed[_BULK_ROWS.name],
        suppressed,
    )


@contextmanager
def _zeroing_deletes(conn: Connection) -> Iterator[None]:
    """On SQLite, overwrite what is deleted with zeros (``secure_delete``) while the block
    runs, rather than leave it readable in the file's free space."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar_one())
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA secure_delete = {before}")


def _scrub_import_reports(conn: Connection, lead: Lead) -> None:
    """Drop the warnings that quote the lead's values (“the phone “0151 …” is not a valid
    number”) from the reports of the imports that wrote it."""
    custom = (lead.get("custom") or {}).values()
    quoted = {f"“{v}”" for v in (*lead.values(), *custom) if isinstance(v, str) and v}
    touched = sa.select(_CHANGES.c.batch_id).where(_CHANGES.c.lead_id == lead["id"])
    query = sa.select(_BATCHES.c.id, _BATCHES.c.report).where(_BATCHES.c.id.in_(touched))
    for batch_id, report in conn.execute(query).all():
        warnings = (report or {}).get("warnings") or []
        kept = [w for w in warnings if not any(q in w for q in quoted)]
        if len(kept) < len(warnings):
            conn.execute(
                _BATCHES.update()
                .where(_BATCHES.c.id == batch_id)
                .values(report={**report, "warnings": kept})
            )


def _merge_search_index(conn: Connection) -> None:
    """Merge SQLite's search index into one segment: FTS5 deletes a lead's trigrams by
    noting them as deleted, and keeps them in the older segments until those are merged."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')")


def _empty_write_ahead_log(db: Database) -> None:
    """Copy SQLite's write-ahead log into the database file and truncate it: until then it
    holds the pages the lead was on, as they were before the erasure."""
    if db.path is None:
        return
    with translate_errors():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()


# --- export ------------------------------------------------------------------------------

EXPORT_FORMAT = "leaddesk.lead"
EXPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class _Kept:
    """Everything LeadDesk keeps about one lead, read in one transaction."""

    lead: Lead
    registry: FieldRegistry
    activities: list[dict[str, Any]]
    imports: list[dict[str, Any]]
    bulk_edits: list[dict[str, Any]]
    explanation: Explanation
    timeline: list[TimelineEntry]


def _kept(conn: Connection, lead_id: int) -> _Kept:
    lead = get_lead(conn, lead_id)
    activities = conn.execute(
        sa.select(_ACTIVITIES)
        .where(_ACTIVITIES.c.lead_id == lead_id)
        .order_by(_ACTIVITIES.c.at, _ACTIVITIES.c.id)
    ).mappings()
    imports = conn.execute(_import_history_query(lead_id)).mappings()
    bulk = conn.execute(
        sa.select(
            _BULK_ROWS.c.edit_id,
            _BULK_EDITS.c.action,
            _BULK_EDITS.c.summary,
            _BULK_EDITS.c.rep,
            _BULK_EDITS.c.at,
            _BULK_EDITS.c.undone_at,
            _BULK_ROWS.c.before,
        )
        .select_from(_BULK_ROWS.join(_BULK_EDITS, _BULK_EDITS.c.id == _BULK_ROWS.c.edit_id))
        .where(_BULK_ROWS.c.lead_id == lead_id)
        .order_by(_BULK_EDITS.c.at, _BULK_ROWS.c.id)
    ).mappings()
    return _Kept(
        lead,
        load_registry(conn),
        [dict(row) for row in activities],
        [dict(row) for row in imports],
        [dict(row) for row in bulk],
        explain_lead(conn, lead_id),
        timeline(conn, lead_id),
    )


def lead_document(conn: Connection, lead_id: int) -> dict[str, Any]:
    """Everything LeadDesk keeps about one lead, as JSON-ready data (a subject access
    request's answer): every field, activities, import and bulk-edit history, the score's
    explanation, and the timeline as the detail view shows it."""
    return _document(_kept(conn, lead_id))


def _document(kept: _Kept) -> dict[str, Any]:
    score = kept.explanation.to_json()
    score["lines"] = [c.text() for c in kept.explanation.contributions]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "name": display_name(kept.lead),
        "lead": _plain(kept.lead),
        "labels": {f.name: f.label for f in kept.registry.stored()},
        "score_explanation": score,
        "activities": [_plain(row) for row in kept.activities],
        "import_history": [_plain(row) for row in kept.imports],
        "bulk_edits": [_plain(row) for row in kept.bulk_edits],
        "timeline": [entry.to_json() for entry in kept.timeline],
    }


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row with its dates as ISO 8601 text (JSON columns are JSON already)."""
    return {
        key: value.isoformat() if isinstance(value, datetime | date) else value
        for key, value in row.items()
    }


# The workbook's columns of kept rows: (header, key in the row).
_ACTIVITY_COLUMNS = (
    ("When (UTC)", "at"), ("Kind", "kind"), ("Outcome", "outcome"), ("Rep", "rep"),
    ("Note", "note"),
)  # fmt: skip
_IMPORT_COLUMNS = (
    ("Imported (UTC)", "imported_at"), ("File", "file_name"), ("Sheet", "sheet"),
    ("Action", "action"), ("Values written", "changed"), ("Values before", "before"),
    ("Undone (UTC)", "undone_at"),
)  # fmt: skip
_BULK_COLUMNS = (
    ("When (UTC)", "at"), ("Change", "summary"), ("By", "rep"),
    ("Values kept for undo", "before"), ("Undone (UTC)", "undone_at"),
)  # fmt: skip


def _rows_table(
    title: str, columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]]
) -> Table:
    return Table(title, [h for h, _ in columns], [[row[k] for _, k in columns] for row in rows])


def _tables(kept: _Kept) -> list[Table]:
    """The same, as the sheets of a workbook for a person to read."""
    lead = kept.lead
    fields = [
        (f.label, value)
        for f in kept.registry.stored()
        if (value := stored_value(lead, f)) not in (None, "")
    ]
    rules = [(c.group, c.label, c.points) for c in kept.explanation.contributions]
    events = [(e.at, e.title, e.detail, e.rep) for e in kept.timeline]
    return [
        Table("Lead", ("Field", "Value"), [("LeadDesk ID", lead["id"]), *fields]),
        Table("Score", ("Group", "Rule", "Points"), rules),
        Table("Timeline", ("When (UTC)", "What", "Details", "Rep"), events),
        _rows_table("Activities", _ACTIVITY_COLUMNS, kept.activities),
        _rows_table("Imports", _IMPORT_COLUMNS, kept.imports),
        _rows_table("Bulk edits", _BULK_COLUMNS, kept.bulk_edits),
    ]


def export_lead(db: Database, lead_id: int, path: Path) -> Path:
    """Write everything about the lead to ``path``: an Excel workbook for an ``.xlsx`` path,
    else UTF-8 JSON (``lead_document``). A file already there is replaced only once the new
    one is complete (BadFileError if the folder cannot be written)."""
    with db.read() as conn:
        kept = _kept(conn, lead_id)
    if path.suffix.lower() == ".xlsx":
        return write_tables(path, _tables(kept))
    text = json.dumps(_document(kept), ensure_ascii=False, indent=2)
    with replacing(path) as temporary:
        temporary.write_text(text + "\n", encoding="utf-8")
    return path
