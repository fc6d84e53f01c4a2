"""The KPI registry: one small declaration per KPI, in ``sanjeh.metrics.catalog``.

A declaration says what the KPI means (titles in fa / ar / en, unit, direction,
definition, formula, the convention it follows and the options it obeys) and how to
compute it: which fact table it reads, which instant places a row in a period, and
how a row contributes —

- ``duration`` / ``number``: a numeric value per row → count, mean, median, p90, CI;
- ``rate``: a true / false value per row (null rows left out) → share true, Wilson CI;
- ``count``: rows that pass the filter → their number;
- ``level``: rows open at the end of a period: in at ``time``, out at ``until``
  (a running total, e.g. the backlog), counted in the same scans as the other KPIs;
- ``custom``: a function that aggregates by itself (backlog, churn, cost …).

An ``anonymous`` KPI (employees' answers) hides every group of fewer than
``[surveys] min_group`` answers; a KPI with ``invitations`` warns where its value rests on
few answers or a low response rate (see ``_engine._survey_guards``); a ``predicted`` KPI
(a model's estimate, e.g. inferred CSAT) says so in every row's note.

Declarations build Ibis expressions only; the engine (``_engine.py``) runs them.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Literal

import ibis.expr.types as ir

from ._options import MetricOptions

Kind = Literal["duration", "number", "rate", "count", "level", "custom"]
Unit = Literal["seconds", "ratio", "count", "score", "percent", "money", "per_hour", "number"]
Source = Literal[
    "tickets",
    "replies",
    "surveys",
    "invitations",
    "quality",
    "reviews",
    "calls",
    "customers",
    "shifts",
    "views",
]
Stat = Literal["mean", "median", "value"]


@dataclasses.dataclass(frozen=True)
class Context:
    """What a KPI builder may depend on besides the fact table itself."""

    options: MetricOptions
    #: "business" or "calendar": which seconds duration KPIs use
    hours: Literal["business", "calendar"] = "business"

    def seconds(self, table: ir.Table, stem: str) -> ir.NumericValue:
        """``stem_bs`` in business hours, ``stem_s`` in calendar hours."""
        return table[f"{stem}_bs" if self.hours == "business" else f"{stem}_s"]


#: a custom KPI: (context, tables by name, group keys, row filter) → aggregated table
#: with the group keys plus columns n and value (and optionally mean, median, p90)
CustomBuilder = Callable[..., ir.Table]


@dataclasses.dataclass(frozen=True)
class KPI:
    name: str
    titles: dict[str, str]
    unit: Unit
    kind: Kind
    source: Source
    definition: str
    formula: str
    #: True when a higher value is better, False when lower is, None when neutral
    higher_is_better: bool | None
    #: column of the fact table whose instant places a row in a period
    time: str = "created"
    #: a ``level`` KPI: the instant a row stops counting (None: it never does)
    until: str | None = None
    #: the per-row value (duration / number / rate)
    value: Callable[[Context, ir.Table], ir.Value] | None = None
    #: rows that take part (besides the period and the user's filters)
    where: Callable[[Context, ir.Table], ir.BooleanValue] | None = None
    #: the headline statistic of a duration / number KPI
    stat: Stat = "value"
    custom: CustomBuilder | None = None
    #: breakdowns that make sense; None means every dimension of the source
    dimensions: tuple[str, ...] | None = None
    options: tuple[str, ...] = ()
    convention: str = ""
    #: the canonical tables whose data the KPI needs
    needs: tuple[str, ...] = ("tickets", "events")
    #: multiply the value by this for display (e.g. 100 for NPS)
    scale: float = 1.0
    #: rows not decided yet (a window still open): left out of n and value, counted
    #: apart as ``pending``; ``pending_reason`` says why, for the report's note
    pending: Callable[[Context, ir.Table], ir.BooleanValue] | None = None
    pending_reason: str = ""
    #: rows left out for good (their outcome cannot be known, e.g. anonymous article
    #: views): counted apart, and the note says "<count> <left_out_reason>"
    left_out: Callable[[Context, ir.Table], ir.BooleanValue] | None = None
    left_out_reason: str = ""
    #: employees' answers (eNPS, pulse): a group of fewer than ``[surveys] min_group``
    #: answers shows no value, and the KPI is broken down and filtered only by its
    #: ``dimensions`` (never by agent)
    anonymous: bool = False
    #: the rows that are invitations to give this KPI's answers: the engine then warns
    #: where a value rests on fewer than ``[surveys] min_answers`` answers or on a
    #: response rate (answered invitations / invitations) under ``min_response_rate``
    invitations: Callable[[Context, ir.Table], ir.BooleanValue] | None = None
    #: why a group or period where no row takes part (n = 0) has no number, when the
    #: reason is not plain (the calls are there, none of them was analysed)
    unmeasured: str = ""
    #: a model's prediction, not a measurement (inferred CSAT): this sentence ends the
    #: note of every row, so no reader takes the number for what customers said
    predicted: str = ""

    def __post_init__(self) -> None:
        assert {"en", "fa", "ar"} <= set(self.titles), f"{self.name}: titles in en, fa, ar"
        assert self.definition and self.formula, f"{self.name}: definition and formula"
        if self.kind == "custom":
            assert self.custom is not None, f"{self.name}: custom KPIs need a builder"
        elif self.kind == "level":
            assert self.until is not None, f"{self.name}: a level needs ``until``"
        elif self.kind != "count":
            assert self.value is not None, f"{self.name}: needs a value"
        if self.pending is not None:
            assert self.pending_reason, f"{self.name}: say why rows are pending"
        if self.left_out is not None:
            assert self.left_out_reason, f"{self.name}: say why rows are left out"
        if self.anonymous:
            assert self.dimensions is not None and "agent" not in self.dimensions, (
                f"{self.name}: an anonymous KPI names its dimensions, never agent"
            )

    @property
    def title(self) -> str:
        return self.titles["en"]


REGISTRY: dict[str, KPI] = {}


def register(*kpis: KPI) -> None:
    for k in kpis:
        assert k.name not in REGISTRY, f"KPI {k.name} registered twice"
        REGISTRY[k.name] = k


def get_kpi(name: str) -> KPI:
    from ..errors import ConfigError

    _load()
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"unknown KPI {name!r}; known KPIs: {', '.join(sorted(REGISTRY))}"
        ) from None


_SOURCE_ORDER = typing.get_args(Source)


def all_kpis() -> dict[str, KPI]:
    """Every KPI, tickets first, then surveys, conversation quality, calls, customers,
    workforce."""
    _load()
    ordered = sorted(REGISTRY.values(), key=lambda k: _SOURCE_ORDER.index(k.source))
    return {k.name: k for k in ordered}


def _load() -> None:
    from . import catalog  # noqa: F401  (registers the declarations on import)


def titles(en: str, fa: str, ar: str) -> dict[str, str]:
    return {"en": en, "fa": fa, "ar": ar}
