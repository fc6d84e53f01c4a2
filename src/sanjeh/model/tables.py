"""The canonical data model of Sanjeh, declared once.

Every source is mapped onto these tables; every KPI reads only these tables.
Timestamps are UTC. Identifiers (``type="id"``) are namespaced by source:
``zendesk:1234``. Change a table here, bump ``MODEL_VERSION`` and regenerate
``docs/data-model.md`` (``python -m sanjeh.model`` prints it).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ._spec import Check, Column, TableSpec, before
from .accounts import ACCOUNT_TABLES
from .alerts import ALERT_TABLES
from .experiments import EXPERIMENT_TABLES
from .insights import INSIGHT_TABLES
from .knowledge import KNOWLEDGE_TABLES, TOPIC_TABLES
from .reports import REPORT_TABLES
from .speech import SPEECH_TABLES
from .surveys import SURVEY_TABLES
from .workflow import WORKFLOW_TABLES

# 2: auto_scores; 3: accounts and QA workflow; 4: review pass mark; 5: recurring cycles;
# 6: events.reply_to; 7: api_tokens.scopes, report_runs;
# 8: survey_definitions, survey_invitations, survey_responses.team_id / language / invitation_id
# 9: call_segments, call_speech, auto_scores.call_id (ticket_id optional)
# 10: kb_articles, article_views, experiment_assignments, topics, ticket_topics, topic_models
MODEL_VERSION = 10

CHANNELS = ("email", "chat", "phone", "social", "web", "messaging", "api", "other")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
ACTOR_TYPES = ("customer", "agent", "bot", "system")
EVENT_KINDS = (
    "created",  # the ticket was opened (actor = whoever opened it)
    "message",  # a message; public=False makes it a private (internal) note
    "status",  # status changed to `status`
    "assign",  # assigned to `agent_id` and / or `team_id`
    "priority",  # priority changed to `priority`
    "escalate",  # moved up a support tier / to a specialist team (`tier`, `team_id`)
    "handoff",  # a bot handed the conversation to a human
    "merge",  # merged into ticket `merged_into`
    "tag",  # tags changed
    "other",
)
CALL_OUTCOMES = (
    "answered",  # reached an agent
    "abandoned",  # caller hung up while waiting in the queue
    "ivr",  # ended in the IVR / self-service, never queued for an agent
    "callback",  # caller chose a call-back instead of waiting
    "voicemail",
    "transferred",
    "other",  # e.g. phantom / test calls; excluded from service-level maths
)
SURVEYS = ("csat", "ces", "nps", "enps", "pulse", "custom")
OUTCOME_KINDS = ("purchase", "upgrade", "downgrade", "renewal", "churn", "reactivation")
SEGMENTS_HINT = "free text, e.g. smb / enterprise / consumer / vip"


def _source_columns(entity: str) -> tuple[Column, ...]:
    return (
        Column("source", "string", f"Name of the system the {entity} came from.", required=True),
        Column("external_id", "string", f"The {entity}'s id in that system, as it was there."),
    )


def _score_in_scale(t: pa.Table) -> pa.ChunkedArray:
    low = pc.less(t["score"], t["scale_min"])
    high = pc.greater(t["score"], t["scale_max"])
    # Kleene "or": out of range on one side is enough, even when the other bound is unknown
    return pc.fill_null(pc.or_kleene(low, high), False)


def _scale_ordered(t: pa.Table) -> pa.ChunkedArray:
    return pc.fill_null(pc.greater_equal(t["scale_min"], t["scale_max"]), False)


TICKETS = TableSpec(
    name="tickets",
    description=(
        "One row per conversation or case, whatever the channel. The current state of the "
        "ticket; its history lives in `events`."
    ),
    key="ticket_id",
    belongs_to="ticket_id",
    version_column="updated_at",
    columns=(
        Column("ticket_id", "id", "Namespaced ticket id, e.g. `zendesk:1234`.", required=True),
        *_source_columns("ticket"),
        Column(
            "channel", "string", "Channel the ticket arrived on.", choices=CHANNELS, default="other"
        ),
        Column("subject", "string", "Subject or first line."),
        Column("created_at", "timestamp", "When the ticket was opened (UTC).", required=True),
        Column(
            "updated_at",
            "timestamp",
            "Last change in the source; a newer row replaces an older one by this.",
        ),
        Column("status", "string", "Current status.", choices=STATUSES),
        Column("customer_id", "id", "The requester.", ref="customers"),
        Column("team_id", "id", "Team (group) currently responsible.", ref="teams"),
        Column("agent_id", "id", "Agent currently assigned.", ref="agents"),
        Column("priority", "string", "Current priority.", choices=PRIORITIES),
        Column("category", "string", "Category / topic / ticket form."),
        Column("tags", "strings", "Tags (in CSV: separated by `;`)."),
        Column("language", "string", "Conversation language as ISO 639-1 (fa, ar, en …)."),
        Column("merged_into", "id", "If merged, the ticket it was merged into.", ref="tickets"),
    ),
    checks=(before("updated_at", "created_at"),),
    example={
        "ticket_id": "helpdesk:1001",
        "source": "helpdesk",
        "external_id": "1001",
        "channel": "email",
        "subject": "سفارش من نرسیده",
        "created_at": "2026-03-01T08:15:00Z",
        "status": "solved",
        "customer_id": "helpdesk:c-77",
        "team_id": "helpdesk:billing",
        "agent_id": "helpdesk:a-5",
        "priority": "high",
        "category": "delivery",
        "tags": "vip;late",
        "language": "fa",
    },
)

EVENTS = TableSpec(
    name="events",
    description=(
        "The timeline of a ticket: one row per thing that happened to it. Every duration KPI "
        "is computed from these rows. Sources that only give summaries (first response at, "
        "resolved at) are turned into synthesised events on import."
    ),
    key="event_id",
    belongs_to="ticket_id",
    columns=(
        Column("event_id", "id", "Namespaced event id.", required=True),
        Column("ticket_id", "id", "The ticket this happened to.", required=True, ref="tickets"),
        Column("at", "timestamp", "When it happened (UTC).", required=True),
        Column("kind", "string", "What happened.", required=True, choices=EVENT_KINDS),
        Column("actor_type", "string", "Who did it.", required=True, choices=ACTOR_TYPES),
        Column("actor_id", "id", "Id of the customer, agent or bot who did it."),
        Column(
            "public",
            "bool",
            "False for private (internal) notes and system changes the customer cannot see.",
            default=True,
        ),
        Column(
            "channel",
            "string",
            "Channel of this message, when it differs per message.",
            choices=CHANNELS,
        ),
        Column(
            "status",
            "string",
            "New status (kind=status, or the status set by this event).",
            choices=STATUSES,
        ),
        Column("priority", "string", "New priority (kind=priority).", choices=PRIORITIES),
        Column("team_id", "id", "Team assigned by this event (assign / escalate).", ref="teams"),
        Column("agent_id", "id", "Agent assigned by this event (assign).", ref="agents"),
        Column(
            "tier", "int", "Support tier after this event (1 = first line).", minimum=0, maximum=9
        ),
        Column("merged_into", "id", "Target ticket (kind=merge).", ref="tickets"),
        Column("body", "string", "Text of the message or note."),
        Column(
            "reply_to",
            "id",
            "The message this message answers, when the source links replies (a tweet's "
            "`in_response_to_tweet_id`); may name a message that is not in the store.",
            ref="events",
        ),
    ),
    example={
        "event_id": "helpdesk:1001-3",
        "ticket_id": "helpdesk:1001",
        "at": "2026-03-01T09:02:11Z",
        "kind": "message",
        "actor_type": "agent",
        "actor_id": "helpdesk:a-5",
        "public": "true",
        "body": "سلام، وقت بخیر. پیگیری می‌کنم و تا ساعت ۱۴ خبر می‌دهم.",
    },
)

CALLS = TableSpec(
    name="calls",
    description="One row per voice contact: IVR, queue, service and outcome.",
    key="call_id",
    belongs_to="call_id",
    columns=(
        Column("call_id", "id", "Namespaced call id.", required=True),
        *_source_columns("call"),
        Column("queue", "string", "Queue / line / skill the call waited in."),
        Column("customer_id", "id", "Caller, when known.", ref="customers"),
        Column(
            "started_at",
            "timestamp",
            "When the call reached the system (IVR entry).",
            required=True,
        ),
        Column(
            "queued_at",
            "timestamp",
            "When it entered the agent queue (null: never queued; an answered call without "
            "it went straight to an agent and counts as answered at 0 s wait).",
        ),
        Column(
            "answered_at",
            "timestamp",
            "When an agent answered: the service start, where the wait ends (null: not answered).",
        ),
        Column("ended_at", "timestamp", "When the call ended."),
        Column("outcome", "string", "How the call ended.", required=True, choices=CALL_OUTCOMES),
        Column("agent_id", "id", "Agent who served the call.", ref="agents"),
        Column("ivr_s", "float", "Seconds spent in the IVR.", minimum=0),
        Column("talk_s", "float", "Seconds of conversation with the agent.", minimum=0),
        Column("hold_s", "float", "Seconds on hold during the conversation.", minimum=0),
        Column("wrap_s", "float", "After-call work seconds.", minimum=0),
        Column("ticket_id", "id", "Ticket created for or linked to this call.", ref="tickets"),
        Column("call_type", "string", "Service type / reason as the source names it."),
    ),
    checks=(
        before("queued_at", "started_at"),
        before("answered_at", "queued_at"),
        before("ended_at", "started_at"),
    ),
    example={
        "call_id": "bank:43678",
        "source": "bank",
        "external_id": "43678",
        "queue": "PS",
        "started_at": "1999-08-01T07:10:10Z",
        "queued_at": "1999-08-01T07:10:27Z",
        "answered_at": "1999-08-01T07:11:02Z",
        "ended_at": "1999-08-01T07:14:40Z",
        "outcome": "answered",
        "agent_id": "bank:MICHAL",
        "ivr_s": "17",
        "talk_s": "218",
    },
)

SURVEY_RESPONSES = TableSpec(
    name="survey_responses",
    description=(
        "One row per survey sent or answered. A row with `sent_at` and no `submitted_at` is "
        "an unanswered invitation (needed for response rates)."
    ),
    key="response_id",
    belongs_to="ticket_id",
    columns=(
        Column("response_id", "id", "Namespaced response id.", required=True),
        *_source_columns("response"),
        Column("survey", "string", "Which survey.", required=True, choices=SURVEYS),
        Column("question", "string", "Question text or code, for multi-question surveys."),
        Column("scale_min", "int", "Lowest possible score (CSAT 1, CES 1, NPS 0).", required=True),
        Column(
            "scale_max", "int", "Highest possible score (CSAT 5, CES 7, NPS 10).", required=True
        ),
        Column("score", "float", "The answer; null when not answered."),
        Column("comment", "string", "Verbatim comment."),
        Column("ticket_id", "id", "Ticket the survey is about.", ref="tickets"),
        Column("customer_id", "id", "Respondent customer.", ref="customers"),
        Column(
            "agent_id",
            "id",
            "Agent the survey is about; for eNPS / pulse, the responding employee.",
            ref="agents",
        ),
        Column("sent_at", "timestamp", "When the invitation was sent."),
        Column("submitted_at", "timestamp", "When it was answered (null: not answered)."),
        Column(
            "team_id",
            "id",
            "Team the answer counts for (eNPS / pulse: the respondent's team; otherwise "
            "empty means the ticket's or agent's team).",
            ref="teams",
        ),
        Column("language", "string", "Language the survey was answered in (fa, ar, en …)."),
        Column(
            "invitation_id",
            "string",
            "Sanjeh's invitation (`survey_invitations`); empty for imported and anonymous answers.",
        ),
    ),
    checks=(
        Check(
            "scale_ordered",
            ("scale_min", "scale_max"),
            "scale_min is not below scale_max",
            _scale_ordered,
        ),
        Check(
            "score_in_scale", ("score",), "score is outside scale_min..scale_max", _score_in_scale
        ),
        before("submitted_at", "sent_at"),
    ),
    example={
        "response_id": "helpdesk:s-1",
        "source": "helpdesk",
        "survey": "csat",
        "scale_min": "1",
        "scale_max": "5",
        "score": "4",
        "comment": "ممنون از پیگیری",
        "ticket_id": "helpdesk:1001",
        "sent_at": "2026-03-02T10:00:00Z",
        "submitted_at": "2026-03-02T12:30:00Z",
    },
)

CUSTOMERS = TableSpec(
    name="customers",
    description="One row per customer (requester / caller / account).",
    key="customer_id",
    belongs_to="customer_id",
    version_column="updated_at",
    columns=(
        Column("customer_id", "id", "Namespaced customer id.", required=True),
        *_source_columns("customer"),
        Column("name", "string", "Display name (personal data: redacted by exports on request)."),
        Column("email", "string", "E-mail (personal data)."),
        Column("segment", "string", f"Customer segment, {SEGMENTS_HINT}."),
        Column("plan", "string", "Product plan / tier."),
        Column("value", "float", "Annual value (revenue) of the customer.", minimum=0),
        Column("country", "string", "ISO 3166 country code."),
        Column("language", "string", "Preferred language (ISO 639-1)."),
        Column("created_at", "timestamp", "Customer since."),
        Column("churned_at", "timestamp", "When the customer left (null: still a customer)."),
        Column("updated_at", "timestamp", "Last change in the source."),
    ),
    checks=(before("churned_at", "created_at"),),
    example={
        "customer_id": "helpdesk:c-77",
        "source": "helpdesk",
        "name": "Sara",
        "segment": "smb",
        "plan": "pro",
        "value": "1200",
        "country": "IR",
        "language": "fa",
        "created_at": "2024-05-01T00:00:00Z",
    },
)

AGENTS = TableSpec(
    name="agents",
    description="One row per agent (and per bot: `is_bot`).",
    key="agent_id",
    version_column="updated_at",
    columns=(
        Column("agent_id", "id", "Namespaced agent id.", required=True),
        *_source_columns("agent"),
        Column("name", "string", "Display name."),
        Column("email", "string", "E-mail."),
        Column("team_id", "id", "Home team.", ref="teams"),
        Column("role", "string", "Role, e.g. agent, lead, specialist."),
        Column("skills", "strings", "Skills / languages (in CSV: separated by `;`)."),
        Column("is_bot", "bool", "True for bots and automations.", default=False),
        Column("hired_at", "timestamp", "Start date."),
        Column("left_at", "timestamp", "Leaving date (attrition)."),
        Column("hourly_cost", "float", "Fully loaded cost per paid hour.", minimum=0),
        Column("currency", "string", "ISO 4217 currency of the cost."),
        Column("updated_at", "timestamp", "Last change in the source."),
    ),
    checks=(before("left_at", "hired_at"),),
    example={
        "agent_id": "helpdesk:a-5",
        "source": "helpdesk",
        "name": "Reza",
        "team_id": "helpdesk:billing",
        "skills": "fa;en",
        "hourly_cost": "9.5",
        "currency": "EUR",
    },
)

TEAMS = TableSpec(
    name="teams",
    description="One row per team / group / queue of agents.",
    key="team_id",
    columns=(
        Column("team_id", "id", "Namespaced team id.", required=True),
        *_source_columns("team"),
        Column("name", "string", "Display name."),
        Column("tier", "int", "Support tier (1 = first line).", minimum=0, maximum=9),
        Column("calendar", "string", "Name of the business-hours calendar the team works by."),
        Column("parent_id", "id", "Parent team, for hierarchies.", ref="teams"),
    ),
    example={"team_id": "helpdesk:billing", "source": "helpdesk", "name": "Billing", "tier": "1"},
)

AGENT_SHIFTS = TableSpec(
    name="agent_shifts",
    description="Time agents were scheduled or logged in: the denominator of per-hour KPIs.",
    key="shift_id",
    belongs_to="shift_id",
    columns=(
        Column("shift_id", "id", "Namespaced shift id.", required=True),
        Column("agent_id", "id", "The agent.", required=True, ref="agents"),
        Column("start_at", "timestamp", "Start (UTC).", required=True),
        Column("end_at", "timestamp", "End (UTC).", required=True),
        Column(
            "kind",
            "string",
            "scheduled or logged_in.",
            choices=("scheduled", "logged_in"),
            default="logged_in",
        ),
    ),
    checks=(before("end_at", "start_at"),),
    example={
        "shift_id": "helpdesk:sh-1",
        "agent_id": "helpdesk:a-5",
        "start_at": "2026-03-01T04:30:00Z",
        "end_at": "2026-03-01T12:30:00Z",
    },
)

CUSTOMER_OUTCOMES = TableSpec(
    name="customer_outcomes",
    description=(
        "What customers did after support: purchases, upgrades, renewals, churn. Used for "
        "post-support conversion, churn and retention KPIs."
    ),
    key="outcome_id",
    belongs_to="customer_id",
    columns=(
        Column("outcome_id", "id", "Namespaced id.", required=True),
        *_source_columns("outcome"),
        Column("customer_id", "id", "The customer.", required=True, ref="customers"),
        Column("at", "timestamp", "When it happened (UTC).", required=True),
        Column("kind", "string", "What happened.", required=True, choices=OUTCOME_KINDS),
        Column("value", "float", "Monetary value, when there is one."),
        Column("currency", "string", "ISO 4217 currency of the value."),
        Column(
            "ticket_id", "id", "Ticket it is attributed to, if the source knows.", ref="tickets"
        ),
    ),
    example={
        "outcome_id": "shop:o-9",
        "source": "shop",
        "customer_id": "helpdesk:c-77",
        "at": "2026-03-05T18:00:00Z",
        "kind": "upgrade",
        "value": "240",
        "currency": "EUR",
    },
)

AUTO_SCORES = TableSpec(
    name="auto_scores",
    description=(
        "Results of the automatic conversation analyzers (AutoQA): one row per analyzer per "
        "message (event) or per conversation (event_id empty), with the evidence span."
    ),
    key="score_id",
    belongs_to="ticket_id",
    columns=(
        Column("score_id", "id", "`<event or ticket id>#<analyzer>`.", required=True),
        Column("ticket_id", "id", "The conversation, when it is a ticket's.", ref="tickets"),
        Column(
            "event_id",
            "id",
            "The message (a ticket's event, or a call's transcript segment); empty for "
            "conversation-level results.",
            ref="events",
        ),
        Column(
            "analyzer", "string", "Analyzer name, e.g. empathy, sentiment, greeting.", required=True
        ),
        Column("label", "string", "What it found, e.g. present / absent, positive.", required=True),
        Column("score", "float", "Strength or polarity (sentiment in −1 … 1)."),
        Column("evidence", "string", "JSON list of spans {start, end, text} that triggered it."),
        Column(
            "version",
            "string",
            "Analyzer version; re-scoring with a new one replaces rows.",
            required=True,
        ),
        Column("scored_at", "timestamp", "When it was scored (UTC)."),
        Column(
            "call_id",
            "id",
            "The conversation, when it is a call's transcript (then ticket_id is empty).",
            ref="calls",
        ),
    ),
    example={
        "score_id": "helpdesk:1001-3#empathy",
        "ticket_id": "helpdesk:1001",
        "event_id": "helpdesk:1001-3",
        "analyzer": "empathy",
        "label": "present",
        "score": "1",
        "evidence": '[{"start": 0, "end": 10, "text": "متوجه هستم"}]',
        "version": "rules-2",
    },
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TICKETS,
        EVENTS,
        CALLS,
        SURVEY_RESPONSES,
        CUSTOMERS,
        AGENTS,
        TEAMS,
        AGENT_SHIFTS,
        CUSTOMER_OUTCOMES,
        AUTO_SCORES,
    )
}
TABLES.update(SPEECH_TABLES)
TABLES.update(KNOWLEDGE_TABLES)
TABLES.update(EXPERIMENT_TABLES)

# --- bookkeeping tables written by the importer, not by sources ---------------------

IMPORT_LOG = TableSpec(
    name="import_log",
    description="One row per file import: what was read and what happened to each row.",
    key="import_id",
    columns=(
        Column("import_id", "string", "Id of this import run.", required=True),
        Column("path", "string", "File that was imported.", required=True),
        Column("format", "string", "Format used.", required=True),
        Column("source", "string", "Source name ids were namespaced with.", required=True),
        Column("fingerprint", "string", "SHA-256 of the file's content.", required=True),
        Column("started_at", "timestamp", "Start (UTC).", required=True),
        Column("finished_at", "timestamp", "End (UTC)."),
        Column("rows_read", "int", "Data rows read from the file."),
        Column("inserted", "int", "Rows new to the store."),
        Column("replaced", "int", "Stored rows replaced by a changed version."),
        Column("unchanged", "int", "Rows already stored exactly as read."),
        Column("rejected", "int", "Rows quarantined in import_rejects."),
    ),
)

IMPORT_REJECTS = TableSpec(
    name="import_rejects",
    description=(
        "Quarantine: every row an import could not accept, with where it was and why. "
        "Nothing is dropped silently; fix the rows and import them again."
    ),
    key="reject_id",
    columns=(
        Column("reject_id", "string", "Stable id: file fingerprint + row + field.", required=True),
        Column("import_id", "string", "Import that first rejected it.", required=True),
        Column("path", "string", "File the row came from.", required=True),
        Column(
            "row",
            "int",
            "Row number in the file (the header is row 1, like a spreadsheet).",
            required=True,
        ),
        Column("table_name", "string", "Canonical table the row was meant for."),
        Column("field", "string", "Column at fault (empty when the whole row is bad)."),
        Column("reason", "string", "What is wrong, in words.", required=True),
        Column("value", "string", "The offending value."),
        Column("raw", "string", "The whole row as read (JSON)."),
        Column("rejected_at", "timestamp", "When (UTC).", required=True),
    ),
)

SYSTEM_TABLES: dict[str, TableSpec] = {t.name: t for t in (IMPORT_LOG, IMPORT_REJECTS)}
#: written by the application (accounts, QA workflow), never imported from files
APP_TABLES: dict[str, TableSpec] = {
    **ACCOUNT_TABLES,
    **WORKFLOW_TABLES,
    **REPORT_TABLES,
    **SURVEY_TABLES,
    **INSIGHT_TABLES,
    **ALERT_TABLES,
    **TOPIC_TABLES,
}
ALL_TABLES: dict[str, TableSpec] = {**TABLES, **SYSTEM_TABLES, **APP_TABLES}
