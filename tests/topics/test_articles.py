"""Coverage: topics matched to knowledge-base articles by TF-IDF cosine (sanjeh.topics).

Hand-built topics and articles with exact expected matches; a topic no article answers;
an article in another language never matched (even when its words are the topic's);
HTML stripped; the title weighing more than the body; and the scores recomputed with
scikit-learn's TfidfVectorizer from the documented definition.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from sanjeh.store import Store
from sanjeh.topics import COVERED_AT, coverage, terms
from sanjeh.topics._articles import TITLE_WEIGHT, match, strip_html, topic_text

WHEN = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)


def topic(tid: str, lang: str, label: str, phrases: list[str], examples: list[str]) -> dict:
    return {
        "topic_id": tid,
        "language": lang,
        "label": label,
        "key_phrases": json.dumps(phrases, ensure_ascii=False),
        "examples": json.dumps(
            [{"ticket_id": f"t:{tid}-{i}", "text": e} for i, e in enumerate(examples)],
            ensure_ascii=False,
        ),
        "size": 10 * len(examples),
        "model_version": "topics-test",
        "created_at": WHEN,
    }


def article(aid: str, lang: str | None, title: str, body: str) -> dict:
    return {
        "article_id": f"kb:{aid}",
        "source": "kb",
        "external_id": aid,
        "title": title,
        "body": body,
        "url": f"https://help.example.com/{aid}",
        "language": lang,
        "updated_at": WHEN,
    }


TOPICS = [
    topic(
        "en-00",
        "en",
        "refund · money back",
        ["refund", "money back"],
        ["I cancelled my order but haven't got my money back.", "When will my refund arrive?"],
    ),
    topic(
        "en-01",
        "en",
        "password · verification code",
        ["password", "verification code"],
        ["I forgot my password and the reset link doesn't work.", "Verification code never comes"],
    ),
    topic(
        "en-02",
        "en",
        "courier · parcel",
        ["courier", "parcel"],
        ["The courier never showed up with my parcel.", "Where is my parcel?"],
    ),
    topic(
        "fa-00",
        "fa",
        "بازگشت وجه · استرداد",
        ["بازگشت وجه", "استرداد"],
        ["سفارشم رو لغو کردم ولی هنوز پولم برنگشته.", "ده روزه منتظر بازگشت وجه هستم."],
    ),
]
ARTICLES = [
    article(
        "1",
        "en",
        "How refunds work",
        "<p>When you cancel an order, your <b>refund</b> reaches your card in 3&ndash;5 days."
        " Money back goes to the card you paid with.</p>",
    ),
    article(
        "2",
        "en",
        "Reset your password",
        "<div>Open the login page, choose <i>forgot password</i> and follow the reset link."
        " If the verification code does not arrive, check your phone number.</div>",
    ),
    article(
        "3",
        "fa",
        "بازگشت وجه سفارش لغو شده",
        "<p>استرداد وجه تا ۷۲ ساعت کاری به کارت شما واریز می‌شود.</p>",
    ),
    # English words, but declared Arabic: never matched with an English topic
    article("4", "ar", "refund money back courier parcel", "refund refund parcel courier"),
    # no language: found from its text (English), about opening hours
    article("5", None, "Opening hours", "Our support team answers from nine to five."),
]


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(str(tmp_path / "kb.duckdb")) as s:
        s.write("topics", TOPICS)
        s.write("kb_articles", ARTICLES)
        yield s


def test_exact_matches(store: Store) -> None:
    found = {c.topic_id: c for c in coverage(store)}
    assert list(found) == ["en-00", "en-01", "en-02", "fa-00"]
    assert found["en-00"].best is not None and found["en-00"].best.article_id == "kb:1"
    assert found["en-00"].covered and found["en-00"].best.url == "https://help.example.com/1"
    assert found["en-01"].best is not None and found["en-01"].best.article_id == "kb:2"
    assert found["en-01"].covered
    assert found["fa-00"].best is not None and found["fa-00"].best.article_id == "kb:3"
    assert found["fa-00"].covered
    # password articles never match the refund topic better than the refund article
    assert next(m.article_id for m in found["en-00"].matches) == "kb:1"


def test_a_topic_no_article_answers(store: Store) -> None:
    parcel = {c.topic_id: c for c in coverage(store)}["en-02"]
    assert not parcel.covered
    # the only article with its words is in another language: nothing above zero
    assert all(m.article_id != "kb:4" for m in parcel.matches)
    assert parcel.best is None or parcel.best.score < COVERED_AT


def test_another_languages_article_is_never_matched(store: Store) -> None:
    for c in coverage(store):
        for m in c.matches:
            assert m.article_id != "kb:4", c.topic_id  # Arabic: no Arabic topic here
        if c.language == "fa":
            assert {m.article_id for m in c.matches} <= {"kb:3"}
        if c.language == "en":
            assert "kb:3" not in {m.article_id for m in c.matches}


def test_html_is_stripped() -> None:
    assert strip_html("<p>a <b>refund</b></p><script>password()</script>&amp; more") == (
        " a  refund   & more"
    )
    assert "script" not in terms(strip_html("<script>var x</script><style>p{}</style>ok"), "en")


def test_the_title_counts_more_than_the_body() -> None:
    topics = pd.DataFrame([topic("en-00", "en", "invoice", ["invoice"], ["invoice wrong"])])
    arts = pd.DataFrame(
        [
            article("b", "en", "Billing questions", "Your invoice lists every charge. Billing."),
            article("t", "en", "Your invoice", "Billing questions and every charge listed."),
        ]
    )
    (c,) = match(topics, arts)
    assert [m.article_id for m in c.matches] == ["kb:t", "kb:b"]


def test_a_threshold_decides_covered() -> None:
    topics = pd.DataFrame([TOPICS[0]])
    arts = pd.DataFrame([ARTICLES[0]])
    (c,) = match(topics, arts)
    assert c.best is not None
    assert match(topics, arts, threshold=c.best.score)[0].covered
    assert not match(topics, arts, threshold=c.best.score + 1e-3)[0].covered


def test_scores_recomputed_with_scikit_learn(store: Store) -> None:
    """The definition: per language, documents = topics then articles; tf counts the
    title TITLE_WEIGHT times; (1 + log tf) · (ln((1 + N) / (1 + df)) + 1), unit length,
    cosine. TfidfVectorizer(sublinear_tf, smooth_idf, norm l2) is exactly that."""
    found = {c.topic_id: c for c in coverage(store)}
    for lang in ("en", "fa"):
        tops = [t for t in TOPICS if t["language"] == lang]
        arts = [a for a in ARTICLES if (a["language"] or "en") == lang]
        docs = [topic_text(t["label"], t["key_phrases"], t["examples"]) for t in tops]
        docs += ["\n".join([a["title"]] * TITLE_WEIGHT + [strip_html(a["body"])]) for a in arts]
        vec = TfidfVectorizer(
            analyzer=lambda d, lang=lang: terms(d, lang), sublinear_tf=True, smooth_idf=True
        )
        m = vec.fit_transform(docs)
        sims = (m[: len(tops)] @ m[len(tops) :].T).toarray()
        for i, t in enumerate(tops):
            expected = sorted(
                (
                    (round(float(s), 6), a["article_id"])
                    for s, a in zip(sims[i], arts, strict=True)
                    if s > 0
                ),
                key=lambda x: (-x[0], x[1]),
            )[:3]
            got = [(m_.score, m_.article_id) for m_ in found[t["topic_id"]].matches]
            assert [g[1] for g in got] == [e[1] for e in expected], t["topic_id"]
            for g, e in zip(got, expected, strict=True):
                assert g[0] == pytest.approx(e[0], abs=1e-6)


def test_no_topics_no_coverage(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "e.duckdb")) as s:
        s.write("kb_articles", ARTICLES)
        assert coverage(s) == []


WORDS = st.sampled_from(["refund", "card", "password", "parcel", "courier", "invoice", "login"])


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(WORDS, min_size=1, max_size=6, unique=True), min_size=1, max_size=4),
    st.lists(st.lists(WORDS, min_size=1, max_size=6, unique=True), min_size=0, max_size=5),
)
def test_scores_are_cosines(topic_words: list[list[str]], article_words: list[list[str]]) -> None:
    """Every score lies in (0, 1], matches are best first, and an article whose title
    has exactly the topic's words (each once) scores 1 and comes first: the weights are
    proportional then, whatever the title's weight."""
    topics = pd.DataFrame(
        [topic(f"en-{i:02}", "en", " ".join(w), [], []) for i, w in enumerate(topic_words)]
    )
    arts = pd.DataFrame(
        [article(str(i), "en", " ".join(w), "") for i, w in enumerate(article_words)]
    )
    for c, words in zip(match(topics, arts), topic_words, strict=True):
        scores = [m.score for m in c.matches]
        assert all(0 < s <= 1 + 1e-6 for s in scores)
        assert scores == sorted(scores, reverse=True)
        same = {f"kb:{i}" for i, w in enumerate(article_words) if set(w) == set(words)}
        if same:
            assert c.best is not None and c.best.score == pytest.approx(1.0, abs=1e-6)
            assert c.best.article_id in same
        else:
            assert all(s < 1 - 1e-6 for s in scores)


