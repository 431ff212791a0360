"""Reading a spreadsheet file into header + rows, whatever shape people give it.

The file type is chosen by content (an ``.xls`` that is really CSV, an ``.xlsx`` that is really
a password-protected container), workbooks go through python-calamine, text files through
the standard library with encoding and delimiter detection (and without the apostrophe that
protects a cell starting like a formula, ``=1+1`` written ``'=1+1``). The header row is found by
itself, titles, "Filtered By:" lines, blank rows and totals/footers are left out, and every
row keeps its spreadsheet row number so problems can be reported where the user sees them.
Anything unreadable raises ``BadFileError`` with a message saying what to do; archives are
checked for absurd expansion before they are opened.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import python_calamine

from leaddesk.core.errors import BadFileError
from leaddesk.core.exporting.cells import unprotect_csv
from leaddesk.core.fields import FieldRegistry, header_key
from leaddesk.core.importing.normalize import clean_text

# The file names the app offers to import (file dialogs, drag and drop, ``leaddesk FILE``);
# the content still decides how a file is read.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".tsv", ".txt")
Cell = object
MAX_FILE_BYTES = 512 * 1024**2
MAX_UNCOMPRESSED_BYTES = 1024**3
MAX_RATIO = 200  # real workbooks compress 5-30x; zip bombs 1000x and more
# An import holds every cell in memory (about 200 bytes each, all steps included), so a
# table is refused above this: 250,000 rows of 20 columns, or a million rows of 5.
MAX_CELLS = 5_000_000
HEADER_SEARCH_ROWS = 30
IDENTITY_FIELDS = ("external_id", "email", "phone", "full_name", "first_name", "last_name")

_FOOTER = re.compile(  # used with .match: anchored at the start of the cell
    r"(grand\s+)?totals?\b|sub-?totals?\b|summe\b|gesamt|total général|confidential"
    r"|copyright|©|generated\b|filtered by|\(?\d+\s+records?\)?$|report (generated|run)"
    r"|page \d+|vertraulich|.*do not distribute",
    re.IGNORECASE,
)
# Files people pick by mistake: named so the message says what the file is instead.
_OTHER_FORMATS = ((b"%PDF", "a PDF document"), (b"\x89PNG", "an image"), (b"\xff\xd8", "an image"))
_PASSWORD_HINT = (
    "Remove the password in Excel (File ▸ Info ▸ Protect Workbook ▸ Encrypt with Password, "
    "clear it), save, and import again."
)


@dataclass(slots=True)
class SheetData:
    """One table read from a file.

    Attributes:
        header_row: 1-based spreadsheet row of the header.
        rows: (spreadsheet row number, cell values aligned with ``headers``); blank rows and
            footers are already left out.
        left_out: (row number, why) for lines that looked like totals or footers.
        sheets: every worksheet of the file (empty for CSV).
    """

    sheet: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    left_out: list[tuple[int, str]] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """``xlsx``, ``xlsb``, ``xls``, ``ods`` or ``csv``, from the file's bytes, not its name."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8192)
    except FileNotFoundError as exc:
        raise BadFileError(f"{path} does not exist. Check the name and folder.") from exc
    except OSError as exc:
        raise BadFileError(f"{path.name} cannot be read ({exc.strerror}).") from exc
    if size == 0 or not head.strip(b"\x00\t\r\n \xef\xbb\xbf"):
        raise BadFileError(f"{path.name} is empty. Choose the file that holds your contacts.")
    if size > MAX_FILE_BYTES:
        raise BadFileError(
            f"{path.name} is {size // 1024**2} MB, more than LeadDesk imports at once "
            f"({MAX_FILE_BYTES // 1024**2} MB). Split it into smaller files."
        )
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if _is_encrypted_ooxml(path):
            raise BadFileError(f"{path.name} is protected with a password. {_PASSWORD_HINT}")
        return "xls"
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise BadFileError(f"{path.name} is an empty or split archive, not a spreadsheet.")
    for magic, kind in _OTHER_FORMATS:
        if head.startswith(magic):
            raise BadFileError(
                f"{path.name} is {kind}, not a spreadsheet. "
                "Export the list from its program as .xlsx or .csv and import that."
            )
    return "csv"


_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError)


