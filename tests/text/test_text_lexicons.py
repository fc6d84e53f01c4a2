"""The shipped lexicons: every file parses, every analyzer has phrases in every language."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from sanjeh.errors import ConfigError
from sanjeh.text._lexicon import load_language, parse_lexicon

CATEGORIES = {
    "greeting", "closing", "politeness", "empathy", "apology", "positive_language",
    "negative_language", "rude", "ownership", "active_listening", "follow_up", "wow",
    "escalation", "sentiment", "negator", "intensifier", "contrast",
}  # fmt: skip


@pytest.mark.parametrize("language", ["fa", "ar", "en"])
def test_every_category_has_phrases(language: str) -> None:
    counts = Counter(e.category for e in load_language(language))
    assert set(counts) >= CATEGORIES, CATEGORIES - set(counts)
    assert all(counts[c] >= 3 for c in CATEGORIES), counts
    assert counts["sentiment"] >= 100


def test_lexipers_is_cited_and_loaded_after_project_entries() -> None:
    folder = Path(str(resources.files("sanjeh.text") / "lexicons" / "fa"))
    header = (folder / "sentiment.lexipers.tsv").read_text("utf-8")[:800]
    assert "Sabeti" in header and "commercial" in header
    entries = [e for e in load_language("fa") if e.category == "sentiment"]
    first_lexipers = next(i for i, e in enumerate(entries) if e.tag == "lexipers")
    assert all(e.tag != "lexipers" for e in entries[:first_lexipers])


def test_bad_lexicon_lines_are_reported() -> None:
    with pytest.raises(ConfigError, match=r"x\.tsv:2"):
        parse_lexicon(["ok\t1\n", "bad\tweight\n"], "greeting", "en", "x.tsv")
    with pytest.raises(ConfigError):
        parse_lexicon(["!!!\n"], "greeting", "en", "x.tsv")
    with pytest.raises(ConfigError):
        load_language("de")


def test_wildcard_matches_word_start() -> None:
    (entry,) = parse_lexicon(["ممنون*\t1\n"], "politeness", "fa", "x.tsv")
    assert entry.tokens == ("ممنون",) and entry.prefix == (True,)
