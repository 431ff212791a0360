"""The SQL executor: what it matches, what it writes, and that it writes nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from leaddesk.core.db import Database
from leaddesk.core.fields import FieldRegistry, FieldType, custom_field
from leaddesk.core.leads import get_lead, load_registry, update_lead
from leaddesk.core.progress import run
from leaddesk.core.schema import CustomFieldRecord, leads
from leaddesk.core.scoring import sql, store
from leaddesk.core.scoring.explain import evaluate, lead_activities
from leaddesk.core.scoring.model import ActivityRule, Rule, ScoringModel, default_model

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def score_with(db: Database, model: ScoringModel, lead_ids: list[int] | None = None) -> int:
    """Save ``model`` as the active one, rescore, and return how many leads changed."""
    with db.write() as conn:
        model_id = store.save_model(conn, model, state="active")
        result = sql.rescore(conn, model_id, model, load_registry(conn), lead_ids, now=NOW)
    return result.changed


def scores(db: Database) -> list[Any]:
    """Every lead's stored score, after checking the Python executor gives the same."""
    with db.read() as conn:
        stored = conn.execute(sa.select(leads.c.id, leads.c.score).order_by(leads.c.id)).all()
        model_id = conn.execute(sa.select(sa.func.max(leads.c.scored_model_id))).scalar()
        if model_id is not None:
            model, registry = store.get_model(conn, model_id), load_registry(conn)
            for lead_id, score in stored:
                if score is None:
                    continue
                acts = lead_activities(conn, lead_id, model)
                lead = get_lead(conn, lead_id)
                assert evaluate(model, lead, acts, registry, NOW).score == score
    return [score for _id, score in stored]


def one_rule(field: str, op: str, value: Any) -> ScoringModel:
    return ScoringModel("t", fit_rules=[Rule(field, op, value, 10)])


TEXT_CASES = [
    # (op, value, lead value, matches)
    ("contains", "director", "Dírector of Sales", True),
    ("contains", "DIRECTOR", "sales director", True),
    ("contains", "dírëctor", "DIRECTOR", True),
    ("contains", ["vp", "chief"], "Chief of Staff", True),
    ("contains", "vp", "Vice President", False),
    ("contains", "100%", "We give 100% always", True),
    ("contains", "100%", "We give 1000 always", False),
    ("contains", "a_b", "xa_bx", True),
    ("contains", "a_b", "xacbx", False),
    ("contains", "a\\b", "xa\\bx", True),
    ("contains", "a\\%", "xa\\%x", True),
    ("contains", "a\\%", "xa\\bx", False),
    ("contains", "a/_b", "a/_b", True),
    ("contains", "a/_b", "a/xb", False),
    ("contains", "[x]*", "élan [X]* ok", True),
    ("contains", "?", "émile", False),
    ("starts_with", "head", "Head of Growth", True),
    ("starts_with", "head", "Team head", False),
    ("starts_with", "élan", "ELAN vital", True),
    ("ends_with", "@gmail.com", "ann@GMAIL.com", True),
    ("ends_with", "@gmail.com", "ann@gmail.com.au", False),
    ("equals", "Zoë", "ZOE", True),
    ("equals", "zoe", "Zoë ", False),
    ("equals", "привет", "ПРИВЕТ", True),
    ("not_equals", "ceo", "CEO", False),
    ("not_equals", "ceo", "Cto", True),
    ("not_equals", "ceo", None, False),
    ("one_of", ["cto", "ceo"], "CÉO", True),
    ("one_of", ["cto", "ceo"], "coo", False),
    ("is_empty", None, "", True),
    ("is_empty", None, None, True),
    ("is_empty", None, "x", False),
    ("is_not_empty", None, "x", True),
    ("is_not_empty", None, "", False),
]


@pytest.mark.parametrize(("op", "value", "title", "expected"), TEXT_CASES)
def test_text_matching_ignores_case_and_accents(
    db: Database, add_leads: AddLeads, op: str, value: Any, title: str | None, expected: bool
) -> None:
    add_leads([{"job_title": title}])
    score_with(db, one_rule("job_title", op, value))
    assert scores(db) == [10.0 if expected else 0.0]