def _damaged(path: Path) -> BadFileError:
    return BadFileError(
        f"{path.name} is damaged or incomplete (perhaps the download or copy was cut off). "
        "Open it in Excel, save it again, and import the new copy."
    )


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except _DAMAGED_ZIP as exc:
        raise _damaged(path) from exc
    names = {info.filename for info in infos}
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise BadFileError(f"{path.name} is protected with a password. {_PASSWORD_HINT}")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (info.file_size > 1024**2 and ratio > MAX_RATIO) or total > MAX_UNCOMPRESSED_BYTES:
            raise BadFileError(
                f"{path.name} would expand to {total // 1024**2:,} MB or more when opened, "
                "far more than a contact list needs, so LeadDesk did not open it. "
                "If it is a real export, save it as .csv and import that."
            )
    if "xl/workbook.xml" in names:
        try:
            _check_sheet_areas(path, [i for i in infos if i.filename.startswith("xl/worksheets/")])
        except _DAMAGED_ZIP as exc:
            raise _damaged(path) from exc
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    kind = "a Word document" if "word/document.xml" in names else "a zip archive"
    raise BadFileError(
        f"{path.name} is {kind}, not a spreadsheet. Choose an .xlsx, .xls, .ods or .csv file."
    )


_FAR_COLUMN = re.compile(rb' r="([A-Z]{2,3})\d')
_ROW_NUMBER = re.compile(rb'<row [^>]*?r="(\d+)"')


def _check_sheet_areas(path: Path, sheets: list[zipfile.ZipInfo]) -> None:
    """Refuse a worksheet whose used area is absurd (a stray value in cell XFD1048576).

    The reader allocates every cell between A1 and the last used one before Python sees
    anything, so this is checked on the XML first: the last row tag and the widest column.
    """
    with zipfile.ZipFile(path) as archive:
        for info in sheets:
            last_row, last_column, tail = 0, 1, b""
            with archive.open(info) as stream:
                while chunk := stream.read(1024**2):
                    data = tail + chunk
                    rows = _ROW_NUMBER.findall(data[-4096:]) or _ROW_NUMBER.findall(data)
                    if rows:
                        last_row = max(last_row, int(rows[-1]))
                    for letters in set(_FAR_COLUMN.findall(data)):
                        last_column = max(last_column, _column_number(letters.decode()))
                    tail = data[-64:]
            if last_row * last_column > MAX_CELLS:
                raise BadFileError(
                    f"{path.name} has a sheet whose used area spans {last_row:,} rows by "
                    f"{last_column:,} columns, too large to import (often a stray value far "
                    "below or right of the table). Delete the unused rows and columns in Excel "
                    "(or copy the table into a new workbook), save, and import again."
                )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _is_encrypted_ooxml(path: Path) -> bool:
    """An OLE2 file holding an ``EncryptionInfo`` stream is an encrypted Office Open XML file."""
    marker = "EncryptionInfo".encode("utf-16-le")
    with path.open("rb") as handle:
        return marker in handle.read(1024**2)


def list_sheets(path: Path) -> list[str]:
    """The visible worksheets of a workbook, in order ([] for a CSV file)."""
    kind = detect_format(path)
    if kind == "csv":
        return []
    return _visible_sheets(_open_workbook(path, kind))


def read_table(
    path: Path, sheet: str | None = None, registry: FieldRegistry | None = None
) -> SheetData:
    """The table in ``path``: a CSV file, or one worksheet of a workbook.

    Without ``sheet``, the first worksheet whose header maps an email, phone, name or id
    column is taken (else the first that holds anything). ``registry`` helps recognise
    headers, custom fields included.
    """
    known = _known_header_keys(registry or FieldRegistry())
    kind = detect_format(path)
    if kind == "csv":
        return _table(_read_csv(path), None, [], known, [])
    workbook = _open_workbook(path, kind)
    sheets = _visible_sheets(workbook)
    if not sheets:
        raise BadFileError(f"{path.name} has no worksheets. Choose another file.")
    if sheet is not None and sheet not in sheets:
        raise BadFileError(
            f"{path.name} has no sheet “{sheet}”. Its sheets are: {', '.join(sheets)}."
        )
    fallback: SheetData | None = None
    for name in [sheet] if sheet is not None else sheets:
        grid, merged = _read_sheet(path, workbook, name)
        table = _table(grid, name, sheets, known, merged)
        if sheet is not None or _has_identity(table.headers, known):
            return table
        if fallback is None and table.rows:
            fallback = table
    if fallback is None:
        raise BadFileError(f"{path.name} holds no rows to import: every sheet is empty.")
    return fallback


def _known_header_keys(registry: FieldRegistry) -> dict[str, str]:
    return {key: f.name for f in registry.importable() for key in f.header_keys}


