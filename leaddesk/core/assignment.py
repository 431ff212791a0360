"""The team's reps, and who owns the leads an import creates.

Each lead has an owner (a rep's name). The team lists its reps and chooses how a new lead
gets one: nobody (the file's owner column decides, as before), the reps in turn, or by the
lead's country, with a rep or the reps in turn for the other countries. Turns continue from
one import to the next (the last rep served is stored), so the load stays even. These are
team settings, kept in the database like the queue's; which rep a user is stays their own
preference.

Reassignment moves one rep's open leads to another rep, or shares them among the others in
turn, as one bulk edit: the Leads page undoes it like any other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.bulk import BulkAction, BulkResult, apply_bulk
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import CLOSED_STATUSES, LEAD_STATUSES
from leaddesk.core.importing.countries import NAMES as COUNTRY_NAMES
from leaddesk.core.leads import LeadFilter
from leaddesk.core.progress import Job
from leaddesk.core.schema import leads
from leaddesk.core.settings_store import read_setting, settings_table, write_setting

SETTINGS_KEY = "team.settings"
LAST_SERVED_KEY = "team.last_served"
MODES = ("none", "round_robin", "territory")
OPEN_STATUSES = tuple(s for s in LEAD_STATUSES if s not in CLOSED_STATUSES)
MAX_NAME = 80  # as long as a claim's rep name may be


def country_label(code: str) -> str:
    """A country as people read it: "Germany (DE)"."""
    names = COUNTRY_NAMES.get(code)
    return f"{names[0]} ({code})" if names else code


def clean_name(name: str) -> str:
    """A rep's name as stored: spaces trimmed and single."""
    return " ".join(str(name).split())


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """The reps, and how the leads an import creates get an owner.

    Attributes:
        mode: "none" (nobody), "round_robin" (the reps in turn) or "territory".
        territories: country code -> rep, in territory mode.
        fallback: in territory mode, the rep of the other countries; None: the reps in turn.
    """

    reps: tuple[str, ...] = ()
    mode: str = "none"
    territories: Mapping[str, str] = field(default_factory=dict)
    fallback: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "reps": list(self.reps),
            "mode": self.mode,
            "territories": dict(sorted(self.territories.items())),
            "fallback": self.fallback,
        }

    @classmethod
    def from_json(cls, data: Any) -> TeamSettings:
        """Settings from their stored form; InvalidInputError says what is wrong."""
        if not isinstance(data, dict):
            raise InvalidInputError("The team settings are not a JSON object.")
        reps, territories = data.get("reps", []), data.get("territories", {})
        fallback = data.get("fallback")
        if not isinstance(reps, list) or not all(isinstance(r, str) for r in reps):
            raise InvalidInputError("The team's reps must be a list of names.")
        if not isinstance(territories, dict) or not all(
            isinstance(rep, str) for rep in territories.values()
        ):
            raise InvalidInputError("The territories must map country codes to reps' names.")
        if fallback is not None and not isinstance(fallback, str):
            raise InvalidInputError("The rep for other countries must be a name.")
        return cls(
            tuple(reps), str(data.get("mode", "none")), dict(territories), fallback
        ).validated()

    def validated(self) -> TeamSettings:
        """These settings, or InvalidInputError saying what to change."""
        seen: set[str] = set()
        for name in self.reps:
            _check_name(name)
            if name.casefold() in seen:
                raise InvalidInputError(f"“{name}” is listed twice. Each rep needs their own name.")
            seen.add(name.casefold())
        if self.mode not in MODES:
            raise InvalidInputError(
                f"New leads are assigned to nobody, in turn or by country, not “{self.mode}”."
            )
        if self.mode != "none" and not self.reps:
            raise InvalidInputError(
                "Add the team's reps first: there is nobody to assign new leads to."
            )
        for code, rep in self.territories.items():
            if code not in COUNTRY_NAMES:
                raise InvalidInputError(
                    f"“{code}” is not a country code LeadDesk knows; use one such as DE or US."
                )
            self._check_rep(rep, f"Leads from {country_label(code)}")
        if self.fallback is not None:
            self._check_rep(self.fallback, "Leads from other countries")
        return self

    def _check_rep(self, rep: str, whose: str) -> None:
        if rep not in self.reps:
            raise InvalidInputError(
                f"{whose} go to “{rep}”, who is not one of the reps. Add {rep} to the reps, "
                "or choose another rep."
            )

    # -- editing, as the Team card does it ----------------------------------------------------
    def with_rep(self, name: str) -> TeamSettings:
        """These settings with one more rep (InvalidInputError for a name that cannot be)."""
        name = _check_name(clean_name(name))
        if name.casefold() in {rep.casefold() for rep in self.reps}:
            raise InvalidInputError(f"“{name}” is one of the reps already.")
        return replace(self, reps=(*self.reps, name))

    def renamed(self, old: str, new: str) -> TeamSettings:
        """Rep ``old`` renamed ``new``, in the territories too (leads keep their owner's name
        until they are reassigned)."""
        new = _check_name(clean_name(new))
        others = {rep.casefold() for rep in self.reps if rep != old}
        if new.casefold() in others:
            raise InvalidInputError(f"“{new}” is one of the reps already.")

        def rename(rep: str) -> str:
            return new if rep == old else rep

        return replace(
            self,
            reps=tuple(rename(rep) for rep in self.reps),
            territories={code: rename(rep) for code, rep in self.territories.items()},
            fallback=None if self.fallback is None else rename(self.fallback),
        )

    def without_rep(self, name: str) -> TeamSettings:
        """Rep ``name`` taken off the team, with their territories; their leads keep them
        until they are reassigned. With no rep left, new leads go to nobody."""
        reps = tuple(rep for rep in self.reps if rep != name)
        return replace(
            self,
            reps=reps,
            mode=self.mode if reps else "none",
            territories={code: rep for code, rep in self.territories.items() if rep != name},
            fallback=None if self.fallback == name else self.fallback,
        )

    def with_territory(self, code: str, rep: str) -> TeamSettings:
        """Leads from country ``code`` go to ``rep`` (replacing the country's rep, if any)."""
        return replace(self, territories={**self.territories, code: rep})

    def without_territory(self, code: str) -> TeamSettings:
        return replace(
            self, territories={c: rep for c, rep in self.territories.items() if c != code}
        )