@pytest.mark.parametrize(
    ("field", "op", "value", "lead_value", "expected"),
    [
        ("employees", "equals", 50, 50.0, True),
        ("employees", "not_equals", 50, None, False),
        ("employees", "less_than", 50, 49.5, True),
        ("employees", "at_most", 50, 50.0, True),
        ("employees", "greater_than", 50, 50.0, False),
        ("employees", "at_least", 50, 50.0, True),
        ("employees", "between", [10, 50], 10.0, True),
        ("employees", "between", [10, 50], 50.1, False),
        ("employees", "is_empty", None, None, True),
        ("do_not_email", "is_true", None, True, True),
        ("do_not_email", "is_false", None, True, False),
        ("last_activity_at", "within_last_days", 7, NOW - timedelta(days=6, hours=23), True),
        ("last_activity_at", "within_last_days", 7, NOW - timedelta(days=7, seconds=1), False),
        ("last_activity_at", "more_than_days_ago", 30, NOW - timedelta(days=31), True),
        ("last_activity_at", "more_than_days_ago", 30, None, False),
        (
            "last_activity_at",
            "before",
            "2026-03-01",
            datetime(2026, 2, 28, 23, 59, tzinfo=UTC),
            True,
        ),
        ("last_activity_at", "before", "2026-03-01", datetime(2026, 3, 1, tzinfo=UTC), False),
        (
            "last_activity_at",
            "after",
            "2026-03-01",
            datetime(2026, 3, 1, 23, 59, tzinfo=UTC),
            False,
        ),
        ("last_activity_at", "after", "2026-03-01", datetime(2026, 3, 2, tzinfo=UTC), True),
        ("country", "one_of", ["de", "AT"], "DE", True),
    ],
)
def test_other_operators(
    db: Database,
    add_leads: AddLeads,
    field: str,
    op: str,
    value: Any,
    lead_value: Any,
    expected: bool,
) -> None:
    add_leads([{field: lead_value}])
    score_with(db, one_rule(field, op, value))
    assert scores(db) == [10.0 if expected else 0.0]


def add_custom_fields(db: Database) -> None:
    table = CustomFieldRecord.__table__  # type: ignore[attr-defined]
    with db.write() as conn:
        conn.execute(
            table.insert(),
            [
                {"key": "plan", "label": "Plan", "type": "text", "created_at": NOW},
                {"key": "seats", "label": "Seats", "type": "number", "created_at": NOW},
                {"key": "trial", "label": "Trial", "type": "bool", "created_at": NOW},
                {"key": "renewal", "label": "Renewal", "type": "datetime", "created_at": NOW},
            ],
        )


MARCH_10 = "2026-03-10T00:00:00+00:00"


def test_custom_fields_are_scored_from_the_json_column(db: Database, add_leads: AddLeads) -> None:
    add_custom_fields(db)
    add_leads(
        [
            {"custom": {"plan": "Prö", "seats": 12, "trial": True, "renewal": MARCH_10}},
            {"custom": {"plan": "basic", "seats": "12", "trial": "yes", "renewal": "2025-01-01"}},
            {"custom": {}},
        ]
    )
    model = ScoringModel(
        "custom",
        fit_rules=[
            Rule("plan", "equals", "pro", 1),
            Rule("seats", "at_least", 10, 2),
            Rule("trial", "is_true", None, 4),
            Rule("renewal", "after", "2026-03-01", 8),
            Rule("seats", "is_empty", None, 16),
        ],
    )
    score_with(db, model)
    # A number stored as text and "yes" are not numbers/booleans: treated as empty.
    assert scores(db) == [15.0, 16.0, 16.0]


