"""`sanjeh analyze`: score new conversations and calls, inspect one message, train a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from ..errors import ConfigError
from ._console import console, err_console, esc, plain, progress_bar
from ._options import DbOption, JsonOption, open_store

if TYPE_CHECKING:
    from ..speech import AnalysisSummary
    from ..text import MessageAnalysis, ScoreSummary

#: Unicode isolates around right-to-left text in table cells, so a terminal that does
#: bidi keeps each cell's text in its cell (both are zero-width elsewhere)
_FSI, _PDI = "\u2068", "\u2069"
_ROLES = ("customer", "agent", "bot")
_LANGUAGES = ("fa", "ar", "en", "other")


def _isolated(text: str, language: str) -> str:
    return f"{_FSI}{text}{_PDI}" if language in ("fa", "ar") else text


def analyze_commands(app: typer.Typer) -> None:
    analyze_app = typer.Typer(
        help="Conversation analysis: score what is new, inspect a message, train a model.",
        rich_markup_mode="rich",
    )
    app.add_typer(analyze_app, name="analyze")

    @analyze_app.callback(invoke_without_command=True)
    def score(
        ctx: typer.Context,
        since: Annotated[
            str | None,
            typer.Option(help="Also re-score every conversation with a message since this date."),
        ] = None,
        batch: Annotated[int, typer.Option(help="Messages scored at once.")] = 2_000,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Score the conversations not yet scored by the current analyzers (auto_scores) and
        analyse the calls whose transcript or recording segments changed (call_speech)."""
        if ctx.invoked_subcommand is not None:
            return
        from ..speech import analyze_calls
        from ..text import score_store

        with open_store(db) as store:
            with progress_bar("scoring messages") as update:
                summary = score_store(store, since=since, batch=batch, progress=update)
            with progress_bar("analysing calls") as update:
                calls = analyze_calls(store, progress=update)
        if as_json:
            out = {**summary.as_dict(), "calls": calls.as_dict()}
            console.print_json(json.dumps(out, ensure_ascii=False))
        else:
            _print_score_summary(summary)
            _print_calls_summary(calls)

    @analyze_app.command("text")
    def text_(
        message: Annotated[str, typer.Argument(help="The message to analyse.")],
        language: Annotated[
            str | None, typer.Option(help="fa, ar, en or other (default: detected).")
        ] = None,
        role: Annotated[
            str | None,
            typer.Option(help="customer, agent or bot (default: run every analyzer)."),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Every signal, with its evidence, for one message."""
        from .. import text

        if language is not None and language not in _LANGUAGES:
            raise ConfigError(f"--language must be one of {', '.join(_LANGUAGES)}")
        if role is not None and role not in _ROLES:
            raise ConfigError(f"--role must be one of {', '.join(_ROLES)}")
        (result,) = text.analyze([message], language=language, role=role)
        if as_json:
            out = {
                "text": result.text,
                "language": result.language,
                "role": result.role,
                "signals": [s.as_dict() for s in result.signals],
            }
            console.print_json(json.dumps(out, ensure_ascii=False))
            return
        _print_analysis(result)

    @analyze_app.command()
    def train(
        data: Annotated[Path, typer.Option(help="CSV of labelled messages (text,label).")],
        output: Annotated[Path, typer.Option(help="Folder (or .json file) for the model.")],
        name: Annotated[str, typer.Option(help="Analyzer name of the model.")] = "custom",
        text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
        label_column: Annotated[str, typer.Option(help="Column holding the label.")] = "label",
    ) -> None:
        """Train a model on your own labelled messages (load it with text.load_model)."""
        from .. import text

        with err_console.status("training…"):
            model = text.train(
                data, output, name=name, text_column=text_column, label_column=label_column
            )
        labels = model.model.meta.get("labels", {})
        counts = ", ".join(f"{label} {n:,}" for label, n in sorted(labels.items()))
        console.print(
            f"trained [bold]{esc(model.name)}[/] ({esc(model.version)}) on "
            f"{sum(labels.values()):,} messages ({esc(counts)}); saved to {esc(output)}",
            highlight=False,
        )


def _print_score_summary(summary: ScoreSummary) -> None:
    if not summary.messages:
        console.print("nothing new to score: every message has current scores")
        return
    what = [f"{summary.tickets:,} tickets"] if summary.tickets or not summary.calls else []
    what += [f"{summary.calls:,} call transcripts"] if summary.calls else []
    console.print(
        f"scored {' and '.join(what)} ({summary.messages:,} messages) in "
        f"{summary.seconds:.1f}s, {summary.messages_per_second:,.0f} messages/s",
        highlight=False,
    )
    table = Table("auto_scores", "inserted", "replaced", "unchanged", "retired", box=None)
    table.add_row(
        "rows",
        f"{summary.inserted:,}",
        f"{summary.replaced:,}",
        f"{summary.unchanged:,}",
        f"{summary.retired:,}",
    )
    console.print(table)


def _print_calls_summary(calls: AnalysisSummary) -> None:
    if not calls.calls:
        console.print("no call to analyse: every call's speech figures are current")
        return
    console.print(
        f"analysed {calls.calls:,} calls ({calls.segments:,} segments) in "
        f"{calls.seconds:.1f}s: call_speech {calls.inserted:,} inserted, "
        f"{calls.replaced:,} replaced, {calls.unchanged:,} unchanged",
        highlight=False,
    )


def _print_analysis(result: MessageAnalysis) -> None:
    found = Text(result.text)  # alone on its lines: a bidi terminal orders it by itself
    for signal in result.signals:
        if signal.present:
            for e in signal.evidence:
                found.stylize("bold underline", e.start, e.end)
    console.print(
        f"language: [bold]{result.language}[/]   role: [bold]{result.role or 'any'}[/]",
        highlight=False,
    )
    console.print(found)
    table = Table("analyzer", "label", "score", "evidence", header_style="bold")
    comma = "، " if result.language in ("fa", "ar") else ", "
    for signal in result.signals:
        evidence = comma.join(
            _isolated(e.text, result.language) + (f" ({e.tag})" if e.tag else "")
            for e in signal.evidence
        )
        style = "" if signal.present else "dim"
        table.add_row(
            signal.analyzer, signal.label, f"{signal.score:.2f}", plain(evidence), style=style
        )
    console.print(table)
