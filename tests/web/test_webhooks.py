"""POST /webhooks/{helpdesk} on a real app over a real store: the sample payloads of
examples/webhooks/, signed as each helpdesk signs them, reach the store through the
intake; bad or stale signatures are 401; a replay changes nothing; and a ticket's
events give the first reply time computed by hand (09:00:00 → 09:12:30 = 750 s)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sanjeh.accounts import LOCAL_ADMIN
from sanjeh.store import Store
from sanjeh.web import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "webhooks"
SECRETS = {
    "zendesk": "dGhlIFplbmRlc2sgd2ViaG9vayBzZWNyZXQ=",
    "freshdesk": "kU3cX9x1-Freshdesk-shared-secret",
    "chatwoot": "cwWebhookSecretFromChatwootUI",
    "intercom": "0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c",
}
TABLES = ("tickets", "events", "customers", "survey_responses")


def signed(helpdesk: str, body: bytes, secret: str | None = None) -> dict[str, str]:
    """The headers the helpdesk sends with ``body`` now (see docs/live.md)."""
    key = (secret or SECRETS[helpdesk]).encode()
    now = dt.datetime.now(dt.UTC)
    if helpdesk == "zendesk":
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        mac = hmac.new(key, stamp.encode() + body, hashlib.sha256).digest()
        return {
            "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        }
    if helpdesk == "chatwoot":
        stamp = str(int(now.timestamp()))
        mac_hex = hmac.new(key, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        return {"X-Chatwoot-Signature": f"sha256={mac_hex}", "X-Chatwoot-Timestamp": stamp}
    if helpdesk == "intercom":
        return {"X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest()}
    credentials = base64.b64encode(b"sanjeh:" + key).decode()
    return {"Authorization": f"Basic {credentials}"}


def samples(helpdesk: str) -> list[Path]:
    return sorted((EXAMPLES / helpdesk).glob("[0-9]*.json"))


def write_config(path: Path, helpdesks: tuple[str, ...], extra: str = "") -> Path:
    lines = [f'[webhooks.{h}]\nsecret = "{SECRETS[h]}"\n' for h in helpdesks]
    path.write_text("".join(lines) + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app over an empty store that has a user (so every other path needs a login),
    with all four helpdesks configured and a 1 MB body limit."""
    folder = tmp_path_factory.mktemp("webhooks")
    config = write_config(folder / "sanjeh.toml", tuple(SECRETS), "[web]\nmax_intake_mb = 1\n")
    with Store.open(str(folder / "store.duckdb")) as store:
        from sanjeh.accounts import Accounts

        Accounts(store).add_user(LOCAL_ADMIN, "admin", "correct horse battery", "admin", "A")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(config))
        app = create_app(str(folder / "store.duckdb"), refresh_seconds=3600, warm=False)
    with TestClient(app) as test_client:
        yield test_client


