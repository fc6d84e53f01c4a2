"""Normalisation, the matching key and tokenisation of Persian, Arabic and English text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanjeh import text
from sanjeh.text import fold, normalize, tokenize

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("raw", "language", "expected"),
    [
        ("كيف", "fa", "کیف"),  # Arabic kaf / yeh -> Persian
        ("علاقة", "fa", "علاقه"),  # teh marbuta -> heh in Persian
        ("کیف", "ar", "كيف"),  # and back for Arabic
        ("مدرسة", "ar", "مدرسة"),  # Arabic keeps teh marbuta
        ("۱۲۳ و ٤٥٦", "fa", "123 و 456"),  # both digit sets -> ASCII by default
        ("خیـــلی", "fa", "خیلی"),  # tatweel
        ("مُحَمَّد", "ar", "محمد"),  # diacritics
        ("عالیییییی", "fa", "عالی"),  # emphasis by repeated letters
        ("soooo good", "en", "soo good"),
        ("می توانم", "fa", f"می{ZWNJ}توانم"),  # verbal prefix joined with ZWNJ
        ("نمی توانیم", "fa", f"نمی{ZWNJ}توانیم"),
        ("کتاب ها", "fa", f"کتاب{ZWNJ}ها"),  # plural suffix joined
        (f"می{ZWNJ}{ZWNJ}توانم", "fa", f"می{ZWNJ}توانم"),  # doubled ZWNJ
        (f"سلام{ZWNJ} دوست", "fa", "سلام دوست"),  # ZWNJ before a space is noise
        ("شكرا\u200f جزيلا", "ar", "شكرا جزيلا"),  # bidi mark
    ],
)
def test_normalize(raw: str, language: str, expected: str) -> None:
    assert normalize(raw, language) == expected


def test_native_digits() -> None:
    assert normalize("سفارش 123", "fa", digits="native") == "سفارش ۱۲۳"
    assert normalize("طلب 123", "ar", digits="native") == "طلب ١٢٣"
    assert normalize("۱۲۳", "fa", digits="keep") == "۱۲۳"


def test_normalize_detects_language_when_not_given() -> None:
    assert normalize("مي خواهم پیگیری کنم") == f"می{ZWNJ}خواهم پیگیری کنم"


@pytest.mark.parametrize(
    "variants",
    [
        ["می‌توانم", "میتوانم", "می توانم", "مي توانم", "میـتوانم"],
        ["شكرا", "شکرا", "شُكْراً"],
        ["مدرسة", "مدرسه"],
        ["أنا", "انا", "إنا"],
    ],
)
def test_fold_gives_one_key_for_spelling_variants(variants: list[str]) -> None:
    keys = {fold(v)[0].rstrip("ا") for v in variants}  # tanwin alef aside
    assert len(keys) == 1, keys


def test_fold_offsets_point_into_the_original() -> None:
    raw = "سلام، خیـــلی ممنونم"
    key, offsets = fold(raw)
    assert offsets is not None and len(offsets) == len(key)
    at = key.index("خیلی")
    assert raw[offsets[at]] == "خ"
    assert raw[offsets[at + 3]] == "ی"


def test_fold_of_plain_text_needs_no_offset_map() -> None:
    assert fold("hello world") == ("hello world", None)


@given(st.text(max_size=80))
def test_fold_offsets_are_monotone_and_in_range(raw: str) -> None:
    key, offsets = fold(raw)
    if offsets is None:
        assert len(key) == len(raw)
    else:
        assert len(offsets) == len(key)
        assert all(0 <= o < len(raw) for o in offsets)
        assert offsets == sorted(offsets)


@settings(deadline=None)  # the first example loads the lexicons (~0.7 s when run alone)
@given(st.text(alphabet="سلام میتوانم كتابها ۱۲ ٣٤ ـًٌ\u200c!?", max_size=60))
def test_evidence_spans_always_slice_the_original(raw: str) -> None:
    (result,) = text.analyze([raw])
    for signal in result.signals:
        for ev in signal.evidence:
            assert raw[ev.start : ev.end] == ev.text


def test_tokenize_keeps_zwnj_words_whole() -> None:
    tokens = tokenize("می‌توانم کتاب‌ها را ببینم؟")
    assert [t.text for t in tokens] == ["می‌توانم", "کتاب‌ها", "را", "ببینم", "؟"]
    assert all("می‌توانم کتاب‌ها را ببینم؟"[t.start : t.end] == t.text for t in tokens)


def test_tokenize_space_written_prefix_after_normalize() -> None:
    assert len(tokenize("می توانم")) == 2
    assert [t.text for t in tokenize(normalize("می توانم", "fa"))] == [f"می{ZWNJ}توانم"]


def test_tokenize_numbers_emails_urls_emoji() -> None:
    tokens = [t.text for t in tokenize("سفارش ۱۲۳۴ به a.b@x.com رفت https://x.io/a 👍")]
    assert tokens == ["سفارش", "۱۲۳۴", "به", "a.b@x.com", "رفت", "https://x.io/a", "👍"]


def test_tokenize_keeps_english_contractions() -> None:
    assert [t.text for t in tokenize("I can't, don't.")] == ["I", "can't", ",", "don't", "."]


def test_presentation_forms_are_expanded() -> None:
    assert normalize("\ufefb", "ar") == "لا"  # lam-alef ligature
    key, offsets = fold("\ufefb مشكلة")
    assert key.startswith("لا") and offsets is not None and offsets[:2] == [0, 0]
