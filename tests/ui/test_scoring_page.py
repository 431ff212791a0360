"""The Scoring page as a user works it: edit rules, watch the preview, undo, activate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.fields import FieldType
from leaddesk.core.leads import list_leads, load_registry
from leaddesk.core.scoring import editing, store
from leaddesk.core.scoring.explain import explain_lead
from leaddesk.core.scoring.model import OPERATOR_LABELS, OPERATORS_BY_TYPE
from leaddesk.ui.lead_detail import LeadDetailDialog
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages import scoring_page
from leaddesk.ui.pages.scoring_page import ScoringPage
from leaddesk.ui.scoring.delegates import RuleDelegate
from leaddesk.ui.scoring.value_editor import ValueEditor

VP_ROW = 1  # the default model's "Job title contains 'VP'" (+20)


@pytest.fixture
def main(qtbot: QtBot, sample_db: Database, settings: QSettings) -> MainWindow:
    """The window over scored sample leads, on the Scoring page."""
    window = MainWindow(sample_db, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("scoring")
    return window


@pytest.fixture
def page(qtbot: QtBot, main: MainWindow) -> ScoringPage:
    wait_for_preview(qtbot, main.scoring_page)
    return main.scoring_page


def wait_for_preview(
    qtbot: QtBot, page: ScoringPage, until: Callable[[], bool] = lambda: True
) -> None:
    """Until the preview of the model as it is now has arrived (and ``until`` holds)."""
    qtbot.waitUntil(
        lambda: (
            not page.runner.busy
            and page.preview is not None
            and page._preview_of == page.session.model.to_dict()
            and until()
        ),
        timeout=10_000,
    )


def editor_for(page: ScoringPage, row: int, column: int) -> QWidget:
    model = page.fit_model
    delegate = page.fit_panel.table.itemDelegate()
    assert isinstance(delegate, RuleDelegate)
    index = model.index(row, column)
    editor = delegate.createEditor(page.fit_panel.table.viewport(), QStyleOptionViewItem(), index)
    delegate.setEditorData(editor, index)
    return editor


def vp_lead(db: Database) -> int:
    with db.read() as conn:
        leads = list_leads(conn, limit=1000)
    return next(int(r["id"]) for r in leads if "vp" in (r.get("job_title") or "").lower())


def test_change_points_undo_redo_preview_and_activate(
    qtbot: QtBot, page: ScoringPage, sample_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert page.session.version is None or page.session.version.state == "active"
    assert page.preview is not None
    assert page.preview.changed == 0  # the draft is the active model: nothing moves
    assert not page.activate_button.isEnabled()
    lead_id = vp_lead(sample_db)
    with sample_db.read() as conn:
        before = explain_lead(conn, lead_id)

    model = page.fit_model
    assert "VP" in model.rule(VP_ROW).label
    assert model.setData(model.index(VP_ROW, model.COL_POINTS), 45.0)
    assert page.session.version is not None
    assert page.session.version.state == "draft"  # editing the active model made a draft copy
    wait_for_preview(qtbot, page)
    assert page.preview.changed > 0
    changed = page.preview.changed
    assert "will change score" in page.preview_panel.summary.text()

    assert page.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    page.undo_action.trigger()
    assert model.rule(VP_ROW).points == 20
    wait_for_preview(qtbot, page)
    assert page.preview.changed == 0
    page.redo_action.trigger()
    assert model.rule(VP_ROW).points == 45
    wait_for_preview(qtbot, page)
    assert page.preview.changed == changed

    questions: list[str] = []

    def yes(_parent: QWidget, text: str, on_yes: Callable[[], None]) -> None:
        questions.append(text)
        on_yes()

    monkeypatch.setattr(scoring_page, "confirm_activation", yes)
    refreshed: list[bool] = []
    page.scores_changed.connect(lambda: refreshed.append(True))
    assert page.activate_button.isEnabled()
    page.activate_button.click()
    qtbot.waitUntil(lambda: bool(refreshed), timeout=10_000)
    assert f"{changed:,} leads will change score" in questions[0]
    assert page.session.version is not None
    assert page.session.version.state == "active"
    assert not page.activate_button.isEnabled()

    with sample_db.read() as conn:
        after = explain_lead(conn, lead_id)
        active_id, active = store.active_model(conn)
    assert active_id == page.session.version.id
    assert active.fit_rules[VP_ROW].points == 45
    assert any(c.points == 45 and "VP" in c.label for c in after.contributions)
    assert not any(c.points == 45 for c in before.contributions)


def test_the_draft_is_saved_as_the_user_works(
    qtbot: QtBot, page: ScoringPage, sample_db: Database, settings: QSettings
) -> None:
    model = page.fit_model
    model.setData(model.index(0, model.COL_LABEL), "Decision makers")
    version = page.session.version
    assert version is not None
    qtbot.waitUntil(lambda: "saved" in page.save_state.text(), timeout=5000)
    with sample_db.read() as conn:
        assert store.get_model(conn, version.id).fit_rules[0].label == "Decision makers"
    again = ScoringPage(sample_db)
    qtbot.addWidget(again)
    assert again.session.version == version  # the next session opens the draft
    assert again.session.model.fit_rules[0].label == "Decision makers"
    again.runner.stop()


def test_validation_blocks_activation_until_fixed(qtbot: QtBot, page: ScoringPage) -> None:
    model = page.fit_model
    model.setData(model.index(0, model.COL_VALUE), [])
    assert not page.activate_button.isEnabled()
    assert page.problems.isVisible()
    assert "Fit rule 1: the list of values is empty" in page.problems.text()
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole).startswith("The list")
    assert "⚠" in page.tabs.tabText(0)
    assert page.session.save_now() is False
    page.undo_action.trigger()
    assert page.activate_button.isEnabled()
    assert not page.problems.isVisible()


def test_operators_follow_the_field_type(page: ScoringPage) -> None:
    model = page.fit_model
    combo = editor_for(page, VP_ROW, model.COL_OP)
    assert isinstance(combo, QComboBox)
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts == [OPERATOR_LABELS[op] for op in OPERATORS_BY_TYPE[FieldType.TEXT]]
    assert combo.currentData() == "contains"

    model.setData(model.index(VP_ROW, model.COL_FIELD), "employees")
    rule = model.rule(VP_ROW)
    assert rule.op in OPERATORS_BY_TYPE[FieldType.NUMBER]
    combo = editor_for(page, VP_ROW, model.COL_OP)
    assert isinstance(combo, QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == list(
        OPERATORS_BY_TYPE[FieldType.NUMBER]
    )
    assert isinstance(editor_for(page, VP_ROW, model.COL_VALUE), ValueEditor)
    model.setData(model.index(VP_ROW, model.COL_OP), "between")
    editor = editor_for(page, VP_ROW, model.COL_VALUE)
    assert isinstance(editor, ValueEditor)
    assert editor.low is not None
    assert editor.high is not None


def test_values_multi_select_lists_the_values_in_the_data(
    page: ScoringPage, sample_db: Database
) -> None:
    model = page.fit_model
    row = next(
        r
        for r in range(model.rowCount())
        if model.rule(r).field == "source" and model.rule(r).points > 0
    )
    editor = editor_for(page, row, model.COL_VALUE)
    assert isinstance(editor, ValueEditor)
    assert editor.list is not None
    shown = [editor.list.list.item(i).text() for i in range(editor.list.list.count())]
    with sample_db.read() as conn:
        in_data = editing.field_values(conn, load_registry(conn), "source")
    assert in_data
    assert set(in_data) <= set(shown)
    assert editor.list.values() == model.rule(row).value  # the rule's values come ticked
    extra = next(v for v in in_data if v not in model.rule(row).value)
    item = editor.list.list.findItems(extra, Qt.MatchFlag.MatchExactly)[0]
    item.setCheckState(Qt.CheckState.Checked)
    editor.list.entry.setText("Trade show")
    editor.list.entry.returnPressed.emit()  # free text is allowed on a text field
    page.fit_panel.table.itemDelegate().setModelData(editor, model, model.index(row, 3))
    assert extra in model.rule(row).value
    assert "Trade show" in model.rule(row).value


def test_add_duplicate_delete_and_move_are_undoable(page: ScoringPage) -> None:
    panel, model = page.engagement_panel, page.engagement_model
    original = list(page.session.model.engagement_rules)
    panel.select_row(0)
    panel.add()
    assert model.rowCount() == len(original) + 1
    assert panel.current_row() == 1
    panel.duplicate()
    assert model.rowCount() == len(original) + 2
    assert any("Repeats an earlier rule" in m for m in model.problems(2))
    panel.delete()
    assert model.rowCount() == len(original) + 1
    panel.select_row(0)
    panel.move_rule(1)
    assert page.session.model.engagement_rules[1] == original[0]
    assert panel.current_row() == 1
    while page.session.undo_stack.canUndo():
        page.undo_action.trigger()
    assert page.session.model.engagement_rules == original


def test_rule_models_pass_the_model_tester(qtmodeltester: ModelTester, page: ScoringPage) -> None:
    qtmodeltester.check(page.fit_model)
    qtmodeltester.check(page.activity_model)
    page.activity_panel.select_row(0)
    page.activity_panel.add()
    model = page.activity_model
    model.setData(model.index(0, model.COL_HALF_LIFE), 0.0)
    assert model.data(model.index(0, model.COL_HALF_LIFE)) == "no fading"
    page.undo_action.trigger()
    page.undo_action.trigger()
    qtmodeltester.check(page.activity_model)


def test_dragging_the_threshold_on_the_histogram(qtbot: QtBot, page: ScoringPage) -> None:
    histogram = page.preview_panel.histogram
    start = page.session.model.threshold
    y = histogram.height() // 2
    line = QPoint(round(histogram.x_of(start)), y)
    target = QPoint(round(histogram.x_of(30)), y)
    qtbot.mousePress(histogram, Qt.MouseButton.LeftButton, pos=line)
    qtbot.mouseMove(histogram, target)
    qtbot.mouseRelease(histogram, Qt.MouseButton.LeftButton, pos=target)
    assert abs(page.session.model.threshold - 30) <= 2
    assert page.settings_panel.threshold.value() == page.session.model.threshold
    wait_for_preview(qtbot, page)
    assert page.preview.threshold_draft == page.session.model.threshold
    page.undo_action.trigger()
    assert page.session.model.threshold == start


def test_versions_templates_compare_and_reactivate(
    qtbot: QtBot, page: ScoringPage, sample_db: Database, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page.new_from_template("ecommerce")
    assert page.session.version is not None
    assert page.session.model.name == "E-commerce"
    assert "Draft" in page.versions.currentText()
    dialog = page.compare_with_active()
    lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("removed" in line for line in lines)
    dialog.close()

    exported = tmp_path / "model.json"
    page.export_json(exported)
    page.import_json(exported)
    assert page.session.model.name == "E-commerce"
    with sample_db.read() as conn:
        assert len([m for m in store.list_models(conn) if m.state == "draft"]) == 2

    monkeypatch.setattr(scoring_page, "confirm_activation", lambda _p, _t, on_yes: on_yes())
    page.activate()
    qtbot.waitUntil(lambda: "Active" in page.state_badge.text(), timeout=10_000)
    with sample_db.read() as conn:
        archived = next(m for m in store.list_models(conn) if m.state == "archived")
    page.load_version(archived.id)
    assert page.activate_button.text() == "Reactivate…"
    assert page.activate_button.isEnabled()
    wait_for_preview(qtbot, page)


def test_double_clicking_a_moving_lead_opens_it(
    qtbot: QtBot, main: MainWindow, page: ScoringPage
) -> None:
    model = page.fit_model
    model.setData(model.index(VP_ROW, model.COL_POINTS), 60.0)
    wait_for_preview(qtbot, page, lambda: page.preview_panel.entering.rowCount() > 0)
    table = page.preview_panel.entering
    wanted = table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(page.open_lead_requested) as opened:
        table.cellDoubleClicked.emit(0, 0)
    assert opened.args == [wanted]
    detail = main.findChild(LeadDetailDialog)
    assert detail is not None
    qtbot.waitUntil(detail.isVisible)
    assert detail._lead_id == wanted
    detail.reject()


def test_without_leads_the_preview_says_so(qtbot: QtBot, window: MainWindow) -> None:
    window.show_page("scoring")
    page = window.scoring_page
    wait_for_preview(qtbot, page)
    assert page.preview_panel.stack.currentWidget() is page.preview_panel.empty
    assert "no leads yet" in page.preview_panel.empty.text()
    page.tabs.setCurrentIndex(2)
    while page.activity_model.rowCount():
        page.activity_panel.select_row(0)
        page.activity_panel.delete()
    assert page.activity_panel.stack.currentWidget() is page.activity_panel.empty
    assert page.tabs.tabText(2) == "Activity (0)"
