"""Every analyzer on Persian messages: what triggers it and what must not."""

from __future__ import annotations

import pytest

from sanjeh import text

PRESENT = [
    ("greeting", "agent", "سلام، وقت بخیر. چطور میتونم کمکتون کنم؟"),
    ("greeting", "agent", "درود بر شما، به پشتیبانی خوش آمدید"),
    ("closing", "agent", "امر دیگه‌ای هست در خدمتتون باشم؟ روز خوبی داشته باشید"),
    ("closing", "agent", "ممنون از صبوری شما، خدانگهدار"),
    ("politeness", "agent", "خواهش می‌کنم، قربان شما"),
    ("politeness", "agent", "بزرگواری می‌کنید جناب آقای رضایی"),
    ("politeness", "agent", "لطفا شماره سفارش رو بفرستید"),
    ("empathy", "agent", "کاملا درک می‌کنم، حق دارید ناراحت باشید"),
    ("apology", "agent", "بابت تاخیر عذرخواهی می‌کنم"),
    ("apology", "agent", "شرمنده‌ایم، ببخشید بابت این اتفاق"),
    ("rude", "agent", "تقصیر خودتونه، باید دقت می‌کردید"),
    ("rude", "agent", "چند بار بگم؟ قبلا گفتم"),
    ("ownership", "agent", "خودم شخصا پیگیری می‌کنم تا مشکل حل بشه"),
    ("ownership", "agent", "به من بسپارید، خیالتون راحت باشه"),
    ("active_listening", "agent", "منظورتون سفارش دیروزه؟"),
    ("active_listening", "agent", "اگر درست متوجه شده باشم، مبلغ دو بار کسر شده"),
    ("follow_up", "agent", "تا فردا ساعت ۱۲ بهتون خبر میدم"),
    ("follow_up", "agent", "باهاتون تماس می‌گیرم و نتیجه رو اطلاع میدم"),
    ("wow", "agent", "برای جبران، یک کد تخفیف هم براتون فعال کردم"),
    ("wow", "agent", "متوجه شدم که اشتراکتون هفته بعد تموم میشه، تمدیدش کردم"),
    ("escalation_request", "customer", "میخوام با مدیرتون صحبت کنم"),
    ("escalation_request", "customer", "اگه درست نشه شکایت می‌کنم"),
]

ABSENT = [
    ("greeting", "agent", "سفارش شما ارسال شد"),
    ("closing", "agent", "لطفا شماره پیگیری رو بفرستید"),
    ("politeness", "agent", "شماره سفارش؟"),
    ("empathy", "agent", "سفارش شما ارسال شد"),
    ("apology", "agent", "سفارش شما امروز ارسال میشه"),
    ("rude", "agent", "خواهش می‌کنم، در خدمتم"),
    ("ownership", "agent", "با واحد مالی تماس بگیرید"),
    # a clarifying phrase that is not a question is no clarifying question
    ("active_listening", "agent", "منظورتون رو متوجه شدم."),
    ("follow_up", "agent", "سفارش ارسال شد"),
    ("wow", "agent", "سفارش ارسال شد"),
    ("escalation_request", "customer", "ممنون، مشکلم حل شد"),
]


@pytest.mark.parametrize(("analyzer", "role", "message"), PRESENT)
def test_present(signal_of, analyzer: str, role: str, message: str) -> None:
    found = signal_of(message, analyzer, role)
    assert found.label == "present"
    assert 0 < found.score <= 1
    for ev in found.evidence:
        assert message[ev.start : ev.end] == ev.text and ev.text


@pytest.mark.parametrize(("analyzer", "role", "message"), ABSENT)
def test_absent(signal_of, analyzer: str, role: str, message: str) -> None:
    found = signal_of(message, analyzer, role)
    assert found.label == "absent"
    assert found.score == 0 and found.evidence == ()


def test_thanks_with_intensifier_scores_higher(signal_of) -> None:
    plain = signal_of("ممنون", "politeness").score
    strong = signal_of("خیلی ممنونم", "politeness").score
    assert strong > plain > 0


def test_negative_vs_positive_language(signal_of) -> None:
    negative = signal_of("متاسفانه نمی‌توانیم این کار رو انجام بدیم", "language_framing")
    positive = signal_of("با کمال میل، کاری که می‌تونم انجام بدم اینه", "language_framing")
    assert negative.label == "negative" and negative.score < 0
    assert positive.label == "positive" and positive.score > 0


def test_no_problem_is_not_negative_language(signal_of) -> None:
    framing = signal_of("مشکلی نیست، انجامش میدم", "language_framing")
    assert framing.label == "positive"
    assert text.sentiment(["مشکلی نیست"])[0] > 0


def test_spelling_variants_match() -> None:
    """Arabic ي/ك, no ZWNJ, a space instead of ZWNJ, tatweel: the same phrase."""
    variants = ["خواهش می‌کنم", "خواهش میکنم", "خواهش مي كنم", "خواهش میـــکنم"]
    for result in text.analyze(variants, role="agent"):
        politeness = result.get("politeness")
        assert politeness is not None and politeness.label == "present", result.text
