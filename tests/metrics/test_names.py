"""Filters take the names the tables show (team=Billing), not only ids; a value that
matches nothing is an error listing the values there are (sanjeh.metrics._names)."""

from __future__ import annotations

import datetime as dt

import pytest

from sanjeh import metrics
from sanjeh.errors import ConfigError
from sanjeh.metrics._names import resolve_names, unknown_values
from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
TEAM = "src:billing"

#: (ticket, team, agent, channel): by hand, Billing has 3 tickets (2 by Ali), Care 2,
#: and one ticket belongs to a team no teams row names (x:ghost)
TICKETS = [
    ("1", "src:billing", "src:ali", "email"),
    ("2", "src:billing", "src:ali", "chat"),
    ("3", "src:billing", "src:sara", "email"),
    ("4", "src:care", "src:sara", "email"),
    ("5", "src:care", None, "phone"),
    ("6", "x:ghost", None, "email"),
]


def _load(store: Store) -> None:
    store.write(
        "teams",
        [
            {"team_id": "src:billing", "source": "src", "name": "Billing"},
            {"team_id": "src:care", "source": "src", "name": "Customer care"},
        ],
    )
    store.write(
        "agents",
        [
            {"agent_id": "src:ali", "source": "src", "name": "Ali Rezaei", "team_id": TEAM},
            {"agent_id": "src:sara", "source": "src", "name": "سارا", "team_id": "src:care"},
        ],
    )
    store.write(
        "tickets",
        [
            {
                "ticket_id": f"src:{tid}",
                "source": "src",
                "created_at": D0 + dt.timedelta(hours=i),
                "team_id": team,
                "agent_id": agent,
                "channel": channel,
            }
            for i, (tid, team, agent, channel) in enumerate(TICKETS)
        ],
    )


@pytest.fixture
def names_store(store: Store) -> Store:
    _load(store)
    return store


def _created(store: Store, **filters: object) -> int:
    # (no config: the settings' one, which the suite keeps at the defaults)
    df = metrics.kpis(store, ["tickets_created"], filters=filters)
    return int(df["value"].iloc[0])


def test_team_and_agent_by_id_name_or_short_id(names_store: Store) -> None:
    s = names_store
    assert _created(s, team="src:billing") == 3  # the id, as before
    assert _created(s, team="Billing") == 3  # the name the tables show
    assert _created(s, team="  billing ") == 3  # any case, blanks ignored; or the short id
    assert _created(s, team="customer  CARE") == 2
    assert _created(s, team=["Billing", "Customer care"]) == 5
    assert _created(s, team="x:ghost") == 1  # an id the data uses without a teams row
    assert _created(s, agent="Ali Rezaei") == 2
    assert _created(s, agent="سارا") == 2
    assert _created(s, agent="ali", team="Billing") == 2


def test_resolve_names_gives_ids(names_store: Store) -> None:
    got = resolve_names(names_store, {"team": ["Customer care", "src:billing"], "channel": ["x"]})
    assert got == {"team": ["src:care", "src:billing"], "channel": ["x"]}


def test_a_name_that_matches_nothing_lists_what_exists(names_store: Store) -> None:
    metrics.ensure_facts(names_store, metrics.MetricsConfig())
    with pytest.raises(ConfigError) as caught:
        resolve_names(names_store, {"team": ["Billingg"]})
    assert str(caught.value) == (
        "no team 'Billingg': use the id or the name of one of: Billing (src:billing), "
        "Customer care (src:care), x:ghost"
    )


def test_other_filters_say_which_values_exist(names_store: Store) -> None:
    metrics.ensure_facts(names_store, metrics.MetricsConfig())
    why = unknown_values(names_store, {"channel": ["Email"]})
    assert why == "no channel 'Email' in the data: values there are: chat, email, phone"
    assert unknown_values(names_store, {"channel": ["email", "Email"]}) is None  # one matches
    assert unknown_values(names_store, {"team": ["src:care"]}) is None
