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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa


def postgres_server_programs() -> Path | None:
    """The folder of the newest installed PostgreSQL server's programs, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def required_programs() -> Path:
    """The server programs; without them the test skips, or fails in CI (where these tests
    must never be skipped)."""
    programs = postgres_server_programs()
    if programs is None:
        message = "No PostgreSQL server programs: run scripts/install-system-deps.sh --tests"
        if os.environ.get("CI") or os.environ.get("LEADDESK_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    return programs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running throwaway server: its administrator URL, and a way to stop and restart it."""

    url: sa.URL
    pg_ctl: Callable[..., None]

    def stop(self) -> None:
        """Stop at once, as a crash or a cut cable would: clients' connections just drop."""
        self.pg_ctl("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        self.pg_ctl("-w", "start")


@contextmanager
def throwaway_server(programs: Path) -> Iterator[sa.URL]:
    """Run a fresh server while the block runs; yields its administrator URL."""
    with stoppable_server(programs) as server:
        yield server.url


@contextmanager
def stoppable_server(programs: Path) -> Iterator[Server]:
    """Run a fresh server while the block runs; yields it, to be stopped and started."""
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

    def pg_ctl(*args: str) -> None:
        run(programs / "pg_ctl", "-D", data, "-l", log, "-o", options, *args)

    try:
        run(programs / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8")
        pg_ctl("-w", "start")
        yield Server(
            sa.URL.create(
                "postgresql+psycopg", username="postgres", host="127.0.0.1", port=port,
                database="postgres",
            ),
            pg_ctl,
        )  # fmt: skip
    finally:
        if (data / "postmaster.pid").exists():
            run(programs / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
