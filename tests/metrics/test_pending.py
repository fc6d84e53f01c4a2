"""FCR and reopen rate wait for their windows to close; escalation breaks FCR.

Hand-computed on the scenario (scenario.py; the data ends on D3 10:20, its "now"):

ticket  first solved  last solved  FCR window ends  reopen window ends  outcome
T1      D0 14:00      D1 10:30     D8 10:30         D7 14:00            reopened D1, escalated
T2      D0 11:00      D0 11:00     D7 11:00         D7 11:00            T6 (same customer) D3
T3      D0 09:06      D0 09:06     D7 09:06         D7 09:06            —
T6      D3 10:20      D3 10:20     D10 10:20        D10 10:20           —
T7      D2 09:30      D2 09:30     D9 09:30         D9 09:30            —

(both windows 7 days: FCR from the last solve, reopen from the first)
"""

from __future__ import annotations

import math

import pytest

from sanjeh.metrics import MetricOptions, MetricsConfig, kpis
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .scenario import AGENTS, CUSTOMERS, TEAMS, at, ev, ticket


def one(store: Store, name: str, **options):
    config = MetricsConfig(options=MetricOptions(**options))
    df = kpis(store, [name], config=config, hours="calendar")
    assert len(df) == 1
    return df.iloc[0]


def test_nothing_is_decided_while_every_window_is_open(scenario: Store) -> None:
    fcr = one(scenario, "fcr_rate")  # "now" is D3 10:20: every window is still open
    assert fcr.n == 0 and math.isnan(fcr.value)
    assert fcr.pending == 5
    assert fcr.note == (
        "5 solved tickets whose 7-day recontact window has not closed are not counted yet"
    )
    reopen = one(scenario, "reopen_rate")
    assert reopen.n == 0 and reopen.pending == 5


def test_windows_closed_by_d9_noon(scenario: Store) -> None:
    # T1 (reopened), T2 (recontact), T3, T7 decided; T6's windows close on D10 10:20
    fcr = one(scenario, "fcr_rate", as_of=at(9, 12))
    assert (fcr.n, fcr.value, fcr.pending) == (4, pytest.approx(2 / 4), 1)  # T3, T7
    assert fcr.note.startswith("1 solved tickets whose 7-day recontact window")
    reopen = one(scenario, "reopen_rate", as_of=at(9, 12))
    assert (reopen.n, reopen.value, reopen.pending) == (4, pytest.approx(1 / 4), 1)  # T1


def test_every_window_closed(scenario: Store) -> None:
    fcr = one(scenario, "fcr_rate", as_of=at(11, 0))
    assert (fcr.n, fcr.value, fcr.pending) == (5, pytest.approx(3 / 5), 0)  # T3, T6, T7
    assert fcr.note is None
    # a shorter window closes sooner: 2 days after T6 was solved, T2's recontact (T6,
    # 3 days after T2) no longer counts
    fcr = one(scenario, "fcr_rate", fcr_window_days=2, as_of=at(5, 11))
    assert (fcr.n, fcr.value, fcr.pending) == (5, pytest.approx(4 / 5), 0)


def test_reopen_window_zero_counts_every_reopen_at_once(scenario: Store) -> None:
    reopen = one(scenario, "reopen_rate", reopen_window_days=0)
    assert (reopen.n, reopen.value, reopen.pending) == (5, pytest.approx(1 / 5), 0)


ESCALATED = [
    # E1: escalated to tier 2, solved, never reopened, the customer never came back
    ticket("e1", at(0, 9), status="solved", customer_id="t:c-e1", tags=["fcr"]),
    # E2: solved at first contact, no escalation
    ticket("e2", at(0, 9), status="solved", customer_id="t:c-e2", tags=["fcr"]),
]
ESCALATED_EVENTS = [
    ev("e1", 1, at(0, 9), "created", "customer", actor_id="t:c-e1"),
    ev("e1", 2, at(0, 9), "message", "customer", actor_id="t:c-e1"),
    ev("e1", 3, at(0, 9, 30), "escalate", "agent", actor_id="t:ali", tier=2),
    ev("e1", 4, at(0, 10), "message", "agent", actor_id="t:ali"),
    ev("e1", 5, at(0, 11), "status", "agent", actor_id="t:ali", status="solved"),
    ev("e2", 1, at(0, 9), "created", "customer", actor_id="t:c-e2"),
    ev("e2", 2, at(0, 9), "message", "customer", actor_id="t:c-e2"),
    ev("e2", 3, at(0, 10), "message", "agent", actor_id="t:ali"),
    ev("e2", 4, at(0, 11), "status", "agent", actor_id="t:ali", status="solved"),
]


def _escalated(store: Store) -> None:
    store.write("teams", TEAMS)
    store.write("agents", AGENTS)
    store.write("customers", CUSTOMERS)
    store.write("tickets", ESCALATED)
    store.write("events", ESCALATED_EVENTS)


@pytest.fixture(scope="module", params=BACKENDS)
def escalated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with loaded_store(request.param, tmp_path_factory, _escalated) as store:
        yield store


@pytest.mark.parametrize(
    ("method", "expected"), [("breaks", 1 / 2), ("allowed", 2 / 2)], ids=["breaks", "allowed"]
)
def test_escalation_option(escalated: Store, method: str, expected: float) -> None:
    fcr = one(escalated, "fcr_rate", fcr_escalation=method, as_of=at(30, 0))
    assert (fcr.n, fcr.value) == (2, pytest.approx(expected))


def test_escalation_breaks_fcr_by_default(escalated: Store) -> None:
    fcr = one(escalated, "fcr_rate", as_of=at(30, 0))
    assert fcr.value == pytest.approx(1 / 2)
    # also when agents tag it "fcr": an escalated ticket was not resolved at first contact
    tagged = one(escalated, "fcr_rate", fcr_method="tag", as_of=at(30, 0))
    assert (tagged.n, tagged.value) == (2, pytest.approx(1 / 2))
    allowed = one(escalated, "fcr_rate", fcr_method="tag", fcr_escalation="allowed")
    assert (allowed.n, allowed.value, allowed.pending) == (2, 1.0, 0)  # tags wait for nothing
