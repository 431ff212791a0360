"""Import of a generated 100,000-row x 20-column workbook, end to end (issue 3: <= 10 s).

Usage: ``python benchmarks/bench_import.py [ROWS]``. Writes the workbook with openpyxl's
write-only mode into a temporary folder (not timed), then times ``import_file`` on a fresh
database (read, map, normalise, dedupe, write and score) in a process of its own, so its
peak memory is the import's alone, and the naive pandas path on the same workbook. Then
imports 10,000 rows, half of them leads already there, into a copy of the 1,000,000-lead
benchmark database: matching must cost the file, not the database. Prints a JSON table.
Needs the ``bench`` extra (pandas).
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from common import bench_database, emit, peak_memory_mb, result
from openpyxl import Workbook

from leaddesk.core.db import Database
from leaddesk.core.importing.pipeline import import_file
from leaddesk.core.progress import run
from leaddesk.core.schema import leads

HEADERS = [
    "First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Industry", "Website",
    "Country", "City", "State", "No. of Employees", "Annual Revenue", "Lead Source",
    "Lead Status", "Lead Owner", "Page Views", "Email Opens", "Last Activity Date", "Notes",
]  # fmt: skip
FIRST = ["Anna", "Ben", "Chloé", "David", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Müller", "Smith", "García", "Rossi", "Dubois", "Nowak", "Jensen", "Silva", "Khan"]
COUNTRIES = [("Germany", "DE", "30"), ("United States", "US", "212"), ("France", "FR", "1")]
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Finance", "Healthcare", "Logistics"]
TITLES = ["CEO", "Head of Sales", "Marketing Manager", "CTO", "Buyer", "Office Manager"]
SOURCES = ["Web form", "Trade show", "Referral", "Cold call", "LinkedIn"]
STATUSES = ["New", "Working", "Qualified", "Nurturing", "Closed Lost"]


def _phone(rng: random.Random, code: str, national: bool) -> str:
    if code == "US":
        area = rng.choice(["212", "312", "415", "617", "646", "702", "713", "917"])
        number = f"{area}{rng.randint(200, 999)}{rng.randint(1000, 9999)}"
        return f"({number[:3]}) {number[3:6]}-{number[6:]}" if national else f"+1{number}"
    if code == "DE":
        prefix = rng.choice(["151", "152", "160", "170", "171", "172", "176", "177", "179"])
        number = f"{prefix}{rng.randint(10_000_000, 99_999_999)}"
        return f"0{number[:3]} {number[3:]}" if national else f"+49 {number}"
    number = f"6{rng.randint(10, 89)}{rng.randint(100_000, 999_999)}"
    return f"0{number}" if national else f"+33 {number}"


def write_workbook(path: Path, rows: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(HEADERS)
    start = datetime(2025, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        country, code, _ = rng.choice(COUNTRIES)
        company = f"{rng.choice(LAST)} {rng.choice(['GmbH', 'Inc.', 'SARL', 'Ltd'])} {i % 5000}"
        sheet.append([
            first, last, f"{first}.{last}.{i}@example{i % 97}.com".lower(),
            _phone(rng, code, national=i % 3 == 0), company, rng.choice(TITLES),
            rng.choice(INDUSTRIES), f"www.company{i % 5000}.com", country,
            rng.choice(["Berlin", "New York", "Paris", "Munich", "Lyon"]), "",
            rng.choice([12, 50, 230, 1200, "51-200"]), rng.randint(100_000, 50_000_000),
            rng.choice(SOURCES), rng.choice(STATUSES), rng.choice(["Kim", "Lee", "Sam"]),
            rng.randint(0, 80), rng.randint(0, 30),
            start + timedelta(minutes=rng.randint(0, 10**6)),
            "Met at booth" if i % 7 == 0 else None,
        ])  # fmt: skip
    workbook.save(path)


def _cpu_seconds() -> float:
    """User and system time of this process and its finished children (the phone helper)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def naive_import(book: Path, db_path: Path) -> float:
    """The naive path issue 3 compares with: pandas reads the sheet with openpyxl and writes
    it as it is with ``to_sql`` (no mapping, normalising, dedupe or scoring)."""
    import pandas

    started = time.perf_counter()
    frame = pandas.read_excel(book, engine="openpyxl")
    with sqlite3.connect(db_path) as connection:
        frame.to_sql("raw", connection, index=False)
    return time.perf_counter() - started


def timed_import(book: Path, db_path: Path) -> dict[str, float]:
    """Run ``import_file`` in a child process; its time, CPU, peak memory and counts."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", str(book), str(db_path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output))


def child(book: Path, db_path: Path) -> None:
    db = Database.open(db_path)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    report = run(import_file(db, book))
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    db.close()
    phone_helper_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "seconds": seconds, "cpu_s": cpu, "main_mb": peak_memory_mb(),
        "phone_helper_mb": phone_helper_mb, "created": report.created,
        "updated": report.updated, "merged": report.merged, "rejected": len(report.rejected),
    }))  # fmt: skip


def existing_and_new(big_db: Path, book: Path, rows: int) -> None:
    """``rows`` leads: half are leads of ``big_db`` (by email, spread over it), half new."""
    engine = sa.create_engine(f"sqlite:///{big_db}")
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.max(leads.c.id))).scalar_one()
        step = total // (rows // 2)
        query = sa.select(leads.c.first_name, leads.c.last_name, leads.c.email).where(
            leads.c.id % step == 0
        )
        known = conn.execute(query.limit(rows // 2)).all()
    engine.dispose()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(["First Name", "Last Name", "Email", "Job Title"])
    for first, last, email in known:
        sheet.append([first, last, email, "Head of Sales"])
    for i in range(rows - len(known)):
        sheet.append(["New", f"Lead {i}", f"new.lead.{i}@example.org", "Buyer"])
    workbook.save(book)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "leads.xlsx"
        started = time.perf_counter()
        write_workbook(book, rows)
        generated = time.perf_counter() - started
        fresh = timed_import(book, Path(folder) / "bench.db")
        naive = naive_import(book, Path(folder) / "naive.db")
        big_copy = Path(folder) / "big.db"
        shutil.copyfile(bench_database(1_000_000), big_copy)
        existing_and_new(big_copy, Path(folder) / "mixed.xlsx", 10_000)
        into_big = timed_import(Path(folder) / "mixed.xlsx", big_copy)
    seconds = fresh["seconds"]
    memory = fresh["main_mb"] + fresh["phone_helper_mb"]
    emit(
        [
            result(
                f"import_{rows}_rows_x_{len(HEADERS)}_columns_xlsx",
                seconds,
                "s",
                "<= 10 (100k rows)",
                seconds <= 10 * rows / 100_000,
                created=fresh["created"],
                merged=fresh["merged"],
                rejected=fresh["rejected"],
                cpu_s=round(fresh["cpu_s"], 2),
                workbook_generation_s=round(generated, 2),
            ),
            result(
                "import_speedup_vs_pandas_read_excel_to_sql",
                naive / seconds,
                "x",
                ">= 3",
                naive / seconds >= 3,
                pandas_s=round(naive, 2),
            ),
            result(
                "import_peak_memory",
                memory,
                "MB",
                "< 1024",
                memory < 1024,
                main_process_mb=round(fresh["main_mb"]),
                phone_helper_mb=round(fresh["phone_helper_mb"]),
            ),
            result(
                "import_10k_rows_half_existing_into_1m_leads",
                into_big["seconds"],
                "s",
                "none (matching costs the file)",
                True,
                created=into_big["created"],
                updated=into_big["updated"],
            ),
        ]
    )


if __name__ == "__main__":
    main()
