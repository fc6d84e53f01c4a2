"""``sanjeh user …``: dashboard users and API tokens (a thin shell over sanjeh.accounts).

The CLI acts as the local administrator: whoever can open the database file may manage
its users (the audit log records it as ``local``). Names are found as the library finds
them: ignoring case and look-alike characters, or by user id. Passwords are asked twice
at a hidden prompt, or read from stdin with ``--password-stdin`` (for scripts); they
never appear on the command line.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from ..accounts import LOCAL_ADMIN, Accounts
from ..errors import ConfigError
from ..store import Store
from ._console import console, err_console, esc, plain
from ._options import DbOption, JsonOption, open_store

user_app = typer.Typer(
    name="user",
    help="Dashboard users, roles and API tokens (the dashboard asks for a login once a "
    "user exists).",
    no_args_is_help=True,
)

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ConfigError("--password-stdin: stdin is empty; pipe the password in")
        return line.rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True, err=True)
    again = typer.prompt("Password again", hide_input=True, err=True)
    if first != again:
        raise ConfigError("the two passwords differ; nothing was changed")
    return str(first)


def _accounts(db: str | None, *, create: bool = False) -> tuple[Store, Accounts]:
    store = open_store(db, create=create)
    return store, Accounts(store)


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        str, typer.Option("--role", "-r", help="admin, manager, reviewer or agent.")
    ] = "reviewer",
    name: Annotated[str, typer.Option("--name", help="Name shown in the dashboard.")] = "",
    agent_id: Annotated[
        str | None,
        typer.Option("--agent-id", help="The user's id in the agents table (agent role)."),
    ] = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Create a user (the first one switches the dashboard to logins)."""
    store, accounts = _accounts(db, create=True)  # users may come before the data
    with store:
        first = not accounts.has_users()
        accounts.check_new_user(username, role, agent_id)
        password = _password(password_stdin)
        user = accounts.add_user(LOCAL_ADMIN, username, password, role, name, agent_id)
    console.print(f"user {esc(repr(user.username))} ({user.role}) added: {esc(user.user_id)}")
    if first:
        err_console.print("the dashboard now asks for a login (it had none while no user existed)")


