"""Make the database files of each released LeadDesk schema that tests/core/test_upgrades.py
opens with today's LeadDesk: ``python tests/data/schemas/make.py REVISION …``.

Each file is built by the migrations up to its revision and filled with rows in every table
(leads with their activities, an import with its changes, scoring models, bulk edits,
settings), so an upgrade must carry child rows across. Run it once when a schema is
released, and commit the file: later migrations must upgrade it forever.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from leaddesk.core import migrations  # noqa: E402
from leaddesk.core.db import Database  # noqa: E402

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEADS = 30
PARENTS = ("leads", "import_batches", "scoring_models", "bulk_edits")  # first: rows refer to them


def value(column: sa.Column[Any], row: int) -> Any:
    """A plausible value of ``column`` for the ``row``-th row, whatever the schema."""
    kind = column.type
    name = column.name
    if name in ("custom", "mapping", "report", "before", "changed", "definition", "value",
                "metrics"):  # fmt: skip
        return json.dumps({"note": f"{name} {row}", "n": row})
    if isinstance(kind, sa.Boolean):
        return row % 3 == 0
    if isinstance(kind, sa.Integer):
        return row
    if isinstance(kind, sa.Float):
        return float(row * 7 % 100)
    moment = (START + timedelta(days=row, hours=row % 8)).replace(tzinfo=None)  # stored UTC
    if isinstance(kind, sa.DateTime):
        return moment
    if isinstance(kind, sa.Date):
        return moment.date()
    if name == "email":
        return f"person{row}@example{row % 4}.com"
    if name == "phone":
        return f"+4915112345{row:03d}"
    if name == "country":
        return ("DE", "US", "FR", "GB")[row % 4]
    if name == "status":
        return ("new", "contacted", "won", "lost")[row % 4]
    if name == "state" and column.table.name == "scoring_models":
        return ("active", "archived")[row % 2]
    length = getattr(kind, "length", None) or 40
    return f"{name} {row}"[:length]


def fill(conn: sa.Connection) -> None:
    meta = sa.MetaData()
    meta.reflect(conn)
    parents = [meta.tables[name] for name in PARENTS if name in meta.tables]
    for table in [*parents, *(t for t in meta.sorted_tables if t.name not in PARENTS)]:
        if table.name in ("alembic_version", "sqlite_sequence") or table.name.startswith(
            "lead_search"
        ):
            continue
        count = LEADS if table.name == "leads" else 2 * LEADS if table.name == "activities" else 3
        rows = []
        for i in range(1, count + 1):
            row = {c.name: value(c, i) for c in table.columns}
            for column in table.columns:
                for key in column.foreign_keys:
                    parent_rows = LEADS if key.column.table.name == "leads" else 3
                    row[column.name] = (i - 1) % parent_rows + 1
            if table.name in ("import_changes", "bulk_edit_rows"):
                row["lead_id"] = i
            if table.name == "settings":
                row["key"] = f"test.setting.{i}"
            rows.append(row)
        conn.execute(table.insert(), rows)


def make(revision: str) -> Path:
    path = HERE / f"leaddesk-{revision}.db"
    path.unlink(missing_ok=True)
    db = Database.open(path, migrate=False)
    migrations.upgrade(db, revision)
    with db.write() as conn:
        fill(conn)
    db.engine.dispose()
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        conn.exec_driver_sql("VACUUM")
    return path


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(make(name))  # noqa: T201 - a script: it says what it made
