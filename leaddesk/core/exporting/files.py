"""Writing a file so that a failed or cancelled export never damages the one already there."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from leaddesk.core.errors import BadFileError


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it if the block ends without error.

    The file is reserved first, so an unwritable folder is reported before any work is done.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent
        )
        os.close(handle)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def closing_on_failure(workbook: Any) -> Iterator[Any]:
    """Close a write-only workbook's sheets if writing stops early, so none is left half-open."""
    try:
        yield workbook
    except BaseException:
        for sheet in workbook.worksheets:
            sheet.close()
        raise


def _cannot_write(path: Path, exc: OSError) -> BadFileError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BadFileError(
            f"Could not write {path}: the disk is full. Free some space, or choose a folder "
            "on another drive, and export again. Nothing was changed."
        )
    return BadFileError(
        f"Could not write {path}: {exc.strerror or exc}. "
        "Choose another folder, or close the file if Excel has it open."
    )
