"""Starting models for the seed industries, offered when a team creates a new draft.

Each is an ordinary ``ScoringModel`` on built-in fields only, so it validates in any database;
teams then adjust rules to their own data.
"""

from __future__ import annotations

from collections.abc import Callable

from leaddesk.core.scoring.model import (
    FREE_EMAIL_DOMAINS,
    ActivityRule,
    Rule,
    ScoringModel,
    default_model,
)


def _calls(connected: float, meeting: float) -> list[ActivityRule]:
    return [
        ActivityRule("call", "connected", connected, half_life_days=30, cap=2 * connected,
                     label="Connected call"),
        ActivityRule("call", "meeting", meeting, half_life_days=60, cap=meeting,
                     label="Meeting booked"),
        ActivityRule("email_open", None, 2, half_life_days=14, cap=10, label="Opened email"),
    ]  # fmt: skip


def b2b_saas() -> ScoringModel:
    """The default model: decision makers at companies of 50 to 999 people."""
    model = default_model()
    model.name = "B2B SaaS"
    return model


def ecommerce() -> ScoringModel:
    """Online shops: revenue, traffic and form intent count more than titles."""
    return ScoringModel(
        "E-commerce",
        fit_rules=[
            Rule("annual_revenue", "between", [1_000_000, 50_000_000], 20, "Revenue 1M to 50M"),
            Rule("industry", "contains", ["retail", "commerce", "fashion", "shop"], 15,
                 "Retail or e-commerce"),
            Rule("job_title", "contains", ["founder", "owner", "ecommerce", "e-commerce"], 15,
                 "Owner or e-commerce lead"),
            Rule("email", "ends_with", FREE_EMAIL_DOMAINS, -5, "Free email domain"),
        ],
        engagement_rules=[
            Rule("page_views", "at_least", 5, 10, "Viewed 5+ pages"),
            Rule("form_submissions", "at_least", 1, 20, "Submitted a form"),
            Rule("last_activity_at", "within_last_days", 14, 10, "Active in the last 14 days"),
        ],
        activity_rules=_calls(8, 20),
        fit_cap=50,
        engagement_cap=50,
    )  # fmt: skip


def real_estate() -> ScoringModel:
    """Property: recent, repeated interest matters most; fit is mostly location."""
    return ScoringModel(
        "Real estate",
        fit_rules=[
            Rule("source", "one_of", ["referral", "open house", "website"], 15,
                 "Referral, open house or website"),
            Rule("city", "is_not_empty", None, 5, "City known"),
            Rule("state", "is_not_empty", None, 5, "Region known"),
        ],
        engagement_rules=[
            Rule("page_views", "at_least", 8, 15, "Viewed 8+ listings"),
            Rule("form_submissions", "at_least", 1, 20, "Asked for a viewing"),
            Rule("last_activity_at", "within_last_days", 7, 15, "Active this week"),
            Rule("last_activity_at", "more_than_days_ago", 60, -15, "Quiet for 60+ days"),
        ],
        activity_rules=_calls(10, 30),
        fit_cap=30,
        engagement_cap=70,
        grade_bands={"A": 25, "B": 15, "C": 5},
    )  # fmt: skip


def financial_services() -> ScoringModel:
    """Advisers and banks: company size, seniority and a business email."""
    return ScoringModel(
        "Financial services",
        fit_rules=[
            Rule("job_title", "contains", ["cfo", "finance", "treasur", "controller"], 20,
                 "Finance role"),
            Rule("job_title", "contains", ["chief", "director", "head of", "partner"], 10,
                 "Senior title"),
            Rule("annual_revenue", "at_least", 10_000_000, 15, "Revenue 10M+"),
            Rule("employees", "at_least", 100, 5, "100+ employees"),
            Rule("email", "ends_with", FREE_EMAIL_DOMAINS, -15, "Free email domain"),
        ],
        engagement_rules=[
            Rule("email_clicks", "at_least", 1, 10, "Clicked an email"),
            Rule("form_submissions", "at_least", 1, 15, "Submitted a form"),
            Rule("last_activity_at", "within_last_days", 30, 10, "Active this month"),
        ],
        activity_rules=_calls(10, 25),
        fit_cap=50,
        engagement_cap=50,
    )  # fmt: skip


def support_tickets() -> ScoringModel:
    """Technical support: which customers to call back first (size and recent activity)."""
    return ScoringModel(
        "Technical support tickets",
        fit_rules=[
            Rule("employees", "at_least", 500, 20, "Large customer"),
            Rule("annual_revenue", "at_least", 50_000_000, 10, "High revenue"),
            Rule("status", "one_of", ["won"], 20, "Paying customer"),
        ],
        engagement_rules=[
            Rule("form_submissions", "at_least", 2, 20, "Several tickets"),
            Rule("last_activity_at", "within_last_days", 2, 20, "Ticket in the last 2 days"),
        ],
        activity_rules=[
            ActivityRule("call", "connected", -5, half_life_days=3, cap=15,
                         label="Already spoken to"),
        ],
        fit_cap=50,
        engagement_cap=50,
    )  # fmt: skip


TEMPLATES: dict[str, Callable[[], ScoringModel]] = {
    "b2b-saas": b2b_saas,
    "ecommerce": ecommerce,
    "real-estate": real_estate,
    "financial-services": financial_services,
    "support-tickets": support_tickets,
}
