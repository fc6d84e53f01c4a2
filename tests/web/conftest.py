"""One demo store for every web test (built once), the app over it, and an API client
that goes through httpx's ASGI transport (no server, no network)."""

from __future__ import annotations

import asyncio
import html.parser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app

TICKETS = 3000


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "demo.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=TICKETS, seed=11)
    return path


@pytest.fixture(scope="session")
def app(demo_path: Path) -> Iterator[Any]:
    # no background refresh: the data does not change while the tests run
    application = create_app(str(demo_path), refresh_seconds=3600, warm=False)
    yield application
    application.state.source.store.close()


class Api:
    """``get(path)`` through ``httpx.ASGITransport`` (the app in this process)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def get(self, path: str, **params: Any) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.get(path, params=params or None)

        return asyncio.run(fetch())

    def json(self, path: str, **params: Any) -> Any:
        r = self.get(path, **params)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/json")
        return r.json()

    def html(self, path: str, **params: Any) -> str:
        r = self.get(path, **params)
        assert r.status_code == 200, r.text[:500]
        assert r.headers["content-type"].startswith("text/html")
        return r.text


@pytest.fixture(scope="session")
def api(app: Any) -> Api:
    return Api(app)


class Page(html.parser.HTMLParser):
    """The parts of a dashboard page the tests compare with its JSON twin."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.cards: dict[str, dict[str, str]] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, str] = {}
        self._card: str | None = None
        self._display = False
        self._table: str | None = None
        self._script: str | None = None
        self._buffer: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = a
        elif tag == "article" and "data-kpi" in a:
            self._card = a["data-kpi"]
            self.cards[self._card] = {"value": a["data-value"]}
        elif tag == "p" and "data-display" in a and self._card:
            self._display, self._buffer = True, []
        elif tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = []
        elif tag == "td" and self._table and "data-value" in a:
            self.tables[self._table][-1].append(a["data-value"])
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag == "script" and "data-chart-for" in a:
            self._script, self._buffer = a["data-chart-for"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._display and self._card:
            self.cards[self._card]["display"] = "".join(self._buffer).strip()
            self._display = False
        elif tag == "article":
            self._card = None
        elif tag == "table":
            self._table = None
        elif tag == "script" and self._script:
            self.charts[self._script] = "".join(self._buffer)
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._display or self._script:
            self._buffer.append(data)
