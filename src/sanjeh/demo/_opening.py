"""Opening phases: creation, first message, bots, phone calls, duplicates and merges."""

from __future__ import annotations

import numpy as np

from ._const import (
    A_AGENT,
    A_BOT,
    A_CUSTOMER,
    A_SYSTEM,
    ANGRY,
    CHAT,
    K_ASSIGN,
    K_CREATED,
    K_HANDOFF,
    K_MERGE,
    K_MESSAGE,
    K_STATUS,
    PHONE,
    S_CLOSED,
    S_NEW,
    S_OPEN,
    S_PENDING,
    S_SOLVED,
    SOCIAL,
    Flag,
    Role,
)
from ._org import AUTOMATION
from ._simbase import FIRST_REPLY, SimBase


class Opening(SimBase):
    """The first minutes of each ticket, up to the moment a human agent owns it."""

    def open_tickets(self) -> np.ndarray:
        """created + first message (+ bot conversation), assignment; returns ready times."""
        rec, rng, n, org = self.rec, self.rng, self.n, self.w.org
        idx = np.arange(n)
        ag = self.agent_created
        creator_type = np.where(ag, A_AGENT, np.where(self.web_form, A_SYSTEM, A_CUSTOMER))
        creator = np.where(ag, self.agent, np.where(self.web_form, -1, self.cust))
        t0 = self.t0
        rec.add(idx, t0, K_CREATED, creator_type, creator, status=S_NEW, priority=self.prio)
        first_role = np.where(
            self.ch == PHONE, Role.AGENT_CALL, np.where(ag, Role.AGENT_OUTBOUND, Role.CUST_FIRST)
        )
        manager = (self.mood == ANGRY) & (rng.random(n) < 0.15)
        rec.add(
            idx,
            t0,
            K_MESSAGE,
            np.where(ag, A_AGENT, A_CUSTOMER),
            np.where(ag, self.agent, self.cust),
            role=first_role,
            mood=self.mood,
            # a call summary says whether the call solved it
            flags=np.where(manager, Flag.MANAGER, 0)
            | np.where((self.ch == PHONE) & (self.rounds == 1), Flag.FINAL, 0),
        )
        ready = t0.copy()

        web = np.flatnonzero(self.web_form)
        ready[web] += self.uniform(2, 30, len(web))
        rec.add(web, ready[web], K_MESSAGE, A_BOT, org.bot_web, role=Role.BOT_ACK)

        self._bot_chat(ready)
        plain = np.flatnonzero(~ag & ~self.bot_first)
        routing = np.where(self.ch[plain] == CHAT, 15, np.where(self.ch[plain] == SOCIAL, 600, 300))
        ready[plain] += (rng.random(len(plain)) * routing).astype(np.int64) + 1
        rec.add(
            plain,
            ready[plain],
            K_ASSIGN,
            A_SYSTEM,
            team=self.team[plain],
            agent=self.agent[plain],
            public=False,
        )
        own = np.flatnonzero(ag)
        rec.add(own, t0[own], K_ASSIGN, A_AGENT, self.agent[own], team=self.team[own],
                agent=self.agent[own], public=False)  # fmt: skip
        return ready

    def _bot_chat(self, ready: np.ndarray) -> None:
        """The bot greets and suggests an article, then solves or hands off to a human."""
        rec, rng, org = self.rec, self.rng, self.w.org
        b = np.flatnonzero(self.bot_first)
        bot = org.bot_chat
        t = self.t0[b] + 1
        rec.add(b, t, K_ASSIGN, A_SYSTEM, team=AUTOMATION, agent=bot, public=False)
        t = t + self.uniform(2, 6, len(b))
        rec.add(b, t, K_MESSAGE, A_BOT, bot, role=Role.BOT_GREET)
        t = t + np.maximum(rng.lognormal(np.log(25), 0.6, len(b)), 3).astype(np.int64)
        solved = self.bot_solved[b]
        role = np.where(solved, Role.CUST_BOT_OK, Role.CUST_TO_BOT)
        rec.add(b, t, K_MESSAGE, A_CUSTOMER, self.cust[b], role=role, mood=self.mood[b])
        t = t + self.uniform(2, 5, len(b))
        s, h = b[solved], b[~solved]
        rec.add(s, t[solved], K_MESSAGE, A_BOT, bot, role=Role.BOT_RESOLVE)
        rec.add(s, t[solved], K_STATUS, A_BOT, bot, status=S_SOLVED)
        self.solved_at[s] = t[solved]
        th = t[~solved]
        offline = np.zeros(len(h), dtype=bool)
        for code in np.unique(self.team[h]):
            rows = self.team[h] == code
            offline[rows] = ~self.w.team_clock[code].is_open(th[rows])
        rec.add(h, th, K_MESSAGE, A_BOT, bot, role=Role.BOT_HANDOFF,
                flags=np.where(offline, Flag.OFFLINE, 0))  # fmt: skip
        rec.add(h, th, K_HANDOFF, A_BOT, bot, team=self.team[h])
        ready[h] = th + self.uniform(1, 4, len(h))
        rec.add(h, ready[h], K_ASSIGN, A_SYSTEM, team=self.team[h], agent=self.agent[h],
                public=False)  # fmt: skip

    def phone_calls(self, ready: np.ndarray) -> None:
        """Calls behind phone tickets; solved on the call or continued by e-mail."""
        rng, rec = self.rng, self.rec
        p = np.flatnonzero(self.ch == PHONE)
        talk = rng.lognormal(np.log(240), 0.6, len(p)).round()
        hold = np.where(rng.random(len(p)) < 0.35, rng.lognormal(np.log(45), 0.8, len(p)), 0)
        hold = hold.round()
        wrap = rng.lognormal(np.log(40), 0.6, len(p)).round()
        answered = self.t0[p] - (talk * rng.uniform(0.15, 0.5, len(p))).astype(np.int64)
        ended = answered + (talk + hold).astype(np.int64)
        self.phone = {"tix": p, "answered": answered, "talk": talk, "hold": hold, "wrap": wrap,
                      "ended": ended, "agent": self.agent[p]}  # fmt: skip
        fcr = self.rounds[p] == 1
        done = np.maximum(ended + (wrap * rng.uniform(0.3, 1.0, len(p))).astype(np.int64),
                          self.t0[p] + 1)  # fmt: skip
        s = p[fcr]
        rec.add(s, done[fcr], K_STATUS, A_AGENT, self.agent[s], status=S_SOLVED)
        self.solved_at[s] = done[fcr]
        # the rest wait for something from the customer (a receipt, a screenshot)
        c = p[~fcr]
        tp = done[~fcr]
        rec.add(c, tp, K_STATUS, A_AGENT, self.agent[c], status=S_PENDING)
        tc = tp + self.customer_delay(c, np.zeros(len(c)))
        rec.add(c, tc, K_MESSAGE, A_CUSTOMER, self.cust[c], role=Role.CUST_FOLLOWUP,
                mood=self.mood[c])  # fmt: skip
        rec.add(c, tc, K_STATUS, A_SYSTEM, status=S_OPEN)
        ready[c] = tc
        self.rounds[c] -= 1
        outbound = np.flatnonzero(self.agent_created & (self.ch != PHONE))
        rec.add(outbound, self.t0[outbound], K_STATUS, A_AGENT, self.agent[outbound],
                status=S_PENDING)  # fmt: skip
        tc = self.t0[outbound] + self.customer_delay(outbound, np.zeros(len(outbound)))
        rec.add(outbound, tc, K_MESSAGE, A_CUSTOMER, self.cust[outbound],
                role=Role.CUST_FOLLOWUP, mood=self.mood[outbound])  # fmt: skip
        rec.add(outbound, tc, K_STATUS, A_SYSTEM, status=S_OPEN)
        ready[outbound] = tc

    def duplicates(self, ready: np.ndarray) -> None:
        """The agent spots a repeat request, notes it and merges it into the earlier one."""
        rec, rng = self.rec, self.rng
        d = np.flatnonzero(self.dup)
        t = self.after(
            self.agent[d], ready[d], self.agent_delay(d, ready[d], FIRST_REPLY[self.ch[d]])
        )
        agent = self.agent[d]
        rec.add(d, t, K_MESSAGE, A_AGENT, agent, public=False, role=Role.NOTE_DUP)
        reply = rng.random(len(d)) < 0.5
        t = t + self.uniform(10, 60, len(d))
        rec.add(d[reply], t[reply], K_MESSAGE, A_AGENT, agent[reply], role=Role.AGENT_DUP)
        t = t + self.uniform(5, 30, len(d))
        rec.add(d, t, K_MERGE, A_AGENT, agent, merged=self.dup_of[d])
        rec.add(d, t, K_STATUS, A_SYSTEM, status=S_CLOSED)
