"""Survey KPIs: CSAT, CES, NPS, eNPS and the response rate."""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles


def _answered(survey: str):
    return lambda ctx, s: (s.survey == survey) & s.answered


def _csat(ctx: Context, s: ibis.Table) -> ibis.ir.BooleanValue:
    return s.satisfied if ctx.options.csat_method == "top_two_box" else s.good


register(
    KPI(
        name="csat",
        titles=titles("Customer satisfaction (CSAT)", "رضایت مشتری", "رضا العملاء"),
        unit="ratio",
        kind="rate",
        source="surveys",
        time="at",
        higher_is_better=True,
        definition="Share of satisfied answers to CSAT surveys. Top-two-box (default): the "
        "top two points of a 5-or-more-point scale (4 and 5 of 5). good/bad: answers above "
        "the midpoint over answers above or below it (neutral answers left out).",
        formula="satisfied answers / answers",
        value=_csat,
        where=_answered("csat"),
        options=("csat_method",),
        convention="Top-two-box (survey practice); good/(good+bad) (Zendesk satisfaction).",
        needs=("survey_responses",),
    ),
    KPI(
        name="ces",
        titles=titles("Customer effort score (CES)", "شاخص سهولت", "مؤشر جهد العميل"),
        unit="score",
        kind="number",
        source="surveys",
        time="at",
        stat="mean",
        higher_is_better=True,
        definition="Mean answer to the CES question ('the company made it easy to handle my "
        "issue', 1 = strongly disagree … 7 = strongly agree): higher means less effort.",
        formula="mean(CES answer)",
        value=lambda ctx, s: s.score,
        where=_answered("ces"),
        convention="Gartner CES 2.0 (agreement scale).",
        needs=("survey_responses",),
    ),
    KPI(
        name="nps",
        titles=titles("Net promoter score (NPS)", "شاخص خالص ترویج", "صافي نقاط الترويج"),
        unit="score",
        kind="number",
        source="surveys",
        time="at",
        stat="mean",
        higher_is_better=True,
        scale=100.0,
        definition="Percentage of promoters (9-10) minus percentage of detractors (0-6) "
        "among NPS answers, from −100 to 100.",
        formula="100 × (promoters − detractors) / answers",
        value=lambda ctx, s: s.nps_class,
        where=_answered("nps"),
        convention="Bain & Company NPS.",
        needs=("survey_responses",),
    ),
    KPI(
        name="enps",
        titles=titles("Employee NPS (eNPS)", "شاخص خالص ترویج کارکنان", "صافي نقاط ترويج الموظفين"),
        unit="score",
        kind="number",
        source="surveys",
        time="at",
        stat="mean",
        higher_is_better=True,
        scale=100.0,
        definition="NPS asked of employees ('would you recommend working here?'): promoters "
        "minus detractors, −100 to 100.",
        formula="100 × (promoters − detractors) / answers",
        value=lambda ctx, s: s.nps_class,
        where=_answered("enps"),
        dimensions=("team", "agent"),
        needs=("survey_responses",),
    ),
    KPI(
        name="survey_response_rate",
        titles=titles("Survey response rate", "نرخ پاسخ به نظرسنجی", "معدل الاستجابة للاستبيان"),
        unit="ratio",
        kind="rate",
        source="surveys",
        time="sent_at",
        higher_is_better=True,
        definition="Share of customer survey invitations (CSAT, CES, NPS) that were answered.",
        formula="answered invitations / sent invitations",
        value=lambda ctx, s: s.answered,
        where=lambda ctx, s: s.sent_at.notnull() & s.survey.isin(["csat", "ces", "nps"]),
        needs=("survey_responses",),
    ),
)
