"""The command-line contract: commands, JSON shapes and exit statuses scripts rely on."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from leaddesk.cli import main
from leaddesk.core.leads import JSON_FIELDS


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``leaddesk --db <tmp> ARGS…`` in-process; returns (status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def contacts_workbook(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["First Name", "Last Name", "E-mail Address", "Phone", "Company", "Country"])
    sheet.append(["Ada", "Lovelace", " ADA@Example.com ", "+44 20 7946 0958", "Engines Ltd", "UK"])
    sheet.append(["Alan", "Turing", "alan@bletchley.example", "030 1234567", "Enigma", "Germany"])
    sheet.append(["Ada", "Lovelace", "ada@example.com", "", "Engines Ltd", "UK"])
    sheet.append(["", "", "not-an-email", "", "", ""])
    workbook.save(path)
    return path


def test_import_json_report_follows_the_contract(cli: Any, tmp_path: Path) -> None:
    status, out, _ = cli("import", str(contacts_workbook(tmp_path / "c.xlsx")), "--json")
    assert status == 0
    report = json.loads(out)
    for key in ("batch_id", "sheet", "header_row", "mapping", "rows_read", "created", "updated",
                "merged", "skipped", "rejected"):  # fmt: skip
        assert key in report
    assert report["header_row"] == 1
    assert report["rows_read"] == 4
    assert report["created"] == 2
    assert report["merged"] == 1
    assert [r["row"] for r in report["rejected"]] == [5]
    assert report["mapping"]["E-mail Address"] == "email"


def test_undo_import_says_what_it_did(cli: Any, tmp_path: Path) -> None:
    _, out, _ = cli("import", str(contacts_workbook(tmp_path / "c.xlsx")), "--json")
    status, out, _ = cli("undo-import", str(json.loads(out)["batch_id"]))
    assert status == 0
    assert out.startswith("Undid import 1: 2 lead(s) deleted, 0 restored")
    assert cli("leads", "--json")[1].strip() == "[]"


def test_leads_json_has_every_promised_field(cli: Any, tmp_path: Path) -> None:
    cli("import", str(contacts_workbook(tmp_path / "c.xlsx")))
    status, out, _ = cli("leads", "--json")
    assert status == 0
    rows = json.loads(out)
    assert len(rows) == 2
    assert all(set(JSON_FIELDS) <= set(row) for row in rows)
    ada = next(r for r in rows if r["first_name"] == "Ada")
    assert ada["email"] == "ada@example.com"
    assert ada["phone"] == "+442079460958"
    assert ada["phone_valid"] is True
    assert ada["country"] == "GB"
    assert isinstance(ada["custom"], dict)
    assert ada["score"] is not None


def test_leads_search_and_csv(cli: Any, tmp_path: Path) -> None:
    cli("import", str(contacts_workbook(tmp_path / "c.xlsx")))
    status, out, _ = cli("leads", "--csv", "--search", "7946")
    assert status == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("id,external_id,first_name")
    assert len(lines) == 2
    assert "Lovelace" in lines[1]


def test_demo_queue_log_explain_flow(cli: Any) -> None:
    assert cli("demo", "--leads", "60")[0] == 0
    status, out, _ = cli("queue", "--json", "--limit", "5")
    assert status == 0
    queue = json.loads(out)
    assert [e["rank"] for e in queue] == list(range(1, len(queue) + 1))
    assert queue
    assert all(e["reason"] for e in queue)
    first = queue[0]["lead_id"]

    status, out, _ = cli("explain", str(first), "--json")
    assert status == 0
    explanation = json.loads(out)
    assert explanation["lead_id"] == first
    total = sum(c["points"] for c in explanation["contributions"])
    assert total == pytest.approx(explanation["score"], abs=0.05)

    status, _, _ = cli(
        "log", str(first), "do-not-call", "--note", "asked us to stop", "--rep", "ann"
    )
    assert status == 0
    _, out, _ = cli("queue", "--json", "--limit", "50")
    assert first not in [e["lead_id"] for e in json.loads(out)]
    status, out, _ = cli("queue", "--why", str(first))
    assert status == 0
    assert "is not in the queue because it is marked do-not-call.\n" in out
    _, out, _ = cli("queue", "--summary", "--owner", "ann", "--json")
    summary = json.loads(out)
    assert (summary["calls"], summary["connects"], summary["target"]) == (1, 1, 50)


def test_score_reports_counts(cli: Any) -> None:
    cli("demo", "--leads", "30")
    status, out, _ = cli("score", "--json")
    assert status == 0
    assert json.loads(out) == {"scored": 30, "changed": 0, "up_to_date": False}
    _, out, _ = cli("score")  # nothing changed since: nothing to compute
    assert out == "Every score is already up to date. Use --full to recompute them anyway.\n"
    status, out, _ = cli("score", "--full", "--json")
    assert status == 0
    assert json.loads(out) == {"scored": 30, "changed": 0, "up_to_date": False}


def test_export_writes_a_workbook(cli: Any, tmp_path: Path) -> None:
    cli("demo", "--leads", "25")
    target = tmp_path / "out.xlsx"
    status, _, _ = cli("export", str(target))
    assert status == 0
    workbook = load_workbook(target, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert rows[0][0] == "LeadDesk ID"
    assert len(rows) == 26


def test_export_a_filtered_view_to_csv(cli: Any, tmp_path: Path) -> None:
    cli("demo", "--leads", "60")
    _, out, _ = cli("leads", "--json")
    leads = json.loads(out)
    wanted = [
        lead for lead in leads if lead["status"] in ("new", "contacted") and lead["tier"] == "Hot"
    ]
    assert 0 < len(wanted) < len(leads)
    target = tmp_path / "hot.csv"
    status, out, _ = cli("export", str(target), "--status", "new", "contacted", "--tier", "Hot")
    assert status == 0
    rows = list(csv.DictReader(target.read_text("utf-8-sig").splitlines()))
    assert out == f"Exported {len(wanted):,} lead{'s' * (len(wanted) != 1)} to {target}.\n"
    assert sorted(row["Email"] for row in rows) == sorted(lead["email"] for lead in wanted)
    assert {row["Status"] for row in rows} <= {"new", "contacted"}


def test_export_says_what_it_had_to_change(cli: Any, tmp_path: Path) -> None:
    cli("import", str(contacts_workbook(tmp_path / "c.xlsx")))
    connection = sqlite3.connect(tmp_path / "leads.db")
    with connection:
        connection.execute("UPDATE leads SET notes = 'bell\x07' WHERE id = 1")
    connection.close()
    status, out, _ = cli("export", str(tmp_path / "out.xlsx"), "--search", "ada")
    assert status == 0
    assert out.splitlines() == [
        f"Exported 1 lead to {tmp_path / 'out.xlsx'}.",
        "  warning: 1 cells held control characters Excel cannot store; they were removed.",
    ]


def test_export_of_the_queue_refuses_lead_filters(cli: Any, tmp_path: Path) -> None:
    status, _, err = cli("export", str(tmp_path / "q.xlsx"), "--what", "queue", "--tier", "Hot")
    assert status == 2
    assert err.startswith("error: The queue is exported whole")
    status, out, _ = cli("export", str(tmp_path / "q.xlsx"), "--what", "queue")
    assert status == 0
    assert out.startswith("Exported 0 queue entries to ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("explain", "999"), "no lead with id 999"),
        (("log", "999", "connected"), "no lead with id 999"),
        (("import", "missing.xlsx"), "missing.xlsx"),
        (("undo-import", "42"), "42"),
        (("train",), "Not enough outcomes to learn from yet: 0 won and 0 lost."),
        (("train", "--target", "Shoe size"), "“Shoe size” is not a field of this database"),
        (("restore", "missing.db"), "missing.db does not exist"),
    ],
)
def test_problems_of_the_world_exit_2_with_one_line(
    cli: Any, args: tuple[str, ...], message: str
) -> None:
    status, _, err = cli(*args)
    assert status == 2
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_broken_file_is_refused_and_nothing_written(cli: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
    status, _, err = cli("import", str(broken))
    assert status == 2
    assert err.startswith("error: ")
    assert json.loads(cli("leads", "--json")[1]) == []


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", str(tmp_path / "x.db"), "leads", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "pipe.db")
    subprocess.run([sys.executable, "-m", "leaddesk", "--db", db, "demo", "--leads", "300"],
                   check=True, capture_output=True)  # fmt: skip
    pipeline = subprocess.run(
        f"{sys.executable} -m leaddesk --db {db} leads --json | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pipeline.stdout == "[\n"
    assert "Traceback" not in pipeline.stderr


@pytest.mark.parametrize(
    "args", [("leads", "--limit", "0"), ("log", "1", "maybe"), ("queue", "--date", "2026-13-01")]
)
def test_bad_arguments_get_one_error_line_and_status_2(
    cli: Any, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli(*args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1


def test_csv_with_no_match_still_has_its_header(cli: Any) -> None:
    status, out, _ = cli("leads", "--csv", "--search", "nobody-is-called-this")
    assert status == 0
    assert out.strip().split(",") == list(JSON_FIELDS)


def test_model_new_preview_compare_and_activate(cli: Any) -> None:
    cli("demo", "--leads", "40")
    status, out, _ = cli("model", "new", "--template", "real-estate", "--name", "Homes")
    assert status == 0
    match = re.search(r"as draft model (\d+)\.", out)
    assert match is not None, out
    draft = match.group(1)
    active = next(line.split()[0] for line in cli("model", "list")[1].splitlines()
                  if " active " in line)  # fmt: skip

    status, out, _ = cli("model", "preview", draft, "--json")
    assert status == 0
    preview = json.loads(out)
    assert preview["model_id"] == int(draft)
    assert preview["name"] == "Homes"
    assert preview["leads"] == 40
    assert sum(preview["histogram"]["draft"]) == sum(preview["histogram"]["active"]) == 40
    assert preview["summary"].endswith(".")

    status, out, _ = cli("model", "preview", draft)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"If model {draft} (“Homes”) were active, of 40 leads:"
    assert lines[1].strip() == preview["summary"]
    assert lines[2].strip().startswith(f"Sales-ready: {preview['sales_ready_active']} now")
    assert "Backtest" in lines[3]

    status, out, _ = cli("model", "compare", active, draft)
    assert status == 0
    assert "Fit: added Referral, open house or website (+15)" in out
    assert "Fit: removed Decision maker (chief, founder, owner, president)" in out
    assert cli("model", "compare", draft, draft)[1] == "No differences.\n"

    status, out, _ = cli("model", "activate", draft)
    assert status == 0
    assert out.startswith(f"Activated model {draft} (“Homes”) and rescored 40 leads;")
    states = {line.split()[0]: line.split()[1] for line in cli("model", "list")[1].splitlines()}
    assert states[draft] == "active"
    assert states[active] == "archived"


def test_model_new_with_an_unknown_template_lists_the_names(cli: Any) -> None:
    status, out, err = cli("model", "new", "--template", "insurance")
    assert status == 2
    assert out == ""
    assert err.startswith("error: There is no model template called “insurance”.")
    assert "b2b-saas, ecommerce, real-estate, financial-services, support-tickets" in err
    assert len(err.strip().splitlines()) == 1
    assert cli("model", "list")[1] == ""


@pytest.mark.parametrize(
    "args",
    [
        ("model", "preview", "999"),
        ("model", "activate", "999"),
        ("model", "compare", "999", "998"),
    ],
)
def test_model_commands_refuse_an_unknown_id(cli: Any, args: tuple[str, ...]) -> None:
    status, _, err = cli(*args)
    assert status == 2
    assert err.startswith("error: There is no scoring model with id 99")
    assert len(err.strip().splitlines()) == 1


def test_train_reports_the_models_quality_as_json(cli: Any) -> None:
    assert cli("demo", "--leads", "500")[0] == 0
    status, out, _ = cli("train", "--json")
    assert status == 0
    result = json.loads(out)
    assert {"auc", "brier", "n_train", "n_test", "model", "lift_by_decile", "rule_model_auc"} <= (
        result.keys()
    )
    assert result["model"] in ("logistic regression", "boosted trees")
    assert len(result["lift_by_decile"]) == 10
    status, out, _ = cli("explain", "1")
    assert status == 0
    assert "Probability: " in out


def test_backup_list_and_restore(cli: Any, db_path: Path, tmp_path: Path) -> None:
    assert cli("demo", "--leads", "5")[0] == 0
    status, out, _ = cli("backup")
    assert status == 0
    backup = Path(out.split(" to ", 1)[1].strip().rstrip("."))
    assert backup.exists()
    status, out, _ = cli("backup", "--list")
    assert status == 0
    assert str(backup) in out
    assert "made by hand" in out
    assert cli("demo", "--leads", "5")[0] == 0
    status, out, _ = cli("restore", str(backup))
    assert status == 0
    assert f"Restored {db_path} from {backup}." in out
    assert "The database as it was is kept in " in out
    status, out, _ = cli("leads", "--json")
    assert len(json.loads(out)) == 5
    copy = tmp_path / "copy.db"
    assert cli("backup", str(copy))[0] == 0
    status, _, err = cli("backup", str(copy))
    assert status == 2
    assert "already exists" in err


# -- team databases: the password is found, asked on a terminal, or its absence explained ------
TEAM_URL = "postgresql://bob@db.example.com/leads?sslmode=require"


@pytest.fixture
def team_server(refusing_server: list[str | None]) -> Iterator[list[str | None]]:
    """The refusing team server, on a headless computer: no keyring."""
    from keyring.backends import fail
    from keyrings import install

    for _ in install(fail.Keyring()):  # the keyring in place while the test runs
        yield refusing_server


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_team_database_without_a_password_fails_with_one_clear_line(
    team_server: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(tty=False))
    assert main(["--db", TEAM_URL, "leads"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No password for bob@db.example.com:5432/leads. Set PGPASSWORD")
    assert len(err.strip().splitlines()) == 1
    assert team_server == [None]  # tried once as is (trust, .pgpass), never asked


def test_a_team_database_password_comes_from_pgpassword(
    team_server: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(tty=False))
    monkeypatch.setenv("PGPASSWORD", "right")
    assert main(["--db", TEAM_URL, "leads", "--json"]) == 0
    assert team_server == ["right"]


def test_on_a_terminal_the_password_is_asked(
    team_server: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "right"

    monkeypatch.setattr(sys, "stdin", _Terminal(tty=True))
    monkeypatch.setattr(getpass, "getpass", answer)
    assert main(["--db", TEAM_URL, "leads", "--json"]) == 0
    assert prompts == ["Password for bob@db.example.com:5432/leads: "]
    assert team_server == [None, "right"]
