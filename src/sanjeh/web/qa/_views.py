"""The view models of the QA pages: one function per page, shared by the HTML page and
its JSON twin under /api/qa/… (plain JSON-able dictionaries, texts in the page's
language). Call them inside ``with ctx:`` (they read the store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...accounts import check
from ...errors import PermissionDenied, RecordNotFound
from ...qa import (
    OUTCOMES,
    Assignment,
    CoachingSession,
    Cycle,
    Dispute,
    Review,
    Scorecard,
    ScoreRow,
    Suggestion,
    TimelineEntry,
    choose_scorecard,
    coaching_effect,
    conversation,
    suggestions,
)
from ...qa import Strategy as _Strategy
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso, ticket_row

STRATEGIES: tuple[str, ...] = _Strategy.__args__  # type: ignore[attr-defined]
REVIEWER_ROLES = ("admin", "manager", "reviewer")
#: at most this many rows in a list (newest first)
LIMIT = 200
#: the repeats the cycle form offers (days; None: once)
REPEATS = (None, 7, 14, 28)


def _page(ctx: Ctx, key: str, **extra: Any) -> Model:
    return {
        "page": "qa",
        "qa_page": key,
        "title": ctx.t(f"qa.page.{key}"),
        "role": ctx.actor.role,
        "is_staff": ctx.actor.is_staff,
        "is_reviewer": ctx.actor.role in REVIEWER_ROLES,
        **extra,
    }


# -- small pieces ------------------------------------------------------------------------------


def review_row(ctx: Ctx, r: Review) -> Model:
    return {
        "review_id": r.review_id,
        "ticket_id": r.ticket_id,
        "agent_id": r.agent_id,
        "agent": ctx.agent_name(r.agent_id),
        "reviewer_id": r.reviewer_id,
        "reviewer": ctx.user_name(r.reviewer_id),
        "score": r.score,
        "score_display": ctx.pct(r.score),
        "failed_critical": r.failed_critical,
        "status": r.status,
        "status_label": ctx.t(f"qa.status.{r.status}"),
        "scorecard_id": r.scorecard_id,
        "scorecard_version": r.scorecard_version,
        "calibration_id": r.calibration_id,
        "created_at": iso(r.created_at),
        "created_display": ctx.when(r.created_at),
        "changed_at": iso(r.changed_at),
        "href": f"/qa/reviews/{r.review_id}",
    }


def score_row(ctx: Ctx, s: ScoreRow) -> Model:
    return {
        "agent_id": s.key,
        "agent": ctx.agent_name(s.key),
        "iqs": s.iqs,
        "iqs_display": ctx.pct(s.iqs),
        "pass_rate": s.pass_rate,
        "pass_rate_display": ctx.ratio(s.pass_rate),
        "reviews": s.reviews,
        "reviews_display": ctx.count(s.reviews),
    }


def dispute_row(ctx: Ctx, d: Dispute) -> Model:
    return {
        "dispute_id": d.dispute_id,
        "review_id": d.review_id,
        "agent_id": d.agent_id,
        "agent": ctx.agent_name(d.agent_id),
        "status": d.status,
        "status_label": ctx.t(f"qa.dispute.{d.status}"),
        "escalated": d.escalated,
        "open": d.is_open,
        "comment": d.comment,
        "changed_by": ctx.user_name(d.changed_by),
        "changed_at": iso(d.changed_at),
        "changed_display": ctx.when(d.changed_at),
        "href": f"/qa/reviews/{d.review_id}",
    }


def assignment_row(ctx: Ctx, a: Assignment) -> Model:
    return {
        "assignment_id": a.assignment_id,
        "cycle_id": a.cycle_id,
        "ticket_id": a.ticket_id,
        "agent_id": a.agent_id,
        "agent": ctx.agent_name(a.agent_id),
        "reviewer_id": a.reviewer_id,
        "reviewer": ctx.user_name(a.reviewer_id),
        "reason": a.reason,
        "status": a.status,
        "status_label": ctx.t(f"qa.assignment.{a.status}"),
        "review_id": a.review_id,
        "href": f"/qa/reviews/{a.review_id}" if a.review_id else f"/qa/review/{a.ticket_id}",
    }


def note_label(ctx: Ctx, note: str) -> str:
    """The library's English change notes ("dispute accepted (escalated)"), translated."""
    slug = note.replace("(", "").replace(")", "").strip().replace(" ", "_")
    return ctx.text(f"qa.note.{slug}", note) if slug else ""


