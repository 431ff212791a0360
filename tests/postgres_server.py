"""A throwaway PostgreSQL server for the tests and the engine benchmark.

Started from the installed server programs in a temporary folder, without durability
(fsync off: it is thrown away), on a free local port, and stopped at the end. The server
refuses to run as root, so as root it runs as the package's ``postgres`` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa


def postgres_server_programs() -> Path | None:
    """The folder of the newest installed PostgreSQL server's programs, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def throwaway_server(programs: Path) -> Iterator[sa.URL]:
    """Run a fresh server while the block runs; yields its administrator URL."""
    folder = Path(tempfile.mkdtemp(prefix="leaddesk-postgres-"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    port = _free_port()
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    data, log = folder / "data", folder / "server.log"

    def run(*args: object) -> None:
        subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True)

    try:
        run(programs / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
        run(programs / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
        yield sa.URL.create(
            "postgresql+psycopg", username="postgres", host="127.0.0.1", port=port,
            database="postgres",
        )  # fmt: skip
    finally:
        if (data / "postmaster.pid").exists():
            run(programs / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
