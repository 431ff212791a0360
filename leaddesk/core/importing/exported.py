"""Files LeadDesk exported: the lead each row came from, and the columns to leave out.

An export carries a "LeadDesk ID" column (``LD-<database tag>-<lead id>``). Imported into the
database it came from, each row updates the lead it was exported from, whatever was edited
in the file; into any other database the ids mean nothing and are ignored, so the rows are
matched by external id, email, phone and name as always. The columns LeadDesk computes
(scores, grade, tier, attempts, dates it keeps) are left out: it computes them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from leaddesk.core.exporting.columns import ID_HEADER, derived_header_keys
from leaddesk.core.exporting.lead_refs import database_tag, parse_lead_ref
from leaddesk.core.fields import header_key
from leaddesk.core.importing.readers import SheetData


@dataclass(slots=True)
class ExportedRows:
    """What the LeadDesk ID column of a file says about its rows."""

    lead_ids: dict[int, int] = field(default_factory=dict)
    """Spreadsheet row -> id of the lead of this database it was exported from."""
    foreign: int = 0
    """Rows whose LeadDesk ID belongs to another database (or to no database)."""

    def warnings(self) -> list[str]:
        if not self.foreign:
            return []
        return [
            f"{self.foreign:,} row(s) carry LeadDesk IDs of another database (or of an export "
            "made before IDs named their database), so those IDs were not used: the rows "
            "were matched to leads by external ID, email, phone and name instead."
        ]


def take_exported_columns(conn: Connection, table: SheetData) -> ExportedRows | None:
    """Remove a LeadDesk export's own columns from ``table`` (its ID column and the
    columns LeadDesk computes) and read its IDs; None, changing nothing, for other files."""
    keys = [header_key(header) for header in table.headers]
    id_key = header_key(ID_HEADER)
    if id_key not in keys:
        return None
    id_index = keys.index(id_key)
    derived = derived_header_keys()
    keep = [i for i, key in enumerate(keys) if key != id_key and key not in derived]
    tag = database_tag(conn)
    exported = ExportedRows()
    for row, cells in table.rows:
        cell = cells[id_index]
        parsed = parse_lead_ref(cell)
        if parsed is not None and parsed[0] == tag:
            exported.lead_ids[row] = parsed[1]
        elif cell is not None:
            exported.foreign += 1
    table.headers = [table.headers[i] for i in keep]
    table.rows = [(row, [cells[i] for i in keep]) for row, cells in table.rows]
    return exported
