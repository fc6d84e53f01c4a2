"""The numbers on the pages are the library's numbers for the same filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sanjeh.metrics import kpis

from .conftest import Api


def _cards(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["kpi"]: c for c in model["cards"]}


def test_overview_equals_the_kpi_engine_for_the_same_filters(api: Api, app: Any) -> None:
    model = api.json(
        "/api/overview", channel="chat", priority="high", start="2026-09-01", end="2026-09-30"
    )
    assert model["range"] == {**model["range"], "start": "2026-09-01", "end": "2026-09-30"}
    store = app.state.source.store
    with app.state.source.db_lock:
        frame = kpis(
            store,
            ["tickets_created", "first_reply_time", "csat", "fcr_rate"],
            start=dt.date(2026, 9, 1),
            end=dt.date(2026, 10, 1),
            filters={"channel": ["chat"], "priority": ["high"]},
        )
    cards = _cards(model)
    for row in frame.itertuples():
        assert cards[row.kpi]["value"] == pytest.approx(row.value), row.kpi
        assert cards[row.kpi]["n"] == row.n


def test_histogram_marks_the_kpis_median_and_p90(api: Api) -> None:
    model = api.json("/api/responsiveness", team="demo:care")
    card = _cards(model)["first_reply_time"]
    summary = model["charts"]["first_reply"]["summary"]
    assert summary["median"] == pytest.approx(card["value"])
    assert summary["n"] == card["n"]
    rows = model["tables"]["first_reply_histogram"]["rows"]
    assert sum(r["n"] for r in rows) == card["n"]


def test_heatmap_counts_every_ticket_once(api: Api) -> None:
    volume = api.json("/api/volume", language="ar")
    created = _cards(volume)["tickets_created"]["value"]
    cells = volume["tables"]["arrivals"]["rows"]
    assert len(cells) == 7 * 24
    assert sum(c["n"] for c in cells) == created


def test_default_range_is_the_last_four_weeks_of_data(api: Api) -> None:
    meta = api.json("/api/meta")
    model = api.json("/api/agents")
    end = dt.date.fromisoformat(model["range"]["end"])
    assert model["range"]["end"] == meta["last_day"]
    assert (end - dt.date.fromisoformat(model["range"]["start"])).days == 27


def test_months_follow_the_display_calendar(api: Api) -> None:
    jalali = api.json(
        "/api/overview", start="2026-03-21", end="2026-10-31", period="month", cal="jalali"
    )
    assert jalali["filters"]["period"] == "jalali_month"
    hijri = api.json(
        "/api/overview", start="2026-03-21", end="2026-10-31", period="month", lang="ar"
    )
    assert hijri["filters"]["period"] == "hijri_month"
    weeks = api.json("/api/overview", start="2026-08-01", end="2026-10-31")
    assert weeks["filters"]["period"] == "week"


def test_dates_may_be_written_with_persian_digits(api: Api) -> None:
    latin = api.json("/api/overview", start="2026-10-01", end="2026-10-15")
    persian = api.json("/api/overview", start="۲۰۲۶-۱۰-۰۱", end="۲۰۲۶-۱۰-۱۵")
    assert persian["range"] == latin["range"]


def test_persian_page_uses_jalali_dates_and_persian_digits(api: Api) -> None:
    model = api.json("/api/overview", lang="fa", start="2026-10-01", end="2026-10-15")
    assert model["locale"] == {
        "lang": "fa",
        "calendar": "jalali",
        "digits": "persian",
        "dir": "rtl",
    }
    assert model["range"]["label"] == "۹ مهر ۱۴۰۵ – ۲۳ مهر ۱۴۰۵"
    created = _cards(model)["tickets_created"]
    assert created["display"].isdigit() and not created["display"].isascii()
    arabic = api.json("/api/overview", lang="ar", start="2026-10-01", end="2026-10-15")
    assert arabic["range"]["label"].endswith("١٤٤٨")  # Hijri year, Arabic-Indic digits
    latin = api.json(
        "/api/overview",
        lang="fa",
        digits="latin",
        cal="gregorian",
        start="2026-10-01",
        end="2026-10-15",
    )
    assert latin["range"]["label"] == "1 اکتبر 2026 – 15 اکتبر 2026"


def test_hours_choice_leaves_counts_and_rates_alone(api: Api) -> None:
    business = _cards(api.json("/api/responsiveness"))
    calendar = _cards(api.json("/api/responsiveness", hours="calendar"))
    assert business["sla_first_reply"]["value"] == calendar["sla_first_reply"]["value"]
    assert business["first_reply_time"]["n"] == calendar["first_reply_time"]["n"]


@pytest.mark.parametrize("period", ["week", "day"])
def test_trend_bars_add_up_to_the_card_in_every_language(api: Api, app: Any, period: str) -> None:
    """The same link shows the same bars in fa, ar and en (weeks start where the data's
    calendar says, not where the language's calendar does), and the bars of a range that
    starts and ends mid-week add up to the card above them."""
    bars = {}
    for lang in ("fa", "ar", "en"):
        model = api.json(
            "/api/volume", start="2026-10-04", end="2026-10-31", period=period, lang=lang
        )
        created = _cards(model)["tickets_created"]["value"]
        rows = model["tables"]["volume_by_channel"]["rows"]
        bars[lang] = {}
        for r in rows:
            bars[lang][r["period_key"]] = bars[lang].get(r["period_key"], 0) + (
                r["tickets_created"] or 0
            )
        assert sum(bars[lang].values()) == created, lang
    assert bars["fa"] == bars["ar"] == bars["en"]
    if period == "week":  # (this store's default calendar is 24x7: Monday weeks)
        assert app.state.source.config.week_start == "monday"
        starts = [dt.date.fromisoformat(k) for k in bars["en"]]
        assert {d.strftime("%A") for d in starts} == {"Monday"}
        assert starts[0] == dt.date(2026, 9, 28)  # the week of 4 October, counted from the 4th


def test_month_bars_add_up_to_the_card_in_each_calendar(api: Api) -> None:
    """Months follow the display calendar (Jalali in fa, Hijri in ar), and in each the
    first and last months are clipped to the range: their bars add up to the card."""
    # 4 – 31 October: Mehr / Aban 1405, Rabi' II / Jumada I 1448, October
    for lang, months in (("fa", 2), ("ar", 2), ("en", 1)):
        model = api.json(
            "/api/volume", start="2026-10-04", end="2026-10-31", period="month", lang=lang
        )
        created = _cards(model)["tickets_created"]["value"]
        rows = model["tables"]["volume_by_channel"]["rows"]
        assert sum(r["tickets_created"] or 0 for r in rows) == created, lang
        assert len({r["period_key"] for r in rows}) == months, lang
