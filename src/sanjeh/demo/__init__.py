"""A realistic, deterministic demo support operation, written into a store.

    from sanjeh.demo import generate
    summary = generate(store, tickets=5000, seed=42)

Writes every canonical table (source ``demo``): teams with Tehran and Riyadh
business hours, agents and bots, customers with segments and churn, tickets on
five channels with full event timelines and Persian / Arabic / English text,
calls, surveys, shifts and post-support outcomes.

    from sanjeh.demo import generate_qa
    qa = generate_qa(store, seed=42)

Adds the QA workflow over it (``qa_*`` tables): reviews, disputes, a calibration, a
review cycle, coaching sessions and the wow library.
"""

from ._calendar import CALENDARS, CalendarDef, business_calendars
from ._const import DEFAULT_DAYS, DEFAULT_START, DEMO_TABLES, SOURCE
from ._generate import DemoSummary, ProgressCallback, generate
from ._qa import QA_LEAD, REVIEWERS, QaSummary, generate_qa

__all__ = [
    "CALENDARS",
    "DEFAULT_DAYS",
    "DEFAULT_START",
    "DEMO_TABLES",
    "QA_LEAD",
    "REVIEWERS",
    "SOURCE",
    "CalendarDef",
    "DemoSummary",
    "ProgressCallback",
    "QaSummary",
    "business_calendars",
    "generate",
    "generate_qa",
]
