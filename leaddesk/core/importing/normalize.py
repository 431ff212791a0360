"""Pure normalisers for imported values.

Each function takes a cell as a reader returns it (str, int, float, bool, date, datetime or
None) and returns the value LeadDesk stores, or None when there is nothing usable. They are
idempotent (normalising a normalised value changes nothing; a property test holds it), so a
re-import of an exported file stores the same values.
"""

from __future__ import annotations

import locale
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache

import phonenumbers

from leaddesk.core.fields import header_key, strip_accents
from leaddesk.core.importing.countries import NAMES

_DROP_CHARS = dict.fromkeys(
    [c for c in range(32) if c not in (9, 10)] + [127, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
)
_INTEGRAL_FLOAT = re.compile(r"^[+-]?\d+\.0+$")


def clean_text(value: object) -> str | None:
    """Text with stray whitespace and control characters removed, otherwise kept exactly.

    Numbers typed as numbers come back as Excel shows them (``660737.0`` -> ``"660737"``);
    newlines and Unicode are kept because names and notes need them.
    """
    if type(value) is str and value.isprintable():  # the common case, kept fast
        return value.strip() or None
    if value is None or isinstance(value, bool):
        return None if value is None else ("TRUE" if value else "FALSE")
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    elif isinstance(value, datetime | date | time):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_DROP_CHARS).strip()
    return text or None


# --- email -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"^[^\s@<>()\[\],;:\"\\]+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$", re.UNICODE
)
_ANGLE_EMAIL = re.compile(r"<([^<>\s]+@[^<>\s]+)>")


def normalize_email(value: object) -> str | None:
    """A trimmed, lower-cased email address, or None if the value is not a valid one."""
    text = clean_text(value)
    if text is None:
        return None
    angle = _ANGLE_EMAIL.search(text)
    if angle:
        text = angle.group(1)
    text = text.strip().lower()
    text = text.removeprefix("mailto:").strip(" .;,")
    local = text.partition("@")[0]
    if not _EMAIL.match(text) or ".." in text or local.startswith(".") or local.endswith("."):
        return None
    return text


# --- phone -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A phone as stored: E.164 when ``valid``, else the text as written (flagged).

    ``digits`` holds the international and the national digits, so a search for either
    way of writing the number finds the lead.
    """

    value: str
    valid: bool
    digits: str


def default_region() -> str | None:
    """The user's locale region (``en_US`` -> ``US``): where a number without + is from."""
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        return None
    _, _, region = name.partition("_")
    region = region[:2].upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def normalize_phone(value: object, region: str | None) -> PhoneResult | None:
    """A phone number in E.164, recovering what Excel did to numbers typed as numbers.

    A lost leading ``+`` or ``00`` (``4915112345678``), a lost trunk ``0`` and floats such as
    ``4915112345678.0`` are repaired; a number that cannot be made valid is kept as written
    with ``valid=False`` rather than dropped.
    """
    text = clean_text(value)
    if text is None:
        return None
    if _INTEGRAL_FLOAT.match(text):
        text = text.partition(".")[0]
    return _phone(text.removeprefix("tel:").strip(), region)


def normalize_phones(items: Sequence[tuple[object, str | None]]) -> list[PhoneResult | None]:
    """``normalize_phone`` over (value, region) pairs: one call for a whole column, so it
    can run in another process."""
    return [normalize_phone(value, region) for value, region in items]


@lru_cache(maxsize=200_000)
def _phone(text: str, region: str | None) -> PhoneResult:
    digits = re.sub(r"\D", "", text)
    candidates = [text]
    if text[:1] != "+" and digits and re.fullmatch(r"[\d\s().\-/]+", text):
        if digits.startswith("00"):
            candidates.append("+" + digits[2:])
        elif digits[0] != "0":
            code = str(phonenumbers.country_code_for_region(region or ""))
            # 4915112345678 in a German row lost its +: try that before reading it as national.
            candidates.insert(0 if digits.startswith(code) and text == digits else 1, "+" + digits)
            candidates.append("0" + digits)
    for candidate in candidates:
        number = _parse(candidate, region)
        if number is not None:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            national = phonenumbers.national_significant_number(number)
            return PhoneResult(e164, True, f"{e164[1:]} {_trunk(number, region)}{national}")
    return PhoneResult(text, False, digits[:40])


