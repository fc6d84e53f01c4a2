"""Case logging (#18): a customer's enquiry recorded as a ticket, followed by agents and
by the customer.

- :func:`intake_records`: a case from the form (or ``POST /api/cases``) as the records
  the intake queue takes: the customer (unless they are known already), the ticket with
  its category and priority (``sanjeh.text.triage`` unless the agent chose) and two
  customer events, ``created`` and the ``message`` (the nature of the enquiry).
- :func:`open_cases`: the open cases (tickets of source ``cases`` neither solved nor
  closed nor merged), most urgent first, oldest first within a priority; each with the
  cues behind its suggested priority (triage of its subject and first customer
  message, run again: the rules are deterministic) and whether an agent changed it.
- :func:`case_detail`: one case for agents, with its status link.
- :func:`status_model`: what the customer's status page shows: the reference, subject,
  status, when it was opened and last updated; nothing about agents or the text.

A case's status link is signed (``_signing``) with the case's creation time plus
:data:`LINK_LIFETIME`, so the same link can be shown again at any time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import ibis

from ...model import CHANNELS, PRIORITIES, STATUSES
from ...text import Triage, triage
from ...text._triage import CATEGORIES, PRIORITY_KINDS
from .._i18n import LANGS, Locale
from .._signing import sign
from .._source import Source
from ._common import Model

#: the source (and id namespace) of everything the case form records
SOURCE = "cases"
LINK_PURPOSE = "case-status"
#: how long a customer's status link works after the case was opened
LINK_LIFETIME = dt.timedelta(days=180)
#: channels an agent logs a case from (the API may also say "api")
FORM_CHANNELS = tuple(c for c in CHANNELS if c != "api")
DONE = ("solved", "closed")
_RANK = {p: i for i, p in enumerate(reversed(PRIORITIES))}  # urgent 0 … low 3
#: letters of a case reference: no 0/O, 1/I/L or U, read out on the phone without doubt
_REFERENCE = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_LIST = 500
#: every kind of cue triage names (topics, then priority cues)
CUE_KINDS = (*CATEGORIES[:-1], *PRIORITY_KINDS)


@dataclasses.dataclass(frozen=True)
class NewCase:
    """What an agent (or an API client) says about a case."""

    message: str
    subject: str = ""
    customer_name: str = ""
    customer_email: str = ""
    customer_id: str = ""
    channel: str = "phone"
    language: str | None = None
    category: str | None = None
    priority: str | None = None

    @property
    def text(self) -> str:
        """What triage reads: the subject and the message."""
        return case_text(self.subject, self.message)


def case_text(subject: str | None, message: str) -> str:
    """What triage reads of a case: the message, after the subject unless the subject is
    the message's own first line (as the form makes it), so no cue counts twice."""
    subject = (subject or "").strip()
    if not subject or subject.rstrip("…").strip() in message:
        return message.strip()
    return f"{subject}\n{message}".strip()


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE) for _ in range(8))


def ticket_id_of(reference: str) -> str:
    return f"{SOURCE}:{reference}"


# -- a case into records ------------------------------------------------------------------


def _customer(source: Source, case: NewCase) -> tuple[str, bool]:
    """The case's customer id, and whether to write a customer row: never over a customer
    the store knows (the form must not blank a helpdesk's customer); a new one's id comes
    from the e-mail (the same person twice is one customer) or is made up."""
    wanted = case.customer_id.strip()
    email = case.customer_email.strip()
    with source.db_lock:
        c = source.store.table("customers")
        if wanted:
            known = c.filter(c.customer_id == wanted).count().execute()
            return wanted, not known
        if email:
            found = c.filter(c.email.lower() == email.lower()).select("customer_id").limit(1)
            ids = found.to_pyarrow().column(0).to_pylist()
            if ids:
                return str(ids[0]), False
            digest = hashlib.sha256(email.lower().encode()).hexdigest()[:12]
            return f"{SOURCE}:c-{digest}", True
    return f"{SOURCE}:c-{secrets.token_hex(6)}", True


def intake_records(
    source: Source, case: NewCase, reference: str, now: dt.datetime
) -> tuple[dict[str, list[dict[str, Any]]], Triage]:
    """The records of a new case (by table, for ``intake.submit``) and its triage."""
    found = triage(case.text)
    category = case.category or found.category
    priority = case.priority or found.priority
    ticket_id = ticket_id_of(reference)
    customer_id, new_customer = _customer(source, case)
    at = now.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    language = case.language or (found.language if found.language in LANGS else None)
    subject = case.subject.strip() or _first_line(case.message)
    records: dict[str, list[dict[str, Any]]] = {"customers": []}
    if new_customer:
        records["customers"].append(
            {
                "customer_id": customer_id,
                "name": case.customer_name.strip() or None,
                "email": case.customer_email.strip() or None,
                "language": language,
                "created_at": at,
                "updated_at": at,
            }
        )
    records["tickets"] = [
        {
            "ticket_id": ticket_id,
            "external_id": reference,
            "channel": case.channel,
            "subject": subject,
            "created_at": at,
            "updated_at": at,
            "status": "new",
            "customer_id": customer_id,
            "priority": priority,
            "category": category,
            "language": language,
        }
    ]
    customer = {"actor_type": "customer", "actor_id": customer_id, "channel": case.channel}
    records["events"] = [
        {"event_id": f"{ticket_id}-created", "ticket_id": ticket_id, "at": at,
         "kind": "created", "status": "new", "priority": priority, **customer},
        {"event_id": f"{ticket_id}-1", "ticket_id": ticket_id, "at": at, "kind": "message",
         "public": True, "body": case.message, **customer},
    ]  # fmt: skip
    return records, found


