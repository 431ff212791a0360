"""Saved views of the Leads page: a named filter and sort the whole team shares.

They live in the database (``settings`` row ``leads.views``) so a view one rep saves is
there for the others in team mode. A new database starts with a few views that show what
views are for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.leads import LeadFilter
from leaddesk.core.settings_store import read_setting, write_setting

KEY = "leads.views"


@dataclass(frozen=True, slots=True)
class SavedView:
    name: str
    filter: LeadFilter = field(default_factory=LeadFilter)
    order_by: str = "score"
    descending: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "filter": self.filter.to_json(),
                "order_by": self.order_by, "descending": self.descending}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SavedView:
        return cls(
            str(data["name"]),
            LeadFilter.from_json(data.get("filter") or {}),
            str(data.get("order_by") or "score"),
            bool(data.get("descending", True)),
        )


_NOT_CALLED_THIS_WEEK = 7
STARTER_VIEWS = (
    SavedView("Hot leads", LeadFilter(tiers=("Hot",))),
    SavedView(
        "Sales-ready, not called this week",
        LeadFilter(sales_ready=True, not_contacted_days=_NOT_CALLED_THIS_WEEK),
    ),
    SavedView(
        "Hot leads in DACH not called this week",
        LeadFilter(
            tiers=("Hot",), countries=("DE", "AT", "CH"), not_contacted_days=_NOT_CALLED_THIS_WEEK
        ),
    ),
    SavedView("Follow-ups", LeadFilter(has_follow_up=True), "next_follow_up_at", False),
)


def load_views(conn: Connection) -> list[SavedView]:
    """The team's views; the starter views until the team saves its own."""
    stored = read_setting(conn, KEY)
    if not isinstance(stored, list):
        return list(STARTER_VIEWS)
    views = []
    for item in stored:
        try:
            views.append(SavedView.from_json(item))
        except (KeyError, TypeError, ValueError):
            continue  # one damaged view does not hide the others
    return views


def save_view(conn: Connection, view: SavedView) -> list[SavedView]:
    """Add ``view``, replacing a view of the same name (names compare without case)."""
    name = view.name.strip()
    if not name:
        raise InvalidInputError("Give the view a name.")
    views = [v for v in load_views(conn) if v.name.casefold() != name.casefold()]
    views.append(SavedView(name, view.filter, view.order_by, view.descending))
    write_setting(conn, KEY, [v.to_json() for v in views])
    return views


def delete_view(conn: Connection, name: str) -> list[SavedView]:
    views = [v for v in load_views(conn) if v.name != name]
    write_setting(conn, KEY, [v.to_json() for v in views])
    return views
