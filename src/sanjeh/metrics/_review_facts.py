"""Facts of QA reviews: the latest revision of each submitted review, with its ticket's
breakdowns, for the IQS KPIs.

A view, not a table: reviews are few and change one at a time in the web app, so the
KPIs read them as they are now, without a facts refresh. Drafts and calibration
reviews are left out (a calibration grades the reviewers, not the agent).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._local import with_local_epoch

#: ticket breakdowns a review takes from its conversation (agent is the review's own)
_FROM_TICKET = (
    *("team_id", "channel", "priority", "category", "tags", "segment", "plan", "language"),
    "topic",
)


def review_facts(
    reviews: ir.Table, tickets: ir.Table, calls: ir.Table, clock: ir.Table, calendar: str
) -> ir.Table:
    """One row per review: score, pass, critical failure, when (UTC and local), breakdowns.
    A review of a call without a ticket (its id is the call's) takes the phone channel
    and the call's team from the call facts."""
    r = reviews
    ranked = r.mutate(
        _rank=ibis.row_number().over(group_by=r.review_id, order_by=ibis.desc(r.revision))
    )
    current = ranked.filter(
        (ranked._rank == 0) & (ranked.status != "draft") & ranked.calibration_id.isnull()
    )
    t = tickets.select("ticket_id", *_FROM_TICKET).rename(_ticket_id="ticket_id")
    j = current.left_join(t, current.ticket_id == t._ticket_id)
    c = calls.filter(calls.ticket_id.isnull()).select(_call_id="call_id", _call_team="team_id")
    j = j.left_join(c, j.ticket_id == c._call_id)
    of_call = j._ticket_id.isnull() & j._call_id.notnull()
    facts = j.select(
        "review_id",
        "ticket_id",
        "agent_id",
        "reviewer_id",
        *[c for c in _FROM_TICKET if c not in ("team_id", "channel")],
        team_id=of_call.ifelse(j._call_team, j.team_id),
        channel=of_call.ifelse(ibis.literal("phone"), j.channel),
        score=j.score,
        failed_critical=j.failed_critical,
        passed=j.score >= j.pass_threshold.fill_null(80.0),
        reviewed_at=j.created_at,
    )
    return with_local_epoch(facts, {"reviewed_local": "reviewed_at"}, clock, calendar)
