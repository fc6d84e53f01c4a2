"""Conversation-quality KPIs from the automatic analyzers (``sanjeh analyze``, auto_scores).

They read ``facts_quality``: one row per analysed conversation, placed in a period by the
ticket's creation. Conversations not analysed yet are not counted; merged duplicates are
left out unless ``include_merged``.
"""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles

NEEDS = ("auto_scores", "tickets", "events")
ANALYZERS = "Sanjeh's lexicon and rule analyzers for Persian, Arabic and English (docs/text.md)."


def _live(ctx: Context, q: ibis.Table) -> ibis.ir.BooleanValue:
    return ibis.literal(True) if ctx.options.include_merged else ~q.is_merged.fill_null(False)


def _share(
    name: str,
    title: tuple[str, str, str],
    column: str,
    definition: str,
    formula: str,
    higher_is_better: bool,
) -> KPI:
    def value(ctx: Context, q: ibis.Table) -> ibis.ir.Value:
        return q[column]

    return KPI(
        name=name,
        titles=titles(*title),
        unit="ratio",
        kind="rate",
        source="quality",
        time="created_at",
        higher_is_better=higher_is_better,
        definition=definition,
        formula=formula,
        value=value,
        where=_live,
        options=("include_merged",),
        convention=ANALYZERS,
        needs=NEEDS,
    )


register(
    _share(
        "empathy_rate",
        ("Empathy rate", "نرخ همدلی", "معدل التعاطف"),
        "empathy",
        "Share of analysed conversations with an agent message in which an agent showed "
        "empathy («متوجه نگرانی‌تون هستم», «أتفهم شعورك», 'I understand your frustration').",
        "conversations with empathy in an agent message / conversations with an agent message",
        True,
    ),
    _share(
        "apology_rate",
        ("Apology rate", "نرخ عذرخواهی", "معدل الاعتذار"),
        "apology",
        "Share of analysed conversations with an agent message in which an agent apologised.",
        "conversations with an apology / conversations with an agent message",
        True,
    ),
    _share(
        "negative_language_rate",
        ("Negative language rate", "نرخ زبان منفی", "معدل اللغة السلبية"),
        "negative_language",
        "Share of analysed conversations with an agent message in which an agent used "
        "negative framing ('we can't', «نمی‌تونیم», «لا يمكننا») rather than saying what "
        "can be done.",
        "conversations with negative or mixed framing in an agent message / conversations "
        "with an agent message",
        False,
    ),
    _share(
        "greeting_compliance",
        ("Greeting compliance", "رعایت خوشامدگویی", "الالتزام بالتحية"),
        "greeting",
        "Share of analysed conversations whose first agent (or bot) message greets the customer.",
        "conversations whose first agent message has a greeting / conversations with an "
        "agent message",
        True,
    ),
    _share(
        "closing_compliance",
        ("Closing compliance", "رعایت جمع‌بندی پایانی", "الالتزام بالختام"),
        "closing",
        "Share of analysed conversations whose last agent (or bot) message closes properly: "
        "an offer of further help, thanks or a good wish.",
        "conversations whose last agent message has a closing / conversations with an agent "
        "message",
        True,
    ),
    _share(
        "ownership_rate",
        ("Ownership rate", "نرخ پذیرش مسئولیت", "معدل تحمل المسؤولية"),
        "ownership",
        "Share of analysed conversations with an agent message in which an agent took "
        "ownership of the problem ('I will take care of this', «خودم پیگیری می‌کنم»).",
        "conversations with ownership language / conversations with an agent message",
        True,
    ),
    _share(
        "escalation_request_rate",
        ("Escalation request rate", "نرخ درخواست ارجاع", "معدل طلبات التصعيد"),
        "escalation_request",
        "Share of analysed conversations with a customer message in which the customer asked "
        "for a manager, complained formally, threatened to cancel or to take legal steps.",
        "conversations with an escalation request / conversations with a customer message",
        False,
    ),
    KPI(
        name="customer_sentiment_change",
        titles=titles("Customer sentiment change", "تغییر احساس مشتری", "تغير مشاعر العميل"),
        unit="number",
        kind="number",
        source="quality",
        time="created_at",
        stat="mean",
        higher_is_better=True,
        definition="How the customer's mood moved during the conversation: the polarity "
        "(−1 … 1) of their last message minus that of their first, averaged over analysed "
        "conversations with at least two customer messages. Positive: customers leave "
        "happier than they came.",
        formula="mean(sentiment of the last customer message − sentiment of the first)",
        value=lambda ctx, q: q.sentiment_change,
        where=_live,
        options=("include_merged",),
        convention=ANALYZERS,
        needs=NEEDS,
    ),
    KPI(
        name="auto_quality_score",
        titles=titles("Automatic quality score", "امتیاز خودکار کیفیت", "درجة الجودة التلقائية"),
        unit="score",
        kind="number",
        source="quality",
        time="created_at",
        stat="mean",
        higher_is_better=True,
        definition="The automatic quality score (0–100) of analysed conversations with an "
        "agent message, averaged: points for greeting, closing, politeness, empathy when the "
        "customer is upset, positive language, ownership, active listening and the "
        "customer's outcome; minus points for rude language and escalation requests (the "
        "rubric is in docs/text.md). Break it down by agent or team to compare people.",
        formula="mean(quality score of each conversation)",
        value=lambda ctx, q: q.quality_score,
        where=_live,
        options=("include_merged",),
        convention=ANALYZERS,
        needs=NEEDS,
    ),
)
