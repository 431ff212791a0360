"""The daily call queue: who to call next, in what order, and why.

Eligibility and order run in SQL, small indexed queries per part of the order (overdue
callbacks, callbacks due today, then called leads and new leads in the team's order: by rule
score, by the predictive model's probability, or by a blend of the two), each stopping at the
number still needed; reasons are written only for the rows returned. The eligibility rules
are a table, shared by the SQL filter and by ``why_not_queued``, which explains in words why a
lead is left out, so the two can never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import sqlalchemy as sa
from phonenumbers import timezone as phone_timezone
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from leaddesk.core.fields import CLOSED_STATUSES
from leaddesk.core.leads import Lead, display_name, get_lead, lead_json, search_clause
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.schema import REP_ACTIVITIES, Activity, leads, utcnow
from leaddesk.core.wording import days_ago, deed

if TYPE_CHECKING:
    from leaddesk.core.scoring.predictive.predictions import Prediction
    from leaddesk.core.scoring.predictive.target import Target

activities = Activity.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One lead in the queue, its 1-based position, and the reason it is there."""

    lead_id: int
    rank: int
    reason: str
    lead: Lead
    bucket: str = "score"  # "overdue", "due", "score" or "new"

    def to_json(self) -> dict[str, Any]:
        return {"lead_id": self.lead_id, "rank": self.rank, "reason": self.reason} | lead_json(
            self.lead
        )


