"""The labelled reply corpus (tests/text/corpus) and the behaviour-signal harness."""

from __future__ import annotations

import csv
import hashlib
import html
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from sanjeh.errors import ConfigError
from sanjeh.text import evaluate
from sanjeh.text._api import MessageAnalysis
from sanjeh.text._corpus import (
    LANGUAGES,
    SIGNALS,
    CorpusError,
    Reply,
    load_corpus,
    split,
    split_of,
)
from sanjeh.text._types import Evidence, Signal

CORPUS = Path(__file__).parent / "corpus" / "replies.jsonl"
TWCS_LABELS = CORPUS.with_name("twcs_labels.jsonl")


@pytest.fixture(scope="module")
def replies() -> list[Reply]:
    return load_corpus(CORPUS)


def _line(reply_id: str = "en-x1", **change: object) -> str:
    obj: dict[str, object] = {
        "id": reply_id,
        "language": "en",
        "text": "Hello, happy to help.",
        "customer_name": None,
        "source": "project",
        "register": "formal",
        "labels": {s: False for s in SIGNALS},
    }
    obj.update(change)
    return json.dumps(obj)


LABEL_KEYS = ("id", "tweet_id", "language", "customer_name", "register", "labels")


# -- the corpus itself ------------------------------------------------------------------


def test_corpus_loads_with_enough_replies_per_language(replies: list[Reply]) -> None:
    counts = Counter(r.language for r in replies)
    assert set(counts) == set(LANGUAGES)
    assert all(counts[lang] >= 300 for lang in LANGUAGES), counts
    assert len({r.id for r in replies}) == len(replies)
    assert {r.register for r in replies} == {"formal", "colloquial"}


def test_every_signal_has_positives_and_negatives_in_every_language(
    replies: list[Reply],
) -> None:
    # the shipped file alone (without the Twitter sample) carries >= 30 of each
    for lang in LANGUAGES:
        mine = [r for r in replies if r.language == lang]
        for signal in SIGNALS:
            positives = sum(r.labels[signal] for r in mine)
            assert 30 <= positives <= len(mine) - 30, (lang, signal, positives)


def test_the_shipped_corpus_carries_no_twitter_text() -> None:
    # CC BY-NC-SA text stays out of the repository: only labels and tweet ids are shipped
    lines = [json.loads(x) for x in CORPUS.read_text("utf-8").splitlines() if x.strip()]
    assert lines and not [x["id"] for x in lines if x["source"] == "twcs"]
    labelled = [json.loads(x) for x in TWCS_LABELS.read_text("utf-8").splitlines() if x.strip()]
    assert len(labelled) == 44
    assert all(set(x) == {*LABEL_KEYS} for x in labelled), labelled[0]


def test_personalisation_labels_agree_with_the_customer_name(replies: list[Reply]) -> None:
    # a reply labelled personalised names its customer; one that is not, does not
    for r in replies:
        named = bool(r.customer_name) and any(
            len(part) > 1 and part.lower() in r.text.lower()
            for part in (r.customer_name or "").split()
            if part not in ("Mr", "Mrs", "Ms")
        )
        assert named == r.labels["personalisation"], r.id


def test_tricky_cases_named_in_the_issue_are_labelled_by_the_guide(
    replies: list[Reply],
) -> None:
    by_text = {r.text: r.labels for r in replies}
    assert by_text["Not a problem. Have a great day!"]["closing"]
    assert not by_text["You should have a tracking number in the dispatch email."]["rudeness"]
    regret = by_text["متأسفانه امکان تغییر آدرس بعد از ارسال مرسوله وجود ندارد."]
    assert regret["negative_framing"] and not regret["apology"]
    regret = by_text["للأسف لا يمكن تغيير عنوان الشحن بعد إرسال الطلب."]
    assert regret["negative_framing"] and not regret["apology"]
    assert by_text["I'll be happy to look into it for you!"]["ownership"]
    # Persian typed with Arabic ي / ك and Finglish are present and labelled
    assert any("ي" in r.text and r.language == "fa" for r in replies)
    assert sum(r.language == "fa" and r.text.isascii() for r in replies) >= 10


@pytest.fixture
def twcs_csv(shared_data: Path) -> Path:
    path = shared_data / "twcs" / "twcs_sample.csv"
    if not path.is_file():
        pytest.skip(f"Twitter support sample {path} is absent")
    return path


