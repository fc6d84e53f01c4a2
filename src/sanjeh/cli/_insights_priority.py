"""``sanjeh insights priority``: the open tickets, most pressing first, with the reasons
for each rank (docs/insights.md, "Priority ranking and the accuracy of prioritisation")."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ..errors import ConfigError
from ..store import Store
from ._console import console, plain
from ._options import DbOption, JsonOption, open_store


def _resolve(store: Store, table: str, key: str, given: str | None) -> str | None:
    """An id as given, or the id of the one row whose name is ``given``."""
    if given is None:
        return None
    t = store.table(table)
    if store.con.execute(t.filter(t[key] == given).count()):
        return given
    named = t.filter(t.name.lower() == given.lower()).select(key).to_pandas()[key].tolist()
    if len(named) == 1:
        return str(named[0])
    if named:
        raise ConfigError(f"{len(named)} {table} are named {given!r}; give the id instead")
    raise ConfigError(f"no {table[:-1]} {given!r} (an id or a name); see `sanjeh report --by`")


def priority_command(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many tickets to show.")] = 20,
    team: Annotated[str | None, typer.Option(help="Only this team's tickets (id or name).")] = None,
    agent: Annotated[
        str | None, typer.Option(help="Only this agent's tickets (id or name).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The open tickets ranked by what the customer wrote (urgency, outage, money,
    security, threats to leave), the customer's value, segment and churn risk, SLA time
    left and waiting time — with the reason for each rank and the priority suggested."""
    from ..insights import rank_open_tickets
    from ..insights._priority import duration

    with open_store(db) as store:
        queue = rank_open_tickets(
            store,
            limit=limit,
            team=_resolve(store, "teams", "team_id", team),
            agent=_resolve(store, "agents", "agent_id", agent),
        )
    if as_json:
        typer.echo(json.dumps(queue.as_dict(), ensure_ascii=False, indent=2))
        return
    console.print(
        plain(
            f"{queue.open_tickets} open tickets as of {queue.as_of:%Y-%m-%d %H:%M} UTC; "
            f"the top {len(queue.rows)}"
        )
    )
    for note in queue.notes:
        console.print(plain(note), style="yellow")
    table = Table(title="Priority queue")
    for col in ("#", "ticket", "priority", "suggested", "score", "SLA left", "customer", "why"):
        table.add_column(col)
    for r in queue.rows:
        if r.sla_left_s is None:
            left = "—"
        elif r.sla_breached:
            left = f"breached {duration(-r.sla_left_s)} ago"
        else:
            left = duration(r.sla_left_s)
        table.add_row(
            str(r.rank),
            plain(r.ticket_id),
            plain(r.assigned_priority or "—"),
            plain(r.suggested_priority),
            f"{r.score:.1f}",
            plain(left),
            plain(r.customer_name or r.customer_id or "—"),
            plain("; ".join(f"{x.text} (+{x.points:.0f})" for x in r.reasons) or "—"),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this part's commands to ``app``."""
    app.command("priority")(priority_command)
