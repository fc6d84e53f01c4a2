"""Per-ticket outcomes of an experiment: the tickets that take part, their variant and
the value of every metric, read from the ticket facts (``sanjeh.metrics.ensure_facts``).

A ticket takes part when it was created (local date, the facts' ``created_local``) in
[start, end) and before ``as_of``, is not a merged duplicate, and has a variant:

- ``table``: its row in ``experiment_assignments`` for this experiment (a ticket with no
  row is not in the experiment; rows naming an unknown variant, or several rows with
  different variants, exclude the ticket and are counted);
- ``hash``: ``variant_for`` (every ticket created in the window);
- ``tag``: the one variant name among its tags (none or several: excluded, counted);
- ``field``: the value of the ticket column (not a variant: excluded, counted).

Metrics (the KPIs' own definitions, one value per ticket):

- csat: the ticket's last answered CSAT survey is satisfied (top-two-box, or good/bad
  per ``csat_method``); a ticket with no answer has no value;
- fcr: the facts' ``fcr``; pending (``fcr_pending``) or unsolved tickets have none;
- reopen: the facts' ``reopened`` over solved tickets; ``reopen_pending`` is pending;
- first_reply_time, resolution_time: seconds (business or calendar hours), for tickets
  answered / solved;
- handle_time: talk + hold + wrap of the answered calls linked to the ticket, summed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .. import metrics
from ..store import Store
from ._assign import variant_for
from ._config import METRICS, Experiment

DAY = 86_400.0


@dataclasses.dataclass
class Outcomes:
    """The tickets in the experiment, one row each: ``ticket_id``, ``variant``,
    ``created_at`` and one column per metric (float; NaN = no value), plus
    ``<metric>_pending`` (bool) for fcr and reopen."""

    frame: pd.DataFrame
    #: tickets in the window left out, by reason
    excluded: dict[str, int]


def ticket_outcomes(
    store: Store,
    experiment: Experiment,
    *,
    as_of: dt.datetime | None = None,
    config: metrics.MetricsConfig | None = None,
) -> Outcomes:
    """The experiment's tickets with their variant and outcomes (see the module)."""
    config = config or metrics.MetricsConfig.from_settings()
    metrics.ensure_facts(store, config)
    wanted = (experiment.metric, *experiment.guardrails)
    suffix = "_bs" if experiment.hours == "business" else "_s"
    with store.lock:
        t = store.con.table("facts_tickets")
        lo = (experiment.start - dt.date(1970, 1, 1)).days * DAY
        cond = t.created_local >= lo
        if experiment.end is not None:
            cond &= t.created_local < (experiment.end - dt.date(1970, 1, 1)).days * DAY
        if as_of is not None:
            cond &= t.created_at < _utc(as_of)
        cols = ["ticket_id", "created_at", "is_merged", "is_solved", "solved_at"]
        if experiment.assignment == "tag":
            cols.append("tags")
        cols += ["fcr", "fcr_pending", "reopened", "reopen_pending", "first_reply_at"]
        cols += [f"first_reply{suffix}", f"full_resolution{suffix}"]
        if experiment.assignment == "field" and experiment.field:
            cols.append(experiment.field)
        tickets = store.con.execute(t.filter(cond).select(*dict.fromkeys(cols)))
        rows = None
        if experiment.assignment == "table":
            a = store.con.table("experiment_assignments")
            rows = store.con.execute(
                a.filter(a.experiment == experiment.name).select("ticket_id", "variant")
            )
        csat = calls = None
        if "csat" in wanted:
            s = store.con.table("facts_surveys")
            good = "satisfied" if config.options.csat_method == "top_two_box" else "good"
            csat = store.con.execute(
                s.filter((s.survey == "csat") & s.answered & s.ticket_id.notnull()).select(
                    "ticket_id", "at", ok=s[good]
                )
            )
        if "handle_time" in wanted:
            c = store.con.table("facts_calls")
            calls = store.con.execute(
                c.filter(c.answered & c.ticket_id.notnull() & c.handle_s.notnull())
                .group_by("ticket_id")
                .aggregate(handle=c.handle_s.sum())
            )
    excluded: dict[str, int] = {}
    merged = tickets["is_merged"].fillna(False).astype(bool)
    if merged.any():
        excluded["merged duplicates"] = int(merged.sum())
    tickets = tickets[~merged.to_numpy()].reset_index(drop=True)
    tickets["variant"] = _variants(experiment, tickets, rows, excluded)
    tickets = tickets[tickets["variant"].notna()].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "ticket_id": tickets["ticket_id"].astype(str),
            "variant": tickets["variant"].astype(str),
            "created_at": tickets["created_at"],
        }
    )
    for name in wanted:
        _values(name, tickets, out, csat, calls, suffix)
    return Outcomes(frame=out, excluded=excluded)


