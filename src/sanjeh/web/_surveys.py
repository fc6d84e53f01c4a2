"""Surveys in the dashboard (#14): define them, send their invitations, read their
results. Each page's view model is built by one function for the page and its JSON twin;
each action is an HTML form (CSRF-protected like every post) and a JSON endpoint doing
the same library call (``sanjeh.surveys``):

- ``/surveys`` (``/api/surveys``): every survey with its version, kind, trigger and its
  invitations (sent, answered); a form to define one (a TOML / JSON definition pasted,
  or one of the defaults) and, per survey, one to send its invitations.
- ``POST /surveys`` (``POST /api/surveys``): create a survey, or its next version when
  the definition changed (the same definition twice changes nothing).
- ``POST /surveys/{survey_id}/send`` (``POST /api/surveys/{survey_id}/send``): make the
  invitations due now (``send_invitations``) and answer with the outbox: a JSON Lines
  or CSV file to download for the mailer or SMS gateway (the API: the same records as
  JSON), each with its signed link to ``/s/{invitation_id}``.
- ``/surveys/{survey_id}`` (``/api/surveys/{survey_id}``): results per question
  (``survey_results``), by team, language or agent; groups of anonymous surveys with
  too few answers are hidden there, as everywhere.

Who may: ``manage_surveys`` (managers and admins). The answer page itself is
``_survey_answer`` (no login).
"""

import datetime as dt
import math
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Body, Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .. import surveys
from ..accounts import Actor
from ..errors import ConfigError
from ..settings import Settings, load_settings
from ._auth import html_response, require_permission
from ._errors import InvalidParameter
from ._i18n import Locale
from ._params import DateParam
from ._render import render_page, to_json
from ._schema import ErrorResponse

Model = dict[str, Any]
Manager = Annotated[Actor, Depends(require_permission("manage_surveys"))]
SurveyId = Annotated[
    str,
    PathParam(max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", description="A survey id."),
]
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}
DISPLAY = ("lang", "cal", "digits")
#: the server links point to: http(s), a host, a path; no spaces or control characters
BASE_URL = r"^(https?://[^\u0000-\u0020\u007f-\u009f/?#]+(/[^\u0000-\u0020\u007f-\u009f?#]*)?)?$"
#: a pasted definition at most
MAX_DEFINITION = 64 * 1024
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A parameter or the definition is invalid."},
    401: {"model": ErrorResponse, "description": "Not logged in."},
    403: {"model": ErrorResponse, "description": "Not a manager or admin."},
    404: {"model": ErrorResponse, "description": "No such survey."},
}


def _locale(request: Request) -> Locale:
    q = request.query_params
    return Locale.of(q.get("lang") or request.app.state.language, q.get("cal"), q.get("digits"))


def _kept(request: Request) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k in DISPLAY]
    return "?" + urlencode(kept) if kept else ""


def _json(model: Any, status: int = 200) -> Response:
    return Response(to_json(model), status, media_type="application/json", headers=NO_STORE)


def _page(request: Request, template: str, model: Model, status: int = 200) -> Response:
    locale = _locale(request)
    body = render_page(request, template, model, locale, kept=_kept(request))
    response = html_response(request, body)
    response.status_code = status
    response.headers.update(NO_STORE)
    return response


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


#: the ids of the ready-made surveys (an enum in /openapi.json)
DefaultId = Literal[tuple(surveys.default_definitions())]  # type: ignore[valid-type]


class FromDefault(BaseModel):
    """Create one of the ready-made surveys as it is."""

    model_config = ConfigDict(extra="forbid")
    default: DefaultId = Field(description="A default survey's id.")  # type: ignore[valid-type]


class FromDefinition(BaseModel):
    """Create a survey from its definition (JSON; docs/surveys.md names every field)."""

    model_config = ConfigDict(extra="forbid")
    survey: dict[str, Any] = Field(
        description="The definition: id, kind, title, questions … (checked field by field)."
    )


# -- view models ------------------------------------------------------------------------------


def _counts(request: Request) -> dict[str, dict[str, int]]:
    """Invitations per survey: made, answered."""
    source = request.app.state.source
    with source.db_lock:
        t = source.store.table("survey_invitations")
        grouped = t.group_by("survey_id").aggregate(
            sent=t.count(), answered=t.answered_at.notnull().sum()
        )
        rows = grouped.to_pyarrow().to_pylist()
    return {r["survey_id"]: {"sent": r["sent"], "answered": int(r["answered"] or 0)} for r in rows}


