"""Ticket KPIs: responsiveness, resolution, volume, quality of handling, SLA."""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles

ZENDESK = "Zendesk Support native duration metrics (first reply, resolution, wait times)."


def live(ctx: Context, t: ibis.Table) -> ibis.ir.BooleanValue:
    """Tickets that count: merged duplicates are left out unless include_merged."""
    return ibis.literal(True) if ctx.options.include_merged else ~t.is_merged


register(
    KPI(
        name="first_reply_time",
        titles=titles("First reply time", "زمان اولین پاسخ", "زمن الرد الأول"),
        unit="seconds",
        kind="duration",
        source="tickets",
        time="created_at",
        stat="median",
        higher_is_better=False,
        definition="Time from ticket creation to the first public reply by a human agent. "
        "Private notes and bot messages are not replies. For a ticket an agent created with "
        "a public comment, the clock stops at the agent's next public comment. With "
        "first_reply_match=direct_reply only a reply to the customer's opening message "
        "counts (Twitter threads).",
        formula="median(first public agent reply − created), over tickets answered",
        value=lambda ctx, t: ctx.seconds(t, "first_reply"),
        where=lambda ctx, t: live(ctx, t) & t.first_reply_at.notnull(),
        options=("first_reply_start", "count_bot_replies", "first_reply_match", "include_merged"),
        convention=ZENDESK,
    ),
    KPI(
        name="first_resolution_time",
        titles=titles("First resolution time", "زمان اولین حل", "زمن الحل الأول"),
        unit="seconds",
        kind="duration",
        source="tickets",
        time="created_at",
        stat="median",
        higher_is_better=False,
        definition="Time from creation to the first time the ticket was solved (or closed "
        "without being solved), whatever happened after.",
        formula="median(first solved − created)",
        value=lambda ctx, t: ctx.seconds(t, "first_resolution"),
        where=lambda ctx, t: live(ctx, t) & t.first_resolved_at.notnull(),
        options=("include_merged",),
        convention=ZENDESK,
    ),
    KPI(
        name="resolution_time",
        titles=titles("Resolution time (median)", "زمان حل (میانه)", "زمن الحل (الوسيط)"),
        unit="seconds",
        kind="duration",
        source="tickets",
        time="solved_at",
        stat="median",
        higher_is_better=False,
        definition="Full resolution time: from creation to the last time the ticket was "
        "solved, for tickets solved in the period. The median resists outliers.",
        formula="median(last solved − created), over tickets solved in the period",
        value=lambda ctx, t: ctx.seconds(t, "full_resolution"),
        where=lambda ctx, t: live(ctx, t) & t.solved_at.notnull(),
        options=("include_merged",),
        convention=ZENDESK,
    ),
    KPI(
        name="average_resolution_time",
        titles=titles("Resolution time (average)", "میانگین زمان حل", "متوسط زمن الحل"),
        unit="seconds",
        kind="duration",
        source="tickets",
        time="solved_at",
        stat="mean",
        higher_is_better=False,
        definition="The mean of full resolution time over tickets solved in the period; "
        "compare with the median to see how much a few slow tickets weigh.",
        formula="mean(last solved − created), over tickets solved in the period",
        value=lambda ctx, t: ctx.seconds(t, "full_resolution"),
        where=lambda ctx, t: live(ctx, t) & t.solved_at.notnull(),
        options=("include_merged",),
        convention=ZENDESK,
    ),
    KPI(
        name="response_time",
        titles=titles("Average response time", "میانگین زمان پاسخ", "متوسط زمن الاستجابة"),
        unit="seconds",
        kind="duration",
        source="replies",
        time="replied_at",
        stat="mean",
        higher_is_better=False,
        definition="For every agent reply that answered a waiting customer, the time the "
        "customer waited: from their first unanswered message to the reply.",
        formula="mean(reply − first unanswered customer message), over replies",
        value=lambda ctx, r: ctx.seconds(r, "response"),
        options=("response_clock", "count_bot_replies"),
        convention="Chatwoot 'reply time'; Zendesk requester wait per reply.",
    ),
    KPI(
        name="requester_wait_time",
        titles=titles("Requester wait time", "زمان انتظار مشتری", "زمن انتظار العميل"),
        unit="seconds",
        kind="duration",
        source="tickets",
        time="solved_at",
        stat="median",
        higher_is_better=False,
        definition="Total time solved tickets spent in new, open and on-hold status: the "
        "time the customer waited on the support team.",
        formula="median(time in new + open + on_hold), over solved tickets",
        value=lambda ctx, t: ctx.seconds(t, "requester_wait"),
        where=lambda ctx, t: live(ctx, t) & t.solved_at.notnull(),
        options=("include_merged",),
        convention=ZENDESK,
    ),
    KPI(
        name="replies_per_ticket",
        titles=titles("Replies per ticket", "پاسخ به ازای هر تیکت", "الردود لكل تذكرة"),
        unit="number",
        kind="number",
        source="tickets",
        time="solved_at",
        stat="mean",
        higher_is_better=False,
        definition="Public agent replies a ticket needed, over tickets solved in the period.",
        formula="mean(public agent replies), over solved tickets",
        value=lambda ctx, t: t.replies.cast("float64"),
        where=lambda ctx, t: live(ctx, t) & t.solved_at.notnull(),
        options=("count_bot_replies", "include_merged"),
        convention="Zendesk 'agent replies'.",
    ),
    KPI(
        name="fcr_rate",
        titles=titles("First contact resolution", "حل در اولین تماس", "الحل من أول تواصل"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="solved_at",
        higher_is_better=True,
        definition="Share of solved tickets resolved at first contact: never reopened, "
        "not escalated, and no new ticket from the same customer within the FCR window (or "
        "per the chosen method: an agent tag or a survey answer). A ticket solved less than "
        "the window before the data's last instant is pending: left out until its window "
        "closes, and counted apart.",
        formula="tickets with fcr / solved tickets whose window has closed",
        value=lambda ctx, t: t.fcr,
        where=lambda ctx, t: live(ctx, t),
        options=("fcr_method", "fcr_window_days", "fcr_escalation", "fcr_tag", "fcr_question"),
        convention="COPC / ICMI repeat-contact window; ICMI / SQM: no escalation.",
        pending=lambda ctx, t: t.fcr_pending,
        pending_reason="solved tickets whose {fcr_window_days}-day recontact window has not closed",
    ),
    KPI(
        name="one_touch_rate",
        titles=titles("One-touch resolution", "حل با یک پاسخ", "الحل برد واحد"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="solved_at",
        higher_is_better=True,
        definition="Share of solved tickets that needed at most one public agent reply.",
        formula="solved tickets with replies ≤ 1 / solved tickets",
        value=lambda ctx, t: t.one_touch,
        where=lambda ctx, t: live(ctx, t),
        options=("one_touch_includes_zero_replies",),
        convention="Zendesk Explore one-touch tickets (fewer than 2 agent replies).",
    ),
    KPI(
        name="reopen_rate",
        titles=titles("Reopen rate", "نرخ بازگشایی", "معدل إعادة الفتح"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="solved_at",
        higher_is_better=False,
        definition="Share of solved tickets reopened within the reopen window after they "
        "were first solved (reopen_window_days; 0: reopened at any time). A ticket first "
        "solved less than the window before the data's last instant is pending: left out "
        "until its window closes, and counted apart.",
        formula="solved tickets reopened within the window / solved tickets whose window "
        "has closed",
        value=lambda ctx, t: t.reopened,
        where=lambda ctx, t: live(ctx, t) & t.solved_at.notnull(),
        options=("reopen_window_days",),
        convention="Zendesk 'reopens' (over a ticket's life: reopen_window_days = 0).",
        pending=lambda ctx, t: t.reopen_pending,
        pending_reason="solved tickets whose {reopen_window_days}-day reopen window has not closed",
    ),
    KPI(
        name="escalation_rate",
        titles=titles("Escalation rate", "نرخ ارجاع به سطح بالاتر", "معدل التصعيد"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=False,
        definition="Share of tickets escalated to a higher support tier or specialist team.",
        formula="tickets with an escalate event / tickets created",
        value=lambda ctx, t: t.escalated,
        where=lambda ctx, t: live(ctx, t),
    ),
    KPI(
        name="tickets_created",
        titles=titles("Tickets created", "تیکت‌های ایجادشده", "التذاكر المنشأة"),
        unit="count",
        kind="count",
        source="tickets",
        time="created_at",
        higher_is_better=None,
        definition="Number of tickets created in the period (ticket volume).",
        formula="count(tickets created)",
        where=lambda ctx, t: live(ctx, t),
    ),
    KPI(
        name="tickets_solved",
        titles=titles("Tickets solved", "تیکت‌های حل‌شده", "التذاكر المحلولة"),
        unit="count",
        kind="count",
        source="tickets",
        time="solved_at",
        higher_is_better=True,
        definition="Number of tickets whose (last) resolution falls in the period and that "
        "are solved now.",
        formula="count(tickets solved)",
        where=lambda ctx, t: live(ctx, t) & t.solved_at.notnull(),
    ),
    KPI(
        name="sla_achievement",
        titles=titles("SLA achievement", "تحقق SLA", "الالتزام باتفاقية الخدمة"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=True,
        definition="Share of tickets that met every SLA target of their policy (first reply "
        "and resolution). A ticket counts as missed as soon as one target is missed (also "
        "while still open past it) and as met once all its targets are met; tickets still "
        "within their targets are left out.",
        formula="tickets meeting all targets / tickets with a known SLA outcome",
        value=lambda ctx, t: t.sla_met,
        where=lambda ctx, t: live(ctx, t),
        convention="Zendesk SLA policies: achieved vs breached targets.",
    ),
    KPI(
        name="sla_first_reply",
        titles=titles("First reply within SLA", "اولین پاسخ در مهلت SLA", "الرد الأول ضمن المهلة"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=True,
        definition="Share of tickets whose first reply met the SLA target (default policy: "
        "within 24 hours).",
        formula="first reply within target / tickets with a known first-reply outcome",
        value=lambda ctx, t: t.sla_first_reply_met,
        where=lambda ctx, t: live(ctx, t),
        options=("first_reply_start", "count_bot_replies", "first_reply_match"),
    ),
    KPI(
        name="chat_abandonment_rate",
        titles=titles("Chat abandonment", "رهاشدن گفتگو", "التخلي عن المحادثة"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=False,
        definition="Share of ended chats in which the customer left before any agent or bot "
        "answered (and waited at least chat_abandon_seconds).",
        formula="ended chats with no reply / ended chats",
        value=lambda ctx, t: (
            (t.replies == 0)
            & (t.bot_messages == 0)
            & (t.first_resolution_s >= ctx.options.chat_abandon_seconds)
        ),
        where=lambda ctx, t: live(ctx, t) & (t.channel == "chat") & t.is_solved,
        options=("chat_abandon_seconds",),
    ),
    KPI(
        name="bot_containment_rate",
        titles=titles("Bot containment", "حل توسط ربات", "الحل عبر الروبوت"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=True,
        definition="Share of conversations a bot took part in that were solved without a "
        "human reply or a hand-off.",
        formula="bot-resolved / conversations with a bot message",
        value=lambda ctx, t: t.bot_resolved,
        where=lambda ctx, t: live(ctx, t) & (t.bot_messages > 0),
    ),
    KPI(
        name="conversion_rate",
        titles=titles("Post-support conversion", "تبدیل پس از پشتیبانی", "التحويل بعد الدعم"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="solved_at",
        higher_is_better=True,
        definition="Share of solved tickets whose customer bought or upgraded within the "
        "conversion window after the ticket was solved.",
        formula="solved tickets followed by a purchase / upgrade / solved tickets",
        value=lambda ctx, t: t.converted,
        where=lambda ctx, t: live(ctx, t),
        options=("conversion_window_days",),
        needs=("tickets", "events", "customer_outcomes"),
    ),
)
