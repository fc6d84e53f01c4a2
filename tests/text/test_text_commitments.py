"""Ownership and next-step rules (``_commitments``): hand-written replies in fa / ar / en,
positives and the labelling guide's negatives (docs/text.md)."""

from __future__ import annotations

import pytest

from sanjeh import text
from sanjeh.text._commitments import CommitmentAnalyzer


def fires(message: str, analyzer: str, language: str) -> bool:
    (result,) = text.analyze([message], role="agent", language=language)
    signal = result.get(analyzer)
    assert signal is not None
    return signal.present


OWNERSHIP_YES = {
    "en": [
        "I'll be happy to look into it.",
        "We'll take a look.",
        "I have sent an email to the store manager.",
        "I've escalated this to our senior team.",
        "Let me check that for you.",
        "DM us so I can look into this matter for you.",
        "I'm going to call the branch myself.",
        "We've refunded the delivery charge.",
        "I contacted the courier this morning.",
        "I will personally review your claim.",
        "We have raised a ticket with the engineers.",
        "I'll make sure this gets to the right person.",
        "Understood, I'll change the billing address now.",
        "I've switched roaming on for you.",
        "We're going to investigate this with the store.",
        "I'd be happy to check the order for you.",
        "We are currently investigating the outage.",
        "I've gone ahead and refunded the fee.",
    ],
    "fa": [
        "من شخصاً بررسی خواهم کرد.",
        "پیگیری می‌کنم.",
        "براتون ثبت کردم.",
        "الان چک می‌کنم.",
        "درخواستتون رو ثبت کردم.",
        "ما این موضوع را بررسی خواهیم کرد.",
        "مبلغ را به حسابتان برگرداندم.",
        "موضوع را به واحد فنی ارجاع دادم.",
        "همین الان براتون یه کد جدید می‌فرستم.",
        "آدرس شما را اصلاح کردم.",
        "اینجانب موضوع را با واحد ارسال هماهنگ کرده‌ام.",
        "با پیک تماس می‌گیرم.",
        "درستش می‌کنم، نگران نباشید.",
        "مراتب را به واحد مربوطه منعکس کردیم.",
        "هزینه رو برگشت زدم.",
        "خودم مسئولیت پیگیری را به عهده می‌گیرم.",
        "براتون فعالش کردم.",
    ],
    "ar": [
        "سأقوم شخصياً بمتابعة طلبك.",
        "سأتابع الموضوع.",
        "قمت بإرسال الطلب إلى القسم المختص.",
        "رفعت طلبك للقسم المختص.",
        "حاشوف الموضوع بنفسي.",
        "سنتواصل مع شركة الشحن.",
        "تابعت طلبك شخصياً.",
        "قمنا بتحويل المبلغ إلى حسابك.",
        "سجلت طلبك بأولوية عالية.",
        "أرسلت شكواك إلى مدير الفرع.",
        "أنا هتصرف.",
        "سأتحقق من حسابك الآن.",
        "دلوقتي هبعتلك كود جديد.",
        "راح أتابع مع الفريق.",
        "سأتولى متابعة الموضوع بنفسي.",
        "ولا يهمك، نحلها.",
        "سوف أقوم بمراجعة حسابك.",
        "خليني أشيك على الطلب.",
    ],
}

OWNERSHIP_NO = {
    "en": [
        "We can help.",
        "We'd like to help.",
        "We're here for you.",
        "We'll go from there.",
        "Please restart the app.",
        "The team should email you.",
        "I'm sorry to hear that.",
        "I understand how frustrating this is.",
        "I won't be able to change that.",
        "We can't refund this order.",
        "Please reply with your account number so we can help.",
        "I hear you, that sounds maddening.",
        "I would feel the same.",
        "Your refund has been approved.",
        "Contact the billing team.",
        "I have a question for you.",
    ],
    "fa": [
        "تیم فنی بررسی می‌کنه.",
        "خواهش می‌کنم.",
        "عذرخواهی می‌کنم.",
        "درک می‌کنم چقدر ناراحت شدید.",
        "لطفاً اپ رو دوباره نصب کنید.",
        "کارشناسان ما با شما تماس خواهند گرفت.",
        "نمی‌تونیم سفارش رو لغو کنیم.",
        "بررسی نکردم.",
        "متأسفانه امکانش نیست.",
        "خوشحال شدم.",
        "شماره سفارش رو بفرستید.",
        "در خدمت شما هستیم.",
        "سفارش شما فردا ارسال می‌شود.",
        "ممنون از صبرتون.",
        "کد پیگیری را در پیامک دریافت کرده‌اید.",
    ],
    "ar": [
        "يمكننا مساعدتك.",
        "نحن هنا لخدمتك.",
        "يرجى إعادة تشغيل التطبيق.",
        "سيتواصل معك الفريق الفني.",
        "نعتذر عن التأخير.",
        "أتفهم انزعاجك.",
        "للأسف لا يمكننا رد المبلغ.",
        "تم شحن طلبك.",
        "شحنتك جاهزة للاستلام.",
        "تابعنا على تويتر للعروض.",
        "يسعدني مساعدتك في ذلك.",
        "مع تحيات فريق خدمة العملاء.",
        "هذه السنة لدينا عروض كثيرة.",
        "هل طلبت المنتج من الموقع؟",
        "أي خدمة راسلنا.",
    ],
}

