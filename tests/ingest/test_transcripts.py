"""Call transcripts → call_segments: every format imports its sample exactly, detection
picks it (and takes no other format's file), re-imports change nothing, bad segments are
rejected with what to do, and a folder of transcripts imports from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sanjeh.cli import main
from sanjeh.errors import IngestError, UnknownFormat
from sanjeh.ingest import import_file
from sanjeh.ingest._readers import columns_of, file_kind
from sanjeh.ingest.formats import detect
from sanjeh.ingest.formats.azure_speech import iso_seconds
from sanjeh.store import Store

from ._support import rows

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "transcripts"
FILES = SAMPLES / "by_format"
CALLS = SAMPLES / "calls.jsonl"

Seg = tuple[str, str, str | None, float, float, str | None, int | None, float | None]

#: (segment_id, speaker, speaker_label, start_s, end_s, text, words, confidence), worked
#: out by hand from the sample files
EXPECTED: dict[str, tuple[str, list[Seg]]] = {
    # spk_0 words 0.5–1.8 (confidences .9 .8 1 .9: mean 3.6/4 = .9); spk_1 2.1–3.6 (1 1 .8 1
    # .7: 4.5/5 = .9); spk_0 again 4.0–4.7 (.95 .85 .9: 2.7/3); "One" starts 6.0, 1.3 s
    # after "check" ends (> 1.0 s): a new segment (1 .9 .8: 2.7/3). Items name no speaker:
    # speaker_labels.segments do. spk_0 talks first: the agent.
    "aws-transcribe-1001.json": (
        "aws_transcribe",
        [
            ("bank:1001#0", "agent", "spk_0", 0.5, 1.8, "Hello, thanks for calling.", 4, 0.9),
            ("bank:1001#1", "customer", "spk_1", 2.1, 3.6, "Hi, my card is blocked.", 5, 0.9),
            ("bank:1001#2", "agent", "spk_0", 4.0, 4.7, "Let me check.", 3, 0.9),
            ("bank:1001#3", "agent", "spk_0", 6.0, 7.1, "One moment please.", 3, 0.9),
        ],
    ),
    # channel identification, one line: ch_0 is the agent although ch_1 speaks first;
    # ch_1 "Hello" .8; ch_0 1 1 .9 .9 1 .8 = 5.6/6 = .933333; ch_1 "My" at 2.6 is 2.0 s
    # after "Hello" ends: a new segment (.9 .7: .8)
    "aws-transcribe-1002-channels.json": (
        "aws_transcribe",
        [
            ("bank:1002#0", "customer", "ch_1", 0.2, 0.6, "Hello?", 1, 0.8),
            (
                "bank:1002#1",
                "agent",
                "ch_0",
                0.8,
                2.3,
                "Good morning, how can I help?",
                6,
                0.933333,
            ),
            ("bank:1002#2", "customer", "ch_1", 2.6, 3.2, "My card.", 2, 0.8),
        ],
    ),
    # roles from Participants (the customer speaks first); milliseconds ÷ 1000; ContactId
    "contact-lens-1003.json": (
        "contact_lens",
        [
            ("bank:1003#0", "customer", "CUSTOMER", 0.0, 0.9, "Hello?", 1, None),
            (
                "bank:1003#1",
                *("agent", "AGENT", 1.0, 3.45, "Thank you for calling, this is Sara.", 7, None),
            ),
            (
                "bank:1003#2",
                *("customer", "CUSTOMER", 3.8, 6.1, "Hi Sara, I want to close my account.", 8),
                None,
            ),
            ("bank:1003#3", "agent", "AGENT", 6.3, 8.0, "I can help with that.", 5, None),
        ],
    ),
    # v1 diarization: only the last result's words (tags 1, 2, 1) are read; the first word
    # has no startTime (a zero duration is left out of protobuf JSON); call = file stem
    "1004.json": (
        "google_speech",
        [
            ("bank:1004#0", "agent", "1", 0.0, 1.3, "hello thanks for calling", 4, None),
            ("bank:1004#1", "customer", "2", 1.8, 3.0, "my bill is wrong", 4, None),
            ("bank:1004#2", "agent", "1", 3.2, 4.1, "sorry about that", 3, None),
        ],
    ),
    # ticks ÷ 10⁷: 0.5 + 1.8 = 2.3; ISO "PT2.9S" + "PT1.6S" = 4.5; 4.7 + 1.25 = 5.95;
    # words: 6 listed, else counted from the display text
    "1005.json": (
        "azure_speech",
        [
            ("bank:1005#0", "agent", "1", 0.5, 2.3, "Hello, how can I help you?", 6, 0.93),
            ("bank:1005#1", "customer", "2", 2.9, 4.5, "I lost my card.", 4, 0.88),
            ("bank:1005#2", "agent", "1", 4.7, 5.95, "Let me block it for you.", 6, 0.95),
        ],
    ),
    # cue 3 holds two voices at 4.3: numbered by speaker label (Ali before Sara); cue 4
    # names nobody: Ali goes on
    "1006.vtt": (
        "webvtt",
        [
            ("bank:1006#0", "agent", "Sara", 0.5, 2.0, "Good afternoon, this is Sara.", 5, None),
            ("bank:1006#1", "customer", "Ali", 2.4, 4.1, "Hi, I was charged twice.", 5, None),
            ("bank:1006#2", "customer", "Ali", 4.3, 5.0, "Yes.", 1, None),
            ("bank:1006#3", "agent", "Sara", 4.3, 5.0, "Sorry to hear that.", 4, None),
            ("bank:1006#4", "customer", "Ali", 5.2, 6.8, "It happened yesterday.", 3, None),
        ],
    ),
    "1007.srt": (
        "srt",
        [
            (
                "bank:1007#0",
                *("agent", "Agent Reza", 1.0, 3.2, "Hello, you are through to support.", 6),
                None,
            ),
            ("bank:1007#1", "customer", "Customer", 3.5, 5.0, "My internet is down.", 4, None),
            ("bank:1007#2", "customer", "Customer", 5.1, 6.0, "Since this morning.", 3, None),
        ],
    ),
    # two calls in one file, numbered per call in time order; 1009 names labels only
    "transcripts.jsonl": (
        "transcript_jsonl",
        [
            ("bank:1008#0", "agent", None, 0.4, 2.1, "Hello, billing department.", 3, 0.91),
            (
                "bank:1008#1",
                *("customer", None, 2.5, 4.0, "I have a question about my invoice.", 7, None),
            ),
            ("bank:1008#2", "agent", None, 4.2, 5.0, "Of course.", 2, None),
            ("bank:1009#0", "agent", "spk_a", 0.0, 1.5, "Good morning.", 2, None),
            ("bank:1009#1", "customer", "spk_b", 1.7, 3.2, "Morning, I need a new card.", 6, None),
        ],
    ),
}


@pytest.fixture
def store(duckdb_store: Store) -> Store:
    """A store holding the calls bank:1001 … bank:1009 the samples belong to."""
    summary = import_file(duckdb_store, CALLS)
    assert (summary.format, summary.inserted, summary.rejected) == ("calls", 9, 0)
    return duckdb_store


def _segments(store: Store) -> list[Seg]:
    found = sorted(rows(store, "call_segments"), key=lambda r: r["segment_id"])
    return [
        (
            r["segment_id"],
            r["speaker"],
            r["speaker_label"],
            r["start_s"],
            r["end_s"],
            r["text"],
            r["words"],
            r["confidence"],
        )
        for r in found
    ]


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_samples_cover_every_transcript_format() -> None:
    assert sorted(p.name for p in FILES.iterdir()) == sorted(EXPECTED)
    assert {f for f, _ in EXPECTED.values()} == {
        *("aws_transcribe", "contact_lens", "google_speech", "azure_speech"),
        *("webvtt", "srt", "transcript_jsonl"),
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detection_picks_the_format(name: str) -> None:
    path = FILES / name
    kind = file_kind(path)
    assert detect(path, kind, columns_of(path, kind)).name == EXPECTED[name][0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_imports_exactly(store: Store, name: str) -> None:
    fmt, expected = EXPECTED[name]
    summary = import_file(store, FILES / name, source="bank")
    assert summary.format == fmt
    assert (summary.rows_read, summary.inserted, summary.rejected) == (
        len(expected),
        len(expected),
        0,
    )
    assert _segments(store) == sorted(expected)
    assert {r["source"] for r in rows(store, "call_segments")} == {"bank"}
    assert {r["origin"] for r in rows(store, "call_segments")} == {"transcript"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_importing_again_changes_nothing(store: Store, name: str) -> None:
    first = import_file(store, FILES / name, source="bank")
    before = _segments(store)
    again = import_file(store, FILES / name, source="bank")
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, first.inserted)
    assert _segments(store) == before


def test_detection_leaves_other_files_alone(tmp_path: Path) -> None:
    """Native files stay native; a JSON document that is no transcript is named as such."""
    assert detect(CALLS, file_kind(CALLS), columns_of(CALLS, "jsonl")).name == "calls"
    native = _write(
        tmp_path / "segments.jsonl",
        [
            {
                "segment_id": "bank:1#0",
                "call_id": "bank:1",
                "speaker": "agent",
                "start_s": 0,
                "end_s": 1,
            }
        ],
    )
    assert detect(native, file_kind(native), columns_of(native, "jsonl")).name == "call_segments"
    other = tmp_path / "settings.json"
    other.write_text(json.dumps({"theme": "dark", "size": 3}, indent=2), encoding="utf-8")
    assert file_kind(other) == "json"
    with pytest.raises(UnknownFormat, match="cannot tell what this json file holds"):
        detect(other, "json", columns_of(other, "json"))


def test_json_lines_with_a_broken_first_line_stay_json_lines(tmp_path: Path) -> None:
    """A file that is no one JSON document is JSON Lines: its bad lines are rejected."""
    path = tmp_path / "tickets.jsonl"
    path.write_text('{"ticket_id": \n{"ticket_id": "1"}\n', encoding="utf-8")
    assert file_kind(path) == "jsonl"
    vtt = tmp_path / "call.txt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n", encoding="utf-8")
    srt = tmp_path / "call.txt.bak"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n", encoding="utf-8")
    assert (file_kind(vtt), file_kind(srt)) == ("vtt", "srt")  # by content, any name


def test_rejects_say_what_to_do(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.jsonl",
        [
            {"call_id": "1008", "speaker": "agent", "start": 0.0, "end": 2.0, "text": "a"},  # 1
            {"call_id": "1008", "speaker": "agent", "start": 1.5, "end": 3.0, "text": "b"},  # 2
            {"call_id": "1008", "speaker": "customer", "start": 1.0, "end": 2.5, "text": "c"},
            {"call_id": "1008", "speaker": "customer", "start": 5.0, "end": 4.0, "text": "d"},
            {"call_id": "4242", "speaker": "agent", "start": 0.0, "end": 1.0, "text": "e"},  # 5
            {"call_id": "1008", "start": 6.0, "end": 7.0, "text": "f"},  # 6: nobody speaks
        ],
    )
    with path.open("a", encoding="utf-8") as f:
        f.write("not json\n")  # line 7
    summary = import_file(store, path, source="bank")
    # line 1 (#0) and line 3 (#1) kept: the customer may talk over the agent
    assert (summary.rows_read, summary.inserted, summary.rejected) == (7, 2, 5)
    rejects = {r["row"]: r for r in rows(store, "import_rejects")}
    assert sorted(rejects) == [2, 4, 5, 6, 7]
    assert rejects[2]["field"] == "start_s"
    assert "overlaps bank:1008#0 of the same speaker" in rejects[2]["reason"]
    assert "ends at 2.0 s" in rejects[2]["reason"]
    assert rejects[4]["reason"] == "end_s is before start_s"
    assert rejects[5]["field"] == "call_id" and rejects[5]["value"] == "bank:4242"
    assert rejects[5]["reason"].startswith(
        "call bank:4242 is not in the store: import the call log first"
    )
    assert rejects[6]["field"] == "speaker" and "agent, customer, other" in rejects[6]["reason"]
    assert "not valid JSON" in rejects[7]["reason"]
    kept = [(s[0], s[1], s[3]) for s in _segments(store)]
    assert kept == [("bank:1008#0", "agent", 0.0), ("bank:1008#1", "customer", 1.0)]


def test_a_transcript_before_its_call_log_is_rejected_whole(duckdb_store: Store) -> None:
    summary = import_file(duckdb_store, FILES / "1006.vtt", source="bank")
    assert (summary.rows_read, summary.inserted, summary.rejected) == (5, 0, 5)
    # the rows are the lines of the cues' timings (Ali's second voice in cue 3: line 14)
    found = rows(duckdb_store, "import_rejects")
    assert sorted(r["row"] for r in found) == [4, 8, 12, 14, 17]
    assert {r["value"] for r in found} == {"bank:1006"}


def test_subtitles_reject_an_overlap_and_unreadable_times(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "1006.vtt"
    path.write_text(
        "WEBVTT\n\n"
        "00:00.500 --> 00:02.000\n<v Sara>One.\n\n"  # lines 3-4
        "00:01.500 --> 00:03.000\n<v Sara>Two.\n\n"  # lines 6-7: overlaps line 3
        "00:0x.000 --> 00:04.000\n<v Ali>Three.\n",  # line 9: no time
        encoding="utf-8",
    )
    summary = import_file(store, path, source="bank")
    assert (summary.rows_read, summary.inserted, summary.rejected) == (3, 1, 2)
    rejects = {r["row"]: r for r in rows(store, "import_rejects")}
    assert "overlaps bank:1006#0" in rejects[6]["reason"]
    assert rejects[9]["value"] == "00:0x.000 --> 00:04.000"
    assert "00:01:02.500 --> 00:01:04.000" in rejects[9]["reason"]


def test_azure_phrases_without_speech_and_contact_lens_without_times(
    store: Store, tmp_path: Path
) -> None:
    azure = json.loads((FILES / "1005.json").read_text(encoding="utf-8"))
    azure["recognizedPhrases"].insert(1, {"recognitionStatus": "NoMatch", "channel": 0})
    path = tmp_path / "1005.json"
    path.write_text(json.dumps(azure, indent=1), encoding="utf-8")
    summary = import_file(store, path, source="bank")
    assert (summary.rows_read, summary.inserted, summary.rejected) == (4, 3, 1)
    (reject,) = rows(store, "import_rejects")
    assert (reject["row"], reject["field"], reject["value"]) == (2, "recognitionStatus", "NoMatch")

    lens = json.loads((FILES / "contact-lens-1003.json").read_text(encoding="utf-8"))
    del lens["Transcript"][2]["EndOffsetMillis"]
    path = tmp_path / "lens.json"
    path.write_text(json.dumps(lens, indent=1), encoding="utf-8")
    summary = import_file(store, path, source="bank")
    assert (summary.rows_read, summary.inserted, summary.rejected) == (4, 3, 1)
    found = [r for r in rows(store, "import_rejects") if r["path"] == str(path)]
    assert [(r["row"], r["field"]) for r in found] == [(3, "end_s")]
    assert "EndOffsetMillis is missing" in found[0]["reason"]


def test_options_name_the_call_and_the_agent(store: Store) -> None:
    # the same VTT as call 1001, with Ali as the agent: Sara becomes the customer
    summary = import_file(
        store,
        FILES / "1006.vtt",
        source="bank",
        params={"call_id": "1001", "agent": "Ali"},
    )
    assert summary.inserted == 5
    found = {(s[0], s[1], s[2]) for s in _segments(store)}
    assert ("bank:1001#0", "customer", "Sara") in found
    assert ("bank:1001#1", "agent", "Ali") in found
    with pytest.raises(IngestError, match=r"no speaker is labelled 'Reza'.*Ali, Sara"):
        import_file(store, FILES / "1006.vtt", source="bank", params={"agent": "Reza"})


def test_google_v2_offsets_and_channel_tags(store: Store, tmp_path: Path) -> None:
    def word(w: str, start: str, end: str) -> dict[str, str]:
        return {"word": w, "startOffset": start, "endOffset": end}

    doc = {
        "results": [
            {"channelTag": 2, "alternatives": [{"words": [word("hi", "0.200s", "0.500s")]}]},
            {
                "channelTag": 1,
                "alternatives": [
                    {
                        "confidence": 0.8,
                        "words": [word("hello", "0.6s", "1s"), word("there", "1s", "1.4s")],
                    }
                ],
            },
        ]
    }
    path = tmp_path / "1004.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # one line: JSON Lines by shape
    assert file_kind(path) == "jsonl"
    summary = import_file(store, path, source="bank")
    assert summary.format == "google_speech"
    # channel 1 is the agent though channel 2 speaks first; the result's confidence
    assert _segments(store) == [
        ("bank:1004#0", "customer", "channel_2", 0.2, 0.5, "hi", 1, None),
        ("bank:1004#1", "agent", "channel_1", 0.6, 1.4, "hello there", 2, 0.8),
    ]


def test_iso_8601_durations() -> None:
    assert iso_seconds("PT1.5S") == 1.5
    assert iso_seconds("PT1M2.5S") == 62.5  # 60 + 2.5
    assert iso_seconds("PT1H0M3S") == 3603.0  # 3600 + 3
    assert iso_seconds("PT") is None
    assert iso_seconds("1.5") is None


def test_a_folder_of_transcripts_imports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "cli.duckdb")
    assert main(["import", str(CALLS), "--db", db]) == 0
    code = main(["import", str(FILES), "--db", db, "--source", "bank", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    summaries = json.loads(out[out.index("[") :])
    assert sorted(s["format"] for s in summaries) == sorted(f for f, _ in EXPECTED.values())
    assert sum(s["rejected"] for s in summaries) == 0
    with Store.open(db) as store:
        assert store.counts(["call_segments"]) == {
            "call_segments": sum(len(e) for _, e in EXPECTED.values())  # 4+3+4+3+3+5+3+5 = 30
        }


def test_documents_are_not_read_as_rows_nor_rows_as_documents(store: Store, tmp_path: Path) -> None:
    pretty = tmp_path / "tickets.json"
    pretty.write_text(json.dumps({"ticket_id": "1"}, indent=2), encoding="utf-8")
    with pytest.raises(IngestError, match="a whole json document, not rows"):
        import_file(store, pretty, format="tickets")
    # two Transcribe outputs in one JSON Lines file: one call a file
    line = (FILES / "aws-transcribe-1002-channels.json").read_text(encoding="utf-8")
    two = tmp_path / "two.jsonl"
    two.write_text(line + line, encoding="utf-8")
    with pytest.raises(IngestError, match="more than one JSON document"):
        import_file(store, two, source="bank")
    # rows with a "results" column are not taken for Google's (nor read whole to check)
    rows_file = _write(tmp_path / "rows.jsonl", [{"results": "x", "n": i} for i in range(3)])
    with pytest.raises(UnknownFormat):
        detect(rows_file, "jsonl", columns_of(rows_file, "jsonl"))


def test_labels_on_the_words_themselves(store: Store, tmp_path: Path) -> None:
    """Newer Transcribe output labels each item; Google v2 has speakerLabel. A missing
    jobName gives the file's stem; --option customer= names the customer."""

    def item(word: str, start: str, end: str, who: str) -> dict[str, Any]:
        alternatives = [{"confidence": "0.5", "content": word}]
        return {"type": "pronunciation", "start_time": start, "end_time": end,
                "speaker_label": who, "alternatives": alternatives}  # fmt: skip

    aws = {"jobName": "", "results": {"items": [
        item("hi", "0.0", "0.5", "spk_1"), item("yes", "0.7", "1.0", "spk_0"),
        item("bye", "1.1", "1.5", "spk_2"),
    ]}}  # fmt: skip
    path = tmp_path / "1001.json"
    path.write_text(json.dumps(aws, indent=2), encoding="utf-8")
    summary = import_file(store, path, source="bank", params={"customer": "spk_1"})
    assert summary.format == "aws_transcribe"
    # spk_1 is the customer by option, so the first other speaker (spk_0) is the agent
    # and spk_2 is someone else
    assert [(s[0], s[1], s[2]) for s in _segments(store)] == [
        ("bank:1001#0", "customer", "spk_1"),
        ("bank:1001#1", "agent", "spk_0"),
        ("bank:1001#2", "other", "spk_2"),
    ]
    google = {"results": [{"alternatives": [{"words": [
        {"word": "hello", "startOffset": "0s", "endOffset": "0.5s", "speakerLabel": "A"},
        {"word": "hi", "startOffset": "0.6s", "endOffset": "0.9s", "speakerLabel": "B"},
    ]}]}]}  # fmt: skip
    path = tmp_path / "1004.json"
    path.write_text(json.dumps(google, indent=2), encoding="utf-8")
    import_file(store, path, source="bank")
    assert [(s[0], s[1], s[2]) for s in _segments(store) if s[0].startswith("bank:1004")] == [
        ("bank:1004#0", "agent", "A"),
        ("bank:1004#1", "customer", "B"),
    ]
