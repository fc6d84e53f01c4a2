"""Simulate the timeline of a chunk of tickets, vectorised over tickets.

Each phase (opening, bot conversation, reply rounds, escalation, reopen, close)
runs for all tickets it concerns at once; a loop runs only over reply rounds
(at most a handful). Delays are log-normal: agents' in business seconds of their
own shifts (scaled by channel, priority, that day's staffing, tenure and style),
customers' in wall-clock seconds.
"""

from __future__ import annotations

import numpy as np

from ._calendar import DAY
from ._const import (
    A_AGENT,
    A_CUSTOMER,
    A_SYSTEM,
    ANGRY,
    APP_CRASH,
    BILLING_ERROR,
    CHAT,
    CURT,
    DELIVERY,
    EMAIL,
    HIGH,
    K_ASSIGN,
    K_ESCALATE,
    K_MESSAGE,
    K_PRIORITY,
    K_STATUS,
    LOGIN,
    LOW,
    PAYMENT_FAILED,
    PHONE,
    REFUND,
    RUDE,
    S_CLOSED,
    S_HOLD,
    S_OPEN,
    S_PENDING,
    S_SOLVED,
    SOCIAL,
    UPSET,
    URGENT,
    WEB,
    Flag,
    Role,
)
from ._opening import Opening
from ._org import SPECIALISTS
from ._recorder import Recorder
from ._simbase import (
    AUTO_SOLVE_AFTER,
    BOT_SOLVES,
    CLOSE_AFTER,
    ESCALATE_SHARE,
    FIRST_REPLY,
    MOOD_BY_TEMPER,
    NEXT_REPLY,
    SLOW_WAIT,
    H,
)
from ._world import Chunk, World