@dataclass(frozen=True, slots=True)
class Window:
    """The day a queue is built for, as UTC moments, and the user's time zone."""

    now: datetime
    start: datetime
    end: datetime
    zone: tzinfo

    @classmethod
    def for_day(cls, day: date | None, now: datetime | None, settings: QueueSettings) -> Window:
        zone = settings.zone()
        now = now or utcnow()
        day = day or now.astimezone(zone).date()
        start = datetime.combine(day, time(0), zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        return cls(now=now, start=start, end=end, zone=zone)


def lead_zone(lead: Mapping[str, Any], fallback: tzinfo) -> tzinfo:
    """The lead's time zone: its own field, else its phone number's, else its country's."""
    name = lead.get("timezone")
    if name:
        zone = _zone(str(name).strip())
        if zone is not None:
            return zone
    phone = lead.get("phone")
    if phone:
        zone = _phone_zone(str(phone))
        if zone is not None:
            return zone
    country = lead.get("country")
    if country:
        zone = _country_zone(str(country).upper())
        if zone is not None:
            return zone
    return fallback


@lru_cache(maxsize=512)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return None


@lru_cache(maxsize=4096)
def _phone_zone(phone: str) -> tzinfo | None:
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    names = phone_timezone.time_zones_for_number(number)
    return _zone(names[0]) if names and names[0] != "Etc/Unknown" else None


@lru_cache(maxsize=512)
def _country_zone(region: str) -> tzinfo | None:
    example = phonenumbers.example_number(region)
    if example is None:
        return None
    names = phone_timezone.time_zones_for_number(example)
    return _zone(names[0]) if names and names[0] != "Etc/Unknown" else None


def callable_now(lead: Mapping[str, Any], window: Window, settings: QueueSettings) -> bool:
    """Whether it is calling time at the lead (always, when calling hours are off)."""
    return settings.calling_hours is None or time_at_lead(lead, settings, window.now)[1] is None


# Without calling hours set, a call before 8:00 or from 21:00 at the lead is still flagged.
POLITE_HOURS = (time(8), time(21))


def time_at_lead(
    lead: Mapping[str, Any], settings: QueueSettings, now: datetime | None = None
) -> tuple[datetime, str | None]:
    """The lead's local time now, and a warning when it is no time to call them."""
    local = (now or utcnow()).astimezone(lead_zone(lead, settings.zone()))
    start, end = settings.calling_hours or POLITE_HOURS
    if not start <= local.time() < end:
        return local, "outside calling hours"
    if settings.calling_hours is not None and settings.weekdays_only and local.weekday() >= 5:
        return local, f"a {local:%A} there"
    return local, None


def place(zone: tzinfo) -> str:
    """Where a time zone is, for people: "New York" for America/New_York, else its name."""
    name = getattr(zone, "key", None) or str(zone)
    return name.rsplit("/", 1)[-1].replace("_", " ")


@dataclass(frozen=True, slots=True)
class Rule:
    """One eligibility rule: its SQL filter, the same test in Python, and what it means."""

    sql: Callable[[Window, QueueSettings, str | None], sa.ColumnElement[bool]]
    holds: Callable[[Mapping[str, Any], Window, QueueSettings, str | None], bool]
    message: Callable[[Mapping[str, Any], Window, QueueSettings], str]


def _before(value: datetime | None, moment: datetime) -> bool:
    return value is None or value < moment


ELIGIBILITY: tuple[Rule, ...] = (
    Rule(
        lambda w, s, o: leads.c.status.notin_(CLOSED_STATUSES),
        lambda lead, w, s, o: lead["status"] not in CLOSED_STATUSES,
        lambda lead, w, s: f"it is closed (status {lead['status']})",
    ),
    Rule(
        lambda w, s, o: leads.c.do_not_call == sa.false(),
        lambda lead, w, s, o: not lead["do_not_call"],
        lambda lead, w, s: "it is marked do-not-call",
    ),
    Rule(
        lambda w, s, o: sa.and_(leads.c.phone.isnot(None), leads.c.phone != ""),
        lambda lead, w, s, o: bool(lead["phone"]),
        lambda lead, w, s: "it has no phone number",
    ),
    Rule(
        lambda w, s, o: leads.c.phone_valid == sa.true() if s.skip_invalid_phones else sa.true(),
        lambda lead, w, s, o: bool(lead["phone_valid"]) or not s.skip_invalid_phones,
        lambda lead, w, s: "its phone number is flagged as wrong",
    ),
    Rule(
        lambda w, s, o: sa.or_(leads.c.snoozed_until.is_(None), leads.c.snoozed_until <= w.now),
        lambda lead, w, s, o: lead["snoozed_until"] is None or lead["snoozed_until"] <= w.now,
        lambda lead, w, s: f"it is snoozed until {_when(lead['snoozed_until'], w)}",
    ),
    Rule(
        lambda w, s, o: sa.or_(
            leads.c.last_contacted_at.is_(None), leads.c.last_contacted_at < w.start
        ),
        lambda lead, w, s, o: _before(lead["last_contacted_at"], w.start),
        lambda lead, w, s: f"it was already called today ({_when(lead['last_contacted_at'], w)})",
    ),
    Rule(
        lambda w, s, o: leads.c.attempts < s.max_attempts,
        lambda lead, w, s, o: int(lead["attempts"] or 0) < s.max_attempts,
        lambda lead, w, s: f"it reached the limit of {s.max_attempts} call attempts",
    ),
    Rule(
        lambda w, s, o: sa.or_(
            leads.c.next_follow_up_at.is_(None), leads.c.next_follow_up_at < w.end
        ),
        lambda lead, w, s, o: _before(lead["next_follow_up_at"], w.end),
        lambda lead, w, s: f"its next call is planned for {_when(lead['next_follow_up_at'], w)}",
    ),
    Rule(
        lambda w, s, o: (
            sa.true() if o is None else sa.or_(leads.c.owner.is_(None), leads.c.owner == o)
        ),
        lambda lead, w, s, o: o is None or lead["owner"] in (None, o),
        lambda lead, w, s: f"it belongs to {lead['owner']}",
    ),
    Rule(
        lambda w, s, o: sa.true() if o is None else sa.or_(
            leads.c.claimed_by.is_(None), leads.c.claimed_by == o, leads.c.claimed_until <= w.now
        ),
        lambda lead, w, s, o: o is None or not _claimed_by_other(lead, o, w.now),
        lambda lead, w, s: (
            f"{lead['claimed_by']} has it open (until {_when(lead['claimed_until'], w)})"
        ),
    ),
)  # fmt: skip


def _claimed_by_other(lead: Mapping[str, Any], rep: str, now: datetime) -> bool:
    until = lead.get("claimed_until")
    return lead.get("claimed_by") not in (None, rep) and until is not None and until > now


def eligible(window: Window, settings: QueueSettings, owner: str | None) -> sa.ColumnElement[bool]:
    """Leads that may be called on the window's day (the SQL side of ``ELIGIBILITY``)."""
    return sa.and_(*(rule.sql(window, settings, owner) for rule in ELIGIBILITY))


# Reads one part of the queue: (connection, filter, rows per query) -> its leads in queue
# order, read a query at a time as the caller goes on.
Reader = Callable[[Connection, sa.ColumnElement[bool], int], Iterator[Lead]]
RANKED = ("score", "new")  # the parts in the team's queue order (the others by time)


def _parts(
    w: Window, settings: QueueSettings, postgres: bool
) -> list[tuple[str, sa.ColumnElement[bool], Reader]]:
    """The four parts of the order: (name, filter, how to read it in order)."""
    follow = leads.c.next_follow_up_at
    # Most leads have no callback: told so through the follow-up index, SQLite would sort them
    # all. A unary + keeps that index out, so it walks the index of the order and stops at the
    # page. (PostgreSQL knows better from its statistics.)
    no_callback = (follow if postgres else _unindexed(follow)).is_(None)
    never_called = sa.and_(leads.c.attempts == 0, leads.c.last_contacted_at.is_(None))
    by_time = _sorted(follow, leads.c.id)
    ranked = _ranked(settings, postgres)
    return [
        ("overdue", follow < w.start, by_time),
        ("due", sa.and_(follow >= w.start, follow < w.end), by_time),
        ("score", sa.and_(no_callback, sa.not_(never_called)), ranked),
        ("new", sa.and_(no_callback, never_called), ranked),
    ]


def _unindexed(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``+column``: the same value, which SQLite will not look up through an index."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def order_in_effect(settings: QueueSettings) -> str:
    """The queue order the team chose; a blend all one way is that order."""
    if settings.order == "blend" and settings.blend in (0, 100):
        return "probability" if settings.blend == 100 else "score"
    return settings.order


def _ranked(settings: QueueSettings, postgres: bool) -> Reader:
    """How the leads without a callback are read: by score (then the latest activity), by
    probability (then score), or by the blend of both. Leads without a probability come
    after those with one."""
    order = order_in_effect(settings)
    by_score = _sorted(*_descending(postgres, leads.c.score, leads.c.last_activity_at), leads.c.id)
    if order == "blend":
        return _blended(settings.blend / 100, by_score)
    if order == "probability":
        return _sorted(*_descending(postgres, leads.c.probability, leads.c.score), leads.c.id)
    return by_score


def _descending(postgres: bool, *columns: sa.ColumnElement[Any]) -> list[Any]:
    # SQLite sorts NULL last in DESC order by itself (and then uses the index of the first
    # column); PostgreSQL needs to be told.
    return [c.desc().nulls_last() if postgres else c.desc() for c in columns]


def _sorted(*order: Any) -> Reader:
    """Read in SQL order, one indexed query per page, each page twice the one before (a
    caller that skips many leads needs few queries)."""

    def read(conn: Connection, where: sa.ColumnElement[bool], page: int) -> Iterator[Lead]:
        query = sa.select(leads).where(where).order_by(*order)
        offset = 0
        while True:
            rows = conn.execute(query.limit(page).offset(offset)).mappings().all()
            yield from (dict(row) for row in rows)
            if len(rows) < page:
                return
            offset, page = offset + page, page * 2

    return read


def _blended(weight: float, rest: Reader) -> Reader:
    """Read by ``weight * probability + (1 - weight) * score``, then score and id; leads
    without both numbers follow, as ``rest`` orders them."""
    missing = sa.or_(leads.c.probability.is_(None), leads.c.score.is_(None))

    def read(conn: Connection, where: sa.ColumnElement[bool], page: int) -> Iterator[Lead]:
        needed, given = page, 0
        while True:
            ids, every = _top_blended(conn, where, weight, needed)
            found = conn.execute(sa.select(leads).where(leads.c.id.in_(ids[given:])))
            by_id = {row["id"]: dict(row) for row in found.mappings()}
            yield from (by_id[i] for i in ids[given:])
            if every:
                yield from rest(conn, sa.and_(where, missing), page)
                return
            needed, given = needed * 2, len(ids)

    return read


def _top_blended(
    conn: Connection, where: sa.ColumnElement[bool], weight: float, needed: int
) -> tuple[list[int], bool]:
    """The ids of the first ``needed`` leads by blend, and whether that is all of them.

    A blend cannot be read from an index, and sorting every lead is slow on a large
    database, so this reads the best ``depth`` leads by score and by probability along their
    indexes (Fagin's threshold algorithm): a lead in neither list blends to at most the
    blend of the last score and the last probability read, so the leads above that are
    certainly first. Until ``needed`` of them are found, it reads deeper.
    """
    both = sa.and_(where, leads.c.probability.isnot(None), leads.c.score.isnot(None))
    columns = (leads.c.id, leads.c.probability, leads.c.score)
    depth = max(needed, 50)
    while True:
        by_score, by_probability = (
            conn.execute(sa.select(*columns).where(both).order_by(key.desc()).limit(depth)).all()
            for key in (leads.c.score, leads.c.probability)
        )
        seen = (*by_score, *by_probability)
        blend = {r.id: (weight * r.probability + (1 - weight) * r.score, r.score) for r in seen}
        ranked = sorted(blend, key=lambda i: (-blend[i][0], -blend[i][1], i))
        if len(by_score) < depth:  # every lead with both numbers was read
            return ranked[:needed], len(ranked) <= needed
        bound = weight * by_probability[-1].probability + (1 - weight) * by_score[-1].score
        certain = [i for i in ranked if blend[i][0] > bound]
        if len(certain) >= needed:
            return certain[:needed], False
        depth *= 4


def build_queue(
    conn: Connection,
    *,
    day: date | None = None,
    now: datetime | None = None,
    owner: str | None = None,
    limit: int = 200,
    settings: QueueSettings = QueueSettings(),
) -> list[QueueEntry]:
    """Today's queue (or ``day``'s): eligible leads in call order, each with its reason."""
    window = Window.for_day(day, now, settings)
    base = eligible(window, settings, owner)
    postgres = conn.dialect.name == "postgresql"
    hours = settings.calling_hours is not None and window.start <= window.now < window.end
    entries: list[QueueEntry] = []
    for bucket, part, read in _parts(window, settings, postgres):
        needed = limit - len(entries)
        if needed <= 0:
            break
        # Without calling hours the leads needed are enough; with them, leads outside their
        # hours are skipped, so more are read at a time.
        for lead in read(conn, sa.and_(base, part), max(needed, 50) if hours else needed):
            if not hours or callable_now(lead, window, settings):
                entries.append(QueueEntry(lead["id"], len(entries) + 1, "", lead, bucket))
                if len(entries) == limit:
                    break
    done = latest_engagement(conn, [e.lead_id for e in entries if e.bucket == "score"])
    chances = chances_in_words(conn, entries, settings, window.now)
    return [
        replace(
            e,
            reason=reason(e.lead, e.bucket, window, done.get(e.lead_id), chances.get(e.lead_id)),
        )
        for e in entries
    ]


def likely(percent: float, target: Target) -> str:
    """A probability (0-100) as a rep says it: "64% likely to win", "64% likely: Converted"."""
    return f"{percent:.0f}% {likely_to(target)}"


def likely_to(target: Target) -> str:
    """What a probability is the chance of: "likely to win", "likely: Converted"."""
    return "likely to win" if target.is_status else f"likely: {target.label}"


def chances_in_words(
    conn: Connection, entries: Sequence[QueueEntry], settings: QueueSettings, now: datetime
) -> dict[int, str]:
    """Each entry's probability in words; when the queue is ordered by it, with the strongest
    reason it is high ("64% likely to win (Lead origin is 'Lead Add Form')")."""
    predicted = [e for e in entries if e.lead.get("probability") is not None]
    if not predicted:
        return {}
    # numpy comes with the predictive model: read only when a lead has a probability.
    from leaddesk.core.scoring.predictive.predictions import explain_leads
    from leaddesk.core.scoring.predictive.store import active_predictive_model

    active = active_predictive_model(conn)
    if active is None:
        return {}
    explained: dict[int, Prediction] = {}
    if order_in_effect(settings) != "score":
        ranked = [e.lead_id for e in predicted if e.bucket in RANKED]
        explained = explain_leads(conn, ranked, now=now, top=1)
    return {
        e.lead_id: _chance(likely(e.lead["probability"], active.target), explained.get(e.lead_id))
        for e in predicted
    }


def _chance(text: str, prediction: Prediction | None) -> str:
    factors = prediction.factors if prediction is not None else ()
    best = next((f for f in factors if f.weight > 0), None)
    return f"{text} ({best.text})" if best is not None else text


# Activities that are the rep's own doing, not the lead's engagement.


def latest_engagement(
    conn: Connection, lead_ids: list[int]
) -> dict[int, tuple[str, str | None, datetime]]:
    """Each lead's latest engagement activity: (kind, note, when), in one indexed query."""
    if not lead_ids:
        return {}
    ranked = (
        sa.select(
            activities.c.lead_id,
            activities.c.kind,
            activities.c.note,
            activities.c.at,
            sa.func.row_number()
            .over(partition_by=activities.c.lead_id, order_by=activities.c.at.desc())
            .label("n"),
        )
        .where(activities.c.lead_id.in_(lead_ids), activities.c.kind.notin_(REP_ACTIVITIES))
        .subquery()
    )
    rows = conn.execute(sa.select(ranked).where(ranked.c.n == 1))
    return {r.lead_id: (r.kind, r.note, r.at) for r in rows}


def reason(
    lead: Mapping[str, Any],
    bucket: str,
    window: Window,
    engagement: tuple[str, str | None, datetime] | None = None,
    chance: str | None = None,
) -> str:
    """Why the lead is where it is, in a few words a rep reads at a glance.

    ``engagement`` is the lead's latest engagement activity (see ``latest_engagement``),
    ``chance`` its probability in words (see ``chances_in_words``).
    """
    said = [chance] if chance else []
    promised = lead.get("last_contacted_at")
    since = f" (you promised on {_day_name(promised, window)})" if promised else ""
    follow = lead.get("next_follow_up_at")
    if bucket == "overdue" and follow is not None:
        return " · ".join([f"Callback overdue since {_when(follow, window)}{since}", *said])
    if bucket == "due" and follow is not None:
        return " · ".join([f"Callback due {follow.astimezone(window.zone):%H:%M}{since}", *said])
    score = lead.get("score")
    shown = f"score {score:g}" if score is not None else "not scored yet"
    if bucket == "new":
        grade = lead.get("grade")
        return " · ".join([f"New lead, grade {grade}" if grade else "New lead", shown, *said])
    parts = [lead.get("tier") or "Unscored", shown, *said]
    active = lead.get("last_activity_at")
    if engagement is not None:
        kind, note, at = engagement
        parts.append(f"{deed(kind, note)} {_ago(at, window)}")
    elif active is not None:
        parts.append(f"active {_ago(active, window)}")
    attempts = int(lead.get("attempts") or 0)
    if attempts:
        parts.append(f"{attempts} earlier call{'s' if attempts > 1 else ''}")
    return " · ".join(parts)


def _local(moment: datetime, window: Window) -> datetime:
    return moment.astimezone(window.zone)


def _day_name(moment: datetime, window: Window) -> str:
    local = _local(moment, window)
    today = _local(window.now, window).date()
    if local.date() == today:
        return "today"
    if (today - local.date()).days < 7:
        return f"{local:%a}"
    return f"{local:%a} {local.day} {local:%b}"


def _when(moment: datetime | None, window: Window) -> str:
    if moment is None:
        return "unknown"
    return f"{_day_name(moment, window)} {_local(moment, window):%H:%M}"


def _ago(moment: datetime, window: Window) -> str:
    """Calendar days in the user's zone: a call at 23:00 was "yesterday" at 08:00."""
    return days_ago((_local(window.now, window).date() - _local(moment, window).date()).days)


def why_not_queued(
    conn: Connection,
    lead_id: int,
    *,
    day: date | None = None,
    now: datetime | None = None,
    owner: str | None = None,
    settings: QueueSettings = QueueSettings(),
) -> list[str]:
    """Every reason the lead is not in the queue ("it is marked do-not-call"); empty if it is
    eligible (then it is only further down than the queue's limit)."""
    lead = get_lead(conn, lead_id)
    window = Window.for_day(day, now, settings)
    messages = [
        rule.message(lead, window, settings)
        for rule in ELIGIBILITY
        if not rule.holds(lead, window, settings, owner)
    ]
    if settings.calling_hours and not callable_now(lead, window, settings):
        local = window.now.astimezone(lead_zone(lead, window.zone))
        start, end = settings.calling_hours
        messages.append(
            f"it is {local:%a %H:%M} there, outside calling hours ({start:%H:%M}-{end:%H:%M})"
        )
    name = display_name(lead)
    return [f"{name} is not in the queue because {message}." for message in messages]


# Outcomes of calls that reached the person (stored values of ``activities.Outcome``).
CONNECTED_OUTCOMES = ("connected", "meeting", "not-interested", "do-not-call")


def why_not_here(
    conn: Connection,
    text: str,
    queued: Mapping[int, int],
    *,
    now: datetime | None = None,
    owner: str | None = None,
    settings: QueueSettings = QueueSettings(),
    limit: int = 5,
) -> list[str]:
    """Answer "Why isn't Acme here?": for each lead matching ``text`` (name, company, email,
    phone digits), where it is in the queue (``queued`` maps lead id to position) or why not."""
    if not text.strip():
        return []
    found = conn.execute(
        sa.select(leads.c.id, leads.c.first_name, leads.c.last_name, leads.c.company)
        .where(search_clause(text))
        .order_by(leads.c.score.desc(), leads.c.id)
        .limit(limit + 1)
    ).mappings()
    answers = []
    for lead in [dict(row) for row in found][:limit]:
        name = display_name(lead)
        if lead["id"] in queued:
            answers.append(f"{name} is number {queued[lead['id']]} in today's queue.")
            continue
        reasons = why_not_queued(conn, lead["id"], now=now, owner=owner, settings=settings)
        answers.extend(
            reasons or [f"{name} can be called today, further down the queue than the leads shown."]
        )
    if not answers:
        return [f"No lead matches “{text.strip()}”."]
    return answers


@dataclass(frozen=True, slots=True)
class DayProgress:
    """What a rep did on a day, against the daily target."""

    calls: int
    target: int
    outcomes: dict[str, int] = field(default_factory=dict)
    by_hour: dict[int, int] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return max(self.target - self.calls, 0)

    @property
    def connects(self) -> int:
        """Calls that reached the person, whatever they said."""
        return sum(self.outcomes.get(o, 0) for o in CONNECTED_OUTCOMES)

    @property
    def meetings(self) -> int:
        return self.outcomes.get("meeting", 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "target": self.target,
            "remaining": self.remaining,
            "connects": self.connects,
            "meetings": self.meetings,
            "outcomes": self.outcomes,
            "by_hour": self.by_hour,
        }


def day_progress(
    conn: Connection,
    *,
    day: date | None = None,
    now: datetime | None = None,
    rep: str | None = None,
    settings: QueueSettings = QueueSettings(),
) -> DayProgress:
    """Calls made on ``day`` (by ``rep``, or by everyone), by outcome and by local hour."""
    window = Window.for_day(day, now, settings)
    query = sa.select(activities.c.outcome, activities.c.at).where(
        activities.c.kind == "call", activities.c.at >= window.start, activities.c.at < window.end
    )
    if rep is not None:
        query = query.where(activities.c.rep == rep)
    rows = conn.execute(query).all()
    outcomes = Counter(str(r.outcome) for r in rows)
    hours = Counter(_local(r.at, window).hour for r in rows)
    return DayProgress(
        len(rows), settings.daily_target, dict(outcomes), dict(sorted(hours.items()))
    )
