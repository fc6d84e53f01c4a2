"""Real-time pages: the data stamp every page polls, and the wallboard with its twin.

``static/live.js`` asks ``/api/stamp`` every second (no database query: the source
holds the stamp and the facts' as-of) and, when the stamp changes, fetches the page
again and swaps its main content; the wallboard is also fetched every
``wallboard.EVERY`` seconds, since its ages grow without any data change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ._auth import html_response, require_permission
from ._i18n import Locale
from ._params import NoQuery
from ._render import render_html, to_json
from ._routes import ERRORS, source_of
from ._source import Source
from ._watch import Watched, watched
from .views import wallboard
from .views.wallboard import Scope, WallboardPage, WallboardQuery


class Stamp(BaseModel):
    stamp: str = Field(description="Changes whenever the facts the pages show change.")
    as_of: str | None = Field(
        description="The facts' as-of instant (ISO 8601): the data's last instant, or the "
        "configured as_of; null before the facts are built."
    )


def register(app: FastAPI, router: APIRouter) -> None:
    """The routes, and the views live clients show computed again after each change
    (``app.state.watched``: after each refresh, before the warm-up)."""
    app.state.watched = Watched(app.state.source)
    app.state.source.periodic.append(app.state.watched.after_refresh)
    allowed = [Depends(require_permission("view_dashboard"))]

    @router.get(
        "/api/stamp",
        tags=["meta"],
        summary="The data stamp and the facts' as-of (cheap: pages poll it)",
        dependencies=allowed,
        responses={200: {"model": Stamp, "description": "The stamp and as-of."}, **ERRORS},
    )
    async def stamp(request: Request, _: Annotated[NoQuery, Query()]) -> Response:
        """Changes when the facts change (an import, the intake API, a new configuration):
        then every page shows new numbers. Answered from memory, without a query."""
        return Response(wallboard.stamp(request.app.state.source), media_type="application/json")

    @router.get("/wallboard", include_in_schema=False, name="wallboard_page", dependencies=allowed)
    def wallboard_page(request: Request, query: Annotated[WallboardQuery, Query()]) -> Response:
        source = source_of(request)
        locale = _locale(request, query)
        scope = _watch(request, source, query)
        model = wallboard.build(source, scope, locale)
        items = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
        body = render_html(
            "wallboard.html",
            model,
            locale,
            path=request.url.path,
            query=items,
            options=wallboard.page_options(source, locale),
            timezone=source.timezone,
            live=wallboard.header(source, locale),
            every=wallboard.EVERY,
        )
        return html_response(request, body)

    @router.get(
        "/api/wallboard",
        name="wallboard_api",
        tags=["pages"],
        summary="Wallboard: today so far",
        dependencies=allowed,
        responses={
            200: {"model": WallboardPage, "description": "The wallboard's numbers."},
            **ERRORS,
        },
    )
    def wallboard_api(request: Request, query: Annotated[WallboardQuery, Query()]) -> Response:
        """Today so far in the business calendar's local day (the team's calendar with
        ?team=): tickets waiting now and the oldest one's age, calls in queue (when the
        store has calls), the median first reply of tickets first replied today, the
        share of first-reply SLA targets due today that were met, and CSAT of the surveys
        answered today; each with its n and a note when there is nothing yet. Partial by
        nature: not a closed period."""
        source = source_of(request)
        scope = _watch(request, source, query)
        model = wallboard.build(source, scope, _locale(request, query))
        return Response(to_json(model), media_type="application/json")


def _watch(request: Request, source: Source, query: WallboardQuery) -> Scope:
    """The wallboard's scope; its numbers are computed again as soon as the data changes."""
    scope = wallboard.scope_of(query, source)
    note = watched(request.app.state)
    if note is not None:
        note.note(
            ("wallboard", scope),
            lambda: wallboard.numbers(source, scope, wallboard.today(source, scope)),
        )
    return scope


def _locale(request: Request, query: WallboardQuery) -> Locale:
    return Locale.of(query.lang or request.app.state.language, query.cal, query.digits)
