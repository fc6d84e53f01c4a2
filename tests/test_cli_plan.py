"""`sanjeh plan` on a demo store, with the demo's Tehran calendar (weeks start Saturday)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.cli import main


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    where = tmp_path_factory.mktemp("plan")
    here = os.getcwd()
    os.chdir(where)  # the demo writes its sanjeh.toml (calendars) here; plan reads it
    try:
        args = ["--tickets", "3000", "--seed", "5", "--as-of", "2026-10-31", "--db", "d.duckdb"]
        assert main(["demo", *args]) == 0
        yield where
    finally:
        os.chdir(here)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", "--db", "d.duckdb", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_plan_in_the_teams_calendar(demo_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "--weeks", "2", "--format", "json")
    plan = json.loads(out)
    assert code == 0 and plan["timezone"] == "Asia/Tehran" and plan["week_start"] == 5
    start = pd.Timestamp(plan["plan_start"])
    assert start.day_name() == "Saturday" and (start.hour, start.minute) == (0, 0)
    assert start.utcoffset() == pd.Timedelta(hours=3, minutes=30)
    assert len(plan["intervals"]) == 2 * 7 * 48 and len(plan["weeks"]) == 2
    assert plan["inputs"]["aht_s"]["basis"] == "measured"
    assert plan["inputs"]["patience_s"]["value"] > 0
    assert plan["hiring"]["message"]


def test_what_if_options_change_the_plan(demo_dir: Path, capsys) -> None:
    def required(*args: str) -> float:
        code, out, _ = run(capsys, "--weeks", "1", "--format", "json", *args)
        assert code == 0
        return sum(i["required"] or 0 for i in json.loads(out)["intervals"])

    base = required()
    assert required("--aht", "15m") > base
    assert required("--target", "5s", "--service-level", "0.95") >= base
    assert required("--shrinkage", "0") <= base


def test_table_and_csv(demo_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "--weeks", "2")
    assert code == 0 and "Staffing plan" in out and "Weeks" in out and "weekday × hour" in out
    code, _, err = run(capsys, "--weeks", "1", "--format", "csv", "--output", "p.csv")
    frame = pd.read_csv(demo_dir / "p.csv")
    assert code == 0 and "wrote" in err and len(frame) == 7 * 48
    assert {"start", "forecast", "required", "scheduled", "gap", "occupancy"} <= set(frame)


def test_bad_options_are_one_line_naming_the_option(demo_dir: Path, capsys) -> None:
    code, _, err = run(capsys, "--service-level", "80")
    assert code == 1 and "service_level" in err
    assert "(0, 1)" in err
    code, _, err = run(capsys, "--aht", "soon")
    assert code == 1 and "aht" in err and "20s, 8m or 24h" in err
    code, _, err = run(capsys, "--interval", "20")
    assert code == 1 and "interval_minutes" in err and "15, 30 or 60" in err
