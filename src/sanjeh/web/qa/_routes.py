"""The QA routes: each page (GET /qa/…) with its JSON twin (GET /api/qa/…) built by the
same view-model function, and each action twice: an HTML form post (303 back to a
page) and a JSON endpoint under /api/qa/… (the same checks, the same library call).

(No ``from __future__ import annotations``: FastAPI reads the handlers' types at run
time.)
"""

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from ...errors import RecordNotFound, WorkflowError
from ...qa import Scorecard
from .._errors import InvalidParameter
from .._schema import ErrorResponse
from . import _views as views
from ._context import Ctx, Model, json_response, render, ticket_row
from ._forms import (
    CalibrationIn,
    CoachingIn,
    CycleIn,
    DisputeIn,
    EscalateIn,
    Fields,
    ResolveIn,
    ReviewIn,
    ReviewUpdate,
    ScorecardIn,
    WowIn,
    check_ratings,
    field,
    form_fields,
    form_ratings,
    form_review,
    optional,
    parse,
    values,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A parameter or the body is invalid."},
    401: {"model": ErrorResponse, "description": "Not logged in."},
    403: {"model": ErrorResponse, "description": "The user's role may not do this."},
    404: {"model": ErrorResponse, "description": "No such record (or not the user's)."},
    409: {"model": ErrorResponse, "description": "The record's state does not allow it."},
}
TicketId = Annotated[str, PathParam(max_length=200, description="Conversation id.")]
RecordId = Annotated[str, PathParam(max_length=200, description="Record id.")]
Opt = Annotated[str | None, Query(max_length=200)]
FormData = Annotated[Fields, Depends(form_fields)]
ActionIndex = Annotated[int, PathParam(ge=0, le=1000, description="Action item number.")]
Build = Callable[[Ctx], Model]
T = TypeVar("T")


def _date(name: str, value: str | None) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidParameter(name, f"{value!r} is not a date; use YYYY-MM-DD") from None


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _model(request: Request, build: Build) -> tuple[Ctx, Model]:
    ctx = Ctx.of(request)
    with ctx:
        return ctx, build(ctx)


def _html(request: Request, template: str, build: Build) -> Response:
    ctx, model = _model(request, build)
    return render(ctx, f"qa/{template}", model)


def _json(request: Request, build: Build, status: int = 200) -> Response:
    _, model = _model(request, build)
    return json_response(model, status)


def _back(request: Request, target: str) -> Response:
    """After a form: 303 to ``target`` in the page's language, calendar and digits."""
    return RedirectResponse(Ctx.of(request).link(target), status_code=303)


# -- actions (shared by the form posts and the JSON API) ---------------------------------------


def submit_review(ctx: Ctx, body: ReviewIn) -> str:
    ticket = ticket_row(ctx, body.ticket_id)
    card = views.card_for(ctx, ticket, body.scorecard_id, body.calibration_id)
    check_ratings(
        card,
        body.ratings,
        complete=not body.draft,
        causes=body.root_causes,
        comments=body.comments,
    )
    review = ctx.ws.submit_review(
        ctx.actor,
        body.ticket_id,
        body.ratings,
        scorecard_id=body.scorecard_id,
        comments=body.comments,
        root_causes=body.root_causes,
        comment=body.comment,
        calibration_id=body.calibration_id,
        draft=body.draft,
    )
    return review.review_id


def update_review(ctx: Ctx, review_id: str, body: ReviewUpdate) -> str:
    review = ctx.ws.review(ctx.actor, review_id)
    card = ctx.ws.scorecard(review.scorecard_id, review.scorecard_version)
    check_ratings(
        card,
        body.ratings or {},
        complete=False,
        causes=body.root_causes,
        comments=body.comments or {},
    )
    ctx.ws.update_review(
        ctx.actor,
        review_id,
        ratings=body.ratings,
        comments=body.comments,
        root_causes=body.root_causes,
        comment=body.comment,
        submit=body.submit,
        note=body.note,
    )
    return review_id


def open_dispute(ctx: Ctx, review_id: str, body: DisputeIn) -> Model:
    return views.dispute_row(ctx, ctx.ws.open_dispute(ctx.actor, review_id, body.comment))


