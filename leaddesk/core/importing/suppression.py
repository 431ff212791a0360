"""The do-not-contact list: people who must not be contacted, remembered after their lead is
gone, so that importing them again cannot put them back on the call queue.

An entry keeps only what recognises the person: SHA-256 hashes of their normalised email and
of their phone in E.164 (never the address or the number), the do-not-call and do-not-email
flags, and the date. An import marks each lead of the file that an entry recognises.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.importing.matching import FLAGS
from leaddesk.core.importing.records import Record
from leaddesk.core.schema import Suppression, utcnow

_TABLE = Suppression.__table__  # type: ignore[attr-defined]
Flags = dict[str, bool]


def identity_hash(value: str) -> str:
    """How an email or a phone is kept on the list: its SHA-256, in hex."""
    return hashlib.sha256(value.encode()).hexdigest()


def _hashes(values: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The hashes of a lead's email and of its phone (only a valid, E.164 phone counts)."""
    email = values.get("email")
    phone = values.get("phone") if values.get("phone_valid", True) else None
    return (identity_hash(email) if email else None, identity_hash(phone) if phone else None)


def remember(conn: Connection, people: Iterable[Mapping[str, Any]], *, asked: bool = False) -> int:
    """Put on the list each lead of ``people`` marked do-not-call or do-not-email, or all of
    them if they ``asked`` to be left alone (then with both flags); before they are erased
    or deleted. Returns how many entries were kept (a lead with neither an email nor a
    valid phone cannot be recognised, so it is not kept)."""
    now = utcnow()
    entries = []
    for lead in people:
        flags = {flag: asked or bool(lead.get(flag)) for flag in FLAGS}
        email_hash, phone_hash = _hashes(lead)
        if any(flags.values()) and (email_hash or phone_hash):
            entries.append(
                {"email_hash": email_hash, "phone_hash": phone_hash, "suppressed_at": now, **flags}
            )
    if entries:
        conn.execute(_TABLE.insert(), entries)
    return len(entries)


def mark_suppressed(conn: Connection, records: Iterable[Record]) -> int:
    """Set the flags the list holds on each record it recognises; returns how many it did.

    The list is short next to a file, so it is read whole, and nothing is hashed when it is
    empty (an import then costs one query more).
    """
    by_email, by_phone = _load(conn)
    if not by_email and not by_phone:
        return 0
    marked = 0
    for record in records:
        email_hash, phone_hash = _hashes(record.values)
        found = [f for f in (by_email.get(email_hash or ""), by_phone.get(phone_hash or "")) if f]
        for flags in found:
            record.values.update({flag: True for flag, on in flags.items() if on})
        marked += bool(found)
    return marked


def _load(conn: Connection) -> tuple[dict[str, Flags], dict[str, Flags]]:
    """The flags of every entry, by email hash and by phone hash."""
    by_email: dict[str, Flags] = {}
    by_phone: dict[str, Flags] = {}
    columns = (_TABLE.c.email_hash, _TABLE.c.phone_hash, *(_TABLE.c[f] for f in FLAGS))
    for email_hash, phone_hash, *flags in conn.execute(sa.select(*columns)):
        for index, key in ((by_email, email_hash), (by_phone, phone_hash)):
            if key:
                known = index.setdefault(key, dict.fromkeys(FLAGS, False))
                for flag, on in zip(FLAGS, flags, strict=True):
                    known[flag] = known[flag] or bool(on)
    return by_email, by_phone


def suppressed_note(count: int) -> str:
    """What the import report says about the leads the list recognised."""
    leads = "1 lead of this file is" if count == 1 else f"{count:,} leads of this file are"
    return (
        f"{leads} on the do-not-contact list (people who asked not to be contacted, whose "
        "earlier record was erased or deleted): they were imported as do not call or do not "
        "email, as they asked."
    )
