"""Make the test recordings of tests/speech/fixtures/ and their planted truth.

    python tests/speech/make_fixtures.py      # needs espeak-ng and sox (Debian packages)

Each utterance is spoken by espeak-ng, resampled to 8 kHz and trimmed of leading and
trailing silence by sox; its length in samples (``soxi -s``) fixes its span, placed at
a chosen start on the agent's or the customer's channel. The spans written to
``truth.json`` come from those lengths, not from typed-in numbers. The tests read only
the committed files, so they run without espeak-ng and sox.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent / "fixtures"
RATE = 8_000

# (channel, start in seconds, voice, text): a start before the previous utterance on the
# other channel ends plants overtalk; gaps plant silence
CALLS: dict[str, dict[str, object]] = {
    "call-a": {
        "format": "flac",
        "noise": None,
        "lines": [
            ("agent", 0.5, "en-us", "Good morning, thank you for calling. How can I help you?"),
            ("customer", 4.3, "en-gb", "Hello. My card was charged twice for one order."),
            ("agent", 8.4, "en-us", "I am sorry to hear that. Let me look at your account."),
            # planted dead air of about four seconds follows the agent's line
            ("agent", 16.0, "en-us", "Thank you for waiting. I can see both payments."),
            # the customer speaks over the agent's end: planted overtalk
            ("customer", 18.6, "en-gb", "Yes, that is exactly the problem. Can you fix it?"),
            # the agent starts while the customer is still speaking: an interruption
            ("agent", 21.0, "en-us", "Of course. I will refund the second payment today."),
            ("customer", 25.6, "en-gb", "Great, thank you very much."),
        ],
    },
    "call-b": {
        "format": "flac",
        # light hiss on the customer's line: white noise at about -45 dBFS
        "noise": ("customer", 0.006),
        "lines": [
            ("customer", 0.3, "en-gb", "Hi, I would like to change my delivery address."),
            (
                "agent",
                3.6,
                "en-us",
                "Certainly. To change the address I first need to confirm your identity, "
                "then I will update the order, and you will receive an email confirming "
                "the new address within a few minutes.",
            ),
            ("customer", 15.0, "en-gb", "Okay, my postcode is S W one A."),
            ("agent", 18.2, "en-us", "Thank you. That is done."),
        ],
    },
    "call-c": {
        "format": "mp3",
        "noise": None,
        "lines": [
            ("agent", 0.2, "en-us", "Hello, how can I help?"),
            ("customer", 1.4, "en-gb", "My parcel never arrived."),
            ("agent", 3.5, "en-us", "I will send a new one today."),
        ],
    },
    "call-d": {
        "format": "wav",
        "noise": None,
        "lines": [
            ("agent", 0.1, "en-us", "Hello."),
            ("customer", 0.8, "en-gb", "Hi there."),
        ],
    },
}


def _say(text: str, voice: str, out: Path) -> np.ndarray:
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(raw), text], check=True)
    # 8 kHz mono 16-bit; silence under 0.1 % trimmed from both ends
    trim = ["silence", "1", "0.02", "0.1%", "reverse", "silence", "1", "0.02", "0.1%", "reverse"]
    subprocess.run(
        ["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *trim], check=True
    )
    samples = int(
        subprocess.run(["soxi", "-s", str(out)], capture_output=True, text=True, check=True).stdout
    )
    with wave.open(str(out)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    assert len(audio) == samples, (out, len(audio), samples)
    return audio.astype(np.float64) / 32768.0


def make() -> dict[str, object]:
    truth: dict[str, object] = {}
    rng = np.random.default_rng(16)
    with tempfile.TemporaryDirectory() as tmp:
        for name, call in CALLS.items():
            spans: dict[str, list[list[float]]] = {"agent": [], "customer": []}
            pieces = []
            for i, (channel, start, voice, text) in enumerate(call["lines"]):  # type: ignore[attr-defined]
                audio = _say(text, voice, Path(tmp) / f"{name}-{i}.wav")
                first = round(start * RATE)
                pieces.append((channel, first, audio))
                spans[channel].append([first / RATE, (first + len(audio)) / RATE])
            length = max(first + len(a) for _, first, a in pieces) + round(0.5 * RATE)
            stereo = np.zeros((length, 2))
            for channel, first, audio in pieces:
                stereo[first : first + len(audio), 0 if channel == "agent" else 1] += audio
            if call["noise"]:
                channel, level = call["noise"]  # type: ignore[misc]
                stereo[:, 0 if channel == "agent" else 1] += rng.normal(0, level, length)
            path = HERE / f"{name}.{call['format']}"
            sf.write(path, np.clip(stereo, -1, 1), RATE, subtype=_subtype(str(call["format"])))
            truth[path.name] = {
                "call": name,
                "sample_rate": RATE,
                "seconds": length / RATE,
                "noise_on": call["noise"][0] if call["noise"] else None,  # type: ignore[index]
                "speech": spans,
            }
    return truth


def _subtype(fmt: str) -> str | None:
    return {"flac": "PCM_16", "wav": "PCM_16", "mp3": None}[fmt]


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    found = make()
    (HERE / "truth.json").write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    for f in sorted(HERE.iterdir()):
        print(f"{f.name:>14}  {f.stat().st_size:>8,} bytes")
