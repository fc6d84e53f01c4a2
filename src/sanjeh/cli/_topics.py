"""``sanjeh topics …``: find topics in customers' first messages, assign new tickets to
them, list them (docs/topics.md)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.table import Table

from ..errors import ConfigError
from ._console import console, err_console, esc, progress_bar
from ._options import DbOption, JsonOption, open_store

topics_app = typer.Typer(
    name="topics",
    help="Topics customers write about: discover, assign new tickets, list.",
    no_args_is_help=True,
)


#: a gap's reasons in words (compared with all tickets of the same period)
_WHY = {
    "low_fcr": "lower FCR",
    "high_reopen": "more reopens",
    "slow_resolution": "slower resolution",
}


@topics_app.command("discover")
def discover_command(
    language: Annotated[
        list[str] | None,
        typer.Option("--language", help="Only this language (fa, ar, en …); repeatable."),
    ] = None,
    k: Annotated[
        int | None,
        typer.Option("--k", min=1, max=500, help="Topics per language (default: automatic)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same data, same topics).")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cluster each language's first customer messages into topics, replacing the
    language's earlier topics and assignments."""
    from ..topics import discover

    with open_store(db) as store, progress_bar("clustering (languages)") as update:
        run = discover(store, languages=language, k=k, seed=seed, progress=update)
    if as_json:
        console.print_json(json.dumps(dataclasses.asdict(run), ensure_ascii=False, default=str))
        return
    for lang in run.languages:
        if lang.skipped:
            err_console.print(f"{esc(lang.language)}: not clustered, {esc(lang.skipped)}")
            continue
        console.print(
            f"{esc(lang.language)}: {lang.clustered:,} of {lang.messages:,} messages in "
            f"{lang.topics} topics; without a topic: {lang.no_terms:,} with no terms, "
            f"{lang.no_match:,} sharing nothing with a topic",
            highlight=False,
        )
    console.print(f"model {esc(run.model_version)}", highlight=False)


@topics_app.command("assign")
def assign_command(db: DbOption = None) -> None:
    """Put tickets that have no topic yet in the nearest topic of their language's
    latest model (no re-clustering)."""
    from ..topics import assign

    with open_store(db) as store, progress_bar("assigning (languages)") as update:
        n = assign(store, progress=update)
    console.print(f"assigned {n:,} tickets to topics", highlight=False)


@topics_app.command("list")
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The topics, largest first per language, with their key phrases and examples."""
    from ..topics import list_topics

    with open_store(db, read_only=True) as store:
        found = list_topics(store)
    if not found:
        raise ConfigError("no topics yet: run `sanjeh topics discover` first")
    if as_json:
        console.print_json(
            json.dumps([dataclasses.asdict(t) for t in found], ensure_ascii=False, default=str)
        )
        return
    table = Table("topic", "tickets", "label", "example")
    for t in found:
        example = t.examples[0][1] if t.examples else ""
        table.add_row(
            esc(t.topic_id), f"{t.size:,}", esc(t.label), esc(" ".join(example.split())[:80])
        )
    console.print(table)


@topics_app.command("coverage")
def coverage_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Each topic's nearest knowledge-base articles (same language, TF-IDF cosine) and
    whether one covers it (docs/topics.md)."""
    from ..topics import COVERED_AT, coverage

    with open_store(db, read_only=True) as store:
        found = coverage(store)
    if not found:
        raise ConfigError("no topics yet: run `sanjeh topics discover` first")
    if as_json:
        console.print_json(json.dumps([c.as_dict() for c in found], ensure_ascii=False))
        return
    table = Table("topic", "tickets", "label", "covered", "best article", "score")
    for c in found:
        best = c.best
        table.add_row(
            esc(c.topic_id),
            f"{c.size:,}",
            esc(c.label),
            "yes" if c.covered else "no",
            esc(best.title) if best else "—",
            f"{best.score:.2f}" if best else "—",
        )
    console.print(table)
    covered = sum(c.covered for c in found)
    console.print(
        f"{covered} of {len(found)} topics covered (best article scores ≥ {COVERED_AT:.2f})",
        highlight=False,
    )


@topics_app.command("gaps")
def gaps_command(
    start: Annotated[str | None, typer.Option("--start", help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Day after the last (YYYY-MM-DD).")
    ] = None,
    min_tickets: Annotated[
        int, typer.Option("--min-tickets", min=1, help="Fewest tickets a topic needs.")
    ] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Knowledge gaps: topics with many tickets, poor outcomes and no article (write
    these), then topics whose article does not help (improve these), by impact."""
    from ..metrics import MetricsConfig
    from ..topics import knowledge_gaps

    with open_store(db) as store:
        found = knowledge_gaps(
            store,
            start=start,
            end=end,
            min_tickets=min_tickets,
            config=MetricsConfig.from_settings(),
        )
    if as_json:
        console.print_json(json.dumps([g.as_dict() for g in found], ensure_ascii=False))
        return
    if not found:
        console.print("no knowledge gaps", highlight=False)
        return
    for kind, title in (("missing", "write these"), ("not_helping", "improve these")):
        rows = [g for g in found if g.kind == kind]
        if not rows:
            continue
        table = Table("topic", "suggested title", "tickets", "FCR", "impact", "why", title=title)
        for g in rows:
            fcr = f"{g.fcr_rate:.1%}" if g.fcr_rate is not None else "—"
            table.add_row(
                esc(g.topic_id),
                esc(g.title),
                f"{g.tickets:,}",
                fcr,
                f"{g.impact:.1f}",
                esc(", ".join(_WHY.get(r, r) for r in g.reasons)),
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``sanjeh topics`` to ``app``."""
    app.add_typer(topics_app)
