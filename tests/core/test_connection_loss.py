"""Issue 8: a team database whose connection drops says so, writes nothing half-way, and
recovers by itself once the server is back (no reopening)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from postgres_server import Server, required_programs, stoppable_server

from leaddesk.core.db import Database, translate_errors
from leaddesk.core.errors import ConnectionLostError, DatabaseError
from leaddesk.core.schema import leads

URL = sa.make_url("postgresql+psycopg://bob@db.example.com/leads")
LOST = "The connection to the team database was lost. Nothing was saved"


@pytest.fixture
def server() -> Iterator[Server]:
    """A server of this test's own, so stopping it leaves the shared test server alone."""
    with stoppable_server(required_programs()) as running:
        yield running


@pytest.fixture
def team_db(server: Server) -> Iterator[Database]:
    database = Database.open(server.url.render_as_string(hide_password=False))
    yield database
    database.close()


def _count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one())


def _write_through_a_drop(server: Server, db: Database, rows: list[dict[str, str]]) -> None:
    """Half the rows go in, the server goes away, then the other half is sent."""
    with db.write() as conn:
        conn.execute(leads.insert(), rows[: len(rows) // 2])
        server.stop()
        conn.execute(leads.insert(), rows[len(rows) // 2 :])


def test_a_drop_mid_write_saves_nothing_and_the_database_recovers(
    server: Server, team_db: Database
) -> None:
    rows = [{"first_name": f"Lead {n}", "status": "new"} for n in range(100)]
    heard: list[bool] = []
    team_db.lost_listeners.append(lambda: heard.append(True))
    with pytest.raises(ConnectionLostError, match=LOST):
        _write_through_a_drop(server, team_db, rows)
    assert heard == [True]  # the GUI is told at once
    assert team_db.ping() is False
    with pytest.raises(ConnectionLostError), team_db.read():
        pass

    server.start()

    assert team_db.ping() is True
    assert _count(team_db) == 0  # not one of the interrupted write's rows
    with team_db.write() as conn:
        conn.execute(leads.insert(), rows[:1])
    assert _count(team_db) == 1


def test_a_healthy_database_pings() -> None:
    db = Database.open(":memory:")
    assert db.ping() is True
    db.close()


def _failure(libpq: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError(libpq))


@pytest.mark.parametrize(
    "libpq",
    [
        "consuming input failed: server closed the connection unexpectedly",
        "FATAL:  terminating connection due to administrator command",
        "could not receive data from server: Connection reset by peer",
    ],
)
def test_a_dropped_connection_is_a_lost_connection(libpq: str) -> None:
    with pytest.raises(ConnectionLostError, match=LOST), translate_errors(URL):
        raise _failure(libpq)


def test_an_unreachable_server_is_lost_only_once_it_has_answered() -> None:
    refused = 'connection to server at "10.0.0.5", port 5432 failed: Connection refused'
    with pytest.raises(DatabaseError, match="Could not reach") as first, translate_errors(URL):
        raise _failure(refused)
    assert not isinstance(first.value, ConnectionLostError)
    with pytest.raises(ConnectionLostError), translate_errors(URL, reached=True):
        raise _failure(refused)
