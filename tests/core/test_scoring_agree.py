"""Property: the SQL executor and the Python explainer give identical scores, for any model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leaddesk.core.db import Database
from leaddesk.core.fields import LEAD_STATUSES, STORED_FIELDS, FieldRegistry, FieldType
from leaddesk.core.leads import get_lead, load_registry
from leaddesk.core.schema import Activity, CustomFieldRecord, ScoringModelRecord, leads
from leaddesk.core.scoring import sql, store
from leaddesk.core.scoring.explain import evaluate, lead_activities
from leaddesk.core.scoring.model import (
    OPERATORS_BY_TYPE,
    ActivityRule,
    Rule,
    ScoringModel,
    validate,
)

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)  # the night clocks change in Europe
CUSTOM = {"c_text": "text", "c_num": "number", "c_flag": "bool", "c_when": "datetime"}
# Text fields come up more often: they are where folding can go wrong.
FIELDS = ["job_title", "job_title", "c_text", "email", "country", "employees", "annual_revenue",
          "last_activity_at", "do_not_email", "status", *CUSTOM]  # fmt: skip
ALPHABET = "aAáÉe%_*["  # few letters, so rules and leads meet often

texts = st.text(ALPHABET, min_size=1, max_size=2)
lead_texts = st.none() | st.text(ALPHABET, max_size=4)
numbers = st.integers(-5, 2000) | st.floats(-5, 2000, allow_nan=False).map(lambda x: round(x, 2))
points = st.integers(-300, 300).map(lambda p: p / 10)
moments = st.integers(-300 * 86400, 5 * 86400).map(
    lambda s: NOW + timedelta(seconds=s, microseconds=s % 999_999)
)
days = st.integers(1, 200) | st.floats(0.01, 200, allow_nan=False)
dates = st.dates(
    min_value=NOW.date() - timedelta(days=300), max_value=NOW.date() + timedelta(days=5)
)


def value_for(type_: FieldType, op: str) -> st.SearchStrategy[Any]:
    if op in ("is_empty", "is_not_empty", "is_true", "is_false"):
        return st.none()
    if op == "between":
        return st.tuples(numbers, numbers).map(lambda pair: sorted(pair))
    if op in ("within_last_days", "more_than_days_ago"):
        return days
    if op in ("before", "after"):
        return dates.map(lambda d: d.isoformat())
    if type_.is_numeric:
        return numbers
    if type_ is FieldType.CHOICE:
        choices = st.sampled_from(LEAD_STATUSES)
        return st.lists(choices, min_size=1, max_size=3) if op == "one_of" else choices
    if op in ("one_of", "contains", "starts_with", "ends_with"):
        many = st.lists(texts, min_size=1, max_size=3)
        return many if op == "one_of" else texts | many
    return texts


@st.composite
def rules(draw: st.DrawFn, registry: FieldRegistry) -> Rule:
    field = registry.get(draw(st.sampled_from(FIELDS)))
    op = draw(st.sampled_from(OPERATORS_BY_TYPE[field.type]))
    return Rule(
        field.name,
        op,
        draw(value_for(field.type, op)),
        draw(points),
        enabled=draw(st.booleans()) or True,
    )


@st.composite
def models(draw: st.DrawFn, registry: FieldRegistry) -> ScoringModel:
    activity = st.builds(
        ActivityRule,
        activity=st.sampled_from(["call", "email_open"]),
        outcome=st.none() | st.sampled_from(["connected", "meeting"]),
        points=points,
        half_life_days=st.none() | st.floats(0.1, 90, allow_nan=False),
        cap=st.none() | st.integers(1, 300).map(lambda c: c / 10),
    )
    caps = st.none() | st.integers(0, 800).map(lambda c: c / 10)
    band = st.integers(-100, 100)
    a, b, c = sorted(draw(st.lists(band, min_size=3, max_size=3)), reverse=True)
    hot, warm = sorted(draw(st.lists(band, min_size=2, max_size=2)), reverse=True)
    model = ScoringModel(
        "random",
        fit_rules=draw(st.lists(rules(registry), max_size=6)),
        engagement_rules=draw(st.lists(rules(registry), max_size=3)),
        activity_rules=draw(st.lists(activity, max_size=3)),
        fit_cap=draw(caps),
        engagement_cap=draw(caps),
        threshold=draw(band),
        grade_bands={"A": a, "B": b, "C": c},
        tier_bands={"Hot": hot, "Warm": warm},
    )
    assume(not validate(model, registry))
    return model


custom_values = st.fixed_dictionaries(
    {},
    optional={
        "c_text": lead_texts | numbers,
        "c_num": st.none() | numbers | st.sampled_from(["12", True]),
        "c_flag": st.none() | st.booleans() | st.just(1),
        "c_when": st.none() | moments.map(lambda m: m.isoformat()) | dates.map(str),
    },
)
lead_rows = st.fixed_dictionaries(
    {
        "job_title": lead_texts,
        "email": lead_texts,
        "country": st.none() | st.sampled_from(["DE", "FR", "US", "dé", ""]),
        "employees": st.none() | numbers.map(float),
        "annual_revenue": st.none() | numbers.map(float),
        "last_activity_at": st.none() | moments,
        "do_not_email": st.booleans(),
        "status": st.sampled_from(LEAD_STATUSES),
        "custom": custom_values,
    }
)
activity_rows = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["call", "email_open", "note"]),
        "outcome": st.none() | st.sampled_from(["connected", "meeting", "no-answer"]),
        "at": moments,
    }
)


@pytest.fixture
def scoring_db(db: Database) -> Database:
    table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
    with db.write() as conn:
        conn.execute(
            table.insert(),
            [{"key": k, "label": k, "type": t, "created_at": NOW} for k, t in CUSTOM.items()],
        )
    return db


def registry_of(db: Database) -> FieldRegistry:
    with db.read() as conn:
        return load_registry(conn)


_BLANK = {f.name: None for f in STORED_FIELDS} | {"attempts": 0, "do_not_call": False}


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_and_python_agree(scoring_db: Database, data: st.DataObject) -> None:
    registry = registry_of(scoring_db)
    model = data.draw(models(registry))
    rows = data.draw(st.lists(lead_rows, min_size=1, max_size=25))
    acts = data.draw(st.lists(st.tuples(st.integers(0, len(rows) - 1), activity_rows), max_size=12))
    activities = Activity.__table__  # type: ignore[attr-defined]
    with scoring_db.write() as conn:
        conn.execute(leads.delete())
        conn.execute(ScoringModelRecord.__table__.delete())  # type: ignore[attr-defined]
        inserted = conn.execute(
            leads.insert().returning(leads.c.id, sort_by_parameter_order=True),
            [_BLANK | row for row in rows],
        )
        ids = [r.id for r in inserted]
        if acts:
            conn.execute(activities.insert(), [{"lead_id": ids[i], **act} for i, act in acts])
        model_id = store.save_model(conn, model, state="active")
        sql.rescore(conn, model_id, model, registry, now=NOW)
        for lead_id in ids:
            lead = get_lead(conn, lead_id)
            got = evaluate(model, lead, lead_activities(conn, lead_id, model), registry, NOW)
            stored = (
                lead["score"],
                lead["fit_score"],
                lead["engagement_score"],
                lead["grade"],
                lead["tier"],
            )
            assert (got.score, got.fit_score, got.engagement_score, got.grade, got.tier) == stored
            assert sum(c.points for c in got.contributions) == pytest.approx(got.score, abs=1e-9)
        # And nothing changes when nothing changed.
        assert sql.rescore(conn, model_id, model, registry, now=NOW).changed == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar() == len(rows)
