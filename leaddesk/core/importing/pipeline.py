"""An import from file to scored leads, as one undoable batch.

``import_file`` reads the table, maps headers to fields, normalises every value, merges
duplicates inside the file, matches the rest against the database by identity (external id,
email, phone, then name with company), and writes everything in one transaction together
with a batch record and each changed lead's values before, so ``undo_import`` can put the
database back. A cancelled or failing import leaves the database untouched; a bad row never
fails the import, it is reported with its spreadsheet row number. Bulk work goes through
SQLAlchemy Core in chunks; dedupe runs on dictionaries in memory.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Literal

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError, LeadDeskError, NotFoundError
from leaddesk.core.exporting import SafeCellWriter, closing_on_failure, replacing
from leaddesk.core.fields import (
    LEAD_STATUSES,
    Field,
    FieldRegistry,
    FieldType,
    custom_field,
    header_key,
)
from leaddesk.core.importing import mapping as mapping_mod
from leaddesk.core.importing import phones
from leaddesk.core.importing.normalize import (
    PhoneResult,
    clean_text,
    date_order,
    decimal_comma,
    default_region,
    fold,
    normalize_country,
    normalize_email,
    parse_bool,
    parse_datetime,
    parse_number,
)
from leaddesk.core.importing.readers import IDENTITY_FIELDS, SheetData, read_table
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import (
    LEAD_DEFAULTS,
    CustomFieldRecord,
    ImportBatch,
    ImportChange,
    UTCDateTime,
    leads,
    utcnow,
)
from leaddesk.core.scoring.sql import rescore_with_active_steps

OnDuplicate = Literal["skip", "update", "overwrite"]
CHUNK = 2000
_FLAGS = ("do_not_call", "do_not_email")
_PLAIN_NUMBER = re.compile(r"[\d\s.,]+")


@dataclass(slots=True)
class ImportOptions:
    """What the user chose for this import (the CLI flags and the wizard's pages)."""

    sheet: str | None = None
    on_duplicate: OnDuplicate = "update"
    region: str | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int
    reason: str


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
    new_count: int
    update_count: int
    problem_count: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- values of one row -----------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    """One lead as the file describes it (a row, or several merged rows)."""

    row: int
    values: dict[str, Any]
    custom: dict[str, Any]
    keys: list[tuple[str, str]] = field(default_factory=list)


_STATUS_WORDS = {
    "open": "new", "opennotcontacted": "new", "notcontacted": "new", "lead": "new",
    "subscriber": "new", "neu": "new", "nouveau": "new", "nuevo": "new",
    "working": "contacted", "workingcontacted": "contacted", "attemptedtocontact": "contacted",
    "inprogress": "contacted", "connected": "contacted", "kontaktiert": "contacted",
    "contacte": "contacted", "contactado": "contacted",
    "sql": "qualified", "mql": "qualified", "marketingqualifiedlead": "qualified",
    "salesqualifiedlead": "qualified", "opportunity": "qualified", "qualifiziert": "qualified",
    "qualifie": "qualified", "cualificado": "qualified",
    "nurturing": "nurture", "badtiming": "nurture",
    "closedwon": "won", "customer": "won", "closedconverted": "won", "converted": "won",
    "gewonnen": "won", "gagne": "won", "ganado": "won",
    "closedlost": "lost", "closednotconverted": "lost", "verloren": "lost", "perdu": "lost",
    "perdido": "lost", "unqualified": "disqualified", "junk": "disqualified",
    **{s: s for s in LEAD_STATUSES},
}  # fmt: skip
_HONORIFICS = frozenset(
    ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "herr", "frau", "m", "mme", "mlle", "sr",
     "sra", "srta", "dott", "sir")
)  # fmt: skip
_PARTICLES = frozenset(
    ("von", "van", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos",
     "das", "ter", "ten")
)  # fmt: skip


def split_name(value: object) -> tuple[str | None, str | None]:
    """First and last name from a full name: ``Dr. Anna van der Berg`` or ``Berg, Anna``."""
    text = clean_text(value)
    if text is None:
        return None, None
    if "," in text:
        last, _, first = text.partition(",")
        return clean_text(first), clean_text(last)
    tokens = text.split()
    while len(tokens) > 1 and tokens[0].rstrip(".").casefold() in _HONORIFICS:
        tokens.pop(0)
    if len(tokens) == 1:
        return tokens[0], None
    cut = len(tokens) - 1
    for i in range(1, len(tokens) - 1):
        if tokens[i].casefold() in _PARTICLES:
            cut = i
            break
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _is_bool_word(value: object) -> bool:
    if isinstance(value, bool):
        return True
    return isinstance(value, str) and not value.strip().isdigit() and parse_bool(value) is not None


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return (
        isinstance(value, str)
        and bool(_PLAIN_NUMBER.fullmatch(value.strip()))
        and (parse_number(value) is not None)
    )


