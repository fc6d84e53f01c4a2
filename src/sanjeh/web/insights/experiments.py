"""A/B tests of scripts and macros in the dashboard (#21, docs/experiments.md).

- ``/insights/experiments`` (twin ``/api/insights/experiments``): the ``[[experiments]]``
  of sanjeh.toml with their status, variants, primary metric, progress (tickets in the
  test against the sample size the design needs) and verdict.
- ``/insights/experiments/{name}`` (twin ``/api/insights/experiments/{name}``): one
  experiment's results (``sanjeh.experiments.results``): per variant n, value and
  confidence interval; each variant against the control (effect, relative effect,
  interval, p-value, the test); the sample-ratio-mismatch check; the guardrails; the
  design in one line; the notes (pending and excluded tickets); a chart of the
  intervals. An unknown name is 404 in the one error shape.
- ``POST /api/experiments/{name}/assign``: ``{"ticket_ids": [...]}`` → each ticket's
  variant (``sanjeh.experiments.assign``: a seeded hash, written once; a ticket that has
  a variant keeps it, so a second call returns the same and writes nothing).

**Who may**: the pages, the dashboard's viewers (``view_dashboard``, as the predictions
page ``/insights``): variants are compared, never agents. Assigning writes to the store:
``write_data`` with a login (and its CSRF token, as for any POST) or an API token issued
with ``--write``, as the intake API (``_intake_routes.require_write``).

**Caching**: one view model makes each page and its twin, cached per data stamp and a
fingerprint of ``experiment_assignments`` (which moves no fact: read at most every
``FINGERPRINT_SECONDS``; an assignment made here drops it and the cached pages at once).
The store is read and written under ``source.db_lock``.

(No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types.)
"""

import time
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...accounts import Actor
from ...errors import SanjehError
from ...experiments import Experiment, assign, load_experiments
from ...settings import Settings
from .._auth import html_response, require_permission
from .._errors import NotFound, status_of
from .._i18n import Calendar, Digits, Lang, Locale
from .._intake_routes import read_body, require_write
from .._render import render_page, to_json
from .._schema import ErrorResponse
from .._source import Source
from ._body import parse_object
from ._experiments_view import Model, detail_model, list_model

Viewer = Annotated[Actor, Depends(require_permission("view_dashboard"))]
Writer = Annotated[Actor, Depends(require_write)]
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}
#: ticket ids one request may assign at most
MAX_IDS = 1000
MAX_ID = 200
#: the largest body read (MAX_IDS ids of MAX_ID characters, quoted, with room to spare)
MAX_BODY = 256 * 1024
#: how long a fingerprint of the assignments is trusted (an import shows within it)
FINGERPRINT_SECONDS = 5.0
_CONTROL = r"\u0000-\u001f\u007f-\u009f"
_SPACE = r"\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: a ticket id as the store has it: no control character, no space around it
TICKET_ID = rf"^[^{_CONTROL}{_SPACE}](?:[^{_CONTROL}]*[^{_CONTROL}{_SPACE}])?$"
NAME = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=rf"^[^{_CONTROL}/]+$",
        description="The experiment's name, as in sanjeh.toml `[[experiments]]`.",
    ),
]
TicketId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID, pattern=TICKET_ID, strict=True)
]
PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Not logged in (the store has users)."},
    403: {"model": ErrorResponse, "description": "Not allowed to see the dashboard."},
}
DETAIL_ERRORS: dict[int | str, dict[str, Any]] = {
    **PAGE_ERRORS,
    404: {"model": ErrorResponse, "description": "No experiment of that name in sanjeh.toml."},
}
ASSIGN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The body is not a JSON object, or a field is unknown or invalid "
        f"(at most {MAX_IDS} ticket ids).",
    },
    401: {"model": ErrorResponse, "description": "Not logged in (the store has users)."},
    403: {
        "model": ErrorResponse,
        "description": "Not a manager or admin, or an API token issued without --write.",
    },
    404: {"model": ErrorResponse, "description": "No experiment of that name in sanjeh.toml."},
    409: {
        "model": ErrorResponse,
        "description": "The experiment takes its variants from a tag or a field "
        '(assignment = "tag" or "field"): Sanjeh does not assign them.',
    },
    413: {"model": ErrorResponse, "description": f"The body is over {MAX_BODY} bytes."},
    415: {"model": ErrorResponse, "description": "The body is not JSON."},
    422: {
        "model": ErrorResponse,
        "description": "A ticket id is not in the store (nothing was written).",
    },
}


