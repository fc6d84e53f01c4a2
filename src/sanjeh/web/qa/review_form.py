"""/qa/review/{ticket_id}: the conversation, its automatic signals and the scorecard to
fill in; submitting it (the form here, or JSON at /api/qa/reviews)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ...accounts import check
from ...errors import PermissionDenied, RecordNotFound
from ...qa import (
    CallEntry,
    CallTimeline,
    Scorecard,
    Suggestion,
    TimelineEntry,
    call_timelines,
    choose_scorecard,
    conversation,
    suggestions,
)
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso, ticket_row
from ._forms import (
    Fields,
    Opt,
    ReviewIn,
    TicketId,
    blank,
    check_ratings,
    field,
    form_review,
    optional,
    parse,
)
from ._rows import card_model, page, review_row, suggestion_model
from ._table import back


def build(ctx: Ctx, ticket_id: TicketId, scorecard: Opt = None, calibration: Opt = None) -> Model:
    actor = ctx.actor
    scorecard_id, calibration_id = blank(scorecard), blank(calibration)
    check(actor, "review_conversations", action="review")
    ticket = ticket_row(ctx, ticket_id)
    card = card_for(ctx, ticket, scorecard_id, calibration_id)
    signals = suggestions(ctx.store, ticket_id, card)
    agent_id = ctx.ws.agent_of(ticket_id)
    if actor.agent_id is not None and actor.agent_id == agent_id:
        raise PermissionDenied("you cannot review your own conversation; ask another reviewer")
    earlier = ctx.ws.reviews(actor, ticket_id=ticket_id, calibration_id=calibration_id)
    return page(
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
        calls=[call_model(ctx, c, signals) for c in call_timelines(ctx.store, ticket_id)],
        general=[suggestion_model(ctx, s) for s in signals if s.category_id is None],
        earlier=[review_row(ctx, r) for r in earlier],
        title=ctx.t("qa.page.review_form") + " · " + ticket_id,
    )


def pick(request: Request, ticket: Opt = None) -> Response:
    """GET /qa/review?ticket=…: the home page's box opens that conversation's form."""
    if not blank(ticket):
        raise InvalidParameter("ticket", "give the conversation id to review")
    return back(request, f"/qa/review/{(ticket or '').strip()}")


# -- submitting ---------------------------------------------------------------------------------


def submit(ctx: Ctx, body: ReviewIn) -> str:
    """POST /api/qa/reviews: the review's id."""
    ticket = ticket_row(ctx, body.ticket_id)
    card = card_for(ctx, ticket, body.scorecard_id, body.calibration_id)
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


def submit_form(ctx: Ctx, body: Fields, ticket_id: TicketId) -> str:
    """POST /qa/review/{ticket_id}: the form read against the scorecard it was filled
    in with (root causes count on negative ratings only), then :func:`submit`."""
    ticket = ticket_row(ctx, ticket_id)
    card = card_for(
        ctx,
        ticket,
        optional(field(body, "scorecard_id")),
        optional(field(body, "calibration_id")),
    )
    return submit(ctx, parse(ReviewIn, form_review(body, ticket_id, card)))


def raw(fields: Fields) -> Fields:
    """The review form is read inside :func:`submit_form` (it needs the scorecard)."""
    return fields


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


def _marks(body: str, event_id: str | None, signals: list[Suggestion]) -> list[Model]:
    """``body`` cut into plain text and the evidence of the signals about ``event_id``."""
    marks: list[tuple[int, int, Suggestion]] = []
    for s in signals:
        if s.event_id != event_id:
            continue
        for ev in s.evidence:
            start, end, text = ev.get("start"), ev.get("end"), ev.get("text")
            if isinstance(start, int) and isinstance(end, int) and body[start:end] == text:
                marks.append((start, end, s))
            elif isinstance(text, str) and text and text in body:
                found = body.index(text)
                marks.append((found, found + len(text), s))
    return _segments(body, marks) if body else []


def timeline_entry(ctx: Ctx, e: TimelineEntry, signals: list[Suggestion]) -> Model:
    body = e.body or ""
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
        "segments": _marks(body, e.event_id, signals),
    }


