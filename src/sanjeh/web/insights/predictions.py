"""The predictions page (#17): ``/insights`` and its JSON twin ``/api/insights``.

One view model makes both (datasette style): each trained model's card (hold-out AUC
and Brier score against its baseline, the train and test windows, the features that
matter by permutation importance, a calibration plot), inferred CSAT beside answered
CSAT by team and by agent (the KPIs, through the dashboard's filters), and the customers
with the highest churn risk with their reasons. Without a trained model the page says
what to run (``sanjeh insights train``) instead of showing empty tables.

The models and predictions are tables of ``sanjeh.model`` written by ``sanjeh.insights``
(``prediction_models``, ``customer_predictions``): read here as data. The facts' stamp
moves when ``ticket_predictions`` does, not when only those two change, so the page's
cache key carries their own fingerprint too.

Who may: the dashboard's viewers (``view_dashboard``); the agent table names only the
agents the viewer may name (an agent: themselves), and the churn list needs
``view_customers``.

(No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types.)
"""

import json
import math
import time
from typing import Any

import ibis
import pandas as pd
from fastapi import FastAPI, Request

from ...accounts import can
from ...settings import Settings
from .._auth import authorize_view, current_actor
from .._charts import PALETTE, Figure, _layout
from .._i18n import Locale
from .._params import PageQuery
from .._routes import model_of, names_for, source_of
from .._source import Source
from ..views import Model, View
from ..views._common import card, column, link, num, table
from ._pages import page_routes

PAGE = "insights"
PATH = "/insights"
TEMPLATE = "insights/predictions.html"
#: the models a card is shown for, in this order
MODELS = ("csat", "churn")
#: inferred CSAT beside what customers answered
COMPARED = ("inferred_csat", "csat")
TOP_FEATURES = 8
TOP_CUSTOMERS = 20
#: how the card's figures are shown (three significant digits: 0.812)
METRIC = "metric"
#: what makes the models, named where there are none
TRAIN = "sanjeh insights train"


# -- reading the models and predictions ---------------------------------------------------


def fingerprint(source: Source) -> tuple[Any, ...]:
    """What changes when a model is trained or churn is predicted again (their tables
    do not move the facts' stamp): counts and latest instants. Read at most every
    ``FINGERPRINT_SECONDS`` per source, so a page from the cache takes no query."""
    now = time.monotonic()
    found = _FINGERPRINTS.get(id(source))
    if found is not None and found[0] is source and now - found[1] < FINGERPRINT_SECONDS:
        return found[2]
    value = _read_fingerprint(source)
    _FINGERPRINTS[id(source)] = (source, now, value)
    return value


#: how long a fingerprint is trusted (a new model shows within this many seconds)
FINGERPRINT_SECONDS = 5.0
_FINGERPRINTS: dict[int, tuple[Source, float, tuple[Any, ...]]] = {}


def _read_fingerprint(source: Source) -> tuple[Any, ...]:
    m = source.table("prediction_models")
    c = source.table("customer_predictions")
    models = source.run(m.aggregate(n=m.count(), last=m.trained_at.max()))
    churn = source.run(c.aggregate(n=c.count(), last=c.predicted_at.max()))
    return tuple(str(v) for v in (*models.iloc[0].tolist(), *churn.iloc[0].tolist()))


def latest_cards(source: Source) -> dict[str, Model]:
    """The card of each model's latest training (model → card as written)."""
    m = source.table("prediction_models")
    rows = source.run(m.select("model", "model_version", "trained_at", "card"))
    out: dict[str, Model] = {}
    for r in rows.sort_values(["trained_at", "model_version"]).to_dict(orient="records"):
        try:
            found = json.loads(r["card"])
        except (TypeError, ValueError):
            continue  # (a card that is not JSON is no card to show)
        if isinstance(found, dict):
            out[str(r["model"])] = {**found, "trained_at": _instant(r["trained_at"])}
    return out


