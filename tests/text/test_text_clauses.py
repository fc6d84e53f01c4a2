"""Negation scoped to its clause; apology vs regret; empathy and closing beyond fixed
phrases (issue #15). Every expectation follows the labelling guide in docs/text.md."""

from __future__ import annotations

import pytest

from sanjeh import text
from sanjeh.text._lexicon import Hit
from sanjeh.text._rules import RULES_VERSION, negated
from sanjeh.text._types import Doc

# (language, message, signal, expected): signal is an analyzer name, or
# "negative_framing" for language_framing labelled negative or mixed.
CASES = [
    # -- a negation stops at the end of its clause
    ("en", "Oh no! I'm so sorry, please DM us your order details.", "apology", True),
    ("en", "Not a problem. Have a great day!", "closing", True),
    ("en", "No problem, have a great day", "closing", True),
    ("en", "No worries! Take care.", "closing", True),
    ("en", "Oh no! I'm so sorry, please DM us.", "negative_framing", False),
    # ... and still works inside it
    ("en", "We are not sorry for enforcing the rules.", "apology", False),
    ("en", "No need to apologise.", "apology", False),
    # -- regret is framing, not apology
    ("en", "Unfortunately, that item is out of stock.", "apology", False),
    ("en", "Unfortunately, that item is out of stock.", "negative_framing", True),
    ("en", "Regrettably, that flight is fully booked.", "negative_framing", True),
    ("en", "We regret to inform you that the offer has ended.", "apology", False),
    ("en", "I'm afraid this cannot be done online.", "negative_framing", True),
    # -- empathy beyond fixed phrases
    ("en", "I can see how frustrating this must be.", "empathy", True),
    ("en", "I know waiting on hold for an hour is really annoying.", "empathy", True),
    ("en", "That sounds awful, especially before a trip.", "empathy", True),
    ("en", "I totally get why you're upset.", "empathy", True),
    # ... but not a bare apology, reassurance or comprehension
    ("en", "Sorry to hear that. Please call the number on your card.", "empathy", False),
    ("en", "Don't worry, the refund is on its way.", "empathy", False),
    ("en", "I can tell you that the parcel left today.", "empathy", False),
    ("en", "That sounds good, I'll book it.", "empathy", False),
    ("en", "I understand the policy says 30 days.", "empathy", False),
    ("en", "Understood, I'll change the address.", "empathy", False),
    ("en", "I understand you needed it for today.", "empathy", True),
    # -- closing
    ("en", "Give us a shout if you need anything else.", "closing", True),
    ("en", "Thanks for bearing with us.", "closing", True),
    ("en", "Safe travels!", "closing", True),
    ("en", "Kind regards, The Support Team", "closing", True),
    ("en", "Thanks for reaching out! Which store was it?", "closing", False),
    ("en", "You can export your data at any time.", "closing", False),
    # ---------------------------------------------------------------- Persian
    ("fa", "مشکلی نیست. روز خوبی داشته باشید!", "closing", True),
    ("fa", "نه، متأسفم که این اتفاق افتاد.", "apology", True),
    ("fa", "خبری نشد، متاسفیم.", "apology", True),
    ("fa", "ما متأسف نیستیم.", "apology", False),
    ("fa", "نیازی به عذرخواهی نیست.", "apology", False),
    ("fa", "متأسفانه امکان تغییر آدرس وجود ندارد.", "apology", False),
    ("fa", "متأسفانه امکان تغییر آدرس وجود ندارد.", "negative_framing", True),
    ("fa", "با کمال تأسف درخواست شما رد شد.", "apology", False),
    ("fa", "با کمال تأسف درخواست شما رد شد.", "negative_framing", True),
    ("fa", "عذر می‌خواهیم؛ حق دارید ناراحت باشید.", "apology", True),
    ("fa", "حق با شماست، واقعاً بد شده.", "empathy", True),
    ("fa", "درکتون می‌کنم، خودم پیگیری می‌کنم.", "empathy", True),
    ("fa", "می‌دونم چقدر اذیت شدید.", "empathy", True),
    ("fa", "می‌دانیم این تأخیر برایتان دردسرساز بوده است.", "empathy", True),
    ("fa", "من خودم پیگیرم، نگران نباشید.", "empathy", False),
    ("fa", "با سپاس از شکیبایی شما.", "closing", True),
    ("fa", "در پناه حق باشید.", "closing", True),
    ("fa", "کاری داشتی بگو.", "closing", True),
    ("fa", "با احترام، واحد ارتباط با مشتریان", "closing", True),
    ("fa", "درود، وقتتون بخیر.", "closing", False),
    # ----------------------------------------------------------------- Arabic
    ("ar", "لا، آسفين جداً على التأخير.", "apology", True),
    ("ar", "مش مشكلة، يومك سعيد!", "closing", True),
    ("ar", "مش آسف على شي.", "apology", False),
    ("ar", "للأسف لا يمكننا رد المبلغ نقداً.", "apology", False),
    ("ar", "للأسف لا يمكننا رد المبلغ نقداً.", "negative_framing", True),
    ("ar", "مع الأسف الطلب غير متوفر حالياً.", "apology", False),
    ("ar", "مع الأسف الطلب غير متوفر حالياً.", "negative_framing", True),
    ("ar", "يؤسفنا إبلاغك بأن الطلب مرفوض.", "apology", False),
    ("ar", "يؤسفني حدوث هذه المشكلة.", "apology", True),
    ("ar", "نرجو قبول اعتذارنا عن التأخير.", "apology", True),
    ("ar", "أتفهّم انزعاجك تماماً.", "empathy", True),
    ("ar", "نتفهم موقفك وسنتابع الطلب.", "empathy", True),
    ("ar", "أقدّر صبرك وأعرف أن الأمر مزعج.", "empathy", True),
    ("ar", "من حقك تزعل، رجعت لك المبلغ.", "empathy", True),
    ("ar", "ندرك أهمية هذا الطلب لمناسبتك.", "empathy", True),
    ("ar", "أقدر أساعدك في تغيير العنوان.", "empathy", False),
    ("ar", "لا تقلق، المبلغ في الطريق.", "empathy", False),
    ("ar", "مع خالص التحية، قسم علاقات العملاء", "closing", True),
    ("ar", "لأي استفسار، نحن في خدمتك.", "closing", True),
    ("ar", "شكراً على صبرك.", "closing", True),
    ("ar", "أرسل رقم الطلب لو سمحت.", "closing", False),
]


