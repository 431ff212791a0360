"""The daily rescore: decayed scores brought up to date on start and at each new day."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.schema import leads
from leaddesk.core.scoring.common import scoring_moment
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
    assert daily.timer.isActive()  # looks for the next day every few minutes
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


def test_a_new_day_rescores_again(
    qtbot: QtBot, sample_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaddesk.ui import daily_rescore

    daily = DailyRescore(sample_db)
    daily.start()
    qtbot.waitUntil(lambda: daily._worker is None, timeout=10_000)
    daily._check_day()  # the same day: nothing to do
    assert daily._worker is None
    tomorrow = scoring_moment() + timedelta(days=1)
    monkeypatch.setattr(daily_rescore, "scoring_moment", lambda: tomorrow)
    daily._check_day()
    assert daily._worker is not None
    qtbot.waitUntil(lambda: daily._worker is None, timeout=10_000)
    daily.stop()