def _scale(ctx: Ctx, card: Scorecard, category_id: str) -> list[Model]:
    cat = card.category(category_id)
    out: list[Model] = [
        {"value": str(v), "label": ctx.locale.number(str(v))} for v in cat.scale.values
    ]
    if cat.na_allowed:
        out.append({"value": "na", "label": ctx.t("qa.na")})
    return out


def card_model(
    ctx: Ctx,
    card: Scorecard,
    review: Review | None = None,
    signals: list[Suggestion] | None = None,
) -> Model:
    """A scorecard's sections and categories (and a review's ratings and scores)."""
    scored = ctx.ws.score_of(review) if review is not None else None
    sections = []
    for sec in card.sections:
        cats = []
        for c in sec.categories:
            row: Model = {
                "id": c.id,
                "name": ctx.cat_name(card, c.id, c.name),
                "description": (
                    ctx.text(f"qa.catdesc.{c.id}", c.description)
                    if card.id == "default"
                    else c.description
                ),
                "weight": c.weight,
                "scale": c.scale.kind,
                "min": c.scale.min,
                "max": c.scale.max,
                "na_allowed": c.na_allowed,
                "critical": c.critical,
                "root_causes": [
                    {"value": rc, "label": ctx.text("qa.cause." + rc.replace(" ", "_"), rc)}
                    for rc in c.root_causes
                ],
                "options": _scale(ctx, card, c.id),
            }
            if signals is not None:
                row["suggestions"] = [
                    suggestion_model(ctx, s) for s in signals if s.category_id == c.id
                ]
            if review is not None and scored is not None:
                rating = review.ratings.get(c.id)
                row.update(
                    rating=rating,
                    rating_display=(
                        ctx.t("qa.na") if rating is None else ctx.locale.number(str(rating))
                    ),
                    score=scored.categories.get(c.id),
                    score_display=ctx.pct(scored.categories.get(c.id)),
                    comment=review.comments.get(c.id, ""),
                    causes=[
                        ctx.text("qa.cause." + rc.replace(" ", "_"), rc)
                        for rc in review.root_causes.get(c.id, [])
                    ],
                    failed=c.critical
                    and scored.categories.get(c.id) is not None
                    and (scored.categories[c.id] or 0.0) < 50.0,
                )
            cats.append(row)
        section: Model = {
            "id": sec.id,
            "name": ctx.section_name(card, sec.id, sec.name),
            "categories": cats,
        }
        if scored is not None:
            section["score"] = scored.sections.get(sec.id)
            section["score_display"] = ctx.pct(scored.sections.get(sec.id))
        sections.append(section)
    return {
        "id": card.id,
        "name": ctx.text("qa.default_scorecard", card.name) if card.id == "default" else card.name,
        "version": card.version,
        "active": card.active,
        "pass_threshold": card.pass_threshold,
        "conditions": {
            "channels": list(card.channels),
            "tags": list(card.tags),
            "teams": list(card.teams),
        },
        "sections": sections,
    }


def suggestion_model(ctx: Ctx, s: Suggestion) -> Model:
    return {
        "category_id": s.category_id,
        "analyzer": s.analyzer,
        "analyzer_label": ctx.text(f"qa.analyzer.{s.analyzer}", s.analyzer),
        "label": s.label,
        "label_display": ctx.text(f"qa.signal.{s.label}", s.label),
        "score": s.score,
        "event_id": s.event_id,
        "evidence": [e.get("text", "") for e in s.evidence],
    }


def _segments(body: str, marks: list[tuple[int, int, Suggestion]]) -> list[Model]:
    """The message split into plain text and the evidence of signals (no overlaps)."""
    out: list[Model] = []
    pos = 0
    for start, end, s in sorted(marks, key=lambda m: (m[0], -m[1])):
        if start < pos or end <= start or end > len(body):
            continue
        if start > pos:
            out.append({"text": body[pos:start], "signal": None})
        out.append(
            {
                "text": body[start:end],
                "signal": {
                    "analyzer": s.analyzer,
                    "label": s.label,
                    "category_id": s.category_id,
                },
            }
        )
        pos = end
    if pos < len(body):
        out.append({"text": body[pos:], "signal": None})
    return out


