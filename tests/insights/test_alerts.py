"""Alerts (#17): ``[[alerts]]`` parsing, the three conditions judged by hand on KPI frames,
closed and pending periods, and the fired alerts written once to a real store (DuckDB and
PostgreSQL) and delivered to a real local receiver, retried after a failure."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from report._support import receiving
from sanjeh.cli import main
from sanjeh.errors import ConfigError
from sanjeh.insights import AlertRule, alert_events, evaluate_alerts, load_alerts
from sanjeh.insights._alert_conditions import judge, prediction_interval
from sanjeh.metrics import MetricsConfig
from sanjeh.settings import Settings
from sanjeh.store import Store

Z = 1.959963984540054


def rules(*tables: dict[str, Any], language: str = "en") -> tuple[AlertRule, ...]:
    settings = Settings(sections={"alerts": list(tables)}, config_file="s.toml", language=language)
    return load_alerts(settings)


# -- parsing -----------------------------------------------------------------------------


def test_a_rule_is_read_with_its_defaults_and_durations() -> None:
    (threshold, anomaly) = rules(
        {
            "name": "slow-replies",
            "kpi": "first_reply_time",
            "condition": "threshold",
            "above": "4h",
            "by": "team",
            "filters": {"channel": ["email", "chat"]},
            "webhook": "https://hooks.example/x?token=1",
        },
        {"name": "volume", "kpi": "tickets_created", "condition": "anomaly", "period": "week"},
        language="fa",
    )
    assert threshold.above == 4 * 3600 and threshold.below is None
    assert threshold.by == ("team",) and threshold.filters == (("channel", ("email", "chat")),)
    assert threshold.period == "day" and threshold.lang == "fa" and threshold.min_n == 1
    assert anomaly.history == 8 and anomaly.direction == "any" and anomaly.webhook is None


BASE = {"name": "r1", "kpi": "csat", "condition": "threshold", "below": 0.8}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"colour": "red"}, "[[alerts]] 'r1': unknown key 'colour'"),
        ({"kpi": None}, "[[alerts]] 'r1': kpi is missing"),
        ({"kpi": "happiness"}, "[[alerts]] 'r1': kpi: no KPI 'happiness'"),
        ({"condition": "vibes"}, "[[alerts]] 'r1': condition must be one of threshold"),
        ({"period": "month"}, "[[alerts]] 'r1': period must be one of day, week"),
        ({"below": None}, "[[alerts]] 'r1': a threshold needs above"),
        ({"below": "low"}, "[[alerts]] 'r1': below must be a number in csat's unit"),
        ({"above": 0.5}, "[[alerts]] 'r1': below (0.8) must be less than above (0.5)"),
        ({"condition": "change"}, "[[alerts]] 'r1': below is for condition = 'threshold'"),
        ({"direction": "up"}, "[[alerts]] 'r1': direction is for change and anomaly"),
        ({"by": ["mood"]}, "[[alerts]] 'r1': by: unknown breakdown 'mood'"),
        ({"filters": {"mood": "x"}}, "[[alerts]] 'r1': filters: unknown breakdown 'mood'"),
        ({"filters": {"team": 3}}, "[[alerts]] 'r1': filters.team must be a value"),
        ({"webhook": "ftp://x/y"}, "[[alerts]] 'r1': webhook must be an http:// or https:// URL"),
        ({"lang": "de"}, "[[alerts]] 'r1': lang must be one of fa, ar, en"),
        ({"min_n": 0}, "[[alerts]] 'r1': min_n must be a whole number"),
        ({"timeout": "1h"}, "[[alerts]] 'r1': timeout must be a duration"),
    ],
)
def test_errors_name_the_rule_and_the_field(change: dict[str, Any], says: str) -> None:
    table = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        rules(table)
    assert str(caught.value).startswith("s.toml: ") and says in str(caught.value)


def test_change_needs_a_kpi_with_an_interval_and_anomaly_enough_history() -> None:
    with pytest.raises(ConfigError, match=r"first_reply_time \(a median\) has none; use"):
        rules({"name": "c", "kpi": "first_reply_time", "condition": "change"})
    with pytest.raises(ConfigError, match=r"tickets_created \(a count\) has none"):
        rules({"name": "c", "kpi": "tickets_created", "condition": "change"})
    (ok,) = rules({"name": "c", "kpi": "average_resolution_time", "condition": "change"})
    assert ok.condition == "change"  # a mean: Student-t interval
    with pytest.raises(ConfigError, match="'a': history must be at least 6 weeks"):
        rules({"name": "a", "kpi": "csat", "condition": "anomaly", "period": "week", "history": 5})


def test_names_are_unique_and_well_formed() -> None:
    with pytest.raises(ConfigError, match="'r1' is declared twice"):
        rules(BASE, BASE)
    with pytest.raises(ConfigError, match=r"\[\[alerts\]\] #1: name must be letters"):
        rules({**BASE, "name": "a/b"})
    assert rules() == ()


# -- the conditions, on KPI frames made by hand ---------------------------------------------

START = dt.date(2026, 3, 2)  # a Monday


def frame(values: list[float | None], *, days: int = 7, **columns: list[Any]) -> pd.DataFrame:
    """One KPI's rows, one per period from START (``days`` long)."""
    count = len(values)
    data: dict[str, Any] = {
        "kpi": ["csat"] * count,
        "period_start": [pd.Timestamp(START + dt.timedelta(days=days * i)) for i in range(count)],
        "n": [100] * count,
        "value": [np.nan if v is None else v for v in values],
        "ci_low": [np.nan] * count,
        "ci_high": [np.nan] * count,
        "partial": [False] * count,
        "pending": [np.nan] * count,
        "note": [None] * count,
    }
    data.update(columns)
    return pd.DataFrame(data)