def test_every_real_agent_reply_of_the_twitter_sample_is_joined(
    replies: list[Reply], twcs_csv: Path
) -> None:
    with twcs_csv.open(encoding="utf-8", newline="") as handle:
        agent = {
            r["tweet_id"]: r["text"] for r in csv.DictReader(handle) if r["inbound"] == "False"
        }
    joined = load_corpus(CORPUS, twcs=twcs_csv)
    assert joined[: len(replies)] == replies
    tweets = joined[len(replies) :]
    assert {r.source for r in tweets} == {"twcs"}
    ours = {r.id.removeprefix("en-twcs-"): r.text for r in tweets}
    assert ours == {k: html.unescape(v) for k, v in agent.items()}
    # the Miriam of "Have you tried from another device, Miriam ^MM" is addressed by name
    miriam = next(r for r in tweets if r.id == "en-twcs-119243")
    assert miriam.customer_name == "Miriam" and miriam.labels["personalisation"]
    # and none of their text is in the shipped file
    shipped = CORPUS.read_text("utf-8")
    assert not [t for t in ours.values() if json.dumps(t, ensure_ascii=False)[1:-1] in shipped]


def _twcs_files(tmp_path: Path, *label_lines: str) -> tuple[Path, Path]:
    corpus = tmp_path / "replies.jsonl"
    corpus.write_text(_line() + "\n", encoding="utf-8")
    (tmp_path / "twcs_labels.jsonl").write_text("\n".join(label_lines) + "\n", "utf-8")
    sample = tmp_path / "twcs.csv"
    sample.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "11,1,True,x,@Shop where is it?,12,\n"
        '12,Shop,False,x,"@1 Hi, we&amp;#39;ll check &gt; DM us",,11\n',
        encoding="utf-8",
    )
    return corpus, sample


def _label_line(tweet_id: object, **change: object) -> str:
    obj: dict[str, object] = {
        "id": f"en-twcs-{tweet_id}",
        "tweet_id": tweet_id,
        "language": "en",
        "customer_name": None,
        "register": "colloquial",
        "labels": {s: s == "greeting" for s in SIGNALS},
    }
    obj.update(change)
    return json.dumps(obj)


def test_twcs_labels_are_joined_with_the_text_of_the_csv(tmp_path: Path) -> None:
    corpus, sample = _twcs_files(tmp_path, _label_line(12))
    assert [r.id for r in load_corpus(corpus)] == ["en-x1"]  # no CSV given: no tweets
    tweet = load_corpus(corpus, twcs=sample)[1]
    # entities are unescaped once, as the CSV's reader would show them
    assert (tweet.id, tweet.text, tweet.source) == (
        "en-twcs-12",
        "@1 Hi, we&#39;ll check > DM us",
        "twcs",
    )
    assert tweet.labels["greeting"] and not tweet.labels["apology"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (_label_line(13), "tweet_id"),  # not in the CSV
        (_label_line(11), "tweet_id"),  # the customer's tweet, not an agent reply
        (_label_line("12"), "tweet_id"),
        (_label_line(12, text="copied"), "text"),
        (_label_line(12, id="en-x1"), "id"),  # already used by the corpus
    ],
)
def test_a_bad_twcs_label_names_file_line_and_field(tmp_path: Path, bad: str, field: str) -> None:
    corpus, sample = _twcs_files(tmp_path, "", bad)
    with pytest.raises(CorpusError) as caught:
        load_corpus(corpus, twcs=sample)
    err = caught.value
    assert (err.path, err.line, err.field) == (str(tmp_path / "twcs_labels.jsonl"), 2, field)


def test_a_missing_twcs_file_is_a_clear_error(tmp_path: Path) -> None:
    corpus, _ = _twcs_files(tmp_path, _label_line(12))
    with pytest.raises(ConfigError, match=r"twcs file .*nope\.csv not found"):
        load_corpus(corpus, twcs=tmp_path / "nope.csv")


# -- the split --------------------------------------------------------------------------


