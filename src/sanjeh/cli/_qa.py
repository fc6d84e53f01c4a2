"""``sanjeh qa …``: QA chores for stores no dashboard serves (a thin shell over sanjeh.qa).

The CLI acts as the local administrator, like ``sanjeh user``: whoever can open the
database may run them. A served store needs none of this: the server runs due
recurring cycles itself.
"""

from __future__ import annotations

import json

import typer
from rich.table import Table

from ..accounts import LOCAL_ADMIN
from ..qa import Workspace
from ._console import console, plain
from ._options import DbOption, JsonOption, open_store
from ._qa_insights import insights_command

qa_app = typer.Typer(
    name="qa",
    help="Quality-assurance chores (recurring review cycles).",
    no_args_is_help=True,
)


@qa_app.command("run-cycles")
def run_cycles(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Create the next occurrence of every recurring review cycle whose period is over
    (catching up missed ones; nothing when none is due). For cron."""
    with open_store(db) as store:
        made = Workspace(store).run_due_cycles(LOCAL_ADMIN)
    if as_json:
        rows = [
            {
                "cycle_id": c.cycle_id,
                "name": c.name,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "follows": c.follows,
                "assignments": len(assigned),
            }
            for c, assigned in made
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not made:
        console.print("no recurring review cycle is due")
        return
    table = Table("cycle id", "name", "period (UTC)", "assignments", "follows")
    for c, assigned in made:
        table.add_row(
            c.cycle_id,
            plain(c.name),
            f"{c.start:%Y-%m-%d %H:%M} – {c.end:%Y-%m-%d %H:%M}",
            str(len(assigned)),
            c.follows or "",
        )
    console.print(table)
    console.print(f"{len(made)} review cycle(s) created")


# #22 (Q1): sanjeh qa insights
qa_app.command("insights")(insights_command)


def qa_commands(app: typer.Typer) -> None:
    app.add_typer(qa_app)
