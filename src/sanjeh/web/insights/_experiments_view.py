"""The view models of the experiments pages (``experiments.py``): the list and one
experiment's results, each the twin's JSON and the page's model at once.

The figures are ``sanjeh.experiments.results(...).as_dict()`` as the library computes
them (kept whole under ``results`` in the detail's model), with their texts in the
page's language, digits and calendar beside them (``*_display``). The verdict and the
notes are the library's sentences (English); the status, the design line, the SRM
warning and the pending / excluded counts are said in the page's language.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ...experiments import Experiment, results
from .._charts import PALETTE, Figure, _layout
from .._i18n import Locale
from .._source import Source

Model = dict[str, Any]
#: the library's statuses → the catalogue's keys
STATUS_KEYS = {
    "collecting": "collecting",
    "significant": "significant",
    "no detectable difference": "no_difference",
    "srm": "srm",
}
#: the tests the library names → the catalogue's keys (else the name as it is)
TEST_KEYS = {
    "two-proportion z-test (pooled)": "z",
    "always-valid normal-mixture confidence sequence (mSPRT)": "msprt",
    "Welch t-test on log(1 + seconds)": "welch_log",
    "always-valid normal-mixture confidence sequence on log(1 + seconds)": "msprt_log",
    "Welch t-test on the mean (seconds)": "welch_mean",
    "Mann-Whitney U": "mann_whitney",
}


def compute(source: Source, experiment: Experiment) -> Model:
    """The library's results over the server's store: the facts brought up to date first
    (``Source.refresh``, under the write gate, as the refresh loop does: the results
    would otherwise rebuild them beside the requests), then read under the gate and the
    store's lock."""
    source.limits.take_turn()  # (lock order: a turn, the gate, the store's lock)
    source.refresh()
    with source.gate.read(), source.db_lock:
        found: Model = results(
            source.store, experiment, as_of=source.as_of, config=source.config
        ).as_dict()
    return found


# -- texts --------------------------------------------------------------------------------


def _day(locale: Locale, iso: str | None) -> str:
    return "—" if not iso else locale.date(dt.date.fromisoformat(iso))


def _when(locale: Locale, iso: str | None, timezone: str) -> str:
    if not iso:
        return "—"
    return locale.datetime(dt.datetime.fromisoformat(iso.removesuffix("Z")), timezone)


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def p_text(locale: Locale, p: Any) -> str:
    p = _finite(p)
    if p is None:
        return "—"
    if p < 0.001:
        return locale.number("< 0.001")
    return locale.number(f"{p:.3f}")


def _signed(locale: Locale, text: str) -> str:
    return locale.number(text.replace("-", "−"))


def effect_text(locale: Locale, kind: str, value: Any) -> str:
    """An absolute effect: points of a share, or a signed duration."""
    value = _finite(value)
    if value is None:
        return "—"
    if kind == "proportion":
        return f"{_signed(locale, f'{value * 100:+.1f}')} {locale.t('unit.pt')}"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return locale.number(sign) + locale.value("seconds", abs(value))


def relative_text(locale: Locale, value: Any) -> str:
    value = _finite(value)
    return "—" if value is None else _signed(locale, f"{value * 100:+.1f}%")


def interval_text(locale: Locale, pair: Any, show: Any) -> str:
    """``[low, high]`` with ``show`` formatting each end."""
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return "—"
    lo, hi = (_finite(v) for v in pair)
    if lo is None or hi is None:
        return "—"
    return f"[{show(lo)} {locale.t('experiments.to')} {show(hi)}]"


def _status(locale: Locale, status: str) -> str:
    return locale.t(f"experiments.status.{STATUS_KEYS.get(status, 'collecting')}")


def _metric_title(locale: Locale, metric: str) -> str:
    return locale.t(f"experiments.metric.{metric}")


def _test(locale: Locale, name: Any) -> str:
    if not name:
        return "—"
    key = TEST_KEYS.get(str(name))
    return locale.t(f"experiments.test.{key}") if key else str(name)


def design_text(locale: Locale, e: Model) -> str:
    """The design in one line: fixed horizon or sequential, with alpha, power and MDE."""
    mde = float(e["mde"])
    shown = (
        f"{locale.number(f'{mde * 100:.1f}')} {locale.t('unit.pt')}"
        if e["kind"] == "proportion"
        else locale.number(f"{mde * 100:.0f}%")
    )
    return locale.t(
        f"experiments.design.{e['design']}_line",
        alpha=locale.number(f"{float(e['alpha']):g}"),
        power=locale.number(f"{float(e['power']) * 100:.0f}%"),
        mde=shown,
    )


# -- the list -----------------------------------------------------------------------------


