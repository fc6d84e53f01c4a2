"""The real call-arrival data and the forecast evaluation documented in docs/evaluation.md."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.errors import StaffingError
from sanjeh.staffing.evaluate import backtest, country_holidays, main, read_interval_counts

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "callcenter" / "anonymous_bank_1999.csv"
DOC = ROOT / "docs" / "evaluation.md"


@pytest.fixture(scope="module")
def calls() -> pd.Series:
    return read_interval_counts(DATA)


def test_the_derived_file_is_the_whole_year(calls: pd.Series) -> None:
    assert len(calls) == 365 * 48
    assert calls.index[0] == pd.Timestamp("1999-01-01 00:00")
    assert calls.index[-1] == pd.Timestamp("1999-12-31 23:30")
    assert (calls.index[1:] - calls.index[:-1] == pd.Timedelta(minutes=30)).all()
    assert calls.sum() == 445_414.5  # 1999-05-23 was imputed in halves by the source
    assert calls[str(pd.Timestamp("1999-08-01").date())].sum() == 2375


def test_it_agrees_with_the_one_day_file_in_shared_data(
    calls: pd.Series, shared_data: Path
) -> None:
    """The one day in ../shared/data (the same source's raw records) is 1 August 1999."""
    path = shared_data / "callcenter" / "anonbank_one_day_1999-08.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    raw = pd.read_csv(path)
    entered = pd.to_timedelta(raw["vru_entry"])
    per_hour = entered.dt.components.hours.value_counts().sort_index()
    day = calls["1999-08-01"]
    ours = day.groupby(day.index.hour).sum()
    assert len(raw) == ours.sum() == 2375
    # the two files put a call right on an hour's edge on different sides: 1 call moves
    moved = ours.reindex(range(24), fill_value=0) - per_hour.reindex(range(24), fill_value=0)
    assert moved.abs().sum() <= 2


def _documented() -> dict[str, float]:
    section = DOC.read_text(encoding="utf-8").split("## Arrival forecast", 1)[1]
    forecast_row = re.search(
        r"\| `forecast` \| \*\*([\d.]+)\*\* \| (\d+) of (\d+) \| ([\d.]+) % \|", section
    )
    naive_row = re.search(r"\| seasonal naive \| ([\d.]+) \|", section)
    assert forecast_row and naive_row, "docs/evaluation.md: the arrival-forecast table moved"
    return {
        "forecast": float(forecast_row[1]),
        "wins": int(forecast_row[2]),
        "weeks": int(forecast_row[3]),
        "coverage": float(forecast_row[4]) / 100,
        "naive": float(naive_row[1]),
    }


def test_the_documented_evaluation_recomputes(calls: pd.Series) -> None:
    """26 held-out weeks (July–December 1999), Israeli public holidays: the figures of
    docs/evaluation.md, and the forecast beats seasonal naive."""
    doc = _documented()
    rows = backtest(calls, weeks=doc["weeks"], holidays=country_holidays("IL", calls.index))
    assert len(rows) == 26 and rows["week_start"].iloc[0] == pd.Timestamp("1999-07-03")
    forecast_mase = rows["mase_forecast"].mean()
    naive_mase = rows["mase_seasonal_naive"].mean()
    assert forecast_mase == pytest.approx(doc["forecast"], abs=0.0015)
    assert naive_mase == pytest.approx(doc["naive"], abs=0.0015)
    assert int((rows["mase_forecast"] < rows["mase_seasonal_naive"]).sum()) == doc["wins"]
    assert rows["coverage"].mean() == pytest.approx(doc["coverage"], abs=0.0015)
    assert forecast_mase < naive_mase


def test_the_command_line(tmp_path, capsys) -> None:
    assert (
        main([str(DATA), "--weeks", "1", "--holidays", "IL", "--json", str(tmp_path / "o.json")])
        == 0
    )
    out = capsys.readouterr().out
    assert "mean MASE: forecast" in out and "1999-12-25" in out
    assert (tmp_path / "o.json").read_text().startswith("[")
    assert main([str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_bad_evaluation_arguments(calls: pd.Series) -> None:
    with pytest.raises(StaffingError, match=r"^weeks: "):
        backtest(calls.iloc[: 4 * 336], weeks=3)
    with pytest.raises(StaffingError, match=r"^holidays: "):
        country_holidays("XX", calls.index)