def list_model(request: Request, *, error: str = "", pasted: str = "") -> Model:
    """Every survey (latest version), its invitations, and the defaults one may create."""
    locale, source = _locale(request), request.app.state.source
    with source.db_lock:
        found = list(surveys.surveys(source.store))
    counts = _counts(request)
    rows = []
    for d in found:
        c = counts.get(d.survey_id, {"sent": 0, "answered": 0})
        rows.append(
            {
                "survey_id": d.survey_id,
                "version": d.version,
                "kind": d.kind,
                "title": _text(d.title, locale.lang),
                "trigger": d.trigger,
                "anonymous": bool(d.anonymous),
                "languages": list(d.languages),
                "questions": len(d.questions),
                "sent": c["sent"],
                "answered": c["answered"],
                "response_rate": c["answered"] / c["sent"] if c["sent"] else None,
                "url": f"/surveys/{quote(d.survey_id)}",
            }
        )
    defaults = [
        {"survey_id": k, "kind": d.kind, "title": _text(d.title, locale.lang)}
        for k, d in surveys.default_definitions().items()
    ]
    return {
        "page": "surveys",
        "title": locale.t("surveys.title"),
        "surveys": rows,
        "defaults": defaults,
        "error": error,
        "pasted": pasted,
    }


def _period(
    request: Request, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The dates asked for, else the last 30 days of data."""
    last = end or request.app.state.source.dims.last_day
    first = start or last - dt.timedelta(days=29)
    if first > last:
        raise InvalidParameter("start", f"{first} is after the end {last}; swap them")
    return first, last


def results_model(
    request: Request,
    survey_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str | None = None,
) -> Model:
    """One survey's definition and results per question (and per ``by`` group)."""
    locale, source = _locale(request), request.app.state.source
    first, last = _period(request, start, end)
    with source.db_lock:
        definition = surveys.survey(source.store, survey_id)
        frame = surveys.survey_results(
            source.store,
            survey_id,
            start=dt.datetime.combine(first, dt.time(), dt.UTC),
            end=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC),
            by=by,
            settings=load_settings(),
        )
    texts = {q.code: _text(q.text, locale.lang) for q in definition.questions}
    rows = [_plain(row) for row in frame.to_dict("records")]
    for row in rows:
        row["question_text"] = texts.get(str(row.get("question")), "")
    return {
        "page": "survey",
        "title": _text(definition.title, locale.lang) or survey_id,
        "survey_id": survey_id,
        "version": definition.version,
        "kind": definition.kind,
        "anonymous": bool(definition.anonymous),
        "start": first.isoformat(),
        "end": last.isoformat(),
        "by": by,
        "columns": [str(c) for c in frame.columns],
        "rows": rows,
        "definition": definition.to_dict(),
    }


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A result row as JSON values (NaN: null; numpy scalars and dates: plain)."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if hasattr(v, "item") and not isinstance(v, str | bytes):
            v = v.item()
        if isinstance(v, float) and math.isnan(v):
            v = None
        elif isinstance(v, dt.date | dt.datetime):
            v = v.isoformat()
        elif v is not None and not isinstance(v, str | int | float | bool | list | dict):
            v = str(v)
        out[str(k)] = v
    return out


# -- actions ----------------------------------------------------------------------------------


def _definition(pasted: str, default: str) -> Any:
    """The definition of the form: pasted TOML / JSON, else the default named."""
    if pasted.strip():
        return surveys.load_definition(pasted, name="the pasted definition")
    found = surveys.default_definitions().get(default)
    if found is None:
        raise ConfigError(
            "paste a definition (TOML or JSON) or choose one of the defaults: "
            + ", ".join(surveys.default_definitions())
        )
    return found


def _create(request: Request, actor: Actor, definition: Any) -> Any:
    source = request.app.state.source
    with source.db_lock:
        return surveys.create_survey(source.store, definition, by=actor.user_id)


def _send(request: Request, survey_id: str, fmt: str | None, base_url: str) -> tuple[Any, bytes]:
    """Send the invitations due now; the result and the outbox file's bytes (``fmt``
    None: no file, the result's records are the answer)."""
    source = request.app.state.source
    base = (base_url or str(request.base_url)).rstrip("/")
    with tempfile.TemporaryDirectory() as tmp:
        outbox = Path(tmp) / f"outbox.{fmt}" if fmt else None
        with source.db_lock:
            result = surveys.send_invitations(
                source.store,
                survey_id,
                now=request.app.state.survey_answers.clock(),  # (the answer page's clock)
                base_url=base,
                outbox=outbox,
                format=cast(Literal["jsonl", "csv"], fmt or "jsonl"),
            )
        data = outbox.read_bytes() if outbox is not None and outbox.exists() else b""
    source.wake()  # (the "sent" rows count in the response rate at once)
    return result, data


def _result_json(result: Any) -> Model:
    return {"survey_id": result.survey_id, "version": result.version, "sent": result.sent}


# -- routes -----------------------------------------------------------------------------------


