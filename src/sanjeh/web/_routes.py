"""Every route: each page, its JSON twin under /api/, table downloads, and assets.

(No ``from __future__ import annotations`` here: FastAPI reads the parameter types of
the handlers made in loops below at run time.)
"""

import functools
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import Field

from ..accounts import can
from ..errors import StaffingError
from ._auth import authorize_view, current_actor, html_response, require_permission
from ._errors import InvalidParameter, NotFound
from ._i18n import CALENDARS, DIGITS, LANGS, Locale
from ._params import (
    STAFFING_OPTIONS,
    NoQuery,
    PageQuery,
    SearchQuery,
    StaffingQuery,
    data_span,
    resolve,
    resolve_staffing,
)
from ._render import render_html, to_csv, to_json, to_xlsx
from ._schema import ErrorResponse, Meta, PageModel
from ._source import Source
from ._watch import watched
from .views import PAGES, Model, View, agents, customers, staffing, wallboard

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponse, "description": "A filter or parameter is invalid."},
    401: {"model": ErrorResponse, "description": "Not logged in (the store has users)."},
    403: {"model": ErrorResponse, "description": "The user's role may not see this."},
    404: {"model": ErrorResponse, "description": "No such agent, customer or table."},
    503: {
        "model": ErrorResponse,
        "description": "server_busy: too many views computing; wait Retry-After seconds.",
    },
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AgentId = Annotated[str, PathParam(max_length=200, description="Agent id, e.g. demo:a-001.")]
CustomerId = Annotated[
    str, PathParam(max_length=200, description="Customer id, e.g. demo:c-000001.")
]


class DownloadQuery(SearchQuery):
    id: str | None = Field(
        None, max_length=200, description="Agent id (scorecard) or customer id (timeline)."
    )


def source_of(request: Request) -> Source:
    """The app's data source, checked for changes (every page and QA route starts here)."""
    source: Source = request.app.state.source
    source.check()
    return source


def names_for(request: Request) -> frozenset[str] | None:
    """The agents whose names this request's user may see (``View.names``): every
    agent's (None) for those who may see the leaderboard, else only their own."""
    actor = current_actor(request)
    if can(actor, "view_leaderboard"):
        return None
    return frozenset({actor.agent_id} if actor.agent_id else ())


def _model(
    request: Request, key: tuple[object, ...], query: PageQuery, build: Callable[[View], Model]
) -> tuple[Model, View]:
    authorize_view(request, key, query.agent)  # before the cache: every view, every time
    source, language = source_of(request), request.app.state.language
    return model_of(source, language, key, query, build, names=names_for(request))


def model_of(
    source: Source,
    language: str,
    key: tuple[object, ...],
    query: PageQuery,
    build: Callable[[View], Model],
    *,
    names: frozenset[str] | None = None,
) -> tuple[Model, View]:
    """The view model of one page for the validated query, cached per data stamp (and
    per set of agent names the viewer may see)."""
    filters, locale = resolve(query, source, language)
    view = View(source, filters, locale, names)
    model = source.memo(("model", *key, filters, locale, names), lambda: build(view))
    return model, view


#: filters people reach for first; warming one value of each compiles their query shapes
WARM_FILTERS = ("team", "channel", "agent")


