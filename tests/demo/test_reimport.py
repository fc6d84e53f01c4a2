"""Every demo row passes the model: exported tables import into a fresh store unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.demo import DEMO_TABLES
from sanjeh.ingest import import_file
from sanjeh.model import TABLES
from sanjeh.store import Store

from ._support import Demo


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_then_import_rejects_nothing_and_round_trips(
    demo: Demo, tmp_path: Path, fmt: str
) -> None:
    with Store.open(str(tmp_path / "fresh.duckdb")) as fresh:
        for name in DEMO_TABLES:
            spec = TABLES[name]
            path = tmp_path / f"{name}.{fmt}"
            written = demo.store.export(name, path)
            summary = import_file(fresh, path)
            assert summary.rejected == 0, (name, dict(summary.reasons), summary.examples)
            assert summary.rows_read == written == demo.summary.rows[name]
            original = demo.store.table(name).to_pyarrow().sort_by(spec.key)
            imported = fresh.table(name).to_pyarrow().sort_by(spec.key)
            assert imported.equals(original), name
