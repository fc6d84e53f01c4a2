"""``[[experiments]]``: every key checked, clear errors; the seeded hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from typing import Any

import pytest

from sanjeh.errors import ConfigError
from sanjeh.experiments import Experiment, get_experiment, load_experiments, variant_for
from sanjeh.settings import Settings

BASE: dict[str, Any] = {
    "name": "greeting",
    "variants": ["control", "warm"],
    "metric": "csat",
    "start": "2026-09-01",
}


def load(*tables: dict[str, Any]) -> tuple[Experiment, ...]:
    return load_experiments(Settings(sections={"experiments": list(tables)}, config_file="s.toml"))


def test_defaults() -> None:
    (e,) = load(BASE)
    assert e.name == "greeting" and e.title == "greeting" and e.control == "control"
    assert e.weights == (0.5, 0.5) and e.assignment == "table" and e.design == "fixed"
    assert (e.alpha, e.power, e.mde, e.effective_mde) == (0.05, 0.8, None, 0.05)
    assert e.start == dt.date(2026, 9, 1) and e.end is None and e.seed == "greeting"
    assert e.kind == "proportion" and e.guardrails == ()
    d = e.as_dict()
    assert d["start"] == "2026-09-01" and d["mde"] == 0.05 and d["kind"] == "proportion"


def test_every_key() -> None:
    (e,) = load(
        {
            **BASE,
            "title": "Warm greeting",
            "variants": ["a", "b", "c"],
            "weights": [1, 1, 2],
            "assignment": "field",
            "field": "channel",
            "metric": "resolution_time",
            "guardrails": ["reopen", "csat"],
            "end": dt.date(2026, 10, 1),
            "design": "sequential",
            "alpha": 0.01,
            "power": 0.9,
            "mde": 0.2,
            "seed": 7,
            "hours": "calendar",
        }
    )
    assert e.weights == (0.25, 0.25, 0.5) and e.field == "channel" and e.kind == "duration"
    assert e.guardrails == ("reopen", "csat") and e.end == dt.date(2026, 10, 1)
    assert (e.design, e.alpha, e.power, e.mde, e.seed, e.hours) == (
        "sequential",
        0.01,
        0.9,
        0.2,
        "7",
        "calendar",
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"name": "a b"}, "name must be"),
        ({"variants": ["only"]}, "at least two"),
        ({"variants": ["a", "a"]}, "different names"),
        ({"variants": ["a", "b c"]}, "variants: each"),
        ({"weights": [1]}, "weights must be 2 positive numbers"),
        ({"weights": [1, -1]}, "weights must be"),
        ({"assignment": "coin"}, "assignment must be one of"),
        ({"assignment": "field"}, "needs field = one of"),
        ({"assignment": "field", "field": "subject"}, "needs field"),
        ({"field": "channel"}, 'field is for assignment = "field"'),
        ({"metric": "nps"}, "metric must be one of"),
        ({"metric": None}, "metric must be one of"),
        ({"guardrails": ["aht"]}, "unknown metric 'aht'"),
        ({"guardrails": ["csat"]}, "already the metric"),
        ({"guardrails": ["fcr", "fcr"]}, "repeats"),
        ({"start": None}, "start is missing"),
        ({"start": "1 Sept"}, "start must be a date"),
        ({"end": "2026-08-01"}, "must be after start"),
        ({"design": "bayes"}, "design must be one of"),
        ({"alpha": 0.7}, "alpha must be a number between 0 and 0.5"),
        ({"power": 1.0}, "power must be"),
        ({"mde": 0}, "mde must be"),
        ({"mde": 2}, "mde must be a number between 0 and 1"),
        ({"seed": 1.5}, "seed must be"),
        ({"hours": "office"}, "hours must be one of"),
    ],
)
def test_errors_name_the_file_the_experiment_and_the_key(change: dict[str, Any], says: str) -> None:
    raw = {**BASE, **change}
    raw = {k: v for k, v in raw.items() if v is not None or k in ("metric",)}
    with pytest.raises(ConfigError, match=r"s\.toml: \[\[experiments\]\]") as err:
        load(raw)
    assert says in str(err.value)


def test_names_are_unique_and_the_section_an_array() -> None:
    with pytest.raises(ConfigError, match="declared twice"):
        load(BASE, BASE)
    with pytest.raises(ConfigError, match="array of tables"):
        load_experiments(Settings(sections={"experiments": {"a": 1}}, config_file="s.toml"))
    settings = Settings(sections={"experiments": [BASE]}, config_file="s.toml")
    assert get_experiment("greeting", settings).name == "greeting"
    with pytest.raises(ConfigError, match="no experiment 'x'; configured: greeting"):
        get_experiment("x", settings)
    assert load() == ()


def by_definition(name: str, seed: str, variants: list[str], weights: list[float], t: str) -> str:
    """docs/experiments.md's definition, written apart from the library."""
    digest = hashlib.sha256(f"{name}\x1f{seed}\x1f{t}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    edges = [sum(weights[: i + 1]) / sum(weights) for i in range(len(weights))]
    return next((v for v, e in zip(variants, edges, strict=True) if point < e), variants[-1])


def test_variant_for_follows_the_definition_and_the_weights() -> None:
    (e,) = load({**BASE, "variants": ["a", "b", "c"], "weights": [1, 1, 2], "seed": "s1"})
    ids = [f"demo:{i}" for i in range(20_000)]
    got = [variant_for(e, t) for t in ids]
    assert got == [by_definition("greeting", "s1", ["a", "b", "c"], [1, 1, 2], t) for t in ids]
    shares = {v: got.count(v) / len(got) for v in "abc"}
    assert shares["a"] == pytest.approx(0.25, abs=0.015)
    assert shares["c"] == pytest.approx(0.5, abs=0.015)
    (other,) = load({**BASE, "variants": ["a", "b", "c"], "weights": [1, 1, 2], "seed": "s2"})
    assert sum(variant_for(other, t) != g for t, g in zip(ids[:2000], got, strict=False)) > 500


def test_variant_for_is_the_same_in_another_process() -> None:
    (e,) = load(BASE)
    ids = [f"helpdesk:{i}" for i in range(50)]
    code = (
        "from sanjeh.experiments import Experiment, variant_for\n"
        "import datetime as dt\n"
        "e = Experiment(name='greeting', variants=('control', 'warm'), metric='csat', "
        "start=dt.date(2026, 9, 1), seed='greeting')\n"
        f"print(','.join(variant_for(e, t) for t in {ids!r}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip().split(",") == [variant_for(e, t) for t in ids]
