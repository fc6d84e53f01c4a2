"""The survey answer page (#14): a link answers once, and nothing else gets in.

A store of its own (a small demo with users, so that "no login" means something), a
CSAT survey sent through the library (``send_invitations``: real signed links in a real
outbox), requests through httpx's ASGI transport with the app's real batching writer
started. Every refusal is checked twice: its status and words, and the rows in
``survey_responses`` and ``survey_invitations`` counted before and after (nothing
stored).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh import surveys
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.accounts._links import sign, store_key
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._rate import RateLimit

from .surveysupport import CSAT as SURVEY
from .surveysupport import send_csat

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
HOST = "http://test"


@pytest.fixture(scope="module")
def setup(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[dict[str, Any]], dt.datetime]:
    """The store, the outbox's invitations (each with its link) and the sending time."""
    folder = tmp_path_factory.mktemp("survey-answers")
    path = folder / "answers.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=7)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "admin", PASSWORD, "admin", "Admin")
        sent, now = send_csat(store, folder / "outbox.jsonl", 80, ("fa", "ar", "en"), HOST)
    return path, sent, now


@pytest.fixture(scope="module")
def app(setup: tuple[Path, list[dict[str, Any]], dt.datetime]) -> Iterator[Any]:
    path, _, _ = setup
    application = create_app(str(path), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    application.state.survey_answers.writer.start()
    yield application
    application.state.survey_answers.writer.stop()
    application.state.intake.stop()
    application.state.source.stop()
    application.state.source.store.close()


@pytest.fixture
def desk(app: Any, setup: tuple[Path, list[dict[str, Any]], dt.datetime]) -> Any:
    """The answer desk with fresh limits, its clock at the sending time + 5 minutes."""
    _, _, now = setup
    found = app.state.survey_answers
    found.views = RateLimit(300, 60, "page views from this address")
    found.posts = RateLimit(120, 60, "answers from this address")
    found.per_link = RateLimit(10, 3600, "answers sent with this link")
    found.clock = lambda: now + dt.timedelta(minutes=5)
    return found


class Links:
    """The invitations of the outbox, handed out one per test (a link answers once)."""

    def __init__(self, sent: list[dict[str, Any]]) -> None:
        self.sent = sent
        self.next = 0

    def take(self, language: str | None = None) -> dict[str, Any]:
        while self.next < len(self.sent):
            item = self.sent[self.next]
            self.next += 1
            if language is None or item["language"] == language:
                return item
        raise AssertionError("the outbox has no invitation left for this test")


@pytest.fixture(scope="module")
def links(setup: tuple[Path, list[dict[str, Any]], dt.datetime]) -> Links:
    return Links(setup[1])


def request(app: Any, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=kwargs.pop("client", ("127.0.0.1", 5)))
        async with httpx.AsyncClient(transport=transport, base_url=HOST) as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def parts(link: str) -> tuple[str, str]:
    """(path, sig) of an answer link."""
    split = urlsplit(link)
    return split.path, parse_qs(split.query)["sig"][0]


def stored(app: Any) -> tuple[int, int]:
    """(answered survey_responses rows written by Sanjeh, invitations answered), once
    the writer has written what it took (an answer is acknowledged when journaled)."""
    assert app.state.survey_answers.writer.flush()
    source = app.state.source
    with source.db_lock:
        con = source.store.con
        r = con.table("survey_responses")
        answered = r.filter(r.response_id.startswith("sanjeh:") & r.submitted_at.notnull())
        i = con.table("survey_invitations")
        return int(answered.count().execute()), int(
            i.filter(i.status == "answered").count().execute()
        )


def post(app: Any, link: str, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
    path, sig = parts(link)
    return request(app, "POST", path, data={"sig": sig, "website": "", **fields}, **kwargs)


CSAT = {"csat": "5", "comment": "خیلی خوب بود، ممنون"}


# -- the way it should go ---------------------------------------------------------------------


def test_get_shows_the_form_in_the_recipients_language_and_stores_nothing(
    app: Any, desk: Any, links: Links
) -> None:
    item = links.take("fa")
    before = stored(app)
    path, sig = parts(item["link"])
    for _ in range(3):  # a mail scanner, a link preview, the person
        r = request(app, "GET", path, params={"sig": sig})
        assert r.status_code == 200, r.text[:300]
    assert 'lang="fa" dir="rtl"' in r.text
    assert 'name="csat"' in r.text and 'name="website"' in r.text
    assert "set-cookie" not in r.headers
    assert r.headers["cache-control"] == "no-store"
    assert stored(app) == before


def test_post_records_once_and_updates_within_grace(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    answers0, invited0 = stored(app)
    r = post(app, item["link"], CSAT)
    assert r.status_code == 200, r.text[:500]
    assert "data-recorded" in r.text
    answers1, invited1 = stored(app)
    assert invited1 == invited0 + 1
    assert answers1 > answers0
    # within the grace period: the answer changes, no row is added
    r = post(app, item["link"], {"csat": "2"})
    assert r.status_code == 200, r.text[:500]
    assert stored(app) == (answers1, invited1)
    # after it: refused, nothing changes
    desk.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    r = post(app, item["link"], {"csat": "1"}, headers={"Accept": "application/json"})
    assert r.status_code in (403, 409)  # (a year on, the link has expired as well)


def test_json_answer_and_json_errors(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    path, sig = parts(item["link"])
    r = request(app, "POST", path, json={"sig": sig, "answers": {"csat": 4}})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    r = request(app, "POST", path, json={"sig": sig + "x", "answers": {"csat": 4}})
    assert r.status_code == 403
    assert r.json()["error"]["type"] == "invalid_link"


# -- refusals: a clear 4xx, nothing stored ----------------------------------------------------


def test_reused_link_after_grace_is_refused(app: Any, desk: Any, links: Links) -> None:
    item = links.take("fa")
    assert post(app, item["link"], CSAT).status_code == 200
    before = stored(app)
    grace = surveys.default_definitions()[SURVEY].grace_minutes
    later = desk.clock() + dt.timedelta(minutes=grace + 1)
    desk.clock = lambda: later
    r = post(app, item["link"], {"csat": "1"})
    assert r.status_code == 409
    assert 'lang="fa"' in r.text and 'data-problem="answered"' in r.text
    assert stored(app) == before
    path, sig = parts(item["link"])
    r = request(app, "GET", path, params={"sig": sig}, headers={"Accept": "application/json"})
    assert r.status_code == 409 and r.json()["error"]["type"] == "already_answered"


@pytest.mark.parametrize(
    "forge",
    [
        lambda sig: sig[:-1] + ("A" if sig[-1] != "A" else "B"),  # one character changed
        lambda sig: sig[: len(sig) // 2],  # cut short
        lambda sig: "",  # none
        lambda sig: "0." + sig.split(".")[1],  # "never expires"
    ],
    ids=["changed", "cut", "missing", "no-expiry"],
)
def test_forged_signature_is_refused(app: Any, desk: Any, links: Links, forge: Any) -> None:
    item = links.take()
    before = stored(app)
    path, sig = parts(item["link"])
    r = request(app, "POST", path, data={"sig": forge(sig), "website": "", **CSAT})
    assert r.status_code == 403
    assert 'data-problem="invalid"' in r.text
    r = request(app, "GET", path, params={"sig": forge(sig)})
    assert r.status_code == 403
    assert stored(app) == before
    links.sent.append(item)  # (still unanswered: another test may use it)


def test_expired_link_is_refused(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    before = stored(app)
    expires = dt.datetime.fromisoformat(item["expires_at"])
    desk.clock = lambda: expires + dt.timedelta(seconds=1)
    r = post(app, item["link"], CSAT, headers={"Accept": "application/json"})
    assert r.status_code == 403
    assert r.json()["error"]["type"] == "link_expired"
    assert stored(app) == before


def test_wrong_or_unknown_invitation_is_refused_like_a_forgery(
    app: Any, desk: Any, links: Links
) -> None:
    item, other = links.take(), links.take()
    before = stored(app)
    _, sig = parts(item["link"])
    other_path, _ = parts(other["link"])
    # another invitation's id with this link's sig
    r = post(app, f"{HOST}{other_path}?sig={sig}", CSAT, headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json()["error"]["type"] == "invalid_link"
    # an id no invitation has, with a genuine sig for it (the store's key): the same 403
    key = store_key(app.state.source.store)
    made_up = "x" * 22
    genuine = sign("survey", made_up, expires=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), key=key)
    r = request(
        app,
        "POST",
        f"/s/{made_up}",
        data={"sig": genuine, "website": "", **CSAT},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 403 and r.json()["error"]["type"] == "invalid_link"
    r = request(app, "GET", "/s/bad%20id!", params={"sig": sig})
    assert r.status_code in (400, 403, 404)
    assert stored(app) == before
    links.sent += [item, other]


def test_ten_megabyte_body_is_refused(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    before = stored(app)
    path, sig = parts(item["link"])
    huge = "x" * (10 * 1024 * 1024)
    r = request(
        app,
        "POST",
        path,
        data={"sig": sig, "website": "", "csat": "5", "comment": huge},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 413, r.text[:300]
    assert r.json()["error"]["type"] == "too_large"
    assert stored(app) == before
    links.sent.append(item)


def test_thousand_posts_from_one_address_hit_the_limit(app: Any, desk: Any, links: Links) -> None:
    """1,000 POSTs from one address, each with a link of its own (valid for the first
    few): the first ``limit`` are taken, the rest 429 with Retry-After, nothing from
    them stored."""
    limit = 5
    desk.posts = RateLimit(limit, 60, "answers from this address")
    items = [links.take() for _ in range(limit + 3)]
    before_answers, before_invited = stored(app)
    statuses = []

    async def flood() -> None:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url=HOST) as client:
            for n in range(1000):
                item = items[n % len(items)]
                path, sig = parts(item["link"])
                r = await client.post(path, data={"sig": sig, "website": "", "csat": "4"})
                statuses.append(r.status_code)
                if r.status_code == 429:
                    assert int(r.headers["retry-after"]) >= 1

    asyncio.run(flood())
    assert statuses[:limit] == [200] * limit
    assert statuses[limit:] == [429] * (1000 - limit)
    # only the ones let in: one answered row (the score) and one invitation each
    assert stored(app) == (before_answers + limit, before_invited + limit)
    # another address is not held back by that one
    r = post(app, items[limit]["link"], CSAT, client=("198.51.100.7", 1))
    assert r.status_code == 200


def test_many_posts_with_one_link_hit_its_limit(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    desk.per_link = RateLimit(3, 3600, "answers sent with this link")
    codes = [post(app, item["link"], {"csat": str(1 + n % 5)}).status_code for n in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]


def test_honeypot_filled_is_not_stored(app: Any, desk: Any, links: Links) -> None:
    item = links.take("fa")
    before = stored(app)
    r = post(app, item["link"], {**CSAT, "website": "http://spam.example"})
    assert r.status_code == 400
    assert 'data-problem="honeypot"' in r.text and 'lang="fa"' in r.text
    assert stored(app) == before
    links.sent.append(item)


def test_control_characters_are_refused_though_the_post_skips_the_router(
    app: Any, desk: Any, links: Links
) -> None:
    item = links.take()
    before = stored(app)
    path, sig = parts(item["link"])
    sent = [
        post(app, item["link"], {"csat": "4", "comment": "bad\x01byte"}),
        post(app, item["link"], {"csat": "4\x00"}),
        request(app, "POST", path, params={"lang": "fa\x07"}, data={"sig": sig, **CSAT}),
        request(app, "POST", path, json={"sig": sig, "answers": {"csat": 4, "comment": "x\x1b"}}),
    ]
    assert [r.status_code for r in sent] == [400] * 4, [r.text[:200] for r in sent]
    assert "U+0001" in sent[0].text and "U+001B" in sent[3].text
    assert stored(app) == before
    ok = post(app, item["link"], {"csat": "4", "comment": "two lines\nand a\ttab"})
    assert ok.status_code == 200, ok.text[:300]  # (line breaks and tabs pass in a comment)
    assert stored(app)[1] == before[1] + 1


def test_post_from_another_site_is_refused(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    before = stored(app)
    for header in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                   {"Referer": "https://evil.example/page"}):  # fmt: skip
        r = post(app, item["link"], CSAT, headers=header)
        assert r.status_code == 403, header
        assert 'data-problem="origin"' in r.text
    assert stored(app) == before
    r = post(app, item["link"], CSAT, headers={"Origin": HOST})  # its own page: fine
    assert r.status_code == 200


def test_invalid_answer_shows_the_form_again(app: Any, desk: Any, links: Links) -> None:
    item = links.take("fa")
    before = stored(app)
    for fields in ({"csat": "9"}, {"csat": "خوب"}, {"comment": "بدون امتیاز"}, {"nope": "1"}):
        r = post(app, item["link"], fields)
        assert r.status_code == 400, (fields, r.text[:300])
        assert "data-error" in r.text and 'lang="fa"' in r.text
    assert stored(app) == before
    r = post(app, item["link"], {"csat": "۴"})  # Persian digits are digits
    assert r.status_code == 200, r.text[:300]


def test_get_rate_limit(app: Any, desk: Any, links: Links) -> None:
    item = links.take()
    desk.views = RateLimit(3, 60, "page views from this address")
    path, sig = parts(item["link"])
    codes = [request(app, "GET", path, params={"sig": sig}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    links.sent.append(item)


def test_answers_wake_the_dashboard(app: Any, desk: Any, links: Links) -> None:
    woken = []
    writer = app.state.survey_answers.writer
    original = writer.wake
    writer.wake = lambda: woken.append(1)
    try:
        assert post(app, links.take()["link"], CSAT).status_code == 200
        deadline = time.monotonic() + 5  # (at most every wake_every: 0.5 s)
        while not woken and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        writer.wake = original
    assert woken == [1]


def test_no_login_needed_but_the_rest_of_the_app_still_asks(app: Any, desk: Any) -> None:
    assert request(app, "GET", "/api/surveys").status_code == 401
    r = request(app, "GET", "/surveys")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# -- an anonymous survey: the receipt is the only way to change an answer ---------------------


@pytest.fixture(scope="module")
def pulse_link(app: Any, setup: tuple[Path, list[dict[str, Any]], dt.datetime]) -> str:
    """A link of the default pulse survey for one employee, in Persian."""
    _, _, now = setup
    store = app.state.source.store
    with app.state.source.db_lock:
        definition = surveys.create_survey(
            store, surveys.default_definitions()["pulse-weekly"], by="test"
        )
        agents = store.table("agents").select("agent_id", "team_id").limit(1)
        agent = agents.to_pyarrow().to_pylist()[0]
        made = surveys.Invitation(
            invitation_id="pulse-" + "p" * 20,
            survey_id="pulse-weekly",
            version=definition.version,
            sent_at=now,
            expires_at=now + dt.timedelta(days=7),
            agent_id=agent["agent_id"],
            team_id=agent["team_id"],
            language="fa",
            period="2026-W44",
        )
        sent = surveys.send_invitations(
            store, "pulse-weekly", now=now, base_url=HOST, invitations=[made]
        )
    return str(sent.records[0]["link"])


def test_anonymous_answer_changes_only_with_its_receipt(
    app: Any, desk: Any, pulse_link: str
) -> None:
    path, sig = parts(pulse_link)
    page = request(app, "GET", path, params={"sig": sig})
    assert page.status_code == 200
    assert 'data-question="support"' in page.text and 'value="yes"' in page.text
    fields = {"workload": "2", "morale": "4", "support": "yes", "comment": "فشار کار زیاد است"}
    r = post(app, pulse_link, fields)
    assert r.status_code == 200, r.text[:300]
    receipt = re.search(r'name="receipt" value="([^"]+)"', r.text)
    assert receipt is not None  # the thank-you page's form carries it
    assert 'value="2" checked' in r.text  # and what was answered, to change
    source = app.state.source

    def rows() -> list[dict[str, Any]]:
        assert app.state.survey_answers.writer.flush()
        with source.db_lock:
            t = source.store.table("survey_responses")
            mine = t.filter((t.survey == "pulse") & (t.source == "sanjeh"))
            return list(mine.select("question", "score", "agent_id").to_pyarrow().to_pylist())

    first = rows()
    assert first and all(r["agent_id"] is None for r in first)  # nobody's name on it
    # without the receipt the link cannot change the answer
    r = post(app, pulse_link, {**fields, "workload": "5"})
    assert r.status_code == 409
    assert rows() == first
    # with it, it can (within the grace period)
    r = post(app, pulse_link, {**fields, "workload": "5", "receipt": receipt.group(1)})
    assert r.status_code == 200, r.text[:300]
    changed = rows()
    assert len(changed) == len(first)
    assert {r["score"] for r in changed if r["question"] == "workload"} == {5.0}