# -- the example knowledge-base export (examples/kb) ----------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kb"


def test_the_example_export_imports(tmp_path: Path) -> None:
    from sanjeh import import_file

    with Store.open(str(tmp_path / "ex.duckdb")) as s:
        for name, table, rows in [
            ("kb_articles.csv", "kb_articles", 8),
            ("kb_articles.jsonl", "kb_articles", 8),
            ("article_views.csv", "article_views", 7),
        ]:
            first = import_file(s, EXAMPLES / name)
            assert first.format == table and first.rows_read == rows
            assert (
                first.rows_read
                == first.tables[table].inserted + first.tables[table].unchanged + first.rejected
            )
            assert first.rejected == 0
            again = import_file(s, EXAMPLES / name)
            assert again.tables[table].inserted == 0 and again.tables[table].replaced == 0
            assert again.tables[table].unchanged == rows
        assert s.counts(["kb_articles", "article_views"]) == {"kb_articles": 8, "article_views": 7}
        # the CSV and its JSON Lines twin hold the same rows: the second import changed none
        s.write(
            "topics",
            [topic("fa-00", "fa", "رمز عبور · بازیابی", ["رمز عبور"], ["رمزم را فراموش کردم"])],
        )
        (c,) = coverage(s)
        assert c.covered and c.best is not None and c.best.article_id == "helpcenter:360001"
        assert c.best.url == "https://help.example.com/fa/articles/360001"


# -- sanjeh topics coverage ---------------------------------------------------------------


def test_cli_coverage(store: Store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sanjeh.cli import app

    db = str(tmp_path / "kb.duckdb")
    store.close()  # (the command opens the file itself)
    runner = CliRunner()
    result = runner.invoke(app, ["topics", "coverage", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    found = {c["topic_id"]: c for c in json.loads(result.output)}
    assert found["en-00"]["covered"] and found["en-00"]["matches"][0]["article_id"] == "kb:1"
    assert not found["en-02"]["covered"] and found["en-02"]["matches"] == []
    result = runner.invoke(app, ["topics", "coverage", "--db", db])
    assert result.exit_code == 0, result.output
    assert "3 of 4 topics covered" in result.output and "How refunds work" in result.output


def test_cli_coverage_without_topics(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sanjeh.cli import app

    db = str(tmp_path / "none.duckdb")
    with Store.open(db) as s:
        s.write("kb_articles", ARTICLES)
    result = CliRunner().invoke(app, ["topics", "coverage", "--db", db])
    # (`sanjeh` prints the error's one line; the runner keeps the exception)
    assert result.exit_code == 1 and "sanjeh topics discover" in str(result.exception)
