"""`sanjeh report` and `sanjeh kpis`: KPI tables in the terminal or as files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.table import Table

from ..errors import ConfigError
from ..store import Store
from ..store._url import duckdb_file
from ._console import console, err_console, plain
from ._options import DbOption, open_store

if TYPE_CHECKING:
    from ..metrics import MetricsConfig

FORMATS = ("table", "json", "csv", "xlsx", "html")
#: result columns --sort accepts
SORTABLE = ("value", "n", "mean", "median", "p90", "previous", "change", "change_pct")


def _filters(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ConfigError(
                f"--filter {item!r} must look like dimension=value, e.g. team=billing "
                "(a team or agent by id or by name)"
            )
        out.setdefault(key.strip(), []).extend(v.strip() for v in value.split(","))
    return out


def display_names(store: object, by: list[str]) -> dict[str, dict[str, str]]:
    """Names to show instead of ids: team and agent names, topic labels (ids whose
    entity has no name stay)."""
    from ..metrics import breakdown_labels

    return breakdown_labels(store, by)  # type: ignore[arg-type]


#: footnote marks of a table's notes (then [10], [11] …)
MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def _mark(i: int) -> str:
    return MARKS[i] if i < len(MARKS) else f"[{i + 1}]"


def _group(dim: str, value: object, names: dict[str, dict[str, str]]) -> str:
    """A breakdown cell: the entity's name, or "(no team)" where the row has none."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return f"(no {dim})"
    return names.get(dim, {}).get(str(value), str(value))


def kpi_table(
    df: pd.DataFrame,
    by: list[str],
    names: dict[str, dict[str, str]] | None = None,
    config: MetricsConfig | None = None,
) -> tuple[Table, list[str]]:
    """KPI results as a rich table, and the notes its marks (¹ ²…) refer to; columns
    with nothing to show are left out. A partial period is marked ◐."""
    from ..metrics import MetricsConfig, get_kpi
    from ..metrics._notes import pending_note, pending_reason
    from ..report._format import format_value

    names = names or {}
    options = (config or MetricsConfig()).options

    rows = []
    notes: list[str] = []
    legends: dict[str, str] = {}  # what "pending" means, once per KPI
    for row in df.to_dict(orient="records"):
        unit = row["unit"]
        status = {"met": "[green]✓[/]", "missed": "[red]✗[/]"}.get(row["status"] or "", "")
        target = format_value(unit, row["target"]) if pd.notna(row["target"]) else ""
        spread = unit == "seconds"
        note: str = row["note"] if isinstance(row.get("note"), str) else ""
        waiting = int(row["pending"]) if pd.notna(row.get("pending")) else 0
        if waiting:  # shown in its own column; its reason once per KPI, below the table
            kpi = get_kpi(row["kpi"])
            said = pending_note(kpi, options, waiting)
            note = note.removeprefix(said).removeprefix("; ")
            legends[row["title"]] = pending_reason(kpi, options)
        mark = ""
        if note:
            mark = _mark(len(notes))
            notes.append(f"{mark} {row['title']}: {note}")
        period = row["period"] or ""
        if period and row.get("partial") is True:
            period = f"{period} ◐"
        rows.append(
            {
                "KPI": row["title"],
                **{d: plain(_group(d, row[d], names)) for d in by},
                "period": plain(period),
                "value": format_value(unit, row["value"]) + mark,
                "n": f"{row['n']:,}",
                "pending": f"{waiting:,}" if waiting else "",
                "median": format_value(unit, row["median"]) if spread else "",
                "p90": format_value(unit, row["p90"]) if spread else "",
                "vs previous": _coloured_change(row["kpi"], unit, row["change"]),
                "target": f"{target} {status}".strip(),
            }
        )
    columns = [
        *("KPI", *by, "period", "value", "n", "pending", "median", "p90", "vs previous"),
        "target",
    ]
    shown = [n for n in columns if n in ("KPI", "value") or any(r[n] for r in rows)]
    table = Table(header_style="bold")
    for name in shown:
        numeric = name in ("value", "n", "pending", "median", "p90")
        table.add_column(name, justify="right" if numeric else "left", no_wrap=name != "KPI")
    for r in rows:
        table.add_row(*[r[n] for n in shown])
    for title, reason in legends.items():
        notes.append(f"pending ({title}): {reason}; not counted in n or value yet")
    if any(r.get("partial") is True for r in df.to_dict(orient="records")):
        notes.append("◐ partial period: cut by the report's start or end, or not over yet")
    return table, notes


def print_kpis(
    df: pd.DataFrame,
    by: list[str],
    names: dict[str, dict[str, str]] | None = None,
    config: MetricsConfig | None = None,
) -> None:
    """The table, then its notes: why a number is missing or needs care."""
    table, notes = kpi_table(df, by, names, config)
    console.print(table)
    for note in notes:
        console.print(plain(note), style="dim")


def _coloured_change(kpi: str, unit: str, change: float | None) -> str:
    """The change against the previous period, green when better, red when worse."""
    from ..metrics import get_kpi
    from ..report._format import format_change

    text = format_change(unit, change)
    better = get_kpi(kpi).higher_is_better
    if not text or better is None or change is None or pd.isna(change) or change == 0:
        return text
    good = (change > 0) == better
    return f"[{'green' if good else 'red'}]{text}[/]"


def _report_store(db: str | None, config: MetricsConfig) -> Store:
    """The store for a report: opened read-only when its facts are current (several
    reports may then run at once), for writing when they must be built first."""
    from ..metrics import facts_current

    store = open_store(db, read_only=True)
    if duckdb_file(store.url) is None or facts_current(store, config):
        return store  # (other backends have no read-only connection)
    store.close()
    return open_store(db)


