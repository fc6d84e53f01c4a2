"""Ingest: read files of any supported format into the canonical model.

    from sanjeh.ingest import import_file
    summary = import_file(store, "tickets.csv")
    checked = validate_records("events", [{"event_id": "e1", ...}], source="api")

Formats live in ``sanjeh.ingest.formats`` (one module each); readers stream in
chunks; every rejected row is quarantined with its row number and reason.
"""

from ._coerce import CoerceOptions, coerce
from ._intake import ValidatedRecords, validate_records
from ._pipeline import ImportSummary, import_file
from ._rows import Chunk, RawRows, Reject
from .formats import Context, Format, all_formats, detect, get_format

__all__ = [
    "Chunk",
    "CoerceOptions",
    "Context",
    "Format",
    "ImportSummary",
    "RawRows",
    "Reject",
    "ValidatedRecords",
    "all_formats",
    "coerce",
    "detect",
    "get_format",
    "import_file",
    "validate_records",
]