class NotAssignable(SanjehError):
    """The experiment's variants come from the tickets themselves (a tag, a field)."""

    code = "not_assignable"
    status = 409


class UnknownTicket(SanjehError):
    code = "unknown_ticket"
    status = 422


class AssignIn(BaseModel):
    """The tickets to give a variant (ids as the store has them, e.g. ``helpdesk:1234``)."""

    model_config = ConfigDict(extra="forbid")

    ticket_ids: list[TicketId] = Field(
        min_length=1,
        max_length=MAX_IDS,
        description=f"1 to {MAX_IDS} ticket ids (repeats count once).",
    )


class Assigned(BaseModel):
    assignment_id: str
    ticket_id: str
    variant: str
    assigned_at: str | None = Field(description="When the ticket got it (UTC, ISO 8601).")
    method: str = Field(description="hash (assigned by Sanjeh) or imported.")
    created: bool = Field(description="Written by this request (false: it had one already).")


class AssignOut(BaseModel):
    experiment: str
    assignments: list[Assigned] = Field(description="One per distinct ticket, in the order sent.")
    created: int = Field(description="Assignments written by this request.")


# -- the experiments and the assignments' fingerprint -------------------------------------


def _experiments(request: Request) -> dict[str, Experiment]:
    found: dict[str, Experiment] = request.app.state.experiments
    return found


def _experiment(request: Request, name: str) -> Experiment:
    found = _experiments(request).get(name)
    if found is None:
        known = ", ".join(_experiments(request)) or "none (add [[experiments]] to sanjeh.toml)"
        raise NotFound(f"no experiment {name!r}; configured: {known}")
    return found


_FINGERPRINTS: dict[int, tuple[Source, float, tuple[str, ...]]] = {}


def fingerprint(source: Source) -> tuple[str, ...]:
    """How many assignments there are and the latest (they move no fact's stamp)."""
    now = time.monotonic()
    found = _FINGERPRINTS.get(id(source))
    if found is not None and found[0] is source and now - found[1] < FINGERPRINT_SECONDS:
        return found[2]
    a = source.table("experiment_assignments")
    row = source.run(a.aggregate(n=a.count(), last=a.assigned_at.max())).iloc[0]
    value = tuple(str(v) for v in row.tolist())
    _FINGERPRINTS[id(source)] = (source, now, value)
    return value


def _changed(source: Source) -> None:
    """The assignments changed here: drop their fingerprint and the cached pages (no
    fact reads the table, so the facts' stamp does not move: ``forget`` as the QA
    actions do), and wake the refresh loop as the intake does (the store recorded the
    change; the facts' bookkeeping takes note of it there, not in a page's request)."""
    _FINGERPRINTS.pop(id(source), None)
    source.forget()
    source.wake()


def _locale(request: Request) -> Locale:
    q = request.query_params
    return Locale.of(q.get("lang") or request.app.state.language, q.get("cal"), q.get("digits"))


def _cached(request: Request, name: str | None) -> tuple[Model, bytes]:
    """The view model (and its JSON) of the list (``name`` None) or one experiment."""
    source: Source = request.app.state.source
    locale = _locale(request)
    experiments = _experiments(request)
    experiment = None if name is None else _experiment(request, name)
    stamp = fingerprint(source)
    key = ("experiments", name, locale, stamp)

    def compute() -> tuple[Model, bytes]:
        if experiment is None:
            model = list_model(source, locale, tuple(experiments.values()))
        else:
            model = detail_model(source, locale, experiment)
        return model, to_json(model)

    found: tuple[Model, bytes] = source.memo(key, compute)
    return found


# -- the POST -------------------------------------------------------------------------------


def _parse(body: bytes, content_type: str) -> AssignIn:
    return parse_object(body, content_type, AssignIn, 'one object, {"ticket_ids": [...]}')


def assign_tickets(source: Source, experiment: Experiment, ids: list[str]) -> Model:
    """Assign (under the store's lock); the answer of the POST."""
    if experiment.assignment not in ("table", "hash"):
        raise NotAssignable(
            f"experiment {experiment.name!r} takes its variants from the tickets' "
            f"{experiment.assignment} (assignment = {experiment.assignment!r} in sanjeh.toml): "
            'Sanjeh assigns variants only when assignment is "table" or "hash"'
        )
    try:
        with source.db_lock:
            rows = assign(source.store, experiment, ids)
    except SanjehError as exc:
        if status_of(exc) < 500:
            raise
        raise UnknownTicket(f"{exc}; nothing was written (send tickets first)") from exc
    created = sum(bool(r.get("created")) for r in rows)
    if created:
        _changed(source)
    keys = ("assignment_id", "ticket_id", "variant", "assigned_at", "method", "created")
    return {
        "experiment": experiment.name,
        "assignments": [{k: r.get(k) for k in keys} for r in rows],
        "created": created,
    }


