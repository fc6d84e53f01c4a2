"""Survey KPIs: CSAT, CES, NPS, eNPS, pulse, their participation and the response rate.

eNPS and pulse are employees' answers: ``anonymous`` (a group of fewer than
``[surveys] min_group`` answers shows no value; never by agent). CSAT warns where it rests
on few answers or a low response rate (``invitations``).
"""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles


def _answered(survey: str):
    return lambda ctx, s: (s.survey == survey) & s.answered


def _csat(ctx: Context, s: ibis.Table) -> ibis.ir.BooleanValue:
    return s.satisfied if ctx.options.csat_method == "top_two_box" else s.good


def _sent(survey: str):
    return lambda ctx, s: (s.survey == survey) & s.sent_at.notnull()


def _pulse_points(ctx: Context, s: ibis.Table) -> ibis.ir.FloatingValue:
    """An answer on its question's scale, put on 0-10 (so 4 of 1-5 and 7.5 of 0-10 meet)."""
    lo, hi = s.scale_min.cast("float64"), s.scale_max.cast("float64")
    return ibis.ifelse(hi > lo, (s.score - lo) / (hi - lo) * 10, ibis.null("float64"))


#: what employees' answers may be shown by: the team (and, for pulse, the question)
_TEAM = ("team",)


def _participation(survey: str, names: dict[str, str]) -> KPI:
    """``<survey>_participation``: the share of an employee survey's delivered
    invitations that were answered. One definition for every anonymous survey kind:
    answers are not linked to their invitation, so it is counted from the invitations."""
    label = "eNPS" if survey == "enps" else survey
    return KPI(
        name=f"{survey}_participation",
        titles=names,
        unit="ratio",
        kind="rate",
        source="invitations",
        time="sent_at",
        higher_is_better=True,
        definition=f"Share of the {label} survey invitations Sanjeh sent (survey_invitations: "
        "delivered, i.e. not queued or failed) that were answered. Answers are not linked "
        "to their invitation, so only invitations Sanjeh sent count. Anonymous: a group "
        "with fewer than [surveys] min_group invitations (default 5) shows no value.",
        formula="answered invitations / delivered invitations",
        value=lambda ctx, i: i.answered,
        where=lambda ctx, i: (i.survey == survey) & i.delivered,
        dimensions=_TEAM,
        anonymous=True,
        needs=("survey_invitations",),
    )


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
        invitations=_sent("csat"),
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
        "minus detractors, −100 to 100. Anonymous: a team or period with fewer than "
        "[surveys] min_group answers (default 5) shows no value; never shown per agent.",
        formula="100 × (promoters − detractors) / answers",
        value=lambda ctx, s: s.nps_class,
        where=_answered("enps"),
        dimensions=_TEAM,
        anonymous=True,
        needs=("survey_responses",),
    ),
    _participation(
        "enps",
        titles(
            "eNPS participation",
            "مشارکت در نظرسنجی eNPS",
            "المشاركة في استبيان صافي نقاط ترويج الموظفين",
        ),
    ),
    KPI(
        name="pulse_score",
        titles=titles("Pulse score", "امتیاز نبض", "مؤشر النبض"),
        unit="score",
        kind="number",
        source="surveys",
        time="at",
        stat="mean",
        higher_is_better=True,
        definition="Mean answer to the questions of pulse surveys (short recurring employee "
        "surveys: workload, morale …), each answer put on 0-10 from its question's scale "
        "(4 on 1-5 is 7.5). Break it down by question for each question's mean, by period "
        "for the trend. Anonymous: a group with fewer than [surveys] min_group answers "
        "(default 5) shows no value; never shown per agent.",
        formula="mean(10 × (answer − scale_min) / (scale_max − scale_min))",
        value=_pulse_points,
        where=_answered("pulse"),
        dimensions=(*_TEAM, "question"),
        anonymous=True,
        convention="Rescaled to 0-10 so questions of different scales share one mean.",
        needs=("survey_responses",),
    ),
    _participation(
        "pulse",
        titles("Pulse participation", "مشارکت در نظرسنجی نبض", "المشاركة في استبيان النبض"),
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