def _clock(seconds: float) -> str:
    """An offset into a call: 02:15, 1:02:15."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


def call_model(ctx: Ctx, call: CallTimeline, signals: list[Suggestion]) -> Model:
    """A call linked to the reviewed ticket: its timeline (segments with their signals'
    evidence, silences, overtalk), its speech figures and links to the places that matter."""
    index = {id(e): i for i, e in enumerate(call.entries)}

    def anchor(e: CallEntry) -> str:
        return f"{call.call_id}-t{index[id(e)]}"

    def entry(e: CallEntry) -> Model:
        speaker = e.speaker or ""
        label = ctx.t(f"actor.{speaker}") if speaker in ("agent", "customer") else ""
        return {
            "kind": e.kind,
            "anchor": anchor(e),
            "start_s": e.start_s,
            "end_s": e.end_s,
            "at_display": ctx.locale.number(_clock(e.start_s)),
            "length_display": _seconds_text(ctx, f"{e.end_s - e.start_s:.1f} s"),
            "speaker": e.speaker,
            "speaker_display": label or ctx.t("qa.call.other") if e.kind == "segment" else "",
            "speaker_label": e.speaker_label,
            "segment_id": e.segment_id,
            "text": e.text,
            "segments": _marks(e.text or "", e.segment_id, signals),
            "overtalk_s": round(e.overtalk_s, 3),
            "overtalk_display": _seconds_text(ctx, f"{e.overtalk_s:.1f} s") if e.overtalk_s else "",
        }

    silences = [e for e in call.entries if e.kind == "silence"]
    overtalk = [e for e in call.entries if e.overtalk_s > 0]
    jumps = []
    if silences:
        longest = max(silences, key=lambda e: e.end_s - e.start_s)
        jumps.append({"label": ctx.t("qa.call.longest_silence"), "href": "#" + anchor(longest)})
    if overtalk:
        jumps.append({"label": ctx.t("qa.call.first_overtalk"), "href": "#" + anchor(overtalk[0])})
    return {
        "call_id": call.call_id,
        "title": ctx.t("qa.call.title", id=call.call_id),
        "started_at": iso(call.started_at),
        "started_display": ctx.when(call.started_at),
        "agent": ctx.agent_name(call.agent_id),
        "speech": _speech_figures(ctx, call.speech),
        "entries": [entry(e) for e in call.entries],
        "jumps": jumps,
    }


#: call_speech columns shown beside a call: (column, label key, how to show it)
_FIGURES = (
    ("talk_listen_ratio", "qa.call.talk_listen", "{:.2f}"),
    ("silence_share", "qa.call.silence_share", "{:.1%}"),
    ("longest_silence_s", "qa.call.longest_silence", "{:.1f} s"),
    ("overtalk_share", "qa.call.overtalk_share", "{:.1%}"),
    ("agent_interruptions", "qa.call.interruptions", "{:d}"),
    ("agent_wpm", "qa.call.agent_wpm", "{:.0f}"),
    ("longest_agent_monologue_s", "qa.call.monologue", "{:.1f} s"),
)


def _seconds_text(ctx: Ctx, text: str) -> str:
    """ "5.5 s" in English, "۵٫۵ ثانیه" in Persian and Arabic."""
    if ctx.locale.lang != "en":
        text = text.replace(" s", " " + ctx.t("unit.s"))
    return ctx.locale.number(text)


def _speech_figures(ctx: Ctx, row: dict[str, Any] | None) -> list[Model] | None:
    """The call's speech figures (None: not computed yet); a figure with no value (no
    words, the customer never spoke) is left out, not shown as 0."""
    if row is None:
        return None
    out: list[Model] = [
        {
            "name": name,
            "label": ctx.t(key),
            "value": row[name],
            "display": _seconds_text(ctx, fmt.format(row[name])),
        }
        for name, key, fmt in _FIGURES
        if row.get(name) is not None
    ]
    start, end = row.get("sentiment_start"), row.get("sentiment_end")
    if start is not None and end is not None:
        out.append(
            {
                "name": "sentiment_change",
                "label": ctx.t("qa.call.sentiment_change"),
                "value": row.get("sentiment_change"),
                "display": ctx.locale.number(f"{start:+.2f} → {end:+.2f}"),
            }
        )
    return out


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
