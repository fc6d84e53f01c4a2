"""Write the text of every message event of a chunk, and the tickets' subjects.

Rows are grouped by (language, role); each group is composed in one pass of
Arrow kernels. Per-ticket facts (order number, amount, names) are drawn once
per ticket so the customer and the agent quote the same order number.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._compose import RECIPES, Ctx
from ._const import A_AGENT, A_BOT, AR, CHAT, FA, K_MESSAGE, LANGS, PHONE, SOCIAL, Role
from ._recorder import Events
from ._text import Composer, bank, local_digits
from ._world import Chunk, World
from .phrases.names import NAMES

_NATIVE = [pa.array([n for n, _ in firsts]) for firsts, _ in NAMES]
_LATIN = [pa.array([latin for _, latin in firsts]) for firsts, _ in NAMES]


class TicketFacts:
    """Numbers and names a ticket's messages refer to, one value per ticket of the chunk."""

    def __init__(self, chunk: Chunk, world: World, rng: np.random.Generator) -> None:
        n = chunk.hi - chunk.lo
        self.order = pa.array(rng.integers(1_000_000, 9_999_999, n).astype(str))
        lang = chunk.lang
        amount = np.where(
            lang == FA,
            rng.integers(10, 600, n) * 5,
            np.where(lang == AR, rng.integers(20, 900, n), rng.integers(5, 400, n)),
        )
        self.amount = pa.array(amount.astype(str))
        ref = np.where(chunk.dup_of >= 0, chunk.dup_of, chunk.lo + np.arange(n)) + 1
        self.ticket = pc.binary_join_element_wise("#", pa.array(ref.astype(str)), "")
        cust = world.customers
        clang = cust.lang[chunk.customer]
        first = cust.first_name[chunk.customer].astype(np.int64)
        name = pa.array(np.full(n, "", dtype=object), pa.string())
        for code in range(3):
            rows = clang == code
            if not rows.any():
                continue
            own = pc.take(_NATIVE[code], pa.array(np.where(rows, first, 0)))
            latin = pc.take(_LATIN[code], pa.array(np.where(rows, first, 0)))
            native_here = pa.array(rows & (lang == code))
            name = pc.if_else(pa.array(rows), pc.if_else(native_here, own, latin), name)
        self.name = name


def message_bodies(
    ev: Events, chunk: Chunk, world: World, facts: TicketFacts, rng: np.random.Generator
) -> pa.Array:
    """Body text per event (null for events that are not messages)."""
    kind, role, tix = ev["kind"], ev["role"], ev["tix"]
    n = len(ev)
    is_msg = (kind == K_MESSAGE) & (role >= 0)
    lang = chunk.lang[tix]
    channel = chunk.channel[tix]
    actor = ev["actor"]
    agentish = (ev["actor_type"] == A_AGENT) | (ev["actor_type"] == A_BOT)
    org = world.org
    human = ev["actor_type"] == A_AGENT
    style = np.where(human, org.style[np.where(human, actor, 0)], -1)
    chat = np.isin(channel, (CHAT, SOCIAL))
    # phone tickets continue by e-mail after the call
    newline = ~chat & ~((channel == PHONE) & (role == Role.AGENT_CALL))

    agent_names = [pa.array(org.first[:, k].astype(str)) for k in range(3)]
    pieces: list[pa.Array] = []
    order: list[np.ndarray] = []
    for lg, code in enumerate(LANGS):
        for r, recipe in RECIPES.items():
            rows = np.flatnonzero(is_msg & (lang == lg) & (role == r))
            if not len(rows):
                continue
            t = pa.array(tix[rows])
            agent = np.where(agentish[rows], actor[rows], org.bot_chat)  # customers: unused
            values = {
                "name": pc.take(facts.name, t),
                "agent": pc.take(agent_names[lg], pa.array(agent)),
                "ticket": pc.take(facts.ticket, t),
                "order": pc.take(facts.order, t),
                "amount": pc.take(facts.amount, t),
            }
            customer = ~agentish[rows]
            # customers often type local digits; agents mostly paste system numbers
            values["order"] = local_digits(values["order"], code, np.where(customer, 0.5, 0.1), rng)
            values["amount"] = local_digits(values["amount"], code, 0.5, rng)
            composer = Composer(bank(code), rng, values, chunk.category[tix[rows]], newline[rows])
            ctx = Ctx(composer, style[rows], ev["mood"][rows], ev["flags"][rows], chat[rows])
            recipe(ctx)
            text = composer.text()
            if code == "fa":
                text = _arabic_keyboard(text, customer, rng)
            pieces.append(text)
            order.append(rows)
    body = pa.nulls(n, pa.string())
    if pieces:
        rows = np.concatenate(order)
        texts = pa.concat_arrays(pieces)
        position = np.full(n, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        body = pc.take(texts, pa.array(position, mask=position < 0))
    return body


def _arabic_keyboard(text: pa.Array, customer: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """A few Persian customers type on an Arabic keyboard (ي and ك for ی and ک).

    Only texts that keep another Persian mark (a ZWNJ or one of پ چ ژ گ) are
    changed, so the language stays recognisable; normalisers must undo this.
    """
    pick = customer & (rng.random(len(text)) < 0.04)
    if not pick.any():
        return text
    rows = np.flatnonzero(pick)
    marked = pc.match_substring_regex(pc.take(text, pa.array(rows)), "[\u200cپچژگ]")
    rows = rows[np.asarray(marked.to_numpy(zero_copy_only=False), dtype=bool)]
    mask = np.zeros(len(text), dtype=bool)
    mask[rows] = True
    chosen = pc.take(text, pa.array(rows))
    swapped = pc.replace_substring(pc.replace_substring(chosen, "ی", "ي"), "ک", "ك")
    return pc.replace_with_mask(text, pa.array(mask), swapped)


def subjects(chunk: Chunk, facts: TicketFacts, rng: np.random.Generator) -> pa.Array:
    n = chunk.hi - chunk.lo
    pieces, order = [], []
    for lg, code in enumerate(LANGS):
        rows = np.flatnonzero(chunk.lang == lg)
        if not len(rows):
            continue
        t = pa.array(rows)
        values = {
            "name": pc.take(facts.name, t),
            "agent": pc.take(facts.name, t),
            "ticket": pc.take(facts.ticket, t),
            "order": local_digits(pc.take(facts.order, t), code, 0.3, rng),
            "amount": pc.take(facts.amount, t),
        }
        composer = Composer(
            bank(code), rng, values, chunk.category[rows], np.zeros(len(rows), bool)
        )
        composer.add("s_phone", mask=chunk.channel[rows] == PHONE)
        composer.add("subject", keyed=True)
        pieces.append(composer.text())
        order.append(rows)
    rows = np.concatenate(order)
    position = np.empty(n, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return pc.take(pa.concat_arrays(pieces), pa.array(position))