def week_rule(**fields: Any) -> AlertRule:
    return AlertRule(**{"name": "r", "kpi": "csat", "period": "week", **fields})


def closed_after(weeks: int) -> dt.datetime:
    return dt.datetime.combine(START + dt.timedelta(days=7 * weeks), dt.time())


def test_threshold_judges_the_latest_closed_period_only() -> None:
    rule = week_rule(condition="threshold", below=0.8)
    # week 3 is still open (partial): lower still, but never judged
    rows = frame([0.9, 0.85, 0.7, 0.1], partial=[False, False, False, True])
    (v,) = judge(rule, rows, closed_after(4))
    assert (v.status, v.period_start, v.value, v.bound, v.direction) == (
        "fired",
        START + dt.timedelta(days=14),
        0.7,
        0.8,
        "below",
    )
    # "now" inside week 2: that week has not closed even though the rows say so
    (earlier,) = judge(rule, rows, closed_after(2) + dt.timedelta(days=3))
    assert (earlier.status, earlier.period_start, earlier.value) == (
        "ok",
        START + dt.timedelta(days=7),
        0.85,
    )
    (none,) = judge(rule, frame([0.5], partial=[True]), closed_after(5))
    assert none.status == "not_evaluable" and none.reason == "no closed week yet"


def test_pending_rows_leave_the_period_to_a_later_evaluation() -> None:
    rule = week_rule(condition="threshold", below=0.8)
    rows = frame([0.9, 0.7, 0.2], pending=[np.nan, 0, 12])
    (v,) = judge(rule, rows, closed_after(3))
    assert (v.status, v.value, v.period_start) == ("fired", 0.7, START + dt.timedelta(days=7))
    assert "the 1 later closed week(s) still have pending rows" in v.reason
    (all_pending,) = judge(rule, frame([0.9], pending=[3]), closed_after(1))
    assert all_pending.status == "not_evaluable" and "pending rows" in all_pending.reason


def test_a_period_without_a_value_says_why() -> None:
    rule = week_rule(condition="threshold", below=0.8)
    note = "fewer than 5 answers: hidden to keep answers anonymous"
    (v,) = judge(rule, frame([0.9, None], note=[None, note]), closed_after(2))
    assert v.status == "not_evaluable" and v.reason == note
    (few,) = judge(
        week_rule(condition="threshold", below=0.8, min_n=200), frame([0.1]), closed_after(1)
    )
    assert few.status == "not_evaluable" and "fewer than min_n = 200" in few.reason


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval, written out: centre ± half, both over 1 + z²/n."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def change_frame(k_before: int, k_now: int, n: int = 100) -> pd.DataFrame:
    before, now = wilson(k_before, n), wilson(k_now, n)
    return frame(
        [k_before / n, k_now / n],
        ci_low=[before[0], now[0]],
        ci_high=[before[1], now[1]],
    )


def test_change_fires_only_when_the_two_intervals_do_not_overlap() -> None:
    rule = week_rule(condition="change")
    # 80/100 then 60/100: [0.711, 0.867] and [0.502, 0.691] do not overlap
    (v,) = judge(rule, change_frame(80, 60), closed_after(2))
    assert wilson(80, 100)[0] == pytest.approx(0.7112, abs=1e-4)
    assert wilson(60, 100)[1] == pytest.approx(0.6906, abs=1e-4)
    assert (v.status, v.direction, v.bound) == ("fired", "below", wilson(80, 100)[0])
    # 80/100 then 70/100: 0.80 lies outside this week's [0.604, 0.781], but the intervals
    # overlap on [0.711, 0.781]: within the noise of the two samples, no alert
    now = wilson(70, 100)
    assert not now[0] <= 0.8 <= now[1]
    (quiet,) = judge(rule, change_frame(80, 70), closed_after(2))
    assert quiet.status == "ok" and "no change" in quiet.reason
    (up,) = judge(
        week_rule(condition="change", direction="up"), change_frame(80, 60), closed_after(2)
    )
    assert up.status == "ok"  # a drop, and the rule watches rises only
    (first,) = judge(rule, change_frame(80, 60).iloc[1:], closed_after(2))
    assert first.status == "not_evaluable" and "previous week is not in view" in first.reason


