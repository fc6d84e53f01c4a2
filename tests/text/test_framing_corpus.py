"""Positive / negative framing (issue #15): the labelling guide's cases, the rules that
keep "you can" from firing on questions and guards, and the dev-split figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh import text
from sanjeh.text import evaluate
from sanjeh.text._corpus import load_corpus, split

CORPUS = Path(__file__).parent / "corpus" / "replies.jsonl"

# (language, message, positive framing, negative framing), per docs/text.md
CASES = [
    ("en", "Good news: your refund is on its way.", True, False),
    ("en", "You can collect it tomorrow from the store.", True, False),
    ("en", "I'd be glad to help with that.", True, False),
    ("en", "You're eligible for a free upgrade.", True, False),
    ("en", "We can't refund it, but we can exchange it.", True, True),
    ("en", "Good news, we can send it today at no extra cost.", True, False),
    ("en", "Can you DM us your order number?", False, False),
    ("en", "Is there anything else we can help with?", False, False),
    ("en", "You can't return opened items.", False, False),
    ("en", "I can imagine how disappointing that was.", False, False),
    ("en", "Please reply with your account number so we can review this.", False, False),
    ("en", "You are not eligible for a refund.", False, False),
    ("fa", "می‌تونید از اپ تغییرش بدید.", True, False),
    ("fa", "سلام، خبر خوب! سفارشتون رسیده.", True, False),
    ("fa", "امکانش هست، فقط کد ملی رو بفرستید.", True, False),
    ("fa", "خوشحالم که مشکل حل شد.", True, False),
    ("fa", "نمی‌تونیم پول رو برگردونیم ولی می‌تونیم کالا رو عوض کنیم.", True, True),
    ("fa", "متأسفانه امکانش نیست.", False, True),
    ("fa", "می‌تونید شماره سفارش رو بفرستید؟", False, False),
    ("fa", "نمی‌تونید سفارش رو لغو کنید.", False, False),
    ("ar", "تقدر تستلمه من الفرع.", True, False),
    ("ar", "يمكنك إرجاع المنتج خلال ٧ أيام.", True, False),
    ("ar", "يسعدني مساعدتك.", True, False),
    ("ar", "للأسف لا يمكننا رد المبلغ، ولكن يمكننا إضافته إلى رصيدك.", True, True),
    ("ar", "تقدر ترسل رقم الطلب؟", False, False),
    ("ar", "نقدّر صبرك وتفهمك.", False, False),
    ("ar", "لا يمكنك إرجاع المنتج.", False, True),
    ("ar", "أنت غير مؤهل للعرض.", False, False),
]


@pytest.mark.parametrize(("language", "message", "positive", "negative"), CASES)
def test_guide_case(language: str, message: str, positive: bool, negative: bool) -> None:
    framing = text.analyze([message], role="agent", language=language)[0].get("language_framing")
    assert framing is not None
    assert (framing.label in ("positive", "mixed")) is positive, framing
    assert (framing.label in ("negative", "mixed")) is negative, framing


def test_a_guard_phrase_leaves_no_evidence() -> None:
    # "oh no" (weight 0) keeps "no" silent and is not itself reported as negative
    framing = text.analyze(["Oh no! Happy to help."], role="agent", language="en")[0]
    found = framing.get("language_framing")
    assert found is not None and found.label == "positive"
    assert [(e.text, e.tag) for e in found.evidence] == [("Happy to", "positive")]


@pytest.fixture(scope="module")
def dev_scores() -> dict[tuple[str, str], float]:
    results = evaluate.run_signals(split(load_corpus(CORPUS), "dev"))
    return {(r.language, r.signal): r.f1 for r in results}


@pytest.mark.parametrize("language", ["fa", "ar", "en"])
def test_framing_on_the_dev_split(dev_scores: dict[tuple[str, str], float], language: str) -> None:
    assert dev_scores[(language, "positive_framing")] >= 0.70
    assert dev_scores[(language, "negative_framing")] >= 0.85