def _check_name(name: str) -> str:
    if not name.strip():
        raise InvalidInputError("Type the rep's name.")
    if len(name) > MAX_NAME:
        raise InvalidInputError(
            f"“{name[:20]}…” is too long for a rep's name: use at most {MAX_NAME} characters."
        )
    return name


def load_team_settings(conn: Connection) -> TeamSettings:
    """The team's settings, or the defaults (no reps, new leads to nobody) if none were saved."""
    stored = read_setting(conn, SETTINGS_KEY)
    return TeamSettings() if stored is None else TeamSettings.from_json(stored)


def save_team_settings(conn: Connection, settings: TeamSettings) -> None:
    """Store the team's settings (validated first: InvalidInputError says what to change)."""
    write_setting(conn, SETTINGS_KEY, settings.validated().to_json())


# -- assigning an import's new leads -----------------------------------------------------------


def assign_imported(conn: Connection, batch_id: int) -> int:
    """Give an owner, by the team's rules, to each lead import ``batch_id`` created without
    one; returns how many got one.

    Runs in the import's transaction, as a few UPDATE statements over the batch: undoing or
    failing the import takes the owners with it. A row that named its owner keeps it.
    """
    team = load_team_settings(conn)
    if team.mode == "none":
        return 0
    unowned = sa.and_(leads.c.import_batch_id == batch_id, leads.c.owner.is_(None))
    assigned = 0
    if team.mode == "territory":
        if team.territories:
            assigned += _by_country(conn, unowned, team.territories)
        if team.fallback is not None:
            update = leads.update().where(unowned).values(owner=team.fallback)
            return assigned + conn.execute(update).rowcount
    return assigned + _in_turn(conn, unowned, team.reps)


