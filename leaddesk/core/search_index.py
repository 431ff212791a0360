"""The search index of SQLite databases: trigrams of the fields the search box reads.

``search_clause`` (core/leads.py) stays the one definition of what a search matches; this
index only narrows the rows it has to look at. For a word of three or more characters the
index returns the leads holding all of its trigrams, a small superset of the matches, and
the clause then checks those rows. PostgreSQL and shorter words scan the table instead.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from leaddesk.core.schema import leads

TABLE = "lead_search"
COLUMNS = ("first_name", "last_name", "email", "company", "phone_digits")

_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)
_NAMES = ", ".join(COLUMNS)
_DELETE_OLD = f"INSERT INTO {TABLE}({TABLE}, rowid, {_NAMES}) VALUES ('delete', old.id, {_OLD});"
_INSERT_NEW = f"INSERT INTO {TABLE}(rowid, {_NAMES}) VALUES (new.id, {_NEW});"


def create_search_index(conn: Connection) -> None:
    """Create the index and its triggers, and index every lead already there."""
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({_NAMES}, content='', "
        "tokenize='trigram', detail='none', columnsize=0)"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON leads BEGIN {_INSERT_NEW} END"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON leads BEGIN {_DELETE_OLD} END"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {_NAMES} ON leads "
        f"BEGIN {_DELETE_OLD} {_INSERT_NEW} END"
    )
    conn.exec_driver_sql(f"INSERT INTO {TABLE}(rowid, {_NAMES}) SELECT id, {_NAMES} FROM leads")


def drop_search_index(conn: Connection) -> None:
    for trigger in ("insert", "delete", "update"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def is_index_table(name: str) -> bool:
    """The index's own tables (FTS5 keeps its data in shadow tables named after it)."""
    return name == TABLE or name.startswith(f"{TABLE}_")


class Candidates(ColumnElement[bool]):
    """``leads.id`` among the index's candidates for ``word``; always true where no index is."""

    inherit_cache = False  # the word is bound while compiling, so never reuse a compilation
    type = sa.Boolean()

    def __init__(self, word: str) -> None:
        self.word = word


@compiles(Candidates)
def _everywhere(element: Candidates, compiler: Any, **kw: Any) -> str:
    return "1 = 1"


@compiles(Candidates, "sqlite")
def _from_index(element: Candidates, compiler: Any, **kw: Any) -> str:
    query = sa.bindparam(None, trigram_query(element.word), type_=sa.String)
    return (
        f"{compiler.process(leads.c.id, **kw)} IN (SELECT rowid FROM {TABLE} "
        f"WHERE {TABLE} MATCH {compiler.process(query, **kw)})"
    )


def trigram_query(word: str) -> str:
    """An FTS5 query for rows holding every trigram of ``word`` (quoted, so any text is safe)."""
    grams = dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
