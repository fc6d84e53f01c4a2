"""The verdict, progress, guardrails and the JSON shape from per-ticket outcomes built by
hand (``evaluate``)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sanjeh.experiments import Experiment, Outcomes, evaluate, sample_size


def experiment(**changes: Any) -> Experiment:
    base: dict[str, Any] = {
        "name": "greeting",
        "variants": ("control", "warm"),
        "metric": "csat",
        "start": dt.date(2026, 9, 1),
        "mde": 0.05,
    }
    return Experiment(**{**base, **changes})


def outcomes(
    counts: dict[str, int], rates: dict[str, float], extra: dict[str, Any] | None = None
) -> Outcomes:
    """csat answers: exactly round(rate · n) satisfied per variant (no randomness)."""
    rows = []
    for v, n in counts.items():
        k = round(rates[v] * n)
        rows += [{"ticket_id": f"{v}-{i}", "variant": v, "csat": float(i < k)} for i in range(n)]
    frame = pd.DataFrame(rows)
    frame["created_at"] = pd.Timestamp("2026-09-02", tz="UTC")
    for key, value in (extra or {}).items():
        frame[key] = value(frame) if callable(value) else value
    return Outcomes(frame=frame, excluded={})


def test_collecting_before_the_horizon_says_not_yet_n_of_m() -> None:
    r = evaluate(
        experiment(), outcomes({"control": 200, "warm": 200}, {"control": 0.8, "warm": 0.8})
    )
    need = sample_size("csat", 0.8, 0.05).control
    assert r.status == "collecting"
    assert r.verdict == f"not yet: 400 of {2 * need:,} tickets with a csat value"
    assert r.progress["required"] == {"control": need, "warm": need}
    assert r.progress["share"] == pytest.approx(200 / need)


def test_significant_at_the_horizon() -> None:
    r = evaluate(
        experiment(), outcomes({"control": 1500, "warm": 1500}, {"control": 0.8, "warm": 0.86})
    )
    (c,) = r.primary.comparisons
    assert r.status == "significant" and c["better"] and not c["worse"]
    assert r.verdict == "significant difference in csat: warm is better than control (+7.5%)"


def test_no_detectable_difference_at_the_horizon() -> None:
    r = evaluate(
        experiment(), outcomes({"control": 1500, "warm": 1500}, {"control": 0.8, "warm": 0.81})
    )
    assert r.status == "no detectable difference"
    assert "minimum detectable effect 0.05" in r.verdict


def test_sample_ratio_mismatch_overrides_everything() -> None:
    r = evaluate(
        experiment(), outcomes({"control": 1500, "warm": 1700}, {"control": 0.8, "warm": 0.9})
    )
    # chi² = 2 · 100² / 1600 = 12.5, p = 0.0004
    assert r.srm["chi2"] == pytest.approx(12.5) and r.srm["flag"]
    assert r.status == "srm" and r.verdict.startswith("do not trust these results")
    # with weights 15:17 the same counts are what was asked for
    r = evaluate(
        experiment(weights=(15 / 32, 17 / 32)),
        outcomes({"control": 1500, "warm": 1700}, {"control": 0.8, "warm": 0.9}),
    )
    assert not r.srm["flag"] and r.srm["chi2"] == pytest.approx(0.0)


def test_a_guardrail_worse_is_flagged() -> None:
    reopen = {
        "reopen": lambda f: np.where(f.variant == "warm", f.index % 5 == 0, f.index % 10 == 0)
    }
    found = outcomes({"control": 1500, "warm": 1500}, {"control": 0.8, "warm": 0.8}, reopen)
    found.frame["reopen"] = found.frame["reopen"].astype(float)
    r = evaluate(experiment(guardrails=("reopen",)), found)
    (g,) = r.guardrails
    (c,) = g.comparisons
    assert c["worse"] and not c["better"]
    assert r.verdict.endswith("; guardrail: reopen is worse for warm")


def test_sequential_is_wider_and_plans_twice_the_sample() -> None:
    found = outcomes({"control": 1500, "warm": 1500}, {"control": 0.8, "warm": 0.83})
    fixed, seq = evaluate(experiment(), found), evaluate(experiment(design="sequential"), found)
    (f,), (s,) = fixed.primary.comparisons, seq.primary.comparisons
    assert (
        s["effect"]["ci"][0] < f["effect"]["ci"][0] and s["effect"]["ci"][1] > f["effect"]["ci"][1]
    )
    assert s["p_value"] > f["p_value"]
    assert s["secondary"][0]["p_value"] == pytest.approx(f["p_value"])
    assert seq.progress["required"]["control"] == 2 * fixed.progress["required"]["control"]


def test_too_few_and_the_json_is_strict() -> None:
    r = evaluate(experiment(), outcomes({"control": 1, "warm": 0}, {"control": 1.0, "warm": 0}))
    (c,) = r.primary.comparisons
    assert c["effect"] is None and c["reason"] == "too few tickets with a value"
    assert r.status == "collecting" and r.sample_size is None
    text = json.dumps(r.as_dict(), allow_nan=False)  # no NaN anywhere
    d = json.loads(text)
    assert set(d) == {
        "experiment",
        "as_of",
        "status",
        "verdict",
        "assigned",
        "primary",
        "guardrails",
        "srm",
        "sample_size",
        "progress",
        "notes",
    }
    assert d["primary"]["variants"][1]["value"] is None


def test_durations_use_the_log_scale() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    a = rng.lognormal(math.log(3600), 1.0, n)
    b = rng.lognormal(math.log(3600 * 0.8), 1.0, n)
    frame = pd.DataFrame(
        {
            "ticket_id": [f"t{i}" for i in range(2 * n)],
            "variant": ["control"] * n + ["warm"] * n,
            "resolution_time": np.concatenate([a, b]),
            "created_at": pd.Timestamp("2026-09-02", tz="UTC"),
        }
    )
    r = evaluate(experiment(metric="resolution_time", mde=0.1), Outcomes(frame, {}))
    (c,) = r.primary.comparisons
    ratio = math.expm1(np.log1p(b).mean() - np.log1p(a).mean())
    assert c["effect"]["relative"] == pytest.approx(ratio)
    assert c["effect"]["relative"] == pytest.approx(-0.2, abs=0.05)
    assert c["better"] and c["test"] == "Welch t-test on log(1 + seconds)"
    assert r.status == "significant"