def timeline_entry(ctx: Ctx, e: TimelineEntry, signals: list[Suggestion]) -> Model:
    body = e.body or ""
    marks: list[tuple[int, int, Suggestion]] = []
    for s in signals:
        if s.event_id != e.event_id:
            continue
        for ev in s.evidence:
            start, end, text = ev.get("start"), ev.get("end"), ev.get("text")
            if isinstance(start, int) and isinstance(end, int) and body[start:end] == text:
                marks.append((start, end, s))
            elif isinstance(text, str) and text and text in body:
                found = body.index(text)
                marks.append((found, found + len(text), s))
    kind = "note" if e.kind == "message" and e.public is False else e.kind
    return {
        "event_id": e.event_id,
        "at": iso(e.at),
        "at_display": ctx.when(e.at),
        "kind": e.kind,
        "kind_label": ctx.t(f"qa.event.{kind}"),
        "public": e.public,
        "private": e.kind == "message" and e.public is False,
        "actor_type": e.actor_type,
        "actor_label": ctx.t(f"actor.{e.actor_type}") if e.actor_type else "",
        "actor_id": e.actor_id,
        "actor_name": ctx.agent_name(e.actor_id) if e.actor_type in ("agent", "bot") else "",
        "status": e.status,
        "agent": ctx.agent_name(e.agent_id) if e.agent_id else "",
        "body": e.body,
        "segments": _segments(body, marks) if body else [],
    }


# -- pages ------------------------------------------------------------------------------------


def home(ctx: Ctx) -> Model:
    """/qa: a reviewer's queue and reviews; an agent's reviews, IQS, disputes and action
    items; staff: IQS by agent and open disputes."""
    actor, ws = ctx.actor, ctx.ws
    m = _page(ctx, "home")
    if actor.role in REVIEWER_ROLES:
        m["assignments"] = [
            assignment_row(ctx, a)
            for a in ws.assignments(actor, reviewer_id=actor.user_id, status="open")
        ][:LIMIT]
        m["my_reviews"] = [
            review_row(ctx, r) for r in ws.reviews(actor, reviewer_id=actor.user_id)[:20]
        ]
    if actor.role == "agent":
        rows = ws.scores(actor, by=None)
        m["own"] = (
            score_row(ctx, rows[0])
            if rows
            else score_row(ctx, ScoreRow(actor.agent_id, None, None, 0))
        )
        m["own"]["agent_id"] = actor.agent_id
        m["own"]["agent"] = ctx.agent_name(actor.agent_id)
        m["reviews"] = [review_row(ctx, r) for r in ws.reviews(actor)[:LIMIT]]
        m["action_items"] = [
            {
                "session_id": s.session_id,
                "index": i,
                "text": item.text,
                "due": iso(item.due),
                "due_display": ctx.day(item.due) if item.due else "—",
            }
            for s in ws.coaching(actor)
            for i, item in enumerate(s.action_items)
            if not item.done
        ]
    if actor.is_staff:
        m["scores"] = [score_row(ctx, s) for s in ws.scores(actor, by="agent")]
    m["disputes"] = [dispute_row(ctx, d) for d in ws.disputes(actor) if d.is_open][:LIMIT]
    return m


