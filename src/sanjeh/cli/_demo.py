"""`sanjeh demo`: generate a realistic support operation and show its headline KPIs."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ..errors import ConfigError
from ..store import Store
from ._console import console, err_console, esc, progress_bar
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

# Alerts, evaluated by `sanjeh serve` after each data change and by `sanjeh alerts check`
# (docs/insights.md, "Alerts"); add `webhook = "https://…"` to have them POSTed
[[alerts]]
name = "csat-below-target"
kpi = "csat"
condition = "threshold"
below = 0.8
period = "week"
by = "team"
min_n = 20                # fewer answers: not judged

[[alerts]]
name = "fcr-change"
kpi = "fcr_rate"
condition = "change"
period = "week"
by = "team"

[[alerts]]
name = "volume"
kpi = "tickets_created"
condition = "anomaly"
period = "day"
"""


def _weekly(cal: object) -> str:
    weekly = cal.weekly  # type: ignore[attr-defined]
    return ", ".join(
        f"{day} = [{', '.join(f'[{a!r}, {b!r}]' for a, b in spans)}]".replace("'", '"')
        for day, spans in weekly.items()
    )


def write_demo_config(path: Path, last_day: dt.date | None = None) -> bool:
    """Write the demo calendars to ``path`` unless a config file is there already (with
    ``last_day``, the demo's last day, its A/B test too: demo/_experiments.py)."""
    if path.exists():
        return False
    from ..demo import business_calendars
    from ..demo._experiments import experiment_toml

    cals = business_calendars()
    path.write_text(
        DEMO_CONFIG.format(
            tehran=_weekly(cals["tehran"]),
            extended=_weekly(cals["tehran-extended"]),
            riyadh=_weekly(cals["riyadh"]),
        )
        + ("" if last_day is None else experiment_toml(last_day)),
        encoding="utf-8",
    )
    return True


def _date(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date; write e.g. 2026-08-03") from None


def today_in_tehran() -> dt.date:
    """Today where the demo operation works."""
    return dt.datetime.now(ZoneInfo("Asia/Tehran")).date()


def last_whole_day() -> dt.date:
    """The demo's default last day: yesterday in Tehran, so its data ends at the start of
    today — never in the future — and "this month" holds data."""
    return today_in_tehran() - dt.timedelta(days=1)


def refuse_real_data(store: Store) -> None:
    """The demo is not written over data imported from elsewhere unless asked (--force):
    its teams, agents and tickets would mix with the real ones in every report."""
    from ..demo import DEMO_TABLES, SOURCE

    for name in DEMO_TABLES:
        t = store.table(name)
        if "source" not in t.columns:
            continue
        found = int(store.con.execute(t.filter(t.source != SOURCE).count()))
        if found:
            raise ConfigError(
                f"{store.url} holds data imported from elsewhere ({found:,} rows of {name} "
                "that are not demo data), and the demo would mix with it in every report; "
                "write the demo into a new store (--db demo.duckdb), or pass --force to add "
                "it anyway"
            )


def demo_commands(app: typer.Typer) -> None:
    @app.command()
    def demo(
        tickets: Annotated[int, typer.Option(help="Tickets to generate.")] = 5000,
        seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same data.")] = 42,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of",
                help="Last day of the demo (YYYY-MM-DD, Tehran) \\[default: yesterday, so the "
                "data ends at the start of today]; give it for output that is the same on "
                "every run.",
            ),
        ] = None,
        start: Annotated[
            str | None, typer.Option(help="First day (YYYY-MM-DD) instead of --as-of.")
        ] = None,
        days: Annotated[int, typer.Option(help="Days the operation runs.")] = 90,
        force: Annotated[
            bool,
            typer.Option("--force", help="Add the demo to a store that holds imported data."),
        ] = False,
        serve: Annotated[bool, typer.Option("--serve", help="Open the dashboard on it.")] = False,
        db: DbOption = None,
    ) -> None:
        """Generate a realistic demo operation (fa / ar / en) up to today, then print its
        headline KPIs."""
        from ..demo import generate, generate_qa
        from ..metrics import MetricsConfig, kpis
        from ..settings import load_settings
        from ..speech import analyze_calls
        from ..topics import discover
        from ._report import print_kpis

        first, last_day = _date("--start", start), _date("--as-of", as_of)
        if first is not None and last_day is not None:
            raise ConfigError("give --start (the first day) or --as-of (the last), not both")
        if first is None and last_day is None:
            last_day = last_whole_day()
        settings = load_settings()
        with open_store(db, create=True) as store:
            if not force:
                refuse_real_data(store)
            end = last_day if first is None else first + dt.timedelta(days=days - 1)
            if settings.config_file is None and write_demo_config(Path("sanjeh.toml"), end):
                err_console.print("wrote sanjeh.toml with the demo teams' business hours")
            with progress_bar("generating demo data") as update:
                summary = generate(
                    store,
                    tickets=tickets,
                    seed=seed,
                    start=first,
                    as_of=last_day,
                    days=days,
                    progress=update,
                )
            rows = ", ".join(f"{n:,} {t}" for t, n in summary.rows.items() if n)
            console.print(f"demo data in {esc(repr(store))} ({summary.seconds:.1f}s): {rows}")
            # the calls' speech figures (talk, silence, overtalk: the /calls page)
            with err_console.status("measuring the calls' speech…"):
                speech = analyze_calls(store)
            console.print(
                f"speech figures of {speech.calls:,} calls ({speech.segments:,} transcript "
                f"segments) in {speech.seconds:.1f}s"
            )
            # what customers write about (/insights/topics, the breakdown "topic")
            with err_console.status("finding the topics customers write about…"):
                began = time.perf_counter()
                found = discover(store, seed=seed)
            clustered = sum(r.clustered for r in found.languages)
            console.print(
                f"{len(found.topics)} topics in {clustered:,} customers' first messages "
                f"in {time.perf_counter() - began:.1f}s"
            )
            # the QA workflow over it (the /qa pages and the IQS KPIs)
            with err_console.status("writing demo QA reviews…"):
                qa = generate_qa(store, seed=seed)
            console.print(esc(qa.describe()))
            with err_console.status("building ticket facts and KPIs…"):
                config = MetricsConfig.from_settings(load_settings())
                # the last four weeks, against the four before
                last = summary.end.astimezone(ZoneInfo("Asia/Tehran")).date()
                df = kpis(
                    store, HEADLINE, config=config, start=last - dt.timedelta(days=28), end=last
                )
            console.print(
                f"last four weeks ({last - dt.timedelta(days=28)} – "
                f"{last - dt.timedelta(days=1)}), against the four before:"
            )
            print_kpis(df, [], config=config)
            url = store.url
        console.print("next: [bold]sanjeh report --by team --period week[/], [bold]sanjeh serve[/]")
        if serve:
            from ..web import serve as run_server

            run_server(url, open_browser=True)