# -- routes ---------------------------------------------------------------------------------

LangQ = Annotated[Lang | None, Query(description="Language of the texts (fa, ar, en).")]
CalQ = Annotated[Calendar | None, Query(description="Calendar of the dates shown.")]
DigitsQ = Annotated[Digits | None, Query(description="Digits of the numbers shown.")]


def _html(request: Request, model: Model, template: str) -> Response:
    body = render_page(request, template, model, _locale(request))
    response = html_response(request, body)
    response.headers.update(NO_STORE)
    return response


def _json(body: bytes, status: int = 200) -> Response:
    return Response(body, status, media_type="application/json", headers=NO_STORE)


def _routes(router: APIRouter) -> None:
    @router.get("/insights/experiments", include_in_schema=False, name="experiments_page")
    def experiments_page(
        request: Request,
        actor: Viewer,
        lang: LangQ = None,
        cal: CalQ = None,
        digits: DigitsQ = None,
    ) -> Response:
        model, _ = _cached(request, None)
        return _html(request, model, "insights/experiments.html")

    @router.get(
        "/api/insights/experiments",
        name="experiments_api",
        tags=["insights"],
        summary="Experiments: status, progress and verdict of each",
        responses=PAGE_ERRORS,
    )
    def experiments_api(
        request: Request,
        actor: Viewer,
        lang: LangQ = None,
        cal: CalQ = None,
        digits: DigitsQ = None,
    ) -> Response:
        """The ``[[experiments]]`` of sanjeh.toml: each one's variants (control first),
        primary metric, design, status, tickets in the test against the sample size the
        design needs, and verdict."""
        return _json(_cached(request, None)[1])

    @router.get("/insights/experiments/{name}", include_in_schema=False, name="experiment_page")
    def experiment_page(
        request: Request,
        actor: Viewer,
        name: NAME,
        lang: LangQ = None,
        cal: CalQ = None,
        digits: DigitsQ = None,
    ) -> Response:
        model, _ = _cached(request, name)
        return _html(request, model, "insights/experiment.html")

    @router.get(
        "/api/insights/experiments/{name}",
        name="experiment_api",
        tags=["insights"],
        summary="One experiment's results",
        responses=DETAIL_ERRORS,
    )
    def experiment_api(
        request: Request,
        actor: Viewer,
        name: NAME,
        lang: LangQ = None,
        cal: CalQ = None,
        digits: DigitsQ = None,
    ) -> Response:
        """Per variant: tickets, the metric's value and its confidence interval; each
        variant against the control: effect, relative effect, interval, p-value and the
        test; the sample-ratio-mismatch check; the guardrails; sample size and progress;
        status, verdict and notes (pending and excluded tickets)."""
        return _json(_cached(request, name)[1])

    @router.post(
        "/api/experiments/{name}/assign",
        name="experiment_assign",
        tags=["insights"],
        summary="Give tickets their variant",
        responses={200: {"model": AssignOut}, **ASSIGN_ERRORS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": AssignIn.model_json_schema()}},
            }
        },
    )
    async def experiment_assign(request: Request, actor: Writer, name: NAME) -> Response:
        """Each ticket's variant, by the experiment's seeded hash of its id, written to
        ``experiment_assignments`` (method hash). A ticket that has a variant already
        (imported or assigned before) keeps it and nothing is written for it: the same
        call twice gives the same answer. Every id must be a ticket in the store (else
        422, nothing written). Needs write_data and, for an API token, one issued with
        --write."""
        experiment = _experiment(request, name)
        body = await read_body(request, MAX_BODY, f"the body is over {MAX_BODY} bytes")
        wanted = _parse(body, request.headers.get("content-type", ""))
        source: Source = request.app.state.source
        answer = await anyio.to_thread.run_sync(
            assign_tickets, source, experiment, wanted.ticket_ids
        )
        return _json(to_json(answer))


def register(app: FastAPI, settings: Settings) -> None:
    """``app.state.experiments`` (a ConfigError in ``[[experiments]]`` stops the server
    starting), the two pages, their twins and the assignment API."""
    app.state.experiments = {e.name: e for e in load_experiments(settings)}
    router = APIRouter()
    _routes(router)
    app.include_router(router)


__all__ = ["MAX_BODY", "MAX_IDS", "AssignIn", "assign_tickets", "fingerprint", "register"]
