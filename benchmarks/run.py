"""Run every benchmark, each in its own process, and print one JSON table.

Usage: ``python benchmarks/run.py [NAME …]`` where NAME is a ``bench_*.py`` script's
middle part (``import``, ``scoring``, ``queue``, ``startup``). Each script prints a JSON list of
rows (see ``common.result``); this runner adds nothing but the table around them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    rows: list[dict[str, object]] = []
    failed = False
    for script in scripts:
        print(f"running {script.name}…", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            failed = True
            rows.append({"benchmark": script.stem, "error": done.stderr.strip()[-2000:]})
            continue
        rows.extend(json.loads(done.stdout))
    print(json.dumps(rows, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
