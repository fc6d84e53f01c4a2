"""Turn simulated arrays into Arrow tables of the canonical model (ids, codes, times)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._const import (
    A_AGENT,
    A_CUSTOMER,
    A_SYSTEM,
    ACTOR,
    APP_CRASH,
    CATEGORIES,
    CHANNELS,
    EMAIL,
    ENTERPRISE,
    K_ESCALATE,
    K_HANDOFF,
    K_MESSAGE,
    K_STATUS,
    KIND,
    LANGS,
    LOGIN,
    PHONE,
    PRIORITY,
    S_CLOSED,
    S_SOLVED,
    SOURCE,
    STATUS,
    VIP,
    Flag,
    Role,
)
from ._org import TEAMS, Org
from ._recorder import Events
from ._world import Chunk, World

US = 1_000_000
TIMESTAMP = pa.timestamp("us", tz="UTC")


def ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """UTC timestamps from epoch seconds; ``valid`` False (or negative seconds) is null."""
    seconds = np.asarray(seconds, dtype=np.int64)
    mask = seconds < 0 if valid is None else ~valid
    return pa.array(seconds * US, TIMESTAMP, mask=mask)


def codes(vocab: tuple[str, ...], values: np.ndarray) -> pa.Array:
    """Strings of a vocabulary by code; negative codes are null."""
    values = np.asarray(values, dtype=np.int64)
    return pc.take(pa.array(vocab), pa.array(values, mask=values < 0))


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(
        pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


class Ids:
    """Namespaced ids of the run (``demo:t-000123``); widths fit the run's size."""

    def __init__(self, tickets: int, customers: int, org: Org) -> None:
        self.t_width = max(6, len(str(tickets)))
        self.c_width = max(6, len(str(customers)))
        humans = int((~org.is_bot).sum())
        a_width = max(3, len(str(humans)))
        agent = [f"{SOURCE}:a-{i + 1:0{a_width}d}" for i in range(humans)]
        agent += [f"{SOURCE}:bot-{email.split('@')[0]}" for _, _, email in org.names[humans:]]
        self.agents = pa.array(agent)
        self.teams = pa.array([f"{SOURCE}:{t.slug}" for t in TEAMS])

    def ticket(self, index: np.ndarray) -> pa.Array:
        return numbered(f"{SOURCE}:t-", np.asarray(index) + 1, self.t_width)

    def ticket_external(self, index: np.ndarray) -> pa.Array:
        return numbered("t-", np.asarray(index) + 1, self.t_width)

    def customer(self, index: np.ndarray) -> pa.Array:
        index = np.asarray(index, dtype=np.int64)
        ids = numbered(f"{SOURCE}:c-", np.maximum(index, 0) + 1, self.c_width)
        return pc.if_else(pa.array(index >= 0), ids, pa.scalar(None, pa.string()))

    def customer_external(self, index: np.ndarray) -> pa.Array:
        return numbered("c-", np.asarray(index, dtype=np.int64) + 1, self.c_width)

    def agent(self, index: np.ndarray) -> pa.Array:
        index = np.asarray(index, dtype=np.int64)
        return pc.take(self.agents, pa.array(index, mask=index < 0))

    def team(self, index: np.ndarray) -> pa.Array:
        index = np.asarray(index, dtype=np.int64)
        return pc.take(self.teams, pa.array(index, mask=index < 0))


def ticket_facts(ev: Events, chunk: Chunk, world: World) -> dict[str, np.ndarray]:
    """What each ticket's customer experienced, read off its (cut) timeline."""
    n = chunk.hi - chunk.lo
    kind, actor_type, role = ev["kind"], ev["actor_type"], ev["role"]
    reply = (kind == K_MESSAGE) & (actor_type == A_AGENT) & ev["public"]
    reply &= (role != Role.AGENT_CALL) & (role != Role.AGENT_OUTBOUND)
    first = ev.first_at(n, reply)
    frt = np.where(first >= 0, first - chunk.created, np.nan)
    frt = np.where(chunk.agent_created, 0.0, frt)  # served live or contacted by us
    state = ev.state(n)
    solved_status = ev.last(n, kind == K_STATUS, "status")
    solved_at = np.where(
        np.isin(solved_status, (S_SOLVED, S_CLOSED)),
        ev.last(n, (kind == K_STATUS) & (ev["status"] == S_SOLVED), "at"),
        -1,
    )
    style = np.where(reply, world.org.style[np.where(reply, ev["actor"], 0)], -1)
    worst = np.full(n, -1, dtype=np.int64)
    np.maximum.at(worst, ev["tix"], style)
    solver = ev.last(n, (kind == K_STATUS) & (ev["status"] == S_SOLVED), "actor_type")
    return {
        **state,
        "frt": frt,
        "solved_at": solved_at,
        "reopened": ev.count(n, role == Role.CUST_REOPEN) > 0,
        "escalated": ev.count(n, kind == K_ESCALATE) > 0,
        "handoff": ev.count(n, kind == K_HANDOFF) > 0,
        "replies": ev.count(n, reply),
        "worst_style": worst,
        "auto_solved": (solver == A_SYSTEM) & (solved_at >= 0),
        "manager": ev.count(n, (ev["flags"] & Flag.MANAGER) != 0) > 0,
    }


