"""Calls: the call log's KPIs (answered, abandoned, speed of answer, service level,
handle and hold time) and the speech KPIs (talk, silence, overtalk, the caller's mood)
by team, agent and hour, and the calls with the most silence, the most overtalk and
the worst fall in the caller's mood.

The speech figures are those of ``call_speech`` (``sanjeh analyze``): when no call of
the filters has them, the page says so instead of showing empty tables.
"""

from __future__ import annotations

import collections
from typing import Any

import ibis
import pandas as pd

from ...metrics import get_kpi
from ._common import Model, View, cards, column, num, table

CALL_LOG = (
    "calls_offered",
    "calls_answered",
    "calls_abandoned",
    "call_abandonment_rate",
    "average_speed_of_answer",
    "service_level",
    "average_handle_time",
    "average_hold_time",
)
SPEECH = (
    "talk_listen_ratio",
    "agent_talk_share",
    "silence_share",
    "longest_silence",
    "dead_air_rate",
    "overtalk_share",
    "agent_interruptions",
    "agent_speaking_rate",
    "longest_agent_monologue",
    "call_sentiment_change",
    "calls_ending_better",
)
#: the columns of the team, agent and hour tables
BOARD = (
    "calls_answered",
    "call_abandonment_rate",
    "average_speed_of_answer",
    "service_level",
    "average_handle_time",
    "average_hold_time",
    "talk_listen_ratio",
    "silence_share",
    "overtalk_share",
    "call_sentiment_change",
)
#: the worst calls: (table, fact column, highest first?)
WORST = (
    ("worst_silence", "silence_share", True),
    ("worst_overtalk", "overtalk_share", True),
    ("worst_sentiment", "sentiment_change", False),
)
TOP = 20
#: filters the call facts carry (the others, channel, tag …, are about tickets)
CALL_FILTERS = {"team": "team_id", "agent": "agent_id"}
_DAY = 86_400


def build(view: View) -> Model:
    headline = cards(view, CALL_LOG) + cards(view, SPEECH)
    tables = {
        "calls_by_queue": _board(view, "queue"),
        "calls_by_team": _board(view, "team"),
        "calls_by_agent": _board(view, "agent"),
        "calls_by_hour": _board(view, "hour"),
    }
    refused = [d for d, _ in view.filters.dims if d not in CALL_FILTERS]
    analysed = 0 if refused else _analysed(view)
    if analysed:
        for key, figure, highest in WORST:
            tables[key] = _worst(view, key, figure, highest)
    if refused:
        message = view.t("calls.filter_not_for_calls", filters=", ".join(refused))
    elif not analysed:
        message = view.t("calls.no_speech")
    else:
        message = None
    return view.page(
        "calls",
        cards=headline,
        tables=tables,
        speech={"analysed": analysed, "message": message},
    )


#: an abandoned call reached no agent, so it has no agent nor the agent's team: by team
#: and by agent the abandonment rate would always read 0 % (the queue table shows it)
NO_AGENT = ("call_abandonment_rate",)


def _board(view: View, by: str) -> Model:
    kpis = BOARD if by in ("queue", "hour") else tuple(k for k in BOARD if k not in NO_AGENT)
    frame = view.kpis(kpis, by=by, stats=False, compare=False)
    frame = frame[frame[by].notna()]
    values: dict[Any, dict[str, Any]] = collections.defaultdict(dict)
    counts: dict[Any, int] = collections.defaultdict(int)
    for ident, kpi, value, n in zip(
        frame[by].tolist(), frame.kpi.tolist(), frame.value.tolist(), frame.n.tolist(), strict=True
    ):
        values[ident][kpi] = value
        counts[ident] += 0 if num(n) is None else int(n)
    rows = []
    for ident, found in values.items():
        if not counts[ident]:
            continue
        if by == "agent":
            row: Model = {
                "id": str(ident),
                "name": view.agent_name(ident),
                "href": view.agent_link(ident),
            }
        elif by == "hour":  # the local hour of day the calls began: "09:00"
            row = {"id": str(ident), "name": view.locale.number(f"{ident}:00")}
        elif by == "queue":  # the queue as the call log names it
            row = {"id": str(ident), "name": str(ident)}
        else:
            row = {"id": str(ident), "name": view.team_name(ident)}
        row.update({k: num(found.get(k)) for k in kpis})
        rows.append(row)
    if by == "hour":
        rows.sort(key=lambda r: r["id"])  # the day in order
    else:
        rows.sort(key=lambda r: (-(r["calls_answered"] or 0), r["name"]))
    title = view.t(f"calls.col.{by}") if by in ("hour", "queue") else view.t(f"filter.{by}")
    cols = [column("name", title, href="href" if by == "agent" else None)]
    cols += [column(k, view.kpi_title(k), get_kpi(k).unit) for k in kpis]
    return table(view, view.t(f"calls.table.by_{by}"), cols, rows)


def _calls(view: View) -> ibis.Table:
    """The analysed calls of the filters' range, teams and agents."""
    source, f = view.source, view.filters
    t = source.table("facts_calls")
    t = t.filter(t.analysed)
    for dim, chosen in f.dims:
        t = t.filter(t[CALL_FILTERS[dim]].isin(list(chosen)))
    lo = source.local_seconds(f.start)
    hi = source.local_seconds(f.end) + _DAY
    return t.filter((t.started_local >= lo) & (t.started_local < hi))


def _analysed(view: View) -> int:
    def count() -> int:
        t = _calls(view)
        return int(view.source.run(t.aggregate(n=t.count())).n.iloc[0])

    return int(view.source.memo(("calls_analysed", view.filters.data_key), count))


def _worst(view: View, key: str, figure: str, highest: bool) -> Model:
    def fetch() -> list[dict[str, Any]]:
        t = _calls(view)
        t = t.filter(t[figure].notnull())
        order = t[figure].desc() if highest else t[figure].asc()
        t = t.order_by([order, t.call_id]).limit(TOP)
        picked = t.select("call_id", "agent_id", "started_at", figure)
        records = view.source.run(picked).to_dict(orient="records")
        return [{str(k): v for k, v in r.items()} for r in records]

    found = view.source.memo(("calls_worst", key, view.filters.data_key), fetch)
    unit = "ratio" if figure.endswith("_share") else "number"
    rows = []
    for r in found:
        started = r["started_at"]
        started = None if pd.isna(started) else pd.Timestamp(started)
        rows.append(
            {
                "call_id": r["call_id"],
                "agent": view.agent_name(r["agent_id"]),
                "agent_href": view.agent_link(r["agent_id"]),
                "started_at": started.isoformat() if started is not None else None,
                figure: num(r[figure]),
            }
        )
    cols = [
        column("call_id", view.t("calls.col.call")),
        column("agent", view.t("filter.agent"), href="agent_href"),
        column("started_at", view.t("calls.col.started_at"), "datetime"),
        column(figure, view.t(f"calls.col.{figure}"), unit),
    ]
    return table(view, view.t(f"calls.table.{key}"), cols, rows)
