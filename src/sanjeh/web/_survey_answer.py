"""The survey answer page (#14): ``/s/{invitation_id}?sig=…``, for the person invited,
with no login, no session and no cookie.

- ``GET`` only shows the form (mail scanners and link previews follow links: a visit
  must never count as an answer). It reads the store, writes nothing.
- ``POST`` records: the form's fields (one per question, by its code), the link's
  ``sig`` (a hidden field, or the query) and the honeypot ``website`` (hidden from
  people, left empty by them). ``application/json`` works too:
  ``{"sig": …, "answers": {code: value}, "receipt": …}``. The answer goes through the
  batching writer (``_answers``) into ``survey_responses`` and the KPIs count it at once.
- One answer per link: a second POST within the survey's grace period replaces the
  first (an anonymous survey's only with the ``receipt`` the first answer gave, which
  the thank-you page's form carries), later ones are refused (409).

Why no CSRF token: the signed link is the credential, and the form carries it; a page
elsewhere cannot post an answer without the link. A POST whose ``Origin`` (or, without
it, ``Referer``) names another host is refused all the same (403); the page asks the
browser to send its origin (``<meta name="referrer" content="same-origin">``).

Refusals, each before anything is written, in the recipient's language (JSON when
``Accept`` asks for it): a wrong, forged, unknown or expired link 403 (the same answer,
so a wrong link never tells whether an invitation exists), an answered link past its
grace 409, a body over :data:`MAX_BODY` 413, a filled honeypot or an answer the survey
does not take 400, too many requests from one address or for one link 429
(``Retry-After``; :class:`AnswerDesk` holds the limits).
"""

import collections
import dataclasses
import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import surveys
from ..errors import PermissionDenied, SanjehError
from ..settings import Settings
from ..store import Store
from ._answers import AnswerWriter
from ._errors import InvalidParameter, status_of
from ._i18n import LANGS, Locale, browser_language
from ._intake import journal_folder
from ._intake_routes import read_body
from ._params import check_query, check_text
from ._rate import RateLimit
from ._render import _ENV
from ._signing import signing_key, verify

log = logging.getLogger("sanjeh.web")
#: an answer's body at most (a comment of a few thousand characters fits many times)
MAX_BODY = 64 * 1024
#: the purpose the answer links are signed for (``sanjeh.surveys.answer_link``)
LINK_PURPOSE = "survey"
#: the honeypot: a field people never see, so never fill
HONEYPOT = "website"
#: fields of the form that are not answers
_NOT_ANSWERS = frozenset({"sig", HONEYPOT, "receipt", "lang"})
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
InvitationId = Annotated[
    str,
    PathParam(
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The invitation's id, as in the link.",
    ),
]


class ForeignOrigin(PermissionDenied):
    """A POST sent from a page of another site."""

    code = "foreign_origin"


class Honeypot(SanjehError):
    """The hidden field people leave empty was filled (a robot, or a browser's autofill)."""

    code = "honeypot"
    status = 400


@dataclasses.dataclass
class AnswerDesk:
    """The answer page's limits and writer (``app.state.survey_answers``). The limits
    are attributes so that a deployment (or a test) may change them: ``views`` GETs and
    ``posts`` POSTs per client address, ``per_link`` POSTs per invitation."""

    writer: AnswerWriter
    views: RateLimit = dataclasses.field(
        default_factory=lambda: RateLimit(300, 60, "page views from this address")
    )
    posts: RateLimit = dataclasses.field(
        # generous: mobile carriers put many people behind one address
        default_factory=lambda: RateLimit(120, 60, "answers from this address")
    )
    per_link: RateLimit = dataclasses.field(
        default_factory=lambda: RateLimit(10, 3600, "answers sent with this link")
    )
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    #: survey versions read so far (a version never changes): an answer reads no more
    #: than its invitation
    definitions: dict[tuple[str, int], Any] = dataclasses.field(default_factory=dict)
    #: links opened here lately (the thank-you page needs their survey and language)
    seen: "_Seen" = dataclasses.field(default_factory=lambda: _Seen())

    @classmethod
    def for_store(
        cls,
        store: Store,
        wake: Callable[[], None] | None = None,
        settings: Settings | None = None,
    ) -> "AnswerDesk":
        """The desk of ``store``'s server; answers journaled beside the store (see
        ``_answers``)."""
        journal = journal_folder(store, settings, "answers")
        return cls(AnswerWriter(store, journal=journal, wake=wake))


