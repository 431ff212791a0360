"""Team database addresses and passwords: the password never lands in a remembered URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from keyring.backends import fail
from keyrings import LockedKeyring, MemoryKeyring, install  # tests/keyrings.py

from leaddesk.core.credentials import (
    KeyringUnavailableError,
    TeamDatabase,
    account,
    connect,
    find_password,
    forget_password,
    is_team_url,
    keyring_problem,
    open_location,
    remember_password,
    server_url,
    split_password,
    without_password,
)
from leaddesk.core.db import Database, LoginRefusedError, translate_errors
from leaddesk.core.errors import DatabaseError

URL = "postgresql+psycopg://bob@db.example.com:5432/leads?sslmode=require"
ACCOUNT = "bob@db.example.com:5432/leads"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from install(MemoryKeyring())


@pytest.fixture
def no_keyring() -> Iterator[Any]:
    """A headless computer: keyring's own "no backend" keyring, which fails every call."""
    yield from install(fail.Keyring())


# -- addresses ---------------------------------------------------------------------------------
def test_the_fields_make_a_url_without_a_password() -> None:
    team = TeamDatabase(host="db.example.com", database="leads", user="bob")
    assert team.url() == URL
    assert TeamDatabase.from_url(team.url()) == team


def test_the_ca_file_goes_with_the_verifying_modes_only() -> None:
    verified = TeamDatabase("db", "leads", "bob", sslmode="verify-full", sslrootcert="/ca.pem")
    assert sa.make_url(verified.url()).query == {"sslmode": "verify-full", "sslrootcert": "/ca.pem"}
    assert TeamDatabase.from_url(verified.url()) == verified
    plain = TeamDatabase("db", "leads", "bob", sslmode="require", sslrootcert="/ca.pem")
    assert "sslrootcert" not in plain.url()


def test_a_url_without_sslmode_gets_libpqs_default_and_a_file_is_refused() -> None:
    team = TeamDatabase.from_url("postgresql://bob@db:6543/leads")
    assert (team.port, team.sslmode) == (6543, "prefer")
    with pytest.raises(DatabaseError, match="not the address of a team"):
        TeamDatabase.from_url("sqlite:///leads.db")


def test_a_typed_password_is_split_off() -> None:
    url, password = split_password(
        "postgresql://bob:s3cret@db.example.com:5432/leads?sslmode=require"
    )
    assert password == "s3cret"
    assert url == URL
    assert split_password(URL) == (URL, None)


def test_without_password_keeps_everything_else() -> None:
    typed = "postgresql://bob:s3cret@db.example.com:5432/leads?sslmode=require"
    assert without_password(typed) == URL
    assert without_password(sa.make_url(URL.replace("bob@", "bob:s3cret@"))) == URL


def test_team_urls_are_told_from_files() -> None:
    assert is_team_url("postgresql://bob@db/leads")
    assert is_team_url(URL)
    assert not is_team_url("/home/bob/leads.db")
    assert not is_team_url("sqlite:///leads.db")
    assert not is_team_url("postgresql://bob@db:notaport/leads")


def test_the_keyring_account_names_user_server_and_database() -> None:
    assert account(URL) == ACCOUNT
    assert account("postgresql://bob:pw@db.example.com/leads") == ACCOUNT


def test_a_password_given_apart_is_used_but_never_shown() -> None:
    db = Database.open(URL, migrate=False, password="s3cret")  # no connection without migrating
    try:
        assert db.engine.url.password == "s3cret"
        assert "s3cret" not in db.describe()
        assert server_url(db) == URL
    finally:
        db.close()


def test_a_sqlite_database_has_no_server_url(db: Database) -> None:
    assert server_url(db) is None


# -- the keyring -------------------------------------------------------------------------------
def test_the_password_comes_from_the_url_then_the_keyring(memory_keyring: MemoryKeyring) -> None:
    assert find_password(URL) is None
    remember_password(URL, "kept")
    assert memory_keyring.passwords == {("LeadDesk", ACCOUNT): "kept"}
    assert find_password(URL) == "kept"
    assert find_password("postgresql://bob:typed@db.example.com/leads") == "typed"
    forget_password(URL)
    assert find_password(URL) is None
    forget_password(URL)  # nothing kept: nothing to do


def test_without_a_keyring_leaddesk_says_so_and_keeps_nothing(no_keyring: Any) -> None:
    problem = keyring_problem()
    assert problem is not None
    assert "ask for it each time" in problem
    assert find_password(URL) is None
    with pytest.raises(KeyringUnavailableError, match="no system keyring"):
        remember_password(URL, "s3cret")
    forget_password(URL)


def test_a_locked_keyring_is_explained() -> None:
    for _ in install(LockedKeyring()):
        assert keyring_problem() is None
        assert find_password(URL) is None
        with pytest.raises(KeyringUnavailableError, match="did not answer"):
            remember_password(URL, "s3cret")


