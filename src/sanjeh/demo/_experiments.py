"""The demo's A/B test: the "greeting" experiment (control vs a warm opening line).

Tickets created in the demo's last ``DAYS`` days (Tehran dates) are given a variant by
Sanjeh's seeded hash (``sanjeh.experiments.variant_for``) and recorded in
``experiment_assignments`` (method "hash", assigned when the ticket was created). No
random number is drawn, so every other demo table is the same with or without them.

No effect is simulated: the variant changes nothing in the tickets, so the demo's
results honestly show no detectable difference (and about one guardrail in twenty
looks "significant" by chance at alpha 0.05).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow as pa

from ..experiments import Experiment, variant_for
from ._const import SOURCE

#: the days before the demo's end whose tickets take part
DAYS = 60
NAME = "greeting"
VARIANTS = ("control", "warm")
_TEHRAN = ZoneInfo("Asia/Tehran")
_SCHEMA = pa.schema(
    [
        ("assignment_id", pa.string()),
        ("source", pa.string()),
        ("experiment", pa.string()),
        ("ticket_id", pa.string()),
        ("variant", pa.string()),
        ("assigned_at", pa.timestamp("us", tz="UTC")),
        ("method", pa.string()),
    ]
)


def experiment_start(last_day: dt.date) -> dt.date:
    """The experiment's first day for a demo whose last day is ``last_day``."""
    return last_day - dt.timedelta(days=DAYS - 1)


def demo_experiment(start: dt.date) -> Experiment:
    """The experiment as the demo's sanjeh.toml declares it (``EXPERIMENT_TOML``)."""
    return Experiment(
        name=NAME,
        title="Warm greeting",
        variants=VARIANTS,
        assignment="table",
        metric="csat",
        guardrails=("resolution_time", "reopen"),
        start=start,
        mde=0.05,
        seed=NAME,
    )


#: the demo's [[experiments]] (``{start}``: ``experiment_start``), for sanjeh.toml
EXPERIMENT_TOML = """
# An A/B test of the opening line (docs/experiments.md): the demo assigns its last
# {days} days' tickets by Sanjeh's seeded hash; no effect is simulated, so expect "no
# detectable difference". `sanjeh experiment results greeting`
[[experiments]]
name = "greeting"
title = "Warm greeting"
variants = ["control", "warm"]
assignment = "table"
metric = "csat"
guardrails = ["resolution_time", "reopen"]
start = "{start}"
mde = 0.05
"""


def experiment_toml(last_day: dt.date) -> str:
    return EXPERIMENT_TOML.format(days=DAYS, start=experiment_start(last_day).isoformat())


def experiment_assignments(tickets: pa.Table, end: float) -> pa.Table:
    """Hash-assigned rows for the chunk's tickets created in the last ``DAYS`` days
    before ``end`` (epoch seconds, the demo's last instant)."""
    last_day = dt.datetime.fromtimestamp(end - 1e-6, _TEHRAN).date()
    start = experiment_start(last_day)
    experiment = demo_experiment(start)
    ids = tickets.column("ticket_id").to_pylist()
    created = tickets.column("created_at").to_pylist()
    rows: dict[str, list[object]] = {name: [] for name in _SCHEMA.names}
    for ticket, at in zip(ids, created, strict=True):
        if at.astimezone(_TEHRAN).date() < start:
            continue
        rows["assignment_id"].append(f"{NAME}/{ticket}")
        rows["source"].append(SOURCE)
        rows["experiment"].append(NAME)
        rows["ticket_id"].append(ticket)
        rows["variant"].append(variant_for(experiment, ticket))
        rows["assigned_at"].append(at)
        rows["method"].append("hash")
    return pa.table(rows, schema=_SCHEMA)


#: the tables this module fills
EXPERIMENT_TABLES = ("experiment_assignments",)

__all__ = [
    "DAYS",
    "EXPERIMENT_TABLES",
    "demo_experiment",
    "experiment_assignments",
    "experiment_start",
    "experiment_toml",
]
