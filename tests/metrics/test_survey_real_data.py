"""CSAT and the comments ranking on real answers: 3,261 Persian shop comments with a
satisfaction score 0–100 (digikala_comments.csv in ../shared/data, see its README),
stored as CSAT answers on a 0–100 scale. The figures are recomputed here with pandas,
independently of the engine; the test skips when the data folder is absent."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pandas as pd
import pytest

from sanjeh.metrics import MetricOptions, MetricsConfig, kpis
from sanjeh.store import Store
from sanjeh.web import create_app

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def answers(shared_data: Path) -> pd.DataFrame:
    path = shared_data / "sentiment" / "fa" / "digikala_comments.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (see ../shared/data/README.md)")
    frame = pd.read_csv(path)
    assert list(frame.columns) == ["Text", "Score", "Suggestion"] and len(frame) == 3261
    return frame


@pytest.fixture
def store_path(answers: pd.DataFrame, tmp_path: Path) -> str:
    path = tmp_path / "s.duckdb"
    rows = [
        {
            "response_id": f"dk:{i}",
            "source": "dk",
            "survey": "csat",
            "scale_min": 0,
            "scale_max": 100,
            "score": float(score),
            "comment": text if isinstance(text, str) else None,
            "language": "fa",
            # one answer every 10 minutes from 1 March: about 23 days
            "sent_at": START + dt.timedelta(minutes=10 * i),
            "submitted_at": START + dt.timedelta(minutes=10 * i + 5),
        }
        for i, (text, score) in enumerate(zip(answers.Text, answers.Score, strict=True))
    ]
    with Store.open(str(path)) as store:
        store.write("tickets", [{"ticket_id": "dk:t", "source": "dk", "created_at": START}])
        store.write("survey_responses", rows)
    return str(path)


def test_csat_matches_pandas(answers: pd.DataFrame, store_path: str) -> None:
    score = answers.Score
    top_two = (score >= 99).mean()  # the top two points of 0..100: 99 and 100
    good, bad = (score > 50).sum(), (score < 50).sum()  # 50, the midpoint, is neither
    with Store.open(store_path) as store:
        row = kpis(store, ["csat"], config=MetricsConfig()).iloc[0]
        assert row.n == len(answers) and row.value == pytest.approx(top_two, rel=1e-12)
        # every invitation answered, but 3,261 ≥ 30 answers: no warning
        assert row.note is None
        config = MetricsConfig(options=MetricOptions(csat_method="good_bad"))
        row = kpis(store, ["csat"], config=config).iloc[0]
        assert row.n == good + bad and row.value == pytest.approx(good / (good + bad), rel=1e-12)
        rate = kpis(store, ["survey_response_rate"], config=MetricsConfig()).iloc[0]
        assert (rate.n, rate.value) == (len(answers), 1.0)


def test_worst_comments_score_lower_than_the_best(answers: pd.DataFrame, store_path: str) -> None:
    """The satisfaction page ranks comments by the text analyzers' sentiment: on real
    answers the ten most negative come with lower scores than the ten most positive."""
    app = create_app(store_path, refresh_seconds=3600, warm=False, config=MetricsConfig())

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(
                "/api/satisfaction", params={"start": "2026-03-01", "end": "2026-03-31"}
            )

    try:
        model = asyncio.run(fetch()).json()
    finally:
        app.state.source.store.close()
    worst, best = (
        model["tables"]["comments_worst"]["rows"],
        model["tables"]["comments_best"]["rows"],
    )
    assert len(worst) == len(best) == 10
    assert all(r["sentiment"] < 0 for r in worst) and all(r["sentiment"] > 0 for r in best)
    assert [r["sentiment"] for r in worst] == sorted(r["sentiment"] for r in worst)
    low = sum(r["score"] for r in worst) / 10
    high = sum(r["score"] for r in best) / 10
    assert low < high, (low, high)
    # each shown comment is one of the file's, with its own score
    by_text = dict(zip(answers.Text, answers.Score, strict=True))
    for r in worst + best:
        assert by_text[r["comment"]] == r["score"]
