"""Scorecard validation, JSON form and selection."""

from __future__ import annotations

import json

import pytest

from sanjeh.errors import WorkflowError
from sanjeh.qa import Category, Scale, Scorecard, Section, choose_scorecard, default_scorecard


def test_validation_messages() -> None:
    with pytest.raises(WorkflowError, match="unknown scale '7'"):
        Scale("7")  # type: ignore[arg-type]
    with pytest.raises(WorkflowError, match="weight 101 is out of range"):
        Category("a", "A", 101)
    with pytest.raises(WorkflowError, match="weight must be a whole number"):
        Category("a", "A", 1.5)  # type: ignore[arg-type]
    a = Category("a", "A")
    with pytest.raises(WorkflowError, match="category id 'a' is used twice"):
        Scorecard("x", "X", (Section("s1", "S", (a,)), Section("s2", "S", (a,))))
    with pytest.raises(WorkflowError, match="section id 's' is used twice"):
        Scorecard("x", "X", (Section("s", "S", (a,)), Section("s", "S", (Category("b", "B"),))))
    with pytest.raises(WorkflowError, match="no categories"):
        Scorecard("x", "X", ())


def test_round_trip_through_json() -> None:
    card = default_scorecard()
    again = Scorecard.from_dict(json.loads(json.dumps(card.to_dict())))
    assert again == card
    with pytest.raises(WorkflowError, match="not a scorecard"):
        Scorecard.from_dict({"id": "x"})


def test_default_scorecard_is_sensible() -> None:
    card = default_scorecard()
    assert sum(c.weight for c in card.categories) == 100
    assert card.category("correct_solution").critical
    assert {c.scale.kind for c in card.categories} == {"binary", "3", "4", "5"}


def _card(cid: str, **conditions) -> Scorecard:
    return Scorecard(cid, cid, (Section("s", "S", (Category("a", "A"),)),), **conditions)


def test_choose_scorecard_picks_the_most_specific_active_match() -> None:
    cards = [
        _card("any"),
        _card("chat", channels=("chat",)),
        _card("chat-vip", channels=("chat",), tags=("vip",)),
        _card("billing", teams=("x:billing",), active=False),
    ]
    assert choose_scorecard(cards, "chat", ["vip"], None).id == "chat-vip"
    assert choose_scorecard(cards, "chat", [], None).id == "chat"
    assert choose_scorecard(cards, "email", ["vip"], "x:billing").id == "any"
    assert choose_scorecard(cards[1:], "email", [], None) is None
