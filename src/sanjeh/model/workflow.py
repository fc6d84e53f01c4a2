"""Tables of the QA workflow (scorecards, reviews, disputes, calibration, coaching …).

Append-only: a change is a new row (revision) with who and when; the current state
of a record is its latest revision. Every table is keyed by ``row_id`` =
``<record id>@<revision>``, so writing a change never replaces a stored row. Filled in
by ``sanjeh.qa`` (see docs/qa.md). The tables have no ``belongs_to``: writing them
never marks ticket facts stale.
"""

from __future__ import annotations

from typing import Literal, get_args

from ._spec import Column, TableSpec

REVIEW_STATUSES = ("draft", "submitted", "disputed", "resolved")
DISPUTE_STATUSES = ("open", "accepted", "partly_accepted", "rejected", "escalated")
ASSIGNMENT_STATUSES = ("open", "completed")
#: how a review cycle samples conversations (see docs/qa.md), declared once
Strategy = Literal[
    "random",
    "low_csat",
    "negative_sentiment",
    "long_resolution",
    "reopened",
    "escalated",
    "outliers",
]
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
#: the longest period of a recurring review cycle (days)
MAX_REPEAT_DAYS = 366


def _revision_columns(record: str, id_column: str) -> tuple[Column, ...]:
    return (
        Column("row_id", "string", f"`<{id_column}>@<revision>`: one row per change.", True),
        Column(id_column, "string", f"The {record}'s id (stable across revisions).", True),
        Column("revision", "int", "1 for the first version, +1 per change.", True, minimum=1),
    )


def _change_columns() -> tuple[Column, ...]:
    return (
        Column("changed_by", "string", "User id of whoever made this revision.", True),
        Column("changed_at", "timestamp", "When this revision was written (UTC).", True),
        Column("note", "string", "Why this revision was made (e.g. `dispute accepted`)."),
    )


QA_SCORECARDS = TableSpec(
    name="qa_scorecards",
    description=(
        "Scorecards, one row per version. Saving a changed scorecard writes version n+1; "
        "a review keeps the version it was graded with."
    ),
    key="row_id",
    columns=(
        *_revision_columns("scorecard", "scorecard_id"),
        Column("name", "string", "Display name.", True),
        Column("active", "bool", "Offered for new reviews.", True),
        Column("definition", "string", "The scorecard as JSON (`Scorecard.to_dict()`).", True),
        *_change_columns(),
    ),
)

QA_REVIEWS = TableSpec(
    name="qa_reviews",
    description=(
        "Manual reviews of conversations, one row per revision (submission, edit, dispute, "
        "resolution). The current review is its latest revision."
    ),
    key="row_id",
    columns=(
        *_revision_columns("review", "review_id"),
        Column("ticket_id", "id", "The reviewed conversation.", True, ref="tickets"),
        Column("agent_id", "id", "The reviewed agent (the ticket's assignee).", ref="agents"),
        Column("reviewer_id", "string", "User id of the reviewer.", True),
        Column("scorecard_id", "string", "Scorecard graded with.", True),
        Column("scorecard_version", "int", "Its version (the review is scored with it).", True),
        Column("ratings", "string", "JSON {category id: rating or null (N/A)}.", True),
        Column("comments", "string", "JSON {category id: comment}."),
        Column("root_causes", "string", "JSON {category id: [root cause, …]}."),
        Column("comment", "string", "Overall comment."),
        Column("score", "float", "Review score 0–100 (null: every category N/A).", maximum=100),
        Column("failed_critical", "bool", "A critical category scored under 50 %.", True),
        Column(
            "pass_threshold",
            "float",
            "The scorecard's pass mark: the review passes when its score is at least this.",
            default=80.0,
        ),
        Column("status", "string", "Review state.", True, choices=REVIEW_STATUSES),
        Column("calibration_id", "string", "Set for calibration reviews (not in IQS)."),
        Column("created_at", "timestamp", "When the review was first written (UTC).", True),
        *_change_columns(),
    ),
)

QA_DISPUTES = TableSpec(
    name="qa_disputes",
    description="Agents' disputes of reviews, one row per revision (opened, resolved …).",
    key="row_id",
    columns=(
        *_revision_columns("dispute", "dispute_id"),
        Column("review_id", "string", "The disputed review.", True),
        Column("agent_id", "id", "The agent who disputes.", True, ref="agents"),
        Column("status", "string", "Dispute state.", True, choices=DISPUTE_STATUSES),
        Column("escalated", "bool", "Escalated to managers after a rejection.", True),
        Column("comment", "string", "What was said with this revision."),
        Column("review_revision", "int", "Review revision written by this change, if any."),
        *_change_columns(),
    ),
)

