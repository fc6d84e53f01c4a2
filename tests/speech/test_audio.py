"""Speech found in the committed recordings against the speech planted in them.

The recordings (tests/speech/make_fixtures.py: espeak-ng voices placed on the agent's and
the customer's channel) come with truth.json, the planted spans measured from the
synthesised audio's lengths. Tolerance: ±0.3 s of talk per channel, silence and overtalk
for the default (energy) detector; ±0.5 s for webrtcvad, which holds speech a few frames
past its end (docs/calls.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from sanjeh.errors import ValidationError
from sanjeh.speech import VadSettings, detect_speech, measure
from sanjeh.speech.evaluate import score_folder

from .conftest import FIXTURES, truth

TOLERANCE_S = 0.3
WEBRTC_TOLERANCE_S = 0.5


def planted(name: str):
    spans = truth()[name]["speech"]
    segs = [(who, s, e) for who in ("agent", "customer") for s, e in spans[who]]
    return measure(*zip(*segs, strict=True))


@pytest.mark.parametrize("detector", ["energy", "webrtc"])
@pytest.mark.parametrize("name", sorted(truth()))
def test_figures_from_audio_match_the_planted_truth(name: str, detector: str) -> None:
    found = detect_speech(FIXTURES / name, settings=VadSettings(detector=detector)).figures()
    want = planted(name)
    within = TOLERANCE_S if detector == "energy" else WEBRTC_TOLERANCE_S
    for field in ("agent_talk_s", "customer_talk_s", "silence_s", "overtalk_s", "duration_s"):
        assert getattr(found, field) == pytest.approx(getattr(want, field), abs=within), field
    assert found.overtalk_count == want.overtalk_count
    assert found.agent_interruptions == want.agent_interruptions
    assert found.agent_wpm is None and found.sentiment_start is None  # no words in audio


def test_the_planted_overtalk_and_interruption_are_found() -> None:
    want = planted("call-a.flac")
    # agent [16.0, 18.96) meets customer [18.6, 21.91): 0.36 s; the agent's [21.0, 24.19)
    # starts inside the customer's line: 0.91 s more, and one interruption
    assert want.overtalk_count == 2 and want.agent_interruptions == 1
    assert want.overtalk_s == pytest.approx((18.955375 - 18.6) + (21.907125 - 21.0))
    found = detect_speech(FIXTURES / "call-a.flac").figures()
    assert found.overtalk_count == 2 and found.agent_interruptions == 1
    # the planted dead air after the agent's second line: [11.57, 16.0) = 4.43 s
    assert found.longest_silence_s == pytest.approx(16.0 - 11.565125, abs=TOLERANCE_S)


def test_frame_accuracy_of_both_detectors() -> None:
    # measured in docs/calls.md: energy F1 0.996, webrtc (mode 3) F1 0.982
    energy = score_folder(FIXTURES, VadSettings(detector="energy"))
    webrtc = score_folder(FIXTURES, VadSettings(detector="webrtc"))
    assert energy.f1 > 0.97 and webrtc.f1 > 0.95
    assert energy.precision > webrtc.precision


def test_swapped_channels(tmp_path: Path) -> None:
    normal = detect_speech(FIXTURES / "call-b.flac").figures()
    swapped = detect_speech(FIXTURES / "call-b.flac", channels="customer,agent").figures()
    assert swapped.agent_talk_s == normal.customer_talk_s
    assert swapped.customer_talk_s == normal.agent_talk_s


def test_mono_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    mono = tmp_path / "mono.wav"
    sf.write(mono, np.zeros(8000), 8000)
    with pytest.raises(ValidationError, match="stereo"):
        detect_speech(mono)
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"not audio at all")
    with pytest.raises(ValidationError, match="cannot be read as audio"):
        detect_speech(broken)
    text = tmp_path / "notes.txt"
    shutil.copy(FIXTURES / "truth.json", text)
    with pytest.raises(ValidationError, match="not a recording"):
        detect_speech(text)
    with pytest.raises(ValidationError, match="left and the right"):
        detect_speech(FIXTURES / "call-d.wav", channels="agent")


def test_a_rate_webrtc_does_not_take_is_resampled(tmp_path: Path) -> None:
    audio, _ = sf.read(FIXTURES / "call-c.mp3", always_2d=True)

    odd = tmp_path / "call-c-11k.wav"
    sf.write(odd, resample_poly(audio, 11025, 8000, axis=0), 11025)
    for detector in ("energy", "webrtc"):
        found = detect_speech(odd, settings=VadSettings(detector=detector)).figures()
        want = planted("call-c.mp3")
        assert found.agent_talk_s == pytest.approx(want.agent_talk_s, abs=WEBRTC_TOLERANCE_S)
