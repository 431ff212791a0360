"""Issue 6: the Excel export of 100,000 sample leads, with the score breakdown sheet.

Copies the cached benchmark database (``--leads`` sample leads, three activities each; see
``common.bench_database``), scores it (not timed), then times ``export_xlsx`` of every lead to
a workbook (Leads, Score breakdown and Export sheets) and to a CSV file, and
``pandas.DataFrame.to_excel`` (openpyxl engine) writing the same rows and columns, read
beforehand (not timed). Targets: at most 12 s for 100,000 leads, and at least 1.6x faster
than pandas. Prints one JSON list of rows like the other benchmark scripts; needs the
``bench`` extra (pandas).

Usage: ``python benchmarks/bench_export.py [--leads N]``
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from common import bench_database, emit, peak_memory_mb, result

from leaddesk.core.db import Database
from leaddesk.core.exporting import ID_HEADER, export_xlsx
from leaddesk.core.exporting.columns import LeadValues
from leaddesk.core.exporting.lead_refs import database_tag, lead_ref
from leaddesk.core.leads import LeadFilter, lead_query, load_registry
from leaddesk.core.progress import run
from leaddesk.core.scoring.sql import rescore_job


def timed_export(db: Database, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    exported = run(export_xlsx(db, path))
    return time.perf_counter() - start, exported.rows


def pandas_frame(db: Database) -> Any:
    """The rows the export writes (its columns, in its order) as a DataFrame."""
    import pandas

    with db.read() as conn:
        values = LeadValues(load_registry(conn))
        tag = database_tag(conn) or ""
        rows = conn.execute(lead_query(LeadFilter())).mappings()
        data = [[lead_ref(tag, lead["id"]), *values(lead)] for lead in rows]
    return pandas.DataFrame(data, columns=[ID_HEADER, *(f.label for f in values.fields)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    n = parser.parse_args().leads
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        shutil.copy(bench_database(n), path)
        db = Database.open(path)
        run(rescore_job(db))
        xlsx_s, rows = timed_export(db, Path(folder) / "leads.xlsx")
        size_mb = (Path(folder) / "leads.xlsx").stat().st_size / 1024**2
        memory = peak_memory_mb()
        csv_s, _ = timed_export(db, Path(folder) / "leads.csv")
        frame = pandas_frame(db)
        start = time.perf_counter()
        frame.to_excel(Path(folder) / "pandas.xlsx", engine="openpyxl", index=False)
        pandas_s = time.perf_counter() - start
        db.close()
    speedup = pandas_s / xlsx_s
    scale = n / 100_000
    emit(
        [
            result(
                f"export_{n}_leads_xlsx_with_breakdown",
                xlsx_s,
                "s",
                "<= 12 (100k leads)",
                xlsx_s <= 12 * scale,
                rows=rows,
                file_mb=round(size_mb, 1),
                peak_memory_mb=round(memory),
            ),
            result(
                f"pandas_to_excel_{n}_leads_same_rows",
                pandas_s,
                "s",
                "-",
                True,
            ),
            result(
                "export_speedup_over_pandas",
                speedup,
                "x",
                ">= 1.6",
                speedup >= 1.6,
            ),
            result(f"export_{n}_leads_csv", csv_s, "s", "-", True),
        ]
    )


if __name__ == "__main__":
    main()
