"""Sarcasm cues: praise or thanks said about an unresolved complaint (issue #15, part 4)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sanjeh.errors import ConfigError
from sanjeh.text._api import prepare
from sanjeh.text._corpus import split_of
from sanjeh.text._sarcasm import evaluate_sarcasm, load_sarcasm_set, sarcasm_cues
from sanjeh.text._types import Evidence

SET = Path(__file__).parent / "corpus" / "sarcasm.jsonl"


def cues(message: str, language: str) -> list[Evidence]:
    (doc,) = prepare([message], language=language, role="customer")
    return sarcasm_cues(doc)


SARCASTIC = [
    ("en", "Thanks a lot for making me wait 3 days, great service"),
    ("en", "Great service, really. Two weeks and my parcel is still not here."),
    ("en", "Thanks for the help, I've now been on hold for an hour 🙄"),
    ("en", "It arrived today but it's broken. Great service."),
    ("en", "Thanks so much for losing my parcel."),
    ("en", "Thanks for nothing."),
    ("fa", "دستتون درد نکنه واقعاً، یه هفته‌ست منتظرم."),
    ("fa", "عالیه، سه بار زنگ زدم کسی جواب نداد."),
    ("fa", "ممنون از این همه دقت، کالا اشتباه ارسال شد 🙄"),
    ("fa", "به به! سه روزه اینترنت قطعه."),
    ("fa", "مرسی که پولم رو دوبار کم کردید."),
    ("ar", "شكراً على الخدمة الممتازة، الطلب ما وصل من أسبوع."),
    ("ar", "رائع جداً، الجهاز مكسور 😒"),
    ("ar", "ما شاء الله على خدمة العملاء، محد يرد من يومين."),
    ("ar", "شكراً على لا شيء"),
    ("ar", "برافو، الفاتورة جت مضاعفة مرة ثانية."),
]

SINCERE = [
    # thanks after a resolution, even after a delay
    ("en", "Thanks, the parcel arrived in 2 days, great service!"),
    ("en", "Thanks for the quick fix, the app works now."),
    ("fa", "خیلی ممنون، کالا دیروز رسید و خیلی راضی‌ام."),
    ("fa", "ممنون از راهنمایی، مشکل برطرف شد."),
    ("fa", "پشتیبانی‌تون عالیه، تو پنج دقیقه مشکلم حل شد."),
    ("ar", "شكراً جزيلاً، وصل الطلب خلال يومين."),
    ("ar", "شكراً، تم حل المشكلة بعد يومين من التواصل."),
    # polite thanks with an open complaint and a request
    ("en", "Thank you for your patience. My order still hasn't arrived, can you look into it?"),
    ("fa", "سلام خسته نباشید، سفارشم هنوز نرسیده، میشه بررسی کنید؟"),
    ("ar", "الطلب ما وصل، ممكن تتأكدوا؟ شكراً."),
    # sincere praise, plain complaints, everyday phrases
    ("en", "Have a nice day, thanks!"),
    ("en", "We love your 24-hour support."),
    ("en", "Amazing, it came a day early!"),
    ("en", "Not great, the app keeps crashing."),
    ("en", "The delivery was late and the box was damaged."),
    ("fa", "بسته دو هفته است نرسیده، لطفاً پیگیری کنید."),
    ("ar", "خدمة ممتازة وسريعة، شكراً لكم."),
    ("ar", "أتمنى لكم يوماً سعيداً، شكراً."),
]


@pytest.mark.parametrize(("language", "message"), SARCASTIC)
def test_sarcasm_is_caught(language: str, message: str) -> None:
    found = cues(message, language)
    assert found, message
    assert {e.tag for e in found} & {"praise", "thanks", "sarcasm"}


@pytest.mark.parametrize(("language", "message"), SINCERE)
def test_sincere_messages_have_no_cue(language: str, message: str) -> None:
    assert cues(message, language) == [], message


def test_evidence_points_into_the_original_text() -> None:
    message = "شكـــراً على التأخير، الطلب ما وصل"  # tatweel: the key is shorter
    found = cues(message, "ar")
    assert [e.tag for e in found] == ["thanks", "complaint", "complaint"]
    assert all(message[e.start : e.end] == e.text for e in found)
    assert found[0].text == "شكـــرا"  # a trailing diacritic is outside the span, as elsewhere
    waits = cues("Thanks a lot for making me wait 3 days, great service", "en")
    assert {(e.text, e.tag) for e in waits} >= {("Thanks", "thanks"), ("3 days", "wait")}


def test_finglish_is_read_in_persian_script() -> None:
    assert cues("merci vaghean, se roze montazeram 🙄", "fa")
    assert not cues("mamnoon, moshkelam hal shod", "fa")


# -- the labelled set ------------------------------------------------------------------


def test_labelled_set_is_balanced_and_split_like_the_corpus() -> None:
    examples = load_sarcasm_set(SET)
    per_language = Counter(e.language for e in examples)
    assert all(per_language[lang] >= 60 for lang in ("fa", "ar", "en")), per_language
    for lang in ("fa", "ar", "en"):
        share = sum(e.sarcastic for e in examples if e.language == lang) / per_language[lang]
        assert 0.4 <= share <= 0.6, (lang, share)
    assert all(e.split == split_of(e.id) for e in examples)
    assert {e.split for e in examples} == {"dev", "test"}


def test_bad_lines_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    line = {"id": "x", "language": "en", "text": "hi", "sarcastic": False}
    path.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        load_sarcasm_set(path)
    path.write_text(json.dumps({**line, "sarcastic": "yes"}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        load_sarcasm_set(path)
    with pytest.raises(ConfigError):
        evaluate_sarcasm(SET, "train")


# Measured on the test split (rules tuned on dev only), rounded down: a regression guard.
# measured, rounded down: a regression guard. Recall was higher (0.93-1.0) before the
# cues were kept near each other in short messages; that cost recall on this set but cut
# false alarms on real product reviews from 10 % to under 1 % (docs/evaluation.md).
FLOORS = {
    "fa": {"recall": 0.77, "precision": 1.0},
    "ar": {"recall": 0.88, "precision": 1.0},
    "en": {"recall": 0.83, "precision": 1.0},
}


def test_recall_and_precision_on_the_test_split() -> None:
    figures = evaluate_sarcasm(SET, "test")
    for language, floor in FLOORS.items():
        row = figures[language]
        assert row["n"] >= 40
        assert row["recall"] >= floor["recall"], (language, row)
        assert row["precision"] >= floor["precision"], (language, row)
    assert figures["all"]["n"] == sum(figures[lang]["n"] for lang in FLOORS)