def sort_rows(
    df: pd.DataFrame, column: str, *, top: int | None = None, ascending: bool = False
) -> pd.DataFrame:
    """Each KPI's rows (per period) ordered by ``column`` (largest first unless
    ``ascending``; empty values last), and only the first ``top`` of them."""
    keys = ["kpi", "period"] if "period" in df and df["period"].notna().any() else ["kpi"]
    group = df.groupby(keys, sort=False, dropna=False).ngroup().rename("_group")
    ordered = pd.concat([df, group], axis=1).sort_values(
        ["_group", column], ascending=[True, ascending], na_position="last", kind="stable"
    )
    if top is not None:
        ordered = ordered.groupby("_group", sort=False).head(top)
    return ordered.drop(columns="_group").reset_index(drop=True)


def _check_options(format: str, output: Path | None, sort: str | None) -> None:
    if format not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}")
    if format == "xlsx" and output is None:
        raise ConfigError("--format xlsx needs --output FILE.xlsx")
    if sort is not None and sort not in SORTABLE:
        raise ConfigError(f"--sort {sort!r}: sort by one of {', '.join(SORTABLE)}")


def report_commands(app: typer.Typer) -> None:
    @app.command()
    def report(
        kpi: Annotated[
            list[str] | None,
            typer.Option("--kpi", "-k", help="KPI name; repeat for several (default: all)."),
        ] = None,
        by: Annotated[
            list[str] | None,
            typer.Option(
                "--by",
                "-b",
                help="Breakdown: team, "
                "agent, channel, priority, category, "
                "tag, segment, language, queue.",
            ),
        ] = None,
        period: Annotated[
            str | None, typer.Option(help="hour, day, week, month, jalali_month or hijri_month.")
        ] = None,
        start: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
        end: Annotated[str | None, typer.Option(help="Day after the last (exclusive).")] = None,
        filter: Annotated[
            list[str] | None,
            typer.Option("--filter", "-f", help="dimension=value[,value]; repeatable."),
        ] = None,
        hours: Annotated[str, typer.Option(help="business or calendar hours.")] = "business",
        format: Annotated[str, typer.Option("--format", help=f"{' | '.join(FORMATS)}")] = "table",
        sort: Annotated[
            str | None,
            typer.Option(
                "--sort",
                help=f"Order each KPI's rows by this column, largest first: {', '.join(SORTABLE)}.",
            ),
        ] = None,
        ascending: Annotated[
            bool, typer.Option("--ascending", help="With --sort: smallest first.")
        ] = False,
        top: Annotated[
            int | None,
            typer.Option(
                "--top",
                min=1,
                help="Only the first N rows of each KPI (and period), by --sort (default: value).",
            ),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write to this file instead of the screen."),
        ] = None,
        schedule: Annotated[
            str | None,
            typer.Option(
                "--schedule",
                help="Run this scheduled report of sanjeh.toml now (its last closed period).",
            ),
        ] = None,
        schedules: Annotated[
            bool,
            typer.Option(
                "--schedules",
                help="List the scheduled reports with their next run (--format json).",
            ),
        ] = False,
        db: DbOption = None,
    ) -> None:
        """KPIs by breakdown and period, with medians, targets and the previous period.

        Teams and agents are shown, and may be filtered, by name (--filter team=Billing)
        or by id. --sort value --top 5 --by agent: the five agents with the highest value.
        --schedules lists the scheduled reports of sanjeh.toml, --schedule NAME runs one.
        """
        from .. import metrics
        from .. import report as render

        if schedule or schedules:  # (docs/live.md, "Scheduled reports")
            from ._schedules import scheduled

            return scheduled(db, schedule, as_json=format == "json")
        _check_options(format, output, sort)
        by = list(by or [])
        filters = _filters(filter or [])
        config = metrics.MetricsConfig.from_settings()
        with _report_store(db, config) as store, err_console.status("computing KPIs…"):
            df = metrics.kpis(
                store,
                kpi or None,
                by=by,
                period=period,
                start=start,
                end=end,
                filters=filters,
                hours=hours,
                config=config,
            )
            if filters and not (df["n"].fillna(0) > 0).any():
                from ..metrics._names import resolve_names, unknown_values

                why = unknown_values(store, resolve_names(store, filters))
                if why:
                    raise ConfigError(why)
            names = display_names(store, by)
        if sort or top or ascending:
            df = sort_rows(df, sort or "value", top=top, ascending=ascending)
        if format == "table":
            if output:
                raise ConfigError("--output needs --format json, csv, xlsx or html")
            print_kpis(df, by, names, config)
            return
        if format == "xlsx":
            assert output is not None
            render.to_xlsx(df, output)
            err_console.print(f"wrote {len(df):,} rows to {output}")
            return
        text = {
            "json": lambda: json.dumps(render.to_json_records(df), ensure_ascii=False, indent=1),
            "csv": lambda: render.to_csv(df),
            "html": lambda: render.to_html(df),
        }[format]()
        if output:
            output.write_text(text, encoding="utf-8")
            err_console.print(f"wrote {len(df):,} rows to {output}")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")

    @app.command("kpis")
    def list_kpis(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """List every KPI with its definition (see docs/metrics.md)."""
        from ..metrics import all_kpis

        found = all_kpis()
        if as_json:
            console.print_json(
                json.dumps(
                    {
                        k.name: {
                            "title": k.titles,
                            "unit": k.unit,
                            "definition": k.definition,
                            "formula": k.formula,
                            "higher_is_better": k.higher_is_better,
                        }
                        for k in found.values()
                    },
                    ensure_ascii=False,
                )
            )
            return
        table = Table("KPI", "title", "unit", "definition")
        for k in found.values():
            table.add_row(k.name, k.title, k.unit, k.definition)
        console.print(table)
