"""The demo's knowledge base: articles for half of the categories in fa / ar / en, views
by the demo's customers, some followed by a ticket within days; and every other demo
table the same with or without them (their own random stream)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sanjeh.demo import generate
from sanjeh.demo._const import CATEGORIES, DEMO_TABLES
from sanjeh.demo._knowledge import COVERED
from sanjeh.store import Store
from sanjeh.text import detect_language
from sanjeh.topics._articles import strip_html

from ._support import SMALL, Demo


def test_articles_for_half_of_the_categories_in_three_languages(demo: Demo) -> None:
    a = demo.frame("kb_articles")
    assert set(a.category) == set(COVERED) and len(COVERED) == len(CATEGORIES) // 2
    assert len(a) == len(COVERED) * 3 and a.article_id.is_unique
    assert (a.groupby("category").language.apply(set) == {"fa", "ar", "en"}).all()
    for r in a.itertuples():
        # each written in its own language (fa and ar told apart by their letters)
        assert detect_language(f"{r.title}\n{strip_html(r.body)}") == r.language, r.article_id
        assert r.url.startswith("https://") and r.title
    assert (a.updated_at < demo.summary.start).all()


def test_views_by_demo_customers_some_followed_by_a_ticket(demo: Demo) -> None:
    v = demo.frame("article_views")
    a = demo.frame("kb_articles")
    customers = demo.frame("customers")
    assert len(v) > SMALL * 0.5 and v.view_id.is_unique
    assert set(v.article_id) <= set(a.article_id)
    assert set(v.customer_id) <= set(customers.customer_id)
    assert v.viewed_at.min() >= demo.summary.start and v.viewed_at.max() < demo.summary.end
    assert set(v.channel) == {"help_center", "app", "bot"}
    # followed by a ticket of the same customer within 3 days (pandas, from the rows)
    t = demo.tickets.reset_index()[["customer_id", "created_at"]]
    j = v.merge(t, on="customer_id", how="left")
    after = (j.created_at > j.viewed_at) & (j.created_at <= j.viewed_at + pd.Timedelta(days=3))
    followed = after.groupby(j.view_id).any()
    share = followed.mean()
    assert 0.15 < share < 0.85, share  # deflection is neither 0 nor 100 %
    # a customer reads the article of their ticket's category in their language
    art = a.set_index("article_id")
    first = j[after].merge(
        demo.tickets.reset_index()[["customer_id", "created_at", "category", "language"]],
        on=["customer_id", "created_at"],
    )
    same = (art.loc[first.article_id, "category"].to_numpy() == first.category.to_numpy()) & (
        art.loc[first.article_id, "language"].to_numpy() == first.language.to_numpy()
    )
    assert same.mean() > 0.4


def test_the_other_tables_are_the_same_without_them(demo: Demo, tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "plain.duckdb")) as plain:
        summary = generate(plain, tickets=SMALL, seed=7, knowledge=False)
        assert "kb_articles" not in summary.rows and "article_views" not in summary.rows
        assert plain.counts(["kb_articles", "article_views"]) == {
            "kb_articles": 0,
            "article_views": 0,
        }
        for name in DEMO_TABLES:
            key = plain.table(name).columns[0]
            ours = plain.table(name).to_pandas().sort_values(key, ignore_index=True)
            theirs = demo.frame(name).sort_values(key, ignore_index=True)
            pd.testing.assert_frame_equal(ours, theirs, check_like=False, obj=name)


@pytest.mark.parametrize("table", ["kb_articles", "article_views"])
def test_generating_twice_changes_nothing(demo: Demo, table: str) -> None:
    before = demo.store.counts([table])
    generate(demo.store, tickets=SMALL, seed=7)
    assert demo.store.counts([table]) == before