def churn_risks(source: Source, limit: int = TOP_CUSTOMERS) -> list[Model]:
    """The customers still here with the highest latest churn probability."""
    p = source.table("customer_predictions")
    p = p.filter((p.model == "churn") & p.probability.notnull())
    w = ibis.window(
        group_by=p.customer_id, order_by=[ibis.desc(p.predicted_at), ibis.desc(p.prediction_id)]
    )
    latest = p.mutate(_n=ibis.row_number().over(w)).filter(lambda t: t._n == 0)
    c = source.table("customers").select(
        c_id="customer_id", name="name", segment="segment", plan="plan", churned_at="churned_at"
    )
    j = latest.left_join(c, latest.customer_id == c.c_id)
    j = j.filter(j.churned_at.isnull())  # those who left already are no risk any more
    top = j.order_by([j.probability.desc(), j.customer_id]).limit(limit)
    picked = top.select(
        "customer_id",
        "name",
        "segment",
        "plan",
        "probability",
        "horizon_days",
        "predicted_at",
        "reasons",
    )
    return [{str(k): v for k, v in r.items()} for r in source.run(picked).to_dict("records")]


def _instant(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    when = pd.Timestamp(value)
    when = when.tz_localize("UTC") if when.tzinfo is None else when
    return str(when.isoformat())


# -- the view model -----------------------------------------------------------------------


def build(view: View, *, customers: bool, stamp: tuple[Any, ...] = ()) -> Model:
    """The page's view model; ``customers``: may the viewer see customers (the churn
    list); ``stamp``: the models' and churn predictions' :func:`fingerprint`."""
    source = view.source
    found = source.memo(("insights_cards", stamp), lambda: latest_cards(source))
    models = [_model_card(view, found[m]) for m in MODELS if m in found]
    charts = {f"calibration_{m['model']}": m.pop("chart") for m in models}
    tables: dict[str, Model] = {}
    for m in models:
        tables[f"importance_{m['model']}"] = m.pop("importance_table")
    csat = "csat" in found
    if csat:
        tables["csat_by_team"] = _compared(view, "team")
        tables["csat_by_agent"] = _compared(view, "agent")
    churn: Model = {"shown": False, "message": None}
    if "churn" in found and customers:
        rows = source.memo(("insights_churn", stamp), lambda: churn_risks(source))
        tables["churn_risk"] = _churn_table(view, rows, found["churn"])
        churn = {"shown": True, "message": None if rows else view.t("insights.churn.none")}
    elif "churn" in found:
        churn["message"] = view.t("insights.churn.not_allowed")
    elif models:
        churn["message"] = view.t("insights.churn.no_model")
    model = view.page(
        PAGE,
        cards=_cards(view) if csat else [],
        charts=charts,
        tables=tables,
        models=models,
        message=None if models else view.t("insights.no_model", command=TRAIN),
        run=TRAIN,
        churn=churn,
    )
    model["title"] = view.t("insights.title")
    return model


def _cards(view: View) -> list[Model]:
    """Inferred and answered CSAT; the solved tickets without a prediction (the engine's
    ``pending`` rows of inferred CSAT) as ``unpredicted``, not as a window still open."""
    total = view.kpis(COMPARED, stats=False)
    out = [card(view, total[total.kpi == k].iloc[0]) for k in COMPARED if (total.kpi == k).any()]
    for c in out:
        if c["kpi"] == "inferred_csat":
            c["unpredicted"], c["pending"] = c["pending"] or 0, None
    return out


def _model_card(view: View, c: Model) -> Model:
    """A model's card, its figures shown in the page's digits and calendar."""
    lang = view.locale
    name = str(c.get("model", ""))
    metrics, baseline = c.get("metrics") or {}, c.get("baseline") or {}
    auc, brier = num(metrics.get("auc")), num(metrics.get("brier"))
    b_auc, b_brier = num(baseline.get("auc")), num(baseline.get("brier"))
    beats = None
    if None not in (auc, brier, b_auc, b_brier):
        beats = bool(auc > b_auc and brier < b_brier)  # type: ignore[operator]
    importance = [
        {"feature": str(i.get("feature")), "drop_auc": num(i.get("drop_auc")), "unit": METRIC}
        for i in (c.get("importance") or [])[:TOP_FEATURES]
        if isinstance(i, dict)
    ]
    return {
        "model": name,
        "title": view.t(f"insights.model.{name}"),
        "model_version": c.get("model_version"),
        "algorithm": c.get("algorithm"),
        "horizon_days": c.get("horizon_days"),
        "horizon_display": lang.integer(c["horizon_days"]) if c.get("horizon_days") else None,
        "trained_at": c.get("trained_at"),
        "trained_display": _when(view, c.get("trained_at")),
        "figures": [
            _figure(view, "auc", auc, b_auc, higher_is_better=True),
            _figure(view, "brier", brier, b_brier, higher_is_better=False),
        ],
        "baseline": {"name": baseline.get("name"), "auc": b_auc, "brier": b_brier},
        "beats_baseline": beats,
        "windows": [_window(view, side, c.get(side) or {}) for side in ("train", "test")],
        "importance": importance,
        "importance_table": table(
            view,
            view.t("insights.importance.title", model=view.t(f"insights.model.{name}")),
            [
                column("feature", view.t("insights.importance.feature")),
                column("drop_auc", view.t("insights.importance.drop_auc"), METRIC),
            ],
            importance,
        ),
        "calibration": [b for b in (c.get("calibration") or []) if isinstance(b, dict)],
        "chart": {
            "title": view.t("insights.calibration.title", model=view.t(f"insights.model.{name}")),
            "figure": calibration_figure(view.locale, c.get("calibration") or []),
        },
    }


def _figure(
    view: View, key: str, value: float | None, baseline: float | None, *, higher_is_better: bool
) -> Model:
    better = None
    if value is not None and baseline is not None:
        better = value > baseline if higher_is_better else value < baseline
    return {
        "key": key,
        "label": view.t(f"insights.metric.{key}"),
        "value": value,
        "display": view.locale.value(METRIC, value),
        "baseline": baseline,
        "baseline_display": view.locale.value(METRIC, baseline),
        "better": better,
    }


def _window(view: View, side: str, split: Model) -> Model:
    start, until = split.get("from"), split.get("until")
    return {
        "side": side,
        "label": view.t(f"insights.window.{side}"),
        "rows": split.get("rows"),
        "positives": split.get("positives"),
        "from": start,
        "until": until,
        "display": view.t(
            "insights.window.text",
            start=_day(view, start),
            until=_day(view, until),
            rows=int(split.get("rows") or 0),
            positives=int(split.get("positives") or 0),
        ),
    }


def _day(view: View, value: Any) -> str:
    if not value:
        return "—"
    return view.locale.date(pd.Timestamp(value).to_pydatetime())


def _when(view: View, value: Any) -> str:
    if not value:
        return "—"
    return view.locale.datetime(pd.Timestamp(value).to_pydatetime(), view.source.timezone)


def calibration_figure(locale: Locale, bins: list[Any]) -> Figure:
    """Observed share against predicted probability per bin (marker size: rows), beside
    the diagonal a perfectly calibrated model would follow."""
    found = [b for b in bins if isinstance(b, dict) and num(b.get("predicted")) is not None]
    x = [num(b["predicted"]) for b in found]
    y = [num(b.get("observed")) for b in found]
    n = [int(b.get("n") or 0) for b in found]
    biggest = max(n, default=1) or 1
    text = [
        f"{locale.value('ratio', p)} → {locale.value('ratio', o)} ({locale.integer(k)})"
        for p, o, k in zip(x, y, n, strict=True)
    ]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": locale.t("insights.calibration.perfect"),
            "x": [0, 1],
            "y": [0, 1],
            "line": {"color": PALETTE[6], "dash": "dot"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": locale.t("insights.calibration.model"),
            "x": x,
            "y": y,
            "customdata": text,
            "hovertemplate": "%{customdata}<extra></extra>",
            "marker": {
                "color": PALETTE[0],
                "size": [8 + 14 * math.sqrt(k / biggest) for k in n],
            },
            "line": {"color": PALETTE[0]},
        },
    ]
    axis = {"range": [0, 1], "tickformat": ".0%", "zeroline": False}
    layout = _layout(
        locale,
        xaxis={**axis, "title": {"text": locale.t("insights.calibration.predicted")}},
        yaxis={**axis, "title": {"text": locale.t("insights.calibration.observed")}},
    )
    if locale.rtl:  # mirrored like every chart: 0 % on the right
        layout["xaxis"].pop("autorange", None)
        layout["xaxis"]["range"] = [1, 0]
    return {"data": data, "layout": layout}


