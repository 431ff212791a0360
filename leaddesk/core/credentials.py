"""Team databases and their passwords: what LeadDesk remembers never holds a password.

A team (PostgreSQL) database is remembered by its URL without the password, in the user's
settings, the window title and the logs alike. The password comes from the URL when the user
typed it there, else from the system keyring (service ``LeadDesk``, account
``user@host:port/db``), else the caller asks. Without a keyring LeadDesk says so and asks
each time: a password is never written anywhere else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from leaddesk.core.db import Database, LoginRefusedError, to_url
from leaddesk.core.errors import DatabaseError, LeadDeskError

SERVICE = "LeadDesk"
DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432


@dataclass(frozen=True, slots=True)
class TlsMode:
    """One of libpq's ``sslmode`` values, as a user would choose it."""

    sslmode: str
    label: str
    explanation: str


TLS_MODES = (
    TlsMode(
        "require",
        "Require encryption (recommended)",
        "Everything sent is encrypted; the server's certificate is not checked.",
    ),
    TlsMode(
        "verify-full",
        "Verify the server's certificate",
        "Encrypted, and the server's certificate must match its name and your CA certificate.",
    ),
    TlsMode(
        "verify-ca",
        "Verify the certificate, not the host name",
        "Encrypted, and the server's certificate must be signed by your CA certificate.",
    ),
    TlsMode(
        "prefer",
        "Encrypt if the server offers it",
        "Encrypted when the server supports it, else sent in plain text.",
    ),
    TlsMode(
        "disable",
        "No encryption (local network only)",
        "Everything, the password included, crosses the network unencrypted.",
    ),
)
VERIFYING_MODES = frozenset({"verify-ca", "verify-full"})
LIBPQ_DEFAULT_SSLMODE = "prefer"  # what a URL without ``sslmode`` gets


class KeyringUnavailableError(LeadDeskError):
    """The system keyring cannot keep the password: LeadDesk asks for it each time."""


@dataclass(frozen=True, slots=True)
class TeamDatabase:
    """Where a team database is and how to reach it; never its password."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    sslmode: str = "require"
    sslrootcert: str = ""  # the CA certificate file; only the verifying modes use it

    @classmethod
    def from_url(cls, url: str) -> TeamDatabase:
        """The parts of a PostgreSQL URL (a typed password is left out)."""
        parsed = _parse(url)
        if parsed.get_backend_name() != "postgresql":
            raise DatabaseError(f"“{url}” is not the address of a team (PostgreSQL) database.")
        return cls(
            host=parsed.host or "",
            database=parsed.database or "",
            user=parsed.username or "",
            port=parsed.port or DEFAULT_PORT,
            sslmode=_query_value(parsed, "sslmode") or LIBPQ_DEFAULT_SSLMODE,
            sslrootcert=_query_value(parsed, "sslrootcert"),
        )

    def url(self) -> str:
        """The URL LeadDesk opens and remembers."""
        query = {"sslmode": self.sslmode}
        if self.sslmode in VERIFYING_MODES and self.sslrootcert:
            query["sslrootcert"] = self.sslrootcert
        url = sa.URL.create(
            DRIVER,
            username=self.user,
            host=self.host,
            port=self.port,
            database=self.database,
            query=query,
        )
        return url.render_as_string(hide_password=False)


def _parse(url: str | sa.URL) -> sa.URL:
    return to_url(url) if isinstance(url, str) else url


def _query_value(url: sa.URL, key: str) -> str:
    value = url.query.get(key, "")
    return value if isinstance(value, str) else value[-1]


def is_team_url(text: str) -> bool:
    """Whether ``text`` is a PostgreSQL URL rather than a database file."""
    if "://" not in text:
        return False
    try:
        return to_url(text).get_backend_name() == "postgresql"
    except DatabaseError:
        return False


def without_password(url: str | sa.URL) -> str:
    """The URL as LeadDesk may show, log and remember it."""
    parsed = _parse(url)
    bare = sa.URL.create(  # ``URL.set`` cannot unset a part
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False)


def split_password(url: str) -> tuple[str, str | None]:
    """``postgresql://bob:secret@host/db`` -> (the URL without the password, "secret")."""
    parsed = _parse(url)
    return without_password(parsed), parsed.password


