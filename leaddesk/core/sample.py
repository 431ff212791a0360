"""Realistic demo leads: "Try with sample data", ``leaddesk demo``, tests and benchmarks.

The leads look like a small B2B team's list: people in a dozen countries with valid phone
numbers, companies of every size, engagement that fades over time, a history of calls, and
some won and lost leads whose outcome depends on fit and engagement, so the predictive model
has something real to learn. Generation is deterministic for a seed and relative to ``now``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.fields import slug
from leaddesk.core.importing.normalize import normalize_phone
from leaddesk.core.progress import Job, Progress
from leaddesk.core.schema import Activity, leads, utcnow


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[str, ...]
    legal_form: str
    free_mail: str


_COUNTRIES = (
    _Country("US", ("James", "Olivia", "Michael", "Emma", "Daniel", "Ava", "Ethan", "Sophia"),
             ("Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Wilson"),
             ("New York", "Austin", "Chicago", "Denver", "Seattle", "Boston"), "Inc.", "gmail.com"),
    _Country("GB", ("Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Jack", "Freya"),
             ("Taylor", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes"),
             ("London", "Manchester", "Leeds", "Bristol", "Edinburgh"), "Ltd", "outlook.com"),
    _Country("DE", ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie"),
             ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Schäfer"),
             ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main"), "GmbH", "gmx.de"),
    _Country("FR", ("Lucas", "Chloé", "Hugo", "Léa", "Louis", "Manon", "Jules", "Camille"),
             ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre"),
             ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes"), "SAS", "orange.fr"),
    _Country("ES", ("Hugo", "Lucía", "Martín", "Sofía", "Pablo", "Martina", "Álvaro", "Paula"),
             ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"),
             ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"), "S.L.", "hotmail.es"),
    _Country("NL", ("Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Tess"),
             ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit"),
             ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"), "B.V.", "ziggo.nl"),
    _Country("SE", ("William", "Alice", "Liam", "Maja", "Noah", "Elsa", "Hugo", "Astrid"),
             ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson"),
             ("Stockholm", "Göteborg", "Malmö", "Uppsala"), "AB", "telia.com"),
    _Country("AU", ("Jack", "Charlotte", "Noah", "Mia", "William", "Grace", "Henry", "Zoe"),
             ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly"),
             ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"), "Pty Ltd", "bigpond.com"),
    _Country("CA", ("Liam", "Olivia", "Noah", "Emma", "Benjamin", "Charlotte", "Logan", "Chloé"),
             ("Tremblay", "Roy", "Gagnon", "Smith", "Brown", "MacDonald", "Lee", "Wilson"),
             ("Toronto", "Montréal", "Vancouver", "Calgary", "Ottawa"), "Inc.", "yahoo.ca"),
    _Country("IN", ("Aarav", "Ananya", "Vivaan", "Diya", "Arjun", "Saanvi", "Rohan", "Isha"),
             ("Sharma", "Patel", "Gupta", "Iyer", "Reddy", "Nair", "Singh", "Mehta"),
             ("Mumbai", "Bengaluru", "Pune", "Delhi", "Hyderabad"), "Pvt Ltd", "gmail.com"),
    _Country("IT", ("Leonardo", "Sofia", "Francesco", "Giulia", "Alessandro", "Aurora"),
             ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"),
             ("Milano", "Roma", "Torino", "Bologna", "Firenze"), "S.p.A.", "libero.it"),
    _Country("CH", ("Noah", "Mia", "Luca", "Emma", "Leon", "Lina", "Elias", "Lea"),
             ("Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Gerber"),
             ("Zürich", "Genève", "Basel", "Bern", "Lausanne"), "AG", "bluewin.ch"),
)  # fmt: skip

_COMPANY_STEMS = (
    "Northwind", "Bluepeak", "Helix", "Kestrel", "Lumen", "Meridian", "Orbital", "Pinecrest",
    "Quantum", "Redwood", "Sable", "Tidewater", "Vertex", "Wavelength", "Zenith", "Alder",
    "Brightline", "Cobalt", "Driftwood", "Ember", "Foxglove", "Granite", "Harbor", "Ironbark",
)  # fmt: skip
_COMPANY_KINDS = (
    ("Analytics", "Software"), ("Logistics", "Logistics"), ("Health", "Healthcare"),
    ("Software", "Software"), ("Labs", "Software"), ("Systems", "Manufacturing"),
    ("Retail", "Retail"), ("Capital", "Financial services"), ("Foods", "Retail"),
    ("Energy", "Energy"), ("Realty", "Real estate"), ("Robotics", "Manufacturing"),
    ("Learning", "Education"), ("Hotels", "Hospitality"),
)  # fmt: skip
# (title, seniority 0..3): seniority drives fit and, through it, the chance to win.
_TITLES = (
    ("Chief Executive Officer", 3), ("Founder & CEO", 3), ("Chief Revenue Officer", 3),
    ("VP Sales", 3), ("VP Marketing", 3), ("Head of Operations", 2), ("Head of Growth", 2),
    ("Director of IT", 2), ("Sales Director", 2), ("Marketing Manager", 1),
    ("Sales Manager", 1), ("Operations Manager", 1), ("Procurement Lead", 1),
    ("Office Manager", 0), ("Software Engineer", 0), ("Business Analyst", 0),
    ("Marketing Assistant", 0), ("Intern", 0),
)  # fmt: skip
_SOURCES = (
    "Website form", "Referral", "Trade show", "LinkedIn", "Webinar", "Cold list", "Partner",
    "Google Ads",
)  # fmt: skip
_SOURCE_LIFT = {"Referral": 0.8, "Webinar": 0.5, "Website form": 0.4, "Cold list": -0.7}
REPS = ("Alex Morgan", "Sam Lee", "Jordan Blake")
_CALL_OUTCOMES = ("no-answer", "no-answer", "voicemail", "connected", "connected", "meeting")


def _valid_phone(rng: random.Random, region: str) -> str:
    """A valid mobile number of ``region`` in E.164, varied from the region's example."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None, f"phonenumbers has no example mobile number for {region}"
    national = str(example.national_number)
    for _ in range(50):
        tail = "".join(rng.choice("0123456789") for _ in range(5))
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(national[:-5] + tail)
        )
        if phonenumbers.is_valid_number(candidate):
            return phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def _ascii_local(text: str) -> str:
    """The part of an email address made from a name: "Schäfer" -> "schafer"."""
    return slug(text).replace("_", "")


