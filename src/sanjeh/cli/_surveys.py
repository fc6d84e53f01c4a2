"""``sanjeh survey …``: define, send and read surveys (a thin shell over sanjeh.surveys,
docs/surveys.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, err_console, esc, plain
from ._options import DbOption, JsonOption, open_store

survey_app = typer.Typer(
    name="survey",
    help="Surveys Sanjeh sends itself: CSAT, CES, NPS, eNPS, pulse (docs/surveys.md).",
    no_args_is_help=True,
)


@survey_app.command("create")
def create(
    file: Annotated[
        str,
        typer.Argument(
            help="A definition (.toml or .json), or the id of a ready-made one: "
            "csat-after-solve, ces-after-solve, nps-after-solve, enps-quarterly, pulse-weekly."
        ),
    ],
    by: Annotated[str, typer.Option("--by", help="Who creates it (recorded).")] = "cli",
    db: DbOption = None,
) -> None:
    """Store a survey definition: version 1, a new version when it changed, nothing when
    it is unchanged."""
    from ..surveys import create_survey, default_definitions, load_definition

    defaults = default_definitions()
    if file in defaults and not Path(file).exists():
        definition = defaults[file]
    else:
        if not Path(file).is_file():
            known = ", ".join(defaults)
            raise ConfigError(f"{file}: no such file (or ready-made survey: {known})")
        definition = load_definition(Path(file))
    with open_store(db, create=True) as store:
        before = _latest_version(store, definition.survey_id)
        stored = create_survey(store, definition, by=by)
    what = "unchanged" if before == stored.version else "created"
    console.print(f"survey {esc(stored.survey_id)} version {stored.version} {what}")


def _latest_version(store: Any, survey_id: str) -> int | None:
    from ..surveys import UnknownSurvey, survey

    try:
        return survey(store, survey_id).version
    except UnknownSurvey:
        return None


@survey_app.command("list")
def list_surveys(
    retired: Annotated[bool, typer.Option("--retired", help="Show retired ones too.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The surveys, with their latest version, trigger and invitations so far."""
    from ..surveys import surveys

    with open_store(db, read_only=True) as store:
        found = surveys(store, retired=retired)
        counts = _counts(store)
    rows = [
        {
            "survey_id": d.survey_id,
            "version": d.version,
            "kind": d.kind,
            "trigger": d.trigger + (f" ({d.every_weeks} w)" if d.every_weeks else ""),
            "anonymous": d.anonymous,
            "questions": len(d.questions),
            "invited": counts.get(d.survey_id, (0, 0))[0],
            "answered": counts.get(d.survey_id, (0, 0))[1],
        }
        for d in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        err_console.print("no surveys yet: `sanjeh survey create csat-after-solve`", markup=False)
        return
    table = Table(*rows[0])
    for r in rows:
        table.add_row(*(plain(v) for v in r.values()))
    console.print(table)


def _counts(store: Any) -> dict[str, tuple[int, int]]:
    i = store.table("survey_invitations")
    expr = i.group_by("survey_id").agg(invited=i.count(), answered=(i.status == "answered").sum())
    rows = expr.to_pyarrow().to_pylist()
    return {r["survey_id"]: (int(r["invited"]), int(r["answered"] or 0)) for r in rows}


@survey_app.command("send")
def send(
    survey_id: Annotated[str, typer.Argument(help="The survey (`sanjeh survey list`).")],
    outbox: Annotated[
        Path | None,
        typer.Option("--outbox", help="Write the invitations here (.jsonl or .csv)."),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST the invitations as JSON to this URL.")
    ] = None,
    base_url: Annotated[
        str,
        typer.Option("--base-url", help="The dashboard's address as recipients reach it."),
    ] = "http://localhost:8000",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count who would be invited.")
    ] = False,
    now_text: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="Choose whom to invite as if it were the end of this day (YYYY-MM-DD, "
            "UTC): try a survey on past data, such as an older export. The invitations are "
            "sent now, and their links expire counted from now.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Invite whoever the survey's trigger and sampling call for now: an outbox file for
    your mailer / SMS gateway, and / or a webhook POST (without either, the records are
    printed as JSON Lines)."""
    from ..surveys import plan_invitations, send_invitations, survey
    from ..surveys._sending import OutboxFormat, outbox_text

    day = _day("--now", now_text)
    sent = dt.datetime.now(dt.UTC)
    now = sent if day is None else day + dt.timedelta(days=1)
    fmt: OutboxFormat = "csv" if outbox is not None and outbox.suffix.lower() == ".csv" else "jsonl"
    with open_store(db) as store:
        definition = survey(store, survey_id)
        planned = plan_invitations(store, survey_id, now=now, definition=definition)
        if dry_run:
            console.print(f"{len(planned):,} invitation(s) would be sent (nothing written)")
            return
        planned = [  # (chosen as of --now, sent now)
            dataclasses.replace(i, sent_at=sent, expires_at=sent + (i.expires_at - i.sent_at))
            for i in planned
        ]
        result = send_invitations(
            store, survey_id, now=sent, base_url=base_url, outbox=outbox, webhook=webhook,
            format=fmt, invitations=planned,
        )  # fmt: skip
    if outbox is None and webhook is None:
        typer.echo(outbox_text(result.records, "jsonl"), nl=False)
    where = [str(p) for p in (outbox,) if p] + (["the webhook"] if webhook else [])
    to = f" to {' and '.join(where)}" if where else ""
    err_console.print(f"{result.sent:,} invitation(s) of {survey_id} sent{to}", markup=False)
    if not result.sent and definition.trigger in ("ticket_solved", "call_ended"):
        err_console.print(
            f"nobody was due: {survey_id} asks about conversations that ended in the "
            f"{definition.lookback_days} days before {now:%Y-%m-%d %H:%M} UTC "
            "(lookback_days) and were not asked already; on past data, such as an "
            "older export, pass --now with a day the data covers",
            markup=False,
        )


@survey_app.command("results")
def results(
    survey_id: Annotated[str, typer.Argument(help="The survey (`sanjeh survey list`).")],
    by: Annotated[
        str | None, typer.Option("--by", help="Break down by team, language or agent.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD, UTC).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (YYYY-MM-DD, UTC), included.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answers per question: how many, the mean, the KPI's value and the distribution
    (anonymous surveys hide groups of fewer than [surveys] min_group answers)."""
    from ..settings import load_settings
    from ..surveys import survey_results

    first = _day("--from", start)
    last = _day("--to", end)
    with open_store(db, read_only=True) as store:
        frame = survey_results(
            store,
            survey_id,
            start=first,
            end=None if last is None else last + dt.timedelta(days=1),
            by=by,
            settings=load_settings(),
        )
    rows = json.loads(frame.to_json(orient="records", force_ascii=False))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(*frame.columns)
    for r in rows:
        table.add_row(*(plain(_cell(v)) for v in r.values()))
    console.print(table)


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in value.items())
    return "—" if value is None else value


def _day(name: str, text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{name} {text!r}: give a date as YYYY-MM-DD") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def survey_commands(app: typer.Typer) -> None:
    app.add_typer(survey_app)