def _has_identity(headers: Iterable[str], known: dict[str, str]) -> bool:
    return any(known.get(header_key(h)) in IDENTITY_FIELDS for h in headers)


# --- workbooks ---------------------------------------------------------------------------

Merged = list[tuple[tuple[int, int], tuple[int, int]]]


_EXTENSIONS = {
    "xlsx": ("xlsx", "xlsm", "xltx", "xltm"),
    "xlsb": ("xlsb",),
    "xls": ("xls", "xla"),
    "ods": ("ods",),
}


def _open_workbook(path: Path, kind: str) -> python_calamine.CalamineWorkbook:
    try:
        if path.suffix.lower().lstrip(".") in _EXTENSIONS[kind]:
            return python_calamine.CalamineWorkbook.from_path(str(path))
        with path.open("rb") as handle:  # a misnamed file: let calamine go by content
            return python_calamine.CalamineWorkbook.from_filelike(handle)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the Rust reader panics as BaseException on some damage
        raise _workbook_error(path, kind, exc) from exc


def _workbook_error(path: Path, kind: str, exc: BaseException) -> BadFileError:
    text = str(exc).lower()
    if isinstance(exc, python_calamine.PasswordError) or "password" in text or "encrypt" in text:
        return BadFileError(f"{path.name} is protected with a password. {_PASSWORD_HINT}")
    return BadFileError(
        f"{path.name} looks like an {kind} workbook but cannot be read: it is damaged or "
        "incomplete. Open it in Excel or LibreOffice, save it again, and import the new copy."
    )


def _visible_sheets(workbook: python_calamine.CalamineWorkbook) -> list[str]:
    return [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        and meta.visible == python_calamine.SheetVisibleEnum.Visible
    ] or list(workbook.sheet_names)


def _read_sheet(
    path: Path, workbook: python_calamine.CalamineWorkbook, name: str
) -> tuple[list[list[Cell]], Merged]:
    try:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.total_height * max(sheet.total_width, 1) > MAX_CELLS:
            raise BadFileError(
                f"The sheet “{name}” of {path.name} spans {sheet.total_height:,} rows by "
                f"{sheet.total_width:,} columns, too many to import at once. "
                "Delete the unused area or split the sheet, then import again."
            )
        grid = cast(list[list[Cell]], sheet.to_python(skip_empty_area=False))
        merged: Merged = list(sheet.merged_cell_ranges or [])
    except BadFileError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the Rust reader panics as BaseException on some damage
        raise _workbook_error(path, "Excel", exc) from exc
    return grid, merged


# --- text files --------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t", "|")


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent number of fields."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = ",", (0, 0.0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        widths = widths[:50]
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (agreeing, width / 1000)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path) -> list[list[Cell]]:
    text = decode_text(path.read_bytes())
    if "\x00" in text:
        raise BadFileError(
            f"{path.name} is not a spreadsheet or text file LeadDesk can read. "
            "Choose an .xlsx, .xls, .ods or .csv file."
        )
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        rows: list[list[Cell]] = []
        cells = 0
        for row in reader:
            cells += len(row)
            if cells > MAX_CELLS:
                raise BadFileError(
                    f"{path.name} holds more than {MAX_CELLS:,} cells, too many to import at "
                    "once. Split it into smaller files and import them one after another."
                )
            if any(cell[:1] == "'" for cell in row):  # written with formula protection
                row = [unprotect_csv(cell) for cell in row]
            rows.append(list(row))
        return rows
    except csv.Error as exc:
        raise BadFileError(
            f"{path.name} is not a well-formed CSV file ({exc}). "
            "Open it in a spreadsheet program, save it as CSV again, and import that."
        ) from exc


# --- the table inside a grid ---------------------------------------------------------------


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Unanswered drop-downs and spreadsheet errors: no value, whatever column they are in.
PLACEHOLDERS = frozenset(
    {"select", "-- select --", "--select--", "please select", "n/a", "#n/a", "#ref!", "#value!"}
)
_LONGEST_PLACEHOLDER = max(map(len, PLACEHOLDERS))


def _cells(raw: list[Cell], ncols: int) -> list[Cell]:
    """A row as the pipeline expects it: ``ncols`` cells, blanks and placeholders None."""
    values = [
        value
        if value.__class__ is not str
        else (
            value
            if (text := value.strip())
            and (len(text) > _LONGEST_PLACEHOLDER or text.casefold() not in PLACEHOLDERS)
            else None
        )
        for value in raw[:ncols]
    ]
    values += [None] * (ncols - len(values))
    return values