def _by_country(
    conn: Connection, unowned: sa.ColumnElement[bool], territories: Mapping[str, str]
) -> int:
    owner = sa.case(dict(territories), value=leads.c.country)
    update = leads.update().where(unowned, leads.c.country.in_(list(territories)))
    return conn.execute(update.values(owner=owner)).rowcount


def _in_turn(conn: Connection, unowned: sa.ColumnElement[bool], reps: tuple[str, ...]) -> int:
    """Deal the unowned leads to ``reps`` in turn, from the rep after the last one served."""
    turns = _turns_from(reps, _last_served(conn))
    numbered = (
        sa.select(leads.c.id, (sa.func.row_number().over(order_by=leads.c.id) - 1).label("turn"))
        .where(unowned)
        .subquery()
    )
    owner = sa.case(dict(enumerate(turns)), value=numbered.c.turn % len(turns))
    update = leads.update().where(leads.c.id == numbered.c.id).values(owner=owner)
    dealt = conn.execute(update).rowcount
    if dealt:
        write_setting(conn, LAST_SERVED_KEY, turns[(dealt - 1) % len(turns)])
    return int(dealt)


def _last_served(conn: Connection) -> str | None:
    """The rep the last import served last, locked until the import commits (PostgreSQL),
    so two imports at once do not deal from the same place."""
    query = sa.select(settings_table.c.value).where(settings_table.c.key == LAST_SERVED_KEY)
    value = conn.execute(query.with_for_update()).scalar()
    return value if isinstance(value, str) else None


def _turns_from(reps: tuple[str, ...], last: str | None) -> tuple[str, ...]:
    """The reps in their order, starting after ``last`` (from the first if they are gone)."""
    start = reps.index(last) + 1 if last in reps else 0
    return reps[start:] + reps[:start]


# -- reassignment ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InTurn(BulkAction):
    """The owner action with a different rep for each lead, in turn: a bulk edit that
    shares leads evenly among ``reps`` (undone like any other)."""

    reps: tuple[str, ...] = ()
    _turns: Iterator[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_turns", itertools.cycle(self.reps))

    def validated(self) -> InTurn:
        if not self.reps:
            raise InvalidInputError("There is no other rep to share the leads among.")
        return self

    def new_values(self, lead: sa.RowMapping) -> dict[str, Any]:
        owner = next(self._turns)
        return {} if lead["owner"] == owner else {"owner": owner}

    def describe(self, count: int) -> str:
        leads_ = f"{count:,} lead{'' if count == 1 else 's'}"
        if len(self.reps) == 1:
            return f"Assigned {leads_} to {self.reps[0]}"
        return f"Assigned {leads_} in turn to {', '.join(self.reps[:-1])} and {self.reps[-1]}"


def open_leads_by_owner(conn: Connection) -> list[tuple[str, int]]:
    """Each owner's number of open leads (not won, lost or disqualified), most first; ""
    stands for the leads nobody owns, as in ``LeadFilter.owners``."""
    owner, count = sa.func.coalesce(leads.c.owner, sa.literal_column("''")), sa.func.count()
    query = (
        sa.select(owner, count)
        .where(leads.c.status.in_(OPEN_STATUSES))
        .group_by(owner)
        .order_by(count.desc(), owner)
    )
    return [(str(name), int(n)) for name, n in conn.execute(query)]


def reassign(
    db: Database, owner: str, to: str | None, team: TeamSettings, *, rep: str | None = None
) -> Job[BulkResult]:
    """Move ``owner``'s open leads to rep ``to``, or with None share them among the team's
    other reps in turn: one bulk edit, made by ``rep``, that the Leads page can undo."""
    if to is not None and clean_name(to) == owner:
        raise InvalidInputError(f"The leads are {owner}'s already: choose another rep.")
    action = (
        BulkAction("owner", clean_name(to))
        if to is not None
        else InTurn("owner", reps=tuple(r for r in team.reps if r != owner)).validated()
    )
    return apply_bulk(db, LeadFilter(owners=(owner,), statuses=OPEN_STATUSES), action, rep)
