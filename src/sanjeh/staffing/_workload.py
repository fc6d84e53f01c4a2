"""Workload of channels that are not a phone queue: chat with concurrency, deferred work.

Chat: an agent holds up to ``concurrency`` chats at once. Two documented models:

- ``"slots"`` (default): each agent is ``k`` independent servers, each chat holds one
  for its whole handle time (measured *while multitasking*, which is longer than one
  chat alone). Slots are sized with Erlang C / A (M/M/(n·k)), then agents =
  ⌈slots / k⌉. Optimistic where agents slow down with every chat added, or pick up
  a new chat only when they have fewer than k.
- ``"effective_aht"``: each agent is one server working k times as fast (AHT / k),
  the rule of thumb of many planning sheets. It treats a chat's wait as if the agent
  finished chats one after another; it usually asks for more agents than ``"slots"``.

Email / tickets are deferred work: nobody waits on the line, each item must be done
within ``sla_s``. ``deferred_agents`` spreads each interval's handle time evenly over
the ⌊sla_s / interval_s⌋ intervals that start with it (a fluid model: an item is worked
on from the interval it arrives in and finished within its SLA), and staffs each interval
for the work spread onto it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np

from ..errors import StaffingError
from . import _checks
from ._erlang import erlang_a_core, erlang_c_core
from ._required import Model, Staffing, check, finish, required_agents, search_a, search_c

ChatMethod = Literal["slots", "effective_aht"]


def chat_agents(
    arrivals: Any,
    interval_s: Any,
    aht_s: Any,
    concurrency: Any,
    target_s: Any,
    service_level: Any,
    *,
    method: ChatMethod = "slots",
    model: Model = "erlang_c",
    patience_s: Any = None,
    max_occupancy: Any = None,
    shrinkage: Any = 0.0,
) -> Staffing:
    """Agents for chats when each agent handles up to ``concurrency`` at once.

    Arguments as ``required_agents``; ``aht_s`` is the time a chat is open with an
    agent. With ``method="slots"`` the figures (service level, occupancy of the chat
    slots …) are those of ``raw_agents × concurrency`` slots; with ``"effective_aht"``
    those of ``raw_agents`` servers at AHT / concurrency. See the module docstring for
    the two models and their limits.
    """
    k = _checks.whole("concurrency", concurrency, minimum=1)
    if method == "effective_aht":
        aht = _checks.positive("aht_s", aht_s, "seconds a chat is open")
        return required_agents(
            arrivals,
            interval_s,
            aht / k,
            target_s,
            service_level,
            model=model,
            patience_s=patience_s,
            max_occupancy=max_occupancy,
            shrinkage=shrinkage,
        )
    if method != "slots":
        raise StaffingError("method", f"must be 'slots' or 'effective_aht', not {method!r}")
    inputs = check(
        arrivals,
        interval_s,
        aht_s,
        target_s,
        service_level,
        model,
        patience_s,
        max_occupancy,
        shrinkage,
    )
    try:
        per_agent = np.broadcast_to(k, inputs.shape).reshape(-1)
    except ValueError:
        raise StaffingError(
            "concurrency", f"shape {k.shape} does not fit the other arguments' {inputs.shape}"
        ) from None
    slots, _ = search_c(inputs)
    if model == "erlang_a":
        slots, _ = search_a(inputs, slots)
    raw = _checks.ceil(slots / per_agent).astype(np.int64)
    n = raw * per_agent
    if model == "erlang_a":
        assert inputs.patience is not None
        figures = erlang_a_core(inputs.lam, inputs.aht, inputs.patience, n, inputs.target)
    else:
        figures = erlang_c_core(inputs.lam, inputs.aht, n, inputs.target)
    return finish(inputs, raw, figures)


@dataclasses.dataclass(frozen=True)
class DeferredStaffing:
    """Agents per interval for deferred work (arrays, one value per interval).

    ``workload_hours`` handle time arriving in each interval; ``required_hours`` the
    work scheduled onto it (each interval's work spread over its SLA window);
    ``raw_agents`` productive agents for that, ⌈required / (interval × max occupancy)⌉;
    ``agents`` after shrinkage; ``occupancy`` required work / capacity of ``raw_agents``.
    """

    workload_hours: np.ndarray
    required_hours: np.ndarray
    raw_agents: np.ndarray
    agents: np.ndarray
    occupancy: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def deferred_agents(
    arrivals: Any,
    interval_s: float,
    aht_s: Any,
    sla_s: float,
    *,
    backlog_hours: float = 0.0,
    max_occupancy: float = 1.0,
    shrinkage: Any = 0.0,
) -> DeferredStaffing:
    """Agents per interval to finish every email / ticket within ``sla_s`` of its arrival.

    ``arrivals`` items per interval, in time order (an array or a pandas Series);
    ``interval_s`` the interval length; ``aht_s`` handle seconds per item (one value or
    one per interval); ``sla_s`` at least one interval (a shorter SLA is a queue:
    use ``required_agents`` with ``target_s=sla_s``); ``backlog_hours`` work already
    waiting at the start, cleared over the first window. Each interval's work is
    spread evenly over the W = ⌊sla_s / interval_s⌋ intervals starting with it, so the
    work of interval t is Σ (work of the W intervals up to t) / W. Work of the last W − 1
    intervals partly falls after the series and is not shown.
    """
    items = _checks.non_negative("arrivals", arrivals)
    if items.ndim != 1 or not items.size:
        raise StaffingError("arrivals", "must be a non-empty series of counts in time order")
    interval = float(_checks.positive("interval_s", interval_s, "seconds"))
    aht = _checks.positive("aht_s", aht_s, "seconds of handle time per item")
    sla = float(_checks.positive("sla_s", sla_s, "seconds"))
    if sla < interval:
        raise StaffingError(
            "sla_s",
            f"{sla:g} s is shorter than one interval ({interval:g} s): that is a queue, "
            "use required_agents(..., target_s=sla_s)",
        )
    backlog = float(_checks.non_negative("backlog_hours", backlog_hours))
    cap = float(_checks.fraction("max_occupancy", max_occupancy, low_open=True, high_open=False))
    _, (work_s, shrink) = _checks.broadcast(
        arrivals=items * aht,
        shrinkage=_checks.fraction("shrinkage", shrinkage, low_open=False, high_open=True),
    )
    window = int(np.floor(sla / interval + 1e-9))
    spread = np.convolve(work_s, np.ones(window))[: work_s.size] / window
    spread[: min(window, spread.size)] += backlog * 3600 / window
    raw = _checks.ceil(spread / (interval * cap))
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(raw > 0, spread / (raw * interval), 0.0)
    return DeferredStaffing(
        workload_hours=work_s / 3600,
        required_hours=spread / 3600,
        raw_agents=raw.astype(np.int64),
        agents=_checks.ceil(raw / (1 - shrink)).astype(np.int64),
        occupancy=occupancy,
    )
