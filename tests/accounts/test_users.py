"""Users: argon2id passwords, validation, admin-only management, append-only history."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts, Actor
from sanjeh.errors import ConfigError, NotAuthenticated, PermissionDenied, WorkflowError
from sanjeh.store import Store

from .conftest import FAST, PASSWORD, FakeClock


def test_passwords_are_stored_as_argon2id_hashes(accounts: Accounts, store: Store) -> None:
    accounts.add_user(LOCAL_ADMIN, "maryam", PASSWORD, "reviewer")
    rows = store.table("users").to_pyarrow().to_pylist()
    assert len(rows) == 1
    stored = rows[0]["password_hash"]
    assert stored.startswith("$argon2id$") and stored != PASSWORD
    assert PASSWORD not in str(rows)
    # the default hasher is argon2id too
    assert Accounts(store).hasher.hash("x" * 10).startswith("$argon2id$")


def test_login_upgrades_a_hash_made_with_old_parameters(store: Store, clock: FakeClock) -> None:
    Accounts(store, clock, hasher=FAST).add_user(LOCAL_ADMIN, "maryam", PASSWORD, "reviewer")
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    accounts = Accounts(store, clock, hasher=stronger)
    actor = accounts.authenticate("maryam", PASSWORD)
    history = accounts.history("maryam")
    assert [u.revision for u in history] == [1, 2]
    assert history[1].changed_by == actor.user_id  # the user's own login did it
    assert history[1].password_hash is not None
    assert not stronger.check_needs_rehash(history[1].password_hash)
    accounts.authenticate("maryam", PASSWORD)  # no further revision
    assert len(accounts.history("maryam")) == 2


def test_every_change_is_a_new_revision_with_who_and_when(
    accounts: Accounts, store: Store, clock: FakeClock
) -> None:
    admin = accounts.add_user(LOCAL_ADMIN, "root", PASSWORD, "admin").actor
    clock.advance(minutes=5)
    accounts.add_user(admin, "sara", PASSWORD, "reviewer", display_name="سارا")
    clock.advance(minutes=5)
    accounts.set_role(admin, "sara", "manager")
    clock.advance(minutes=5)
    accounts.deactivate(admin, "SARA")
    history = accounts.history("sara")
    assert [(u.revision, u.role, u.active) for u in history] == [
        (1, "reviewer", True),
        (2, "manager", True),
        (3, "manager", False),
    ]
    assert {u.changed_by for u in history} == {admin.user_id}
    assert [u.changed_at.minute for u in history] == [5, 10, 15]
    assert len(store.table("users").to_pyarrow()) == 4  # nothing overwritten
    current = accounts.user("sara")
    assert current.revision == 3 and not current.active and current.display_name == "سارا"
    assert [u.username for u in accounts.users()] == ["root", "sara"]


def test_usernames_are_unique_ignoring_case(accounts: Accounts) -> None:
    accounts.add_user(LOCAL_ADMIN, "Maryam", PASSWORD, "reviewer")
    with pytest.raises(WorkflowError, match="already exists"):
        accounts.add_user(LOCAL_ADMIN, "maryam", PASSWORD, "agent", agent_id="demo:a-001")
    assert accounts.user("MARYAM").username == "Maryam"


@pytest.mark.parametrize(
    ("username", "password", "role", "agent_id", "message"),
    [
        ("ali", PASSWORD, "boss", None, "unknown role 'boss'; roles: admin, manager"),
        ("ali", PASSWORD, "agent", None, "agent role needs --agent-id"),
        ("ali", "short", "reviewer", None, "at least 10 characters"),
        ("ali", "ALI", "reviewer", None, "at least 10 characters"),
        ("alialialiali", "AliAliAliAli", "reviewer", None, "must not be the username"),
        ("a", PASSWORD, "reviewer", None, "use 2–64 letters"),
        ("ali baba", PASSWORD, "reviewer", None, "use 2–64 letters"),
        ("<script>", PASSWORD, "reviewer", None, "use 2–64 letters"),
    ],
)
def test_bad_users_are_refused_with_a_clear_message(
    duckdb_store: Store,
    username: str,
    password: str,
    role: str,
    agent_id: str | None,
    message: str,
) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    with pytest.raises(ConfigError, match=message):
        accounts.add_user(LOCAL_ADMIN, username, password, role, agent_id=agent_id)
    assert not accounts.has_users()


def test_persian_usernames_are_fine(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "مریم", PASSWORD, "reviewer")
    assert accounts.authenticate("مریم", PASSWORD).name == "مریم"


def test_an_agent_login_links_to_a_known_agent(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    agent = accounts.add_user(LOCAL_ADMIN, "reza", PASSWORD, "agent", agent_id="demo:a-001")
    assert agent.actor == Actor(agent.user_id, "agent", "demo:a-001", "reza")
    duckdb_store.write("agents", [{"agent_id": "demo:a-001", "source": "demo", "name": "Reza"}])
    with pytest.raises(ConfigError, match="not in the agents table"):
        accounts.add_user(LOCAL_ADMIN, "nima", PASSWORD, "agent", agent_id="demo:a-999")


@pytest.mark.parametrize("role", ["manager", "reviewer", "agent"])
def test_only_admins_manage_users(duckdb_store: Store, role: str) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    actor = Actor("user:x", role, "demo:a-001")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied, match=f"{role} role may not manage users"):
        accounts.add_user(actor, "ali", PASSWORD, "reviewer")
    with pytest.raises(PermissionDenied):
        accounts.set_role(actor, "sara", "admin")
    with pytest.raises(PermissionDenied):
        accounts.deactivate(actor, "sara")
    with pytest.raises(PermissionDenied):
        accounts.set_password(actor, "sara", "another long password")


def test_users_change_their_own_password(accounts: Accounts) -> None:
    sara = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    accounts.set_password(sara, "sara", "a brand new passphrase")
    with pytest.raises(NotAuthenticated):
        accounts.authenticate("sara", PASSWORD)
    assert accounts.authenticate("sara", "a brand new passphrase") == sara


def test_wrong_unknown_and_disabled_logins_look_the_same(accounts: Accounts) -> None:
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    accounts.add_user(LOCAL_ADMIN, "omid", PASSWORD, "reviewer")
    accounts.deactivate(LOCAL_ADMIN, "omid")
    messages = set()
    for username, password in [
        ("sara", "wrong password!"),
        ("nobody", PASSWORD),
        ("omid", PASSWORD),
    ]:
        with pytest.raises(NotAuthenticated) as caught:
            accounts.authenticate(username, password)
        messages.add(caught.value.message)
    assert messages == {"wrong username or password"}
    assert accounts.authenticate(" SARA ", PASSWORD).name == "sara"


def test_unknown_usernames_cost_a_hash_verification(duckdb_store: Store) -> None:
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append(str(hash))
            return super().verify(hash, password)

    accounts = Accounts(duckdb_store, hasher=Counting(time_cost=1, memory_cost=8, parallelism=1))
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    with pytest.raises(NotAuthenticated):
        accounts.authenticate("nobody", PASSWORD)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate("sara", "wrong password!")
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_a_store_without_users_is_the_local_setup(duckdb_store: Store, clock: FakeClock) -> None:
    accounts = Accounts(duckdb_store, clock, hasher=FAST)
    assert accounts.has_users() is False
    other = Accounts(duckdb_store, clock, hasher=FAST)  # e.g. the CLI, another process
    other.add_user(LOCAL_ADMIN, "sara", PASSWORD, "admin")
    assert accounts.has_users(cached_only=True) is False  # asked again after 2 s
    clock.advance(seconds=3)
    assert accounts.has_users(cached_only=True) is None
    assert accounts.has_users() is True
    assert accounts.has_users(cached_only=True) is True
