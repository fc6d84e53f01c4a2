"""Named options for the places where published conventions disagree.

Every choice that changes a number is an option here, with a documented default
and the convention it follows; ``docs/metrics.md`` lists them (generated).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from ..errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    default: Any
    description: str
    choices: tuple[Any, ...] | None = None
    convention: str = ""


OPTIONS: tuple[Option, ...] = (
    Option(
        "first_reply_start",
        "created",
        "When the first-reply clock starts: at ticket creation, or (for conversations a bot "
        "answered first) at the bot's hand-off to a human.",
        ("created", "handoff"),
        "Zendesk: creation starts the timer on every channel; bot replies never stop it.",
    ),
    Option(
        "count_bot_replies",
        False,
        "Whether bot messages count as replies (first reply, replies per ticket, response times).",
        (False, True),
        "Zendesk and Chatwoot count only human agent replies.",
    ),
    Option(
        "first_reply_match",
        "any_agent_message",
        "Which agent message is the first reply: the first public agent message anywhere in "
        "the ticket, or the first one that answers the customer's opening message directly "
        "(its events.reply_to names that message; e.g. a brand tweet replying to the "
        "customer's first tweet). The opening message is the ticket's first public message, "
        "when a customer wrote it: a linked thread an agent opened (or whose opening tweet is "
        "missing) has no direct first reply. A ticket none of whose events carries a reply "
        "link keeps the first agent message, so sources without links give the same number "
        "either way. First reply time, first-reply SLA and the SLA achievement follow it.",
        ("any_agent_message", "direct_reply"),
        "Zendesk: the first public agent comment. Social customer care (e.g. analyses of "
        "Twitter threads) times the brand's direct reply to the customer's opening tweet.",
    ),
    Option(
        "response_clock",
        "first_unanswered",
        "Where each customer-wait → agent-reply interval starts: at the first customer "
        "message not yet answered, or at the last one before the reply.",
        ("first_unanswered", "last_message"),
        "Zendesk 'requester wait' and Chatwoot 'reply time' start at the first unanswered message.",
    ),
    Option(
        "one_touch_includes_zero_replies",
        True,
        "Whether a ticket solved with no public agent reply counts as one-touch.",
        (True, False),
        "Zendesk Explore: one-touch = solved or closed with fewer than 2 agent replies.",
    ),
    Option(
        "csat_method",
        "top_two_box",
        "CSAT as the share of responses in the top two points of the scale (4-5 of 5), or "
        "as good / (good + bad) where the middle point is neither.",
        ("top_two_box", "good_bad"),
        "Top-two-box is the common survey convention; good/(good+bad) is Zendesk's "
        "satisfaction score.",
    ),
    Option(
        "fcr_method",
        "recontact",
        "How first-contact resolution is decided: solved, never reopened and no new ticket "
        "from the same customer within the window; or a tag set by agents; or a survey "
        "answer.",
        ("recontact", "tag", "survey"),
        "COPC / ICMI recommend measuring repeat contacts within a window (commonly 7 days).",
    ),
    Option(
        "fcr_window_days",
        7,
        "Days after resolution in which a new contact breaks FCR (fcr_method=recontact). "
        "A ticket solved less than this long before the data's last instant is *pending*: "
        "neither resolved at first contact nor not, and left out of the rate (the report "
        "says how many) until its window closes.",
    ),
    Option(
        "fcr_escalation",
        "breaks",
        "Whether an escalated ticket (to a higher tier or specialist team) can count as "
        "resolved at first contact, whatever fcr_method says.",
        ("breaks", "allowed"),
        "ICMI / SQM: first-contact resolution means resolved on the first contact without "
        "an escalation, transfer or call-back.",
    ),
    Option(
        "reopen_window_days",
        7,
        "Days after a ticket is first solved in which reopening it counts against the "
        "reopen rate; a ticket first solved less than this long before the data's last "
        "instant is pending. 0: count a reopen whenever it happens (no window, nothing "
        "pending).",
        convention="Zendesk counts reopens over a ticket's life; a window makes recent "
        "periods comparable with older ones.",
    ),
    Option("fcr_tag", "fcr", "Tag that marks a ticket resolved at first contact (fcr_method=tag)."),
    Option(
        "fcr_question",
        "resolved_first_contact",
        "Survey question (survey_responses.question) whose top score means resolved at first "
        "contact (fcr_method=survey).",
    ),
    Option(
        "conversion_window_days",
        30,
        "Days after a solved ticket in which a purchase or upgrade counts as post-support "
        "conversion.",
    ),
    Option(
        "deflection_days",
        1,
        "Days after a knowledge-base article view in which a ticket from the same customer "
        "means the view did not deflect it (a ticket exactly at the window's end still "
        "counts). A view less than this long before the data's last instant is pending: "
        "left out until its window closes. A longer window is stricter.",
        convention="Kustomer's glossary (Ticket deflection): a customer who viewed a "
        "knowledge-base article and did not open a ticket within a defined window, e.g. "
        "24 hours (kustomer.com/glossary/ticket-deflection).",
    ),
    Option(
        "include_merged",
        False,
        "Whether tickets merged into another ticket count in ticket KPIs.",
        (False, True),
        "Zendesk closes merged tickets; they are duplicates, not work.",
    ),
    Option(
        "service_level_seconds",
        20,
        "Answer-time threshold of the telephone service level (the 80/20 rule: 80 % in 20 s).",
        convention="ICMI / COPC.",
    ),
    Option(
        "service_level_formula",
        "offered",
        "Service-level denominator: all offered calls, only answered calls, or offered calls "
        "minus short abandons.",
        ("offered", "answered", "exclude_short_abandons"),
        "COPC counts abandoned calls against the service level (offered).",
    ),
    Option(
        "short_abandon_seconds",
        5,
        "Calls abandoned within this many seconds of queueing (wait ≤ this) are 'short abandons'.",
    ),
    Option(
        "abandonment_base",
        "offered",
        "Call abandonment rate base: all calls offered to agents (queued, answered — also "
        "without queueing — or abandoned; not IVR-only or phantom calls), or only the calls "
        "that waited in a queue (calls answered without queueing left out).",
        ("offered", "queued"),
        "ICMI / COPC: abandoned / offered, offered = calls that reached the agent queue.",
    ),
    Option(
        "utilisation_basis",
        "logged_in",
        "What utilisation puts over the agents' scheduled (paid) time: their logged-in time, "
        "or their handle time on calls (talk + hold + wrap of the calls they handled).",
        ("logged_in", "handle"),
        "ICMI / COPC: utilisation = logged-in (staffed) time / scheduled paid time; some "
        "workforce tools call handle time / paid time 'utilisation' (productive "
        "utilisation).",
    ),
    Option(
        "dead_air_seconds",
        10,
        "A call has dead air when its longest silence (nobody speaking) lasts more than this "
        "many seconds (calls with dead air).",
        convention="Speech analytics vendors flag silences of 5-10 s; 10 s is a pause the "
        "caller notices as dead air, not a breath.",
    ),
    Option(
        "chat_abandon_seconds",
        0,
        "A chat ended with no human or bot reply counts as abandoned when the customer waited "
        "at least this long.",
    ),
    Option(
        "as_of",
        None,
        "The report's 'now' for open tickets and backlog (default: the latest event in the "
        "store, so reports on historical data are stable).",
    ),
)

_BY_NAME = {o.name: o for o in OPTIONS}


@dataclasses.dataclass(frozen=True)
class MetricOptions:
    first_reply_start: Literal["created", "handoff"] = "created"
    count_bot_replies: bool = False
    first_reply_match: Literal["any_agent_message", "direct_reply"] = "any_agent_message"
    response_clock: Literal["first_unanswered", "last_message"] = "first_unanswered"
    one_touch_includes_zero_replies: bool = True
    csat_method: Literal["top_two_box", "good_bad"] = "top_two_box"
    fcr_method: Literal["recontact", "tag", "survey"] = "recontact"
    fcr_window_days: int = 7
    fcr_escalation: Literal["breaks", "allowed"] = "breaks"
    reopen_window_days: int = 7
    fcr_tag: str = "fcr"
    fcr_question: str = "resolved_first_contact"
    conversion_window_days: int = 30
    deflection_days: int = 1
    include_merged: bool = False
    service_level_seconds: int = 20
    service_level_formula: Literal["offered", "answered", "exclude_short_abandons"] = "offered"
    short_abandon_seconds: int = 5
    abandonment_base: Literal["offered", "queued"] = "offered"
    utilisation_basis: Literal["logged_in", "handle"] = "logged_in"
    dead_air_seconds: int = 10
    chat_abandon_seconds: int = 0
    as_of: dt.datetime | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            option = _BY_NAME[field.name]
            value = getattr(self, field.name)
            if option.choices is not None and value not in option.choices:
                raise ConfigError(
                    f"option {field.name}={value!r} is not one of "
                    f"{', '.join(map(str, option.choices))}"
                )
            whole = isinstance(option.default, int) and not isinstance(option.default, bool)
            if whole and (not isinstance(value, int) or value < 0):
                raise ConfigError(f"option {field.name} must be a whole number ≥ 0")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ConfigError("option as_of must be timezone-aware (e.g. 2026-10-31T00:00Z)")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> MetricOptions:
        unknown = set(values) - set(_BY_NAME)
        if unknown:
            raise ConfigError(
                f"unknown metric option(s) {', '.join(sorted(unknown))}; known: "
                f"{', '.join(_BY_NAME)}"
            )
        return cls(**values)

    def fact_key(self) -> str:
        """The options that shape the materialised facts (a change means a rebuild)."""
        keys = (
            "first_reply_start",
            "count_bot_replies",
            "first_reply_match",
            "response_clock",
            "one_touch_includes_zero_replies",
            "fcr_method",
            "fcr_window_days",
            "fcr_escalation",
            "reopen_window_days",
            "fcr_tag",
            "fcr_question",
            "conversion_window_days",
            "deflection_days",
        )
        return ";".join(f"{k}={getattr(self, k)}" for k in keys)
