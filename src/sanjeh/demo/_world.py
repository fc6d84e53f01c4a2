"""The shared state of a run (``World``) and what a simulated chunk returns (``Chunk``)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ._arrivals import Arrivals
from ._calendar import Clock
from ._customers import Customers
from ._org import Org


@dataclasses.dataclass
class World:
    arrivals: Arrivals
    customers: Customers
    org: Org
    team_clock: list[Clock]  # clock of each team code
    start: int
    end: int
    #: phone tickets per (team, hour of the period) against the team's usual: queue congestion
    phone_load: np.ndarray


@dataclasses.dataclass
class Chunk:
    """A chunk's tickets (global indices ``lo:hi``) and what happened to them."""

    lo: int
    hi: int
    created: np.ndarray
    customer: np.ndarray
    lang: np.ndarray
    channel: np.ndarray
    category: np.ndarray
    agent_created: np.ndarray
    mood: np.ndarray
    dup_of: np.ndarray  # global ticket index merged into, -1
    bot_first: np.ndarray
    phone: dict[str, np.ndarray]  # the answered call behind each phone ticket
