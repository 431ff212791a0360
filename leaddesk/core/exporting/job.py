"""The export job: leads or today's queue to a workbook (or CSV file) the user names.

A generator yielding progress, like every long job: the file is written beside the target
and moved over it only when complete, so a cancelled or failed export leaves an existing
file as it was. The chosen extension decides the format: ``.xlsx`` or ``.csv``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaddesk import __version__
from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError, LeadDeskError
from leaddesk.core.exporting.breakdown import SHEET_TITLE as BREAKDOWN_TITLE
from leaddesk.core.exporting.breakdown import Breakdown
from leaddesk.core.exporting.cells import FIELD_FORMATS, FORMATS, TextCleaner
from leaddesk.core.exporting.columns import ID_HEADER, LeadValues, widths
from leaddesk.core.exporting.csv_file import CsvWriter
from leaddesk.core.exporting.files import replacing
from leaddesk.core.exporting.lead_refs import ensure_database_tag, lead_ref
from leaddesk.core.exporting.source import Record, Source, What, open_source
from leaddesk.core.exporting.xlsx import SheetSpec, WorkbookWriter
from leaddesk.core.fields import Field
from leaddesk.core.leads import LeadFilter, load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.scoring.model import ScoringModel

SUFFIXES = (".xlsx", ".csv")


@dataclass
class ExportResult:
    """What an export wrote: the file, its rows, and what it had to change, in words."""

    path: Path
    rows: int
    warnings: list[str] = field(default_factory=list)


def export_xlsx(
    db: Database,
    path: Path,
    what: What = "leads",
    lead_filter: LeadFilter | None = None,
    *,
    order_by: Sequence[str] = ("score",),
    descending: bool = True,
    owner: str | None = None,
    queue_settings: QueueSettings | None = None,
    now: datetime | None = None,
) -> Job[ExportResult]:
    """Write leads (or today's queue) to ``path``: a workbook, or a CSV file for ``.csv``.

    Args:
        what: "leads" (those matching ``lead_filter``; a selection is ``LeadFilter(ids=…)``)
            or "queue" (today's queue of ``owner``, under ``queue_settings``, by default
            the team's).
        order_by, descending: the leads' order, as on the Leads page.
        now: the moment of the export, and of the queue (now when not given).
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInputError(
            f"Export writes .xlsx workbooks or .csv files; “{path.name}” is neither. "
            "Choose a name ending in .xlsx or .csv."
        )
    if what not in ("leads", "queue"):
        raise InvalidInputError(f"Unknown export “{what}”: choose leads or queue.")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with replacing(path) as temporary:
        tag = ensure_database_tag(db)
        with db.read() as conn:
            registry = load_registry(conn)
            values = LeadValues(registry)
            source = open_source(
                conn,
                registry,
                what,
                lead_filter or LeadFilter(),
                order_by,
                descending,
                owner,
                queue_settings,
                values.sql_columns(),
                now,
            )
            export = _Export(source, values, tag)
            if suffix == ".csv":
                yield from export.write_csv(temporary)
            else:
                yield from export.write_xlsx(conn, temporary, moment)
    return ExportResult(path, export.rows, export.warnings())


class _Export:
    """One export's rows: each record (a lead, with a queue's rank and reason) as values."""

    def __init__(self, source: Source, lead_values: LeadValues, tag: str) -> None:
        self.source = source
        self.tag = tag
        self.columns = lead_values.fields
        self.headers = [*source.extra_headers, ID_HEADER, *(f.label for f in self.columns)]
        self.lead_values = lead_values
        self.cleaner = TextCleaner()
        self.rows = 0
        self.notes: list[str] = []

    def ref(self, lead_id: int) -> str:
        return lead_ref(self.tag, lead_id)

    def values(self, page: list[Record]) -> list[list[Any]]:
        read, ref = self.lead_values, self.ref
        return [[*extra, ref(lead["id"]), *read(lead)] for extra, lead in page]

    def warnings(self) -> list[str]:
        return self.notes + self.cleaner.warnings()

    def write_csv(self, target: Path) -> Job[None]:
        total = self.source.total
        yield Progress(0, total, "Writing the CSV file…")
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = CsvWriter(handle, self.cleaner)
            writer.header(self.headers)
            for page in self.source.pages:
                writer.rows(self.values(page))
                self.rows += len(page)
                yield Progress(self.rows, total, "Writing the CSV file…")

    def write_xlsx(self, conn: Connection, target: Path, moment: datetime) -> Job[None]:
        from leaddesk.core.scoring.store import active_model

        total = self.source.total
        yield Progress(0, total, "Writing the workbook…")
        model_id, model = active_model(conn)
        breakdown = self._breakdown(conn, model, moment)
        pages = ((page, self.values(page)) for page in self.source.pages)
        first = next(pages, None)
        specs = self._sheets(first[1] if first else [], breakdown)
        # The breakdown repeats the leads' names: what was cleaned there is counted already.
        cleaners = [self.cleaner, TextCleaner()][: len(specs)]
        writer = WorkbookWriter(specs, target.parent, cleaners, _bands(model))
        try:
            for page, values in itertools.chain([first] if first else [], pages):
                writer.append(0, values)
                if breakdown is not None:
                    leads = [lead for _, lead in page]
                    writer.append(1, breakdown.rows(conn, leads, self.ref))
                self.rows += len(page)
                yield Progress(self.rows, total, "Writing the workbook…")
            parameters = self._parameters(model_id, model, moment, breakdown)
            yield from writer.save(target, parameters)
        finally:
            writer.close()

    def _sheets(self, first: list[list[Any]], breakdown: Breakdown | None) -> list[SheetSpec]:
        """The data sheets' layouts; the columns are as wide as the first page needs."""
        extra = [None for _ in self.source.extra_headers]
        specs = [
            SheetSpec(
                self.source.title,
                self.headers,
                widths(self.headers, first),
                [*extra, None, *(_number_format(f) for f in self.columns)],
                score_column=self.headers.index("Score"),
            )
        ]
        if breakdown is not None:
            rule_columns = [16.0 for _ in breakdown.points]  # their headers wrap
            specs.append(
                SheetSpec(
                    BREAKDOWN_TITLE,
                    breakdown.headers,
                    [18.0, 24.0, 9.0, 9.0, 11.0, *rule_columns],
                    [None] * len(breakdown.headers),
                    score_column=2,
                    wrap_header=True,
                )
            )
        return specs

    def _breakdown(
        self, conn: Connection, model: ScoringModel, moment: datetime
    ) -> Breakdown | None:
        try:
            return Breakdown(conn, model, moment)
        except LeadDeskError as exc:
            self.notes.append(f"The score breakdown sheet was left out: {exc}")
            return None

    def _parameters(
        self,
        model_id: int | None,
        model: ScoringModel,
        moment: datetime,
        breakdown: Breakdown | None,
    ) -> list[tuple[str, Any]]:
        source = self.source
        version = f"version {model_id}" if model_id is not None else "built in, never changed"
        rows: list[tuple[str, Any]] = [
            ("Exported (UTC)", moment.replace(tzinfo=None, microsecond=0)),
            ("Leads", source.leads_in_words),
            ("Order", source.order_in_words),
            ("Rows", self.rows),
            ("Scoring model", f"{model.name} ({version})"),
        ]
        if breakdown is not None:
            rows.append(("Points as of", f"{breakdown.moment:%Y-%m-%d} (start of day, UTC)"))
        rows += [
            (
                "Database",
                f"{self.tag}. The LeadDesk ID column (LD-{self.tag}-…) lets this database "
                "update these leads when the file is imported again; other databases "
                "ignore it.",
            ),
            ("LeadDesk version", __version__),
            ("Times", "Dates and times are in UTC."),
        ]
        rows += [("Warning", warning) for warning in self.warnings()]
        return rows


def _number_format(f: Field) -> str | None:
    if f.name in FIELD_FORMATS:
        return FIELD_FORMATS[f.name]
    return FORMATS.get(f.type) if f.type.is_numeric else None


def _bands(model: ScoringModel) -> tuple[float, float, float]:
    """The score colour scale: red at 0, yellow at the Warm tier, green at the Hot tier."""
    warm = model.tier_bands.get("Warm", 40.0)
    return 0.0, warm, max(model.tier_bands.get("Hot", 70.0), warm + 1)
