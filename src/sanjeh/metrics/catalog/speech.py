"""Speech KPIs: what the conversation on a call was like (talk, silence, overtalk,
interruptions, pace, the caller's mood), from ``call_speech`` joined onto the call
facts; (the call log's counts and hold time are in calls.py).

Every speech KPI reads only the calls with a ``call_speech`` row (``analysed``): a call
nobody transcribed or analysed has no figures, it is left out, never counted as 0 s of
silence. When no call of a group has figures, the KPI has no number and says why.

Per-call figures are summarised per call first, then across calls (the median or
mean of the calls' own ratios, as Gong and CallMiner report talk ratio and silence):
every call weighs the same, so one hour-long call cannot set the figure of a day of
five-minute calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis

from .._registry import KPI, Context, Kind, Unit, register, titles

NEEDS = ("calls", "call_speech")
SPEECH = (
    "Speech analytics (Gong, CallMiner, Observe.AI): each figure is computed per call "
    "from its transcript or recording (`sanjeh analyze`, table call_speech), then "
    "summarised across calls, each call weighing the same."
)
#: the note of a group without a single analysed call
UNMEASURED = (
    "no speech figure for these calls: none was transcribed or analysed (call_speech: run "
    "`sanjeh analyze`, or import call_speech rows), or only from audio (words and "
    "sentiment need a transcript)"
)
#: said once for the definitions below
ANALYSED = (
    "Only calls with speech figures (a call_speech row) take part; calls nobody analysed "
    "are left out, not counted as zero."
)


def _having(column: str) -> Callable[[Context, ibis.Table], ibis.ir.BooleanValue]:
    """Rows of analysed calls whose ``column`` is known."""

    def where(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
        return c.analysed & c[column].notnull()

    return where


def _agent_talk_share(ctx: Context, c: ibis.Table) -> ibis.ir.NumericValue:
    talk = c.agent_talk_s + c.customer_talk_s
    return c.agent_talk_s / ibis.ifelse(talk > 0, talk, ibis.null("float64"))


def _spoke(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    known = c.agent_talk_s.notnull() & c.customer_talk_s.notnull()
    return c.analysed & known & ((c.agent_talk_s + c.customer_talk_s) > 0)


def _dead_air(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    return c.longest_silence_s > ctx.options.dead_air_seconds


def _figure(
    name: str,
    names: tuple[str, str, str],
    *,
    unit: Unit,
    kind: Kind,
    higher: bool | None,
    definition: str,
    formula: str,
    column: str,
    value: Callable[[Context, ibis.Table], ibis.Value] | None = None,
    where: Callable[[Context, ibis.Table], ibis.ir.BooleanValue] | None = None,
    **extra: Any,
) -> KPI:
    """A speech KPI over the analysed calls: ``column`` of the call facts (or ``value``)
    where it is known (or ``where``); the rest is the same for all of them."""
    return KPI(
        name=name,
        titles=titles(*names),
        unit=unit,
        kind=kind,
        source="calls",
        time="started_at",
        higher_is_better=higher,
        definition=f"{definition} {ANALYSED}",
        formula=formula,
        value=value or (lambda ctx, c: c[column]),
        where=where or _having(column),
        convention=SPEECH,
        needs=NEEDS,
        unmeasured=UNMEASURED,
        **extra,
    )


register(
    _figure(
        "talk_listen_ratio",
        ("Talk-to-listen ratio", "نسبت صحبت به شنیدن کارشناس", "نسبة التحدث إلى الاستماع"),
        unit="number",
        kind="number",
        stat="median",
        higher=None,
        definition="How much the agent talked for each second the customer talked: agent "
        "talk ÷ customer talk per call, the median across calls (a ratio per call runs "
        "high when the customer barely spoke; the median is not pulled by those calls). "
        "1 means both talked as much; calls where the customer never spoke have no ratio "
        "and are left out.",
        formula="median over calls of (agent talk seconds ÷ customer talk seconds)",
        column="talk_listen_ratio",
    ),
    _figure(
        "agent_talk_share",
        ("Agent talk share", "سهم صحبت کارشناس", "حصة حديث الموظف"),
        unit="ratio",
        kind="number",
        stat="median",
        higher=None,
        definition="Share of the talking done by the agent: agent talk ÷ (agent talk + "
        "customer talk) per call, the median across calls (Gong's talk ratio; 40-50 % is "
        "often read as listening well). Calls with no talk at all are left out.",
        formula="median over calls of (agent talk ÷ (agent talk + customer talk))",
        column="agent_talk_s",
        value=_agent_talk_share,
        where=_spoke,
    ),
    _figure(
        "silence_share",
        ("Silence share", "سهم سکوت تماس", "نسبة الصمت في المكالمة"),
        unit="ratio",
        kind="number",
        stat="mean",
        higher=False,
        definition="Share of a call nobody spoke (dead air: searching, typing, waiting): "
        "silence ÷ the analysed length per call, the mean across calls (every call weighs "
        "the same; the sum of silence over the sum of length would let the longest calls "
        "decide).",
        formula="mean over calls of (silence seconds ÷ call seconds)",
        column="silence_share",
    ),
    _figure(
        "longest_silence",
        ("Longest silence", "طولانی‌ترین سکوت تماس", "أطول صمت في المكالمة"),
        unit="seconds",
        kind="duration",
        stat="median",
        higher=False,
        definition="The longest stretch of each call nobody spoke, the median across calls "
        "(the p90 shows the calls with the worst dead air).",
        formula="median over calls of (longest silence seconds)",
        column="longest_silence_s",
    ),
    _figure(
        "dead_air_rate",
        ("Calls with dead air", "تماس‌های دارای سکوت طولانی", "مكالمات بصمت طويل"),
        unit="ratio",
        kind="rate",
        higher=False,
        definition="Share of calls with a silence longer than dead_air_seconds (default "
        "10 s; longer than: a silence of exactly 10 s does not count).",
        formula="calls whose longest silence > dead_air_seconds ÷ analysed calls",
        column="longest_silence_s",
        value=_dead_air,
        options=("dead_air_seconds",),
    ),
    _figure(
        "overtalk_share",
        ("Overtalk share", "سهم هم‌زمان‌صحبتی", "نسبة التحدث المتداخل"),
        unit="ratio",
        kind="number",
        stat="mean",
        higher=False,
        definition="Share of a call agent and customer spoke at once: overtalk ÷ the "
        "analysed length per call, the mean across calls.",
        formula="mean over calls of (overtalk seconds ÷ call seconds)",
        column="overtalk_share",
    ),
    _figure(
        "agent_interruptions",
        (
            "Agent interruptions per call",
            "قطع صحبت مشتری در هر تماس",
            "مقاطعات الموظف لكل مكالمة",
        ),
        unit="number",
        kind="number",
        stat="mean",
        higher=False,
        definition="Times the agent started speaking while the customer was speaking, "
        "per call, the mean across calls.",
        formula="Σ agent interruptions ÷ analysed calls",
        column="agent_interruptions",
        value=lambda ctx, c: c.agent_interruptions.cast("float64"),
    ),
    _figure(
        "agent_speaking_rate",
        (
            "Agent speaking rate (words per minute)",
            "سرعت صحبت کارشناس (واژه در دقیقه)",
            "سرعة حديث الموظف (كلمة في الدقيقة)",
        ),
        unit="number",
        kind="number",
        stat="median",
        higher=None,
        definition="Words the agent spoke per minute of their own speech, per call, the "
        "median across calls. Needs transcripts (words): calls analysed from audio alone "
        "are left out.",
        formula="median over calls of (agent words ÷ agent talk minutes)",
        column="agent_wpm",
    ),
    _figure(
        "longest_agent_monologue",
        ("Longest agent monologue", "طولانی‌ترین تک‌گویی کارشناس", "أطول حديث متواصل للموظف"),
        unit="seconds",
        kind="duration",
        stat="median",
        higher=False,
        definition="The longest stretch of each call the agent spoke without the customer "
        "speaking, the median across calls.",
        formula="median over calls of (longest agent monologue seconds)",
        column="longest_agent_monologue_s",
    ),
    _figure(
        "call_sentiment_change",
        ("Caller sentiment change", "تغییر احساس تماس‌گیرنده", "تغير مشاعر المتصل"),
        unit="number",
        kind="number",
        stat="mean",
        higher=True,
        definition="How the caller's mood moved during the call: their sentiment (−1 … 1) "
        "at the end minus at the start, the mean across calls. Needs transcripts: calls "
        "without sentiment figures are left out. Positive: callers leave happier than they "
        "called.",
        formula="mean over calls of (sentiment at the end − sentiment at the start)",
        column="sentiment_change",
    ),
    _figure(
        "calls_ending_better",
        (
            "Calls ending better than they began",
            "تماس‌هایی که بهتر از آغازشان پایان یافتند",
            "مكالمات انتهت أفضل مما بدأت",
        ),
        unit="ratio",
        kind="rate",
        higher=True,
        definition="Share of calls whose caller sentiment at the end is higher than at the "
        "start (sentiment change > 0; an unchanged mood does not count). Calls without "
        "sentiment figures are left out.",
        formula="calls with sentiment change > 0 ÷ calls with a sentiment change",
        column="sentiment_change",
        value=lambda ctx, c: c.sentiment_change > 0,
    ),
)
