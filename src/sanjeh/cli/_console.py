"""Consoles shared by the commands (stdout for results, stderr for progress and errors)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

console = Console()
err_console = Console(stderr=True)


def esc(value: object) -> str:
    """Text from data or the user (file names, team names, error messages) for a
    markup string: ``[metrics]`` must print as itself, not vanish as a style tag."""
    return escape(str(value))


def plain(value: object) -> Text:
    """A table cell shown exactly as given (Rich reads a plain ``str`` as markup)."""
    return Text(str(value))


@contextmanager
def progress_bar(label: str, *, unit: str = "items") -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr; yields ``update(done, total)``."""
    amount = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        amount,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