def resolve_dispute(ctx: Ctx, dispute_id: str, body: ResolveIn) -> Model:
    found = [d for d in ctx.ws.disputes(ctx.actor) if d.dispute_id == dispute_id]
    if found and body.ratings:
        review = ctx.ws.review(ctx.actor, found[0].review_id)
        card = ctx.ws.scorecard(review.scorecard_id, review.scorecard_version)
        check_ratings(card, body.ratings, complete=False)
    dispute = ctx.ws.resolve_dispute(
        ctx.actor, dispute_id, body.outcome, body.comment, body.ratings
    )
    return views.dispute_row(ctx, dispute)


def escalate_dispute(ctx: Ctx, dispute_id: str, body: EscalateIn) -> Model:
    return views.dispute_row(ctx, ctx.ws.escalate_dispute(ctx.actor, dispute_id, body.comment))


def _review_of_dispute(ctx: Ctx, dispute_id: str) -> str:
    for d in ctx.ws.disputes(ctx.actor):
        if d.dispute_id == dispute_id:
            return d.review_id
    raise RecordNotFound(f"no dispute {dispute_id!r}")


def create_cycle(ctx: Ctx, body: CycleIn) -> Model:
    if body.end < body.start:
        raise InvalidParameter("end", f"{body.end} is before the start {body.start}")
    cycle, assignments = ctx.ws.create_cycle(
        ctx.actor,
        body.name,
        body.reviewers,
        body.start,
        body.end + dt.timedelta(days=1),  # the form's end day is included
        body.per_agent,
        body.strategy,
        body.seed,
        body.repeat_days,
    )
    return {
        "cycle_id": cycle.cycle_id,
        "name": cycle.name,
        "repeat_days": cycle.repeat_days,
        "assignments": [views.assignment_row(ctx, a) for a in assignments],
    }


def create_calibration(ctx: Ctx, body: CalibrationIn) -> str:
    cal = ctx.ws.create_calibration(
        ctx.actor,
        body.name,
        body.ticket_ids,
        body.reviewers,
        blind=body.blind,
        benchmark_reviewer=body.benchmark_reviewer,
        scorecard_id=body.scorecard_id,
    )
    return cal.calibration_id


def create_coaching(ctx: Ctx, body: CoachingIn) -> Model:
    session = ctx.ws.create_coaching(
        ctx.actor,
        body.agent_id,
        body.coach_note,
        body.review_ids,
        [(a.text, a.due) for a in body.action_items],
        held_on=body.held_on,
    )
    return views._session(ctx, session, effect=False)


def complete_action(ctx: Ctx, session_id: str, index: int) -> Model:
    return views._session(ctx, ctx.ws.complete_action(ctx.actor, session_id, index), False)


def mark_wow(ctx: Ctx, body: WowIn) -> Model:
    w = ctx.ws.mark_wow(ctx.actor, body.ticket_id, body.note)
    return {"ticket_id": w.ticket_id, "agent_id": w.agent_id, "note": w.note}


def save_scorecard(ctx: Ctx, body: ScorecardIn) -> Model:
    try:
        card = Scorecard.from_dict(body.definition)
    except WorkflowError as exc:
        raise InvalidParameter("definition", exc.message) from None
    saved = ctx.ws.save_scorecard(ctx.actor, card, body.note)
    return views.card_model(ctx, saved)


def _scorecard_json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameter(
            "definition",
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
        ) from None
    if not isinstance(data, dict):
        raise InvalidParameter("definition", "a scorecard is a JSON object ({…})")
    return data


def _run(request: Request, action: Callable[[Ctx], T]) -> T:
    """Do a QA action; the dashboard's cached pages (IQS on the scorecards) are dropped."""
    ctx = Ctx.of(request)
    with ctx:
        try:
            return action(ctx)
        finally:
            ctx.source.forget()


# -- the routes ---------------------------------------------------------------------------------


