"""Sending: the invitations stored, the unanswered rows the response rate counts, the
outbox files, and the webhook POST received by a real local HTTP server."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sanjeh._http import DeliveryError
from sanjeh.store import Store
from sanjeh.surveys import create_survey, default_definitions, open_invitation, send_invitations

from ._support import at, invitations, people, receiving, responses, sig_of, solved_event, ticket

BASE = "https://support.example/"


@pytest.fixture
def world(duckdb_store: Store) -> Store:
    store = duckdb_store
    people(store)
    store.write(
        "tickets",
        [ticket(1, "t:c1", at(9)), ticket(2, "t:c2", at(9, 13), agent_id="t:a2", team_id="t:care")],
    )
    store.write("events", [solved_event(1, at(9)), solved_event(2, at(9, 13))])
    create_survey(store, default_definitions()["csat-after-solve"])
    return store


def test_the_outbox_as_json_lines(world: Store, tmp_path: Path) -> None:
    outbox = tmp_path / "out" / "invitations.jsonl"
    sent = send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE, outbox=outbox)
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 == sent.sent
    first, second = lines
    inv = sent.invitations[0]
    assert first == {
        "invitation_id": inv.invitation_id,
        "to": "t:c1",
        "to_kind": "customer",
        "language": "fa",
        "link": first["link"],
        "expires_at": "2026-12-17T12:00:00+00:00",
        "title": "نظرتان درباره‌ی پشتیبانی ما",
        "survey_id": "csat-after-solve",
        "ticket_id": "t:1",
        "channel": "email",
    }
    assert first["link"].startswith(f"https://support.example/s/{inv.invitation_id}?sig=")
    assert (second["to"], second["language"], second["title"]) == (
        "t:c2",
        "ar",
        "رأيك في خدمة الدعم لدينا",
    )
    # the link opens its invitation
    opened = open_invitation(world, inv.invitation_id, sig_of(first["link"]), now=at(10, 13))
    assert opened.invitation_id == inv.invitation_id and opened.status == "sent"
    assert not list(outbox.parent.glob(".*partial"))


def test_the_outbox_as_csv(world: Store, tmp_path: Path) -> None:
    outbox = tmp_path / "invitations.csv"
    send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE, outbox=outbox,
                     format="csv")  # fmt: skip
    with outbox.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["to"] for r in rows] == ["t:c1", "t:c2"]
    assert list(rows[0]) == [
        "invitation_id", "to", "to_kind", "language", "link", "expires_at", "title",
        "survey_id", "ticket_id", "channel",
    ]  # fmt: skip
    assert rows[1]["title"] == "رأيك في خدمة الدعم لدينا" and rows[1]["channel"] == "email"


def test_invitations_and_unanswered_rows_are_stored(world: Store) -> None:
    sent = send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE)
    stored = sorted(invitations(world), key=lambda r: r["ticket_id"])
    assert [(r["ticket_id"], r["status"], r["version"]) for r in stored] == [
        ("t:1", "sent", 1),
        ("t:2", "sent", 1),
    ]
    rows = {r["invitation_id"]: r for r in responses(world)}
    assert len(rows) == 2
    for inv in sent.invitations:
        row = rows[inv.invitation_id]
        assert row["response_id"] == f"sanjeh:{inv.invitation_id}:csat"
        assert (row["survey"], row["question"], row["scale_min"], row["scale_max"]) == (
            "csat", "csat", 1, 5,
        )  # fmt: skip
        assert row["score"] is None and row["submitted_at"] is None
        assert row["sent_at"] == at(10) and row["source"] == "sanjeh"
        assert (row["ticket_id"], row["customer_id"]) == (inv.ticket_id, inv.customer_id)
    assert rows[sent.invitations[1].invitation_id]["team_id"] == "t:care"


def test_employee_invitations_write_no_response_rows(world: Store) -> None:
    create_survey(world, default_definitions()["enps-quarterly"])
    sent = send_invitations(world, "enps-quarterly", now=at(10), base_url=BASE)
    assert [i.agent_id for i in sent.invitations] == ["t:a1", "t:a2", "t:a3"]
    assert [r["to_kind"] for r in sent.records] == ["agent"] * 3
    assert [r["to"] for r in sent.records] == ["t:a1", "t:a2", "t:a3"]
    assert responses(world) == []


def test_the_webhook_receives_the_invitations(world: Store) -> None:
    with receiving() as receiver:
        sent = send_invitations(
            world, "csat-after-solve", now=at(10), base_url=BASE, webhook=receiver.url
        )
    assert sent.webhook_status == 200
    (got,) = receiver.received
    assert got.path == "/hooks/surveys?token=s3cret"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"].startswith("sanjeh/")
    body = json.loads(got.body)
    assert body["survey_id"] == "csat-after-solve" and body["version"] == 1
    assert body["invitations"] == list(sent.records)
    assert [r["to"] for r in body["invitations"]] == ["t:c1", "t:c2"]
    assert len(invitations(world)) == 2


def test_a_failing_webhook_stores_nothing_and_the_next_send_retries(world: Store) -> None:
    with receiving() as receiver:
        receiver.statuses = [500]
        with pytest.raises(DeliveryError) as caught:
            send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE,
                             webhook=receiver.url)  # fmt: skip
        port = receiver.url.split(":")[2].split("/")[0]
        assert str(caught.value) == f"the webhook http://127.0.0.1:{port}/… answered 500"
        assert "s3cret" not in str(caught.value)
        assert invitations(world) == [] and responses(world) == []
        again = send_invitations(world, "csat-after-solve", now=at(10, 13), base_url=BASE,
                                 webhook=receiver.url)  # fmt: skip
    assert again.sent == 2 and len(receiver.received) == 2
    assert len(invitations(world)) == 2


def test_nothing_to_send_posts_nothing(world: Store) -> None:
    with receiving() as receiver:
        send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE)
        empty = send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE,
                                 webhook=receiver.url)  # fmt: skip
    assert empty.sent == 0 and receiver.received == []


def test_a_later_send_marks_unanswered_expired_invitations(world: Store) -> None:
    first = send_invitations(world, "csat-after-solve", now=at(10), base_url=BASE)
    send_invitations(world, "csat-after-solve", now=at(17, 12), base_url=BASE)  # not yet
    assert {r["status"] for r in invitations(world)} == {"sent"}
    send_invitations(world, "csat-after-solve", now=at(17, 12, 1), base_url=BASE)
    stored = {r["invitation_id"]: r["status"] for r in invitations(world)}
    assert stored == {i.invitation_id: "expired" for i in first.invitations}