QA_CYCLES = TableSpec(
    name="qa_cycles",
    description="Review cycles: which conversations to sample for whom (see qa_assignments).",
    key="row_id",
    columns=(
        *_revision_columns("cycle", "cycle_id"),
        Column("name", "string", "Display name.", True),
        Column("strategy", "string", "Sampling strategy.", True, choices=STRATEGIES),
        Column("start", "timestamp", "Conversations solved from (UTC, inclusive).", True),
        Column("end", "timestamp", "… until (UTC, exclusive).", True),
        Column("per_agent", "int", "Conversations per agent.", True, minimum=1),
        Column("seed", "int", "Random seed (reproducible samples)."),
        Column("reviewers", "string", "JSON list of reviewer user ids.", True),
        Column(
            "repeat_days",
            "int",
            "Recurring: a new cycle every this many days, each sampling the period after "
            "the previous one (null: once).",
            minimum=1,
            maximum=MAX_REPEAT_DAYS,
        ),
        Column("follows", "string", "The cycle this one repeats (null: the first)."),
        *_change_columns(),
    ),
)

QA_ASSIGNMENTS = TableSpec(
    name="qa_assignments",
    description="Conversations assigned to reviewers, one row per revision.",
    key="row_id",
    columns=(
        *_revision_columns("assignment", "assignment_id"),
        Column("cycle_id", "string", "The cycle that made it.", True),
        Column("ticket_id", "id", "Conversation to review.", True, ref="tickets"),
        Column("agent_id", "id", "Its agent.", ref="agents"),
        Column("reviewer_id", "string", "User id of the reviewer.", True),
        Column("reason", "string", "Why it was picked, e.g. `csat 1 (1–5)`."),
        Column("status", "string", "Assignment state.", True, choices=ASSIGNMENT_STATUSES),
        Column("review_id", "string", "The review that completed it."),
        *_change_columns(),
    ),
)

QA_CALIBRATIONS = TableSpec(
    name="qa_calibrations",
    description="Calibration sessions: several reviewers grade the same conversations.",
    key="row_id",
    columns=(
        *_revision_columns("calibration", "calibration_id"),
        Column("name", "string", "Display name.", True),
        Column("ticket_ids", "string", "JSON list of the conversations.", True),
        Column("reviewers", "string", "JSON list of reviewer user ids.", True),
        Column("blind", "bool", "Reviewers see others' reviews only after their own.", True),
        Column("benchmark_reviewer", "string", "Whose grading is the benchmark (or group mean)."),
        Column("scorecard_id", "string", "Scorecard everyone grades with.", True),
        Column("scorecard_version", "int", "Its version.", True),
        *_change_columns(),
    ),
)

QA_COACHING = TableSpec(
    name="qa_coaching",
    description="Coaching sessions with their action items, one row per revision.",
    key="row_id",
    columns=(
        *_revision_columns("coaching session", "session_id"),
        Column("agent_id", "id", "The coached agent.", True, ref="agents"),
        Column("coach_id", "string", "User id of the coach.", True),
        Column("held_on", "timestamp", "When the session took place (UTC).", True),
        Column("coach_note", "string", "The coach's notes."),
        Column("review_ids", "string", "JSON list of the reviews discussed."),
        # -- #22 (Q3): the agenda's categories a session works on ------------------------
        Column(
            "focus",
            "string",
            "JSON list of the scorecard category ids the session works on (the coaching "
            "agenda's categories; their trend before / after is shown).",
        ),
        Column(
            "action_items",
            "string",
            "JSON list of {text, due (ISO date), done, done_by, done_at}.",
        ),
        *_change_columns(),
    ),
)

QA_WOW = TableSpec(
    name="qa_wow",
    description="The wow library: conversations worth learning from.",
    key="row_id",
    columns=(
        *_revision_columns("wow entry", "wow_id"),
        Column("ticket_id", "id", "The conversation.", True, ref="tickets"),
        Column("agent_id", "id", "Its agent.", ref="agents"),
        Column("note", "string", "What makes it great."),
        *_change_columns()[:2],
    ),
)

# -- #22 (Q3): self-reviews, apart from qa_reviews so they never reach IQS or KPIs ----
QA_SELF_REVIEWS = TableSpec(
    name="qa_self_reviews",
    description=(
        "Agents' grades of their own conversations against the scorecard, one row per "
        "revision; seen by the agent and their coaches only, never in IQS, insights or KPIs."
    ),
    key="row_id",
    columns=(
        *_revision_columns("self-review", "self_review_id"),
        Column("ticket_id", "id", "The agent's own conversation.", True, ref="tickets"),
        Column("agent_id", "id", "The agent who graded it.", True, ref="agents"),
        Column("user_id", "string", "User id of that agent.", True),
        Column("scorecard_id", "string", "Scorecard graded with.", True),
        Column("scorecard_version", "int", "Its version.", True),
        Column("ratings", "string", "JSON {category id: rating or null (N/A)}.", True),
        Column("comments", "string", "JSON {category id: comment}."),
        Column("comment", "string", "Overall comment."),
        Column("score", "float", "Score 0–100 by the scorecard's formula.", maximum=100),
        Column("failed_critical", "bool", "A critical category scored under 50 %.", True),
        Column("created_at", "timestamp", "When it was first written (UTC).", True),
        *_change_columns(),
    ),
)

WORKFLOW_TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        QA_SCORECARDS,
        QA_REVIEWS,
        QA_DISPUTES,
        QA_CYCLES,
        QA_ASSIGNMENTS,
        QA_CALIBRATIONS,
        QA_COACHING,
        QA_WOW,
        QA_SELF_REVIEWS,
    )
}
