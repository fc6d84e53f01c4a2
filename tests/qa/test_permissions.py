"""The workspace asks the one permission matrix (``sanjeh.accounts.PERMISSIONS``) who may
review and who may manage the QA workflow: changing a row there changes the workflow."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest

from sanjeh.accounts import PERMISSIONS
from sanjeh.errors import PermissionDenied
from sanjeh.model.workflow import QA_CYCLES
from sanjeh.qa import STRATEGIES, Strategy, Workspace

from .conftest import AGENT1, MANAGER, PERFECT, REVIEWER

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 10)


def test_reviewing_follows_the_matrix(duck_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PermissionDenied, match=r"only reviewers, managers and admins may review"):
        duck_ws.submit_review(AGENT1, "x:t2", PERFECT)
    # the same agent, once the matrix lets agents review
    allowed = {**PERMISSIONS["review_conversations"], "agent": "all"}
    monkeypatch.setitem(PERMISSIONS, "review_conversations", allowed)
    assert duck_ws.submit_review(AGENT1, "x:t2", PERFECT).reviewer_id == AGENT1.user_id


def test_managing_follows_the_matrix(duck_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    duck_ws.create_cycle(MANAGER, "m", [REVIEWER.user_id], START, END, 1)
    monkeypatch.setitem(PERMISSIONS, "manage_qa", {"admin": "all"})
    with pytest.raises(
        PermissionDenied, match=r"^only admins may create review cycles \(you are manager\)$"
    ):
        duck_ws.create_cycle(MANAGER, "m2", [REVIEWER.user_id], START, END, 1)


def test_the_strategies_are_declared_once() -> None:
    assert STRATEGIES == (
        "random",
        "low_csat",
        "negative_sentiment",
        "long_resolution",
        "reopened",
        "escalated",
        "outliers",
    )
    assert get_args(Strategy) == STRATEGIES
    (column,) = [c for c in QA_CYCLES.columns if c.name == "strategy"]
    assert column.choices is STRATEGIES
