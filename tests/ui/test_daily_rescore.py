"""The daily rescore: decayed scores brought up to date on start and at each new day."""

from __future__ import annotations

import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.schema import leads
from leaddesk.core.scoring.common import seconds_to_next_scoring_day
from leaddesk.ui.daily_rescore import DailyRescore
from leaddesk.ui.main_window import MainWindow


def test_a_stale_score_is_rescored_and_the_next_day_is_planned(
    qtbot: QtBot, sample_db: Database
) -> None:
    with sample_db.write() as conn:
        kept = conn.execute(sa.select(leads.c.score).where(leads.c.id == 1)).scalar()
        conn.execute(leads.update().where(leads.c.id == 1).values(score=-1.0))
    daily = DailyRescore(sample_db)
    messages: list[str] = []
    daily.message.connect(messages.append)
    with qtbot.waitSignal(daily.scores_changed, timeout=10_000):
        daily.start()
    with sample_db.read() as conn:
        assert conn.execute(sa.select(leads.c.score).where(leads.c.id == 1)).scalar() == kept
    assert messages == ["Scores updated for today: 1 lead changed."]
    planned = daily.timer.remainingTime() / 1000
    assert 0 < planned - seconds_to_next_scoring_day() <= 6
    daily.stop()
    assert not daily.timer.isActive()


def test_current_scores_change_nothing(qtbot: QtBot, sample_db: Database) -> None:
    daily = DailyRescore(sample_db)
    with qtbot.assertNotEmitted(daily.scores_changed, wait=300):
        daily.start()
        qtbot.waitUntil(lambda: daily._worker is None, timeout=10_000)
    daily.stop()


def test_the_window_rescores_its_database(window: MainWindow) -> None:
    assert window.daily_rescore is not None
    assert window.daily_rescore.timer.isActive()
