"""The event timeline follows the conventions the KPI engine relies on."""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from sanjeh.demo import DEMO_TABLES
from sanjeh.model import TABLES

from ._support import Demo


def _ids(demo: Demo, table: str) -> set[str]:
    key = TABLES[table].key
    return set(demo.store.table(table)[key].to_pyarrow().to_pylist())


def test_every_reference_points_at_an_existing_row(demo: Demo) -> None:
    checked = 0
    for name in DEMO_TABLES:
        for col in TABLES[name].columns:
            if col.ref is None:
                continue
            values = demo.store.table(name)[col.name].to_pyarrow()
            present = set(pc.drop_null(values).to_pylist())
            missing = present - _ids(demo, col.ref)
            assert not missing, f"{name}.{col.name}: {sorted(missing)[:3]}"
            checked += 1
    assert checked >= 15
    actors = demo.events.actor_id.dropna()
    known = _ids(demo, "customers") | _ids(demo, "agents")
    assert set(actors) <= known


def test_each_ticket_opens_with_created_then_its_first_message(demo: Demo) -> None:
    e, t = demo.events, demo.tickets
    created = e[e.kind == "created"]
    assert created.ticket_id.is_unique and len(created) == len(t)
    first = e.groupby("ticket_id", sort=False).head(2).reset_index(drop=True)
    opening, message = (
        first.iloc[0::2].set_index("ticket_id"),
        first.iloc[1::2].set_index("ticket_id"),
    )
    assert (opening.kind == "created").all()
    assert (opening["at"] == t.created_at.reindex(opening.index)).all()
    assert (message.kind == "message").all() and message.public.all()
    assert (message["at"] == opening["at"]).all()
    by_agent = opening.actor_type == "agent"
    assert (message.actor_type[by_agent] == "agent").all()
    assert (message.actor_id[by_agent] == opening.actor_id[by_agent]).all()
    assert (message.actor_type[~by_agent] == "customer").all()
    assert (message.actor_id[~by_agent] == t.customer_id.reindex(message.index[~by_agent])).all()
    assert set(opening.actor_type) == {"customer", "agent", "system"}


def test_event_ids_sort_in_time_and_nothing_precedes_creation(demo: Demo) -> None:
    e = demo.events
    assert e.groupby("ticket_id").size().max() < 100  # two-digit sequence numbers sort
    step = e.groupby("ticket_id")["at"].diff().dropna()
    assert (step >= pd.Timedelta(0)).all()
    created = demo.tickets.created_at.reindex(e.ticket_id).to_numpy()
    assert (e["at"].to_numpy() >= created).all()
    assert e.event_id.str.rsplit("-", n=1).str[0].eq(e.ticket_id).all()


def test_agents_reply_after_the_customer_wrote(demo: Demo) -> None:
    e = demo.events
    msg = e[e.kind == "message"]
    first_customer = msg[msg.actor_type == "customer"].groupby("ticket_id")["at"].min()
    reply = msg[(msg.actor_type == "agent") & msg.public]
    first_reply = reply.groupby("ticket_id")["at"].min()
    both = pd.concat([first_customer.rename("c"), first_reply.rename("a")], axis=1).dropna()
    # agent-created tickets open with the agent's message; the others wait for the customer
    opened_by = e[e.kind == "created"].set_index("ticket_id").actor_type.reindex(both.index)
    rows = opened_by != "agent"
    assert rows.sum() > 0.6 * len(both)
    assert (both.a[rows] > both.c[rows]).all()


def test_tickets_mirror_their_final_state(demo: Demo) -> None:
    e, t = demo.events, demo.tickets
    last = e.groupby("ticket_id")["at"].max()
    assert (t.updated_at == last.reindex(t.index)).all()
    status = e[e.kind == "status"].groupby("ticket_id").status.last()
    has = t.index.isin(status.index)
    assert (t.status[has] == status.reindex(t.index[has])).all()
    assert t.status[~has].isin(["new", "open"]).all()
    assign = e[(e.kind == "assign") & e.agent_id.notna()].groupby("ticket_id").agent_id.last()
    assert (t.agent_id.reindex(assign.index) == assign).all()
    team = e[e.kind.isin(["assign", "escalate"]) & e.team_id.notna()]
    team = team.groupby("ticket_id").team_id.last()
    assert (t.team_id.reindex(team.index) == team).all()
    priority = e[e.priority.notna()].groupby("ticket_id").priority.last()
    assert (t.priority.reindex(priority.index) == priority).all()
    merged = e[e.kind == "merge"].set_index("ticket_id").merged_into
    assert (t.merged_into.dropna().sort_index() == merged.sort_index()).all()


