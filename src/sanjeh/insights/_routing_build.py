"""The skill table: for every level of case kind (``LEVELS``, finest first) one row per
agent and kind with each outcome's count, raw rate, the reference it is shrunk toward and
the shrunk estimate (``_routing_stats``), and each outcome's *lift*: how far the estimate
stands from the kind's mean over all agents, in the kind's spread (rates:
``(p̃ − M) / √(M (1 − M))``, negated for reopens; resolution: ``(μ − ỹ) / σ`` on the log
scale, faster is better). The score combines the lifts (``_routing.WEIGHTS``).

The **reference** an agent is shrunk toward is their home team's pooled mean for that
kind; when their teammates have fewer than ``MIN_TEAM_TICKETS`` tickets with the
outcome there (a team of one, a team new to the kind), the whole operation's mean for
the kind instead (an agent without a team: the same). Bots are left out of the table
(they are not routed to, and their outcomes would move the team means); agents who have
left stay in it (their history says what their team did) but are never recommended.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ._routing_data import KIND_DIMS, SUMS
from ._routing_stats import log_prior_strength, rate_prior_strength, shrunk

#: case kinds from the finest to the coarsest: a ticket is matched at the first level
#: where enough agents have handled its kind (``_routing.recommend``)
LEVELS: tuple[tuple[str, ...], ...] = (
    ("category", "language", "channel"),
    ("category", "language"),
    ("category", "channel"),
    ("category",),
    ("language", "channel"),
    ("language",),
    ("channel",),
    (),
)
#: the outcomes: rates (name → higher is better?) and the one duration
RATES: dict[str, bool] = {"fcr": True, "csat": True, "reopen": False}
DURATION = "resolution"
OUTCOMES = (*RATES, DURATION)
#: teammates' tickets with an outcome in a kind needed for the team's mean to be the
#: reference (else: every agent's mean for the kind)
MIN_TEAM_TICKETS = 10
NO_TEAM = ""


@dataclasses.dataclass(frozen=True)
class Level:
    """One level of the skill table: its dimensions, rows and prior strengths."""

    dims: tuple[str, ...]
    #: one row per agent and kind (columns: agent_id, team_id, dims, tickets, and per
    #: outcome o: n_o, raw_o, ref_o, ref_team_o, est_o, mean_o, lift_o)
    rows: pd.DataFrame
    #: κ per outcome (see ``_routing_stats``)
    kappa: dict[str, float]
    #: the log-scale spread of resolution times at this level (σ, within agents)
    sigma: float


def _prefixed(frame: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    keys = ["agent_id", "team_id", *dims]
    return frame.groupby(keys, dropna=False, sort=False)[list(SUMS)].sum().reset_index()


def _reference(
    rows: pd.DataFrame, dims: tuple[str, ...], n_col: str, value_col: str
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(team-or-kind reference mean, whether it is the team's, the kind's mean)."""
    team_keys = ["team_id", *dims]
    team_n = rows.groupby(team_keys, dropna=False, sort=False)[n_col].transform("sum")
    team_s = rows.groupby(team_keys, dropna=False, sort=False)[value_col].transform("sum")
    if dims:
        kind = rows.groupby(list(dims), dropna=False, sort=False)
        kind_n, kind_s = kind[n_col].transform("sum"), kind[value_col].transform("sum")
    else:
        kind_n = pd.Series(rows[n_col].sum(), index=rows.index)
        kind_s = pd.Series(rows[value_col].sum(), index=rows.index)
    kind_mean = kind_s / kind_n.where(kind_n > 0)
    mates = team_n - rows[n_col]
    use_team = (mates >= MIN_TEAM_TICKETS) & (rows.team_id != NO_TEAM)
    ref = (team_s / team_n.where(team_n > 0)).where(use_team, kind_mean)
    return ref, use_team, kind_mean


def build_level(cells: pd.DataFrame, dims: tuple[str, ...]) -> Level:
    """The rows of one level from the finest cells (bots already left out)."""
    rows = _prefixed(cells, dims)
    group = rows["team_id"].astype(str)
    for d in dims:
        group = group + "\x1f" + rows[d].astype(str)
    kappa: dict[str, float] = {}
    for name, higher in RATES.items():
        n, x = rows[f"n_{name}"], rows[f"x_{name}"]
        k = rate_prior_strength(n, x, group)
        ref, own, kind_mean = _reference(rows, dims, f"n_{name}", f"x_{name}")
        est = shrunk(x, n, ref, k)
        spread = ((kind_mean * (1 - kind_mean)) ** 0.5).where(lambda s: s > 0)
        lift = (est - kind_mean) / spread
        rows[f"raw_{name}"] = x / n.where(n > 0)
        rows[f"ref_{name}"], rows[f"ref_team_{name}"] = ref, own
        rows[f"est_{name}"], rows[f"mean_{name}"] = est, kind_mean
        rows[f"lift_{name}"] = lift if higher else -lift
        kappa[name] = k
    n, s, q = rows["n_resolution"], rows["s_resolution"], rows["q_resolution"]
    k = log_prior_strength(n, s, q, group)
    within = float((n - 1).clip(lower=0).sum())
    spread_t = float(np.sqrt((q - s**2 / n.where(n > 0)).clip(lower=0).sum() / within))
    sigma = spread_t if within > 0 and spread_t > 0 else float("nan")
    ref, own, kind_mu = _reference(rows, dims, "n_resolution", "s_resolution")
    est = shrunk(s, n, ref, k)
    rows["raw_resolution"] = np.exp(s / n.where(n > 0))
    rows["ref_resolution"], rows["ref_team_resolution"] = np.exp(ref), own
    rows["est_resolution"], rows["mean_resolution"] = np.exp(est), np.exp(kind_mu)
    rows["lift_resolution"] = (kind_mu - est) / sigma
    kappa[DURATION] = k
    return Level(dims=dims, rows=rows, kappa=kappa, sigma=sigma)


def build_levels(cells: pd.DataFrame, roster: pd.DataFrame) -> dict[tuple[str, ...], Level]:
    """Every level of :data:`LEVELS` from the finest cells and the agents' roster."""
    bots = set(roster.loc[roster.is_bot, "agent_id"].astype(str))
    teams = dict(zip(roster.agent_id.astype(str), roster.team_id, strict=True))
    cells = cells[~cells.agent_id.astype(str).isin(bots)].copy()
    cells["agent_id"] = cells.agent_id.astype(str)
    cells["team_id"] = [_team(teams.get(a)) for a in cells.agent_id]
    for d in KIND_DIMS:
        cells[d] = cells[d].where(cells[d].notna(), None)
    return {dims: build_level(cells, dims) for dims in LEVELS}


def _team(value: Any) -> str:
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    return NO_TEAM if missing else str(value)


def left_by(roster: pd.DataFrame, now: dt.datetime) -> set[str]:
    """The agents who had left by ``now`` (``agents.left_at``)."""
    gone = roster.left_at.notna() & (roster.left_at <= pd.Timestamp(now))
    return set(roster.loc[gone, "agent_id"].astype(str))
