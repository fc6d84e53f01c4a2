"""Kinds of category (critical, fail-section, bonus), linked signals, and their JSON form:
the worked example of docs/qa.md computed by hand, old scorecards scoring exactly as
before, reviews keeping their version, and errors naming the field."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping

import pandas as pd
import pytest

from sanjeh.errors import ValidationError, WorkflowError
from sanjeh.qa import (
    ANALYZER_CATEGORIES,
    Category,
    Scale,
    Scorecard,
    Section,
    Workspace,
    default_scorecard,
    review_score,
    suggestions,
)
from sanjeh.store import Store

from .conftest import ADMIN, REVIEWER

FIVE, FOUR, BINARY = Scale("5"), Scale("4"), Scale("binary")
#: docs/qa.md, "Kinds of category": the worked example's scorecard
WORKED = Scorecard(
    "chat",
    "Chat",
    (
        Section(
            "solution",
            "Solution",
            (
                Category("correct", "Correct answer", 40, FIVE, critical=True),
                Category("complete", "Complete answer", 20, FIVE),
            ),
        ),
        Section(
            "compliance",
            "Compliance",
            (
                Category("identity", "Identity verified", 10, BINARY, fail_section=True),
                Category("privacy", "Privacy", 10, FOUR, na_allowed=True),
            ),
        ),
        Section(
            "communication",
            "Communication",
            (
                Category("tone", "Tone", 20, FOUR),
                Category("extra_mile", "Extra mile", 5, BINARY, na_allowed=True, bonus=True),
            ),
        ),
    ),
)
A = {"correct": 4, "complete": 5, "identity": 1, "privacy": 3, "tone": 4, "extra_mile": 1}


def test_the_worked_example_by_hand() -> None:
    r = review_score(WORKED, A)
    # category scores: 75, 100, 100, 66.67 (2 of 3 steps), 100, 100
    assert r.categories["privacy"] == pytest.approx(200 / 3)
    # sections: the bonus is not in Communication's mean
    assert r.sections["solution"] == pytest.approx((75 * 40 + 100 * 20) / 60)  # 83.33
    assert r.sections["compliance"] == pytest.approx((100 * 10 + 200 / 3 * 10) / 20)  # 83.33
    assert r.sections["communication"] == 100.0
    # base (3000 + 2000 + 1000 + 666.67 + 2000) / 100 = 86.67, plus 5 × 100 % = 5 points
    assert r.bonus == 5.0
    assert r.score == pytest.approx(8666.666666666666 / 100 + 5)  # 91.67
    assert round(r.score, 2) == 91.67 and not r.failed_critical and r.failed_sections == ()


def test_a_failed_section_counts_zero_and_the_bonus_still_adds() -> None:
    r = review_score(WORKED, {**A, "identity": 0})
    assert r.failed_sections == ("compliance",)
    assert r.sections["compliance"] == 0.0
    assert r.categories["privacy"] == pytest.approx(200 / 3)  # its own score is kept
    assert r.score == pytest.approx((3000 + 2000 + 0 + 0 + 2000) / 100 + 5)  # 75.0
    # N/A in the failed section stays out: weights 40 + 20 + 10 + 20 = 90
    r = review_score(WORKED, {**A, "identity": 0, "privacy": None, "extra_mile": None})
    assert r.score == pytest.approx(7000 / 90)  # 77.78
    assert r.bonus == 0.0


def test_a_bonus_never_rescues_a_critical_fail_and_stops_at_100() -> None:
    failed = review_score(WORKED, {**A, "correct": 2})  # 25 % < 50 %
    assert failed.failed_critical and failed.score == 0.0 and failed.bonus == 5.0
    top = {"correct": 5, "complete": 5, "identity": 1, "privacy": 4, "tone": 4, "extra_mile": 1}
    r = review_score(WORKED, top)
    assert r.score == 100.0 and r.bonus == 5.0  # 100 + 5, capped
    assert review_score(WORKED, {**A, "extra_mile": None}).score == pytest.approx(86.6666666667)
    assert review_score(WORKED, {**A, "extra_mile": 0}).score == pytest.approx(86.6666666667)


def test_a_bonus_in_a_failed_section_earns_nothing() -> None:
    card = Scorecard(
        "b",
        "B",
        (
            Section(
                "s",
                "S",
                (
                    Category("gate", "Gate", 10, BINARY, fail_section=True),
                    Category("plus", "Plus", 10, BINARY, bonus=True),
                ),
            ),
            Section("t", "T", (Category("other", "Other", 30, FIVE),)),
        ),
    )
    r = review_score(card, {"gate": 0, "plus": 1, "other": 5})
    assert r.bonus == 0.0 and r.sections["s"] == 0.0
    assert r.score == pytest.approx((0 * 10 + 100 * 30) / 40)  # 75.0
    r = review_score(card, {"gate": 1, "plus": 1, "other": 3})
    assert r.score == pytest.approx((100 * 10 + 50 * 30) / 40 + 10)  # 72.5
    # only bonus rated: nothing to add to → no score
    assert review_score(card, {"plus": 1}, complete=False).score is None
    # a fail-section category of weight 0 still zeroes its section
    zero = Scorecard(
        "z",
        "Z",
        (
            Section(
                "s",
                "S",
                (
                    Category("gate", "Gate", 0, BINARY, fail_section=True),
                    Category("a", "A", 10, FIVE),
                ),
            ),
            Section("t", "T", (Category("b", "B", 10, FIVE),)),
        ),
    )
    r = review_score(zero, {"gate": 0, "a": 5, "b": 5})
    assert r.sections["s"] == 0.0 and r.score == pytest.approx(50.0)


def _old_review_score(card: Scorecard, ratings: Mapping[str, int | None]) -> float | None:
    """The formula before kinds of category (git history: sanjeh/qa/_formulas.py)."""

    def weighted(pairs: list[tuple[float, int]]) -> float | None:
        pairs = [(s, w) for s, w in pairs if w > 0]
        total = sum(w for _, w in pairs)
        return None if total == 0 else sum(s * w for s, w in pairs) / total

    values, failed = {}, False
    for c in card.categories:
        r = ratings.get(c.id)
        v = None if r is None else (r - c.scale.min) / (c.scale.max - c.scale.min) * 100.0
        values[c.id] = v
        failed |= c.critical and v is not None and v < 50.0
    score = weighted([(v, c.weight) for c in card.categories if (v := values[c.id]) is not None])
    return 0.0 if failed else score


def test_old_scorecards_score_exactly_as_before() -> None:
    card = default_scorecard()
    rng = random.Random(22)
    for _ in range(2000):
        ratings: dict[str, int | None] = {}
        for c in card.categories:
            choices: list[int | None] = list(c.scale.values)
            ratings[c.id] = rng.choice([*choices, None] if c.na_allowed else choices)
        new, old = review_score(card, ratings), _old_review_score(card, ratings)
        assert new.score == old  # to the last bit
        assert new.failed_sections == () and new.bonus == 0.0


def test_independent_recompute_with_pandas_from_the_docs() -> None:
    """docs/qa.md's definition, applied to the exported JSON with pandas."""
    exported = json.loads(json.dumps(WORKED.to_dict()))
    cats = pd.DataFrame(
        [{**c, "section": s["id"]} for s in exported["sections"] for c in s["categories"]]
    )
    lo = cats["scale"].map({"binary": 0, "3": 1, "4": 1, "5": 1})
    hi = cats["scale"].map({"binary": 1, "3": 3, "4": 4, "5": 5})
    rng = random.Random(7)
    for _ in range(300):
        rated = [rng.choice([*range(a, b + 1), None]) for a, b in zip(lo, hi, strict=True)]
        df = cats.assign(rating=pd.array(rated, dtype="Float64"))
        df["pct"] = (df["rating"] - lo) / (hi - lo) * 100
        under = df["pct"] < 50
        if (df["critical"] & under.fillna(False)).any():
            expected: float | None = 0.0
        else:
            failed = set(df.loc[df["fail_section"] & under.fillna(False), "section"])
            df.loc[df["section"].isin(failed) & df["pct"].notna(), "pct"] = 0.0
            base = df[~df["bonus"] & df["pct"].notna() & (df["weight"] > 0)]
            bonus = df[df["bonus"] & df["pct"].notna()]
            points = float((bonus["weight"] * bonus["pct"] / 100).sum())
            if base.empty:
                expected = None
            else:
                mean = float((base["pct"] * base["weight"]).sum() / base["weight"].sum())
                expected = min(100.0, mean + points)
        ours = review_score(WORKED, dict(zip(cats["id"], rated, strict=True)), complete=False).score
        assert (ours is None) == (expected is None)
        if expected is not None:
            assert ours == pytest.approx(expected, abs=1e-9)


