"""A refresh redoes only the tickets whose first-contact resolution a change can move.

First-contact resolution (recontact) reads the customer's next ticket. A refresh redoes
the changed tickets, the solved tickets of the same customers whose window reaches a
changed one, and reads the customers' later tickets besides (#18): for any changes -- a
new ticket between two others, a ticket moved in time, merged, or given to another
customer -- the refreshed facts must equal a full rebuild.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sanjeh.metrics import MetricsConfig, build_facts, ensure_facts
from sanjeh.store import Store

from .scenario import at, ev, ticket
from .test_refresh import snapshot

CONFIG = MetricsConfig()  # "now" = the data's last instant: some windows still open
CUSTOMERS = ("t:c-a", "t:c-b")


def _write(store: Store, tid: str, customer: str, day: int, solved_after: int | None) -> None:
    created = at(day, 9)
    status = "open" if solved_after is None else "solved"
    store.write("tickets", [ticket(tid, created, status=status, customer_id=customer)])
    events = [ev(tid, 1, created, "created", "customer", actor_id=customer)]
    if solved_after is not None:
        done = created + dt.timedelta(days=solved_after, hours=1)
        events += [
            ev(tid, 2, done, "message", "agent", actor_id="t:ali"),
            ev(tid, 3, done, "status", "agent", actor_id="t:ali", status="solved"),
        ]
    store.write("events", events)


a_ticket = st.tuples(
    st.sampled_from(CUSTOMERS), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 3))
)
an_edit = st.one_of(
    st.tuples(st.just("new"), a_ticket),
    st.tuples(st.just("move"), st.integers(0, 7), st.integers(0, 30)),
    st.tuples(st.just("merge"), st.integers(0, 7), st.integers(0, 7)),
    st.tuples(st.just("customer"), st.integers(0, 7)),
)


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fcr")


@settings(
    max_examples=25,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(a_ticket, min_size=2, max_size=8),
    edits=st.lists(an_edit, min_size=1, max_size=3),
)
def test_refresh_equals_rebuild_for_any_change_near_a_first_contact(
    folder: Path, monkeypatch: pytest.MonkeyPatch, first: list, edits: list
) -> None:
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)  # (tiny data)
    path = folder / "s.duckdb"  # one file name: later examples replay the SQL
    path.unlink(missing_ok=True)
    with Store.open(str(path)) as store:
        # the data's last instant, which no edit moves (when it moves back, a build
        # finds it: test_the_data_ending_earlier_is_rebuilt)
        _write(store, "anchor", "t:c-z", 60, 1)
        rows: list[tuple[str, int, int | None]] = []
        for n, (customer, day, solved_after) in enumerate(first):
            _write(store, str(n), customer, day, solved_after)
            rows.append((customer, day, solved_after))
        build_facts(store, CONFIG)
        for edit in edits:
            kind = edit[0]
            if kind == "new":
                customer, day, solved_after = edit[1]
                _write(store, str(len(rows)), customer, day, solved_after)
                rows.append((customer, day, solved_after))
            elif kind == "move":  # created on another day (its events go along)
                n = edit[1] % len(rows)
                customer, _, solved_after = rows[n]
                rows[n] = (customer, edit[2], solved_after)
                _write(store, str(n), customer, edit[2], solved_after)
            elif kind == "merge":  # merged into another ticket: no longer a contact
                n, into = edit[1] % len(rows), edit[2] % len(rows)
                customer, day, _ = rows[n]
                merged = ticket(str(n), at(day, 9), status="closed", customer_id=customer)
                store.write("tickets", [{**merged, "merged_into": f"t:{into}"}])
            else:  # given to the other customer
                n = edit[1] % len(rows)
                customer, day, solved_after = rows[n]
                other = CUSTOMERS[1 - CUSTOMERS.index(customer)]
                rows[n] = (other, day, solved_after)
                _write(store, str(n), other, day, solved_after)
        assert ensure_facts(store, CONFIG).rebuilt is False
        refreshed = snapshot(store)
        build_facts(store, CONFIG)
        rebuilt = snapshot(store)
    for name, facts in rebuilt.items():
        assert refreshed[name] == facts, name


def test_a_change_redoes_only_the_tickets_it_can_move(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A customer with a ticket a month: a new message on the last one redoes it alone,
    not the customer's older tickets whose first-contact windows closed long before."""
    from sanjeh.metrics import _refresh

    monkeypatch.setattr(_refresh, "REBUILD_SHARE", 1.0)
    redone: list[int] = []
    plan = _refresh.plan

    def counted(*args: object, **kwargs: object) -> _refresh.Plan | None:
        found = plan(*args, **kwargs)  # type: ignore[arg-type]
        redone.append(-1 if found is None else found.redo)
        return found

    monkeypatch.setattr(_refresh, "plan", counted)
    with Store.open(str(folder / "m.duckdb")) as store:
        for month in range(6):
            _write(store, str(month), "t:c-a", 30 * month, 1)
        build_facts(store, CONFIG)
        store.write("events", [ev("5", 9, at(151, 9), "message", "customer", actor_id="t:c-a")])
        ensure_facts(store, CONFIG)
        refreshed = snapshot(store)
        build_facts(store, CONFIG)
        assert snapshot(store) == refreshed
    assert redone == [1]  # (before: all six tickets of the customer)


def test_the_data_ending_earlier_is_rebuilt(folder: Path) -> None:
    """The ticket holding the data's last instant moves back in time (a re-import with
    a corrected clock): the facts' "now" moves back with it, so a build, not a refresh
    that would keep the old "now" and decide windows that are still open."""
    with Store.open(str(folder / "back.duckdb")) as store:
        _write(store, "0", "t:c-a", 12, None)
        _write(store, "1", "t:c-a", 29, 2)  # the last instant: day 31, 10:00
        build_facts(store, CONFIG)
        _write(store, "1", "t:c-a", 9, 2)  # now solved on day 11: the data ends on day 12
        info = ensure_facts(store, CONFIG)
        assert info.rebuilt is True
        assert info.as_of == at(12, 9)
        refreshed = snapshot(store)
        t1 = next(r for r in refreshed["facts_tickets"] if r["ticket_id"] == "t:1")
        assert (t1["fcr"], t1["fcr_pending"]) == (None, True)  # window open on day 12
        build_facts(store, CONFIG)
        assert snapshot(store) == refreshed
