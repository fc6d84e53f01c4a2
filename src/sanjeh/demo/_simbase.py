"""State and helpers shared by the phases of the ticket simulation."""

from __future__ import annotations

import numpy as np

from ._calendar import DAY
from ._const import CHAT
from ._recorder import Recorder
from ._world import World

H = 3600
# median business seconds of an agent's first reply and later replies, per channel
# (email, chat, phone follow-ups, social, web)
FIRST_REPLY = np.array([2 * H, 50, 2 * H, 15 * 60, 2.5 * H])
NEXT_REPLY = np.array([1.5 * H, 40, 1.5 * H, 15 * 60, 2 * H])
# nobody types a reply faster than this (seconds), per channel
REPLY_FLOOR = np.array([90, 15, 90, 30, 90])
PRIORITY_SPEED = np.array([1.6, 1.0, 0.6, 0.3])  # low, normal, high, urgent
STYLE_SPEED = np.array([1.05, 1.0, 0.85, 1.3])  # polite, neutral, curt, rude
# median wall-clock seconds a customer takes to answer, per channel
CUSTOMER_REPLY = np.array([5 * H, 50, 5 * H, 40 * 60, 6 * H])
# a wait above this (wall-clock) makes the customer complain and the agent apologise
SLOW_WAIT = np.array([24 * H, 15 * 60, 24 * H, 4 * H, 24 * H])
CLOSE_AFTER = 4 * DAY  # solved tickets close automatically
AUTO_SOLVE_AFTER = 3 * DAY  # pending tickets nobody answers are solved
# share of tickets escalated to tier 2, per category
ESCALATE_SHARE = np.array([0.03, 0.03, 0.06, 0.09, 0.08, 0.12, 0.2, 0.03, 0.02, 0.03])
BOT_SOLVES = np.array([0.35, 0.2, 0.15, 0.1, 0.12, 0.3, 0.15, 0.3, 0.3, 0.1])
MOOD_BY_TEMPER = np.array(
    [[0.55, 0.35, 0.08, 0.02], [0.30, 0.45, 0.18, 0.07], [0.10, 0.30, 0.32, 0.28]]
)


class SimBase:
    """One chunk of tickets being simulated: per-ticket arrays and delay helpers."""

    def __init__(self, world: World, rng: np.random.Generator, lo: int, hi: int) -> None:
        self.w, self.rng, self.lo = world, rng, lo
        a = world.arrivals
        n = self.n = hi - lo
        self.t0 = a.created[lo:hi].copy()
        self.cust = a.customer[lo:hi].copy()
        self.lang = a.lang[lo:hi].copy()
        self.ch = a.channel[lo:hi].copy()
        self.cat = a.category[lo:hi].copy()
        self.team = a.team[lo:hi].astype(np.int8)
        self.prio = a.priority[lo:hi].astype(np.int8)
        self.rec = Recorder()
        self.dup_of = np.full(n, -1, dtype=np.int64)
        self.phone: dict[str, np.ndarray] = {}
        self.solved_at = np.full(n, -1, dtype=np.int64)
        # decided by ``Sim.plan``
        self.agent = np.zeros(n, dtype=np.int32)
        self.mood = np.zeros(n, dtype=np.int8)
        self.rounds = np.zeros(n, dtype=np.int64)
        self.agent_created = self.web_form = self.bot_first = self.bot_solved = np.zeros(n, bool)
        self.dup = np.zeros(n, bool)

    def uniform(self, lo: float, hi: float, n: int) -> np.ndarray:
        return self.rng.uniform(lo, hi, n).astype(np.int64)

    def after(self, agent: np.ndarray, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Business-time arithmetic on each agent's own clock; a few answer after hours."""
        out = self.w.org.clocks.after(agent, t, seconds)
        late = self.rng.random(len(t)) < 0.04
        out[late] = t[late] + np.maximum(seconds[late], 1).astype(np.int64)
        return out

    def team_after(self, team: np.ndarray, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Business-time arithmetic on each row's team calendar."""
        out = np.empty(len(t), dtype=np.int64)
        for code in np.unique(team):
            rows = np.flatnonzero(team == code)
            out[rows] = self.w.team_clock[code].after(t[rows], seconds[rows])
        return out

    def day(self, team: np.ndarray, t: np.ndarray) -> np.ndarray:
        out = np.empty(len(t), dtype=np.int64)
        for code in np.unique(team):
            rows = np.flatnonzero(team == code)
            out[rows] = self.w.team_clock[code].day_of(t[rows])
        return np.clip(out, 0, self.w.org.presence.shape[1] - 1)

    def agent_delay(self, i: np.ndarray, t: np.ndarray, median: np.ndarray) -> np.ndarray:
        org = self.w.org
        agent, team = self.agent[i], self.team[i]
        tenure = np.where(t - org.hired[agent] < 120 * DAY, 1.3, 1.0)
        scale = (
            median
            * PRIORITY_SPEED[self.prio[i]]
            * org.load[team, self.day(team, t)]
            * STYLE_SPEED[org.style[agent]]
            * tenure
        )
        return np.maximum(self.rng.lognormal(np.log(scale), 1.0), REPLY_FLOOR[self.ch[i]])

    def customer_delay(self, i: np.ndarray, waited: np.ndarray) -> np.ndarray:
        median = CUSTOMER_REPLY[self.ch[i]].copy()
        median[(self.ch[i] == CHAT) & (waited > 30 * 60)] = 3 * H  # they left the chat
        return np.maximum(self.rng.lognormal(np.log(median), 1.0), 5).astype(np.int64)
