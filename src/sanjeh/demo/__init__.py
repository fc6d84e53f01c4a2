"""A realistic, deterministic demo support operation, written into a store.

    from sanjeh.demo import generate
    summary = generate(store, tickets=5000, seed=42)

Writes every canonical table (source ``demo``): teams with Tehran and Riyadh
business hours, agents and bots, customers with segments and churn, tickets on
five channels with full event timelines and Persian / Arabic / English text,
calls, surveys, shifts and post-support outcomes.
"""

from ._calendar import CALENDARS, CalendarDef, business_calendars
from ._const import DEFAULT_DAYS, DEFAULT_START, DEMO_TABLES, SOURCE
from ._generate import DemoSummary, ProgressCallback, generate

__all__ = [
    "CALENDARS",
    "DEFAULT_DAYS",
    "DEFAULT_START",
    "DEMO_TABLES",
    "SOURCE",
    "CalendarDef",
    "DemoSummary",
    "ProgressCallback",
    "business_calendars",
    "generate",
]
