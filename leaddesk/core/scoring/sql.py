"""The bulk executor: a scoring model compiled to SQL, rescoring leads inside the database.

Every rule becomes a ``CASE WHEN … THEN points`` over an allow-listed column (fields from the
registry, operators from ``OPERATORS_BY_TYPE``); every value is a bound parameter, so no user
text reaches the SQL string. Activity rules become one grouped pass over ``activities``.
One ``UPDATE … FROM`` writes only the leads whose scores changed.

Text matching ignores case and accents without custom SQL functions or stored copies. On
SQLite, an ASCII-only value is matched with ``LIKE``/``lower()`` (ASCII case-insensitive), and
a value with other characters with a ``GLOB`` in which each letter of the rule's text is a
character class of every letter that folds to it (``[eEéÉèÈ…]``), so the column itself is
never rewritten. PostgreSQL folds the column with one ``translate()`` (only the 26 capitals
for ASCII text: the whole map costs a tenth of a millisecond a value) and matches it against
all of a rule's patterns with one ``LIKE ANY``. ``common.fold`` is the Python twin of both:
the same one-letter-to-one-letter map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from leaddesk.core import progress
from leaddesk.core.db import Database
from leaddesk.core.fields import Field, FieldRegistry, FieldType
from leaddesk.core.leads import LIKE_ESCAPE, escape_like, load_registry
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import Activity, Setting, leads
from leaddesk.core.scoring import common
from leaddesk.core.scoring.model import (
    ActivityRule,
    Rule,
    ScoringModel,
    activity_label,
    check,
    rule_label,
)

activities = Activity.__table__  # type: ignore[attr-defined]
settings = Setting.__table__  # type: ignore[attr-defined]

CURRENT_KEY = "scoring.current"  # the model and moment of the last full rescore

ID_CHUNK = 5000  # lead ids per statement when rescoring a list (bound-parameter limits)
RANGE_CHUNK = 100_000  # id range per statement when rescoring everything (progress steps)
BIG_RESCORE = 50_000  # from this many leads, rescoring uses a larger page cache
BULK_CACHE_KIB = -262_144  # negative means KiB: 256 MB at most
REBUILD_SHARE = 0.25  # rebuild the score index when more than this share of scores change

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class RescoreResult:
    """How many leads were scored, and how many of them got a different score.

    ``up_to_date`` says a full rescore found every score current and computed nothing.
    """

    scored: int
    changed: int
    up_to_date: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"scored": self.scored, "changed": self.changed, "up_to_date": self.up_to_date}


@dataclass(frozen=True, slots=True)
class RulePoints:
    """A column of ``Compiler.rule_points``: a rule's (or a cap's) points in one group."""

    group: str  # "fit" or "engagement"
    label: str
    key: str  # the column's name in the query


def field_value(f: Field, postgres: bool) -> sa.ColumnElement[Any]:
    """The column, or for a custom field its JSON value when it has the field's own type
    (text as a string, numbers as numbers, yes/no as booleans), else NULL."""
    if not f.custom:
        return leads.c[f.name]
    kinds: tuple[str, ...]
    cast: sa.types.TypeEngine[Any] | None
    if f.type is FieldType.BOOL:
        kinds, cast = ("true", "false"), sa.Boolean()
    elif f.type.is_numeric:
        kinds, cast = ("integer", "real"), sa.Float()
    else:
        kinds, cast = ("text",), None
    json_kind: sa.ColumnElement[Any]
    extracted: sa.ColumnElement[Any]
    if postgres:
        node = leads.c.custom.op("->")(sa.literal(f.name))
        json_kind = sa.func.jsonb_typeof(node)
        raw: sa.ColumnElement[Any] = leads.c.custom.op("->>")(sa.literal(f.name))
        pg_kinds = {"text": "string", "integer": "number", "true": "boolean"}
        kinds = tuple(pg_kinds[k] for k in kinds if k in pg_kinds)
        extracted = sa.cast(raw, cast) if cast is not None else raw
    else:
        path = sa.literal(f'$."{f.name}"')
        json_kind = sa.func.json_type(leads.c.custom, path)
        extracted = sa.func.json_extract(leads.c.custom, path)
    return sa.case((json_kind.in_([sa.literal(k) for k in kinds]), extracted), else_=None)


class Compiler:
    """Turns one model into SQL expressions for one dialect and one moment."""

    def __init__(
        self, model: ScoringModel, registry: FieldRegistry, dialect: str, now: datetime
    ) -> None:
        self.model = model
        self.registry = registry
        self.postgres = dialect == "postgresql"
        self.now = now

    # -- lead values -------------------------------------------------------------------
    def value(self, f: Field) -> sa.ColumnElement[Any]:
        """The column (or typed custom JSON value) a rule on ``f`` reads."""
        return field_value(f, self.postgres)

    def text_match(
        self, x: sa.ColumnElement[Any], op: str, texts: Sequence[str]
    ) -> sa.ColumnElement[bool]:
        """``x`` folded matches one of the folded ``texts`` (equals, contains, …)."""
        if self.postgres:
            sources = _UPPER + "".join(common.FOLD_MAP)
            targets = _UPPER.lower() + "".join(common.FOLD_MAP.values())
            # The whole table costs about 0.1 ms a value; ASCII text (as many bytes as
            # characters) needs only its 26 capitals lowered.
            folded = sa.case(
                (
                    sa.func.octet_length(x) == sa.func.char_length(x),
                    sa.func.translate(x, sa.literal(_UPPER), sa.literal(_UPPER.lower())),
                ),
                else_=sa.func.translate(x, sa.literal(sources), sa.literal(targets)),
            )
            if op in ("equals", "one_of"):
                return folded.in_(list(texts))
            # One LIKE ANY: the folded text is computed once, not once per pattern.
            before = "%" if op in ("contains", "ends_with") else ""
            after = "%" if op in ("contains", "starts_with") else ""
            patterns = [before + escape_like(t) + after for t in texts]
            return folded.like(sa.any_(postgresql.array(patterns)))
        # SQLite: ASCII-only values use LIKE (which ignores ASCII case); others a GLOB whose
        # character classes list every letter that folds to the rule's letter.
        wild_before = op in ("contains", "ends_with")
        wild_after = op in ("contains", "starts_with")
        globs = [
            ("*" if wild_before else "") + common.glob_pattern(t) + ("*" if wild_after else "")
            for t in texts
        ]
        ascii_texts = [t for t in texts if t.isascii()]
        if op in ("equals", "one_of"):
            ascii_match: sa.ColumnElement[bool] = sa.func.lower(x).in_(ascii_texts)
        else:
            likes = [
                ("%" if wild_before else "") + escape_like(t) + ("%" if wild_after else "")
                for t in ascii_texts
            ]
            ascii_match = sa.or_(sa.false(), *(x.like(p, escape=LIKE_ESCAPE) for p in likes))
        other_match = sa.or_(*(x.op("GLOB", is_comparison=True)(sa.literal(g)) for g in globs))
        # Fewer characters than bytes means non-ASCII (cheaper than a GLOB class).
        non_ascii = sa.func.length(x) != sa.func.length(sa.cast(x, sa.LargeBinary()))
        return sa.case((non_ascii, other_match), else_=ascii_match)

    # -- rules -----------------------------------------------------------------------------
    def condition(self, rule: Rule) -> sa.ColumnElement[bool]:
        """The SQL test for one rule (NULL, like false, gives no points)."""
        f = self.registry.get(rule.field)
        x = self.value(f)
        target = common.operand(rule.op, rule.value, f.type, f.custom, self.now)
        op = rule.op
        if op in ("is_empty", "is_not_empty"):
            empty = sa.or_(x.is_(None), x == "") if f.type.is_textual else x.is_(None)
            return empty if op == "is_empty" else sa.not_(empty)
        if op in ("is_true", "is_false"):
            return x.is_(sa.true() if op == "is_true" else sa.false())
        if op in ("before", "after", "within_last_days", "more_than_days_ago"):
            moment: Any = x  # compared with the column's own type (UTC datetimes, dates)
            return moment < target if op in common.BEFORE_OPS else moment >= target  # type: ignore[no-any-return]
        if f.type.is_numeric:
            return _compare_number(x, op, target)
        texts = target if isinstance(target, list) else [target]
        if op == "not_equals":
            return sa.not_(self.text_match(x, "equals", texts))
        return self.text_match(x, op, texts)

    def rules_sum(self, rules: list[Rule]) -> sa.ColumnElement[Any]:
        """``0.0 + points₁ + points₂ …`` for the rules that match, in the model's order."""
        total: sa.ColumnElement[Any] = sa.literal_column("0.0", sa.Float())
        for rule in rules:
            if rule.enabled:
                total = total + sa.case(
                    (self.condition(rule), sa.literal(float(rule.points))), else_=0.0
                )
        return total

    # -- activities -------------------------------------------------------------------------
    def activity_rules(self) -> list[ActivityRule]:
        return [r for r in self.model.activity_rules if r.enabled]

    def activity_totals(self, scope: sa.ColumnElement[bool]) -> sa.Subquery | None:
        """Per lead, one column per activity rule: its rounded, capped points."""
        rules = self.activity_rules()
        if not rules:
            return None
        age = self._age_days()
        columns = []
        for index, rule in enumerate(rules):
            match = activities.c.kind == rule.activity
            if rule.outcome is not None:
                match = sa.and_(match, activities.c.outcome == rule.outcome)
            points = sa.literal(float(rule.points))
            if rule.half_life_days is None:
                count = sa.func.sum(sa.case((match, 1), else_=0))
                raw: sa.ColumnElement[Any] = points * count
            else:
                decay = self._pow(sa.literal(0.5), age / sa.literal(float(rule.half_life_days)))
                raw = sa.func.sum(sa.case((match, points * decay), else_=0.0))
            columns.append(raw.label(f"a{index}"))
        query = (
            sa.select(activities.c.lead_id, *columns)
            .where(activities.c.kind.in_(sorted({r.activity for r in rules})))
            .where(scope)
            .group_by(activities.c.lead_id)
        )
        return query.subquery("act")

    def _age_days(self) -> sa.ColumnElement[Any]:
        seconds: sa.ColumnElement[Any]
        if self.postgres:
            seconds = sa.cast(
                sa.extract("epoch", sa.func.date_trunc("second", activities.c.at)),
                sa.BigInteger(),
            )
        else:
            # Whole seconds, as ``common.epoch_seconds``: unixepoch() of the full text rounds.
            text_at = sa.func.substr(sa.type_coerce(activities.c.at, sa.Text()), 1, 19)
            seconds = sa.func.unixepoch(text_at)
        elapsed = sa.literal(common.epoch_seconds(self.now)) - seconds
        zero = sa.literal(0)
        clamped = sa.func.greatest(elapsed, zero) if self.postgres else sa.func.max(elapsed, zero)
        return clamped / sa.literal(common.SECONDS_PER_DAY)

    def _pow(self, base: Any, exponent: Any) -> sa.ColumnElement[Any]:
        return sa.func.power(base, exponent) if self.postgres else sa.func.pow(base, exponent)

    # -- the whole score --------------------------------------------------------------------
    def scores(self, lead_scope: sa.ColumnElement[bool], act_scope: sa.ColumnElement[bool]) -> Any:
        """A subquery of (id, fit, eng, total, grade, tier) for the leads in scope.

        The rule sums are computed once per lead in a MATERIALIZED CTE: otherwise the
        database inlines them into every expression that reads them (caps, total, grade,
        tier, the change test) and evaluates every rule many times over.
        """
        model = self.model
        act = self.activity_totals(act_scope)
        engagement = self.rules_sum(model.engagement_rules)
        source: sa.FromClause = leads
        if act is not None:
            source = leads.outerjoin(act, act.c.lead_id == leads.c.id)
            for index, rule in enumerate(self.activity_rules()):
                value = round_sql(sa.func.coalesce(act.c[f"a{index}"], 0.0))
                engagement = engagement + self._capped(value, rule.cap, negative=rule.points < 0)
        raw = (
            sa.select(
                leads.c.id.label("id"),
                self.rules_sum(model.fit_rules).label("fit"),
                engagement.label("eng"),
            )
            .select_from(source)
            .where(lead_scope)
            .cte("raw")
            .prefix_with("MATERIALIZED")
        )
        fit, eng, total = self._totals(raw.c.fit, raw.c.eng)
        grade = _bands(fit, model.grade_bands, ("A", "B", "C"), "D")
        tier = _bands(total, model.tier_bands, ("Hot", "Warm"), "Cold")
        return sa.select(
            raw.c.id,
            fit.label("fit"),
            eng.label("eng"),
            total.label("total"),
            grade.label("grade"),
            tier.label("tier"),
        ).subquery("scores")

    def _totals(
        self, fit_raw: sa.ColumnElement[Any], eng_raw: sa.ColumnElement[Any]
    ) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any], sa.ColumnElement[Any]]:
        """The fit, engagement and total scores from the two groups' raw sums."""
        fit = self._capped(round_sql(fit_raw), self.model.fit_cap)
        eng = self._capped(round_sql(eng_raw), self.model.engagement_cap)
        return fit, eng, round_sql(fit + eng)

    def rule_points(
        self, lead_scope: sa.ColumnElement[bool], act_scope: sa.ColumnElement[bool]
    ) -> tuple[sa.Select[Any], list[RulePoints]]:
        """Per lead in scope: ``id``, ``fit``, ``eng``, ``total``, then each rule's points in
        the order of the returned ``RulePoints``.

        What ``explain`` lists for one lead, for many leads in one statement (the export's
        score breakdown): one column per enabled rule (0.0 where it gave nothing), activity
        rules rounded and capped as scored, and a group cap's cut as a column of its own, so
        a lead's columns add up to its scores exactly as ``scores`` computes them.
        """
        model = self.model
        points: list[RulePoints] = []
        columns: list[sa.ColumnElement[Any]] = [leads.c.id.label("id")]

        def add(group: str, label: str, value: sa.ColumnElement[Any]) -> None:
            key = f"p{len(points)}"
            points.append(RulePoints(group, label, key))
            columns.append(value.label(key))

        for group, rules in (("fit", model.fit_rules), ("engagement", model.engagement_rules)):
            for rule in rules:
                if rule.enabled:
                    matched = sa.case(
                        (self.condition(rule), sa.literal(float(rule.points))), else_=0.0
                    )
                    add(group, rule_label(rule, self.registry), matched)
        act = self.activity_totals(act_scope)
        source: sa.FromClause = leads
        if act is not None:
            source = leads.outerjoin(act, act.c.lead_id == leads.c.id)
            for index, activity in enumerate(self.activity_rules()):
                value = round_sql(sa.func.coalesce(act.c[f"a{index}"], 0.0))
                capped = self._capped(value, activity.cap, negative=activity.points < 0)
                add("engagement", activity_label(activity), capped)
        raw = (
            sa.select(*columns)
            .select_from(source)
            .where(lead_scope)
            .cte("points")
            .prefix_with("MATERIALIZED")
        )
        sums: dict[str, sa.ColumnElement[Any]] = {}
        for group in ("fit", "engagement"):
            total: sa.ColumnElement[Any] = sa.literal_column("0.0", sa.Float())
            for column in points:
                if column.group == group:
                    total = total + raw.c[column.key]
            sums[group] = total
        fit, eng, score = self._totals(sums["fit"], sums["engagement"])
        cuts: dict[str, sa.ColumnElement[Any]] = {}
        for group, value, cap in (
            ("fit", fit, model.fit_cap),
            ("engagement", eng, model.engagement_cap),
        ):
            if cap is not None:
                key = f"{group}_cap"
                points.append(RulePoints(group, f"cap: {group} limited to {cap:g}", key))
                cuts[key] = (value - round_sql(sums[group])).label(key)
        points.sort(key=lambda column: column.group != "fit")  # each cap after its group
        query = sa.select(
            raw.c.id,
            fit.label("fit"),
            eng.label("eng"),
            score.label("total"),
            *(cuts[p.key] if p.key in cuts else raw.c[p.key] for p in points),
        )
        return query, points

    def _capped(
        self, value: sa.ColumnElement[Any], cap: float | None, *, negative: bool = False
    ) -> sa.ColumnElement[Any]:
        """``min(value, cap)`` (``max(value, -cap)`` for negative points); no cap, no change."""
        if cap is None:
            return value
        if negative:
            bound = sa.literal(-float(cap))
            return sa.func.greatest(value, bound) if self.postgres else sa.func.max(value, bound)
        bound = sa.literal(float(cap))
        return sa.func.least(value, bound) if self.postgres else sa.func.min(value, bound)

    def update(
        self,
        model_id: int,
        lead_scope: sa.ColumnElement[bool],
        act_scope: sa.ColumnElement[bool],
    ) -> sa.Update:
        """The UPDATE writing new scores, only to the leads whose scores differ."""
        s = self.scores(lead_scope, act_scope)
        return (
            leads.update()
            .where(leads.c.id == s.c.id)
            .where(_differs(s))
            .values(self._stamped(s, model_id))
        )

    def stage(
        self,
        staged: sa.Table,
        model_id: int,
        lead_scope: sa.ColumnElement[bool],
        act_scope: sa.ColumnElement[bool],
    ) -> sa.Insert:
        """The INSERT putting the changed scores of the leads in scope into ``staged``."""
        s = self.scores(lead_scope, act_scope)
        names = [c.name for c in staged.columns]
        changed = (
            sa.select(*(s.c[name] for name in names))
            .join(leads, leads.c.id == s.c.id)
            .where(_differs(s))
        )
        return staged.insert().from_select(names, changed)

    def update_from(self, staged: sa.Table, model_id: int) -> sa.Update:
        """The UPDATE copying the staged scores onto their leads."""
        return (
            leads.update().where(leads.c.id == staged.c.id).values(self._stamped(staged, model_id))
        )

    def restamp(self, model_id: int, lead_scope: sa.ColumnElement[bool]) -> sa.Update:
        """Leads whose scores another model gave, unchanged by this one, now carry its id."""
        return (
            leads.update()
            .where(lead_scope)
            .where(leads.c.scored_model_id.is_distinct_from(model_id))
            .values(scored_model_id=model_id, scored_at=self.now)
        )

    def _stamped(self, s: sa.FromClause, model_id: int) -> dict[str, Any]:
        return {
            "score": s.c.total,
            "fit_score": s.c.fit,
            "engagement_score": s.c.eng,
            "grade": s.c.grade,
            "tier": s.c.tier,
            "scored_at": self.now,
            "scored_model_id": model_id,
        }


