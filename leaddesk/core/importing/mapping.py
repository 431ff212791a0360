"""Which column goes into which field.

A header maps to a registry field when it folds (``fields.header_key``) to one of the field's
synonyms; every field takes one column at most, and what maps to nothing becomes a custom
field. A guess whose values plainly do not fit the field (a "Last Activity" column holding
"Email Opened") is dropped back to a custom field, so nothing is lost to a wrong guess. The
mapping used is saved per header signature and proposed again for a file with the same
headers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import FieldRegistry, FieldType, header_key
from leaddesk.core.importing.normalize import (
    normalize_country,
    normalize_email,
    normalize_phone,
    parse_bool,
    parse_datetime,
    parse_number,
)
from leaddesk.core.schema import SavedMapping, utcnow

Mapping_ = dict[str, str | None]
_CUSTOM_WORDS = frozenset({"", "-", "custom", "none"})


def guess_mapping(headers: Sequence[str], registry: FieldRegistry) -> Mapping_:
    """Header -> field name for every header (None: becomes a custom field).

    Built-in fields win over custom fields of earlier imports, and the first column naming
    a field takes it (a second "Phone" column becomes a custom field, not lost).
    """
    by_key: dict[str, str] = {}
    for f in sorted(registry.importable(), key=lambda f: f.custom):
        for key in sorted(f.header_keys, key=lambda k: k != header_key(f.name)):
            by_key.setdefault(key, f.name)
    mapping: Mapping_ = {}
    taken: set[str] = set()
    for header in headers:
        name = by_key.get(header_key(header))
        if name is not None and name not in taken:
            taken.add(name)
            mapping[header] = name
        else:
            mapping[header] = None
    return mapping


def export_mapping(headers: Sequence[str], registry: FieldRegistry) -> Mapping_:
    """Header -> field name for a file LeadDesk exported, whose headers are field labels.

    Each label maps back to its own field, a custom field included even when its label is
    also a synonym of a built-in field ("Mobile" kept beside "Phone"); any other header is
    guessed as in ``guess_mapping``.
    """
    by_label: dict[str, str] = {}
    for f in registry.importable():
        by_label.setdefault(header_key(f.label), f.name)
    mapping: Mapping_ = {}
    taken: set[str] = set()
    for header in headers:
        name = by_label.get(header_key(header))
        mapping[header] = name if name not in taken else None
        if name is not None:
            taken.add(name)
    for header, guess in guess_mapping(headers, registry).items():
        if mapping[header] is None and guess is not None and guess not in taken:
            mapping[header] = guess
            taken.add(guess)
    return mapping


def parse_map_overrides(items: Iterable[str]) -> Mapping_:
    """``["Header=field", "Notes="]`` -> ``{"Header": "field", "Notes": None}``.

    An empty field (or ``custom``) keeps the column as a custom field.
    """
    overrides: Mapping_ = {}
    for item in items:
        header, sep, name = item.rpartition("=")
        if not sep or not header.strip():
            raise InvalidInputError(
                f'“{item}” is not a mapping. Write it as "Header=field", e.g. "Tel.=phone".'
            )
        name = name.strip()
        overrides[header.strip()] = None if name.casefold() in _CUSTOM_WORDS else name
    return overrides


def apply_overrides(
    mapping: Mapping_, overrides: Mapping[str, str | None], registry: FieldRegistry
) -> Mapping_:
    """``mapping`` with the user's choices applied; a field chosen twice keeps the user's."""
    by_fold = {header_key(h): h for h in mapping}
    result = dict(mapping)
    for header, name in overrides.items():
        target = header if header in result else by_fold.get(header_key(header))
        if target is None:
            raise InvalidInputError(
                f"The file has no column “{header}”. Its columns are: {', '.join(mapping)}."
            )
        if name is not None:
            if name not in registry or not registry.get(name).importable:
                names = ", ".join(f.name for f in registry.importable())
                raise InvalidInputError(f"“{name}” is not a field. Choose one of: {names}.")
            for other, chosen in result.items():
                if chosen == name and other != target:
                    result[other] = None
        result[target] = name
    return result


def check_against_values(
    mapping: Mapping_,
    columns: Mapping[str, Sequence[object]],
    registry: FieldRegistry,
    keep: Iterable[str] = (),
) -> tuple[Mapping_, list[str]]:
    """Drop guesses whose sample values mostly do not fit the field's type.

    Returns the corrected mapping and a warning per dropped guess. Headers in ``keep``
    (chosen by the user) are left alone.
    """
    kept = set(keep)
    result = dict(mapping)
    warnings: list[str] = []
    for header, name in mapping.items():
        if name is None or header in kept:
            continue
        values = [v for v in columns.get(header, ()) if v is not None][:200]
        if not values:
            continue
        fits = sum(_fits(registry.get(name).type, v) for v in values)
        if fits * 2 < len(values):
            result[header] = None
            label = registry.get(name).label
            warnings.append(
                f"Column “{header}” looked like {label}, but most of its values are not; "
                "it was kept as a custom field instead."
            )
    return result, warnings


def _fits(type_: FieldType, value: object) -> bool:
    if type_ is FieldType.EMAIL:
        return normalize_email(value) is not None
    if type_ is FieldType.PHONE:
        return normalize_phone(value, None) is not None and any(c.isdigit() for c in str(value))
    if type_ is FieldType.COUNTRY:
        return normalize_country(value) is not None
    if type_.is_numeric:
        return parse_number(value) is not None
    if type_.is_temporal:
        return parse_datetime(value) is not None
    if type_ is FieldType.BOOL:
        return parse_bool(value) is not None
    return True


def header_signature(headers: Sequence[str]) -> str:
    """A stable hash of a file's headers: the same export next month has the same one."""
    folded = "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(folded.encode()).hexdigest()


def load_saved_mapping(conn: Connection, headers: Sequence[str]) -> Mapping_ | None:
    """The mapping last used for a file with these headers, if any."""
    table = SavedMapping.__table__  # type: ignore[attr-defined]
    query = sa.select(table.c.mapping).where(table.c.signature == header_signature(headers))
    saved = conn.execute(query).scalar()
    if not isinstance(saved, dict):
        return None
    return {h: saved.get(h) for h in headers} if set(saved) == set(headers) else None


def save_mapping(conn: Connection, headers: Sequence[str], mapping: Mapping_) -> None:
    """Remember ``mapping`` for files with these headers (replacing an older one)."""
    table = SavedMapping.__table__  # type: ignore[attr-defined]
    signature = header_signature(headers)
    conn.execute(table.delete().where(table.c.signature == signature))
    conn.execute(
        table.insert().values(signature=signature, mapping=dict(mapping), saved_at=utcnow())
    )
