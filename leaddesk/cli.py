"""The ``leaddesk`` command: the GUI with no sub-command, the same core functions without it.

Its commands and their ``--json`` output are a contract that scripts depend on. A problem of
the world prints one ``error: …`` line on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from leaddesk import __version__
from leaddesk.core.errors import InvalidInputError, LeadDeskError

if TYPE_CHECKING:
    from leaddesk.core.db import Database
    from leaddesk.core.progress import Job, Progress

T = TypeVar("T")
EXIT_WORLD = 2


class _Parser(argparse.ArgumentParser):
    """Bad arguments are a problem of the world too: one ``error:`` line, status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_WORLD, f"error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    from leaddesk.core.activities import Outcome
    from leaddesk.core.fields import LEAD_STATUSES, TIERS

    parser = _Parser(
        prog="leaddesk",
        description="LeadDesk: import, score and call your leads. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"LeadDesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="database file, or a team database's URL such as "
        "postgresql://user@host/db?sslmode=require (its password comes from the system keyring "
        "or PGPASSWORD, else it is asked for); default: $LEADDESK_DB or yours",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = commands.add_parser("import", help="import an Excel or CSV contact list")
    p.add_argument("file", type=Path)
    p.add_argument("--sheet", help="the worksheet to read (default: the first with contacts)")
    p.add_argument("--on-duplicate", choices=("skip", "update", "overwrite"), default="update")
    p.add_argument("--region", help="country code for phone numbers written without one (DE, US…)")
    p.add_argument(
        "--map", action="append", default=[], metavar="HEADER=FIELD", help="override a column"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("undo-import", help="remove what an import added or changed")
    p.add_argument("batch_id", type=int)

    p = commands.add_parser("leads", help="list leads")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.add_argument("--search", default="", help="name, email, company or part of a phone number")
    p.add_argument("--limit", type=_positive, default=None)

    p = commands.add_parser("score", help="rescore every lead with the active model")
    p.add_argument(
        "--full", action="store_true", help="recompute every lead even if scores are current"
    )
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("explain", help="the rules that gave a lead its score")
    p.add_argument("lead_id", type=int)
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("queue", help="today's call queue, best lead first")
    p.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--limit", type=_positive, default=50)
    p.add_argument("--owner", default=None, help="the rep whose queue (team mode)")
    p.add_argument("--why", type=int, metavar="LEAD_ID", help="why a lead is not in the queue")
    p.add_argument("--summary", action="store_true", help="calls made today, by outcome and hour")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("log", help="log the outcome of a call")
    p.add_argument("lead_id", type=int)
    p.add_argument("outcome", choices=[outcome.value for outcome in Outcome])
    p.add_argument("--note")
    p.add_argument("--at", type=_datetime, metavar="ISO_DATETIME")
    p.add_argument("--follow-up", type=_datetime, metavar="ISO_DATETIME")
    p.add_argument("--rep", help="who made the call")

    p = commands.add_parser(
        "export", help="export leads or today's queue to Excel (.xlsx) or CSV (.csv)"
    )
    p.add_argument("file", type=Path, help="the file to write; its extension chooses the format")
    p.add_argument("--what", choices=("leads", "queue"), default="leads")
    p.add_argument(
        "--search", default="", metavar="TEXT", help="name, email, company or part of a phone"
    )
    for flag, choices in (("--status", LEAD_STATUSES), ("--tier", TIERS)):
        p.add_argument(
            flag,
            nargs="+",
            action="extend",
            default=[],
            choices=choices,
            metavar=flag.strip("-").upper(),
            help="one or more of: " + ", ".join(choices),
        )
    p.add_argument(
        "--owner",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help='leads of these owners ("" for nobody\'s); with --what queue, whose queue',
    )

    p = commands.add_parser(
        "model", help="list, create, preview, compare, activate, export or import scoring models"
    )
    model = p.add_subparsers(
        dest="model_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    model.add_parser("list", help="list scoring model versions")
    m = model.add_parser("export", help="write the active model to a JSON file")
    m.add_argument("file", type=Path)
    m = model.add_parser("import", help="read a model from a JSON file as a draft")
    m.add_argument("file", type=Path)
    m.add_argument("--activate", action="store_true", help="activate it and rescore every lead")
    m = model.add_parser("new", help="store a template as a new draft model")
    m.add_argument("--template", required=True, metavar="NAME", help=_template_help())
    m.add_argument("--name", help="the draft's name (default: the template's)")
    m = model.add_parser("preview", help="what activating a model would change; writes nothing")
    m.add_argument("model_id", type=int, metavar="ID")
    m.add_argument("--json", action="store_true")
    m = model.add_parser("compare", help="the differences between two models, rule by rule")
    m.add_argument("old_id", type=int, metavar="A")
    m.add_argument("new_id", type=int, metavar="B")
    m = model.add_parser("activate", help="make a model the active one and rescore every lead")
    m.add_argument("model_id", type=int, metavar="ID")

    p = commands.add_parser("demo", help="add realistic sample leads")
    p.add_argument("--leads", type=_positive, default=500)

    p = commands.add_parser(
        "train", help="learn a predictive model from the leads whose outcome is known"
    )
    p.add_argument(
        "--target",
        metavar="FIELD",
        help="a yes/no field to predict, such as Converted (default: won versus lost)",
    )
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("backup", help="back up the database (safe while LeadDesk uses it)")
    p.add_argument(
        "file", type=Path, nargs="?", help="where to write it (default: the backup folder)"
    )
    p.add_argument("--list", action="store_true", help="list the database's backups instead")

    p = commands.add_parser("restore", help="put a backup in place of the database")
    p.add_argument("file", type=Path, help="the backup (see `leaddesk backup --list`)")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date like 2026-03-31") from None


def _datetime(text: str) -> datetime:
    """An ISO datetime; one without a time zone is taken in the computer's local time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a date and time like 2026-03-31T14:30"
        ) from None
    return (value if value.tzinfo else value.astimezone()).astimezone(UTC)


def main(argv: Sequence[str] | None = None) -> int:
    args_list, open_file = _split_open_file(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(args_list)
    if args.command is None:
        from leaddesk.ui.app import run_gui

        return run_gui(args.db, open_file)
    try:
        return COMMANDS[args.command](args)
    except LeadDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WORLD
    except KeyboardInterrupt:
        print("error: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``leaddesk leads --json | head``): stop quietly, as cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _split_open_file(args: list[str]) -> tuple[list[str], Path | None]:
    """``leaddesk [--db X] FILE.xlsx`` (a double-click on a spreadsheet) opens the import wizard."""
    from leaddesk.core.importing.readers import SPREADSHEET_SUFFIXES

    if args and args[-1].lower().endswith(SPREADSHEET_SUFFIXES) and not COMMANDS.keys() & set(args):
        return args[:-1], Path(args[-1])
    return args, None


def open_database(args: argparse.Namespace) -> Database:
    """The database of ``--db``; a team database's password is found, or asked on a terminal."""
    import getpass

    from leaddesk.core.credentials import open_location
    from leaddesk.paths import default_database

    def ask(prompt: str) -> str:
        try:
            return getpass.getpass(prompt)
        except EOFError:  # Ctrl-D: no password
            return ""

    warn_if_on_network_share(args.db or default_database())
    interactive = sys.stdin is not None and sys.stdin.isatty()
    return open_location(args.db or default_database(), ask if interactive else None)


def warn_if_on_network_share(location: str) -> None:
    """SQLite on a shared folder works until two computers write at once: say so first."""
    from leaddesk.core.storage_checks import network_share_warning

    if warning := network_share_warning(location):
        print(f"warning: {warning}", file=sys.stderr)


def drive(job: Job[T]) -> T:
    """Run a core job, with a progress line on a terminal."""
    from leaddesk.core.progress import run

    live = sys.stderr.isatty()

    def show(step: Progress) -> None:
        fraction = step.fraction
        percent = f"{fraction:4.0%}" if fraction is not None else "    "
        print(f"\r{percent} {step.message[:70]:<70}", end="", file=sys.stderr, flush=True)

    try:
        return run(job, show if live else None)
    finally:
        if live:
            print("\r" + " " * 76 + "\r", end="", file=sys.stderr, flush=True)


def emit_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


# --- commands ---------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from leaddesk.core.importing.mapping import parse_map_overrides
    from leaddesk.core.importing.pipeline import ImportOptions, import_file

    options = ImportOptions(
        sheet=args.sheet,
        on_duplicate=args.on_duplicate,
        region=args.region,
        mapping=parse_map_overrides(args.map),
        dry_run=args.dry_run,
    )
    db = open_database(args)
    report = drive(import_file(db, args.file, options))
    if args.json:
        emit_json(report.to_json())
        return 0
    verb = "Would import" if args.dry_run else "Imported"
    print(
        f"{verb} {args.file.name}: {report.created} new, {report.updated} updated, "
        f"{report.merged} merged, {report.skipped} skipped, {len(report.rejected)} rejected"
        + ("" if args.dry_run else f" (batch {report.batch_id}; undo with `undo-import`)")
    )
    for rejected in report.rejected:
        print(f"  row {rejected.row}: {rejected.reason}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    return 0


def cmd_undo_import(args: argparse.Namespace) -> int:
    from leaddesk.core.importing.history import undo_import

    summary = undo_import(open_database(args), args.batch_id)
    kept = summary["kept_later_edits"]
    removed = summary["custom_fields_removed"]
    print(
        f"Undid import {args.batch_id}: {summary['deleted']} lead(s) deleted, "
        f"{summary['restored']} restored"
        + (f" ({kept} kept the edits made after the import)" if kept else "")
        + (f"; custom fields removed: {', '.join(removed)}" if removed else "")
        + "."
    )
    return 0


def cmd_leads(args: argparse.Namespace) -> int:
    from leaddesk.core.leads import JSON_FIELDS, LeadFilter, display_name, lead_json, list_leads

    db = open_database(args)
    with db.read() as conn:
        rows = list_leads(conn, LeadFilter(search=args.search), limit=args.limit)
    if args.json:
        emit_json([lead_json(lead) for lead in rows])
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(JSON_FIELDS)
        for record in map(lead_json, rows):
            writer.writerow(
                json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                for v in record.values()
            )
    else:
        for lead in rows:
            score = "" if lead["score"] is None else f"{lead['score']:g}"
            company = (lead["company"] or "")[:26]
            print(
                f"{lead['id']:>7}  {display_name(lead)[:28]:<28}  {company:<26}"
                f"  {lead['phone'] or '':<16}  {score:>5} {lead['tier'] or '':<4}  {lead['status']}"
            )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from leaddesk.core.scoring.sql import rescore_job

    result = drive(rescore_job(open_database(args), full=args.full))
    if args.json:
        emit_json(result.to_json())
    elif result.up_to_date:
        print("Every score is already up to date. Use --full to recompute them anyway.")
    else:
        print(f"Scored {result.scored:,} leads; {result.changed:,} changed.")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from leaddesk.core.scoring.explain import explain_lead
    from leaddesk.core.scoring.predictive.predictions import explain_leads

    db = open_database(args)
    with db.read() as conn:
        explanation = explain_lead(conn, args.lead_id)
        prediction = explain_leads(conn, [args.lead_id]).get(args.lead_id)
    if args.json:
        emit_json(explanation.to_json() | {"prediction": prediction and prediction.to_json()})
        return 0
    print(
        f"Lead {explanation.lead_id}: score {explanation.score:g} "
        f"(fit {explanation.fit_score:g}, engagement {explanation.engagement_score:g}), "
        f"grade {explanation.grade}, {explanation.tier}"
    )
    for item in explanation.contributions:
        print(f"  {item.points:+6g}  {item.label}  [{item.group}]")
    if prediction is not None:
        print(f"Probability: {prediction.percent} ({prediction.target_label})")
        for factor in prediction.factors:
            print(f"  {factor.describe()}")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    from leaddesk.core.leads import display_name
    from leaddesk.core.queue import build_queue, day_progress, why_not_queued
    from leaddesk.core.queue_settings import load_queue_settings

    db = open_database(args)
    with db.read() as conn:
        settings = load_queue_settings(conn)
        if args.why is not None:
            reasons = why_not_queued(
                conn, args.why, day=args.date, owner=args.owner, settings=settings
            )
            _print_why(args, reasons)
            return 0
        if args.summary:
            progress = day_progress(conn, day=args.date, rep=args.owner, settings=settings)
            if args.json:
                emit_json(progress.to_json())
            else:
                print(
                    f"{progress.calls} of {progress.target} calls made; "
                    f"{progress.connects} connects, {progress.meetings} meetings."
                )
                for hour, calls in progress.by_hour.items():
                    print(f"  {hour:02d}:00  {'█' * calls} {calls}")
            return 0
        entries = build_queue(
            conn, day=args.date, owner=args.owner, limit=args.limit, settings=settings
        )
    if args.json:
        emit_json([entry.to_json() for entry in entries])
        return 0
    if not entries:
        print("Nobody to call: the queue is empty.")
    for entry in entries:
        lead = entry.lead
        print(
            f"{entry.rank:>3}. {display_name(lead)[:28]:<28} {lead['phone'] or '':<16} "
            f"{entry.reason}"
        )
    return 0


def _print_why(args: argparse.Namespace, reasons: list[str]) -> None:
    if args.json:
        emit_json({"lead_id": args.why, "queued": not reasons, "reasons": reasons})
    elif not reasons:
        print(
            f"Lead {args.why} is eligible: it is in the queue, "
            "or further down than the limit shows."
        )
    for reason in reasons:
        print(reason)


def cmd_log(args: argparse.Namespace) -> int:
    from leaddesk.core.activities import Outcome, log_outcome
    from leaddesk.core.queue_settings import load_queue_settings

    db = open_database(args)
    with db.read() as conn:
        settings = load_queue_settings(conn)
    logged = log_outcome(
        db,
        args.lead_id,
        Outcome(args.outcome),
        note=args.note,
        at=args.at,
        follow_up=args.follow_up,
        rep=args.rep,
        settings=settings,
    )
    follow = logged.lead.get("next_follow_up_at")
    print(
        f"Logged {args.outcome} for lead {args.lead_id}."
        + (f" Next follow-up: {follow:%Y-%m-%d %H:%M} UTC." if follow else "")
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from leaddesk.core.exporting import export_xlsx
    from leaddesk.core.leads import LeadFilter

    lead_filter = LeadFilter(
        search=args.search,
        statuses=tuple(args.status),
        tiers=tuple(args.tier),
        owners=tuple(args.owner),
    )
    owner = None
    if args.what == "queue":
        if args.search or args.status or args.tier or len(args.owner) > 1:
            raise InvalidInputError(
                "The queue is exported whole: --search, --status and --tier choose leads "
                "(--what leads), and --owner names one rep whose queue to export."
            )
        owner, lead_filter = (args.owner or [None])[0], LeadFilter()
    job = export_xlsx(open_database(args), args.file, args.what, lead_filter, owner=owner)
    result = drive(job)
    nouns = ("lead", "leads") if args.what == "leads" else ("queue entry", "queue entries")
    print(f"Exported {result.rows:,} {nouns[result.rows != 1]} to {result.path}.")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    actions: dict[str, Callable[[Database, argparse.Namespace], None]] = {
        "list": _model_list,
        "export": _model_export,
        "import": _model_import,
        "new": _model_new,
        "preview": _model_preview,
        "compare": _model_compare,
        "activate": _model_activate,
    }
    actions[args.model_command](open_database(args), args)
    return 0


def _template_help() -> str:
    from leaddesk.core.scoring.templates import TEMPLATES

    return "one of: " + ", ".join(TEMPLATES)


def _model_list(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.scoring import store

    with db.read() as conn:
        for record in store.list_models(conn):
            print(f"{record.id:>4}  {record.state:<9} {record.name}")


def _model_export(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.scoring import store

    with db.read() as conn:
        store.export_model_json(conn, args.file)
    print(f"Wrote the active model to {args.file}.")


def _model_import(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.scoring import store

    with db.write() as conn:
        model_id = store.import_model_json(conn, args.file)
    print(f"Imported {args.file.name} as draft model {model_id}.")
    if args.activate:
        result = drive(store.activate_model(db, model_id))
        print(f"Activated it: {result.changed} of {result.scored} leads changed score.")


def _model_new(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.scoring import store
    from leaddesk.core.scoring.templates import TEMPLATES

    make = TEMPLATES.get(args.template)
    if make is None:
        raise InvalidInputError(
            f"There is no model template called “{args.template}”. "
            f"Choose one of: {', '.join(TEMPLATES)}."
        )
    model = make()
    if args.name:
        model.name = args.name
    with db.write() as conn:
        model_id = store.save_model(conn, model, state="draft")
    print(
        f"Stored “{model.name}” as draft model {model_id}. "
        f"See its effect with `leaddesk model preview {model_id}`."
    )


def _model_preview(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.scoring import store
    from leaddesk.core.scoring.preview import preview_draft

    with db.read() as conn:
        draft = store.get_model(conn, args.model_id)
        result = preview_draft(conn, draft)
    if args.json:
        emit_json({"model_id": args.model_id, "name": draft.name, **result.to_json()})
        return
    print(f"If model {args.model_id} (“{draft.name}”) were active, of {result.leads:,} leads:")
    print(f"  {result.summary()}")
    print(
        f"  Sales-ready: {result.sales_ready_active:,} now (threshold "
        f"{result.threshold_active:g}), {result.sales_ready_draft:,} with this model "
        f"(threshold {result.threshold_draft:g})."
    )
    backtest = result.backtest
    if backtest.usable:
        print(
            f"  Backtest on {backtest.won:,} won and {backtest.lost:,} lost leads: ROC AUC "
            f"{_auc_text(backtest.auc_active)} now, {_auc_text(backtest.auc_draft)} with this "
            "model (1.0 ranks every won lead above every lost one; 0.5 is chance)."
        )
    else:
        print(
            f"  Backtest: needs leads both won and lost; there are {backtest.won:,} won "
            f"and {backtest.lost:,} lost."
        )


def _auc_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _model_compare(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.leads import load_registry
    from leaddesk.core.scoring import store
    from leaddesk.core.scoring.model import compare

    with db.read() as conn:
        old = store.get_model(conn, args.old_id)
        new = store.get_model(conn, args.new_id)
        lines = compare(old, new, load_registry(conn))
    for line in lines or ["No differences."]:
        print(line)


def _model_activate(db: Database, args: argparse.Namespace) -> None:
    from leaddesk.core.scoring import store

    with db.read() as conn:
        name = store.get_model(conn, args.model_id).name
    result = drive(store.activate_model(db, args.model_id))
    print(
        f"Activated model {args.model_id} (“{name}”) and rescored {result.scored:,} leads; "
        f"{result.changed:,} of them were updated."
    )


def cmd_train(args: argparse.Namespace) -> int:
    from leaddesk.core.scoring.predictive.training import train_job

    result = drive(train_job(open_database(args), args.target))
    m = result.metrics
    if args.json:
        emit_json({"model_id": result.model_id, **m})
        return 0
    top = m["lift_by_decile"][0]["share"]
    print(
        f"Trained a {m['model']} model on {m['n_train']:,} leads to predict "
        f"{m['target_label']} (model {result.model_id}, {m['features']} features, "
        f"{m['seconds']:g} s)."
    )
    print(
        f"On {m['n_test']:,} leads it never saw: ROC AUC {_auc_text(m['auc'])} "
        f"(the rule score: {_auc_text(m['rule_model_auc'])}), Brier score {m['brier']:.3f}."
    )
    print(f"The top 10% of leads by probability hold {top:.0%} of the outcomes.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from leaddesk.core.sample import load_sample

    db = open_database(args)
    count = drive(load_sample(db, args.leads))
    print(f"Added {count} sample leads to {db.describe()}.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from leaddesk.core.backups import back_up, backups_of, check_file
    from leaddesk.paths import backup_dir

    db = open_database(args)
    if db.path is None:
        raise InvalidInputError(
            "A team database is backed up by its server (pg_dump), not by LeadDesk."
        )
    if args.list:
        found = backups_of(db.path, backup_dir())
        for backup in found:
            print(f"{backup.path}  ({backup.describe()})")
        if not found:
            print(f"No backups of {db.path} yet in {backup_dir()}.")
        return 0
    if args.file is None:
        target = back_up(db, backup_dir(), "manual").path
    else:
        target = args.file.expanduser().resolve()
        if target.exists():
            raise InvalidInputError(f"{target} already exists. Choose a new file name.")
        db.backup(target)
        check_file(target)
    print(f"Backed up {db.path} to {target}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from leaddesk.core.backups import restore
    from leaddesk.core.db import to_url
    from leaddesk.paths import backup_dir, default_database

    url = to_url(args.db or default_database())
    if url.get_backend_name() != "sqlite" or not url.database:
        raise InvalidInputError("A team database is restored on its server, not by LeadDesk.")
    database, backup = Path(url.database), args.file.expanduser().resolve()
    if not backup.exists():
        raise InvalidInputError(f"{backup} does not exist. See `leaddesk backup --list`.")
    kept = restore(backup, database, backup_dir())
    print(f"Restored {database} from {backup}.")
    if kept is not None:
        print(f"The database as it was is kept in {kept}.")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": cmd_import,
    "undo-import": cmd_undo_import,
    "leads": cmd_leads,
    "score": cmd_score,
    "explain": cmd_explain,
    "queue": cmd_queue,
    "log": cmd_log,
    "export": cmd_export,
    "model": cmd_model,
    "demo": cmd_demo,
    "train": cmd_train,
    "backup": cmd_backup,
    "restore": cmd_restore,
}
