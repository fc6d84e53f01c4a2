"""Uncached views within limits (#23): a few compute at once, a bounded queue waits, each
user has a share; beyond them 503 with Retry-After at once, and cached views answer
meanwhile. Identical requests share one computation.

Computations are held back the way a rebuild of the facts holds them: the test takes
the source's write gate, so a request that has its turn waits inside it (its KPI
queries wait for the gate) until the test lets go.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.errors import ConfigError, ServerBusy
from sanjeh.metrics import ensure_facts
from sanjeh.settings import WebSettings, load_settings, web_settings
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._limits import REQUESTER, Limits
from sanjeh.web._server import Server
from sanjeh.web._source import Source

WAIT = 30  # seconds: far more than any step here needs
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
USERS = ("ana", "bob", "cyd")
_days = itertools.count(1)


@pytest.fixture(scope="module")
def paths(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo store with its facts built (once), with users and without."""
    folder = tmp_path_factory.mktemp("limits")
    with_users, local = folder / "users.duckdb", folder / "local.duckdb"
    shutil.copy(demo_path, local)
    with Store.open(str(local)) as store:
        ensure_facts(store)
    shutil.copy(local, with_users)
    with Store.open(str(with_users)) as store:
        accounts = Accounts(store, hasher=FAST)
        for name in USERS:
            accounts.add_user(LOCAL_ADMIN, name, "correct horse battery", "manager")
    return with_users, local


class Site:
    """A real server over one app; ``get`` as one user (an API token) or, without
    logins, from one client address."""

    def __init__(self, app: Any, url: str, tokens: dict[str, str]) -> None:
        self.app, self.url, self.tokens = app, url, tokens
        self.pool = ThreadPoolExecutor(8)

    @property
    def source(self) -> Source:
        source: Source = self.app.state.source
        return source

    def get(self, path: str, user: str | None = None, address: str = "127.0.0.1") -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=self.url, transport=transport, timeout=WAIT) as client:
            return client.get(path, headers=headers)

    def start(self, path: str, user: str | None = None, **kw: Any) -> Future[httpx.Response]:
        return self.pool.submit(self.get, path, user, **kw)

    def new_view(self, api: bool = True) -> str:
        """The overview over a range nobody asked for before."""
        days = next(_days)
        stop = self.source.dims.last_day - dt.timedelta(days=days)
        start = stop - dt.timedelta(days=6)
        return f"{'/api/overview' if api else '/'}?start={start}&end={stop}&lang=en"

    def until(self, check: Callable[[dict[str, int]], bool]) -> dict[str, int]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            state = self.source.limits.state()
            if check(state):
                return state
            time.sleep(0.01)
        raise AssertionError(f"the limits never got there: {self.source.limits.state()}")


def _site(path: Path, users: tuple[str, ...]) -> Iterator[Site]:
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    accounts: Accounts = app.state.accounts
    tokens = {name: accounts.issue_token(LOCAL_ADMIN, name, "tests") for name in users}
    with Server(app) as url:
        site = Site(app, url, tokens)
        yield site
        site.pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def site(paths: tuple[Path, Path]) -> Iterator[Site]:
    yield from _site(paths[0], USERS)


@pytest.fixture(scope="module")
def local_site(paths: tuple[Path, Path]) -> Iterator[Site]:
    yield from _site(paths[1], ())


def _busy(r: httpx.Response, retry_after: int) -> None:
    assert r.status_code == 503, r.text[:300]
    assert r.headers["Retry-After"] == str(retry_after)


