"""One spreadsheet row to one lead record: every cell converted for its field.

``Normalizer`` decides once per column how to read it (date order, decimal comma, the type
of a new custom field) and then turns each row into a ``Record``; values that do not fit
their field are kept as written in ``<field>_raw`` and reported, never dropped. A row that
identifies nobody is rejected with a reason a person understands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache, partial
from typing import Any

from leaddesk.core.fields import (
    LEAD_STATUSES,
    Field,
    FieldRegistry,
    FieldType,
    custom_field,
    header_key,
)
from leaddesk.core.importing import phones
from leaddesk.core.importing.normalize import (
    PhoneResult,
    clean_text,
    date_order,
    decimal_comma,
    fold,
    normalize_country,
    normalize_email,
    parse_bool,
    parse_datetime,
    parse_number,
)
from leaddesk.core.importing.readers import SheetData
from leaddesk.core.progress import Job, Progress

CHUNK = 2000
_PLAIN_NUMBER = re.compile(r"-?[\d\s.,]+")


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int
    reason: str


@dataclass(slots=True)
class Record:
    """One lead as the file describes it (a row, or several merged rows).

    ``lead_id`` is the lead of this database the row was exported from (its LeadDesk ID),
    if it carries one with this database's tag.
    """

    row: int
    values: dict[str, Any]
    custom: dict[str, Any]
    keys: list[tuple[str, str]] = field(default_factory=list)
    lead_id: int | None = None


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


def json_value(value: Any) -> Any:
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


def _is_typed_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def infer_type(values: Sequence[object], *, typed: bool = False) -> FieldType:
    """The type of a new custom field, from its first values (text when in doubt); dates
    that all fall at midnight make a date field, not a datetime one.

    ``typed``: the cells' own types decide, text staying text however it reads ("123",
    "yes"): for workbooks LeadDesk exported, which type every cell.
    """
    sample = [v for v in values if v is not None][:500]
    tests: tuple[tuple[FieldType, Callable[[object], bool]], ...] = (
        (FieldType.BOOL, (lambda v: isinstance(v, bool)) if typed else _is_bool_word),
        (FieldType.NUMBER, _is_typed_number if typed else _is_number),
        (FieldType.DATETIME, (lambda v: isinstance(v, datetime | date)) if typed else _is_date),
    )
    for type_, test in tests:
        if sample and all(test(v) for v in sample):
            if type_ is FieldType.DATETIME and all(_at_midnight(v) for v in sample):
                return FieldType.DATE
            return type_
    return FieldType.TEXT


def _at_midnight(value: object) -> bool:
    parsed = parse_datetime(value)
    return parsed is not None and parsed.time() == time()


class Normalizer:
    """Turns a row of cells into a ``Record``: one converter per mapped column, decided once
    for the column (date order, decimal comma), so the per-row loop stays small."""

    def __init__(
        self,
        table: SheetData,
        targets: dict[str, Field],
        registry: FieldRegistry,
        region: str | None,
        lead_ids: Mapping[int, int] | None = None,
    ) -> None:
        self.table = table
        self.lead_ids = lead_ids or {}
        self.registry = registry
        self.region = region
        self.raw_fields: dict[str, Field] = {}
        self.warnings: list[str] = []
        self.rejected: list[RejectedRow] = []
        self._column_notes: dict[str, list[int]] = {}
        columns = column_samples(table, 500)
        self.converters: list[tuple[int, Callable[[int, object, Record], None]]] = []
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
        self, target: Field, record: Record, cell: object, row: int, why: str | None
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
    ) -> Callable[[int, object, Record], None]:
        """A converter storing ``parse(cell)``, or keeping the cell as written with ``problem``."""

        def convert(row: int, cell: object, record: Record) -> None:
            value = parse(cell)
            if value is None:
                self._keep_raw(target, record, cell, row, problem)
            else:
                record.values[target.name] = value

        return convert

    def _converter(
        self, target: Field, sample: list[object]
    ) -> Callable[[int, object, Record], None]:
        """The function that puts one cell of this column into a record."""
        name = target.name
        if target.custom:
            return self._custom_converter(target, sample)
        if name == "full_name":

            def full_name(row: int, cell: object, record: Record) -> None:
                first, last = split_name(cell)
                record.values.setdefault("_first", first)
                record.values.setdefault("_last", last)

            return full_name
        type_ = target.type
        if type_ is FieldType.EMAIL:

            def email(row: int, cell: object, record: Record) -> None:
                value = normalize_email(cell)
                if value is None:
                    self._keep_raw(target, record, cell, row, None)  # warned for the row
                    record.values["_bad_email"] = clean_text(cell)
                else:
                    record.values[name] = value

            return email
        if type_ is FieldType.COUNTRY:
            return self._parsed(target, _country_code, "country not recognised")
        parse = self._parser(type_, sample)
        if parse is not None and type_.is_numeric:

            def number(row: int, cell: object, record: Record) -> None:
                if isinstance(cell, float) and math.isfinite(cell):
                    record.values[name] = cell  # what a workbook gives: nothing to parse
                    return
                value = parse(cell)
                if value is None:
                    self._keep_raw(target, record, cell, row, "not a number")
                    return
                record.values[name] = value
                if isinstance(cell, str) and not _PLAIN_NUMBER.fullmatch(cell.strip()):
                    self._keep_raw(target, record, cell, row, "a range, read as its midpoint")

            return number
        if parse is not None and type_.is_temporal:
            return self._parsed(target, parse, "not a date")
        if parse is not None and type_ is FieldType.BOOL:
            return self._parsed(target, parse, "not yes or no")
        if name == "status":
            return self._parsed(target, _status, "status not recognised")

        def text(row: int, cell: object, record: Record) -> None:
            value = (
                cell.strip() if isinstance(cell, str) and cell.isprintable() else clean_text(cell)
            )
            if value:
                record.values[name] = value

        return text

    def _custom_converter(
        self, target: Field, sample: list[object]
    ) -> Callable[[int, object, Record], None]:
        """Custom columns are read with the same per-column decisions as built-in ones; a
        cell that does not fit the type guessed from the first rows is kept as text."""
        key = target.name
        parse = self._parser(target.type, sample)

        def custom(row: int, cell: object, record: Record) -> None:
            value = parse(cell) if parse is not None else None
            if value is None:
                value = clean_text(cell)
            if value is not None:
                record.custom[key] = json_value(value)

        return custom

    def _parser(self, type_: FieldType, sample: list[object]) -> Callable[[object], Any] | None:
        """How to read one cell of a number, date or yes/no column, decided from ``sample``."""
        if type_.is_numeric:
            return partial(parse_number, decimal_comma=decimal_comma(sample))
        if type_ is FieldType.BOOL:
            return parse_bool
        if type_.is_temporal:
            dayfirst = date_order(sample)
            if dayfirst is None:
                dayfirst = self.region not in ("US", "PH", "CA")
            parse = partial(parse_datetime, dayfirst=dayfirst)
            if type_ is FieldType.DATE:
                return lambda cell: moment.date() if (moment := parse(cell)) else None
            return parse
        return None

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

    def records(self) -> Job[list[Record]]:
        """Each row's record; rows that identify nobody are rejected with a reason."""
        converters = self.converters
        rows = self.table.rows
        drafts: list[Record] = []
        with ExitStack() as stack:
            phone_results = self._start_phones(stack)
            for number, (row, cells) in enumerate(rows, 1):
                record = Record(row, {}, {})
                for index, converter in converters:
                    cell = cells[index]
                    if cell is not None:
                        converter(row, cell, record)
                drafts.append(record)
                if number % CHUNK == 0:
                    yield Progress(number, len(rows), "Checking values")
            results = phone_results()
        records: list[Record] = []
        for record, phone in zip(drafts, results, strict=True):
            if self._finish(record, phone):
                records.append(record)
        return records

    def _finish(self, record: Record, phone: PhoneResult | None) -> bool:
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
        record.keys = identity_keys(values)
        record.lead_id = self.lead_ids.get(row)
        if record.lead_id is not None:  # decides before any other identity
            record.keys.insert(0, ("i", str(record.lead_id)))
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


def identity_keys(values: dict[str, Any]) -> list[tuple[str, str]]:
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


def column_samples(table: SheetData, limit: int) -> dict[str, list[object]]:
    """The first ``limit`` values of each column, to decide things once per column."""
    rows = [cells for _, cells in table.rows[:limit]]
    return {h: [cells[i] for cells in rows] for i, h in enumerate(table.headers)}