# -- the JSON form -------------------------------------------------------------------------------


def test_round_trip_with_kinds_and_signals() -> None:
    card = Scorecard(
        "k",
        "K",
        (
            Section(
                "s",
                "S",
                (
                    Category("a", "A", 30, FIVE, critical=True, signals=("empathy",)),
                    Category("b", "B", 10, BINARY, fail_section=True),
                    Category("c", "C", 5, BINARY, bonus=True, signals=("wow", "sentiment")),
                ),
            ),
        ),
    )
    data = card.to_dict()
    cat = data["sections"][0]["categories"][2]
    assert cat["bonus"] is True and cat["signals"] == ["wow", "sentiment"]
    assert Scorecard.from_dict(json.loads(json.dumps(data))) == card
    assert [c.kind for c in card.categories] == ["critical", "fail_section", "bonus"]


def test_a_definition_saved_before_kinds_reads_with_the_defaults() -> None:
    old = {
        "id": "o",
        "name": "Old",
        "sections": [
            {"id": "s", "categories": [{"id": "a", "weight": 10, "critical": True}, {"id": "b"}]}
        ],
    }
    card = Scorecard.from_dict(old)
    assert [c.kind for c in card.categories] == ["critical", "standard"]
    assert all(not c.signals for c in card.categories)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bonus": "yes"}, r"sections\[0\]\.categories\[1\]\.bonus must be true or false"),
        ({"fail_section": 1}, r"sections\[0\]\.categories\[1\]\.fail_section must be true"),
        ({"signals": "empathy"}, r"sections\[0\]\.categories\[1\]\.signals must be a list"),
        (
            {"critical": True, "bonus": True},
            r"sections\[0\]\.categories\[1\]: category 'b' is both critical and bonus",
        ),
        ({"scale": "7"}, r"sections\[0\]\.categories\[1\]: unknown scale '7'"),
        ({"weight": 101}, r"sections\[0\]\.categories\[1\]: category 'b': weight 101"),
        (
            {"signals": ["empathy", "empathy"]},
            r"sections\[0\]\.categories\[1\]: category 'b': signal 'empathy' is listed twice",
        ),
        ({"kind": "bonus"}, r"sections\[0\]\.categories\[1\] has no field 'kind'"),
    ],
)
def test_errors_name_the_field(change: dict[str, object], message: str) -> None:
    data = {
        "id": "x",
        "sections": [{"id": "s", "categories": [{"id": "a"}, {"id": "b", **change}]}],
    }
    with pytest.raises(WorkflowError, match=message):
        Scorecard.from_dict(data)


