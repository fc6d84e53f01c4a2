"""An insights page and its JSON twin from one view-model function (datasette style),
each body cached per data stamp like the dashboard's own pages (``web/_routes``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from .._auth import html_response
from .._params import PageQuery
from .._render import render_html, to_json
from .._routes import ERRORS, _options
from .._schema import PageModel
from ..views import Model, View, wallboard

#: ``(request, query) → (model, view, cache key)``; it authorizes the view itself
ModelOf = Callable[[Request, PageQuery], tuple[Model, View, tuple[Any, ...]]]


def page_routes(
    app: FastAPI,
    *,
    name: str,
    path: str,
    template: str,
    model_of: ModelOf,
    summary: str,
    description: str,
) -> None:
    """Add ``path`` (HTML) and ``/api`` + ``path`` (JSON) built by ``model_of``."""
    router = APIRouter()

    @router.get(path, include_in_schema=False, name=f"{name}_page")
    def page(request: Request, query: Annotated[PageQuery, Query()]) -> Response:
        model, view, key = model_of(request, query)
        items = [(k, v) for k, v in request.query_params.multi_items() if v != ""]

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

        memo = ("html", *key, tuple(sorted(items)), view.names)
        return html_response(request, view.source.memo(memo, render))

    @router.get(
        f"/api{path}",
        name=f"{name}_api",
        tags=["pages"],
        summary=summary,
        description=description,
        responses={200: {"model": PageModel, "description": "The page's view model."}, **ERRORS},
    )
    def api(request: Request, query: Annotated[PageQuery, Query()]) -> Response:
        model, view, key = model_of(request, query)
        memo = ("json", *key, view.filters, view.locale, view.names)
        body = view.source.memo(memo, lambda: to_json(model))
        return Response(body, media_type="application/json")

    app.include_router(router)