def scores(
    ctx: Ctx,
    agent: str | None,
    by: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> Model:
    """/api/qa/scores: IQS and pass rate by agent (reviewer, scorecard or overall)."""
    if agent is not None:
        check(ctx.actor, "view_agent", agent_id=agent)
    rows = ctx.ws.scores(ctx.actor, by=by, start=start, end=end)  # type: ignore[arg-type]
    if agent is not None:
        rows = [r for r in rows if r.key == agent] if by == "agent" else rows
    out = []
    for r in rows:
        row = score_row(ctx, r)
        row["key"] = r.key
        out.append(row)
    return {"by": by, "start": iso(start), "end": iso(end), "agent": agent, "rows": out}


def card_for(
    ctx: Ctx,
    ticket: dict[str, Any],
    scorecard_id: str | None = None,
    calibration_id: str | None = None,
) -> Scorecard:
    """The scorecard a review of ``ticket`` is graded with (as ``submit_review`` picks)."""
    ws = ctx.ws
    if calibration_id is not None:
        cal = ws.calibration(ctx.actor, calibration_id)
        return ws.scorecard(cal.scorecard_id, cal.scorecard_version)
    if scorecard_id is not None:
        return ws.scorecard(scorecard_id)
    chosen = choose_scorecard(
        ws.scorecards(), ticket.get("channel"), ticket.get("tags") or (), ticket.get("team_id")
    )
    if chosen is None:
        raise RecordNotFound("no active scorecard fits this conversation; create one first")
    return chosen


def review_form(
    ctx: Ctx, ticket_id: str, scorecard_id: str | None, calibration_id: str | None
) -> Model:
    """/qa/review/{ticket}: the conversation, its signals and the scorecard to fill in."""
    actor = ctx.actor
    if actor.role not in REVIEWER_ROLES:
        raise PermissionDenied(
            f"only reviewers, managers and admins may review (you are {actor.role})"
        )
    ticket = ticket_row(ctx, ticket_id)
    card = card_for(ctx, ticket, scorecard_id, calibration_id)
    signals = suggestions(ctx.store, ticket_id, card)
    agent_id = ctx.ws.agent_of(ticket_id)
    if actor.agent_id is not None and actor.agent_id == agent_id:
        raise PermissionDenied("you cannot review your own conversation; ask another reviewer")
    earlier = ctx.ws.reviews(actor, ticket_id=ticket_id, calibration_id=calibration_id)
    return _page(
        ctx,
        "review_form",
        ticket={
            "ticket_id": ticket_id,
            "subject": ticket.get("subject"),
            "channel": ticket.get("channel"),
            "channel_label": ctx.locale.label("channel", ticket.get("channel")),
            "created_at": iso(ticket.get("created_at")),
            "created_display": ctx.when(ticket.get("created_at")),
            "agent_id": agent_id,
            "agent": ctx.agent_name(agent_id),
        },
        calibration_id=calibration_id,
        scorecard=card_model(ctx, card, signals=signals),
        scorecards=[
            {"id": c.id, "name": card_model(ctx, c)["name"], "version": c.version}
            for c in ctx.ws.scorecards()
        ],
        timeline=[timeline_entry(ctx, e, signals) for e in conversation(ctx.store, ticket_id)],
        general=[suggestion_model(ctx, s) for s in signals if s.category_id is None],
        earlier=[review_row(ctx, r) for r in earlier],
        title=ctx.t("qa.page.review_form") + " · " + ticket_id,
    )


def review_page(ctx: Ctx, review_id: str) -> Model:
    """/qa/reviews/{id}: the scores, the history, the dispute and its resolution."""
    actor, ws = ctx.actor, ctx.ws
    review = ws.review(actor, review_id)
    card = ws.scorecard(review.scorecard_id, review.scorecard_version)
    history = ws.history(actor, review_id)
    disputes = sorted(
        (d for d in ws.disputes(actor) if d.review_id == review_id), key=lambda d: d.changed_at
    )
    last = disputes[-1] if disputes else None
    own = actor.role == "agent" and actor.agent_id is not None and actor.agent_id == review.agent_id
    calibration = review.calibration_id is not None
    can_dispute = (
        own
        and not calibration
        and (
            last is None
            or (not last.is_open and not (last.status == "rejected" and not last.escalated))
        )
    )
    can_escalate = own and last is not None and last.status == "rejected" and not last.escalated
    may_resolve = (
        last is not None
        and last.is_open
        and (
            actor.is_staff
            if last.escalated
            else (actor.is_staff or actor.user_id == review.reviewer_id)
        )
    )
    wow = {w.ticket_id: w for w in ws.wow_library(actor)}.get(review.ticket_id)
    m = _page(
        ctx,
        "review",
        review={
            **review_row(ctx, review),
            "comment": review.comment,
            "revision": review.revision,
            "pass_threshold": card.pass_threshold,
            "passed": review.score is not None and review.score >= card.pass_threshold,
        },
        scorecard=card_model(ctx, card, review),
        history=[
            {
                "at": iso(h.at),
                "at_display": ctx.when(h.at),
                "by": h.by,
                "by_name": ctx.user_name(h.by),
                "kind": h.kind,
                "record_id": h.record_id,
                "revision": h.revision,
                "status": h.status,
                "status_label": ctx.t(
                    f"qa.status.{h.status}" if h.kind == "review" else f"qa.dispute.{h.status}"
                ),
                "note": h.note,
                "note_label": note_label(ctx, h.note),
                "comment": h.comment,
                "score": h.score,
                "score_display": ctx.pct(h.score) if h.kind == "review" else "",
            }
            for h in history
        ],
        disputes=[dispute_row(ctx, d) for d in disputes],
        actions={
            "dispute": can_dispute,
            "escalate": last.dispute_id if can_escalate and last else None,
            "resolve": last.dispute_id if may_resolve and last else None,
            "outcomes": [{"value": o, "label": ctx.t(f"qa.dispute.{o}")} for o in OUTCOMES],
            "wow": actor.role in REVIEWER_ROLES and not calibration,
            "coach": actor.role in REVIEWER_ROLES and not calibration,
        },
        wow=(
            {"note": wow.note, "by": ctx.user_name(wow.marked_by), "at": iso(wow.marked_at)}
            if wow
            else None
        ),
        review_link=f"/qa/review/{review.ticket_id}",
    )
    m["title"] = ctx.t("qa.page.review") + " · " + review.ticket_id
    return m


def reviews_list(
    ctx: Ctx,
    agent: str | None,
    reviewer: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> Model:
    """/qa/reviews: reviews by agent, reviewer and date (agents: their own only)."""
    if start and end and end < start:
        raise InvalidParameter("end", f"{end} is before the start {start}")
    actor = ctx.actor
    found = ctx.ws.reviews(
        actor,
        agent_id=agent,
        reviewer_id=reviewer,
        start=start,
        end=end + dt.timedelta(days=1) if end else None,
    )
    return _page(
        ctx,
        "reviews",
        filters={"agent": agent, "reviewer": reviewer, "start": iso(start), "end": iso(end)},
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if actor.role != "agent" else [],
        reviewers=[{"id": i, "name": n} for i, n in ctx.reviewers()],
        count=len(found),
        reviews=[review_row(ctx, r) for r in found[:LIMIT]],
    )


def disputes_list(ctx: Ctx, status: str | None) -> Model:
    found = ctx.ws.disputes(ctx.actor, status=status)
    return _page(
        ctx,
        "disputes",
        status=status,
        disputes=[dispute_row(ctx, d) for d in found[:LIMIT]],
    )


def assignments_page(
    ctx: Ctx, reviewer: str | None, status: str | None, cycle: str | None = None
) -> Model:
    actor, ws = ctx.actor, ctx.ws
    found = ws.assignments(actor, reviewer_id=reviewer, status=status, cycle_id=cycle)
    cycles = ws.cycles(actor)
    periods = {c.cycle_id: _period(ctx, c) for c in cycles}
    return _page(
        ctx,
        "assignments",
        filters={"reviewer": reviewer, "status": status, "cycle": cycle},
        assignments=[assignment_row(ctx, a) for a in found[:LIMIT]],
        count=len(found),
        cycles=[
            {
                "cycle_id": c.cycle_id,
                "name": c.name,
                "strategy": c.strategy,
                "strategy_label": ctx.t(f"qa.strategy.{c.strategy}"),
                "start": iso(c.start),
                "end": iso(c.end),
                "period_display": periods[c.cycle_id],
                "per_agent": c.per_agent,
                "reviewers": [ctx.user_name(r) for r in c.reviewers],
                "repeat_days": c.repeat_days,
                "repeat_label": repeat_label(ctx, c.repeat_days),
                "follows": c.follows,
                "follows_display": ctx.t(
                    "qa.cycles.follows", period=periods.get(c.follows, c.follows)
                )
                if c.follows
                else None,
            }
            for c in cycles
        ],
        strategies=[{"value": s, "label": ctx.t(f"qa.strategy.{s}")} for s in STRATEGIES],
        repeats=[
            {"value": "" if d is None else str(d), "label": repeat_label(ctx, d)} for d in REPEATS
        ],
        reviewers=[{"id": i, "name": n} for i, n in ctx.reviewers()],
        defaults={
            "start": (ctx.source.dims.last_day - dt.timedelta(days=6)).isoformat(),
            "end": ctx.source.dims.last_day.isoformat(),
        },
    )


def _period(ctx: Ctx, c: Cycle) -> str:
    return ctx.day(c.start) + " – " + ctx.day(c.end - dt.timedelta(seconds=1))


def repeat_label(ctx: Ctx, days: int | None) -> str:
    """How often a cycle recurs: once, every week, every 2 weeks, every n weeks / days."""
    if days is None:
        return ctx.t("qa.repeat.once")
    if days == 7:
        return ctx.t("qa.repeat.weekly")
    if days == 14:
        return ctx.t("qa.repeat.two_weeks")
    if days % 7 == 0:
        return ctx.t("qa.repeat.weeks", n=days // 7)
    return ctx.t("qa.repeat.days", n=days)


def calibrations_page(ctx: Ctx) -> Model:
    actor, ws = ctx.actor, ctx.ws
    found = ws.calibrations(actor)
    return _page(
        ctx,
        "calibration",
        calibrations=[
            {
                "calibration_id": c.calibration_id,
                "name": c.name,
                "ticket_ids": c.ticket_ids,
                "reviewers": [ctx.user_name(r) for r in c.reviewers],
                "blind": c.blind,
                "benchmark": ctx.user_name(c.benchmark_reviewer) if c.benchmark_reviewer else None,
                "scorecard_id": c.scorecard_id,
                "scorecard_version": c.scorecard_version,
                "changed_display": ctx.when(c.changed_at),
                "href": f"/qa/calibration/{c.calibration_id}",
            }
            for c in found
        ],
        reviewers=[{"id": i, "name": n} for i, n in ctx.reviewers()],
        scorecards=[{"id": c.id, "name": card_model(ctx, c)["name"]} for c in ws.scorecards()],
    )


def calibration_report(ctx: Ctx, calibration_id: str) -> Model:
    actor, ws = ctx.actor, ctx.ws
    cal = ws.calibration(actor, calibration_id)
    card = ws.scorecard(cal.scorecard_id, cal.scorecard_version)
    participant = actor.user_id in cal.participants
    mine = {
        r.ticket_id: r.review_id
        for r in ws.reviews(actor, reviewer_id=actor.user_id, calibration_id=calibration_id)
    }
    try:
        report = ws.calibration_report(actor, calibration_id)
    except PermissionDenied:
        report = None  # blind: after submitting one's own reviews
    names = {c.id: ctx.cat_name(card, c.id, c.name) for c in card.categories}
    m = _page(
        ctx,
        "calibration_report",
        calibration={
            "calibration_id": cal.calibration_id,
            "name": cal.name,
            "blind": cal.blind,
            "benchmark": report.benchmark if report else None,
            "benchmark_name": (
                ctx.user_name(cal.benchmark_reviewer)
                if cal.benchmark_reviewer
                else ctx.t("qa.calibration.group_mean")
            ),
            "scorecard_id": cal.scorecard_id,
            "scorecard_version": cal.scorecard_version,
        },
        conversations=[
            {
                "ticket_id": t,
                "review_href": f"/qa/review/{t}?calibration={cal.calibration_id}"
                if participant and t not in mine
                else None,
                "my_review": f"/qa/reviews/{mine[t]}" if t in mine else None,
            }
            for t in cal.ticket_ids
        ],
        ready=report is not None,
    )
    if report is not None:
        m.update(
            alpha=report.alpha,
            alpha_display=(
                "—" if report.alpha is None else ctx.locale.number(f"{report.alpha:.3f}")
            ),
            categories=[
                {
                    "category_id": k,
                    "name": names.get(k, k),
                    "alignment": v,
                    "alignment_display": ctx.pct(v),
                }
                for k, v in report.category_alignment.items()
            ],
            reviewers=[
                {
                    "reviewer_id": r,
                    "reviewer": ctx.user_name(r),
                    "alignment": report.reviewer_alignment.get(r),
                    "alignment_display": ctx.pct(report.reviewer_alignment.get(r)),
                    "bias": report.bias.get(r),
                    "bias_display": (
                        "—"
                        if report.bias.get(r) is None
                        else ctx.locale.number(f"{report.bias[r]:+.1f}")
                    ),
                    "tendency": _tendency(ctx, report.bias.get(r)),
                }
                for r in sorted(set(report.reviewer_alignment) | set(report.bias))
            ],
            missing={ctx.user_name(p): tickets for p, tickets in report.missing.items() if tickets},
            reviews=[review_row(ctx, r) for r in report.reviews],
        )
    m["title"] = ctx.t("qa.page.calibration_report") + " · " + cal.name
    return m


def _tendency(ctx: Ctx, bias: float | None) -> str:
    if bias is None:
        return "—"
    if bias <= -5:
        return ctx.t("qa.calibration.stricter")
    if bias >= 5:
        return ctx.t("qa.calibration.lenient")
    return ctx.t("qa.calibration.aligned")


def _session(ctx: Ctx, s: CoachingSession, effect: bool) -> Model:
    actor = ctx.actor
    may_complete = (
        (actor.role == "agent" and actor.agent_id == s.agent_id)
        or actor.user_id == s.coach_id
        or actor.is_staff
    )
    out: Model = {
        "session_id": s.session_id,
        "agent_id": s.agent_id,
        "agent": ctx.agent_name(s.agent_id),
        "coach": ctx.user_name(s.coach_id),
        "held_on": iso(s.held_on),
        "held_display": ctx.day(s.held_on),
        "coach_note": s.coach_note,
        "review_ids": s.review_ids,
        "may_complete": may_complete,
        "action_items": [
            {
                "index": i,
                "text": a.text,
                "due": iso(a.due),
                "due_display": ctx.day(a.due) if a.due else "—",
                "done": a.done,
                "done_by": ctx.user_name(a.done_by) if a.done_by else None,
                "done_display": ctx.when(a.done_at) if a.done_at else "",
            }
            for i, a in enumerate(s.action_items)
        ],
    }
    if effect:
        e = coaching_effect(ctx.store, s)
        rows = [
            {
                "kpi": "iqs",
                "label": ctx.t("qa.iqs"),
                "before": e.before.iqs,
                "after": e.after.iqs,
                "before_display": ctx.pct(e.before.iqs),
                "after_display": ctx.pct(e.after.iqs),
            }
        ]
        units = {
            "csat": "score",
            "first_reply_time": "seconds",
            "resolution_time": "seconds",
            "fcr_rate": "ratio",
            "reopen_rate": "ratio",
        }
        for name, before in e.before.kpis.items():
            after = e.after.kpis.get(name)
            unit = units.get(name, "number")
            rows.append(
                {
                    "kpi": name,
                    "label": ctx.t(f"qa.kpi.{name}"),
                    "before": before,
                    "after": after,
                    "before_display": ctx.locale.value(unit, before),
                    "after_display": ctx.locale.value(unit, after),
                }
            )
        out["effect"] = {
            "days": e.days,
            "reviews_before": e.before.reviews,
            "reviews_after": e.after.reviews,
            "rows": rows,
        }
    return out


def coaching_page(ctx: Ctx, agent: str | None, effect: bool = True) -> Model:
    actor, ws = ctx.actor, ctx.ws
    sessions = ws.coaching(actor, agent_id=agent)
    return _page(
        ctx,
        "coaching",
        agent=agent,
        sessions=[_session(ctx, s, effect and i < 20) for i, s in enumerate(sessions[:LIMIT])],
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if actor.role != "agent" else [],
        may_create=actor.role in REVIEWER_ROLES,
    )


def wow_page(ctx: Ctx) -> Model:
    entries = ctx.ws.wow_library(ctx.actor)
    return _page(
        ctx,
        "wow",
        entries=[
            {
                "ticket_id": w.ticket_id,
                "agent_id": w.agent_id,
                "agent": ctx.agent_name(w.agent_id),
                "note": w.note,
                "marked_by": ctx.user_name(w.marked_by),
                "marked_at": iso(w.marked_at),
                "marked_display": ctx.when(w.marked_at),
            }
            for w in entries
        ],
        may_mark=ctx.actor.role in REVIEWER_ROLES,
    )


def scorecards_page(ctx: Ctx) -> Model:
    cards = ctx.ws.scorecards(active_only=False)
    import json

    example = json.dumps(cards[0].to_dict() if cards else {}, ensure_ascii=False, indent=2)
    return _page(
        ctx,
        "scorecards",
        scorecards=[card_model(ctx, c) for c in cards],
        may_edit=ctx.actor.is_staff,
        example=example,
    )
