"""API tokens with a write scope (#18): a token reads only unless issued with --write; the
write_data permission (managers and admins) decides the rest; stores of before gain the
column and their tokens read only."""

from __future__ import annotations

import io
import json
from pathlib import Path

import ibis
import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts, can
from sanjeh.cli import main
from sanjeh.errors import PermissionDenied, WorkflowError
from sanjeh.store import META_TABLE, Store

from .conftest import FAST, PASSWORD, FakeClock

READ = frozenset({"read"})
READ_WRITE = frozenset({"read", "write"})


def test_a_token_writes_only_when_issued_with_write(accounts: Accounts, store: Store) -> None:
    accounts.add_user(LOCAL_ADMIN, "mina", PASSWORD, "manager")
    plain = accounts.issue_token(LOCAL_ADMIN, "mina", "dashboards")
    writer = accounts.issue_token(LOCAL_ADMIN, "mina", "helpdesk", write=True)
    assert accounts.verify_token(plain).scopes == READ
    assert accounts.verify_token(writer).scopes == READ_WRITE
    rows = {r["name"]: r["scopes"] for r in store.table("api_tokens").to_pyarrow().to_pylist()}
    assert rows == {"dashboards": "read", "helpdesk": "read write"}
    listed = {t.name: t.scope_set for t in accounts.tokens("mina")}
    assert listed == {"dashboards": READ, "helpdesk": READ_WRITE}
    # from the cache the same (a second lookup is answered from memory)
    assert accounts.verify_token(writer, cached_only=True) == accounts.verify_token(writer)
    # revoking keeps the scope in the new revision
    revoked = accounts.revoke_token(LOCAL_ADMIN, Accounts.token_id(writer))
    assert revoked.scope_set == READ_WRITE and revoked.revoked_at is not None


def test_who_may_hold_a_write_token(accounts: Accounts) -> None:
    accounts.add_user(LOCAL_ADMIN, "rey", PASSWORD, "reviewer")
    accounts.add_user(LOCAL_ADMIN, "boss", PASSWORD, "manager")
    with pytest.raises(WorkflowError, match="'rey' is reviewer: only managers and admins"):
        accounts.issue_token(LOCAL_ADMIN, "rey", "ci", write=True)
    accounts.issue_token(LOCAL_ADMIN, "rey", "ci")  # reading is fine
    # a read-only token cannot mint a writer, even for its own user
    boss = accounts.verify_token(accounts.issue_token(LOCAL_ADMIN, "boss", "laptop"))
    with pytest.raises(PermissionDenied, match="read-only API token"):
        accounts.issue_token(boss, "boss", "more", write=True)
    # the permission is the role's; the scope the credential's
    assert can(boss, "write_data") and "write" not in boss.scopes
    assert not can(accounts.user("rey").actor, "write_data")


def test_an_older_store_gains_scopes_and_its_tokens_read(tmp_path: Path) -> None:
    """Model v7 added api_tokens.scopes: a v6 store gets the column when opened, and a
    token issued before (no scope stored) reads only."""
    path = str(tmp_path / "old.duckdb")
    with Store.open(path) as store:
        accounts = Accounts(store, FakeClock(), hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "mina", PASSWORD, "admin")
        secret = accounts.issue_token(LOCAL_ADMIN, "mina", "old")
        con = store.con
        con.raw_sql('ALTER TABLE "api_tokens" DROP COLUMN "scopes"')
        con.upsert(META_TABLE, ibis.memtable({"key": ["model_version"], "value": ["6"]}), on="key")
    with Store.open(path) as store:
        assert "scopes" in store.con.table("api_tokens").columns
        (row,) = store.table("api_tokens").to_pyarrow().to_pylist()
        assert row["scopes"] is None
        accounts = Accounts(store, FakeClock(), hasher=FAST)
        assert accounts.verify_token(secret).scopes == READ
        writer = accounts.issue_token(LOCAL_ADMIN, "mina", "new", write=True)
        assert accounts.verify_token(writer).scopes == READ_WRITE


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_the_cli_issues_write_tokens(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = str(tmp_path / "cli.duckdb")
    _run(capsys, monkeypatch, "user", "add", "mina", "--role", "manager", "--password-stdin",
         "--db", db)  # fmt: skip
    writer = _run(
        capsys, monkeypatch, "user", "token", "mina", "--name", "zendesk", "--write", "--db", db
    ).strip()
    reader = _run(capsys, monkeypatch, "user", "token", "mina", "--name", "bi", "--db", db).strip()
    listed = json.loads(_run(capsys, monkeypatch, "user", "tokens", "--json", "--db", db))
    assert {t["name"]: t["scopes"] for t in listed} == {
        "zendesk": ["read", "write"],
        "bi": ["read"],
    }
    with Store.open(db) as store:
        accounts = Accounts(store)
        assert accounts.verify_token(writer).scopes == READ_WRITE
        assert accounts.verify_token(reader).scopes == READ