def test_split_is_a_fixed_hash_of_the_id(replies: list[Reply]) -> None:
    digest = int(hashlib.sha256(b"en-p001").hexdigest(), 16)
    assert split_of("en-p001") == ("dev" if digest % 100 < 30 else "test")
    assert [split_of(f"x{i}") for i in range(500)] == [split_of(f"x{i}") for i in range(500)]
    dev, test = split(replies, "dev"), split(replies, "test")
    assert len(dev) + len(test) == len(replies) and not {r.id for r in dev} & {r.id for r in test}
    for lang in LANGUAGES:
        share = sum(r.language == lang for r in dev) / sum(r.language == lang for r in replies)
        assert 0.22 < share < 0.38, (lang, share)


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (_line("en-x2", language="de"), "language"),
        (_line("en-x2", labels={s: False for s in SIGNALS if s != "empathy"}), "labels.empathy"),
        (
            _line("en-x2", labels={**{s: False for s in SIGNALS}, "rudeness": "yes"}),
            "labels.rudeness",
        ),
        (_line("en-x2", text=""), "text"),
        (_line("en-x2", register="slang"), "register"),
        (_line("en-x1"), "id"),  # duplicate id
        ('{"id": "en-x2", ', "(line)"),
    ],
)
def test_a_bad_line_names_file_line_and_field(tmp_path: Path, bad: str, field: str) -> None:
    path = tmp_path / "replies.jsonl"
    path.write_text(_line() + "\n\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(path)
    err = caught.value
    assert (err.path, err.line, err.field) == (str(path), 3, field)
    assert str(path) in str(err) and "line 3" in str(err) and repr(field) in str(err)


# -- the harness ------------------------------------------------------------------------


def _reply(i: int, **labels: bool) -> Reply:
    return Reply(
        f"en-t{i}",
        "en",
        f"text {i}",
        None,
        "project",
        "formal",
        {s: labels.get(s, False) for s in SIGNALS},
    )


def _analysis(i: int, *signals: Signal) -> MessageAnalysis:
    return MessageAnalysis(f"text {i}", "en", "agent", signals)


def test_scores_are_hand_computed() -> None:
    hello = Signal("greeting", "present", 0.6, (Evidence(0, 5, "Hello"),))
    absent = Signal("greeting", "absent", 0.0)
    gold = [True, True, False, False, True]
    fired = [hello, absent, hello, absent, hello]
    replies = [_reply(i, greeting=g) for i, g in enumerate(gold)]
    analyses = [_analysis(i, s) for i, s in enumerate(fired)]
    s = evaluate.score_signal(replies, analyses, "en", "greeting")
    # tp 2 (0, 4), fp 1 (2), fn 1 (1), tn 1 (3)
    assert (s.tp, s.fp, s.fn, s.support, s.n) == (2, 1, 1, 3, 5)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 / 3) and s.accuracy == pytest.approx(3 / 5)
    # 3 of 5 positive: the majority predictor always fires -> acc 0.6, F1 6 / 8
    assert s.baseline == "always fires" and s.baseline_accuracy == pytest.approx(0.6)
    assert s.baseline_f1 == pytest.approx(0.75)
    assert s.false_positives == [{"id": "en-t2", "text": "text 2", "evidence": ["Hello"]}]
    assert [x["id"] for x in s.false_negatives] == ["en-t1"]


def test_framing_labels_map_to_both_polarities() -> None:
    mixed = Signal("language_framing", "mixed", 0.0)
    negative = Signal("language_framing", "negative", -1.0)
    replies = [_reply(0, negative_framing=True, positive_framing=True), _reply(1), _reply(2)]
    analyses = [_analysis(0, mixed), _analysis(1, negative), _analysis(2)]
    neg = evaluate.score_signal(replies, analyses, "en", "negative_framing")
    pos = evaluate.score_signal(replies, analyses, "en", "positive_framing")
    assert (neg.tp, neg.fp, neg.fn) == (1, 1, 0) and neg.precision == pytest.approx(0.5)
    assert (pos.tp, pos.fp, pos.fn) == (1, 0, 0) and pos.recall == 1.0
    # 1 of 3 positive: never fires is the majority, accuracy 2 / 3, F1 0
    assert pos.baseline == "never fires" and pos.baseline_accuracy == pytest.approx(2 / 3)
    personal = evaluate.score_signal(
        [_reply(0, personalisation=True), _reply(1)], analyses[:2], "en", "personalisation"
    )
    # no personalisation signal in these analyses: never fires
    assert personal.analyzer == "personalisation" and personal.recall == 0.0
    assert math.isnan(personal.precision) and personal.f1 == 0.0


def test_the_command_runs_on_a_small_corpus(tmp_path: Path) -> None:
    lines = [
        _line(f"en-c{i}", text=text, labels={s: s == "greeting" and g for s in SIGNALS})
        for i, (text, g) in enumerate([("Hello Sam, happy to help.", True), ("Ok.", False)])
    ]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    argv = ["signals", "--corpus", str(corpus), "--split", "all", "--json", str(out)]
    assert evaluate.main(argv) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    scores = {s["signal"]: s for s in payload["scores"]}
    assert set(scores) == set(SIGNALS) and scores["greeting"]["n"] == 2
    assert scores["personalisation"]["analyzer"] == "personalisation"
    assert set(payload["headline"]) == {"en"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n", encoding="utf-8")
    assert evaluate.main(["signals", "--corpus", str(bad)]) == 2


def test_the_command_adds_the_tweets_only_with_twcs(tmp_path: Path) -> None:
    corpus, sample = _twcs_files(tmp_path, _label_line(12))
    out = tmp_path / "out.json"
    base = ["signals", "--corpus", str(corpus), "--split", "all", "--json", str(out)]
    assert evaluate.main(base) == 0
    n_without = {s["signal"]: s["n"] for s in json.loads(out.read_text("utf-8"))["scores"]}
    assert evaluate.main([*base, "--twcs", str(sample)]) == 0
    payload = json.loads(out.read_text("utf-8"))
    assert payload["twcs"] == str(sample)
    greeting = next(s for s in payload["scores"] if s["signal"] == "greeting")
    # one project reply (no greeting) + one tweet labelled greeting ("Hi")
    assert (n_without["greeting"], greeting["n"], greeting["support"]) == (1, 2, 1)
    assert evaluate.main([*base, "--twcs", str(tmp_path / "nope.csv")]) == 2
