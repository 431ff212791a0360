"""The rules of the daily call queue and of each call's follow-up, as the team sets them.

They are team settings, so they live in the database (one ``settings`` row) and every rep's
queue follows the same rules; a value that is missing or was written by an older LeadDesk
falls back to its default. The user's own time zone is not a team setting: the app passes it
in from the user's preferences.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Connection

from leaddesk.core.errors import InvalidInputError
from leaddesk.core.settings_store import read_setting, write_setting

SETTINGS_KEY = "queue.settings"
DEFAULT_CALLING_HOURS = (time(9), time(18))
# How leads without a callback are ranked: by the rule score, by the predictive model's
# probability, or by a blend of the two.
ORDERS = ("score", "probability", "blend")


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a lead comes back after each outcome."""

    retry_working_days: int = 1  # no answer: try again the next working day
    max_attempts: int = 6  # unanswered attempts before the lead goes to nurture
    nurture_days: int = 30
    voicemail_working_days: int = 2
    callback_working_days: int = 1  # connected: the callback date first offered
    snooze_days: int = 1  # S: back on the queue this many days later


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Everything in the queue's order and eligibility that a team may want to change."""

    daily_target: int = 50
    skip_invalid_phones: bool = True
    # Call only inside these local hours at the lead (today's queue only); None = any time.
    calling_hours: tuple[time, time] | None = None
    weekdays_only: bool = True
    claim_minutes: int = 15  # team mode: a lead a rep has open is theirs this long
    order: str = "score"  # one of ORDERS
    blend: int = 50  # with the "blend" order: the probability's weight, in percent
    cadence: Cadence = field(default_factory=Cadence)
    timezone: str | None = None  # the user's, not stored; None = this computer's

    @property
    def max_attempts(self) -> int:
        return self.cadence.max_attempts

    def to_json(self) -> dict[str, Any]:
        """The stored form (the user's time zone is left out: it is not the team's)."""
        data = asdict(self)
        data.pop("timezone")
        hours = self.calling_hours
        data["calling_hours"] = [f"{t:%H:%M}" for t in hours] if hours else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueueSettings:
        """Settings from their stored form; InvalidInputError says which value is wrong."""
        if not isinstance(data, dict):
            raise InvalidInputError("The queue settings are not a JSON object.")
        cadence_data = data.get("cadence") or {}
        if not isinstance(cadence_data, dict):
            raise InvalidInputError("The cadence settings are not a JSON object.")
        cadence = Cadence(**_known(Cadence, cadence_data))
        values = _known(cls, data) | {"cadence": cadence}
        hours = values.get("calling_hours")
        if hours is not None:
            values["calling_hours"] = _hours(hours)
        values.pop("timezone", None)
        return cls(**values).validated()

    def validated(self) -> QueueSettings:
        """These settings, or InvalidInputError naming the first value out of range."""
        _at_least(1, daily_target=self.daily_target, claim_minutes=self.claim_minutes)
        c = self.cadence
        _at_least(1, max_attempts=c.max_attempts, snooze_days=c.snooze_days)
        _at_least(
            0,
            retry_working_days=c.retry_working_days,
            nurture_days=c.nurture_days,
            voicemail_working_days=c.voicemail_working_days,
            callback_working_days=c.callback_working_days,
        )
        if self.order not in ORDERS:
            raise InvalidInputError(
                f"The queue order must be “score”, “probability” or “blend”, not “{self.order}”."
            )
        if not 0 <= self.blend <= 100:
            raise InvalidInputError(
                f"The probability's weight in the blend must be 0 to 100 % (it is {self.blend})."
            )
        if self.calling_hours is not None:
            start, end = self.calling_hours
            if start >= end:
                raise InvalidInputError(
                    f"Calling hours must start before they end ({start:%H:%M}-{end:%H:%M})."
                )
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ValueError, ZoneInfoNotFoundError):
                raise InvalidInputError(f"“{self.timezone}” is not a time zone.") from None
        return self

    def zone(self) -> tzinfo:
        """The user's time zone: the setting, else this computer's."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        return datetime.now().astimezone().tzinfo or UTC

    def for_user(self, timezone: str | None) -> QueueSettings:
        """The team's settings with the user's own time zone."""
        return replace(self, timezone=timezone or None)


_TYPES = {
    "int": (int, "a whole number"),
    "bool": (bool, "true or false"),
    "str": (str, "text"),
}


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The values ``cls`` knows, type-checked (a newer LeadDesk may have stored more)."""
    result = {}
    for f in fields(cls):
        if f.name not in data or f.name == "cadence":
            continue
        value = data[f.name]
        expected = _TYPES.get(str(f.type))
        if expected is not None and type(value) is not expected[0]:
            raise InvalidInputError(f"The queue setting “{f.name}” must be {expected[1]}.")
        result[f.name] = value
    return result


def _hours(value: Any) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(str(t)) for t in value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"Calling hours must be two times such as 09:00 and 18:00, not {value!r}."
        ) from None
    return start, end


def _at_least(minimum: int, **values: int) -> None:
    for name, value in values.items():
        if value < minimum:
            label = name.replace("_", " ")
            raise InvalidInputError(f"The {label} must be at least {minimum} (it is {value}).")


def load_queue_settings(conn: Connection) -> QueueSettings:
    """The team's queue settings, or the defaults if none were saved."""
    stored = read_setting(conn, SETTINGS_KEY)
    return QueueSettings() if stored is None else QueueSettings.from_json(stored)


def save_queue_settings(conn: Connection, settings: QueueSettings) -> None:
    """Store the team's queue settings (validated; the user's time zone is not stored)."""
    write_setting(conn, SETTINGS_KEY, settings.validated().to_json())
