"""SIGTERM and SIGINT (a logout, ``kill``, Ctrl+C in a terminal) close LeadDesk's windows as
their close buttons do, an open dialog first: running work is stopped, the database closed
and its lock let go.

Python runs a signal handler only between bytecodes, and the Qt event loop may sit idle in
C++ for minutes; the C-level handler's wake-up byte on a socket is what wakes it.
"""

from __future__ import annotations

import signal
import socket
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication, QWidget

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class CloseOnSignal(QObject):
    """Installed for the life of the main window (its parent), from the main thread."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous: dict[int, Any] = {
            number: signal.signal(number, self._noted) for number in SIGNALS
        }
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._close_windows)

    def _noted(self, _number: int, _frame: FrameType | None) -> None:
        """The work is done by the wake-up byte; this only replaces Python's default
        (KeyboardInterrupt, or an abrupt end)."""

    def _close_windows(self) -> None:
        try:
            received = self._reader.recv(64)
        except BlockingIOError:
            return
        # The wake-up byte is the signal's number; other signals' handlers are not ours.
        if any(number in received for number in SIGNALS):
            QApplication.closeAllWindows()

    def uninstall(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()
