"""The results of an experiment: per variant, per comparison with the control, the
sample-ratio check, guardrails, sample size, progress and a verdict.

``results(store, experiment).as_dict()`` is the JSON the CLI (``--json``) and the web
page show; docs/experiments.md documents its shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import numpy as np

from .. import metrics
from ..store import Store
from . import _stats
from ._config import METRICS, Experiment
from ._outcomes import Outcomes, ticket_outcomes

STATUSES = ("collecting", "significant", "no detectable difference", "srm")
_FEW = 2  # fewer tickets with a value than this in an arm: no statistics
#: a sequential test's planned sample, in fixed-horizon samples: always-valid inference
#: pays for looking any time with a longer run (simulated, 0.8 → 0.77, 20 looks: power
#: 0.50 at 1×, 0.72 at 1.5×, 0.86 at 2×; docs/experiments.md)
SEQUENTIAL_FACTOR = 2.0


def _num(x: float | None) -> float | None:
    """JSON-safe: NaN and infinities become None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _pair(lo: float | None, hi: float | None) -> list[float | None] | None:
    lo, hi = _num(lo), _num(hi)
    return None if lo is None and hi is None else [lo, hi]


@dataclasses.dataclass(frozen=True)
class MetricResult:
    """One metric (the primary one or a guardrail) across the variants."""

    metric: str
    kind: str  # proportion | duration
    higher_is_better: bool
    variants: tuple[dict[str, Any], ...]
    comparisons: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "kind": self.kind,
            "unit": "ratio" if self.kind == "proportion" else "seconds",
            "higher_is_better": self.higher_is_better,
            "variants": [dict(v) for v in self.variants],
            "comparisons": [dict(c) for c in self.comparisons],
        }


@dataclasses.dataclass(frozen=True)
class ExperimentResults:
    experiment: Experiment
    as_of: dt.datetime
    status: str  # one of STATUSES
    verdict: str
    primary: MetricResult
    guardrails: tuple[MetricResult, ...]
    srm: dict[str, Any]
    sample_size: dict[str, Any] | None
    progress: dict[str, Any]
    notes: tuple[str, ...]
    assigned: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.as_dict(),
            "as_of": self.as_of.astimezone(dt.UTC)
            .replace(tzinfo=None)
            .isoformat(timespec="seconds")
            + "Z",
            "status": self.status,
            "verdict": self.verdict,
            "assigned": dict(self.assigned),
            "primary": self.primary.as_dict(),
            "guardrails": [g.as_dict() for g in self.guardrails],
            "srm": dict(self.srm),
            "sample_size": None if self.sample_size is None else dict(self.sample_size),
            "progress": dict(self.progress),
            "notes": list(self.notes),
        }


def results(
    store: Store,
    experiment: Experiment,
    *,
    as_of: dt.datetime | None = None,
    config: metrics.MetricsConfig | None = None,
) -> ExperimentResults:
    """The experiment's results with the tickets created before ``as_of`` (default:
    all; outcomes are the facts' current ones)."""
    found = ticket_outcomes(store, experiment, as_of=as_of, config=config)
    return evaluate(experiment, found, as_of=as_of)


