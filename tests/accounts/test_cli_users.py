"""`sanjeh user …`: a thin shell over sanjeh.accounts."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from sanjeh.accounts import Accounts
from sanjeh.cli import main
from sanjeh.store import Store

from .conftest import PASSWORD


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = str(tmp_path / "cli.duckdb")
    code, out, err = run(
        capsys,
        monkeypatch,
        "user",
        "add",
        "Sara",
        "--role",
        "manager",
        "--name",
        "سارا",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert "'Sara' (manager) added" in out and "now asks for a login" in err

    code, _, err = run(
        capsys,
        monkeypatch,
        "user",
        "add",
        "reza",
        "--role",
        "agent",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert code == 1 and "needs --agent-id" in err

    code, _, err = run(
        capsys,
        monkeypatch,
        "user",
        "add",
        "reza",
        "--password-stdin",
        "--db",
        db,
        stdin="short\n",
    )
    assert code == 1 and "at least 10 characters" in err

    code, out, err = run(capsys, monkeypatch, "user", "token", "sara", "--name", "ci", "--db", db)
    assert code == 0
    secret = out.strip()
    assert secret.startswith("sjh_") and Accounts.token_id(secret) in err

    code, out, _ = run(capsys, monkeypatch, "user", "tokens", "--json", "--db", db)
    assert json.loads(out)[0]["token_id"] == Accounts.token_id(secret)
    assert secret not in out

    code, out, _ = run(capsys, monkeypatch, "user", "revoke", Accounts.token_id(secret), "--db", db)
    assert code == 0 and "revoked" in out

    code, _, err = run(
        capsys,
        monkeypatch,
        "user",
        "passwd",
        "sara",
        "--password-stdin",
        "--db",
        db,
        stdin="a different passphrase\n",
    )
    assert code == 0, err
    code, _, _ = run(capsys, monkeypatch, "user", "disable", "sara", "--db", db)
    assert code == 0

    code, out, _ = run(capsys, monkeypatch, "user", "list", "--json", "--db", db)
    (user,) = json.loads(out)
    assert user["username"] == "Sara" and user["role"] == "manager"
    assert user["active"] is False and user["revision"] == 3

    with Store.open(db) as store:
        accounts = Accounts(store)
        assert [u.revision for u in accounts.history("sara")] == [1, 2, 3]
        with pytest.raises(Exception, match="not valid"):
            accounts.verify_token(secret)

    code, _, err = run(capsys, monkeypatch, "user", "disable", "nobody", "--db", db)
    assert code == 1 and "no user 'nobody'" in err


def test_names_rename_audit_and_collisions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = str(tmp_path / "names.duckdb")

    def add(name: str, role: str = "reviewer") -> tuple[int, str, str]:
        return run(
            capsys,
            monkeypatch,
            *("user", "add", name, "--role", role, "--password-stdin", "--db", db),
            stdin=PASSWORD + "\n",
        )

    assert add("root", "admin")[0] == 0
    assert add("rev2")[0] == 0
    code, _, err = add("ｒｅｖ２")  # the CLI refuses a look-alike like the library does
    assert code == 1 and "'rev2' already exists" in err
    code, _, err = run(capsys, monkeypatch, "user", "disable", "ROOT", "--db", db)
    assert code == 1 and "last active admin" in err

    code, out, err = run(capsys, monkeypatch, "user", "rename", "ＲＥＶ２", "reviewer2", "--db", db)
    assert code == 0, err
    assert "'rev2' is now 'reviewer2'" in out

    # an older store's twin names: listed with a warning, resolved by a rename
    with Store.open(db) as store:
        accounts = Accounts(store)
        twin = dataclasses.replace(accounts.user("root"), user_id="user:twin", username="Root")
        store.write("users", [twin.row()])
    code, out, err = run(capsys, monkeypatch, "user", "list", "--json", "--db", db)
    assert code == 0 and len(json.loads(out)) == 3
    assert "'Root', 'root' have names that read the same" in err
    code, _, err = run(capsys, monkeypatch, "user", "passwd", "ROOT", "--db", db)
    assert code == 1 and "could be any of the users" in err
    code, _, err = run(capsys, monkeypatch, "user", "rename", "user:twin", "root.old", "--db", db)
    assert code == 0, err
    code, _, err = run(capsys, monkeypatch, "user", "list", "--db", db)
    assert code == 0 and "read the same" not in err

    code, out, _ = run(capsys, monkeypatch, "user", "audit", "--json", "--db", db)
    entries = json.loads(out)
    assert [(e["actor"], e["action"], e["user"]) for e in entries] == [
        ("local", "user_renamed", "root.old"),
        ("local", "user_renamed", "reviewer2"),
        ("local", "user_added", "reviewer2"),
        ("local", "user_added", "root"),
    ]
    assert entries[1]["detail"] == "rev2 → reviewer2"
    code, out, _ = run(capsys, monkeypatch, "user", "audit", "reviewer2", "--db", db)
    assert code == 0 and "user renamed" in out and "root" not in out
