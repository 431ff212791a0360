"""The score badge never reads a score that would put the lead in a higher tier."""

from __future__ import annotations

from leaddesk.ui.widgets.badges import badge_text


def test_badge_rounds_down_so_it_agrees_with_the_tier() -> None:
    assert badge_text(39.5, "Cold") == "39 · Cold"
    assert badge_text(86.0, "Hot", "A") == "86 · Hot · A"
    assert badge_text(None, None) == "Not scored"
