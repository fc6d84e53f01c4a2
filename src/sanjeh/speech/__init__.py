"""Calls as conversations: speech figures from transcript segments or from recordings.

    from sanjeh import speech
    figures = speech.measure(["agent", "customer"], [0.0, 3.2], [3.5, 7.0])
    speech.analyze_calls(store)                      # call_segments → call_speech, what changed
    speech.import_recordings(store, ["bank/43678.flac"], source="bank")
    speech.detect_speech("43678.flac").figures()     # a recording alone, nothing stored

Recordings are stereo, one party per channel (left = agent unless told otherwise); speech
is found by voice-activity detection (``VadSettings``: energy, the default, or webrtcvad)
and measured like a transcript. See docs/calls.md for every definition and the
detectors' measured accuracy.
"""

from ._analysis import SPEECH_VERSION, AnalysisSummary, analyze_calls, pending_calls
from ._audio import AUDIO_SUFFIXES, AudioInfo, audio_info
from ._detect import DEFAULT_CHANNELS, DetectedSpeech, detect_speech, parse_channels
from ._measure import MONOLOGUE_GAP_S, SpeechFigures, customer_ends, measure
from ._recordings import (
    RecordingResult,
    RecordingsSummary,
    audio_files,
    import_recordings,
    read_mapping,
)
from ._vad import DETECTORS, VadSettings

__all__ = [
    "AUDIO_SUFFIXES",
    "DEFAULT_CHANNELS",
    "DETECTORS",
    "MONOLOGUE_GAP_S",
    "SPEECH_VERSION",
    "AnalysisSummary",
    "AudioInfo",
    "DetectedSpeech",
    "RecordingResult",
    "RecordingsSummary",
    "SpeechFigures",
    "VadSettings",
    "analyze_calls",
    "audio_files",
    "audio_info",
    "customer_ends",
    "detect_speech",
    "import_recordings",
    "measure",
    "parse_channels",
    "pending_calls",
    "read_mapping",
]
