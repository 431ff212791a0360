"""Problems of the world, as opposed to bugs.

A ``LeadDeskError`` carries a message written for the user (what happened, what to do).
The GUI shows it in a plain dialog and the CLI prints ``error: …`` and exits with status 2;
anything else is a bug and is logged with its traceback.
"""

from pathlib import Path


class LeadDeskError(Exception):
    """A problem the user can act on; ``str(error)`` is the message to show."""


class BadFileError(LeadDeskError):
    """A file that cannot be read as a contact list."""


class DatabaseError(LeadDeskError):
    """The database cannot be opened or written (locked, too new, corrupt, disk full)."""


class ConnectionLostError(DatabaseError):
    """The server dropped or stopped answering during work; the transaction rolled back, and
    the engine replaces the connection on its next use, so trying again later succeeds."""

    def __init__(
        self,
        message: str = (
            "The connection to the team database was lost. Nothing was saved; LeadDesk "
            "reconnects by itself. Try again in a moment."
        ),
    ) -> None:
        super().__init__(message)


class CorruptDatabaseError(DatabaseError):
    """A damaged SQLite file, left as it is; the app offers ``latest_backup`` to restore
    (None when there is none)."""

    def __init__(self, message: str, database: Path, latest_backup: Path | None) -> None:
        super().__init__(message)
        self.database = database
        self.latest_backup = latest_backup


class NotFoundError(LeadDeskError):
    """An id given by the user does not exist."""


class InvalidInputError(LeadDeskError):
    """A value given by the user is not acceptable (a date, an outcome, a model file)."""


class CancelledError(LeadDeskError):
    """Long work stopped at the user's request; nothing was written."""

    def __init__(self, message: str = "Cancelled. Nothing was changed.") -> None:
        super().__init__(message)
