"""Every example row the model declares (and docs/formats.md shows) imports cleanly,
in each of Sanjeh's own containers: CSV, JSON Lines and Parquet."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanjeh.ingest import import_file
from sanjeh.model import TABLES
from sanjeh.store import Store

from ._support import rows

WITH_EXAMPLE = [name for name, spec in TABLES.items() if spec.example]


def _write(path: Path, example: dict[str, str]) -> None:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(example))
            writer.writeheader()
            writer.writerow(example)
    elif path.suffix == ".jsonl":
        path.write_text(json.dumps(example, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        pq.write_table(pa.table({k: [v] for k, v in example.items()}), path)


def _cases() -> list[Any]:
    out = []
    for name in WITH_EXAMPLE:
        for suffix in (".csv", ".jsonl", ".parquet"):
            out.append(pytest.param(name, suffix, id=f"{name}{suffix}"))
    return out


@pytest.mark.parametrize(("name", "suffix"), _cases())
def test_example_row_imports(duckdb_store: Store, tmp_path: Path, name: str, suffix: str) -> None:
    spec = TABLES[name]
    assert spec.example is not None
    path = tmp_path / f"{name}{suffix}"
    _write(path, spec.example)
    summary = import_file(duckdb_store, path)
    assert summary.format == name
    assert summary.rejected == 0, summary.examples
    (stored,) = rows(duckdb_store, name)
    assert stored[spec.key] == spec.example[spec.key]  # already namespaced: kept as is
