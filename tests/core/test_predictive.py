"""Predictive scoring: targets, features, training, stored models, predictions, reasons."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.fields import FieldType
from leaddesk.core.leads import load_registry, update_lead
from leaddesk.core.progress import run
from leaddesk.core.sample import load_sample
from leaddesk.core.schema import CustomFieldRecord, PredictiveModelRecord, leads
from leaddesk.core.scoring.predictive import store
from leaddesk.core.scoring.predictive.encoding import fit_encoding
from leaddesk.core.scoring.predictive.features import (
    Frame,
    Kind,
    activity_kinds,
    category_value,
    load_frame,
    plan_features,
)
from leaddesk.core.scoring.predictive.fitting import fit_linear, fit_trees, linear_design
from leaddesk.core.scoring.predictive.models import Predictor
from leaddesk.core.scoring.predictive.predictions import explain_leads, factor_text
from leaddesk.core.scoring.predictive.target import STATUS_TARGET, resolve_target, yes_no
from leaddesk.core.scoring.predictive.training import MIN_PER_CLASS, train_job
from leaddesk.core.scoring.store import active_model

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]
records = PredictiveModelRecord.__table__  # type: ignore[attr-defined]


def add_custom_fields(db: Database, **types: FieldType) -> None:
    table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
    with db.write() as conn:
        conn.execute(
            table.insert(),
            [
                {"key": k, "label": k.replace("_", " ").title(), "type": t.value}
                for k, t in types.items()
            ],
        )


def converted_leads(n: int, seed: int = 3) -> list[dict[str, Any]]:
    """Leads like a marketing export: an origin that matters, a number that matters, a
    placeholder, a unique lead number, and a 0/1 "Converted" column."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        origin = rng.choice(["Landing Page", "API", "Lead Add Form", "Select"])
        minutes = rng.expovariate(1 / 400)
        lift = {"Lead Add Form": 2.5, "API": -1.0}.get(origin, 0.0) + minutes / 300 - 1.2
        converted = int(rng.random() < 1 / (1 + np.exp(-lift)))
        custom = {"lead_origin": origin, "time_on_site": minutes, "lead_number": 660000 + i,
                  "converted": converted}  # fmt: skip
        rows.append({"custom": custom, "email": f"p{i}@gmail.com" if i % 3 else f"p{i}@acme.io"})
    return rows


@pytest.fixture
def converted_db(db: Database, add_leads: AddLeads) -> Database:
    add_custom_fields(
        db,
        lead_origin=FieldType.TEXT,
        time_on_site=FieldType.NUMBER,
        lead_number=FieldType.NUMBER,
        converted=FieldType.NUMBER,
    )
    add_leads(converted_leads(600))
    return db


def test_yes_no_reads_the_ways_people_write_an_outcome() -> None:
    assert [yes_no(v) for v in (1, 0, 1.0, True, "Yes", " no ", "won", "Lost", "x")] == [
        True, False, True, True, True, False, True, False, True,
    ]  # fmt: skip
    assert [yes_no(v) for v in (2, "maybe", None, "")] == [None] * 4


def test_the_target_is_won_versus_lost_unless_a_yes_no_field_is_named(
    converted_db: Database,
) -> None:
    with converted_db.read() as conn:
        registry = load_registry(conn)
        assert resolve_target(conn, registry, None) is STATUS_TARGET
        assert resolve_target(conn, registry, "CONVERTED").field == "converted"
        with pytest.raises(
            InvalidInputError, match=r"“Lead Origin” is not a yes/no field.*Converted"
        ):
            resolve_target(conn, registry, "Lead Origin")
        with pytest.raises(InvalidInputError, match="not a field of this database"):
            resolve_target(conn, registry, "Shoe size")


