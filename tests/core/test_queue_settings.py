"""The team's queue and cadence settings: stored in the database, validated, defaulted."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.queue_settings import (
    Cadence,
    QueueSettings,
    load_queue_settings,
    save_queue_settings,
)


def test_defaults_until_the_team_saves_its_own(db: Database) -> None:
    with db.read() as conn:
        assert load_queue_settings(conn) == QueueSettings()
    chosen = QueueSettings(
        daily_target=80,
        calling_hours=(time(8, 30), time(17)),
        weekdays_only=False,
        cadence=Cadence(max_attempts=3, voicemail_working_days=1),
        timezone="Europe/Berlin",
    )
    with db.write() as conn:
        save_queue_settings(conn, chosen)
        save_queue_settings(conn, chosen)  # saving again replaces
    with db.read() as conn:
        loaded = load_queue_settings(conn)
    # The user's time zone is theirs, not the team's: it is not stored.
    assert loaded == QueueSettings(
        daily_target=80,
        calling_hours=(time(8, 30), time(17)),
        weekdays_only=False,
        cadence=Cadence(max_attempts=3, voicemail_working_days=1),
    )
    assert loaded.for_user("Asia/Tokyo").timezone == "Asia/Tokyo"
    assert loaded.max_attempts == 3


def test_values_an_older_or_newer_leaddesk_wrote() -> None:
    assert QueueSettings.from_json({}) == QueueSettings()
    older = {"daily_target": 30, "claim_minutes": 10, "cadence": {"max_attempts": 4}}
    loaded = QueueSettings.from_json(older)  # saved before the queue could follow probability
    assert (loaded.order, loaded.blend, loaded.daily_target) == ("score", 50, 30)
    newer = {"daily_target": 30, "some_new_setting": True, "cadence": {"new_rule": 4}}
    assert QueueSettings.from_json(newer) == QueueSettings(daily_target=30)


WRONG: list[tuple[dict[str, Any], str]] = [
    ({"daily_target": 0}, "daily target must be at least 1"),
    ({"daily_target": "50"}, "“daily_target” must be a whole number"),
    ({"weekdays_only": 1}, "“weekdays_only” must be true or false"),
    ({"calling_hours": ["18:00", "09:00"]}, "must start before they end"),
    ({"calling_hours": ["nine", "five"]}, "two times such as 09:00"),
    ({"cadence": {"max_attempts": 0}}, "max attempts must be at least 1"),
    ({"cadence": {"voicemail_working_days": -1}}, "voicemail working days must be at least 0"),
    ({"cadence": [1, 2]}, "cadence settings are not a JSON object"),
    ({"order": "luck"}, "queue order must be “score”, “probability” or “blend”, not “luck”"),
    ({"order": 2}, "“order” must be text"),
    ({"blend": 120}, r"weight in the blend must be 0 to 100 % \(it is 120\)"),
    ({"blend": -5}, r"weight in the blend must be 0 to 100 % \(it is -5\)"),
    ({"blend": 50.5}, "“blend” must be a whole number"),
]


@pytest.mark.parametrize(("data", "message"), WRONG)
def test_a_wrong_value_is_named(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        QueueSettings.from_json(data)


def test_the_queue_order_is_stored_with_the_rest(db: Database) -> None:
    blend = QueueSettings(order="blend", blend=30, daily_target=40)
    with db.write() as conn:
        save_queue_settings(conn, blend)
    with db.read() as conn:
        assert load_queue_settings(conn) == blend
    assert blend.to_json()["order"] == "blend"
    assert blend.to_json()["blend"] == 30
    with pytest.raises(InvalidInputError, match="queue order must be"), db.write() as conn:
        save_queue_settings(conn, QueueSettings(order="probabilty"))


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="not a time zone"):
        QueueSettings(timezone="Mars/Olympus").validated()