def _progress(locale: Locale, r: Model) -> Model:
    p = r["progress"]
    have = sum(int(v) for v in (p.get("n") or {}).values())
    required = p.get("required")
    need = sum(int(v) for v in required.values()) if required else None
    share = _finite(p.get("share"))
    text = (
        locale.t("experiments.progress.of", n=have, required=need)
        if need
        else locale.t("experiments.progress.unsized", n=have)
    )
    return {
        "n": have,
        "required": need,
        "share": share,
        "share_display": locale.value("ratio", share),
        "reached": bool(p.get("reached")),
        "display": text,
    }


def summary(locale: Locale, r: Model) -> Model:
    """One experiment's line in the list."""
    e = r["experiment"]
    return {
        "name": e["name"],
        "title": e["title"],
        "href": f"/insights/experiments/{e['name']}",
        "variants": e["variants"],
        "control": e["control"],
        "metric": e["metric"],
        "metric_title": _metric_title(locale, e["metric"]),
        "guardrails": e["guardrails"],
        "assignment": e["assignment"],
        "design": e["design"],
        "design_title": locale.t(f"experiments.design.{e['design']}"),
        "start": e["start"],
        "end": e["end"],
        "period_display": locale.t(
            "experiments.period",
            start=_day(locale, e["start"]),
            end=_day(locale, e["end"]) if e["end"] else locale.t("experiments.running"),
        ),
        "status": r["status"],
        "status_title": _status(locale, r["status"]),
        "verdict": r["verdict"],
        "srm": bool(r["srm"].get("flag")),
        "progress": _progress(locale, r),
    }


def list_model(source: Source, locale: Locale, experiments: tuple[Experiment, ...]) -> Model:
    """``/insights/experiments``: every declared experiment, in the order declared."""
    found = [summary(locale, compute(source, e)) for e in experiments]
    return {
        "page": "experiments",
        "title": locale.t("experiments.title"),
        "locale": _locale_part(locale),
        "experiments": found,
        "counts": {
            "experiments": len(found),
            **{s: sum(x["status"] == s for x in found) for s in STATUS_KEYS},
        },
        "message": None if found else locale.t("experiments.none"),
    }


def _locale_part(locale: Locale) -> Model:
    return {
        "lang": locale.lang,
        "calendar": locale.calendar,
        "digits": locale.digits,
        "dir": locale.dir,
    }


# -- one experiment -----------------------------------------------------------------------


def _value(locale: Locale, unit: str, value: Any) -> str:
    return locale.value(unit, _finite(value))


def metric_block(locale: Locale, m: Model) -> Model:
    """A metric (primary or guardrail) per variant and per comparison, with its texts."""
    unit, kind = m["unit"], m["kind"]
    rows = []
    for v in m["variants"]:
        rows.append(
            {
                **v,
                "n_display": locale.integer(v["n"]),
                "value_display": _value(locale, unit, v.get("value")),
                "ci_display": interval_text(locale, v.get("ci"), lambda x: _value(locale, unit, x)),
                "pending": int(v.get("pending") or 0),
                "unsolved": int(v.get("unsolved") or 0),
                "no_value": int(v.get("no_value") or 0),
            }
        )
    comparisons = []
    for c in m["comparisons"]:
        effect = c.get("effect") or {}
        relative_ci = effect.get("ci_relative")
        ci = (
            interval_text(locale, relative_ci, lambda x: relative_text(locale, x))
            if relative_ci
            else interval_text(locale, effect.get("ci"), lambda x: effect_text(locale, kind, x))
        )
        if c.get("better"):
            outcome = "better"
        elif c.get("worse"):
            outcome = "worse"
        elif c.get("test") is None:
            outcome = "too_few"
        else:
            outcome = "no_difference"
        comparisons.append(
            {
                "variant": c["variant"],
                "control": c["control"],
                "effect": _finite(effect.get("absolute")),
                "effect_display": effect_text(locale, kind, effect.get("absolute")),
                "relative": _finite(effect.get("relative")),
                "relative_display": relative_text(locale, effect.get("relative")),
                "ci": effect.get("ci") or relative_ci,
                "ci_is_relative": bool(relative_ci),
                "ci_display": ci,
                "ci_method": effect.get("ci_method"),
                "p_value": _finite(c.get("p_value")),
                "p_display": p_text(locale, c.get("p_value")),
                "test": c.get("test"),
                "test_title": _test(locale, c.get("test")),
                "significant": bool(c.get("significant")),
                "outcome": outcome,
                "outcome_title": locale.t(f"experiments.outcome.{outcome}"),
                "secondary": [
                    {
                        **s,
                        "test_title": _test(locale, s.get("test")),
                        "p_display": p_text(locale, s.get("p_value")),
                    }
                    for s in c.get("secondary") or []
                ],
            }
        )
    return {
        "metric": m["metric"],
        "title": _metric_title(locale, m["metric"]),
        "kind": kind,
        "unit": unit,
        "higher_is_better": m["higher_is_better"],
        "direction": locale.t(
            "experiments.higher_better" if m["higher_is_better"] else "experiments.lower_better"
        ),
        "variants": rows,
        "comparisons": comparisons,
    }


