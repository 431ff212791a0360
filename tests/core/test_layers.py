"""The architecture's rules, enforced: core never loads Qt, ui holds no SQL."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import leaddesk
import leaddesk.core

ROOT = Path(leaddesk.__file__).parent


def core_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(leaddesk.core.__path__, "leaddesk.core.")
        if ".migrations.versions" not in info.name and not info.name.endswith(".env")
    )


def test_core_modules_exist() -> None:
    names = core_modules()
    assert "leaddesk.core.fields" in names
    assert "leaddesk.core.db" in names


def test_core_never_imports_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "import leaddesk.cli\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"Qt loaded by core or cli: {result.stdout}"


def test_ui_holds_no_sql() -> None:
    sql = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b|import sqlalchemy|sa\.")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "ui").rglob("*.py")
        if sql.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_window_starts_without_the_heavy_libraries() -> None:
    """Start-up stays fast (issue 9): scikit-learn, numpy, openpyxl and keyring are imported
    when first needed (a model, an export, a team password), not to show the window."""
    code = (
        "import sys\n"
        "import leaddesk.cli, leaddesk.ui.app, leaddesk.ui.main_window\n"
        "heavy = ('sklearn', 'scipy', 'numpy', 'openpyxl', 'keyring', 'pandas')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"imported at start-up: {result.stdout}"
