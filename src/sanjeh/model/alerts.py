"""Tables of the alerts Sanjeh evaluates itself (docs/insights.md, "Alerts").

Written by ``sanjeh.insights`` (alerts), never imported from files. The table has no
``belongs_to``: writing it never marks ticket facts stale.
"""

from __future__ import annotations

from ._spec import Column, TableSpec

ALERT_CONDITIONS = ("threshold", "change", "anomaly")
ALERT_DELIVERIES = ("none", "pending", "delivered", "failed")

ALERT_EVENTS = TableSpec(
    name="alert_events",
    description=(
        "Alerts that fired (`[[alerts]]` in sanjeh.toml, docs/insights.md): one row per "
        "rule, closed period and group, written once when the rule first fires for it and "
        "updated only by its webhook deliveries, so an alert fires once across refreshes "
        "and restarts and a failed delivery is retried at the next evaluation."
    ),
    key="alert_id",
    columns=(
        Column("alert_id", "string", "`<rule>/<period kind>:<period start>/<group_key>`.", True),
        Column("rule", "string", "The rule's name.", True),
        Column("kpi", "string", "The KPI the rule watches.", True),
        Column("condition", "string", "What fired.", required=True, choices=ALERT_CONDITIONS),
        Column("period_kind", "string", "Length of the period.", True, choices=("day", "week")),
        Column("period_start", "string", "First local day of the period (YYYY-MM-DD).", True),
        Column("period_end", "string", "The local day after its last (YYYY-MM-DD).", True),
        Column(
            "group_key", "string", "The breakdown's group (`team=…,channel=…`), or `all`.", True
        ),
        Column("value", "float", "The KPI's value in the period.", True),
        Column("bound", "float", "The bound it crossed (threshold, interval edge).", True),
        Column("direction", "string", "Which side it crossed.", True, choices=("above", "below")),
        Column("n", "int", "Rows the value rests on."),
        Column("message", "string", "The alert in the rule's language.", True),
        Column("lang", "string", "The message's language.", True, choices=("fa", "ar", "en")),
        Column("fired_at", "timestamp", "When the rule fired (UTC).", True),
        Column(
            "delivery",
            "string",
            "none: the rule has no webhook; pending, delivered or failed.",
            True,
            choices=ALERT_DELIVERIES,
        ),
        Column("attempts", "int", "Webhook deliveries tried so far.", True, minimum=0),
        Column("webhook_status", "int", "HTTP status the webhook answered, if it answered."),
        Column("error", "string", "Why the last delivery failed."),
        Column("delivered_at", "timestamp", "When the webhook took it (UTC)."),
        Column("attempted_at", "timestamp", "When delivery was last tried (UTC)."),
    ),
)

ALERT_TABLES: dict[str, TableSpec] = {t.name: t for t in (ALERT_EVENTS,)}