def evaluate(
    experiment: Experiment, found: Outcomes, *, as_of: dt.datetime | None = None
) -> ExperimentResults:
    """The results from per-ticket outcomes (``ticket_outcomes``, or a frame of one's
    own with the same columns)."""
    frame = found.frame
    stamp = (as_of or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    counts = {v: int((frame["variant"] == v).sum()) for v in experiment.variants}
    notes = [f"{n} ticket(s) left out: {why}" for why, n in sorted(found.excluded.items())]
    srm = _srm(experiment, counts)
    primary, plan = _metric(experiment, frame, experiment.metric, notes, primary=True)
    guardrails = tuple(
        _metric(experiment, frame, g, notes, primary=False)[0] for g in experiment.guardrails
    )
    progress = _progress(experiment, primary, plan)
    status, verdict = _verdict(experiment, primary, guardrails, srm, progress)
    return ExperimentResults(
        experiment=experiment,
        as_of=stamp,
        status=status,
        verdict=verdict,
        primary=primary,
        guardrails=guardrails,
        srm=srm,
        sample_size=None if plan is None else plan.as_dict(),
        progress=progress,
        notes=tuple(notes),
        assigned=counts,
    )


def _srm(experiment: Experiment, counts: dict[str, int]) -> dict[str, Any]:
    n = [counts[v] for v in experiment.variants]
    test = _stats.srm(n, list(experiment.weights))
    total = sum(n)
    return {
        "counts": dict(counts),
        "expected": {
            v: total * w for v, w in zip(experiment.variants, experiment.weights, strict=True)
        },
        "chi2": _num(test["chi2"]),
        "p_value": _num(test["p"]),
        "threshold": _stats.SRM_ALPHA,
        "flag": bool(total > 0 and test["p"] < _stats.SRM_ALPHA),
    }


def _metric(
    experiment: Experiment,
    frame: Any,
    name: str,
    notes: list[str],
    *,
    primary: bool,
) -> tuple[MetricResult, _stats.SampleSize | None]:
    kind, higher = METRICS[name]
    alpha = experiment.alpha
    values: dict[str, np.ndarray] = {}
    rows = []
    for v in experiment.variants:
        part = frame[frame["variant"] == v]
        x = part[name].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        values[v] = x
        row: dict[str, Any] = {"variant": v, "control": v == experiment.control, "n": len(x)}
        for extra in ("pending", "unsolved"):
            col = f"{name}_{extra}"
            if col in part:
                row[extra] = int(part[col].sum())
        row["no_value"] = len(part) - len(x) - row.get("pending", 0) - row.get("unsolved", 0)
        row.update(_describe(kind, x, alpha))
        rows.append(row)
    for extra, why in (("pending", "window still open"), ("unsolved", "not solved yet")):
        total = sum(r.get(extra, 0) for r in rows)
        if total:
            notes.append(f"{name}: {total} ticket(s) pending ({why}), left out, not counted as 0")
    control = values[experiment.control]
    comparisons = []
    plan = None
    if primary:
        plan = _plan(experiment, kind, control)
    for v in experiment.variants[1:]:
        comparisons.append(_compare(experiment, kind, higher, control, values[v], v, plan, primary))
    return MetricResult(name, kind, higher, tuple(rows), tuple(comparisons)), plan


def _describe(kind: str, x: np.ndarray, alpha: float) -> dict[str, Any]:
    if kind == "proportion":
        if len(x) == 0:
            return {"value": None, "ci": None}
        lo, hi = _stats.wilson(float(x.sum()), len(x), alpha)
        return {"value": _num(float(x.mean())), "ci": _pair(lo, hi), "ci_method": "Wilson"}
    if len(x) == 0:
        return {"value": None, "ci": None, "mean": None, "median": None}
    logs = np.log1p(np.maximum(x, 0.0))
    gm = float(np.expm1(logs.mean()))
    ci = None
    if len(x) >= _FEW:
        se = float(logs.std(ddof=1)) / math.sqrt(len(x))
        q = _stats._z(1 - alpha / 2)
        ci = _pair(float(np.expm1(logs.mean() - q * se)), float(np.expm1(logs.mean() + q * se)))
    return {
        "value": _num(gm),
        "ci": ci,
        "ci_method": "geometric mean of 1 + seconds, minus 1; normal interval on the log",
        "mean": _num(float(x.mean())),
        "median": _num(float(np.median(x))),
    }


def _plan(experiment: Experiment, kind: str, control: np.ndarray) -> _stats.SampleSize | None:
    """The fixed-horizon sample size for the primary metric, from the control's data
    so far (its rate, or the sd of its log durations)."""
    if len(control) < _FEW:
        return None
    ratio = experiment.weights[1] / experiment.weights[0]
    mde = experiment.effective_mde
    try:
        if kind == "proportion":
            p = float(control.mean())
            p = min(max(p, 0.01), 0.99)
            return _stats.sample_size(kind, p, mde, experiment.alpha, experiment.power, ratio)
        sigma = float(np.log1p(np.maximum(control, 0.0)).std(ddof=1))
        if not sigma > 0:
            return None
        cv = math.sqrt(math.expm1(sigma * sigma))  # the log-normal's sd / mean
        return _stats.sample_size(kind, cv, mde, experiment.alpha, experiment.power, ratio)
    except ValueError:
        return None


def _compare(
    experiment: Experiment,
    kind: str,
    higher: bool,
    a: np.ndarray,
    b: np.ndarray,
    variant: str,
    plan: _stats.SampleSize | None,
    primary: bool,
) -> dict[str, Any]:
    alpha = experiment.alpha
    out: dict[str, Any] = {"variant": variant, "control": experiment.control}
    if len(a) < _FEW or len(b) < _FEW:
        out.update(effect=None, p_value=None, test=None, significant=False, better=None, worse=None)
        out["reason"] = "too few tickets with a value"
        return out
    sequential = experiment.design == "sequential"
    secondary: list[dict[str, Any]] = []
    if kind == "proportion":
        x1, n1, x2, n2 = float(a.sum()), len(a), float(b.sum()), len(b)
        p1, p2 = x1 / n1, x2 / n2
        diff = p2 - p1
        _, p = _stats.two_proportion_z(x1, n1, x2, n2)
        lo, hi = _stats.newcombe(x1, n1, x2, n2, alpha)
        test = "two-proportion z-test (pooled)"
        ci_method = "Newcombe hybrid score (Wilson)"
        relative = diff / p1 if p1 > 0 else math.nan
        var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        if sequential:
            var_plan = _var_plan_p(p1, plan, experiment)
            radius, p_seq = _stats.confidence_sequence(diff, var, var_plan, alpha)
            secondary.append(
                {
                    "test": test,
                    "p_value": _num(p),
                    "ci": _pair(lo, hi),
                    "note": "fixed-horizon: not valid when looking repeatedly",
                }
            )
            lo, hi, p = diff - radius, diff + radius, p_seq
            test = "always-valid normal-mixture confidence sequence (mSPRT)"
            ci_method = "confidence sequence (valid at every look)"
        effect = {
            "absolute": _num(diff),
            "relative": _num(relative),
            "ci": _pair(lo, hi),
            "ci_relative": None,
            "ci_method": ci_method,
        }
    else:
        la, lb = np.log1p(np.maximum(a, 0.0)), np.log1p(np.maximum(b, 0.0))
        w = _stats.welch(la, lb, alpha)
        diff, lo, hi, p = w["diff"], w["low"], w["high"], w["p"]
        test = "Welch t-test on log(1 + seconds)"
        ci_method = "Welch interval on the log, as a ratio of geometric means"
        if sequential:
            var = float(la.var(ddof=1)) / len(la) + float(lb.var(ddof=1)) / len(lb)
            var_plan = _var_plan_log(la, plan, experiment)
            radius, p_seq = _stats.confidence_sequence(diff, var, var_plan, alpha)
            secondary.append(
                {
                    "test": test,
                    "p_value": _num(p),
                    "note": "fixed-horizon: not valid when looking repeatedly",
                }
            )
            lo, hi, p = diff - radius, diff + radius, p_seq
            test = "always-valid normal-mixture confidence sequence on log(1 + seconds)"
            ci_method = "confidence sequence (valid at every look), as a ratio"
        raw = _stats.welch(a, b, alpha)
        mwu = _stats.mann_whitney(a, b)
        secondary.append(
            {
                "test": "Welch t-test on the mean (seconds)",
                "p_value": _num(raw["p"]),
                "effect": _num(raw["diff"]),
                "ci": _pair(raw["low"], raw["high"]),
            }
        )
        secondary.append(
            {
                "test": "Mann-Whitney U",
                "p_value": _num(mwu["p"]),
                "p_shorter": _num(mwu["p_shorter"]),
            }
        )
        effect = {
            "absolute": _num(float(np.median(b) - np.median(a))),
            "absolute_is": "difference of medians (seconds)",
            "relative": _num(math.expm1(diff)),
            "ci": None,
            "ci_relative": _pair(math.expm1(lo), math.expm1(hi)),
            "ci_method": ci_method,
        }
    significant = bool(p is not None and math.isfinite(p) and p < alpha)
    up = diff > 0
    out.update(
        effect=effect,
        p_value=_num(p),
        test=test,
        significant=significant,
        better=bool(significant and up == higher),
        worse=bool(significant and up != higher),
        secondary=secondary,
    )
    return out


def _var_plan_p(p1: float, plan: _stats.SampleSize | None, experiment: Experiment) -> float:
    """The variance of the difference at the planned sample size (tunes the mixture)."""
    n1, n2 = _planned(plan, experiment)
    q = min(max(p1, 0.01), 0.99)
    return q * (1 - q) * (1 / n1 + 1 / n2)


def _var_plan_log(la: np.ndarray, plan: _stats.SampleSize | None, ex: Experiment) -> float:
    n1, n2 = _planned(plan, ex)
    s2 = float(la.var(ddof=1)) or 1.0
    return s2 * (1 / n1 + 1 / n2)


def _planned(plan: _stats.SampleSize | None, experiment: Experiment) -> tuple[int, int]:
    if plan is None:
        return (1000, 1000)
    return (plan.control, plan.treatment)


def _progress(
    experiment: Experiment, primary: MetricResult, plan: _stats.SampleSize | None
) -> dict[str, Any]:
    n = {r["variant"]: int(r["n"]) for r in primary.variants}
    if plan is None:
        return {
            "n": n,
            "required": None,
            "share": None,
            "reached": False,
            "text": "not enough data yet to size the test",
            "factor": None,
        }
    w0 = experiment.weights[0]
    factor = SEQUENTIAL_FACTOR if experiment.design == "sequential" else 1.0
    required = {
        v: math.ceil(plan.control * factor * w / w0)
        for v, w in zip(experiment.variants, experiment.weights, strict=True)
    }
    share = min(n[v] / required[v] for v in experiment.variants) if required else 0.0
    have, need = sum(n.values()), sum(required.values())
    return {
        "n": n,
        "required": required,
        "share": _num(min(share, 1.0)),
        "reached": share >= 1.0,
        "text": f"{have:,} of {need:,} tickets with a {experiment.metric} value",
        "factor": factor,
    }


def _verdict(
    experiment: Experiment,
    primary: MetricResult,
    guardrails: tuple[MetricResult, ...],
    srm: dict[str, Any],
    progress: dict[str, Any],
) -> tuple[str, str]:
    worse = [
        f"{g.metric} is worse for {c['variant']}"
        for g in guardrails
        for c in g.comparisons
        if c.get("worse")
    ]
    tail = ("; guardrail: " + ", ".join(worse)) if worse else ""
    if srm["flag"]:
        return "srm", (
            f"do not trust these results: the variants' ticket counts do not match the "
            f"weights (sample-ratio mismatch, p = {srm['p_value']:.2g}); check the assignment"
            + tail
        )
    hits = [c for c in primary.comparisons if c.get("significant")]
    if experiment.design == "sequential":
        if hits:
            return "significant", _hits(experiment, hits) + tail
        if progress["reached"]:
            return "no detectable difference", (
                f"no detectable difference in {experiment.metric} after the planned sample "
                f"({progress['text']})" + tail
            )
        return "collecting", (
            f"collecting: no difference yet (valid at every look; {progress['text']})" + tail
        )
    if not progress["reached"]:
        return "collecting", f"not yet: {progress['text']}" + tail
    if hits:
        return "significant", _hits(experiment, hits) + tail
    return "no detectable difference", (
        f"no detectable difference in {experiment.metric} at the planned sample "
        f"(minimum detectable effect {experiment.effective_mde:g})" + tail
    )


def _hits(experiment: Experiment, hits: list[dict[str, Any]]) -> str:
    parts = []
    for c in hits:
        direction = "better" if c["better"] else "worse"
        rel = c["effect"]["relative"]
        size = f" ({rel:+.1%})" if rel is not None else ""
        parts.append(f"{c['variant']} is {direction} than {c['control']}{size}")
    return f"significant difference in {experiment.metric}: " + "; ".join(parts)
