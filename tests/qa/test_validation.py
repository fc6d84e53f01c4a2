"""What the QA library accepts (``sanjeh.qa.limits``): dates in 1970 … 2075, integers an
int64 column holds, no NUL, scorecards small enough to be filled in; and recurring cycles
that catch up a bounded number of missed periods, whatever date they started on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from sanjeh.errors import RecordNotFound, ValidationError, WorkflowError
from sanjeh.qa import Category, Scorecard, Section, Workspace, _storage, coaching_effect, limits
from sanjeh.qa._sampling import _next_seed

from .conftest import ADMIN, MANAGER, REVIEWER, SteppingClock

UTC = dt.UTC
DAY = dt.timedelta(days=1)
#: the workspace clock of the catch-up tests (a Sunday, 08:00 UTC)
NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (dt.date(1, 1, 1), dt.date(2026, 3, 1), "start"),
        (dt.date(1969, 12, 31), dt.date(2026, 3, 1), "start"),
        (dt.date(2026, 3, 1), dt.date(9999, 12, 31), "end"),
        (dt.date(2026, 3, 1), dt.date(2076, 1, 2), "end"),
    ],
)
def test_a_cycle_outside_the_date_range_is_refused(
    duck_ws: Workspace, start: dt.date, end: dt.date, field: str
) -> None:
    with pytest.raises(ValidationError, match=f"^{field}: .* is outside 1970-01-01 … 2075-12-31"):
        duck_ws.create_cycle(ADMIN, "c", ["u-rev1"], start, end, 1)
    assert duck_ws.cycles(ADMIN) == []


def test_the_edges_of_the_date_range_are_accepted(duck_ws: Workspace) -> None:
    # [1970-01-01, 2076-01-01): the last day 2075-12-31 included, as the web's end day
    cycle, _ = duck_ws.create_cycle(
        ADMIN, "c", ["u-rev1"], limits.FIRST_DAY, limits.LAST_DAY + DAY, 1
    )
    assert (cycle.start, cycle.end) == (limits.EARLIEST, limits.LATEST)
    assert dt.datetime(2076, 1, 1, tzinfo=UTC) == limits.LATEST


def test_coaching_dates_are_checked_and_a_stored_far_date_does_not_break_the_effect(
    duck_ws: Workspace,
) -> None:
    ws = duck_ws
    with pytest.raises(ValidationError, match=r"^held_on: 9999-12-31"):
        ws.create_coaching(REVIEWER, "x:a1", "note", held_on=dt.date(9999, 12, 31))
    with pytest.raises(ValidationError, match=r"^action_items\[1\].due: 2100-01-01"):
        ws.create_coaching(
            REVIEWER, "x:a1", "n", action_items=[("ok", None), ("late", dt.date(2100, 1, 1))]
        )
    with pytest.raises(ValidationError, match=r"^action_items\[0\].text: is empty"):
        ws.create_coaching(REVIEWER, "x:a1", "n", action_items=[("  ", None)])
    assert ws.coaching(ADMIN) == []
    # a session stored before dates were checked: a clear error, not an OverflowError
    good = ws.create_coaching(REVIEWER, "x:a1", "n", held_on=dt.date(2026, 3, 2))
    far = dataclasses.replace(good, session_id="coa-far", held_on=dt.datetime(9999, 12, 31))
    _storage.append(ws.store, "qa_coaching", [far.to_row("stored long ago")])
    with pytest.raises(ValidationError, match=r"^held_on: 9999-12-31"):
        coaching_effect(ws.store, ws.coaching(ADMIN)[0], kpi_names=())
    assert coaching_effect(ws.store, good, kpi_names=()).before.start == dt.datetime(
        2026, 2, 2, tzinfo=UTC
    )


def test_review_filters_outside_the_range_are_refused(duck_ws: Workspace) -> None:
    with pytest.raises(ValidationError, match=r"^end: 9999-12-31"):
        duck_ws.reviews(ADMIN, end=dt.date(9999, 12, 31))
    with pytest.raises(ValidationError, match=r"^start: 0001-01-01"):
        duck_ws.scores(ADMIN, start=dt.date(1, 1, 1))
    assert duck_ws.reviews(ADMIN, start=limits.FIRST_DAY, end=limits.LATEST) == []


# -- integers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"seed": 2**70}, "seed: 1180591620717411303424 is outside"),
        ({"seed": -(2**63) - 1}, "seed: -9223372036854775809 is outside"),
        ({"seed": True}, "seed: expected a whole number"),
        ({"per_agent": 2**70}, "per_agent: 1180591620717411303424 is outside 1–1000"),
        ({"per_agent": 1001}, "per_agent: 1001 is outside 1–1000"),
        ({"per_agent": 2.5}, "per_agent: expected a whole number"),
    ],
)
def test_cycle_integers_must_fit_their_columns(
    duck_ws: Workspace, change: dict[str, object], words: str
) -> None:
    args: dict[str, object] = {"per_agent": 1, "seed": 0, **change}
    with pytest.raises(ValidationError) as caught:
        duck_ws.create_cycle(
            ADMIN,
            "c",
            ["u-rev1"],
            dt.date(2026, 3, 1),
            dt.date(2026, 3, 8),
            **args,  # type: ignore[arg-type]
        )
    assert str(caught.value).startswith(words)


def test_the_largest_seed_is_stored_and_the_next_one_wraps_round(duck_ws: Workspace) -> None:
    assert _next_seed(limits.INT64_MAX) == limits.INT64_MIN
    assert (_next_seed(41), _next_seed(None)) == (42, None)
    start = dt.date(2026, 2, 1)
    duck_ws.create_cycle(
        ADMIN, "c", ["u-rev1"], start, start + DAY, 1, seed=limits.INT64_MAX, repeat_days=1
    )
    assert duck_ws.cycles(ADMIN)[0].seed == limits.INT64_MAX
    made = duck_ws.run_due_cycles(ADMIN, now=dt.datetime(2026, 2, 4, tzinfo=UTC))
    assert [c.seed for c, _ in made] == [limits.INT64_MIN, limits.INT64_MIN + 1]
    assert {c.seed for c in duck_ws.cycles(ADMIN)} == {
        limits.INT64_MAX,
        limits.INT64_MIN,
        limits.INT64_MIN + 1,
    }


# -- NUL and other texts ----------------------------------------------------------------------


def test_a_nul_finds_nothing_and_is_never_written(duck_ws: Workspace) -> None:
    ws = duck_ws
    with pytest.raises(RecordNotFound):
        ws.review(ADMIN, "\x00")
    with pytest.raises(RecordNotFound):
        ws.scorecard("default\x00")
    with pytest.raises(RecordNotFound):
        ws.submit_review(REVIEWER, "x:t1\x00", {})
    assert ws.reviews(ADMIN, agent_id="x:a1\x00", reviewer_id="\x00") == []
    assert ws.assignments(ADMIN, cycle_id="c\x00") == []
    assert ws.coaching(ADMIN, agent_id="\x00") == []
    with pytest.raises(ValidationError, match=r"^comment: contains a NUL character"):
        ws.submit_review(REVIEWER, "x:t1", {}, comment="fine\x00", draft=True)
    with pytest.raises(ValidationError, match=r"^coach_note: contains a NUL"):
        ws.create_coaching(REVIEWER, "x:a1", "a\x00b")
    with pytest.raises(ValidationError, match=r"^reviewers\[1\]: contains a NUL"):
        ws.create_cycle(
            ADMIN, "c", ["u-rev1", "u\x00"], dt.date(2026, 3, 1), dt.date(2026, 3, 8), 1
        )
    with pytest.raises(ValidationError, match=r"^note: contains a NUL"):
        ws.mark_wow(REVIEWER, "x:t1", "\x00")
    with pytest.raises(ValidationError, match=r"^note: contains a NUL"):  # the last guard
        _storage.append(ws.store, "qa_wow", [{"row_id": "w@1", "note": "\x00"}])
    assert ws.reviews(ADMIN) == [] and ws.wow_library(ADMIN) == []


def test_a_reviewer_listed_twice_and_overlong_texts_are_refused(duck_ws: Workspace) -> None:
    day = dt.date(2026, 3, 1)
    with pytest.raises(ValidationError, match=r"^reviewers: 'u-rev1' is listed twice"):
        duck_ws.create_cycle(ADMIN, "c", ["u-rev1", "u-rev1"], day, day + DAY, 1)
    with pytest.raises(ValidationError, match=r"^name: is 201 characters long; the limit is 200"):
        duck_ws.create_cycle(ADMIN, "n" * 201, ["u-rev1"], day, day + DAY, 1)
    with pytest.raises(ValidationError, match=r"^comment: is 5,001 characters long"):
        duck_ws.submit_review(REVIEWER, "x:t1", {}, comment="x" * 5001, draft=True)


def test_unknown_statuses_are_refused_not_answered_with_nothing(duck_ws: Workspace) -> None:
    with pytest.raises(ValidationError, match=r"^status: no dispute status 'garbage'; use: open"):
        duck_ws.disputes(ADMIN, status="garbage")
    with pytest.raises(ValidationError, match=r"^status: no assignment status 'done'; use: open"):
        duck_ws.assignments(ADMIN, status="done")
    assert duck_ws.disputes(ADMIN, status="escalated") == []
    assert duck_ws.assignments(ADMIN, status="completed") == []


# -- scorecards ---------------------------------------------------------------------------------


def _card(categories: int, sections: int = 1, **category: object) -> Scorecard:
    per = categories // sections
    return Scorecard(
        id="big",
        name="Big",
        sections=tuple(
            Section(
                f"s{s}",
                f"Section {s}",
                tuple(
                    Category(f"c{s}-{c}", f"Criterion {c}", 1, **category)  # type: ignore[arg-type]
                    for c in range(per)
                ),
            )
            for s in range(sections)
        ),
    )


def test_a_scorecard_over_the_limits_is_never_saved(duck_ws: Workspace) -> None:
    ws = duck_ws
    with pytest.raises(ValidationError, match=r"^categories: 101 categories; .* at most 100"):
        ws.save_scorecard(ADMIN, _card(101))
    with pytest.raises(ValidationError, match=r"^categories: 10000 categories"):
        ws.save_scorecard(ADMIN, _card(10_000, sections=10))
    with pytest.raises(ValidationError, match=r"^sections: 21 sections"):
        ws.save_scorecard(ADMIN, _card(21, sections=21))
    causes = tuple(f"cause {i}" for i in range(11))
    with pytest.raises(ValidationError, match=r"root_causes: 11 root causes; the limit is 10"):
        ws.save_scorecard(ADMIN, _card(1, root_causes=causes))
    with pytest.raises(ValidationError, match=r"root_causes\[0\]: ' rude' has surrounding spaces"):
        ws.save_scorecard(ADMIN, _card(1, root_causes=(" rude",)))
    long_id = dataclasses.replace(_card(1), id="x" * 101)
    with pytest.raises(ValidationError, match=r"^id: is 101 characters long; the limit is 100"):
        ws.save_scorecard(ADMIN, long_id)
    with pytest.raises(ValidationError, match=r"description: contains a NUL"):
        ws.save_scorecard(ADMIN, _card(1, description="\x00"))
    assert [c.id for c in ws.scorecards()] == ["default"]


def test_what_can_be_saved_can_be_submitted(duck_ws: Workspace) -> None:
    """The largest scorecard allowed, every category rated (and commented, with every
    root cause at its longest): saved, then submitted."""
    ws = duck_ws
    causes = tuple(f"{i}" * limits.MAX_NAME for i in range(limits.MAX_ROOT_CAUSES))
    card = ws.save_scorecard(
        MANAGER, _card(limits.MAX_CATEGORIES, sections=limits.MAX_SECTIONS, root_causes=causes)
    )
    assert len(card.categories) == 100 and len(card.sections) == 20
    ratings = {c.id: 1 for c in card.categories}
    review = ws.submit_review(
        REVIEWER,
        "x:t1",
        ratings,
        scorecard_id="big",
        comments={c.id: "c" * limits.MAX_TEXT for c in card.categories},
        root_causes={c.id: list(causes) for c in card.categories},
    )
    assert review.score == 0.0 and review.status == "submitted"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"na_allowed": "false"}, r"categories\[0\].na_allowed must be true or false"),
        ({"critical": 1}, r"categories\[0\].critical must be true or false"),
        ({"root_causes": "rude"}, r"categories\[0\].root_causes must be a list of texts"),
        ({"name": ["a"]}, r"categories\[0\].name must be a text"),
        ({"colour": "red"}, r"categories\[0\] has no field 'colour'"),
    ],
)
def test_a_definition_is_read_as_written_not_coerced(change: dict[str, object], words: str) -> None:
    data = {"id": "x", "sections": [{"id": "s", "categories": [{"id": "c", **change}]}]}
    with pytest.raises(WorkflowError, match=words):
        Scorecard.from_dict(json.loads(json.dumps(data)))
    with pytest.raises(WorkflowError, match="has no field 'extra'"):
        Scorecard.from_dict({"id": "x", "sections": [], "extra": 1})


# -- recurring cycles: a bounded catch-up -------------------------------------------------------


class CountingClock(SteppingClock):
    """Stops a run that makes more than ``most`` records (9,800 days since 2000 would
    take an hour): each cycle written reads the clock once."""

    def __init__(self, start: dt.datetime, most: int) -> None:
        super().__init__(start)
        self.left = most

    def __call__(self) -> dt.datetime:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("the catch-up goes on and on")
        return super().__call__()


def test_a_daily_cycle_from_2000_catches_up_only_the_latest_periods(duck_ws: Workspace) -> None:
    ws = duck_ws
    day = dt.date(2000, 1, 1)
    first, _ = ws.create_cycle(MANAGER, "daily", ["u-rev1"], day, day + DAY, 1, repeat_days=1)
    ws.clock = CountingClock(NOW, most=50)
    made = ws.run_due_cycles(MANAGER, now=NOW)
    n = limits.MAX_CATCH_UP
    assert n == 7 and len(made) == n
    midnight = NOW.replace(hour=0)  # the last whole day over by NOW ended at midnight
    assert [(c.start, c.end) for c, _ in made] == [
        (midnight - (n - i) * DAY, midnight - (n - i - 1) * DAY) for i in range(n)
    ]
    assert made[0][0].follows == first.cycle_id  # the chain goes on, the gap skipped
    assert [c.follows for c, _ in made[1:]] == [c.cycle_id for c, _ in made[:-1]]
    assert ws.run_due_cycles(MANAGER, now=NOW) == []
    # a day later: exactly one more
    (next_day, _), *rest = ws.run_due_cycles(MANAGER, now=NOW + DAY)
    assert not rest and next_day.start == midnight and next_day.follows == made[-1][0].cycle_id


def test_limit_makes_the_occurrences_one_at_a_time(duck_ws: Workspace) -> None:
    ws = duck_ws
    start = dt.datetime(2026, 2, 1, tzinfo=UTC)
    ws.create_cycle(MANAGER, "a", ["u-rev1"], start, start + DAY, 1, repeat_days=1)
    ws.create_cycle(MANAGER, "b", ["u-rev1"], start, start + DAY, 1, repeat_days=7)
    now = start + 4 * DAY  # a: 3 days over; b: none
    made = []
    for _ in range(5):
        step = ws.run_due_cycles(MANAGER, now=now, limit=1)
        if not step:
            break
        assert len(step) == 1
        made.append(step[0][0])
    assert [(c.name, c.start) for c in made] == [("a", start + n * DAY) for n in (1, 2, 3)]
    assert ws.run_due_cycles(MANAGER, now=now) == []


def test_stored_cycles_with_far_dates_neither_loop_nor_break_the_run(duck_ws: Workspace) -> None:
    """Cycles written before dates were checked: one starting in year 1, one ending in
    9999 (its next period never ends), one with a broken repeat."""
    ws = duck_ws
    good, _ = ws.create_cycle(
        MANAGER, "ok", ["u-rev1"], dt.date(2026, 2, 1), dt.date(2026, 2, 15), 1, repeat_days=7
    )
    rows = []
    for name, start, end, repeat in (
        ("year 1", dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(1, 1, 2, tzinfo=UTC), 1),
        (
            "year 9999",
            dt.datetime(2026, 1, 1, tzinfo=UTC),
            dt.datetime(9999, 12, 30, tzinfo=UTC),
            1,
        ),
        ("zero", dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 2, tzinfo=UTC), 0),
    ):
        cycle = dataclasses.replace(
            good, cycle_id=f"cyc-{name[-1]}", name=name, start=start, end=end, repeat_days=repeat
        )
        row = {**dataclasses.asdict(cycle), "reviewers": json.dumps(cycle.reviewers)}
        rows.append({**row, "row_id": f"{cycle.cycle_id}@1", "revision": 1})
    ws.store.write("qa_cycles", rows)
    ws.clock = CountingClock(NOW, most=50)  # (year 1: 739,000 days to catch up)
    made = ws.run_due_cycles(MANAGER, now=NOW)
    counts = {name: [c.name for c, _ in made].count(name) for name in ("ok", "year 1")}
    assert counts == {"ok": 2, "year 1": 7} and len(made) == 9  # (ok: 2 weeks over)


def test_docs_state_the_limits_the_code_has() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "qa.md").read_text(encoding="utf-8")
    assert f"{limits.FIRST_DAY} … {limits.LAST_DAY}" in text
    assert f"`MAX_CATCH_UP` = {limits.MAX_CATCH_UP}" in text
    for n, what in (
        (limits.MAX_SECTIONS, "sections"),
        (limits.MAX_CATEGORIES, "categories in all"),
        (limits.MAX_ROOT_CAUSES, "root causes per category"),
        (limits.MAX_PER_AGENT, "`per_agent` 1–"),
    ):
        assert f"{n} {what}" in text or f"{what}{n}" in text, what