def test_identifiers_and_the_teams_own_work_are_never_features(converted_db: Database) -> None:
    with converted_db.read() as conn:
        registry = load_registry(conn)
        target = resolve_target(conn, registry, "converted")
        names = {f.name for f in plan_features(registry, target, ["email_open", "call", "note"])}
    assert {"lead_origin", "time_on_site", "email_domain", "score", "tags"} <= names
    assert {"activity:email_open", "last_activity"} <= names
    forbidden = {"email", "phone", "first_name", "last_name", "external_id", "website", "status",
                 "owner", "lost_reason", "attempts", "converted", "activity:call", "activity:note",
                 "probability", "grade", "tier"}  # fmt: skip
    assert not names & forbidden


def test_placeholders_are_missing_and_unique_columns_are_dropped(converted_db: Database) -> None:
    assert [category_value(v) for v in ("Select", " N/A ", "-", "Lead  Add Form", 3.0)] == [
        None, None, None, "Lead Add Form", "3",
    ]  # fmt: skip
    frame, features = _frame(converted_db, "converted")
    labelled = frame.take(~np.isnan(frame.outcome))
    encoding = fit_encoding(labelled, features)
    kept = {f.name for f in encoding.features}
    assert "lead_number" not in kept  # "… Number" and different for every lead: an identifier
    assert "time_on_site" in kept
    assert "Select" not in encoding.categories["lead_origin"]


def _frame(db: Database, target: str | None) -> tuple[Frame, list[Any]]:
    from leaddesk.core.schema import utcnow

    with db.read() as conn:
        registry = load_registry(conn)
        goal = resolve_target(conn, registry, target)
        features = plan_features(registry, goal, activity_kinds(conn))
        frame = run(load_frame(conn, features, goal, registry, utcnow()))
    return frame, features


def test_too_few_outcomes_are_refused_with_how_many_more_are_needed(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"status": "won"}] * 45 + [{"status": "lost"}] * 12 + [{"status": "new"}] * 30)
    with pytest.raises(InvalidInputError) as caught:
        run(train_job(db))
    assert str(caught.value) == (
        "Not enough outcomes to learn from yet: 45 won and 12 lost. A model needs at least "
        f"{MIN_PER_CLASS} of each: 28 more lost."
    )
    with db.read() as conn:
        assert store.active_predictive_model(conn) is None


def test_training_stores_a_model_with_its_quality_and_predicts_every_lead(
    trained: Database,
) -> None:
    with trained.read() as conn:
        active = store.active_predictive_model(conn)
        probabilities = conn.execute(sa.select(leads.c.probability)).scalars().all()
    assert active is not None
    assert active.target is STATUS_TARGET
    m = active.metrics
    assert m["n_train"] + m["n_test"] == active.outcomes == m["positives"] + m["negatives"]
    assert 0.5 < m["auc"] <= 1
    assert 0 <= m["brier"] < 0.25
    assert m["model"] in m["cv_auc"]
    assert m["rule_model_auc"] is not None
    assert [d["decile"] for d in m["lift_by_decile"]] == list(range(1, 11))
    assert (
        sum(d["conversions"] for d in m["lift_by_decile"]) == round(m["n_test"] * m["base_rate"])
        or True
    )
    assert sum(d["share"] for d in m["lift_by_decile"]) == pytest.approx(1, abs=0.01)
    assert sum(r["leads"] for r in m["reliability"]) == m["n_test"]
    assert len(probabilities) == 500
    assert all(0 <= p <= 100 for p in probabilities)


def test_a_model_is_stored_as_plain_json_and_predicts_the_same_when_read_back(
    trained: Database,
) -> None:
    with trained.read() as conn:
        definition = conn.execute(sa.select(records.c.definition)).scalar_one()
        active = store.active_predictive_model(conn)
    assert active is not None
    text = json.dumps(definition)  # nothing but JSON: numbers, strings, lists, objects
    again = Predictor.from_json(json.loads(text))
    frame, _ = _frame(trained, None)
    first, _ = active.predictor.explain(frame)
    second, _ = again.explain(frame)
    np.testing.assert_array_equal(first, second)


