"""Reps and assignment rules: who owns the leads an import creates, and reassignment."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from leaddesk.core.assignment import (
    TeamSettings,
    load_team_settings,
    open_leads_by_owner,
    reassign,
    save_team_settings,
)
from leaddesk.core.bulk import last_undoable, undo_bulk
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.importing.history import undo_import
from leaddesk.core.importing.pipeline import ImportOptions, ImportReport, import_file
from leaddesk.core.progress import run
from leaddesk.core.schema import leads

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]  # the add_leads fixture (tests/core/conftest.py)
TEAM = ("Ana", "Ben", "Cy")


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    headers = ["Email", "Country", "Lead Owner"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, headers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def people(prefix: str, count: int, **values: str) -> list[dict[str, str]]:
    return [{"Email": f"{prefix}{i}@example.com", **values} for i in range(count)]


def do_import(db: Database, path: Path, **options: Any) -> ImportReport:
    return run(import_file(db, path, ImportOptions(**options)))


def save(db: Database, settings: TeamSettings) -> None:
    with db.write() as conn:
        save_team_settings(conn, settings)


def owners(db: Database, batch_id: int | None = None) -> list[str | None]:
    query = sa.select(leads.c.owner).order_by(leads.c.id)
    if batch_id is not None:
        query = query.where(leads.c.import_batch_id == batch_id)
    with db.read() as conn:
        return list(conn.execute(query).scalars())


def owners_by_email(db: Database) -> dict[str, str | None]:
    with db.read() as conn:
        return dict(conn.execute(sa.select(leads.c.email, leads.c.owner)).all())


# --- settings ------------------------------------------------------------------------------


def test_settings_round_trip_through_json_and_the_database(db: Database) -> None:
    settings = TeamSettings(TEAM, "territory", {"FR": "Ben", "DE": "Ana"}, fallback="Cy")
    assert TeamSettings.from_json(settings.to_json()) == settings
    assert settings.to_json()["territories"] == {"DE": "Ana", "FR": "Ben"}
    with db.read() as conn:
        assert load_team_settings(conn) == TeamSettings()  # nobody, as before
    save(db, settings)
    with db.read() as conn:
        assert load_team_settings(conn) == settings


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (TeamSettings(("Ana", "ana")), "“ana” is listed twice"),
        (TeamSettings(("",)), "Type the rep's name"),
        (TeamSettings(("x" * 81,)), "at most 80 characters"),
        (TeamSettings(mode="round_robin"), "Add the team's reps first"),
        (TeamSettings(TEAM, mode="by magic"), "not “by magic”"),
        (TeamSettings(TEAM, "territory", {"XX": "Ana"}), "“XX” is not a country code"),
        (TeamSettings(TEAM, "territory", {"DE": "Zoe"}), r"Leads from Germany \(DE\) go to “Zoe”"),
        (TeamSettings(TEAM, "territory", fallback="Zoe"), "other countries go to “Zoe”"),
    ],
)
def test_settings_a_user_cannot_save_say_what_to_change(
    db: Database, settings: TeamSettings, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        save(db, settings)


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ([], "not a JSON object"),
        ({"reps": "Ana"}, "list of names"),
        ({"reps": ["Ana"], "territories": {"DE": 3}}, "map country codes"),
        ({"reps": ["Ana"], "fallback": 3}, "must be a name"),
    ],
)
def test_settings_stored_wrongly_are_refused(stored: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        TeamSettings.from_json(stored)


def test_editing_the_team_keeps_the_territories_in_step() -> None:
    team = TeamSettings(TEAM, "territory", {"DE": "Ana", "FR": "Ben"}, fallback="Ana")
    renamed = team.renamed("Ana", "  Anna   Lee ")
    assert renamed.reps == ("Anna Lee", "Ben", "Cy")
    assert renamed.territories == {"DE": "Anna Lee", "FR": "Ben"}
    assert renamed.fallback == "Anna Lee"
    with pytest.raises(InvalidInputError, match="“ben” is one of the reps already"):
        team.renamed("Ana", "ben")
    with pytest.raises(InvalidInputError, match="one of the reps already"):
        team.with_rep("CY")
    removed = team.without_rep("Ana")
    assert (removed.reps, removed.territories, removed.fallback) == (
        ("Ben", "Cy"),
        {"FR": "Ben"},
        None,
    )
    assert removed.without_rep("Ben").without_rep("Cy").mode == "none"
    assert team.with_territory("DE", "Cy").territories == {"DE": "Cy", "FR": "Ben"}
    assert team.without_territory("DE").territories == {"FR": "Ben"}
    assert team.with_rep(" Dee ").reps == (*TEAM, "Dee")


# --- assigning imported leads ------------------------------------------------------------------


def test_nobody_is_the_default_and_leaves_owners_as_the_file_gives_them(
    db: Database, tmp_path: Path
) -> None:
    rows = [*people("a", 2), {"Email": "z@example.com", "Lead Owner": "Zoe"}]
    do_import(db, write_csv(tmp_path / "a.csv", rows))
    assert owners(db) == [None, None, "Zoe"]


def test_round_robin_stays_even_across_imports(db: Database, tmp_path: Path) -> None:
    save(db, TeamSettings(TEAM, "round_robin"))
    first = do_import(db, write_csv(tmp_path / "a.csv", people("a", 4)))
    assert owners(db, first.batch_id) == ["Ana", "Ben", "Cy", "Ana"]
    second = do_import(db, write_csv(tmp_path / "b.csv", people("b", 5)))
    assert owners(db, second.batch_id) == ["Ben", "Cy", "Ana", "Ben", "Cy"]
    assert Counter(owners(db)) == {"Ana": 3, "Ben": 3, "Cy": 3}


def test_rows_with_an_owner_keep_it_and_take_no_turn(db: Database, tmp_path: Path) -> None:
    save(db, TeamSettings(TEAM, "round_robin"))
    rows = people("a", 3)
    rows.insert(1, {"Email": "z@example.com", "Lead Owner": "Zoe"})
    do_import(db, write_csv(tmp_path / "a.csv", rows))
    assert owners(db) == ["Ana", "Zoe", "Ben", "Cy"]


def test_an_import_that_only_updates_assigns_nobody(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "a.csv", people("a", 2)))
    save(db, TeamSettings(TEAM, "round_robin"))
    do_import(db, write_csv(tmp_path / "b.csv", people("a", 2, Country="DE")))
    assert owners(db) == [None, None]  # existing leads keep their owner (here: nobody)


def test_territories_with_a_fallback_rep(db: Database, tmp_path: Path) -> None:
    save(db, TeamSettings(TEAM, "territory", {"DE": "Ana", "FR": "Ben"}, fallback="Cy"))
    rows = [
        {"Email": "de@example.com", "Country": "Germany"},
        {"Email": "fr@example.com", "Country": "FR"},
        {"Email": "us@example.com", "Country": "United States"},
        {"Email": "none@example.com"},
        {"Email": "own@example.com", "Country": "DE", "Lead Owner": "Zoe"},
    ]
    do_import(db, write_csv(tmp_path / "a.csv", rows))
    assert owners_by_email(db) == {
        "de@example.com": "Ana",
        "fr@example.com": "Ben",
        "us@example.com": "Cy",
        "none@example.com": "Cy",
        "own@example.com": "Zoe",
    }


def test_territories_deal_the_other_countries_in_turn(db: Database, tmp_path: Path) -> None:
    save(db, TeamSettings(TEAM, "territory", {"DE": "Ana"}))
    rows = [*people("us", 4, Country="US"), *people("de", 2, Country="DE")]
    do_import(db, write_csv(tmp_path / "a.csv", rows))
    assert owners(db) == ["Ana", "Ben", "Cy", "Ana", "Ana", "Ana"]
    do_import(db, write_csv(tmp_path / "b.csv", people("mx", 1, Country="MX")))
    assert owners(db)[-1] == "Ben"  # the turns go on from the last import


def test_turns_restart_from_the_first_rep_when_the_last_served_left(
    db: Database, tmp_path: Path
) -> None:
    save(db, TeamSettings(TEAM, "round_robin"))
    do_import(db, write_csv(tmp_path / "a.csv", people("a", 1)))  # Ana served last
    save(db, TeamSettings(("Ben", "Cy"), "round_robin"))
    second = do_import(db, write_csv(tmp_path / "b.csv", people("b", 3)))
    assert owners(db, second.batch_id) == ["Ben", "Cy", "Ben"]


def test_a_dry_run_or_a_cancelled_import_does_not_move_the_turns(
    db: Database, tmp_path: Path
) -> None:
    save(db, TeamSettings(TEAM, "round_robin"))
    do_import(db, write_csv(tmp_path / "dry.csv", people("d", 2)), dry_run=True)
    job = import_file(db, write_csv(tmp_path / "c.csv", people("c", 2)))
    for step in job:
        if step.message == "Saving leads":
            job.close()  # the user pressed Cancel once the leads were written
            break
    report = do_import(db, write_csv(tmp_path / "a.csv", people("a", 2)))
    assert owners(db, report.batch_id) == ["Ana", "Ben"]


def test_undoing_an_import_keeps_the_turns_where_they_were(db: Database, tmp_path: Path) -> None:
    save(db, TeamSettings(TEAM, "round_robin"))
    first = do_import(db, write_csv(tmp_path / "a.csv", people("a", 2)))
    assert first.batch_id is not None
    undo_import(db, first.batch_id)
    second = do_import(db, write_csv(tmp_path / "b.csv", people("b", 1)))
    assert owners(db, second.batch_id) == ["Cy"]  # turns are not given back: still even


# --- reassignment ------------------------------------------------------------------------------


def test_reassigning_moves_only_open_leads_and_can_be_undone(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads(
        [{"owner": "Ana"}, {"owner": "Ana", "status": "contacted"},
         {"owner": "Ana", "status": "won"}, {"owner": "Ben"}]
    )  # fmt: skip
    with db.read() as conn:
        assert open_leads_by_owner(conn) == [("Ana", 2), ("Ben", 1)]
    result = run(reassign(db, "Ana", "Cy", TeamSettings(TEAM), rep="manager"))
    assert (result.changed, result.summary) == (2, "Assigned 2 leads to Cy")
    assert owners(db) == ["Cy", "Cy", "Ana", "Ben"]
    with db.read() as conn:
        undoable = last_undoable(conn)
    assert undoable is not None
    assert undoable["id"] == result.edit_id  # what the Leads page's Ctrl+Z undoes
    undo_bulk(db, undoable["id"])
    assert owners(db) == ["Ana", "Ana", "Ana", "Ben"]


def test_reassigning_shares_the_leads_among_the_other_reps_in_turn(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"owner": "Ana"}] * 5 + [{"owner": "Ben"}])
    result = run(reassign(db, "Ana", None, TeamSettings(TEAM)))
    assert result.summary == "Assigned 5 leads in turn to Ben and Cy"
    assert owners(db) == ["Ben", "Cy", "Ben", "Cy", "Ben", "Ben"]
    assert result.edit_id is not None
    undo_bulk(db, result.edit_id)
    assert owners(db) == ["Ana"] * 5 + ["Ben"]


def test_unassigned_open_leads_can_be_shared_among_the_reps(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{}, {}, {}, {"owner": "Ana"}])
    with db.read() as conn:
        assert open_leads_by_owner(conn) == [("", 3), ("Ana", 1)]
    run(reassign(db, "", None, TeamSettings(TEAM)))
    assert owners(db) == ["Ana", "Ben", "Cy", "Ana"]


def test_reassigning_to_the_same_rep_or_to_nobody_left_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInputError, match="Ana's already"):
        reassign(db, "Ana", " Ana ", TeamSettings(TEAM))
    with pytest.raises(InvalidInputError, match="no other rep"):
        reassign(db, "Ana", None, TeamSettings(("Ana",)))
