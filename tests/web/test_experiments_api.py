"""``POST /api/experiments/{name}/assign`` (#21): tickets get the variant of the
experiment's seeded hash (recomputed here from its definition: SHA-256 of name, seed and
ticket id, the first 8 bytes over 2**64 against the cumulative weights), written once;
a second call returns the same variants and writes nothing; a ticket with an imported
variant keeps it. Who may: a login or an API token with ``write_data``, and a token only
if issued with ``--write`` (as the intake API); a session posts with its CSRF token.
Refused in the one error shape: an unknown experiment (404), one whose variants come
from a tag or a field (409), a ticket not in the store (422, nothing written), a body
too large (413), not JSON (415), extra fields, too many or malformed ids (400).

A demo store of its own with users (its own "greeting" assignments left alone);
``[[experiments]]`` in a sanjeh.toml of the test's own (``SANJEH_CONFIG``); requests
through httpx's ASGI transport, as test_route_api.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web.insights.experiments import MAX_BODY, MAX_IDS, AssignIn

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
CONFIG = """
[[experiments]]
name = "opening"
title = "Warm opening line"
variants = ["control", "warm"]
assignment = "hash"
metric = "csat"
start = "2026-08-03"

[[experiments]]
name = "macro"
variants = ["old", "short", "long"]
weights = [1, 1, 2]
seed = "s-7"
metric = "resolution_time"
start = "2026-08-03"

[[experiments]]
name = "by-tag"
variants = ["a", "b"]
assignment = "tag"
metric = "fcr"
start = "2026-08-03"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("experiments-api")
    path = folder / "x.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=400, seed=5, transcripts=False)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "boss", PASSWORD, "manager")
        accounts.add_user(LOCAL_ADMIN, "rita", PASSWORD, "reviewer")
        accounts.add_user(LOCAL_ADMIN, "ali", PASSWORD, "agent", agent_id="demo:a-001")
        tokens = {
            "writer": accounts.issue_token(LOCAL_ADMIN, "boss", "helpdesk", write=True),
            "reader": accounts.issue_token(LOCAL_ADMIN, "boss", "bi"),
            "reviewer": accounts.issue_token(LOCAL_ADMIN, "rita", "laptop"),
            "agent": accounts.issue_token(LOCAL_ADMIN, "ali", "laptop"),
        }
        tickets = store.table("tickets").order_by("ticket_id").ticket_id.to_pyarrow()
    (folder / "sanjeh.toml").write_text(CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(folder / "sanjeh.toml"))
        app = create_app(str(path), refresh_seconds=3600, warm=False)
    app.state.accounts.hasher = FAST
    yield {"app": app, "tokens": tokens, "tickets": [str(t) for t in tickets.to_pylist()]}
    app.state.intake.stop()
    app.state.source.stop()
    app.state.source.store.close()


