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
COLUMNS_KEY = "leads/columns"
SCHEME_KEY = "ui/color_scheme"
REGION_KEY = "user/region"
WIDTHS_KEY = "leads/column_widths"


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

    @property
    def color_scheme(self) -> str:
        """ "system" (follow the computer's light or dark), "light" or "dark"."""
        value = str(self._settings.value(SCHEME_KEY, "system"))
        return value if value in ("system", "light", "dark") else "system"

    @color_scheme.setter
    def color_scheme(self, scheme: str) -> None:
        self._settings.setValue(SCHEME_KEY, scheme)

    @property
    def region(self) -> str | None:
        """The country (ISO alpha-2) phone numbers without a country code belong to."""
        value = str(self._settings.value(REGION_KEY, "") or "").strip().upper()
        return value or None

    @region.setter
    def region(self, code: str | None) -> None:
        self._settings.setValue(REGION_KEY, code or "")

    @property
    def leads_columns(self) -> list[str] | None:
        """The Leads page's columns by field name, in order (None: the default columns)."""
        value = self._settings.value(COLUMNS_KEY)
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value]
        return [str(v) for v in value] if isinstance(value, list) and value else None

    @leads_columns.setter
    def leads_columns(self, names: list[str] | None) -> None:
        if names:
            self._settings.setValue(COLUMNS_KEY, names)
        else:
            self._settings.remove(COLUMNS_KEY)

    @property
    def leads_column_widths(self) -> dict[str, int]:
        value = self._settings.value(WIDTHS_KEY)
        if not isinstance(value, dict):
            return {}
        return {str(k): int(v) for k, v in value.items() if str(v).isdigit()}

    @leads_column_widths.setter
    def leads_column_widths(self, widths: dict[str, int]) -> None:
        self._settings.setValue(WIDTHS_KEY, widths)

    def queue_settings(self, db: Database) -> QueueSettings:
        """The team's queue rules with this user's time zone."""
        with db.read() as conn:
            return load_queue_settings(conn).for_user(self.timezone)
