"""The user's own preferences (QSettings), as opposed to the team's settings (database).

Who the user is (the rep name stored with each call) and which time zone their day runs in
belong to this computer's user; the queue rules belong to the team and live in the database.
"""

from __future__ import annotations

import getpass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QSettings

from leaddesk.core.db import Database
from leaddesk.core.queue_settings import QueueSettings, load_queue_settings

REP_KEY = "user/rep_name"
TIMEZONE_KEY = "user/timezone"


def login_name() -> str:
    """The user's login name, capitalised: the rep name until the user sets one."""
    try:
        return getpass.getuser().capitalize()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "Me"


class Preferences:
    """Typed access to the user's QSettings."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    @property
    def rep_name(self) -> str:
        """The name stored with the user's calls; the login name until the user sets one."""
        value = str(self._settings.value(REP_KEY, "") or "").strip()
        return value or login_name()

    @rep_name.setter
    def rep_name(self, name: str) -> None:
        self._settings.setValue(REP_KEY, name.strip())

    @property
    def timezone(self) -> str | None:
        """The user's time zone name, or None for this computer's."""
        value = str(self._settings.value(TIMEZONE_KEY, "") or "").strip()
        if not value:
            return None
        try:
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError):
            return None  # a zone this computer does not know: fall back to its own
        return value

    @timezone.setter
    def timezone(self, name: str | None) -> None:
        self._settings.setValue(TIMEZONE_KEY, name or "")

    def queue_settings(self, db: Database) -> QueueSettings:
        """The team's queue rules with this user's time zone."""
        with db.read() as conn:
            return load_queue_settings(conn).for_user(self.timezone)
