"""The scoring editor's rules: values from the data, defaults, adapting values, drafts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from leaddesk.core.db import Database
from leaddesk.core.fields import FieldRegistry, builtin
from leaddesk.core.leads import load_registry
from leaddesk.core.schema import CustomFieldRecord
from leaddesk.core.scoring import editing, store
from leaddesk.core.scoring.model import (
    OPERATORS_BY_TYPE,
    ActivityRule,
    Rule,
    ScoringModel,
    default_model,
    validate,
)

AddLeads = Callable[..., list[int]]
custom_fields = CustomFieldRecord.__table__  # type: ignore[attr-defined]


def test_field_values_most_frequent_first_and_limited(db: Database, add_leads: AddLeads) -> None:
    add_leads(
        [{"industry": "Retail"}] * 3
        + [{"industry": "Banking"}] * 5
        + [{"industry": "Energy"}, {"industry": None}, {"industry": ""}]
    )
    with db.read() as conn:
        registry = load_registry(conn)
        assert editing.field_values(conn, registry, "industry") == ["Banking", "Retail", "Energy"]
        assert editing.field_values(conn, registry, "industry", limit=2) == ["Banking", "Retail"]
        assert editing.field_values(conn, registry, "employees") == []  # numbers: a spin box


def test_field_values_of_a_custom_field(db: Database, add_leads: AddLeads) -> None:
    with db.write() as conn:
        conn.execute(custom_fields.insert().values(key="plan", label="Plan", type="text"))
    add_leads(
        [{"custom": {"plan": "Pro"}}] * 2
        + [{"custom": {"plan": "Free"}}, {"custom": {"plan": 3}}, {"custom": {}}]
    )
    with db.read() as conn:
        assert editing.field_values(conn, load_registry(conn), "plan") == ["Pro", "Free"]


def test_field_values_of_a_choice_field_list_every_choice_used_first(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"status": "won"}, {"status": "won"}, {"status": "lost"}])
    with db.read() as conn:
        values = editing.field_values(conn, load_registry(conn), "status")
    assert values[:2] == ["won", "lost"]
    assert set(values) == set(builtin("status").choices)


@pytest.mark.parametrize("name", ["job_title", "employees", "last_activity_at", "do_not_call"])
def test_every_default_value_validates_for_every_operator(name: str) -> None:
    registry = FieldRegistry()
    f = registry.get(name)
    for op in OPERATORS_BY_TYPE[f.type]:
        value = editing.default_value(f, op, known=["Manager"])
        model = ScoringModel("m", fit_rules=[Rule(name, op, value, 5)])
        assert validate(model, registry) == [], (op, value)


def test_a_text_rule_without_data_asks_for_a_value() -> None:
    registry = FieldRegistry()
    model = ScoringModel(
        "m", fit_rules=[Rule("industry", "one_of", editing.default_value(builtin("industry"),
                                                                          "one_of"), 5)]
    )  # fmt: skip
    assert "empty" in validate(model, registry)[0]


def test_changing_the_operator_keeps_what_still_makes_sense() -> None:
    title, employees = builtin("job_title"), builtin("employees")
    assert editing.adapt_value(title, "equals", "one_of", "VP") == ["VP"]
    assert editing.adapt_value(title, "contains", "equals", ["VP", "Chief"]) == "VP"
    assert editing.adapt_value(title, "contains", "is_empty", ["VP"]) is None
    assert editing.adapt_value(employees, "at_least", "between", 50) == [50.0, 100.0]
    assert editing.adapt_value(employees, "between", "less_than", [50, 999]) == 50.0
    last = builtin("last_activity_at")
    assert editing.adapt_value(last, "within_last_days", "more_than_days_ago", 7) == 7
    assert editing.adapt_value(last, "within_last_days", "before", 7) == editing.default_value(
        last, "before"
    )


def test_changing_the_field_limits_the_operator_to_its_type() -> None:
    rule = Rule("job_title", "contains", ["VP"], 20, "VPs")
    changed = editing.change_field(rule, builtin("employees"))
    assert changed.op in OPERATORS_BY_TYPE[builtin("employees").type]
    assert (changed.points, changed.label) == (20, "VPs")
    assert editing.change_field(rule, builtin("industry")).op == "contains"
    assert editing.change_field(rule, builtin("industry"), known=["Retail"]).value == ["Retail"]


def test_new_rules_start_on_the_groups_usual_field() -> None:
    registry = FieldRegistry()
    assert editing.new_rule(registry, "fit", known=["Manager"]).field == "job_title"
    engagement = editing.new_rule(registry, "engagement")
    assert engagement.field == "page_views"
    assert validate(ScoringModel("m", engagement_rules=[engagement]), registry) == []
    first = editing.new_activity_rule([])
    second = editing.new_activity_rule([first])
    assert (first.activity, first.outcome) != (second.activity, second.outcome)


def test_activity_choices_add_logged_kinds(db: Database, add_leads: AddLeads) -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    add_leads([{}], activities=[(0, {"kind": "trade_show", "outcome": "badge-scan", "at": at})])
    with db.read() as conn:
        choices = editing.activity_choices(conn)
    assert choices[0] == ("call", "connected")
    assert ("trade_show", "badge-scan") in choices
    assert ("trade_show", None) in choices
    assert editing.activity_choice_label("call", "no-answer") == "Call: no answer"
    assert editing.activity_choice_label("email_open", None) == "Email open"


def test_editing_the_active_model_makes_a_draft_copy(db: Database) -> None:
    with db.write() as conn:
        model_id, model = store.active_model(conn)
        assert model_id is None  # the built-in default
        draft_id = editing.editable_version(conn, model_id, model)
        assert editing.editable_version(conn, draft_id, model) == draft_id  # drafts in place
        versions = {m.id: m.state for m in store.list_models(conn)}
        assert versions == {draft_id: "draft"}
        assert store.active_model(conn)[0] is None  # the active model is untouched
        assert editing.version_to_open(conn) == store.list_models(conn)[0]


def test_version_to_open_prefers_a_draft_over_the_active_one(db: Database) -> None:
    with db.write() as conn:
        assert editing.version_to_open(conn) is None
        active = store.save_model(conn, default_model(), state="active")
        opened = editing.version_to_open(conn)
        assert opened is not None
        assert opened.id == active
        draft = store.save_model(conn, default_model())
        opened = editing.version_to_open(conn)
        assert opened is not None
        assert opened.id == draft


def test_problems_are_placed_on_their_rules() -> None:
    registry = FieldRegistry()
    model = ScoringModel(
        "m",
        fit_rules=[Rule("job_title", "contains", ["VP"], 5)] * 2,
        engagement_rules=[Rule("page_views", "contains", ["x"], 5)],
        activity_rules=[ActivityRule("", None, 1)],
        grade_bands={"A": 10, "B": 20},
    )  # fmt: skip
    problems = editing.place_problems(validate(model, registry))
    assert problems
    assert problems.for_rule("fit", 0) == []
    assert problems.for_rule("fit", 1)[0].startswith("Repeats an earlier rule")
    assert "does not apply to Page views" in problems.for_rule("engagement", 0)[0]
    assert problems.for_rule("activity", 0) == ["Choose the kind of activity it counts."]
    assert any(m.startswith("Bands must go down") for m in problems.messages)
    assert not editing.place_problems([])


def test_copies_are_independent() -> None:
    model = default_model()
    copy = editing.copy_model(model)
    copy.fit_rules[0].points = 99
    assert model.fit_rules[0].points != 99
    assert copy.to_dict() != model.to_dict()
