"""Problems of the world, as opposed to bugs.

A ``LeadDeskError`` carries a message written for the user (what happened, what to do).
The GUI shows it in a plain dialog and the CLI prints ``error: …`` and exits with status 2;
anything else is a bug and is logged with its traceback.
"""


class LeadDeskError(Exception):
    """A problem the user can act on; ``str(error)`` is the message to show."""


class BadFileError(LeadDeskError):
    """A file that cannot be read as a contact list."""


class DatabaseError(LeadDeskError):
    """The database cannot be opened or written (locked, too new, corrupt, disk full)."""


class NotFoundError(LeadDeskError):
    """An id given by the user does not exist."""


class InvalidInputError(LeadDeskError):
    """A value given by the user is not acceptable (a date, an outcome, a model file)."""


class CancelledError(LeadDeskError):
    """Long work stopped at the user's request; nothing was written."""

    def __init__(self, message: str = "Cancelled. Nothing was changed.") -> None:
        super().__init__(message)
