"""Small phrases that reasons, explanations and summaries share, so they read the same."""


def days_ago(days: int) -> str:
    """``0`` -> "today", ``1`` -> "yesterday", ``9`` -> "9 days ago"."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


# What a lead did, as a rep would say it: "opened an email yesterday".
_DEEDS = {
    "email_open": "opened an email",
    "email_click": "clicked a link in an email",
    "page_view": "visited the website",
    "form_submission": "filled in a form",
    "download": "downloaded a file",
    "webinar": "joined a webinar",
    "meeting": "met with you",
}


def deed(kind: str, note: str | None = None) -> str:
    """An engagement activity in words, with its note when short ("opened an email: Pricing")."""
    text = _DEEDS.get(kind, kind.replace("_", " "))
    if note and len(note) <= 40 and "\n" not in note:
        text += f" ({note})"
    return text
