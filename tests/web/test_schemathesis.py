"""Schemathesis against /openapi.json: every documented operation, logged in as an admin
and as an agent, must answer without a 5xx, with a documented status, content type and
headers, a body matching its schema, 400 for requests the schema rules out and no 400
for requests it allows (every built-in check; 405s name what is allowed).

The schema cannot say what only the store knows, or what ties two parameters together
(the parameter descriptions say it): :func:`known_values` makes the requests
schemathesis generates as *valid* valid for this store too: filters the store has, ids
of its agents and customers, tables its pages have, and dates as one of a few windows
ending on the data's last day (the start first, within what any period may span).
Requests made invalid on purpose are sent as generated: their 400s are checked
(``tests/web/test_validation.py`` covers the rules the mapping stands in for). Few
values, so that the thousands of requests ask for a handful of views.

Bounded and repeatable: a fixed seed, derandomized, ``EXAMPLES`` examples per operation
plus schemathesis's coverage cases (some 240 per page), on a store of its own (300 demo
tickets): about 90 s of one core per role, the two roles on two workers under
``pytest -n 2``.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")  # the dev extra (pip install -e '.[dev]')

from argon2 import PasswordHasher  # noqa: E402
from schemathesis.core.parameters import ParameterLocation  # noqa: E402
from schemathesis.engine import Status, events, from_schema  # noqa: E402

from sanjeh.accounts import LOCAL_ADMIN, Accounts  # noqa: E402
from sanjeh.demo import generate  # noqa: E402
from sanjeh.qa import default_scorecard  # noqa: E402
from sanjeh.store import Store  # noqa: E402
from sanjeh.surveys import default_definitions  # noqa: E402
from sanjeh.web import create_app  # noqa: E402
from sanjeh.web._params import DIMS, PageQuery  # noqa: E402
from sanjeh.web._routes import _detail, model_of  # noqa: E402
from sanjeh.web.views import PAGES, staffing  # noqa: E402

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
EXAMPLES = 20
SEED = 23
OWN = "demo:a-001"
ROLES = ("admin", "agent")
#: /api/insights/experiments/{name}: the one experiment of the run's sanjeh.toml
EXPERIMENTS = """
[[experiments]]
name = "greeting"
variants = ["control", "warm"]
assignment = "hash"
metric = "csat"
start = "2026-08-03"
"""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schemathesis") / "base.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=5)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "admin", "correct horse battery", "admin", "Admin A")
        accounts.add_user(LOCAL_ADMIN, "agent", "correct horse battery", "agent", "Agent A", OWN)
    return path


class Known:
    """What the store has, to make schemathesis's valid requests valid for this store.

    Few values of each, so that the valid requests, however many, ask for a handful of
    views (the cache answers the rest): the run checks the API's answers, not the
    numbers, which other tests check."""

    def __init__(self, app: Any) -> None:
        source = app.state.source
        dims = source.dims
        self.values = {dim: sorted(dims.values(dim))[:1] for dim in DIMS}
        self.values["agent"] = [OWN]
        last = dims.last_day
        self.windows: list[tuple[str, str]] = [
            ((last - dt.timedelta(days=days - 1)).isoformat(), last.isoformat())
            for days in (28, 120)
        ]
        with source.db_lock:
            t = source.store.table("tickets")
            ids = t.select("customer_id").distinct().order_by("customer_id").limit(1)
            self.customers = [str(c) for c in ids.to_pyarrow().column(0).to_pylist() if c]
            first = t.select("ticket_id").order_by("ticket_id").limit(1)
            self.tickets = [str(c) for c in first.to_pyarrow().column(0).to_pylist()]
        #: a user who may review (the store's admin)
        self.reviewer = app.state.accounts.user("admin").user_id
        self.tables = {name: _tables(source, (name,)) for name in PAGES}
        self.tables["scorecard"] = _tables(source, ("scorecard", OWN))
        self.tables["timeline"] = _tables(source, ("timeline", self.customers[0]))
        #: /api/staffing's channel, team and queue (a few: each workload reads the store)
        self.staffing = {k: sorted(v)[:1] for k, v in staffing.store_values(source).items()}
        self.staffing["channel"] = ["phone", "chat"]


def _tables(source: Any, key: tuple[str, ...]) -> list[str]:
    """The tables of one page (what /download/{page}/{table}.csv may ask for)."""
    build = PAGES[key[0]].build if len(key) == 1 else _detail(*key)[1]
    model, _ = model_of(source, "en", key, PageQuery(), build)
    return sorted(model["tables"])


def _pick(options: list[Any], seed: object) -> Any:
    """One of ``options``, the same for the same generated value (derandomized runs)."""
    digest = hashlib.sha256(repr(seed).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _known_query(known: Known, query: dict[str, Any]) -> dict[str, Any]:
    """Filters the store has (one at most), and dates in order within what the period
    may span: one of a few windows ending on the data's last day."""
    query = dict(query)
    given = [d for d in DIMS if any(str(v).strip() for v in _listed(query.pop(d, [])))]
    if given:
        dim = _pick(given, tuple(given))
        query[dim] = known.values[dim]
    if query.get("start") or query.get("end"):
        query["start"], query["end"] = _pick(known.windows, (query.get("start"), query.get("end")))
    return query


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _known_path(known: Known, path: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    path = dict(path)
    if "agent_id" in path:
        path["agent_id"] = OWN
    if "name" in path:  # (an experiment: the run's one)
        path["name"] = "greeting"
    if "customer_id" in path:
        path["customer_id"] = _pick(known.customers, path["customer_id"])
    if "page" in path:
        page = _pick(sorted(known.tables), path["page"])
        table = _pick(known.tables[page], path.get("filename"))
        kind = _pick(["csv", "xlsx"], path.get("filename"))
        path["page"], path["filename"] = page, f"{table}.{kind}"
        if page in ("scorecard", "timeline"):
            query["id"] = OWN if page == "scorecard" else known.customers[0]
    return path


def _known_qa(known: Known, case: Any) -> Any:
    """QA requests generated as valid name agents, reviewers and conversations this store
    has, and a start before the end (rules the schema cannot state; their 400s are
    tested in tests/web/test_qa_hostile.py); invalid parts stay as generated."""
    if case.query and not case.meta.is_negative_at(ParameterLocation.QUERY):
        query = _known_days(known, dict(case.query))
        if query.get("agent"):
            query["agent"] = OWN
        if query.get("reviewer"):
            query["reviewer"] = known.reviewer
        case.query = query
    body = case.body
    if isinstance(body, dict) and not case.meta.is_negative_at(ParameterLocation.BODY):
        body = _known_days(known, dict(body))
        if "definition" in body:  # structure rules beyond the schema: tests/qa/test_scorecard*
            definition = default_scorecard().to_dict()
            definition["id"] = f"card-{_pick(list(range(1000)), repr(body))}"
            body["definition"] = definition
        if "ticket_id" in body:
            body["ticket_id"] = known.tickets[0]
        if "ratings" in body and case.operation.method.upper() == "POST":
            body.update(ratings={}, comments={}, root_causes={}, draft=True)
            body.update(scorecard_id=None, calibration_id=None)
        for item in body.get("action_items") or []:
            if isinstance(item, dict):
                item.update(_known_days(known, item))
        if "agent_id" in body:
            body["agent_id"] = OWN
        if "reviewers" in body:
            body["reviewers"] = [known.reviewer]
        if body.get("benchmark_reviewer"):
            body["benchmark_reviewer"] = known.reviewer
        if "ticket_ids" in body:
            body["ticket_ids"] = known.tickets
        if "review_ids" in body:
            body["review_ids"] = []
        case.body = body
    return case


def _known_survey(case: Any) -> Any:
    """A survey definition generated as valid is a valid one (its rules are beyond the
    schema: tests/surveys); an invalid body stays as generated."""
    body = case.body
    valid = not case.meta.is_negative_at(ParameterLocation.BODY)
    if valid and isinstance(body, dict) and isinstance(body.get("survey"), dict):
        case.body = {"survey": default_definitions()["csat-after-solve"].to_dict()}
    return case


def _known_days(known: Known, values: dict[str, Any]) -> dict[str, Any]:
    """Dates in the range the workflow stores, a start before its end: one of the windows."""
    first, last = _pick(known.windows, (values.get("start"), values.get("end")))
    for key in ("start", "held_on", "due"):
        if isinstance(values.get(key), str) and values[key]:
            values[key] = first
    if isinstance(values.get("end"), str) and values["end"]:
        values["end"] = last
    return values


def _known_staffing(known: Known, query: dict[str, Any]) -> dict[str, Any]:
    """/api/staffing: a channel, team and queue the store has (a queue only with phone),
    and one or two weeks: a few workloads, so that the store is read a few times."""
    query = dict(query)
    for name in ("channel", "team", "queue"):
        if str(query.get(name) or "").strip():
            query[name] = _pick(known.staffing[name], query[name])
    if str(query.get("queue") or "").strip():
        query["channel"] = "phone"
    if str(query.get("weeks") or "").strip():
        query["weeks"] = _pick([1, 2], query["weeks"])
    return query


def _known_import(case: Any) -> Any:
    """A valid import is a small file in Sanjeh's own format (random bytes, names and
    options are refused with 422 or 400: tests/web/test_server_import.py checks those);
    invalid parts stay as generated."""
    if not case.meta.is_negative_at(ParameterLocation.QUERY):
        case.query = {"filename": "tickets.csv", "source": "fuzz"}
        case.body = b"ticket_id,created_at,channel\nt-1,2026-03-01T08:00:00Z,email\n"
    return case


def known_values(known: Known) -> Any:
    """A ``map_case`` hook: the valid parts of a request made valid for this store too
    (the invalid parts stay as generated: their 400s are what is checked)."""

    def map_case(context: Any, case: Any) -> Any:
        if case.meta is None or case.operation.path.startswith("/api/admin"):
            return case
        if case.operation.path == "/api/imports":
            return _known_import(case)
        if case.operation.path.startswith("/api/qa"):
            return _known_qa(known, case)
        if case.operation.path == "/api/surveys":
            return _known_survey(case)
        query = dict(case.query or {})
        if case.path_parameters and not case.meta.is_negative_at(ParameterLocation.PATH):
            case.path_parameters = _known_path(known, case.path_parameters, query)
        if not case.meta.is_negative_at(ParameterLocation.QUERY):
            staffing_ = case.operation.path == "/api/staffing"
            case.query = (_known_staffing if staffing_ else _known_query)(known, query)
        return case

    return map_case


@pytest.fixture(scope="module", params=ROLES)
def run(request: pytest.FixtureRequest, store_path: Path) -> Iterator[tuple[str, list[Any]]]:
    role: str = request.param
    path = store_path.with_name(f"{role}.duckdb")
    shutil.copy(store_path, path)  # (QA and admin actions write)
    store = Store.open(str(path))
    config = path.with_name(f"{role}.toml")  # (one experiment: its pages answer 200)
    config.write_text(EXPERIMENTS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(config))
        app = create_app(store, refresh_seconds=3600, warm=False)
    app.state.accounts.hasher = FAST
    token = app.state.accounts.issue_token(LOCAL_ADMIN, role, "schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    config = schemathesis.config.SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": headers,
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "mode": "all"},
            "checks": {"enabled": True},
            "phases": {"stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config, headers=headers)
    schema.hook(known_values(Known(app)))
    try:
        yield role, _failures(schema)
    finally:
        app.state.source.stop()
        store.close()


def _failures(schema: Any) -> list[Any]:
    """(operation, check, status, request) of every failed check, and engine errors."""
    found = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            found.append(("engine", type(event).__name__, None, str(event)))
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status != Status.FAILURE or check.failure_info is None:
                    continue
                case = recorder.cases[case_id].value
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction else None
                status = response.status_code if response is not None else None
                answer = response.text[:160] if response is not None else ""
                sent = f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200}"
                shown = f"{sent} → {answer}"
                found.append((event.label, check.name, status, shown[:600]))
    return found


def test_every_operation_answers_as_documented(run: tuple[str, list[Any]]) -> None:
    role, failures = run
    by_kind: dict[tuple[str, str], list[Any]] = collections.defaultdict(list)
    for operation, check, status, shown in failures:
        by_kind[(operation, check)].append((status, shown))
    report = "\n".join(f"{op} {check}: {cases[:2]}" for (op, check), cases in by_kind.items())
    assert not by_kind, f"as {role}:\n{report}"
