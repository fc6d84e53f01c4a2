"""Contact-centre KPIs on calls: abandonment, speed of answer, service level, handle time."""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles

COPC = "COPC / ICMI contact-centre definitions."


def _service_level_base(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    formula = ctx.options.service_level_formula
    if formula == "answered":
        return c.answered
    if formula == "exclude_short_abandons":
        short = c.abandoned & (c.wait_s < ctx.options.short_abandon_seconds)
        return c.offered & ~short.fill_null(False)
    return c.offered


register(
    KPI(
        name="calls_offered",
        titles=titles("Calls offered", "تماس‌های ورودی به صف", "المكالمات المعروضة"),
        unit="count",
        kind="count",
        source="calls",
        time="started_at",
        higher_is_better=None,
        definition="Calls that entered an agent queue (phantom / test calls excluded).",
        formula="count(queued calls)",
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
        definition="Share of queued calls whose caller hung up before an agent answered.",
        formula="abandoned / offered",
        value=lambda ctx, c: c.abandoned,
        where=lambda ctx, c: c.offered,
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
        definition="Mean time answered calls waited in the queue before an agent answered.",
        formula="mean(answered − queued), over answered calls",
        value=lambda ctx, c: c.wait_s,
        where=lambda ctx, c: c.answered & c.queued,
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
        definition="Share of calls answered within the service-level threshold (default "
        "20 s). The denominator is all offered calls by default (abandoned calls count "
        "against the level), or answered calls, or offered minus short abandons.",
        formula="answered within threshold / denominator per service_level_formula",
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
        definition="Mean talk + hold + after-call work time of answered calls.",
        formula="mean(talk + hold + wrap), over answered calls",
        value=lambda ctx, c: c.handle_s,
        where=lambda ctx, c: c.answered,
        convention=COPC,
        needs=("calls",),
    ),
)
