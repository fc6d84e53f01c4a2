"""Response shapes for the OpenAPI description (responses are built as plain dicts by the
view models and served pre-encoded; ``tests/web`` checks them against these models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    type: str = Field(description="Machine-readable code, e.g. invalid_parameter, not_found.")
    message: str = Field(description="What went wrong and what to do.")


class ErrorResponse(BaseModel):
    error: ErrorBody


class Card(BaseModel):
    kpi: str
    title: str
    unit: str
    value: float | None
    display: str = Field(description="The value as the page shows it.")
    n: int = Field(description="Rows the value is computed from.")
    previous: float | None = Field(description="The same KPI over the previous period.")
    change: float | None
    change_pct: float | None
    change_display: str
    better: bool | None = Field(description="True when the change is an improvement.")
    target: float | None
    status: str | None = Field(description="met, missed or null (no target).")
    higher_is_better: bool | None
    trend: list[float | None] = Field(description="Values per period, oldest first.")
    definition: str


class Column(BaseModel):
    key: str
    label: str
    unit: str = Field(
        description="text, verbatim, count, seconds, ratio, score, number, "
        "kpi (the row's unit), kpi_change, status, date or datetime."
    )
    href: str | None = Field(description="Row key holding the cell's link, if any.")


class Table(BaseModel):
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    collapsed: bool = Field(description="Shown folded: the data behind a chart.")


class Chart(BaseModel):
    title: str
    figure: dict[str, Any] = Field(description="A Plotly figure (data and layout).")


class Locale(BaseModel):
    lang: str
    calendar: str
    digits: str
    dir: str


class Range(BaseModel):
    start: str
    end: str
    label: str


class PageModel(BaseModel):
    page: str
    title: str
    filters: dict[str, Any] = Field(description="The validated filters the page shows.")
    locale: Locale
    range: Range
    cards: list[Card]
    charts: dict[str, Chart]
    tables: dict[str, Table]


class Option(BaseModel):
    id: str
    name: str


class Meta(BaseModel):
    languages: list[str]
    calendars: list[str]
    digits: list[str]
    teams: list[Option]
    agents: list[Option]
    channels: list[str]
    priorities: list[str]
    conversation_languages: list[str]
    tags: list[str]
    first_day: str
    last_day: str
    timezone: str
    pages: dict[str, str]
