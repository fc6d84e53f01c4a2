"""Tables of the surveys Sanjeh sends itself: definitions and invitations.

Written by ``sanjeh.surveys`` (docs/surveys.md), never imported from files. The answers
land in the canonical ``survey_responses`` table, so the KPIs count them like imported
answers. Neither table has ``belongs_to``: writing them never marks ticket facts stale
(the responses they lead to do).
"""

from __future__ import annotations

from ._spec import Column, TableSpec

SURVEY_KINDS = ("csat", "ces", "nps", "enps", "pulse", "custom")
INVITATION_STATUSES = ("queued", "sent", "answered", "expired", "failed")
SURVEY_LANGUAGES = ("fa", "ar", "en")

SURVEY_DEFINITIONS = TableSpec(
    name="survey_definitions",
    description=(
        "Survey definitions, one row per version. Creating a changed definition writes "
        "version n+1; an invitation keeps the version it was sent with."
    ),
    key="row_id",
    columns=(
        Column("row_id", "string", "`<survey_id>@<version>`.", required=True),
        Column("survey_id", "string", "Stable id, e.g. `csat-after-solve`.", required=True),
        Column("version", "int", "1 for the first version, +1 per change.", True, minimum=1),
        Column("kind", "string", "What the survey measures.", True, choices=SURVEY_KINDS),
        Column("definition", "string", "The whole definition as JSON.", required=True),
        Column("created_at", "timestamp", "When this version was created (UTC).", True),
        Column("created_by", "string", "User id (or `cli`) that created it.", required=True),
        Column("retired", "bool", "No longer sent (kept for the answers it has).", True),
    ),
)

SURVEY_INVITATIONS = TableSpec(
    name="survey_invitations",
    description=(
        "One row per invitation sent: who was asked, in which language, until when, and "
        "whether they answered. For anonymous surveys (eNPS, pulse) the answers are not "
        "linked back to it: `answered_at` is the period's start and `used_at_first` empty."
    ),
    key="invitation_id",
    columns=(
        Column("invitation_id", "string", "Random URL-safe id (in the link).", required=True),
        Column("survey_id", "string", "The survey.", required=True),
        Column("version", "int", "The definition's version it was sent with.", True, minimum=1),
        Column("ticket_id", "id", "The ticket the survey is about.", ref="tickets"),
        Column("call_id", "id", "The call the survey is about.", ref="calls"),
        Column("customer_id", "id", "The customer asked.", ref="customers"),
        Column(
            "agent_id",
            "id",
            "Customer surveys: the agent the survey is about. Employee surveys: the "
            "employee asked (used only to send; never copied into the answers).",
            ref="agents",
        ),
        Column("team_id", "id", "The team the answers count for.", ref="teams"),
        Column("language", "string", "Language of the page and wording.", choices=SURVEY_LANGUAGES),
        Column("channel", "string", "Channel of the ticket or call (`phone` for calls)."),
        Column("period", "string", "Employee surveys: the period asked about, e.g. `2026-W49`."),
        Column("sent_at", "timestamp", "When the invitation was made (UTC).", required=True),
        Column("expires_at", "timestamp", "The link stops working then (UTC).", required=True),
        Column("answered_at", "timestamp", "When answered (anonymous: the period's start)."),
        Column("used_at_first", "timestamp", "True time of the first answer (not anonymous)."),
        Column("status", "string", "Invitation state.", True, choices=INVITATION_STATUSES),
    ),
)

SURVEY_TABLES: dict[str, TableSpec] = {t.name: t for t in (SURVEY_DEFINITIONS, SURVEY_INVITATIONS)}