@user_app.command("list")
def list_(
    tokens: Annotated[bool, typer.Option("--tokens", help="List API tokens instead.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Users with their role and state (or, with --tokens, API tokens)."""
    store, accounts = _accounts(db)
    with store:
        if tokens:
            _print_tokens(accounts, None, as_json)
            return
        users = accounts.users()
        collisions = accounts.collisions()
    for group in collisions:  # left by an older version: say so, whatever the format
        names = ", ".join(repr(u.username) for u in group)
        err_console.print(
            f"warning: the users {esc(names)} have names that read the same; each logs in "
            "only with the name exactly as stored: rename all but one "
            "(`sanjeh user rename OLD NEW`)"
        )
    if as_json:
        rows = [
            {
                "user_id": u.user_id,
                "username": u.username,
                "name": u.display_name,
                "role": u.role,
                "agent_id": u.agent_id,
                "active": u.active,
                "revision": u.revision,
                "changed_by": u.changed_by,
                "changed_at": u.changed_at.isoformat(),
            }
            for u in users
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not users:
        console.print("no users: the dashboard is a local single-user setup (no login)")
        return
    table = Table("username", "name", "role", "agent id", "active", "changed")
    for u in users:
        table.add_row(
            plain(u.username),
            plain(u.display_name),
            u.role,
            plain(u.agent_id or ""),
            "yes" if u.active else "[red]disabled[/]",
            plain(f"{u.changed_at:%Y-%m-%d %H:%M} by {u.changed_by}"),
        )
    console.print(table)


def _print_tokens(accounts: Accounts, username: str | None, as_json: bool) -> None:
    names = {u.user_id: u.username for u in accounts.users()}
    tokens = accounts.tokens(username)
    if as_json:
        rows = [
            {
                "token_id": t.token_id,
                "user": names.get(t.user_id, t.user_id),
                "name": t.name,
                "scopes": sorted(t.scope_set),
                "created_at": t.created_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in tokens
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("token id", "user", "name", "may", "created", "state")
    for t in tokens:
        state = f"[red]revoked {t.revoked_at:%Y-%m-%d}[/]" if t.revoked_at else "valid"
        table.add_row(
            t.token_id,
            plain(names.get(t.user_id, t.user_id)),
            plain(t.name),
            " ".join(sorted(t.scope_set)),
            f"{t.created_at:%Y-%m-%d}",
            state,
        )
    console.print(table)


@user_app.command("tokens")
def tokens_(
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """API tokens (ids, names, state; never the secrets)."""
    store, accounts = _accounts(db)
    with store:
        _print_tokens(accounts, username, as_json)


@user_app.command("passwd")
def passwd(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Set a new password (the user's open sessions end)."""
    store, accounts = _accounts(db)
    with store:
        user = accounts.user(username)
        accounts.set_password(LOCAL_ADMIN, user.user_id, _password(password_stdin))
    console.print(f"password of {esc(repr(user.username))} changed; their sessions have ended")


@user_app.command("rename")
def rename(
    username: Annotated[str, typer.Argument(help="Login name (or user id) now.")],
    new_name: Annotated[str, typer.Argument(help="The new login name.")],
    db: DbOption = None,
) -> None:
    """Give a user another login name (sessions and tokens stay)."""
    store, accounts = _accounts(db)
    with store:
        before = accounts.user(username)
        user = accounts.rename(LOCAL_ADMIN, before.user_id, new_name)
    console.print(f"{esc(repr(before.username))} is now {esc(repr(user.username))}")


@user_app.command("audit")
def audit(
    username: Annotated[
        str | None, typer.Argument(help="Only changes to this user or made by them.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many entries.", min=1)] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who changed which account, when (newest first): users, passwords, tokens."""
    store, accounts = _accounts(db)
    with store:
        entries = accounts.audit(username, limit=limit)
        names = {u.user_id: u.username for u in accounts.users()}
    if as_json:
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": names.get(e.actor_id, e.actor_id),
                "action": e.action,
                "user": names.get(e.user_id, e.user_id) if e.user_id else None,
                "token_id": e.token_id,
                "detail": e.detail,
            }
            for e in entries
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("when (UTC)", "who", "did", "to", "detail")
    for e in entries:
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            plain(names.get(e.actor_id, e.actor_id)),
            e.action.replace("_", " "),
            plain(names.get(e.user_id, e.user_id) if e.user_id else ""),
            plain(" ".join(x for x in (e.token_id, e.detail) if x)),
        )
    console.print(table)


@user_app.command("role")
def role(
    username: Annotated[str, typer.Argument(help="Login name.")],
    new_role: Annotated[str, typer.Argument(help="admin, manager, reviewer or agent.")],
    agent_id: Annotated[
        str | None, typer.Option("--agent-id", help="Needed for the agent role.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Change a user's role."""
    store, accounts = _accounts(db)
    with store:
        user = accounts.set_role(LOCAL_ADMIN, username, new_role, agent_id)
    console.print(f"{esc(repr(user.username))} is now {user.role}")


@user_app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="Login name.")],
    db: DbOption = None,
) -> None:
    """Disable a user: their sessions end and their API tokens stop working."""
    store, accounts = _accounts(db)
    with store:
        user = accounts.deactivate(LOCAL_ADMIN, username)
    console.print(
        f"{esc(repr(user.username))} is disabled (history kept; `sanjeh user enable` undoes it)"
    )


@user_app.command("enable")
def enable(
    username: Annotated[str, typer.Argument(help="Login name.")],
    db: DbOption = None,
) -> None:
    """Enable a disabled user again."""
    store, accounts = _accounts(db)
    with store:
        user = accounts.activate(LOCAL_ADMIN, username)
    console.print(f"{esc(repr(user.username))} is enabled")


@user_app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. ci.")],
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="The token may also send data (POST /api/tickets …; managers and admins). "
            "Without it the token only reads.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Issue an API token (printed once: store it now) for 'Authorization: Bearer …'."""
    store, accounts = _accounts(db)
    with store:
        secret = accounts.issue_token(LOCAL_ADMIN, username, name, write=write)
    scope = "read and write" if write else "read only"
    err_console.print(
        f"token {Accounts.token_id(secret)} for {esc(repr(username))} ({scope}); shown only "
        "now (send it as 'Authorization: Bearer <token>'):"
    )
    typer.echo(secret)


@user_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="Token id (`sanjeh user tokens` lists them).")],
    db: DbOption = None,
) -> None:
    """Revoke an API token."""
    store, accounts = _accounts(db)
    with store:
        accounts.revoke_token(LOCAL_ADMIN, token_id)
    console.print(f"token {esc(token_id)} revoked")


def user_commands(app: typer.Typer) -> None:
    app.add_typer(user_app)
