"""Chat with concurrency and deferred (email / ticket) work, against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sanjeh.errors import StaffingError
from sanjeh.staffing import chat_agents, deferred_agents, erlang_a, erlang_c, required_agents


def test_one_chat_at_a_time_is_a_phone_queue() -> None:
    chat = chat_agents(60, 3600, 600, 1, 60, 0.8, shrinkage=0.25)
    phone = required_agents(60, 3600, 600, 60, 0.8, shrinkage=0.25)
    assert chat == phone


def test_slots_are_sized_then_shared_by_agents() -> None:
    """60 chats an hour of 10 minutes = 10 Erlangs of chat slots; 3 chats per agent."""
    slots = required_agents(60, 3600, 600, 60, 0.8).raw_agents
    got = chat_agents(60, 3600, 600, 3, 60, 0.8, shrinkage=0.2)
    assert got.raw_agents == math.ceil(slots / 3)
    assert got.agents == math.ceil(got.raw_agents / 0.8)
    at = erlang_c(60, 3600, 600, got.raw_agents * 3, 60)  # what the rounded-up agents give
    assert got.service_level == pytest.approx(at.service_level, rel=1e-12)
    assert got.occupancy == pytest.approx(10 / (got.raw_agents * 3), rel=1e-12)
    assert got.service_level >= 0.8


def test_slots_with_erlang_a_and_arrays() -> None:
    got = chat_agents([30, 120], 3600, 900, [2, 4], 120, 0.9, model="erlang_a", patience_s=300)
    for i, (arrivals, k) in enumerate(((30, 2), (120, 4))):
        slots = required_agents(arrivals, 3600, 900, 120, 0.9, model="erlang_a", patience_s=300)
        assert got.raw_agents[i] == math.ceil(slots.raw_agents / k)
        at = erlang_a(arrivals, 3600, 900, 300, got.raw_agents[i] * k, 120)
        assert got.service_level[i] == pytest.approx(at.service_level, rel=1e-12)


def test_effective_aht_is_one_fast_server_per_agent() -> None:
    got = chat_agents(60, 3600, 600, 3, 60, 0.8, method="effective_aht")
    assert got == required_agents(60, 3600, 200, 60, 0.8)


def test_chat_bad_input() -> None:
    with pytest.raises(StaffingError, match=r"^concurrency: "):
        chat_agents(60, 3600, 600, 0, 60, 0.8)
    with pytest.raises(StaffingError, match=r"^concurrency: "):
        chat_agents(60, 3600, 600, 1.5, 60, 0.8)
    with pytest.raises(StaffingError, match=r"^method: "):
        chat_agents(60, 3600, 600, 2, 60, 0.8, method="fast")  # type: ignore[arg-type]
    with pytest.raises(StaffingError, match=r"^concurrency: "):
        chat_agents([1, 2, 3], 3600, 600, [1, 2], 60, 0.8)


def test_deferred_work_is_spread_over_its_sla() -> None:
    """10 emails of 6 minutes (1 hour of work) in the first hour, SLA 2 hours: half an
    hour of work in each of the first two hours, one agent each at 50 % occupancy."""
    got = deferred_agents([10, 0, 0, 0], 3600, 360, 7200)
    assert got.workload_hours.tolist() == pytest.approx([1, 0, 0, 0])
    assert got.required_hours.tolist() == pytest.approx([0.5, 0.5, 0, 0])
    assert got.raw_agents.tolist() == [1, 1, 0, 0]
    assert got.agents.tolist() == [1, 1, 0, 0]
    assert got.occupancy.tolist() == pytest.approx([0.5, 0.5, 0, 0])


def test_deferred_options() -> None:
    # at most 40 % occupied: 0.5 h of work an hour needs ⌈1.25⌉ = 2 agents
    assert deferred_agents([10, 0], 3600, 360, 7200, max_occupancy=0.4).raw_agents.tolist() == [
        2,
        2,
    ]
    # 4 hours already waiting, cleared over the first two hours: 2.5 h an hour → 3 agents
    backlog = deferred_agents([10, 0, 0], 3600, 360, 7200, backlog_hours=4)
    assert backlog.required_hours.tolist() == pytest.approx([2.5, 2.5, 0])
    assert backlog.raw_agents.tolist() == [3, 3, 0]
    # 1.5 intervals of SLA: the work must be done within its own interval (⌊1.5⌋ = 1)
    assert deferred_agents([10, 0], 3600, 360, 5400).raw_agents.tolist() == [1, 0]
    # shrinkage 0.5: each productive agent is two scheduled
    assert deferred_agents([10, 0], 3600, 360, 7200, shrinkage=0.5).agents.tolist() == [2, 2]
    # handle time per interval
    per = deferred_agents([10, 10], 3600, np.array([360, 720]), 3600)
    assert per.workload_hours.tolist() == pytest.approx([1, 2])


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"sla_s": 1800}, "sla_s"),  # shorter than one interval: a queue
        ({"arrivals": []}, "arrivals"),
        ({"arrivals": [[1, 2], [3, 4]]}, "arrivals"),
        ({"arrivals": [1, -1]}, "arrivals"),
        ({"aht_s": 0}, "aht_s"),
        ({"interval_s": 0}, "interval_s"),
        ({"backlog_hours": -1}, "backlog_hours"),
        ({"max_occupancy": 0}, "max_occupancy"),
    ],
)
def test_deferred_bad_input(kwargs: dict, argument: str) -> None:
    base = {"arrivals": [10, 0], "interval_s": 3600, "aht_s": 360, "sla_s": 7200}
    with pytest.raises(StaffingError) as raised:
        deferred_agents(**{**base, **kwargs})
    assert raised.value.argument == argument
