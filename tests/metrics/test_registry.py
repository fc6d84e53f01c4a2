"""The registry is complete and docs/metrics.md is generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.metrics import OPTIONS, all_kpis
from sanjeh.metrics._docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_docs_metrics_is_generated_from_the_registry() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/metrics.md is stale: run `python -m sanjeh.metrics > docs/metrics.md`"
    )


@pytest.mark.parametrize("kpi", list(all_kpis().values()), ids=lambda k: k.name)
def test_every_kpi_is_defined(kpi) -> None:
    assert len(kpi.definition) > 30 and kpi.formula
    assert all(kpi.titles[lang].strip() for lang in ("en", "fa", "ar"))
    assert kpi.titles["fa"] != kpi.titles["en"] and kpi.titles["ar"] != kpi.titles["en"]
    known = {o.name for o in OPTIONS}
    assert set(kpi.options) <= known, f"{kpi.name} names an unknown option"
    assert kpi.name in DOC.read_text(encoding="utf-8")


def test_every_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"`{option.name}`" in text and option.description