def _differs(s: sa.FromClause) -> sa.ColumnElement[bool]:
    """The stored score of a lead differs from ``s``'s: a change the user would see."""
    return sa.or_(
        leads.c.score.is_distinct_from(s.c.total),
        leads.c.fit_score.is_distinct_from(s.c.fit),
        leads.c.engagement_score.is_distinct_from(s.c.eng),
        leads.c.grade.is_distinct_from(s.c.grade),
        leads.c.tier.is_distinct_from(s.c.tier),
    )


def _compare_number(x: sa.ColumnElement[Any], op: str, target: Any) -> sa.ColumnElement[bool]:
    if op == "between":
        return sa.and_(x >= target[0], x <= target[1])
    compare: dict[str, Any] = {
        "equals": x.__eq__,
        "not_equals": x.__ne__,
        "less_than": x.__lt__,
        "at_most": x.__le__,
        "greater_than": x.__gt__,
        "at_least": x.__ge__,
    }
    return compare[op](target)  # type: ignore[no-any-return]


def round_sql(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``common.round_score`` in SQL: ``floor(x * 10 + 0.5) / 10``."""
    return sa.func.floor(value * 10 + 0.5) / sa.literal_column("10.0", sa.Float())


def _bands(
    value: sa.ColumnElement[Any], bands: dict[str, float], names: Sequence[str], rest: str
) -> sa.ColumnElement[str]:
    whens = [(value >= sa.literal(float(bands[n])), sa.literal(n)) for n in names if n in bands]
    if not whens:
        return sa.literal(rest)
    return sa.case(*whens, else_=sa.literal(rest))


def ensure_math_functions(conn: Connection) -> None:
    """Give SQLite ``pow``, ``floor`` and ``unixepoch`` when its build lacks them.

    Most SQLite builds (3.38+) have them; on one that does not, Python twins computing the
    same values are registered, so both executors still agree (only slower).
    """
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.driver_connection
    for name, probe, arity, function in _SQLITE_FUNCTIONS:
        try:
            conn.exec_driver_sql(f"SELECT {probe}")
        except OperationalError:
            raw.create_function(name, arity, function, deterministic=True)  # type: ignore[union-attr]


def _unixepoch(text: str | None) -> int | None:
    """SQLite's ``unixepoch('YYYY-MM-DD HH:MM:SS')``: whole seconds of a UTC timestamp."""
    if text is None:
        return None
    return common.epoch_seconds(datetime.fromisoformat(text).replace(tzinfo=UTC))


_SQLITE_FUNCTIONS: tuple[tuple[str, str, int, Callable[..., Any]], ...] = (
    ("pow", "pow(0.5, 1.0)", 2, math.pow),
    ("floor", "floor(1.5)", 1, math.floor),
    ("unixepoch", "unixepoch('2024-01-01 00:00:00')", 1, _unixepoch),
)


def rescore(
    conn: Connection,
    model_id: int,
    model: ScoringModel,
    registry: FieldRegistry,
    lead_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> RescoreResult:
    """Rescore leads (all, or ``lead_ids``) inside the caller's transaction."""
    return progress.run(rescore_steps(conn, model_id, model, registry, lead_ids, now))


def rescore_steps(
    conn: Connection,
    model_id: int,
    model: ScoringModel,
    registry: FieldRegistry,
    lead_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    *,
    full: bool = False,
) -> Job[RescoreResult]:
    """``rescore`` as a job: one statement per chunk of leads, progress between them.

    Scores are computed as of ``now`` (default: the start of today, ``scoring_moment``).
    Rescoring every lead is skipped when they are already current for this model and
    moment (see ``scores_current``), unless ``full`` asks to check every lead anyway.
    """
    check(model, registry)
    ensure_math_functions(conn)
    moment = now or common.scoring_moment()
    total = _count(conn, lead_ids)
    if lead_ids is None and not full and scores_current(conn, model_id, model, moment):
        yield Progress(total, total, "Scores are up to date")
        return RescoreResult(scored=0, changed=0, up_to_date=True)
    compiler = Compiler(model, registry, conn.dialect.name, moment)
    scopes = list(_scopes(conn, lead_ids))
    with _large_cache(conn, total):
        if lead_ids is None and total >= BIG_RESCORE and conn.dialect.name == "sqlite":
            changed = yield from _staged_rescore(conn, compiler, model_id, scopes, total)
        else:
            changed = yield from _direct_rescore(conn, compiler, model_id, scopes, total)
    if lead_ids is None:
        _mark_current(conn, model_id, model, moment)
    # The rule score is one of the predictive model's features: predictions follow it.
    from leaddesk.core.scoring.predictive.predictions import refresh_predictions

    yield from refresh_predictions(conn, lead_ids)
    return RescoreResult(scored=total, changed=changed)


def _direct_rescore(
    conn: Connection,
    compiler: Compiler,
    model_id: int,
    scopes: list[tuple[sa.ColumnElement[bool], sa.ColumnElement[bool], int]],
    total: int,
) -> Job[int]:
    """One ``UPDATE … FROM`` per chunk, writing the leads whose scores changed."""
    scored = changed = 0
    for lead_scope, act_scope, size in scopes:
        result = conn.execute(compiler.update(model_id, lead_scope, act_scope))
        changed += _changed_rows(conn, result)
        conn.execute(compiler.restamp(model_id, lead_scope))
        scored += size
        yield Progress(min(scored, total), total, "Scoring leads")
    return changed


def _staged_rescore(
    conn: Connection,
    compiler: Compiler,
    model_id: int,
    scopes: list[tuple[sa.ColumnElement[bool], sa.ColumnElement[bool], int]],
    total: int,
) -> Job[int]:
    """Every lead of a large SQLite database: changed scores staged, then written at once.

    Updating a lead in place also moves its entries in the score indexes; when most scores
    change (a new model), dropping those indexes and building them again afterwards costs a
    third as much. Staging the changed scores first tells which case this is.
    """
    staged = _staged_table()
    staged.create(conn)
    try:
        scored = 0
        for lead_scope, act_scope, size in scopes:
            conn.execute(compiler.stage(staged, model_id, lead_scope, act_scope))
            scored += size
            yield Progress(min(scored, total), total, "Scoring leads")
        changed = int(conn.execute(sa.select(sa.func.count()).select_from(staged)).scalar_one())
        if changed:
            yield Progress(total, total, f"Saving {changed:,} new scores")
            rebuilt = _SCORE_INDEXES if changed > total * REBUILD_SHARE else ()
            for index in rebuilt:
                index.drop(conn)
            conn.execute(compiler.update_from(staged, model_id))
            for index in rebuilt:
                index.create(conn)
        conn.execute(compiler.restamp(model_id, sa.true()))
        return changed
    finally:
        staged.drop(conn)


def _staged_table() -> sa.Table:
    return sa.Table(
        "staged_scores",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fit", sa.Float),
        sa.Column("eng", sa.Float),
        sa.Column("total", sa.Float),
        sa.Column("grade", sa.Text),
        sa.Column("tier", sa.Text),
        prefixes=["TEMPORARY"],
    )


# The indexes whose entries move when scores change (the dashboard's read tier and grade).
_SCORE_INDEXES = tuple(
    index
    for index in leads.indexes
    if index.name in ("ix_leads_score", "ix_leads_status_score", "ix_leads_tier_grade")
)


def scores_current(conn: Connection, model_id: int, model: ScoringModel, moment: datetime) -> bool:
    """Every lead already carries ``model_id``'s scores as of ``moment``: nothing to do.

    The last full rescore records its model and moment; every other write (import, call,
    edit) rescores its own leads in its transaction. The moment matters only for models
    whose scores move with time (decay, "within the last N days"). One pass over the leads
    confirms that none was scored by another model since (an undone import puts old rows
    back).
    """
    state = conn.execute(sa.select(settings.c.value).where(settings.c.key == CURRENT_KEY))
    recorded = state.scalar()
    if not isinstance(recorded, dict) or recorded.get("model_id") != model_id:
        return False
    if model.changes_with_time() and recorded.get("as_of") != moment.isoformat():
        return False
    other = sa.select(leads.c.id).where(leads.c.scored_model_id.is_distinct_from(model_id))
    return conn.execute(other.limit(1)).first() is None


def _mark_current(conn: Connection, model_id: int, model: ScoringModel, moment: datetime) -> None:
    conn.execute(settings.delete().where(settings.c.key == CURRENT_KEY))
    value = {"model_id": model_id, "as_of": moment.isoformat()}
    conn.execute(settings.insert().values(key=CURRENT_KEY, value=value))


@contextmanager
def _large_cache(conn: Connection, leads_to_score: int) -> Iterator[None]:
    """A larger SQLite page cache while rescoring many leads (about 20% faster at 1M).

    The connection's own setting is put back afterwards; the cache only grows as needed.
    """
    if conn.dialect.name != "sqlite" or leads_to_score < BIG_RESCORE:
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _changed_rows(conn: Connection, result: sa.CursorResult[Any]) -> int:
    """Rows the UPDATE wrote. Python's sqlite3 before 3.12 reports -1 for a statement that
    starts with WITH, so SQLite is asked directly."""
    if conn.dialect.name == "sqlite":
        return int(conn.exec_driver_sql("SELECT changes()").scalar_one())
    return int(result.rowcount)


def _count(conn: Connection, lead_ids: Sequence[int] | None) -> int:
    query = sa.select(sa.func.count()).select_from(leads)
    if lead_ids is None:
        return int(conn.execute(query).scalar_one())
    ids = sorted(set(lead_ids))
    return sum(
        int(conn.execute(query.where(leads.c.id.in_(ids[i : i + ID_CHUNK]))).scalar_one())
        for i in range(0, len(ids), ID_CHUNK)
    )


def _scopes(
    conn: Connection, lead_ids: Sequence[int] | None
) -> Iterator[tuple[sa.ColumnElement[bool], sa.ColumnElement[bool], int]]:
    """(leads filter, activities filter, leads covered) per statement."""
    if lead_ids is not None:
        ids = sorted(set(lead_ids))
        for i in range(0, len(ids), ID_CHUNK):
            chunk = ids[i : i + ID_CHUNK]
            yield leads.c.id.in_(chunk), activities.c.lead_id.in_(chunk), len(chunk)
        return
    low, high = conn.execute(sa.select(sa.func.min(leads.c.id), sa.func.max(leads.c.id))).one()
    if low is None:
        return
    for start in range(low, high + 1, RANGE_CHUNK):
        stop = start + RANGE_CHUNK - 1
        yield (
            leads.c.id.between(start, stop),
            activities.c.lead_id.between(start, stop),
            RANGE_CHUNK,
        )


def rescore_with_active(
    conn: Connection, lead_ids: Sequence[int] | None = None, now: datetime | None = None
) -> RescoreResult:
    """Rescore leads (all, or ``lead_ids``) with the active model, in the caller's transaction.

    What the importer, the call logger and the sample data need after they change leads.
    """
    return progress.run(rescore_with_active_steps(conn, lead_ids, now))


def rescore_with_active_steps(
    conn: Connection,
    lead_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    *,
    full: bool = False,
) -> Job[RescoreResult]:
    """``rescore_with_active`` as a job, for callers that show progress.

    The scores are stamped with the model's id, so the default model is stored first if no
    model is yet (``ensure_active_model``); the caller's transaction is a write one anyway.
    """
    from leaddesk.core.scoring.store import ensure_active_model, get_model  # store imports us

    model_id = ensure_active_model(conn)
    model = get_model(conn, model_id)
    registry = load_registry(conn)
    return (yield from rescore_steps(conn, model_id, model, registry, lead_ids, now, full=full))


def rescore_job(
    db: Database,
    lead_ids: list[int] | None = None,
    now: datetime | None = None,
    *,
    full: bool = False,
) -> Job[RescoreResult]:
    """Rescore leads with the active model in one transaction (nothing written if stopped).

    Every lead, by default, only when scores are not already current (a new day for a
    decaying model, another model); ``full`` recomputes every lead anyway.
    """
    with db.write() as conn:
        return (yield from rescore_with_active_steps(conn, lead_ids, now, full=full))