# -- connecting --------------------------------------------------------------------------------
@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, db: Database) -> list[tuple[str, str | None]]:
    """Database.open answered with the test database; records each (URL, password)."""
    calls: list[tuple[str, str | None]] = []

    def fake_open(location: str, *, password: str | None = None) -> Database:
        calls.append((str(location), password))
        return db

    monkeypatch.setattr(Database, "open", fake_open)
    return calls


def test_connecting_keeps_or_forgets_the_password_as_asked(
    memory_keyring: MemoryKeyring, opened: list[tuple[str, str | None]]
) -> None:
    assert connect(URL, "s3cret", remember=True).keyring_note is None
    assert opened == [(URL, "s3cret")]
    assert find_password(URL) == "s3cret"
    connect(URL, "s3cret", remember=False)
    assert memory_keyring.passwords == {}


def test_a_keyring_failure_does_not_undo_the_connection(
    no_keyring: Any, opened: list[tuple[str, str | None]], db: Database
) -> None:
    connected = connect(URL, "s3cret", remember=True)
    assert connected.db is db
    assert connected.keyring_note is not None
    assert "no system keyring" in connected.keyring_note


def test_a_file_opens_as_before(db_path: Path) -> None:
    opened = open_location(str(db_path))
    try:
        assert opened.path == db_path
    finally:
        opened.close()


@pytest.mark.usefixtures("memory_keyring")
def test_the_password_is_found_before_anyone_is_asked(
    opened: list[tuple[str, str | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    remember_password(URL, "kept")
    open_location(URL)
    open_location(URL.replace("bob@", "bob:typed@"))
    forget_password(URL)
    monkeypatch.setenv("PGPASSWORD", "from-env")
    open_location(URL)
    assert opened == [(URL, "kept"), (URL, "typed"), (URL, "from-env")]


@pytest.mark.usefixtures("memory_keyring")
def test_a_refused_login_asks_once(refusing_server: list[str | None]) -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return "right"

    open_location(URL, ask)
    assert prompts == [f"Password for {ACCOUNT}: "]
    assert refusing_server == [None, "right"]


@pytest.mark.usefixtures("memory_keyring")
def test_with_no_password_and_no_one_to_ask_the_error_says_how(
    refusing_server: list[str | None],
) -> None:
    with pytest.raises(DatabaseError, match=f"No password for {ACCOUNT}. Set PGPASSWORD"):
        open_location(URL)
    remember_password(URL, "stale")
    with pytest.raises(LoginRefusedError, match="refused"):
        open_location(URL)


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_error_only_offers_pgpassword(
    refusing_server: list[str | None],
) -> None:
    with pytest.raises(DatabaseError, match="no system keyring to keep it in"):
        open_location(URL)


# -- the server's refusals, in words -------------------------------------------------------------
SERVER = 'connection failed: connection to server at "10.0.0.5", port 5432 failed: '


@pytest.mark.parametrize(
    ("libpq", "refused", "says"),
    [
        ("FATAL:  password authentication failed for user \"bob\"", True,
         "The server refused the user name or password"),
        ('FATAL:  role "bob" does not exist', True, "refused the user name or password"),
        ("fe_sendauth: no password supplied", True, "asks for the password of “bob”"),
        ("Connection refused\n\tIs the server running on that host and accepting TCP/IP?",
         False, "Could not reach db.example.com:5432. Check the address, the network"),
        ("failed to resolve host 'db.example.com': [Errno -2] Name or service not known",
         False, "Could not reach db.example.com:5432"),
        ("timeout expired", False, "Could not reach"),
        ('FATAL:  database "leads" does not exist', False,
         "There is no database “leads” on db.example.com:5432"),
        ('FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "bob", database "leads", '
         "no encryption", False, "accepts only encrypted connections"),
        ('FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "bob", database "leads", '
         "SSL encryption", False, "does not let “bob” connect to “leads” from this computer"),
        ("server does not support SSL, but SSL was required", False,
         "does not offer encryption"),
        ('root certificate file "/home/bob/.postgresql/root.crt" does not exist', False,
         "The CA certificate file cannot be read"),
        ("SSL error: certificate verify failed", False, "could not be verified"),
        ('server certificate for "other.example.com" does not match host name '
         '"db.example.com"', False, "not issued for db.example.com:5432"),
        ("received invalid response to SSL negotiation: H", False, "not a PostgreSQL server"),
        ("FATAL:  sorry, too many clients already", False, "too many connections"),
    ],
)  # fmt: skip
def test_connection_failures_are_explained(libpq: str, refused: bool, says: str) -> None:
    failure = sa.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError(SERVER + libpq))
    with pytest.raises(DatabaseError) as raised, translate_errors(sa.make_url(URL)):
        raise failure
    assert says in str(raised.value)
    assert isinstance(raised.value, LoginRefusedError) is refused
