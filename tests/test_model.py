"""The canonical model is declared once; its documentation is generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.model import ALL_TABLES, TABLES
from sanjeh.model._docs import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"


def test_docs_data_model_is_generated_from_the_model() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/data-model.md is stale: run `python -m sanjeh.model > docs/data-model.md`"
    )


@pytest.mark.parametrize("spec", ALL_TABLES.values(), ids=lambda s: s.name)
def test_every_table_and_column_is_described(spec) -> None:
    assert len(spec.description) > 20
    for col in spec.columns:
        assert col.description.strip(), f"{spec.name}.{col.name} has no description"
        assert col.ref is None or col.ref in TABLES, f"{spec.name}.{col.name} → {col.ref}"


@pytest.mark.parametrize("spec", TABLES.values(), ids=lambda s: s.name)
def test_every_canonical_table_has_a_namespaced_key_and_an_example(spec) -> None:
    assert spec.column(spec.key).type == "id"
    assert spec.column(spec.key).required
    assert spec.example is not None
    assert set(spec.example) <= set(spec.column_names)
    assert set(spec.required) - {"source"} <= set(spec.example)


def test_entity_tables_name_their_source() -> None:
    for name in ("tickets", "calls", "survey_responses", "customers", "agents", "teams"):
        assert TABLES[name].column("source").required