def by_hand(history: list[float]) -> tuple[float, float, float]:
    """y_t = c + φ·y_{t-1} by least squares; σ² = SSR / nobs; forecast ± 1.96σ."""
    y = np.array(history)
    x = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    (c, phi), *_ = np.linalg.lstsq(x, y[1:], rcond=None)
    residuals = y[1:] - x @ np.array([c, phi])
    sigma = math.sqrt(float(residuals @ residuals) / len(residuals))
    expected = c + phi * y[-1]
    return expected - Z * sigma, expected + Z * sigma, expected


HISTORY = [40.0, 44, 41, 47, 45, 43, 48, 46, 50, 47]


def test_anomaly_uses_the_forecasts_prediction_interval() -> None:
    low, high, expected = by_hand(HISTORY)
    assert prediction_interval(pd.Series(HISTORY), "week") == pytest.approx((low, high, expected))
    rule = week_rule(condition="anomaly", history=8)
    (v,) = judge(rule, frame([*HISTORY, high + 0.5]), closed_after(11))
    assert (v.status, v.direction, v.value) == ("fired", "above", high + 0.5)
    assert v.bound == pytest.approx(high)
    (inside,) = judge(rule, frame([*HISTORY, high - 0.5]), closed_after(11))
    assert inside.status == "ok"
    (low_side,) = judge(rule, frame([*HISTORY, low - 0.5]), closed_after(11))
    assert low_side.status == "fired" and low_side.bound == pytest.approx(low)
    (up_only,) = judge(
        week_rule(condition="anomaly", history=8, direction="up"),
        frame([*HISTORY, low - 0.5]),
        closed_after(11),
    )
    assert up_only.status == "ok"


def test_anomaly_needs_enough_unbroken_history() -> None:
    rule = week_rule(condition="anomaly", history=8)
    (short,) = judge(rule, frame([*HISTORY[:5], 99.0]), closed_after(6))
    assert short.status == "not_evaluable"
    assert (
        short.reason
        == "not enough history: 5 earlier week(s) in a row with a value, the forecast needs 8"
    )
    gap = [*HISTORY[:3], None, *HISTORY[4:], 99.0]  # a week without a value ends the run
    (broken,) = judge(rule, frame(gap), closed_after(11))
    assert broken.status == "not_evaluable" and "6 earlier week(s)" in broken.reason
    flat = [5.0] * 8
    assert prediction_interval(pd.Series(flat), "week") == (5.0, 5.0, 5.0)
    (moved,) = judge(rule, frame([*flat, 6.0]), closed_after(9))
    assert moved.status == "fired" and moved.bound == 5.0


def test_a_day_rule_knows_the_weekly_pattern() -> None:
    """Weekends are quiet: a quiet Saturday is no anomaly for the day model (weekday
    dummies), while a model without them would call it one."""
    rng = np.random.default_rng(3)
    days = 33  # days 0 … 32, and day 33 is a Saturday (START is a Monday)
    values = [(8.0 if (i % 7) in (5, 6) else 40.0) + rng.normal(0, 1.5) for i in range(days)]
    saturday = 8.5
    rule = AlertRule(name="d", kpi="csat", period="day", condition="anomaly", history=28)
    rows = frame([*values, saturday], days=1)
    (v,) = judge(rule, rows, dt.datetime.combine(START + dt.timedelta(days=days + 1), dt.time()))
    assert v.status == "ok", v.reason
    low, _, _ = by_hand(values)  # no weekday terms: a Saturday looks far too low
    assert saturday < low


def test_groups_are_judged_apart() -> None:
    rule = AlertRule(name="g", kpi="csat", condition="threshold", below=0.8, by=("team",))
    rows = pd.concat([frame([0.9, 0.7]).assign(team="t1"), frame([0.9, 0.95]).assign(team="t2")])
    found = {v.group: v.status for v in judge(rule, rows, closed_after(2))}
    assert found == {"team=t1": "fired", "team=t2": "ok"}


# -- a real store -----------------------------------------------------------------------

#: tickets created per UTC day; the data ends on 3 March at 10:00, so 3 March is open
DAYS = {dt.date(2026, 3, 1): 2, dt.date(2026, 3, 2): 5, dt.date(2026, 3, 3): 4}


def fill(store: Store) -> None:
    rows = [
        {
            "ticket_id": f"t:{day.isoformat()}-{i}",
            "source": "t",
            "created_at": dt.datetime.combine(day, dt.time(8 + i % 3), tzinfo=dt.UTC),
            "channel": "email",
            "status": "open",
        }
        for day, count in DAYS.items()
        for i in range(count)
    ]
    store.write("tickets", rows)


