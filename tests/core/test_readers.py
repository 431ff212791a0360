"""Reading files: formats by content, header rows, footers, encodings, and bad files."""

from __future__ import annotations

import contextlib
import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from leaddesk.core.errors import BadFileError
from leaddesk.core.importing import readers
from leaddesk.core.importing.readers import (
    SPREADSHEET_SUFFIXES,
    column_letter,
    decode_text,
    detect_format,
    find_header_row,
    list_sheets,
    read_table,
    sniff_delimiter,
)

Rows = list[list[object]]


def write_xlsx(path: Path, sheets: dict[str, Rows], merge: tuple[str, ...] = ()) -> Path:
    """A workbook with one worksheet per entry; ``merge`` ranges apply to the first sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, (name, rows) in enumerate(sheets.items()):
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in merge if index == 0 else ():
            sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_salesforce_style_report_with_title_filters_and_footer(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "report.xlsx",
        {
            "Report": [
                ["Open leads by owner"],
                ["Filtered By:", "Lead Status equals Open"],
                [],
                ["First Name", "Last Name", "Email", "Phone"],
                ["Anna", "Berg", "anna@example.com", 4915112345678],
                [],
                ["Ben", "Cole", "ben@example.com", "+1 646 555 1234"],
                [],
                ["Grand Totals (2 records)"],
                ["Confidential Information - Do Not Distribute"],
            ]
        },
    )
    table = read_table(path)
    assert table.sheet == "Report"
    assert table.header_row == 4
    assert table.headers == ["First Name", "Last Name", "Email", "Phone"]
    assert [number for number, _ in table.rows] == [5, 7]
    assert table.rows[0][1] == ["Anna", "Berg", "anna@example.com", 4915112345678.0]
    assert [number for number, _ in table.left_out] == [9, 10]


def test_totals_line_with_sums_is_left_out_but_a_company_called_total_is_kept(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {
            "S": [
                ["Company", "Email", "Employees"],
                ["Total Fitness GmbH", "info@total.example", 12],
                ["Total", None, 12],
            ]
        },
    )
    table = read_table(path)
    assert [n for n, _ in table.rows] == [2]
    assert [n for n, _ in table.left_out] == [3]


def test_trade_show_sheet_with_merged_title_and_merged_company(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "show.xlsx",
        {
            "Booth": [
                ["Visitors - Hannover Messe", None, None],
                ["Company", "Name", "Email"],
                ["Acme AG", "Anna Berg", "anna@acme.example"],
                [None, "Carl Diaz", "carl@acme.example"],
            ]
        },
        merge=("A1:C1", "A3:A4"),
    )
    table = read_table(path)
    assert table.header_row == 2
    assert [cells[0] for _, cells in table.rows] == ["Acme AG", "Acme AG"]


def test_first_sheet_with_contact_columns_is_chosen(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "Summary": [["Region", "Revenue"], ["North", 10]],
            "Contacts": [["Name", "E-mail address"], ["Anna Berg", "anna@example.com"]],
        },
    )
    assert list_sheets(path) == ["Summary", "Contacts"]
    assert read_table(path).sheet == "Contacts"
    assert read_table(path, sheet="Summary").headers == ["Region", "Revenue"]
    with pytest.raises(BadFileError, match="no sheet “Nope”"):
        read_table(path, sheet="Nope")


def test_blank_and_repeated_headers_get_names(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "h.xlsx", {"S": [["Email", None, "Email"], ["a@example.com", "x", "b@x.de"]]}
    )
    assert read_table(path).headers == ["Email", "Column B", "Email (2)"]
    assert column_letter(27) == "AB"


@pytest.mark.parametrize(
    ("rows", "header"),
    [
        ([["Report", "Q1"], [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], 0),
        ([["Report", "Q1"], ["Region", "Quarter", "Total"], list(range(8))], 1),
    ],
)
def test_no_text_row_as_wide_as_the_table_takes_the_widest(rows: Rows, header: int) -> None:
    """A short title above wider numbers once raised StopIteration (a crash in the import)."""
    assert find_header_row(rows, {}) == header


def test_numbers_under_a_short_title_read_as_a_table(tmp_path: Path) -> None:
    rows: Rows = [["Report", "Q1"], [1, 2, 3, 4], [5, 6, 7, 8]]
    table = read_table(write_xlsx(tmp_path / "r.xlsx", {"S": rows}))
    assert table.header_row == 1
    assert table.headers == ["Report", "Q1", "Column C", "Column D"]
    assert [number for number, _ in table.rows] == [2, 3]


@pytest.mark.parametrize("suffix", SPREADSHEET_SUFFIXES)
def test_every_offered_suffix_is_read(tmp_path: Path, suffix: str) -> None:
    """The suffixes the app offers (file dialogs, ``leaddesk FILE``) all open, by content."""
    path = tmp_path / f"leads{suffix}"
    if suffix in (".csv", ".tsv", ".txt"):
        path.write_text("Name\tEmail\nAnna\ta@x.de\n", encoding="utf-8")
    else:  # calamine goes by content when the name does not match the kind
        write_xlsx(path, {"S": [["Name", "Email"], ["Anna", "a@x.de"]]})
    table = read_table(path)
    assert table.headers == ["Name", "Email"]
    assert table.rows == [(2, ["Anna", "a@x.de"])]


def test_dates_and_numbers_keep_their_types(tmp_path: Path) -> None:
    when = datetime(2024, 5, 6, 7, 8)
    path = write_xlsx(tmp_path / "d.xlsx", {"S": [["Email", "Last activity"], ["a@x.de", when]]})
    assert read_table(path).rows[0][1][1] == when


def test_ods_is_read_by_content(tmp_path: Path) -> None:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Leads">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Email</text:p>'
        "</table:table-cell></table:table-row>"
        '<table:table-row><table:table-cell office:value-type="string">'
        "<text:p>ods@example.com</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path = tmp_path / "leads.xlsx"  # the wrong extension on purpose
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    assert detect_format(path) == "ods"
    table = read_table(path)
    assert table.headers == ["Email"]
    assert table.rows == [(2, ["ods@example.com"])]


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"Name,Email\nAnna,a@x.de\n", ","),
        ("\ufeffName;Email;Umsatz\nJörg;j@x.de;1.234,50\n".encode(), ";"),
        ("Name;Email\nJörg;j@x.de\n".encode("cp1252"), ";"),
        ("Name\tEmail\nAnna\ta@x.de\n".encode("utf-16"), "\t"),
        (b"Name|Email\nAnna|a@x.de\n", "|"),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, data: bytes, delimiter: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    assert detect_format(path) == "csv"
    assert sniff_delimiter(decode_text(data)) == delimiter
    table = read_table(path)
    assert table.headers[:2] == ["Name", "Email"]
    assert table.rows[0][0] == 2
    assert table.rows[0][1][0] in ("Anna", "Jörg")


def test_csv_quoted_newlines_count_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text('Name,Notes,Email\nAnna,"line 1\nline 2",a@x.de\nBen,,b@x.de\n')
    table = read_table(path)
    assert table.rows[0] == (2, ["Anna", "line 1\nline 2", "a@x.de"])
    assert table.rows[1][0] == 3


# --- bad files ---------------------------------------------------------------------------


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(BadFileError, match="empty"):
        read_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadFileError, match="does not exist"):
        read_table(tmp_path / "nope.csv")


def test_header_only_sheet_and_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", {"S": [[None]]})
    with pytest.raises(BadFileError, match=r"no rows|empty"):
        read_table(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (b"\x00\x01\x02\x03binary\x00junk" * 20, "not a spreadsheet"),
    ],
)
def test_not_a_spreadsheet(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(data)
    with pytest.raises(BadFileError, match=message):
        read_table(path)


def test_truncated_workbook(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", {"S": [["Email"], ["a@x.de"]]}).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(BadFileError, match="damaged or incomplete"):
        read_table(path)


def test_password_protected_workbook(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512)
    with pytest.raises(BadFileError, match="password"):
        read_table(path)


def test_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "bomb.xlsx",
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * 50 * 1024**2},
    )
    with pytest.raises(BadFileError, match="expand"):
        read_table(path)


def test_other_zip_archives(tmp_path: Path) -> None:
    with pytest.raises(BadFileError, match="Word document"):
        read_table(_zip(tmp_path / "a.xlsx", {"word/document.xml": b"<w/>"}))
    with pytest.raises(BadFileError, match="zip archive"):
        read_table(_zip(tmp_path / "b.xlsx", {"photo.jpg": b"\xff\xd8"}))


def test_xml_entity_expansion_does_not_blow_up(tmp_path: Path) -> None:
    """A billion-laughs shared-strings part: refused or read harmlessly, never expanded."""
    good = write_xlsx(tmp_path / "g.xlsx", {"S": [["Email"], ["a@x.de"]]})
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
            for i in range(1, 10)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    path = tmp_path / "lol.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = laughs.encode()
            target.writestr(item, data)
    try:
        table = read_table(path)
    except BadFileError:
        return
    assert all(len(str(c)) < 10_000 for _, row in table.rows for c in row)


# --- fuzzing: nothing but BadFileError, ever -----------------------------------------------


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_fuzzed_csv_text_never_raises_anything_else(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        table = read_table(path)
    except BadFileError:
        return
    assert all(len(cells) == len(table.headers) for _, cells in table.rows)


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("wb")
    rows: Rows = [["Name", "Email", "Phone"]] + [
        [f"Person {i}", f"p{i}@example.com", f"+49151{i:08d}"] for i in range(30)
    ]
    return write_xlsx(folder / "w.xlsx", {"Leads": rows}).read_bytes()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_mutated_xlsx_bytes_never_raise_anything_else(
    tmp_path: Path, workbook_bytes: bytes, data: st.DataObject
) -> None:
    buffer = bytearray(workbook_bytes)
    for _ in range(data.draw(st.integers(1, 12))):
        position = data.draw(st.integers(0, len(buffer) - 1))
        buffer[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(buffer) // 2, len(buffer)))
    path = tmp_path / "mutant.xlsx"
    path.write_bytes(bytes(buffer[:cut]))
    with contextlib.suppress(BadFileError):
        read_table(path)


def test_decode_text_falls_back_to_cp1252() -> None:
    assert decode_text("Müller".encode("cp1252")) == "Müller"
    assert decode_text(b"\xef\xbb\xbfA") == "A"
    assert decode_text(io.BytesIO(b"\x81").read()) == "\x81"


def test_a_stray_value_far_away_is_refused_before_the_reader_allocates_it(
    tmp_path: Path,
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["A2"], sheet["XFD1048576"] = "Email", "a@x.de", "oops"
    workbook.save(tmp_path / "sparse.xlsx")
    with pytest.raises(BadFileError, match="1,048,576 rows by 16,384 columns"):
        read_table(tmp_path / "sparse.xlsx")


def test_a_text_file_with_too_many_cells_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_CELLS", 1000)
    path = tmp_path / "huge.csv"
    path.write_text("Email,Name\n" + "a@x.de,Anna\n" * 600, encoding="utf-8")
    with pytest.raises(BadFileError, match="more than 1,000 cells"):
        read_table(path)
    path.write_text("Email,Name\n" + "a@x.de,Anna\n" * 400, encoding="utf-8")
    assert len(read_table(path).rows) == 400
