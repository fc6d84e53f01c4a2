"""The ``sanjeh`` command: a thin shell over the library.

Every command opens the store from ``--db`` (or ``SANJEH_DB`` / ``sanjeh.toml`` /
``./sanjeh.duckdb``), calls one library function and prints its result. Errors
from ``sanjeh.errors`` become one red line on stderr and exit code 1.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import SanjehError
from ._analyze import analyze_commands
from ._console import err_console, esc
from ._data import data_app_commands
from ._demo import demo_commands
from ._experiments import register as experiment_commands
from ._insights import insights_commands
from ._plan import plan_commands
from ._qa import qa_commands
from ._report import report_commands
from ._serve import serve_commands
from ._surveys import survey_commands
from ._topics import register as topic_commands
from ._users import user_commands

app = typer.Typer(
    name="sanjeh",
    help="Sanjeh (سنجه): measure and improve customer-support quality.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
data_app_commands(app)
demo_commands(app)
report_commands(app)
serve_commands(app)
analyze_commands(app)
user_commands(app)
qa_commands(app)
plan_commands(app)
survey_commands(app)
insights_commands(app)
experiment_commands(app)
topic_commands(app)


def _print_version(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"sanjeh {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Sanjeh (سنجه): measure and improve customer-support quality."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; Sanjeh errors become one red line and exit code 1."""
    try:
        app(args=argv, prog_name="sanjeh")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except SanjehError as exc:
        err_console.print(f"[bold red]error:[/] {esc(exc)}", highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err_console.print("[red]interrupted[/]")
        return 130
    return 0


def run() -> None:
    sys.exit(main())
