"""Zendesk Guide articles (Help Center API JSON) → kb_articles: the sample imports
exactly (ids namespaced, locales as languages, edited_at as the version), drafts and
articles without an id or a title are refused with the reason, nothing is lost, and a
second import changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.ingest import import_file
from sanjeh.ingest._readers import columns_of, file_kind
from sanjeh.ingest.formats import detect
from sanjeh.store import Store

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kb" / "zendesk_guide_articles.json"


def _articles(store: Store) -> dict[str, dict]:
    rows = store.table("kb_articles").to_pyarrow().to_pylist()
    return {r["article_id"]: r for r in rows}


def test_the_sample_imports_exactly(store: Store) -> None:
    summary = import_file(store, SAMPLE)
    assert summary.format == "zendesk_guide"
    # four articles read: three taken, the draft refused
    assert (summary.rows_read, summary.inserted, summary.rejected) == (4, 3, 1)
    found = _articles(store)
    assert set(found) == {"zendesk:360001", "zendesk:360002", "zendesk:360003"}
    fa = found["zendesk:360001"]
    assert fa["title"] == "بازیابی رمز عبور" and fa["language"] == "fa"
    assert fa["url"] == "https://example.zendesk.com/hc/fa/articles/360001"
    assert fa["category"] == "1201" and fa["external_id"] == "360001"
    assert found["zendesk:360002"]["language"] == "ar"  # ar-sa
    assert found["zendesk:360003"]["language"] == "en"  # en-us
    assert str(found["zendesk:360003"]["updated_at"])[:16] == "2026-03-05 12:00"
    reject = store.table("import_rejects").to_pyarrow().to_pylist()
    assert [(r["row"], r["field"]) for r in reject] == [(4, "draft")]
    assert "draft" in reject[0]["reason"]


def test_importing_again_changes_nothing(store: Store) -> None:
    first = import_file(store, SAMPLE)
    before = _articles(store)
    again = import_file(store, SAMPLE)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, first.inserted)
    assert _articles(store) == before


def test_articles_without_id_or_title_are_refused(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    articles = [
        {"id": 1, "title": "Refunds", "html_url": "https://h/1", "locale": "en-gb"},
        {"title": "No id", "html_url": "https://h/2"},
        {"id": 3, "title": "  ", "html_url": "https://h/3"},
        "not an object",
    ]
    path.write_text(json.dumps({"articles": articles}), encoding="utf-8")
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.inserted, summary.rejected) == (4, 1, 3)
    fields = [r["field"] for r in duckdb_store.table("import_rejects").to_pyarrow().to_pylist()]
    assert sorted(f or "" for f in fields) == ["", "id", "title"]


def test_detection_takes_only_help_center_answers(tmp_path: Path) -> None:
    kind = file_kind(SAMPLE)
    assert detect(SAMPLE, kind, columns_of(SAMPLE, kind)).name == "zendesk_guide"
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"articles": [{"headline": "x"}]}), encoding="utf-8")
    kind = file_kind(other)
    from sanjeh.ingest.formats.zendesk_guide import ZendeskGuide

    assert ZendeskGuide().score(other, kind, columns_of(other, kind)) == 0.0


ARTICLE = st.one_of(
    st.fixed_dictionaries(
        {"title": st.sampled_from(["Refunds", "بازیابی رمز", "  ", ""])},
        optional={
            "id": st.one_of(st.integers(1, 5), st.just("")),
            "draft": st.booleans(),
            "locale": st.sampled_from(["fa", "ar-sa", "en-us", ""]),
            "html_url": st.just("https://h/x"),
        },
    ),
    st.sampled_from([None, 7, "text", []]),
)


def _refused(article: object) -> bool:
    """The format's rule, from its documentation: not an object, no id, no title, draft."""
    if not isinstance(article, dict):
        return True
    blank_title = not str(article.get("title") or "").strip()
    return article.get("id") in (None, "") or blank_title or article.get("draft") is True


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(articles=st.lists(ARTICLE, max_size=8))
def test_no_article_is_lost(duckdb_store: Store, tmp_path: Path, articles: list) -> None:
    path = tmp_path / "guide.json"
    path.write_text(json.dumps({"articles": articles}), encoding="utf-8")
    before = set(_articles(duckdb_store))
    summary = import_file(duckdb_store, path, format="zendesk_guide")
    refused = [a for a in articles if _refused(a)]
    taken = [a for a in articles if not _refused(a)]
    # rows read = accepted + rejected; an id given twice is one article (the last wins)
    assert summary.rows_read == len(articles) == len(taken) + summary.rejected
    assert summary.rejected == len(refused)
    expected = {f"zendesk:{a['id']}" for a in taken}
    assert expected <= set(_articles(duckdb_store)) <= before | expected
