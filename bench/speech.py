"""Speech analytics throughput: an hour of stereo audio, and transcripts → figures.

    .venv/bin/python bench/speech.py [--hours 1] [--transcripts 10000]

One process, one thread (BLAS / OpenMP limited to one). The hour of 8 kHz stereo audio is
the committed test recordings (tests/speech/fixtures) decoded and tiled until it is an
hour long, written as FLAC to a temporary folder (not timed). Timed, best of two:

- baseline: decoding the FLAC file block by block and one numpy RMS pass over 10 ms frames
  of both channels (the least any detector must do);
- energy / webrtc: ``detect_speech`` with that detector (decode, decide, smooth, segments)
  and ``measure`` of the segments found.

Then ``measure`` on generated transcripts of 5 minutes (about 80 segments each, agent and
customer turns with pauses, overlaps and words), without and with the customer sentiment
(``sanjeh.text.sentiment`` on the opening and closing words, as ``analyze_calls`` does).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report, timed  # noqa: E402
from sanjeh.speech import VadSettings, audio_info, detect_speech, measure  # noqa: E402
from sanjeh.speech._audio import blocks  # noqa: E402
from sanjeh.speech._vad import FrameLevels  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "speech" / "fixtures"
RATE = 8_000


def make_hour(path: Path, hours: float) -> float:
    pieces = []
    for name in ("call-a.flac", "call-b.flac", "call-c.mp3", "call-d.wav"):
        audio, rate = sf.read(str(FIXTURES / name), dtype="int16", always_2d=True)
        assert rate == RATE
        pieces.append(audio)
    one = np.concatenate(pieces)
    want = int(hours * 3600 * RATE)
    tiled = np.tile(one, (want // len(one) + 1, 1))[:want]
    sf.write(str(path), tiled, RATE, subtype="PCM_16")
    return len(tiled) / RATE


def baseline(path: Path) -> int:
    info = audio_info(path)
    meters = [FrameLevels(info.sample_rate) for _ in range(info.channels)]
    for block in blocks(info):
        for c, m in enumerate(meters):
            m.add(block[:, c])
    return sum(len(m.levels()) for m in meters)


def transcripts(n: int, seed: int) -> list[tuple[list[str], list[float], list[float], list[str]]]:
    rng = random.Random(seed)
    words = [
        "please",
        "order",
        "refund",
        "card",
        "late",
        "thank",
        "you",
        "account",
        "sorry",
        "help",
        "today",
    ]
    out = []
    for _ in range(n):
        who, starts, ends, texts = [], [], [], []
        t, speaker = rng.uniform(0, 2), "agent"
        while t < 300:
            length = rng.uniform(0.8, 7.0)
            who.append(speaker)
            starts.append(t)
            ends.append(t + length)
            texts.append(" ".join(rng.choices(words, k=max(1, int(length * 2.5)))))
            # the next turn: mostly after a pause, sometimes overlapping
            t += length + rng.uniform(-0.8, 2.0)
            t = max(t, starts[-1] + 0.1)
            speaker = "customer" if speaker == "agent" else "agent"
        out.append((who, starts, ends, texts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--transcripts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sanjeh-bench-speech-") as tmp:
        path = Path(tmp) / "hour.flac"
        seconds = make_hour(path, args.hours)
        size_mb = path.stat().st_size / 1e6
        print(f"audio: {seconds / 3600:.2f} h stereo {RATE} Hz, FLAC {size_mb:.1f} MB")
        base_s, _ = timed(lambda: baseline(path), repeat=2)
        rows.append({"step": "baseline: decode + RMS", "seconds": base_s, "× baseline": 1.0})
        for detector in ("energy", "webrtc"):
            settings = VadSettings(detector=detector)  # type: ignore[arg-type]
            took, figures = timed(
                lambda s=settings: detect_speech(path, settings=s).figures(), repeat=2
            )
            rows.append(
                {
                    "step": f"{detector}: detect + measure",
                    "seconds": took,
                    "× baseline": took / base_s,
                }
            )
            print(
                f"  {detector}: talk agent {figures.agent_talk_s / 60:.1f} min, customer "
                f"{figures.customer_talk_s / 60:.1f} min, overtalk {figures.overtalk_count:,} "
                "stretches"
            )
    report("speech_audio", rows)

    calls = transcripts(args.transcripts, args.seed)
    segments = sum(len(c[0]) for c in calls)
    started = time.perf_counter()
    for who, s, e, texts in calls:
        measure(who, s, e, texts=texts)
    plain = time.perf_counter() - started
    from sanjeh.text import sentiment

    sample = calls[: max(1, len(calls) // 10)]
    started = time.perf_counter()
    # as analyze_calls does: measure, then one sentiment call for a batch of calls
    from sanjeh.speech import customer_ends

    ends = []
    for who, s, e, texts in sample:
        measure(who, s, e, texts=texts)
        found = customer_ends(who, s, texts)
        if found:
            ends += list(found)
    sentiment(ends)
    with_sentiment = (time.perf_counter() - started) / len(sample) * len(calls)
    report(
        "speech_measure",
        [
            {
                "transcripts": len(calls),
                "segments": segments,
                "measure s": plain,
                "calls/s": len(calls) / plain,
                "segments/s": segments / plain,
                "+ sentiment s (est.)": with_sentiment,
                "calls/s + sentiment": len(calls) / with_sentiment,
            }
        ],
    )


if __name__ == "__main__":
    main()
