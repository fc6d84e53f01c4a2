"""Fixtures of the schedule tests: the demo store and a webhook receiver (_support.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ._support import Receiver, make_demo, receiving, write_config


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("schedule-demo"))


@pytest.fixture
def configure(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Path]:
    """``configure(schedules_toml)``: the demo's sanjeh.toml plus those schedules, in
    tmp_path and read through SANJEH_CONFIG (relative folders: from tmp_path)."""

    def write(schedules: str) -> Path:
        config = write_config(demo_db, tmp_path / "sanjeh.toml", schedules)
        monkeypatch.setenv("SANJEH_CONFIG", str(config))
        return config

    return write


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> str:
    """A copy of the demo store for one test (its runs are its own)."""
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, copy)
    return str(copy)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found
