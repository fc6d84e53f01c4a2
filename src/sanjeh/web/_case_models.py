"""The shapes of the case routes (``_cases``): what they take and, for the OpenAPI
description, what they answer (the answers are built as dicts by ``views/cases``)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..model import CHANNELS, PRIORITIES
from ..text._triage import CATEGORIES
from ._i18n import Calendar, Digits, Lang
from ._params import TEXT_PATTERN
from ._schema import Locale as LocaleShape
from .views.cases import MAX_LIST

#: the longest message (the nature of the enquiry) a case takes
MAX_MESSAGE = 10_000
#: controls a message may not hold (tabs and line breaks are text)
_CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
#: what ``str.strip()`` removes, spelled out for the OpenAPI pattern (as web/qa/_forms)
_SPACE = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
MESSAGE_PATTERN = rf"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$"
TICKET_ID = r"^cases:[0-9A-Za-z_-]{1,60}$"


class DisplayQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Lang | None = Field(None, description="Interface language: fa, ar or en.")
    cal: Calendar | None = Field(
        None, description="Calendar for dates: gregorian, jalali or hijri (default per language)."
    )
    digits: Digits | None = Field(
        None, description="Digits: latin, persian or arabic (default per language)."
    )


class CasesQuery(DisplayQuery):
    limit: int = Field(100, ge=1, le=MAX_LIST, description="At most this many cases.")


class StatusQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sig: str = Field(
        max_length=80,
        pattern=r"^[0-9a-f]{1,12}\.[A-Za-z0-9_-]{43}$",
        description="The link's signature, as the case's status link has it.",
    )
    lang: Lang | None = Field(None, description="Language (default: the case's).")


class CaseIn(BaseModel):
    """A new case (``POST /api/cases``)."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(
        min_length=1,
        max_length=MAX_MESSAGE,
        pattern=MESSAGE_PATTERN,
        description="The nature of the enquiry, in the customer's words.",
    )
    subject: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    customer_name: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    customer_email: str = Field("", max_length=320, pattern=TEXT_PATTERN)
    customer_id: str = Field(
        "",
        max_length=200,
        pattern=TEXT_PATTERN,
        description="A customer the store knows (their row is left as it is); blank: found "
        "by e-mail, or a new customer.",
    )
    channel: Literal[CHANNELS] = "phone"  # type: ignore[valid-type]
    language: Lang | None = Field(None, description="The customer's language (blank: the text's).")
    category: Literal[CATEGORIES] | None = Field(  # type: ignore[valid-type]
        None, description="Blank: what triage says."
    )
    priority: Literal[PRIORITIES] | None = Field(  # type: ignore[valid-type]
        None, description="Blank: what triage says."
    )


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE, pattern=MESSAGE_PATTERN)
    language: Lang | None = Field(None, description="Blank: detected.")


# -- answers --------------------------------------------------------------------------------------


class Choice(BaseModel):
    id: str
    name: str


class CaseForm(BaseModel):
    page: str
    title: str
    locale: LocaleShape
    channels: list[Choice]
    languages: list[Choice]
    categories: list[Choice]
    priorities: list[Choice] = Field(description="Most urgent first.")
    create: str = Field(description="Where to send a new case.")


class Cue(BaseModel):
    kind: str = Field(
        description="billing … complaint (topic), urgent, outage, money, security, impact, "
        "deadline, churn, legal, repeat or low (priority)."
    )
    text: str = Field(description="The words as the message has them.")
    start: int
    end: int
    weight: float
    label: str = Field(description="The kind, in the page's language.")


class TriageResult(BaseModel):
    category: str
    priority: str
    language: str
    points: float = Field(description="Priority points: ≥ 4 urgent, ≥ 2 high, < 0 low.")
    reasons: list[Cue]
    category_label: str
    priority_label: str


class Case(BaseModel):
    ticket_id: str
    reference: str = Field(description="What the customer is told (the ticket's external id).")
    subject: str
    customer_id: str | None
    customer_name: str | None
    customer_email: str | None
    channel: str | None
    channel_label: str
    status: str | None
    status_label: str
    priority: str | None
    priority_label: str
    category: str | None
    category_label: str
    language: str | None
    created_at: str
    created_display: str
    updated_at: str
    updated_display: str
    age_s: int
    age_display: str
    suggested_priority: str = Field(description="What triage of the text says now.")
    suggested_category: str
    changed: bool = Field(description="The priority differs from the suggestion (an agent set it).")
    reasons: list[Cue] = Field(description="The cues behind the suggested priority.")
    url: str


class CasesPage(BaseModel):
    page: str
    title: str
    locale: LocaleShape
    open: int = Field(description="Open cases in all (the list shows at most limit).")
    limit: int
    cases: list[Case]


class CasePage(BaseModel):
    page: str
    title: str
    locale: LocaleShape
    case: Case
    message: str = Field(description="The customer's first message.")
    status_path: str = Field(description="The customer's status page (signed; no login).")
    link_expires: str
    link_expires_display: str


class CreatedCase(BaseModel):
    ticket_id: str
    reference: str = Field(description="What the customer is told.")
    url: str = Field(description="The case's page (GET /api/cases/{ticket_id}: its data).")
    status_url: str = Field(description="The customer's status page (signed; no login).")
    triage: TriageResult = Field(description="What triage said of the text.")
    batch_id: str = Field(description="The intake batch that carries the case.")


class CaseStatus(BaseModel):
    page: str
    title: str
    locale: LocaleShape
    reference: str
    subject: str
    status: str
    status_label: str
    status_note: str
    created_at: str
    created_display: str
    updated_at: str
    updated_display: str
