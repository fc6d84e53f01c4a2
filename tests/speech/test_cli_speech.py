"""`sanjeh import` of recordings and `sanjeh analyze` of calls, on a real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanjeh.cli import app, main
from sanjeh.store import Store

from .conftest import FIXTURES, add_calls

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = str(tmp_path / "cli.duckdb")
    with Store.open(url) as store:
        add_calls(store, ["local:call-a", "local:call-c"])
    return url


def test_import_a_folder_of_recordings_then_analyze(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    for name in ("call-a.flac", "call-c.mp3", "call-d.wav"):
        shutil.copy(FIXTURES / name, folder / name)
    result = runner.invoke(app, ["import", str(folder), "--db", db])
    assert result.exit_code == 0, result.output
    # call-d is no call in the store
    assert "3 read, 2 accepted, 1 rejected" in result.output
    assert "call_speech: 2 calls analysed (2 new, 0 replaced)" in result.output
    assert "call-d.wav" in result.output and "not in the store" in result.output

    result = runner.invoke(app, ["analyze", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["calls"]["calls"] == 0
    result = runner.invoke(app, ["analyze", "--db", db])
    assert "every call's speech figures are current" in result.output

    with Store.open(db) as store:
        rows = store.table("call_speech").to_pyarrow().to_pylist()
    assert sorted(r["call_id"] for r in rows) == ["local:call-a", "local:call-c"]


def test_swapped_channels_and_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["import", str(FIXTURES / "call-c.mp3"), "--db", db, "--json"]
    result = runner.invoke(app, [*args, "--channels", "customer,agent", "--vad", "webrtc"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["read"], out["accepted"]) == (1, 1)
    with Store.open(db) as store:
        t = store.table("call_segments")
        left = t.filter(t.speaker_label == "left").speaker.to_pyarrow().to_pylist()
    assert set(left) == {"customer"}
    # the sanjeh command itself: the error in one line, exit code 1
    assert main([*args, "--channels", "agent"]) == 1
    assert "left and the right channel" in capsys.readouterr().err