def _register_pages(router: APIRouter) -> None:
    @router.get("/surveys", include_in_schema=False)
    def surveys_page(request: Request, actor: Manager) -> Response:
        return _page(request, "surveys.html", list_model(request))

    @router.get(
        "/api/surveys",
        tags=["surveys"],
        summary="Surveys and their invitations",
        responses=ERRORS,
    )
    def surveys_api(request: Request, actor: Manager) -> Response:
        """Every survey (its latest version) with the invitations made and answered,
        and the default definitions one may create."""
        return _json(list_model(request))

    @router.get("/surveys/{survey_id}", include_in_schema=False)
    def survey_page(
        request: Request,
        actor: Manager,
        survey_id: SurveyId,
        start: Annotated[DateParam, Query()] = None,
        end: Annotated[DateParam, Query()] = None,
        by: Annotated[Literal["team", "language", "agent"] | None, Query()] = None,
    ) -> Response:
        return _page(request, "survey.html", results_model(request, survey_id, start, end, by))

    @router.get(
        "/api/surveys/{survey_id}",
        tags=["surveys"],
        summary="One survey's results per question",
        responses=ERRORS,
    )
    def survey_api(
        request: Request,
        actor: Manager,
        survey_id: SurveyId,
        start: Annotated[DateParam, Query(description="First day (default: 30 days back).")] = None,
        end: Annotated[DateParam, Query(description="Last day (default: the data's last).")] = None,
        by: Annotated[Literal["team", "language", "agent"] | None, Query()] = None,
    ) -> Response:
        """Per question: answers, mean, distribution and the KPI's value; groups of an
        anonymous survey with fewer answers than ``[surveys] min_group`` are hidden."""
        return _json(results_model(request, survey_id, start, end, by))


def _register_actions(router: APIRouter) -> None:
    @router.post("/surveys", include_in_schema=False)
    def define_form(
        request: Request,
        actor: Manager,
        definition: Annotated[str, Form(max_length=MAX_DEFINITION)] = "",
        default: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        try:
            made = _create(request, actor, _definition(definition, default))
        except ConfigError as exc:  # (DefinitionError too): the form again, with why
            model = list_model(request, error=exc.message, pasted=definition)
            return _page(request, "surveys.html", model, 400)
        target = f"/surveys/{quote(made.survey_id)}{_kept(request)}"
        return RedirectResponse(target, status_code=303)

    @router.post(
        "/api/surveys",
        tags=["surveys"],
        summary="Create a survey (or its next version)",
        status_code=201,
        responses=ERRORS,
    )
    def define_api(
        request: Request,
        actor: Manager,
        body: Annotated[FromDefault | FromDefinition, Body()],
    ) -> Response:
        """Create a survey: one of the defaults (``{"default": "csat-after-solve"}``) or
        a definition of your own (``{"survey": {...}}``, the JSON of docs/surveys.md).
        A changed definition of an existing survey makes its next version; the same one
        again changes nothing."""
        if isinstance(body, FromDefault):
            definition = surveys.default_definitions()[body.default]
        else:
            definition = surveys.load_definition(body.survey, name="survey")
        made = _create(request, actor, definition)
        return _json({"survey_id": made.survey_id, "version": made.version}, 201)

    @router.post("/surveys/{survey_id}/send", include_in_schema=False)
    async def send_form(
        request: Request,
        actor: Manager,
        survey_id: SurveyId,
        format: Annotated[Literal["jsonl", "csv"], Form()] = "jsonl",
        base_url: Annotated[str, Form(max_length=300, pattern=BASE_URL)] = "",
    ) -> Response:
        result, data = await anyio.to_thread.run_sync(_send, request, survey_id, format, base_url)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M")
        name = f"{survey_id}-outbox-{stamp}.{format}"
        kind = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
        headers = {
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Sanjeh-Sent": str(result.sent),
        }
        return Response(data, media_type=kind, headers=headers)

    @router.post(
        "/api/surveys/{survey_id}/send",
        tags=["surveys"],
        summary="Send a survey's invitations due now",
        responses=ERRORS,
    )
    async def send_api(
        request: Request,
        actor: Manager,
        survey_id: SurveyId,
        base_url: Annotated[
            str,
            Query(
                max_length=300,
                pattern=BASE_URL,
                description="The server the links point to (default: this one's address).",
            ),
        ] = "",
    ) -> Response:
        """Make the invitations due now (trigger, sampling, not invited before) and
        answer with the outbox's records: who, language, the signed link, expiry."""
        result, _ = await anyio.to_thread.run_sync(_send, request, survey_id, None, base_url)
        return _json({**_result_json(result), "invitations": list(result.records)})


def register_surveys(app: FastAPI, settings: Settings | None = None) -> None:
    """The survey pages, their twins and actions; and the answer page (no login)."""
    from ._survey_answer import register_survey_answers

    router = APIRouter()
    _register_actions(router)
    _register_pages(router)
    app.include_router(router)
    register_survey_answers(app, settings)


__all__ = ["register_surveys"]
