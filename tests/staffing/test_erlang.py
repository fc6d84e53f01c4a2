"""Erlang C and Erlang A against hand-computed values, a solved birth–death chain and a
discrete-event simulation (tests/staffing/chain.py), never against themselves."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.errors import StaffingError
from sanjeh.staffing import erlang_a, erlang_c
from sanjeh.staffing._erlang import _erlang_b_poisson, erlang_b

from .chain import chain_figures, simulate

FIELDS = ("wait_probability", "service_level", "abandon_probability", "asa_s", "occupancy")


def test_published_example_at_14_agents() -> None:
    """100 calls in 30 minutes, AHT 180 s, 20 s target: the worked example's figures."""
    got = erlang_c(100, 1800, 180, 14, 20)
    assert got.load_erlangs == 10.0
    assert round(got.service_level, 5) == 0.88835
    assert round(got.occupancy, 5) == 0.71429
    assert round(got.wait_probability, 5) == 0.17413
    assert got.abandon_probability == 0.0
    assert isinstance(got.service_level, float) and isinstance(got.agents, int)


def test_one_agent_is_the_mm1_queue() -> None:
    """M/M/1 by hand: C = ρ, SL = 1 − ρ·e^{−(μ−λ)t}, ASA = ρ / (μ − λ)."""
    lam, mu, t = 6 / 3600, 1 / 300, 60.0  # 6 calls an hour, 5 minutes each: ρ = 0.5
    got = erlang_c(6, 3600, 300, 1, t)
    assert got.wait_probability == pytest.approx(0.5, abs=1e-12)
    assert got.service_level == pytest.approx(1 - 0.5 * math.exp(-(mu - lam) * t), abs=1e-12)
    assert got.asa_s == pytest.approx(0.5 / (mu - lam), rel=1e-12)
    assert got.occupancy == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(
    "case",
    [
        (100, 1800, 180, 14, 20),
        (100, 1800, 180, 11, 20),
        (5, 3600, 240, 1, 30),
        (40, 900, 600, 30, 60),
        (1800, 900, 150, 330, 20),  # 300 Erlangs, 330 agents
    ],
)
def test_erlang_c_matches_the_chain(case: tuple) -> None:
    got = erlang_c(*case).as_dict()
    want = chain_figures(*case)
    for field in FIELDS:
        assert got[field] == pytest.approx(want[field], rel=1e-7, abs=1e-10), field


@pytest.mark.parametrize(
    "case",
    [
        (100, 1800, 180, 12, 20, 90),
        (100, 1800, 180, 8, 20, 90),  # fewer agents than Erlangs: stable, many hang up
        (50, 900, 300, 5, 30, 600),  # heavily overloaded
        (3, 3600, 600, 1, 60, 120),
        (30, 1800, 240, 6, 20, 5_000),  # patient callers: close to Erlang C
        (2000, 900, 120, 250, 15, 45),  # 267 Erlangs
    ],
)
def test_erlang_a_matches_the_chain(case: tuple) -> None:
    arrivals, interval, aht, agents, target, patience = case
    got = erlang_a(arrivals, interval, aht, patience, agents, target).as_dict()
    want = chain_figures(arrivals, interval, aht, agents, target, patience)
    for field in FIELDS:
        assert got[field] == pytest.approx(want[field], rel=1e-7, abs=1e-10), field


def test_erlang_a_matches_a_simulation() -> None:
    """200,000 simulated calls; tolerance ±0.01 on shares (several standard errors)."""
    got = erlang_a(100, 1800, 180, 90, 12, 20)
    sim = simulate(100, 1800, 180, 12, 20, 90, calls=200_000, seed=7)
    for field in ("wait_probability", "service_level", "abandon_probability"):
        assert getattr(got, field) == pytest.approx(sim[field], abs=0.01), field
    assert got.asa_s == pytest.approx(sim["asa_s"], rel=0.05)


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    """Patience of 3 years: abandonment ~1e-7, every figure within 1e-5 of Erlang C's
    (the chain agrees with Erlang A to 1e-9 here: the gap is the model's, not rounding)."""
    c = erlang_c(100, 1800, 180, [12, 14, 20], 20)
    a = erlang_a(100, 1800, 180, 1e8, [12, 14, 20], 20)
    for field in ("wait_probability", "service_level", "asa_s", "occupancy"):
        assert np.allclose(getattr(a, field), getattr(c, field), rtol=2e-5), field
    assert np.all(a.abandon_probability < 1e-6)