def warm(
    source: Source,
    language: str,
    names: tuple[str, ...],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Compute pages with their default filters now, so the first visit is fast; then
    each page with one team, channel and agent, so that filtering by any of them runs
    already compiled queries (see ``sanjeh.metrics._compiled``). Between two pages,
    ``stop()`` may end it (the data changed: these results are stale already)."""
    for name in names:
        if stop():
            return
        model_of(source, language, (name,), PageQuery.model_validate({}), PAGES[name].build)
    for dim in WARM_FILTERS:
        values = source.dims.values(dim)
        if not values:
            continue
        query = PageQuery.model_validate({dim: [values[0]]})
        for name in names:
            if stop():
                return
            model_of(source, language, (name,), query, PAGES[name].build)


def _json(
    request: Request, key: tuple[object, ...], query: PageQuery, build: Callable[[View], Model]
) -> Response:
    model, view = _model(request, key, query, build)
    memo = ("json", *key, view.filters, view.locale, view.names)
    body = view.source.memo(memo, lambda: to_json(model))
    return Response(body, media_type="application/json")


def _html(
    request: Request,
    key: tuple[object, ...],
    query: PageQuery,
    build: Callable[[View], Model],
    template: str,
) -> Response:
    authorize_view(request, key, query.agent)  # before the cache: every view, every time
    source, language, names = source_of(request), request.app.state.language, names_for(request)
    items = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
    path = request.url.path

    def page() -> bytes:
        return _page(source, language, key, query, build, template, path, items, names)

    body = page()
    note = watched(request.app.state)
    if note is not None:  # computed again as soon as the data changes (live.js asks)
        note.note(("html", path, tuple(sorted(items)), names), page)
    return html_response(request, body)


def _page(
    source: Source,
    language: str,
    key: tuple[object, ...],
    query: PageQuery,
    build: Callable[[View], Model],
    template: str,
    path: str,
    items: list[tuple[str, str]],
    names: frozenset[str] | None,
) -> bytes:
    """A page's HTML for the data of the moment, cached per data stamp."""
    model, view = model_of(source, language, key, query, build, names=names)

    def render() -> bytes:
        return render_html(
            template,
            model,
            view.locale,
            path=path,
            query=items,
            options=_options(view.source, view),
            timezone=view.source.timezone,
            live=wallboard.header(view.source, view.locale),
        )

    # the cached body is the same for every user who may see the same agents' names; the
    # header's user bit is added per request
    return source.memo(("html", path, tuple(sorted(items)), names), render)


def _options(source: Source, view: View) -> Model:
    """Choices of the filter form, in the page's language."""
    dims = source.dims
    label = view.locale.label
    agents_ = sorted(
        ((a.id, a.name) for a in dims.agents.values() if not a.is_bot and view.may_name(a.id)),
        key=lambda x: x[1],
    )
    first, last = data_span(source)
    return {
        "team": sorted(dims.teams.items(), key=lambda x: x[1]),
        "agent": agents_,
        "channel": [(c, label("channel", c)) for c in dims.channels],
        "priority": [(p, label("priority", p)) for p in dims.priorities],
        "tag": [(tag, tag) for tag in dims.tags],
        "language": [(lang, label("language", lang)) for lang in dims.languages],
        "months": view.locale.month_names(),
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
    }


Handler = Callable[..., Response]


def _search_handlers(name: str) -> tuple[Handler, Handler]:
    """The customers page: the filters and ?q= (FastAPI reads the model from the types)."""
    page = PAGES[name]

    def builder(query: SearchQuery) -> tuple[tuple[object, ...], Callable[[View], Model]]:
        q = query.q
        return (name, q), lambda view: customers.build(view, q)

    def html(request: Request, query: Annotated[SearchQuery, Query()]) -> Response:
        key, build = builder(query)
        return _html(request, key, query, build, page.template)

    def api(request: Request, query: Annotated[SearchQuery, Query()]) -> Response:
        key, build = builder(query)
        return _json(request, key, query, build)

    return html, api


def _page_handlers(name: str) -> tuple[Handler, Handler]:
    page = PAGES[name]

    def html(request: Request, query: Annotated[PageQuery, Query()]) -> Response:
        return _html(request, (name,), query, page.build, page.template)

    def api(request: Request, query: Annotated[PageQuery, Query()]) -> Response:
        return _json(request, (name,), query, page.build)

    return html, api


def _add_page(router: APIRouter, name: str) -> None:
    page = PAGES[name]
    html, api = _search_handlers(name) if name == "customers" else _page_handlers(name)
    router.add_api_route(
        page.path, html, methods=["GET"], include_in_schema=False, name=f"{name}_page"
    )
    router.add_api_route(
        f"/api/{name}",
        api,
        methods=["GET"],
        name=f"{name}_api",
        tags=["pages"],
        summary=f"{name.capitalize()} page data",
        description=page.about,
        responses={200: {"model": PageModel, "description": "The page's view model."}, **ERRORS},
    )


def _detail(kind: str, ident: str) -> tuple[tuple[object, ...], Callable[[View], Model]]:
    if kind == "scorecard":
        return ("scorecard", ident), functools.partial(_scorecard, agent_id=ident)
    return ("timeline", ident), functools.partial(_timeline, customer_id=ident)


def _scorecard(view: View, agent_id: str) -> Model:
    return agents.scorecard(view, agent_id)


def _timeline(view: View, customer_id: str) -> Model:
    return customers.timeline(view, customer_id)


#: the query parameter behind each ``PlanOptions`` field (for the library's messages)
_STAFFING_PARAMS = {option: name for name, option in STAFFING_OPTIONS.items()} | {
    "sla_s": "sla_hours"
}


def staffing_model(
    source: Source, language: str, query: StaffingQuery
) -> tuple[Model, Locale, tuple[object, ...]]:
    """The staffing page's model (with its locale and cache key) for the validated
    query, cached per data stamp; the plan's inputs are cached apart, on
    ``options.inputs_key()`` (see views/staffing.py)."""
    values = staffing.store_values(source)
    given, locale = resolve_staffing(
        query,
        language,
        channels=values["channel"],
        teams=values["team"],
        queues=values["queue"],
    )
    try:
        options = staffing.options_of(source, given)
        asked = frozenset(given) - {"channel"}
        key = ("staffing", options, locale, asked)
        model = source.memo(key, lambda: staffing.build(source, options, locale, asked))
    except StaffingError as error:  # the library's checks, in the one error shape
        name = _STAFFING_PARAMS.get(error.argument, error.argument)
        message = error.message.removeprefix(f"{error.argument}: ")
        raise InvalidParameter(name, message) from None
    return model, locale, key


def _add_staffing(router: APIRouter) -> None:
    allowed = [Depends(require_permission("view_staffing"))]

    @router.get("/staffing", include_in_schema=False, name="staffing_page", dependencies=allowed)
    def staffing_page(request: Request, query: Annotated[StaffingQuery, Query()]) -> Response:
        source = source_of(request)
        model, locale, _ = staffing_model(source, request.app.state.language, query)
        items = [(k, v) for k, v in request.query_params.multi_items() if v != ""]

        def render() -> bytes:
            return render_html(
                "staffing.html",
                model,
                locale,
                path=request.url.path,
                query=items,
                options=staffing.page_options(source, locale),
                timezone=source.timezone,
                shown_intervals=staffing.SHOWN_INTERVALS,
                live=wallboard.header(source, locale),
            )

        body = source.memo(("html", request.url.path, tuple(sorted(items))), render)
        return html_response(request, body)

    @router.get(
        "/api/staffing",
        name="staffing_api",
        tags=["pages"],
        summary="Staffing plan data",
        dependencies=allowed,
        responses={
            200: {"model": staffing.StaffingPage, "description": "The page's view model."},
            **ERRORS,
        },
    )
    def staffing_api(request: Request, query: Annotated[StaffingQuery, Query()]) -> Response:
        """Agents required per interval against those scheduled (agent_shifts), the gaps
        by weekday × hour, service level / ASA / abandonment / occupancy at the required
        staffing, the inputs and where each came from, notes, weekly hours and headcount,
        and when to hire how many. What-if parameters recompute the plan only."""
        source = source_of(request)
        model, _, key = staffing_model(source, request.app.state.language, query)
        body = source.memo(("json", *key), lambda: to_json(model))
        return Response(body, media_type="application/json")


def register(app: FastAPI) -> None:
    router = APIRouter()
    for name in PAGES:
        _add_page(router, name)
    _add_staffing(router)
    from ._live import register as register_live  # (it builds on this module)

    register_live(app, router)

    @router.get("/agents/{agent_id}", include_in_schema=False, name="scorecard_page")
    def scorecard_page(
        request: Request, agent_id: AgentId, query: Annotated[PageQuery, Query()]
    ) -> Response:
        key, build = _detail("scorecard", agent_id)
        return _html(request, key, query, build, "scorecard.html")

    @router.get(
        "/api/agents/{agent_id}",
        tags=["pages"],
        summary="Agent scorecard data",
        responses={200: {"model": PageModel}, **ERRORS},
    )
    def scorecard_api(
        request: Request, agent_id: AgentId, query: Annotated[PageQuery, Query()]
    ) -> Response:
        """One agent's KPIs against their team and the target, with the trend of each."""
        key, build = _detail("scorecard", agent_id)
        return _json(request, key, query, build)

    @router.get("/customers/{customer_id}", include_in_schema=False, name="timeline_page")
    def timeline_page(
        request: Request, customer_id: CustomerId, query: Annotated[PageQuery, Query()]
    ) -> Response:
        key, build = _detail("timeline", customer_id)
        return _html(request, key, query, build, "timeline.html")

    @router.get(
        "/api/customers/{customer_id}",
        tags=["pages"],
        summary="Customer timeline",
        responses={200: {"model": PageModel}, **ERRORS},
    )
    def timeline_api(
        request: Request, customer_id: CustomerId, query: Annotated[PageQuery, Query()]
    ) -> Response:
        """Every ticket, message, call and survey of one customer, oldest first."""
        key, build = _detail("timeline", customer_id)
        return _json(request, key, query, build)

    @router.get(
        "/download/{page}/{filename}",
        tags=["downloads"],
        summary="Download one table of a page as CSV or XLSX",
        responses={200: {"content": {kind: {} for kind in FORMATS.values()}}, **ERRORS},
    )
    def download(
        request: Request,
        page: Annotated[
            str, PathParam(max_length=40, description="overview, agents, …, scorecard, timeline")
        ],
        filename: Annotated[
            str, PathParam(max_length=80, description="<table>.csv or <table>.xlsx")
        ],
        query: Annotated[DownloadQuery, Query()],
    ) -> Response:
        """The same rows as the table on the page (raw values; the same filters apply)."""
        table, _, fmt = filename.rpartition(".")
        if fmt not in FORMATS or not table:
            raise NotFound(f"{filename!r}: ask for <table>.csv or <table>.xlsx")
        if page in ("scorecard", "timeline"):
            if not query.id:
                raise InvalidParameter("id", f"the {page} download needs ?id=")
            key, build = _detail(page, query.id)
        elif page == "customers":
            q = query.q
            key, build = (page, q), lambda view: customers.build(view, q)
        elif page in PAGES:
            key, build = (page,), PAGES[page].build
        else:
            known = ", ".join([*PAGES, "scorecard", "timeline"])
            raise NotFound(f"no page {page!r}; pages: {known}")
        base = PageQuery.model_validate(query.model_dump(exclude={"id", "q"}))
        model, _ = _model(request, key, base, build)
        tables = model["tables"]
        if table not in tables:
            raise NotFound(f"page {page!r} has no table {table!r}; it has: {', '.join(tables)}")
        body = to_csv(tables[table]) if fmt == "csv" else to_xlsx(tables[table])
        return Response(
            body,
            media_type=FORMATS[fmt],
            headers={"Content-Disposition": f'attachment; filename="sanjeh-{page}-{table}.{fmt}"'},
        )

    @router.get(
        "/api/meta",
        tags=["meta"],
        summary="Filter values and display choices",
        response_model=Meta,
        dependencies=[Depends(require_permission("view_dashboard"))],
    )
    def meta(request: Request, _: Annotated[NoQuery, Query()]) -> Model:
        """What each filter may be set to (ids and names), the data's date span, the
        interface languages, calendars and digit sets, and the pages."""
        source = source_of(request)
        dims = source.dims
        names = names_for(request)  # an agent sees their own name only
        agents_ = [a for a in dims.agents.values() if names is None or a.id in names]
        return {
            "languages": list(LANGS),
            "calendars": list(CALENDARS),
            "digits": list(DIGITS),
            "teams": [{"id": k, "name": v} for k, v in dims.teams.items()],
            "agents": [{"id": a.id, "name": a.name} for a in agents_],
            "channels": list(dims.channels),
            "priorities": list(dims.priorities),
            "conversation_languages": list(dims.languages),
            "tags": list(dims.tags),
            "first_day": dims.first_day.isoformat(),
            "last_day": dims.last_day.isoformat(),
            "timezone": source.timezone,
            "pages": {name: f"/api/{name}" for name in PAGES},
        }

    @router.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return FileResponse(
            plotly_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.include_router(router)
    static = resources.files("sanjeh.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")


@functools.cache
def plotly_path() -> Path:
    """plotly.min.js inside the installed plotly package (served, never fetched)."""
    try:
        found = Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))
    except ModuleNotFoundError:
        raise NotFound("the plotly package is not installed; pip install plotly") from None
    if not found.is_file():
        raise NotFound(f"{found} is missing; reinstall the plotly package")
    return found
