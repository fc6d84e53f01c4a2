"""What every QA view and route shares: the request's actor, workspace, locale, names,
number and date formatting, and rendering a page (never cached: it is per user)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ...accounts import Actor, can, roles_with
from ...errors import RecordNotFound, ValidationError
from ...qa import Scorecard, Workspace, call_conversation, limits, recognition_roles
from ...settings import load_settings
from .._auth import current_actor, html_response
from .._errors import InvalidParameter
from .._i18n import Locale, catalogue
from .._render import render_html, to_json
from .._routes import source_of
from .._source import Source

#: query parameters that say how to show a page (kept on every QA link and redirect)
DISPLAY = ("lang", "cal", "digits")
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}

Model = dict[str, Any]


def workspace(app: FastAPI) -> Workspace:
    """The app's QA workspace (one per app, over the dashboard's store)."""
    ws: Workspace | None = getattr(app.state, "qa_workspace", None)
    if ws is None:
        ws = app.state.qa_workspace = Workspace(app.state.source.store)
        # #22 (Q3): who sees the recognition board, from the config ([qa] recognition_board)
        ws.recognition_roles = recognition_roles(load_settings())
    return ws


@dataclasses.dataclass
class Ctx:
    """One request's view of the QA workspace. Build view models inside ``with ctx:``
    (the one DuckDB connection is shared by every thread)."""

    request: Request
    actor: Actor
    source: Source
    ws: Workspace
    locale: Locale
    _users: dict[str, str] | None = None

    @classmethod
    def of(cls, request: Request) -> Ctx:
        actor = current_actor(request)
        q = request.query_params
        locale = Locale.of(
            q.get("lang") or request.app.state.language, q.get("cal"), q.get("digits")
        )
        return cls(request, actor, source_of(request), workspace(request.app), locale)

    def __enter__(self) -> Ctx:
        self.source.db_lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.source.db_lock.release()

    @property
    def store(self) -> Any:
        return self.source.store

    @property
    def may_review(self) -> bool:
        """May the user grade conversations (and coach agents, and add to the wow library)?"""
        return can(self.actor, "review_conversations")

    def t(self, key: str, **values: Any) -> str:
        return self.locale.t(key, **values)

    def text(self, key: str, fallback: str) -> str:
        """A catalogue text when there is one, else ``fallback`` (stored names)."""
        return catalogue(self.locale.lang).get(key) or catalogue("en").get(key) or fallback

    # -- names ------------------------------------------------------------------------

    def agent_name(self, agent_id: str | None) -> str:
        if agent_id is None:
            return "—"
        agent = self.source.dims.agents.get(agent_id)
        return agent.name if agent else agent_id

    def agents(self) -> list[tuple[str, str]]:
        found = [(a.id, a.name) for a in self.source.dims.agents.values() if not a.is_bot]
        return sorted(found, key=lambda x: x[1])

    def known_agent(self, name: str, agent_id: str | None) -> str | None:
        """``agent_id`` when the store knows the agent (the agents table, else a ticket
        of theirs); None stays None; anyone else is a 400 naming some agents."""
        if agent_id is None or agent_id in self.source.dims.agents:
            return agent_id
        t = self.store.table("tickets")
        if not limits.has_nul(agent_id) and t.filter(t.agent_id == agent_id).count().execute():
            return agent_id
        sample = ", ".join(sorted(self.source.dims.agents)[:12]) or "none"
        raise InvalidParameter(name, f"unknown agent {agent_id!r}; the store has: {sample}")

    def known_reviewers(self, name: str, ids: Iterable[str]) -> None:
        """A 400 unless every id is a user who may review (see :meth:`reviewers`)."""
        known = dict(self.reviewers())
        for user_id in ids:
            if user_id not in known:
                raise InvalidParameter(
                    name,
                    f"{user_id!r} is not a user who may review; the reviewers are: "
                    + ", ".join(sorted(known)),
                )

    def users(self) -> dict[str, str]:
        """user id → display name (the local admin and the system included)."""
        if self._users is None:
            accounts = self.request.app.state.accounts
            names = {u.user_id: u.display_name or u.username for u in accounts.users()}
            names.setdefault("local", self.t("qa.local_user"))
            names.setdefault("system", self.t("qa.system_user"))
            self._users = names
        return self._users

    def user_name(self, user_id: str | None) -> str:
        if user_id is None:
            return "—"
        return self.users().get(user_id, user_id)

    def reviewers(self) -> list[tuple[str, str]]:
        """Users who may review (id, name); the local admin when there are none."""
        accounts = self.request.app.state.accounts
        may = roles_with("review_conversations")
        found = [
            (u.user_id, u.display_name or u.username)
            for u in accounts.users()
            if u.active and u.role in may
        ]
        return found or [("local", self.t("qa.local_user"))]

    def cat_name(self, card: Scorecard, category_id: str, name: str) -> str:
        """Names of the built-in scorecard are translated; others are shown as stored."""
        if card.id != "default":
            return name
        return self.text(f"qa.cat.{category_id}", name)

    def section_name(self, card: Scorecard, section_id: str, name: str) -> str:
        if card.id != "default":
            return name
        return self.text(f"qa.section.{section_id}", name)

    # -- numbers and dates ------------------------------------------------------------

    def pct(self, value: float | None) -> str:
        """A score 0–100 as "82.4%" in the page's digits."""
        return "—" if value is None else self.locale.value("ratio", value / 100.0)

    def ratio(self, value: float | None) -> str:
        """A share 0–1 as a percentage."""
        return "—" if value is None else self.locale.value("ratio", value)

    def when(self, value: dt.datetime | None) -> str:
        try:
            return self.locale.datetime(value, self.source.timezone)
        except (ValidationError, ValueError, OverflowError):  # stored before dates were checked
            return value.isoformat() if value else "—"

    def day(self, value: dt.date | dt.datetime | None) -> str:
        try:
            return self.locale.date(value)
        except (ValidationError, ValueError, OverflowError):  # (no calendar shows it)
            return value.isoformat()[:10] if value else "—"

    def count(self, value: int) -> str:
        return self.locale.integer(value)

    # -- links ------------------------------------------------------------------------

    def display_query(self) -> str:
        kept = [(k, v) for k, v in self.request.query_params.multi_items() if k in DISPLAY and v]
        return urlencode(kept)

    def link(self, target: str) -> str:
        """``target`` with this page's language, calendar and digits."""
        query = self.display_query()
        if not query:
            return target
        return target + ("&" if "?" in target else "?") + query


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def render(ctx: Ctx, template: str, model: Model) -> Response:
    """A QA page (built on base.html) with the user in the header; never cached."""
    request = ctx.request
    dims = ctx.source.dims
    body = render_html(
        template,
        model,
        ctx.locale,
        path=request.url.path,
        query=[(k, v) for k, v in request.query_params.multi_items() if v != ""],
        options={
            "months": ctx.locale.month_names(),
            "first_day": dims.first_day.isoformat(),
            "last_day": dims.last_day.isoformat(),
        },
        timezone=ctx.source.timezone,
        link=ctx.link,
        actor=ctx.actor,
    )
    response = html_response(request, body)
    response.headers.update(NO_STORE)
    return response


def json_response(model: Model, status: int = 200) -> Response:
    return Response(
        to_json(model), status_code=status, media_type="application/json", headers=NO_STORE
    )


def ticket_row(ctx: Ctx, ticket_id: str) -> dict[str, Any]:
    """The conversation: a ticket, or a call without one (``qa.call_conversation``)."""
    t = ctx.store.table("tickets")
    rows = t.filter(t.ticket_id == ticket_id).to_pyarrow().to_pylist()
    if rows:
        row: dict[str, Any] = rows[0]
        return row
    call = call_conversation(ctx.store, ticket_id)
    if call is None:
        raise RecordNotFound(f"no conversation {ticket_id!r} in the store")
    return call