def test_decay_caps_grade_and_tier(db: Database, add_leads: AddLeads) -> None:
    model = ScoringModel(
        "decay",
        fit_rules=[Rule("job_title", "contains", "vp", 30), Rule("country", "equals", "DE", 30)],
        activity_rules=[
            ActivityRule("email_open", None, 4, half_life_days=10, cap=10),
            ActivityRule("call", "connected", 5),
        ],
        fit_cap=50,
        grade_bands={"A": 50, "B": 30, "C": 10},
        tier_bands={"Hot": 60, "Warm": 40},
    )
    opens = [
        (0, {"kind": "email_open", "at": NOW - timedelta(days=d)}) for d in (0, 10, 20, 30, 1000)
    ]
    calls = [(1, {"kind": "call", "outcome": "connected", "at": NOW - timedelta(days=400)})] * 3
    calls.append((1, {"kind": "call", "outcome": "no-answer", "at": NOW}))
    add_leads([{"job_title": "VP", "country": "DE"}, {"job_title": "VP"}], opens + calls)
    score_with(db, model)
    with db.read() as conn:
        rows = conn.execute(sa.select(leads).order_by(leads.c.id)).mappings().all()
    first, second = rows
    # 4 + 2 + 1 + 0.5 + ~0 = 7.5 (under the cap of 10); fit 60 capped at 50.
    assert (first["fit_score"], first["engagement_score"], first["score"]) == (50.0, 7.5, 57.5)
    assert (first["grade"], first["tier"]) == ("A", "Warm")
    # Calls without a half-life do not decay: 3 x 5.
    assert (second["fit_score"], second["engagement_score"], second["score"]) == (30.0, 15.0, 45.0)
    assert (second["grade"], second["tier"]) == ("B", "Warm")
    assert first["scored_at"] == NOW
    assert first["scored_model_id"] == second["scored_model_id"] is not None


def test_a_second_rescore_writes_nothing(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"job_title": "VP Sales", "employees": 200.0}, {"job_title": "Intern"}, {}])
    with db.write() as conn:
        first = sql.rescore_with_active(conn, now=NOW)
        second = sql.rescore_with_active(conn, now=NOW + timedelta(hours=1))
        stamps = {r.scored_at for r in conn.execute(sa.select(leads.c.scored_at))}
    assert (first.scored, first.changed) == (3, 3)
    assert (second.scored, second.changed) == (3, 0)
    assert stamps == {NOW}


def test_rescoring_some_leads_leaves_the_others(db: Database, add_leads: AddLeads) -> None:
    ids = add_leads([{"job_title": "VP"}, {"job_title": "VP"}])
    changed = score_with(db, one_rule("job_title", "contains", "vp"), lead_ids=[ids[1], 999])
    assert changed == 1
    assert scores(db) == [None, 10.0]


def test_rescore_job_uses_the_active_model_and_can_be_cancelled(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"job_title": "Chief Executive"}] * 3)
    job = sql.rescore_job(db, now=NOW)
    next(job)
    job.close()  # the user pressed Cancel: nothing is written
    assert scores(db) == [None, None, None]
    result = run(sql.rescore_job(db, now=NOW))
    assert (result.scored, result.changed) == (3, 3)
    assert scores(db) == [25.0, 25.0, 25.0]


def test_rescoring_with_the_active_model_stores_the_default_to_stamp_its_id(
    db: Database, add_leads: AddLeads
) -> None:
    ids = add_leads([{"job_title": "Chief Executive"}, {"job_title": "Intern"}])
    with db.write() as conn:
        result = sql.rescore_with_active(conn, lead_ids=[ids[0]], now=NOW)
        (info,) = store.list_models(conn)
        stamped = conn.execute(sa.select(leads.c.scored_model_id).order_by(leads.c.id)).all()
    assert (result.scored, result.changed) == (1, 1)
    assert (info.state, info.name) == ("active", default_model().name)
    assert [row.scored_model_id for row in stamped] == [info.id, None]
    assert scores(db) == [25.0, None]


def test_activating_a_model_rescores_every_lead(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"job_title": "VP"}, {"job_title": "Intern"}])
    with db.write() as conn:
        draft_id = store.save_model(conn, one_rule("job_title", "equals", "intern"))
    result = run(store.activate_model(db, draft_id))
    assert (result.scored, result.changed) == (2, 2)
    assert scores(db) == [0.0, 10.0]
    with db.read() as conn:  # the default it replaced is kept, to go back to
        states = {i.name: i.state for i in store.list_models(conn)}
    assert states == {"t": "active", default_model().name: "archived"}


