"""The draft preview: what activating a draft would do, measured against the stored scores."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from leaddesk.core.db import Database
from leaddesk.core.errors import InvalidInputError
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Progress
from leaddesk.core.schema import ScoringModelRecord, leads
from leaddesk.core.scoring import sql, store
from leaddesk.core.scoring.model import Rule, ScoringModel
from leaddesk.core.scoring.preview import (
    BandRate,
    DraftPreview,
    LeadMove,
    auc,
    preview_draft,
    preview_job,
)

pytestmark = pytest.mark.both_backends

AddLeads = Callable[..., list[int]]

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)


def make_active(db: Database, model: ScoringModel) -> None:
    """Store ``model`` as the active one, without rescoring (tests set stored scores)."""
    with db.write() as conn:
        store.save_model(conn, model, state="active")


def preview(db: Database, draft: ScoringModel) -> DraftPreview:
    with db.read() as conn:
        return preview_draft(conn, draft, now=NOW)


def title_model(title: str, points: float = 70, **kwargs: Any) -> ScoringModel:
    return ScoringModel("t", fit_rules=[Rule("job_title", "contains", title, points)], **kwargs)


def employees_model(*steps: tuple[float, float], **kwargs: Any) -> ScoringModel:
    """Points for each ``employees >= n``: a draft score that grows with company size."""
    rules = [Rule("employees", "at_least", n, points) for n, points in steps]
    return ScoringModel("draft", fit_rules=rules, **kwargs)


def test_effect_counts_without_writing(db: Database, add_leads: AddLeads) -> None:
    add_leads(
        [
            {"first_name": "Ann", "job_title": "VP Sales"},
            {"first_name": "Bob", "job_title": "VP Ops"},
            {"first_name": "Cy", "job_title": "Director"},
            {"first_name": "Di", "job_title": "Intern"},
        ]
    )
    with db.write() as conn:
        model_id = store.save_model(conn, title_model("vp"), state="active")
        sql.rescore(conn, model_id, title_model("vp"), load_registry(conn), now=NOW)
    with db.read() as conn:
        before_leads = conn.execute(sa.select(leads).order_by(leads.c.id)).all()
        models = ScoringModelRecord.__table__  # type: ignore[attr-defined]
        before_models = conn.execute(sa.select(models).order_by(models.c.id)).all()

    result = preview(db, title_model("director", threshold=60))

    assert result.leads == 4
    assert result.changed == 3  # Ann and Bob 70 -> 0, Cy 0 -> 70; Di stays 0
    assert (result.threshold_active, result.threshold_draft) == (60.0, 60.0)
    assert (result.sales_ready_active, result.sales_ready_draft) == (2, 1)
    assert (result.entering_count, result.leaving_count) == (1, 2)
    assert [(m.name, m.before, m.after) for m in result.entering] == [("Cy", 0.0, 70.0)]
    assert [m.name for m in result.leaving] == ["Ann", "Bob"]
    assert result.summary() == (
        "3 leads will change score; 1 becomes sales-ready and 2 stop being sales-ready."
    )
    with db.read() as conn:
        assert conn.execute(sa.select(leads).order_by(leads.c.id)).all() == before_leads
        assert conn.execute(sa.select(models).order_by(models.c.id)).all() == before_models


def test_the_preview_is_what_activation_writes(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"employees": n, "score": 50.0} for n in range(0, 400, 7)])
    draft = employees_model((50, 30), (100, 25), (250, 20), threshold=50)
    result = preview(db, draft)
    with db.write() as conn:
        model_id = store.save_model(conn, draft, state="active")
        sql.rescore(conn, model_id, draft, load_registry(conn), now=NOW)
    again = preview(db, draft)
    assert again.changed == 0
    assert again.active_counts == again.draft_counts == result.draft_counts
    assert again.sales_ready_active == result.sales_ready_draft
    assert (again.entering_count, again.leaving_count) == (0, 0)


def test_a_threshold_change_alone_moves_leads_without_changing_scores(
    db: Database, add_leads: AddLeads
) -> None:
    add_leads([{"score": 55.0}, {"score": 65.0}, {"score": 45.0}])
    make_active(db, ScoringModel("active", threshold=60))
    result = preview(db, ScoringModel("draft", threshold=50))
    # The draft has no rules, so every draft score is 0: all who were ready leave.
    assert result.changed == 3
    assert result.leaving_count == 1

    unchanged = employees_model((0, 55), (10, 10), threshold=50)
    with db.write() as conn:
        conn.execute(leads.update().values(employees=5, score=55.0))
    result = preview(db, unchanged)
    assert result.changed == 0
    assert (result.sales_ready_active, result.sales_ready_draft) == (0, 3)
    assert result.summary() == "No lead changes score; 3 become sales-ready."


def test_histogram_covers_0_to_100_in_tens(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"score": s} for s in (0.0, 9.9, 10.0, 55.5, 99.9, 100.0)])
    result = preview(db, ScoringModel("empty"))
    assert result.bin_edges == tuple(float(e) for e in range(0, 101, 10))
    assert result.active_counts == (2, 1, 0, 0, 0, 1, 0, 0, 0, 2)  # 100 is in the last bin
    assert result.draft_counts == (6, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_histogram_widens_for_negative_and_high_scores(db: Database, add_leads: AddLeads) -> None:
    add_leads(
        [
            {"score": -0.1, "employees": 1},
            {"score": 100.0, "employees": 5},
            {"score": 30.0, "employees": 50},
        ]
    )
    draft = ScoringModel(
        "draft",
        fit_rules=[
            Rule("employees", "less_than", 2, -25),
            Rule("employees", "at_least", 10, 60),
            Rule("employees", "at_least", 20, 60.5),
        ],
    )
    result = preview(db, draft)
    # Draft scores: -25, 0, 120.5 ; stored: -0.1, 100, 30.
    assert result.bin_edges == tuple(float(e) for e in range(-30, 131, 10))
    assert len(result.active_counts) == len(result.draft_counts) == 16
    assert result.active_counts[2] == 1  # -0.1 in [-10, 0)
    assert result.active_counts[13] == 1  # 100 in [100, 110)
    assert result.active_counts[6] == 1  # 30 in [30, 40)
    assert result.draft_counts[0] == 1  # -25 in [-30, -20)
    assert result.draft_counts[3] == 1  # 0 in [0, 10)
    assert result.draft_counts[15] == 1  # 120.5 in [120, 130]
    assert sum(result.active_counts) == sum(result.draft_counts) == 3


def test_auc_counts_ties_as_half() -> None:
    # Won 10, 20, 20 against lost 20, 5: of 6 pairs, the won lead is higher in 3
    # (10>5, 20>5, 20>5), lower in 1 (10<20) and tied in 2 (20=20): (3 + 2/2) / 6.
    scored = [(10.0, True), (20.0, True), (20.0, True), (20.0, False), (5.0, False)]
    assert auc(scored) == pytest.approx(4 / 6)
    assert auc([(1.0, True), (1.0, False)]) == 0.5
    assert auc([(2.0, True), (1.0, False)]) == 1.0
    assert auc([(1.0, True), (2.0, False)]) == 0.0
    assert auc([(1.0, True)]) is None
    assert auc([]) is None


def test_backtest_compares_auc_and_bands(db: Database, add_leads: AddLeads) -> None:
    rows = [
        # stored score, employees (draft score), status
        (75.0, 500, "won"),
        (72.0, 5, "lost"),
        (50.0, 500, "won"),
        (10.0, 5, "lost"),
        (10.0, 50, "lost"),
        (80.0, 500, "new"),  # not an outcome
        (80.0, 500, "disqualified"),  # nor this
    ]
    add_leads([{"score": s, "employees": e, "status": st} for s, e, st in rows])
    make_active(db, ScoringModel("active", tier_bands={"Hot": 70, "Warm": 40}))
    draft = employees_model((10, 30), (100, 50), tier_bands={"Hot": 90, "Warm": 20})
    # Draft scores of the decided leads: won 80, 80; lost 0, 0, 30.
    result = preview(db, draft).backtest

    assert (result.won, result.lost) == (2, 3)
    assert result.usable
    # Stored: won 75 beats 72, 10, 10; won 50 beats 10, 10 but not 72 -> 5 of 6.
    assert result.auc_active == pytest.approx(5 / 6)
    assert result.auc_draft == 1.0
    assert result.bands_active == (
        BandRate("Hot", 2, 1),
        BandRate("Warm", 1, 1),
        BandRate("Cold", 2, 0),
    )
    assert result.bands_draft == (
        BandRate("Hot", 0, 0),
        BandRate("Warm", 3, 2),
        BandRate("Cold", 2, 0),
    )
    assert [b.rate for b in result.bands_active] == [0.5, 1.0, 0.0]
    assert result.bands_draft[0].rate is None
    assert result.bands_draft[1].rate == pytest.approx(2 / 3)


def test_backtest_needs_both_outcomes(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"score": 70.0, "status": "won"}, {"score": 20.0, "status": "new"}])
    result = preview(db, ScoringModel("draft")).backtest
    assert (result.won, result.lost) == (1, 0)
    assert not result.usable
    assert result.auc_active is None
    assert result.auc_draft is None


def test_entering_highest_draft_score_first_capped_at_50(db: Database, add_leads: AddLeads) -> None:
    # 60 leads not ready now (stored 0); the draft gives them 60, 65 or 70 points.
    ids = add_leads([{"employees": 10 + n, "first_name": f"P{n}"} for n in range(60)])
    draft = employees_model((10, 60), (30, 5), (50, 5), threshold=60)
    result = preview(db, draft)
    assert result.entering_count == 60
    assert len(result.entering) == 50
    expected = sorted(
        ((60.0 + 5 * (n >= 20) + 5 * (n >= 40), ids[n]) for n in range(60)),
        key=lambda pair: (-pair[0], pair[1]),
    )[:50]
    assert [(m.after, m.id) for m in result.entering] == expected
    assert result.entering[0] == LeadMove(ids[40], "P40", "", 0.0, 70.0)
    assert result.leaving == ()


def test_leaving_highest_stored_score_first_capped_at_50(db: Database, add_leads: AddLeads) -> None:
    ids = add_leads([{"score": 60.0 + (n % 7)} for n in range(55)])
    result = preview(db, ScoringModel("draft"))
    assert result.leaving_count == 55
    assert len(result.leaving) == 50
    order = sorted(range(55), key=lambda n: (-(n % 7), ids[n]))[:50]
    assert [m.id for m in result.leaving] == [ids[n] for n in order]
    assert [m.before for m in result.leaving] == [60.0 + n % 7 for n in order]
    assert all(m.after == 0.0 for m in result.leaving)


def test_moves_are_named_by_person_then_email_then_id(db: Database, add_leads: AddLeads) -> None:
    ids = add_leads(
        [
            {"score": 90.0, "first_name": "Ada", "last_name": "Lovelace", "company": "Engines"},
            {"score": 80.0, "last_name": "Turing"},
            {"score": 70.0, "email": "grace@navy.example"},
            {"score": 65.0},
        ]
    )
    result = preview(db, ScoringModel("draft"))
    assert [(m.name, m.company) for m in result.leaving] == [
        ("Ada Lovelace", "Engines"),
        ("Turing", ""),
        ("grace@navy.example", ""),
        (f"Lead {ids[3]}", ""),
    ]


@pytest.mark.parametrize(
    ("changed", "entering", "leaving", "text"),
    [
        (0, 0, 0, "No lead changes score."),
        (1, 0, 0, "1 lead will change score; the sales-ready leads stay the same."),
        (1204, 87, 0, "1,204 leads will change score; 87 become sales-ready."),
        (1204, 87, 12, "1,204 leads will change score; 87 become sales-ready and "
                       "12 stop being sales-ready."),
        (2, 1, 1, "2 leads will change score; 1 becomes sales-ready and 1 stops being "
                  "sales-ready."),
        (5, 0, 2000, "5 leads will change score; 2,000 stop being sales-ready."),
    ],
)  # fmt: skip
def test_summary_wording(
    db: Database, changed: int, entering: int, leaving: int, text: str
) -> None:
    empty = preview(db, ScoringModel("draft"))
    shown = dataclasses.replace(
        empty, changed=changed, entering_count=entering, leaving_count=leaving
    )
    assert shown.summary() == text


def test_empty_database(db: Database) -> None:
    result = preview(db, ScoringModel("draft"))
    assert (result.leads, result.changed) == (0, 0)
    assert (result.sales_ready_active, result.sales_ready_draft) == (0, 0)
    assert result.entering == result.leaving == ()
    assert result.bin_edges == tuple(float(e) for e in range(0, 101, 10))
    assert result.active_counts == result.draft_counts == (0,) * 10
    assert not result.backtest.usable
    assert result.backtest.bands_active == tuple(BandRate(b, 0, 0) for b in ("Hot", "Warm", "Cold"))
    assert result.summary() == "No lead changes score."
    data = json.loads(json.dumps(result.to_json()))
    assert data["summary"] == "No lead changes score."
    assert data["histogram"]["bin_edges"][-1] == 100.0
    assert data["backtest"]["auc_draft"] is None


def test_to_json_carries_every_figure(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"score": 70.0, "status": "won", "first_name": "Ann"}, {"status": "lost"}])
    data = preview(db, ScoringModel("draft", threshold=50)).to_json()
    assert data["leads"] == 2
    assert data["changed"] == 1
    assert data["leaving"] == [
        {"id": 1, "name": "Ann", "company": "", "before": 70.0, "after": 0.0}
    ]
    assert data["backtest"]["won"] == 1
    assert data["backtest"]["auc_active"] == 1.0
    assert data["backtest"]["bands_active"][0] == {
        "band": "Hot",
        "leads": 1,
        "won": 1,
        "rate": 1.0,
    }
    assert sum(data["histogram"]["draft"]) == 2


def test_an_invalid_draft_is_refused(db: Database) -> None:
    bad = ScoringModel("bad", fit_rules=[Rule("no_such_field", "equals", "x", 5)])
    with pytest.raises(InvalidInputError, match="no_such_field"):
        preview(db, bad)


def test_preview_job_reports_one_step_then_the_result(db: Database, add_leads: AddLeads) -> None:
    add_leads([{"score": 10.0}])
    job = preview_job(db, ScoringModel("draft"), now=NOW)
    assert isinstance(next(job), Progress)
    with pytest.raises(StopIteration) as done:
        next(job)
    result = done.value.value
    assert isinstance(result, DraftPreview)
    assert result.changed == 1
