"""Priority ranking of open tickets: which ticket to take next, and why.

    queue = rank_open_tickets(store, limit=20, team="demo:t-billing")
    queue.rows[0].reasons  # (PriorityReason("text", "cues", …), …)

Every open ticket (not solved or closed, not merged) gets a **score**, the sum of the
factors of :data:`PRIORITY_FACTORS` — each a weight times a number from 0 to 1 (the text: times
its triage points), so a user can add the parts up by hand:

========  ======  ================================================================
factor    weight  contribution
========  ======  ================================================================
text      10      × triage points of the customer's words, clipped to −1 … 6
value     20      × share of customers whose value is below this customer's
segment   15      × 1 when the customer's segment is a key one (vip, enterprise)
churn     30      × the customer's churn probability (customer_predictions)
sla       40      × share of the most pressing SLA target used (1: breached)
waiting   10      × hours the customer has been waiting / 24, at most 1
========  ======  ================================================================

- **text**: ``sanjeh.text.triage`` of the ticket's subject, the customer's opening
  message and their latest one (each cue kind counts once, as in triage): an urgent
  message (4 points) alone scores 40, a high one (2 points) 20.
- **value**: the customer's annual value (``customers.value``) against every customer's:
  the top customer of 20 scores 19/20 × 20 = 19 and reads "customer value top 5 %".
- **churn**: the latest churn prediction of the customer. When ``customer_predictions``
  holds no churn prediction at all, churn is not part of the score and the queue says so
  (:attr:`PriorityQueue.notes`).
- **sla**: the ticket's SLA policy (the facts' ``sla_*_target_s``): the first-reply
  target while no agent has replied, and the resolution target; time is counted in
  business hours when the policy says so. The target used the most wins; a breached one
  counts fully.
- **waiting**: since the customer's latest message when no agent has replied after it
  (a ticket with no message at all: since it was created); 0 while the ticket waits on
  the customer.

The **suggested priority** comes from the score: ≥ 70 urgent, ≥ 40 high, ≥ 10 normal,
else low — and never below the priority triage gives the customer's words (an urgent
message is urgent however new). Ties are broken by age, oldest first, then by ticket id.

Everything but the text is computed by the database (Ibis: DuckDB, PostgreSQL); the text
is read and triaged in Python only for the tickets that can still reach the top
``limit``: tickets come in order of the rest of their score, and reading stops once the
next one could not make the top even with the highest text score.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..calendar import epoch_seconds, with_business_seconds
from ..errors import ValidationError
from ..metrics import MetricsConfig, ensure_facts
from ..metrics._build import CLOCK, TICKET_FACTS, facts_as_of
from ..store import Store
from ..text import triage

# -- the declared weights ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Factor:
    """One part of the score: ``weight`` × a number (``scale`` says which), and why."""

    name: str
    weight: float
    scale: str
    why: str


PRIORITY_FACTORS: tuple[Factor, ...] = (
    Factor(
        "text",
        10.0,
        "triage points of the customer's words (subject, opening and latest message), "
        "clipped to -1 … 6",
        "the customer says it is urgent, down, costing money, insecure or a reason to leave",
    ),
    Factor(
        "value",
        20.0,
        "share of customers whose annual value is below this customer's (0 … 1)",
        "losing a valuable customer costs more",
    ),
    Factor(
        "segment",
        15.0,
        "1 when the customer's segment is a key one (vip, enterprise), else 0",
        "key accounts are promised faster service",
    ),
    Factor(
        "churn",
        30.0,
        "the customer's churn probability from customer_predictions (0 … 1)",
        "a customer about to leave is worth acting for now",
    ),
    Factor(
        "sla",
        40.0,
        "share of the most pressing SLA target already used, 1 when breached",
        "a breach is a promise broken; one close to it is about to be",
    ),
    Factor(
        "waiting",
        10.0,
        "hours the customer has been waiting without an answer / 24, at most 1",
        "the longer the wait, the worse the experience",
    ),
)
WEIGHTS: dict[str, float] = {f.name: f.weight for f in PRIORITY_FACTORS}
#: segments that earn the segment factor (compared in lower case)
KEY_SEGMENTS: tuple[str, ...] = ("vip", "enterprise")
#: triage points are clipped to this range before their weight applies
TEXT_POINTS: tuple[float, float] = (-1.0, 6.0)
TEXT_MAX = WEIGHTS["text"] * TEXT_POINTS[1]
#: the score each suggested priority starts at (below the last: low)
SUGGESTED = (("urgent", 70.0), ("high", 40.0), ("normal", 10.0))
_ORDER = ("low", "normal", "high", "urgent")
WAIT_FULL_S = 24 * 3600.0
#: a value share at or under this is named in the reasons ("customer value top 5 %")
VALUE_NAMED_TOP = 0.25
LIMIT = 50
#: tickets whose text is read at a time (at least; 4 × limit when more)
PAGE_MIN = 200
#: a team / agent filter: one id, several (any of them), or None (every one)
Chosen = str | Sequence[str] | None
MAX_LIMIT = 1000
_TRIAGE_LANGUAGES = ("fa", "ar", "en")


def suggested_priority(score: float, text_priority: str | None = None) -> str:
    """The priority a score suggests, raised to ``text_priority`` (triage's) if higher."""
    found = next((p for p, floor in SUGGESTED if score >= floor), "low")
    if text_priority in _ORDER and _ORDER.index(text_priority) > _ORDER.index(found):
        return text_priority
    return found


# -- results ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PriorityReason:
    """Why a ticket ranks where it does: a factor, what was found and its points.

    ``code`` with ``values`` is what a page translates (``priority.reason.<code>``);
    :attr:`text` is the English sentence."""

    factor: str
    code: str
    points: float
    values: dict[str, Any]

    @property
    def text(self) -> str:
        v = self.values
        if self.code == "cues":
            cues = ", ".join(f"{c['kind']} «{c['text']}»" for c in v["cues"])
            return f"customer's words: {cues}" if cues else "customer's words: no cue"
        if self.code == "value_top":
            return f"customer value top {v['top_pct']:g} %"
        if self.code == "value":
            return f"customer value above {v['below_pct']:g} % of customers"
        if self.code == "segment":
            return f"key segment {v['segment']}"
        if self.code == "churn":
            return f"churn risk {v['probability']:.2f}"
        target = str(v.get("target", "")).replace("_", " ")
        if self.code == "sla_breached":
            return f"SLA {target} breached {duration(v['overdue_s'])} ago"
        if self.code == "sla_due":
            return f"SLA {target} due in {duration(v['left_s'])}"
        if self.code == "waiting":
            return f"waiting {duration(v['seconds'])}"
        return self.code

    def as_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "code": self.code,
            "points": round(self.points, 2),
            "values": self.values,
            "text": self.text,
        }


