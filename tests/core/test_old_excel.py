"""Old ``.xls`` workbooks (Excel 97-2003) and the Mac 1904 date system, end to end.

xlwt writes real BIFF8 files, as Excel 2003 did; python-calamine reads them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import xlwt
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from leaddesk.core.db import Database
from leaddesk.core.exporting import export_xlsx
from leaddesk.core.importing.pipeline import ImportOptions, ImportReport, import_file
from leaddesk.core.importing.readers import detect_format, read_table
from leaddesk.core.progress import run
from leaddesk.core.schema import leads

EPOCH_1904 = date(1904, 1, 1)
DAY_FIRST = xlwt.easyxf(num_format_str="DD.MM.YYYY")


def do_import(db: Database, path: Path, **options: Any) -> ImportReport:
    return run(import_file(db, path, ImportOptions(**options)))


def stored(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sa.select(leads).order_by(leads.c.id)).mappings()]


def trade_show_xls(path: Path, dates_1904: bool = False) -> Path:
    """A hand-made trade-show sheet as an old .xls: a merged title, a blank row, a company
    merged over two rows, phones typed as numbers, and dates as real date cells."""
    book = xlwt.Workbook(encoding="utf-8")
    book.dates_1904 = dates_1904
    notes = book.add_sheet("Notes")
    notes.write(0, 0, "Bring more flyers next year")
    sheet = book.add_sheet("Visitors Messe 2024")
    sheet.write_merge(0, 0, 0, 4, "Besucher Hannover Messe 2024")
    for column, header in enumerate(["Name", "Firma", "Tel.", "E-Mail-Adresse", "Besucht am"]):
        sheet.write(2, column, header)
    visitors = [
        ("Jörg Weiß", 4915112345678.0, "joerg@weiss.de", date(2024, 4, 22)),
        ("Lena Ortiz", 15223456789.0, "LENA@weiss.de", date(2024, 4, 23)),
        ("Jörg Weiß", None, "joerg@weiss.de ", date(2024, 4, 24)),
    ]
    sheet.write_merge(3, 4, 1, 1, "Weiß Maschinenbau GmbH")
    sheet.write(5, 1, "Weiß Maschinenbau GmbH")
    for row, (name, phone, email, visited) in enumerate(visitors, start=3):
        sheet.write(row, 0, name)
        if phone is not None:
            sheet.write(row, 2, phone)
        sheet.write(row, 3, email)
        if dates_1904:  # xlwt writes 1900 serials whatever the flag: write the 1904 serial
            sheet.write(row, 4, (visited - EPOCH_1904).days, DAY_FIRST)
        else:
            sheet.write(row, 4, visited, DAY_FIRST)
    book.save(str(path))
    return path


@pytest.mark.parametrize("dates_1904", [False, True])
def test_old_trade_show_xls_imports_with_clean_values(
    db: Database, tmp_path: Path, dates_1904: bool
) -> None:
    path = trade_show_xls(tmp_path / "messe.xls", dates_1904)
    assert detect_format(path) == "xls"
    report = do_import(db, path, region="DE")
    assert report.sheet == "Visitors Messe 2024"  # the notes sheet has no contact columns
    assert report.header_row == 3
    assert report.mapping["Firma"] == "company"
    assert report.mapping["Tel."] == "phone"
    assert report.mapping["E-Mail-Adresse"] == "email"
    assert (report.rows_read, report.created, report.merged) == (3, 2, 1)
    joerg, lena = stored(db)
    assert (joerg["first_name"], joerg["last_name"]) == ("Jörg", "Weiß")
    assert joerg["company"] == lena["company"] == "Weiß Maschinenbau GmbH"  # the merged cell
    assert joerg["phone"] == "+4915112345678"  # a number Excel took the "+" from
    assert lena["phone"] == "+4915223456789"  # and one it took the trunk 0 from
    assert lena["email"] == "lena@weiss.de"
    visited = [lead["custom"]["besucht_am"] for lead in (joerg, lena)]
    assert visited == ["2024-04-22", "2024-04-23"]


def test_1904_dates_in_an_xlsx_are_read_as_written(tmp_path: Path) -> None:
    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["Email", "Last Activity Date"])
    sheet.append(["a@x.de", datetime(2024, 3, 5, 10, 30)])
    sheet["B2"].number_format = "yyyy-mm-dd hh:mm"
    book.save(tmp_path / "mac.xlsx")
    assert read_table(tmp_path / "mac.xlsx").rows == [(2, ["a@x.de", datetime(2024, 3, 5, 10, 30)])]


def test_1904_dates_reach_the_lead(db: Database, tmp_path: Path) -> None:
    book = xlwt.Workbook()
    book.dates_1904 = True
    sheet = book.add_sheet("Leads")
    sheet.write(0, 0, "Email")
    sheet.write(0, 1, "Last Activity Date")
    sheet.write(1, 0, "a@x.de")
    sheet.write(1, 1, (date(2024, 3, 5) - EPOCH_1904).days, DAY_FIRST)
    book.save(str(tmp_path / "mac.xls"))
    do_import(db, tmp_path / "mac.xls")
    assert stored(db)[0]["last_activity_at"] == datetime(2024, 3, 5, tzinfo=UTC)


def test_an_imported_date_column_exports_as_excel_dates(db: Database, tmp_path: Path) -> None:
    do_import(db, trade_show_xls(tmp_path / "messe.xls"), region="DE")
    run(export_xlsx(db, tmp_path / "out.xlsx"))
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    rows = {row[headers.index("Email")].value: row for row in sheet.iter_rows(min_row=2)}
    visited = rows["lena@weiss.de"][headers.index("Besucht am")]
    assert visited.is_date
    assert visited.value == datetime(2024, 4, 23)
