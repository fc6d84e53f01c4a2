"""Report: turn KPI results into text people read — tables, JSON, CSV, Excel, HTML.

Shared by the CLI and the web app, so a number looks the same everywhere.
"""

from ._format import format_duration, format_value
from ._render import spreadsheet_text, to_csv, to_html, to_json_records, to_xlsx

__all__ = [
    "format_duration",
    "format_value",
    "spreadsheet_text",
    "to_csv",
    "to_html",
    "to_json_records",
    "to_xlsx",
]