def _first_line(message: str, limit: int = 80) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def status_path(ticket_id: str, created_at: dt.datetime, key: bytes) -> str:
    """The customer's status page of a case (the link's path and query)."""
    when = created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)
    sig = sign(LINK_PURPOSE, ticket_id, expires=when + LINK_LIFETIME, key=key)
    return f"/cases/status/{quote(ticket_id, safe=':')}?sig={sig}"


# -- reading cases ---------------------------------------------------------------------------


def _open(t: ibis.Table) -> ibis.Table:
    return t.filter(
        (t.source == SOURCE) & t.merged_into.isnull() & (t.status.isnull() | ~t.status.isin(DONE))
    )


_COLUMNS = (
    "ticket_id", "external_id", "subject", "channel", "status", "priority", "category",
    "language", "customer_id", "created_at", "updated_at",
)  # fmt: skip


def _tickets(source: Source, limit: int, ticket_id: str | None = None) -> tuple[list[Model], int]:
    """Open cases most urgent first (or the one case ``ticket_id``, open or not), and how
    many cases are open."""
    with source.db_lock:
        t = source.store.table("tickets")
        if ticket_id is not None:
            chosen, total = t.filter((t.ticket_id == ticket_id) & (t.source == SOURCE)), 0
        else:
            chosen = _open(t)
            total = int(chosen.count().execute())
        rank = ibis.cases(*((chosen.priority == p, r) for p, r in _RANK.items()), else_=len(_RANK))
        ordered = chosen.mutate(_rank=rank).order_by(["_rank", "created_at", "ticket_id"])
        rows = ordered.select(*_COLUMNS).limit(limit).to_pyarrow().to_pylist()
    return rows, total


def _details(
    source: Source, rows: list[Model]
) -> tuple[dict[str, str], dict[str, Any], dict[str, tuple[str | None, str | None]]]:
    """Per case: the first customer message, the last event's time; per customer: name
    and e-mail."""
    if not rows:
        return {}, {}, {}
    ids = [r["ticket_id"] for r in rows]
    customers = sorted({r["customer_id"] for r in rows if r["customer_id"]})
    with source.db_lock:
        e = source.store.table("events")
        mine = e.filter(e.ticket_id.isin(ids))
        said = mine.filter((mine.kind == "message") & (mine.actor_type == "customer"))
        first = said.order_by(["ticket_id", "at", "event_id"]).select("ticket_id", "body")
        bodies: dict[str, str] = {}
        for row in first.to_pyarrow().to_pylist():
            bodies.setdefault(row["ticket_id"], row["body"] or "")
        last = mine.group_by("ticket_id").agg(at=mine.at.max()).to_pyarrow().to_pylist()
        c = source.store.table("customers")
        named = c.filter(c.customer_id.isin(customers or [""]))
        found = named.select("customer_id", "name", "email").to_pyarrow().to_pylist()
    names = {r["customer_id"]: (r["name"], r["email"]) for r in found}
    return bodies, {r["ticket_id"]: r["at"] for r in last}, names


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _case(
    row: Model,
    bodies: dict[str, str],
    last: dict[str, Any],
    names: dict[str, tuple[str | None, str | None]],
    locale: Locale,
    timezone: str,
    now: dt.datetime,
) -> Model:
    """One case as the agents' pages show it (``_details`` gave the dicts)."""
    body = bodies.get(row["ticket_id"], "")
    last_event = last.get(row["ticket_id"])
    name, email = names.get(row["customer_id"], (None, None))
    created = _utc(row["created_at"]) or now
    updated = max(x for x in (_utc(row["updated_at"]), _utc(last_event), created) if x)
    found = triage(case_text(row["subject"], body))
    age = max(0.0, (now - created).total_seconds())
    label = locale.label
    return {
        "ticket_id": row["ticket_id"],
        "reference": row["external_id"] or row["ticket_id"],
        "subject": row["subject"] or "",
        "customer_id": row["customer_id"],
        "customer_name": name,
        "customer_email": email,
        "channel": row["channel"],
        "channel_label": label("channel", row["channel"]),
        "status": row["status"],
        "status_label": label("ticket_status", row["status"]),
        "priority": row["priority"],
        "priority_label": label("priority", row["priority"]),
        "category": row["category"],
        "category_label": label("cases.category", row["category"]),
        "language": row["language"],
        "created_at": created.isoformat(),
        "created_display": locale.datetime(created, timezone),
        "updated_at": updated.isoformat(),
        "updated_display": locale.datetime(updated, timezone),
        "age_s": round(age),
        "age_display": locale.value("seconds", age),
        "suggested_priority": found.priority,
        "suggested_category": found.category,
        "changed": row["priority"] != found.priority,
        "reasons": [_reason(r, locale) for r in found.priority_reasons],
        "url": f"/cases/{quote(row['ticket_id'], safe=':')}",
    }


