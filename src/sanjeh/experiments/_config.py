"""``[[experiments]]`` in sanjeh.toml: A/B tests of scripts and macros (docs/experiments.md).

Every key is checked; a ConfigError names the file, the experiment and the key, and
says what to write, like ``[[alerts]]``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from typing import Any

from ..errors import ConfigError
from ..settings import (
    Settings,
    array_of_tables,
    choice,
    load_settings,
    named_entry,
    unique_names,
)

ASSIGNMENTS = ("table", "hash", "tag", "field")
DESIGNS = ("fixed", "sequential")
HOURS = ("business", "calendar")
#: metric → (kind, higher is better)
METRICS: dict[str, tuple[str, bool]] = {
    "csat": ("proportion", True),
    "fcr": ("proportion", True),
    "reopen": ("proportion", False),
    "first_reply_time": ("duration", False),
    "resolution_time": ("duration", False),
    "handle_time": ("duration", False),
}
#: ticket columns a ``field`` experiment may read its variant from
FIELDS = ("category", "channel", "priority", "team_id", "agent_id", "language")
#: the minimum detectable effect when none is given: 5 points of a share, or 10 % of a
#: duration's typical (geometric-mean) value
DEFAULT_MDE = {"proportion": 0.05, "duration": 0.10}
_VARIANT = re.compile(r"^[\w][\w.:-]{0,63}$")
_KEYS = (
    *("name", "title", "variants", "weights", "assignment", "field", "metric", "guardrails"),
    *("start", "end", "design", "alpha", "power", "mde", "seed", "hours"),
)


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One ``[[experiments]]`` table, checked."""

    name: str
    variants: tuple[str, ...]  # control first
    metric: str
    start: dt.date
    title: str = ""
    #: the share of tickets each variant should get (sums to 1)
    weights: tuple[float, ...] = ()
    assignment: str = "table"  # table | hash | tag | field
    #: assignment = "field": the ticket column whose value is the variant
    field: str | None = None
    guardrails: tuple[str, ...] = ()
    #: tickets created before this date (exclusive) take part; None: still running
    end: dt.date | None = None
    design: str = "fixed"  # fixed | sequential
    alpha: float = 0.05
    power: float = 0.8
    #: minimum detectable effect: absolute for proportions (0.03 = 3 points), relative
    #: for durations (0.10 = the typical duration 10 % shorter or longer)
    mde: float | None = None
    #: the hash's seed (assignment = "hash" and `sanjeh experiment assign`)
    seed: str = ""
    #: durations in business or calendar hours
    hours: str = "business"

    def __post_init__(self) -> None:
        if not self.weights:
            n = len(self.variants)
            object.__setattr__(self, "weights", tuple(1.0 / n for _ in self.variants))
        if not self.title:
            object.__setattr__(self, "title", self.name)

    @property
    def control(self) -> str:
        return self.variants[0]

    @property
    def kind(self) -> str:
        """``proportion`` or ``duration``: the primary metric's kind."""
        return METRICS[self.metric][0]

    @property
    def effective_mde(self) -> float:
        return self.mde if self.mde is not None else DEFAULT_MDE[self.kind]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able (the CLI's and the web page's listing)."""
        return {
            "name": self.name,
            "title": self.title,
            "variants": list(self.variants),
            "control": self.control,
            "weights": list(self.weights),
            "assignment": self.assignment,
            "field": self.field,
            "metric": self.metric,
            "kind": self.kind,
            "guardrails": list(self.guardrails),
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "design": self.design,
            "alpha": self.alpha,
            "power": self.power,
            "mde": self.effective_mde,
            "seed": self.seed,
            "hours": self.hours,
        }


def load_experiments(settings: Settings | None = None) -> tuple[Experiment, ...]:
    """The configured ``[[experiments]]``, checked."""
    settings = settings or load_settings()
    file, raw = array_of_tables(settings, "experiments")
    found = tuple(_experiment(item, file, i) for i, item in enumerate(raw, start=1))
    unique_names(file, "experiments", [e.name for e in found])
    return found


def get_experiment(name: str, settings: Settings | None = None) -> Experiment:
    """The experiment called ``name``; a ConfigError lists the configured ones."""
    settings = settings or load_settings()
    experiments = load_experiments(settings)
    for experiment in experiments:
        if experiment.name == name:
            return experiment
    known = ", ".join(e.name for e in experiments) or "none: add [[experiments]] to sanjeh.toml"
    raise ConfigError(f"no experiment {name!r}; configured: {known}")


def _experiment(raw: Any, file: str, index: int) -> Experiment:
    name, where = named_entry(
        raw,
        f"{file}: [[experiments]] #{index}",
        "experiments",
        _KEYS,
        "the assignments",
        example='; e.g. name = "greeting"',
    )
    title = raw.get("title", "")
    if not isinstance(title, str):
        raise ConfigError(f"{where}: title must be text, not {title!r}")
    variants = _variants(raw.get("variants"), where)
    weights = _weights(raw.get("weights"), len(variants), where)
    assignment = choice(raw.get("assignment", "table"), "assignment", ASSIGNMENTS, where)
    field = raw.get("field")
    if assignment == "field":
        if field not in FIELDS:
            raise ConfigError(
                f'{where}: assignment = "field" needs field = one of {", ".join(FIELDS)} '
                f"(the ticket column whose value is the variant), not {field!r}"
            )
    elif field is not None:
        raise ConfigError(f'{where}: field is for assignment = "field", not {assignment!r}')
    metric = raw.get("metric")
    if metric not in METRICS:
        raise ConfigError(
            f"{where}: metric must be one of {', '.join(METRICS)}, not {metric!r}; "
            'e.g. metric = "csat"'
        )
    guardrails = _guardrails(raw.get("guardrails", []), metric, where)
    start = _date(raw.get("start"), "start", where)
    if start is None:
        raise ConfigError(f'{where}: start is missing; e.g. start = "2026-03-01" (a date)')
    end = _date(raw.get("end"), "end", where)
    if end is not None and end <= start:
        raise ConfigError(f"{where}: end ({end}) must be after start ({start})")
    alpha = _fraction(raw.get("alpha", 0.05), "alpha", where, 0.0, 0.5)
    power = _fraction(raw.get("power", 0.8), "power", where, 0.5, 1.0)
    mde = raw.get("mde")
    if mde is not None:
        kind = METRICS[metric][0]
        top = 1.0 if kind == "proportion" else 10.0
        mde = _fraction(mde, "mde", where, 0.0, top)
    seed = raw.get("seed", name)
    if isinstance(seed, bool) or not isinstance(seed, (str, int)):
        raise ConfigError(f"{where}: seed must be text or a whole number, not {seed!r}")
    return Experiment(
        name=name,
        title=title,
        variants=variants,
        weights=weights,
        assignment=assignment,
        field=field,
        metric=metric,
        guardrails=guardrails,
        start=start,
        end=end,
        design=choice(raw.get("design", "fixed"), "design", DESIGNS, where),
        alpha=alpha,
        power=power,
        mde=mde,
        seed=str(seed),
        hours=choice(raw.get("hours", "business"), "hours", HOURS, where),
    )


def _variants(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise ConfigError(
            f"{where}: variants must be a list of at least two names, control first; "
            f'e.g. variants = ["control", "warm"], not {value!r}'
        )
    for v in value:
        if not isinstance(v, str) or not _VARIANT.match(v):
            raise ConfigError(
                f"{where}: variants: each must be letters, digits, _ . : - (up to 64), not {v!r}"
            )
    if len(set(value)) != len(value):
        raise ConfigError(f"{where}: variants must be different names, not {value!r}")
    return tuple(value)


def _weights(value: Any, n: int, where: str) -> tuple[float, ...]:
    if value is None:
        return tuple(1.0 / n for _ in range(n))
    if (
        not isinstance(value, list)
        or len(value) != n
        or not all(_number(w) and w > 0 for w in value)
    ):
        raise ConfigError(
            f"{where}: weights must be {n} positive numbers, one per variant (e.g. "
            f"weights = [{', '.join(['1'] * n)}]), not {value!r}"
        )
    total = float(sum(value))
    return tuple(float(w) / total for w in value)


def _guardrails(value: Any, metric: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{where}: guardrails must be a list of metrics, not {value!r}")
    for g in value:
        if g not in METRICS:
            raise ConfigError(
                f"{where}: guardrails: unknown metric {g!r}; use: {', '.join(METRICS)}"
            )
        if g == metric:
            raise ConfigError(f"{where}: guardrails: {g!r} is already the metric")
    if len(set(value)) != len(value):
        raise ConfigError(f"{where}: guardrails repeats a metric: {value!r}")
    return tuple(value)


def _date(value: Any, key: str, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f'{where}: {key} must be a date, e.g. {key} = "2026-03-01", not {value!r}')


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _fraction(value: Any, key: str, where: str, low: float, high: float) -> float:
    if not _number(value) or not low < float(value) < high:
        raise ConfigError(
            f"{where}: {key} must be a number between {low:g} and {high:g} (exclusive), "
            f"not {value!r}"
        )
    return float(value)
