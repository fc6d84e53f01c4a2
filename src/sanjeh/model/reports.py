"""Tables of the server's own work on reports: scheduled report runs.

Written by ``sanjeh.report`` (``_schedule.py``), never imported from files. The table
has no ``belongs_to``: writing it never marks ticket facts stale.
"""

from __future__ import annotations

from ._spec import Column, TableSpec

REPORT_RUN_STATUSES = ("ok", "failed")

REPORT_RUNS = TableSpec(
    name="report_runs",
    description=(
        "Scheduled reports (`[[schedules]]` in sanjeh.toml, docs/live.md): one row per "
        "schedule and period reported, replaced by a retry or a run by hand. The server "
        "reads it to run each closed period once, across restarts."
    ),
    key="run_id",
    columns=(
        Column("run_id", "string", "`<schedule>/<period kind>/<period label>`.", True),
        Column("schedule", "string", "The schedule's name.", True),
        Column(
            "period_kind", "string", "Length of the period.", True, choices=("day", "week", "month")
        ),
        Column("period", "string", "The period's label, as in a report's `period` column.", True),
        Column("period_start", "string", "First local day of the period (YYYY-MM-DD).", True),
        Column("period_end", "string", "The local day after its last (YYYY-MM-DD).", True),
        Column(
            "slot",
            "timestamp",
            "The scheduled time this run stands for (a run by hand: when it ran).",
            True,
        ),
        Column("manual", "bool", "Run by hand (`sanjeh report --schedule NAME`).", True),
        Column(
            "status", "string", "How the last attempt ended.", True, choices=REPORT_RUN_STATUSES
        ),
        Column("attempts", "int", "Attempts for this period so far.", True, minimum=1),
        Column("rows", "int", "Rows in the report."),
        Column("file", "string", "The file written, when the schedule has a folder."),
        Column("webhook_status", "int", "HTTP status the webhook answered, if it answered."),
        Column("error", "string", "Why the last attempt failed."),
        Column("started_at", "timestamp", "When the last attempt started (UTC).", True),
        Column("finished_at", "timestamp", "When it ended (UTC).", True),
    ),
)

REPORT_TABLES: dict[str, TableSpec] = {t.name: t for t in (REPORT_RUNS,)}
