"""Vocabularies of the demo world, as tuples indexed by small integer codes.

Arrays carry codes (``int8``); strings are only made when tables are written.
"""

from __future__ import annotations

import datetime as dt
import enum

from ..model import ACTOR_TYPES, EVENT_KINDS, PRIORITIES, STATUSES

SOURCE = "demo"
DEFAULT_DAYS = 90
#: the default period: 90 days ending 2026-10-31 (Tehran local dates)
DEFAULT_START = dt.date(2026, 8, 3)
CHUNK = 50_000  # tickets simulated and written together
CURRENCY = "USD"
#: the canonical tables the demo fills (analyzer output such as auto_scores is left
#: to the analyzers, which can be run over the demo like over any data)
DEMO_TABLES = (
    "teams",
    "agents",
    "customers",
    "tickets",
    "events",
    "calls",
    "call_segments",
    "survey_responses",
    "agent_shifts",
    "customer_outcomes",
)

LANGS = ("fa", "ar", "en")
FA, AR, EN = range(3)

CHANNELS = ("email", "chat", "phone", "social", "web")
EMAIL, CHAT, PHONE, SOCIAL, WEB = range(5)

CATEGORIES = (
    "delivery_delay",
    "order_change",
    "refund",
    "billing_error",
    "payment_failed",
    "login_problem",
    "app_crash",
    "account_change",
    "product_question",
    "cancellation",
)
(
    DELIVERY,
    ORDER_CHANGE,
    REFUND,
    BILLING_ERROR,
    PAYMENT_FAILED,
    LOGIN,
    APP_CRASH,
    ACCOUNT,
    PRODUCT,
    CANCELLATION,
) = range(10)
#: categories whose messages naturally quote an order number or an amount
ORDER_CATEGORIES = (DELIVERY, ORDER_CHANGE, REFUND)
MONEY_CATEGORIES = (REFUND, BILLING_ERROR, PAYMENT_FAILED)

PRIORITY = PRIORITIES  # low, normal, high, urgent
LOW, NORMAL, HIGH, URGENT = range(4)
STATUS = STATUSES  # new, open, pending, on_hold, solved, closed
S_NEW, S_OPEN, S_PENDING, S_HOLD, S_SOLVED, S_CLOSED = range(6)
KIND = EVENT_KINDS
K_CREATED, K_MESSAGE, K_STATUS, K_ASSIGN, K_PRIORITY, K_ESCALATE, K_HANDOFF, K_MERGE = range(8)
ACTOR = ACTOR_TYPES
A_CUSTOMER, A_AGENT, A_BOT, A_SYSTEM = range(4)

STYLES = ("polite", "neutral", "curt", "rude")
POLITE, NEUTRAL, CURT, RUDE = range(4)
MOODS = ("calm", "neutral", "upset", "angry")
CALM, MILD, UPSET, ANGRY = range(4)
SEGMENTS = ("consumer", "smb", "enterprise", "vip")
CONSUMER, SMB, ENTERPRISE, VIP = range(4)


class Role(enum.IntEnum):
    """What a message is for; picks its recipe in ``_compose``."""

    CUST_FIRST = 0
    CUST_FOLLOWUP = 1
    CUST_CONFIRM = 2
    CUST_REOPEN = 3
    CUST_TO_BOT = 4
    CUST_BOT_OK = 5
    AGENT_FIRST = 10
    AGENT_FOLLOWUP = 11
    AGENT_SOLVE = 12
    AGENT_ESCALATING = 13
    AGENT_SPECIALIST = 14
    AGENT_REOPEN = 15
    AGENT_OUTBOUND = 16
    AGENT_CALL = 17
    AGENT_DUP = 18
    NOTE = 20
    NOTE_ESCALATE = 21
    NOTE_HOLD = 22
    NOTE_DUP = 23
    BOT_GREET = 30
    BOT_HANDOFF = 31
    BOT_RESOLVE = 32
    BOT_ACK = 33


class Flag(enum.IntFlag):
    """Facts of the moment a message is written, so its text can reflect them."""

    NONE = 0
    SLOW = 1  # the previous wait was long: the customer complains, the agent apologises
    ASK = 2  # the agent asks a clarifying question (the ticket goes pending)
    HOLD = 4  # the agent puts the ticket on hold while a third party answers
    MANAGER = 8  # the customer asks for a manager
    OFFLINE = 16  # a bot hands off outside working hours
    FINAL = 32  # the reply resolves the ticket
    AFTER_RUDE = 64  # the customer reacts to a rude reply
    SOLVES = 128  # a first reply that also solves (one-touch)
