"""The evaluation harness: metric arithmetic, and a small real run when the data is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.text import evaluate
from sanjeh.text._evaldata import in_dev, load_sets


def test_binary_scores() -> None:
    gold = ["positive", "positive", "negative", "negative"]
    acc, f1, coverage = evaluate.binary_scores(gold, [1.0, 0.0, -1.0, 1.0])
    assert acc == 0.5 and coverage == 0.75
    # positive: tp 1, fp 1, fn 1 -> 0.5; negative: tp 1, fp 0, fn 1 -> 2/3
    assert f1 == pytest.approx((0.5 + 2 / 3) / 2)


def test_split_is_stable_and_partial() -> None:
    texts = [f"message {i}" for i in range(1000)]
    dev = [t for t in texts if in_dev(t)]
    assert 200 < len(dev) < 400 and dev == [t for t in texts if in_dev(t)]


def test_real_sets_load_and_default_beats_chance(shared_data: Path) -> None:
    sets = {s.name: s for s in load_sets(shared_data / "sentiment", split="dev")}
    assert {"fa/deepsentipers_test", "ar/ajgt", "ar/astd"} <= set(sets)
    data = sets["fa/deepsentipers_test"]
    scores = evaluate.evaluate_set("sanjeh default", data, evaluate.sanjeh_predictor("fa"))
    assert scores.n > 100 and scores.macro_f1 > 0.6
