"""Small phrases that reasons, explanations and summaries share, so they read the same."""


def days_ago(days: int) -> str:
    """``0`` -> "today", ``1`` -> "yesterday", ``9`` -> "9 days ago"."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"