def _values(
    name: str,
    tickets: pd.DataFrame,
    out: pd.DataFrame,
    csat: pd.DataFrame | None,
    calls: pd.DataFrame | None,
    suffix: str,
) -> None:
    """Add metric ``name``'s per-ticket column(s) to ``out`` (rows as in ``tickets``)."""
    solved = tickets["solved_at"].notna().to_numpy()
    if name == "csat":
        assert csat is not None
        last = csat.sort_values("at").groupby("ticket_id").tail(1)
        ok = dict(zip(last["ticket_id"].astype(str), last["ok"], strict=True))
        out["csat"] = [_float(ok.get(x)) for x in out["ticket_id"]]
    elif name == "fcr":
        pending = tickets["fcr_pending"].fillna(False).astype(bool).to_numpy()
        value = tickets["fcr"].astype("float64").to_numpy()
        out["fcr"] = np.where(pending | ~solved, np.nan, value)
        out["fcr_pending"] = pending
        out["fcr_unsolved"] = ~solved & ~pending
    elif name == "reopen":
        pending = tickets["reopen_pending"].fillna(False).astype(bool).to_numpy()
        value = tickets["reopened"].astype("float64").to_numpy()
        out["reopen"] = np.where(pending | ~solved, np.nan, value)
        out["reopen_pending"] = pending
        out["reopen_unsolved"] = ~solved & ~pending
    elif name == "first_reply_time":
        value = tickets[f"first_reply{suffix}"].astype("float64").to_numpy()
        answered = tickets["first_reply_at"].notna().to_numpy()
        out[name] = np.where(answered, value, np.nan)
    elif name == "resolution_time":
        value = tickets[f"full_resolution{suffix}"].astype("float64").to_numpy()
        out[name] = np.where(solved, value, np.nan)
    elif name == "handle_time":
        assert calls is not None
        handle = dict(zip(calls["ticket_id"].astype(str), calls["handle"], strict=True))
        out[name] = [_float(handle.get(x)) for x in out["ticket_id"]]


def _float(value: Any) -> float:
    if value is None or value is pd.NA:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _utc(at: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(), tzinfo=dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC)


def _variants(
    experiment: Experiment,
    tickets: pd.DataFrame,
    rows: pd.DataFrame | None,
    excluded: dict[str, int],
) -> list[str | None]:
    ids = tickets["ticket_id"].astype(str).tolist()
    known = set(experiment.variants)

    def count(reason: str, n: int) -> None:
        if n:
            excluded[reason] = excluded.get(reason, 0) + n

    if experiment.assignment == "hash":
        return [variant_for(experiment, t) for t in ids]
    if experiment.assignment == "table":
        assert rows is not None
        given: dict[str, set[str]] = {}
        for tid, var in zip(rows["ticket_id"].astype(str), rows["variant"], strict=True):
            given.setdefault(tid, set()).add(str(var))
        out: list[str | None] = []
        unknown = several = 0
        for t in ids:
            vs = given.get(t)
            if not vs:
                out.append(None)  # not in the experiment
            elif len(vs) > 1:
                several += 1
                out.append(None)
            elif (v := next(iter(vs))) not in known:
                unknown += 1
                out.append(None)
            else:
                out.append(v)
        count("assigned several different variants", several)
        count("assigned a variant that is not configured", unknown)
        return out
    if experiment.assignment == "tag":
        out = []
        none = several = 0
        for tags in tickets["tags"]:
            hits = known.intersection(list(tags) if tags is not None else [])
            if len(hits) == 1:
                out.append(next(iter(hits)))
            else:
                none += not hits
                several += len(hits) > 1
                out.append(None)
        count("no variant tag", none)
        count("several variant tags", several)
        return out
    assert experiment.field is not None
    out = []
    other = 0
    for value in tickets[experiment.field]:
        if value is not None and not pd.isna(value) and str(value) in known:
            out.append(str(value))
        else:
            other += 1
            out.append(None)
    count(f"{experiment.field} is not a variant", other)
    return out


__all__ = ["METRICS", "Outcomes", "ticket_outcomes"]
