"""Case logging in the dashboard (#18): the form, the open cases, one case, and the
customer's status page. (No ``from __future__ import annotations``: FastAPI reads the
handlers' parameter types at run time.)

- ``/cases/new`` (twin ``/api/cases/new``: its choices): an agent records a customer's
  enquiry. "Suggest" shows the category and priority triage gives, with the words behind
  them (``static/cases.js`` does it as one types, through ``POST /api/triage``);
  the agent may change both. "Record" submits it to the intake queue
  (``app.state.intake``, source ``cases``, origin ``case_form``) and goes to the case.
  ``POST /api/cases`` does the same for API clients (a token needs the write scope).
- ``/cases`` (``/api/cases``): open cases, most urgent first, with the cues behind each
  priority. ``/cases/{ticket_id}`` (``/api/cases/{ticket_id}``): one case with the link
  to give the customer.
- ``/cases/status/{ticket_id}?sig=…`` (``/api/cases/status/…``): the customer's page, no
  login (``_auth`` lets these two paths through): a wrong or expired sig is a 403 that
  says nothing of whether the case exists; the sig is checked before the store is read.

Everything but the status page needs the ``log_cases`` permission (every role).
"""

import datetime as dt
import functools
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from ..accounts import Actor
from ..errors import PermissionDenied, SanjehError
from ..model import PRIORITIES
from ..text import triage
from ..text._triage import CATEGORIES
from ._auth import html_response, require_permission
from ._case_models import (
    MAX_MESSAGE,
    TICKET_ID,
    CaseForm,
    CaseIn,
    CasePage,
    CasesPage,
    CasesQuery,
    CaseStatus,
    CreatedCase,
    DisplayQuery,
    StatusQuery,
    TriageIn,
    TriageResult,
)
from ._errors import NotFound
from ._i18n import LANGS, Locale, browser_language
from ._render import _ENV, render_page, to_json
from ._schema import ErrorResponse
from ._signing import ExpiredLink, InvalidLink, signing_key, verify
from .views import cases, wallboard
from .views.cases import LINK_PURPOSE, SOURCE, NewCase

Logger = Annotated[Actor, Depends(require_permission("log_cases"))]
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}
TicketId = Annotated[
    str,
    PathParam(
        max_length=80, pattern=TICKET_ID, description="A case's ticket id, e.g. cases:7GQ4M2XZ."
    ),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A parameter or field is invalid."},
    401: {"model": ErrorResponse, "description": "Not logged in (the store has users)."},
    403: {"model": ErrorResponse, "description": "No permission to log cases."},
}


class NoIntake(SanjehError):
    """The app has no intake queue to record a case with."""

    code = "no_intake"
    status = 503


class CaseNotRecorded(SanjehError):
    """The intake refused a record of the case."""

    code = "case_not_recorded"
    status = 400


# -- helpers -------------------------------------------------------------------------------------


def _locale(request: Request, lang: str | None = None) -> Locale:
    q = request.query_params
    chosen = lang or q.get("lang") or request.app.state.language
    return Locale.of(chosen, q.get("cal"), q.get("digits"))


def _json(model: Any, status: int = 200) -> Response:
    return Response(to_json(model), status, media_type="application/json", headers=NO_STORE)


