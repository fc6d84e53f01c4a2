"""Sentiment decides every message: a label, a polarity and a confidence, never a silent 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh import text
from sanjeh.text._api import prepare
from sanjeh.text._linear import fit_linear
from sanjeh.text._sentiment import NEUTRAL_BAND, SentimentAnalyzer


def _signal(analyzer: SentimentAnalyzer, message: str, language: str) -> text.Signal:
    return analyzer.analyze(prepare([message], language=language))[0]


def test_lexicon_decision_carries_its_strength_as_confidence() -> None:
    signal = _signal(SentimentAnalyzer(), "the service was terrible", "en")
    assert signal.label == "negative"
    assert signal.score < -NEUTRAL_BAND
    assert signal.confidence == pytest.approx((1 + abs(signal.score)) / 2, abs=1e-4)
    assert signal.as_dict()["confidence"] == signal.confidence


def test_without_evidence_or_model_the_message_is_neutral_with_even_odds() -> None:
    signal = _signal(SentimentAnalyzer(models={"en": None}), "my order number is 4411", "en")
    assert (signal.label, signal.score, signal.confidence) == ("neutral", 0.0, 0.5)


def _three_class_model() -> text._linear.LinearTextModel:
    texts = [
        "zorp blik",
        "zorp zorp",
        "blik zorp yes",
        "quux fnord",
        "fnord fnord",
        "quux quux no",
        "wibble tock",
        "tock tock",
        "wibble wibble",
    ]
    labels = ["positive"] * 3 + ["negative"] * 3 + ["neutral"] * 3
    return fit_linear(texts, labels, min_df=1)


def test_the_model_decides_where_the_lexicon_finds_nothing_neutral_included() -> None:
    analyzer = SentimentAnalyzer(models={"en": _three_class_model()})
    positive = _signal(analyzer, "zorp zorp blik", "en")
    negative = _signal(analyzer, "fnord quux", "en")
    neutral = _signal(analyzer, "tock wibble", "en")
    assert positive.label == "positive" and positive.score >= NEUTRAL_BAND
    assert negative.label == "negative" and negative.score <= -NEUTRAL_BAND
    assert (neutral.label, neutral.score) == ("neutral", 0.0)
    for signal in (positive, negative, neutral):
        assert signal.confidence is not None and 1 / 3 < signal.confidence <= 1.0


def test_the_lexicon_still_goes_first_over_the_model() -> None:
    analyzer = SentimentAnalyzer(models={"en": _three_class_model()})
    signal = _signal(analyzer, "zorp zorp, the service was terrible", "en")
    assert signal.label == "negative"
    assert signal.evidence and signal.evidence[0].text == "terrible"


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("یه سوال داشتم درباره سفارش", "fa"),
        ("سفارشم کی میرسه", "fa"),
        ("وين طلبي", "ar"),
        ("متى يصل الطلب", "ar"),
    ],
)
def test_shipped_models_leave_no_persian_or_arabic_message_without_a_decision(
    message: str, language: str
) -> None:
    signal = _signal(SentimentAnalyzer(), message, language)
    assert signal.label in ("positive", "negative", "neutral")
    assert signal.confidence is not None and 0.0 < signal.confidence <= 1.0
    # a model decided: its confidence is a class probability, not the no-evidence 0.5
    assert signal.confidence != 0.5


def test_a_sarcasm_cue_does_not_hide_the_same_word_in_a_derived_lexicon() -> None:
    from sanjeh.text._lexicon import load_language

    categories = {e.category for e in load_language("fa") if e.tokens == ("اشتباه",)}
    assert {"sarcasm", "sentiment"} <= categories


def test_sarcasm_turns_a_positive_reading_negative_with_the_cues_as_evidence() -> None:
    message = "Thanks a lot for making me wait 3 days, great service"
    plain = _signal(SentimentAnalyzer(detect_sarcasm=False), message, "en")
    signal = _signal(SentimentAnalyzer(), message, "en")
    assert plain.label == "positive"
    assert signal.label == "negative" and signal.score <= -0.45
    assert {"thanks", "praise"} & {e.tag for e in signal.evidence}
    assert all(message[e.start : e.end] == e.text for e in signal.evidence)
    sincere = _signal(SentimentAnalyzer(), "Thanks, it arrived today, great service", "en")
    assert sincere.label == "positive"


def test_a_model_adds_to_single_word_readings_but_not_to_phrases_or_negations() -> None:
    # a model that reads every message as negative
    model = fit_linear(
        ["qqq one", "qqq two", "zzz three", "zzz four"],
        ["negative"] * 2 + ["positive"] * 2,
        min_df=1,
    )
    analyzer = SentimentAnalyzer(models={"ar": model})
    single = analyzer.decide(prepare(["المنتج رائع qqq"], language="ar")[0])
    phrase = analyzer.decide(prepare(["لا مشكلة qqq"], language="ar")[0])
    assert single.source == "lexicon+model"
    assert phrase.source == "lexicon" and phrase.label == "positive"
    plain = SentimentAnalyzer(models={"ar": None}).decide(
        prepare(["المنتج رائع qqq"], language="ar")[0]
    )
    assert single.score < plain.score  # the negative model pulled the reading down


def test_the_shipped_persian_model_is_the_recipe_on_the_projects_sentences() -> None:
    from sanjeh.text._sentiment import shipped_model
    from sanjeh.text._sentiment_corpus import load_sentences, persian_model

    folder = Path(__file__).parent / "corpus" / "sentiment-fa"
    sentences = load_sentences(folder)
    assert len(sentences) >= 1800
    assert {s.label for s in sentences} == {"positive", "negative", "neutral"}
    rebuilt = persian_model([s.text for s in sentences], [s.label for s in sentences])
    shipped = shipped_model("fa")
    # stale after a data change: python -m sanjeh.text.evaluate build-model fa <folder>
    assert shipped is not None and shipped.labels == rebuilt.labels
    assert shipped.meta["n_train"] == len(sentences)
    assert shipped.weights.keys() == rebuilt.weights.keys()
    assert shipped.intercept == pytest.approx(rebuilt.intercept, abs=1e-9)


def test_a_bad_sentence_line_names_file_line_and_field(tmp_path: Path) -> None:
    from sanjeh.text._corpus import CorpusError
    from sanjeh.text._sentiment_corpus import load_sentences

    (tmp_path / "a.jsonl").write_text(
        '{"text": "خوبه", "label": "positive"}\n{"text": "بد", "label": "bad"}\n', "utf-8"
    )
    with pytest.raises(CorpusError) as caught:
        load_sentences(tmp_path)
    assert (caught.value.line, caught.value.field) == (2, "label")
    assert "a.jsonl" in str(caught.value)
