"""The lead's timeline, newest first: what happened, when (in the user's time), who did it.

Rendered as rich text in a read-only browser, so a long history scrolls and can be selected
and copied; colours come from the palette and are applied again when it changes (dark mode).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from leaddesk.core.lead_record import TimelineEntry
from leaddesk.ui.formatting import relative_time
from leaddesk.ui.lead_detail.parts import local_text, soft_color

REP_KINDS = ("call", "note", "edit")  # the team's own doing, marked in the highlight colour
RECENT = timedelta(days=30)  # within this, "3 days ago" is said too


class TimelineView(QTextBrowser):
    """Shows a list of ``TimelineEntry``."""

    def __init__(self, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._entries: list[TimelineEntry] = []
        self.setOpenLinks(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)

    def show_entries(self, entries: Sequence[TimelineEntry]) -> None:
        self._entries = list(entries)
        self._render()

    def entries(self) -> list[TimelineEntry]:
        return list(self._entries)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render()

    def _render(self) -> None:
        soft = soft_color(self)
        mark = self.palette().color(QPalette.ColorRole.Highlight).name()
        if not self._entries:
            self.setHtml(f"<p style='color:{soft}'>Nothing has happened with this lead yet.</p>")
            return
        now = datetime.now(UTC)
        rows = [self._row(entry, now, soft, mark) for entry in self._entries]
        self.setHtml("<table width='100%' cellspacing='0'>" + "".join(rows) + "</table>")

    def _row(self, entry: TimelineEntry, now: datetime, soft: str, mark: str) -> str:
        when = local_text(entry.at, self._zone)
        if abs(now - entry.at) < RECENT:
            when = f"{relative_time(entry.at, now)} · {when}"
        if entry.rep:
            when += f" · {entry.rep}"
        detail = html.escape(entry.detail).replace("\n", "<br>")
        color = mark if entry.kind in REP_KINDS else soft
        return (
            f"<tr><td valign='top' style='padding:7px 8px 7px 2px; color:{color}'>●</td>"
            f"<td style='padding:6px 4px 6px 0'><b>{html.escape(entry.title)}</b><br>"
            f"<span style='color:{soft}'>{html.escape(when)}</span>"
            + (f"<br>{detail}" if detail else "")
            + "</td></tr>"
        )
