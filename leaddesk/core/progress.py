"""Long work as generators of progress.

Every long job in core (import, rescoring, export, training, backup) is a generator that
yields ``Progress`` and returns its result. The GUI runs it on a worker thread and can stop
it between two yields; the CLI drives it with a progress line. A job that is closed early
must leave the database as it was, which jobs get by doing their writes in one transaction
that only commits after the last yield.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job is: ``done`` of ``total`` units (``total`` 0 when unknown)."""

    done: int
    total: int
    message: str = ""

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total else None


Job = Generator[Progress, None, T]


def run(job: Job[T], on_progress: Callable[[Progress], None] | None = None) -> T:
    """Drive ``job`` to its end and return its result, reporting each step."""
    while True:
        try:
            step = next(job)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if on_progress is not None:
            on_progress(step)
