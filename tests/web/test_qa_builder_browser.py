"""The bar of issue #22 in a real browser (Debian's chromium driven by Playwright, a real
uvicorn server): in Persian, a manager builds a scorecard with a critical and a bonus
question in the form builder (live preview = the server's maths), saves it; a reviewer
grades a conversation with it; the category is on /qa/insights. Also: the builder's
script computes review scores exactly as ``sanjeh.qa.review_score``, and the builder
works as a plain form with the script off.

Skipped, with the reason, when chromium or playwright is missing (as test_qa_browser).
Screenshots ``qa-builder-fa`` and ``qa-review-kinds-fa`` (docs/screenshots/ with
``pytest --screenshots``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.qa import Scorecard, default_scorecard, review_score
from sanjeh.store import Store
from sanjeh.text import score_store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_qa_browser import ARGS, CHROMIUM, FAST, PASSWORD, Tab

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    path = tmp_path_factory.mktemp("qa-builder-browser") / "qa.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=150, seed=9)
        score_store(store)
        t = store.table("tickets")
        rows = t.filter(t.agent_id.like("%:a-%")).select("ticket_id", "agent_id")
        first = rows.order_by("ticket_id").limit(1).to_pyarrow().to_pylist()[0]
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "mina", PASSWORD, "manager", "Mina Manager")
        accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer", "Sara Reviewer")
    app = create_app(str(path), warm=False)
    app.state.accounts.hasher = FAST
    with Server(app) as url:
        yield {"url": url, "ticket": first["ticket_id"]}
    app.state.source.store.close()


@pytest.fixture
def tab(browser: Any, site: dict[str, str], screenshots: Path) -> Iterator[Tab]:
    t = Tab(browser, site["url"], screenshots)
    yield t
    local = {urlparse(site["url"]).netloc}
    outside = [
        u
        for u in t.requests
        if urlparse(u).netloc not in local and not u.startswith(("data:", "blob:"))
    ]
    t.context.close()
    assert not outside, f"requests left the server: {outside}"
    assert not t.errors, f"console errors: {t.errors}"


def _fill_category(page: Any, i: int, j: int, values: dict[str, Any]) -> None:
    p = f"c.{i}.{j}."
    for name in ("id", "name", "weight", "causes"):
        if name in values:
            page.fill(f"[name='{p}{name}']", str(values[name]))
    for name in ("scale", "kind", "example"):
        if name in values:
            page.select_option(f"[name='{p}{name}']", str(values[name]))
    if "signals" in values:
        page.select_option(f"[name='{p}signals']", values["signals"])
    if values.get("na"):
        page.check(f"[name='{p}na']")


def _live(page: Any) -> float:
    return float(page.locator("[data-live-preview]").get_attribute("data-value"))


def test_build_in_persian_grade_and_see_the_category_on_insights(
    tab: Tab, site: dict[str, str]
) -> None:
    # a manager opens the builder from the scorecards page
    page = tab.login("mina", "/qa/scorecards?lang=fa")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("[data-qa-builder-new]")
    assert urlparse(page.url).path == "/qa/scorecards/builder"
    assert page.get_attribute("html", "dir") == "rtl"
    assert "سازندهٔ کارت امتیاز" in page.locator("h1, h2, .qa").first.inner_text() + page.title()
    page.fill("[name=id]", "chat-fa")
    page.fill("[name=name]", "کارت گفتگو")
    page.fill("[name='s.0.id']", "solution")
    page.fill("[name='s.0.name']", "راه‌حل")
    _fill_category(
        page,
        0,
        0,
        {"id": "correct", "name": "پاسخ درست", "weight": 60, "kind": "critical",
         "causes": "کمبود دانش", "example": 4},
    )  # fmt: skip
    add = page.locator("[data-b-section] > [data-op=add_category]")
    add.click()
    add.click()  # the script adds rows in the page: no request
    assert page.locator("[data-b-category]").count() == 3
    _fill_category(
        page, 0, 1,
        {"id": "extra", "name": "فراتر از انتظار", "weight": 5, "scale": "binary",
         "kind": "bonus", "na": True, "signals": ["wow"], "example": 1},
    )  # fmt: skip
    _fill_category(
        page, 0, 2,
        {"id": "polite", "name": "ادب", "weight": 40, "scale": "4", "signals": ["politeness"],
         "example": 3},
    )  # fmt: skip
    # move "polite" above the bonus: the fields are renamed in their new order
    page.locator("[data-b-category]").nth(2).locator("[data-op=up]").click()
    assert page.input_value("[name='c.0.1.id']") == "polite"
    assert page.input_value("[name='c.0.2.id']") == "extra"
    assert page.input_value("[name='c.0.2.example']") == "1"
    # the live preview: correct 75 % × 60 + polite 66.7 % × 40 = 71.67, + 5 bonus points
    assert _live(page) == pytest.approx(76.6666667)
    assert page.locator("[data-live-preview]").inner_text() == "۷۶٫۷٪"
    assert "+۵٫۰" in page.locator("[data-live-detail]").inner_text()
    # the server computes the same number (the page sent back: the script keeps it live)
    with page.expect_navigation(wait_until="networkidle"):
        page.click("[data-b-recompute]")
    server = float(page.locator("[data-server-preview]").get_attribute("data-value"))
    assert server == _live(page)
    assert page.input_value("[name='c.0.1.name']") == "ادب"
    # a critical fail: the bonus does not rescue it
    page.select_option("[name='c.0.0.example']", "2")
    assert _live(page) == 0.0
    page.select_option("[name='c.0.0.example']", "4")
    tab.shot("qa-builder-fa")
    page.fill("[name=note]", "کارت تازهٔ گفتگو")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("[data-b-save]")
    assert urlparse(page.url).path == "/qa/scorecards"
    card = page.locator("details[data-scorecard=chat-fa]")
    assert card.get_attribute("open") is not None
    assert "نسخهٔ ۱" in card.locator("summary").inner_text()
    assert card.locator("tr[data-category=extra]").get_attribute("data-kind") == "bonus"
    assert card.locator("tr[data-category=correct] .qa-critical").count() == 1
    tab.logout()

    # a reviewer grades a conversation with it
    target = f"/qa/review/{site['ticket']}?scorecard=chat-fa&lang=fa"
    page = tab.login("sara", quote(target, safe="/"))
    assert page.get_attribute("html", "dir") == "rtl"
    grades = {"correct": "4", "polite": "2", "extra": "1"}
    for category, value in grades.items():
        box = page.locator(f".qa-category[data-category={category}]")
        box.locator(f"label.qa-rating:has(input[value='{value}'])").click()
    assert (
        page.locator(".qa-category[data-category=extra] .qa-kind").inner_text() == "امتیاز تشویقی"
    )
    # 75 × 60 + 33.3 × 40 = 58.33, + 5 = 63.33
    assert page.locator("[data-preview]").inner_text() == "۶۳٫۳٪"
    page.fill("textarea[name='comment.polite']", "لحن سرد بود.")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("[data-submit]")
    assert re.search(r"/qa/reviews/rev-[0-9a-f]+", page.url)
    assert page.locator("[data-qa-score]").inner_text() == "۶۳٫۳٪"
    assert "ادب" in page.locator("tr[data-category=polite]").inner_text()
    assert page.locator("[data-qa-bonus]").inner_text() == "امتیاز تشویقی: +۵٫۰"
    tab.shot("qa-review-kinds-fa")

    # the category on the insights page (the review is today's: a window ending today)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    page = tab.open(f"/qa/insights?lang=fa&scorecard=chat-fa&start={today}&end={today}")
    assert page.get_attribute("html", "dir") == "rtl"
    row = page.locator("table[data-qa-table=categories] tr[data-category=polite]")
    assert row.count() == 1 and "ادب" in row.inner_text()
    assert page.locator("table[data-qa-table=categories] tr[data-category=correct]").count() == 1


#: the worked example of docs/qa.md as the builder's script reads it
def _kinds_card() -> Scorecard:
    return Scorecard.from_dict(
        {
            "id": "k",
            "sections": [
                {
                    "id": "solution",
                    "categories": [
                        {"id": "correct", "weight": 40, "critical": True},
                        {"id": "complete", "weight": 20},
                    ],
                },
                {
                    "id": "compliance",
                    "categories": [
                        {"id": "identity", "weight": 10, "scale": "binary", "fail_section": True},
                        {"id": "privacy", "weight": 10, "scale": "4", "na_allowed": True},
                    ],
                },
                {
                    "id": "communication",
                    "categories": [
                        {"id": "tone", "weight": 20, "scale": "4"},
                        {"id": "extra_mile", "weight": 5, "scale": "binary", "bonus": True,
                         "na_allowed": True},
                    ],
                },
            ],
        }
    )  # fmt: skip


def test_the_script_scores_exactly_as_the_server(tab: Tab) -> None:
    page = tab.login("mina", "/qa/scorecards/builder?lang=en")
    rng = random.Random(2022)
    for card in (_kinds_card(), default_scorecard()):
        data = card.to_dict()
        for _ in range(60):
            ratings = {
                c.id: rng.choice([*c.scale.values, None] if rng.random() < 0.3 else c.scale.values)
                for c in card.categories
            }
            ours = review_score(card, ratings, complete=False)
            theirs = page.evaluate("([c, r]) => SanjehScore.review(c, r)", [data, ratings])
            assert theirs["score"] == ours.score  # to the last bit
            assert theirs["failed_critical"] == ours.failed_critical
            assert tuple(theirs["failed_sections"]) == ours.failed_sections
            assert theirs["bonus"] == ours.bonus
            assert theirs["sections"] == ours.sections


def test_the_builder_works_without_the_script(browser: Any, site: dict[str, str]) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site["url"] + "/login?next=/qa/scorecards/builder?scorecard=default%26lang=fa")
        page.fill("#login-username", "mina")
        page.fill("#login-password", PASSWORD)
        with page.expect_navigation():
            page.click("form.login-form button[type=submit]")
        assert page.locator("[data-b-category]").count() == 8
        with page.expect_navigation():
            page.locator("[data-b-section]").first.locator("> [data-op=add_category]").click()
        assert page.locator("[data-b-category]").count() == 9
        assert page.input_value("[name='c.0.2.id']") == ""
        with page.expect_navigation():
            page.locator("[data-b-category]").nth(2).locator("[data-op=remove]").click()
        page.select_option("[name='c.0.0.example']", "2")
        with page.expect_navigation():
            page.click("[data-b-recompute]")
        assert page.locator("[data-server-preview]").get_attribute("data-value") == "0.0"
        assert "امتیاز ارزیابی صفر است" in page.locator("[data-server-preview]").inner_text()
    finally:
        context.close()
