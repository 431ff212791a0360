"""Which rows are the same person, and which existing lead each one is.

Identity, in the order it decides: the lead a row was exported from (its LeadDesk ID, when
the ID is this database's), external id, email, phone, then first and last name with
company. Rows of one file are merged first; the merged leads are then looked up in the
database by their own keys only (chunked ``IN`` queries along the indexes), so matching costs
the size of the file, not of the database.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.importing.normalize import fold
from leaddesk.core.importing.records import Record
from leaddesk.core.schema import leads

FLAGS = ("do_not_call", "do_not_email")


def conflicting(a: Record, b: Record) -> bool:
    """Two records exported from different leads, or with different external ids, are
    different leads whatever else matches."""
    if a.lead_id is not None and b.lead_id is not None and a.lead_id != b.lead_id:
        return True
    x, y = a.values.get("external_id"), b.values.get("external_id")
    return bool(x and y and x != y)


def merge_into(target: Record, other: Record) -> None:
    """Fill ``target``'s empty fields from ``other``; flags that are set stay set."""
    for name, value in other.values.items():
        if name in FLAGS:
            target.values[name] = bool(target.values.get(name)) or bool(value)
        elif target.values.get(name) in (None, ""):
            target.values[name] = value
            if name == "phone":
                target.values["phone_valid"] = other.values.get("phone_valid", True)
                target.values["phone_digits"] = other.values.get("phone_digits")
    for key, value in other.custom.items():
        target.custom.setdefault(key, value)
    if target.lead_id is None:
        target.lead_id = other.lead_id
    for identity in other.keys:
        if identity not in target.keys:
            target.keys.append(identity)


def merge_in_file(records: list[Record]) -> tuple[list[Record], int]:
    """Merge rows of the same person; returns the leads and how many rows were merged."""
    groups: list[Record] = []
    index: dict[tuple[str, str], int] = {}
    merged = 0
    for record in records:
        target = None
        for key in record.keys:
            found = index.get(key)
            if found is not None and not conflicting(groups[found], record):
                target = found
                break
        if target is None:
            target = len(groups)
            groups.append(record)
        else:
            merge_into(groups[target], record)
            merged += 1
        for key in record.keys:
            index.setdefault(key, target)
    return groups, merged


# The identity kinds looked up by value along an index: (kind, column, extra condition).
_INDEXED = (
    ("x", leads.c.external_id, sa.true()),
    ("e", leads.c.email, sa.true()),
    ("p", leads.c.phone, leads.c.phone_valid.is_(True)),
    ("d", leads.c.phone_digits, leads.c.phone_valid.is_not(True)),
)
LOOKUP_CHUNK = 500


def match_existing(conn: Connection, groups: list[Record]) -> dict[int, int]:
    """Group index -> id of the existing lead it is (the oldest, when several are).

    External ids, emails and phones are looked up by the file's own values; the folded name
    with company has no index, so the names are read only for groups nothing else matched.
    A lead whose external id differs from the group's is never a match. A group exported
    from a lead that still exists is that lead, whatever its other keys say now.
    """
    if not groups or conn.execute(sa.select(leads.c.id).limit(1)).first() is None:
        return {}
    existing = _existing_ids(conn, sorted({g.lead_id for g in groups if g.lead_id is not None}))
    matches: dict[int, int] = {
        index: group.lead_id
        for index, group in enumerate(groups)
        if group.lead_id is not None and group.lead_id in existing
    }
    rest = [group for index, group in enumerate(groups) if index not in matches]
    found: dict[tuple[str, str], int] = {}
    for kind, column, condition in _INDEXED:
        values = sorted({value for group in rest for k, value in group.keys if k == kind})
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[start : start + LOOKUP_CHUNK]
            query = sa.select(leads.c.id, column).where(column.in_(chunk), condition)
            for lead_id, value in conn.execute(query):
                if found.get((kind, value), lead_id) >= lead_id:
                    found[kind, value] = lead_id
    unmatched = [
        group
        for index, group in enumerate(groups)
        if index not in matches and not any(key in found for key in group.keys)
    ]
    if any(kind == "n" for group in unmatched for kind, _ in group.keys):
        found.update(_name_keys(conn))
    external = _external_ids(conn, sorted(set(found.values())))
    for index, group in enumerate(groups):
        if index in matches:
            continue
        own = group.values.get("external_id")
        for key in group.keys:
            lead_id = found.get(key)
            if lead_id is not None and not (own and external.get(lead_id, own) != own):
                matches[index] = lead_id
                break
    return matches


def _existing_ids(conn: Connection, ids: list[int]) -> set[int]:
    existing: set[int] = set()
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        existing.update(conn.execute(sa.select(leads.c.id).where(leads.c.id.in_(chunk))).scalars())
    return existing


def _name_keys(conn: Connection) -> dict[tuple[str, str], int]:
    c = leads.c
    names = sa.select(c.id, c.first_name, c.last_name, c.company).where(
        c.company.is_not(None), sa.or_(c.first_name.is_not(None), c.last_name.is_not(None))
    )
    keys: dict[tuple[str, str], int] = {}
    for n in conn.execute(names.order_by(c.id.desc())):  # the oldest lead wins
        keys["n", f"{fold(n.first_name or '')}|{fold(n.last_name or '')}|{fold(n.company)}"] = n.id
    return keys


def _external_ids(conn: Connection, ids: list[int]) -> dict[int, str]:
    external: dict[int, str] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        query = sa.select(leads.c.id, leads.c.external_id).where(
            leads.c.id.in_(ids[start : start + LOOKUP_CHUNK]), leads.c.external_id.is_not(None)
        )
        external.update((row.id, row.external_id) for row in conn.execute(query))
    return external


def load_leads(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The whole rows of the leads ``ids``, by id."""
    rows: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        query = sa.select(leads).where(leads.c.id.in_(ids[start : start + LOOKUP_CHUNK]))
        rows.update((row["id"], dict(row)) for row in conn.execute(query).mappings())
    return rows
