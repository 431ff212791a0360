"""Bulk edits over a filter or a selection, and their undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from leaddesk.core.bulk import BulkAction, add_tag, apply_bulk, last_undoable, undo_bulk
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, NotFoundError
from leaddesk.core.leads import LeadFilter, get_lead, update_lead
from leaddesk.core.progress import run
from leaddesk.core.schema import Activity, leads

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]  # the add_leads fixture (tests/core/conftest.py)

CALL = {"kind": "call", "outcome": "connected", "at": datetime(2026, 11, 2, 10, tzinfo=UTC)}


def values(db: Database, column: str) -> list:
    with db.read() as conn:
        return list(conn.execute(sa.select(leads.c[column]).order_by(leads.c.id)).scalars())


@pytest.mark.parametrize(
    ("action", "column", "expected"),
    [
        (BulkAction("owner", "Ann"), "owner", ["Ann", "Ann", None]),
        (BulkAction("status", "qualified"), "status", ["qualified", "qualified", "new"]),
        (BulkAction("do_not_call", True), "do_not_call", [True, True, False]),
        (BulkAction("tag", "expo"), "tags", ["vip, expo", "expo", None]),
    ],
)
def test_an_action_changes_the_matching_leads_and_undo_puts_them_back(
    db: Database, add_leads: AddLeads, action: BulkAction, column: str, expected: list
) -> None:
    add_leads([{"tags": "vip", "company": "Acme"}, {"company": "Acme"}, {"company": "Zed"}])
    before = values(db, column)
    result = run(apply_bulk(db, LeadFilter(search="acme"), action, rep="ann"))
    assert (result.changed, result.matched) == (2, 2)
    assert values(db, column) == expected
    assert values(db, "version") == [2, 2, 1]
    with db.read() as conn:
        assert last_undoable(conn)["summary"] == result.summary
    undone = undo_bulk(db, result.edit_id)
    assert (undone.restored, undone.kept) == (2, 0)
    assert values(db, column) == before
    with pytest.raises(NotFoundError):
        undo_bulk(db, result.edit_id)


def test_undo_keeps_a_value_someone_changed_since(db: Database, add_leads: AddLeads) -> None:
    first, second = add_leads([{}, {}])
    result = run(apply_bulk(db, LeadFilter(ids=(first, second)), BulkAction("owner", "Ann")))
    with db.write() as conn:
        update_lead(conn, second, {"owner": "Bob"}, expected_version=None)
    undone = undo_bulk(db, result.edit_id)
    assert (undone.restored, undone.kept) == (1, 1)
    assert values(db, "owner") == [None, "Bob"]


def test_leads_that_already_have_the_value_are_not_an_edit(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"owner": "Ann"}])
    result = run(apply_bulk(db, LeadFilter(), BulkAction("owner", "Ann")))
    assert (result.edit_id, result.changed, result.matched) == (None, 0, 1)
    with db.read() as conn:
        assert last_undoable(conn) is None


def test_delete_and_undo_bring_back_the_lead_and_its_calls(
    db: Database, add_leads: AddLeads
) -> None:
    kept, gone = add_leads(
        [{"first_name": "Ann"}, {"first_name": "Bea", "email": "bea@x.io"}],
        activities=[(1, CALL)],
    )
    with db.read() as conn:
        original = get_lead(conn, gone)
    result = run(apply_bulk(db, LeadFilter(ids=(gone,)), BulkAction("delete")))
    assert result.summary == "Deleted 1 lead"
    assert values(db, "id") == [kept]
    table = Activity.__table__
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    undo_bulk(db, result.edit_id)
    with db.read() as conn:
        restored = get_lead(conn, gone)
        calls = conn.execute(sa.select(table.c.outcome, table.c.at)).all()
    scoring = {"score", "fit_score", "engagement_score", "grade", "tier", "scored_at",
               "scored_model_id"}  # fmt: skip  # rescored once it is back
    assert {k: v for k, v in restored.items() if k not in scoring} == {
        k: v for k, v in original.items() if k not in scoring
    }
    assert calls == [("connected", CALL["at"])]
    assert values(db, "id") == [kept, gone]


def test_a_cancelled_bulk_edit_writes_nothing(db: Database, add_leads: AddLeads) -> None:
    add_leads([{}] * 5)
    job = apply_bulk(db, LeadFilter(), BulkAction("owner", "Ann"))
    next(job)
    next(job)
    job.close()
    assert values(db, "owner") == [None] * 5
    with db.read() as conn:
        assert last_undoable(conn) is None


@pytest.mark.parametrize(
    ("action", "message"),
    [(BulkAction("status", "won-ish"), "not a status"), (BulkAction("tag", " , "), "Type the tag")],
)
def test_a_wrong_value_is_refused_before_anything_changes(
    db: Database, action: BulkAction, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        run(apply_bulk(db, LeadFilter(), action))


@pytest.mark.parametrize(
    ("tags", "tag", "expected"),
    [
        (None, "vip", "vip"),
        ("vip", "VIP", "vip"),
        ("a, b", " c ", "a, b, c"),
        ("a,,b", "c", "a, b, c"),
    ],
)
def test_add_tag(tags: str | None, tag: str, expected: str) -> None:
    assert add_tag(tags, tag) == expected