def _compared(view: View, by: str) -> Model:
    """Inferred CSAT beside answered CSAT per team or agent (an agent's row only for a
    viewer who may name that agent)."""
    frame = view.kpis(COMPARED, by=by, stats=False, compare=False)
    frame = frame[frame[by].notna()]
    rows: dict[str, Model] = {}
    for r in frame.to_dict(orient="records"):
        ident = str(r[by])
        if by == "agent" and not view.may_name(ident):
            continue
        if by == "agent":
            row = rows.setdefault(
                ident,
                {"id": ident, "name": view.agent_name(ident), "href": view.agent_link(ident)},
            )
        else:
            row = rows.setdefault(ident, {"id": ident, "name": view.team_name(ident)})
        row[r["kpi"]] = num(r["value"])
        row[f"{r['kpi']}_n"] = int(r["n"]) if num(r["n"]) is not None else 0
    shown = [
        {**r, "gap": _gap(r.get("inferred_csat"), r.get("csat")), "unit": "ratio"}
        for r in rows.values()
        if r.get("inferred_csat_n") or r.get("csat_n")
    ]
    shown.sort(key=lambda r: (-(r.get("inferred_csat_n") or 0), r["name"]))
    cols = [
        column("name", view.t(f"filter.{by}"), href="href" if by == "agent" else None),
        column("inferred_csat", view.kpi_title("inferred_csat"), "ratio"),
        column("inferred_csat_n", view.t("insights.col.predicted_n"), "count"),
        column("csat", view.kpi_title("csat"), "ratio"),
        column("csat_n", view.t("insights.col.answered_n"), "count"),
        column("gap", view.t("insights.col.gap"), "kpi_change"),
    ]
    return table(view, view.t(f"insights.compare.by_{by}"), cols, shown)


