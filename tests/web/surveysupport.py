"""Invitations for the web tests of surveys: a CSAT survey sent to customers of solved
tickets (``send_invitations`` with the invitations given, so the tests choose how many
and in which language), their signed links read from a real outbox."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

from sanjeh import surveys
from sanjeh.store import Store

CSAT = "csat-after-solve"


def send_csat(
    store: Store, outbox: Path, count: int, languages: tuple[str, ...], base_url: str
) -> tuple[list[dict[str, Any]], dt.datetime]:
    """``count`` invitations of the default CSAT survey, languages in turn; the outbox's
    records (each with its ``link``) and the time they were sent (an hour after the
    last solved ticket)."""
    definition = surveys.create_survey(store, surveys.default_definitions()[CSAT], by="test")
    t = store.table("tickets")
    solved = t.filter(t.status.isin(["solved", "closed"]) & t.customer_id.notnull())
    last = solved.updated_at.max().execute()
    now = last.replace(tzinfo=dt.UTC) + dt.timedelta(hours=1)
    rows = solved.select("ticket_id", "customer_id", "agent_id", "team_id", "channel")
    found = rows.order_by("ticket_id").limit(count).to_pyarrow().to_pylist()
    made = [
        surveys.Invitation(
            invitation_id=secrets.token_urlsafe(16),
            survey_id=CSAT,
            version=definition.version,
            sent_at=now,
            expires_at=now + dt.timedelta(days=definition.expires_days),
            language=languages[n % len(languages)],
            **found[n % len(found)],
        )
        for n in range(count)
    ]
    surveys.send_invitations(
        store, CSAT, now=now, base_url=base_url, outbox=outbox, format="jsonl", invitations=made
    )
    sent = [json.loads(line) for line in outbox.read_text("utf-8").splitlines() if line]
    assert len(sent) == count
    return sent, now
