"""Every analyzer on Arabic messages (MSA and Gulf / Levantine / Egyptian forms)."""

from __future__ import annotations

import pytest

from sanjeh import text

PRESENT = [
    ("greeting", "agent", "مرحبا بك، كيف يمكنني مساعدتك؟"),
    ("greeting", "agent", "السلام عليكم، حياك الله"),
    ("closing", "agent", "هل هناك شيء آخر أقدر أساعدك فيه؟ يومك سعيد"),
    ("closing", "agent", "شكرا لتواصلك معنا، في أمان الله"),
    ("politeness", "agent", "لو تكرمت، حضرتك ممكن ترسل رقم الطلب"),
    ("politeness", "agent", "يعطيك العافية"),
    ("politeness", "agent", "تحت أمرك يا فندم"),
    ("empathy", "agent", "أتفهم انزعاجك تماما، معك حق"),
    ("apology", "agent", "نعتذر عن التأخير"),
    ("apology", "agent", "آسفين جدا على الإزعاج"),
    ("rude", "agent", "هذا خطأك، كان لازم تنتبه"),
    ("ownership", "agent", "سأتابع بنفسي، خليها علي"),
    ("active_listening", "agent", "هل تقصد الطلب رقم ٥٥٤؟"),
    ("active_listening", "agent", "إذا فهمت صح، المبلغ انخصم مرتين"),
    ("follow_up", "agent", "سأعود إليك خلال ٢٤ ساعة"),
    ("wow", "agent", "وكمان أرسلنا لك كود خصم كهدية"),
    ("escalation_request", "customer", "أبي أكلم المدير لو سمحت"),
    ("escalation_request", "customer", "راح أقدم شكوى لحماية المستهلك"),
]

ABSENT = [
    ("greeting", "agent", "تم شحن الطلب"),
    ("closing", "agent", "أرسل رقم الطلب"),
    ("politeness", "agent", "رقم الطلب؟"),
    ("empathy", "agent", "تم شحن الطلب"),
    ("apology", "agent", "تم شحن الطلب اليوم"),
    ("rude", "agent", "بكل سرور، تحت أمرك"),
    ("ownership", "agent", "تواصل مع قسم المالية"),
    ("follow_up", "agent", "تم شحن الطلب"),
    ("wow", "agent", "تم شحن الطلب"),
    ("escalation_request", "customer", "شكرا، انحلت المشكلة"),
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


def test_negative_vs_positive_language(signal_of) -> None:
    assert signal_of("للأسف لا يمكننا إلغاء الطلب", "language_framing").label == "negative"
    assert signal_of("بكل سرور، اللي أقدر أسويه هو", "language_framing").label == "positive"


def test_la_mushkila_is_not_negative(signal_of) -> None:
    assert signal_of("لا مشكلة أبدا", "language_framing").label == "positive"
    positive, negative = text.sentiment(["لا مشكلة", "عندي مشكلة"])
    assert positive > 0 > negative


def test_negated_apology_is_no_apology(signal_of) -> None:
    assert signal_of("مش آسف", "apology").label == "absent"
