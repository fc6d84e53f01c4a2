"""The QA formulas against hand computations and published examples."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sanjeh.errors import WorkflowError
from sanjeh.qa import (
    Category,
    Scale,
    Scorecard,
    Section,
    alignment,
    category_score,
    default_scorecard,
    iqs,
    krippendorff_alpha,
    pass_rate,
    review_score,
    reviewer_bias,
)


def card(*categories: Category) -> Scorecard:
    return Scorecard("t", "test", (Section("s", "S", categories),))


@pytest.mark.parametrize(
    ("kind", "rating", "expected"),
    [
        ("binary", 0, 0.0),
        ("binary", 1, 100.0),
        ("3", 1, 0.0),
        ("3", 2, 50.0),
        ("3", 3, 100.0),
        ("4", 2, 100 / 3),
        ("4", 3, 200 / 3),
        ("5", 4, 75.0),
        ("5", 1, 0.0),
    ],
)
def test_category_score_is_the_position_on_the_scale(kind, rating, expected) -> None:
    assert category_score(rating, Scale(kind)) == pytest.approx(expected)


def test_review_score_is_the_weighted_mean_of_rated_categories() -> None:
    c = card(
        Category("a", "A", 50, Scale("5")),  # 4 → 75
        Category("b", "B", 30, Scale("3")),  # 2 → 50
        Category("c", "C", 20, Scale("binary"), na_allowed=True),  # N/A
        Category("d", "D", 0, Scale("4")),  # 1 → 0, weight 0: shown, not counted
    )
    result = review_score(c, {"a": 4, "b": 2, "c": None, "d": 1})
    assert result.score == pytest.approx((75 * 50 + 50 * 30) / 80)  # 65.625
    assert result.categories == {"a": 75.0, "b": 50.0, "c": None, "d": 0.0}
    assert result.sections == {"s": pytest.approx(65.625)}
    assert not result.failed_critical


def test_critical_category_under_half_fails_the_review() -> None:
    c = card(
        Category("sol", "Solution", 10, Scale("5"), critical=True),
        Category("tone", "Tone", 90, Scale("5")),
    )
    assert review_score(c, {"sol": 2, "tone": 5}).score == 0.0  # 25 % < 50 %
    assert review_score(c, {"sol": 2, "tone": 5}).failed_critical
    ok = review_score(c, {"sol": 3, "tone": 5})  # exactly 50 % passes
    assert ok.score == pytest.approx((50 * 10 + 100 * 90) / 100)
    assert not ok.failed_critical


def test_na_rules() -> None:
    c = card(
        Category("a", "A", 10, Scale("5")),
        Category("b", "B", 10, Scale("5"), na_allowed=True),
    )
    with pytest.raises(WorkflowError, match=r"'a'.*must be rated"):
        review_score(c, {"a": None, "b": 3})
    with pytest.raises(WorkflowError, match=r"'a'.*must be rated"):
        review_score(c, {"b": 3})  # missing = N/A
    assert review_score(c, {"b": 3}, complete=False).score == 50.0  # drafts
    only_na = card(Category("b", "B", 10, Scale("5"), na_allowed=True))
    assert review_score(only_na, {"b": None}).score is None


def test_bad_ratings_are_refused() -> None:
    c = card(Category("a", "A", 10, Scale("4")))
    with pytest.raises(WorkflowError, match="outside its scale 1–4"):
        review_score(c, {"a": 5})
    with pytest.raises(WorkflowError, match="outside"):
        review_score(c, {"a": 0})
    with pytest.raises(WorkflowError, match="whole number"):
        review_score(c, {"a": 2.5})  # type: ignore[dict-item]
    with pytest.raises(WorkflowError, match="no category 'zz'"):
        review_score(c, {"a": 2, "zz": 1})


def test_only_weight_zero_rated_gives_no_score() -> None:
    c = card(Category("a", "A", 0, Scale("5")), Category("b", "B", 10, Scale("5"), na_allowed=True))
    result = review_score(c, {"a": 5, "b": None})
    assert result.score is None
    assert result.categories["a"] == 100.0


def test_default_scorecard_perfect_and_sections() -> None:
    from .conftest import PERFECT

    result = review_score(default_scorecard(), PERFECT)
    assert result.score == 100.0
    assert set(result.sections) == {"solution", "communication", "process"}


def test_published_iqs_example() -> None:
    assert round(iqs([100, 9.91, 63.96, 90.99, 0]), 2) == 52.97  # type: ignore[arg-type]
    assert iqs([None, 50.0, None]) == 50.0
    assert iqs([]) is None


def test_pass_rate() -> None:
    assert pass_rate([100, 80, 79.99, None, 0]) == 0.5
    assert pass_rate([90, 70], threshold=70) == 1.0
    assert pass_rate([None]) is None


def test_alignment_is_weighted_by_criterion_share() -> None:
    c = card(
        Category("a", "A", 60, Scale("5")),
        Category("b", "B", 40, Scale("binary")),
        Category("c", "C", 100, Scale("3"), na_allowed=True),
    )
    # a: 1 − |4 − 2| / 4 = 0.5; b: 1 − 0/1 = 1; c: rated by one only → left out
    assert alignment({"a": 4, "b": 1, "c": 3}, {"a": 2, "b": 1, "c": None}, c) == pytest.approx(
        (0.5 * 60 + 1 * 40) / 100 * 100
    )
    assert alignment({"a": 5}, {"a": 5}, c) == 100.0
    assert alignment({"c": None}, {"c": 1}, c) is None


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# four coders, twelve units, values 1–5, "." = missing
_A = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
_B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
_C = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
_D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
PAPER = [list(u) for u in zip(_A, _B, _C, _D, strict=True)]


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_alpha_reproduces_the_paper(level, expected) -> None:
    assert round(krippendorff_alpha(PAPER, level), 3) == expected


def test_krippendorff_alpha_edge_cases() -> None:
    assert krippendorff_alpha([[1, 1], [2, 2], [3, 3]]) == 1.0
    assert krippendorff_alpha([[1, None], [None, 2], [3]]) is None
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[1, 2], [2, 1]], "nominal") < 0
    with pytest.raises(WorkflowError):
        krippendorff_alpha([[1, 1]], "ratio")  # type: ignore[arg-type]


def test_reviewer_bias() -> None:
    scores = {"r1": {"i": 50.0, "j": 100.0}, "r2": {"i": 100.0, "j": 100.0}}
    assert reviewer_bias(scores, {"i": 75.0, "j": 100.0}) == {"r1": -12.5, "r2": 12.5}
    assert reviewer_bias(scores) == {"r1": -25.0, "r2": 25.0}  # vs the other reviewer
    assert reviewer_bias({"r1": {"i": 1.0}}) == {"r1": None}


_kinds = st.sampled_from(["binary", "3", "4", "5"])


@st.composite
def graded(draw: st.DrawFn) -> tuple[Scorecard, dict[str, int | None]]:
    n = draw(st.integers(1, 6))
    cats, ratings = [], {}
    for i in range(n):
        scale = Scale(draw(_kinds))
        cats.append(
            Category(
                f"c{i}",
                f"C{i}",
                draw(st.integers(0, 100)),
                scale,
                na_allowed=True,
                critical=draw(st.booleans()),
            )
        )
        ratings[f"c{i}"] = draw(st.none() | st.integers(scale.min, scale.max))
    return card(*cats), ratings


@settings(max_examples=200, deadline=None)
@given(graded())
def test_review_score_stays_within_0_100(case) -> None:
    c, ratings = case
    score = review_score(c, ratings).score
    assert score is None or 0 <= score <= 100


@settings(max_examples=100, deadline=None)
@given(graded(), st.integers(2, 5))
def test_review_score_ignores_the_scale_of_the_weights(case, factor) -> None:
    c, ratings = case
    assume(all(x.weight * factor <= 100 for x in c.categories))
    cats = tuple(dataclasses.replace(x, weight=x.weight * factor) for x in c.categories)
    scaled = card(*cats)
    a, b = review_score(c, ratings).score, review_score(scaled, ratings).score
    assert (a is None and b is None) or math.isclose(a, b, abs_tol=1e-9)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=20),
    st.integers(2, 5),
    st.sampled_from(["nominal", "ordinal", "interval"]),
)
def test_alpha_of_identical_coders_is_one(values, coders, level) -> None:
    assert krippendorff_alpha([[v] * coders for v in values], level) == 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.none() | st.integers(1, 5), min_size=2, max_size=4), max_size=15))
def test_alpha_is_at_most_one(units) -> None:
    alpha = krippendorff_alpha(units, "interval")
    assert alpha is None or alpha <= 1.0 + 1e-12
