"""Transcripts of the demo's answered calls: who said what, from when to when.

Each answered call becomes a dialogue in the ticket's language, from the same phrase
banks as the written conversations: the agent greets and asks, the customer explains,
the agent puts the caller on hold for the call's hold time (a silence), answers and
closes; question-and-answer rounds fill the call to its talk time. Agents keep their
habits across calls: a polite agent greets warmly and shows empathy, a rude one does
not; some agents cut in on the customer more often than others (overtalk) or leave
longer pauses (dead air); each speaks at their own pace.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from ._const import ANGRY, CATEGORIES, LANGS, SOURCE
from ._tables import Ids
from ._world import Chunk, World
from .phrases import BANKS

#: words per minute: agents' own pace is drawn once per agent around this
AGENT_WPM, CUSTOMER_WPM = 150.0, 135.0
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SCHEMA = pa.schema(
    [
        ("segment_id", pa.string()),
        ("call_id", pa.string()),
        ("source", pa.string()),
        ("speaker", pa.string()),
        ("speaker_label", pa.string()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("text", pa.string()),
        ("words", pa.int64()),
        ("origin", pa.string()),
    ]
)


def _habits(n_agents: int, seed: int) -> dict[str, np.ndarray]:
    """Per agent, fixed for the whole demo: pace, how often they cut in, how long they
    leave the line silent while looking something up."""
    rng = np.random.default_rng([seed, 61])
    return {
        "wpm": rng.normal(AGENT_WPM, 18, n_agents).clip(105, 200),
        "interrupts": rng.beta(1.5, 9, n_agents),  # share of turns started over the customer
        "dead_air": rng.gamma(2.0, 2.5, n_agents) + 2.0,  # mean look-up pause, seconds
    }


def _say(rng: np.random.Generator, lang: str, slot: str, category: str, agent: str) -> str:
    found = BANKS[lang][slot]
    options = found[category] if isinstance(found, dict) else found
    usable = [p for p in options if "{name}" not in p] or list(options)
    text = usable[int(rng.integers(len(usable)))]

    def fill(m: re.Match[str]) -> str:
        if m.group(1) == "agent":
            return agent
        return str(int(rng.integers(1_000_000, 9_999_999)))

    return _PLACEHOLDER.sub(fill, text).replace("{name}", "").strip()


def call_transcripts(chunk: Chunk, ids: Ids, world: World, seed: int, k: int) -> pa.Table:
    """Segments of the chunk's answered calls (the call behind each phone ticket)."""
    phone = chunk.phone
    tix = phone.get("tix", np.array([], np.int64))
    if not len(tix):
        return _SCHEMA.empty_table()
    rng = np.random.default_rng([seed, 60, k])
    habits = _habits(len(world.org.style), seed)
    external = ids.ticket_external(chunk.lo + tix).to_pylist()
    columns: dict[str, list] = {f.name: [] for f in _SCHEMA}
    for i, t in enumerate(tix):
        agent = int(phone["agent"][i])
        lang = LANGS[int(chunk.lang[t])]
        script = _script(
            rng,
            lang=lang,
            category=CATEGORIES[int(chunk.category[t])],
            style=int(world.org.style[agent]),
            agent_name=str(world.org.first[agent, int(chunk.lang[t])]),
            angry=int(chunk.mood[t]) >= ANGRY,
        )
        timed = _timed(
            rng,
            script,
            talk=float(phone["talk"][i]),
            hold=float(phone["hold"][i]),
            wpm=float(habits["wpm"][agent]),
            interrupts=float(habits["interrupts"][agent]),
            dead_air=float(habits["dead_air"][agent]),
        )
        call_id = f"{SOURCE}:call-{external[i]}"
        for n, (speaker, start, end, said) in enumerate(timed):
            columns["segment_id"].append(f"{call_id}#{n}")
            columns["call_id"].append(call_id)
            columns["speaker"].append(speaker)
            columns["speaker_label"].append("ch_0" if speaker == "agent" else "ch_1")
            columns["start_s"].append(round(start, 2))
            columns["end_s"].append(round(end, 2))
            columns["text"].append(said)
            columns["words"].append(len(said.split()))
    n = len(columns["segment_id"])
    columns["source"] = [SOURCE] * n
    columns["origin"] = ["transcript"] * n
    return pa.table(columns, schema=_SCHEMA)


