"""Normalising a whole phone column, in a second process when the column is long.

phonenumbers is pure Python and the slowest step of a large import, so with two or more
cores a helper interpreter (``python -m leaddesk.core.importing.phones``) does most of the
phones while the importer converts everything else, then the rest. It is a plain subprocess
speaking JSON over its pipes rather than multiprocessing, which would re-run the caller's
main module (the CLI's ``python -m leaddesk`` has no ``__main__`` guard, nor do users'
scripts). If the helper cannot start or fails, its part is done in this process: same
result, only slower.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import IO

from leaddesk.core.importing.normalize import PhoneResult, clean_text, normalize_phones

PARALLEL_MIN = 20_000  # below this many phones a helper costs more than it saves
# The helper's share of the column: the importer's own loop over the other columns is about a
# third of the phone work, so it takes the rest of the phones once that loop is done.
HELPER_SHARE = 0.6
Items = list[tuple[str | None, str | None]]


def start(
    cells: Sequence[tuple[object, str | None]], stack: ExitStack
) -> Callable[[], list[PhoneResult | None]]:
    """Start normalising (cell, region) pairs; call the returned function for the results.

    The helper takes the first part of the column; this process does the rest when the
    results are asked for. The helper is killed when ``stack`` closes (an import cancelled
    half-way).
    """
    items: Items = [(clean_text(cell), region) for cell, region in cells]
    if len(items) < PARALLEL_MIN or (os.cpu_count() or 1) < 2 or getattr(sys, "frozen", False):
        return lambda: normalize_phones(items)
    try:
        helper = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console on Windows
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
    except OSError:
        return lambda: normalize_phones(items)
    stdin, stdout = helper.stdin, helper.stdout
    if stdin is None or stdout is None:  # never: both are pipes
        return lambda: normalize_phones(items)
    share = int(len(items) * HELPER_SHARE)
    theirs, ours = items[:share], items[share:]
    # The helper reads while it starts up; writing from a thread keeps this one converting.
    writer = threading.Thread(target=_send, args=(stdin, json.dumps(theirs).encode()), daemon=True)
    writer.start()
    stack.callback(writer.join)
    stack.callback(_stop, helper)  # runs first: a killed helper ends a blocked write

    def result() -> list[PhoneResult | None]:
        mine = normalize_phones(ours)
        try:
            data = json.loads(stdout.read())
            if helper.wait() != 0 or len(data) != len(theirs):
                raise ValueError("the phone helper failed")
            done = [None if d is None else PhoneResult(d[0], bool(d[1]), d[2]) for d in data]
        except (OSError, ValueError, TypeError, IndexError):
            done = normalize_phones(theirs)
        return done + mine

    return result


def _send(stdin: IO[bytes], payload: bytes) -> None:
    with contextlib.suppress(OSError):  # a helper that died is noticed when reading
        stdin.write(payload)
        stdin.close()


def _stop(helper: subprocess.Popen[bytes]) -> None:
    if helper.poll() is None:
        helper.kill()
    helper.wait()
    if helper.stdout is not None:
        helper.stdout.close()


def main() -> None:
    """The helper: (value, region) pairs as JSON on stdin, results as JSON on stdout."""
    items: Items = json.loads(sys.stdin.buffer.read())  # phonenumbers is loaded by now
    results = normalize_phones(items)
    out = [None if r is None else [r.value, r.valid, r.digits] for r in results]
    sys.stdout.buffer.write(json.dumps(out).encode())


if __name__ == "__main__":
    main()