VOLUME = {"name": "volume", "kpi": "tickets_created", "condition": "threshold", "above": 3}
LATER = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)


def test_an_alert_fires_once_and_is_stored(store: Store) -> None:
    fill(store)
    config = MetricsConfig()
    (rule,) = rules({**VOLUME, "lang": "fa"})
    dry = evaluate_alerts(store, [rule], now=LATER, config=config, deliver=False)
    assert [(r.status, r.period_start, r.value, r.new) for r in dry] == [
        ("fired", dt.date(2026, 3, 2), 5.0, True)  # 3 March (4 tickets) is still open
    ]
    assert alert_events(store) == []  # a dry run writes nothing
    (first,) = evaluate_alerts(store, [rule], now=LATER, config=config)
    assert first.new and first.event is not None and first.event.delivery == "none"
    assert first.event.alert_id == "volume/day:2026-03-02/all"
    assert first.event.message.startswith("تیکت") and "۵" in first.event.message
    (second,) = evaluate_alerts(store, [rule], now=LATER, config=config)
    assert second.fired and not second.new
    (event,) = alert_events(store)
    assert (event.value, event.bound, event.direction, event.period_end) == (
        5.0,
        3.0,
        "above",
        dt.date(2026, 3, 3),
    )
    # evaluated "as of" 2 March noon: that day has not closed, 1 March (2 tickets) is judged
    noon = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    (earlier,) = evaluate_alerts(store, [rule], now=noon, config=config)
    assert (earlier.status, earlier.period_start, earlier.value) == ("ok", dt.date(2026, 3, 1), 2.0)
    # a KPI the data cannot give (no survey answers): said, not skipped
    (csat,) = rules({"name": "c", "kpi": "csat", "condition": "threshold", "below": 0.8})
    (unanswered,) = evaluate_alerts(store, [csat], now=LATER, config=config)
    assert unanswered.status == "not_evaluable" and unanswered.reason


def test_a_failed_delivery_is_retried_at_the_next_evaluation(store: Store) -> None:
    fill(store)
    config = MetricsConfig()
    with receiving() as receiver:
        receiver.statuses = [503]
        (rule,) = rules({**VOLUME, "webhook": f"{receiver.url}/hook?token=s3cret"})
        (first,) = evaluate_alerts(store, [rule], now=LATER, config=config)
        assert first.event is not None and first.event.delivery == "failed"
        assert first.event.webhook_status == 503 and "s3cret" not in (first.event.error or "")
        (again,) = evaluate_alerts(store, [rule], now=LATER, config=config)
        assert again.event is not None and not again.new
        assert (again.event.delivery, again.event.attempts) == ("delivered", 2)
        evaluate_alerts(store, [rule], now=LATER, config=config)  # delivered: sent no more
    assert len(receiver.received) == 2
    sent = json.loads(receiver.received[1].body)
    assert sent == json.loads(receiver.received[0].body)  # the payload it fired with
    assert {k: sent[k] for k in ("rule", "kpi", "period", "group", "value", "bound")} == {
        "rule": "volume",
        "kpi": "tickets_created",
        "period": "2026-03-02",
        "group": "all",
        "value": 5.0,
        "bound": 3.0,
    }
    assert sent["condition"] == "threshold" and sent["message"].endswith("above the threshold 3.")
    assert receiver.received[0].headers["X-Sanjeh-Alert"] == "volume"
    (event,) = alert_events(store)
    assert event.delivered_at is not None and event.attempts == 2


# -- the CLI -----------------------------------------------------------------------------


def test_the_cli_checks_and_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.duckdb")
    with Store.open(db) as store:
        fill(store)
    (tmp_path / "sanjeh.toml").write_text(
        '[[alerts]]\nname = "volume"\nkpi = "tickets_created"\ncondition = "threshold"\n'
        "above = 3\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["alerts", "check", "--db", db, "--no-deliver", "--json"]) == 0
    (dry,) = json.loads(capsys.readouterr().out)
    assert (dry["status"], dry["period_start"], dry["value"], dry["new"]) == (
        "fired",
        "2026-03-02",
        5.0,
        True,
    )
    assert main(["alerts", "list", "--db", db]) == 0
    assert "no alert has fired" in capsys.readouterr().err  # the dry run wrote nothing
    assert main(["alerts", "check", "--db", db, "--json"]) == 0
    (fired,) = json.loads(capsys.readouterr().out)
    assert fired["alert_id"] == "volume/day:2026-03-02/all" and fired["delivery"] == "none"
    assert main(["alerts", "list", "--db", db, "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["alert_id"], listed["value"], listed["bound"]) == (fired["alert_id"], 5.0, 3.0)
