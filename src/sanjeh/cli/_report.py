"""`sanjeh report` and `sanjeh kpis`: KPI tables in the terminal or as files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, err_console
from ._options import DbOption, open_store

FORMATS = ("table", "json", "csv", "xlsx", "html")


def _filters(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ConfigError(
                f"--filter {item!r} must look like dimension=value, e.g. team=billing"
            )
        out.setdefault(key.strip(), []).extend(v.strip() for v in value.split(","))
    return out


def display_names(store: object, by: list[str]) -> dict[str, dict[str, str]]:
    """Names to show instead of team / agent ids (ids whose entity has no name stay)."""
    names: dict[str, dict[str, str]] = {}
    for dim, table, key in (("team", "teams", "team_id"), ("agent", "agents", "agent_id")):
        if dim in by:
            t = store.table(table)  # type: ignore[attr-defined]
            rows = t.filter(t.name.notnull()).select(key, "name").to_pyarrow().to_pylist()
            names[dim] = {r[key]: r["name"] for r in rows}
    return names


def kpi_table(
    df: pd.DataFrame, by: list[str], names: dict[str, dict[str, str]] | None = None
) -> Table:
    """KPI results as a rich table; columns with nothing to show are left out."""
    from ..report._format import format_value

    names = names or {}

    rows = []
    for row in df.to_dict(orient="records"):
        unit = row["unit"]
        status = {"met": "[green]✓[/]", "missed": "[red]✗[/]"}.get(row["status"] or "", "")
        target = format_value(unit, row["target"]) if pd.notna(row["target"]) else ""
        spread = unit == "seconds"
        rows.append(
            {
                "KPI": row["title"],
                **{d: names.get(d, {}).get(row[d], str(row[d])) for d in by},
                "period": row["period"] or "",
                "value": format_value(unit, row["value"]),
                "n": f"{row['n']:,}",
                "median": format_value(unit, row["median"]) if spread else "",
                "p90": format_value(unit, row["p90"]) if spread else "",
                "vs previous": _coloured_change(row["kpi"], unit, row["change"]),
                "target": f"{target} {status}".strip(),
            }
        )
    columns = ["KPI", *by, "period", "value", "n", "median", "p90", "vs previous", "target"]
    shown = [n for n in columns if n in ("KPI", "value") or any(r[n] for r in rows)]
    table = Table(header_style="bold")
    for name in shown:
        numeric = name in ("value", "n", "median", "p90")
        table.add_column(name, justify="right" if numeric else "left", no_wrap=name != "KPI")
    for r in rows:
        table.add_row(*[r[n] for n in shown])
    return table


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
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write to this file instead of the screen."),
        ] = None,
        db: DbOption = None,
    ) -> None:
        """KPIs by breakdown and period, with medians, targets and the previous period."""
        from .. import metrics
        from .. import report as render

        if format not in FORMATS:
            raise ConfigError(f"--format must be one of {', '.join(FORMATS)}")
        if format == "xlsx" and output is None:
            raise ConfigError("--format xlsx needs --output FILE.xlsx")
        by = list(by or [])
        with open_store(db) as store, err_console.status("computing KPIs…"):
            df = metrics.kpis(
                store,
                kpi or None,
                by=by,
                period=period,
                start=start,
                end=end,
                filters=_filters(filter or []),
                hours=hours,
            )
            names = display_names(store, by)
        if format == "table":
            if output:
                raise ConfigError("--output needs --format json, csv, xlsx or html")
            console.print(kpi_table(df, by, names))
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
