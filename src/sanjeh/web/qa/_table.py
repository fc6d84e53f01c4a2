"""How the QA route table becomes routes.

A :class:`Page` is GET ``path`` (the HTML page) and GET ``/api`` + ``path`` (its JSON
twin), both from one view-model function. An :class:`Action` is a JSON endpoint and,
usually, an HTML :class:`Form` (posted with the session's CSRF token, answered with a
303 back to a page), both doing the same library call. :func:`add` registers an entry's
routes together. The parameters of each route are those of its function after the
first (the request's :class:`Ctx`): a view function's signature declares the page's
path and query parameters, an action's its path parameters and its JSON ``body``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import ValidationError
from ...qa import limits
from .._errors import InvalidParameter
from .._schema import ErrorResponse
from ._context import Ctx, Model, json_response, render
from ._forms import FormData

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A parameter or the body is invalid."},
    401: {"model": ErrorResponse, "description": "Not logged in."},
    403: {"model": ErrorResponse, "description": "The user's role may not do this."},
    404: {"model": ErrorResponse, "description": "No such record (or not the user's)."},
    409: {"model": ErrorResponse, "description": "The record's state does not allow it."},
}
Build = Callable[[Ctx], Model]
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Page:
    """A QA page and its JSON twin, both from ``build(ctx, **parameters)``."""

    #: the routes are <name>_page and <name>_api (the OpenAPI operation id starts so)
    name: str
    path: str
    build: Callable[..., Model]
    #: under templates/qa/; None: only the JSON twin
    template: str | None
    summary: str
    #: the JSON twin's description in the OpenAPI schema (indented like a docstring)
    about: str = ""


@dataclasses.dataclass(frozen=True)
class Form:
    """The HTML form of an action, posted to ``path``."""

    name: str
    path: str
    #: where to go afterwards: ``back(result, fields)`` (a local path)
    back: Callable[[Any, list[tuple[str, str]]], str]
    #: the form's fields as the action's ``body``, before anything is written (400s
    #: here); None: the action takes no body
    read: Callable[[list[tuple[str, str]]], Any] | None = None
    #: what the form does, when more than the action's ``run``
    run: Callable[..., Any] | None = None


@dataclasses.dataclass(frozen=True)
class Action:
    """``run(ctx, body?, **path parameters)`` as a JSON endpoint and an HTML form."""

    name: str
    path: str
    run: Callable[..., Any]
    summary: str
    about: str = ""
    method: str = "POST"
    status: int = 200
    #: the JSON answer made from the result (a page's model); None: the result itself
    answer: Callable[[Ctx, Any], Model] | None = None
    form: Form | None = None


def add(router: APIRouter, entry: Page | Action) -> None:
    """Register the routes of one entry of the table."""
    if isinstance(entry, Page):
        _add_page(router, entry)
    else:
        _add_action(router, entry)


def _add_page(router: APIRouter, page: Page) -> None:
    params = _parameters(page.build)

    def build(values: dict[str, Any]) -> Build:
        return lambda ctx: page.build(ctx, **values)

    if page.template is not None:
        template = f"qa/{page.template}"
        router.add_api_route(
            page.path,
            _endpoint(params, lambda request, values: _html(request, template, build(values))),
            methods=["GET"],
            include_in_schema=False,
            name=f"{page.name}_page",
        )
    router.add_api_route(
        "/api" + page.path,
        _endpoint(params, lambda request, values: _json(request, build(values))),
        methods=["GET"],
        name=f"{page.name}_api",
        summary=page.summary,
        description=inspect.cleandoc(page.about),
        tags=["qa"],
        responses=ERRORS,
    )


def _add_action(router: APIRouter, action: Action) -> None:
    if action.form is not None:
        _add_form(router, action, action.form)

    def respond(request: Request, values: dict[str, Any]) -> Response:
        result = _run(request, lambda ctx: action.run(ctx, **values))
        answer = action.answer
        if answer is None:
            return json_response(result, action.status)
        return _json(request, lambda ctx: answer(ctx, result), action.status)

    router.add_api_route(
        action.path,
        _endpoint(_parameters(action.run), respond),
        methods=[action.method],
        status_code=action.status,
        name=action.name,
        summary=action.summary,
        description=inspect.cleandoc(action.about),
        tags=["qa"],
        responses=ERRORS,
    )


def _add_form(router: APIRouter, action: Action, form: Form) -> None:
    run = form.run or action.run
    path_params = [p for p in _parameters(run) if p.name != "body"]
    fields = inspect.Parameter("fields", inspect.Parameter.KEYWORD_ONLY, annotation=FormData)

    def respond(request: Request, values: dict[str, Any]) -> Response:
        posted = values.pop("fields")
        if form.read is not None:
            values["body"] = form.read(posted)
        result = _run(request, lambda ctx: run(ctx, **values))
        return back(request, form.back(result, posted))

    router.add_api_route(
        form.path,
        _endpoint([*path_params, fields], respond),
        methods=["POST"],
        include_in_schema=False,
        name=form.name,
    )


# -- handlers -------------------------------------------------------------------------------------

_REQUEST = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)


def _parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    """The route parameters a function declares: all but the first (the Ctx)."""
    found = list(inspect.signature(function, eval_str=True).parameters.values())[1:]
    return [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in found]


def _endpoint(
    params: list[inspect.Parameter], respond: Callable[[Request, dict[str, Any]], Response]
) -> Callable[..., Response]:
    """A route handler taking ``params`` (FastAPI reads its signature, not its code)."""

    def endpoint(request: Request, **values: Any) -> Response:
        _no_nul(values)
        return respond(request, values)

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [_REQUEST, *params], return_annotation=Response
    )
    return endpoint


def _no_nul(values: dict[str, Any]) -> None:
    """A 400 for a NUL in any path or query parameter or form field (the schema says so
    too; forms and ``scorecard`` lookups are read before any model checks them)."""
    for name, value in values.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            key, text = text if isinstance(text, tuple) else (name, text)
            if limits.has_nul(key, text):
                raise InvalidParameter(name, "contains a NUL character (\\x00); remove it")


@contextlib.contextmanager
def _checked(ctx: Ctx) -> Iterator[Ctx]:
    """``with ctx:``, a value out of the QA workflow's range (``sanjeh.qa.limits``) a 400."""
    with ctx:
        try:
            yield ctx
        except ValidationError as exc:
            raise InvalidParameter(exc.field, exc.reason) from None


def _model(request: Request, build: Build) -> tuple[Ctx, Model]:
    ctx = Ctx.of(request)
    with _checked(ctx):
        return ctx, build(ctx)


def _html(request: Request, template: str, build: Build) -> Response:
    ctx, model = _model(request, build)
    return render(ctx, template, model)


def _json(request: Request, build: Build, status: int = 200) -> Response:
    _, model = _model(request, build)
    return json_response(model, status)


def _run(request: Request, action: Callable[[Ctx], T]) -> T:
    """Do a QA action; the dashboard's cached pages (IQS on the scorecards) are dropped."""
    ctx = Ctx.of(request)
    with _checked(ctx):
        try:
            return action(ctx)
        finally:
            ctx.source.forget()


def back(request: Request, target: str) -> Response:
    """After a form: 303 to ``target`` in the page's language, calendar and digits."""
    return RedirectResponse(Ctx.of(request).link(target), status_code=303)
