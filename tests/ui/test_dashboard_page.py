"""The Dashboard page: charts over sample leads, the empty state, and clicks to the leads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCharts import QAbstractBarSeries, QLineSeries
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from ui_hosts import show_loaded  # beside this file

from leaddesk.core.activities import Outcome, log_outcome
from leaddesk.core.db import Database
from leaddesk.core.errors import DatabaseError
from leaddesk.core.leads import LeadFilter, count_leads, list_leads
from leaddesk.core.progress import Progress
from leaddesk.ui import theme
from leaddesk.ui.dashboard.card import ChartCard, count_axis, short_count, unique
from leaddesk.ui.pages import dashboard_page
from leaddesk.ui.pages.dashboard_page import DashboardPage

SIGNAL_TIMEOUT = 10_000


def shown(qtbot: QtBot, host: QWidget, db: Database) -> DashboardPage:
    """The page over ``db`` in ``host``, once its first numbers are on screen."""
    page = DashboardPage(db)
    show_loaded(qtbot, host, page, SIGNAL_TIMEOUT)
    return page


@pytest.fixture
def page(qtbot: QtBot, host: QWidget, sample_db: Database) -> DashboardPage:
    return shown(qtbot, host, sample_db)


def test_builds_every_chart_from_sample_data(page: DashboardPage, sample_db: Database) -> None:
    assert page.stack.currentWidget() is page.content
    assert page.tiles.numbers["leads"].text() == "450"
    dashboard = page.dashboard
    assert dashboard is not None
    assert page.tiles.numbers["won"].text() == f"{dashboard.headline.won.count:,}"
    for card in (page.scores, page.conversion, page.tiers, page.calls, page.pipeline):
        assert card.view.isVisible(), card.title.text()
        assert card.chart.series(), card.title.text()
    score_series = page.scores.chart.series()
    assert [type(s) for s in score_series][-1] is QLineSeries  # the threshold
    assert page.scores.bars[0] == dashboard.scores.bars
    assert len(page.calls.bars[0]) == 30
    assert "sales-ready from 60" in page.scores.subtitle.text()
    # The sample has no imports: a sentence, not empty axes.
    assert not page.imports.view.isVisible()
    assert page.imports.empty.text().startswith("No imports yet.")


def test_empty_database_shows_a_friendly_empty_state(
    qtbot: QtBot, host: QWidget, db: Database
) -> None:
    page = shown(qtbot, host, db)
    assert page.stack.currentWidget() is page.empty
    assert page.empty.title.text() == "Nothing to chart yet"


def test_a_click_on_a_bar_opens_its_leads(page: DashboardPage, qtbot: QtBot) -> None:
    cases = [
        (page.scores, 0, 5, LeadFilter(min_score=40, max_score=50), "Score 40\N{EN DASH}50"),
        (page.tiers, 0, 0, LeadFilter(tiers=("Hot",), grades=("A",)), "Hot, grade A"),
        # Horizontal charts draw their first bar at the bottom: "New" is the last, on top.
        (page.pipeline, 0, 6, LeadFilter(statuses=("new",)), "New leads"),
    ]
    for card, set_index, index, lead_filter, description in cases:
        with qtbot.waitSignal(page.open_leads) as opened:
            card.click(set_index, index)
        assert opened.args == [lead_filter, description]


def test_conversion_bands_open_their_won_and_lost_leads(
    page: DashboardPage, qtbot: QtBot, sample_db: Database
) -> None:
    top = page.conversion.bars[0][-1]  # horizontal: the highest band is drawn last, on top
    assert top.leads.statuses == ("won", "lost")
    with sample_db.read() as conn:
        assert count_leads(conn, top.leads) == top.count
    with qtbot.waitSignal(page.open_leads) as opened:
        page.conversion.click(0, len(page.conversion.bars[0]) - 1)
    assert opened.args[0] == top.leads


# The offscreen platform cannot raise the tooltip the mouse shows over a bar.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_real_click_on_a_score_bar(page: DashboardPage, qtbot: QtBot) -> None:
    card = page.scores
    bins = [bar.count for bar in card.bars[0]]
    index = max(range(len(bins)), key=bins.__getitem__)  # the tallest bar: easy to hit
    series = next(s for s in card.chart.series() if isinstance(s, QAbstractBarSeries))
    point = card.chart.mapToPosition(QPointF(index, bins[index] / 2), series)
    where = card.view.mapFromScene(card.chart.mapToScene(point))
    with qtbot.waitSignal(page.open_leads) as opened:
        qtbot.mouseClick(card.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [card.bars[0][index].leads, card.bars[0][index].description]


def test_a_click_on_a_tile_opens_its_leads(page: DashboardPage, qtbot: QtBot) -> None:
    tile = page.tiles.numbers["sales_ready"].parentWidget()
    assert tile is not None
    with qtbot.waitSignal(page.open_leads) as opened:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert opened.args[0] == LeadFilter(sales_ready=True)


def test_refresh_waits_until_the_page_is_shown(
    page: DashboardPage, qtbot: QtBot, sample_db: Database
) -> None:
    with sample_db.read() as conn:
        lead_id = list_leads(conn, LeadFilter(statuses=("new",)), limit=1)[0]["id"]
    log_outcome(sample_db, lead_id, Outcome.MEETING, at=datetime.now(UTC))
    page.hide()
    page.refresh()
    assert not page.loader.busy
    assert page.tiles.numbers["calls_today"].text() == "0"
    with qtbot.waitSignal(page.loaded, timeout=SIGNAL_TIMEOUT):
        page.show()
    assert page.tiles.numbers["calls_today"].text() == "1"


def test_only_the_newest_load_is_shown(page: DashboardPage, qtbot: QtBot) -> None:
    emitted: list[object] = []
    page.loader.loaded.connect(emitted.append)
    page.refresh()
    page.refresh()  # the first load is dropped for this one
    qtbot.waitUntil(lambda: not page.loader.busy, timeout=SIGNAL_TIMEOUT)
    assert len(emitted) == 1


def test_charts_follow_light_and_dark(page: DashboardPage, qapp: QApplication) -> None:
    saved = qapp.palette()
    try:
        for scheme in ("dark", "light"):
            theme.apply_scheme(qapp, scheme)
            for card in page.cards:
                text = card.palette().color(QPalette.ColorRole.Text)
                assert (text.lightness() > 128) == (scheme == "dark")
                assert not card.chart.isBackgroundVisible()
                assert {axis.labelsColor().rgb() for axis in card.chart.axes()} <= {text.rgb()}
    finally:
        qapp.setPalette(saved)


@pytest.mark.parametrize(
    ("value", "label"), [(0, "0"), (950, "950"), (1500, "1.5k"), (20_000, "20k"), (1.2e6, "1.2M")]
)
def test_short_counts(value: float, label: str) -> None:
    assert short_count(value) == label


@pytest.mark.parametrize(
    ("top", "labels"),
    [
        (3, ["1", "2", "3"]),
        (7, ["2", "4", "6", "8"]),
        (812, ["500", "1k"]),
        (407_793, ["200k", "400k", "600k"]),
    ],
)
def test_count_axis_steps_are_round(qtbot: QtBot, top: int, labels: list[str]) -> None:
    assert count_axis(top).categoriesLabels() == labels


def test_repeated_categories_stay_apart() -> None:
    assert unique(["a.xlsx", "b.xlsx", "a.xlsx"]) == ["a.xlsx", "b.xlsx", "a.xlsx\u200b"]


def test_an_empty_card_says_so(qtbot: QtBot) -> None:
    card = ChartCard("Calls")
    qtbot.addWidget(card)
    card.show_empty("No calls yet.")
    assert card.view.isHidden()
    assert not card.empty.isHidden()
    assert card.empty.text() == "No calls yet."


def test_shown_and_refreshed_at_once_it_loads_once(
    page: DashboardPage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window shows the page and then calls ``refresh``: one load, not two."""
    page.hide()
    page.refresh()
    starts: list[int] = []
    load = page.loader.load
    monkeypatch.setattr(page.loader, "load", lambda: (starts.append(1), load()))
    with qtbot.waitSignal(page.loaded, timeout=SIGNAL_TIMEOUT):
        page.show()
        page.refresh()
    qtbot.wait(20)  # the deferred load of the show event has had its turn
    assert len(starts) == 1


def test_tooltips_say_what_a_bar_counts(page: DashboardPage) -> None:
    assert page.dashboard is not None
    sixty = page.dashboard.scores.edges.index(60)
    ready = page.scores.bars[1][sixty]
    assert (
        page.scores.tips[1][sixty] == f"Score 60\N{EN DASH}70, sales-ready: {ready.count:,} leads"
    )
    hot_a = page.tiers.bars[0][0]
    assert page.tiers.tips[0][0] == f"Hot, grade A: {hot_a.count:,} leads"
    assert page.calls.tips[0][-1].endswith(" calls")


def test_a_failed_read_is_explained(
    qtbot: QtBot, host: QWidget, sample_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*_args: object) -> Iterator[Progress]:
        raise DatabaseError("The database is busy. Wait a moment and try again.")
        yield  # a job is a generator

    monkeypatch.setattr(dashboard_page, "dashboard_job", busy)
    page = DashboardPage(sample_db)
    host.layout().addWidget(page)
    with qtbot.waitSignal(page.loader.failed, timeout=SIGNAL_TIMEOUT):
        host.show()
    assert page.stack.currentWidget() is page.message
    assert page.message.text() == (
        "The dashboard could not be read. The database is busy. Wait a moment and try again."
    )