def _same_country(number: phonenumbers.PhoneNumber, region: str | None) -> bool:
    return region is not None and number.country_code == phonenumbers.country_code_for_region(
        region
    )


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """A valid number or None; checking against the row's region first is much cheaper
    than the general check, which walks every region of a shared code such as +1."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if (
        region is not None
        and _same_country(number, region)
        and phonenumbers.is_valid_number_for_region(number, region)
    ):
        return number
    return number if phonenumbers.is_valid_number(number) else None


def _trunk(number: phonenumbers.PhoneNumber, region: str | None) -> str:
    """The national prefix people dial at home (``0`` in most of Europe), for search."""
    if not _same_country(number, region):
        return ""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region or "")
    return (metadata.national_prefix or "") if metadata is not None else ""


# --- country -----------------------------------------------------------------------------

_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "america": "US", "unitedstatesofamerica": "US",
    "uk": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northernireland": "GB", "britain": "GB", "uae": "AE", "holland": "NL",
    "czechia": "CZ", "turkiye": "TR", "southkorea": "KR", "korea": "KR", "russia": "RU",
    "deu": "DE", "fra": "FR", "esp": "ES", "ita": "IT", "nld": "NL", "bel": "BE", "aut": "AT",
    "che": "CH", "pol": "PL", "swe": "SE", "nor": "NO", "dnk": "DK", "fin": "FI", "irl": "IE",
    "prt": "PT", "gbr": "GB", "can": "CA", "aus": "AU", "nzl": "NZ", "ind": "IN", "chn": "CN",
    "jpn": "JP", "bra": "BR", "mex": "MX", "zaf": "ZA", "are": "AE", "sgp": "SG", "hkg": "HK",
    "kor": "KR", "rus": "RU", "cze": "CZ", "tur": "TR", "isr": "IL", "arg": "AR", "chl": "CL",
    "col": "CO", "per": "PE", "lux": "LU", "grc": "GR", "hun": "HU", "rou": "RO", "ukr": "UA",
    "el": "GR", "schweiz": "CH", "suisse": "CH", "osterreich": "AT", "espana": "ES",
}  # fmt: skip


@cache
def _country_names() -> dict[str, str]:
    """Folded country names in several languages -> ISO code (English names win)."""
    names: dict[str, str] = {}
    for position in range(max(len(n) for n in NAMES.values())):
        for code, spellings in NAMES.items():
            if position < len(spellings) and (key := header_key(spellings[position])):
                names.setdefault(key, code)
    names.update(_COUNTRY_ALIASES)
    return names


def normalize_country(value: object) -> str | None:
    """An ISO 3166 alpha-2 code from a code, alias or country name (None if unknown)."""
    text = clean_text(value)
    if text is None:
        return None
    if len(text) == 2 and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    return _country_names().get(header_key(text))


# --- numbers, booleans, dates --------------------------------------------------------------

_RANGE = re.compile(r"^(\d[\d.,'\s]*?)\s*(?:-|\u2013|\u2014|to|bis|à|a)\s*(\d[\d.,'\s]*)$")
_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "mio": 1e6, "bn": 1e9, "b": 1e9, "mrd": 1e9}
_NUMBER_NOISE = re.compile(r"[€$£¥%+<>≥≤~\s'\u2019_]|(?i:eur|usd|gbp|chf|ca\.?|approx\.?)")


def parse_number(value: object, decimal_comma: bool | None = None) -> float | None:
    """A number from a cell: ``1.234.567,89``, ``$1,200``, ``5M``, ranges such as ``51-200``
    (their midpoint, so scoring rules can compare it).

    Args:
        decimal_comma: True when the column writes decimals with a comma, False with a
            point, None to decide from the value itself.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    text = clean_text(value)
    if text is None:
        return None
    text = text.lower()
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()-")
    ranged = _RANGE.match(text)
    if ranged:
        low = parse_number(ranged.group(1), decimal_comma)
        high = parse_number(ranged.group(2), decimal_comma)
        if low is None or high is None:
            return None
        return (low + high) / 2
    multiplier = 1.0
    suffix = re.search(r"(?<=[\d\s])(k|mm|m|mio|bn|b|mrd)\.?$", text)
    if suffix:
        multiplier = _SUFFIX[suffix.group(1)]
        text = text[: suffix.start()]
    text = _NUMBER_NOISE.sub("", text)
    text = _decimal_point(text, decimal_comma)
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        return None
    number = float(text) * multiplier
    return -number if negative else number


