"""Teams, agents, customers, calls, surveys, shifts and outcomes hang together."""

from __future__ import annotations

import pandas as pd

from ._support import Demo


def test_teams_include_a_tier_two_specialist_team(demo: Demo) -> None:
    teams = demo.frame("teams").set_index("team_id")
    assert {"demo:billing", "demo:technical", "demo:sales", "demo:specialists"} <= set(teams.index)
    assert teams.tier["demo:specialists"] == 2 and teams.tier["demo:billing"] == 1
    assert teams.parent_id["demo:specialists"] == "demo:technical"
    assert set(teams.calendar) >= {"tehran", "riyadh"}


def test_agents_have_costs_hire_dates_and_languages(demo: Demo) -> None:
    agents = demo.frame("agents")
    people, bots = agents[~agents.is_bot], agents[agents.is_bot]
    assert len(bots) >= 1 and bots.hourly_cost.isna().all()
    assert people.hourly_cost.gt(0).all() and people.hired_at.notna().all()
    assert (people.currency == "USD").all()
    assert people.groupby("team_id").size().min() >= 2
    assert people.skills.map(lambda s: "ar" in s).any() and people.skills.map(len).ge(2).all()
    gulf = people[people.team_id == "demo:gulf"]
    assert gulf.skills.map(lambda s: "ar" in s).all()


def test_customers_have_segments_value_and_churn(demo: Demo) -> None:
    c = demo.frame("customers")
    assert set(c.segment) == {"consumer", "smb", "enterprise", "vip"}
    assert (
        c.groupby("segment").value.median()["enterprise"]
        > c.groupby("segment").value.median()["consumer"]
    )
    assert set(c.language) == {"fa", "ar", "en"} and c.language.value_counts().idxmax() == "fa"
    churned = c[c.churned_at.notna()]
    assert 0 < len(churned) < 0.3 * len(c)
    outcomes = demo.frame("customer_outcomes")
    churn = outcomes[outcomes.kind == "churn"].set_index("customer_id")
    assert set(churn.index) == set(churned.customer_id)
    assert (
        churn["at"].reindex(churned.customer_id).to_numpy() == churned.churned_at.to_numpy()
    ).all()
    last_ticket = demo.tickets.groupby("customer_id").created_at.max()
    served = churned[churned.customer_id.isin(last_ticket.index)].set_index("customer_id")
    assert len(served) and (served.churned_at > last_ticket.reindex(served.index)).all()
    assert {"purchase", "upgrade", "renewal", "churn"} <= set(outcomes.kind)
    after = outcomes[outcomes.ticket_id.notna() & (outcomes.kind != "churn")]
    ticket = demo.tickets.loc[after.ticket_id]
    assert len(after) and (after["at"].to_numpy() > ticket.created_at.to_numpy()).all()
    assert (ticket.customer_id.to_numpy() == after.customer_id.to_numpy()).all()


def test_calls_behind_phone_tickets(demo: Demo) -> None:
    calls = demo.frame("calls")
    answered = calls[calls.outcome == "answered"]
    phone = demo.tickets[demo.tickets.channel == "phone"]
    assert set(answered.ticket_id) <= set(phone.index)
    assert len(answered) > 0.95 * len(phone)
    assert answered.agent_id.notna().all() and answered.talk_s.gt(0).all()
    assert (answered.queued_at >= answered.started_at).all()
    assert (answered.answered_at >= answered.queued_at).all()
    assert (answered.ended_at > answered.answered_at).all()
    ticket = phone.loc[answered.ticket_id]
    assert (ticket.created_at.to_numpy() >= answered.answered_at.to_numpy()).all()
    assert (ticket.created_at.to_numpy() <= answered.ended_at.to_numpy()).all()
    gave_up = calls[calls.outcome == "abandoned"]
    assert gave_up.answered_at.isna().all() and gave_up.agent_id.isna().all()
    queued = calls[calls.queued_at.notna()]
    rate = len(gave_up) / len(queued)
    assert 0.03 < rate < 0.2, rate
    ivr = calls[calls.outcome == "ivr"]
    assert len(ivr) and ivr.queued_at.isna().all() and ivr.ivr_s.gt(0).all()
    assert set(ivr.call_type) == {"self_service", "after_hours"}


def test_surveys_include_unanswered_invitations_and_employee_pulses(demo: Demo) -> None:
    s = demo.frame("survey_responses")
    assert set(s.survey) == {"csat", "ces", "nps", "enps", "pulse"}
    scales = s.groupby("survey")[["scale_min", "scale_max"]].first()
    assert scales.loc["csat"].tolist() == [1, 5] and scales.loc["ces"].tolist() == [1, 7]
    assert scales.loc["nps"].tolist() == [0, 10] and scales.loc["enps"].tolist() == [0, 10]
    scored = s[s.score.notna()]
    assert scored.score.between(scored.scale_min, scored.scale_max).all()
    silent = s[s.submitted_at.isna()]
    assert len(silent) and silent.score.isna().all() and silent.sent_at.notna().all()
    answered = s[s.submitted_at.notna()]
    assert answered.score.notna().all() and (answered.submitted_at >= answered.sent_at).all()
    csat = s[s.survey == "csat"]
    assert 0.1 < csat.score.notna().mean() < 0.5  # response rate
    solved = demo.tickets.loc[csat.ticket_id]
    assert solved.status.isin(["solved", "closed"]).all()
    staff = s[s.survey.isin(["enps", "pulse"])]
    assert staff.ticket_id.isna().all() and staff.customer_id.isna().all()
    assert staff.agent_id.notna().all()
    assert s[s.survey == "csat"].comment.notna().any()


def test_shifts_cover_working_days_with_breaks(demo: Demo) -> None:
    shifts = demo.frame("agent_shifts")
    assert set(shifts.kind) == {"scheduled", "logged_in"}
    assert (shifts.end_at > shifts.start_at).all()
    length = (shifts.end_at - shifts.start_at) / pd.Timedelta("1h")
    assert length[shifts.kind == "scheduled"].between(4, 9).all()
    logged = shifts[shifts.kind == "logged_in"]
    per_agent = logged.groupby("agent_id").size()
    agents = demo.frame("agents")
    assert set(per_agent.index) == set(agents.agent_id[~agents.is_bot])
    local = shifts[shifts.kind == "scheduled"].start_at.dt.tz_convert("Asia/Tehran")
    days = local.dt.day_of_week.value_counts()
    assert days.get(4, 0) < 0.3 * days[5]  # few Friday shifts (care's skeleton rota)
