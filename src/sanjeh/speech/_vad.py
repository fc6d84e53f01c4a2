"""Voice-activity detection on one channel: frames of 10 ms → speech stretches.

Two detectors decide frame by frame, then share the same smoothing:

- ``energy``: the frame's RMS level in dBFS against an adaptive noise floor (the minimum of
  the smoothed level over a sliding window, as in minimum-statistics noise estimation),
  with hysteresis: a stretch starts above floor + ``START_DB`` and lasts while the level
  stays above floor + ``STAY_DB``; never below ``ABSOLUTE_DB``.
- ``webrtc``: Google's WebRTC GMM detector (``webrtcvad-wheels``), on 10 ms frames of
  16-bit audio at 8 / 16 / 32 / 48 kHz (other rates are resampled to 16 kHz first).

Smoothing: a pause shorter than ``min_silence_s`` inside speech is bridged (a pause
between words is part of the utterance), the end of each stretch is held ``hangover_s``
longer (trailing consonants are quiet), and stretches shorter than ``min_speech_s``
(clicks) are dropped. docs/calls.md reports both detectors against planted truth.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Literal

import numpy as np
from scipy import ndimage, signal

from ..errors import ConfigError

FRAME_S = 0.01
DETECTORS = ("energy", "webrtc")
Detector = Literal["energy", "webrtc"]
_WEBRTC_RATES = (8_000, 16_000, 32_000, 48_000)

START_DB = 12.0
STAY_DB = 6.0
ABSOLUTE_DB = -55.0
#: window of the noise floor's running minimum: longer than any unbroken speech
FLOOR_WINDOW_S = 5.0
_SILENT_DB = -100.0


@dataclasses.dataclass(frozen=True)
class VadSettings:
    """How speech is found (defaults measured on tests/speech/fixtures, docs/calls.md)."""

    detector: Detector = "energy"
    #: pauses shorter than this inside speech are bridged
    min_silence_s: float = 0.5
    #: stretches shorter than this are dropped
    min_speech_s: float = 0.15
    #: speech is held this long after the detector lets go
    hangover_s: float = 0.0
    #: webrtcvad's aggressiveness, 0 (keeps most) … 3 (keeps least)
    webrtc_mode: int = 3

    def __post_init__(self) -> None:
        if self.detector not in DETECTORS:
            raise ConfigError(
                f"detector must be one of {', '.join(DETECTORS)}, not {self.detector!r}"
            )
        if not 0 <= self.webrtc_mode <= 3:
            raise ConfigError(f"webrtc_mode must be 0 … 3, not {self.webrtc_mode}")


class FrameLevels:
    """Per-frame dBFS of one channel, fed block by block (blocks of any length)."""

    def __init__(self, rate: int) -> None:
        self.size = max(round(rate * FRAME_S), 1)
        self._carry = np.empty(0, dtype=np.float32)
        self._levels: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        x = np.concatenate([self._carry, samples.astype(np.float32) / 32768.0])
        whole = len(x) // self.size * self.size
        frames = x[:whole].reshape(-1, self.size)
        power = np.einsum("ij,ij->i", frames, frames) / self.size
        self._levels.append(10.0 * np.log10(np.maximum(power, 1e-10)))
        self._carry = x[whole:]

    def levels(self) -> np.ndarray:
        return np.concatenate(self._levels) if self._levels else np.empty(0)


def energy_decisions(levels: np.ndarray) -> np.ndarray:
    """Speech / not per frame from frame levels (dBFS)."""
    if len(levels) == 0:
        return np.zeros(0, dtype=bool)
    smooth = ndimage.uniform_filter1d(levels, 5, mode="nearest")
    window = max(int(FLOOR_WINDOW_S / FRAME_S), 1)
    floor = ndimage.minimum_filter1d(smooth, window, mode="nearest")
    floor = np.maximum(floor, _SILENT_DB)
    start = np.maximum(floor + START_DB, ABSOLUTE_DB)
    stay = np.maximum(floor + STAY_DB, ABSOLUTE_DB - (START_DB - STAY_DB))
    above = smooth > stay
    # hysteresis: keep the runs above "stay" that somewhere rise above "start"
    runs, n = ndimage.label(above)
    if n == 0:
        return above
    seeded = np.zeros(n + 1, dtype=bool)
    seeded[np.unique(runs[smooth > start])] = True
    seeded[0] = False
    return seeded[runs]


class WebrtcFrames:
    """WebRTC decisions per 10 ms frame of one channel, fed block by block."""

    def __init__(self, rate: int, mode: int) -> None:
        try:
            import webrtcvad
        except ImportError:  # pragma: no cover - a declared dependency
            raise ConfigError(
                "the webrtc detector needs webrtcvad-wheels: pip install webrtcvad-wheels"
            ) from None
        self.vad = webrtcvad.Vad(mode)
        self.source_rate = rate
        self.rate = rate if rate in _WEBRTC_RATES else 16_000
        self.size = round(self.rate * FRAME_S)
        self._carry = np.empty(0, dtype=np.int16)
        self._found: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        if self.rate != self.source_rate:
            up, down = self.rate, self.source_rate
            g = np.gcd(up, down)
            x = signal.resample_poly(samples.astype(np.float32), up // g, down // g)
            samples = np.clip(x, -32768, 32767).astype(np.int16)
        x = np.concatenate([self._carry, samples.astype(np.int16)])
        whole = len(x) // self.size * self.size
        data = x[:whole].tobytes()
        step, rate, is_speech = self.size * 2, self.rate, self.vad.is_speech
        found = np.fromiter(
            (is_speech(data[i : i + step], rate) for i in range(0, len(data), step)),
            dtype=bool,
            count=whole // self.size,
        )
        self._found.append(found)
        self._carry = x[whole:]

    def decisions(self) -> np.ndarray:
        return np.concatenate(self._found) if self._found else np.zeros(0, dtype=bool)


def smooth(decisions: np.ndarray, settings: VadSettings) -> np.ndarray:
    """Bridge short pauses, hold the ends, drop short stretches (frame decisions)."""
    speech = decisions.astype(bool)
    if not speech.any():
        return speech
    hang = round(settings.hangover_s / FRAME_S)
    if hang:
        speech = ndimage.binary_dilation(speech, np.r_[np.zeros(hang), np.ones(hang + 1)] > 0)
    gap = round(settings.min_silence_s / FRAME_S)
    speech = _fill_runs(speech, False, gap)
    shortest = round(settings.min_speech_s / FRAME_S)
    return _fill_runs(speech, True, shortest)


def _fill_runs(x: np.ndarray, value: bool, shorter_than: int) -> np.ndarray:
    """Flip runs of ``value`` shorter than ``shorter_than`` frames; runs of silence at the
    edges of the channel are left alone (nothing to bridge to)."""
    if shorter_than <= 1 or len(x) == 0:
        return x
    edges = np.flatnonzero(np.diff(x.astype(np.int8))) + 1
    starts = np.r_[0, edges]
    ends = np.r_[edges, len(x)]
    lengths = ends - starts
    flip = (x[starts] == value) & (lengths < shorter_than)
    if not value:
        flip &= (starts > 0) & (ends < len(x))
    out = x.copy()
    for s, e in zip(starts[flip], ends[flip], strict=True):
        out[s:e] = not value
    return out


def stretches(speech: np.ndarray) -> np.ndarray:
    """Frame decisions → (n, 2) seconds [start, end) of each speech stretch."""
    if not speech.any():
        return np.empty((0, 2))
    padded = np.r_[False, speech, False].astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return change.reshape(-1, 2) * FRAME_S


def frames_of(segments: Iterable[tuple[float, float]], n_frames: int) -> np.ndarray:
    """Spans in seconds → a frame mask of ``n_frames`` (a frame is speech when its middle is)."""
    mask = np.zeros(n_frames, dtype=bool)
    middles = (np.arange(n_frames) + 0.5) * FRAME_S
    for start, end in segments:
        mask |= (middles >= start) & (middles < end)
    return mask
