"""Rudeness (issue #15): insults, blame, condescension and dismissal addressed to the
customer are rude; information, firm policy, comfort and our own apologies are not.
Hand-written cases in fa, ar and en, the context rules of ``sanjeh.text._rude`` and the
trained model that decides where no rule fires."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanjeh import text
from sanjeh.errors import ConfigError
from sanjeh.text import _rude as rude_module
from sanjeh.text._linear import FORMAT, load_linear
from sanjeh.text._rude import (
    MODEL_THRESHOLDS,
    RudeAnalyzer,
    build_rude_models,
    fa_exasperation,
    gap_entries,
    model_probability,
    rude_hits,
    shipped_rude_model,
)
from sanjeh.text._rules import AGENT_ROLES, default_rule_analyzers
from sanjeh.text._types import Doc

TRAIN = Path(__file__).parent / "corpus" / "rude-train"
REPLIES = Path(__file__).parent / "corpus" / "replies.jsonl"


def _rude(sentence: str, language: str):
    signal = text.analyze([sentence], role="agent", language=language)[0].get("rude")
    assert signal is not None
    return signal


RUDE = [
    # blame
    ("en", "It wasn't our courier, it was your own mistake."),
    ("en", "You should have checked the size chart before ordering."),
    ("en", "Had you read the email, you'd know the store moved."),
    ("en", "The screen cracked because of misuse on your part."),
    ("en", "That's what happens if you leave the router in the garage."),
    # condescension
    ("en", "As I already told you, the voucher has expired."),
    ("en", "I've told you three times now that the store is shut."),
    ("en", "Did you even open the attachment?"),
    ("en", "It's common sense to keep the receipt."),
    ("en", "I'm not going to explain this again."),
    # dismissal
    ("en", "That's not my problem."),
    ("en", "Calm down, it's one parcel."),
    ("en", "Just deal with it."),
    ("en", "Stop complaining and wait like everyone else."),
    ("en", "If you don't like it, take your business elsewhere."),
    ("en", "Whatever."),
    # insults, said of the customer
    ("en", "You're being completely unreasonable."),
    ("en", "Are you always this difficult?"),
    ("en", "Your question is ridiculous."),
    # Persian
    ("fa", "مشکل خودتونه، ما کاری نمی‌تونیم بکنیم."),
    ("fa", "مشکل شخصی خودتونه."),
    ("fa", "چند بار بگم؟ سفارش ارسال شده."),
    ("fa", "من صد بار توضیح دادم."),
    ("fa", "اگه قوانین رو خونده بودید این اتفاق نمی‌افتاد."),
    ("fa", "شما که پیام‌ها رو نمی‌خونید."),
    ("fa", "تقصیر ما نیست که آدرس رو اشتباه نوشتید."),
    ("fa", "اینقدر اصرار نکنید، جواب همینه."),
    ("fa", "چرا اینقدر سخت می‌گیرید؟"),
    ("fa", "شما خیلی بی‌دقتید."),
    ("fa", "از یه جای دیگه خرید کنید."),
    ("fa", "وقت ما رو تلف نکنید."),
    ("fa", "چه انتظاری داشتید با این قیمت؟"),
    ("fa", "حواستون کجاست؟ کد رو اشتباه زدید."),
    # Arabic
    ("ar", "هذا ليس شأني، كلم شركة الشحن."),
    ("ar", "كما قلت لك، ما في استرجاع."),
    ("ar", "الخطأ خطؤك وليس خطأنا."),
    ("ar", "المشكلة منك مش منا."),
    ("ar", "إذا مش عاجبك روح لغيرنا."),
    ("ar", "كم مرة لازم نعيد نفس الكلام؟"),
    ("ar", "لو قريت الشروط ما صار كذا."),
    ("ar", "انت فعلاً مش فاهم الموضوع."),
    ("ar", "يا غبي، الرقم على الفاتورة."),
    ("ar", "اهدى شوية وبلاش صريخ."),
    ("ar", "كل يوم تشتكي من نفس الشي."),
    ("ar", "لا تحملنا أخطاءك."),
    ("ar", "مش فاضيين لك."),
]

NOT_RUDE = [
    # information, firm policy, regret
    ("en", "You should have a reference number in your confirmation email."),
    ("en", "You should have received a text with the tracking link."),
    ("en", "We can't refund this, as our policy states."),
    ("en", "Unfortunately the item is out of stock."),
    ("en", "As I said, the parcel arrives tomorrow."),
    ("en", "I told you I'd call back today, and here's the update."),
    # comfort, apology, our own mistake
    ("en", "It's not your fault at all, the courier scanned it to the wrong depot."),
    ("en", "I don't think you're being unreasonable."),
    ("en", "Sorry about the stupid bug on our side, it's fixed now."),
    ("en", "I'm sorry our agent told you to calm down; that wasn't okay."),
    # help offered in a conditional, our own actions
    ("en", "If you don't get the code within five minutes, tap resend."),
    ("en", "If you don't understand any of the charges, just give us a call."),
    ("en", "We'll deal with it today and update you by email."),
    ("en", "Once things settle down after the sale we'll ship it."),
    # words that insult only when said of the customer
    ("en", "You're entitled to a full refund."),
    ("en", "Can I book you a child ticket as well?"),
    ("en", "Whatever you need, we're here to help."),
    ("en", "Parcels sometimes get lost in transit; I've opened a claim."),
    ("en", "Which part of the process are you stuck on?"),
    # Persian
    ("fa", "شما باید کد پیگیری را در پیامک دریافت کرده باشید."),
    ("fa", "متأسفانه امکان لغو سفارش ارسال‌شده وجود ندارد."),
    ("fa", "همونطور که گفتم، بسته فردا می‌رسه."),
    ("fa", "تقصیر شما نیست، پستچی آدرس رو اشتباه خونده."),
    ("fa", "اگه متوجه نمیشید کجا رو بزنید، بهمون زنگ بزنید."),
    ("fa", "لطفاً مشکل خودتون رو کامل توضیح بدید تا بررسی کنم."),
    ("fa", "اینقدر نگران نباشید، درست میشه."),
    ("fa", "ببخشید که اینقدر منتظر موندید."),
    ("fa", "نمی‌دونم چرا اینقدر طول کشید، پیگیری می‌کنم."),
    ("fa", "لطفاً حواستون باشه کد رو به کسی ندید."),
    ("fa", "ببخشید که مجبور شدید چند بار توضیح بدید."),
    ("fa", "قبلاً هم گفتم خدمتتون که هزینه ارسال رایگانه."),
    ("fa", "شما بچه دارید؟ این مدل برای کودکان هم مناسبه."),
    # Arabic
    ("ar", "يجب عليك مراجعة الفرع شخصياً، فلا يمكن إتمام هذا الإجراء عبر الهاتف."),
    ("ar", "للأسف لا يمكننا رد المبلغ نقداً."),
    ("ar", "ليس خطأك أبداً، سنعوضك فوراً."),
    ("ar", "الخطأ منا وليس منك، وتم تصحيحه."),
    ("ar", "اشرح لي مشكلتك بالتفصيل وسأساعدك."),
    ("ar", "ما يهمنا هو راحتك ورضاك."),
    ("ar", "خلاص، أفهم قصدك وسأحل الموضوع."),
    ("ar", "كما ذكرت لك في رسالتي السابقة، سيصلك المبلغ خلال ثلاثة أيام."),
    ("ar", "حاولنا التوصيل للمرة الثالثة ولم نجد أحداً."),
    ("ar", "متجرنا يبيع مستلزمات الحيوانات الأليفة."),
    ("ar", "نعتذر عن قلة أدب الموظف معك."),
]


@pytest.mark.parametrize(("language", "sentence"), RUDE)
def test_rude_replies_are_found(language: str, sentence: str) -> None:
    signal = _rude(sentence, language)
    assert signal.present, sentence
    assert all(e.text == sentence[e.start : e.end] for e in signal.evidence)


@pytest.mark.parametrize(("language", "sentence"), NOT_RUDE)
def test_information_policy_comfort_and_apologies_are_not_rude(
    language: str, sentence: str
) -> None:
    signal = _rude(sentence, language)
    assert not signal.present, (sentence, [e.text for e in signal.evidence])


def test_evidence_shows_whom_an_insult_is_said_of() -> None:
    (evidence,) = _rude("Honestly, you're being so unreasonable.", "en").evidence
    assert evidence.text == "you're being so unreasonable" and evidence.tag == "addressed"
    (evidence,) = _rude("شما خیلی بی‌دقتید.", "fa").evidence
    assert evidence.text == "شما خیلی بی‌دقتید"


def test_a_gap_phrase_matches_across_a_few_words_in_one_clause() -> None:
    (evidence,) = _rude("I've told you three times already.", "en").evidence
    assert evidence.text == "told you three times"
    # not across a clause: "told you" and "times" belong to different clauses here
    assert not _rude("I've told you. Delivery times vary.", "en").present
    assert all("..." in entry.phrase for entry, _ in gap_entries("fa"))


def test_one_overlapping_phrase_gives_one_piece_of_evidence() -> None:
    doc = Doc.build("مشکل از خودتونه، دقت کنید.", "fa", "agent", ())
    assert len(rude_hits(doc)) == 1


def test_persian_so_much_rule_scolds_but_comfort_does_not() -> None:
    doc = Doc.build("لطفاً اینقدر پیام ندید.", "fa", "agent", ())
    assert fa_exasperation(doc) == [(1, 3)]
    for comfort in ("اینقدر ناراحت نشید.", "اینقدر خودتون رو اذیت نکنید."):
        assert fa_exasperation(Doc.build(comfort, "fa", "agent", ())) == []


def test_phrases_do_not_run_across_sentences() -> None:
    assert not _rude("We could not. My problem is the courier's van.", "en").present


def test_analyzer_reads_agent_messages_only() -> None:
    (rude,) = [a for a in default_rule_analyzers() if a.name == "rude"]
    assert isinstance(rude, RudeAnalyzer)
    assert rude.roles == frozenset({"agent", "bot"})
    signals = rude.analyze([Doc.build(s, "en", "agent", ()) for s in ("Calm down.", "Hi!")])
    assert [s.label for s in signals] == ["present", "absent"]
    assert "+rude." in signals[0].version and signals[0].score > 0
    assert (
        text.analyze(["That's your problem."], role="customer", language="en")[0].get("rude")
        is None
    )


# -- the trained model ---------------------------------------------------------------------
# Written for these tests, in none of the training files: rude replies that no rule of the
# lexicon catches, and hard negatives (a firm refusal, "simple", our own glitch).
MODEL_RUDE = [
    ("fa", "اگه حوصله خوندن ندارید، لطفاً به ما پیام ندید."),
    ("fa", "شما که همیشه یه بهونه‌ای دارید."),
    ("fa", "یه کم فکر کنید، جوابش خیلی واضحه."),
    ("fa", "حرف زدن با شما وقت تلف کردنه."),
    ("ar", "إذا ما عندك خلق تقرأ، لا تراسلنا."),
    ("ar", "إنت خربتها، إنت صلحها."),
    ("en", "You always have some excuse."),
]
MODEL_NOT_RUDE = [
    ("fa", "ببخشید که این همه سال مشتری ما بودید و این مشکل پیش اومد."),
    ("fa", "جوابش ساده است: سفارش فردا می‌رسه."),
    ("fa", "متأسفانه طبق قوانین امکان استرداد وجه نیست."),
    ("ar", "إذا ما عندك وقت تقرأ الدليل، أنا أساعدك خطوة بخطوة."),
    ("ar", "الجواب بسيط: الطلب يوصلك بكرة."),
    ("ar", "آسفين إن الخلل من نظامنا سبب لك إزعاج."),
    ("en", "The answer is simple: it arrives tomorrow."),
    ("en", "Unfortunately our policy doesn't allow a refund here."),
    ("en", "Sorry, a silly glitch on our side caused this."),
]
RULES_ONLY = RudeAnalyzer("rude", "rude", AGENT_ROLES, negatable=False, use_model=False)


def _training(language: str) -> list[dict[str, object]]:
    lines = (TRAIN / f"{language}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize(("language", "sentence"), MODEL_RUDE)
def test_the_model_finds_rudeness_no_rule_catches(language: str, sentence: str) -> None:
    doc = Doc.build(sentence, language, "agent", ())
    assert not RULES_ONLY.analyze([doc])[0].present
    signal = _rude(sentence, language)
    assert signal.present, sentence
    assert signal.evidence and all(e.tag == "model" for e in signal.evidence)
    assert all(e.text == sentence[e.start : e.end] and e.text for e in signal.evidence)
    p = model_probability(doc)
    assert p is not None and signal.score == round(p, 4) >= MODEL_THRESHOLDS[language]


@pytest.mark.parametrize(("language", "sentence"), MODEL_NOT_RUDE)
def test_the_model_leaves_hard_negatives_alone(language: str, sentence: str) -> None:
    signal = _rude(sentence, language)
    assert not signal.present, (sentence, [e.text for e in signal.evidence])


# Friendly closings that read like a complaint or an order to a bag of n-grams («باز هم»,
# «مشکل», «همین‌جا پیام بدید»); the first one was a false rude hit (p 0.62 >= 0.60) of
# the model trained before the closings of rude-train/fa.jsonl were added.
FRIENDLY_CLOSINGS = [
    "چه خوب که درست شد! اگر باز هم مشکلی بود، همین‌جا پیام بدید.",
    "قربونت، اگه باز گیر کردی همین‌جا بپرس.",
    "آره دیگه، الان باید بدون مشکل کار کنه. اگه نکرد بگو.",
]


@pytest.mark.parametrize("sentence", FRIENDLY_CLOSINGS)
def test_a_friendly_persian_closing_is_not_rude(sentence: str) -> None:
    signal = _rude(sentence, "fa")
    assert not signal.present, (sentence, [e.text for e in signal.evidence])
    p = model_probability(Doc.build(sentence, "fa", "agent", ()))
    assert p is not None and p < MODEL_THRESHOLDS["fa"]


def test_fast_scoring_matches_the_saved_model() -> None:
    for language, sentence in MODEL_RUDE + MODEL_NOT_RUDE:
        model = shipped_rude_model(language)
        assert model is not None
        doc = Doc.build(sentence, language, "agent", ())
        assert model_probability(doc) == pytest.approx(model.probabilities(sentence)["rude"])


def test_a_phrase_the_rules_dropped_keeps_the_model_out(monkeypatch) -> None:
    # with a threshold of 0 the model would call anything rude …
    monkeypatch.setattr(rude_module, "MODEL_THRESHOLDS", {"fa": 0.0})
    assert _rude("شما می‌تونید از اپ سفارش بدید.", "fa").present
    # … but not a reply whose rude phrase the context rules judged harmless
    assert not _rude("تقصیر شما نیست، پستچی آدرس رو اشتباه خونده.", "fa").present
    # and a message the rules find rude keeps the rules' evidence
    evidence = _rude("مشکل از خودتونه.", "fa").evidence
    assert evidence and all(e.tag != "model" for e in evidence)


def test_shipped_models_are_plain_json_built_from_the_training_files() -> None:
    for language in ("fa", "ar", "en"):
        model = shipped_rude_model(language)
        assert model is not None and model.labels == ["ok", "rude"]
        rows = _training(language)
        # rebuilt after the data changed: python -m sanjeh.text.evaluate build-model rude
        assert model.meta["n_train"] == len(rows)
        assert model.meta["n_rude"] == sum(bool(r["rude"]) for r in rows)
        path = Path(rude_module.__file__).parent / "models" / f"rude-{language}.json"
        assert json.loads(path.read_text("utf-8"))["format"] == FORMAT


def test_training_files_are_labelled_and_not_copied_from_the_corpus() -> None:
    replies = {json.loads(x)["text"] for x in REPLIES.read_text("utf-8").splitlines() if x}
    for language, least in (("fa", 350), ("ar", 350), ("en", 250)):
        rows = _training(language)
        assert len(rows) >= least
        assert all(set(r) == {"text", "rude", "kind"} for r in rows)
        assert all(isinstance(r["rude"], bool) and r["kind"] for r in rows)
        share = sum(bool(r["rude"]) for r in rows) / len(rows)
        assert 0.3 <= share <= 0.5
        assert not {r["text"] for r in rows} & replies
    tested = {s for _, s in RUDE + NOT_RUDE + MODEL_RUDE + MODEL_NOT_RUDE}
    tested |= set(FRIENDLY_CLOSINGS)
    assert not tested & {str(r["text"]) for lang in ("fa", "ar", "en") for r in _training(lang)}


def test_build_rude_models_writes_a_loadable_model(tmp_path: Path) -> None:
    rows = [("کد رو اشتباه زدید، مشکل خودتونه.", True), ("سفارش فردا می‌رسه.", False)] * 3
    lines = [json.dumps({"text": t, "rude": r, "kind": "x"}, ensure_ascii=False) for t, r in rows]
    (tmp_path / "fa.jsonl").write_text("\n".join(lines), "utf-8")
    (written,) = build_rude_models(tmp_path, tmp_path / "out")
    assert written.name == "rude-fa.json"
    model = load_linear(written)
    assert model.probabilities("مشکل خودتونه")["rude"] > 0.5
    (tmp_path / "ar.jsonl").write_text('{"text": "x"}\n', "utf-8")
    with pytest.raises(ConfigError, match=r"ar\.jsonl, line 1"):
        build_rude_models(tmp_path, tmp_path / "out")
