"""Answers: checked against the definition, stored in one transaction, changed within the
grace period only, refused for forged / expired / reused links; on DuckDB and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from sanjeh.accounts._links import sign, store_key
from sanjeh.store import Store
from sanjeh.surveys import (
    AlreadyAnswered,
    Answer,
    AnswerReceipt,
    ExpiredLink,
    InvalidAnswer,
    InvalidLink,
    Invitation,
    UnknownInvitation,
    create_survey,
    default_definitions,
    load_definition,
    open_invitation,
    record_answer,
    record_answers,
    send_invitations,
)

from ._support import at, invitations, people, responses, sig_of, solved_event, ticket

BASE = "https://support.example"

#: a customer survey with every kind of question (the primary, then the others)
FULL = {
    "id": "chat",
    "kind": "csat",
    "trigger": "ticket_solved",
    "title": "Chat",
    "questions": [
        {"code": "csat", "scale": [1, 5], "text": "Satisfied?"},
        {"code": "solved", "kind": "yes_no", "text": "Solved?", "required": True},
        {"code": "reason", "kind": "choice", "choices": ["speed", "tone"], "text": "Why?"},
        {"code": "effort", "scale": [1, 7], "text": "Effort?"},
        {"code": "comment", "kind": "text", "text": "Comment?"},
        {"code": "other", "kind": "text", "text": "Anything else?"},
    ],
}


def _send(
    store: Store, survey_id: str, now: dt.datetime | None = None
) -> list[tuple[Invitation, str]]:
    sent = send_invitations(store, survey_id, now=now or at(10), base_url=BASE)
    return [(i, sig_of(r["link"])) for i, r in zip(sent.invitations, sent.records, strict=True)]


@pytest.fixture
def world(store: Store) -> Store:
    people(store)
    store.write(
        "tickets",
        [ticket(1, "t:c1", at(9)), ticket(2, "t:c2", at(9, 13), agent_id="t:a2", team_id="t:care")],
    )
    store.write("events", [solved_event(1, at(9)), solved_event(2, at(9, 13))])
    create_survey(store, load_definition(FULL))
    return store


def _by_question(store: Store) -> dict[str, dict[str, Any]]:
    return {r["question"]: r for r in responses(store)}


def test_a_customer_answer_is_stored_one_row_per_question(world: Store) -> None:
    (inv, sig), (other, _) = _send(world, "chat")
    opened = open_invitation(world, inv.invitation_id, sig, now=at(10, 13))
    got = record_answer(
        world,
        opened,
        {"csat": "۴", "solved": "بله", "reason": "tone", "effort": 2, "comment": " عالی ",
         "other": "more"},
        now=at(10, 13),
    )  # fmt: skip
    assert got == AnswerReceipt(inv.invitation_id, "chat", 5, False, at(10, 13, 30), None)
    rows = [r for r in responses(world) if r["invitation_id"] == inv.invitation_id]
    fields = ("response_id", "survey", "score", "scale_min", "scale_max", "comment")
    got_rows = {r["question"]: tuple(r[f] for f in fields) for r in rows}
    key = f"sanjeh:{inv.invitation_id}"
    assert got_rows == {
        "csat": (f"{key}:csat", "csat", 4.0, 1, 5, "عالی"),  # with the first text answer
        "solved": (f"{key}:solved", "custom", 1.0, 0, 1, None),
        "reason": (f"{key}:reason", "custom", 2.0, 1, 2, None),
        "effort": (f"{key}:effort", "custom", 2.0, 1, 7, None),
        "other": (f"{key}:other", "custom", None, 0, 1, "more"),
    }
    for r in rows:
        assert (r["ticket_id"], r["customer_id"], r["agent_id"], r["team_id"]) == (
            "t:1", "t:c1", "t:a1", "t:sales",
        )  # fmt: skip
        assert (r["sent_at"], r["submitted_at"], r["language"]) == (at(10), at(10, 13), "fa")
    (stored,) = [r for r in invitations(world) if r["invitation_id"] == inv.invitation_id]
    assert (stored["status"], stored["answered_at"], stored["used_at_first"]) == (
        "answered", at(10, 13), at(10, 13),
    )  # fmt: skip
    # the other invitation is untouched: still its one unanswered row
    assert [r["score"] for r in responses(world) if r["invitation_id"] == other.invitation_id] == [
        None
    ]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"solved": "yes"}, "csat: an answer is required"),
        ({"csat": 5}, "solved: an answer is required"),
        ({"csat": 6, "solved": 1}, "csat: '6': expected a whole number from 1 to 5"),
        ({"csat": 4.5, "solved": 1}, "csat: '4.5': expected a whole number from 1 to 5"),
        ({"csat": "five", "solved": 1}, "csat: 'five': expected a whole number"),
        ({"csat": True, "solved": 1}, "csat: expected a whole number from 1 to 5"),
        ({"csat": 5, "solved": "maybe"}, "solved: 'maybe': answer yes or no"),
        ({"csat": 5, "solved": 1, "reason": "price"}, "reason: 'price' is not one of the"),
        ({"csat": 5, "solved": 1, "comment": "x" * 4001}, "comment: 4,001 characters"),
        ({"csat": 5, "solved": 1, "comment": "a\x00b"}, "comment: contains a NUL"),
        ({"csat": 5, "solved": 1, "age": 40}, "age: no such question"),
    ],
)
def test_a_bad_answer_names_the_question_and_stores_nothing(
    world: Store, answers: dict[str, Any], message: str
) -> None:
    (inv, _), _ = _send(world, "chat")
    before = responses(world), invitations(world)
    with pytest.raises(InvalidAnswer) as caught:
        record_answer(world, inv, answers, now=at(10, 13))
    assert str(caught.value).startswith(message)
    assert (responses(world), invitations(world)) == before


def test_a_second_answer_replaces_the_first_within_the_grace_period(world: Store) -> None:
    (inv, sig), _ = _send(world, "chat")
    record_answer(world, inv, {"csat": 2, "solved": "no", "comment": "slow"}, now=at(10, 13))
    # 30 minutes later (the default grace period): the link still opens, the answer changes
    again = open_invitation(world, inv.invitation_id, sig, now=at(10, 13, 30))
    changed = record_answer(world, again, {"csat": 4, "solved": "yes"}, now=at(10, 13, 30))
    assert changed.updated and changed.editable_until == at(10, 13, 30)
    mine = {r["question"]: r for r in responses(world) if r["invitation_id"] == inv.invitation_id}
    assert sorted(mine) == ["csat", "solved"]
    assert (mine["csat"]["score"], mine["csat"]["comment"]) == (4.0, None)  # comment withdrawn
    assert mine["csat"]["submitted_at"] == at(10, 13, 30)
    (stored,) = [r for r in invitations(world) if r["invitation_id"] == inv.invitation_id]
    assert stored["used_at_first"] == at(10, 13)  # the grace period runs from the first
    # a minute past it: refused, nothing changes
    late = at(10, 13, 31)
    with pytest.raises(AlreadyAnswered):
        open_invitation(world, inv.invitation_id, sig, now=late)
    before = responses(world)
    with pytest.raises(AlreadyAnswered):
        record_answer(world, again, {"csat": 1, "solved": "no"}, now=late)
    assert responses(world) == before


def test_forged_expired_and_unknown_links_are_refused_alike(world: Store) -> None:
    (inv, sig), (_, other_sig) = _send(world, "chat")
    now = at(10, 13)
    refusals = []
    for invitation_id, candidate in [
        (inv.invitation_id, sig[:-1] + ("A" if sig[-1] != "A" else "B")),  # one character
        (inv.invitation_id, other_sig),  # another invitation's sig
        (inv.invitation_id, sig.split(".")[1]),  # cut short
        (inv.invitation_id, ""),
        (inv.invitation_id.upper(), sig),  # another id
    ]:
        with pytest.raises(InvalidLink) as caught:
            open_invitation(world, invitation_id, candidate, now=now)
        assert type(caught.value) is InvalidLink
        refusals.append(str(caught.value))
    # a genuine sig for an invitation that does not exist says the same
    made_up = sign("survey", "no-such-id", expires=at(20), key=store_key(world))
    with pytest.raises(UnknownInvitation) as unknown:
        open_invitation(world, "no-such-id", made_up, now=now)
    assert {*refusals, str(unknown.value)} == {refusals[0]}
    assert unknown.value.code == "invalid_link"
    # the sig expires with the invitation (7 days)
    with pytest.raises(ExpiredLink, match="expired on 2026-12-17"):
        open_invitation(world, inv.invitation_id, sig, now=at(17, 12, 1))
    with pytest.raises(ExpiredLink):
        record_answer(world, inv, {"csat": 5, "solved": 1}, now=at(17, 12, 1))
    # a link signed for another purpose (a case status page) is no survey link
    case_sig = sign("case-status", inv.invitation_id, expires=at(20), key=store_key(world))
    with pytest.raises(InvalidLink):
        open_invitation(world, inv.invitation_id, case_sig, now=now)
    assert all(r["score"] is None for r in responses(world))


def test_ces_on_the_effort_scale_is_stored_as_agreement(world: Store) -> None:
    d = dataclasses.replace(default_definitions()["ces-after-solve"], ces_scale="effort")
    create_survey(world, d)
    (inv, _), _ = _send(world, "ces-after-solve")
    record_answer(world, inv, {"ces": 2}, now=at(10, 13))  # 2 = fairly easy on 1..7 effort
    (row,) = [r for r in responses(world) if r["invitation_id"] == inv.invitation_id]
    assert (row["survey"], row["score"]) == ("ces", 6.0)


def test_a_batch_records_the_good_answers_and_reports_the_bad(world: Store) -> None:
    (a, _), (b, _) = _send(world, "chat")
    ghost = dataclasses.replace(a, invitation_id="ghost")
    results = record_answers(
        world,
        [
            Answer(a, {"csat": 5, "solved": 1}, at(10, 13)),
            Answer(b, {"csat": 9, "solved": 1}, at(10, 13)),
            Answer(ghost, {"csat": 5, "solved": 1}, at(10, 13)),
            Answer(a, {"csat": 3, "solved": 0}, at(10, 13, 5)),  # a change, same batch
            Answer(b, {"csat": 1, "solved": 0}, at(10, 13, 6)),
        ],
    )
    assert [type(r).__name__ for r in results] == [
        "AnswerReceipt", "InvalidAnswer", "UnknownInvitation", "AnswerReceipt", "AnswerReceipt",
    ]  # fmt: skip
    assert isinstance(results[3], AnswerReceipt) and results[3].updated
    scores = {r["ticket_id"]: r["score"] for r in responses(world) if r["question"] == "csat"}
    assert scores == {"t:1": 3.0, "t:2": 1.0}
    assert {r["status"] for r in invitations(world)} == {"answered"}
    # the facts learn which tickets changed, as from any other write
    changes = world.con.table("sanjeh_changes").to_pyarrow().to_pylist()
    assert {"table_name": "survey_responses", "entity_id": "t:1"} in changes
    assert {"table_name": "survey_responses", "entity_id": "t:2"} in changes


def test_anonymous_answers_keep_no_trace_of_the_employee(world: Store) -> None:
    create_survey(world, default_definitions()["pulse-weekly"])
    sent = _send(world, "pulse-weekly", now=at(8, 9))  # Tuesday of ISO week 2026-W50
    (inv, sig) = sent[1]
    assert inv.agent_id == "t:a2" and inv.period == "2026-W50"
    got = record_answer(
        world,
        open_invitation(world, inv.invitation_id, sig, now=at(9, 16, 47)),
        {"workload": 2, "morale": "4", "support": "no", "comment": "too many tickets"},
        now=at(9, 16, 47),
    )
    assert got.receipt and got.rows == 3 and got.editable_until == at(9, 17, 17)
    rows = [r for r in responses(world) if r["source"] == "sanjeh" and r["survey"] == "pulse"]
    assert sorted((r["question"], r["score"], r["comment"]) for r in rows) == [
        ("morale", 4.0, None),
        ("support", 0.0, None),
        ("workload", 2.0, "too many tickets"),
    ]
    monday = at(7, 0)
    secret = {inv.invitation_id, inv.agent_id, got.receipt, got.receipt.split(".")[0]}
    for r in rows:
        assert (r["agent_id"], r["customer_id"], r["ticket_id"], r["invitation_id"]) == (None,) * 4
        assert (r["team_id"], r["language"]) == ("t:care", "fa")
        assert r["sent_at"] == r["submitted_at"] == monday  # the period's start, not 16:47
        assert r["external_id"] == "pulse-weekly@1"
        assert not any(s and s in str(v) for v in r.values() for s in secret), r
    (stored,) = [r for r in invitations(world) if r["invitation_id"] == inv.invitation_id]
    assert (stored["status"], stored["answered_at"], stored["used_at_first"]) == (
        "answered", monday, None,
    )  # fmt: skip


def test_an_anonymous_answer_changes_only_with_its_receipt(world: Store) -> None:
    create_survey(world, default_definitions()["enps-quarterly"])
    (inv, _), (other, _), _ = _send(world, "enps-quarterly", now=at(8, 9))
    first = record_answer(world, inv, {"enps": 3}, now=at(9, 10))
    assert first.receipt is not None
    with pytest.raises(AlreadyAnswered):  # the link alone does not change it
        record_answer(world, inv, {"enps": 10}, now=at(9, 10, 1))
    token, _, sig = first.receipt.partition(".")
    for forged in (f"{token}x.{sig}", f"{token}.{sig[:-2]}", "nothing"):
        with pytest.raises(AlreadyAnswered):
            record_answer(world, inv, {"enps": 10}, now=at(9, 10, 1), receipt=forged)
    record_answer(world, other, {"enps": 8}, now=at(9, 10))
    with pytest.raises(AlreadyAnswered):  # a receipt is good for its own invitation only
        record_answer(world, other, {"enps": 0}, now=at(9, 10, 1), receipt=first.receipt)
    changed = record_answer(world, inv, {"enps": 9}, now=at(9, 10, 30), receipt=first.receipt)
    assert changed.updated and changed.rows == 1
    scores = sorted(r["score"] for r in responses(world) if r["survey"] == "enps")
    assert scores == [8.0, 9.0]
    with pytest.raises(AlreadyAnswered):  # the receipt expires with the grace period
        record_answer(world, inv, {"enps": 1}, now=at(9, 10, 31), receipt=first.receipt)
