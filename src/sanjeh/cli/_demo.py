"""`sanjeh demo`: generate a realistic support operation and show its headline KPIs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ..errors import ConfigError
from ._console import console, err_console, progress_bar
from ._options import DbOption, open_store

HEADLINE = [
    "first_reply_time",
    "resolution_time",
    "fcr_rate",
    "csat",
    "nps",
    "sla_achievement",
    "tickets_created",
    "backlog",
    "call_abandonment_rate",
    "iqs",
]

DEMO_CONFIG = """# Written by `sanjeh demo`: the demo teams' business hours (see docs/calendars.md)
[metrics]
calendar = "tehran"

[calendars.tehran]
timezone = "Asia/Tehran"
weekly = {{ {tehran} }}
holidays = ["IR"]

[calendars.tehran-extended]
timezone = "Asia/Tehran"
weekly = {{ {extended} }}
holidays = ["IR"]

[calendars.riyadh]
timezone = "Asia/Riyadh"
weekly = {{ {riyadh} }}
holidays = ["SA"]

[targets]
first_reply_time = "4h"
csat = 0.8
sla_achievement = 0.9
"""


def _weekly(cal: object) -> str:
    weekly = cal.weekly  # type: ignore[attr-defined]
    return ", ".join(
        f"{day} = [{', '.join(f'[{a!r}, {b!r}]' for a, b in spans)}]".replace("'", '"')
        for day, spans in weekly.items()
    )


def write_demo_config(path: Path) -> bool:
    """Write the demo calendars to ``path`` unless a config file is there already."""
    if path.exists():
        return False
    from ..demo import business_calendars

    cals = business_calendars()
    path.write_text(
        DEMO_CONFIG.format(
            tehran=_weekly(cals["tehran"]),
            extended=_weekly(cals["tehran-extended"]),
            riyadh=_weekly(cals["riyadh"]),
        ),
        encoding="utf-8",
    )
    return True


def demo_commands(app: typer.Typer) -> None:
    @app.command()
    def demo(
        tickets: Annotated[int, typer.Option(help="Tickets to generate.")] = 5000,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same data.")] = 42,
        start: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
        days: Annotated[int, typer.Option(help="Days the operation runs.")] = 90,
        serve: Annotated[bool, typer.Option("--serve", help="Open the dashboard on it.")] = False,
        db: DbOption = None,
    ) -> None:
        """Generate a realistic demo operation (fa / ar / en), then print its headline KPIs."""
        from ..demo import generate, generate_qa
        from ..metrics import MetricsConfig, kpis
        from ..settings import load_settings
        from ._report import kpi_table

        first = None
        if start:
            try:
                first = dt.date.fromisoformat(start)
            except ValueError:
                raise ConfigError(
                    f"--start {start!r} is not a date; write e.g. 2026-08-03"
                ) from None
        settings = load_settings()
        if settings.config_file is None and write_demo_config(Path("sanjeh.toml")):
            err_console.print("wrote sanjeh.toml with the demo teams' business hours")
        with open_store(db) as store:
            with progress_bar("generating demo data") as update:
                summary = generate(
                    store, tickets=tickets, seed=seed, start=first, days=days, progress=update
                )
            rows = ", ".join(f"{n:,} {t}" for t, n in summary.rows.items() if n)
            console.print(f"demo data in {store!r} ({summary.seconds:.1f}s): {rows}")
            # the QA workflow over it (the /qa pages and the IQS KPIs)
            with err_console.status("writing demo QA reviews…"):
                qa = generate_qa(store, seed=seed)
            console.print(qa.describe())
            with err_console.status("building ticket facts and KPIs…"):
                config = MetricsConfig.from_settings(load_settings())
                # the last four weeks, against the four before
                last = summary.end.astimezone(ZoneInfo("Asia/Tehran")).date()
                df = kpis(
                    store, HEADLINE, config=config, start=last - dt.timedelta(days=28), end=last
                )
            console.print(
                f"last four weeks ({last - dt.timedelta(days=28)} – {last}), "
                "against the four before:"
            )
            console.print(kpi_table(df, []))
            url = store.url
        console.print("next: [bold]sanjeh report --by team --period week[/], [bold]sanjeh serve[/]")
        if serve:
            from ..web import serve as run_server

            run_server(url, open_browser=True)