def test_beyond_the_turns_and_the_queue_503_with_retry_after_cached_views_answer(
    site: Site,
) -> None:
    cached = "/api/overview?lang=fa"
    assert site.get(cached, "ana").status_code == 200
    assert site.get("/?lang=fa", "ana").status_code == 200
    site.source.limits = Limits(computations=1, queue=1, computations_per_user=1)
    with site.source.gate.write():  # (every computation waits inside its turn)
        running = site.start(site.new_view(), "ana")
        site.until(lambda s: s["running"] == 1)
        waiting = site.start(site.new_view(api=False), "bob")
        site.until(lambda s: s["waiting"] == 1)
        # the queue is full: cyd is told at once, in JSON and on an HTML page; no view has
        # finished yet, so the estimate is 1 s per view for the 2 admitted and cyd's own
        r = site.get(site.new_view(), "cyd")
        _busy(r, 3)
        assert r.json()["error"]["type"] == "server_busy"
        assert "try again in 3 s" in r.json()["error"]["message"]
        r = site.get(site.new_view(api=False), "cyd")
        _busy(r, 3)
        assert r.headers["content-type"].startswith("text/html")
        assert 'data-code="server_busy"' in r.text
        # ana's share is taken (one view at a time): told so, whatever the queue
        r = site.get(site.new_view(), "ana")
        _busy(r, 3)
        message = r.json()["error"]["message"]
        assert "you have as many views being computed as one user may (1)" in message
        # views computed before answer meanwhile, from every user
        for user in USERS:
            assert site.get(cached, user).status_code == 200
            assert site.get("/?lang=fa", user).status_code == 200
        assert not running.done() and not waiting.done()
    assert running.result(WAIT).status_code == 200
    assert waiting.result(WAIT).status_code == 200
    state = site.until(lambda s: s["admitted"] == 0)
    assert state == {"running": 0, "waiting": 0, "admitted": 0, "turns": 2, "turned_away": 3}


def test_identical_requests_share_one_computation(site: Site) -> None:
    site.source.limits = Limits(computations=1, queue=2, computations_per_user=2)
    view = site.new_view()
    with site.source.gate.write():
        first = site.start(view, "ana")
        site.until(lambda s: s["running"] == 1)
        second = site.start(view, "bob")  # waits for ana's computation, without a turn
        site.until(lambda s: s["waiting"] == 1)
    a, b = first.result(WAIT), second.result(WAIT)
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
    assert site.until(lambda s: s["admitted"] == 0)["turns"] == 1


def test_without_logins_each_client_address_is_one_user(local_site: Site) -> None:
    local_site.source.limits = Limits(computations=1, queue=4, computations_per_user=1)
    with local_site.source.gate.write():
        mine = local_site.start(local_site.new_view())
        local_site.until(lambda s: s["running"] == 1)
        # the same address: its share is taken (1 s per view for the running one and its own)
        _busy(local_site.get(local_site.new_view()), 2)
        theirs = local_site.start(local_site.new_view(), address="127.0.0.2")
        local_site.until(lambda s: s["waiting"] == 1)  # another address: it waits its turn
    assert mine.result(WAIT).status_code == theirs.result(WAIT).status_code == 200


# -- the source's cache and the limits, without HTTP ------------------------------------------


@pytest.fixture(scope="module")
def source(paths: tuple[Path, Path]) -> Iterator[Source]:
    """A source of its own over the store without users (each test its own cache keys)."""
    path = paths[1].with_name("source.duckdb")
    shutil.copy(paths[1], path)
    store = Store.open(str(path))
    src = Source(store, refresh_seconds=3600)
    yield src
    src.stop()
    store.close()


def _spawn(user: str, call: Callable[[], Any]) -> Future[Any]:
    """``call()`` as a request of ``user`` in a thread of its own (a daemon: a test that
    fails by waiting forever fails on a timeout, and does not hold up the run)."""
    done: Future[Any] = Future()

    def run() -> None:
        REQUESTER.set(user)  # (what the Requester middleware does per request)
        try:
            done.set_result(call())
        except BaseException as exc:
            done.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return done


