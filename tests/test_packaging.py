"""The installers' files agree with each other and with the app: one id, one version, the
same spreadsheet types everywhere, and no Qt module left out that LeadDesk uses.

Windows and macOS cannot be built here; this is what keeps their files in step with the
Linux build that is (packaging/smoke-test.sh tries that one for real).
"""

from __future__ import annotations

import configparser
import plistlib
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from leaddesk import APP_ID
from leaddesk.core.importing.readers import SPREADSHEET_SUFFIXES

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# The media type each registered extension has on Linux (shared-mime-info's names).
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xlsb": "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
}
# Every type the importer reads, except .txt: offering LeadDesk for every text file would be
# a nuisance (a .txt still imports from the wizard, drag-and-drop or the command line).
REGISTERED = set(SPREADSHEET_SUFFIXES) - {".txt"}


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(PACKAGING / "linux" / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def metainfo() -> ET.Element:
    return ET.parse(PACKAGING / "linux" / f"{APP_ID}.metainfo.xml").getroot()


def inno_setup() -> str:
    return (PACKAGING / "windows" / "leaddesk.iss").read_text(encoding="utf-8")


def test_every_installer_offers_the_same_spreadsheet_types() -> None:
    assert set(MEDIA_TYPES) == REGISTERED
    desktop = {t for t in desktop_entry()["MimeType"].split(";") if t}
    assert desktop == set(MEDIA_TYPES.values())
    assert {m.text for m in metainfo().iter("mediatype")} == desktop
    windows = set(re.findall(r"Software\\Classes\\(\.\w+)\\OpenWithProgids", inno_setup()))
    assert windows == REGISTERED
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    (document,) = info["CFBundleDocumentTypes"]
    assert {f".{ext}" for ext in document["CFBundleTypeExtensions"]} == REGISTERED
    assert len(document["LSItemContentTypes"]) == len(REGISTERED)
    assert document["LSHandlerRank"] == "Alternate"  # never takes spreadsheets from Excel


def test_one_application_id_and_command_everywhere() -> None:
    entry = desktop_entry()
    assert entry["Icon"] == APP_ID
    command = next(iter(PROJECT["gui-scripts"]))
    assert entry["Exec"] == f"{command} %f"  # one file per launch: the import wizard takes one
    root = metainfo()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == command
    assert f'#define AppId "{APP_ID}"' in inno_setup()
    for script in ("build-linux.sh", "smoke-test.sh"):
        assert f"app_id={APP_ID}\n" in (PACKAGING / script).read_text(encoding="utf-8")
    spec = (PACKAGING / "leaddesk.spec").read_text(encoding="utf-8")
    assert "from leaddesk import APP_ID, APP_NAME" in spec  # the bundle id, from the app itself
    assert (PACKAGING / "linux" / command).read_text().splitlines()[-1] == (
        f'exec /opt/leaddesk/{command} "$@"'
    )


def test_the_appstream_data_lists_this_release() -> None:
    releases = [r.get("version") for r in metainfo().iter("release")]
    assert releases[0] == PROJECT["version"], "add a <release> for the new version, newest first"


def test_no_qt_module_that_leaddesk_uses_is_left_out_of_the_bundle() -> None:
    used = {
        name
        for path in (ROOT / "leaddesk").rglob("*.py")
        for name in re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    spec = (PACKAGING / "leaddesk.spec").read_text(encoding="utf-8")
    unused = spec[spec.index("UNUSED_QT = [") : spec.index("]", spec.index("UNUSED_QT = ["))]
    excluded = set(re.findall(r'"(Qt\w+)"', unused))
    assert "QtWebEngineCore" in excluded  # the list was found
    assert used, "the Qt modules LeadDesk imports were not found"
    assert used.isdisjoint(excluded), f"excluded but imported: {used & excluded}"
