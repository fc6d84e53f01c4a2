"""A stereo recording → speech stretches per party → the same figures as a transcript."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ValidationError
from ..model import SPEAKERS
from ._audio import AudioInfo, audio_info, blocks
from ._measure import SpeechFigures, measure
from ._vad import FrameLevels, VadSettings, WebrtcFrames, energy_decisions, smooth, stretches

#: who speaks on the left and the right channel unless told otherwise
DEFAULT_CHANNELS = ("agent", "customer")


@dataclasses.dataclass(frozen=True)
class DetectedSpeech:
    """Speech found in one recording: per channel, (n, 2) seconds [start, end)."""

    info: AudioInfo
    channels: tuple[str, ...]
    stretches: tuple[np.ndarray, ...]
    #: per channel, the raw-then-smoothed speech decision of each 10 ms frame
    frames: tuple[np.ndarray, ...]

    def segments(self) -> list[tuple[str, str, float, float]]:
        """(speaker, channel label, start, end) in order of start."""
        labels = ("left", "right") if len(self.channels) == 2 else ("mono",)
        out = [
            (speaker, label, float(s), float(e))
            for speaker, label, found in zip(self.channels, labels, self.stretches, strict=True)
            for s, e in found
        ]
        return sorted(out, key=lambda x: (x[2], x[3], x[1]))

    def figures(self) -> SpeechFigures:
        segs = self.segments()
        return measure([s[0] for s in segs], [s[2] for s in segs], [s[3] for s in segs])


def parse_channels(channels: str | Sequence[str]) -> tuple[str, ...]:
    """``"agent,customer"`` (left, right) → ("agent", "customer")."""
    names = tuple(
        c.strip() for c in (channels.split(",") if isinstance(channels, str) else channels)
    )
    if len(names) != 2 or any(n not in SPEAKERS for n in names):
        raise ValidationError(
            "channels",
            f"{','.join(names)!r}: name who is on the left and the right channel, e.g. "
            f"agent,customer or customer,agent (each one of {', '.join(SPEAKERS)})",
        )
    return names


def detect_speech(
    path: str | Path,
    *,
    channels: str | Sequence[str] = DEFAULT_CHANNELS,
    settings: VadSettings | None = None,
) -> DetectedSpeech:
    """Find the speech on each channel of a stereo recording (WAV, FLAC or MP3)."""
    settings = settings or VadSettings()
    names = parse_channels(channels)
    info = audio_info(Path(path))
    if info.channels != 2:
        raise ValidationError(
            str(path),
            f"has {info.channels} channel(s); Sanjeh needs stereo recordings with the agent on "
            "one channel and the customer on the other (it does not separate speakers)",
        )
    if settings.detector == "webrtc":
        webrtc = [WebrtcFrames(info.sample_rate, settings.webrtc_mode) for _ in names]
        for block in blocks(info):
            for c, w in enumerate(webrtc):
                w.add(np.ascontiguousarray(block[:, c]))
        raw = [w.decisions() for w in webrtc]
    else:
        meters = [FrameLevels(info.sample_rate) for _ in names]
        for block in blocks(info):
            for c, m in enumerate(meters):
                m.add(block[:, c])
        raw = [energy_decisions(m.levels()) for m in meters]
    decided = tuple(smooth(r, settings) for r in raw)
    return DetectedSpeech(info, names, tuple(stretches(d) for d in decided), decided)
