"""The licence list is read from the installed packages: complete, and with their texts."""

from __future__ import annotations

import re
import sysconfig
import tomllib
from pathlib import Path

from leaddesk import APP_NAME
from leaddesk.notices import components, lgpl_text

ROOT = Path(__file__).resolve().parents[2]


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_leaddesk_and_python_come_first_with_their_licences() -> None:
    first, second = components()[:2]
    assert (first.name, first.licence) == (APP_NAME, "GPL-3.0-or-later")
    assert any("GNU GENERAL PUBLIC LICENSE" in text for _, text in first.texts)
    assert second.name == "Python"
    assert "PSF" in second.licence
    shipped = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if shipped.is_file():  # python.org's, pyenv's: the text itself (Debian's Python lacks it)
        assert second.texts == (("LICENSE.txt", shipped.read_text(encoding="utf-8")),)
    assert "license" in second.texts[0][1].lower()


def test_every_runtime_dependency_is_listed_with_a_licence_and_its_text() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_key(re.match(r"[\w.-]+", spec).group()) for spec in project["dependencies"]}  # type: ignore[union-attr]
    listed = {_key(component.name): component for component in components()}
    # psycopg[binary]: requirements of an extra that is asked for are followed too.
    assert wanted | {"psycopg-binary", "shiboken6"} <= listed.keys()
    for name in wanted:
        component = listed[name]
        assert component.licence not in ("", "see its project page"), name
        assert component.texts, f"{name} ships no licence text"


def test_qt_for_python_carries_the_lgpl_text() -> None:
    listed = {_key(component.name): component for component in components()}
    for name in ("pyside6-essentials", "pyside6-addons", "shiboken6"):
        assert "LGPL-3.0-only" in listed[name].licence
        assert [text for _, text in listed[name].texts] == [lgpl_text()]
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl_text()
