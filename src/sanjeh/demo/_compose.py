"""Recipes: which slots make up each kind of message, and how style and mood weigh them.

An agent's style is persistent (a rude agent stays rude), a customer's mood
follows the service (slow replies and rude answers make it worse). The text
carries the signals the labels imply: a slow reply gets an apology from a polite
agent and a complaint from the customer; a rude agent blames the customer; an
angry customer may ask for a manager.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ._const import ANGRY, MONEY_CATEGORIES, ORDER_CATEGORIES, UPSET, Flag, Role
from ._text import Composer


@dataclasses.dataclass
class Ctx:
    c: Composer
    style: np.ndarray  # agent style (agents), -1 otherwise
    mood: np.ndarray  # customer mood
    flags: np.ndarray
    chat: np.ndarray  # short, spoken form (chat, social)

    def has(self, flag: Flag) -> np.ndarray:
        return (self.flags & flag) != 0

    def by_style(self, table: tuple[float, float, float, float]) -> np.ndarray:
        return np.asarray(table)[np.clip(self.style, 0, 3)]

    def by_mood(self, table: tuple[float, float, float, float]) -> np.ndarray:
        return np.asarray(table)[np.clip(self.mood, 0, 3)]


# -- agents -------------------------------------------------------------------------------


def _greet(x: Ctx, warm: tuple, plain: tuple) -> None:
    x.c.one_of(
        [("a_greet_warm", x.by_style(warm)), ("a_greet_plain", x.by_style(plain))], line=True
    )


def _tone(x: Ctx) -> None:
    """Rude and curt remarks, and "we can't" versus "here is what I can do"."""
    x.c.add("a_rude", x.by_style((0, 0, 0.05, 0.7)))
    x.c.add("a_curt", x.by_style((0, 0.03, 0.45, 0.3)))
    x.c.one_of(
        [
            ("a_positive", x.by_style((0.4, 0.18, 0.04, 0.0))),
            ("a_negative", x.by_style((0.03, 0.1, 0.35, 0.55))),
        ]
    )


def _close(x: Ctx, warm: tuple = (0.85, 0.45, 0.05, 0.0)) -> None:
    x.c.one_of(
        [("a_close_warm", x.by_style(warm)), ("a_close_plain", x.by_style((0.1, 0.35, 0.3, 0.2)))],
        line=True,
    )
    x.c.add("a_sign", x.by_style((0.7, 0.6, 0.3, 0.3)), mask=~x.chat, line=True)


def _body(x: Ctx) -> None:
    ask, final, hold = x.has(Flag.ASK), x.has(Flag.FINAL), x.has(Flag.HOLD)
    x.c.add("a_question", mask=ask, keyed=True)
    x.c.add("a_hold", mask=hold)
    x.c.add("a_solution", mask=final, keyed=True)
    x.c.add("a_progress", mask=~ask & ~final & ~hold)


def agent_first(x: Ctx) -> None:
    _greet(x, (0.85, 0.5, 0.05, 0.0), (0.12, 0.4, 0.4, 0.25))
    x.c.add("a_intro", x.by_style((0.35, 0.2, 0.0, 0.0)))
    x.c.add("a_thanks_contact", x.by_style((0.4, 0.2, 0.0, 0.0)) * np.where(x.chat, 0.5, 1))
    upset = x.mood >= UPSET
    x.c.add(
        "a_empathy", np.where(upset, x.by_style((0.8, 0.35, 0.05, 0)), x.by_style((0.3, 0.1, 0, 0)))
    )
    slow = x.has(Flag.SLOW)
    x.c.add("a_apology_delay", x.by_style((0.9, 0.6, 0.15, 0.0)), mask=slow)
    x.c.add("a_apology", np.where(upset, x.by_style((0.4, 0.15, 0, 0)), 0.0), mask=~slow)
    _tone(x)
    _body(x)
    x.c.add("a_ownership", x.by_style((0.35, 0.12, 0.02, 0.0)))
    waits = x.has(Flag.ASK) | x.has(Flag.HOLD)
    x.c.add("a_promise", x.by_style((0.5, 0.3, 0.1, 0.05)), mask=waits)
    x.c.add("a_check", x.by_style((0.45, 0.3, 0.05, 0.0)), mask=x.has(Flag.FINAL))
    _close(x)


def agent_followup(x: Ctx) -> None:
    _greet(x, (0.35, 0.15, 0.0, 0.0), (0.3, 0.35, 0.2, 0.1))
    x.c.add("a_apology_delay", x.by_style((0.85, 0.5, 0.1, 0.0)), mask=x.has(Flag.SLOW))
    x.c.add("a_thanks_contact", x.by_style((0.3, 0.15, 0.0, 0.0)))
    _tone(x)
    _body(x)
    x.c.add("a_promise", x.by_style((0.4, 0.25, 0.05, 0.0)), mask=~x.has(Flag.FINAL))
    _close(x, (0.6, 0.3, 0.0, 0.0))


def agent_solve(x: Ctx) -> None:
    _greet(x, (0.4, 0.2, 0.0, 0.0), (0.3, 0.35, 0.2, 0.1))
    x.c.add("a_apology_delay", x.by_style((0.85, 0.5, 0.1, 0.0)), mask=x.has(Flag.SLOW))
    glad = x.c.add("a_glad", x.by_style((0.6, 0.3, 0.05, 0.0)))
    x.c.add("a_solution", np.where(glad, 0.6, 1.0), keyed=True)
    x.c.add("a_curt", x.by_style((0, 0, 0.3, 0.2)))
    x.c.add("a_rude", x.by_style((0, 0, 0, 0.4)))
    x.c.add("a_check", x.by_style((0.5, 0.3, 0.05, 0.0)))
    _close(x)


def agent_escalating(x: Ctx) -> None:
    _greet(x, (0.5, 0.25, 0.0, 0.0), (0.3, 0.4, 0.3, 0.2))
    x.c.add("a_empathy", x.by_style((0.6, 0.25, 0.0, 0.0)))
    x.c.add("a_escalate")
    x.c.add("a_promise", x.by_style((0.6, 0.4, 0.1, 0.0)))
    x.c.add("a_ownership", x.by_style((0.3, 0.1, 0.0, 0.0)))
    x.c.add("a_curt", x.by_style((0, 0, 0.3, 0.3)))
    _close(x)


def agent_specialist(x: Ctx) -> None:
    _greet(x, (0.8, 0.5, 0.1, 0.0), (0.15, 0.4, 0.5, 0.3))
    x.c.add("a_specialist", x.by_style((0.9, 0.7, 0.3, 0.2)))
    x.c.add("a_apology_delay", x.by_style((0.8, 0.5, 0.1, 0.0)), mask=x.has(Flag.SLOW))
    _tone(x)
    _body(x)
    x.c.add("a_ownership", x.by_style((0.4, 0.15, 0.0, 0.0)))
    _close(x)


def agent_reopen(x: Ctx) -> None:
    _greet(x, (0.6, 0.3, 0.0, 0.0), (0.3, 0.4, 0.4, 0.2))
    x.c.add("a_reopen", x.by_style((0.9, 0.6, 0.2, 0.05)))
    _tone(x)
    _body(x)
    x.c.add("a_ownership", x.by_style((0.5, 0.2, 0.0, 0.0)))
    _close(x)


def agent_outbound(x: Ctx) -> None:
    _greet(x, (0.9, 0.7, 0.3, 0.2), (0.1, 0.3, 0.6, 0.7))
    x.c.add("a_intro", 0.6)
    x.c.add("a_outbound", keyed=True)
    x.c.add("a_question", 0.4, keyed=True)
    _close(x)


def agent_call(x: Ctx) -> None:
    x.c.add("a_call_prefix", 0.8)
    x.c.add("a_call_topic", keyed=True)
    final = x.has(Flag.FINAL)
    x.c.add("a_call_done", mask=final)
    x.c.add("a_call_followup", mask=~final)


def agent_dup(x: Ctx) -> None:
    _greet(x, (0.6, 0.3, 0.0, 0.0), (0.4, 0.6, 0.5, 0.3))
    x.c.add("a_dup")
    _close(x, (0.5, 0.2, 0.0, 0.0))


def note(x: Ctx) -> None:
    x.c.add("n_note")


def note_escalate(x: Ctx) -> None:
    x.c.add("n_escalate")


def note_hold(x: Ctx) -> None:
    x.c.add("n_hold")


def note_dup(x: Ctx) -> None:
    x.c.add("n_dup")


# -- bots ---------------------------------------------------------------------------------


def bot_greet(x: Ctx) -> None:
    x.c.add("b_greet")
    x.c.add("b_suggest", 0.8, keyed=True)


def bot_handoff(x: Ctx) -> None:
    offline = x.has(Flag.OFFLINE)
    x.c.add("b_offline", mask=offline)
    x.c.add("b_handoff", mask=~offline)


def bot_resolve(x: Ctx) -> None:
    x.c.add("b_resolved")


def bot_ack(x: Ctx) -> None:
    x.c.add("b_ack")


# -- customers ----------------------------------------------------------------------------


def customer_first(x: Ctx) -> None:
    x.c.add("c_greet", x.by_mood((0.85, 0.7, 0.45, 0.15)), line=True)
    x.c.add("c_polite", x.by_mood((0.4, 0.2, 0.05, 0.0)))
    x.c.add("c_issue", keyed=True)
    cat = x.c.category
    x.c.add("c_order", np.where(np.isin(cat, ORDER_CATEGORIES), 0.55, 0.0))
    x.c.add("c_amount", np.where(np.isin(cat, MONEY_CATEGORIES), 0.45, 0.0))
    x.c.add("c_detail", np.where(x.chat, 0.15, 0.4))
    x.c.add("c_angry", x.by_mood((0.0, 0.0, 0.35, 0.9)))
    x.c.add("c_manager", mask=x.has(Flag.MANAGER))
    x.c.add("c_request", x.by_mood((0.7, 0.6, 0.5, 0.3)))
    x.c.add("c_thanks", x.by_mood((0.75, 0.55, 0.25, 0.05)), line=True)


def customer_followup(x: Ctx) -> None:
    x.c.add("c_slow", 0.85, mask=x.has(Flag.SLOW))
    x.c.add("c_after_rude", 0.9, mask=x.has(Flag.AFTER_RUDE))
    x.c.add("c_angry", np.where(x.mood == ANGRY, 0.5, 0.0))
    x.c.add("c_manager", mask=x.has(Flag.MANAGER))
    info = x.c.add("c_info", 0.75, keyed=True)
    x.c.add("c_still", mask=~info)
    x.c.add("c_thanks", x.by_mood((0.5, 0.35, 0.15, 0.02)))


def customer_confirm(x: Ctx) -> None:
    x.c.add("c_slow", 0.6, mask=x.has(Flag.SLOW))  # satisfied, but not with the wait
    x.c.add("c_confirm")
    x.c.add("c_thanks", 0.35)


def customer_reopen(x: Ctx) -> None:
    x.c.add("c_greet", x.by_mood((0.6, 0.4, 0.2, 0.05)))
    x.c.add("c_reopen")
    x.c.add("c_still", 0.3)
    x.c.add("c_angry", x.by_mood((0.0, 0.0, 0.4, 0.85)))
    x.c.add("c_manager", mask=x.has(Flag.MANAGER))
    x.c.add("c_request", 0.5)


def customer_to_bot(x: Ctx) -> None:
    x.c.add("c_to_bot")


def customer_bot_ok(x: Ctx) -> None:
    x.c.add("c_bot_ok")


RECIPES: dict[int, Callable[[Ctx], None]] = {
    Role.CUST_FIRST: customer_first,
    Role.CUST_FOLLOWUP: customer_followup,
    Role.CUST_CONFIRM: customer_confirm,
    Role.CUST_REOPEN: customer_reopen,
    Role.CUST_TO_BOT: customer_to_bot,
    Role.CUST_BOT_OK: customer_bot_ok,
    Role.AGENT_FIRST: agent_first,
    Role.AGENT_FOLLOWUP: agent_followup,
    Role.AGENT_SOLVE: agent_solve,
    Role.AGENT_ESCALATING: agent_escalating,
    Role.AGENT_SPECIALIST: agent_specialist,
    Role.AGENT_REOPEN: agent_reopen,
    Role.AGENT_OUTBOUND: agent_outbound,
    Role.AGENT_CALL: agent_call,
    Role.AGENT_DUP: agent_dup,
    Role.NOTE: note,
    Role.NOTE_ESCALATE: note_escalate,
    Role.NOTE_HOLD: note_hold,
    Role.NOTE_DUP: note_dup,
    Role.BOT_GREET: bot_greet,
    Role.BOT_HANDOFF: bot_handoff,
    Role.BOT_RESOLVE: bot_resolve,
    Role.BOT_ACK: bot_ack,
}
