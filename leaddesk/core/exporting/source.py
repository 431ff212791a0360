"""Which leads an export holds, in which order: all, a view or a selection, or today's queue.

Leads are read in pages of one streamed query (OFFSET pages would rescan what came before),
in the order the Leads page shows them; the queue is the one the Queue page builds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.exporting.columns import QUEUE_HEADERS
from leaddesk.core.exporting.describe import describe_filter, describe_sort
from leaddesk.core.fields import FieldRegistry
from leaddesk.core.leads import LeadFilter, count_leads, lead_query
from leaddesk.core.queue_settings import QueueSettings, load_queue_settings

What = Literal["leads", "queue"]
Record = tuple[Sequence[Any], Mapping[Any, Any]]  # (the queue's rank and reason, the lead)
_PAGE = 2_000
QUEUE_LIMIT = 200  # as many as the Queue page lists


@dataclass
class Source:
    """The rows to export, page by page, and how to describe them."""

    title: str  # of the data sheet
    total: int
    pages: Iterator[list[Record]]
    extra_headers: tuple[str, ...]
    leads_in_words: str
    order_in_words: str


def open_source(
    conn: Connection,
    registry: FieldRegistry,
    what: What,
    lead_filter: LeadFilter,
    order_by: Sequence[str],
    descending: bool,
    owner: str | None,
    queue_settings: QueueSettings | None,
    columns: Sequence[sa.ColumnElement[Any]],
    now: datetime | None,
) -> Source:
    """The rows to export; leads read only ``columns``, queue entries come whole."""
    if what == "queue":
        from leaddesk.core.queue import build_queue  # the queue reads leads and scores

        settings = queue_settings or load_queue_settings(conn)
        entries = build_queue(conn, now=now, owner=owner, settings=settings, limit=QUEUE_LIMIT)
        page: list[Record] = [((e.rank, e.reason), e.lead) for e in entries]
        whose = f" of {owner}" if owner else ""
        return Source(
            "Queue",
            len(entries),
            iter([page]),
            QUEUE_HEADERS,
            f"Today's call queue{whose}",
            "Call order",
        )
    words = describe_filter(lead_filter, registry)
    if lead_filter.ids:
        leads_in_words = words[:1].upper() + words[1:]
    elif lead_filter.is_empty():
        leads_in_words = "All leads"
    else:
        leads_in_words = f"The leads shown: {words}"
    return Source(
        "Leads",
        count_leads(conn, lead_filter),
        _lead_pages(conn, lead_filter, order_by, descending, columns),
        (),
        leads_in_words,
        describe_sort(order_by, descending, registry),
    )


def _lead_pages(
    conn: Connection,
    lead_filter: LeadFilter,
    order_by: Sequence[str],
    descending: bool,
    columns: Sequence[sa.ColumnElement[Any]],
) -> Iterator[list[Record]]:
    query = lead_query(lead_filter, order_by=order_by, descending=descending)
    query = query.with_only_columns(*columns)
    # Closed however the export ends: a stopped export must not leave PostgreSQL's
    # server-side cursor open.
    with conn.execute(query.execution_options(stream_results=True)) as result:
        for page in result.mappings().partitions(_PAGE):
            records: list[Record] = [((), lead) for lead in page]
            yield records
