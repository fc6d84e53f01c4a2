"""The shape of a KPI result: its columns, and the breakdowns each fact table carries."""

from __future__ import annotations

#: the columns of a KPI result, in order; the breakdowns come after "unit"
RESULT_COLUMNS = (
    "kpi",
    "title",
    "unit",
    "period",
    "period_start",
    "n",
    "value",
    "mean",
    "median",
    "p90",
    "ci_low",
    "ci_high",
    "previous",
    "change",
    "change_pct",
    "target",
    "status",
    "partial",
    "pending",
    "note",
)
#: the breakdowns every ticket-based fact table carries (its own or its ticket's)
_TICKET_DIMENSIONS = {
    "team": "team_id",
    "agent": "agent_id",
    "channel": "channel",
    "priority": "priority",
    "category": "category",
    "tag": "tags",
    "segment": "segment",
    "plan": "plan",
    "language": "language",
    # the ticket's topic (ticket_topics, written by sanjeh.topics): its id; reports show
    # the topic's label (``_names.breakdown_labels``)
    "topic": "topic",
}
#: breakdown name → column, per fact table
DIMENSIONS: dict[str, dict[str, str]] = {
    "tickets": _TICKET_DIMENSIONS,
    "replies": _TICKET_DIMENSIONS,
    "surveys": {**_TICKET_DIMENSIONS, "survey": "survey", "question": "question"},
    # Sanjeh's own invitations (no agent: an employee survey's invitee is not a breakdown)
    "invitations": {"team": "team_id", "language": "language", "survey": "survey"},
    "quality": _TICKET_DIMENSIONS,
    "reviews": _TICKET_DIMENSIONS,
    # hour: the local hour of day the call began ("09"), the contact centre's interval
    "calls": {"team": "team_id", "agent": "agent_id", "queue": "queue", "hour": "hour_local"},
    "customers": {"segment": "segment", "plan": "plan"},
    "shifts": {"team": "team_id", "agent": "agent_id"},
    # knowledge-base article views: the viewer's segment / plan, where the view happened
    "views": {"segment": "segment", "plan": "plan", "channel": "channel"},
}
ALL_DIMENSIONS = sorted({d for dims in DIMENSIONS.values() for d in dims})
