"""Routing recommendations in the dashboard (#17, item 4; docs/insights.md).

- ``POST /api/route``: a ticket's fields (category, language, channel, team, priority,
  optional text: the category from ``sanjeh.text.triage`` when it is missing) → the top
  agents with a score and a reason each, and the kind of case they were chosen at. A
  recommendation, never an assignment: nothing is written.
- ``/insights/routing`` (twin ``/api/insights/routing``): the skill table per case kind
  (the top agents of each kind at a chosen level) and the hard-cases report.

**Who may**: ``view_leaderboard`` — admins, managers and reviewers (a login, or any API
token of theirs: the route writes nothing, so a read-only token is enough). An answer
compares agents by their outcomes, which is what the agent leaderboard shows; agents
may see only their own scorecard (``accounts.PERMISSIONS``), so an agent's login gets
403 here. A browser session posts with its CSRF token, as for any POST (``_auth``).

**Speed**: the skill table lives in memory per data stamp (``_routing_cache``); a request
is a dict lookup and a sort of a few dozen agents. The body is read up to
``MAX_BODY`` bytes (413 beyond), must be one JSON object (415 / 400 otherwise) and is
validated by :class:`RouteIn` (``extra="forbid"``: 400 ``invalid_parameter`` naming
the field, in the one error shape).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ...accounts import Actor
from ...insights._routing import MIN_TICKETS, OUTCOMES, TOP, WEIGHTS, recommend
from ...insights._routing_build import LEVELS
from ...insights._routing_hard import hard_cases
from ...model import CHANNELS, PRIORITIES
from ...settings import Settings
from .._auth import html_response, require_permission
from .._case_models import MESSAGE_PATTERN
from .._i18n import Calendar, Digits, Lang, Locale
from .._intake_routes import read_body
from .._params import TEXT_PATTERN
from .._render import render_page, to_json
from .._schema import ErrorResponse
from ._body import parse_object
from ._routing_cache import SkillCache

Model = dict[str, Any]
#: who may ask for and see recommendations (see the module doc)
PERMISSION = "view_leaderboard"
Router = Annotated[Actor, Depends(require_permission(PERMISSION))]
#: the largest body ``POST /api/route`` reads (a ticket's fields and up to MAX_TEXT of text)
MAX_BODY = 64 * 1024
MAX_TEXT = 10_000
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}
#: the levels the page shows, by name ("category+language" …)
BY = {"+".join(dims) or "all": dims for dims in LEVELS}
ByName = Literal[tuple(BY)]  # type: ignore[valid-type]
#: agents shown per kind on the page
PAGE_TOP = TOP
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The body is not a JSON object, or a field is unknown or invalid.",
    },
    401: {"model": ErrorResponse, "description": "Not logged in (the store has users)."},
    403: {"model": ErrorResponse, "description": "Not an admin, manager or reviewer."},
    413: {"model": ErrorResponse, "description": f"The body is over {MAX_BODY} bytes."},
    415: {"model": ErrorResponse, "description": "The body is not JSON."},
}


class RouteIn(BaseModel):
    """A ticket to route: its fields as the helpdesk has them (all optional)."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        pattern=TEXT_PATTERN,
        description="The ticket's category as the store names them; missing: from `text`.",
    )
    language: str | None = Field(
        None,
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
        description="ISO 639-1 language (fa, ar, en …); missing: detected from `text`.",
    )
    channel: Literal[CHANNELS] | None = None  # type: ignore[valid-type]
    team: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=TEXT_PATTERN,
        description="Recommend only agents of this team (its team_id).",
    )
    priority: Literal[PRIORITIES] | None = Field(  # type: ignore[valid-type]
        None, description="Urgent and high tickets weigh resolution time more."
    )
    text: str | None = Field(
        None,
        max_length=MAX_TEXT,
        pattern=MESSAGE_PATTERN,
        description="The customer's message (used only when category or language is missing).",
    )
    top: int = Field(TOP, ge=1, le=10, strict=True, description="How many agents to name.")


class RoutedAgent(BaseModel):
    agent_id: str
    name: str
    team_id: str
    score: float = Field(description="Weighted mean of the outcomes' lifts over the kind's mean.")
    reason: str
    outcome: str = Field(description="The outcome the reason names: fcr, csat, reopen, resolution.")
    value: float | None = Field(description="Its shrunk estimate (rate 0-1, or seconds).")
    tickets: int
    reference: float | None = Field(description="The team's (or all agents') mean.")
    reference_is_team: bool
    estimates: dict[str, float | None]


class RouteOut(BaseModel):
    asked: dict[str, str | None] = Field(description="The kind asked for (category from text?).")
    category_from: str = Field(description="given, text (triage) or empty (none).")
    level: list[str] = Field(description="The dimensions of the kind the agents were chosen at.")
    kind: dict[str, str]
    fallback: str = Field(description="Empty at the finest kind; else why a coarser one.")
    pool: int = Field(description="Eligible agents at that kind.")
    agents: list[RoutedAgent]
    priority: str | None
    team: str | None
    stamp: str = Field(description="The data the skill table rests on.")


def _cache(request: Request) -> SkillCache:
    cache: SkillCache = request.app.state.routing
    return cache


async def _skills(request: Request) -> tuple[Any, str]:
    cache = _cache(request)
    if cache.ready:
        return cache.get()
    return await anyio.to_thread.run_sync(cache.get)