Turns = list[tuple[str, str]]


def _script(
    rng: np.random.Generator, *, lang: str, category: str, style: int, agent_name: str, angry: bool
) -> tuple[Turns, Callable[[], Turns], Turns]:
    """The dialogue's turns, (speaker, text), before timing: the opening, the middle
    rounds (repeated by ``_timed`` to fill the call) and the closing."""
    polite = style <= 1

    def a(*slots: str) -> tuple[str, str]:
        return ("agent", " ".join(_say(rng, lang, s, category, agent_name) for s in slots))

    def c(*slots: str) -> tuple[str, str]:
        return ("customer", " ".join(_say(rng, lang, s, category, agent_name) for s in slots))

    opening = [a("a_greet_warm" if polite else "a_greet_plain", "a_intro")]
    opening.append(c("c_greet", "c_issue", "c_angry") if angry else c("c_greet", "c_issue"))
    first = ["a_empathy", "a_question"] if polite else ["a_question"]
    if style == 3:
        first = ["a_rude", "a_question"]
    opening += [a(*first), c("c_info")]
    closing = [
        a("a_solution", "a_ownership" if polite else "a_curt"),
        c("c_confirm") if not angry else c("c_thanks"),
        a("a_close_warm" if polite else "a_close_plain"),
    ]

    def rounds() -> Turns:  # drawn afresh for every round: people do not repeat themselves
        return [a("a_progress", "a_question"), c("c_detail", "c_info")]

    return opening, rounds, closing


def _seconds(text: str, wpm: float) -> float:
    return max(0.8, len(text.split()) / wpm * 60.0)


def _timed(
    rng: np.random.Generator,
    script: tuple[Turns, Callable[[], Turns], Turns],
    *,
    talk: float,
    hold: float,
    wpm: float,
    interrupts: float,
    dead_air: float,
) -> list[tuple[str, float, float, str]]:
    """Turns laid out in time: a short gap between turns, sometimes a look-up pause
    (dead air), sometimes the agent cutting in on the customer (overtalk), the hold as
    one silence, middle rounds repeated until the talk time is used."""
    opening, rounds, closing = script
    customer_wpm = float(rng.normal(CUSTOMER_WPM, 15))
    out: list[tuple[str, float, float, str]] = []
    clock = 0.3
    previous = None
    #: where each speaker's last turn ended: one voice never overlaps itself
    ended = {"agent": 0.0, "customer": 0.0}

    def place(speaker: str, said: str) -> None:
        nonlocal clock, previous
        length = _seconds(said, wpm if speaker == "agent" else customer_wpm)
        gap = float(rng.lognormal(np.log(0.6), 0.5))
        start = clock + gap
        if speaker == "agent" and previous == "customer" and rng.random() < interrupts:
            start = clock - float(rng.uniform(0.4, 1.8))  # cuts in before the customer ends
        elif speaker == "customer" and previous == "agent" and rng.random() < 0.06:
            start = clock - float(rng.uniform(0.3, 1.0))
        elif speaker == "agent" and previous == "customer" and rng.random() < 0.15:
            start = clock + min(float(rng.exponential(dead_air)), 30.0)  # looking it up
        start = max(start, out[-1][1] + 0.1 if out else 0.0, ended[speaker] + 0.2)
        out.append((speaker, start, start + length, said))
        clock = max(clock, start + length)
        ended[speaker] = start + length
        previous = speaker

    for speaker, said in opening:
        place(speaker, said)
    if hold > 0:
        clock += hold  # on hold: nobody on the line speaks
    closing_length = sum(_seconds(s, wpm) + 0.6 for _, s in closing)
    budget = max(talk + hold - closing_length, clock)
    while True:
        turns = rounds()
        length = sum(_seconds(said, wpm) + 0.6 for _, said in turns)
        if clock + length / 2 >= budget:  # a round that would mostly overrun is not asked
            break
        for speaker, said in turns:
            place(speaker, said)
    for speaker, said in closing:
        place(speaker, said)
    return out