NEXT_YES = {
    "en": [
        "You'll receive an email within 24 hours.",
        "Please reply with your order number.",
        "I'll get back to you tomorrow.",
        "DM us your booking reference.",
        "Can you confirm the postcode on the account?",
        "The driver will call you 30 minutes before arrival.",
        "The refund will appear on your statement within 5 working days.",
        "To reset your password, click the link we emailed you.",
    ],
    "fa": [
        "لطفاً شماره سفارش رو بفرستید.",
        "تا ۴۸ ساعت آینده واریز میشه.",
        "تا ۲۴ ساعت آینده با شما تماس می‌گیریم.",
        "اپ رو پاک کنید و دوباره نصب کنید.",
        "الان چک می‌کنم و بهتون خبر میدم.",
        "می‌تونید از اپ تغییرش بدید.",
        "کارشناسان ما طی دو روز کاری با شما تماس خواهند گرفت.",
    ],
    "ar": [
        "يرجى إرسال رقم الطلب.",
        "هنكلمك بكرة.",
        "سيتم الرد خلال ٢٤ ساعة.",
        "ابعت الرمز البريدي لو سمحت.",
        "سيتصل بك السائق قبل الوصول.",
        "يمكنك تحويل الرصيد عبر التطبيق.",
        "يجب عليك مراجعة الفرع.",
    ],
}

NEXT_NO = {
    "en": [
        "Thanks for your patience!",
        "The warranty covers manufacturing faults for two years.",
        "Please don't hesitate to ask.",
        "We're sorry about the outage.",
        "You can't return opened items.",
        "Have a great day!",
        "We'll go from there.",
    ],
    "fa": [
        "از تماس شما سپاسگزاریم.",
        "قیمت‌ها شامل مالیات بر ارزش افزوده است.",
        "پوزش ما را بپذیرید.",
        "روز خوبی داشته باشید.",
        "متأسفانه این کالا فعلاً موجود نیست.",
        "حق دارید ناراحت باشید.",
        "خیلی ممنون.",
    ],
    "ar": [
        "نرجو قبول اعتذارنا.",
        "شكراً على صبرك.",
        "صباح الخير، أهلاً بيك.",
        "هذا المنتج عليه ضمان لمدة سنتين.",
        "يومك سعيد.",
        "نعتذر عن الإزعاج.",
        "للأسف الخصم كان للطلب الأول بس.",
    ],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(lang, msg) for lang, msgs in table.items() for msg in msgs]


@pytest.mark.parametrize(("language", "message"), _cases(OWNERSHIP_YES))
def test_ownership_found(language: str, message: str) -> None:
    assert fires(message, "ownership", language)


@pytest.mark.parametrize(("language", "message"), _cases(OWNERSHIP_NO))
def test_ownership_not_found(language: str, message: str) -> None:
    assert not fires(message, "ownership", language)


@pytest.mark.parametrize(("language", "message"), _cases(NEXT_YES))
def test_next_steps_found(language: str, message: str) -> None:
    assert fires(message, "follow_up", language)


@pytest.mark.parametrize(("language", "message"), _cases(NEXT_NO))
def test_next_steps_not_found(language: str, message: str) -> None:
    assert not fires(message, "follow_up", language)


def test_enough_cases_per_language() -> None:
    for lang in ("fa", "ar", "en"):
        count = sum(len(t[lang]) for t in (OWNERSHIP_YES, OWNERSHIP_NO, NEXT_YES, NEXT_NO))
        assert count >= 15


def test_rule_evidence_spans_the_commitment() -> None:
    message = "Hi Laura, I'll be happy to look into it right away."
    (result,) = text.analyze([message], role="agent", language="en")
    signal = result.get("ownership")
    assert signal is not None and signal.present
    (evidence,) = signal.evidence
    assert evidence.text == "I'll be happy to look"
    assert message[evidence.start : evidence.end] == evidence.text
    assert evidence.tag == "commitment"
    assert signal.score == pytest.approx(0.6321, abs=1e-4)  # one hit of weight 1: 1 - e^-1


def test_lexicon_phrase_still_counts_once() -> None:
    # "i'll make sure" is a lexicon phrase (1.2); the rule hit on the same words is not
    # added again, so the score is 1 - e^-1.2
    (result,) = text.analyze(["I'll make sure of it."], role="agent", language="en")
    signal = result.get("ownership")
    assert signal is not None
    assert len(signal.evidence) == 1
    assert signal.score == pytest.approx(0.6988, abs=1e-4)


def test_default_analyzers_keep_their_names() -> None:
    for name in ("ownership", "follow_up"):
        assert isinstance(text.registry.get(name), CommitmentAnalyzer)
    (result,) = text.analyze(["We'll take a look."], role="agent", language="en")
    signal = result.get("ownership")
    assert signal is not None and "+commit." in signal.version


def test_customer_messages_are_not_read() -> None:
    (result,) = text.analyze(["I'll look into it myself."], role="customer", language="en")
    assert result.get("ownership") is None
