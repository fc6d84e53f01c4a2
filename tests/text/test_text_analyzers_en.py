"""Every analyzer on English messages, and mixed-language messages."""

from __future__ import annotations

import pytest

from sanjeh import text

PRESENT = [
    ("greeting", "agent", "Hi there, thanks for reaching out!"),
    ("closing", "agent", "Is there anything else I can help with? Have a great day!"),
    ("politeness", "agent", "Could you please send me the order number? Thank you"),
    ("empathy", "agent", "I completely understand how frustrating this must be."),
    ("apology", "agent", "I apologize for the inconvenience."),
    ("rude", "agent", "As I already said, you should have read the manual."),
    ("ownership", "agent", "Leave it with me, I'll follow this up myself."),
    ("active_listening", "agent", "Just to confirm, do you mean the second charge?"),
    ("active_listening", "agent", "If I understand correctly, the parcel never arrived."),
    ("follow_up", "agent", "I'll get back to you by tomorrow."),
    ("wow", "agent", "I've gone ahead and refunded the shipping as a courtesy."),
    ("escalation_request", "customer", "I want to speak to your manager."),
]

ABSENT = [
    ("greeting", "agent", "Your order has shipped."),
    ("closing", "agent", "Send me the order number."),
    ("politeness", "agent", "Order number?"),
    ("empathy", "agent", "Your order has shipped."),
    ("apology", "agent", "I am not sorry."),
    ("rude", "agent", "My pleasure, happy to help."),
    ("ownership", "agent", "Contact the billing team."),
    ("active_listening", "agent", "Your order has shipped."),
    ("follow_up", "agent", "Your order has shipped."),
    ("wow", "agent", "Your order has shipped."),
    ("escalation_request", "customer", "Thanks, all sorted."),
]


@pytest.mark.parametrize(("analyzer", "role", "message"), PRESENT)
def test_present(signal_of, analyzer: str, role: str, message: str) -> None:
    found = signal_of(message, analyzer, role)
    assert found.label == "present"
    for ev in found.evidence:
        assert message[ev.start : ev.end] == ev.text and ev.text


@pytest.mark.parametrize(("analyzer", "role", "message"), ABSENT)
def test_absent(signal_of, analyzer: str, role: str, message: str) -> None:
    assert signal_of(message, analyzer, role).label == "absent"


def test_cant_vs_can_do(signal_of) -> None:
    negative = signal_of("Unfortunately we can't change that.", "language_framing")
    positive = signal_of("Here is what I can do for you.", "language_framing")
    assert negative.score < 0 < positive.score


def test_we_cant_is_not_also_we_can(signal_of) -> None:
    framing = signal_of("We can't do that, sorry.", "language_framing")
    assert framing.score == -1.0
    assert [(e.text, e.tag) for e in framing.evidence] == [("We can't", "negative")]


def test_not_a_problem(signal_of) -> None:
    assert signal_of("Not a problem at all!", "language_framing").label == "positive"
    assert text.sentiment(["not a problem"])[0] > 0


def test_mixed_persian_english_message(signal_of) -> None:
    message = "سلام، your refund is on its way. خیلی ممنون از صبرتون"
    assert signal_of(message, "greeting").label == "present"
    politeness = signal_of(message, "politeness")
    assert any(e.text in {"خیلی ممنون", "ممنون"} for e in politeness.evidence)


def test_mixed_arabic_english_message(signal_of) -> None:
    message = "Hello! نعتذر عن التأخير, the order ships today"
    assert signal_of(message, "greeting").label == "present"
    assert signal_of(message, "apology").label == "present"


def test_role_decides_which_analyzers_run() -> None:
    agent, customer = text.analyze(["Hi, sorry!", "Hi, sorry!"], role=["agent", "customer"])
    assert agent.get("greeting") is not None and agent.get("sentiment") is None
    assert customer.get("sentiment") is not None and customer.get("greeting") is None
    (anyone,) = text.analyze(["Hi, sorry!"])
    assert anyone.get("greeting") is not None and anyone.get("sentiment") is not None
