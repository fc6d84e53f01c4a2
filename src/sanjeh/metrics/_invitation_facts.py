"""Facts of the invitations Sanjeh sends itself (``survey_invitations``), for the
participation KPIs of employee surveys (``pulse_participation``, ``enps_participation``:
one definition, by the survey's kind).

A view, like ``facts_reviews``: invitations are written one send at a time and answered
one by one, so the KPIs read them as they are now, without a facts refresh. An employee
survey's answers are not linked to their invitation (anonymity), so participation can
only be counted here: invitations answered / invitations delivered. The invitee
(``agent_id``, ``customer_id``) is left out of the view: participation is never shown per
person.
"""

from __future__ import annotations

import ibis.expr.types as ir

from ._local import with_local_epoch

#: an invitation that never reached anyone is not an invitation to participate
_UNDELIVERED = ("queued", "failed")


def invitation_facts(
    invitations: ir.Table, definitions: ir.Table, clock: ir.Table, calendar: str
) -> ir.Table:
    """One row per invitation: the survey's kind, team, language, period, sent and
    whether it was answered (``answered``) among those delivered (``delivered``)."""
    d = definitions.select(_d_survey_id="survey_id", _d_version="version", survey="kind").distinct()
    i = invitations
    j = i.left_join(d, (i.survey_id == d._d_survey_id) & (i.version == d._d_version))
    delivered = j.status.notnull() & ~j.status.isin(list(_UNDELIVERED))
    facts = j.select(
        "invitation_id",
        "survey_id",
        "team_id",
        "language",
        "channel",
        "period",
        "sent_at",
        "status",
        survey=j.survey,
        delivered=delivered,
        answered=delivered & ((j.status == "answered") | j.answered_at.notnull()),
    )
    facts = facts.mutate(answered=facts.answered.fill_null(False))
    return with_local_epoch(facts, {"sent_local": "sent_at"}, clock, calendar)
