"""The licences of what LeadDesk ships with: itself, Python, and every package it runs on.

Read from the installed packages' own metadata (the installed app bundles it), so the list is
always that of the build the user has, never a hand-kept copy that drifts.
"""

from __future__ import annotations

import platform
import re
import sysconfig
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from leaddesk import APP_NAME

LICENCES = Path(__file__).resolve().parent / "resources" / "licenses"
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
# Qt for Python's wheels carry no licence file; their terms are the LGPL's, shipped here.
_QT_DISTRIBUTIONS = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}
# Where Python's own licence text is: bundled by the installed app, else the interpreter's.
_PYTHON_LICENCE_FILES = (
    LICENCES / "python" / "LICENSE.txt",
    Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt",
)
_PYTHON_LICENCE = (  # for an interpreter whose distribution left the file out (Debian's)
    "Python is distributed under the Python Software Foundation License Version 2 "
    "(PSF-2.0), a permissive licence compatible with the GPL.\n\n"
    "Its full text and history: https://docs.python.org/3/license.html\n"
)


@dataclass(frozen=True)
class Component:
    """One bundled component: what it is, which version, and under which terms."""

    name: str
    version: str
    licence: str
    texts: tuple[tuple[str, str], ...]  # (file name, text), in the component's own words


def components() -> list[Component]:
    """LeadDesk and Python first, then every package LeadDesk depends on, by name."""
    found = {_key(dist): dist for dist in _dependencies("leaddesk")}
    own = found.pop("leaddesk", None)
    python = Component(
        "Python", platform.python_version(), "PSF-2.0", (("LICENSE.txt", _python_licence()),)
    )
    rest = [_component(dist) for _, dist in sorted(found.items())]
    return ([replace(_component(own), name=APP_NAME)] if own else []) + [python, *rest]


def _python_licence() -> str:
    for path in _PYTHON_LICENCE_FILES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return _PYTHON_LICENCE


def lgpl_text() -> str:
    """The GNU LGPL v3, under which Qt and Qt for Python are used."""
    return (LICENCES / "LGPL-3.0.txt").read_text(encoding="utf-8")


def _dependencies(root: str) -> list[metadata.Distribution]:
    """``root`` and everything it requires, transitively, with the extras asked for
    (``psycopg[binary]``). Absent packages are skipped: a platform-only requirement, such as
    a Windows one on Linux, is simply not installed."""
    seen: dict[str, metadata.Distribution] = {}
    todo: list[tuple[str, set[str]]] = [(root, set())]
    while todo:
        name, extras = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        first_visit = _key(dist) not in seen
        seen[_key(dist)] = dist
        for requirement in dist.requires or []:
            needs = _EXTRA.search(requirement)
            wanted = needs.group(1) in extras if needs else first_visit
            if wanted and (match := _REQUIREMENT.match(requirement)):
                todo.append(
                    (match.group(1), set((match.group(2) or "").replace(" ", "").split(",")))
                )
    return list(seen.values())


def _key(dist: metadata.Distribution) -> str:
    return re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()


def _component(dist: metadata.Distribution) -> Component:
    licence = _field(dist, "License-Expression") or _short(_field(dist, "License"))
    licence = licence or _classifier(dist)
    texts = tuple(_licence_texts(dist))
    if not texts and _key(dist) in _QT_DISTRIBUTIONS:
        texts = (("LGPL-3.0.txt", lgpl_text()),)
    return Component(dist.metadata["Name"], dist.version, licence or "see its project page", texts)


def _field(dist: metadata.Distribution, name: str) -> str:
    values = dist.metadata.get_all(name) or []
    return str(values[0]) if values else ""


def _short(licence: str) -> str:
    """Some packages put their whole licence text in ``License``: keep only a name."""
    if "\n" in licence.strip() or len(licence) > 80:
        return ""
    return licence.strip()


def _classifier(dist: metadata.Distribution) -> str:
    for classifier in dist.metadata.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            return str(classifier).rsplit(" :: ", 1)[-1]
    return ""


def _licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """The licence files a package declares, or failing that those beside its metadata."""
    declared = dist.metadata.get_all("License-File") or []
    candidates = [f"licenses/{name}" for name in declared] + list(declared)
    candidates += [
        str(Path(*file.parts[1:]))
        for file in dist.files or []
        if len(file.parts) > 1
        and file.parts[0].endswith(".dist-info")
        and _LICENCE_FILE.search(file.name)
    ]
    texts: dict[str, str] = {}
    for candidate in candidates:
        name = Path(candidate).name
        if name not in texts and (text := dist.read_text(candidate)):
            texts[name] = text
    return list(texts.items())