def _decimal_point(text: str, decimal_comma: bool | None) -> str:
    """``text`` with thousands separators removed and a point as decimal mark."""
    if "," in text and "." in text:
        decimal_comma = text.rfind(",") > text.rfind(".")
    elif decimal_comma is None:
        if "," in text:
            decimal_comma = not re.fullmatch(r"\d{1,3}(,\d{3})+", text)
        else:
            decimal_comma = bool(re.fullmatch(r"\d{1,3}(\.\d{3}){2,}", text))
    if decimal_comma:
        return text.replace(".", "").replace(",", ".")
    return text.replace(",", "")


_TRUE = frozenset(
    {"yes", "y", "true", "t", "1", "x", "ja", "j", "oui", "si", "sí", "wahr", "vrai", "on", "✓"}
)
_FALSE = frozenset({"no", "n", "false", "f", "0", "nein", "non", "falsch", "faux", "off", ""})


def parse_bool(value: object) -> bool | None:
    """True/False from yes/no, true/false, 1/0, x, ja/nein, oui/non, sí/no; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if value not in (0, 1) else bool(value)
    text = clean_text(value)
    if text is None:
        return None
    text = text.casefold()
    if text in _TRUE:
        return True
    return False if text in _FALSE else None


_EXCEL_EPOCH = {0: datetime(1899, 12, 30, tzinfo=UTC), 1: datetime(1904, 1, 1, tzinfo=UTC)}
_NUMERIC_DATE = re.compile(
    r"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?)?$",
    re.IGNORECASE,
)
_TEXT_DATE_FORMATS = (
    "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y",
    "%d. %B %Y", "%d. %b %Y", "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p",
)  # fmt: skip


def parse_datetime(
    value: object, *, dayfirst: bool | None = None, datemode: int = 0
) -> datetime | None:
    """A timezone-aware UTC datetime from a cell: datetimes, Excel serial numbers, ISO text,
    ``dd.mm.yyyy``, ``dd/mm/yyyy`` or ``mm/dd/yyyy`` (``dayfirst`` decides when the value
    itself cannot; the pipeline decides it once per column), and ``Jan 5, 2024``.

    Naive values are taken as UTC: a spreadsheet keeps no time zone.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not (0 < value < 2_958_466):
            return None
        return _EXCEL_EPOCH[datemode] + timedelta(days=float(value))
    text = clean_text(value)
    if text is None:
        return None
    try:
        return parse_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    match = _NUMERIC_DATE.match(text)
    if match:
        return _numeric_date(match, dayfirst)
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _numeric_date(match: re.Match[str], dayfirst: bool | None) -> datetime | None:
    first, sep, second, third, hour, minute, sec, ampm = match.groups()
    if len(first) == 4:
        year, month, day = int(first), int(second), int(third)
    else:
        a, b = int(first), int(second)
        if sep == "." or a > 12:
            day, month = a, b
        elif b > 12:
            day, month = b, a
        else:
            day, month = (a, b) if dayfirst in (True, None) else (b, a)
        year = int(third)
        if len(third) <= 2:
            year += 2000 if year < 70 else 1900
    hours = int(hour or 0)
    if ampm and ampm.lower().startswith("p") and hours < 12:
        hours += 12
    elif ampm and hours == 12:
        hours = 0
    try:
        return datetime(year, month, day, hours, int(minute or 0), int(sec or 0), tzinfo=UTC)
    except ValueError:
        return None


def date_order(values: list[object]) -> bool | None:
    """Whether a column writes ``dd/mm`` (True) or ``mm/dd`` (False), from its values.

    A value whose first part is above 12 proves day-first and one whose second part is above
    12 proves month-first; None when no value decides (the caller falls back on the region).
    """
    for value in values:
        if not isinstance(value, str):
            continue
        match = _NUMERIC_DATE.match(value.strip())
        if not match or len(match.group(1)) == 4 or match.group(2) == ".":
            continue
        if int(match.group(1)) > 12:
            return True
        if int(match.group(3)) > 12:
            return False
    return None


def decimal_comma(values: list[object]) -> bool | None:
    """Whether a column of text numbers writes decimals with a comma (``1.234,5``, ``0,75``)."""
    for value in values:
        if not isinstance(value, str):
            continue
        text = value.strip()
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,\d{1,2}|-?\d+,\d{4,}", text):
            return True
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+|-?\d+\.\d{1,2}|-?\d+\.\d{4,}", text):
            return False
    return None


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form used to compare names for duplicates."""
    return " ".join(strip_accents(text).split())