# -- the page --------------------------------------------------------------------------------


@dataclasses.dataclass
class _Opened:
    invitation: Any
    definition: Any


class _Seen:
    """The last ``size`` invitations opened, by id (bounded: a flood forgets itself)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._found: collections.OrderedDict[str, _Opened] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, invitation_id: str) -> _Opened | None:
        with self._lock:
            return self._found.get(invitation_id)

    def put(self, opened: _Opened) -> None:
        with self._lock:
            self._found[opened.invitation.invitation_id] = opened
            while len(self._found) > self.size:
                self._found.popitem(last=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _fallback_locale(request: Request, lang: str = "") -> Locale:
    """The language of a refusal that knows no invitation: the one asked for, the
    browser's, the server's."""
    chosen = lang or browser_language(request.headers) or request.app.state.language
    return Locale.of(chosen)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").split(",")[0]
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return "json" in accept or (request.method == "POST" and kind == "application/json")


def _text(value: Any, lang: str) -> str:
    """Wording in ``lang`` (a {lang: text} map, else the text itself)."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _choice(choice: Any, lang: str) -> tuple[str, str]:
    """A choice's value and label: a plain string, or {"code": …, "text": {lang: …}}."""
    if isinstance(choice, Mapping):
        code = str(choice.get("code") or choice.get("value") or "")
        return code, _text(choice.get("text") or choice.get("label") or code, lang)
    if isinstance(choice, list | tuple) and len(choice) == 2:
        return str(choice[0]), _text(choice[1], lang)
    return str(choice), str(choice)


def _questions(definition: Any, locale: Locale) -> list[dict[str, Any]]:
    lang = locale.lang
    out = []
    for q in definition.questions:
        item: dict[str, Any] = {
            "code": q.code,
            "kind": q.kind,
            "text": _text(q.text, lang),
            "required": bool(getattr(q, "required", False)),
            "wide": False,
        }
        if q.kind == "rating":
            lo, hi = int(q.scale_min), int(q.scale_max)
            item["options"] = [(str(v), locale.number(str(v))) for v in range(lo, hi + 1)]
            item["wide"] = hi - lo >= 7  # (0-10 on a phone: eleven narrower buttons)
            ends = (getattr(q, "labels", None) or {}).get(lang)
            item["low"], item["high"] = ends or (
                locale.t("surveys.answer.low"),
                locale.t("surveys.answer.high"),
            )
        elif q.kind == "yes_no":
            item["options"] = [
                ("yes", locale.t("surveys.answer.yes")),
                ("no", locale.t("surveys.answer.no")),
            ]
        elif q.kind == "choice":
            item["options"] = [_choice(c, lang) for c in q.choices]
        out.append(item)
    return out