def _fires(message: str, signal: str, language: str) -> bool:
    analysis = text.analyze([message], role="agent", language=language)[0]
    if signal == "negative_framing":
        found = analysis.get("language_framing")
        return found is not None and found.label in ("negative", "mixed")
    found = analysis.get(signal)
    return found is not None and found.present


@pytest.mark.parametrize(("language", "message", "signal", "expected"), CASES)
def test_guide_case(language: str, message: str, signal: str, expected: bool) -> None:
    assert _fires(message, signal, language) is expected


@pytest.mark.parametrize("language", ["fa", "ar", "en"])
def test_at_least_twelve_cases_per_language(language: str) -> None:
    assert sum(1 for case in CASES if case[0] == language) >= 12


def _doc(message: str, language: str) -> Doc:
    return Doc.build(message, language, "agent", ())


def _apology_hit(doc: Doc) -> Hit:
    hits = doc.hits_of("apology")
    assert len(hits) == 1
    return hits[0]


@pytest.mark.parametrize(
    ("language", "message", "expected"),
    [
        ("en", "not sorry", True),
        ("en", "not. sorry", False),
        ("en", "not, sorry", False),
        ("en", "not\nsorry", False),
        ("en", "not; sorry", False),
        ("fa", "متاسفم نیستم", True),  # a post negator in the same clause
        ("fa", "متاسفم؛ نیستم", False),
        ("fa", "متاسفم، نیستم", False),
        ("ar", "مش آسفين", True),
        ("ar", "مش؟ آسفين", False),
        ("ar", "مش، آسفين", False),
    ],
)
def test_negated_stops_at_clause_breaks(language: str, message: str, expected: bool) -> None:
    doc = _doc(message, language)
    assert negated(doc, _apology_hit(doc)) is expected


def test_rules_version_names_the_clause_scope() -> None:
    assert RULES_VERSION == "3"
    greeting = text.analyze(["hi"], role="agent", language="en")[0].get("greeting")
    assert greeting is not None
    assert greeting.version.startswith("rules-3+")


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("fa", "متأسفانه"), ("ar", "للأسف"), ("ar", "مع الأسف"), ("en", "unfortunately")],
)
def test_regret_words_are_negative_framing_not_apology(language: str, phrase: str) -> None:
    doc = _doc(phrase, language)
    assert doc.hits_of("apology") == []
    assert [h.entry.category for h in doc.hits_of("negative_language")] == ["negative_language"]
