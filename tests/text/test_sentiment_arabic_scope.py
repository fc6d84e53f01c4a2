"""Arabic sentiment rules of #15's last round: a negator's reach, text emoticons and the
Egyptian «خالص». Lexicon only (no model), values computed by hand from the weights:
polarity = x / sqrt(x^2 + 4)."""

from __future__ import annotations

import math

import pytest

from sanjeh.text import prepare
from sanjeh.text._sentiment import SentimentAnalyzer


def _polarity(x: float) -> float:
    return x / math.sqrt(x * x + 4.0)


def _decide(message: str) -> tuple[str, float, list[str]]:
    doc = prepare([message], language="ar")[0]
    decision = SentimentAnalyzer(use_models=False).decide(doc)
    return decision.label, decision.score, [e.text for e in decision.evidence]


@pytest.mark.parametrize(
    ("message", "label", "x"),
    [
        # next word, or the word after a copula: negated (positive x -0.75)
        ("الخدمة مش كويسة", "negative", 1.2 * -0.75),
        ("ما كان حلو", "negative", 1.5 * -0.75),
        # a negated negative stays mildly positive (x -0.5)
        ("الاكل مش وحش", "positive", -1.8 * -0.5),
        # «لم» negates the verb, not the insult three words on: was read positive before
        ("لم يرد الموظف الغبي", "negative", -2.0),
        # relative «ما» ("whenever"), not a negator of «خطأ» two words on
        ("كل ما ادفع يطلع خطأ", "negative", -1.0),
    ],
)
def test_an_arabic_negator_reaches_the_next_word_or_past_a_copula(
    message: str, label: str, x: float
) -> None:
    got_label, score, _ = _decide(message)
    assert got_label == label
    assert score == pytest.approx(_polarity(x), abs=1e-4)


def test_text_emoticons_count_as_one_plain_word_also_glued() -> None:
    assert _decide("حلو :)")[1] == pytest.approx(_polarity(1.5 + 1.0), abs=1e-4)
    label, score, evidence = _decide("حلو:)")
    assert (label, evidence) == ("positive", ["حلو", ":)"])
    assert score == pytest.approx(_polarity(2.5), abs=1e-4)
    assert _decide("تأخير :(")[1] == pytest.approx(_polarity(-1.2 - 1.0), abs=1e-4)
    assert _decide("وصلت :D")[0] == "positive"
    # a time or a link is no emoticon
    assert _decide("الساعة 10:30 على http://example.com")[0] == "neutral"


def test_egyptian_khalis_intensifies_the_word_before_it() -> None:
    assert _decide("حلو خالص")[1] == pytest.approx(_polarity(1.5 * 1.4), abs=1e-4)
    assert _decide("مش حلو خالص")[1] == pytest.approx(_polarity(1.5 * 1.4 * -0.75), abs=1e-4)