def post(
    site: dict[str, Any],
    path: str,
    body: Any = None,
    *,
    who: str = "writer",
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = dict(headers or {})
    if who:
        sent["Authorization"] = f"Bearer {site['tokens'][who]}"

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=site["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            if content is not None:
                return await client.post(path, content=content, headers=sent)
            return await client.post(path, json=body, headers=sent)

    return asyncio.run(go())


def hashed(name: str, seed: str, variants: list[str], weights: list[float], ticket: str) -> str:
    """The variant from the definition (docs/experiments.md), not from the library."""
    digest = hashlib.sha256(f"{name}\x1f{seed}\x1f{ticket}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    total = sum(weights)
    edge = 0.0
    for variant, weight in zip(variants, weights, strict=True):
        edge += weight / total
        if point < edge:
            return variant
    return variants[-1]


def stored(site: dict[str, Any], experiment: str) -> dict[str, tuple[str, str]]:
    source = site["app"].state.source
    with source.db_lock:
        t = source.store.table("experiment_assignments")
        rows = t.filter(t.experiment == experiment).to_pyarrow().to_pylist()
    return {r["ticket_id"]: (r["variant"], r["method"]) for r in rows}


def assert_error(r: httpx.Response, status: int, kind: str, *words: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["type"] == kind, body
    for word in words:
        assert word in body["error"]["message"], body


def test_tickets_get_the_hashed_variant_once(site: dict[str, Any]) -> None:
    ids = site["tickets"][:60]
    r = post(site, "/api/experiments/opening/assign", {"ticket_ids": ids})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["experiment"] == "opening" and body["created"] == 60
    got = {a["ticket_id"]: a["variant"] for a in body["assignments"]}
    assert list(got) == ids  # in the order sent
    expected = {t: hashed("opening", "opening", ["control", "warm"], [1, 1], t) for t in ids}
    assert got == expected
    assert {"control", "warm"} == set(got.values())
    assert all(a["method"] == "hash" and a["created"] for a in body["assignments"])
    assert all(a["assignment_id"] == f"opening/{a['ticket_id']}" for a in body["assignments"])
    assert stored(site, "opening") == {t: (v, "hash") for t, v in expected.items()}
    # the same call again: the same answer, nothing written; repeats count once
    again = post(site, "/api/experiments/opening/assign", {"ticket_ids": [*ids, ids[0]]})
    assert again.status_code == 200, again.text
    assert again.json()["created"] == 0
    assert [(a["ticket_id"], a["variant"]) for a in again.json()["assignments"]] == list(
        got.items()
    )
    assert not any(a["created"] for a in again.json()["assignments"])
    assert [a["assigned_at"] for a in again.json()["assignments"]] == [
        a["assigned_at"] for a in body["assignments"]
    ]
    assert len(stored(site, "opening")) == 60


def test_weights_and_seed_follow_the_configuration(site: dict[str, Any]) -> None:
    ids = site["tickets"][100:400]
    r = post(site, "/api/experiments/macro/assign", {"ticket_ids": ids})
    assert r.status_code == 200, r.text
    got = {a["ticket_id"]: a["variant"] for a in r.json()["assignments"]}
    variants, weights = ["old", "short", "long"], [1.0, 1.0, 2.0]
    assert got == {t: hashed("macro", "s-7", variants, weights, t) for t in ids}
    # (300 tickets: "long", weight one half, gets between 120 and 180 of them)
    assert 120 <= list(got.values()).count("long") <= 180


def test_an_imported_variant_is_kept(site: dict[str, Any]) -> None:
    ticket = site["tickets"][80]
    source = site["app"].state.source
    row = {
        "assignment_id": f"helpdesk:opening/{ticket}",
        "source": "helpdesk",
        "experiment": "opening",
        "ticket_id": ticket,
        "variant": "warm",
        "assigned_at": dt.datetime(2026, 9, 1, 8, 0),
        "method": "imported",
    }
    with source.db_lock:
        source.store.write("experiment_assignments", [row])
    r = post(site, "/api/experiments/opening/assign", {"ticket_ids": [ticket]})
    assert r.status_code == 200, r.text
    (a,) = r.json()["assignments"]
    assert (a["variant"], a["method"], a["created"]) == ("warm", "imported", False)
    assert r.json()["created"] == 0


def test_who_may_assign(site: dict[str, Any]) -> None:
    body = {"ticket_ids": site["tickets"][90:92]}
    path = "/api/experiments/opening/assign"
    assert_error(post(site, path, body, who=""), 401, "not_authenticated")
    assert_error(post(site, path, body, who="reader"), 403, "permission_denied", "--write")
    assert_error(post(site, path, body, who="reviewer"), 403, "permission_denied")
    assert_error(post(site, path, body, who="agent"), 403, "permission_denied")
    assert site["tickets"][90] not in stored(site, "opening")


def test_a_login_posts_with_its_csrf_token(site: dict[str, Any]) -> None:
    accounts: Accounts = site["app"].state.accounts
    secret, csrf = accounts.start_session(accounts.user("boss").actor)
    cookie = {"Cookie": f"sanjeh_session={secret}"}
    body = {"ticket_ids": [site["tickets"][95]]}
    path = "/api/experiments/opening/assign"
    assert_error(post(site, path, body, who="", headers=cookie), 403, "csrf_failed")
    r = post(site, path, body, who="", headers={**cookie, "X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1


def test_unknown_and_unassignable_experiments(site: dict[str, Any]) -> None:
    body = {"ticket_ids": site["tickets"][:1]}
    r = post(site, "/api/experiments/nope/assign", body)
    assert_error(r, 404, "not_found", "no experiment 'nope'", "opening")
    r = post(site, "/api/experiments/by-tag/assign", body)
    assert_error(r, 409, "not_assignable", "tag", '"table" or "hash"')
    assert stored(site, "by-tag") == {}


def test_a_ticket_not_in_the_store_writes_nothing(site: dict[str, Any]) -> None:
    body = {"ticket_ids": [site["tickets"][120], "demo:no-such-ticket"]}
    r = post(site, "/api/experiments/opening/assign", body)
    assert_error(r, 422, "unknown_ticket", "demo:no-such-ticket", "nothing was written")
    assert site["tickets"][120] not in stored(site, "opening")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ticket_ids": ["demo:t-1"], "colour": "red"}, "colour"),  # extra="forbid"
        ({}, "ticket_ids"),
        ({"ticket_ids": []}, "ticket_ids"),
        ({"ticket_ids": "demo:t-1"}, "ticket_ids"),
        ({"ticket_ids": [12]}, "ticket_ids"),
        ({"ticket_ids": [""]}, "ticket_ids"),
        ({"ticket_ids": [" demo:t-1"]}, "ticket_ids"),
        ({"ticket_ids": ["demo:t-1\u0085"]}, "ticket_ids"),
        ({"ticket_ids": ["demo:\u0000"]}, "ticket_ids"),
        ({"ticket_ids": ["x" * 201]}, "ticket_ids"),
        ({"ticket_ids": [f"demo:{i}" for i in range(MAX_IDS + 1)]}, "ticket_ids"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(site: dict[str, Any], body: Any, field: str) -> None:
    r = post(site, "/api/experiments/opening/assign", body)
    assert_error(r, 400, "invalid_parameter", field)


def test_bodies_that_are_not_one_json_object(site: dict[str, Any]) -> None:
    path = "/api/experiments/opening/assign"
    assert_error(post(site, path, content=b"[1, 2]"), 400, "invalid_parameter", "list")
    assert_error(post(site, path, content=b"{nope"), 400, "invalid_parameter", "not valid JSON")
    plain = {"Content-Type": "text/plain"}
    r = post(site, path, content=b'{"ticket_ids": ["a:1"]}', headers=plain)
    assert_error(r, 415, "unsupported_media_type")
    big = json.dumps({"ticket_ids": ["x" * 150] * 2000}).encode()
    assert len(big) > MAX_BODY
    assert_error(post(site, path, content=big), 413, "too_large", str(MAX_BODY))


_CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=12))
def test_the_ticket_id_rule(text: str) -> None:
    """An id is accepted iff it has no control character and no space around it."""
    ok = not any(ch in _CONTROL for ch in text) and not (text[0].isspace() or text[-1].isspace())
    try:
        AssignIn.model_validate({"ticket_ids": [text]})
        accepted = True
    except Exception:
        accepted = False
    assert accepted == ok, repr(text)


def test_the_openapi_schema_documents_the_routes(site: dict[str, Any]) -> None:
    spec = site["app"].openapi()
    paths = spec["paths"]
    for path in ("/api/insights/experiments", "/api/insights/experiments/{name}"):
        assert set(paths[path]) == {"get"}
    assert "404" in paths["/api/insights/experiments/{name}"]["get"]["responses"]
    assign_ = paths["/api/experiments/{name}/assign"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "413", "415", "422"} <= set(
        assign_["responses"]
    )
    body = assign_["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False and body["required"] == ["ticket_ids"]
    ids = body["properties"]["ticket_ids"]
    assert (ids["minItems"], ids["maxItems"]) == (1, MAX_IDS)
    assert ids["items"]["maxLength"] == 200 and ids["items"]["pattern"].startswith("^[^")
    # the pages themselves are HTML, not in the schema
    assert "/insights/experiments" not in paths
