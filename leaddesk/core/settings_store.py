"""Settings the team shares, kept as JSON values in the database's ``settings`` table."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.schema import Setting

settings_table = Setting.__table__  # type: ignore[attr-defined]


def read_setting(conn: Connection, key: str) -> Any:
    """The value stored under ``key``, or None when there is none."""
    return conn.execute(
        sa.select(settings_table.c.value).where(settings_table.c.key == key)
    ).scalar()


def write_setting(conn: Connection, key: str, value: Any) -> None:
    """Store ``value`` under ``key``, replacing what was there."""
    updated = conn.execute(
        settings_table.update().where(settings_table.c.key == key).values(value=value)
    )
    if updated.rowcount == 0:
        conn.execute(settings_table.insert().values(key=key, value=value))