def test_structure_rules() -> None:
    with pytest.raises(WorkflowError, match="only bonus categories"):
        Scorecard("x", "X", (Section("s", "S", (Category("a", "A", bonus=True),)),))
    with pytest.raises(WorkflowError, match="signal 'rude' is linked to both 'a' and 'b'"):
        Scorecard(
            "x",
            "X",
            (
                Section(
                    "s",
                    "S",
                    (Category("a", "A", signals=("rude",)), Category("b", "B", signals=("rude",))),
                ),
            ),
        )
    many = Category("a", "A", signals=tuple(f"s{i}" for i in range(21)))
    with pytest.raises(ValidationError, match="21 signals; the limit is 20"):
        Scorecard("x", "X", (Section("s", "S", (many,)),)).check_size()


def test_signal_links_own_or_built_in() -> None:
    default = default_scorecard()
    assert default.signal_links() == ANALYZER_CATEGORIES
    card = Scorecard(
        "x",
        "X",
        (
            Section(
                "s",
                "S",
                (
                    Category("tone", "Tone"),  # keeps the built-in links of "tone" …
                    Category("care", "Care", signals=("rude", "wow")),  # … but "rude" moves
                    Category("empathy", "Empathy", signals=("sentiment",)),  # own links only
                ),
            ),
        ),
    )
    links = card.signal_links()
    assert links["rude"] == "care" and links["wow"] == "care"
    assert links["politeness"] == "tone" and links["sentiment"] == "empathy"
    assert "active_listening" not in links  # empathy's built-in links are replaced