def test_bots_are_bots_and_agents_are_people(demo: Demo) -> None:
    e = demo.events
    agents = demo.frame("agents").set_index("agent_id")
    bots = e[e.actor_type == "bot"].actor_id
    people = e[e.actor_type == "agent"].actor_id
    assert len(bots) and agents.is_bot.reindex(bots.unique()).all()
    assert not agents.is_bot.reindex(people.unique()).any()
    handoff = e[e.kind == "handoff"]
    assert len(handoff) and (handoff.actor_type == "bot").all() and handoff.team_id.notna().all()
    bot_solved = e[(e.kind == "status") & (e.status == "solved") & (e.actor_type == "bot")]
    assert len(bot_solved) > 0


def test_private_notes_are_agent_messages_hidden_from_customers(demo: Demo) -> None:
    e = demo.events
    msg = e[e.kind == "message"]
    notes = msg[~msg.public]
    assert len(notes) > 0.03 * len(msg)
    assert (notes.actor_type == "agent").all()
    assert msg[msg.actor_type.isin(["customer", "bot"])].public.all()
    assert msg.body.notna().all() and (msg.body.str.strip() != "").all()
    assert e[e.kind != "message"].body.isna().all()


def test_workflow_features_occur_at_plausible_rates(demo: Demo) -> None:
    e, t = demo.events, demo.tickets
    n = len(t)

    def share(mask: pd.Series) -> float:
        return e[mask].ticket_id.nunique() / n

    status = e[e.kind == "status"]
    solved_then_open = status.assign(prev=status.groupby("ticket_id").status.shift())
    reopened = solved_then_open[(solved_then_open.prev == "solved") & (status.status == "open")]
    rates = {
        "reopen": reopened.ticket_id.nunique() / n,
        "escalate": share(e.kind == "escalate"),
        "merge": share(e.kind == "merge"),
        "priority": share(e.kind == "priority"),
        "handoff": share(e.kind == "handoff"),
        "pending": share((e.kind == "status") & (e.status == "pending")),
        "on_hold": share((e.kind == "status") & (e.status == "on_hold")),
        "agent_created": share((e.kind == "created") & (e.actor_type == "agent")),
        "still_open": t.status.isin(["new", "open", "pending", "on_hold"]).mean(),
    }
    bounds = {
        "reopen": (0.02, 0.15),
        "escalate": (0.03, 0.15),
        "merge": (0.002, 0.03),
        "priority": (0.02, 0.12),
        "handoff": (0.1, 0.4),
        "pending": (0.2, 0.7),
        "on_hold": (0.03, 0.2),
        "agent_created": (0.08, 0.3),
        "still_open": (0.003, 0.1),
    }
    outside = {k: v for k, v in rates.items() if not bounds[k][0] <= v <= bounds[k][1]}
    assert not outside, outside
    esc = e[e.kind == "escalate"]
    assert (esc.tier == 2).all() and (esc.team_id == "demo:specialists").all()
    merged = t[t.merged_into.notna()]
    assert (merged.status == "closed").all()
    target = t.loc[merged.merged_into]
    assert (target.customer_id.to_numpy() == merged.customer_id.to_numpy()).all()
    assert (target.created_at.to_numpy() <= merged.created_at.to_numpy()).all()


def test_agents_work_in_business_hours_and_friday_is_quiet(demo: Demo) -> None:
    e = demo.events
    replies = e[(e.kind == "message") & (e.actor_type == "agent")]
    local = replies["at"].dt.tz_convert("Asia/Tehran")
    team = demo.tickets.team_id.reindex(replies.ticket_id).to_numpy()
    tehran = team != "demo:gulf"
    hours = local.dt.hour[tehran]
    assert ((hours >= 8) & (hours < 22)).mean() > 0.9
    per_day = local[tehran].dt.day_of_week.value_counts(normalize=True)
    assert per_day[4] < 0.5 * per_day[5]  # Friday against Saturday
    shifts = demo.frame("agent_shifts")
    logged = shifts[shifts.kind == "logged_in"]
    joined = replies.merge(logged, left_on="actor_id", right_on="agent_id")
    slack = pd.Timedelta("15min")
    inside = joined[
        (joined["at"] >= joined.start_at - slack) & (joined["at"] <= joined.end_at + slack)
    ]
    assert inside.event_id.nunique() > 0.9 * len(replies)