def _reason(reason: Any, locale: Locale) -> Model:
    return {**reason.as_dict(), "label": locale.t(f"cases.cue.{reason.kind}")}


def locale_model(locale: Locale) -> Model:
    return {
        "lang": locale.lang,
        "calendar": locale.calendar,
        "digits": locale.digits,
        "dir": locale.dir,
    }


def open_cases(source: Source, locale: Locale, limit: int, now: dt.datetime | None = None) -> Model:
    """The agents' list: open cases, most urgent first (see the module doc)."""
    moment = now or dt.datetime.now(dt.UTC)
    rows, total = _tickets(source, limit)
    bodies, last, names = _details(source, rows)
    cases = [_case(r, bodies, last, names, locale, source.timezone, moment) for r in rows]
    return {
        "page": "cases",
        "title": locale.t("cases.title"),
        "locale": locale_model(locale),
        "open": total,
        "limit": limit,
        "cases": cases,
    }


def case_detail(
    source: Source, locale: Locale, ticket_id: str, key: bytes, now: dt.datetime | None = None
) -> Model | None:
    """One case for agents (open or not), with its message and status link; None when
    the store has no such case."""
    rows, _ = _tickets(source, 1, ticket_id)
    if not rows:
        return None
    bodies, last, names = _details(source, rows)
    row = rows[0]
    moment = now or dt.datetime.now(dt.UTC)
    case = _case(row, bodies, last, names, locale, source.timezone, moment)
    created = _utc(row["created_at"]) or moment
    return {
        "page": "cases",
        "title": locale.t("cases.case", reference=case["reference"]),
        "locale": locale_model(locale),
        "case": case,
        "message": bodies.get(ticket_id, ""),
        "status_path": status_path(ticket_id, created, key),
        "link_expires": (created + LINK_LIFETIME).isoformat(),
        "link_expires_display": locale.date(created + LINK_LIFETIME),
    }


def status_model(
    source: Source, ticket_id: str, locale_for: Callable[[str | None], Locale]
) -> Model | None:
    """What the customer sees (the link was checked before), in the language
    ``locale_for`` picks given the case's; None when there is no such case (yet)."""
    rows, _ = _tickets(source, 1, ticket_id)
    if not rows:
        return None
    row = rows[0]
    _, last, _ = _details(source, rows)
    locale = locale_for(row["language"])
    created = _utc(row["created_at"]) or dt.datetime.now(dt.UTC)
    updated = max(x for x in (_utc(row["updated_at"]), _utc(last.get(ticket_id)), created) if x)
    status = row["status"] if row["status"] in STATUSES else "open"
    return {
        "page": "case_status",
        "title": locale.t("cases.status_title"),
        "locale": locale_model(locale),
        "reference": row["external_id"] or ticket_id,
        "subject": row["subject"] or "",
        "status": status,
        "status_label": locale.t(f"cases.customer_status.{status}"),
        "status_note": locale.t(f"cases.customer_note.{status}"),
        "created_at": created.isoformat(),
        "created_display": locale.datetime(created, source.timezone),
        "updated_at": updated.isoformat(),
        "updated_display": locale.datetime(updated, source.timezone),
    }


def form_model(locale: Locale) -> Model:
    """The form's choices (the JSON twin of ``/cases/new``)."""
    label = locale.label
    return {
        "page": "case_new",
        "title": locale.t("cases.new"),
        "locale": locale_model(locale),
        "channels": [{"id": c, "name": label("channel", c)} for c in FORM_CHANNELS],
        "languages": [{"id": code, "name": label("language", code)} for code in LANGS],
        "categories": [{"id": c, "name": label("cases.category", c)} for c in CATEGORIES],
        "priorities": [{"id": p, "name": label("priority", p)} for p in reversed(PRIORITIES)],
        "create": "POST /api/cases",
    }


def suggestion(found: Triage, locale: Locale) -> Model:
    """A triage result as the form shows it."""
    return {
        **found.as_dict(),
        "category_label": locale.label("cases.category", found.category),
        "priority_label": locale.label("priority", found.priority),
        "reasons": [_reason(r, locale) for r in found.reasons],
    }
