"""IQS, QA pass rate and critical failures from reviews written with ``sanjeh.qa``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from sanjeh.accounts import Actor
from sanjeh.metrics import ensure_facts, kpis
from sanjeh.qa import Category, Scale, Scorecard, Section, Workspace
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store

WHEN = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
ADMIN = Actor("u-admin", "admin")
REVIEWER = Actor("u-rev", "reviewer")
OTHER = Actor("u-rev2", "reviewer")
#: 5-point "a" weighs 60, binary critical "b" 40: scores are easy to check by hand
CARD = Scorecard(
    id="simple",
    name="Simple",
    sections=(
        Section(
            "s",
            "S",
            (
                Category("a", "A", weight=60, scale=Scale("5")),
                Category("b", "B", weight=40, scale=Scale("binary"), critical=True),
            ),
        ),
    ),
)
KPIS = ["iqs", "qa_pass_rate", "qa_critical_fail_rate", "qa_reviews"]


def _load(store: Store) -> None:
    rows = []
    for i in range(6):
        rows.append(
            {
                "ticket_id": f"t:{i}",
                "source": "t",
                "channel": "email" if i < 4 else "chat",
                "agent_id": "t:a1" if i < 5 else "t:a2",
                "created_at": dt.datetime(2026, 3, 1, 9, i, tzinfo=dt.UTC),
            }
        )
    store.write("tickets", rows)


@pytest.fixture(scope="module", params=BACKENDS)
def reviewed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, _load) as store:
        ensure_facts(store)  # reviews written after the facts count at once (a view)
        ws = Workspace(store, clock=lambda: WHEN)
        ws.save_scorecard(ADMIN, CARD)
        ws.submit_review(REVIEWER, "t:0", {"a": 5, "b": 1}, scorecard_id="simple")  # 100
        second = ws.submit_review(REVIEWER, "t:1", {"a": 3, "b": 1}, scorecard_id="simple")
        ws.update_review(REVIEWER, second.review_id, ratings={"a": 4})  # 70 → 85
        ws.submit_review(REVIEWER, "t:2", {"a": 5, "b": 0}, scorecard_id="simple")  # 0
        ws.submit_review(REVIEWER, "t:3", {"a": 1}, scorecard_id="simple", draft=True)
        calibration = ws.create_calibration(
            ADMIN, "c", ["t:4"], [REVIEWER.user_id, OTHER.user_id], scorecard_id="simple"
        )
        ws.submit_review(
            OTHER,
            "t:4",
            {"a": 1, "b": 1},
            scorecard_id="simple",
            calibration_id=calibration.calibration_id,
        )
        ws.submit_review(REVIEWER, "t:5", {"a": 2, "b": 1}, scorecard_id="simple")  # 55
        yield store


def _values(frame, by: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    if by is None:
        return dict(zip(frame.kpi, frame.value, strict=True))
    return {(r.kpi, r[by]): r.value for _, r in frame.iterrows()}


def test_review_kpis_by_agent(reviewed: Store) -> None:
    got = _values(kpis(reviewed, KPIS, by="agent", start="2026-03-01", end="2026-04-01"), "agent")
    # agent 1: 100, 85 (latest revision), 0 (critical failed); no draft, no calibration
    assert got[("iqs", "t:a1")] == pytest.approx((100 + 85 + 0) / 3)
    assert got[("qa_pass_rate", "t:a1")] == pytest.approx(2 / 3)
    assert got[("qa_critical_fail_rate", "t:a1")] == pytest.approx(1 / 3)
    assert got[("qa_reviews", "t:a1")] == 3
    # agent 2: one review, a=2 → 25 % × 60 + 100 % × 40 = 55, below the pass mark
    assert got[("iqs", "t:a2")] == pytest.approx(55)
    assert got[("qa_pass_rate", "t:a2")] == 0


def test_review_kpis_by_the_conversation_channel(reviewed: Store) -> None:
    got = _values(
        kpis(reviewed, ["iqs"], by="channel", start="2026-03-01", end="2026-04-01"), "channel"
    )
    assert got[("iqs", "email")] == pytest.approx((100 + 85 + 0) / 3)
    assert got[("iqs", "chat")] == pytest.approx(55)


def test_reviews_are_placed_by_when_they_were_written(reviewed: Store) -> None:
    before = kpis(reviewed, ["qa_reviews"], start="2026-03-01", end="2026-03-10")
    assert before.value.sum() == 0  # (no row at all: nothing was reviewed then)
    daily = kpis(reviewed, ["qa_reviews"], start="2026-03-09", end="2026-03-12", period="day")
    # 2026-03-10 12:00 UTC is 15:30 in Tehran (the default calendar): the same day
    assert dict(zip(daily.period, daily.value, strict=True)) == {
        "2026-03-09": 0,
        "2026-03-10": 4,
        "2026-03-11": 0,
    }
