"""A ticket's call on the review page: its transcript as a timeline with speakers,
silences and overtalk marked, the transcript's AutoQA signals, its speech figures and
links that jump to the places that matter (fa / en, JSON twin and page)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanjeh import text
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app

SAID = [
    # speaker, start, end, text
    ("agent", 0.0, 4.0, "Hello, thank you for calling. How can I help you today?"),
    ("customer", 4.0, 12.0, "I was charged twice for my order and I am really upset."),
    # 5 s nobody speaks: a silence (≥ 3 s) from 12.0 to 17.0
    ("agent", 17.0, 25.0, "I am so sorry about that. I will refund the second charge myself."),
    # the customer starts 2 s before the agent stops: 2 s of overtalk on both segments
    ("customer", 23.0, 27.0, "Thank you, that is great."),
]


def make_store(path: Path) -> tuple[str, str]:
    """A small demo store whose first answered call has the transcript ``SAID``, its
    speech figures and its AutoQA rows; returns (call id, its ticket's id)."""
    with Store.open(str(path)) as store:
        generate(store, tickets=400, seed=5, transcripts=False)  # the test writes its own
        c = store.table("calls")
        call = (
            c.filter(c.outcome == "answered", c.ticket_id.notnull())
            .order_by("call_id")
            .limit(1)
            .to_pyarrow()
            .to_pylist()[0]
        )
        call_id, ticket_id = call["call_id"], call["ticket_id"]
        store.write(
            "call_segments",
            [
                {
                    "segment_id": f"{call_id}#{n}",
                    "call_id": call_id,
                    "source": "test",
                    "speaker": who,
                    "start_s": start,
                    "end_s": end,
                    "text": said,
                }
                for n, (who, start, end, said) in enumerate(SAID)
            ],
        )
        store.write(
            "call_speech",
            [
                {
                    "call_id": call_id,
                    "origin": "transcript",
                    "duration_s": 27.0,
                    "talk_listen_ratio": 1.0,
                    "silence_share": 5 / 27,
                    "longest_silence_s": 5.0,
                    "agent_interruptions": 0,
                    "version": "test",
                }
            ],
        )
        text.score_store(store)
    return call_id, ticket_id


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, str]]:
    path = Path(tmp_path_factory.mktemp("calls")) / "demo.duckdb"
    call_id, ticket_id = make_store(path)
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    yield app, call_id, ticket_id
    app.state.source.store.close()


def get(app: Any, path: str, **params: Any) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, params=params or None)

    return asyncio.run(fetch())


def test_the_twin_shows_the_call_timeline(served: tuple[Any, str, str]) -> None:
    app, call_id, ticket_id = served
    r = get(app, f"/api/qa/review/{ticket_id}")
    assert r.status_code == 200, r.text
    (call,) = r.json()["calls"]
    assert call["call_id"] == call_id
    kinds = [(e["kind"], e["speaker"], e["start_s"], e["end_s"]) for e in call["entries"]]
    assert kinds == [
        ("segment", "agent", 0.0, 4.0),
        ("segment", "customer", 4.0, 12.0),  # touching the agent's turn: no overtalk
        ("silence", None, 12.0, 17.0),
        ("segment", "agent", 17.0, 25.0),
        ("segment", "customer", 23.0, 27.0),
    ]
    # overtalk: 23.0–25.0 on both sides; none where turns only touch (4.0)
    assert [e["overtalk_s"] for e in call["entries"]] == [0.0, 0.0, 0.0, 2.0, 2.0]
    # the agent's apology and ownership in the transcript are marked as evidence
    marked = {
        s["signal"]["analyzer"]
        for e in call["entries"]
        for s in e["segments"]
        if s["signal"] is not None
    }
    assert {"apology", "ownership"} <= marked
    figures = {f["name"]: f["value"] for f in call["speech"]}
    assert figures["longest_silence_s"] == 5.0
    assert "agent_wpm" not in figures  # no value: left out, not shown as 0
    jumps = {j["label"]: j["href"] for j in call["jumps"]}
    assert jumps["Longest silence"] == f"#{call_id}-t2"
    assert jumps["First overtalk"] == f"#{call_id}-t3"


def test_the_page_shows_it_right_to_left(served: tuple[Any, str, str]) -> None:
    app, call_id, ticket_id = served
    r = get(app, f"/qa/review/{ticket_id}", lang="fa")
    assert r.status_code == 200, r.text[:300]
    page = r.text
    assert 'dir="rtl"' in page
    assert f'data-call="{call_id}"' in page
    assert "سکوت" in page  # the silence, in Persian
    assert f'id="{call_id}-t2"' in page and f'href="#{call_id}-t2"' in page
    assert 'class="entry speaker-agent overtalk"' in page
