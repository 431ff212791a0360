"""Startup: from launching the process to the main window's first paint (issue 2, 9).

A child process runs the real ``run_gui`` on a database of sample leads; an event filter
reports the first paint of the main window and quits. The parent measures wall time from
spawning the child, so interpreter start-up and imports count, as they do for a user.
Also measured: ``python -m leaddesk --help`` (the CLI start-up, target under 1 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import best_of, emit, result

from leaddesk.core.db import Database
from leaddesk.core.progress import run
from leaddesk.core.sample import load_sample

CHILD = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            print("painted", flush=True)
            app.exit(0)
        return False

probe = FirstPaint()
app.installEventFilter(probe)
from leaddesk.ui.app import run_gui
sys.exit(run_gui(sys.argv[1]))
"""


def time_to_first_paint(db_path: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    child.wait(timeout=30)
    if line.strip() != "painted":
        raise RuntimeError("the main window never painted")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        env = dict(os.environ, LEADDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
        db_path = home / "startup.db"
        db = Database.open(db_path)
        run(load_sample(db, 2000))
        db.close()
        time_to_first_paint(db_path, env)  # the first run fills the OS file cache
        window_s = min(time_to_first_paint(db_path, env) for _ in range(3))
        cli_s = best_of(
            3,
            lambda: subprocess.run(
                [sys.executable, "-m", "leaddesk", "--help"],
                env=env,
                capture_output=True,
                check=True,
            ),
        )
    emit(
        [
            result("startup_to_main_window_painted", window_s, "s", "< 2", window_s < 2.0),
            result("startup_cli_help", cli_s, "s", "< 1", cli_s < 1.0),
        ]
    )


if __name__ == "__main__":
    main()