def router() -> APIRouter:
    r = APIRouter()
    api: dict[str, Any] = {"tags": ["qa"], "responses": ERRORS}
    page: dict[str, Any] = {"include_in_schema": False}

    # home
    @r.get("/qa", **page)
    def home_page(request: Request) -> Response:
        return _html(request, "home.html", views.home)

    @r.get("/api/qa", summary="QA home", **api)
    def home_api(request: Request) -> Response:
        """A reviewer's open assignments and reviews; an agent's reviews, IQS, pass rate,
        open disputes and action items; for staff IQS by agent and open disputes."""
        return _json(request, views.home)

    # IQS
    @r.get("/api/qa/scores", summary="IQS and pass rate", **api)
    def scores_api(
        request: Request,
        agent: Opt = None,
        by: Annotated[str | None, Query(pattern="^(agent|reviewer|scorecard|all)$")] = "agent",
        start: Opt = None,
        end: Opt = None,
    ) -> Response:
        """IQS, pass rate and review count per agent (``by=reviewer|scorecard|all``) over
        reviews written in [start, end] (dates, UTC). ``agent`` keeps one agent's row."""
        first, last = _date("start", start), _date("end", end)
        group = None if by == "all" else by
        return _json(
            request,
            lambda ctx: views.scores(
                ctx,
                _blank(agent),
                group,
                first,
                last + dt.timedelta(days=1) if last else None,
            ),
        )

    # the review form
    @r.get("/qa/review", **page)
    def review_pick(request: Request, ticket: Opt = None) -> Response:
        if not _blank(ticket):
            raise InvalidParameter("ticket", "give the conversation id to review")
        return _back(request, f"/qa/review/{(ticket or '').strip()}")

    def _form_build(ticket_id: str, scorecard: str | None, calibration: str | None) -> Build:
        return lambda ctx: views.review_form(ctx, ticket_id, _blank(scorecard), _blank(calibration))

    @r.get("/qa/review/{ticket_id}", **page)
    def review_form_page(
        request: Request, ticket_id: TicketId, scorecard: Opt = None, calibration: Opt = None
    ) -> Response:
        return _html(request, "review_form.html", _form_build(ticket_id, scorecard, calibration))

    @r.get("/api/qa/review/{ticket_id}", summary="A conversation to review", **api)
    def review_form_api(
        request: Request, ticket_id: TicketId, scorecard: Opt = None, calibration: Opt = None
    ) -> Response:
        """The conversation, its automatic signals by category, and the scorecard."""
        return _json(request, _form_build(ticket_id, scorecard, calibration))

    @r.post("/qa/review/{ticket_id}", **page)
    def review_form_post(request: Request, ticket_id: TicketId, fields: FormData) -> Response:
        def act(ctx: Ctx) -> str:
            ticket = ticket_row(ctx, ticket_id)
            card = views.card_for(
                ctx,
                ticket,
                optional(field(fields, "scorecard_id")),
                optional(field(fields, "calibration_id")),
            )
            return submit_review(ctx, parse(ReviewIn, form_review(fields, ticket_id, card)))

        review_id = _run(request, act)
        return _back(request, f"/qa/reviews/{review_id}")

    @r.post("/api/qa/reviews", status_code=201, summary="Submit a review", **api)
    def review_api_post(request: Request, body: ReviewIn) -> Response:
        """Grade a conversation: ratings by category id (None = N/A), comments, root
        causes, an overall comment. Answers the review page's model."""
        review_id = _run(request, lambda ctx: submit_review(ctx, body))
        return _json(request, lambda ctx: views.review_page(ctx, review_id), 201)

    # reviews
    def _list_build(
        agent: str | None, reviewer: str | None, start: str | None, end: str | None
    ) -> Build:
        first, last = _date("start", start), _date("end", end)
        return lambda ctx: views.reviews_list(ctx, _blank(agent), _blank(reviewer), first, last)

    @r.get("/qa/reviews", **page)
    def reviews_page(
        request: Request,
        agent: Opt = None,
        reviewer: Opt = None,
        start: Opt = None,
        end: Opt = None,
    ) -> Response:
        return _html(request, "reviews.html", _list_build(agent, reviewer, start, end))

    @r.get("/api/qa/reviews", summary="Reviews", **api)
    def reviews_api(
        request: Request,
        agent: Opt = None,
        reviewer: Opt = None,
        start: Opt = None,
        end: Opt = None,
    ) -> Response:
        """Reviews by agent, reviewer and day written (agents: only their own)."""
        return _json(request, _list_build(agent, reviewer, start, end))

    @r.get("/qa/reviews/{review_id}", **page)
    def review_page(request: Request, review_id: RecordId) -> Response:
        return _html(request, "review.html", lambda ctx: views.review_page(ctx, review_id))

    @r.get("/api/qa/reviews/{review_id}", summary="One review", **api)
    def review_api(request: Request, review_id: RecordId) -> Response:
        """Scores by category and section, the history, disputes, and what the user may
        do next. Another agent's review is 404."""
        return _json(request, lambda ctx: views.review_page(ctx, review_id))

    @r.patch("/api/qa/reviews/{review_id}", summary="Change a review", **api)
    def review_api_patch(request: Request, review_id: RecordId, body: ReviewUpdate) -> Response:
        """Its reviewer (or staff) changes ratings, comments or submits a draft."""
        _run(request, lambda ctx: update_review(ctx, review_id, body))
        return _json(request, lambda ctx: views.review_page(ctx, review_id))

    # disputes
    @r.post("/qa/reviews/{review_id}/dispute", **page)
    def dispute_post(request: Request, review_id: RecordId, fields: FormData) -> Response:
        body = parse(DisputeIn, {"comment": field(fields, "comment")})
        _run(request, lambda ctx: open_dispute(ctx, review_id, body))
        return _back(request, f"/qa/reviews/{review_id}")

    @r.post(
        "/api/qa/reviews/{review_id}/dispute", status_code=201, summary="Dispute a review", **api
    )
    def dispute_api(request: Request, review_id: RecordId, body: DisputeIn) -> Response:
        """The reviewed agent disputes the review with a comment."""
        return json_response(_run(request, lambda ctx: open_dispute(ctx, review_id, body)), 201)

    @r.post("/qa/disputes/{dispute_id}/resolve", **page)
    def resolve_post(request: Request, dispute_id: RecordId, fields: FormData) -> Response:
        outcome = field(fields, "outcome")
        ratings = form_ratings(fields, "new.") if outcome != "rejected" else {}
        body = parse(
            ResolveIn,
            {"outcome": outcome, "comment": field(fields, "comment"), "ratings": ratings or None},
        )

        def act(ctx: Ctx) -> str:
            review_id = _review_of_dispute(ctx, dispute_id)
            resolve_dispute(ctx, dispute_id, body)
            return review_id

        review_id = _run(request, act)
        return _back(request, f"/qa/reviews/{review_id}")

    @r.post("/api/qa/disputes/{dispute_id}/resolve", summary="Resolve a dispute", **api)
    def resolve_api(request: Request, dispute_id: RecordId, body: ResolveIn) -> Response:
        """accepted / partly_accepted (with the corrected ratings) / rejected."""
        return json_response(_run(request, lambda ctx: resolve_dispute(ctx, dispute_id, body)))

    @r.post("/qa/disputes/{dispute_id}/escalate", **page)
    def escalate_post(request: Request, dispute_id: RecordId, fields: FormData) -> Response:
        body = parse(EscalateIn, {"comment": field(fields, "comment")})

        def act(ctx: Ctx) -> str:
            review_id = _review_of_dispute(ctx, dispute_id)
            escalate_dispute(ctx, dispute_id, body)
            return review_id

        return _back(request, f"/qa/reviews/{_run(request, act)}")

    @r.post("/api/qa/disputes/{dispute_id}/escalate", summary="Escalate a dispute", **api)
    def escalate_api(request: Request, dispute_id: RecordId, body: EscalateIn) -> Response:
        """After a rejection the agent hands the dispute to the managers."""
        return json_response(_run(request, lambda ctx: escalate_dispute(ctx, dispute_id, body)))

    def _disputes_build(status: str | None) -> Build:
        return lambda ctx: views.disputes_list(ctx, _blank(status))

    @r.get("/qa/disputes", **page)
    def disputes_page(request: Request, status: Opt = None) -> Response:
        return _html(request, "disputes.html", _disputes_build(status))

    @r.get("/api/qa/disputes", summary="Disputes", **api)
    def disputes_api(request: Request, status: Opt = None) -> Response:
        """Agents their own, reviewers those of their reviews, staff all."""
        return _json(request, _disputes_build(status))

    # assignments and cycles
    def _assign_build(reviewer: str | None, status: str | None, cycle: str | None) -> Build:
        return lambda ctx: views.assignments_page(
            ctx, _blank(reviewer), _blank(status), _blank(cycle)
        )

    @r.get("/qa/assignments", **page)
    def assignments_page(
        request: Request, reviewer: Opt = None, status: Opt = None, cycle: Opt = None
    ) -> Response:
        return _html(request, "assignments.html", _assign_build(reviewer, status, cycle))

    @r.get("/api/qa/assignments", summary="Review assignments and cycles", **api)
    def assignments_api(
        request: Request, reviewer: Opt = None, status: Opt = None, cycle: Opt = None
    ) -> Response:
        """A reviewer's queue (staff: anyone's) and the review cycles."""
        return _json(request, _assign_build(reviewer, status, cycle))

    @r.post("/qa/cycles", **page)
    def cycle_post(request: Request, fields: FormData) -> Response:
        body = parse(
            CycleIn,
            {
                "name": field(fields, "name"),
                "reviewers": values(fields, "reviewers"),
                "start": field(fields, "start"),
                "end": field(fields, "end"),
                "per_agent": field(fields, "per_agent"),
                "strategy": field(fields, "strategy", "random"),
                "seed": optional(field(fields, "seed")),
                "repeat_days": optional(field(fields, "repeat_days")),
            },
        )
        _run(request, lambda ctx: create_cycle(ctx, body))
        return _back(request, "/qa/assignments")

    @r.post("/api/qa/cycles", status_code=201, summary="Create a review cycle", **api)
    def cycle_api(request: Request, body: CycleIn) -> Response:
        """Sample conversations solved in [start, end] (dates; the end day included).
        With ``repeat_days`` the cycle recurs: the server samples each following period
        of that many days once it is over."""
        return json_response(_run(request, lambda ctx: create_cycle(ctx, body)), 201)

    # calibration
    @r.get("/qa/calibration", **page)
    def calibration_page(request: Request) -> Response:
        return _html(request, "calibration.html", views.calibrations_page)

    @r.get("/api/qa/calibration", summary="Calibration sessions", **api)
    def calibration_api(request: Request) -> Response:
        return _json(request, views.calibrations_page)

    @r.post("/qa/calibration", **page)
    def calibration_post(request: Request, fields: FormData) -> Response:
        tickets = field(fields, "ticket_ids").replace(",", " ").split()
        body = parse(
            CalibrationIn,
            {
                "name": field(fields, "name"),
                "ticket_ids": tickets,
                "reviewers": values(fields, "reviewers"),
                "blind": field(fields, "blind") == "1",
                "benchmark_reviewer": optional(field(fields, "benchmark_reviewer")),
                "scorecard_id": optional(field(fields, "scorecard_id")),
            },
        )
        cid = _run(request, lambda ctx: create_calibration(ctx, body))
        return _back(request, f"/qa/calibration/{cid}")

    @r.post("/api/qa/calibration", status_code=201, summary="Create a calibration", **api)
    def calibration_api_post(request: Request, body: CalibrationIn) -> Response:
        cid = _run(request, lambda ctx: create_calibration(ctx, body))
        return _json(request, lambda ctx: views.calibration_report(ctx, cid), 201)

    @r.get("/qa/calibration/{calibration_id}", **page)
    def calibration_report_page(request: Request, calibration_id: RecordId) -> Response:
        return _html(
            request,
            "calibration_report.html",
            lambda ctx: views.calibration_report(ctx, calibration_id),
        )

    @r.get("/api/qa/calibration/{calibration_id}", summary="Calibration report", **api)
    def calibration_report_api(request: Request, calibration_id: RecordId) -> Response:
        """Alignment per criterion and reviewer, Krippendorff's alpha, strictness."""
        return _json(request, lambda ctx: views.calibration_report(ctx, calibration_id))

    # coaching
    @r.get("/qa/coaching", **page)
    def coaching_page(request: Request, agent: Opt = None) -> Response:
        return _html(request, "coaching.html", lambda ctx: views.coaching_page(ctx, _blank(agent)))

    @r.get("/api/qa/coaching", summary="Coaching sessions", **api)
    def coaching_api(request: Request, agent: Opt = None) -> Response:
        """Sessions with action items, and IQS and KPIs before / after each."""
        return _json(request, lambda ctx: views.coaching_page(ctx, _blank(agent)))

    @r.post("/qa/coaching", **page)
    def coaching_post(request: Request, fields: FormData) -> Response:
        texts, dues = values_all(fields, "action_text"), values_all(fields, "action_due")
        items = [
            {"text": text, "due": optional(due)}
            for text, due in zip(texts, dues + [""] * len(texts), strict=False)
            if text.strip()
        ]
        body = parse(
            CoachingIn,
            {
                "agent_id": field(fields, "agent_id"),
                "coach_note": field(fields, "coach_note"),
                "review_ids": field(fields, "review_ids").replace(",", " ").split(),
                "action_items": items,
                "held_on": optional(field(fields, "held_on")),
            },
        )
        session = _run(request, lambda ctx: create_coaching(ctx, body))
        return _back(request, f"/qa/coaching?agent={session['agent_id']}")

    @r.post("/api/qa/coaching", status_code=201, summary="Record a coaching session", **api)
    def coaching_api_post(request: Request, body: CoachingIn) -> Response:
        return json_response(_run(request, lambda ctx: create_coaching(ctx, body)), 201)

    @r.post("/qa/coaching/{session_id}/actions/{index}", **page)
    def action_post(
        request: Request, session_id: RecordId, index: ActionIndex, fields: FormData
    ) -> Response:
        session = _run(request, lambda ctx: complete_action(ctx, session_id, index))
        back = field(fields, "back")
        target = back if back in ("/qa", "/qa/coaching") else "/qa/coaching"
        if target == "/qa/coaching":
            target += f"?agent={session['agent_id']}"
        return _back(request, target)

    @r.post("/api/qa/coaching/{session_id}/actions/{index}", summary="Tick off an action", **api)
    def action_api(request: Request, session_id: RecordId, index: ActionIndex) -> Response:
        return json_response(_run(request, lambda ctx: complete_action(ctx, session_id, index)))

    # wow library
    @r.get("/qa/wow", **page)
    def wow_page(request: Request) -> Response:
        return _html(request, "wow.html", views.wow_page)

    @r.get("/api/qa/wow", summary="Wow library", **api)
    def wow_api(request: Request) -> Response:
        return _json(request, views.wow_page)

    @r.post("/qa/wow", **page)
    def wow_post(request: Request, fields: FormData) -> Response:
        body = parse(
            WowIn, {"ticket_id": field(fields, "ticket_id"), "note": field(fields, "note")}
        )
        _run(request, lambda ctx: mark_wow(ctx, body))
        review_id = field(fields, "review_id")
        return _back(request, f"/qa/reviews/{review_id}" if review_id else "/qa/wow")

    @r.post("/api/qa/wow", status_code=201, summary="Mark a conversation as wow", **api)
    def wow_api_post(request: Request, body: WowIn) -> Response:
        return json_response(_run(request, lambda ctx: mark_wow(ctx, body)), 201)

    # scorecards
    @r.get("/qa/scorecards", **page)
    def scorecards_page(request: Request) -> Response:
        return _html(request, "scorecards.html", views.scorecards_page)

    @r.get("/api/qa/scorecards", summary="Scorecards", **api)
    def scorecards_api(request: Request) -> Response:
        return _json(request, views.scorecards_page)

    @r.post("/qa/scorecards", **page)
    def scorecard_post(request: Request, fields: FormData) -> Response:
        definition = field(fields, "definition")
        if len(definition) > 200_000:
            raise InvalidParameter("definition", "the scorecard is too long (200,000 characters)")
        body = parse(
            ScorecardIn,
            {"definition": _scorecard_json(definition), "note": field(fields, "note")},
        )
        _run(request, lambda ctx: save_scorecard(ctx, body))
        return _back(request, "/qa/scorecards")

    @r.post("/api/qa/scorecards", status_code=201, summary="Save a scorecard version", **api)
    def scorecard_api_post(request: Request, body: ScorecardIn) -> Response:
        """A new id is version 1, a changed definition the next version."""
        return json_response(_run(request, lambda ctx: save_scorecard(ctx, body)), 201)

    return r


def values_all(fields: Fields, name: str) -> list[str]:
    """Every value of a repeated field, empty ones included (rows of a form)."""
    return [v for k, v in fields if k == name]
