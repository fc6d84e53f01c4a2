"""Insights across reviews: per scorecard category, where quality is lost and why.

    from sanjeh.qa import Workspace, insights
    found = insights(Workspace(store), actor, by="agent", start=..., end=...)

Figures (docs/qa.md, "Insights"): per category the mean category score and the failure
rate with 95 % intervals, overall and by agent, team, channel, language, topic or
period, each beside the previous window (or period); the IQS points lost per category;
root causes ranked; reviewers' calibration strictness and the agents graded mostly by a
strict reviewer; automatic signals against manual grades (Cohen's kappa). Counted: the
current revision of every submitted, non-calibration review (as ``Workspace.scores``:
a resolved dispute's corrected ratings; a review under open dispute with its current
ratings), written in [start, end).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from ..accounts import Actor, check
from ..errors import WorkflowError
from ._base import as_utc
from ._insights_data import Base, Strictness, base
from ._insights_stats import (
    PERIODS,
    WEEKDAYS,
    newcombe,
    period_bounds,
    previous_key,
    t_interval,
    welch,
    wilson,
)
from ._kappa import kappa_of_table
from ._limits import check_instant
from ._scorecard import DEFAULT_SCORECARD_ID, Scorecard

if TYPE_CHECKING:
    from ._workspace import Workspace

By = Literal[
    "agent", "team", "channel", "language", "topic", "week", "month", "jalali_month", "hijri_month"
]
BY: tuple[str, ...] = get_args(By)
#: fewer rated reviews than this in a group: its figures are marked "few reviews"
MIN_REVIEWS = 10
#: an agent is flagged when at least this share of their reviews came from strict reviewers
STRICT_SHARE = 0.5
#: kappa bands (Landis & Koch 1977): ≥ 0.61 substantial agreement, < 0.41 at most moderate
TRUST_KAPPA = 0.61
DOUBT_KAPPA = 0.41
#: the default window: the 28 days up to now (over, so it is compared with the 28 before)
DEFAULT_DAYS = 28


@dataclasses.dataclass(frozen=True)
class Figure:
    """One category in one group (``group`` None: every review). ``mean`` is the mean
    category score (0–100) of the reviews that rated it, ``failure_rate`` the share of
    them where it failed (category score under 50 %); ``*_low`` / ``*_high`` 95 %
    intervals (t / Wilson); ``previous_*`` the previous window (or period) and the
    change with its interval (Welch / Newcombe). ``small``: fewer than MIN_REVIEWS.
    ``partial``: a period the window cuts or that has not ended (no change given)."""

    category_id: str
    group: str | None
    reviews: int
    mean: float | None
    mean_low: float | None
    mean_high: float | None
    failed: int
    failure_rate: float | None
    failure_low: float | None
    failure_high: float | None
    small: bool
    previous_reviews: int
    previous_mean: float | None
    previous_failure_rate: float | None
    mean_change: float | None
    mean_change_low: float | None
    mean_change_high: float | None
    failure_change: float | None
    failure_change_low: float | None
    failure_change_high: float | None
    partial: bool = False
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class PointsLost:
    """IQS points a category cost: ``points`` summed over the reviews, ``per_review``
    = points / reviews counted (the categories' per_review add up to 100 − IQS),
    ``share`` of all points lost. ``category_id`` None: lost to the scorecard's rules
    beyond what its categories account for."""

    category_id: str | None
    points: float
    per_review: float
    share: float | None


@dataclasses.dataclass(frozen=True)
class RootCause:
    """A root cause tagged on a category, ``count`` times; ``share`` of all tags."""

    category_id: str
    cause: str
    count: int
    share: float


@dataclasses.dataclass(frozen=True)
class ReviewerRow:
    """A reviewer's reviews in the window beside their calibration strictness."""

    reviewer_id: str
    reviews: int
    iqs: float | None
    bias: float | None
    sessions: int
    tendency: str | None


@dataclasses.dataclass(frozen=True)
class AgentFlag:
    """An agent's reviews and how many came from strict reviewers; ``flagged`` when at
    least STRICT_SHARE of them did: their low scores may be the reviewer's."""

    agent_id: str | None
    reviews: int
    by_strict: int
    share: float
    flagged: bool


@dataclasses.dataclass(frozen=True)
class Agreement:
    """AutoQA against the reviewers on one category: over the reviews where both a
    manual rating and an automatic verdict exist, the 2 × 2 counts (fail = category
    score under 50 % / the linked signals fail it), ``observed`` agreement and Cohen's
    kappa with its 95 % interval. ``verdict``: trust (κ ≥ 0.61, at least MIN_REVIEWS),
    check (0.41 ≤ κ < 0.61), doubt (κ < 0.41), few (under MIN_REVIEWS), none (no
    linked signal or no comparable review)."""

    category_id: str
    analyzers: tuple[str, ...]
    n: int
    both_fail: int
    manual_fail_only: int
    auto_fail_only: int
    both_pass: int
    observed: float | None
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    verdict: str


@dataclasses.dataclass(frozen=True)
class Insights:
    """Everything the insights page shows (see the module docstring)."""

    scorecard_id: str
    scorecard_version: int | None
    category_ids: tuple[str, ...]
    category_names: dict[str, str]
    scorecards: dict[str, int]
    by: str | None
    agent: str | None
    start: dt.datetime
    end: dt.datetime
    previous_start: dt.datetime
    complete: bool
    reviews: int
    previous_reviews: int
    disputed: int
    iqs: float | None
    overall: list[Figure]
    breakdown: list[Figure]
    lost: list[PointsLost]
    root_causes: list[RootCause]
    reviewers: list[ReviewerRow]
    agents: list[AgentFlag]
    agreement: list[Agreement]
    notes: list[str]


def insights(
    ws: Workspace,
    actor: Actor,
    *,
    by: By | None = None,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    scorecard: str | None = None,
    agent: str | None = None,
    timezone: str = "UTC",
    week_start: str = "monday",
) -> Insights:
    """The insights over reviews written in [start, end) (UTC; a date is its midnight;
    default: the 28 days up to now), compared with the window of the same
    length before. ``scorecard``: whose categories (default: the one with most reviews
    in the window). ``agent``: one agent's reviews; an agent only ever sees their own
    (another agent → PermissionDenied), without the reviewers' strictness."""
    if by is not None and by not in BY:
        raise WorkflowError(f"cannot break insights down by {by!r}; use one of: {', '.join(BY)}")
    if week_start not in WEEKDAYS:
        raise WorkflowError(f"week_start must be one of {', '.join(WEEKDAYS)}")
    if actor.role == "agent" and agent is None:
        agent = actor.agent_id or ""
    check(actor, "view_qa_insights", agent_id=agent, action="see insights across reviews")
    now = ws.now()
    hi = as_utc(end) if end is not None else now
    lo = as_utc(start) if start is not None else hi - dt.timedelta(days=DEFAULT_DAYS)
    check_instant("start", lo)
    check_instant("end", hi)
    if hi <= lo:
        raise WorkflowError(f"the window ends ({hi:%Y-%m-%d %H:%M}) before it starts")
    data = base(ws.store)
    visible = np.ones(len(data.at), dtype=bool)
    if agent is not None:
        visible = _is(data, "agent", agent)
    inside = visible & (data.at >= _ns(lo)) & (data.at < _ns(hi))
    sids, names = data.codes["scorecard_id"]
    counted = np.bincount(sids[inside & (sids >= 0)], minlength=len(names))
    counts = {
        str(names[k]): int(v) for k, v in sorted(enumerate(counted), key=lambda x: -x[1]) if v
    }
    sid = scorecard or (next(iter(counts)) if counts else DEFAULT_SCORECARD_ID)
    view = _View(data, visible & _is(data, "scorecard_id", sid), lo, hi, now, timezone, week_start)
    if not any(s == sid for s, _ in data.cards):  # no review of it yet: its categories
        view.card = ws.scorecard(sid)  # (RecordNotFound for an unknown id)
    return view.result(sid, by, agent, counts, show_reviewers=agent is None)


def _is(data: Base, dim: str, value: str) -> np.ndarray:
    codes, values = data.codes[dim]
    found = np.flatnonzero(values == value)
    return codes == found[0] if len(found) else np.zeros(len(codes), dtype=bool)


def _ns(moment: dt.datetime) -> int:
    return int(pd.Timestamp(moment).value)


@dataclasses.dataclass
class _View:
    """The figures of one request: boolean masks over the cached arrays."""

    data: Base
    mine: np.ndarray  # the visible reviews of the scorecard (any time)
    lo: dt.datetime
    hi: dt.datetime
    now: dt.datetime
    timezone: str
    week_start: str
    card: Scorecard | None = None

    def __post_init__(self) -> None:
        self.previous_lo = self.lo - (self.hi - self.lo)
        at = self.data.at
        self.current = self.mine & (at >= _ns(self.lo)) & (at < _ns(self.hi))
        self.previous = self.mine & (at >= _ns(self.previous_lo)) & (at < _ns(self.lo))
        self.complete = self.hi <= self.now
        self.row = self.data.ratings["review"].to_numpy(np.int64)  # rating row → review

    def result(
        self,
        sid: str,
        by: str | None,
        agent: str | None,
        counts: dict[str, int],
        *,
        show_reviewers: bool,
    ) -> Insights:
        ids, names, version = self.categories(sid)
        notes = []
        if not self.complete:
            notes.append("window_open")
        if sum(v for k, v in counts.items() if k != sid):
            notes.append("other_scorecards")
        reviews = self.data.reviews
        current = reviews[self.current]
        scored = current["score"].dropna()
        return Insights(
            scorecard_id=sid,
            scorecard_version=version,
            category_ids=ids,
            category_names=names,
            scorecards=counts,
            by=by,
            agent=agent,
            start=self.lo,
            end=self.hi,
            previous_start=self.previous_lo,
            complete=self.complete,
            reviews=len(current),
            previous_reviews=int(self.previous.sum()),
            disputed=int((current["status"] == "disputed").sum()),
            iqs=float(scored.mean()) if len(scored) else None,
            overall=self.compared(None, ids),
            breakdown=self.breakdown(by, ids) if by is not None else [],
            lost=self.lost(ids, len(scored)),
            root_causes=self.root_causes(),
            reviewers=self.reviewers(current) if show_reviewers else [],
            agents=self.agents(current) if show_reviewers else [],
            agreement=self.agreement(sid, ids),
            notes=notes,
        )

    def categories(self, sid: str) -> tuple[tuple[str, ...], dict[str, str], int | None]:
        """The scorecard's categories, latest version first, then those only older
        versions of it had."""
        cards = {v: c for (s, v), c in self.data.cards.items() if s == sid}
        if self.card is not None:
            cards[self.card.version] = self.card
        versions = sorted(cards, reverse=True)
        ids: list[str] = []
        names: dict[str, str] = {}
        for v in versions:
            for c in cards[v].categories:
                if c.id not in names:
                    ids.append(c.id)
                    names[c.id] = c.name
        return tuple(ids), names, versions[0] if versions else None

    # -- mean and failure rate -----------------------------------------------------------

    def stats(
        self, reviews: np.ndarray, groups: tuple[np.ndarray, np.ndarray] | None
    ) -> pd.DataFrame:
        return _stats(self.data, self.row, reviews, groups)

    def compared(self, key: str | None, ids: Sequence[str]) -> list[Figure]:
        """Figures of the window against the window before, per category (and ``key``)."""
        groups = None if key is None else self.data.codes[key]
        now = self.stats(self.current, groups)
        before = self.stats(self.previous, groups)
        frame = now.join(before.add_suffix("_prev"), how="left")
        rows = _figures(frame, np.full(len(frame), self.complete))
        if key is None:
            known = {f.category_id for f in rows}
            rows += [_empty(c) for c in ids if c not in known]
        return _ordered(rows, ids)

    def breakdown(self, by: str, ids: Sequence[str]) -> list[Figure]:
        if by not in PERIODS:
            return self.compared(by, ids)
        codes, keys = self.data.periods(by, self.timezone, self.week_start)
        every = self.stats(self.mine, (codes, keys))
        inside = set(keys[np.unique(codes[self.current & (codes >= 0)])])
        stats = every[[k in inside for k in every.index.get_level_values(1)]]
        if stats.empty:
            return []
        periods = stats.index.get_level_values(1)
        before_keys = pd.MultiIndex.from_arrays(
            [stats.index.get_level_values(0), [previous_key(by, str(k)) for k in periods]]
        )
        before = every.reindex(before_keys).add_suffix("_prev")
        before.index = stats.index
        frame = stats.join(before)
        bounds = {k: period_bounds(by, str(k)) for k in set(periods)}
        cut = {k: self._cut(*b) for k, b in bounds.items()}
        rows = _figures(frame, np.array([not cut[k] for k in periods], dtype=bool))
        rows = [
            dataclasses.replace(
                f, partial=cut[k], period_start=bounds[k][0], period_end=bounds[k][1]
            )
            for f, k in zip(rows, periods, strict=True)
        ]
        return _ordered(rows, ids)

    def _cut(self, first: dt.date, after: dt.date) -> bool:
        """Does the window cut the period, or has it not ended yet (local dates)?"""
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(self.timezone)
        begins = dt.datetime.combine(first, dt.time(), tzinfo=zone)
        ends = dt.datetime.combine(after, dt.time(), tzinfo=zone)
        return begins < self.lo or ends > self.hi or ends > self.now

    # -- points lost, root causes --------------------------------------------------------

    def lost(self, ids: Sequence[str], scored: int) -> list[PointsLost]:
        rows = self.current[self.row]
        if scored == 0 or not rows.any():
            return []
        cat = self.data.cat[rows]
        lost = self.data.ratings["lost"].to_numpy()[rows]
        points = np.bincount(cat + 1, weights=lost, minlength=len(self.data.categories) + 1)
        total = float(points.sum())
        out = []
        for code, value in enumerate(points):
            category = None if code == 0 else str(self.data.categories[code - 1])
            if (category is None and abs(value) <= 1e-9) or (
                category and not (cat == code - 1).any()
            ):
                continue
            share = float(value) / total if total > 0 else None
            out.append(PointsLost(category, float(value), float(value) / scored, share))
        order = {c: i for i, c in enumerate(ids)}
        return sorted(out, key=lambda x: (-round(x.points, 9), order.get(x.category_id or "", 0)))

    def root_causes(self) -> list[RootCause]:
        c = self.data.causes
        c = c[self.current[c["review"].to_numpy(np.int64)]] if len(c) else c
        if c.empty:
            return []
        counts = c.groupby(["category_id", "cause"]).size()
        total = int(counts.sum())
        rows = [
            RootCause(str(cid), str(cause), int(v), int(v) / total)
            for cid, cause, v in zip(
                counts.index.get_level_values(0),
                counts.index.get_level_values(1),
                counts.to_numpy(),
                strict=True,
            )
        ]
        return sorted(rows, key=lambda x: (-x.count, x.category_id, x.cause))

    # -- strictness ----------------------------------------------------------------------

    def reviewers(self, current: pd.DataFrame) -> list[ReviewerRow]:
        strict = self.data.strictness
        out = []
        for reviewer, group in current.groupby("reviewer"):
            s = strict.get(str(reviewer)) or Strictness(str(reviewer), None, 0, 0)
            scored = group["score"].dropna()
            iqs = float(scored.mean()) if len(scored) else None
            out.append(ReviewerRow(str(reviewer), len(group), iqs, s.bias, s.sessions, s.tendency))
        return sorted(
            out, key=lambda r: (r.bias if r.bias is not None else math.inf, r.reviewer_id)
        )

    def agents(self, current: pd.DataFrame) -> list[AgentFlag]:
        strict = {r for r, s in self.data.strictness.items() if s.tendency == "strict"}
        out = []
        for agent, group in current.groupby("agent", dropna=False):
            by_strict = int(group["reviewer"].isin(strict).sum())
            share = by_strict / len(group)
            name = None if isinstance(agent, float) else str(agent)
            out.append(AgentFlag(name, len(group), by_strict, share, share >= STRICT_SHARE))
        return sorted(out, key=lambda a: (not a.flagged, -a.share, _text(a.agent_id)))

    # -- AutoQA against the reviewers ---------------------------------------------------

    def agreement(self, sid: str, ids: Sequence[str]) -> list[Agreement]:
        rows = self.current[self.row]
        auto = self.data.ratings["auto"].to_numpy()
        failed = self.data.ratings["failed"].to_numpy(bool)
        compared = rows & ~np.isnan(auto)
        latest = max((v for s, v in self.data.cards if s == sid), default=None)
        codes = {str(c): i for i, c in enumerate(self.data.categories)}
        out = []
        for cid in ids:
            m = compared & (self.data.cat == codes.get(cid, -2))
            names = self.data.links.get((sid, latest, cid), ()) if latest is not None else ()
            out.append(_agreement(cid, names, failed[m], auto[m] == 1.0))
        return out


def _agreement(cid: str, names: tuple[str, ...], manual: np.ndarray, auto: np.ndarray) -> Agreement:
    n = len(manual)
    both_fail = int((manual & auto).sum())
    manual_only = int((manual & ~auto).sum())
    auto_only = int((~manual & auto).sum())
    both_pass = n - both_fail - manual_only - auto_only
    k = kappa_of_table([[both_fail, manual_only], [auto_only, both_pass]])
    if not names and n == 0:
        verdict = "none"
    elif n < MIN_REVIEWS or k.kappa is None:
        verdict = "few" if n < MIN_REVIEWS else "none"
    elif k.kappa >= TRUST_KAPPA:
        verdict = "trust"
    elif k.kappa >= DOUBT_KAPPA:
        verdict = "check"
    else:
        verdict = "doubt"
    return Agreement(
        category_id=cid,
        analyzers=names,
        n=n,
        both_fail=both_fail,
        manual_fail_only=manual_only,
        auto_fail_only=auto_only,
        both_pass=both_pass,
        observed=k.observed,
        kappa=k.kappa,
        kappa_low=k.low,
        kappa_high=k.high,
        verdict=verdict,
    )


def _stats(
    data: Base,
    row: np.ndarray,
    reviews: np.ndarray,
    groups: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """n, mean, sd, failed per category (and group: ``groups`` = code per review, −1 =
    none, and the values), by counting into bins: the rating rows of ``reviews``."""
    m = reviews[row] & (data.cat >= 0)
    cat = data.cat[m]
    size = len(data.categories)
    if groups is None:
        g, values, width = np.zeros(len(cat), np.int64), np.array([None], dtype=object), 1
    else:
        codes, found = groups
        g = codes[row[m]]
        width = len(found) + 1
        g = np.where(g < 0, width - 1, g)  # none (no team …): a group "" of its own
        values = np.append(found.astype(object), "")
    key = cat * width + g
    score = data.ratings["score"].to_numpy()[m]
    failed = data.ratings["failed"].to_numpy(float)[m]
    n = np.bincount(key, minlength=size * width)
    total = np.bincount(key, weights=score, minlength=size * width)
    squares = np.bincount(key, weights=score * score, minlength=size * width)
    fails = np.bincount(key, weights=failed, minlength=size * width)
    nz = np.flatnonzero(n)
    k = n[nz].astype(float)
    mean = total[nz] / k
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.maximum(squares[nz] - k * mean * mean, 0.0) / (k - 1)
    sd = np.where(k >= 2, np.sqrt(var), np.nan)
    cats = data.categories[nz // width]
    if groups is None:
        index: pd.Index = pd.Index(cats, name="category_id")
    else:
        index = pd.MultiIndex.from_arrays([cats, values[nz % width]])
    return pd.DataFrame({"n": k, "mean": mean, "sd": sd, "failed": fails[nz]}, index=index)


def _figures(frame: pd.DataFrame, compare: np.ndarray) -> list[Figure]:
    """Figures of the rows of ``frame`` (index: category[, group]; columns n, mean, sd,
    failed and the same with ``_prev``), their intervals computed all at once."""
    n, mean, sd, failed = (frame[c].to_numpy(float) for c in ("n", "mean", "sd", "failed"))
    pn, pmean, psd, pfailed = (
        np.nan_to_num(frame[f"{c}_prev"].to_numpy(float), nan=0.0)
        for c in ("n", "mean", "sd", "failed")
    )
    m_lo, m_hi = t_interval(mean, sd, n)
    f_lo, f_hi = wilson(failed, n)
    d_lo, d_hi = welch(mean, np.nan_to_num(sd), n, pmean, psd, pn)
    r_lo, r_hi = newcombe(failed, n, pfailed, pn)
    change = compare & (pn > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate, prate = failed / n, pfailed / pn
    out = []
    for i, index in enumerate(frame.index):
        category, group = index if isinstance(index, tuple) else (index, None)
        had = pn[i] > 0
        c = bool(change[i])
        out.append(
            Figure(
                category_id=str(category),
                group=None if group is None else str(group),
                reviews=int(n[i]),
                mean=float(mean[i]),
                mean_low=_nan(m_lo[i]),
                mean_high=_nan(m_hi[i]),
                failed=int(failed[i]),
                failure_rate=float(rate[i]),
                failure_low=_nan(f_lo[i]),
                failure_high=_nan(f_hi[i]),
                small=bool(n[i] < MIN_REVIEWS),
                previous_reviews=int(pn[i]),
                previous_mean=float(pmean[i]) if had else None,
                previous_failure_rate=float(prate[i]) if had else None,
                mean_change=float(mean[i] - pmean[i]) if c else None,
                mean_change_low=_nan(d_lo[i]) if c else None,
                mean_change_high=_nan(d_hi[i]) if c else None,
                failure_change=float(rate[i] - prate[i]) if c else None,
                failure_change_low=_nan(r_lo[i]) if c else None,
                failure_change_high=_nan(r_hi[i]) if c else None,
            )
        )
    return out


def _ordered(rows: list[Figure], ids: Sequence[str]) -> list[Figure]:
    """By group, then in the scorecard's order of categories."""
    order = {c: i for i, c in enumerate(ids)}
    return sorted(rows, key=lambda f: (_text(f.group), order.get(f.category_id, len(order))))


def _empty(category_id: str) -> Figure:
    return Figure(
        category_id,
        None,
        0,
        None,
        None,
        None,
        0,
        None,
        None,
        None,
        True,
        0,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _nan(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _text(value: str | None) -> str:
    return "" if value is None else value
