"""required_agents: the published example, minimality checked on the birth–death chain,
monotonicity (hypothesis), shrinkage rounding, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.errors import StaffingError
from sanjeh.staffing import erlang_a, erlang_c, required_agents

from .chain import chain_figures

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_published_example_exactly() -> None:
    """100 calls / 30 min, AHT 180 s, 80 % in 20 s, shrinkage 0.3, occupancy ≤ 0.85."""
    got = required_agents(100, 1800, 180, 20, 0.8, max_occupancy=0.85, shrinkage=0.3)
    assert (got.raw_agents, got.agents) == (14, 20)  # 14 / 0.7 is 20.000000000000004
    assert round(got.service_level, 5) == 0.88835
    assert round(got.occupancy, 5) == 0.71429
    assert round(got.wait_probability, 5) == 0.17413
    assert isinstance(got.raw_agents, int) and isinstance(got.service_level, float)


@pytest.mark.parametrize(
    ("case", "patience"),
    [
        ((100, 1800, 180, 20, 0.8), None),
        ((100, 1800, 180, 20, 0.8), 90.0),
        ((12, 900, 420, 60, 0.9), None),
        ((12, 900, 420, 60, 0.9), 30.0),  # very impatient callers
        ((900, 900, 200, 15, 0.95), 120.0),  # 200 Erlangs
    ],
)
def test_the_answer_is_the_fewest_that_meet_the_target_on_the_chain(
    case: tuple, patience: float | None
) -> None:
    arrivals, interval, aht, target, level = case
    model = "erlang_c" if patience is None else "erlang_a"
    got = required_agents(arrivals, interval, aht, target, level, model=model, patience_s=patience)
    n = got.raw_agents
    at_n = chain_figures(arrivals, interval, aht, n, target, patience)
    assert at_n["service_level"] >= level
    assert got.service_level == pytest.approx(at_n["service_level"], rel=1e-7)
    assert got.occupancy == pytest.approx(at_n["occupancy"], rel=1e-7)
    load = arrivals * aht / interval
    if patience is None and n - 1 <= load:
        return  # one fewer is an unstable M/M/n: no chain, service level 0
    assert chain_figures(arrivals, interval, aht, n - 1, target, patience)["service_level"] < level


def test_erlang_a_can_staff_below_the_load_when_callers_hang_up() -> None:
    """1,000 Erlangs, patience 60 s: 80 % in 20 s with fewer agents than Erlangs, because
    those who hang up need no agent; Erlang C needs more than the load."""
    a = required_agents(4000, 900, 225, 20, 0.8, model="erlang_a", patience_s=60)
    c = required_agents(4000, 900, 225, 20, 0.8)
    assert a.raw_agents < 1000 < c.raw_agents
    check = erlang_a(4000, 900, 225, 60, [a.raw_agents - 1, a.raw_agents], 20)
    assert check.service_level[0] < 0.8 <= check.service_level[1]


def test_max_occupancy_and_shrinkage() -> None:
    loose = required_agents(100, 1800, 180, 20, 0.5)
    capped = required_agents(100, 1800, 180, 20, 0.5, max_occupancy=0.7)
    assert loose.occupancy > 0.7
    assert capped.raw_agents == 15  # ⌈10 / 0.7⌉ = ⌈14.29⌉
    assert capped.occupancy <= 0.7
    # an exact multiple is not rounded up by float noise: 8.5 / 0.85 = 10.000000000000002
    assert required_agents(17, 3600, 1800, 1e6, 0.01, max_occupancy=0.85).raw_agents == 10
    assert required_agents(100, 1800, 180, 20, 0.8, shrinkage=0.0).agents == 14
    assert required_agents(100, 1800, 180, 20, 0.8, shrinkage=0.35).agents == 22  # 21.54 → 22


def test_no_calls_no_agents() -> None:
    got = required_agents([0, 0], 900, 300, 20, 0.8, model="erlang_a", patience_s=60)
    assert got.raw_agents.tolist() == [0, 0] and got.agents.tolist() == [0, 0]
    assert got.service_level.tolist() == [1.0, 1.0]
    assert got.asa_s.tolist() == [0.0, 0.0]


def test_arrays_equal_one_call_per_interval() -> None:
    rng = np.random.default_rng(3)
    arrivals = rng.integers(0, 400, 50).astype(float)
    aht = rng.uniform(60, 600, 50)
    for model, patience in (("erlang_c", None), ("erlang_a", 75.0)):
        batch = required_agents(arrivals, 900, aht, 20, 0.8, model=model, patience_s=patience)
        for i in range(0, 50, 7):
            one = required_agents(
                arrivals[i], 900, aht[i], 20, 0.8, model=model, patience_s=patience
            )
            assert batch.raw_agents[i] == one.raw_agents
            assert batch.service_level[i] == pytest.approx(one.service_level, rel=1e-12)


def test_required_matches_erlang_c_figures() -> None:
    got = required_agents([30, 300, 3000], 900, 240, 30, 0.9)
    again = erlang_c([30, 300, 3000], 900, 240, got.raw_agents, 30)
    for field in ("wait_probability", "service_level", "asa_s", "occupancy"):
        assert np.allclose(getattr(got, field), getattr(again, field), rtol=1e-12), field


MODELS = st.sampled_from([("erlang_c", None), ("erlang_a", 20.0), ("erlang_a", 400.0)])
ARRIVALS = st.floats(0, 3000)
AHT = st.floats(30, 900)
TARGET = st.floats(1, 300)
LEVEL = st.floats(0.05, 0.99)


@SETTINGS
@given(MODELS, ARRIVALS, ARRIVALS, AHT, TARGET, LEVEL)
def test_more_calls_never_need_fewer_agents(model, a1, a2, aht, target, level) -> None:
    name, patience = model
    low, high = sorted((a1, a2))
    got = required_agents([low, high], 900, aht, target, level, model=name, patience_s=patience)
    assert got.raw_agents[0] <= got.raw_agents[1]


@SETTINGS
@given(MODELS, ARRIVALS, AHT, TARGET, LEVEL, LEVEL)
def test_a_higher_service_level_never_needs_fewer_agents(model, arrivals, aht, target, l1, l2):
    name, patience = model
    low, high = sorted((l1, l2))
    got = required_agents(arrivals, 900, aht, target, [low, high], model=name, patience_s=patience)
    assert got.raw_agents[0] <= got.raw_agents[1]


@SETTINGS
@given(MODELS, ARRIVALS, AHT, TARGET, TARGET, LEVEL)
def test_a_longer_target_never_needs_more_agents(model, arrivals, aht, t1, t2, level) -> None:
    name, patience = model
    short, long = sorted((t1, t2))
    got = required_agents(arrivals, 900, aht, [short, long], level, model=name, patience_s=patience)
    assert got.raw_agents[0] >= got.raw_agents[1]


@pytest.mark.parametrize(
    ("kwargs", "argument", "words"),
    [
        ({"arrivals": [10, -2]}, "arrivals", "0 or more"),
        ({"aht_s": 0}, "aht_s", "greater than 0"),
        ({"target_s": 0}, "target_s", "greater than 0"),
        ({"target_s": -5}, "target_s", "greater than 0"),
        ({"service_level": 0}, "service_level", "(0, 1)"),
        ({"service_level": 1}, "service_level", "(0, 1)"),
        ({"service_level": 80}, "service_level", "write 80 % as 0.8"),
        ({"shrinkage": 1}, "shrinkage", "[0, 1)"),
        ({"max_occupancy": 0}, "max_occupancy", "(0, 1]"),
        ({"model": "erlang_x"}, "model", "erlang_c, erlang_a"),
        ({"model": "erlang_a"}, "patience_s", "needs"),
        ({"patience_s": 60}, "patience_s", "model='erlang_a' only"),
        ({"interval_s": float("inf")}, "interval_s", "finite"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs: dict, argument: str, words: str) -> None:
    base = {"arrivals": 100, "interval_s": 1800, "aht_s": 180, "target_s": 20, "service_level": 0.8}
    with pytest.raises(StaffingError) as raised:
        required_agents(**{**base, **kwargs})
    assert raised.value.argument == argument
    assert str(raised.value).startswith(f"{argument}: ")
    assert words in str(raised.value)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"aht_s": 5e-324}, "aht_s"),  # found by schemathesis through /api/staffing
        ({"target_s": 1e-300}, "target_s"),
        ({"patience_s": 1e12, "model": "erlang_a"}, "patience_s"),
        ({"arrivals": 1e12}, "arrivals"),  # a million agents busy: units are wrong
        ({"max_occupancy": 1e-300}, "arrivals"),  # once hung: ⌈R / 1e-300⌉ agents
    ],
)
def test_magnitudes_no_model_is_defined_for_are_refused(
    kwargs: dict[str, object], argument: str
) -> None:
    base: dict[str, object] = {
        "arrivals": 100, "interval_s": 1800, "aht_s": 180, "target_s": 20, "service_level": 0.8
    }  # fmt: skip
    with pytest.raises(StaffingError) as caught:
        required_agents(**{**base, **kwargs})  # type: ignore[arg-type]
    assert caught.value.argument == argument