def test_thousands_of_agents_stay_finite_and_quiet() -> None:
    """5,000 Erlangs: no factorial overflow, no warning, figures in range."""
    agents = np.array([4_990, 5_001, 5_100, 5_300, 6_000])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = erlang_c(20_000, 900, 225, agents, 20)
        a = erlang_a(20_000, 900, 225, 120, agents, 20)
    for got in (c, a):
        for field in FIELDS:
            values = np.asarray(getattr(got, field))
            assert not np.isnan(values).any(), field
    assert c.service_level[0] == 0.0 and c.asa_s[0] == math.inf  # 4,990 < 5,000 Erlangs
    assert 0 < c.service_level[1] < c.service_level[2] < c.service_level[3] <= 1
    assert np.all(np.diff(a.service_level) >= 0) and a.service_level[1] > a.service_level[0]


def test_erlang_b_recursion_and_poisson_form_agree() -> None:
    """Above 5,000 agents B comes from pmf / cdf; both agree where they meet."""
    n = np.array([1, 7, 60, 4_000, 5_000])
    load = np.array([0.3, 9.0, 55.0, 3_990.0, 5_100.0])
    assert np.allclose(erlang_b(n, load), _erlang_b_poisson(n.astype(float), load), rtol=1e-10)
    # far below the load the cdf underflows: 1/B as a sum, ≈ 1 − n/R
    assert _erlang_b_poisson(np.array([100.0]), np.array([1e5]))[0] == pytest.approx(
        1 - 100 / 1e5, rel=1e-5
    )


def test_saturated_and_empty_queues() -> None:
    got = erlang_c([10, 10, 0, 0], 3600, 360, [1, 0, 0, 3], 20)  # load 1 Erlang, 1 agent
    assert got.wait_probability.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert got.service_level.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert got.asa_s.tolist() == [math.inf, math.inf, 0.0, 0.0]
    assert got.occupancy.tolist() == [1.0, 1.0, 0.0, 0.0]
    none = erlang_a([10, 0], 3600, 360, 60, [0, 0], 20)
    assert none.abandon_probability.tolist() == [1.0, 0.0]
    assert none.service_level.tolist() == [0.0, 1.0]
    assert none.asa_s.tolist() == [math.inf, 0.0]


def test_arrays_broadcast_like_numpy() -> None:
    got = erlang_c(np.array([[50], [100]]), 1800, 180, np.array([8, 14]), 20)
    assert got.service_level.shape == (2, 2)
    assert got.service_level[1, 1] == pytest.approx(0.88835, abs=1e-5)
    with pytest.raises(StaffingError, match="shapes do not fit"):
        erlang_c([1, 2, 3], 1800, 180, [1, 2], 20)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"arrivals": -1}, "arrivals"),
        ({"arrivals": float("nan")}, "arrivals"),
        ({"arrivals": "many"}, "arrivals"),
        ({"interval_s": 0}, "interval_s"),
        ({"aht_s": 0}, "aht_s"),
        ({"agents": 2.5}, "agents"),
        ({"agents": -1}, "agents"),
        ({"target_s": 0}, "target_s"),
        ({"target_s": -20}, "target_s"),
        ({"patience_s": 0}, "patience_s"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, argument: str) -> None:
    base = {
        "arrivals": 100,
        "interval_s": 1800,
        "aht_s": 180,
        "patience_s": 90,
        "agents": 12,
        "target_s": 20,
    }
    with pytest.raises(StaffingError) as raised:
        erlang_a(**{**base, **kwargs})
    assert raised.value.argument == argument
    assert str(raised.value).startswith(f"{argument}: ")
    assert isinstance(raised.value, ValueError)
    if "patience_s" not in kwargs:
        base.pop("patience_s")
        with pytest.raises(StaffingError, match=rf"^{argument}: "):
            erlang_c(**{**base, **kwargs})


TINY_TO_HUGE = st.one_of(st.just(0.0), st.floats(1e-300, 1e-3), st.floats(1e-3, 5e4))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arrivals=TINY_TO_HUGE,
    aht=st.floats(1, 3600),
    patience=st.floats(1, 1e5),
    agents=st.integers(0, 3000),
    target=st.floats(0.1, 3600),
)
def test_every_valid_input_gives_figures_in_range(arrivals, aht, patience, agents, target) -> None:
    """No NaN, probabilities in [0, 1], waits ≥ 0 (inf only with nobody answered)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = erlang_c(arrivals, 900, aht, agents, target)
        a = erlang_a(arrivals, 900, aht, patience, agents, target)
    for got in (c, a):
        for field in ("wait_probability", "service_level", "abandon_probability", "occupancy"):
            value = getattr(got, field)
            assert 0.0 <= value <= 1.0, (field, value)
        assert got.asa_s >= 0 and not math.isnan(got.asa_s)
    assert a.service_level <= 1 - a.abandon_probability + 1e-12
    if agents and arrivals:
        assert math.isfinite(a.asa_s)
