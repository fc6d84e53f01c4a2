"""The assignments of A/B tests of scripts and macros (docs/experiments.md).

An experiment is declared in ``sanjeh.toml`` (``[[experiments]]``); which variant each
ticket got is a row here: imported (the helpdesk or a script recorded it) or made by
Sanjeh (a seeded hash of experiment and ticket, ``POST /api/experiments/<name>/assign``).
No fact reads this table: results join it to the ticket facts when asked.
"""

from __future__ import annotations

from ._spec import Column, TableSpec

ASSIGNMENT_METHODS = ("imported", "hash")

EXPERIMENT_ASSIGNMENTS = TableSpec(
    name="experiment_assignments",
    description=(
        "One row per experiment and ticket: the variant the ticket was given (a script, a "
        "macro, a reply template) and when."
    ),
    key="assignment_id",
    belongs_to="ticket_id",
    columns=(
        Column(
            "assignment_id",
            "id",
            "Namespaced id; Sanjeh's own are `<experiment>/<ticket_id>`.",
            required=True,
        ),
        Column("source", "string", "Name of the system the assignment came from.", True),
        Column("experiment", "string", "Experiment name, as in sanjeh.toml.", required=True),
        Column("ticket_id", "id", "The ticket.", required=True, ref="tickets"),
        Column("variant", "string", "The variant given.", required=True),
        Column("assigned_at", "timestamp", "When (UTC).", required=True),
        Column(
            "method",
            "string",
            "imported, or hash (assigned by Sanjeh).",
            choices=ASSIGNMENT_METHODS,
            default="imported",
        ),
    ),
    example={
        "assignment_id": "greeting/helpdesk:1234",
        "source": "helpdesk",
        "experiment": "greeting",
        "ticket_id": "helpdesk:1234",
        "variant": "warm",
        "assigned_at": "2026-03-01T08:00:00Z",
    },
)

EXPERIMENT_TABLES: dict[str, TableSpec] = {EXPERIMENT_ASSIGNMENTS.name: EXPERIMENT_ASSIGNMENTS}