def test_suggestions_follow_the_scorecards_links(duckdb_store: Store) -> None:
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    duckdb_store.write(
        "tickets", [{"ticket_id": "x:t1", "source": "x", "created_at": at, "agent_id": "x:a1"}]
    )
    rows = [
        {
            "score_id": f"x:t1#{name}",
            "ticket_id": "x:t1",
            "event_id": None,
            "analyzer": name,
            "label": "present",
        }
        for name in ("rude", "wow", "politeness")
    ]
    duckdb_store.write(
        "auto_scores",
        [{**r, "score": 1.0, "evidence": None, "version": "t", "scored_at": at} for r in rows],
    )
    card = Scorecard(
        "x",
        "X",
        (Section("s", "S", (Category("tone", "Tone"), Category("care", "C", signals=("wow",)))),),
    )
    found = {s.analyzer: s.category_id for s in suggestions(duckdb_store, "x:t1", card)}
    assert found == {"rude": "tone", "wow": "care", "politeness": "tone"}
    found = {s.analyzer: s.category_id for s in suggestions(duckdb_store, "x:t1")}
    assert found == {"rude": "tone", "wow": None, "politeness": "tone"}


# -- versions ------------------------------------------------------------------------------------


def test_a_review_keeps_the_version_it_was_graded_with(ws: Workspace) -> None:
    v1 = Scorecard.from_dict(
        {
            "id": "kinds",
            "name": "Kinds",
            "sections": [
                {"id": "s", "categories": [{"id": "gate", "scale": "binary"}, {"id": "a"}]},
                {"id": "t", "categories": [{"id": "b"}]},
            ],
        }
    )
    assert ws.save_scorecard(ADMIN, v1).version == 1
    ratings = {"gate": 0, "a": 5, "b": 5}
    first = ws.submit_review(REVIEWER, "x:t1", ratings, scorecard_id="kinds")
    assert first.score == pytest.approx((0 + 100 + 100) / 3)  # 66.67: the gate is a question
    data = v1.to_dict()
    data["sections"][0]["categories"][0]["fail_section"] = True
    data["sections"][1]["categories"].append({"id": "plus", "scale": "binary", "bonus": True})
    v2 = ws.save_scorecard(ADMIN, Scorecard.from_dict(data))
    assert v2.version == 2
    second = ws.submit_review(REVIEWER, "x:t2", {**ratings, "plus": 1}, scorecard_id="kinds")
    assert (second.scorecard_version, second.score) == (2, pytest.approx(1000 / 30 + 10))
    # the first review is still scored with version 1
    again = ws.score_of(ws.review(ADMIN, first.review_id))
    assert again.score == first.score and again.failed_sections == ()
    assert ws.score_of(ws.review(ADMIN, second.review_id)).failed_sections == ("s",)
