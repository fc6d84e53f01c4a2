"""Sentiment polarity: range, negation, intensifiers, contrast, batches."""

from __future__ import annotations

import pytest

from sanjeh import text
from sanjeh.errors import ValidationError


@pytest.mark.parametrize(
    ("message", "sign"),
    [
        ("خیلی ممنونم، مشکلم حل شد", 1),
        ("عالی بود، دمتون گرم", 1),
        ("راضی نیستم، خیلی بد بود", -1),
        ("سه روزه منتظرم و کسی جواب نمیده", -1),
        ("مشکلی نیست", 1),  # negated negative is not negative
        ("خوب نیست", -1),  # negated positive is negative
        ("شكرا جزيلا، الله يعطيك العافية", 1),
        ("الخدمة سيئة جدا", -1),
        ("مش كويس أبدا", -1),
        ("لا مشكلة", 1),
        ("Thanks so much, that fixed it!", 1),
        ("This is unacceptable, still waiting", -1),
        ("not bad at all", 1),
        ("not good", -1),
        ("no problem", 1),
    ],
)
def test_polarity_sign(message: str, sign: int) -> None:
    (score,) = text.sentiment([message])
    assert -1 <= score <= 1
    assert score * sign > 0, score


def test_intensifier_strengthens() -> None:
    plain, strong, weak = text.sentiment(["ممنون", "خیلی ممنونم", "یکم ممنون"])
    assert strong > plain > weak > 0
    good, very = text.sentiment(["good", "very good"])
    assert very > good > 0


def test_after_but_weighs_more() -> None:
    (score,) = text.sentiment(["کیفیتش خوبه ولی خیلی دیر رسید و خراب بود"])
    assert score < 0
    (score,) = text.sentiment(["It was late, but the support was excellent"])
    assert score > 0


def test_undecided_is_zero() -> None:
    assert text.sentiment(["order 123", "سفارش ۱۲۳"]) == [0.0, 0.0]


def test_sentiment_signal_has_evidence() -> None:
    (result,) = text.analyze(["راضی نیستم"], role="customer")
    signal = result.get("sentiment")
    assert signal is not None and signal.label == "negative"
    assert [(e.text, e.tag) for e in signal.evidence] == [("راضی نیستم", "negative")]


def test_arabic_model_decides_when_no_phrase_is_known() -> None:
    analyzer = text.SentimentAnalyzer()
    docs = text.prepare(["الفريق كسب المباراة أمس"], language="ar")
    with_model = analyzer.analyze(docs)[0]
    without = text.SentimentAnalyzer(use_models=False).analyze(docs)[0]
    assert without.score == 0.0 and without.label == "neutral"
    assert with_model.score != 0.0


def test_large_batch_keeps_order() -> None:
    texts = ["عالی", "افتضاح", "great", "terrible"] * 500
    scores = text.sentiment(texts)
    assert len(scores) == len(texts)
    assert all((s > 0) == (i % 2 == 0) for i, s in enumerate(scores))


def test_one_string_instead_of_a_list_is_refused() -> None:
    with pytest.raises(ValidationError):
        text.sentiment("عالی")  # type: ignore[arg-type]


def test_persian_negated_verb_forms() -> None:
    """«نمی‌ارزه» is found through «می‌ارزه» and negated; «کار نمیکنه» beats «کار میکنه»."""
    worth, not_worth, works, broken = text.sentiment(
        ["میارزه", "به نظرم نمي ارزه", "هنوز کار میکنه", "دیگه کار نمیکنه"]
    )
    assert worth > 0 > not_worth
    assert works > 0 > broken


def test_persian_negation_after_the_word() -> None:
    happy, unhappy, no_problem = text.sentiment(
        ["کاملا راضی هستم", "از خرید راضی نبودم", "هیچ مشکلی با این قضیه ندارم"]
    )
    assert happy > 0 > unhappy
    assert no_problem > 0


def test_polarity_of_a_persian_message_typed_on_an_arabic_keyboard() -> None:
    persian, arabic_keyboard = text.sentiment(["خیلی ممنونم", "خيلي ممنونم"])
    assert persian == arabic_keyboard > 0


def test_empty_batches() -> None:
    assert text.analyze([]) == []
    assert text.sentiment([]) == []
    (result,) = text.analyze([""])
    assert result.language == "other" and all(not s.present for s in result.signals)
