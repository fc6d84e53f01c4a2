"""Demo stores generated once per test session (generation takes a second or two)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.demo import generate
from sanjeh.store import Store

from ._support import LARGE, SMALL, Demo


def _make(path: Path, tickets: int) -> Iterator[Demo]:
    with Store.open(str(path)) as store:
        summary = generate(store, tickets=tickets, seed=7)
        yield Demo(store, summary)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from _make(tmp_path_factory.mktemp("demo") / "demo.duckdb", SMALL)


@pytest.fixture(scope="session")
def demo_large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from _make(tmp_path_factory.mktemp("demo_large") / "demo.duckdb", LARGE)