def _link(request: Request, target: str) -> str:
    """``target`` with the page's language, calendar and digits."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k in ("lang", "cal", "digits")]
    return target + (("&" if "?" in target else "?") + urlencode(kept) if kept else "")


def _page(request: Request, template: str, model: Any, status: int = 200, **extra: Any) -> Response:
    locale = _locale(request)
    link = functools.partial(_link, request)
    body = render_page(request, template, model, locale, link=link, **extra)
    response = html_response(request, body)
    response.status_code = status
    response.headers.update(NO_STORE)
    return response


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def record(request: Request, actor: Actor, case: NewCase, origin: str) -> dict[str, Any]:
    """Submit a case to the intake queue; its ticket id, reference, triage, batch and
    creation time."""
    if "write" not in actor.scopes:
        raise PermissionDenied(
            "this API token may only read, and recording a case writes: issue a token with "
            "--write (sanjeh user token USERNAME --name NAME --write)"
        )
    intake = getattr(request.app.state, "intake", None)
    if intake is None:
        raise NoIntake("this server has no intake queue to record cases with; run `sanjeh serve`")
    reference = cases.new_reference()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)  # (the ticket's created_at)
    records, found = cases.intake_records(request.app.state.source, case, reference, now)
    receipt = intake.submit(records, source=SOURCE, origin=origin)
    if receipt.rejected:
        reasons = "; ".join(
            f"{r['table']}.{r['field'] or 'record'}: {r['reason']}" for r in receipt.rejected
        )
        raise CaseNotRecorded(f"the case was not recorded: {reasons}")
    return {
        "ticket_id": cases.ticket_id_of(reference),
        "reference": reference,
        "triage": found,
        "batch_id": receipt.batch_id,
        "created_at": now,
    }


def _detail(request: Request, ticket_id: str) -> Any:
    """One case, waiting for the intake queue once if it has not written it yet."""
    source, locale, key = request.app.state.source, _locale(request), signing_key(request)
    model = cases.case_detail(source, locale, ticket_id, key)
    intake = getattr(request.app.state, "intake", None)
    if model is None and intake is not None:
        intake.flush(timeout=5)
        model = cases.case_detail(source, locale, ticket_id, key)
    if model is None:
        raise NotFound(f"no case {ticket_id!r}; the open cases are at /cases")
    model["status_url"] = _absolute(request, model["status_path"])
    return model


# -- the form -----------------------------------------------------------------------------------


def _form(
    request: Request,
    values: dict[str, str],
    *,
    suggestion: Any = None,
    error: str = "",
    status: int = 200,
) -> Response:
    locale = _locale(request)
    model = cases.form_model(locale)
    model.update(values=values, suggestion=suggestion, error=error)
    labels = {
        "category": {c["id"]: c["name"] for c in model["categories"]},
        "priority": {p["id"]: p["name"] for p in model["priorities"]},
        "cue": {k: locale.t(f"cases.cue.{k}") for k in cases.CUE_KINDS},
    }
    return _page(request, "case_new.html", model, status, labels=labels)


_FIELDS = (
    "customer_name", "customer_email", "customer_id", "channel", "subject", "message",
    "language", "category", "priority",
)  # fmt: skip


def _form_case(values: dict[str, str], locale: Locale) -> tuple[NewCase | None, str]:
    """The case the form describes, or why not (in the page's language)."""
    if not values["message"].strip():
        return None, locale.t("cases.error.message")
    if values["channel"] not in cases.FORM_CHANNELS:
        return None, locale.t("cases.error.choice")
    for name, allowed in (("language", LANGS), ("category", CATEGORIES), ("priority", PRIORITIES)):
        if values[name] and values[name] not in allowed:
            return None, locale.t("cases.error.choice")
    case = NewCase(
        message=values["message"].strip(),
        subject=values["subject"],
        customer_name=values["customer_name"],
        customer_email=values["customer_email"],
        customer_id=values["customer_id"],
        channel=values["channel"],
        language=values["language"] or None,
        category=values["category"] or None,
        priority=values["priority"] or None,
    )
    return case, ""


def _register_form(router: APIRouter) -> None:
    @router.get("/cases/new", include_in_schema=False)
    def new_page(request: Request, actor: Logger) -> Response:
        values = dict.fromkeys(_FIELDS, "")
        values.update(channel="phone", language=_locale(request).lang)
        return _form(request, values)

    @router.get(
        "/api/cases/new",
        tags=["cases"],
        summary="The case form's choices",
        responses={200: {"model": CaseForm}, **ERRORS},
    )
    def new_api(
        request: Request, actor: Logger, query: Annotated[DisplayQuery, Query()]
    ) -> Response:
        """Channels, languages, categories and priorities a case may have (their names in
        the page's language); a case is recorded with ``POST /api/cases``."""
        return _json(cases.form_model(_locale(request)))

    @router.post("/cases/new", include_in_schema=False)
    def new_form(
        request: Request,
        actor: Logger,
        message: Annotated[str, Form(max_length=MAX_MESSAGE)] = "",
        subject: Annotated[str, Form(max_length=200)] = "",
        customer_name: Annotated[str, Form(max_length=200)] = "",
        customer_email: Annotated[str, Form(max_length=320)] = "",
        customer_id: Annotated[str, Form(max_length=200)] = "",
        channel: Annotated[str, Form(max_length=20)] = "phone",
        language: Annotated[str, Form(max_length=10)] = "",
        category: Annotated[str, Form(max_length=20)] = "",
        priority: Annotated[str, Form(max_length=20)] = "",
        action: Annotated[str, Form(max_length=20)] = "record",
    ) -> Response:
        values = {
            "customer_name": customer_name,
            "customer_email": customer_email,
            "customer_id": customer_id,
            "channel": channel,
            "subject": subject,
            "message": message,
            "language": language,
            "category": category,
            "priority": priority,
        }
        locale = _locale(request)
        case, error = _form_case(values, locale)
        if case is None:
            return _form(request, values, error=error, status=400)
        if action == "suggest":
            found = cases.suggestion(triage(case.text), locale)
            return _form(request, values, suggestion=found)
        done = record(request, actor, case, "case_form")
        target = f"/cases/{quote(done['ticket_id'], safe=':')}?created=1"
        return RedirectResponse(_link(request, target), status_code=303)

    @router.post(
        "/api/triage",
        tags=["cases"],
        summary="Category and priority of a text",
        responses={200: {"model": TriageResult}, **ERRORS},
    )
    def triage_api(
        request: Request, actor: Logger, body: TriageIn, query: Annotated[DisplayQuery, Query()]
    ) -> Response:
        """What the case form would suggest for this text (``sanjeh.text.triage``): the
        category, the priority and every cue found, with its place in the text."""
        found = triage(body.text, body.language)
        return _json(cases.suggestion(found, _locale(request)))


# -- the cases ------------------------------------------------------------------------------------


def _register_cases(router: APIRouter) -> None:
    @router.get("/cases", include_in_schema=False)
    def cases_page(
        request: Request, actor: Logger, query: Annotated[CasesQuery, Query()]
    ) -> Response:
        source, locale = request.app.state.source, _locale(request)
        model = cases.open_cases(source, locale, query.limit)
        # live.js follows the data stamp: a case recorded elsewhere appears without a reload
        return _page(request, "cases.html", model, live=wallboard.header(source, locale))

    @router.get(
        "/api/cases",
        tags=["cases"],
        summary="Open cases, most urgent first",
        responses={200: {"model": CasesPage}, **ERRORS},
    )
    def cases_api(
        request: Request, actor: Logger, query: Annotated[CasesQuery, Query()]
    ) -> Response:
        """Cases recorded by the case form (source ``cases``) that are neither solved nor
        closed: by priority (urgent first), then oldest first; each with the cues behind
        the priority triage suggests, and whether an agent changed it."""
        return _json(cases.open_cases(request.app.state.source, _locale(request), query.limit))

    @router.post(
        "/api/cases",
        tags=["cases"],
        summary="Record a case",
        status_code=201,
        responses={
            201: {"model": CreatedCase, "description": "Accepted by the intake queue."},
            **ERRORS,
            503: {"model": ErrorResponse, "description": "The intake queue is full: retry."},
        },
    )
    def create_api(
        request: Request, actor: Logger, body: CaseIn, query: Annotated[DisplayQuery, Query()]
    ) -> Response:
        """Record a customer's case as the form does: the ticket (category and priority
        from triage unless given), the customer's message and, for a customer the store
        does not know, the customer. It is in the store within a moment (the intake
        queue); ``GET /api/cases/{ticket_id}`` shows it. An API token needs the write
        scope."""
        case = NewCase(**body.model_dump())
        done = record(request, actor, case, "case_api")
        path = f"/cases/{quote(done['ticket_id'], safe=':')}"
        status = cases.status_path(done["ticket_id"], done["created_at"], signing_key(request))
        answer = {
            "ticket_id": done["ticket_id"],
            "reference": done["reference"],
            "url": path,
            "status_url": _absolute(request, status),
            "triage": cases.suggestion(done["triage"], _locale(request)),
            "batch_id": done["batch_id"],
        }
        return _json(answer, 201)

    @router.get("/cases/{ticket_id}", include_in_schema=False)
    def case_page(request: Request, actor: Logger, ticket_id: TicketId) -> Response:
        created = request.query_params.get("created") == "1"
        return _page(request, "case.html", _detail(request, ticket_id), created=created)

    @router.get(
        "/api/cases/{ticket_id}",
        tags=["cases"],
        summary="One case",
        responses={
            200: {"model": CasePage},
            **ERRORS,
            404: {"model": ErrorResponse, "description": "No such case."},
        },
    )
    def case_api(
        request: Request,
        actor: Logger,
        ticket_id: TicketId,
        query: Annotated[DisplayQuery, Query()],
    ) -> Response:
        """A case (open or not) with its first message and the customer's status link."""
        return _json(_detail(request, ticket_id))


# -- the customer's page (no login) -------------------------------------------------------------


def _status_page(
    request: Request, ticket_id: str, locale: Locale, model: Any, problem: str, status: int
) -> Response:
    def switch(lang: str) -> str:
        kept = {"sig": request.query_params.get("sig", ""), "lang": lang}
        return f"/cases/status/{quote(ticket_id, safe=':')}?{urlencode(kept)}"

    html = _ENV.get_template("case_status.html").render(
        L=locale, t=locale.t, langs=LANGS, m=model, problem=problem, switch=switch
    )
    return Response(html, status, media_type="text/html; charset=utf-8", headers=NO_STORE)


def _checked_status(request: Request, ticket_id: str, sig: str, lang: str | None) -> Any:
    """The status page's model: the sig first (an error says nothing of the case), then
    the case (waiting once for the intake queue), in ``lang``, else the case's language."""
    verify(LINK_PURPOSE, ticket_id, sig, key=signing_key(request))
    source = request.app.state.source

    def locale_for(language: str | None) -> Locale:
        return _locale(request, lang or language or browser_language(request.headers))

    model = cases.status_model(source, ticket_id, locale_for)
    intake = getattr(request.app.state, "intake", None)
    if model is None and intake is not None:
        intake.flush(timeout=5)
        model = cases.status_model(source, ticket_id, locale_for)
    if model is None:
        raise NotFound("this case is not in the system any more; contact support")
    return model


def _register_status(router: APIRouter) -> None:
    @router.get("/cases/status/{ticket_id}", include_in_schema=False)
    def status_page(
        request: Request,
        ticket_id: Annotated[str, PathParam(max_length=200)],
        sig: Annotated[str, Query(max_length=200)] = "",
        lang: Annotated[str, Query(max_length=10)] = "",
    ) -> Response:
        locale = _locale(request, lang or browser_language(request.headers))
        try:
            model = _checked_status(request, ticket_id, sig, lang or None)
        except ExpiredLink:
            return _status_page(request, ticket_id, locale, None, "expired", 403)
        except InvalidLink:
            return _status_page(request, ticket_id, locale, None, "invalid", 403)
        except NotFound:
            return _status_page(request, ticket_id, locale, None, "missing", 404)
        return _status_page(request, ticket_id, Locale.of(model["locale"]["lang"]), model, "", 200)

    @router.get(
        "/api/cases/status/{ticket_id}",
        tags=["cases"],
        summary="A case's status, for its customer (signed link, no login)",
        responses={
            200: {"model": CaseStatus},
            400: ERRORS[400],
            403: {"model": ErrorResponse, "description": "The sig is wrong or expired."},
            404: {"model": ErrorResponse, "description": "A valid link to a case gone."},
        },
    )
    def status_api(
        request: Request, ticket_id: TicketId, query: Annotated[StatusQuery, Query()]
    ) -> Response:
        """What the customer's status page shows: reference, subject, status, opened and
        last updated. Needs the sig of the case's status link, not a login."""
        return _json(_checked_status(request, ticket_id, query.sig, query.lang))


def register_cases(app: FastAPI) -> None:
    """The case pages, their twins and actions (the form before ``/cases/{ticket_id}``)."""
    router = APIRouter()
    _register_form(router)
    _register_status(router)
    _register_cases(router)
    app.include_router(router)


__all__ = ["register_cases"]