def test_no_user_text_reaches_the_sql(db: Database) -> None:
    secret = "Zé'; DROP TABLE leads; --"
    key = "x_evil_key"
    registry = FieldRegistry(
        [custom_field(key, "Evil", FieldType.TEXT), custom_field("n_evil", "N", FieldType.NUMBER)]
    )
    model = ScoringModel(
        "m",
        fit_rules=[
            Rule("job_title", "contains", [secret, "needle_one"], 1),
            Rule("company", "equals", "needle_two", 1),
            Rule(key, "one_of", ["needle_three"], 1),
            Rule("n_evil", "between", [12345, 67890], 1),
            Rule("source", "starts_with", "needle_four", 1),
        ],
        activity_rules=[ActivityRule("needle_kind", "needle_outcome", 1, half_life_days=3)],
    )
    for dialect in ("sqlite", "postgresql"):
        compiler = sql.Compiler(model, registry, dialect, NOW)
        statement = compiler.update(1, leads.c.id > 0, sa.true())
        from sqlalchemy.dialects import postgresql, sqlite

        text = str(
            statement.compile(dialect=(sqlite if dialect == "sqlite" else postgresql).dialect())
        )
        for needle in ("needle", "DROP", "Zé", key, "evil", "12345", "67890"):
            assert needle not in text, (dialect, needle)


def test_both_executors_agree_on_sample_like_data(db: Database, add_leads: AddLeads) -> None:
    from leaddesk.core.sample import generate_leads

    rows = list(generate_leads(150, seed=3, now=NOW))
    acts = [(i, a) for i, row in enumerate(rows) for a in row.pop("_activities")]
    ids = add_leads(rows, acts)
    with db.write() as conn:
        sql.rescore_with_active(conn, now=NOW)
        _, model = store.active_model(conn)
        registry = load_registry(conn)
        for lead_id in ids:
            lead = get_lead(conn, lead_id)
            got = evaluate(model, lead, lead_activities(conn, lead_id, model), registry, NOW)
            names = ("score", "fit_score", "engagement_score", "grade", "tier")
            assert [getattr(got, name) for name in names] == [lead[name] for name in names]
    assert default_model() == model


@pytest.mark.sqlite_only
def test_big_rescores_borrow_a_larger_cache_and_give_it_back(
    db: Database, add_leads: AddLeads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql, "BIG_RESCORE", 1)
    add_leads([{"job_title": "VP"}])
    with db.write() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        job = sql.rescore_with_active_steps(conn, now=NOW)
        next(job)
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == sql.BULK_CACHE_KIB
        run(job)
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before


def test_like_patterns_are_escaped_one_way_everywhere() -> None:
    from leaddesk.core.leads import LIKE_ESCAPE, escape_like, search_clause

    assert escape_like("50%_a\\b/c") == "50\\%\\_a\\\\b/c"
    compiler = sql.Compiler(one_rule("job_title", "contains", "x"), FieldRegistry(), "sqlite", NOW)
    for clause in (compiler.condition(Rule("job_title", "contains", "50%", 1)), search_clause("a")):
        compiled = clause.compile(compile_kwargs={"literal_binds": True})
        assert f"ESCAPE '{LIKE_ESCAPE}'" in str(compiled)