def _until_waiting(source: Source, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while source.limits.state()["waiting"] < count:
        assert time.monotonic() < deadline, source.limits.state()
        time.sleep(0.01)


def test_a_request_waiting_for_another_gives_its_turn_back(source: Source) -> None:
    """With one turn, A holds it and then needs what B computes, while B waits for the
    turn: A must give it back while waiting, or neither would ever finish."""
    source.limits = Limits(computations=1, queue=4, computations_per_user=4)
    a_has_turn, a_may_go = threading.Event(), threading.Event()

    def shared() -> str:
        source.limits.take_turn()  # (a query)
        return "shared"

    def a_view() -> str:
        source.limits.take_turn()
        a_has_turn.set()
        assert a_may_go.wait(WAIT)
        return "a+" + source.memo("shared", shared)

    def b_view() -> str:
        return "b+" + source.memo("shared", shared)

    a = _spawn("a", lambda: source.memo("a", a_view))
    assert a_has_turn.wait(WAIT)
    b = _spawn("b", lambda: source.memo("b", b_view))
    _until_waiting(source, 1)  # b leads "shared" and waits for the turn
    a_may_go.set()
    assert a.result(WAIT) == "a+shared"
    assert b.result(WAIT) == "b+shared"
    assert source.limits.state()["admitted"] == 0


def test_when_the_request_computing_is_turned_away_a_waiting_one_computes(
    source: Source,
) -> None:
    """W waits for L's computation of "v"; L is turned away (the queue is full) when it
    asks for a turn: W, admitted already, computes "v" itself."""
    source.limits = Limits(computations=1, queue=1, computations_per_user=4)
    h_has_turn, h_may_go = threading.Event(), threading.Event()
    l_started, l_may_ask = threading.Event(), threading.Event()

    def hold() -> str:
        source.limits.take_turn()
        h_has_turn.set()
        assert h_may_go.wait(WAIT)
        return "h"

    def l_compute() -> str:
        l_started.set()
        assert l_may_ask.wait(WAIT)
        source.limits.take_turn()  # the queue is full: ServerBusy
        return "from l"

    def w_compute() -> str:
        source.limits.take_turn()
        return "from w"

    h = _spawn("h", lambda: source.memo("h", hold))
    assert h_has_turn.wait(WAIT)
    lead = _spawn("l", lambda: source.memo("v", l_compute))
    assert l_started.wait(WAIT)
    w = _spawn("w", lambda: source.memo("v", w_compute))
    _until_waiting(source, 1)  # w is admitted and waits for l's result
    l_may_ask.set()
    with pytest.raises(ServerBusy):
        lead.result(WAIT)
    h_may_go.set()
    assert h.result(WAIT) == "h"
    assert w.result(WAIT) == "from w"
    assert source.memo("v", lambda: "not again") == "from w"
    state = source.limits.state()
    assert (state["admitted"], state["turns"], state["turned_away"]) == (0, 2, 1)


def test_the_servers_own_work_is_not_limited(source: Source) -> None:
    """The warm-up computes in no request: with the one turn taken and no queue, it
    neither waits nor is turned away."""
    source.limits = Limits(computations=1, queue=0, computations_per_user=1)
    has_turn, may_go = threading.Event(), threading.Event()

    def hold() -> None:
        source.limits.take_turn()
        has_turn.set()
        assert may_go.wait(WAIT)

    held = _spawn("someone", lambda: source.memo("held", hold))
    assert has_turn.wait(WAIT)
    assert REQUESTER.get() is None  # (this thread serves no request)
    days = {"start": source.dims.first_day, "end": source.dims.last_day}
    assert len(source.kpis(("tickets_created",), **days)) == 1
    assert source.limits.state()["running"] == 1  # (still someone's)
    may_go.set()
    held.result(WAIT)
    assert source.limits.state() == {
        "running": 0,
        "waiting": 0,
        "admitted": 0,
        "turns": 1,
        "turned_away": 0,
    }


# -- settings ---------------------------------------------------------------------------------


def _web(tmp_path: Path, text: str) -> WebSettings:
    config = tmp_path / "sanjeh.toml"
    config.write_text(text, encoding="utf-8")
    return web_settings(load_settings({"SANJEH_CONFIG": str(config)}))


def test_web_limits_are_read_from_the_config_file(tmp_path: Path) -> None:
    assert _web(tmp_path, "") == WebSettings(0, 16, 2)
    got = _web(tmp_path, "[web]\ncomputations = 3\nqueue = 0\ncomputations_per_user = 5\n")
    assert got == WebSettings(computations=3, queue=0, computations_per_user=5)
    limits = Limits.configured(got)
    assert (limits.computations, limits.queue, limits.per_user) == (3, 0, 5)
    # 0: half the cores, at least one
    assert Limits.configured(WebSettings()).computations == max(1, (os.cpu_count() or 1) // 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[web]\nthreads = 4\n", "unknown key 'threads'"),
        ("[web]\nqueue = -1\n", "queue must be a whole number ≥ 0, not -1"),
        ("[web]\ncomputations_per_user = 0\n", "computations_per_user must be a whole number ≥ 1"),
        ("[web]\ncomputations = 2.5\n", "computations must be a whole number ≥ 0, not 2.5"),
        ("[web]\nqueue = true\n", "queue must be a whole number ≥ 0, not True"),
        ("web = [1, 2]\n", "[web] must be a table"),
    ],
)
def test_bad_web_limits_say_what_they_may_be(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _web(tmp_path, text)
    assert message in str(caught.value)
