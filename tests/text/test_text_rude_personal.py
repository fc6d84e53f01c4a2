"""Rudeness (addressed insults, blame, contempt -- not "should", not firm policy) and
personalisation (the customer's name in the reply), hand cases in fa, ar and en."""

from __future__ import annotations

import pytest

from sanjeh import text
from sanjeh.errors import ValidationError
from sanjeh.text._personal import find_name, name_forms


def _rude(sentence: str, language: str) -> bool:
    signal = text.analyze([sentence], role="agent", language=language)[0].get("rude")
    assert signal is not None
    return signal.present


RUDE = [
    ("en", "Are you stupid? It says so on the order page."),
    ("en", "That's your problem, not ours."),
    ("en", "As I already told you twice, the store is closed."),
    ("en", "Calm down, the parcel is on its way."),
    ("en", "You clearly didn't read the instructions."),
    ("en", "How many times do I have to explain this?"),
    ("en", "You idiot, the code is on the receipt."),
    ("en", "It's your own fault for ignoring the email."),
    ("fa", "مشکل خودته، ما کاری نمی‌کنیم."),
    ("fa", "مشکل از خودتونه، دقت کنید."),
    ("fa", "مگه سواد ندارید؟ توی سایت نوشته."),
    ("fa", "چند بار بگم؟ سفارش لغو شده."),
    ("fa", "تقصیر خودتونه که دیر ثبت کردید."),
    ("fa", "احمق، کد رو اشتباه زدی."),
    ("fa", "به ما چه که پستچی دیر اومده؟"),
    ("fa", "داد نزنید لطفاً."),
    ("ar", "انت غبي؟ مكتوب في الموقع."),
    ("ar", "إنت مش فاهم، اقرا الشروط الأول."),
    ("ar", "هذه مشكلتك، ما نقدر نسوي شي."),
    ("ar", "كم مرة لازم أشرح لك؟"),
    ("ar", "الغلط منك مش منا."),
    ("ar", "يا غبي، الرقم على الفاتورة."),
    ("ar", "لا تضيع وقتنا بهذه الأسئلة."),
    ("ar", "اسكت وخليني أشرح."),
]

NOT_RUDE = [
    ("en", "You should have a reference number in your confirmation email."),
    ("en", "You should receive it within 3 days."),
    ("en", "We can't refund opened software, as our policy states."),
    ("en", "Unfortunately the item is out of stock."),
    ("en", "Sorry about the stupid bug on our side, it's fixed now."),
    ("en", "How many times did the app crash today?"),
    ("en", "Whatever you need, we're here to help."),
    ("en", "That's obviously our mistake, I'm sorry."),
    ("fa", "شما باید کد پیگیری را در پیامک دریافت کرده باشید."),
    ("fa", "متأسفانه امکان لغو سفارش ارسال‌شده وجود ندارد."),
    ("fa", "طبق قوانین، بعد از هفت روز امکان مرجوعی نیست."),
    ("fa", "لطفاً دقت کنید که کد را کامل وارد کنید."),
    ("fa", "متوجه نمیشیم منظورتون کدوم سفارشه، لطفاً شماره رو بفرستید."),
    ("fa", "همونطور که گفتم، بسته فردا می‌رسه."),
    ("ar", "يجب عليك مراجعة الفرع شخصياً، فلا يمكن إتمام هذا الإجراء عبر الهاتف."),
    ("ar", "للأسف لا يمكننا رد المبلغ نقداً."),
    ("ar", "هذا واضح من الفاتورة: المبلغ مدفوع."),
    ("ar", "حاولنا التوصيل للمرة الثالثة ولم نجد أحداً."),
    ("ar", "يرجى قراءة الشروط المرفقة قبل التأكيد."),
]


@pytest.mark.parametrize(("language", "sentence"), RUDE)
def test_addressed_insults_blame_and_contempt_are_rude(language: str, sentence: str) -> None:
    assert _rude(sentence, language), sentence


@pytest.mark.parametrize(("language", "sentence"), NOT_RUDE)
def test_should_policy_and_regret_are_not_rude(language: str, sentence: str) -> None:
    assert not _rude(sentence, language), sentence


def _personal(sentence: str, name: str | None, language: str | None = None) -> str:
    signal = text.analyze([sentence], role="agent", language=language, names=[name])[0]
    found = signal.get("personalisation")
    assert found is not None
    return found.label