def account(url: str | sa.URL) -> str:
    """The keyring account of a team database: ``user@host:port/db``."""
    parsed = _parse(url)
    port = parsed.port or DEFAULT_PORT
    return f"{parsed.username or ''}@{parsed.host or ''}:{port}/{parsed.database or ''}"


def server_url(db: Database) -> str | None:
    """What settings may keep for a team database: its URL, no password; None for SQLite."""
    url = db.engine.url
    return None if url.get_backend_name() == "sqlite" else without_password(url)


# -- the keyring -----------------------------------------------------------------------------
def keyring_problem() -> str | None:
    """None when the system keyring can keep passwords, else why not, for the user."""
    import keyring

    if keyring.get_keyring().priority > 0:
        return None
    return (
        "This computer has no system keyring LeadDesk can use (on Linux, GNOME Keyring or "
        "KWallet provides one), so the password cannot be remembered: LeadDesk will ask for "
        "it each time."
    )


def _keyring_failed(error: Exception) -> str:
    return (
        f"The system keyring did not answer ({error}), so the password was not remembered: "
        "LeadDesk will ask for it next time."
    )


def find_password(url: str) -> str | None:
    """The password typed in ``url``, else the one in the keyring, else None (ask the user)."""
    parsed = _parse(url)
    if parsed.password is not None:
        return parsed.password
    import keyring  # here, not at the top: it costs start-up time and is rarely needed
    from keyring.errors import KeyringError

    try:
        password: str | None = keyring.get_password(SERVICE, account(parsed))
    except KeyringError:  # no usable keyring: the caller asks, as it would for a new database
        return None
    return password


def remember_password(url: str, password: str) -> None:
    """Keep the password in the system keyring for the next connection.

    Raises:
        KeyringUnavailableError: there is no keyring, or it refused; nothing was written.
    """
    import keyring
    from keyring.errors import KeyringError

    problem = keyring_problem()
    if problem is not None:
        raise KeyringUnavailableError(problem)
    try:
        keyring.set_password(SERVICE, account(url), password)
    except KeyringError as exc:
        raise KeyringUnavailableError(_keyring_failed(exc)) from exc


def forget_password(url: str) -> None:
    """Remove the password kept for ``url``, if any."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if keyring_problem() is not None:
        return  # nothing can have been kept
    try:
        keyring.delete_password(SERVICE, account(url))
    except PasswordDeleteError:
        return  # none was kept
    except KeyringError as exc:
        raise KeyringUnavailableError(f"The system keyring did not answer ({exc}).") from exc


# -- connecting ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Connected:
    """An opened team database, and why its password was not kept if the keyring failed."""

    db: Database
    keyring_note: str | None = None


def connect(url: str, password: str | None, *, remember: bool) -> Connected:
    """Open a team database, then keep or forget its password as the user chose.

    A keyring that fails does not undo the connection; its problem comes back as a note.
    """
    db = Database.open(url, password=password or None)
    try:
        if remember and password:
            remember_password(url, password)
        else:
            forget_password(url)
    except KeyringUnavailableError as exc:
        return Connected(db, str(exc))
    return Connected(db)


def open_location(location: str, ask: Callable[[str], str] | None = None) -> Database:
    """Open a database file, or a team database with the password found for it.

    The password comes from the URL, the keyring or ``PGPASSWORD``; with none, the server may
    still let the user in (trust, a ``.pgpass`` file). If it refuses, ``ask`` (a prompt) is
    asked once; without one, the error says how to give the password.
    """
    if not is_team_url(location):
        return Database.open(location)
    url = without_password(location)
    password = find_password(location) or os.environ.get("PGPASSWORD") or None
    try:
        return Database.open(url, password=password)
    except LoginRefusedError as exc:
        if ask is not None:
            return Database.open(url, password=ask(f"Password for {account(url)}: ") or None)
        if password is None:
            raise DatabaseError(_no_password(url)) from exc
        raise


def _no_password(url: str) -> str:
    missing = f"No password for {account(url)}."
    if keyring_problem() is not None:
        return f"{missing} Set PGPASSWORD (this computer has no system keyring to keep it in)."
    return (
        f"{missing} Set PGPASSWORD, or connect once from the app (File ▸ Connect to team "
        "database…) with “Remember the password” ticked."
    )