def _is_date(value: object) -> bool:
    if isinstance(value, datetime | date):
        return True
    return (
        isinstance(value, str)
        and not value.strip().isdigit()
        and (parse_datetime(value) is not None)
    )


def _infer_type(values: Sequence[object]) -> FieldType:
    """The type of a new custom field, from its first values (text when in doubt)."""
    sample = [v for v in values if v is not None][:500]
    for type_, test in (
        (FieldType.BOOL, _is_bool_word),
        (FieldType.NUMBER, _is_number),
        (FieldType.DATETIME, _is_date),
    ):
        if sample and all(test(v) for v in sample):
            return type_
    return FieldType.TEXT


class _Normalizer:
    """Turns a row of cells into a ``_Record``: one converter per mapped column, decided once
    for the column (date order, decimal comma), so the per-row loop stays small."""

    def __init__(
        self,
        table: SheetData,
        targets: dict[str, Field],
        registry: FieldRegistry,
        region: str | None,
    ) -> None:
        self.table = table
        self.registry = registry
        self.region = region
        self.raw_fields: dict[str, Field] = {}
        self.warnings: list[str] = []
        self.rejected: list[RejectedRow] = []
        self._column_notes: dict[str, list[int]] = {}
        columns = _columns(table, 500)
        self.converters: list[tuple[int, Callable[[int, object, _Record], None]]] = []
        self.phone_index: int | None = None
        self.country_index: int | None = None
        for index, header in enumerate(table.headers):
            target = targets[header]
            if target.name == "phone":
                self.phone_index = index  # normalised in bulk, see _start_phones
                continue
            if target.name == "country":
                self.country_index = index
            self.converters.append((index, self._converter(target, columns[header])))

    def _keep_raw(
        self, target: Field, record: _Record, cell: object, row: int, why: str | None
    ) -> None:
        """Keep a value that did not fit its field in ``<field>_raw`` (never dropped), and
        note ``why`` for the column's warning."""
        key = f"{target.name}_raw"
        if key not in self.raw_fields:
            existing = key in self.registry and self.registry.get(key).custom
            self.raw_fields[key] = (
                self.registry.get(key)
                if existing
                else custom_field(key, f"{target.label} (as imported)")
            )
        record.custom[key] = clean_text(cell)
        if why is not None:
            self._column_notes.setdefault(f"{target.label}|{why}", []).append(row)

    def _parsed(
        self, target: Field, parse: Callable[[object], Any], problem: str
    ) -> Callable[[int, object, _Record], None]:
        """A converter storing ``parse(cell)``, or keeping the cell as written with ``problem``."""

        def convert(row: int, cell: object, record: _Record) -> None:
            value = parse(cell)
            if value is None:
                self._keep_raw(target, record, cell, row, problem)
            else:
                record.values[target.name] = value

        return convert

    def _converter(
        self, target: Field, sample: list[object]
    ) -> Callable[[int, object, _Record], None]:
        """The function that puts one cell of this column into a record."""
        name = target.name
        if target.custom:
            return self._custom_converter(target)
        if name == "full_name":

            def full_name(row: int, cell: object, record: _Record) -> None:
                first, last = split_name(cell)
                record.values.setdefault("_first", first)
                record.values.setdefault("_last", last)

            return full_name
        type_ = target.type
        if type_ is FieldType.EMAIL:

            def email(row: int, cell: object, record: _Record) -> None:
                value = normalize_email(cell)
                if value is None:
                    self._keep_raw(target, record, cell, row, None)  # warned for the row
                    record.values["_bad_email"] = clean_text(cell)
                else:
                    record.values[name] = value

            return email
        if type_ is FieldType.COUNTRY:
            return self._parsed(target, _country_code, "country not recognised")
        if type_.is_numeric:
            comma = decimal_comma(sample)

            def number(row: int, cell: object, record: _Record) -> None:
                if isinstance(cell, float) and math.isfinite(cell):
                    record.values[name] = cell  # what a workbook gives: nothing to parse
                    return
                value = parse_number(cell, comma)
                if value is None:
                    self._keep_raw(target, record, cell, row, "not a number")
                    return
                record.values[name] = value
                if isinstance(cell, str) and not _PLAIN_NUMBER.fullmatch(cell.strip()):
                    self._keep_raw(target, record, cell, row, "a range, read as its midpoint")

            return number
        if type_.is_temporal:
            dayfirst = date_order(sample)
            if dayfirst is None:
                dayfirst = self.region not in ("US", "PH", "CA")
            return self._parsed(target, partial(parse_datetime, dayfirst=dayfirst), "not a date")
        if type_ is FieldType.BOOL:
            return self._parsed(target, parse_bool, "not yes or no")
        if name == "status":
            return self._parsed(target, _status, "status not recognised")

        def text(row: int, cell: object, record: _Record) -> None:
            value = (
                cell.strip() if isinstance(cell, str) and cell.isprintable() else clean_text(cell)
            )
            if value:
                record.values[name] = value

        return text

    def _custom_converter(self, target: Field) -> Callable[[int, object, _Record], None]:
        key, type_ = target.name, target.type

        def custom(row: int, cell: object, record: _Record) -> None:
            value: Any = None
            if type_.is_numeric:
                value = parse_number(cell)
            elif type_ is FieldType.BOOL:
                value = parse_bool(cell)
            elif type_.is_temporal:
                value = parse_datetime(cell)
            if value is None:
                value = clean_text(cell)
            if value is not None:
                record.custom[key] = _json_value(value)

        return custom

    def _start_phones(self, stack: ExitStack) -> Callable[[], list[PhoneResult | None]]:
        """Start normalising the phone column (in a second process for a long one)."""
        index = self.phone_index
        if index is None:
            return lambda: [None] * len(self.table.rows)
        country, fallback = self.country_index, self.region
        cells = [
            (row[index], (_country_code(row[country]) if country is not None else None) or fallback)
            for _, row in self.table.rows
        ]
        return phones.start(cells, stack)

    def records(self) -> Job[list[_Record]]:
        """Each row's record; rows that identify nobody are rejected with a reason."""
        converters = self.converters
        rows = self.table.rows
        drafts: list[_Record] = []
        with ExitStack() as stack:
            phone_results = self._start_phones(stack)
            for number, (row, cells) in enumerate(rows, 1):
                record = _Record(row, {}, {})
                for index, converter in converters:
                    cell = cells[index]
                    if cell is not None:
                        converter(row, cell, record)
                drafts.append(record)
                if number % CHUNK == 0:
                    yield Progress(number, len(rows), "Checking values")
            results = phone_results()
        records: list[_Record] = []
        for record, phone in zip(drafts, results, strict=True):
            if self._finish(record, phone):
                records.append(record)
        return records

    def _finish(self, record: _Record, phone: PhoneResult | None) -> bool:
        """Complete a record (phone, names, identity); False if the row is rejected."""
        values = record.values
        row = record.row
        if phone is not None:
            values.update(phone=phone.value, phone_valid=phone.valid, phone_digits=phone.digits)
            if not phone.valid:
                self.warnings.append(
                    f"Row {row}: the phone “{phone.value}” is not a valid number; it was "
                    "kept as written and flagged."
                )
        first, last = values.pop("_first", None), values.pop("_last", None)
        if first and "first_name" not in values and "last_name" not in values:
            values["first_name"] = first
            if last:
                values["last_name"] = last
        bad_email = values.pop("_bad_email", None)
        record.keys = _identity_keys(values)
        if not record.keys and not values.get("company"):
            self.rejected.append(RejectedRow(row, _no_identity_reason(bad_email)))
            return False
        if bad_email:
            self.warnings.append(
                f"Row {row}: “{bad_email}” is not a valid email address; the lead was "
                "imported without an email (the text is kept in “Email (as imported)”)."
            )
        return True

    def column_warnings(self) -> list[str]:
        """One warning per column and problem, naming the rows (the first ten)."""
        notes = []
        for note, rows in self._column_notes.items():
            label, _, why = note.partition("|")
            shown = ", ".join(str(r) for r in rows[:10]) + (", …" if len(rows) > 10 else "")
            notes.append(
                f"{label}: {why} in {len(rows)} row(s) (rows {shown}); the text as written "
                f"is kept in “{label} (as imported)”."
            )
        return notes


