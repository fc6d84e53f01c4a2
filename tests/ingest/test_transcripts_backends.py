"""Transcripts on every backend (PostgreSQL too): the call check and redaction."""

from __future__ import annotations

from pathlib import Path

from sanjeh.ingest import import_file
from sanjeh.store import Store

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "transcripts"


def test_segments_of_unknown_calls_are_rejected(store: Store, tmp_path: Path) -> None:
    assert import_file(store, SAMPLES / "calls.jsonl").inserted == 9
    lines = (SAMPLES / "by_format" / "transcripts.jsonl").read_text(encoding="utf-8")
    extra = '{"call_id": "4242", "speaker": "agent", "start": 0, "end": 1, "text": "Hi"}\n'
    path = tmp_path / "transcripts.jsonl"
    path.write_text(lines + extra, encoding="utf-8")
    summary = import_file(store, path, source="bank")
    assert summary.rejected == 1
    assert summary.rows_read == summary.inserted + summary.rejected
    t = store.table("import_rejects")
    (reject,) = t.filter(t.table_name == "call_segments").to_pyarrow().to_pylist()
    assert "bank:4242 is not in the store" in reject["reason"]
    assert reject["field"] == "call_id"


def test_redaction_reaches_transcripts(store: Store) -> None:
    import_file(store, SAMPLES / "calls.jsonl")
    import_file(store, SAMPLES / "by_format" / "1006.vtt", source="bank", redact=True)
    got = store.table("call_segments").to_pyarrow().to_pylist()
    assert got and {r["speaker_label"] for r in got} == {"[NAME]"}  # names, as a whole
    assert {r["speaker"] for r in got} == {"agent", "customer"}  # roles stay
