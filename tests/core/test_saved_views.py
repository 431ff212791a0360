"""Saved views: shared in the database, starter views until the team saves its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.leads import LeadFilter, common_values
from leaddesk.core.saved_views import STARTER_VIEWS, SavedView, delete_view, load_views, save_view
from leaddesk.core.settings_store import write_setting

AddLeads = Callable[..., list[int]]  # the add_leads fixture (tests/core/conftest.py)


def test_a_new_database_offers_the_starter_views(db: Database) -> None:
    with db.read() as conn:
        assert load_views(conn) == list(STARTER_VIEWS)


def test_saving_replaces_a_view_of_the_same_name_and_deleting_removes_it(db: Database) -> None:
    mine = SavedView("My DACH", LeadFilter(countries=("DE", "AT", "CH")), "company", False)
    with db.write() as conn:
        save_view(conn, mine)
        save_view(conn, SavedView("my dach", LeadFilter(countries=("DE",))))
    with db.read() as conn:
        views = load_views(conn)
    assert [v.name for v in views][-1] == "my dach"
    assert views[-1].filter == LeadFilter(countries=("DE",))
    assert len(views) == len(STARTER_VIEWS) + 1
    with db.write() as conn:
        delete_view(conn, "my dach")
    with db.read() as conn:
        assert load_views(conn) == list(STARTER_VIEWS)


def test_a_damaged_view_does_not_hide_the_others(db: Database) -> None:
    with db.write() as conn:
        write_setting(conn, "leads.views", [{"nom": "x"}, SavedView("Ok").to_json()])
    with db.read() as conn:
        assert load_views(conn) == [SavedView("Ok")]


def test_a_view_needs_a_name(db: Database) -> None:
    with pytest.raises(InvalidInputError), db.write() as conn:
        save_view(conn, SavedView("  "))


def test_common_values_come_most_frequent_first(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"source": "Web"}, {"source": "Expo"}, {"source": "Web"}, {"source": ""}, {}])
    with db.read() as conn:
        assert common_values(conn, "source") == [("Web", 2), ("Expo", 1)]
