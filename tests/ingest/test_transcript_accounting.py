"""Rows read = accepted + rejected for transcripts, over generated files (hypothesis).

The CSV-row harness of ``test_row_accounting`` cannot write a transcript (one document,
or segments that must name a stored call), so the transcript formats are covered here:
good segments mixed with overlapping ones, ends before starts, unknown calls and times
that are no numbers, in JSON Lines, WebVTT and Azure's JSON. The rejected rows must be
exactly the broken ones, and a second import must change nothing.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.ingest import import_file
from sanjeh.store import Store

KINDS = ("valid", "overlap", "end_before_start", "unknown_call", "bad_time")
CALLS = Path(__file__).resolve().parents[2] / "examples" / "transcripts" / "calls.jsonl"

#: one generated segment: (kind, speaker, start, end, text)
Planned = tuple[str, str, float | str, float, str]


def plan(kinds: list[str], speakers: list[str]) -> list[Planned]:
    """Segments in file order. Valid ones never overlap (each starts 2 s after the one
    before and lasts 1 s); an overlap starts 0.5 s into its speaker's latest valid one."""
    out: list[Planned] = []
    t = 10.0  # an end before a start stays positive
    latest: dict[str, float] = {}
    for i, (kind, who) in enumerate(zip(kinds, speakers, strict=True)):
        if kind == "overlap" and who not in latest:
            kind = "valid"  # nothing of this speaker's to overlap yet
        if kind == "overlap":
            out.append((kind, who, latest[who] + 0.5, latest[who] + 1.2, f"o{i}"))
        elif kind == "end_before_start":
            out.append((kind, who, t, t - 0.5, f"e{i}"))
        elif kind == "bad_time":
            out.append((kind, who, "soon", t + 1, f"b{i}"))
        else:
            out.append((kind, who, t, t + 1, f"v{i}"))
            if kind == "valid":
                latest[who] = t
        t += 2
    return out


@st.composite
def transcripts(draw: st.DrawFn) -> list[Planned]:
    kinds = draw(st.permutations([*KINDS, *draw(st.lists(st.sampled_from(KINDS), max_size=6))]))
    speakers = draw(st.lists(st.sampled_from(["A", "B"]), min_size=len(kinds), max_size=len(kinds)))
    return plan(list(kinds), speakers)


def _jsonl(segments: list[Planned], folder: Path) -> tuple[Path, list[int]]:
    path = folder / "lines.jsonl"
    lines = [
        {
            "call_id": "9999" if kind == "unknown_call" else "1008",
            "speaker": who,
            "start": start,
            "end": end,
            "text": text,
        }
        for kind, who, start, end, text in segments
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path, list(range(1, len(segments) + 1))


def _vtt(segments: list[Planned], folder: Path) -> tuple[Path, list[int]]:
    """Cues of a timing line, a voice line and a blank one after ``WEBVTT`` and a blank
    line: the timing of cue i is on line 3 + 3 i."""

    def clock(value: float | str) -> str:
        if isinstance(value, str):
            return value
        return f"00:{int(value) // 60:02d}:{value % 60:06.3f}"

    text = "WEBVTT\n\n"
    for _, who, start, end, said in segments:
        text += f"{clock(start)} --> {clock(end)}\n<v {who}>{said}\n\n"
    path = folder / "1008.vtt"
    path.write_text(text, encoding="utf-8")
    return path, [3 + 3 * i for i in range(len(segments))]


def _azure(segments: list[Planned], folder: Path) -> tuple[Path, list[int]]:
    phrases = [
        {
            "recognitionStatus": "Success",
            "speaker": who,
            "offset": f"PT{start}S" if not isinstance(start, str) else start,
            "duration": f"PT{round(end - start, 3)}S" if not isinstance(start, str) else "PT1S",
            "nBest": [{"confidence": 0.9, "display": said}],
        }
        for _, who, start, end, said in segments
    ]
    path = folder / "1008.json"
    path.write_text(json.dumps({"source": "x.wav", "recognizedPhrases": phrases}, indent=1))
    return path, list(range(1, len(segments) + 1))


WRITERS = {"transcript_jsonl": _jsonl, "webvtt": _vtt, "azure_speech": _azure}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_rows_read_are_accepted_or_rejected(name: str, tmp_path_factory) -> None:
    counter = itertools.count()
    template = tmp_path_factory.mktemp(f"{name}-template") / "calls.duckdb"
    with Store.open(str(template)) as store:
        import_file(store, CALLS)

    @settings(
        max_examples=6,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(segments=transcripts())
    def run(segments: list[Planned]) -> None:
        folder = tmp_path_factory.mktemp(f"{name}-{next(counter)}")
        shutil.copy(template, folder / "store.duckdb")
        path, rows = WRITERS[name](segments, folder)
        if name != "transcript_jsonl" and any(k == "unknown_call" for k, *_ in segments):
            # a document is one call: the whole file's call is unknown or known
            segments = [("valid" if k == "unknown_call" else k, *rest) for k, *rest in segments]
        broken = {row for row, (kind, *_) in zip(rows, segments, strict=True) if kind != "valid"}
        with Store.open(str(folder / "store.duckdb")) as store:
            summary = import_file(store, path, source="bank", format=name)
            rejected = {r["row"] for r in store.table("import_rejects").to_pyarrow().to_pylist()}
            assert summary.rows_read == len(segments), summary.as_dict()
            assert rejected == broken, (summary.as_dict(), segments)
            assert summary.inserted + summary.rejected == summary.rows_read
            assert store.counts(["call_segments"])["call_segments"] == len(segments) - len(broken)
            again = import_file(store, path, source="bank", format=name)
            assert (again.inserted, again.replaced) == (0, 0)
            assert (again.rows_read, again.rejected) == (summary.rows_read, summary.rejected)

    run()
