"""The Predictive page as a user works it: too few outcomes, train, read the model, add a
suggested rule to the draft, and the proposal to retrain once outcomes have grown."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from PySide6.QtCharts import QAbstractBarSeries, QLineSeries
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from ui_hosts import show_loaded  # beside this file

from leaddesk.core.db import Database
from leaddesk.core.progress import run
from leaddesk.core.sample import load_sample
from leaddesk.core.scoring import editing, store
from leaddesk.core.scoring.predictive.store import active_predictive_model
from leaddesk.ui.main_window import PAGES, MainWindow
from leaddesk.ui.pages.predictive_page import PredictivePage
from leaddesk.ui.predictive.suggestions import ADDED
from leaddesk.ui.workers import running_workers

TIMEOUT = 60_000  # training a model on a busy CI machine


def shown(qtbot: QtBot, host: QWidget, db: Database) -> PredictivePage:
    """The page over ``db`` in ``host``, once what it shows has been read."""
    page = PredictivePage(db)
    show_loaded(qtbot, host, page, TIMEOUT)
    return page


def set_status(db: Database, status: str, count: int, where: str) -> None:
    """Give ``count`` leads whose status matches ``where`` the status ``status``."""
    with db.write() as conn:
        conn.execute(
            sa.text(
                f"UPDATE leads SET status = :status WHERE id IN "
                f"(SELECT id FROM leads WHERE {where} ORDER BY id LIMIT :count)"
            ),
            {"status": status, "count": count},
        )


def test_an_empty_database_says_how_many_outcomes_are_missing(
    qtbot: QtBot, host: QWidget, db: Database
) -> None:
    page = shown(qtbot, host, db)
    assert page.stack.currentWidget() is page.empty
    assert page.chooser.currentText() == "Won versus lost"
    assert page.outcomes.text() == "0 won and 0 lost leads to learn from"
    assert page.problem.isVisible()
    assert page.problem.text().endswith("40 more won and 40 more lost.")
    assert not page.train_button.isEnabled()


def test_train_read_the_model_and_add_a_suggested_rule_to_the_draft(
    qtbot: QtBot, host: QWidget, db: Database
) -> None:
    run(load_sample(db))
    page = shown(qtbot, host, db)
    assert page.stack.currentWidget() is page.empty
    assert re.fullmatch(r"\d+ won and \d+ lost leads to learn from", page.outcomes.text())
    assert not page.problem.isVisible()

    with qtbot.waitSignal(page.predictions_changed, timeout=TIMEOUT):
        qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.model_view, timeout=TIMEOUT)

    view = page.model_view
    auc = float(view.tiles.values["auc"].text())
    assert 0.5 < auc <= 1
    assert re.fullmatch(r"\d+ / \d+", view.tiles.values["leads"].text())
    assert view.tiles.values["kind"].text() in ("Logistic regression", "Boosted trees")
    assert view.tiles.captions["kind"].text() == "Trained just now"
    assert not view.banner.isVisible()
    reliability = view.reliability.chart.series()
    assert [type(s) for s in reliability] == [QLineSeries, QLineSeries]  # diagonal, model
    assert reliability[1].count() >= 2
    lift = view.lift.chart.series()[0]
    assert isinstance(lift, QAbstractBarSeries)
    assert lift.barSets()[0].count() == 10
    assert re.fullmatch(
        r"The top 10% of leads hold \d+% of the won leads", view.lift.subtitle.text()
    )
    assert view.importance.features

    panel = view.suggestions
    assert panel.buttons
    assert not panel.open_button.isEnabled()
    chosen = panel.suggestions[0]
    with qtbot.waitSignal(page.draft_changed) as changed:
        panel.buttons[0].click()
    draft_id = changed.args[0]
    assert panel.buttons[0].text() == ADDED
    assert not panel.buttons[0].isEnabled()
    with db.read() as conn:
        opened = editing.version_to_open(conn)
        assert opened is not None
        assert (opened.id, opened.state) == (draft_id, "draft")
        draft = store.get_model(conn, draft_id)
    rules = draft.fit_rules if chosen.group == "fit" else draft.engagement_rules
    assert any(
        (r.field, r.op, r.value, r.points)
        == (chosen.rule.field, chosen.rule.op, chosen.rule.value, chosen.points)
        for r in rules
    )
    with qtbot.waitSignal(page.open_draft_requested) as opening:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opening.args == [draft_id]


def test_a_cancelled_training_changes_nothing(qtbot: QtBot, host: QWidget, db: Database) -> None:
    run(load_sample(db))
    page = shown(qtbot, host, db)
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(QProgressDialog)
    assert dialog is not None
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()
    qtbot.waitUntil(lambda: running_workers() == 0, timeout=TIMEOUT)
    with db.read() as conn:
        assert active_predictive_model(conn) is None
    assert page.stack.currentWidget() is page.empty
    assert not page.problem.isVisible()


def test_new_outcomes_bring_a_proposal_to_retrain(
    qtbot: QtBot, host: QWidget, trained: Database
) -> None:
    page = shown(qtbot, host, trained)
    assert page.stack.currentWidget() is page.model_view
    assert not page.model_view.banner.isVisible()
    # A fifth more outcomes than the model learned from.
    set_status(trained, "lost", 40, "status NOT IN ('won', 'lost', 'disqualified')")
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        page.refresh()
    assert page.model_view.banner.isVisible()
    assert "more leads have an outcome since this model was trained" in (
        page.model_view.advice.text()
    )


def test_retraining_with_too_few_outcomes_says_why_on_the_page(
    qtbot: QtBot, host: QWidget, trained: Database
) -> None:
    page = shown(qtbot, host, trained)
    set_status(trained, "new", 1000, "status = 'won'")
    qtbot.mouseClick(page.model_view.retrain_button, Qt.MouseButton.LeftButton)
    problem = page.model_view.problem
    qtbot.waitUntil(problem.isVisible, timeout=TIMEOUT)
    assert problem.text().startswith("Not enough outcomes to learn from yet: 0 won")
    assert page.stack.currentWidget() is page.model_view  # the model is still there


def test_the_sidebar_has_the_predictive_page_after_scoring(
    qtbot: QtBot, trained: Database, tmp_path: Path
) -> None:
    keys = [key for key, _ in PAGES]
    assert keys.index("predictive") == keys.index("scoring") + 1
    window = MainWindow(trained, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    item = window.sidebar.item(keys.index("predictive"))
    assert item.text() == "Predictive"
    assert not item.icon().isNull()
    page = window.predictive_page
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        window.show_page("predictive")
    assert window.pages.currentWidget() is page
    assert page.stack.currentWidget() is page.model_view


def test_an_added_rule_opens_in_the_scoring_editor(
    qtbot: QtBot, trained: Database, tmp_path: Path
) -> None:
    window = MainWindow(trained, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    page = window.predictive_page
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        window.show_page("predictive")
    panel = page.model_view.suggestions
    chosen = panel.suggestions[0]
    panel.buttons[0].click()
    panel.open_button.click()
    assert window.current_page() == "scoring"
    session = window.scoring_page.session
    assert session.version is not None
    assert (session.version.id, session.version.state) == (page.draft_id, "draft")
    rules = session.model.fit_rules + session.model.engagement_rules
    assert any(
        (r.field, r.op, r.value) == (chosen.rule.field, chosen.rule.op, chosen.rule.value)
        for r in rules
    )
