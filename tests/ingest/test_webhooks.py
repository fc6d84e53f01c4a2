"""Webhook receivers as a library: signatures checked against HMACs computed by hand
(``openssl dgst -hmac``), the replay window, and the rows each sample payload of
examples/webhooks/ becomes, written out by hand."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from sanjeh.errors import NotAuthenticated
from sanjeh.ingest.webhooks import (
    HELPDESKS,
    UnsupportedEvent,
    chatwoot,
    freshdesk,
    intercom,
    parse,
    receive,
    zendesk,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "webhooks"
NOON = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)  # 1796558400
SECRET = "s3cret"


def sample(helpdesk: str, name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((EXAMPLES / helpdesk / f"{name}.json").read_text())
    return payload


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- signatures ----------------------------------------------------------------------------

#: printf '%s' '2026-12-06T12:00:00Z{"type":"x"}' \
#:     | openssl dgst -sha256 -hmac s3cret -binary | base64
ZENDESK_SIG = "o5MJhp5FYy2UfVdH18eRFVVmAUjkWgugifpoks9NpUc="
#: printf '%s' '1796558400.{"event":"x"}' | openssl dgst -sha256 -hmac s3cret -hex
CHATWOOT_SIG = "sha256=4a02b3e0755e0765ee52e21b85865825111cc899a60fe75ddd5f87514904bf10"
#: printf '%s' '{"topic":"ping"}' | openssl dgst -sha1 -hmac s3cret -hex
INTERCOM_SIG = "sha1=0f087edef3860120e0ad1df872a5baf0dd64a39b"


def test_zendesk_signature_over_timestamp_and_body() -> None:
    headers = {
        "x-zendesk-webhook-signature": ZENDESK_SIG,  # (header names in any case)
        "X-Zendesk-Webhook-Signature-Timestamp": "2026-12-06T12:00:00Z",
    }
    body = b'{"type":"x"}'
    zendesk.verify(headers, body, SECRET, now=NOON)
    zendesk.verify(headers, body, SECRET, now=NOON + dt.timedelta(minutes=4, seconds=59))
    with pytest.raises(NotAuthenticated, match="signature does not match"):
        zendesk.verify(headers, b'{"type":"y"}', SECRET, now=NOON)
    with pytest.raises(NotAuthenticated, match="signature does not match"):
        zendesk.verify(headers, body, "other", now=NOON)
    with pytest.raises(NotAuthenticated, match="more than 5 minutes"):
        zendesk.verify(headers, body, SECRET, now=NOON + dt.timedelta(minutes=5, seconds=1))
    with pytest.raises(NotAuthenticated, match="more than 5 minutes"):  # (a clock ahead)
        zendesk.verify(headers, body, SECRET, now=NOON - dt.timedelta(minutes=6))
    with pytest.raises(NotAuthenticated, match="no X-Zendesk-Webhook-Signature"):
        zendesk.verify({"X-Zendesk-Webhook-Signature": ZENDESK_SIG}, body, SECRET, now=NOON)


def test_zendesk_stale_signature_is_refused_even_when_correct() -> None:
    """A signature made an hour ago for this very body: a captured request, replayed."""
    stamp = "2026-12-06T11:00:00Z"
    signed = base64.b64encode(
        hmac.new(SECRET.encode(), stamp.encode() + b"{}", "sha256").digest()
    ).decode()
    headers = {
        "X-Zendesk-Webhook-Signature": signed,
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    zendesk.verify(headers, b"{}", SECRET, now=at(stamp))
    with pytest.raises(NotAuthenticated, match="replayed request"):
        zendesk.verify(headers, b"{}", SECRET, now=NOON)


def test_chatwoot_signed_and_token_deliveries() -> None:
    headers = {"X-Chatwoot-Signature": CHATWOOT_SIG, "X-Chatwoot-Timestamp": "1796558400"}
    body = b'{"event":"x"}'
    chatwoot.verify(headers, body, SECRET, now=NOON)
    with pytest.raises(NotAuthenticated, match="signature does not match"):
        chatwoot.verify(headers, body + b" ", SECRET, now=NOON)
    with pytest.raises(NotAuthenticated, match="more than 5 minutes"):
        chatwoot.verify(headers, body, SECRET, now=NOON + dt.timedelta(hours=1))
    with pytest.raises(NotAuthenticated, match="no X-Chatwoot-Timestamp"):
        chatwoot.verify({"X-Chatwoot-Signature": CHATWOOT_SIG}, body, SECRET, now=NOON)
    # Chatwoot without signing: the secret in the URL
    chatwoot.verify({}, body, SECRET, query={"token": SECRET}, now=NOON)
    with pytest.raises(NotAuthenticated, match="is not"):
        chatwoot.verify({}, body, SECRET, query={"token": "guess"}, now=NOON)
    with pytest.raises(NotAuthenticated, match="not signed"):
        chatwoot.verify({}, body, SECRET, now=NOON)


def test_intercom_sha1_signature_without_a_time() -> None:
    body = b'{"topic":"ping"}'
    intercom.verify({"X-Hub-Signature": INTERCOM_SIG}, body, SECRET)
    with pytest.raises(NotAuthenticated, match="signature does not match"):
        intercom.verify({"X-Hub-Signature": INTERCOM_SIG.upper()}, body, SECRET)
    with pytest.raises(NotAuthenticated, match="no X-Hub-Signature"):
        intercom.verify({}, body, SECRET)


def test_freshdesk_shared_secret_as_password_api_key_or_header() -> None:
    def basic(user: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    freshdesk.verify(basic("sanjeh", SECRET), b"{}", SECRET)  # user and password
    freshdesk.verify(basic(SECRET, "X"), b"{}", SECRET)  # API key (Freshdesk adds :X)
    freshdesk.verify({"X-Sanjeh-Webhook-Secret": SECRET}, b"{}", SECRET)
    with pytest.raises(NotAuthenticated, match="is not"):
        freshdesk.verify(basic("sanjeh", "guess"), b"{}", SECRET)
    with pytest.raises(NotAuthenticated, match="carries no secret"):
        freshdesk.verify({"Authorization": "Bearer x"}, b"{}", SECRET)
    with pytest.raises(NotAuthenticated, match="carries no secret"):
        freshdesk.verify({"Authorization": "Basic %%%"}, b"{}", SECRET)


# -- payloads ------------------------------------------------------------------------------

ZD_CREATED = {
    "event_id": "zendesk:5158-created",
    "ticket_id": "zendesk:5158",
    "at": "2026-11-02T09:00:00Z",
    "kind": "created",
    "actor_type": "customer",
    "actor_id": "zendesk:8447388090494",
    "public": True,
    "channel": "web",
    "body": "I cannot log in to the mobile app since this morning.",
}


def test_zendesk_ticket_created() -> None:
    assert zendesk.to_records(sample("zendesk", "01_ticket_created")) == {
        "tickets": [
            {
                "ticket_id": "zendesk:5158",
                "source": "zendesk",
                "external_id": "5158",
                "channel": "web",
                "subject": "Cannot log in to the mobile app",
                "created_at": "2026-11-02T09:00:00Z",
                "updated_at": "2026-11-02T09:00:00Z",
                "status": "new",
                "customer_id": "zendesk:8447388090494",
                "team_id": "zendesk:8447320466430",
                "priority": "high",
                "tags": ["mobile", "login"],
            }
        ],
        "events": [ZD_CREATED],
    }


def test_zendesk_comments_note_and_reply() -> None:
    note = zendesk.to_records(sample("zendesk", "02_comment_added_note"))
    assert note["tickets"][0]["updated_at"] == "2026-11-02T09:05:00Z"
    assert note["events"] == [
        ZD_CREATED,  # (every event of the ticket carries its start)
        {
            "event_id": "zendesk:5158-comment-9876543001",
            "ticket_id": "zendesk:5158",
            "at": "2026-11-02T09:05:00.120000Z",
            "actor_type": "agent",
            "actor_id": "zendesk:8447388090495",
            "public": False,
            "kind": "message",
            "body": "Checked the logs: token refresh fails.",
        },
    ]
    reply = zendesk.to_records(sample("zendesk", "04_comment_added_reply"))
    assert reply["tickets"][0]["status"] == "open"
    assert reply["tickets"][0]["agent_id"] == "zendesk:8447388090495"
    assert reply["events"][1] == {
        "event_id": "zendesk:5158-comment-9876543210",
        "ticket_id": "zendesk:5158",
        "at": "2026-11-02T09:12:30.123456Z",  # (nanoseconds cut to microseconds)
        "actor_type": "agent",
        "actor_id": "zendesk:8447388090495",
        "public": True,
        "kind": "message",
        "body": "We are investigating this issue and will update you shortly.",
    }


def test_zendesk_status_priority_and_assignment_changes() -> None:
    def change(name: str) -> dict[str, Any]:
        events = zendesk.to_records(sample("zendesk", name))["events"]
        assert events[0] == ZD_CREATED
        return events[1]

    base = {"ticket_id": "zendesk:5158", "actor_type": "agent", "actor_id": "zendesk:8447388090495"}
    assert change("03_agent_assignment_changed") == {
        **base,
        "event_id": "zendesk:5158-7a2b3c4d-1111-4e5f-8a9b-0c1d2e3f4a5b",
        "at": "2026-11-02T09:06:00Z",
        "public": False,
        "kind": "assign",
        "agent_id": "zendesk:8447388090495",
    }
    assert change("05_status_changed") == {
        **base,
        "event_id": "zendesk:5158-a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d",
        "at": "2026-11-02T09:12:30.223456Z",
        "public": True,
        "kind": "status",
        "status": "open",
    }
    assert change("06_priority_changed") == {
        **base,
        "event_id": "zendesk:5158-b1c2d3e4-5f60-4718-9a0b-1c2d3e4f5a6b",
        "at": "2026-11-02T09:40:00Z",
        "public": False,
        "kind": "priority",
        "priority": "urgent",
    }
    solved = zendesk.to_records(sample("zendesk", "07_status_changed_solved"))
    assert solved["events"][1]["status"] == "solved"
    assert solved["tickets"][0]["status"] == "solved"


def test_zendesk_ticket_created_past_new_starts_in_its_status() -> None:
    payload = sample("zendesk", "01_ticket_created")
    payload["detail"].update(status="PENDING", submitter_id="8447388090495")
    events = zendesk.to_records(payload)["events"]
    assert events[0]["actor_type"] == "agent"  # (an agent opened it for the requester)
    assert events[1] == {
        "event_id": "zendesk:5158-created-status",
        "ticket_id": "zendesk:5158",
        "at": "2026-11-02T09:00:00Z",
        "actor_type": "customer",  # (detail.actor_id is the requester)
        "actor_id": "zendesk:8447388090494",
        "public": True,
        "kind": "status",
        "status": "pending",
    }


def test_zendesk_other_ticket_events_update_the_ticket_only() -> None:
    payload = sample("zendesk", "05_status_changed")
    payload["type"] = "zen:event-type:ticket.subject_changed"
    payload["detail"]["subject"] = "Login fails on Android"
    found = zendesk.to_records(payload)
    assert found["tickets"][0]["subject"] == "Login fails on Android"
    assert found["events"] == [ZD_CREATED]


FD_CUSTOMER = "freshdesk:contact-259b65833bba"  # sha256("sara@example.com")[:12]
T0 = at("2026-11-02T09:00:00Z")


def test_freshdesk_ticket_created() -> None:
    assert freshdesk.to_records(sample("freshdesk", "01_ticket_created"), received_at=T0) == {
        "customers": [
            {
                "customer_id": FD_CUSTOMER,
                "source": "freshdesk",
                "name": "Sara Mohammadi",
                "email": "sara@example.com",
            }
        ],
        "tickets": [
            {
                "ticket_id": "freshdesk:1001",
                "source": "freshdesk",
                "external_id": "1001",
                "channel": "email",
                "subject": "Order not delivered",
                "created_at": "2026-11-02T09:00:00Z",
                "updated_at": "2026-11-02T09:00:00Z",
                "customer_id": FD_CUSTOMER,
                "team_id": "freshdesk:Sales support",
                "priority": "high",
                "tags": ["vip", "late"],
            }
        ],
        "events": [
            {
                "event_id": "freshdesk:1001-created",
                "ticket_id": "freshdesk:1001",
                "at": "2026-11-02T09:00:00Z",
                "kind": "created",
                "actor_type": "customer",
                "actor_id": FD_CUSTOMER,
                "public": True,
                "channel": "email",
                "body": "<div>My order #4471 has not arrived.</div>",
            }
        ],
    }


def test_freshdesk_replies_and_status_when_received() -> None:
    later = at("2026-11-02T09:12:30Z")
    reply = freshdesk.to_records(sample("freshdesk", "02_agent_reply"), received_at=later)
    (event,) = reply["events"]
    assert event.pop("event_id").startswith("freshdesk:1001-agent_reply-")
    assert event == {
        "ticket_id": "freshdesk:1001",
        "at": "2026-11-02T09:12:30Z",
        "actor_type": "agent",
        "public": True,
        "kind": "message",
        "body": "<div>Sorry for the delay, the courier has it; it arrives tomorrow.</div>",
        "actor_id": "freshdesk:Reza Ahmadi",
    }
    assert list(reply) == ["events"]  # (the ticket's row is the created rule's)
    customer = freshdesk.to_records(sample("freshdesk", "03_customer_reply"), received_at=later)
    assert customer["events"][0]["actor_type"] == "customer"
    assert customer["events"][0]["actor_id"] == FD_CUSTOMER
    status = freshdesk.to_records(sample("freshdesk", "04_status_changed"), received_at=later)
    assert status["events"][0]["kind"] == "status"
    assert status["events"][0]["status"] == "solved"


def test_freshdesk_event_ids_are_the_body_so_a_resent_body_is_one_event() -> None:
    payload = sample("freshdesk", "02_agent_reply")
    first = freshdesk.to_records(payload, received_at=T0)["events"][0]["event_id"]
    again = freshdesk.to_records(dict(payload), received_at=NOON)["events"][0]["event_id"]
    other = freshdesk.to_records({**payload, "comment": "x"}, received_at=T0)
    assert first == again != other["events"][0]["event_id"]


def test_freshdesk_custom_status_is_not_a_status_change() -> None:
    payload = {**sample("freshdesk", "04_status_changed"), "status": "Awaiting parts"}
    assert freshdesk.to_records(payload, received_at=T0) == {}
    payload["status"] = "Waiting on Third Party"
    assert freshdesk.to_records(payload, received_at=T0)["events"][0]["status"] == "on_hold"


CW_CREATED = {
    "event_id": "chatwoot:10-created",
    "ticket_id": "chatwoot:10",
    "at": "2026-11-02T09:00:00Z",
    "kind": "created",
    "actor_type": "customer",
    "actor_id": "chatwoot:contact-12",
    "public": True,
    "channel": "chat",
}
CW_CUSTOMER = {
    "customer_id": "chatwoot:contact-12",
    "source": "chatwoot",
    "external_id": "12",
    "name": "jane",
    "email": "jane@acme.inc",
}


def test_chatwoot_conversation_created() -> None:
    assert chatwoot.to_records(sample("chatwoot", "01_conversation_created")) == {
        "customers": [CW_CUSTOMER],
        "tickets": [
            {
                "ticket_id": "chatwoot:10",
                "source": "chatwoot",
                "external_id": "10",
                "channel": "chat",
                "created_at": "2026-11-02T09:00:00Z",
                "updated_at": "2026-11-02T09:00:00Z",
                "status": "open",
                "customer_id": "chatwoot:contact-12",
                "tags": ["billing"],
            }
        ],
        "events": [CW_CREATED],
    }


def test_chatwoot_messages() -> None:
    def message(name: str) -> list[dict[str, Any]]:
        found = chatwoot.to_records(sample("chatwoot", name))
        assert found["customers"] == [CW_CUSTOMER]
        assert found["events"][0] == CW_CREATED
        return found["events"][1:]

    assert message("02_message_created_incoming") == [
        {
            "event_id": "chatwoot:10-message-118",
            "ticket_id": "chatwoot:10",
            "at": "2026-11-02T09:00:00Z",
            "kind": "message",
            "actor_type": "customer",
            "actor_id": "chatwoot:contact-12",
            "public": True,
            "body": "hi, my invoice is wrong",
        }
    ]
    assert message("03_message_created_activity") == []  # (Chatwoot's own log line)
    (note,) = message("04_message_created_private")
    assert (note["actor_type"], note["actor_id"], note["public"]) == (
        "agent",
        "chatwoot:user-1",
        False,
    )
    (reply,) = message("05_message_created_outgoing")
    assert reply == {
        "event_id": "chatwoot:10-message-121",
        "ticket_id": "chatwoot:10",
        "at": "2026-11-02T09:12:30Z",
        "kind": "message",
        "actor_type": "agent",
        "actor_id": "chatwoot:user-1",
        "public": True,
        "body": "Hi Jane, I am fixing the invoice now.",
    }
    ticket = chatwoot.to_records(sample("chatwoot", "05_message_created_outgoing"))["tickets"][0]
    assert ticket["agent_id"] == "chatwoot:user-1"


def test_chatwoot_status_change() -> None:
    found = chatwoot.to_records(sample("chatwoot", "06_conversation_status_changed"))
    assert found["tickets"][0]["status"] == "solved"
    assert found["tickets"][0]["updated_at"] == "2026-11-02T10:00:00.520000Z"
    (status,) = found["events"][1:]
    assert status.pop("event_id").startswith("chatwoot:10-status-")
    assert status == {
        "ticket_id": "chatwoot:10",
        "at": "2026-11-02T10:00:00.520000Z",
        "kind": "status",
        "actor_type": "agent",
        "public": True,
        "status": "solved",
    }


def test_chatwoot_without_created_at_takes_the_first_message() -> None:
    payload = sample("chatwoot", "01_conversation_created")
    del payload["created_at"]
    payload["messages"][0]["created_at"] = 1793609990
    ticket = chatwoot.to_records(payload)["tickets"][0]
    assert ticket["created_at"] == "2026-11-02T08:59:50Z"


IC_CONTACT = "intercom:5310d8e7598c9a0b24000002"
IC_CREATED = {
    "event_id": "intercom:147-created",
    "ticket_id": "intercom:147",
    "at": "2026-11-02T09:00:00Z",
    "kind": "created",
    "actor_type": "customer",
    "actor_id": IC_CONTACT,
    "public": True,
    "channel": "chat",
    "body": "<p>Hi, my export keeps failing</p>",
}


def test_intercom_conversation_created() -> None:
    assert intercom.to_records(sample("intercom", "01_conversation_user_created")) == {
        "customers": [
            {
                "customer_id": IC_CONTACT,
                "source": "intercom",
                "external_id": "70",
                "name": "Joe Bloggs",
                "email": "joe@example.com",
            }
        ],
        "tickets": [
            {
                "ticket_id": "intercom:147",
                "source": "intercom",
                "external_id": "147",
                "channel": "chat",
                "created_at": "2026-11-02T09:00:00Z",
                "updated_at": "2026-11-02T09:00:00Z",
                "status": "open",
                "customer_id": IC_CONTACT,
                "priority": "normal",
            }
        ],
        "events": [IC_CREATED],
    }


def test_intercom_parts() -> None:
    def part(name: str) -> dict[str, Any]:
        events = intercom.to_records(sample("intercom", name))["events"]
        assert events[0] == IC_CREATED
        (found,) = events[1:]
        return found

    admin = {"ticket_id": "intercom:147", "actor_type": "agent", "actor_id": "intercom:814860"}
    assert part("02_conversation_admin_noted") == {
        **admin,
        "event_id": "intercom:147-2001",
        "at": "2026-11-02T09:05:00Z",
        "public": False,
        "kind": "message",
        "body": "<p>Known bug, see JIRA-12</p>",
    }
    assert part("03_conversation_admin_assigned") == {
        **admin,
        "event_id": "intercom:147-2002",
        "at": "2026-11-02T09:06:00Z",
        "public": False,
        "kind": "assign",
        "agent_id": "intercom:814860",
    }
    assert part("04_conversation_admin_replied") == {
        **admin,
        "event_id": "intercom:147-2003",
        "at": "2026-11-02T09:12:30Z",
        "public": True,
        "kind": "message",
        "body": "<p>Sorry about that, a fix is on its way.</p>",
    }
    assert part("05_conversation_admin_closed") == {
        **admin,
        "event_id": "intercom:147-2004",
        "at": "2026-11-02T10:00:00Z",
        "public": True,
        "kind": "status",
        "status": "solved",
    }


def test_intercom_rating_and_ping() -> None:
    found = intercom.to_records(sample("intercom", "06_conversation_rating_added"))
    assert found["tickets"][0]["status"] == "solved"
    assert found["survey_responses"] == [
        {
            "response_id": "intercom:147-rating",
            "source": "intercom",
            "external_id": "147",
            "survey": "csat",
            "scale_min": 1,
            "scale_max": 5,
            "score": 4,
            "comment": "quick, thanks",
            "ticket_id": "intercom:147",
            "customer_id": IC_CONTACT,
            "agent_id": "intercom:814860",
            "sent_at": "2026-11-02T10:00:05Z",
            "submitted_at": "2026-11-02T10:30:00Z",
        }
    ]
    assert intercom.to_records(sample("intercom", "ping")) == {}


@pytest.mark.parametrize(
    ("helpdesk", "name", "names"),
    [
        ("zendesk", "user_created", "zen:event-type:ticket.comment_added"),
        ("chatwoot", "contact_created", "conversation_status_changed"),
        ("intercom", "contact_created", "conversation.admin.replied"),
    ],
)
def test_payloads_not_read_are_refused_naming_those_that_are(
    helpdesk: str, name: str, names: str
) -> None:
    with pytest.raises(UnsupportedEvent) as caught:
        HELPDESKS[helpdesk].to_records(sample(helpdesk, name))
    assert names in str(caught.value)


def test_freshdesk_body_without_event_is_refused() -> None:
    with pytest.raises(UnsupportedEvent, match="ticket_created, agent_reply"):
        freshdesk.to_records({"ticket_id": "1"})
    with pytest.raises(UnsupportedEvent, match="without ticket_id"):
        freshdesk.to_records({"event": "agent_reply"})


def test_bodies_that_are_not_json_objects() -> None:
    with pytest.raises(UnsupportedEvent, match="not JSON"):
        parse("zendesk", b"\xff{")
    with pytest.raises(UnsupportedEvent, match="not a JSON object"):
        parse("zendesk", b"[1, 2]")


def test_receive_verifies_then_maps() -> None:
    body = (EXAMPLES / "intercom" / "04_conversation_admin_replied.json").read_bytes()
    signature = "sha1=" + hmac.new(SECRET.encode(), body, "sha1").hexdigest()
    found = receive("intercom", {"X-Hub-Signature": signature}, body, SECRET)
    assert found["events"][1]["event_id"] == "intercom:147-2003"
    with pytest.raises(NotAuthenticated):
        receive("intercom", {"X-Hub-Signature": signature}, body + b"\n", SECRET)


def test_the_settings_know_every_receiver() -> None:
    from sanjeh.settings import WEBHOOK_HELPDESKS

    assert tuple(HELPDESKS) == WEBHOOK_HELPDESKS


@pytest.mark.parametrize("helpdesk", sorted(HELPDESKS))
def test_every_sample_row_passes_the_intake_rules(helpdesk: str) -> None:
    """What the receivers write is valid canonical data: validated as the intake
    validates it (the rules of an import), no sample row is rejected."""
    from sanjeh.ingest import validate_records

    files = sorted(p for p in (EXAMPLES / helpdesk).glob("[0-9]*.json"))
    assert len(files) >= 4
    for file in files:
        found = HELPDESKS[helpdesk].to_records(json.loads(file.read_text()), received_at=T0)
        for table, rows in found.items():
            checked = validate_records(table, rows, source=helpdesk, now=NOON)
            assert not checked.rejects, (file.name, table, checked.rejects)
            assert checked.good.num_rows == len(rows)


def test_the_freshdesk_body_in_the_docs_is_the_one_read() -> None:
    """docs/live.md shows the JSON body to paste into Freshdesk: it is TEMPLATE, and
    every field to_records reads is in it."""
    import re

    docs = (EXAMPLES.parents[1] / "docs" / "live.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(\{\n  \"event\": \"ticket_created\".*?)```", docs, re.S)
    assert json.loads(block) == freshdesk.TEMPLATE
    for name in ("01_ticket_created", "02_agent_reply"):
        assert set(sample("freshdesk", name)) == set(freshdesk.TEMPLATE)
