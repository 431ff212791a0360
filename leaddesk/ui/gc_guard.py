"""Garbage collection only in the GUI thread.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed, so a worker reading a spreadsheet can end up destroying Qt objects that belong to
the GUI thread, which crashes. While the guard is running, automatic collection is off and a
GUI-thread timer collects instead, generation by generation, as the thresholds say.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GarbageCollector(QObject):
    """Collects cyclic garbage from a timer in the thread it was created in."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._was_enabled = gc.isenabled()

    def start(self) -> GarbageCollector:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()
        return self

    def stop(self) -> None:
        """Collect what is left here, then give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the oldest generation whose threshold was crossed, as Python would."""
        thresholds, counts = gc.get_threshold(), gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return
