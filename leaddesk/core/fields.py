"""The field registry: every lead field is declared here, once.

Import mapping (synonyms), the leads table (columns and labels), the scoring rule editor
(operators by type), the export (order), and the predictive model (features) all read this
module. Custom columns found in imports become ``Field`` objects at run time (``custom=True``)
stored in the lead's ``custom`` JSON, so they can be scored, shown and exported the same way.
Adding a built-in field is one line in ``BUILTIN_FIELDS`` plus an Alembic migration.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    COUNTRY = "country"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    BOOL = "bool"

    @property
    def is_numeric(self) -> bool:
        return self in (FieldType.NUMBER, FieldType.MONEY)

    @property
    def is_temporal(self) -> bool:
        return self in (FieldType.DATE, FieldType.DATETIME)

    @property
    def is_textual(self) -> bool:
        return self in (
            FieldType.TEXT,
            FieldType.EMAIL,
            FieldType.PHONE,
            FieldType.COUNTRY,
            FieldType.CHOICE,
        )


class Group(StrEnum):
    """What a field describes; scoring and the predictive model read it."""

    CONTACT = "contact"  # how to reach the person: identifiers, never model features
    FIT = "fit"  # who the lead is
    ENGAGEMENT = "engagement"  # what the lead did
    PIPELINE = "pipeline"  # where LeadDesk's own work with the lead stands
    SCORE = "score"  # computed by LeadDesk, never imported


LEAD_STATUSES = ("new", "contacted", "qualified", "nurture", "won", "lost", "disqualified")
CLOSED_STATUSES = ("won", "lost", "disqualified")
REASON_STATUSES = ("lost", "disqualified")  # the statuses that keep a lost reason
GRADES = ("A", "B", "C", "D")
TIERS = ("Hot", "Warm", "Cold")


@dataclass(frozen=True, slots=True)
class Field:
    """One lead field.

    Attributes:
        name: column name (built-in) or key in the lead's ``custom`` JSON (custom field).
        synonyms: headers as CRM exports and people write them, in several languages;
            compared after ``header_key`` folding, so case, accents and punctuation do not count.
        importable: a spreadsheet column may be mapped onto it.
        stored: False for import-only targets (a full name is split into first and last).
        identifier: identifies a person; never a predictive feature.
    """

    name: str
    type: FieldType
    label: str
    group: Group
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    importable: bool = True
    stored: bool = True
    identifier: bool = False
    custom: bool = False
    header_keys: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys = {header_key(text) for text in (self.name, self.label, *self.synonyms)}
        object.__setattr__(self, "header_keys", frozenset(keys - {""}))


def strip_accents(text: str) -> str:
    """Case-folded text without accents ("Müller" -> "muller"), for comparing what people type."""
    folded = str(text).casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def header_key(text: str) -> str:
    """Fold a header for matching: case, accents, spaces and punctuation are ignored."""
    return re.sub(r"[^0-9a-z]+", "", strip_accents(text))


def slug(text: str) -> str:
    """A safe identifier for a custom field made from its header."""
    return re.sub(r"[^0-9a-z]+", "_", strip_accents(text)).strip("_") or "column"


_T = FieldType
_G = Group

BUILTIN_FIELDS: tuple[Field, ...] = (
    Field("external_id", _T.TEXT, "External ID", _G.CONTACT, identifier=True, synonyms=(
        "id", "record id", "contact id", "lead id", "prospect id", "crm id", "customer id",
        "person id", "kontakt id", "identifiant", "external id", "import id")),
    Field("full_name", _T.TEXT, "Full name", _G.CONTACT, stored=False, identifier=True, synonyms=(
        "name", "contact name", "lead name", "person name", "person - name", "contact",
        "full name", "fullname", "nom complet", "nombre completo", "vollständiger name")),
    Field("first_name", _T.TEXT, "First name", _G.CONTACT, identifier=True, synonyms=(
        "first", "firstname", "given name", "forename", "vorname", "prénom", "prenom", "nombre",
        "person - first name", "contact first name")),
    Field("last_name", _T.TEXT, "Last name", _G.CONTACT, identifier=True, synonyms=(
        "last", "lastname", "surname", "family name", "nachname", "familienname", "nom",
        "nom de famille", "apellido", "apellidos", "person - last name", "contact last name")),
    Field("email", _T.EMAIL, "Email", _G.CONTACT, identifier=True, synonyms=(
        "e-mail", "email address", "e-mail address", "mail", "work email", "business email",
        "primary email", "email 1", "person - email", "courriel", "adresse e-mail",
        "e-mail-adresse", "correo", "correo electrónico", "email id")),
    Field("phone", _T.PHONE, "Phone", _G.CONTACT, identifier=True, synonyms=(
        "phone number", "telephone", "telephone number", "tel", "tel.", "mobile", "mobile phone",
        "mobile number", "cell", "cell phone", "work phone", "direct dial", "phone 1",
        "person - phone", "telefon", "telefonnummer", "handy", "téléphone", "portable",
        "teléfono", "telefono", "móvil", "celular", "mobile phone number")),
    Field("company", _T.TEXT, "Company", _G.FIT, synonyms=(
        "company name", "organization", "organisation", "organization - name", "organization name",
        "account", "account name", "company / account", "employer", "firma", "unternehmen",
        "firmenname", "société", "entreprise", "empresa", "compañía")),
    Field("job_title", _T.TEXT, "Job title", _G.FIT, synonyms=(
        "title", "jobtitle", "position", "role", "designation", "job role", "job function",
        "person - job title", "funktion", "berufsbezeichnung", "titre", "poste", "fonction",
        "cargo", "puesto")),
    Field("industry", _T.TEXT, "Industry", _G.FIT, synonyms=(
        "sector", "vertical", "organization - industry", "branche", "secteur", "industria",
        "sector industrial")),
    Field("website", _T.TEXT, "Website", _G.FIT, identifier=True, synonyms=(
        "web site", "url", "domain", "company website", "company domain", "homepage",
        "site web", "sitio web", "webseite", "website url")),
    Field("country", _T.COUNTRY, "Country", _G.FIT, synonyms=(
        "country/region", "country region", "country name", "country code", "nation",
        "mailing country", "billing country", "land", "pays", "país")),
    Field("state", _T.TEXT, "State / region", _G.FIT, synonyms=(
        "state", "region", "province", "state/province", "county", "bundesland", "région",
        "provincia", "mailing state/province", "state/region")),
    Field("city", _T.TEXT, "City", _G.FIT, synonyms=(
        "town", "locality", "mailing city", "billing city", "stadt", "ort", "ville", "ciudad")),
    Field("timezone", _T.TEXT, "Time zone", _G.FIT, synonyms=("time zone", "tz", "zeitzone")),
    Field("employees", _T.NUMBER, "Employees", _G.FIT, synonyms=(
        "no. of employees", "number of employees", "employee count", "company size",
        "headcount", "staff", "size", "organization - employees", "mitarbeiter",
        "anzahl mitarbeiter", "effectif", "nombre d'employés", "empleados")),
    Field("annual_revenue", _T.MONEY, "Annual revenue", _G.FIT, synonyms=(
        "annual revenue", "revenue", "annualrevenue", "turnover", "umsatz", "jahresumsatz",
        "chiffre d'affaires", "ingresos", "facturación")),
    Field("source", _T.TEXT, "Source", _G.FIT, synonyms=(
        "lead source", "original source", "source of lead", "channel", "campaign source",
        "quelle", "lead-quelle", "origine", "fuente", "origen")),
    Field("notes", _T.TEXT, "Notes", _G.CONTACT, synonyms=(
        "note", "comments", "comment", "description", "remarks", "bemerkung", "notizen",
        "remarques", "commentaires", "notas", "comentarios")),
    Field("tags", _T.TEXT, "Tags", _G.PIPELINE, synonyms=(
        "tag", "labels", "label", "keywords", "schlagwörter", "étiquettes", "etiquetas")),
    Field("page_views", _T.NUMBER, "Page views", _G.ENGAGEMENT, synonyms=(
        "pageviews", "number of pageviews", "website visits", "web visits", "visits",
        "total visits", "totalvisits", "seitenaufrufe")),
    Field("email_opens", _T.NUMBER, "Email opens", _G.ENGAGEMENT, synonyms=(
        "opens", "emails opened", "number of email opens", "marketing emails opened")),
    Field("email_clicks", _T.NUMBER, "Email clicks", _G.ENGAGEMENT, synonyms=(
        "clicks", "emails clicked", "number of email clicks", "marketing emails clicked")),
    Field("form_submissions", _T.NUMBER, "Form submissions", _G.ENGAGEMENT, synonyms=(
        "forms submitted", "number of form submissions", "form fills")),
    Field("last_activity_at", _T.DATETIME, "Last activity", _G.ENGAGEMENT, synonyms=(
        "last activity date", "last engagement date", "last engaged", "last activity on",
        "recent conversion date", "letzte aktivität")),
    Field("status", _T.CHOICE, "Status", _G.PIPELINE, choices=LEAD_STATUSES, synonyms=(
        "lead status", "stage", "lifecycle stage", "lead stage", "statut", "estado")),
    Field("owner", _T.TEXT, "Owner", _G.PIPELINE, synonyms=(
        "lead owner", "contact owner", "assigned to", "sales rep", "rep", "owner name",
        "besitzer", "zuständig", "propriétaire", "responsable")),
    Field("do_not_call", _T.BOOL, "Do not call", _G.PIPELINE, synonyms=(
        "dnc", "donotcall", "do not phone", "no calls", "nicht anrufen")),
    Field("do_not_email", _T.BOOL, "Do not email", _G.PIPELINE, synonyms=(
        "email opt out", "emailoptout", "unsubscribed", "opted out", "hasoptedoutofemail")),
    Field("last_contacted_at", _T.DATETIME, "Last contacted", _G.PIPELINE, synonyms=(
        "last contacted", "last contact date", "last called", "date of last contact")),
    Field("next_follow_up_at", _T.DATETIME, "Follow-up", _G.PIPELINE, synonyms=(
        "next follow up", "next follow-up", "follow up date", "follow-up date", "callback",
        "next activity date", "wiedervorlage")),
    Field("lost_reason", _T.TEXT, "Lost reason", _G.PIPELINE, synonyms=(
        "reason lost", "lost reason", "closed lost reason")),
    Field("attempts", _T.NUMBER, "Call attempts", _G.PIPELINE, importable=False),
    Field("score", _T.NUMBER, "Score", _G.SCORE, importable=False),
    Field("fit_score", _T.NUMBER, "Fit score", _G.SCORE, importable=False),
    Field("engagement_score", _T.NUMBER, "Engagement score", _G.SCORE, importable=False),
    Field("grade", _T.CHOICE, "Grade", _G.SCORE, choices=GRADES, importable=False),
    Field("tier", _T.CHOICE, "Tier", _G.SCORE, choices=TIERS, importable=False),
    # The predictive model's chance (0-100 %) that the lead reaches the team's outcome.
    Field("probability", _T.NUMBER, "Probability", _G.SCORE, importable=False),
    Field("scored_at", _T.DATETIME, "Scored", _G.SCORE, importable=False),
    Field("created_at", _T.DATETIME, "Added", _G.PIPELINE, importable=False),
    Field("updated_at", _T.DATETIME, "Updated", _G.PIPELINE, importable=False),
)  # fmt: skip

_BY_NAME = {f.name: f for f in BUILTIN_FIELDS}
STORED_FIELDS: tuple[Field, ...] = tuple(f for f in BUILTIN_FIELDS if f.stored)


def builtin(name: str) -> Field:
    """The built-in field called ``name`` (KeyError for an unknown name)."""
    return _BY_NAME[name]


def custom_field(key: str, label: str, type_: FieldType = FieldType.TEXT) -> Field:
    """A custom field found in an import; its value lives in ``leads.custom[key]``."""
    return Field(key, type_, label, Group.FIT, custom=True)


class FieldRegistry:
    """Built-in fields plus this database's custom fields, in export order."""

    def __init__(self, custom: Iterable[Field] = ()) -> None:
        self._fields: dict[str, Field] = dict(_BY_NAME)
        for f in custom:
            self._fields.setdefault(f.name, f)

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __len__(self) -> int:
        return len(self._fields)

    def get(self, name: str) -> Field:
        """The field called ``name``; KeyError if there is none."""
        return self._fields[name]

    @property
    def custom(self) -> list[Field]:
        return [f for f in self._fields.values() if f.custom]

    def stored(self) -> list[Field]:
        """Fields with a value per lead (built-in columns and custom keys)."""
        return [f for f in self._fields.values() if f.stored]

    def importable(self) -> list[Field]:
        return [f for f in self._fields.values() if f.importable]

    def scorable(self) -> list[Field]:
        """Fields a scoring rule may test: who the lead is and what it did.

        Email is the one contact field in the list: its domain says free mail or company.
        """
        return [
            f
            for f in self._fields.values()
            if f.stored
            and (
                f.group in (Group.FIT, Group.ENGAGEMENT, Group.PIPELINE)
                or f.type is FieldType.EMAIL
            )
            and f.name not in ("attempts", "created_at", "updated_at")
        ]

    def unused_custom_key(self, header: str) -> str:
        """A custom-field key for ``header`` that no field uses yet."""
        base = slug(header)
        key, n = base, 1
        while key in self._fields:
            n += 1
            key = f"{base}_{n}"
        return key
