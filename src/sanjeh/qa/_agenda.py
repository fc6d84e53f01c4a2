"""Coaching from evidence: the categories where an agent is furthest below their team,
with the conversations that show it, as the agenda of the next coaching session; and,
after a session, its categories' trend before / after (docs/qa.md, "Coaching agenda").

Category scores are the scorecard's own (``review_score(...).categories`` of the
version each review was graded with), so whatever the scorecard counts, this counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from ..accounts import Actor, can
from ..errors import PermissionDenied
from . import _storage
from ._base import WorkspaceBase, as_utc, require_reviewer
from ._coaching import CoachingEffect, coaching_effect
from ._formulas import review_score
from ._limits import check_instant, check_int
from ._records import CoachingSession, Review
from ._scorecard import Scorecard

if TYPE_CHECKING:
    from ..store import Store

#: a category needs this many reviews rating it, of the agent and of the team
MIN_REVIEWS = 3
#: categories proposed for one session
TOP = 3
#: conversations shown per category, bad and good
EXAMPLES = 3
#: the window when none is given: the days up to now
DEFAULT_DAYS = 90


@dataclasses.dataclass(frozen=True)
class Mean:
    """A mean category score (0–100) over ``n`` reviews, with its sample SD."""

    mean: float | None
    n: int
    sd: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Mean:
        n = len(values)
        if n == 0:
            return cls(None, 0, None)
        m = sum(values) / n
        sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1)) if n > 1 else None
        return cls(m, n, sd)


@dataclasses.dataclass(frozen=True)
class Difference:
    """``a − b`` with the Welch standard error and 95 % interval (Student t, Welch–
    Satterthwaite degrees of freedom); no uncertainty when a side has under 2 values."""

    value: float | None
    se: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, a: Mean, b: Mean) -> Difference:
        if a.mean is None or b.mean is None:
            return cls(None, None, None, None)
        value = a.mean - b.mean
        if a.sd is None or b.sd is None:
            return cls(value, None, None, None)
        va, vb = a.sd**2 / a.n, b.sd**2 / b.n
        se = math.sqrt(va + vb)
        if se == 0:
            return cls(value, 0.0, value, value)
        from scipy import stats  # slow to import: only when needed

        df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
        half = float(stats.t.ppf(0.975, df)) * se
        return cls(value, se, value - half, value + half)


@dataclasses.dataclass(frozen=True)
class Example:
    """A conversation showing a category: one of the agent's lowest (``low``), a wow
    conversation (``wow``) or one of the team's best reviews (``team_best``)."""

    kind: Literal["low", "wow", "team_best"]
    ticket_id: str
    agent_id: str | None
    #: the category's score in that review (None: a wow entry without a review rating it)
    score: float | None
    review_id: str | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True)
class AgendaItem:
    category_id: str
    name: str
    agent: Mean
    team: Mean
    #: agent mean − team mean, in points of category score
    gap: Difference
    low: tuple[Example, ...]
    good: tuple[Example, ...]


@dataclasses.dataclass(frozen=True)
class LeftOut:
    """A category with too few reviews to compare (``agent_n`` / ``team_n`` < minimum)."""

    category_id: str
    name: str
    agent_n: int
    team_n: int


@dataclasses.dataclass(frozen=True)
class Agenda:
    """The proposed agenda of an agent's next coaching session."""

    agent_id: str
    team_id: str | None
    start: dt.datetime
    end: dt.datetime
    min_reviews: int
    #: the categories furthest below the team (largest negative gap first)
    items: tuple[AgendaItem, ...]
    #: every category compared, agenda or not (gap order)
    compared: tuple[AgendaItem, ...]
    left_out: tuple[LeftOut, ...]

    @property
    def focus(self) -> list[str]:
        return [i.category_id for i in self.items]

    @property
    def review_ids(self) -> list[str]:
        """The agent's reviews the agenda cites (to discuss in the session)."""
        seen = (e.review_id for i in self.items for e in i.low if e.review_id)
        return list(dict.fromkeys(seen))


@dataclasses.dataclass(frozen=True)
class CategoryTrend:
    category_id: str
    name: str
    before: Mean
    after: Mean
    change: Difference


@dataclasses.dataclass(frozen=True)
class SessionTrend:
    """A session's focus categories (and IQS) before vs after it; ``closed`` False
    while the after-window has not ended (its figures are then left out)."""

    session_id: str
    agent_id: str
    days: int
    closed: bool
    closes_at: dt.datetime
    iqs_before: Mean
    iqs_after: Mean
    iqs_change: Difference
    categories: tuple[CategoryTrend, ...]
    #: the IQS and KPI windows of ``coaching_effect`` (None while not closed)
    effect: CoachingEffect | None


@dataclasses.dataclass(frozen=True)
class _Scored:
    review: Review
    categories: dict[str, float | None]


