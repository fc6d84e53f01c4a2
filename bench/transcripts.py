"""Call transcripts end to end: import, AutoQA scoring and speech analysis, per message,
against the text analyzers alone on the same messages (#16).

    .venv/bin/python bench/transcripts.py [--calls 10000] [--seed 3]

``--calls`` transcripts of 5 minutes are generated with the demo's dialogue generator
(the ticket's language and topic, the agent's habits: about 50 segments a call) and
written as one canonical transcript JSON Lines file (``call_id, speaker, start, end,
text``) beside a call log; not timed. Timed, one process, one thread:

- baseline: ``sanjeh.text.analyze`` of every segment's text with its speaker's role, the
  full default analyzer set (what scoring a message costs at the least);
- pipeline: into a new DuckDB store, ``import_file`` of the call log and the transcripts,
  ``text.score_store`` (every segment scored into ``auto_scores``, conversation signals
  too) and ``speech.analyze_calls`` (figures and the customer's opening / closing
  sentiment into ``call_speech``).

Target (issue #16): the pipeline's messages per second ≥ 0.5 × the baseline's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report  # noqa: E402
from sanjeh import text  # noqa: E402
from sanjeh.demo._const import CATEGORIES, LANGS  # noqa: E402
from sanjeh.demo._transcripts import _script, _timed  # noqa: E402
from sanjeh.ingest import import_file  # noqa: E402
from sanjeh.speech import analyze_calls  # noqa: E402
from sanjeh.store import Store  # noqa: E402

TALK_S = 300.0
AGENTS = ("Sara", "Ali", "Maryam", "Omar", "Layla", "John")


def write_files(folder: Path, calls: int, seed: int) -> tuple[Path, Path, list[tuple[str, str]]]:
    """The call log and the transcripts; returns (role, text) of every segment."""
    rng = np.random.default_rng(seed)
    said: list[tuple[str, str]] = []
    log, lines = folder / "calls.jsonl", folder / "transcripts.jsonl"
    with log.open("w", encoding="utf-8") as c, lines.open("w", encoding="utf-8") as t:
        for n in range(calls):
            call = f"c{n:06d}"
            started = f"2026-10-{1 + n % 28:02d}T{8 + n % 9:02d}:{n % 60:02d}:00Z"
            c.write(
                json.dumps(
                    {"call_id": call, "started_at": started, "answered_at": started}
                    | {"outcome": "answered", "talk_s": TALK_S}
                )
                + "\n"
            )
            script = _script(
                rng,
                lang=LANGS[int(rng.integers(3))],
                category=CATEGORIES[int(rng.integers(len(CATEGORIES)))],
                style=int(rng.integers(4)),
                agent_name=AGENTS[int(rng.integers(len(AGENTS)))],
                angry=bool(rng.random() < 0.2),
            )
            habits = {
                "wpm": float(rng.normal(150, 18)),
                "interrupts": float(rng.beta(1.5, 9)),
                "dead_air": float(rng.gamma(2.0, 2.5) + 2),
            }
            for speaker, start, end, words in _timed(rng, script, talk=TALK_S, hold=0.0, **habits):
                row = {"call_id": call, "speaker": speaker, "start": round(start, 2)}
                row |= {"end": round(end, 2), "text": words}
                t.write(json.dumps(row, ensure_ascii=False) + "\n")
                said.append((speaker, words))
    return log, lines, said


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanjeh-bench-transcripts-") as tmp:
        folder = Path(tmp)
        log, lines, said = write_files(folder, args.calls, args.seed)
        messages = len(said)
        print(f"{args.calls:,} transcripts of {TALK_S / 60:.0f} min: {messages:,} segments")

        began = time.perf_counter()
        for role in ("agent", "customer"):
            text.analyze([w for r, w in said if r == role], role=role)
        baseline = time.perf_counter() - began

        began = time.perf_counter()
        with Store.open(str(folder / "bench.duckdb")) as store:
            imported = import_file(store, log, source="bench")
            segments = import_file(store, lines, source="bench")
            scored = text.score_store(store)
            speech = analyze_calls(store)
        pipeline = time.perf_counter() - began
        assert imported.inserted == args.calls and segments.rejected == 0, segments
        assert scored.calls == args.calls and scored.messages == messages, scored
        assert speech.calls == args.calls, speech

    base_rate, rate = messages / baseline, messages / pipeline
    report(
        "transcripts",
        [
            {
                "calls": args.calls,
                "segments": messages,
                "baseline_analyze_s": round(baseline, 1),
                "baseline_messages_per_s": round(base_rate),
                "pipeline_s": round(pipeline, 1),
                "pipeline_messages_per_s": round(rate),
                "ratio": round(rate / base_rate, 3),
                "target_ratio": 0.5,
                "met": rate / base_rate >= 0.5,
            }
        ],
    )


if __name__ == "__main__":
    main()
