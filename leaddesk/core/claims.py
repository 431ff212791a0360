"""Team mode: a rep takes the next lead of their queue, and nobody else gets it meanwhile.

Taking a lead claims it for ``QueueSettings.claim_minutes``; the claim runs out by itself if
the rep walks away, and a rep holds one claim at a time. On PostgreSQL the candidate row is
locked with ``FOR UPDATE SKIP LOCKED``, so two reps taking leads at the same moment never get
the same one and never wait for each other; SQLite's single writer gives the same guarantee.
Eligibility is checked again inside the claiming transaction: the queue a rep sees may be
seconds old.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.queue import Window, eligible
from leaddesk.core.queue_settings import QueueSettings
from leaddesk.core.schema import leads


def claim_next(
    db: Database,
    candidates: Sequence[int],
    rep: str,
    *,
    settings: QueueSettings = QueueSettings(),
    now: datetime | None = None,
) -> int | None:
    """Claim the first of ``candidates`` (queue order) still free and eligible for ``rep``.

    Returns its id, or None when every candidate has been called, closed or taken meanwhile.
    The rep's other claims are released in the same transaction.
    """
    window = Window.for_day(None, now, settings)
    until = window.now + timedelta(minutes=settings.claim_minutes)
    with db.write() as conn:
        for lead_id in candidates:
            free = (
                sa.select(leads.c.id)
                .where(leads.c.id == lead_id, eligible(window, settings, rep))
                .with_for_update(skip_locked=True)
            )
            if conn.execute(free).first() is None:
                continue
            _release(conn, rep, keep=lead_id)
            conn.execute(
                leads.update()
                .where(leads.c.id == lead_id)
                .values(claimed_by=rep, claimed_until=until)
            )
            return lead_id
    return None


def release_claims(db: Database, rep: str) -> None:
    """Give back whatever ``rep`` has open, for when the rep stops working the queue (the app
    does not call it yet: an unused claim simply runs out)."""
    with db.write() as conn:
        _release(conn, rep)


def _release(conn: Connection, rep: str, keep: int | None = None) -> None:
    query = leads.update().where(leads.c.claimed_by == rep)
    if keep is not None:
        query = query.where(leads.c.id != keep)
    conn.execute(query.values(claimed_by=None, claimed_until=None))