class AgendaMixin(WorkspaceBase):
    def agenda(
        self,
        actor: Actor,
        agent_id: str,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
        *,
        top: int = TOP,
        min_reviews: int = MIN_REVIEWS,
    ) -> Agenda:
        """The ``top`` categories where ``agent_id``'s mean category score is furthest
        below their team's over reviews written in [start, end) (default: the
        DEFAULT_DAYS up to now), each with its evidence. Reviewers and staff, for any
        agent; an agent, for themselves (without other agents' reviews as examples)."""
        _check_may_see(actor, agent_id, "see this agent's coaching agenda")
        check_int("top", top, 1, 10)
        check_int("min_reviews", min_reviews, 1, 1000)
        hi = check_instant("end", as_utc(end)) if end is not None else self.now()
        lo = (
            check_instant("start", as_utc(start))
            if start is not None
            else hi - dt.timedelta(days=DEFAULT_DAYS)
        )
        team_id, team = self._team_of(agent_id)
        scored = self._scored_reviews(lo, hi)
        names = _category_names(self.scorecards(active_only=False))
        mine = [s for s in scored if s.review.agent_id == agent_id]
        theirs = [s for s in scored if s.review.agent_id != agent_id and _in(s, team)]
        wow = self._wow_scores() if mine else {}
        compared, left_out = [], []
        for cat in sorted({c for s in mine for c, v in s.categories.items() if v is not None}):
            a = [v for s in mine if (v := s.categories.get(cat)) is not None]
            b = [v for s in theirs if (v := s.categories.get(cat)) is not None]
            name = names.get(cat, cat)
            if len(a) < min_reviews or len(b) < min_reviews:
                left_out.append(LeftOut(cat, name, len(a), len(b)))
                continue
            good = _good(cat, wow, theirs, agent_id, team, show_reviews=actor.role != "agent")
            ma, mb = Mean.of(a), Mean.of(b)
            item = AgendaItem(cat, name, ma, mb, Difference.of(ma, mb), _lowest(cat, mine), good)
            compared.append(item)
        compared.sort(key=lambda i: (i.gap.value or 0.0, i.category_id))
        items = tuple(i for i in compared if (i.gap.value or 0.0) < 0)[:top]
        return Agenda(
            agent_id, team_id, lo, hi, min_reviews, items, tuple(compared), tuple(left_out)
        )

    def coaching_trend(self, actor: Actor, session_id: str, days: int = 28) -> SessionTrend:
        """The session's focus categories and IQS in the ``days`` before vs after it
        (the windows of ``coaching_effect``: reviews of conversations *created* then)."""
        session = self._session(actor, session_id)  # type: ignore[attr-defined]
        return session_trend(self.store, session, days, now=self.now())

    # -- data ---------------------------------------------------------------------------

    def _team_of(self, agent_id: str) -> tuple[str | None, set[str] | None]:
        """The agent's home team and its agents (None: no team, so everyone)."""
        t = self.store.table("agents")
        rows = t.select("agent_id", "team_id").to_pyarrow().to_pylist()
        team_id = next((r["team_id"] for r in rows if r["agent_id"] == agent_id), None)
        if team_id is None:
            return None, None
        return team_id, {r["agent_id"] for r in rows if r["team_id"] == team_id}

    def _bots(self) -> set[str]:
        t = self.store.table("agents")
        return set(t.filter(t.is_bot.fill_null(False)).agent_id.to_pyarrow().to_pylist())

    def _scored_reviews(self, lo: dt.datetime, hi: dt.datetime) -> list[_Scored]:
        """Submitted, non-calibration reviews written in [lo, hi) of people (not bots),
        with their category scores."""
        reviews = [
            Review.from_row(r)
            for r in _storage.latest(
                self.store, "qa_reviews", "review_id", {"calibration_id": None}
            )
        ]
        bots = self._bots()
        reviews = [
            r
            for r in reviews
            if r.status != "draft" and lo <= r.created_at < hi and r.agent_id not in bots
        ]
        return _score(self, reviews)

    def _wow_scores(self) -> dict[str, tuple[str | None, str, dict[str, float]]]:
        """Wow conversations: ticket → (agent, note, best category scores of its reviews)."""
        rows = _storage.latest(self.store, "qa_wow", "wow_id")
        if not rows:
            return {}
        ids = [r["ticket_id"] for r in rows]
        reviews = [
            Review.from_row(r)
            for r in _storage.latest(
                self.store, "qa_reviews", "review_id", {"ticket_id": ids, "calibration_id": None}
            )
        ]
        best: dict[str, dict[str, float]] = {}
        for s in _score(self, [r for r in reviews if r.status != "draft"]):
            mine = best.setdefault(s.review.ticket_id, {})
            for cat, v in s.categories.items():
                if v is not None:
                    mine[cat] = max(v, mine.get(cat, v))
        return {
            r["ticket_id"]: (r["agent_id"], r["note"] or "", best.get(r["ticket_id"], {}))
            for r in rows
        }


