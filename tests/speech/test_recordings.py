"""``import_recordings``: files → call_segments (origin audio) → call_speech."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sanjeh.speech import import_recordings

from .conftest import FIXTURES, add_calls, truth


def test_recordings_of_known_calls_are_imported_and_analysed(store, tmp_path: Path) -> None:
    add_calls(store, ["local:call-a", "local:call-b", "local:call-c"])
    stray = tmp_path / "call-z.wav"
    shutil.copy(FIXTURES / "call-d.wav", stray)
    files = [FIXTURES / "call-a.flac", FIXTURES / "call-b.flac", FIXTURES / "call-c.mp3", stray]
    summary = import_recordings(store, files)
    assert (summary.read, summary.accepted, summary.rejected) == (4, 3, 1)
    rejected = summary.files[-1]
    assert rejected.call_id == "local:call-z" and "not in the store" in rejected.reason
    assert summary.analysis is not None and summary.analysis.calls == 3

    segs = store.table("call_segments").to_pyarrow().to_pylist()
    a = sorted((s for s in segs if s["call_id"] == "local:call-a"), key=lambda s: s["start_s"])
    # call-a: 4 agent and 3 customer lines, one segment each
    assert [s["segment_id"] for s in a] == [f"local:call-a#a{n}" for n in range(7)]
    assert {s["origin"] for s in segs} == {"audio"}
    assert [s["speaker"] for s in a][:2] == ["agent", "customer"]
    first = truth()["call-a.flac"]["speech"]["agent"][0]
    assert a[0]["start_s"] == pytest.approx(first[0], abs=0.3)

    speech = {r["call_id"]: r for r in store.table("call_speech").to_pyarrow().to_pylist()}
    assert speech["local:call-a"]["origin"] == "audio"
    assert speech["local:call-a"]["overtalk_count"] == 2

    log = store.table("import_log").to_pyarrow().to_pylist()
    assert len(log) == 4 and sum(r["rejected"] for r in log) == 1
    assert {r["format"] for r in log} == {"audio"}
    rejects = store.table("import_rejects").to_pyarrow().to_pylist()
    assert [r["path"] for r in rejects] == [str(stray)]

    # the same recordings again: nothing changes, nothing is analysed
    again = import_recordings(store, files[:3])
    assert sum(f.unchanged for f in again.files) == sum(f.segments for f in summary.files[:3])
    assert sum(f.inserted + f.replaced for f in again.files) == 0
    assert again.analysis is not None and again.analysis.calls == 0


def test_a_mapping_names_the_call_and_a_shorter_recording_replaces_segments(
    store, tmp_path: Path
) -> None:
    add_calls(store, ["bank:77"])
    mapping = tmp_path / "calls.csv"
    mapping.write_text("file,call_id\ncall-a.flac,77\ncall-d.wav,77\n", encoding="utf-8")
    first = import_recordings(store, [FIXTURES / "call-a.flac"], mapping=mapping, source="bank")
    assert first.accepted == 1 and first.files[0].segments == 7
    # call-d has 2 segments: #a0 and #a1 are replaced, #a2 … #a6 removed, call re-analysed
    second = import_recordings(store, [FIXTURES / "call-d.wav"], mapping=mapping, source="bank")
    result = second.files[0]
    assert (result.segments, result.replaced, result.removed) == (2, 2, 5)
    assert store.counts(["call_segments"]) == {"call_segments": 2}
    assert second.analysis is not None and second.analysis.calls == 1
    (row,) = store.table("call_speech").to_pyarrow().to_pylist()
    assert row["duration_s"] < 2  # call-d is under two seconds


def test_a_folder_and_a_file_the_mapping_does_not_name(store, tmp_path: Path) -> None:
    add_calls(store, ["local:call-c"])
    folder = tmp_path / "rec"
    folder.mkdir()
    for name in ("call-c.mp3", "call-d.wav", "truth.json"):
        shutil.copy(FIXTURES / name, folder / name)
    mapping = tmp_path / "map.csv"
    mapping.write_text("file,call_id\ncall-c.mp3,call-c\n", encoding="utf-8")
    summary = import_recordings(store, [folder], mapping=mapping)
    # truth.json is not a recording: the folder holds two
    assert (summary.read, summary.accepted, summary.rejected) == (2, 1, 1)
    assert "mapping names no call" in summary.files[1].reason
