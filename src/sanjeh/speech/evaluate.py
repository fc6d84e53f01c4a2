"""Measure the voice-activity detectors against planted truth, frame by frame.

    python -m sanjeh.speech.evaluate tests/speech/fixtures            # as recorded
    python -m sanjeh.speech.evaluate tests/speech/fixtures --noise -35  # + white noise, dBFS

The folder holds recordings and a ``truth.json`` of the speech planted on each channel
(tests/speech/make_fixtures.py writes both). Each 10 ms frame of each channel is speech
in the truth when its middle lies inside a planted span; precision, recall and F1 count
frames over all recordings and both channels. ``--noise`` adds white noise to both
channels before detection (a copy in a temporary folder), to see how each detector holds
up on a noisy line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path

import numpy as np

from ._detect import DEFAULT_CHANNELS, detect_speech
from ._vad import VadSettings, frames_of


@dataclasses.dataclass
class FrameScores:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, truth: np.ndarray, found: np.ndarray) -> None:
        self.true_positive += int((truth & found).sum())
        self.false_positive += int((~truth & found).sum())
        self.false_negative += int((truth & ~found).sum())

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        real = self.true_positive + self.false_negative
        return self.true_positive / real if real else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_folder(
    folder: Path, settings: VadSettings, *, noise_dbfs: float | None = None, seed: int = 7
) -> FrameScores:
    """Frame scores of one detector over every recording of ``folder``'s truth.json."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    scores = FrameScores()
    with tempfile.TemporaryDirectory(prefix="sanjeh-vad-") as tmp:
        for name, planted in truth.items():
            path = folder / name
            if noise_dbfs is not None:
                path = _noisy_copy(path, Path(tmp), noise_dbfs, seed)
            found = detect_speech(path, settings=settings)
            for c, channel in enumerate(DEFAULT_CHANNELS):
                frames = found.frames[c]
                scores.add(frames_of(planted["speech"][channel], len(frames)), frames)
    return scores


def _noisy_copy(path: Path, folder: Path, noise_dbfs: float, seed: int) -> Path:
    import soundfile as sf

    audio, rate = sf.read(str(path), always_2d=True)
    rng = np.random.default_rng(seed)
    audio = audio + rng.normal(0, 10 ** (noise_dbfs / 20), audio.shape)
    out = folder / f"{path.stem}.flac"
    sf.write(str(out), np.clip(audio, -1, 1), rate, subtype="PCM_16")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--noise", type=float, default=None, help="white noise level, dBFS")
    args = parser.parse_args(argv)
    print(f"{'detector':<16} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, settings in (
        ("energy", VadSettings(detector="energy")),
        *((f"webrtc mode {m}", VadSettings(detector="webrtc", webrtc_mode=m)) for m in range(4)),
    ):
        s = score_folder(args.folder, settings, noise_dbfs=args.noise)
        print(f"{name:<16} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}")


if __name__ == "__main__":
    main()
