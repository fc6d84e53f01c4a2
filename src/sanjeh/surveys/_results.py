"""Results of one survey: per question (and group), how many answered, the mean, the
distribution and the value its KPI would show, with anonymity kept.

For an anonymous survey (eNPS, pulse) a group with fewer answers than ``[surveys]
min_group`` (default 5) shows its count only, and no breakdown by agent exists (the
answers carry none). The dashboard's KPIs apply the same rule in the engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..errors import ConfigError
from ..settings import Settings, survey_settings
from ..store import Store
from ._definitions import Question, SurveyDefinition
from ._invitations import TABLE as INVITATIONS
from ._storage import survey

#: ``by`` → the survey_responses column it groups by
BREAKDOWNS = {"team": "team_id", "language": "language", "agent": "agent_id"}
COLUMNS = ("question", "kind", "n", "mean", "kpi", "kpi_name", "distribution", "note")


def survey_results(
    store: Store,
    survey_id: str,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    by: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per question (per ``by`` group: ``team``, ``language`` or ``agent``) of
    the answers submitted in ``[start, end)`` (anonymous surveys: by period start):
    ``n`` answers, ``mean`` score, ``kpi`` (CSAT: % satisfied, top two boxes; CES and
    pulse ratings: the mean; NPS / eNPS: % promoters − % detractors; yes / no: % yes),
    ``distribution`` ({answer: count}; choices by their text) and a ``note`` where a
    value is hidden."""
    definition = survey(store, survey_id)
    if by is not None and by not in BREAKDOWNS:
        raise ConfigError(f"by: {by!r} is not one of: {', '.join(BREAKDOWNS)}")
    if by == "agent" and definition.anonymous:
        raise ConfigError(
            f"{survey_id} is anonymous: its answers carry no agent, so there is no breakdown "
            "by agent (use by team)"
        )
    min_group = survey_settings(settings).min_group if settings is not None else 5
    frame = _answers(store, definition, start, end)
    group = BREAKDOWNS[by] if by else None
    out: list[dict[str, Any]] = []
    keys = sorted(frame[group].dropna().unique()) if group else [None]
    if group and frame[group].isna().any():
        keys.append(None)
    for key in keys:
        part = frame if group is None else frame[_match(frame[group], key)]
        for q in definition.questions:
            row = _question(definition, q, part, min_group)
            out.append({by: key, **row} if by else row)
    return pd.DataFrame(out, columns=[by, *COLUMNS] if by else list(COLUMNS))


def _match(column: pd.Series, key: Any) -> pd.Series:
    return column.isna() if key is None else column == key


def _answers(
    store: Store, definition: SurveyDefinition, start: dt.datetime | None, end: dt.datetime | None
) -> pd.DataFrame:
    r = store.table("survey_responses")
    if definition.anonymous:
        versions = [f"{definition.survey_id}@{v}" for v in range(1, definition.version + 1)]
        r = r.filter(r.source == "sanjeh", r.external_id.isin(versions))
    else:
        i = store.table(INVITATIONS)
        ids = i.filter(i.survey_id == definition.survey_id).invitation_id
        r = r.filter(r.invitation_id.isin(ids))
    r = r.filter(r.submitted_at.notnull())
    if start is not None:
        r = r.filter(r.submitted_at >= start)
    if end is not None:
        r = r.filter(r.submitted_at < end)
    r = r.select("question", "score", "comment", "team_id", "language", "agent_id")
    with store.lock:
        frame: pd.DataFrame = r.to_pandas()
    return frame if len(frame) else pd.DataFrame(columns=r.columns)


def _question(
    definition: SurveyDefinition, q: Question, part: pd.DataFrame, min_group: int
) -> dict[str, Any]:
    rows = part[part.question == q.code]
    texts = _comments(definition, q, part)
    scores = rows.score.dropna().astype(float)
    n = len(texts) if q.kind == "text" else len(scores)
    kpi_name, kpi = _kpi(definition, q, scores)
    row: dict[str, Any] = {
        "question": q.code,
        "kind": q.kind,
        "n": n,
        "mean": round(float(scores.mean()), 4) if len(scores) and q.kind != "choice" else None,
        "kpi": kpi,
        "kpi_name": kpi_name,
        "distribution": _distribution(q, scores) if q.kind != "text" else None,
        "note": None,
    }
    if definition.anonymous and 0 < n < min_group:
        row.update(mean=None, kpi=None, distribution=None)
        row["note"] = f"fewer than {min_group} answers: hidden to keep answers anonymous"
    return row


def _comments(definition: SurveyDefinition, q: Question, part: pd.DataFrame) -> pd.Series:
    """A text question's answers; the first one's ride on the primary question's rows."""
    if q.kind != "text":
        return pd.Series([], dtype=object)
    first = next(x for x in definition.questions if x.kind == "text")
    code = definition.primary.code if q.code == first.code else q.code
    return part[part.question == code].comment.dropna()


def _kpi(definition: SurveyDefinition, q: Question, scores: pd.Series) -> tuple[str | None, Any]:
    if not len(scores) or q.kind in ("text", "choice"):
        return None, None
    low, high = q.scale
    if q.kind == "yes_no":
        return "% yes", round(float((scores == 1).mean() * 100), 2)
    if q.primary and definition.kind == "csat":
        top = high - 1 if high - low + 1 >= 5 else high
        return "% satisfied", round(float((scores >= top).mean() * 100), 2)
    if q.primary and definition.kind in ("nps", "enps"):
        ten = (scores - low) / (high - low) * 10
        return "NPS", round(float(((ten >= 9).mean() - (ten <= 6).mean()) * 100), 2)
    return "mean", round(float(scores.mean()), 4)


def _distribution(q: Question, scores: pd.Series) -> dict[str, int]:
    counts = scores.astype(int).value_counts().sort_index()
    pairs = zip(counts.index.tolist(), counts.tolist(), strict=True)
    if q.kind == "choice":
        return {q.choices[v - 1]: c for v, c in pairs}
    return {str(v): c for v, c in pairs}


__all__ = ["survey_results"]