def post(client: TestClient, helpdesk: str, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(
        f"/webhooks/{helpdesk}",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )


def counts(client: TestClient, source: str) -> dict[str, int]:
    app: Any = client.app
    app.state.intake.flush()
    src = app.state.source
    found = {}
    with src.db_lock:
        for table in TABLES:
            t = src.store.table(table)
            key = t.columns[0]
            found[table] = int(t.filter(t[key].startswith(f"{source}:")).count().execute())
    return found


def send_all(client: TestClient, helpdesk: str) -> list[dict[str, Any]]:
    answers = []
    for file in samples(helpdesk):
        body = file.read_bytes()
        response = post(client, helpdesk, body, signed(helpdesk, body))
        assert response.status_code == 202, (file.name, response.text)
        answers.append(response.json())
    return answers


#: rows each helpdesk's sample conversation becomes (examples/webhooks/README.md)
EXPECTED = {
    # created, note, assignment, reply, open, priority, solved
    "zendesk": {"tickets": 1, "events": 7, "customers": 0, "survey_responses": 0},
    # created, agent reply, customer reply, resolved
    "freshdesk": {"tickets": 1, "events": 4, "customers": 1, "survey_responses": 0},
    # created, incoming, private note, outgoing, resolved (the activity line is none)
    "chatwoot": {"tickets": 1, "events": 5, "customers": 1, "survey_responses": 0},
    # created, note, assignment, reply, close; the rating
    "intercom": {"tickets": 1, "events": 5, "customers": 1, "survey_responses": 1},
}


@pytest.mark.parametrize("helpdesk", list(EXPECTED))
def test_samples_reach_the_store_and_a_replay_changes_nothing(
    client: TestClient, helpdesk: str
) -> None:
    answers = send_all(client, helpdesk)
    assert all(a["rejected"] == [] for a in answers), answers
    assert all(a["accepted"] > 0 for a in answers if a["batch_id"] is not None)
    assert counts(client, helpdesk) == EXPECTED[helpdesk]
    again = send_all(client, helpdesk)  # (signed anew: a retry, or a replay)
    assert [a["accepted"] for a in again] == [a["accepted"] for a in answers]
    assert counts(client, helpdesk) == EXPECTED[helpdesk]


@pytest.mark.parametrize(
    ("helpdesk", "ticket", "seconds"),
    [
        # Zendesk's reply event is at 09:12:30.123456789 (cut to microseconds)
        ("zendesk", "zendesk:5158", 750.123456),
        ("chatwoot", "chatwoot:10", 750.0),
        ("intercom", "intercom:147", 750.0),
    ],
)
def test_first_reply_time_from_the_webhooks(
    client: TestClient, helpdesk: str, ticket: str, seconds: float
) -> None:
    """Created 09:00:00, an internal note at 09:05 (not a reply), the first public agent
    reply at 09:12:30: 750 s; then solved."""
    send_all(client, helpdesk)
    app: Any = client.app
    app.state.intake.flush()
    source = app.state.source
    source.refresh()
    with source.db_lock:
        facts = source.store.con.table("facts_tickets").to_pyarrow().to_pylist()
    (row,) = [r for r in facts if r["ticket_id"] == ticket]
    assert row["first_reply_s"] == pytest.approx(seconds, abs=1e-6)
    assert row["status"] == "solved"


@pytest.mark.parametrize("helpdesk", list(SECRETS))
def test_bad_signatures_are_refused(client: TestClient, helpdesk: str) -> None:
    body = samples(helpdesk)[0].read_bytes()
    wrong = post(client, helpdesk, body, signed(helpdesk, body, secret="x" * 32))
    missing = post(client, helpdesk, body, {})
    tampered = post(client, helpdesk, body + b" ", signed(helpdesk, body))
    for response in (wrong, missing):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["type"] == "not_authenticated"
        assert set(response.json()) == {"error"}
        assert set(response.json()["error"]) == {"type", "message"}
    if helpdesk != "freshdesk":  # (Freshdesk signs nothing: a shared secret)
        assert tampered.status_code == 401, tampered.text


def test_a_stale_signature_is_a_replay(client: TestClient) -> None:
    body = samples("zendesk")[0].read_bytes()
    stamp = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    mac = hmac.new(SECRETS["zendesk"].encode(), stamp.encode() + body, hashlib.sha256)
    headers = {
        "X-Zendesk-Webhook-Signature": base64.b64encode(mac.digest()).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    response = post(client, "zendesk", body, headers)
    assert response.status_code == 401
    assert "more than 5 minutes" in response.json()["error"]["message"]


def test_chatwoot_without_signing_sends_the_secret_in_the_url(client: TestClient) -> None:
    body = samples("chatwoot")[0].read_bytes()
    ok = client.post(f"/webhooks/chatwoot?token={SECRETS['chatwoot']}", content=body)
    assert ok.status_code == 202, ok.text
    assert client.post("/webhooks/chatwoot?token=guessing", content=body).status_code == 401


def test_events_not_read_are_400_naming_those_that_are(client: TestClient) -> None:
    body = (EXAMPLES / "zendesk" / "user_created.json").read_bytes()
    response = post(client, "zendesk", body, signed("zendesk", body))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "unsupported_event"
    assert "zen:event-type:ticket.comment_added" in error["message"]
    junk = post(client, "intercom", b"[1]", signed("intercom", b"[1]"))
    assert junk.status_code == 400
    assert junk.json()["error"]["message"] == "the intercom webhook's body is not a JSON object"


def test_intercom_ping_is_accepted_with_nothing_to_store(client: TestClient) -> None:
    body = (EXAMPLES / "intercom" / "ping.json").read_bytes()
    response = post(client, "intercom", body, signed("intercom", body))
    assert response.status_code == 202
    assert response.json() == {"batch_id": None, "accepted": 0, "rejected": []}


def test_rows_the_model_refuses_come_back_in_the_receipt(client: TestClient) -> None:
    payload = json.loads(samples("intercom")[-1].read_bytes())
    rating = payload["data"]["item"]["conversation_rating"]
    rating["rating"] = 9  # (outside 1–5)
    body = json.dumps(payload).encode()
    response = post(client, "intercom", body, signed("intercom", body))
    assert response.status_code == 202
    receipt = response.json()
    assert receipt["rejected"] == [
        {
            "row": 1,
            "table": "survey_responses",
            "field": "score",
            "reason": "score is outside scale_min..scale_max",
        }
    ]


def test_no_login_is_needed_but_everything_else_still_needs_one(client: TestClient) -> None:
    assert client.get("/api/meta").status_code == 401
    body = samples("zendesk")[0].read_bytes()
    # a browser's cookie and no CSRF token change nothing either: the signature decides
    client.cookies.set("sanjeh_session", "not-a-session")
    try:
        assert post(client, "zendesk", body, signed("zendesk", body)).status_code == 202
    finally:
        client.cookies.clear()


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b'{"x": "' + b"a" * (1 << 20) + b'"}'
    response = post(client, "zendesk", body, signed("zendesk", body))
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "too_large"


def test_unknown_helpdesk_is_400(client: TestClient) -> None:
    response = client.post("/webhooks/hubspot", content=b"{}")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_parameter"


def test_a_helpdesk_without_a_secret_is_not_received(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANJEH_CONFIG", str(write_config(tmp_path / "c.toml", ("zendesk",))))
    app = create_app(str(tmp_path / "store.duckdb"), refresh_seconds=3600, warm=False)
    with TestClient(app) as other:
        body = samples("intercom")[0].read_bytes()
        response = post(other, "intercom", body, signed("intercom", body))
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "type": "not_found",
            "message": "webhook not configured: add [webhooks.intercom] secret to sanjeh.toml "
            "(docs/live.md, Webhooks from helpdesks)",
        }
    }


def test_the_route_is_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json")
    if schema.status_code == 401:  # (the store has users: read it as the app builds it)
        app: Any = client.app
        document = app.openapi()
    else:
        document = schema.json()
    operation = document["paths"]["/webhooks/{helpdesk}"]["post"]
    assert set(operation["responses"]) >= {"202", "400", "401", "404", "413", "503"}
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {"type": "object"}
    (helpdesk,) = [p for p in operation["parameters"] if p["name"] == "helpdesk"]
    assert helpdesk["schema"]["enum"] == ["zendesk", "freshdesk", "chatwoot", "intercom"]
