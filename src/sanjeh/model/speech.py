"""Calls as conversations: transcript segments and the speech figures computed from them.

``call_segments`` is what a transcript (or voice-activity detection on a recording) says
happened on a call: who spoke from when to when, and what, as offsets in seconds from
the start of the recording. ``call_speech`` is one row per analysed call, written by
``sanjeh.speech`` (talk, silence, overtalk, interruptions, speaking rate, sentiment at
start and end), read by the speech KPIs. Both belong to the call (``belongs_to``).
"""

from __future__ import annotations

from ._spec import Column, TableSpec, before

SPEAKERS = ("agent", "customer", "other")
SEGMENT_ORIGINS = ("transcript", "audio")


CALL_SEGMENTS = TableSpec(
    name="call_segments",
    description=(
        "One row per stretch of speech on a call, from a transcript or from voice-activity "
        "detection on the recording: speaker, start and end (seconds from the start of the "
        "recording) and, from a transcript, the words."
    ),
    key="segment_id",
    belongs_to="call_id",
    columns=(
        Column(
            "segment_id",
            "id",
            "`<call_id>#<n>`: n numbers the call's segments in order of start.",
            required=True,
        ),
        Column("call_id", "id", "The call.", required=True, ref="calls"),
        Column("source", "string", "Name of the system the transcript came from.", required=True),
        Column(
            "speaker",
            "string",
            "Who spoke: the agent, the customer, or someone else (IVR, a transfer).",
            required=True,
            choices=SPEAKERS,
        ),
        Column(
            "speaker_label",
            "string",
            "The speaker as the file names them (spk_0, a name, a channel).",
        ),
        Column(
            "start_s",
            "float",
            "Start, seconds from the start of the recording.",
            required=True,
            minimum=0,
        ),
        Column("end_s", "float", "End, seconds from the start of the recording.", required=True),
        Column("text", "string", "What was said (empty for speech found in a recording)."),
        Column("words", "int", "Number of words spoken (from the text).", minimum=0),
        Column("confidence", "float", "Recogniser confidence, 0 … 1.", minimum=0, maximum=1),
        Column(
            "origin",
            "string",
            "transcript or audio (voice-activity detection, no words).",
            choices=SEGMENT_ORIGINS,
            default="transcript",
        ),
    ),
    checks=(before("end_s", "start_s"),),
    example={
        "segment_id": "bank:43678#0",
        "call_id": "bank:43678",
        "source": "bank",
        "speaker": "agent",
        "speaker_label": "spk_0",
        "start_s": "0.42",
        "end_s": "3.9",
        "text": "سلام، وقت بخیر. چطور می‌تونم کمکتون کنم؟",
        "words": "7",
        "origin": "transcript",
    },
)

CALL_SPEECH = TableSpec(
    name="call_speech",
    description=(
        "Speech analytics of one call, computed from its segments by `sanjeh analyze` "
        "(see docs/calls.md for each definition)."
    ),
    key="call_id",
    belongs_to="call_id",
    columns=(
        Column("call_id", "id", "The call.", required=True, ref="calls"),
        Column(
            "origin",
            "string",
            "What the figures were computed from: transcript or audio.",
            required=True,
            choices=SEGMENT_ORIGINS,
        ),
        Column("duration_s", "float", "Length of the analysed conversation, seconds.", minimum=0),
        Column("agent_talk_s", "float", "Seconds the agent spoke.", minimum=0),
        Column("customer_talk_s", "float", "Seconds the customer spoke.", minimum=0),
        Column(
            "talk_listen_ratio",
            "float",
            "Agent talk ÷ customer talk (null when the customer never spoke).",
            minimum=0,
        ),
        Column("silence_s", "float", "Seconds nobody spoke (dead air).", minimum=0),
        Column("silence_share", "float", "silence_s ÷ duration_s.", minimum=0, maximum=1),
        Column("longest_silence_s", "float", "Longest stretch nobody spoke.", minimum=0),
        Column("overtalk_s", "float", "Seconds agent and customer spoke at once.", minimum=0),
        Column("overtalk_share", "float", "overtalk_s ÷ duration_s.", minimum=0, maximum=1),
        Column("overtalk_count", "int", "Stretches of overtalk.", minimum=0),
        Column(
            "agent_interruptions",
            "int",
            "Times the agent started speaking while the customer was speaking.",
            minimum=0,
        ),
        Column(
            "agent_wpm", "float", "Agent words per minute of agent speech (transcripts).", minimum=0
        ),
        Column("customer_wpm", "float", "Customer words per minute (transcripts).", minimum=0),
        Column(
            "longest_agent_monologue_s",
            "float",
            "Longest stretch the agent spoke without the customer speaking.",
            minimum=0,
        ),
        Column(
            "sentiment_start",
            "float",
            "Customer sentiment at the start of the call, −1 … 1 (transcripts).",
        ),
        Column("sentiment_end", "float", "Customer sentiment at the end, −1 … 1 (transcripts)."),
        Column("sentiment_change", "float", "sentiment_end − sentiment_start."),
        Column("version", "string", "Version of the speech analysis.", required=True),
        Column(
            "segments_digest",
            "string",
            "Fingerprint of the segments the figures were computed from: the call is "
            "analysed again when its segments change.",
        ),
        Column("analysed_at", "timestamp", "When it was computed (UTC)."),
    ),
    example={
        "call_id": "bank:43678",
        "origin": "transcript",
        "duration_s": "218",
        "agent_talk_s": "96.5",
        "customer_talk_s": "81.2",
        "talk_listen_ratio": "1.19",
        "silence_s": "44.3",
        "silence_share": "0.203",
        "longest_silence_s": "12.5",
        "overtalk_s": "4",
        "overtalk_share": "0.018",
        "overtalk_count": "3",
        "agent_interruptions": "2",
        "version": "speech-1",
    },
)

SPEECH_TABLES: dict[str, TableSpec] = {t.name: t for t in (CALL_SEGMENTS, CALL_SPEECH)}
