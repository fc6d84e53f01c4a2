"""``sanjeh experiment …``: A/B tests of scripts and macros ([[experiments]] in
sanjeh.toml; docs/experiments.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, err_console, plain
from ._options import DbOption, JsonOption, open_store

experiment_app = typer.Typer(
    name="experiment",
    help="A/B tests of scripts and macros ([[experiments]] in sanjeh.toml): list them, "
    "their results, the sample size a test needs, assign tickets.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``sanjeh experiment …`` to the root app."""
    app.add_typer(experiment_app)


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, allow_nan=False))


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "proportion":
        return f"{value:.1%}"
    if abs(value) >= 3600:
        return f"{value / 3600:.1f} h"
    if abs(value) >= 60:
        return f"{value / 60:.1f} min"
    return f"{value:.0f} s"


def _ci(pair: list[float | None] | None, fmt: Any) -> str:
    if not pair:
        return "—"
    return f"[{fmt(pair[0])}, {fmt(pair[1])}]"


@experiment_app.command("list")
def list_experiments(as_json: JsonOption = False) -> None:
    """The configured experiments."""
    from ..experiments import load_experiments

    found = load_experiments()
    if as_json:
        _json([e.as_dict() for e in found])
        return
    if not found:
        err_console.print(
            "no [[experiments]] in the configuration (docs/experiments.md)", markup=False
        )
        return
    table = Table(
        "name", "title", "variants", "assignment", "metric", "guardrails", "dates", "design"
    )
    for e in found:
        dates = f"{e.start} → {e.end or 'running'}"
        assignment = e.assignment + (f" ({e.field})" if e.field else "")
        cells = (
            e.name,
            e.title,
            " / ".join(e.variants),
            assignment,
            e.metric,
            ", ".join(e.guardrails) or "—",
            dates,
            e.design,
        )
        table.add_row(*map(plain, cells))
    console.print(table)


@experiment_app.command("results")
def show_results(
    name: Annotated[str, typer.Argument(help="The experiment's name (sanjeh.toml).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Per variant: tickets, value and interval; against the control: effect, interval,
    p-value and test; the sample-ratio check, guardrails, progress and the verdict."""
    from ..experiments import get_experiment, results

    experiment = get_experiment(name)
    with open_store(db) as store:  # (the facts may need building)
        found = results(store, experiment).as_dict()
    if as_json:
        _json(found)
        return
    console.print(plain(f"{experiment.title} ({experiment.name}): {found['verdict']}"))
    for block in (found["primary"], *found["guardrails"]):
        kind = block["kind"]
        head = "metric" if block is found["primary"] else "guardrail"
        table = Table(title=plain(f"{head}: {block['metric']}"))
        for col in ("variant", "n", "pending", "value", "interval"):
            table.add_column(col)
        for v in block["variants"]:
            cells = (
                v["variant"] + (" (control)" if v["control"] else ""),
                f"{v['n']:,}",
                str(v.get("pending", 0) + v.get("unsolved", 0)),
                _fmt(v["value"], kind),
                _ci(v["ci"], lambda x, k=kind: _fmt(x, k)),
            )
            table.add_row(*map(plain, cells))
        console.print(table)
        for c in block["comparisons"]:
            console.print(plain("  " + _comparison(c, kind)))
    srm = found["srm"]
    p = "—" if srm["p_value"] is None else f"{srm['p_value']:.3g}"
    flag = " MISMATCH: do not trust" if srm["flag"] else ""
    console.print(plain(f"sample ratio: {srm['counts']} p = {p}{flag}"))
    console.print(plain(f"progress: {found['progress']['text']}"))
    for note in found["notes"]:
        console.print(plain(f"note: {note}"))


def _comparison(c: dict[str, Any], kind: str) -> str:
    if c.get("effect") is None:
        return f"{c['variant']} vs {c['control']}: {c.get('reason', 'no comparison')}"
    e = c["effect"]
    if kind == "proportion":
        points = [None if x is None else x * 100 for x in e["ci"] or []]
        effect = f"{_pts(e['absolute'] and e['absolute'] * 100)} points {_ci(points, _pts)}"
    else:
        rel = e["relative"]
        effect = ("—" if rel is None else f"{rel:+.1%}") + " " + _ci(e["ci_relative"], _pct)
    p = "—" if c["p_value"] is None else f"{c['p_value']:.3g}"
    mark = " *" if c["significant"] else ""
    return f"{c['variant']} vs {c['control']}: {effect}, p = {p}{mark} ({c['test']})"


def _pts(x: float | None) -> str:
    return "—" if x is None else f"{x:+.1f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:+.1%}"


@experiment_app.command("size")
def size(
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="csat, fcr, reopen (proportions) or first_reply_time, resolution_time, "
            "handle_time (durations).",
        ),
    ],
    baseline: Annotated[
        float,
        typer.Option(
            "--baseline",
            help="Proportions: the control's rate (0.8). Durations: their sd / mean (1.5).",
        ),
    ],
    mde: Annotated[
        float,
        typer.Option(
            "--mde",
            help="Minimum detectable effect: absolute for proportions (0.03 = 3 points), "
            "relative for durations (0.1 = 10 %).",
        ),
    ],
    alpha: Annotated[float, typer.Option("--alpha", help="False-positive rate.")] = 0.05,
    power: Annotated[float, typer.Option("--power", help="Chance to detect the mde.")] = 0.8,
    ratio: Annotated[
        float, typer.Option("--ratio", help="Variant tickets per control ticket.")
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """The tickets with an outcome each arm needs for a fixed-horizon test."""
    from ..experiments import METRICS, sample_size

    if metric not in METRICS:
        raise ConfigError(f"--metric must be one of {', '.join(METRICS)}, not {metric!r}")
    try:
        found = sample_size(metric, baseline, mde, alpha, power, ratio)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if as_json:
        _json({"metric": metric, **found.as_dict()})
        return
    console.print(
        plain(
            f"{found.control:,} control + {found.treatment:,} variant = {found.total:,} "
            f"tickets with a {metric} value ({found.assumption})"
        )
    )


@experiment_app.command("assign")
def assign_tickets(
    name: Annotated[str, typer.Argument(help="The experiment's name (sanjeh.toml).")],
    ticket_ids: Annotated[list[str], typer.Argument(help="Ticket ids (source:external).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give tickets their variant (a seeded hash) and record it; a ticket that already
    has one keeps it."""
    from ..experiments import assign, get_experiment

    experiment = get_experiment(name)
    with open_store(db) as store:
        rows = assign(store, experiment, ticket_ids)
    if as_json:
        _json(rows)
        return
    table = Table("ticket", "variant", "assigned at", "method", "")
    for r in rows:
        cells = (
            r["ticket_id"],
            r["variant"],
            r["assigned_at"] or "—",
            r["method"],
            "new" if r["created"] else "kept",
        )
        table.add_row(*map(plain, cells))
    console.print(table)