def find_header_row(grid: list[list[Cell]], known: dict[str, str]) -> int:
    """The 0-based index of the header row among the first rows of ``grid``.

    A header is a row of text cells; the one naming most known fields wins, else the first
    row about as wide as the table, else the widest text row (a table without a real header:
    the columns it leaves blank get letter names, and the pipeline refuses the file if no
    column identifies a lead). Never a crash: that would be a traceback for the user.
    Single-cell titles and "Filtered By:" lines never do.
    """
    top = grid[:HEADER_SEARCH_ROWS]
    counts = [sum(not _blank(c) for c in row) for row in top]
    width = max(counts, default=0)
    candidates: list[tuple[int, int, int]] = []
    for index, row in enumerate(top):
        cells = [c for c in row if not _blank(c)]
        if not cells or (len(cells) < 2 <= width) or not all(isinstance(c, str) for c in cells):
            continue
        if _FOOTER.match(str(cells[0]).strip()):
            continue
        matches = sum(header_key(str(c)) in known for c in cells)
        candidates.append((index, matches, len(cells)))
    if not candidates:
        return next((i for i, n in enumerate(counts) if n), 0)
    most = max(matches for _, matches, _ in candidates)
    if most:
        return next(i for i, matches, _ in candidates if matches == most)
    widest = max(candidates, key=lambda candidate: candidate[2])[0]
    return next((i for i, _, n in candidates if n >= 0.6 * width), widest)


def _table(
    grid: list[list[Cell]],
    sheet: str | None,
    sheets: list[str],
    known: dict[str, str],
    merged: Merged,
) -> SheetData:
    if not any(any(not _blank(c) for c in row) for row in grid):
        where = f"The sheet “{sheet}”" if sheet else "The file"
        raise BadFileError(f"{where} is empty: there is no header row and no data to import.")
    _fill_merged(grid, merged)
    header_index = find_header_row(grid, known)
    body = grid[header_index + 1 :]
    header_cells = list(grid[header_index])
    ncols = _last_used_column(header_cells, body)
    headers = _headers(header_cells, ncols)
    rows: list[tuple[int, list[Cell]]] = []
    left_out: list[tuple[int, str]] = []
    for offset, raw in enumerate(body):
        number = header_index + offset + 2
        values = _cells(raw, ncols)
        if values.count(None) == ncols:
            continue
        first = values[0]
        if first is None or (isinstance(first, str) and _FOOTER.match(first.strip())):
            filled = [v for v in values if v is not None]
            if _is_footer(filled):
                left_out.append((number, f"“{clean_text(filled[0])}” looks like a total or footer"))
                continue
        rows.append((number, values))
    return SheetData(sheet, header_index + 1, headers, rows, left_out, sheets)


def _last_used_column(header: list[Cell], body: list[list[Cell]]) -> int:
    last = max((i + 1 for i, c in enumerate(header) if not _blank(c)), default=0)
    for row in body:
        for i in range(len(row) - 1, last - 1, -1):
            if not _blank(row[i]):
                last = i + 1
                break
    return last


def _fill_merged(grid: list[list[Cell]], merged: Merged) -> None:
    """Give every cell of a merged block the block's value, as the user sees it."""
    for (top, left), (bottom, right) in merged:
        if top >= len(grid) or (bottom - top + 1) * (right - left + 1) > 10_000:
            continue
        value = grid[top][left] if left < len(grid[top]) else None
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                if r == top and c == left:
                    continue
                if r == top and top < HEADER_SEARCH_ROWS and bottom == top:
                    continue  # a title spread over a row stays one cell, so it is no header
                row[c] = value


def _is_footer(filled: list[Cell]) -> bool:
    first = filled[0]
    if not isinstance(first, str) or not _FOOTER.match(first.strip()):
        return False
    rest = filled[1:]
    return len(rest) <= 1 or all(isinstance(v, int | float) for v in rest)


def _headers(cells: list[Cell], ncols: int) -> list[str]:
    """Header texts, with blanks named after their column letter and repeats numbered."""
    headers: list[str] = []
    seen: Counter[str] = Counter()
    for index in range(ncols):
        text = clean_text(cells[index]) if index < len(cells) else None
        text = " ".join(text.split()) if text else f"Column {column_letter(index)}"
        seen[text.casefold()] += 1
        if seen[text.casefold()] > 1:
            text = f"{text} ({seen[text.casefold()]})"
        headers.append(text)
    return headers


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
