"""Export: leads and today's queue as styled, safe, re-importable workbooks or CSV files.

``job`` runs an export; ``xlsx``/``sheetxml`` write workbooks, ``csv_file`` CSV files;
``cells`` keeps every value storable and every text a text; ``lead_refs`` gives the lead
ids a re-import can trust; ``files`` replaces the target only once the new file is complete;
``tables`` writes a few small sheets for a person to read (everything about one lead).
"""

from leaddesk.core.exporting.cells import SafeCellWriter, header_cells
from leaddesk.core.exporting.columns import ID_HEADER, export_columns
from leaddesk.core.exporting.describe import describe_filter, describe_sort
from leaddesk.core.exporting.files import closing_on_failure, replacing
from leaddesk.core.exporting.job import ExportResult, export_xlsx
from leaddesk.core.exporting.tables import Table, write_tables

__all__ = [
    "ID_HEADER",
    "ExportResult",
    "SafeCellWriter",
    "Table",
    "closing_on_failure",
    "describe_filter",
    "describe_sort",
    "export_columns",
    "export_xlsx",
    "header_cells",
    "replacing",
    "write_tables",
]