def _srm(locale: Locale, s: Model, variants: list[str]) -> Model:
    counts, expected = s.get("counts") or {}, s.get("expected") or {}
    flag = bool(s.get("flag"))
    return {
        **s,
        "rows": [
            {
                "variant": v,
                "n": int(counts.get(v, 0)),
                "n_display": locale.integer(counts.get(v, 0)),
                "expected": _finite(expected.get(v)),
                "expected_display": locale.number(f"{float(expected.get(v) or 0):,.1f}"),
            }
            for v in variants
        ],
        "p_display": p_text(locale, s.get("p_value")),
        "message": locale.t(
            "experiments.srm.warning" if flag else "experiments.srm.ok",
            p=p_text(locale, s.get("p_value")),
            threshold=locale.number(f"{float(s.get('threshold') or 0):g}"),
        ),
    }


def _pending_notes(locale: Locale, blocks: list[Model]) -> list[str]:
    said = []
    for b in blocks:
        pending = sum(v["pending"] for v in b["variants"])
        unsolved = sum(v["unsolved"] for v in b["variants"])
        if pending:
            said.append(locale.t("experiments.note.pending", n=pending, metric=b["title"]))
        if unsolved:
            said.append(locale.t("experiments.note.unsolved", n=unsolved, metric=b["title"]))
    return said


def ci_figure(locale: Locale, block: Model) -> Figure:
    """Each variant's value with its confidence interval (a point and its error bar)."""
    ratio = block["unit"] == "ratio"
    scale = 100.0 if ratio else 1.0
    rows = [v for v in block["variants"] if _finite(v.get("value")) is not None]
    names = [v["variant"] for v in rows]
    values = [float(v["value"]) * scale for v in rows]
    lows, highs = [], []
    for v, y in zip(rows, values, strict=True):
        ci = v.get("ci") or [None, None]
        lo, hi = _finite(ci[0]), _finite(ci[1])
        lows.append(max(0.0, y - lo * scale) if lo is not None else 0.0)
        highs.append(max(0.0, hi * scale - y) if hi is not None else 0.0)
    text = [
        f"{v['variant']}: {v['value_display']} {v['ci_display']} (n = {v['n_display']})"
        for v in rows
    ]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": block["title"],
            "x": names,
            "y": values,
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": highs,
                "arrayminus": lows,
                "color": PALETTE[0],
                "thickness": 2,
                "width": 8,
            },
            "marker": {
                "size": 12,
                "color": [PALETTE[6] if v.get("control") else PALETTE[0] for v in rows],
            },
            "customdata": text,
            "hovertemplate": "%{customdata}<extra></extra>",
        }
    ]
    unit = "%" if ratio else locale.t("experiments.seconds")
    layout = _layout(
        locale,
        showlegend=False,
        xaxis={"type": "category"},
        yaxis={"title": {"text": f"{block['title']} ({unit})"}, "rangemode": "normal"},
    )
    return {"data": data, "layout": layout}


def detail_model(source: Source, locale: Locale, experiment: Experiment) -> Model:
    """``/insights/experiments/{name}``."""
    r = compute(source, experiment)
    e = r["experiment"]
    primary = metric_block(locale, r["primary"])
    guardrails = [metric_block(locale, g) for g in r["guardrails"]]
    return {
        "page": "experiment",
        "title": e["title"],
        "locale": _locale_part(locale),
        "name": e["name"],
        "summary": summary(locale, r),
        "status": r["status"],
        "status_title": _status(locale, r["status"]),
        "verdict": r["verdict"],
        "as_of": r["as_of"],
        "as_of_display": _when(locale, r["as_of"], source.timezone),
        "design_display": design_text(locale, e),
        "assignment_display": locale.t(f"experiments.assignment.{e['assignment']}"),
        "primary": primary,
        "guardrails": guardrails,
        "srm": _srm(locale, r["srm"], e["variants"]),
        "notes": _pending_notes(locale, [primary, *guardrails]),
        "library_notes": r["notes"],
        "charts": {
            "ci": {
                "title": locale.t("experiments.chart.ci", metric=primary["title"]),
                "figure": ci_figure(locale, primary),
            }
        },
        "results": r,
    }
