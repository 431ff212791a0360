"""The id an export writes for each lead, and how an import knows it is one of its own.

Lead ids are small integers, and every database has a lead 1: an id alone would let a file
exported from one database update unrelated leads of another. So each database gets a short
random tag the first time it exports, and a lead is written as ``LD-<tag>-<id>``; the importer
uses such an id only when the tag is its own database's.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.settings_store import read_setting, write_setting

TAG_KEY = "database.tag"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_TAG_LENGTH = 6
_REF = re.compile(r"LD-([A-Z0-9]{4,16})-(\d{1,18})")


def database_tag(conn: Connection) -> str | None:
    """This database's tag, or None if it never exported (no file can carry its ids)."""
    tag = read_setting(conn, TAG_KEY)
    return tag if isinstance(tag, str) else None


def ensure_database_tag(db: Database) -> str:
    """This database's tag, made and stored the first time one is needed."""
    with db.read() as conn:
        tag = database_tag(conn)
    if tag is not None:
        return tag
    with db.write() as conn:
        tag = database_tag(conn)  # another process may have made it meanwhile
        if tag is None:
            tag = "".join(secrets.choice(_ALPHABET) for _ in range(_TAG_LENGTH))
            write_setting(conn, TAG_KEY, tag)
    return tag


def lead_ref(tag: str, lead_id: int) -> str:
    """The text an export writes in the LeadDesk ID column."""
    return f"LD-{tag}-{lead_id}"


def parse_lead_ref(value: object) -> tuple[str, int] | None:
    """(tag, lead id) from a LeadDesk ID cell, or None if it holds no such id."""
    if not isinstance(value, str):
        return None
    found = _REF.fullmatch(value.strip().upper())
    return (found.group(1), int(found.group(2))) if found else None
