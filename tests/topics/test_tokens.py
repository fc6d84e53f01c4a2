"""``terms``: the normalisation topics and article matching share (hand-computed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sanjeh.text import fold
from sanjeh.topics import terms
from sanjeh.topics._tokens import stopwords


def test_english_drops_stop_words_digits_and_punctuation() -> None:
    assert terms("Hi! How do I top up my card?? Order #12345, please.", "en") == [
        "top",
        "up",
        "card",
        "order",
    ]
    assert terms("", "en") == [] and terms("123 !!! ...", "en") == []
    assert terms("I a x", "en") == []  # one-letter words go


def test_persian_spellings_fold_to_one_term() -> None:
    # ي / ی and ك / ک, ZWNJ, a space after می, Persian digits: one spelling, digits gone
    a = terms("سلام، چرا پرداخت‌ها انجام نمي شود؟ ۱۲۳", "fa")
    b = terms("چرا پرداختها انجام نمیشود", "fa")
    assert a == b == ["پرداخت", "انجام", "نمیشود"]
    assert terms("کارت بانکی", "fa") == terms("كارت بانكي", "fa") == ["کارت", "بانکی"]


def test_arabic_article_is_stripped() -> None:
    # «البطاقة» and «بطاقة» are one term; «وبالبطاقة» too (و + ب + ال); stop words go
    assert terms("أين البطاقة؟", "ar") == ["بطاقه"]
    assert terms("وبالبطاقة", "ar") == terms("بطاقة", "ar") == ["بطاقه"]
    assert terms("الى", "ar") == []  # a stop word; short words keep their letters
    assert terms("الم", "ar") == ["الم"]


def test_stop_lists_are_loaded_for_all_three_languages() -> None:
    for language, word in (("en", "the"), ("fa", "است"), ("ar", "في")):
        assert fold(word)[0] in stopwords(language) and len(stopwords(language)) > 80
    assert stopwords("de") == frozenset()


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_terms_are_clean_words(text: str) -> None:
    for language in ("en", "fa", "ar"):
        for t in terms(text, language):
            assert len(t) >= 2 and t.isalpha() and t == t.lower()
            assert t not in stopwords(language)


def test_labels_use_the_words_customers_wrote() -> None:
    from sanjeh.topics._labels import key_phrases
    from sanjeh.topics._tokens import surfaces, terms

    fa = ["کارتم برمی‌گرده", "کارتم برمی‌گرده چرا", "کارتم برمی‌گرده"]
    spelled = surfaces(fa, "fa")
    assert spelled["برمیگرده"] == "برمی‌گرده"  # the ZWNJ the matching key drops
    ar = ["ألغيت الطلب", "ألغيت الطلب أمس"]
    key = terms("ألغيت", "ar")[0]  # the article-less matching key
    assert surfaces(ar, "ar")[key] == "ألغيت"  # shown as written, hamza and all
    en = ["I haven't got my card", "haven't got the card yet"] * 3
    phrases = key_phrases([terms(t, "en") for t in en], [0] * len(en), 1, "en", surfaces(en, "en"))
    assert phrases[0] and not any("haven" in p for p in phrases[0])
