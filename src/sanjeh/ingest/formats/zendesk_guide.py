"""Zendesk Guide (help centre) articles as the Help Center API lists them (JSON) →
``kb_articles``: ``{"articles": [{"id", "title", "body", "html_url", "locale",
"section_id", "updated_at", "draft", …}, …]}`` — one page of ``GET
/api/v2/help_center/articles.json``, or the articles of several pages joined in one
list. See docs/formats.md, "Knowledge-base exports".

Drafts are refused with the reason (customers cannot read them, so they cover nothing);
an article without an id or a title is refused too. Locales become languages (``fa``,
``ar-sa`` → ``ar``, ``en-us`` → ``en``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from ...errors import IngestError
from .._readers import FileKind
from .._rows import Chunk, RawRows, Reject
from ._base import Context, Format
from ._transcripts import document, document_or_none

TABLE = "kb_articles"
_COLUMNS = ("article_id", "external_id", "title", "body", "url", "language", "category")


class ZendeskGuide(Format):
    name = "zendesk_guide"
    title = "Zendesk Guide help-centre articles (Help Center API JSON)"
    default_source = "zendesk"
    tables = (TABLE,)
    kinds = ("json", "jsonl")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        if "articles" not in columns:
            return 0.0
        articles = _articles(document_or_none(path, kind))
        first = articles[0] if articles else None
        return 0.9 if isinstance(first, dict) and {"title", "html_url"} <= set(first) else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        articles = _articles(document(ctx))
        if articles is None:
            raise IngestError(ctx.path, "no 'articles' list: not a Zendesk Help Center answer")
        values: dict[str, list[Any]] = {c: [] for c in (*_COLUMNS, "updated_at")}
        rows: list[int] = []
        rejects: list[Reject] = []
        for n, article in enumerate(articles, start=1):
            why = _refused(article)
            if why is not None:
                field, reason = why
                raw = article if isinstance(article, dict) else {"value": article}
                value = None if field == "" else str(raw.get(field))
                rejects.append(Reject(n, reason, field=field, value=value, raw=raw, table=TABLE))
                continue
            ident = str(article["id"])
            values["article_id"].append(ident)
            values["external_id"].append(ident)
            values["title"].append(str(article["title"]))
            values["body"].append(_text(article.get("body")))
            values["url"].append(_text(article.get("html_url")))
            values["language"].append(_language(article.get("locale")))
            values["category"].append(_text(article.get("section_id")))
            values["updated_at"].append(
                _text(article.get("edited_at") or article.get("updated_at"))
            )
            rows.append(n)
        data = pa.table(
            {
                **{c: pa.array(v, pa.string()) for c, v in values.items()},
                "source": pa.array([ctx.source] * len(rows), pa.string()),
            }
        )
        yield Chunk(
            tables={TABLE: RawRows(data, pa.array(rows, pa.int64()))},
            rejects=rejects,
            rows_read=len(articles),
        )


def _articles(doc: Any) -> list[Any] | None:
    found = doc.get("articles") if isinstance(doc, dict) else None
    return found if isinstance(found, list) else None


def _refused(article: Any) -> tuple[str, str] | None:
    """(field, reason) when the article cannot be taken, else None."""
    if not isinstance(article, dict):
        return "", "not a JSON object: each article is one object"
    if article.get("id") in (None, ""):
        return "id", "no id: the article cannot be told apart from others"
    if not str(article.get("title") or "").strip():
        return "title", "no title"
    if article.get("draft") is True:
        return "draft", "not published: customers cannot read a draft, so it answers no topic"
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _language(locale: Any) -> str | None:
    """``en-us`` → ``en``: the language part of a Zendesk locale."""
    if not isinstance(locale, str) or not locale.strip():
        return None
    return locale.strip().lower().replace("_", "-").split("-")[0]


FORMATS = [ZendeskGuide()]
