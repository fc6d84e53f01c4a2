"""Recognition: wow moments and top-quartile category scores as kudos, on the agent's
scorecard and on a team recognition board whose readers are opted in by role
(docs/qa.md, "Recognition")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..accounts import Actor, Role
from ..accounts._roles import ROLES
from ..errors import ConfigError, PermissionDenied
from . import _storage
from ._agenda import DEFAULT_DAYS, MIN_REVIEWS, AgendaMixin, Mean, _category_names
from ._base import as_utc
from ._limits import check_instant

if TYPE_CHECKING:
    from ..settings import Settings
    from ..store import Store

#: who sees the team board unless the config says otherwise (agents: only their own kudos)
DEFAULT_RECOGNITION_ROLES: tuple[Role, ...] = ("admin", "manager", "reviewer")
#: a top-quartile kudos needs at least this many agents compared in the category
MIN_AGENTS = 4


@dataclasses.dataclass(frozen=True)
class Kudos:
    """One piece of praise: a wow conversation, or a category where the agent's mean
    score is in the top quartile of the agents (``rank`` of ``of``)."""

    agent_id: str
    kind: Literal["wow", "top_quartile"]
    ticket_id: str | None = None
    note: str = ""
    by: str | None = None
    at: dt.datetime | None = None
    category_id: str | None = None
    category: str = ""
    score: Mean | None = None
    rank: int | None = None
    of: int | None = None


@dataclasses.dataclass(frozen=True)
class BoardRow:
    agent_id: str
    kudos: tuple[Kudos, ...]

    @property
    def wow(self) -> int:
        return sum(k.kind == "wow" for k in self.kudos)

    @property
    def top_quartile(self) -> int:
        return sum(k.kind == "top_quartile" for k in self.kudos)


def recognition_roles(settings: Settings) -> tuple[Role, ...]:
    """``[qa] recognition_board = ["admin", "manager", "reviewer", "agent"]`` in the config
    file: the roles that see the team recognition board (default
    DEFAULT_RECOGNITION_ROLES). A ConfigError names what is wrong."""
    raw = settings.section("qa").get("recognition_board", list(DEFAULT_RECOGNITION_ROLES))
    if not isinstance(raw, list) or any(r not in ROLES for r in raw):
        raise ConfigError(
            f"{settings.config_file}: [qa] recognition_board must be a list of roles "
            f"({', '.join(ROLES)}), not {raw!r}"
        )
    return tuple(r for r in ROLES if r in raw)


class RecognitionMixin(AgendaMixin):
    #: the roles that see the team board (``recognition_roles(settings)`` to follow the config)
    recognition_roles: tuple[Role, ...] = DEFAULT_RECOGNITION_ROLES

    def may_see_board(self, actor: Actor) -> bool:
        return actor.role in self.recognition_roles

    def kudos(
        self,
        actor: Actor,
        agent_id: str,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
    ) -> list[Kudos]:
        """An agent's kudos in [start, end) (default: the DEFAULT_DAYS up to now): the
        agent themselves, reviewers and staff (who see every scorecard), and other
        agents only when agents are opted in to the board."""
        mine = actor.agent_id is not None and actor.agent_id == agent_id
        if actor.role == "agent" and not mine and not self.may_see_board(actor):
            raise PermissionDenied(
                "agents see only their own kudos (the recognition board is not open to agents)"
            )
        lo, hi = self._window(start, end)
        return [k for k in all_kudos(self, lo, hi) if k.agent_id == agent_id]

    def recognition_board(
        self,
        actor: Actor,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
    ) -> list[BoardRow]:
        """Every agent's kudos in [start, end), most first; only the opted-in roles
        (``recognition_roles``) may see it."""
        if not self.may_see_board(actor):
            who = ", ".join(self.recognition_roles) or "nobody"
            raise PermissionDenied(
                f"the recognition board is open to: {who} (you are {actor.role}); "
                "an administrator opts roles in with [qa] recognition_board"
            )
        lo, hi = self._window(start, end)
        by: dict[str, list[Kudos]] = {}
        for k in all_kudos(self, lo, hi):
            by.setdefault(k.agent_id, []).append(k)
        rows = [BoardRow(a, tuple(ks)) for a, ks in by.items()]
        return sorted(rows, key=lambda r: (-len(r.kudos), -r.wow, r.agent_id))

    def _window(
        self, start: dt.date | dt.datetime | None, end: dt.date | dt.datetime | None
    ) -> tuple[dt.datetime, dt.datetime]:
        hi = check_instant("end", as_utc(end)) if end is not None else self.now()
        lo = (
            check_instant("start", as_utc(start))
            if start is not None
            else hi - dt.timedelta(days=DEFAULT_DAYS)
        )
        return lo, hi


def all_kudos(ws: AgendaMixin, lo: dt.datetime, hi: dt.datetime) -> list[Kudos]:
    """Every agent's kudos in [lo, hi): wow entries marked then, and top-quartile
    categories over the reviews written then (see :func:`top_quartile`)."""
    bots = ws._bots()  # kudos are for people
    out = [
        Kudos(
            r["agent_id"],
            "wow",
            ticket_id=r["ticket_id"],
            note=r["note"] or "",
            by=r["changed_by"],
            at=r["changed_at"],
        )
        for r in _storage.latest(ws.store, "qa_wow", "wow_id")
        if r["agent_id"] is not None
        and r["agent_id"] not in bots
        and lo <= as_utc(r["changed_at"]) < hi
    ]
    out.sort(key=lambda k: k.at or lo, reverse=True)
    scored = ws._scored_reviews(lo, hi)
    by_cat: dict[str, dict[str, list[float]]] = {}
    for s in scored:
        if s.review.agent_id is None:
            continue
        for cat, v in s.categories.items():
            if v is not None:
                by_cat.setdefault(cat, {}).setdefault(s.review.agent_id, []).append(v)
    names = _category_names(ws.scorecards(active_only=False))
    for cat in sorted(by_cat):
        for agent, mean, rank, n in top_quartile(by_cat[cat]):
            out.append(
                Kudos(
                    agent,
                    "top_quartile",
                    category_id=cat,
                    category=names.get(cat, cat),
                    score=mean,
                    rank=rank,
                    of=n,
                )
            )
    return out


def top_quartile(
    scores: Mapping[str, Sequence[float]], min_reviews: int = MIN_REVIEWS
) -> list[tuple[str, Mean, int, int]]:
    """(agent, mean, rank, agents compared) for the agents in the top quartile of one
    category: among the agents with at least ``min_reviews`` scores (at least
    MIN_AGENTS of them), rank = 1 + the agents with a strictly higher mean; kudos when
    rank ≤ agents / 4 and some agent scores strictly lower (all equal: nobody stands out)."""
    means = {a: Mean.of(list(v)) for a, v in scores.items() if len(v) >= min_reviews}
    n = len(means)
    if n < MIN_AGENTS:
        return []
    values = [m.mean for m in means.values() if m.mean is not None]
    lowest = min(values)
    out = []
    for agent, m in sorted(means.items()):
        assert m.mean is not None
        rank = 1 + sum(v > m.mean for v in values)
        if rank <= n / 4 and m.mean > lowest:
            out.append((agent, m, rank, n))
    return sorted(out, key=lambda x: (x[2], x[0]))


def kudos_of(store: Store, agent_id: str, start: Any, end: Any) -> list[Kudos]:
    """An agent's kudos for a page that has already checked who may see the agent (the
    dashboard's scorecard: ``view_agent``)."""
    from ._workspace import Workspace

    ws = Workspace(store)
    return [k for k in all_kudos(ws, as_utc(start), as_utc(end)) if k.agent_id == agent_id]