@dataclasses.dataclass(frozen=True)
class RankedTicket:
    rank: int
    ticket_id: str
    subject: str | None
    created_at: dt.datetime
    status: str | None
    channel: str | None
    team_id: str | None
    agent_id: str | None
    customer_id: str | None
    customer_name: str | None
    assigned_priority: str | None
    suggested_priority: str
    score: float
    #: points per factor (every factor of PRIORITY_FACTORS, 0 when it does not apply)
    parts: dict[str, float]
    #: the factors that added or took points, most points first
    reasons: tuple[PriorityReason, ...]
    #: seconds left to the most pressing SLA target (negative: overdue), and which
    sla_left_s: float | None
    sla_target: str | None
    waiting_s: float
    churn_risk: float | None
    language: str | None = None

    @property
    def sla_breached(self) -> bool:
        return self.sla_left_s is not None and self.sla_left_s <= 0

    @property
    def changed(self) -> bool:
        """The suggestion differs from the priority the ticket has."""
        return self.assigned_priority != self.suggested_priority

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "ticket_id": self.ticket_id,
            "subject": self.subject,
            "created_at": self.created_at.isoformat(),
            "status": self.status,
            "channel": self.channel,
            "team_id": self.team_id,
            "agent_id": self.agent_id,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "language": self.language,
            "assigned_priority": self.assigned_priority,
            "suggested_priority": self.suggested_priority,
            "score": round(self.score, 2),
            "parts": {k: round(v, 2) for k, v in self.parts.items()},
            "reasons": [r.as_dict() for r in self.reasons],
            "sla_left_s": self.sla_left_s,
            "sla_target": self.sla_target,
            "sla_breached": self.sla_breached,
            "waiting_s": self.waiting_s,
            "churn_risk": self.churn_risk,
        }


