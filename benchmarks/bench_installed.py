"""The installed app (issue 9): bundle size, time to a window, and the smoke test.

Uses ``dist/`` from ``packaging/build-linux.sh`` (built first when missing, ~3 minutes).
Both start-ups are timed the same way, on a virtual screen (Xvfb): from spawning the
process to its main window being mapped (xdotool), so the interpreter or the frozen
bootloader, every import and the first layout all count, as they do for a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import emit, result

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "leaddesk"
FROZEN = BUNDLE / "leaddesk"


def folder_mb(path: Path) -> float:
    """Bytes on disk once: PyInstaller links libraries into _internal, counted at their target."""
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    )


def window_seconds(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` to its LeadDesk window being on screen."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            while time.perf_counter() - start < 30:
                found = subprocess.run(
                    ["xdotool", "search", "--onlyvisible", "--name", "LeadDesk"],
                    env=env,
                    capture_output=True,
                    check=False,
                )
                if found.returncode == 0:
                    return time.perf_counter() - start
                if child.poll() is not None:
                    errors.seek(0)
                    raise RuntimeError(f"{command[0]} ended: {errors.read().decode()[-500:]}")
                time.sleep(0.01)
            raise RuntimeError(f"{command[0]}: no window within 30 s")
        finally:
            child.terminate()
            child.wait(timeout=30)


def best_window_seconds(command: list[str], env: dict[str, str]) -> float:
    window_seconds(command, env)  # the first run fills the OS file cache
    return min(window_seconds(command, env) for _ in range(3))


def main() -> None:
    if not FROZEN.exists():
        subprocess.run(["bash", str(ROOT / "packaging" / "build-linux.sh")], check=True)
    deb = max((ROOT / "dist").glob("leaddesk_*_amd64.deb"), key=lambda p: p.stat().st_mtime)
    read_end, write_end = os.pipe()  # Xvfb writes the free display it chose here
    screen = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_end),
            "-noreset",
            "-screen",
            "0",
            "1600x1000x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end) as chosen:
        display = f":{chosen.readline().strip()}"  # blocks until the server is ready
    try:
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder)
            env = dict(os.environ, LEADDESK_HOME=str(home), DISPLAY=display, QT_QPA_PLATFORM="xcb")
            db = home / "startup.db"
            subprocess.run(
                [str(FROZEN), "--db", str(db), "demo", "--leads", "2000"],
                env=env,
                check=True,
                capture_output=True,
            )
            env["LEADDESK_DB"] = str(db)
            frozen_s = best_window_seconds([str(FROZEN)], env)
            source_s = best_window_seconds([sys.executable, "-m", "leaddesk"], env)
    finally:
        screen.terminate()
        screen.wait()
    smoke = subprocess.run(
        ["bash", str(ROOT / "packaging" / "smoke-test.sh"), str(deb)],
        capture_output=True,
        text=True,
        check=False,
    )
    size = folder_mb(BUNDLE)
    emit(
        [
            result("installed_bundle_size_linux", size, "MB", "< 200", size < 200),
            result("installed_deb_size", deb.stat().st_size / 1e6, "MB", "-", True),
            result("installed_window_shown_frozen", frozen_s, "s", "< 2", frozen_s < 2.0),
            result("installed_window_shown_python_m", source_s, "s", "< 1", source_s < 1.0),
            result(
                "installed_smoke_test",
                float(smoke.returncode),
                "exit status",
                "0",
                smoke.returncode == 0,
                output=smoke.stdout.strip().splitlines()[-1:],
            ),
        ]
    )


if __name__ == "__main__":
    if not shutil.which("xdotool") or not shutil.which("Xvfb"):
        sys.exit("needs Xvfb and xdotool: bash scripts/install-system-deps.sh --package")
    main()
