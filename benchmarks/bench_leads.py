"""Issue 6 at scale: the Leads page over 1,000,000 leads.

Times what a user waits for: the page's first paint (model, count, first page, painted
table), jumps deep into the table, a search by name, company, email and part of a phone
number (count and first page), and a filter; reports the process's peak memory after all of
it. Runs the real page offscreen. Prints one JSON list of rows.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_leads.py [--leads N]``
"""

from __future__ import annotations

import argparse
import os
import time

from common import bench_database, emit, peak_memory_mb, result

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from leaddesk.core.db import Database
from leaddesk.core.leads import LeadFilter
from leaddesk.ui.pages.leads_page import LeadsPage
from leaddesk.ui.preferences import Preferences

SEARCHES = ("smith", "driftwood", "gmail.com", "5551", "+1 201 555", "emma.smith9")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    n = parser.parse_args().leads
    path = bench_database(n)
    app = QApplication([])
    db = Database.open(path)
    with db.read() as conn:  # warm the file cache as any earlier use of the app would
        conn.exec_driver_sql("SELECT count(*) FROM leads").scalar()
    preferences = Preferences(QSettings("LeadDeskBench", "bench"))
    start = time.perf_counter()
    page = LeadsPage(db, preferences)
    page.resize(1280, 760)
    page.show()
    page.grab()
    first_paint = time.perf_counter() - start
    rows = []
    rows.append(result("Leads page first paint", first_paint * 1000, "ms", "< 150 ms",
                       first_paint < 0.150, leads=n))  # fmt: skip
    for row in (n // 2, n - 10):
        start = time.perf_counter()
        page.table.scrollTo(page.model.index(row, 0))
        page.grab()
        jump = time.perf_counter() - start
        rows.append(result(f"Jump to row {row:,} and paint", jump * 1000, "ms", "-", True))
    for text in SEARCHES:
        start = time.perf_counter()
        page.model.set_filter(LeadFilter(search=text))
        page.model.lead(0)
        took = time.perf_counter() - start
        rows.append(result(f"Search “{text}” (count + first page)", took * 1000, "ms",
                           "< 200 ms", took < 0.200, found=page.model.rowCount()))  # fmt: skip
    start = time.perf_counter()
    page.model.set_filter(LeadFilter(tiers=("Hot",), countries=("DE", "AT", "CH")))
    page.model.lead(0)
    took = time.perf_counter() - start
    rows.append(result("Filter Hot in DACH (count + first page)", took * 1000, "ms", "-", True,
                       found=page.model.rowCount()))  # fmt: skip
    memory = peak_memory_mb()
    rows.append(result("Peak process memory", memory, "MB", "< 300 MB", memory < 300))
    page.close()
    db.close()
    app.quit()
    emit(rows)


if __name__ == "__main__":
    main()
