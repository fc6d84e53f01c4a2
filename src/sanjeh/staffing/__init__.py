"""Staffing: queueing models, non-voice workload and arrival forecasts, as pure functions.

    from sanjeh.staffing import required_agents, erlang_c, forecast

    required_agents(100, 1800, 180, target_s=20, service_level=0.8,
                    max_occupancy=0.85, shrinkage=0.3)        # raw 14, agents 20
    erlang_a(arrivals, 1800, 180, patience_s=90, agents=12, target_s=20)
    forecast(calls_per_half_hour, horizon=336, holidays=calendar)  # next week

    inputs = load_inputs(store, PlanOptions(channel="phone", weeks=8), calendar=cal)
    plan(inputs, PlanOptions(channel="phone", weeks=8, aht_s=240)).hiring  # what-if

Every function takes numbers or NumPy arrays (broadcast together: one value per
interval, team …) and returns floats or arrays; only ``load_inputs`` reads the store. Bad input
raises ``sanjeh.errors.StaffingError`` naming the argument. Formulas, assumptions and
examples: docs/staffing.md; the forecast's accuracy: docs/evaluation.md.
"""

from __future__ import annotations

from ._erlang import QueueFigures, erlang_a, erlang_c
from ._forecast import forecast, mase, seasonal_naive
from ._inputs import Measured, PlanInputs, load_inputs, team_calendar
from ._options import PlanOptions
from ._plan import Hiring, Plan, plan
from ._required import Staffing, required_agents
from ._workload import DeferredStaffing, chat_agents, deferred_agents

__all__ = [
    "DeferredStaffing",
    "Hiring",
    "Measured",
    "Plan",
    "PlanInputs",
    "PlanOptions",
    "QueueFigures",
    "Staffing",
    "chat_agents",
    "deferred_agents",
    "erlang_a",
    "erlang_c",
    "forecast",
    "load_inputs",
    "mase",
    "plan",
    "required_agents",
    "seasonal_naive",
    "team_calendar",
]
