"""Every KPI against hand-computed values on the scenario (see scenario.py).

Live (not merged) tickets: T1, T2, T3, T4, T6, T7; solved: T1, T2, T3, T6, T7.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sanjeh.errors import ConfigError
from sanjeh.metrics import MetricOptions, MetricsConfig, all_kpis, kpis
from sanjeh.store import Store

from .scenario import at
from .test_contact_centre import EXPECTED as CONTACT_CENTRE_EXPECTED
from .test_enps_participation import KPI as ENPS_PARTICIPATION
from .test_priority_kpis import EXPECTED as PRIORITY_EXPECTED
from .test_quality_kpis import EXPECTED as QUALITY_EXPECTED
from .test_review_kpis import KPIS as REVIEW_KPIS
from .test_self_service import EXPECTED as SELF_SERVICE_EXPECTED
from .test_speech_kpis import EXPECTED as SPEECH_EXPECTED
from .test_survey_kpis import EXPECTED as SURVEY_EXPECTED

H = 3600.0


def values(store: Store, names=None, config=None, **kw) -> dict[str, pd.Series]:
    df = kpis(store, names, config=config or MetricsConfig(), hours="calendar", **kw)
    return {r.kpi: r for r in df.itertuples(index=False)}


#: "now" long after the scenario's last event (D3 10:20): every FCR / reopen window has
#: closed (tests/metrics/test_pending.py covers the windows still open)
CLOSED = MetricsConfig(options=MetricOptions(as_of=at(30, 0)))


@pytest.fixture(scope="module")
def overall(scenario: Store) -> dict[str, pd.Series]:
    return values(scenario, config=CLOSED)


EXPECTED = {
    # name: (value, n)
    "first_reply_time": (2400.0, 4),  # 300, 1200, 3600, 7200 → median
    "first_resolution_time": (1800.0, 5),  # 360, 1200, 1800, 7200, 18000
    "resolution_time": (1800.0, 5),  # 360, 1200, 1800, 7200, 91800
    "average_resolution_time": (102360 / 5, 5),
    "response_time": (17700 / 7, 7),  # T1 3600×3 + 1800, T2 3600, T3 300, T6 1200
    "requester_wait_time": (1800.0, 5),  # 360, 1200, 1800, 7200, 16200
    "replies_per_ticket": (8 / 5, 5),  # 4, 2, 1, 1, 0
    "fcr_rate": (3 / 5, 5),  # T1 reopened, T2 followed by T6 within 7 days
    "one_touch_rate": (3 / 5, 5),  # T3, T6 (1 reply), T7 (0 replies)
    "reopen_rate": (1 / 5, 5),
    "escalation_rate": (1 / 6, 6),
    "tickets_created": (6.0, 6),
    "tickets_solved": (5.0, 5),
    "sla_first_reply": (4 / 5, 5),  # T4 open past 24 h; T7 solved without a reply: unknown
    "sla_achievement": (4 / 5, 5),
    "chat_abandonment_rate": (1 / 2, 2),  # T7 of T3, T7
    "bot_containment_rate": (0.0, 1),  # T3 was handed off
    "conversion_rate": (1 / 5, 5),  # T3's customer upgraded 2 days later
    "backlog": (1.0, 1),  # T4
    "csat": (1 / 3, 3),  # 5 of (5, 2, 3)
    "ces": (4.5, 2),
    "nps": (100 / 3, 3),  # promoters 10, 9; detractor 6
    "survey_response_rate": (8 / 9, 9),
    "calls_offered": (4.0, 4),
    "call_abandonment_rate": (2 / 4, 4),
    "average_speed_of_answer": (27.5, 2),
    "service_level": (1 / 4, 4),  # only call 1 within 20 s, of 4 offered
    "average_handle_time": (305.0, 2),
    "tickets_per_agent_hour": (5 / 12, 5),
    "cost_per_ticket": (160 / 5, 5),
}


#: KPIs whose hand-computed cases live elsewhere: the conversation-quality KPIs need
#: analysed messages (tests/metrics/test_quality_kpis.py); the contact-centre ones
#: scheduled shifts and timed IVRs (tests/metrics/test_contact_centre.py); the employee
#: surveys groups of at least five answers (tests/metrics/test_survey_kpis.py); the speech
#: KPIs and the call log's counts beside them analysed calls (test_speech_kpis.py)
ELSEWHERE = (
    {"churn_rate", "retention_rate"}
    | QUALITY_EXPECTED.keys()
    | SURVEY_EXPECTED.keys()
    | set(REVIEW_KPIS)
    | CONTACT_CENTRE_EXPECTED.keys()
    | {ENPS_PARTICIPATION}
    | SPEECH_EXPECTED.keys()
    | PRIORITY_EXPECTED.keys()
    # inferred CSAT needs predictions in ticket_predictions: tests/insights/test_inferred_csat.py
    | {"inferred_csat"}
    # self-service needs article views, with every edge of the window: test_self_service.py
    | SELF_SERVICE_EXPECTED.keys()
)


def test_every_registered_kpi_has_a_hand_computed_case() -> None:
    missing = set(all_kpis()) - set(EXPECTED) - ELSEWHERE
    assert not missing, f"add hand-computed expectations for {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_kpi_values(overall, name: str) -> None:
    value, n = EXPECTED[name]
    row = overall[name]
    assert row.value == pytest.approx(value, rel=1e-12), name
    assert row.n == n, name


def test_duration_statistics(overall) -> None:
    frt = overall["first_reply_time"]
    assert frt.mean == pytest.approx(3075.0)
    # p90 of 300, 1200, 3600, 7200 with linear interpolation: 3600 + 0.7 × 3600
    assert frt.p90 == pytest.approx(6120.0)
    assert frt.target == 86400 and frt.status == "met"


def test_rate_confidence_interval_is_wilson(overall) -> None:
    row = overall["fcr_rate"]  # 3 of 5
    assert (row.ci_low, row.ci_high) == pytest.approx((0.2307, 0.8824), abs=1e-4)


def test_options_change_the_numbers(scenario: Store) -> None:
    def one(name: str, **options) -> float:
        cfg = MetricsConfig(options=MetricOptions(**options))
        return values(scenario, [name], config=cfg)[name].value

    assert one("csat", csat_method="good_bad") == pytest.approx(1 / 2)  # 3 is neutral
    assert one("one_touch_rate", one_touch_includes_zero_replies=False) == pytest.approx(2 / 5)
    assert one("service_level", service_level_formula="answered") == pytest.approx(1 / 2)
    assert one("service_level", service_level_formula="exclude_short_abandons") == (
        pytest.approx(1 / 3)
    )
    assert one("fcr_rate", fcr_window_days=2, as_of=at(30, 0)) == pytest.approx(4 / 5)
    assert one("tickets_created", include_merged=True) == 7


def test_churn_and_retention_over_a_window(scenario: Store) -> None:
    got = values(scenario, ["churn_rate", "retention_rate"], start="2026-03-01", end="2026-04-01")
    # active on 1 March: c-1, c-2, c-7 (c-4 left in February, c-3 joined later); c-2 left
    assert got["churn_rate"].value == pytest.approx(1 / 3)
    assert got["churn_rate"].n == 3
    assert got["retention_rate"].value == pytest.approx(2 / 3)
    # the previous 31 days: c-1, c-2, c-4, c-7 active on 29 January; c-4 left
    assert got["churn_rate"].previous == pytest.approx(1 / 4)


def test_breakdown_by_agent(scenario: Store) -> None:
    df = kpis(
        scenario,
        ["first_reply_time", "tickets_per_agent_hour", "cost_per_ticket"],
        by="agent",
        config=MetricsConfig(),
        hours="calendar",
    )
    got = {(r.kpi, r.agent): r.value for r in df.itertuples()}
    # ali: T1 3600, T3 300, T6 1200 (T6's first reply is sara's, T6 belongs to ali)
    assert got[("first_reply_time", "t:ali")] == 1200.0
    assert got[("first_reply_time", "t:sara")] == 7200.0
    assert got[("tickets_per_agent_hour", "t:ali")] == pytest.approx(3 / 8)
    assert got[("tickets_per_agent_hour", "t:sara")] == pytest.approx(1 / 4)
    assert got[("cost_per_ticket", "t:ali")] == pytest.approx(80 / 3)
    assert got[("cost_per_ticket", "t:sara")] == pytest.approx(80.0)


def test_daily_periods_with_empty_days_and_previous(scenario: Store) -> None:
    df = kpis(
        scenario,
        ["tickets_created", "backlog", "first_reply_time"],
        period="day",
        start="2026-03-02",
        end="2026-03-06",
        config=MetricsConfig(),
        hours="calendar",
    )
    created = df[df.kpi == "tickets_created"].set_index("period")
    assert created.value.to_dict() == {
        "2026-03-02": 3.0,
        "2026-03-03": 1.0,
        "2026-03-04": 1.0,
        "2026-03-05": 1.0,
    }
    assert math.isnan(created.loc["2026-03-02", "previous"]) is False  # 1 March: 0 tickets
    assert created.loc["2026-03-03", "change"] == -2.0
    backlog = df[df.kpi == "backlog"].set_index("period").value.to_dict()
    # end of day 0: T1 open (T2, T3 solved); day 1: T4 open (T1 solved); day 2: T7 opened
    # and closed; day 3: T6 opened and solved
    assert backlog == {"2026-03-02": 1.0, "2026-03-03": 1.0, "2026-03-04": 1.0, "2026-03-05": 1.0}


def test_filters(scenario: Store) -> None:
    got = values(scenario, ["tickets_created", "first_reply_time"], filters={"channel": "chat"})
    assert got["tickets_created"].value == 2  # T3, T7
    assert got["first_reply_time"].value == 300.0


def test_empty_group_gives_no_numbers(scenario: Store) -> None:
    got = values(scenario, ["tickets_created", "first_reply_time"], filters={"channel": "phone"})
    assert got["tickets_created"].value == 0 and got["tickets_created"].note is None
    frt = got["first_reply_time"]
    assert frt.n == 0 and math.isnan(frt.value)
    assert frt.note == "no tickets match the filters"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "colour"}, "unknown breakdown 'colour'"),
        ({"period": "fortnight"}, "unknown period 'fortnight'"),
        ({"start": "2026-03-05", "end": "2026-03-01"}, "ends"),
        ({"start": "yesterday"}, "not a date"),
        ({"filters": {"planet": "mars"}}, "unknown filter 'planet'"),
    ],
)
def test_bad_requests_are_clear_errors(scenario: Store, kwargs, message) -> None:
    with pytest.raises(ConfigError, match=message):
        kpis(scenario, ["tickets_created"], config=MetricsConfig(), **kwargs)


def test_unknown_kpi(scenario: Store) -> None:
    with pytest.raises(ConfigError, match="unknown KPI 'frt'"):
        kpis(scenario, ["frt"], config=MetricsConfig())


def test_breakdown_by_tag_and_customer_segment(scenario: Store) -> None:
    df = kpis(
        scenario,
        ["tickets_created", "first_reply_time"],
        by="tag",
        config=MetricsConfig(),
        hours="calendar",
    )
    got = {(r.kpi, r.tag): r.value for r in df.itertuples()}
    # a ticket counts once under each of its tags: T1 (vip, late), T3 (vip)
    assert got[("tickets_created", "vip")] == 2 and got[("tickets_created", "late")] == 1
    assert got[("first_reply_time", "vip")] == (300 + 3600) / 2  # median of T3, T1
    df = kpis(scenario, ["tickets_created"], by="segment", config=MetricsConfig())
    by_segment = {r.segment: r.value for r in df.itertuples()}
    assert by_segment["smb"] == 2  # customer c-2: T2 and T6
