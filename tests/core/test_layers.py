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


def loaded_after(imports: str, roots: tuple[str, ...]) -> list[str]:
    """The modules under ``roots`` that a fresh interpreter has loaded after ``imports``."""
    code = (
        f"import sys\n{imports}\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [name for name in done.stdout.strip().split(",") if name]


def test_core_never_imports_qt() -> None:
    imports = "".join(f"import {name}\n" for name in core_modules()) + "import leaddesk.cli"
    loaded = loaded_after(imports, ("PySide6", "shiboken6"))
    assert loaded == [], f"Qt loaded by core or cli: {loaded}"


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
    heavy = ("sklearn", "scipy", "numpy", "openpyxl", "keyring", "pandas")
    loaded = loaded_after("import leaddesk.cli, leaddesk.ui.app, leaddesk.ui.main_window", heavy)
    assert loaded == [], f"imported at start-up: {loaded}"