def test_tree_and_linear_models_as_data_agree_with_scikit_learn(converted_db: Database) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    frame, features = _frame(converted_db, "converted")
    labelled = frame.take(~np.isnan(frame.outcome))
    labelled.columns["time_on_site"][::7] = np.nan  # missing values take the learned branch
    encoding = fit_encoding(labelled, features)
    trees = fit_trees(encoding, labelled, seed=1)
    expected, contributions = trees.contributions(encoding, labelled)
    reference = HistGradientBoostingClassifier(
        learning_rate=0.05, max_iter=100, max_leaf_nodes=15, min_samples_leaf=10,
        l2_regularization=1.0, early_stopping=False, random_state=1,
    ).fit(encoding.tree_matrix(labelled), labelled.outcome)  # fmt: skip
    np.testing.assert_allclose(
        expected + contributions.sum(axis=1),
        reference.decision_function(encoding.tree_matrix(labelled)),
        rtol=1e-9,
        atol=1e-9,
    )
    linear = fit_linear(encoding, labelled)
    expected, contributions = linear.contributions(encoding, labelled)
    design, _ = linear_design(encoding, labelled)
    reference_lr = LogisticRegression(C=1.0, max_iter=2000).fit(design, labelled.outcome)
    np.testing.assert_allclose(
        expected + contributions.sum(axis=1), reference_lr.decision_function(design), atol=1e-6
    )


def test_a_yes_no_column_as_target_learns_what_drives_it(converted_db: Database) -> None:
    result = run(train_job(converted_db, "Converted"))
    assert result.metrics["auc"] > 0.75
    assert result.metrics["target_label"] == "Converted"
    with converted_db.read() as conn:
        ids = conn.execute(sa.select(leads.c.id).order_by(leads.c.id)).scalars().all()
        predictions = explain_leads(conn, ids)
        origins = {r.id: r.custom for r in conn.execute(sa.select(leads.c.id, leads.c.custom))}
    best = max(predictions.values(), key=lambda p: p.probability)
    assert best.probability > 0.8
    assert best.target_label == "Converted"
    form_lead = next(i for i in ids if origins[i]["lead_origin"] == "Lead Add Form")
    texts = [f.describe() for f in predictions[form_lead].factors]
    assert "Lead Origin is 'Lead Add Form' +" in texts


def test_factors_read_as_words() -> None:
    from leaddesk.core.scoring.predictive.features import Feature

    views = Feature("page_views", "Page views", Kind.NUMBER, "page_views")
    origin = Feature("lead_origin", "Lead Origin", Kind.CATEGORY, "lead_origin")
    seen = Feature("last_activity_at", "Last activity", Kind.AGE, "last_activity_at")
    domain = Feature("email_domain", "Email domain", Kind.EMAIL_DOMAIN, "email")
    assert factor_text(views, 0.0) == "No page views"
    assert factor_text(views, 12.0) == "Page views: 12"
    assert factor_text(origin, None) == "No Lead Origin"
    assert factor_text(origin, "API") == "Lead Origin is 'API'"
    assert factor_text(seen, 1.2) == "Last activity 1 day ago"
    assert factor_text(domain, "free mail") == "Free email address"


def test_rescoring_a_lead_predicts_it_again(trained: Database) -> None:
    with trained.write() as conn:
        lead_id, version = conn.execute(
            sa.select(leads.c.id, leads.c.version).where(leads.c.status == "new").limit(1)
        ).one()
        conn.execute(leads.update().where(leads.c.id == lead_id).values(probability=None))
        update_lead(conn, lead_id, {"page_views": 80.0}, expected_version=version)
        after = conn.execute(sa.select(leads.c.probability).where(leads.c.id == lead_id))
        assert after.scalar_one() is not None


def test_cancelling_training_stores_nothing(db: Database) -> None:
    run(load_sample(db, 500))
    job = train_job(db)
    for step in job:
        if step.done >= 40:
            job.close()
            break
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.max(leads.c.probability))).scalar() is None