def test_a_rescore_of_current_scores_computes_nothing(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"job_title": "VP Sales"}, {"job_title": "Intern"}])
    decaying = ScoringModel(
        "decaying",
        fit_rules=[Rule("job_title", "contains", "vp", 10)],
        activity_rules=[ActivityRule("email_open", None, 2, half_life_days=7)],
    )
    score_with(db, decaying)
    with db.write() as conn:
        model_id, model = store.active_model(conn)
        registry = load_registry(conn)

        def rescore(now: datetime, *, full: bool = False) -> sql.RescoreResult:
            return run(sql.rescore_steps(conn, model_id, model, registry, now=now, full=full))

        assert rescore(NOW) == sql.RescoreResult(0, 0, up_to_date=True)
        assert rescore(NOW, full=True) == sql.RescoreResult(2, 0)
        # Decay moves with the day: another moment computes every lead again.
        assert rescore(NOW + timedelta(days=1)) == sql.RescoreResult(2, 0)
        assert rescore(NOW + timedelta(days=1)).up_to_date
        # A lead put back with another model's score (an undone import) is caught.
        conn.execute(leads.update().where(leads.c.id == 1).values(scored_model_id=None))
        assert not rescore(NOW + timedelta(days=1)).up_to_date
        stamp = sa.select(leads.c.scored_model_id).where(leads.c.id == 1)
        assert conn.execute(stamp).scalar() == model_id  # same score, now this model's


def test_scores_that_do_not_move_with_time_stay_current_the_next_day(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"job_title": "VP Sales"}])
    model = one_rule("job_title", "contains", "vp")
    assert not model.changes_with_time()
    score_with(db, model)
    with db.write() as conn:
        result = sql.rescore_with_active(conn, now=NOW + timedelta(days=30))
    assert result.up_to_date


@pytest.mark.sqlite_only
@pytest.mark.parametrize("changing", [1, 4])
def test_big_rescores_stage_the_changed_scores_and_keep_the_score_index(
    db: Database, add_leads: AddLeads, monkeypatch: pytest.MonkeyPatch, changing: int
) -> None:
    monkeypatch.setattr(sql, "BIG_RESCORE", 1)
    add_leads([{"job_title": "VP"}] * 4)
    score_with(db, one_rule("job_title", "contains", "vp"))

    with db.write() as conn:
        conn.execute(leads.update().where(leads.c.id <= changing).values(score=None))
        statements: list[str] = []
        sa.event.listen(conn, "before_execute", lambda _c, s, *_: statements.append(str(s)))
        steps = _steps(sql.rescore_with_active_steps(conn, now=NOW, full=True))
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("leads")}
        temporary = conn.exec_driver_sql("SELECT name FROM sqlite_temp_master").all()
    assert steps[-1].message == f"Saving {changing} new scores"
    assert scores(db) == [10.0] * 4
    # Most scores changed: the index was dropped and built again; one of four: kept.
    rebuilt = any("DROP INDEX ix_leads_score" in s for s in statements)
    assert rebuilt == (changing > 4 * sql.REBUILD_SHARE)
    assert "ix_leads_score" in indexes
    assert temporary == []


def _steps(job: Any) -> list[Any]:
    steps = []
    try:
        while True:
            steps.append(next(job))
    except StopIteration:
        return steps


@pytest.mark.sqlite_only
def test_the_python_unixepoch_twin_gives_sqlites_seconds(db: Database) -> None:
    texts = ["2026-03-04 15:30:59", "1999-12-31 23:59:59", "2026-03-04 15:30:00"]
    with db.read() as conn:
        expected = [conn.exec_driver_sql(f"SELECT unixepoch('{t}')").scalar() for t in texts]
    assert [sql._unixepoch(t) for t in texts] == expected
    assert sql._unixepoch(None) is None


def test_editing_a_lead_rescores_it(db: Database, add_leads: AddLeads) -> None:
    (lead_id,) = add_leads([{"job_title": "Intern"}])
    score_with(db, one_rule("job_title", "contains", "vp"))
    with db.write() as conn:
        edited = update_lead(conn, lead_id, {"job_title": "VP Sales"}, expected_version=None)
    assert (edited["score"], edited["scored_model_id"]) == (10.0, 1)


def test_a_new_model_giving_the_same_scores_changes_none(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"job_title": "VP"}, {"job_title": "Intern"}])
    score_with(db, one_rule("job_title", "contains", "vp"))
    assert score_with(db, one_rule("job_title", "starts_with", "vp")) == 0
    with db.read() as conn:
        stamps = {row.scored_model_id for row in conn.execute(sa.select(leads))}
    assert stamps == {2}