def events_table(ev: Events, chunk: Chunk, ids: Ids, body: pa.Array) -> pa.Table:
    tix = ev["tix"]
    ticket = ids.ticket(chunk.lo + tix)
    seq = pc.utf8_lpad(pa.array(ev.seq()).cast(pa.string()), 2, "0")
    actor_type = ev["actor_type"]
    actor = ev["actor"]
    by_customer = actor_type == A_CUSTOMER
    actor_id = pc.if_else(
        pa.array(by_customer),
        ids.customer(np.where(by_customer, actor, -1)),
        ids.agent(np.where(by_customer | (actor_type == A_SYSTEM), -1, actor)),
    )
    # phone tickets: the call summary is on the phone, everything after by e-mail
    is_msg = ev["kind"] == K_MESSAGE
    phone = chunk.channel[tix] == PHONE
    channel = np.where(is_msg & phone, np.where(ev["role"] == Role.AGENT_CALL, PHONE, EMAIL), -1)
    merged = ev["merged"]
    return pa.table(
        {
            "event_id": pc.binary_join_element_wise(ticket, seq, "-"),
            "ticket_id": ticket,
            "at": ts(ev["at"]),
            "kind": codes(KIND, ev["kind"]),
            "actor_type": codes(ACTOR, actor_type),
            "actor_id": actor_id,
            "public": pa.array(ev["public"]),
            "channel": codes(CHANNELS, channel),
            "status": codes(STATUS, ev["status"]),
            "priority": codes(PRIORITY, ev["priority"]),
            "team_id": ids.team(ev["team"]),
            "agent_id": ids.agent(ev["agent"]),
            "tier": pa.array(ev["tier"].astype(np.int64), mask=ev["tier"] < 0),
            "merged_into": pc.if_else(
                pa.array(merged >= 0),
                ids.ticket(np.maximum(merged, 0)),
                pa.scalar(None, pa.string()),
            ),
            "body": body,
        }
    )


def _tags(
    chunk: Chunk, facts: dict[str, np.ndarray], world: World, rng: np.random.Generator
) -> pa.Array:
    n = chunk.hi - chunk.lo
    segment = world.customers.segment[chunk.customer]
    platform = np.array(["android", "ios", "web"])[rng.choice(3, n, p=[0.55, 0.3, 0.15])]
    technical = np.isin(chunk.category, (LOGIN, APP_CRASH))
    columns = [
        (np.ones(n, bool), np.array(CATEGORIES)[chunk.category]),
        (segment == VIP, "vip"),
        (segment == ENTERPRISE, "enterprise"),
        (technical, platform),
        (facts["handoff"], "bot_handoff"),
        (chunk.bot_first & ~facts["handoff"], "bot_only"),
        (facts["escalated"], "escalated"),
        (facts["reopened"], "reopened"),
        (chunk.agent_created & (chunk.channel != PHONE), "outbound"),
        (chunk.channel == PHONE, "phone_logged"),
        (chunk.dup_of >= 0, "duplicate"),
    ]
    present = np.stack([np.broadcast_to(m, (n,)) for m, _ in columns], axis=1)
    values = np.stack(
        [np.broadcast_to(np.asarray(v, dtype=object), (n,)) for _, v in columns], axis=1
    )
    flat = values[present]  # row-major: each ticket's tags in order
    offsets = np.r_[0, np.cumsum(present.sum(axis=1))].astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat.astype(str), pa.string()))


def tickets_table(
    chunk: Chunk,
    facts: dict[str, np.ndarray],
    ids: Ids,
    world: World,
    subject: pa.Array,
    rng: np.random.Generator,
) -> pa.Table:
    n = chunk.hi - chunk.lo
    index = chunk.lo + np.arange(n)
    merged = facts["merged"]
    return pa.table(
        {
            "ticket_id": ids.ticket(index),
            "source": pa.array(np.full(n, SOURCE, dtype=object), pa.string()),
            "external_id": ids.ticket_external(index),
            "channel": codes(CHANNELS, chunk.channel),
            "subject": subject,
            "created_at": ts(chunk.created),
            "updated_at": ts(facts["updated"]),
            "status": codes(STATUS, facts["status"]),
            "customer_id": ids.customer(chunk.customer),
            "team_id": ids.team(facts["team"]),
            "agent_id": ids.agent(facts["agent"]),
            "priority": codes(PRIORITY, facts["priority"]),
            "category": codes(CATEGORIES, chunk.category),
            "tags": _tags(chunk, facts, world, rng),
            "language": codes(LANGS, chunk.lang),
            "merged_into": pc.if_else(
                pa.array(merged >= 0),
                ids.ticket(np.maximum(merged, 0)),
                pa.scalar(None, pa.string()),
            ),
        }
    )
