"""Surveys: CSAT, CES and NPS after tickets; eNPS and pulse from agents.

Scores follow a latent satisfaction built from what the customer lived through
(wait for the first reply, reopens, the worst agent style met, effort), so KPIs
and text analyzers find the same story. Invitations nobody answers are kept as
rows with ``sent_at`` and no ``submitted_at``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._calendar import DAY
from ._const import ANGRY, LANGS, POLITE, RUDE, SOURCE, UPSET
from ._org import GULF, Org
from ._tables import Ids, ts
from ._text import Composer, bank
from ._world import Chunk, World

H = 3600
#: effect of the worst agent style met (polite, neutral, curt, rude); bots only: 0
_STYLE_EFFECT = np.array([0.25, 0.0, -0.45, -1.3, 0.0])
_REASONS = (
    "v_rude",
    "v_slow",
    "v_reopen",
    "v_unresolved",
    "v_fast",
    "v_polite",
    "v_good",
    "v_neutral",
)


def satisfaction(
    chunk: Chunk, facts: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """Latent satisfaction on the CSAT scale (about 1-5), one per ticket."""
    n = chunk.hi - chunk.lo
    hours = np.nan_to_num(facts["frt"] / H, nan=48.0)
    latent = (
        5.0
        - 0.3 * np.log2(1 + hours)
        - 0.9 * facts["reopened"]
        + _STYLE_EFFECT[facts["worst_style"]]
        - 0.45 * (chunk.mood == ANGRY)
        - 0.2 * (chunk.mood == UPSET)
        - 0.25 * facts["escalated"]
        - 0.12 * np.maximum(facts["replies"] - 2, 0)
        - 0.9 * facts["auto_solved"]
        + 0.15 * (chunk.bot_first & ~facts["handoff"])
    )
    return latent + rng.normal(0.0, 0.75, n)


def _respond(rng: np.random.Generator, sent: np.ndarray, p: np.ndarray, end: int) -> np.ndarray:
    """Submission times (-1: no answer; answers after the period's end are not seen yet)."""
    answer = rng.random(len(sent)) < p
    delay = np.maximum(rng.lognormal(np.log(3 * H), 1.2, len(sent)), 30).astype(np.int64)
    at = sent + delay
    return np.where(answer & (at < end), at, -1)


def _comments(
    chunk: Chunk, rows: np.ndarray, reason: np.ndarray, rng: np.random.Generator
) -> pa.Array:
    out = pa.nulls(len(rows), pa.string())
    for lg, code in enumerate(LANGS):
        sel = np.flatnonzero(chunk.lang[rows] == lg)
        if not len(sel):
            continue
        empty = pa.array(np.full(len(sel), "", dtype=object), pa.string())
        values = dict.fromkeys(("name", "agent", "order", "ticket", "amount"), empty)
        c = Composer(bank(code), rng, values, chunk.category[rows[sel]], np.zeros(len(sel), bool))
        for k, slot in enumerate(_REASONS):
            c.add(slot, mask=reason[sel] == k)
        text = c.text()
        position = np.full(len(rows), -1, dtype=np.int64)
        position[sel] = np.arange(len(sel))
        taken = pc.take(text, pa.array(position, mask=position < 0))
        out = pc.if_else(pa.array(position >= 0), taken, out)
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


def ticket_surveys(
    chunk: Chunk,
    facts: dict[str, np.ndarray],
    latent: np.ndarray,
    ids: Ids,
    world: World,
    rng: np.random.Generator,
) -> pa.Table:
    end = world.end
    solved = np.flatnonzero((facts["solved_at"] >= 0) & (chunk.dup_of < 0))
    sent = facts["solved_at"][solved] + rng.integers(H, 24 * H, len(solved))
    keep = sent < end
    solved, sent = solved[keep], sent[keep]
    lat = latent[solved]
    hours = np.nan_to_num(facts["frt"][solved] / H, nan=48.0)

    # CSAT: the unhappy and the delighted answer more often
    csat_at = _respond(rng, sent, np.clip(0.18 + 0.12 * np.abs(lat - 3.5) / 1.5, 0.08, 0.5), end)
    csat = np.clip(np.round(lat), 1, 5)
    style = facts["worst_style"][solved]
    low = csat <= 3
    reason = np.select(
        [
            (style == RUDE) & low,
            (hours > 8) & low,
            facts["reopened"][solved] & low,
            facts["auto_solved"][solved],
            (csat >= 4) & (hours < 1),
            (csat >= 4) & (style == POLITE),
            csat >= 4,
        ],
        [0, 1, 2, 3, 4, 5, 6],
        7,
    )
    commented = (csat_at >= 0) & (rng.random(len(solved)) < 0.35)
    reason = np.where(commented, reason, -1)

    # CES (7 = very easy) asked together with a third of the CSAT surveys
    ces_rows = rng.random(len(solved)) < 0.35
    effort = (
        6.0
        - 0.45 * np.maximum(facts["replies"][solved] - 1, 0)
        - 0.9 * facts["reopened"][solved]
        - 0.7 * facts["escalated"][solved]
        - 0.25 * np.log2(1 + hours)
        + rng.normal(0.0, 0.9, len(solved))
    )
    ces_at = np.where(
        csat_at >= 0,
        np.where(rng.random(len(solved)) < 0.85, csat_at + rng.integers(5, 60, len(solved)), -1),
        _respond(rng, sent, np.full(len(solved), 0.05), end),
    )
    # transactional NPS for a sample, two days after the solve
    nps_rows = rng.random(len(solved)) < 0.12
    nps_sent = facts["solved_at"][solved] + 2 * DAY
    nps_rows &= nps_sent < end
    segment = world.customers.segment[chunk.customer[solved]]
    temper = world.customers.temperament[chunk.customer[solved]]
    loyalty = 0.5 * (segment == 2) - 0.8 * (temper == 2) + rng.normal(0.0, 1.5, len(solved))
    nps = np.clip(np.round(7.2 + 0.9 * (lat - 3.8) + loyalty), 0, 10)
    nps_at = _respond(rng, nps_sent, np.full(len(solved), 0.25), end)

    index = chunk.lo + solved
    ticket = ids.ticket(index)
    external = ids.ticket_external(index)
    customer = ids.customer(chunk.customer[solved])
    agent = ids.agent(facts["agent"][solved])
    comments = _comments(chunk, solved, reason, rng)
    parts = []
    for name, rows, lo, hi, score, sent_at, at, question, comment in (
        ("csat", np.ones(len(solved), bool), 1, 5, csat, sent, csat_at, "csat_overall", comments),
        (
            "ces",
            ces_rows,
            1,
            7,
            np.clip(np.round(effort), 1, 7),
            sent + 5,
            ces_at,
            "ces_easy",
            None,
        ),
        ("nps", nps_rows, 0, 10, nps, nps_sent, nps_at, "nps_recommend", None),
    ):
        sel = pa.array(rows)
        m = int(rows.sum())
        ext = pc.binary_join_element_wise(pa.scalar(f"{name}-"), external, "")
        answered = at >= 0
        table = pa.table(
            {
                "response_id": pc.binary_join_element_wise(pa.scalar(f"{SOURCE}:"), ext, ""),
                "source": pa.array(np.full(len(solved), SOURCE, dtype=object), pa.string()),
                "external_id": ext,
                "survey": pa.array(np.full(len(solved), name, dtype=object), pa.string()),
                "question": pa.array(np.full(len(solved), question, dtype=object), pa.string()),
                "scale_min": pa.array(np.full(len(solved), lo, dtype=np.int64)),
                "scale_max": pa.array(np.full(len(solved), hi, dtype=np.int64)),
                "score": pa.array(np.asarray(score, dtype=np.float64), mask=~answered),
                "comment": comment if comment is not None else pa.nulls(len(solved), pa.string()),
                "ticket_id": ticket,
                "customer_id": customer,
                "agent_id": agent,
                "sent_at": ts(sent_at),
                "submitted_at": ts(at, answered),
            }
        )
        if m:
            parts.append(table.filter(sel))
    if not parts:
        return pa.table({"response_id": pa.array([], pa.string())})
    return pa.concat_tables(parts)


def employee_surveys(
    org: Org, ids: Ids, start: int, days: int, end: int, rng: np.random.Generator
) -> pa.Table:
    """Monthly eNPS (0-10) and weekly pulse (1-5, "my workload is manageable")."""
    humans = np.flatnonzero(~org.is_bot)
    style_effect = np.array([0.6, 0.2, -0.6, -1.2])[org.style[humans]]
    rows: dict[str, list] = {k: [] for k in ("id", "survey", "agent", "sent", "at", "score", "q")}
    comments: list[tuple[int, int, str]] = []  # (row, language, slot)
    waves = [("enps", d, 0, 10, "enps_recommend") for d in range(10, days, 30)]
    waves += [("pulse", d, 1, 5, "pulse_workload") for d in range(3, days, 7)]
    for k, (survey, day, lo, hi, question) in enumerate(waves):
        sent = start + day * DAY + 10 * H  # 10:00 Tehran
        if sent >= end:
            continue
        employed = (org.hired[humans] <= sent) & (
            (org.left[humans] < 0) | (org.left[humans] > sent)
        )
        team = org.team[humans]
        week = slice(max(0, day - 7), day + 1)
        load = org.load[team, week].mean(axis=1)
        if survey == "enps":
            score = 7.2 + style_effect - 2.0 * (load - 1) + rng.normal(0, 1.8, len(humans))
        else:
            score = 3.7 + 0.4 * style_effect - 1.5 * (load - 1) + rng.normal(0, 0.8, len(humans))
        score = np.clip(np.round(score), lo, hi)
        delay = rng.lognormal(np.log(6 * H), 1.0, len(humans)).astype(np.int64)
        answered = (rng.random(len(humans)) < 0.72) & (sent + delay < end)
        for j in np.flatnonzero(employed):
            agent = int(humans[j])
            rows["id"].append(f"{survey}-{k:03d}-{agent + 1:04d}")
            rows["survey"].append(survey)
            rows["agent"].append(agent)
            rows["sent"].append(sent)
            rows["at"].append(sent + delay[j] if answered[j] else -1)
            rows["score"].append(score[j] if answered[j] else np.nan)
            rows["q"].append(question)
            if answered[j] and rng.random() < 0.25:
                good = score[j] >= (9 if survey == "enps" else 4)
                bad = score[j] <= (6 if survey == "enps" else 2)
                slot = "e_pos" if good else ("e_neg" if bad else "e_neu")
                comments.append((len(rows["id"]) - 1, 1 if team[j] == GULF else 0, slot))
    n = len(rows["id"])
    comment = np.full(n, None, dtype=object)
    for row, lang, slot in comments:
        phrases = bank(LANGS[lang]).data[slot]
        comment[row] = phrases[int(rng.integers(len(phrases)))]
    external = pa.array(rows["id"], pa.string())
    at = np.asarray(rows["at"], dtype=np.int64)
    score_arr = np.asarray(rows["score"], dtype=np.float64)
    return pa.table(
        {
            "response_id": pc.binary_join_element_wise(pa.scalar(f"{SOURCE}:"), external, ""),
            "source": pa.array([SOURCE] * n, pa.string()),
            "external_id": external,
            "survey": pa.array(rows["survey"], pa.string()),
            "question": pa.array(rows["q"], pa.string()),
            "scale_min": pa.array([0 if s == "enps" else 1 for s in rows["survey"]], pa.int64()),
            "scale_max": pa.array([10 if s == "enps" else 5 for s in rows["survey"]], pa.int64()),
            "score": pa.array(score_arr, mask=np.isnan(score_arr)),
            "comment": pa.array(comment, pa.string()),
            "agent_id": ids.agent(np.asarray(rows["agent"], dtype=np.int64)),
            "sent_at": ts(np.asarray(rows["sent"], dtype=np.int64)),
            "submitted_at": ts(at),
        }
    )
