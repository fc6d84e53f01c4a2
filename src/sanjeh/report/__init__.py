"""Report: turn KPI results into text people read — tables, JSON, CSV, Excel, HTML —
and run reports on a timetable (``[[schedules]]``, ``_schedule.py``).

Shared by the CLI and the web app, so a number looks the same everywhere.
"""

from .._http import DeliveryError
from ._delivery import CONTENT_TYPES
from ._format import format_duration, format_value
from ._render import spreadsheet_text, to_csv, to_html, to_json_records, to_xlsx
from ._runs import Period, ScheduledRun
from ._schedule import (
    Schedule,
    closed_period,
    due,
    last_attempt,
    last_success,
    latest_slot,
    load_schedules,
    next_run,
    next_slot,
    report_frame,
    run_schedule,
)

__all__ = [
    "CONTENT_TYPES",
    "DeliveryError",
    "Period",
    "Schedule",
    "ScheduledRun",
    "closed_period",
    "due",
    "format_duration",
    "format_value",
    "last_attempt",
    "last_success",
    "latest_slot",
    "load_schedules",
    "next_run",
    "next_slot",
    "report_frame",
    "run_schedule",
    "spreadsheet_text",
    "to_csv",
    "to_html",
    "to_json_records",
    "to_xlsx",
]
