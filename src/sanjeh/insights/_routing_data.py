"""What the skill table is built from: each agent's outcomes on solved tickets, per
(category, language, channel), summed in the database (Ibis: DuckDB, PostgreSQL …).

An **outcome ticket** is solved, not merged, and has a (human) agent. Its outcomes, from
the ticket facts (``metrics/_ticket_facts.py``, definitions as the KPIs of
``metrics/catalog``):

- ``fcr``: resolved at first contact (FCR KPI); tickets whose FCR window is still open
  (``fcr`` null, pending) are no outcome yet and are left out;
- ``reopen``: reopened within the reopen window (reopen-rate KPI); pending rows left out;
- ``csat``: the customer's CSAT answer was satisfied — top-two-box (the top two points of
  a 5+ point scale, the top one of a shorter one), or above the midpoint with
  ``csat_method = "good_bad"`` (neutral answers then left out), as the CSAT KPI;
- ``resolution``: full resolution time in business seconds (resolution-time KPI), as
  log(max(t, 60 s)): a minute at least, so a ticket solved outside business hours (0 s
  of business time) does not weigh as an infinitely fast one.

``before``: only what was known by then — tickets solved before it, an FCR / reopen
outcome only once its window had closed by then (so a report on a later period is not
measured with outcomes of that period). The result is the finest grain, one row per
agent and (category, language, channel); coarser kinds are its sums (``_routing_build``).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..metrics import MetricsConfig
from ..store import Store

#: the dimensions of a case kind, finest grain
KIND_DIMS = ("category", "language", "channel")
#: a ticket solved faster than this counts as this fast (log of business seconds)
MIN_SECONDS = 60.0
#: the sums per cell: (tickets with the outcome, successes) or (tickets, Σ log t, Σ log² t)
SUMS = (
    "n_fcr", "x_fcr", "n_reopen", "x_reopen", "n_csat", "x_csat",
    "n_resolution", "s_resolution", "q_resolution", "tickets",
)  # fmt: skip


def count_true(flag: ir.BooleanValue) -> ir.IntegerValue:
    """How many rows ``flag`` holds for (a CASE: PostgreSQL casts no boolean to a number)."""
    return ibis.ifelse(flag, 1, 0).sum()


def _satisfied(t: ir.Table, method: str) -> ir.BooleanValue:
    score = t.csat_score.cast("float64")
    lo, hi = t.csat_scale_min.cast("float64"), t.csat_scale_max.cast("float64")
    if method == "good_bad":
        mid = (lo + hi) / 2
        return ibis.cases((score > mid, True), (score < mid, False), else_=ibis.null("boolean"))
    return ibis.ifelse(hi - lo + 1 >= 5, score >= hi - 1, score >= hi)


def outcome_cells(
    store: Store, config: MetricsConfig | None = None, *, before: dt.datetime | None = None
) -> pd.DataFrame:
    """Per agent and (category, language, channel): the sums of :data:`SUMS`.

    Reads ``facts_tickets`` as they are (the caller keeps them current).
    """
    config = config or MetricsConfig.from_settings()
    options = config.options
    f = store.con.table("facts_tickets")
    f = f.filter(f.is_solved & ~f.is_merged & f.agent_id.notnull() & f.solved_at.notnull())
    fcr, reopened = f.fcr, f.reopened
    if before is not None:
        cut = ibis.literal(before.astimezone(dt.UTC), type="timestamp('UTC')")
        f = f.filter(f.solved_at < cut)
        fcr_known = f.solved_at + ibis.interval(days=options.fcr_window_days) <= cut
        reopen_known = f.first_resolved_at + ibis.interval(days=options.reopen_window_days) <= cut
        fcr = ibis.ifelse(fcr_known, f.fcr, ibis.null("boolean"))
        reopened = ibis.ifelse(reopen_known, f.reopened, ibis.null("boolean"))
    satisfied = _satisfied(f, options.csat_method)
    seconds = f.full_resolution_bs.cast("float64")
    log_t = ibis.greatest(seconds, ibis.literal(MIN_SECONDS)).ln()
    has_t = seconds.notnull() & (seconds >= 0)
    cells = f.group_by(f.agent_id, *(f[d] for d in KIND_DIMS)).agg(
        tickets=f.count(),
        n_fcr=count_true(fcr.notnull()),
        x_fcr=count_true(fcr.fill_null(False)),
        n_reopen=count_true(reopened.notnull()),
        x_reopen=count_true(reopened.fill_null(False)),
        n_csat=count_true(satisfied.notnull()),
        x_csat=count_true(satisfied.fill_null(False)),
        n_resolution=count_true(has_t),
        s_resolution=log_t.sum(where=has_t),
        q_resolution=(log_t * log_t).sum(where=has_t),
    )
    frame = cells.to_pandas()
    for col in SUMS:
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype(float)
    for dim in ("agent_id", *KIND_DIMS):
        frame[dim] = frame[dim].astype("object")
    return frame


def agent_roster(store: Store) -> pd.DataFrame:
    """Every agent: id, name, home team, bot or not, when they left."""
    a = store.table("agents").select("agent_id", "name", "team_id", "is_bot", "left_at")
    frame = a.to_pandas()
    frame["is_bot"] = frame["is_bot"].fillna(False).astype(bool)
    frame["left_at"] = pd.to_datetime(frame["left_at"], utc=True)
    return frame