def _gap(predicted: float | None, answered: float | None) -> float | None:
    return None if predicted is None or answered is None else predicted - answered


def _churn_table(view: View, found: list[Model], c: Model) -> Model:
    rows = []
    for r in found:
        rows.append(
            {
                "customer_id": r["customer_id"],
                "name": r["name"] if isinstance(r.get("name"), str) else r["customer_id"],
                "href": link("customers", r["customer_id"]),
                "segment": view.locale.label("segment", r.get("segment")),
                "plan": view.locale.label("plan", r.get("plan")),
                "probability": num(r["probability"]),
                "reasons": reasons_text(r.get("reasons")),
                "predicted_at": _instant(r.get("predicted_at")),
            }
        )
    days = c.get("horizon_days")
    title = view.t("insights.churn.title", days=int(days) if days else 0)
    cols = [
        column("name", view.t("insights.col.customer"), href="href"),
        column("segment", view.t("insights.col.segment")),
        column("plan", view.t("insights.col.plan")),
        column("probability", view.t("insights.col.churn_risk"), "ratio"),
        column("reasons", view.t("insights.col.reasons"), "verbatim"),
        column("predicted_at", view.t("insights.col.predicted_at"), "datetime"),
    ]
    return table(view, title, cols, rows)


def reasons_text(raw: Any) -> str:
    """A prediction's reasons (a JSON list of texts, or of {"feature", …}) as one line."""
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        found = json.loads(raw)
    except ValueError:
        return raw
    items = found if isinstance(found, list) else [found]
    said = []
    for item in items:
        if isinstance(item, dict):
            text = item.get("text") or item.get("feature") or ""
            value = item.get("value")
            said.append(f"{text} = {value}" if value is not None and not item.get("text") else text)
        else:
            said.append(str(item))
    return " · ".join(s for s in said if s)


# -- routes -------------------------------------------------------------------------------


def _model(request: Request, query: PageQuery) -> tuple[Model, View, tuple[Any, ...]]:
    authorize_view(request, (PAGE,), query.agent)  # before the cache: every view, every time
    source = source_of(request)
    customers = can(current_actor(request), "view_customers")
    stamp = fingerprint(source)
    key = (PAGE, stamp, customers)

    def builder(view: View) -> Model:
        return build(view, customers=customers, stamp=stamp)

    model, view = model_of(
        source, request.app.state.language, key, query, builder, names=names_for(request)
    )
    return model, view, key


def register(app: FastAPI, settings: Settings) -> None:
    """Add ``/insights`` and ``/api/insights``."""
    page_routes(
        app,
        name="insights",
        path=PATH,
        template=TEMPLATE,
        model_of=_model,
        summary="Predictions page data",
        description="Each prediction model's card (hold-out AUC and Brier score against "
        "its baseline, train / test windows, permutation importance, calibration), "
        "inferred CSAT (predicted) beside answered CSAT by team and agent, and the "
        "customers with the highest churn risk.",
    )


__all__ = ["build", "calibration_figure", "reasons_text", "register"]