@lru_cache(maxsize=4096)
def _country_code(cell: object) -> str | None:
    return normalize_country(cell)


@lru_cache(maxsize=4096)
def _status(cell: object) -> str | None:
    return _STATUS_WORDS.get(header_key(str(cell)))


def _no_identity_reason(bad_email: str | None) -> str:
    if bad_email:
        return (
            f"“{bad_email}” is not a valid email address and the row has no other name, "
            "phone, company or ID to identify the lead. Correct the email and import it again."
        )
    return (
        "No name, email, phone, company or ID: nothing tells who this lead is. "
        "Fill in at least one of them and import the row again."
    )


def _identity_keys(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Identity keys in the order they decide: external id, email, phone, name + company."""
    keys: list[tuple[str, str]] = []
    if values.get("external_id"):
        keys.append(("x", values["external_id"]))
    if values.get("email"):
        keys.append(("e", values["email"]))
    phone = values.get("phone")
    if phone:
        if values.get("phone_valid", True):
            keys.append(("p", phone))
        elif len(values.get("phone_digits") or "") >= 7:
            keys.append(("d", values["phone_digits"]))
    first, last, company = values.get("first_name"), values.get("last_name"), values.get("company")
    if (first or last) and company:
        keys.append(("n", f"{fold(first or '')}|{fold(last or '')}|{fold(company)}"))
    return keys


# --- the plan ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    table: SheetData
    mapping: dict[str, str | None]
    new_fields: list[Field]
    creates: list[_Record]
    updates: list[tuple[int, _Record]]  # existing lead id, record
    existing: dict[int, dict[str, Any]]
    report: ImportReport


def _resolve_mapping(
    conn: Connection, table: SheetData, options: ImportOptions, registry: FieldRegistry
) -> tuple[dict[str, Field], dict[str, str | None], list[Field], list[str]]:
    """Header -> target field (custom fields created for unmapped headers), plus warnings."""
    headers = table.headers
    warnings: list[str] = []
    saved = mapping_mod.load_saved_mapping(conn, headers)
    guessed = mapping_mod.guess_mapping(headers, registry)
    if saved is not None:
        base = {h: (n if n is not None and n in registry else guessed[h]) for h, n in saved.items()}
    else:
        columns = _columns(table, 200)
        base, warnings = mapping_mod.check_against_values(guessed, columns, registry)
    chosen = mapping_mod.apply_overrides(base, options.mapping, registry)
    targets: dict[str, Field] = {}
    new_fields: list[Field] = []
    samples = _columns(table, 500)
    for header in headers:
        name = chosen[header]
        if name is None:
            key = registry.unused_custom_key(header)
            target = custom_field(key, header, _infer_type(samples[header]))
            registry = FieldRegistry([*registry.custom, target])
            new_fields.append(target)
        else:
            target = registry.get(name)
        targets[header] = target
    resolved: dict[str, str | None] = {h: t.name for h, t in targets.items()}
    return targets, resolved, new_fields, warnings


def _columns(table: SheetData, limit: int) -> dict[str, list[object]]:
    """The first ``limit`` values of each column, to decide things once per column."""
    rows = [cells for _, cells in table.rows[:limit]]
    return {h: [cells[i] for cells in rows] for i, h in enumerate(table.headers)}


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
    targets, resolved, new_fields, warnings = _resolve_mapping(conn, table, options, registry)
    if not any(t.name in (*IDENTITY_FIELDS, "company") for t in targets.values()):
        raise BadFileError(
            f"{path.name} does not look like a contact list: no column holds names, emails, "
            f"phones, companies or IDs (its columns: {', '.join(table.headers)}). If one does, "
            'choose its field in the import wizard or with --map "Header=field".'
        )
    full_registry = FieldRegistry([*registry.custom, *new_fields])
    normalizer = _Normalizer(table, targets, full_registry, region)
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
    groups, report.merged = _merge_in_file(records)
    yield Progress(total, total, "Looking for duplicates")
    matches = _match_existing(conn, groups)
    existing = _load_leads(conn, sorted(set(matches.values())))
    creates: list[_Record] = []
    updates: list[tuple[int, _Record]] = []
    claimed: dict[int, _Record] = {}
    for index, group in enumerate(groups):
        lead_id = matches.get(index)
        if lead_id is None:
            creates.append(group)
        elif lead_id in claimed:
            _merge_into(claimed[lead_id], group)
            report.merged += 1
        else:
            claimed[lead_id] = group
            updates.append((lead_id, group))
    new_fields += [f for f in normalizer.raw_fields.values() if f.name not in full_registry]
    report.warnings = (
        warnings
        + [f"Row {row}: {why}; it is not a lead and was left out." for row, why in table.left_out]
        + normalizer.column_warnings()
        + normalizer.warnings
    )
    return _Plan(table, resolved, new_fields, creates, updates, existing, report)


def _conflict(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two records with different external ids are different leads whatever else matches."""
    x, y = a.get("external_id"), b.get("external_id")
    return bool(x and y and x != y)


def _merge_into(target: _Record, other: _Record) -> None:
    """Fill ``target``'s empty fields from ``other``; flags that are set stay set."""
    for name, value in other.values.items():
        if name in _FLAGS:
            target.values[name] = bool(target.values.get(name)) or bool(value)
        elif target.values.get(name) in (None, ""):
            target.values[name] = value
            if name == "phone":
                target.values["phone_valid"] = other.values.get("phone_valid", True)
                target.values["phone_digits"] = other.values.get("phone_digits")
    for key, value in other.custom.items():
        target.custom.setdefault(key, value)
    for identity in other.keys:
        if identity not in target.keys:
            target.keys.append(identity)


def _merge_in_file(records: list[_Record]) -> tuple[list[_Record], int]:
    """Merge rows of the same person; returns the leads and how many rows were merged."""
    groups: list[_Record] = []
    index: dict[tuple[str, str], int] = {}
    merged = 0
    for record in records:
        target = None
        for key in record.keys:
            found = index.get(key)
            if found is not None and not _conflict(groups[found].values, record.values):
                target = found
                break
        if target is None:
            target = len(groups)
            groups.append(record)
        else:
            _merge_into(groups[target], record)
            merged += 1
        for key in record.keys:
            index.setdefault(key, target)
    return groups, merged


def _match_existing(conn: Connection, groups: list[_Record]) -> dict[int, int]:
    """Group index -> id of the existing lead it is, one query per kind of identity."""
    kinds = {kind for group in groups for kind, _ in group.keys}
    if not groups or not conn.execute(sa.select(leads.c.id).limit(1)).first():
        return {}
    known: dict[str, dict[str, int]] = {kind: {} for kind in ("x", "e", "p", "d", "n")}
    external: dict[int, str] = {}
    c = leads.c
    ids = sa.select(c.id, c.external_id).where(c.external_id.is_not(None)).order_by(c.id)
    for row in conn.execute(ids):  # always: it also decides conflicts
        known["x"].setdefault(row.external_id, row.id)
        external[row.id] = row.external_id
    if "e" in kinds:
        emails = sa.select(c.id, c.email).where(c.email.is_not(None)).order_by(c.id)
        for row in conn.execute(emails):
            known["e"].setdefault(row.email, row.id)
    if kinds & {"p", "d"}:
        phones = sa.select(c.id, c.phone, c.phone_valid, c.phone_digits).where(c.phone.is_not(None))
        for phone in conn.execute(phones.order_by(c.id)):
            if phone.phone_valid:
                known["p"].setdefault(phone.phone, phone.id)
            elif phone.phone_digits:
                known["d"].setdefault(phone.phone_digits, phone.id)
    if "n" in kinds:
        names = sa.select(c.id, c.first_name, c.last_name, c.company).where(
            c.company.is_not(None), sa.or_(c.first_name.is_not(None), c.last_name.is_not(None))
        )
        for n in conn.execute(names.order_by(c.id)):
            key = f"{fold(n.first_name or '')}|{fold(n.last_name or '')}|{fold(n.company)}"
            known["n"].setdefault(key, n.id)
    matches: dict[int, int] = {}
    for index, group in enumerate(groups):
        own = group.values.get("external_id")
        for kind, value in group.keys:
            lead_id = known[kind].get(value)
            if lead_id is not None and not (own and external.get(lead_id, own) != own):
                matches[index] = lead_id
                break
    return matches


def _load_leads(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        query = sa.select(leads).where(leads.c.id.in_(ids[start : start + 500]))
        rows.update((row["id"], dict(row)) for row in conn.execute(query).mappings())
    return rows


# --- writing ---------------------------------------------------------------------------------

_INSERT_COLUMNS = [c.name for c in leads.columns if c.name != "id"]


def _insert_columns(records: list[_Record]) -> list[str]:
    """The columns a chunked insert needs: those the file fills, plus LeadDesk's own."""
    used: set[str] = {"custom", "created_at", "updated_at", "import_batch_id", *LEAD_DEFAULTS}
    for record in records:
        used.update(record.values)
    return [name for name in _INSERT_COLUMNS if name in used]


def _insert_row(
    columns: list[str], record: _Record, batch_id: int | None, now: datetime
) -> dict[str, Any]:
    row = dict.fromkeys(columns)
    row.update(LEAD_DEFAULTS)
    row.update(record.values)
    row.update(custom=record.custom, created_at=now, updated_at=now, import_batch_id=batch_id)
    return row


def _is_empty(name: str, value: Any) -> bool:
    return value is None or value == "" or (name == "status" and value == "new")


def _changes(lead: dict[str, Any], record: _Record, mode: OnDuplicate) -> dict[str, Any]:
    """The columns an import changes on an existing lead (flags are never cleared)."""
    changes: dict[str, Any] = {}
    for name, value in record.values.items():
        if name in ("phone_valid", "phone_digits"):
            continue
        current = lead.get(name)
        if name in _FLAGS:
            if value and not current:
                changes[name] = True
        elif current != value and (mode == "overwrite" or _is_empty(name, current)):
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


def _snapshot(lead: dict[str, Any]) -> dict[str, Any]:
    """A lead's row as JSON, to put it back exactly on undo."""
    return {k: _json_value(v) if k != "custom" else v for k, v in lead.items() if k != "id"}


def _restore_value(name: str, value: Any) -> Any:
    column_type = leads.c[name].type
    if isinstance(value, str) and isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and isinstance(column_type, sa.Date):
        return date.fromisoformat(value)
    return value


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
        conn.execute(leads.insert(), chunk)  # executemany: no RETURNING, which goes row by row
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
        changes.update(updated_at=now, version=lead["version"] + 1)
        by_columns.setdefault(tuple(sorted(changes)), []).append({"_id": lead_id, **changes})
        befores.append(
            {"batch_id": batch_id, "lead_id": lead_id, "action": "updated",
             "before": _snapshot(lead)}
        )  # fmt: skip
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
        values = (clean_text(cells[index]) for _, cells in table.rows)
        samples[header] = [v for v in values if v is not None][:5]
    report = plan.report
    problem_rows = {r.row for r in report.rejected} | {
        int(m.group(1)) for w in report.warnings if (m := re.match(r"Row (\d+):", w))
    }
    updates, _ = _count_unchanged(plan, options.on_duplicate)
    new_keys = {f.name for f in plan.new_fields}
    guessed = {h: (None if n in new_keys else n) for h, n in plan.mapping.items()}
    rows = [
        {**r.values, **{f"custom.{k}": v for k, v in r.custom.items()}}
        for r in plan.creates[:20] or [r for _, r in plan.updates[:20]]
    ]
    return ImportPreview(
        sheet=table.sheet,
        sheets=table.sheets,
        header_row=table.header_row,
        headers=table.headers,
        mapping=guessed,
        samples=samples,
        new_count=len(plan.creates),
        update_count=updates,
        problem_count=len(problem_rows),
        rows=rows,
        warnings=report.warnings,
    )


# --- history and undo ------------------------------------------------------------------------


def list_batches(conn: Connection) -> list[dict[str, Any]]:
    """Import history, newest first, for the GUI's Import history and the CLI."""
    table = ImportBatch.__table__  # type: ignore[attr-defined]
    columns = [table.c[n] for n in (
        "id", "file_name", "sheet", "imported_at", "rows_read", "created", "updated", "merged",
        "skipped", "rejected", "undone_at")]  # fmt: skip
    rows = conn.execute(sa.select(*columns).order_by(table.c.id.desc())).mappings()
    return [{k: _json_value(v) for k, v in row.items()} for row in rows]


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
                values = {k: _restore_value(k, v) for k, v in before.items() if k in leads.c}
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
                values = (writer.cell(_json_value(c), _AS_WRITTEN) for c in cells)
                sheet.append([row, *values, writer.text(" ".join(problems[row]))])
                written += 1
        book.save(temporary)
    return written