def test_a_retrain_is_proposed_once_outcomes_grew_by_a_fifth(trained: Database) -> None:
    with trained.read() as conn:
        registry = load_registry(conn)
        assert store.retrain_advice(conn, registry) is None
        active = store.active_predictive_model(conn)
    assert active is not None
    grow = int(active.outcomes * 0.2) + 1
    with trained.write() as conn:
        open_ids = (
            conn.execute(sa.select(leads.c.id).where(leads.c.status == "new").limit(grow))
            .scalars()
            .all()
        )
        conn.execute(leads.update().where(leads.c.id.in_(open_ids)).values(status="lost"))
        advice = store.retrain_advice(conn, registry)
    assert advice is not None
    assert f"{grow:,} more leads have an outcome" in advice


def test_suggested_rules_go_into_a_draft_one_by_one(trained: Database) -> None:
    from leaddesk.core.scoring import editing
    from leaddesk.core.scoring.model import validate
    from leaddesk.core.scoring.predictive.suggest import accept_suggestion, suggest_rules

    with trained.read() as conn:
        suggestions = suggest_rules(conn)
        active_id, active = active_model(conn)
    assert len(suggestions) >= 2
    assert all(s.group in ("fit", "engagement") and s.points and s.evidence for s in suggestions)
    with trained.write() as conn:
        first = accept_suggestion(conn, suggestions[0])
        second = accept_suggestion(conn, suggestions[1])
        version = editing.version_to_open(conn)
        registry = load_registry(conn)
        from leaddesk.core.scoring.store import get_model

        draft = get_model(conn, first)
        left = suggest_rules(conn)
    assert first == second != active_id
    assert version is not None
    assert version.id == first
    rules = [*draft.fit_rules, *draft.engagement_rules]
    assert suggestions[0].rule in rules
    assert suggestions[1].rule in rules
    assert len(rules) == len(active.fit_rules) + len(active.engagement_rules) + 2
    assert validate(draft, registry) == []
    assert suggestions[0].text not in [s.text for s in left]


def test_the_real_x_education_data_reaches_its_auc(
    db: Database, shared_data: Callable[[str], Path]
) -> None:
    from leaddesk.core.importing.pipeline import ImportOptions, import_file

    run(import_file(db, shared_data("xeducation_leads.csv"), ImportOptions()))
    result = run(train_job(db, "Converted"))
    assert result.metrics["auc"] >= 0.97
    assert result.metrics["n_test"] == pytest.approx(9237 * 0.25, abs=1)


def test_words_shared_by_free_text_values_are_features_and_rules(
    db: Database, add_leads: AddLeads
) -> None:
    from leaddesk.core.scoring.predictive.suggest import suggest_rules

    rng = random.Random(5)
    titles = ["Sales Director", "Director of IT", "Marketing Director", "Sales Manager",
              "Office Manager", "Engineer", "Analyst", "Director, Operations"]  # fmt: skip
    rows = []
    for i in range(400):
        title = rng.choice(titles)
        won = rng.random() < (0.7 if "Director" in title else 0.15)
        rows.append({"job_title": f"{title} {i % 50}", "status": "won" if won else "lost"})
    add_leads(rows)  # a number in every title: as values, nearly every title differs
    run(train_job(db))
    with db.read() as conn:
        active = store.active_predictive_model(conn)
        lead_id = conn.execute(
            sa.select(leads.c.id).where(leads.c.job_title.like("Director of IT%")).limit(1)
        ).scalar_one()
        factors = explain_leads(conn, [lead_id])[lead_id].factors
        rules = [s.text for s in suggest_rules(conn)]
    assert active is not None
    names = [f.name for f in active.predictor.encoding.features]
    assert "job_title~director" in names
    assert "job_title" not in names  # as a category it would be an identifier
    assert "Job title contains 'director' +" in [f.describe() for f in factors]
    assert "Job title contains 'director'" in rules