@dataclasses.dataclass(frozen=True)
class PriorityQueue:
    """The ranked open tickets (the top ``limit``), how many are open, "now", and notes
    on what the score could not use."""

    rows: tuple[RankedTicket, ...]
    open_tickets: int
    as_of: dt.datetime
    churn_scored: bool
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "open_tickets": self.open_tickets,
            "churn_scored": self.churn_scored,
            "notes": list(self.notes),
            "weights": [dataclasses.asdict(f) for f in PRIORITY_FACTORS],
            "rows": [r.as_dict() for r in self.rows],
        }


NO_CHURN_NOTE = (
    "churn risk is not part of the score: customer_predictions holds no churn "
    "predictions yet (train the churn model to add it)"
)


def duration(seconds: float) -> str:
    """12 min, 3 h 20 min, 2 d 4 h (English, for the CLI and the reasons' text)."""
    s = abs(round(seconds))
    days, rest = divmod(s, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


# -- the query -----------------------------------------------------------------------------


def _now(as_of: dt.datetime) -> ir.TimestampValue:
    return ibis.literal(as_of.astimezone(dt.UTC), type="timestamp('UTC')")


def _values(store: Store) -> ir.Table:
    """Per customer with a value: the share of valued customers below it (``value_below``)
    and the share at or above it (``value_top``)."""
    c = store.table("customers")
    c = c.filter(c.value.notnull())
    everyone = ibis.window()
    n = c.customer_id.count().over(everyone).cast("float64")
    below = ibis.rank().over(order_by=c.value).cast("float64")  # (0-based: rows below)
    return c.select(v_customer_id=c.customer_id, value_below=below / n, value_top=1 - below / n)


def _churn(store: Store) -> ir.Table:
    """The latest churn probability per customer."""
    p = store.table("customer_predictions")
    p = p.filter((p.model == "churn") & p.probability.notnull())
    w = ibis.window(
        group_by=p.customer_id, order_by=[ibis.desc(p.predicted_at), ibis.desc(p.prediction_id)]
    )
    latest = p.mutate(_n=ibis.row_number().over(w)).filter(lambda t: t._n == 0)
    return latest.select(p_customer_id=latest.customer_id, churn_risk=latest.probability)


def _waiting(store: Store, tickets: ir.Table) -> ir.Table:
    """The latest customer message and agent reply of each of ``tickets`` (the open
    ones: read through a semi-join, not every ticket's events)."""
    e = store.table("events")
    ids = tickets.select(_open_id=tickets.ticket_id)
    e = e.semi_join(ids, e.ticket_id == ids._open_id)
    msg = (e.kind == "message") & e.public.fill_null(True)
    customer = msg & (e.actor_type == "customer")
    agent = msg & (e.actor_type == "agent")
    per = e.group_by("ticket_id").agg(
        last_customer_at=e.at.max(where=customer), last_agent_at=e.at.max(where=agent)
    )
    return per.select(
        w_ticket_id=per.ticket_id,
        last_customer_at=per.last_customer_at,
        last_agent_at=per.last_agent_at,
    )


def _base(store: Store, as_of: dt.datetime, team: Chosen, agent: Chosen) -> tuple[ir.Table, bool]:
    """Open tickets with every part of the score but the text (``base``), and whether
    churn predictions exist."""
    con = store.con
    f = con.table(TICKET_FACTS)
    f = f.filter(~f.is_solved.fill_null(False) & ~f.is_merged.fill_null(False))
    for column, chosen in (("team_id", team), ("agent_id", agent)):
        if chosen is not None:
            wanted = [chosen] if isinstance(chosen, str) else list(chosen)
            f = f.filter(f[column].isin(wanted) if wanted else ibis.literal(False))
    now = _now(as_of)
    f = f.select(
        "ticket_id", "created_at", "status", "channel", "team_id", "agent_id", "customer_id",
        "priority", "language", "calendar", "reply_clock_start", "first_reply_at",
        "sla_business", "sla_first_reply_target_s", "sla_resolution_target_s",
        _now=now,
    )  # fmt: skip
    f = with_business_seconds(
        f,
        {"_fr_b": ("reply_clock_start", "_now"), "_res_b": ("created_at", "_now")},
        con.table(CLOCK),
        calendar="calendar",
    )
    business = f.sla_business.fill_null(False)
    fr_elapsed = ibis.ifelse(
        business, f._fr_b, epoch_seconds(f._now) - epoch_seconds(f.reply_clock_start)
    )
    res_elapsed = ibis.ifelse(
        business, f._res_b, epoch_seconds(f._now) - epoch_seconds(f.created_at)
    )
    fr_target, res_target = f.sla_first_reply_target_s, f.sla_resolution_target_s
    fr_on = f.first_reply_at.isnull() & fr_target.notnull() & (fr_target > 0)
    res_on = res_target.notnull() & (res_target > 0)
    fr_left = ibis.ifelse(fr_on, fr_target - fr_elapsed, ibis.null("float64"))
    res_left = ibis.ifelse(res_on, res_target - res_elapsed, ibis.null("float64"))
    fr_used = ibis.ifelse(fr_on, fr_elapsed / fr_target, ibis.null("float64"))
    res_used = ibis.ifelse(res_on, res_elapsed / res_target, ibis.null("float64"))
    first_pressing = fr_used.fill_null(-1) >= res_used.fill_null(-1)
    f = f.mutate(
        sla_left_s=ibis.ifelse(first_pressing, fr_left, res_left),
        sla_target=ibis.ifelse(
            fr_left.isnull() & res_left.isnull(),
            ibis.null("string"),
            ibis.ifelse(first_pressing, ibis.literal("first_reply"), ibis.literal("resolution")),
        ),
        sla_used=ibis.greatest(fr_used.fill_null(0), res_used.fill_null(0)).clip(0, 1),
    )

    c = store.table("customers").select(
        c_customer_id="customer_id", customer_name="name", segment="segment"
    )
    t = store.table("tickets").select(s_ticket_id="ticket_id", subject="subject")
    j = f.left_join(c, f.customer_id == c.c_customer_id)
    j = j.left_join(t, j.ticket_id == t.s_ticket_id)
    values, churn, waits = _values(store), _churn(store), _waiting(store, f)
    j = j.left_join(values, j.customer_id == values.v_customer_id)
    j = j.left_join(churn, j.customer_id == churn.p_customer_id)
    j = j.left_join(waits, j.ticket_id == waits.w_ticket_id)
    answered = j.last_agent_at.notnull() & (
        j.last_customer_at.isnull() | (j.last_agent_at >= j.last_customer_at)
    )
    since = ibis.ifelse(answered, ibis.null("timestamp('UTC')"), j.last_customer_at)
    since = ibis.ifelse(j.last_customer_at.isnull() & j.last_agent_at.isnull(), j.created_at, since)
    waiting_s = (epoch_seconds(j._now) - epoch_seconds(since)).clip(lower=0).fill_null(0.0)
    key_segment = j.segment.lower().isin(list(KEY_SEGMENTS)).fill_null(False)
    parts = {
        "p_value": WEIGHTS["value"] * j.value_below.fill_null(0.0),
        "p_segment": WEIGHTS["segment"] * ibis.ifelse(key_segment, 1.0, 0.0),
        "p_churn": WEIGHTS["churn"] * j.churn_risk.fill_null(0.0),
        "p_sla": WEIGHTS["sla"] * j.sla_used.fill_null(0.0),
        "p_waiting": WEIGHTS["waiting"] * (waiting_s / WAIT_FULL_S).clip(upper=1),
    }
    out = j.select(
        "ticket_id", "created_at", "status", "channel", "team_id", "agent_id", "customer_id",
        "customer_name", "segment", "subject", "priority", "language", "sla_left_s", "sla_target",
        "value_top", "value_below", "churn_risk",
        waiting_s=waiting_s,
        **parts,
    )  # fmt: skip
    out = out.mutate(base=sum((out[k] for k in parts), ibis.literal(0.0)))
    p = store.table("customer_predictions")
    has_churn = bool(con.execute(p.filter(p.model == "churn").count()))
    return out, has_churn


def _texts(store: Store, ids: list[str], subjects: dict[str, Any]) -> dict[str, str]:
    """What triage reads per ticket: the subject (unless the opening message holds it),
    the customer's opening message and their latest one (when it is another)."""
    if not ids:
        return {}
    e = store.table("events")
    e = e.filter(
        e.ticket_id.isin(ids)
        & (e.kind == "message")
        & (e.actor_type == "customer")
        & e.body.notnull()
        & e.public.fill_null(True)
    )
    order = [e.at, e.event_id]
    first = ibis.window(group_by=e.ticket_id, order_by=order)
    last = ibis.window(group_by=e.ticket_id, order_by=[ibis.desc(c) for c in order])
    ranked = e.mutate(_first=ibis.row_number().over(first), _last=ibis.row_number().over(last))
    ranked = ranked.filter((ranked._first == 0) | (ranked._last == 0))
    msgs = ranked.select("ticket_id", "body", "_first").to_pandas()
    opening: dict[str, str] = {}
    latest: dict[str, str] = {}
    for tid, body, n in zip(msgs.ticket_id, msgs.body, msgs._first, strict=True):
        (opening if n == 0 else latest)[str(tid)] = str(body)
    out = {}
    for tid in ids:
        subject = subjects.get(tid)
        pieces = []
        first_msg = opening.get(tid, "")
        title = subject.strip() if isinstance(subject, str) else ""
        if title and title.rstrip("…").strip() not in first_msg:
            pieces.append(title)
        if first_msg:
            pieces.append(first_msg)
        if tid in latest and latest[tid] != first_msg:
            pieces.append(latest[tid])
        out[tid] = "\n".join(pieces)
    return out


def _text_part(text: str, language: Any) -> tuple[float, PriorityReason | None]:
    """The text's points and its reason (values: the cues, triage's points and priority)."""
    if not text.strip():
        return 0.0, None
    lang = language if isinstance(language, str) and language in _TRIAGE_LANGUAGES else None
    found = triage(text, lang)
    points = min(max(found.points, TEXT_POINTS[0]), TEXT_POINTS[1])
    cues = [{"kind": r.kind, "text": r.text} for r in found.priority_reasons]
    if not cues:
        return 0.0, None
    score = WEIGHTS["text"] * points
    values = {"cues": cues, "triage_points": found.points, "triage_priority": found.priority}
    return score, PriorityReason("text", "cues", score, values)


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def _opt(value: Any) -> Any:
    return value if _present(value) else None


def _reasons(row: Any, text_reason: PriorityReason | None) -> list[PriorityReason]:
    out = [text_reason] if text_reason is not None else []
    if row.p_value > 0 and _present(row.value_top):
        top = float(row.value_top)
        if top <= VALUE_NAMED_TOP:
            pct = max(1, math.ceil(top * 100 - 1e-9))
            out.append(PriorityReason("value", "value_top", row.p_value, {"top_pct": pct}))
        else:
            below = math.floor(float(row.value_below) * 100 + 1e-9)
            out.append(PriorityReason("value", "value", row.p_value, {"below_pct": below}))
    if row.p_segment > 0:
        out.append(
            PriorityReason("segment", "segment", row.p_segment, {"segment": str(row.segment)})
        )
    if _present(row.churn_risk):
        risk = float(row.churn_risk)
        out.append(PriorityReason("churn", "churn", row.p_churn, {"probability": round(risk, 4)}))
    if _present(row.sla_left_s):
        left = float(row.sla_left_s)
        target = str(row.sla_target)
        if left <= 0:
            out.append(
                PriorityReason(
                    "sla", "sla_breached", row.p_sla, {"target": target, "overdue_s": -left}
                )
            )
        else:
            out.append(
                PriorityReason("sla", "sla_due", row.p_sla, {"target": target, "left_s": left})
            )
    if row.waiting_s > 0:
        out.append(
            PriorityReason("waiting", "waiting", row.p_waiting, {"seconds": float(row.waiting_s)})
        )
    return sorted(out, key=lambda r: -r.points)


def _as_utc(value: Any) -> dt.datetime:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def rank_open_tickets(
    store: Store,
    *,
    limit: int = LIMIT,
    team: Chosen = None,
    agent: Chosen = None,
    as_of: dt.datetime | None = None,
    config: MetricsConfig | None = None,
    ensure: bool = True,
) -> PriorityQueue:
    """The open tickets (neither solved, closed nor merged) of ``team`` / ``agent`` (an id,
    or several: any of them; an empty list: none), most pressing first, at most ``limit``
    of them, each with its score, reasons and the priority suggested for it (module doc).

    ``as_of``: the instant SLA time left and waiting are measured at (default: the facts'
    "now", the data's last instant). ``ensure``: bring the facts up to date first (a
    server that keeps them current passes False).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit", f"must be between 1 and {MAX_LIMIT}, got {limit}")
    if as_of is not None and as_of.tzinfo is None:
        raise ValidationError("as_of", "give a time zone (e.g. 2026-03-02T09:00:00+00:00)")
    with store.lock:
        facts_now = ensure_facts(store, config).as_of if ensure else facts_as_of(store)
        if facts_now is None:
            facts_now = ensure_facts(store, config).as_of
        now = as_of or facts_now
        base, has_churn = _base(store, now, team, agent)
        # every open ticket's row in one query (a backlog is small beside the history;
        # one compiled query is most of the cost), then the text page by page
        ordered = base.order_by([ibis.desc(base.base), base.created_at, base.ticket_id])
        frame = ordered.to_pandas()
        total = len(frame)
        page = max(4 * limit, PAGE_MIN)
        scored: list[tuple[float, pd.Timestamp, str, Any, PriorityReason | None]] = []
        offset = 0
        while offset < total:
            chunk = frame.iloc[offset : offset + page]
            offset += page
            ids = [str(t) for t in chunk.ticket_id]
            texts = _texts(store, ids, dict(zip(ids, chunk.subject, strict=True)))
            for row in chunk.itertuples(index=False):
                part, reason = _text_part(texts.get(str(row.ticket_id), ""), row.language)
                scored.append((float(row.base) + part, row.created_at, str(row.ticket_id), row,
                               reason))  # fmt: skip
            if len(scored) >= limit and offset < total:
                kth = sorted((s[0] for s in scored), reverse=True)[limit - 1]
                if float(chunk.base.iloc[-1]) + TEXT_MAX < kth:
                    break  # nothing further down can reach the top ``limit``
    scored.sort(key=lambda s: (-round(s[0], 9), s[1], s[2]))
    rows = []
    for rank, (score, created, tid, row, text_reason) in enumerate(scored[:limit], start=1):
        parts = {
            "text": text_reason.points if text_reason else 0.0,
            "value": float(row.p_value),
            "segment": float(row.p_segment),
            "churn": float(row.p_churn),
            "sla": float(row.p_sla),
            "waiting": float(row.p_waiting),
        }
        rows.append(
            RankedTicket(
                rank=rank,
                ticket_id=tid,
                subject=_opt(row.subject),
                created_at=_as_utc(created),
                status=_opt(row.status),
                channel=_opt(row.channel),
                team_id=_opt(row.team_id),
                agent_id=_opt(row.agent_id),
                customer_id=_opt(row.customer_id),
                customer_name=_opt(row.customer_name),
                assigned_priority=_opt(row.priority),
                suggested_priority=suggested_priority(
                    score, text_reason.values["triage_priority"] if text_reason else None
                ),
                score=score,
                parts=parts,
                reasons=tuple(_reasons(row, text_reason)),
                sla_left_s=float(row.sla_left_s) if _present(row.sla_left_s) else None,
                sla_target=_opt(row.sla_target),
                waiting_s=float(row.waiting_s),
                churn_risk=float(row.churn_risk) if _present(row.churn_risk) else None,
                language=_opt(row.language),
            )
        )
    notes = () if has_churn else (NO_CHURN_NOTE,)
    return PriorityQueue(tuple(rows), total, now, has_churn, notes)