def _clean(value: Any) -> Any:
    """JSON values: NaN → null, tuples → lists."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _json(model: Any, status: int = 200) -> Response:
    return Response(to_json(_clean(model)), status, media_type="application/json", headers=NO_STORE)


def _parse(body: bytes, content_type: str) -> RouteIn:
    return parse_object(body, content_type, RouteIn, "one object of the ticket's fields")


# -- the page's view model ------------------------------------------------------------------


def _locale(request: Request) -> Locale:
    q = request.query_params
    return Locale.of(q.get("lang") or request.app.state.language, q.get("cal"), q.get("digits"))


def _kinds(skills: Any, by: str) -> list[Model]:
    """The top agents of each kind of the level ``by`` (default weights), busiest first."""
    dims = BY[by]
    out = []
    for key, found in skills.candidates[dims].items():
        routed = recommend(skills, dict(zip(dims, key, strict=True)), top=PAGE_TOP)
        if routed.level != dims:
            continue  # (too few agents at this kind: the API would fall back)
        tickets = sum(c.tickets for c in found)
        agents = []
        for a in routed.agents:
            agents.append(
                {
                    "agent_id": a.agent_id,
                    "name": a.name,
                    "team_id": a.team_id,
                    "score": a.score,
                    "reason": a.reason,
                    **{o: a.estimates.get(o) for o in OUTCOMES},
                }
            )
        label = "/".join("—" if v is None else str(v) for v in key) or "all"
        out.append({"kind": label, "tickets": tickets, "pool": routed.pool, "agents": agents})
    out.sort(key=lambda k: (-k["tickets"], k["kind"]))
    return out


def _hard(request: Request) -> Model:
    source = request.app.state.source

    def compute() -> Model:
        with source.gate.read(), source.db_lock:
            return hard_cases(source.store, source.config, ensure=False).as_dict()

    found: Model = source.memo(("insights_routing", "hard"), compute)
    return found


def page_model(request: Request, by: str, skills: Any, stamp: str) -> Model:
    locale = _locale(request)
    level = skills.levels[BY[by]]
    hard = _hard(request)
    start = dt.datetime.fromisoformat(hard["start"]).date()
    end = (dt.datetime.fromisoformat(hard["end"]) - dt.timedelta(seconds=1)).date()
    return {
        "page": "routing",
        "title": locale.t("routing.title"),
        "by": by,
        "levels": list(BY),
        "kinds": _kinds(skills, by),
        "kappa": level.kappa,
        "weights": WEIGHTS,
        "min_tickets": MIN_TICKETS,
        "hard": hard,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "built_at": skills.built_at.isoformat(),
        "stamp": stamp,
    }


# -- routes ---------------------------------------------------------------------------------


def _register(router: APIRouter) -> None:
    @router.post(
        "/api/route",
        tags=["insights"],
        summary="Recommend agents for a ticket",
        responses={200: {"model": RouteOut}, **ERRORS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": RouteIn.model_json_schema()}},
            }
        },
    )
    async def route_api(request: Request, actor: Router) -> Response:
        """The top agents for a ticket of this kind, each with a score and the reason
        (the outcome they stand out on, shrunk toward their team's mean), chosen at the
        finest kind (category, language, channel) where enough agents have solved such
        tickets, else a coarser one (``fallback`` says which). Bots and agents who have
        left are never named. Nothing is assigned or written."""
        body = await read_body(request, MAX_BODY, f"the body is over {MAX_BODY} bytes")
        ticket = _parse(body, request.headers.get("content-type", ""))
        skills, stamp = await _skills(request)
        fields = ticket.model_dump()
        routed = recommend(skills, fields, top=ticket.top)
        return _json(
            {**routed.as_dict(), "priority": ticket.priority, "team": ticket.team, "stamp": stamp}
        )

    @router.get("/insights/routing", include_in_schema=False)
    async def routing_page(
        request: Request,
        actor: Router,
        by: Annotated[ByName, Query()] = "category",  # type: ignore[valid-type]
        lang: Annotated[Lang | None, Query()] = None,
        cal: Annotated[Calendar | None, Query()] = None,
        digits: Annotated[Digits | None, Query()] = None,
    ) -> Response:
        skills, stamp = await _skills(request)
        model = await anyio.to_thread.run_sync(page_model, request, by, skills, stamp)
        locale = _locale(request)
        body = render_page(request, "insights/routing.html", model, locale)
        response = html_response(request, body)
        response.headers.update(NO_STORE)
        return response

    @router.get(
        "/api/insights/routing",
        tags=["insights"],
        summary="Routing: the skill table per case kind and the hard-cases report",
        responses=ERRORS,
    )
    async def routing_api(
        request: Request,
        actor: Router,
        by: Annotated[
            ByName,  # type: ignore[valid-type]
            Query(description="The level of case kind: category, category+language … all."),
        ] = "category",
        lang: Annotated[Lang | None, Query(description="Language of the title.")] = None,
    ) -> Response:
        """Per kind of the level ``by``: the top agents (not bots, not left) with their
        shrunk FCR, CSAT, reopen rate and resolution time and the reason; the prior
        strengths (κ) estimated at that level; and how often the last four weeks' hard
        tickets reached a top-3 agent (skill table from the tickets before them)."""
        skills, stamp = await _skills(request)
        model = await anyio.to_thread.run_sync(page_model, request, by, skills, stamp)
        return _json(model)


def register(app: FastAPI, settings: Settings) -> None:
    """``POST /api/route``, ``/insights/routing`` and its twin; the skill table's cache
    (rebuilt after a data change by the source's refresh loop)."""
    source = app.state.source
    cache = SkillCache(source, app.state.warming)
    app.state.routing = cache
    source.periodic.append(cache.check)
    router = APIRouter()
    _register(router)
    app.include_router(router)