NAMED = [
    # (reply, customer name, expected label)
    ("Hi Laura, your order is on its way.", "Laura", "present"),
    ("hi LAURA! all sorted.", "Laura Smith", "present"),
    ("Dear Mrs Moore, I have checked your account.", "Catherine Moore", "present"),
    ("Hello Mr Patel, I've sent an email to the store.", "Mr Patel", "present"),
    ("Hi José, the refund is done.", "Jose", "present"),
    ("Hi Jose, the refund is done.", "José Álvarez", "present"),
    ("Hi there, your order is on its way.", "Laura", "absent"),
    ("Thanks for your patience. - Laura", "Grace Lee", "absent"),
    ("@sara_k your parcel left today.", "Sara", "absent"),
    ("Lauraine from billing will call you.", "Laura", "absent"),
    ("سلام آقای رضایی، سفارش شما ارسال شد.", "علی رضایی", "present"),
    ("سلام جناب رضایی، خواهش می‌کنم.", "علی رضایی", "present"),
    ("سلام فاطمه خانم، کد رو بفرستید.", "فاطمه", "present"),
    ("سلام علي جان، حسابت رو چک کردم.", "علی", "present"),  # Arabic ي in a Persian name
    ("سلام مهدی جان", "مهدي كريمي", "present"),  # the name typed with Arabic letters
    ("Sina jan bebakhshid, dobare emtehan kon.", "Sina", "present"),
    ("سلام، سفارش شما ارسال شد.", "علی رضایی", "absent"),
    ("سلام خانم احمدی، بسته ارسال شد.", "علی رضایی", "absent"),
    ("أستاذ خالد، من حقك أن تنزعج.", "خالد العتيبي", "present"),
    ("مرحباً السيد الشمري، تم تحويل المبلغ.", "محمد الشمري", "present"),
    ("أستاذة ليلى، يرجى رفع إيصال الدفع.", "ليلى حسن", "present"),
    ("سارة، مبسوطين إن المشكلة اتحلت!", "ساره", "present"),  # ة / ه folded
    ("مرحباً عبد الله، طلبك في الطريق.", "عبد الله الشمري", "present"),
    ("مرحباً، طلبك في الطريق.", "خالد العتيبي", "absent"),
    ("مرحباً عبد الرحمن، طلبك في الطريق.", "عبد الله الشمري", "absent"),
]


@pytest.mark.parametrize(("reply", "name", "expected"), NAMED)
def test_personalisation_finds_the_customers_name(reply: str, name: str, expected: str) -> None:
    assert _personal(reply, name) == expected


def test_without_a_name_personalisation_gives_no_signal() -> None:
    for reply in ("Hi Laura, sorted!", "سلام آقای رضایی", "أستاذ خالد، تم"):
        assert _personal(reply, None) == "none"
        assert _personal(reply, "   ") == "none"
        result = text.analyze([reply], role="agent")[0].get("personalisation")
        assert result is not None and result.label == "none" and not result.present


def test_evidence_points_into_the_original_text() -> None:
    reply = "سلام جناب رضايي، خواهش می‌کنم."
    found = find_name(reply, "علی رضایی")
    assert found is not None and found.tag == "title"
    assert reply[found.start : found.end] == "جناب رضايي"
    signal = text.analyze([reply], role="agent", names=["علی رضایی"])[0].get("personalisation")
    assert signal is not None and signal.evidence[0].text == "جناب رضايي"


def test_name_forms() -> None:
    forms = name_forms("Mr Patel")
    assert forms is not None and forms.given == ("patel",) and forms.surname == ("patel",)
    forms = name_forms("عبد الله الشمري")
    assert forms is not None and forms.given == ("عبد", "الله") and forms.surname == ("الشمری",)
    assert name_forms("Mr") is None


def test_names_are_one_per_text() -> None:
    with pytest.raises(ValidationError):
        text.analyze(["a", "b"], role="agent", names=["Laura"])
    with pytest.raises(ValidationError):
        text.analyze(["a"], role="agent", names="Laura")  # type: ignore[arg-type]
    out = text.analyze(["Hi Laura", "Hi Omar"], role="agent", names=["Laura", None])
    labels = [a.get("personalisation").label for a in out]  # type: ignore[union-attr]
    assert labels == ["present", "none"]


def test_customer_messages_are_not_read_for_personalisation() -> None:
    out = text.analyze(["Hi Laura"], role="customer", names=["Laura"])[0]
    assert out.get("personalisation") is None


def test_a_conversation_passes_the_customer_name_to_the_agent_replies() -> None:
    messages = [
        {"role": "customer", "text": "سلام، سفارشم نرسیده"},
        {"role": "agent", "text": "سلام آقای رضایی، الان بررسی می‌کنم."},
        {"role": "agent", "text": "ارسال شد."},
    ]
    named = text.analyze_conversation(messages, customer_name="علی رضایی")
    labels = [m.get("personalisation") for m in named.messages]
    assert [s.label if s else None for s in labels] == [None, "present", "absent"]
    unnamed = text.analyze_conversation(messages)
    assert unnamed.messages[1].get("personalisation").label == "none"  # type: ignore[union-attr]
