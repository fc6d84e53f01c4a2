"""Language identification restricted to fa / ar / en / other."""

from __future__ import annotations

import pytest

from sanjeh.text import detect_language, detect_languages


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("سلام وقت بخیر، سفارشم کی می‌رسه؟", "fa"),
        ("سلام، چطوری؟", "fa"),
        ("ممنون", "fa"),
        ("خيلي ممنون از پيگيري", "fa"),  # Persian typed on an Arabic keyboard
        ("ببخشيد، دير شد", "fa"),  # ... without a Persian-only letter: decided by vocabulary
        ("لقد تم شحن طلبك", "ar"),
        ("salam, sefaresham kojast?", "fa"),  # Finglish
        ("مرحبا، متى يصل الطلب؟", "ar"),
        ("الله يعطيك العافية", "ar"),
        ("شلونك؟ الطلب ما وصل", "ar"),
        ("Hello, where is my order?", "en"),
        ("thanks", "en"),
        ("Bonjour, je voudrais un remboursement s'il vous plaît", "other"),
        ("Hallo, ich möchte mein Geld zurück", "other"),
        ("آپ کا آرڈر بھیج دیا گیا ہے", "other"),  # Urdu
        ("12345 !!!", "other"),
        ("", "other"),
    ],
)
def test_detect_language(message: str, language: str) -> None:
    assert detect_language(message) == language


def test_mixed_message_takes_the_dominant_script() -> None:
    assert detect_language("سلام، سفارش شماره ORD-123 ارسال شد") == "fa"
    assert detect_language("Your order ships today, ممنون") == "en"


def test_batch() -> None:
    assert detect_languages(["سلام", "مرحبا", "hello"]) == ["fa", "ar", "en"]
