"""View-model functions: one per page, each returning the dict that both the HTML page
and its JSON twin under ``/api/`` are made from (datasette style)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from . import (
    agents,
    calls,
    customers,
    overview,
    resolution,
    responsiveness,
    satisfaction,
    volume,
)
from ._common import Model, View


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    path: str
    build: Callable[[View], Model]
    template: str
    #: a sentence for the OpenAPI description of the JSON twin
    about: str


PAGES: dict[str, Page] = {
    p.name: p
    for p in (
        Page(
            "overview",
            "/",
            overview.build,
            "overview.html",
            "Headline KPIs with target status, trend and change against the previous period.",
        ),
        Page(
            "responsiveness",
            "/responsiveness",
            responsiveness.build,
            "responsiveness.html",
            "First reply and response-time distributions (median and p90) and the "
            "hour-of-week heatmap.",
        ),
        Page(
            "resolution",
            "/resolution",
            resolution.build,
            "resolution.html",
            "Resolution time, FCR, one-touch, reopens, escalations, SLA achievement and breaches.",
        ),
        Page(
            "volume",
            "/volume",
            volume.build,
            "volume.html",
            "Created, solved and backlog by channel over time; arrivals by weekday × hour.",
        ),
        Page(
            "satisfaction",
            "/satisfaction",
            satisfaction.build,
            "satisfaction.html",
            "CSAT, CES, NPS and eNPS trends and distributions, response rates by channel, "
            "team and agent, the employees' voice (eNPS, pulse; anonymous) and comments "
            "ranked by sentiment.",
        ),
        Page(
            "calls",
            "/calls",
            calls.build,
            "calls.html",
            "Calls answered and abandoned, speed of answer, service level, handle and hold "
            "time and the speech KPIs (talk-to-listen, silence, overtalk, interruptions, the "
            "caller's mood) by team, agent and hour; the calls with the most silence, the "
            "most overtalk and the worst fall in the caller's mood.",
        ),
        Page("agents", "/agents", agents.build, "agents.html", "Agent and team leaderboards."),
        Page(
            "customers",
            "/customers",
            customers.build,
            "customers.html",
            "Customers with the most tickets, or those matching a search (q).",
        ),
    )
}

__all__ = ["PAGES", "Model", "Page", "View"]
