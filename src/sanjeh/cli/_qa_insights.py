"""``sanjeh qa insights``: the QA insights across reviews as tables or JSON (docs/qa.md,
"Insights across reviews"). Acts as the local administrator, like the other QA chores."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from ..accounts import LOCAL_ADMIN
from ..errors import ConfigError
from ..qa import INSIGHTS_BY, Figure, Insights, Workspace, insights
from ._console import console, plain
from ._options import DbOption, JsonOption, open_store

Day = Annotated[
    str | None, typer.Option(help="First day (YYYY-MM-DD, UTC); default: 28 days before the end.")
]
End = Annotated[
    str | None,
    typer.Option(help="Last day, included (YYYY-MM-DD, UTC); default: up to now."),
]


def insights_command(
    by: Annotated[
        str | None, typer.Option(help="Break down by: " + ", ".join(INSIGHTS_BY) + ".")
    ] = None,
    start: Day = None,
    end: End = None,
    scorecard: Annotated[
        str | None, typer.Option(help="Scorecard id (default: most reviews).")
    ] = None,
    agent: Annotated[str | None, typer.Option(help="One agent's reviews.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Per scorecard category: mean score and failure rate with 95 % intervals and the
    change against the previous window, where the IQS is lost, root causes, reviewer
    strictness and AutoQA against manual grades (Cohen's kappa)."""
    from ..metrics import MetricsConfig
    from ..settings import load_settings

    if by is not None and by not in INSIGHTS_BY:
        raise ConfigError(f"--by {by!r}: use one of {', '.join(INSIGHTS_BY)}")
    first, last = _day("--start", start), _day("--end", end)
    config = MetricsConfig.from_settings(load_settings())
    zone = config.all_calendars()[config.default_calendar].timezone
    with open_store(db) as store:
        found = insights(
            Workspace(store),
            LOCAL_ADMIN,
            by=by,  # type: ignore[arg-type]
            start=first,
            end=last + dt.timedelta(days=1) if last else None,
            scorecard=scorecard,
            agent=agent,
            timezone=zone,
            week_start=config.week_start,
        )
    if as_json:
        typer.echo(json.dumps(_plain(dataclasses.asdict(found)), ensure_ascii=False, indent=2))
        return
    _print(found)


def _day(name: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} {text!r}: give a date as YYYY-MM-DD") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _num(value: float | None, digits: int = 1, scale: float = 1.0, sign: str = "") -> str:
    return "—" if value is None else f"{value * scale:{sign}.{digits}f}"


def _span(low: float | None, high: float | None, scale: float = 1.0) -> str:
    return "—" if low is None or high is None else f"{low * scale:.1f}–{high * scale:.1f}"


def _figures(title: str, rows: list[Figure], names: dict[str, str], grouped: bool) -> Table:
    table = Table(title=title)
    if grouped:
        table.add_column("group")
    for col in ("category", "n", "mean", "95% CI", "failed %", "95% CI", "Δ mean", "Δ failed"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for f in rows:
        cells: list[Any] = [
            plain(names.get(f.category_id, f.category_id)),
            f"{f.reviews}" + (" (few)" if f.small and f.reviews else ""),
            _num(f.mean),
            _span(f.mean_low, f.mean_high),
            _num(f.failure_rate, scale=100),
            _span(f.failure_low, f.failure_high, 100),
            _num(f.mean_change, sign="+"),
            _num(f.failure_change, scale=100, sign="+"),
        ]
        group = plain(f.group or "(none)") + (" (partial)" if f.partial else "")
        table.add_row(*([group, *cells] if grouped else cells))
    return table


def _print(found: Insights) -> None:
    names = found.category_names
    last = found.end - dt.timedelta(microseconds=1)  # the last instant in the window
    console.print(
        f"scorecard {plain(found.scorecard_id)}: {found.reviews} review(s) written "
        f"{found.start:%Y-%m-%d} – {last:%Y-%m-%d} (UTC), against {found.previous_reviews} "
        f"in the {(found.end - found.start).days} days before; IQS {_num(found.iqs)}"
    )
    for note in found.notes:
        console.print(f"note: {note.replace('_', ' ')}")
    console.print(_figures("categories", found.overall, names, False))
    if found.by:
        console.print(_figures(f"by {found.by}", found.breakdown, names, True))
    lost = Table("category", "points / review", "share", title="where the IQS is lost")
    for p in found.lost:
        label = names.get(p.category_id, p.category_id) if p.category_id else "(scorecard rules)"
        lost.add_row(plain(label), _num(p.per_review, 2), _num(p.share, scale=100))
    console.print(lost)
    causes = Table("category", "root cause", "count", "share %", title="root causes")
    for c in found.root_causes:
        causes.add_row(
            plain(names.get(c.category_id, c.category_id)),
            plain(c.cause),
            str(c.count),
            _num(c.share, scale=100),
        )
    console.print(causes)
    strict = Table(
        "reviewer",
        "reviews",
        "IQS given",
        "bias",
        "tendency",
        title="reviewer strictness (calibration)",
    )
    for r in found.reviewers:
        strict.add_row(
            plain(r.reviewer_id),
            str(r.reviews),
            _num(r.iqs),
            _num(r.bias, sign="+"),
            r.tendency or "not calibrated",
        )
    console.print(strict)
    flagged = [a for a in found.agents if a.flagged]
    if flagged:
        who = [f"{plain(a.agent_id or '—')} ({a.by_strict}/{a.reviews})" for a in flagged]
        console.print("graded mostly by strict reviewers: " + ", ".join(who))
    agree = Table(
        "category",
        "signals",
        "n",
        "agreement %",
        "kappa",
        "95% CI",
        "verdict",
        title="AutoQA against manual grades",
    )
    for a in found.agreement:
        agree.add_row(
            plain(names.get(a.category_id, a.category_id)),
            ", ".join(a.analyzers) or "—",
            str(a.n),
            _num(a.observed, scale=100),
            _num(a.kappa, 2),
            _span(a.kappa_low, a.kappa_high),
            a.verdict,
        )
    console.print(agree)
