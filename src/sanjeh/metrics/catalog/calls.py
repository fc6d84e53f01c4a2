"""Contact-centre KPIs on calls: abandonment, speed of answer, service level, handle time."""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles

COPC = (
    "COPC / ICMI contact-centre definitions: a call answered without queueing is offered "
    "and answered at 0 s wait; the wait ends at the service start (answered_at); "
    "'within T seconds' means wait ≤ T."
)
#: how a call's wait is measured, said once for the definitions below
WAIT = (
    "The wait runs from queued_at (for a call answered without queueing: from answered_at, "
    "so 0 s) to the service start answered_at; an answered call with no answered_at has "
    "no known wait and is left out."
)


def _service_level_base(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    formula = ctx.options.service_level_formula
    if formula == "answered":
        return c.answered
    if formula == "exclude_short_abandons":
        # "abandoned within N seconds", inclusive like the service-level threshold
        short = c.abandoned & (c.wait_s <= ctx.options.short_abandon_seconds)
        return c.offered & ~short.fill_null(False)
    return c.offered


def _abandonment_base(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    if ctx.options.abandonment_base == "queued":
        return c.offered & c.queued
    return c.offered


register(
    KPI(
        name="calls_offered",
        titles=titles("Calls offered", "تماس‌های ارائه‌شده به کارشناس", "المكالمات المعروضة"),
        unit="count",
        kind="count",
        source="calls",
        time="started_at",
        higher_is_better=None,
        definition="Calls offered to agents: every call that reached the agent queue or "
        "an agent — answered (also when answered without queueing), abandoned in the queue, "
        "or left the queue otherwise (call-back, voicemail, transfer). IVR-only calls and "
        "phantom / test calls are not offered.",
        formula="count(queued or answered or abandoned calls, outcome ≠ other)",
        where=lambda ctx, c: c.offered,
        convention=COPC,
        needs=("calls",),
    ),
    KPI(
        name="call_abandonment_rate",
        titles=titles("Call abandonment rate", "نرخ رهاکردن تماس", "معدل التخلي عن المكالمات"),
        unit="ratio",
        kind="rate",
        source="calls",
        time="started_at",
        higher_is_better=False,
        definition="Share of calls offered to agents whose caller hung up before an agent "
        "answered (IVR-only hang-ups are not abandons). With abandonment_base=queued the "
        "base is only the calls that waited in a queue (calls answered without queueing "
        "left out).",
        formula="abandoned / offered (abandonment_base=offered), or abandoned / queued",
        value=lambda ctx, c: c.abandoned,
        where=_abandonment_base,
        options=("abandonment_base",),
        convention=COPC,
        needs=("calls",),
    ),
    KPI(
        name="average_speed_of_answer",
        titles=titles("Average speed of answer", "میانگین سرعت پاسخ", "متوسط سرعة الرد"),
        unit="seconds",
        kind="duration",
        source="calls",
        time="started_at",
        stat="mean",
        higher_is_better=False,
        definition="Mean time answered calls waited before an agent answered; calls "
        "answered without queueing count at 0 s. " + WAIT,
        formula="mean(answered_at − queued_at), over answered calls (0 s when not queued)",
        value=lambda ctx, c: c.wait_s,
        where=lambda ctx, c: c.answered,
        convention=COPC,
        needs=("calls",),
    ),
    KPI(
        name="service_level",
        titles=titles("Service level", "سطح خدمت", "مستوى الخدمة"),
        unit="ratio",
        kind="rate",
        source="calls",
        time="started_at",
        higher_is_better=True,
        definition="Share of calls answered within the service-level threshold T (default "
        "20 s; within means wait ≤ T, a call answered at exactly T counts). Calls answered "
        "without queueing are answered at 0 s. The denominator is all offered calls by "
        "default (abandoned calls count against the level), or answered calls, or offered "
        "minus short abandons (abandoned with wait ≤ short_abandon_seconds). " + WAIT,
        formula="answered with wait ≤ T / denominator per service_level_formula",
        value=lambda ctx, c: c.answered & (c.wait_s <= ctx.options.service_level_seconds),
        where=_service_level_base,
        options=("service_level_seconds", "service_level_formula", "short_abandon_seconds"),
        convention=COPC,
        needs=("calls",),
    ),
    KPI(
        name="average_handle_time",
        titles=titles("Average handle time", "میانگین زمان رسیدگی", "متوسط وقت المعالجة"),
        unit="seconds",
        kind="duration",
        source="calls",
        time="started_at",
        stat="mean",
        higher_is_better=False,
        definition="Mean talk + hold + after-call work time of answered calls (a call "
        "with none of the three recorded is left out, not counted as 0 s).",
        formula="mean(talk + hold + wrap), over answered calls",
        value=lambda ctx, c: c.handle_s,
        where=lambda ctx, c: c.answered,
        convention=COPC,
        needs=("calls",),
    ),
)


# the call log's figures the calls page shows beside the rates: answered, abandoned, hold
register(
    KPI(
        name="calls_answered",
        titles=titles("Calls answered", "تماس‌های پاسخ‌داده‌شده", "المكالمات التي تم الرد عليها"),
        unit="count",
        kind="count",
        source="calls",
        time="started_at",
        higher_is_better=None,
        definition="Calls an agent answered (outcome answered), queued first or not.",
        formula="count(calls with outcome answered)",
        where=lambda ctx, c: c.answered,
        convention="COPC / ICMI: answered = handled by an agent.",
        needs=("calls",),
    ),
    KPI(
        name="calls_abandoned",
        titles=titles("Calls abandoned", "تماس‌های رهاشده", "المكالمات المتروكة"),
        unit="count",
        kind="count",
        source="calls",
        time="started_at",
        higher_is_better=False,
        definition="Calls whose caller hung up waiting for an agent (outcome abandoned; "
        "IVR-only hang-ups are not abandons).",
        formula="count(calls with outcome abandoned)",
        where=lambda ctx, c: c.abandoned & c.offered,
        convention="COPC / ICMI: abandoned = offered to agents, ended before an answer.",
        needs=("calls",),
    ),
    # hold time: the call log's, not the speech analysis's (it explains some silence)
    KPI(
        name="average_hold_time",
        titles=titles("Average hold time", "میانگین زمان انتظار در حین تماس", "متوسط وقت الانتظار"),
        unit="seconds",
        kind="duration",
        source="calls",
        time="started_at",
        stat="mean",
        higher_is_better=False,
        definition="Mean time answered calls spent on hold (calls.hold_s), per answered "
        "call whose hold time the call log records; a call with no hold time recorded is "
        "left out, not counted as 0 s (a source that records 0 for no hold counts it).",
        formula="mean(hold seconds), over answered calls with hold recorded",
        value=lambda ctx, c: c.hold_s,
        where=lambda ctx, c: c.answered & c.hold_s.notnull(),
        convention="COPC / ICMI: hold time is part of handle time (talk + hold + wrap).",
        needs=("calls",),
    ),
)
