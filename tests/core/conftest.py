"""Fixtures for core tests: leads and activities inserted with Core, as the app does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from leaddesk.core.db import Database
from leaddesk.core.fields import STORED_FIELDS
from leaddesk.core.schema import Activity, leads

AddLeads = Callable[..., list[int]]

_DEFAULTS: dict[str, Any] = {f.name: None for f in STORED_FIELDS} | {
    "status": "new",
    "do_not_call": False,
    "do_not_email": False,
    "attempts": 0,
    "custom": {},
    "phone_valid": True,
    "snoozed_until": None,
    "phone_digits": None,
}


@pytest.fixture
def add_leads(db: Database) -> AddLeads:
    """Insert leads (dicts of the fields that matter to the test) and return their ids.

    ``activities=[(lead_index, {kind, outcome, at}), …]`` adds activities to those leads.
    """

    def add(
        rows: Sequence[dict[str, Any]],
        activities: Sequence[tuple[int, dict[str, Any]]] = (),
    ) -> list[int]:
        full = [_DEFAULTS | row for row in rows]
        with db.write() as conn:
            result = conn.execute(
                leads.insert().returning(leads.c.id, sort_by_parameter_order=True), full
            )
            ids = [r.id for r in result]
            if activities:
                table: sa.Table = Activity.__table__  # type: ignore[attr-defined]
                conn.execute(
                    table.insert(),
                    [
                        {"outcome": None, "rep": None, "note": None, **act, "lead_id": ids[index]}
                        for index, act in activities
                    ],
                )
        return ids

    return add
