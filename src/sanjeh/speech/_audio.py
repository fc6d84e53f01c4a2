"""Reading recordings: WAV, FLAC and MP3 through libsndfile (python-soundfile), in blocks.

A recording is read as 16-bit samples, one block at a time, so an hour of audio never
sits in memory whole; what the detectors keep is per frame (10 ms), a thousandth of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ValidationError

#: file suffixes read as recordings (``sanjeh import`` sends these to ``import_recordings``)
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3")
#: seconds of audio decoded at once
BLOCK_S = 60.0


@dataclasses.dataclass(frozen=True)
class AudioInfo:
    path: Path
    sample_rate: int
    channels: int
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _soundfile() -> Any:
    """python-soundfile, imported when a recording is read (it loads libsndfile)."""
    import soundfile

    return soundfile


def audio_info(path: Path) -> AudioInfo:
    """Rate, channels and length of a recording; a clear error for what cannot be read."""
    sf = _soundfile()
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise ValidationError(
            str(path), f"not a recording Sanjeh reads ({', '.join(AUDIO_SUFFIXES)})"
        )
    if path.suffix.lower() == ".mp3" and "MP3" not in sf.available_formats():
        raise ValidationError(
            str(path),
            f"this libsndfile ({sf.__libsndfile_version__}) cannot read MP3; convert the file "
            "to FLAC or WAV, or install python-soundfile ≥ 0.12 (libsndfile ≥ 1.1)",
        )
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise ValidationError(str(path), f"cannot be read as audio: {exc}") from None
    return AudioInfo(path, int(info.samplerate), int(info.channels), int(info.frames))


def blocks(info: AudioInfo, block_s: float = BLOCK_S) -> Iterator[np.ndarray]:
    """The recording as int16 blocks of shape (samples, channels)."""
    sf = _soundfile()
    size = max(int(block_s * info.sample_rate), 1)
    try:
        with sf.SoundFile(str(info.path)) as f:
            while True:
                block = f.read(size, dtype="int16", always_2d=True)
                if len(block) == 0:
                    return
                yield block
    except (RuntimeError, sf.LibsndfileError) as exc:  # a file damaged past its header
        raise ValidationError(str(info.path), f"cannot be read as audio: {exc}") from None