def session_trend(
    store: Store, session: CoachingSession, days: int = 28, *, now: dt.datetime
) -> SessionTrend:
    """See :meth:`AgendaMixin.coaching_trend` (any session; no permission check)."""
    from ._workspace import Workspace

    held = check_instant("held_on", as_utc(session.held_on))
    check_int("days", days, 1, 366)
    span = dt.timedelta(days=days)
    closes = held + span
    closed = as_utc(now) >= closes
    reviews = [
        Review.from_row(r)
        for r in _storage.latest(
            store, "qa_reviews", "review_id", {"agent_id": session.agent_id, "calibration_id": None}
        )
    ]
    reviews = [r for r in reviews if r.status != "draft"]
    created = _created(store, [r.ticket_id for r in reviews])
    ws = Workspace(store)
    scored = _score(ws, reviews)
    before = [s for s in scored if held - span <= created.get(s.review.ticket_id, held) < held]
    after = [s for s in scored if held <= created.get(s.review.ticket_id, held - span) < closes]
    if not closed:
        after = []
    names = _category_names(ws.scorecards(active_only=False))
    cats = []
    for cat in session.focus:
        b = Mean.of([v for s in before if (v := s.categories.get(cat)) is not None])
        a = Mean.of([v for s in after if (v := s.categories.get(cat)) is not None])
        cats.append(CategoryTrend(cat, names.get(cat, cat), b, a, Difference.of(a, b)))
    ib = Mean.of([s.review.score for s in before if s.review.score is not None])
    ia = Mean.of([s.review.score for s in after if s.review.score is not None])
    return SessionTrend(
        session.session_id,
        session.agent_id,
        days,
        closed,
        closes,
        ib,
        ia,
        Difference.of(ia, ib),
        tuple(cats),
        coaching_effect(store, session, days) if closed else None,
    )


# -- helpers --------------------------------------------------------------------------------


def _check_may_see(actor: Actor, agent_id: str, action: str) -> None:
    """Reviewers and staff: any agent; an agent: themselves only."""
    if actor.role == "agent":
        if actor.agent_id is None or actor.agent_id != agent_id:
            raise PermissionDenied(f"agents may only {action.replace('this agent', 'their own')}")
        return
    if not can(actor, "review_conversations"):
        require_reviewer(actor, action)


def _score(ws: WorkspaceBase, reviews: Iterable[Review]) -> list[_Scored]:
    reviews = list(reviews)
    cards = ws._scorecards_by_version((r.scorecard_id, r.scorecard_version) for r in reviews)
    out = []
    for r in reviews:
        card = cards.get((r.scorecard_id, r.scorecard_version))
        if card is None:
            continue
        out.append(_Scored(r, dict(review_score(card, r.ratings, complete=False).categories)))
    return out


def _created(store: Store, ticket_ids: list[str]) -> dict[str, dt.datetime]:
    if not ticket_ids:
        return {}
    t = store.table("tickets")
    rows = (
        t.filter(t.ticket_id.isin(sorted(set(ticket_ids))))
        .select("ticket_id", "created_at")
        .to_pyarrow()
        .to_pylist()
    )
    return {r["ticket_id"]: as_utc(r["created_at"]) for r in rows}


def _category_names(cards: Iterable[Scorecard]) -> dict[str, str]:
    names: dict[str, str] = {}
    for card in cards:
        for c in card.categories:
            names.setdefault(c.id, c.name)
    return names


def _in(s: _Scored, team: set[str] | None) -> bool:
    return team is None or s.review.agent_id in team


def _lowest(cat: str, mine: list[_Scored]) -> tuple[Example, ...]:
    rated = [(v, s) for s in mine if (v := s.categories.get(cat)) is not None]
    rated.sort(key=lambda x: (x[0], -x[1].review.created_at.timestamp(), x[1].review.review_id))
    return tuple(
        Example("low", s.review.ticket_id, s.review.agent_id, v, s.review.review_id)
        for v, s in rated[:EXAMPLES]
    )


def _good(
    cat: str,
    wow: dict[str, tuple[str | None, str, dict[str, float]]],
    theirs: list[_Scored],
    agent_id: str,
    team: set[str] | None,
    *,
    show_reviews: bool,
) -> tuple[Example, ...]:
    """Wow conversations of the team whose reviews scored the category at its best
    (100), best first; then the team's best reviews of it (reviewers and staff only)."""
    out = [
        Example("wow", ticket, who, scores[cat], note=note)
        for ticket, (who, note, scores) in sorted(wow.items())
        if who != agent_id and (team is None or who in team) and scores.get(cat) == 100.0
    ][:EXAMPLES]
    if show_reviews:
        seen = {e.ticket_id for e in out}
        rated = [(v, s) for s in theirs if (v := s.categories.get(cat)) is not None]
        rated.sort(
            key=lambda x: (-x[0], -x[1].review.created_at.timestamp(), x[1].review.review_id)
        )
        for v, s in rated:
            if len(out) >= EXAMPLES:
                break
            if s.review.ticket_id not in seen:
                seen.add(s.review.ticket_id)
                out.append(
                    Example(
                        "team_best", s.review.ticket_id, s.review.agent_id, v, s.review.review_id
                    )
                )
    return tuple(out)
