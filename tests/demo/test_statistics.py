"""Labels follow the service received, with margins that hold at 20 000 tickets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sanjeh.demo.phrases import BANKS

from ._support import Demo


def _first_reply_hours(demo: Demo) -> pd.Series:
    e = demo.events
    reply = e[(e.kind == "message") & (e.actor_type == "agent") & e.public]
    first = reply.groupby("ticket_id")["at"].min()
    created = demo.tickets.created_at.reindex(first.index)
    return (first - created) / pd.Timedelta("1h")


def _scores(demo: Demo, survey: str) -> pd.Series:
    s = demo.frame("survey_responses")
    s = s[(s.survey == survey) & s.score.notna()]
    return s.set_index("ticket_id").score


def test_csat_is_lower_after_a_slow_first_reply(demo_large: Demo) -> None:
    frt = _first_reply_hours(demo_large)
    csat = _scores(demo_large, "csat")
    both = pd.concat([frt.rename("frt"), csat.rename("csat")], axis=1, join="inner")
    fast = both.csat[both.frt < 1]
    slow = both.csat[both.frt > 8]
    assert len(fast) > 300 and len(slow) > 300
    assert fast.mean() - slow.mean() > 0.5, (fast.mean(), slow.mean())
    # and the relation is monotone over wider bands
    bands = both.groupby(pd.cut(both.frt, [0, 1, 8, 24, np.inf]), observed=True).csat.mean()
    assert bands.is_monotonic_decreasing, bands


def test_reopens_and_rude_replies_lower_satisfaction(demo_large: Demo) -> None:
    e = demo_large.events
    csat = _scores(demo_large, "csat")
    reopened = set(
        e[(e.kind == "message") & (e.actor_type == "customer")].ticket_id[
            e.body.fillna("").map(
                lambda b: any(p in b for lang in BANKS for p in BANKS[lang]["c_reopen"])
            )
        ]
    )
    flag = csat.index.isin(list(reopened))
    assert flag.sum() > 50
    assert csat[~flag].mean() - csat[flag].mean() > 0.4
    rude_words = [p for lang in BANKS for p in BANKS[lang]["a_rude"]]
    rude = e[
        (e.actor_type == "agent") & e.body.fillna("").map(lambda b: any(w in b for w in rude_words))
    ]
    flag = csat.index.isin(list(set(rude.ticket_id)))
    assert flag.sum() > 30
    assert csat[~flag].mean() - csat[flag].mean() > 0.5
    ces = _scores(demo_large, "ces")
    flag = ces.index.isin(list(reopened))
    assert ces[~flag].mean() - ces[flag].mean() > 0.4


def test_service_drives_churn_and_conversion(demo_large: Demo) -> None:
    csat = demo_large.frame("survey_responses")
    csat = csat[(csat.survey == "csat") & csat.score.notna()]
    worst = csat.groupby("customer_id").score.min()
    customers = demo_large.frame("customers").set_index("customer_id")
    churned = customers.churned_at.notna().reindex(worst.index)
    unhappy, happy = churned[worst <= 2], churned[worst >= 4]
    assert len(unhappy) > 200 and len(happy) > 200
    assert unhappy.mean() > 1.5 * happy.mean(), (unhappy.mean(), happy.mean())

    outcomes = demo_large.frame("customer_outcomes")
    bought = set(outcomes[outcomes.kind == "purchase"].ticket_id)
    questions = csat.set_index("ticket_id").score
    questions = questions[
        demo_large.tickets.category.reindex(questions.index) == "product_question"
    ]
    converted = questions.index.isin(list(bought))
    assert converted[questions >= 4].mean() > converted[questions <= 2].mean() + 0.05


def test_abandonment_grows_with_waiting(demo_large: Demo) -> None:
    calls = demo_large.frame("calls")
    queued = calls[calls.queued_at.notna()].copy()
    # group calls by how long the queue made answered callers wait in that hour
    queued["slot"] = queued.queue + queued.queued_at.dt.floor("h").astype(str)
    answered = queued[queued.outcome == "answered"]
    wait = (answered.answered_at - answered.queued_at).dt.total_seconds()
    queued["slot_wait"] = queued.slot.map(wait.groupby(answered.slot).mean())
    queued = queued.dropna(subset=["slot_wait"])
    queued["band"] = pd.qcut(queued.slot_wait, 4, labels=False)
    gave_up = queued.outcome.isin(["abandoned", "callback"]).groupby(queued.band).mean()
    assert len(queued) > 2000
    assert gave_up.is_monotonic_increasing, gave_up
    assert gave_up.iloc[-1] > 1.5 * gave_up.iloc[0], gave_up


def test_urgent_tickets_are_faster_yet_some_breach_an_hour(demo_large: Demo) -> None:
    frt = _first_reply_hours(demo_large)
    t = demo_large.tickets.reindex(frt.index)
    email = t.channel == "email"
    urgent = frt[email & (t.priority == "urgent")]
    normal = frt[email & (t.priority == "normal")]
    assert urgent.median() < normal.median()
    assert 0.1 < (urgent > 1).mean() < 0.9  # a share breaches a one-hour target