def generate_leads(n: int, seed: int = 7, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``n`` lead rows ready for ``leads.insert()``, plus an ``_activities`` list each."""
    rng = random.Random(seed)
    now = now or utcnow()
    phones_by_region: dict[str, list[str]] = {}
    for i in range(n):
        country = rng.choice(_COUNTRIES)
        pool = phones_by_region.setdefault(country.code, [])
        if len(pool) < 400:  # valid numbers are slow to find; reuse a pool at scale
            pool.append(_valid_phone(rng, country.code))
            phone = pool[-1]
        else:
            phone = pool[rng.randrange(len(pool))]
        yield _lead(rng, i, country, phone, now)


def _lead(
    rng: random.Random, i: int, country: _Country, phone: str, now: datetime
) -> dict[str, Any]:
    first, last = rng.choice(country.first_names), rng.choice(country.last_names)
    stem, (kind, industry) = rng.choice(_COMPANY_STEMS), rng.choice(_COMPANY_KINDS)
    company = f"{stem} {kind} {country.legal_form}"
    title, seniority = rng.choice(_TITLES)
    employees = int(min(20000, max(2, rng.lognormvariate(4.0, 1.6))))
    source = rng.choice(_SOURCES)
    free_mail = rng.random() < 0.18
    domain = country.free_mail if free_mail else f"{_ascii_local(stem + kind)}.example"
    email = f"{_ascii_local(first)}.{_ascii_local(last)}{i}@{domain}"
    engagement = rng.random() ** 2  # most leads are quiet, a few are very active
    created = now - timedelta(days=rng.uniform(1, 180))
    last_active = now - timedelta(days=rng.uniform(0, 60) * (1.2 - engagement))
    quality = (
        0.6 * seniority
        + 0.35 * math.log10(employees)
        + 2.2 * engagement
        + _SOURCE_LIFT.get(source, 0.0)
        - (0.8 if free_mail else 0.0)
        + rng.gauss(0, 0.7)
    )
    status, lost_reason = _status(rng, quality)
    owner = rng.choice(REPS) if rng.random() < 0.5 else None
    lead: dict[str, Any] = {
        "external_id": f"SMP-{i + 1:06d}",
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "phone_digits": _searchable_digits(phone, country.code),
        "company": company,
        "job_title": title,
        "industry": industry,
        "website": None if free_mail else f"https://www.{domain}",
        "country": country.code,
        "city": rng.choice(country.cities),
        "employees": float(employees),
        "annual_revenue": float(round(employees * rng.uniform(60_000, 250_000), -3)),
        "source": source,
        "page_views": float(int(engagement * 60)),
        "email_opens": float(int(engagement * 18 + rng.random() * 2)),
        "email_clicks": float(int(engagement * 6)),
        "form_submissions": float(int(engagement * 3.4)),
        "last_activity_at": last_active,
        "status": status,
        "lost_reason": lost_reason,
        "owner": owner,
        "do_not_call": rng.random() < 0.02,
        "do_not_email": rng.random() < 0.04,
        "created_at": created,
        "updated_at": created,
        "custom": {},
        "last_contacted_at": None,
        "next_follow_up_at": None,
        "attempts": 0,
    }
    calls = _calls(rng, status, created, now)
    if calls:
        if status in ("contacted", "qualified", "nurture") and rng.random() < 0.35:
            follow_up = _working_hours(rng, now + timedelta(days=rng.uniform(-2, 3)))
            lead["next_follow_up_at"] = follow_up
            # The callback was promised on the latest call, a few days before it is due.
            latest = max(calls, key=lambda call: call["at"])
            latest["outcome"] = "connected"
            promised = _working_hours(rng, follow_up - timedelta(days=rng.uniform(2, 6)))
            latest["at"] = min(promised, _yesterday_evening(now))
        lead["last_contacted_at"] = max(c["at"] for c in calls)
        lead["attempts"] = len(calls)
    opens = [
        {"kind": "email_open", "at": now - timedelta(days=rng.uniform(0, 45))}
        for _ in range(min(int(lead["email_opens"]), 4))
    ]
    forms = [
        {"kind": "form_submission", "at": now - timedelta(days=rng.uniform(0, 60))}
        for _ in range(int(lead["form_submissions"]))
    ]
    lead["_activities"] = calls + opens + forms
    return lead


def _working_hours(rng: random.Random, moment: datetime) -> datetime:
    """The same local day (or the Monday after a weekend) at a quarter hour from 9:00 to 17:00.

    Local to the user's computer, as the queue shows it; returned in UTC, as LeadDesk stores.
    """
    local = moment.astimezone()
    day = local + timedelta(days=7 - local.weekday() if local.weekday() >= 5 else 0)
    working = day.replace(
        hour=rng.randint(9, 16), minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0
    )
    return working.astimezone(UTC)


def _yesterday_evening(now: datetime) -> datetime:
    """The latest a sample call may be: before the user's today, so today's count starts at 0."""
    midnight = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(hours=6)).astimezone(UTC)


def _searchable_digits(phone: str, region: str) -> str:
    """Digits as the importer stores them, so a search finds the number in either form."""
    result = normalize_phone(phone, region)
    return result.digits if result else phone.lstrip("+")


def _status(rng: random.Random, quality: float) -> tuple[str, str | None]:
    """A third of leads have a history; their outcome follows their quality."""
    if rng.random() < 0.68:
        return rng.choice(("new", "new", "new", "contacted", "nurture")), None
    if rng.random() < 1 / (1 + math.exp(-(quality - 2.6) * 1.4)):
        return rng.choice(("won", "won", "qualified")), None
    reason = rng.choice(("No budget", "Chose a competitor", "Bad timing", "No response"))
    return rng.choice(("lost", "lost", "disqualified")), reason


def _calls(
    rng: random.Random, status: str, created: datetime, now: datetime
) -> list[dict[str, Any]]:
    if status == "new":
        return []
    count = rng.randint(1, 4)
    span = max(1.0, (now - created).total_seconds() / 86400 - 1)
    return [
        {
            "kind": "call",
            "outcome": rng.choice(_CALL_OUTCOMES),
            "at": min(
                _working_hours(rng, now - timedelta(days=rng.uniform(1, span))),
                _yesterday_evening(now),
            ),
            "rep": rng.choice(REPS),
        }
        for _ in range(count)
    ]


def load_sample(db: Database, n: int = 500, seed: int = 7, now: datetime | None = None) -> Job[int]:
    """Add ``n`` sample leads with their activities, scored, in one transaction."""
    from leaddesk.core.scoring.sql import rescore_with_active_steps

    total = n
    yield Progress(0, total, "Creating sample leads…")
    with db.write() as conn:
        done, chunk = 0, []
        ids: list[int] = []
        for lead in generate_leads(n, seed, now):
            chunk.append(lead)
            if len(chunk) == 2000:
                ids += _insert(conn, chunk)
                done += len(chunk)
                chunk = []
                yield Progress(done, total, "Creating sample leads…")
        ids += _insert(conn, chunk)
        yield Progress(total, total, "Scoring sample leads…")
        yield from rescore_with_active_steps(conn, lead_ids=ids, now=now)
    return len(ids)


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    activities = [row.pop("_activities") for row in rows]
    result = conn.execute(leads.insert().returning(leads.c.id, sort_by_parameter_order=True), rows)
    ids = [r.id for r in result]
    activity_rows = [
        {"lead_id": lead_id, "outcome": None, "rep": None, **activity}
        for lead_id, lead_activities in zip(ids, activities, strict=True)
        for activity in lead_activities
    ]
    if activity_rows:
        conn.execute(Activity.__table__.insert(), activity_rows)  # type: ignore[attr-defined]
    return ids