class Sim(Opening):
    """A chunk's tickets from creation to close (or to the end of the period)."""

    def plan(self) -> None:
        """Decide each ticket's path: who opens it, bots, duplicates, mood, agent, rounds."""
        rng, n, ch = self.rng, self.n, self.ch
        org, cust = self.w.org, self.w.customers
        self.agent_created = (ch == PHONE) | ((ch == EMAIL) & (rng.random(n) < 0.03))
        self.web_form = ch == WEB
        self.bot_first = ((ch == CHAT) & (rng.random(n) < 0.85)) | (
            (ch == SOCIAL) & (rng.random(n) < 0.25)
        )
        self.bot_solved = self.bot_first & (rng.random(n) < BOT_SOLVES[self.cat])

        # duplicates: the customer wrote again about the same thing shortly after
        gap = rng.integers(1, 40, n)
        target = np.arange(n) - gap
        dup = (~self.agent_created & ~self.bot_first & (target >= 0)) & (rng.random(n) < 0.015)
        dup &= ~dup[np.maximum(target, 0)] & ~self.agent_created[np.maximum(target, 0)]
        rows = np.flatnonzero(dup)
        src = target[rows]
        for arr in (self.cust, self.lang, self.cat, self.team, self.prio):
            arr[rows] = arr[src]
        self.dup = dup
        self.dup_of[rows] = self.lo + src

        # outbound e-mails are written during the agent's working hours
        out = np.flatnonzero(self.agent_created & (ch == EMAIL))
        moved = self.team_after(self.team[out], self.t0[out], rng.uniform(60, 2 * H, len(out)))
        self.t0[out] = np.where(moved < self.w.end, moved, self.t0[out])

        temper = cust.temperament[self.cust]
        u = rng.random(n)[:, None] > np.cumsum(MOOD_BY_TEMPER[temper], axis=1)
        mood = u.sum(axis=1)
        touchy = np.isin(self.cat, (DELIVERY, REFUND, BILLING_ERROR, PAYMENT_FAILED))
        mood += (touchy | (self.prio == URGENT)) & (rng.random(n) < 0.3)
        mood += dup
        self.mood = np.minimum(mood, ANGRY).astype(np.int8)

        # the agent on shift when the team can first take the ticket
        ready = self.team_after(self.team, self.t0, np.ones(n))
        self.agent = org.pick(self.team, self.lang, ready, rng)

        human = ~self.bot_solved & ~dup
        new_agent = self.t0 - org.hired[self.agent] < 120 * DAY
        p_esc = (
            ESCALATE_SHARE[self.cat]
            * np.where(self.prio == URGENT, 1.6, 1.0)
            * np.where(new_agent, 1.4, 1.0)
            * np.where(self.mood == ANGRY, 1.5, 1.0)
        )
        self.esc = human & (rng.random(n) < p_esc)
        self.esc_round = np.where(rng.random(n) < 0.6, 0, 1)

        geo = {EMAIL: 0.55, CHAT: 0.5, PHONE: 0.6, SOCIAL: 0.55, WEB: 0.55}
        p = np.array([geo[c] for c in range(5)])[ch]
        rounds = rng.geometric(p)
        rounds[(ch == PHONE) & (rng.random(n) < 0.7)] = 1  # most calls are solved on the call
        rounds = np.where(self.esc, np.maximum(rounds, self.esc_round + 2), rounds)
        self.rounds = np.minimum(rounds, 7)
        self.hold = (
            human
            & ~self.esc
            & (self.rounds >= 2)
            & (rng.random(n) < np.where(np.isin(self.cat, (REFUND, BILLING_ERROR)), 0.12, 0.03))
        )
        self.auto = human & (self.rounds >= 2) & (rng.random(n) < 0.06)
        self.prio_change = human & (rng.random(n) < 0.07)
        style = org.style[self.agent]
        p_reopen = (
            0.05
            * np.where(np.isin(style, (CURT, RUDE)), 1.9, 1.0)
            * np.where(self.esc, 1.5, 1.0)
            * np.where(np.isin(self.cat, (APP_CRASH, LOGIN)), 1.3, 1.0)
        )
        self.reopen = human & (rng.random(n) < p_reopen)

    def rounds_loop(self, sel: np.ndarray, t: np.ndarray, rounds: np.ndarray, main: bool) -> None:
        """Agent reply / customer answer rounds until the ticket is solved."""
        rec, rng, org = self.rec, self.rng, self.w.org
        t = t.copy()
        rounds = rounds.copy()
        skip = np.zeros(len(sel), dtype=bool)  # agent follows up without a customer message
        after_phone = main & (self.agent_created[sel])
        for r in range(int(rounds.max(initial=0))):
            live = np.flatnonzero(r < rounds)
            i = sel[live]
            if not len(i):
                break
            final = r == rounds[live] - 1
            esc_now = main & self.esc[i] & (r == self.esc_round[i]) & ~final
            spec_first = main & self.esc[i] & (r == self.esc_round[i] + 1)
            median = np.where(r == 0, FIRST_REPLY[self.ch[i]], NEXT_REPLY[self.ch[i]])
            median = np.where(after_phone[live] | (not main), NEXT_REPLY[self.ch[i]] * 1.2, median)
            median = np.where(spec_first, 3 * H, median)
            median = np.where(skip[live] & ~spec_first, 6 * H, median)  # back from hold
            delay = self.agent_delay(i, t[live], median)
            ta = self._cover_absent(i, t[live], delay, self.after(self.agent[i], t[live], delay))
            waited = ta - t[live]
            slow = waited > SLOW_WAIT[self.ch[i]]
            agent = self.agent[i]

            note = rng.random(len(i)) < np.where(self.ch[i] == CHAT, 0.04, 0.12)
            rec.add(i[note], ta[note], K_MESSAGE, A_AGENT, agent[note], public=False,
                    role=Role.NOTE)  # fmt: skip
            ta = ta + np.where(note, self.uniform(30, 600, len(i)), 0)

            hold_now = main & self.hold[i] & (r == 0) & ~final
            auto_now = main & self.auto[i] & (r == rounds[live] - 2)
            ask = ~final & ~esc_now & ~hold_now & (auto_now | (rng.random(len(i)) < 0.8))
            if main:
                role = np.where(r == 0, Role.AGENT_FIRST, Role.AGENT_FOLLOWUP)
                role = np.where(after_phone[live], Role.AGENT_FOLLOWUP, role)
            else:
                role = np.where(r == 0, Role.AGENT_REOPEN, Role.AGENT_FOLLOWUP)
            role = np.where(final & (role != Role.AGENT_REOPEN), Role.AGENT_SOLVE, role)
            role = np.where(spec_first, Role.AGENT_SPECIALIST, role)
            role = np.where(esc_now, Role.AGENT_ESCALATING, role)
            solves_first = final & (r == 0) & main & ~after_phone[live]
            role = np.where(solves_first, Role.AGENT_FIRST, role)
            flags = (
                np.where(slow, Flag.SLOW, 0)
                | np.where(ask, Flag.ASK, 0)
                | np.where(hold_now, Flag.HOLD, 0)
                | np.where(final, Flag.FINAL, 0)
                | np.where(solves_first, Flag.SOLVES, 0)
            )
            rec.add(i, ta, K_MESSAGE, A_AGENT, agent, role=role, flags=flags,
                    mood=self.mood[i])  # fmt: skip

            pc = main & self.prio_change[i] & (r == 0)
            if pc.any():
                up = (self.mood[i] >= UPSET) | np.isin(self.cat[i], (PAYMENT_FAILED, APP_CRASH))
                new = np.where(up, np.minimum(self.prio[i] + 1, URGENT),
                               np.maximum(self.prio[i] - 1, LOW))  # fmt: skip
                new = np.where(new == self.prio[i], np.where(up, HIGH, LOW), new)
                rec.add(
                    i[pc], ta[pc], K_PRIORITY, A_AGENT, agent[pc], priority=new[pc], public=False
                )
                self.prio[i[pc]] = new[pc]

            s = final & ~auto_now
            rec.add(i[s], ta[s], K_STATUS, A_AGENT, agent[s], status=S_SOLVED)
            self.solved_at[i[s]] = ta[s]
            rec.add(i[ask], ta[ask], K_STATUS, A_AGENT, agent[ask], status=S_PENDING)
            rec.add(i[hold_now], ta[hold_now], K_STATUS, A_AGENT, agent[hold_now],
                    status=S_HOLD)  # fmt: skip
            th = ta[hold_now] + self.uniform(10, 120, int(hold_now.sum()))
            rec.add(i[hold_now], th, K_MESSAGE, A_AGENT, agent[hold_now], public=False,
                    role=Role.NOTE_HOLD)  # fmt: skip

            # nobody answers: the system solves the pending ticket days later
            a = np.flatnonzero(auto_now)
            ts = ta[a] + AUTO_SOLVE_AFTER + self.uniform(0, H, len(a))
            rec.add(i[a], ts, K_STATUS, A_SYSTEM, status=S_SOLVED)
            self.solved_at[i[a]] = ts
            rounds[live[a]] = r + 1

            self._escalate(i[esc_now], ta[esc_now])
            te = ta.copy()
            te[esc_now] = self._esc_time[i[esc_now]]
            te[hold_now] = th

            cust_turn = ~final & ~auto_now & ~esc_now & ~hold_now
            c = np.flatnonzero(cust_turn)
            ic = i[c]
            rude = org.style[agent[c]] == RUDE
            after_rude = rude & (rng.random(len(c)) < 0.5)
            self.mood[ic] = np.minimum(self.mood[ic] + (slow[c] | after_rude), ANGRY)
            tc = ta[c] + self.customer_delay(ic, waited[c])
            confirm = (r == rounds[live[c]] - 2) & (self.mood[ic] <= UPSET)
            confirm &= rng.random(len(c)) < 0.65
            manager = (self.mood[ic] == ANGRY) & (rng.random(len(c)) < 0.35)
            cflags = (
                np.where(slow[c], Flag.SLOW, 0)
                | np.where(after_rude, Flag.AFTER_RUDE, 0)
                | np.where(manager, Flag.MANAGER, 0)
            )
            crole = np.where(confirm, Role.CUST_CONFIRM, Role.CUST_FOLLOWUP)
            rec.add(ic, tc, K_MESSAGE, A_CUSTOMER, self.cust[ic], role=crole, flags=cflags,
                    mood=self.mood[ic])  # fmt: skip
            reopened = ask[c]
            rec.add(ic[reopened], tc[reopened], K_STATUS, A_SYSTEM, status=S_OPEN)

            t[live] = te
            t[live[c]] = tc
            skip[live] = esc_now | hold_now
            after_phone[live] = False

    def _cover_absent(
        self, i: np.ndarray, t: np.ndarray, delay: np.ndarray, ta: np.ndarray
    ) -> np.ndarray:
        """Hand tickets of agents away for long (leave, gone) to a colleague on shift.

        Returns the reply times, after the reassignment where there was one.
        """
        org = self.w.org
        team_ta = self.team_after(self.team[i], t, delay)
        away = (ta > team_ta + DAY) & ~org.is_bot[self.agent[i]]
        if not away.any():
            return ta
        j = i[away]
        # the team lead notices within a few working hours and reassigns
        noticed = self.team_after(self.team[j], t[away], self.rng.uniform(1800, 4 * H, len(j)))
        cover = org.pick(self.team[j], self.lang[j], noticed, self.rng)
        self.rec.add(j, noticed, K_ASSIGN, A_SYSTEM, team=self.team[j], agent=cover, public=False)
        self.agent[j] = cover
        ta = ta.copy()
        ta[away] = np.maximum(self.after(cover, noticed, delay[away] / 2), noticed + 1)
        return ta

    def _escalate(self, i: np.ndarray, ta: np.ndarray) -> None:
        rec, rng, org = self.rec, self.rng, self.w.org
        te = ta + self.uniform(60, 900, len(i))
        agent = self.agent[i]
        rec.add(i, te, K_MESSAGE, A_AGENT, agent, public=False, role=Role.NOTE_ESCALATE)
        rec.add(i, te, K_ESCALATE, A_AGENT, agent, team=SPECIALISTS, tier=2, public=False)
        rec.add(i, te, K_STATUS, A_AGENT, agent, status=S_HOLD)
        spec_team = np.full(len(i), SPECIALISTS, dtype=np.int8)
        specialist = org.pick(
            spec_team, self.lang[i], self.team_after(spec_team, te, np.ones(len(i))), rng
        )
        tas = te + self.uniform(1, 30, len(i))
        rec.add(i, tas, K_ASSIGN, A_SYSTEM, team=SPECIALISTS, agent=specialist, public=False)
        self.agent[i] = specialist
        self.team[i] = SPECIALISTS
        self._esc_time[i] = tas

    def close_and_reopen(self) -> None:
        rec, rng = self.rec, self.rng
        solved = self.solved_at >= 0
        r = np.flatnonzero(self.reopen & solved)
        back = np.clip(rng.lognormal(np.log(20 * H), 1.0, len(r)), H, 90 * H).astype(np.int64)
        tr = self.solved_at[r] + back
        rec.add(r, tr, K_MESSAGE, A_CUSTOMER, self.cust[r], role=Role.CUST_REOPEN,
                mood=np.minimum(self.mood[r] + 1, ANGRY))  # fmt: skip
        rec.add(r, tr, K_STATUS, A_SYSTEM, status=S_OPEN)
        self.mood[r] = np.minimum(self.mood[r] + 1, ANGRY)
        rounds = np.minimum(rng.geometric(0.65, len(r)), 3)
        self.rounds_loop(r, tr, rounds, main=False)
        c = np.flatnonzero(self.solved_at >= 0)
        tc = self.solved_at[c] + CLOSE_AFTER + self.uniform(0, H, len(c))
        rec.add(c, tc, K_STATUS, A_SYSTEM, status=S_CLOSED)

    def run(self) -> Chunk:
        self.plan()
        self._esc_time = np.zeros(self.n, dtype=np.int64)
        ready = self.open_tickets()
        self.phone_calls(ready)
        self.duplicates(ready)
        main = np.flatnonzero(~self.bot_solved & ~self.dup & (self.rounds > 0))
        main = main[~((self.ch[main] == PHONE) & (self.solved_at[main] >= 0))]
        self.rounds_loop(main, ready[main], self.rounds[main], main=True)
        self.close_and_reopen()
        return Chunk(
            lo=self.lo,
            hi=self.lo + self.n,
            created=self.t0,
            customer=self.cust,
            lang=self.lang,
            channel=self.ch,
            category=self.cat,
            agent_created=self.agent_created,
            mood=self.mood,
            dup_of=self.dup_of,
            bot_first=self.bot_first,
            phone=self.phone,
        )


def simulate(world: World, rng: np.random.Generator, lo: int, hi: int) -> tuple[Chunk, Recorder]:
    sim = Sim(world, rng, lo, hi)
    chunk = sim.run()
    return chunk, sim.rec