def _page(
    request: Request,
    invitation_id: str,
    locale: Locale,
    *,
    state: str,
    opened: _Opened | None = None,
    sig: str = "",
    values: Mapping[str, str] | None = None,
    problem: str = "",
    message: str = "",
    receipt: str = "",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The answer page in one of its states: ``form``, ``done`` (thanks, and the form
    to change the answer within the grace period) or ``problem``."""
    definition = opened.definition if opened else None
    languages = [c for c in (getattr(definition, "languages", None) or LANGS) if c in LANGS]

    def switch(lang: str) -> str:
        return f"/s/{quote(invitation_id)}?{urlencode({'sig': sig, 'lang': lang})}"

    html = _ENV.get_template("survey_answer.html").render(
        L=locale,
        t=locale.t,
        state=state,
        title=_text(definition.title, locale.lang) if definition else "",
        questions=_questions(definition, locale) if definition else [],
        values=values or {},
        action=f"/s/{quote(invitation_id)}",
        sig=sig,
        receipt=receipt,
        honeypot=HONEYPOT,
        problem=problem,
        message=message,
        langs=languages if opened else [],
        switch=switch,
        grace=int(getattr(definition, "grace_minutes", 0) or 0) if definition else 0,
    )
    return Response(
        html,
        status,
        media_type="text/html; charset=utf-8",
        headers={**NO_STORE, **(headers or {})},
    )


def _refusal(
    request: Request,
    invitation_id: str,
    exc: SanjehError,
    locale: Locale,
    *,
    opened: _Opened | None = None,
    sig: str = "",
    values: Mapping[str, str] | None = None,
) -> Response:
    """A refused request: JSON when asked for, else the page in ``locale`` (the form
    again, with what was filled in, when the answer itself was at fault)."""
    status = status_of(exc)
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    if _wants_json(request):
        body = {"error": {"type": exc.code, "message": exc.message}}
        return Response(
            json.dumps(body, ensure_ascii=False),
            status,
            media_type="application/json",
            headers={**NO_STORE, **headers},
        )
    problem = _problem_of(exc)
    message = exc.message if problem == "invalid_answer" else ""
    state = "form" if problem == "invalid_answer" and opened else "problem"
    return _page(
        request,
        invitation_id,
        locale,
        state=state,
        opened=opened,
        sig=sig,
        values=values,
        problem=problem,
        message=message,
        status=status,
        headers=headers,
    )


def _problem_of(exc: SanjehError) -> str:
    """Which of the page's own explanations fits the error."""
    if isinstance(exc, surveys.ExpiredLink):
        return "expired"
    if isinstance(exc, surveys.InvalidLink | ForeignOrigin):
        return "invalid" if not isinstance(exc, ForeignOrigin) else "origin"
    if isinstance(exc, surveys.AlreadyAnswered):
        return "answered"
    if isinstance(exc, surveys.InvalidAnswer | InvalidParameter):
        return "invalid_answer"  # (the form again, with what was filled in and why)
    if isinstance(exc, Honeypot):
        return "honeypot"
    return {429: "too_many", 413: "too_large", 503: "busy"}.get(status_of(exc), "other")


def _open(request: Request, invitation_id: str, sig: str) -> _Opened:
    """The invitation the link names (its sig checked first) and its survey."""
    source, desk = request.app.state.source, request.app.state.survey_answers
    now = desk.clock()
    known = desk.writer.known(invitation_id)  # (newer than the store's: answers journaled)
    with source.db_lock:
        try:
            invitation = surveys.open_invitation(
                source.store, invitation_id, sig, now=now, found=known
            )
        except surveys.AlreadyAnswered as exc:  # (the sig was good: the invitation's language)
            found = surveys.invitation(source.store, invitation_id)
            setattr(exc, "language", getattr(found, "language", None))  # noqa: B010
            raise
        key = (invitation.survey_id, invitation.version)
        definition = desk.definitions.get(key)
        if definition is None:
            definition = desk.definitions[key] = surveys.survey(source.store, *key)
    opened = _Opened(invitation, definition)
    desk.seen.put(opened)
    desk.writer.states.learn([invitation])  # (its answer then needs no read)
    return opened


def _language_of(
    request: Request, opened: _Opened | None, asked: str, known: str | None = None
) -> Locale:
    """The recipient's language: the one asked for (``?lang=``, among the survey's),
    else the invitation's (``known``: when only that is known)."""
    if opened is None:
        return _fallback_locale(request, asked or known or "")
    languages = getattr(opened.definition, "languages", None) or LANGS
    if asked in languages and asked in LANGS:
        return Locale.of(asked)
    return Locale.of(getattr(opened.invitation, "language", None) or request.app.state.language)


# -- answers from a form -----------------------------------------------------------------------


def _answers(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The answers among the posted fields, by question code (the library checks each
    against the survey: scale, choices, required, unknown questions; Persian and Arabic
    digits are digits)."""
    return {k: v for k, v in fields.items() if k not in _NOT_ANSWERS}


def _fields(body: bytes, content_type: str) -> dict[str, Any]:
    """The posted fields: a urlencoded form, or a JSON object (its ``answers`` spread)."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter("body", "not UTF-8 text") from None
    if kind == "application/json":
        try:
            data = json.loads(text) if text.strip() else {}
        except (ValueError, RecursionError):
            raise InvalidParameter("body", "not valid JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
            raise InvalidParameter(
                "body", 'send {"sig": "…", "answers": {"question code": value, …}}'
            )
        given = {k: v for k, v in data.items() if k in _NOT_ANSWERS and isinstance(v, str)}
        return {**data.get("answers", {}), **given}
    if kind not in ("", "application/x-www-form-urlencoded"):
        raise InvalidParameter(
            "body", f"{kind} is not taken here: send the form (urlencoded) or JSON"
        )
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True, max_num_fields=200):
        fields[name] = value  # (one value per question: the last one wins)
    return fields


def _check_controls(fields: Mapping[str, Any], query: Mapping[str, str] | None = None) -> None:
    """What the app's parameter guard checks elsewhere (this page's POST comes before
    it, ``AnswerFastPath``): no control character in a field or a query parameter
    (line breaks and tabs pass in a comment)."""
    check_query((query or {}).items())
    for name, value in fields.items():
        check_text("a field's name", str(name), form=True)
        if isinstance(value, str):
            check_text(str(name), value, form=True)


def _same_origin(request: Request) -> None:
    """403 when the POST comes from another site's page (``Origin``, else ``Referer``)."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:  # (a client that is not a browser: the link is the credential)
        return
    host = request.headers.get("host", "")
    if urlsplit(sent).netloc.lower() != host.lower() or sent == "null":
        raise ForeignOrigin(
            "this answer was sent from another site's page; open the link you received "
            "and answer there"
        )


# -- the routes ---------------------------------------------------------------------------------


def _register(router: APIRouter) -> None:
    @router.get("/s/{invitation_id}", include_in_schema=False)
    async def answer_page(request: Request, invitation_id: InvitationId) -> Response:
        desk: AnswerDesk = request.app.state.survey_answers
        q = request.query_params
        sig, asked = q.get("sig", "")[:200], q.get("lang", "")[:10]
        opened = None
        try:
            desk.views.hit(_client(request))
            opened = await anyio.to_thread.run_sync(_open, request, invitation_id, sig)
        except SanjehError as exc:
            locale = _language_of(request, None, asked, getattr(exc, "language", None))
            return _refusal(request, invitation_id, exc, locale)
        locale = _language_of(request, opened, asked)
        if _wants_json(request):
            return Response(
                json.dumps(_form_model(opened, locale), ensure_ascii=False),
                media_type="application/json",
                headers=NO_STORE,
            )
        return _page(request, invitation_id, locale, state="form", opened=opened, sig=sig)

    @router.post("/s/{invitation_id}", include_in_schema=False)
    async def answer(request: Request, invitation_id: InvitationId) -> Response:
        return await _answer(request, invitation_id)


def _form_model(opened: _Opened, locale: Locale) -> dict[str, Any]:
    """The form as JSON (``Accept: application/json``)."""
    definition = opened.definition
    return {
        "survey_id": definition.survey_id,
        "version": definition.version,
        "language": locale.lang,
        "title": _text(definition.title, locale.lang),
        "questions": [
            {k: v for k, v in q.items() if k not in ("low", "high", "wide")}
            for q in _questions(definition, locale)
        ],
        "grace_minutes": getattr(definition, "grace_minutes", None),
    }


async def _answer(request: Request, invitation_id: str) -> Response:
    """Record an answer. The fast way, for the answers that go in: the link's sig is
    checked here (an HMAC: no read), everything else by ``record_answers`` in the
    writer, which reads the batch's invitations at once. The store is read here only to
    explain a refusal or to show the thank-you page of a link not opened by this server
    before (``AnswerDesk.seen``)."""
    desk: AnswerDesk = request.app.state.survey_answers
    asked = request.query_params.get("lang", "")[:10]
    opened: _Opened | None = None
    fields: dict[str, Any] = {}
    sig = request.query_params.get("sig", "")[:200]
    try:
        _same_origin(request)
        desk.posts.hit(_client(request))
        body = await read_body(
            request, MAX_BODY, f"the answer is over {MAX_BODY // 1024} KB; write less"
        )
        fields = _fields(body, request.headers.get("content-type", ""))
        sig = str(fields.get("sig") or sig)[:200]
        asked = str(fields.get("lang") or asked)[:10]
        _check_controls(fields, request.query_params)
        desk.per_link.hit(invitation_id)
        verify(LINK_PURPOSE, invitation_id, sig, key=signing_key(request), now=desk.clock())
        if str(fields.get(HONEYPOT, "")).strip():
            raise Honeypot(
                "a field people leave empty was filled in (a browser's autofill?); "
                "open the link again and send the answer by hand"
            )
        receipt = str(fields.get("receipt") or "") or None
        now = desk.clock()
        done = await desk.writer.answer(
            _Link(invitation_id), _answers(fields), now=now, receipt=receipt
        )
    except SanjehError as exc:
        if isinstance(
            exc, surveys.InvalidAnswer | surveys.AlreadyAnswered | Honeypot | InvalidParameter
        ):
            try:  # the link is genuine: its page, in its language
                opened = await anyio.to_thread.run_sync(_open, request, invitation_id, sig)
            except SanjehError as found:
                setattr(exc, "language", getattr(found, "language", None))  # noqa: B010
        locale = _language_of(request, opened, asked, getattr(exc, "language", None))
        shown = {k: str(v) for k, v in fields.items() if k not in _NOT_ANSWERS}
        return _refusal(request, invitation_id, exc, locale, opened=opened, sig=sig, values=shown)
    if _wants_json(request):
        return Response(
            json.dumps(_receipt_json(done), ensure_ascii=False, default=str),
            200,
            media_type="application/json",
            headers=NO_STORE,
        )
    opened = desk.seen.get(invitation_id) or await anyio.to_thread.run_sync(
        _open, request, invitation_id, sig
    )
    values = {k: str(v) for k, v in fields.items() if k not in _NOT_ANSWERS}
    return _page(
        request,
        invitation_id,
        _language_of(request, opened, asked),
        state="done",
        opened=opened,
        sig=sig,
        values=values,
        receipt=str(getattr(done, "receipt", "") or ""),
    )


@dataclasses.dataclass(frozen=True)
class _Link:
    """An invitation as the writer needs it: its id (the writer knows the rest, or
    reads it with the rest of its round, in one query)."""

    invitation_id: str


def _receipt_json(done: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(done) and not isinstance(done, type):
        return dataclasses.asdict(done)
    return {"recorded": True}


class AnswerFastPath:
    """``POST /s/{invitation_id}`` straight to its handler, before FastAPI's routing and
    the dashboard's own middleware (login, CSRF, the parameter guard: none of them
    applies to a signed public link); the security headers and the error pages stay (it
    sits inside them). At 200 answers a second, walking every route and those layers cost
    the event loop more than the answer itself, and the event loop is what every
    request waits for. The route below stays for apps without this middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            found = _ANSWER_PATH.fullmatch(scope["path"])
            if found is not None:
                response = await _answer(Request(scope, receive), found.group(1))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


#: the answer page's path, as ``InvitationId`` takes it
_ANSWER_PATH = re.compile(r"/s/([A-Za-z0-9_-]{1,100})")


def register_survey_answers(app: FastAPI, settings: Settings | None = None) -> None:
    """The answer page (``GET`` and ``POST /s/{invitation_id}``) and its desk."""
    source = app.state.source
    app.state.survey_answers = AnswerDesk.for_store(source.store, source.wake, settings)
    router = APIRouter()
    _register(router)
    app.include_router(router)


__all__ = ["AnswerDesk", "AnswerFastPath", "register_survey_answers"]
