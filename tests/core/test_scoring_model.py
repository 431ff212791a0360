"""The scoring model as data: JSON round trip, validation messages, the default model, store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.scoring import common, store
from leaddesk.core.scoring.model import (
    OPERATORS_BY_TYPE,
    ActivityRule,
    Rule,
    ScoringModel,
    compare,
    default_model,
    rule_label,
    validate,
)
from leaddesk.core.scoring.templates import TEMPLATES

REGISTRY = FieldRegistry(
    [custom_field("plan", "Plan"), custom_field("seats", "Seats", FieldType.NUMBER)]
)


def test_default_model_is_valid_and_round_trips_through_json() -> None:
    model = default_model()
    assert validate(model, REGISTRY) == []
    data = json.loads(json.dumps(model.to_dict()))
    assert data["format"] == 1
    assert ScoringModel.from_dict(data) == model


def test_default_model_covers_the_basics() -> None:
    model = default_model()
    fit_fields = {r.field for r in model.fit_rules}
    assert {"job_title", "employees", "email", "country", "source"} <= fit_fields
    engagement_fields = {r.field for r in model.engagement_rules}
    assert {
        "page_views",
        "email_opens",
        "form_submissions",
        "last_activity_at",
    } <= engagement_fields
    outcomes = {(r.activity, r.outcome) for r in model.activity_rules}
    assert {("call", "connected"), ("call", "meeting")} <= outcomes
    assert all(r.half_life_days for r in model.activity_rules)


def test_every_field_type_has_operators() -> None:
    assert set(OPERATORS_BY_TYPE) == set(FieldType)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule("shoe_size", "equals", "9", 5), "no scorable field called 'shoe_size'"),
        (Rule("first_name", "equals", "Ann", 5), "no scorable field called 'first_name'"),
        (Rule("employees", "contains", "5", 5), "does not apply to Employees"),
        (Rule("job_title", "greater_than", 3, 5), "does not apply to Job title"),
        (Rule("do_not_email", "equals", "yes", 5), "does not apply to Do not email"),
        (Rule("employees", "at_least", "ten", 5), "the value must be a number"),
        (Rule("employees", "between", [10], 5), "needs two numbers"),
        (Rule("employees", "between", [100, 10], 5), "low number first"),
        (Rule("job_title", "one_of", [], 5), "list of values is empty"),
        (Rule("job_title", "one_of", "VP", 5), "needs a list"),
        (Rule("job_title", "contains", [], 5), "list of values is empty"),
        (Rule("job_title", "contains", 7, 5), "must be text"),
        (Rule("job_title", "equals", "  ", 5), "must be text, and not empty"),
        (Rule("status", "one_of", ["open"], 5), "has no value 'open'"),
        (Rule("last_activity_at", "before", "31/12/2026", 5), "YYYY-MM-DD"),
        (Rule("last_activity_at", "within_last_days", -3, 5), "positive number"),
        (Rule("do_not_email", "is_true", "yes", 5), "takes no value"),
        (Rule("job_title", "contains", "VP", 2.55), "at most one decimal"),
        (Rule("job_title", "contains", "VP", True), "points must be a number"),
        (Rule("plan", "greater_than", 3, 5), "does not apply to Plan"),
    ],
)
def test_validation_says_what_is_wrong(rule: Rule, message: str) -> None:
    problems = validate(ScoringModel("m", fit_rules=[rule]), REGISTRY)
    assert len(problems) == 1, problems
    assert message in problems[0]
    assert problems[0].startswith("Fit rule 1")


def test_validation_finds_duplicates_bands_and_activity_problems() -> None:
    model = ScoringModel(
        "m",
        engagement_rules=[
            Rule("page_views", "at_least", 5, 5),
            Rule("page_views", "at_least", 5, 7),
        ],
        activity_rules=[
            ActivityRule("call", "connected", 5, half_life_days=0),
            ActivityRule("call", "connected", 5, cap=-1),
        ],
        fit_cap=10.25,
        grade_bands={"A": 10, "B": 20},
        tier_bands={"Hot": 50, "Lukewarm": 20},
    )
    problems = " | ".join(validate(model, REGISTRY))
    assert "Engagement rule 2 repeats an earlier rule" in problems
    assert "Activity rule 1: the half-life must be a positive" in problems
    assert "Activity rule 2: the cap must be positive" in problems
    assert "Activity rule 2 repeats an earlier rule" in problems
    assert "fit maximum" in problems
    assert "Bands must go down" in problems
    assert "Tier bands are named Hot and Warm" in problems


def test_custom_fields_are_scorable_with_their_type() -> None:
    model = ScoringModel(
        "m",
        fit_rules=[Rule("plan", "equals", "Pro", 5), Rule("seats", "between", [5, 50], 5)],
    )
    assert validate(model, REGISTRY) == []


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"format": 2, "name": "x"},
        {"name": "x"},
        {"format": 1},
        {"format": 1, "name": "x", "fit_rules": [{"op": "x"}]},
    ],
)
def test_from_dict_refuses_what_it_cannot_read(data: object) -> None:
    with pytest.raises(InvalidInputError):
        ScoringModel.from_dict(data)


def test_rule_labels_are_written_from_the_rule() -> None:
    assert (
        rule_label(Rule("job_title", "contains", "VP", 20), REGISTRY) == "Job title contains 'VP'"
    )
    assert rule_label(Rule("employees", "between", [50, 200.0], 1), REGISTRY) == (
        "Employees between 50 and 200"
    )
    assert rule_label(Rule("last_activity_at", "within_last_days", 7, 1), REGISTRY) == (
        "Last activity within the last 7 days"
    )
    assert rule_label(Rule("do_not_call", "is_true", None, 1), REGISTRY) == "Do not call is yes"
    assert rule_label(Rule("x", "equals", "y", 1, label="Mine"), REGISTRY) == "Mine"


def test_grade_and_tier_bands() -> None:
    model = default_model()
    assert [model.grade_for(f) for f in (40, 39.9, 25, 10, 9.9, -5)] == [
        "A",
        "B",
        "B",
        "C",
        "D",
        "D",
    ]
    assert [model.tier_for(t) for t in (70, 69.9, 40, 39.9)] == ["Hot", "Warm", "Warm", "Cold"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Dírector", "director"),
        ("ÉVE", "eve"),
        ("Ça", "ca"),
        ("Øystein", "oystein"),
        ("ПРИВЕТ", "привет"),
        ("a%_*?[", "a%_*?["),
    ],
)
def test_fold_ignores_case_and_accents(text: str, folded: str) -> None:
    assert common.fold(text) == folded
    assert common.fold(common.fold(text)) == folded


def test_round_score_rounds_half_up_the_same_way_everywhere() -> None:
    assert [common.round_score(v) for v in (0.25, 0.35, -0.25, 2.04999, 67.95)] == [
        0.3,
        0.4,
        -0.2,
        2.0,
        68.0,
    ]


# -- the store -----------------------------------------------------------------------------


def test_reading_the_active_model_writes_nothing(db: Database) -> None:
    with db.read() as conn:
        assert store.active_model(conn) == (None, default_model())
    with db.read() as conn:
        assert store.list_models(conn) == []


def test_the_default_model_is_stored_once_when_needed(db: Database) -> None:
    with db.write() as conn:
        first_id = store.ensure_active_model(conn)
        second_id = store.ensure_active_model(conn)
        infos = store.list_models(conn)
        assert store.active_model(conn) == (first_id, default_model())
    assert first_id == second_id
    assert [(i.state, i.name) for i in infos] == [("active", default_model().name)]


def test_drafts_activation_and_archive(db: Database, add_leads: object) -> None:
    from leaddesk.core.progress import run

    with db.write() as conn:
        default_id = store.ensure_active_model(conn)
        draft = ScoringModel("Titles only", fit_rules=[Rule("job_title", "contains", "vp", 50)])
        draft_id = store.save_model(conn, draft)
        draft.fit_rules.append(Rule("country", "equals", "DE", 5))
        store.update_draft(conn, draft_id, draft)
    result = run(store.activate_model(db, draft_id))
    assert result.scored == 0
    with db.read() as conn:
        states = {i.id: i.state for i in store.list_models(conn)}
        assert states == {default_id: "archived", draft_id: "active"}
        assert store.active_model(conn) == (draft_id, draft)
        with pytest.raises(InvalidInputError, match=r"Only drafts"):
            store.update_draft(conn, draft_id, draft)


def test_saving_an_invalid_model_is_refused(db: Database) -> None:
    with db.write() as conn, pytest.raises(InvalidInputError, match="shoe_size"):
        store.save_model(conn, ScoringModel("bad", fit_rules=[Rule("shoe_size", "equals", "9", 1)]))


def test_export_and_import_json(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    with db.read() as conn:
        store.export_model_json(conn, path)
        assert store.list_models(conn) == []  # exporting the default does not store it
    with db.write() as conn:
        new_id = store.import_model_json(conn, path)
        assert store.get_model(conn, new_id) == default_model()
        assert {i.id: i.state for i in store.list_models(conn)}[new_id] == "draft"


def test_export_to_a_folder_that_cannot_be_written_says_so(db: Database, tmp_path: Path) -> None:
    with db.read() as conn:
        with pytest.raises(BadFileError, match=r"Could not write .*Choose another folder\."):
            store.export_model_json(conn, tmp_path / "missing" / "model.json")
        with pytest.raises(BadFileError, match=r"Could not write"):
            store.export_model_json(conn, tmp_path)  # a folder, not a file


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (None, BadFileError, r"There is no file .*model\.json"),
        ("{not json", BadFileError, r"model\.json is not valid JSON \(line 1, column 2\)"),
        (b"\xff\xfe\x00bad", BadFileError, r"model\.json is not a text file"),
        ("[1, 2]", InvalidInputError, r"not a LeadDesk scoring model"),
        ('{"format": 99, "name": "x"}', InvalidInputError, r"format 99"),
    ],
)
def test_importing_a_bad_model_file_says_why(
    db: Database,
    tmp_path: Path,
    content: str | bytes | None,
    error: type[Exception],
    message: str,
) -> None:
    path = tmp_path / "model.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, "utf-8")
    with db.write() as conn, pytest.raises(error, match=message):
        store.import_model_json(conn, path)


def test_importing_a_folder_says_it_cannot_be_read(db: Database, tmp_path: Path) -> None:
    with db.write() as conn, pytest.raises(BadFileError, match=r"Could not read"):
        store.import_model_json(conn, tmp_path)


def test_the_default_model_marks_free_and_isp_mail_as_free() -> None:
    from leaddesk.core.scoring.explain import evaluate
    from leaddesk.core.scoring.model import FREE_EMAIL_DOMAINS

    domains = [
        "hotmail.es", "yahoo.ca", "libero.it", "orange.fr", "gmx.de", "ziggo.nl", "telia.com",
        "bigpond.com", "bluewin.ch",
    ]  # fmt: skip
    now = datetime(2026, 3, 4, tzinfo=UTC)
    for domain in domains:
        assert f"@{domain}" in FREE_EMAIL_DOMAINS
        lead = {"id": 1, "email": f"ann.lee@{domain}"}
        explanation = evaluate(default_model(), lead, [], REGISTRY, now)
        labels = [c.label for c in explanation.contributions]
        assert "Free email domain" in labels, domain


def test_two_versions_are_compared_rule_by_rule() -> None:
    old = default_model()
    new = default_model()
    new.fit_rules[1].points = 30
    new.fit_rules[2].enabled = False
    del new.fit_rules[0]
    new.engagement_rules.append(Rule("email_clicks", "at_least", 3, 5))
    new.activity_rules = new.activity_rules[1:]
    new.threshold = 70
    lines = compare(old, new, REGISTRY)
    assert "Fit: removed Decision maker (chief, founder, owner, president)" in lines
    assert "Fit: Job title contains 'VP' +20 → +30" in lines
    assert "Fit: Job title contains 'Director' or 'Head of' disabled" in lines
    assert "Engagement: added Email clicks ≥ 3 (+5)" in lines
    assert "Removed activity rule: Connected call" in lines
    assert "Threshold: 60 → 70" in lines
    assert compare(old, default_model(), REGISTRY) == []


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_are_valid_models(name: str) -> None:
    model = TEMPLATES[name]()
    assert validate(model, FieldRegistry()) == []
    assert ScoringModel.from_dict(json.loads(json.dumps(model.to_dict()))) == model
