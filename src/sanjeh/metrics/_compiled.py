"""Compiled KPI queries, reused across requests that differ only in their values.

Building an Ibis expression over a wide fact table and compiling it to SQL costs
50–150 ms per query, more than DuckDB needs to run it over a million tickets. A report
request of a given *shape* (KPIs, breakdowns, period, which filters with how many
values) always produces the same SQL up to its literal values: dates and filter values.
So the expression is built once with placeholder values, compiled, and kept; later
requests of that shape put their own values into the SQL text and run it directly.

Placeholders are values no request produces (numbers around −9.18e12, strings
``'__sjh_…__'``); each must appear in the compiled SQL, or the template is not used.
Values are put in as SQL literals in one pass (strings quoted, numbers from ``repr``
of a float), so a value can never be read as another placeholder or as SQL.
The templates live with the store's connection and are dropped whenever the facts
are rebuilt (their columns may have changed).
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..store import Store
from ..store._ibis_compat import duckdb_result_frame

_NUMBER_BASE = -9_176_543_210_000  # placeholders: _NUMBER_BASE − 10 … − 99 (same width)
_NUMBER = re.compile(r"-91765432100\d\d\.0")
_STRING = re.compile(r"'__sjh_[a-z]+_\d+__'")
_PLACEHOLDER = re.compile(f"{_NUMBER.pattern}|{_STRING.pattern}")


@dataclasses.dataclass(frozen=True)
class _Template:
    sql: str
    schema: Any  # ibis Schema of the result
    placeholders: frozenset[str]


@dataclasses.dataclass
class _Cache:
    templates: dict[Hashable, _Template | None] = dataclasses.field(default_factory=dict)
    tables: dict[str, ir.Table] = dataclasses.field(default_factory=dict)
    #: small facts about the built facts (their as-of …), read once per build
    facts: dict[str, Any] = dataclasses.field(default_factory=dict)


_CACHES: weakref.WeakKeyDictionary[Store, _Cache] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _cache(store: Store) -> _Cache:
    with _LOCK:
        found = _CACHES.get(store)
        if found is None:
            found = _CACHES[store] = _Cache()
        return found


def forget(store: Store) -> None:
    """Drop the store's templates and table handles (after the facts were rebuilt)."""
    with _LOCK:
        _CACHES.pop(store, None)


def forget_facts(store: Store) -> None:
    """Drop what was remembered about the built facts (their as-of …) but keep the
    templates: a refresh replaced rows, not columns (a rebuild forgets everything)."""
    with _LOCK:
        found = _CACHES.get(store)
        if found is not None:
            found.facts = {}


def table(store: Store, name: str) -> ir.Table:
    """A fact table's expression, looked up once (the lookup itself queries the catalog)."""
    tables = _cache(store).tables
    found = tables.get(name)
    if found is None:
        with store.lock:
            found = tables[name] = store.con.table(name)
    return found


def remember(store: Store, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per build of the store's facts."""
    facts = _cache(store).facts
    if key not in facts:
        facts[key] = compute()
    return facts[key]


class Values:
    """The literal values of one request, and their placeholders while templating."""

    def __init__(self) -> None:
        self.templating = False
        #: placeholder text → the SQL literal of this request's value
        self._sql: dict[str, str] = {}
        #: placeholders handed out while templating (each must reach the SQL)
        self.seen: set[str] = set()
        self._numbers: dict[str, int] = {}

    def number(self, name: str, value: float) -> ir.Value | float:
        """``value`` in an expression: itself, or its placeholder while templating."""
        slot = self._numbers.setdefault(name, len(self._numbers) + 10)
        assert slot < 100, "too many number placeholders"
        text = f"{_NUMBER_BASE - slot}.0"
        self._sql[text] = _number_sql(value)
        if not self.templating:
            return value
        self.seen.add(text)
        return ibis.literal(float(_NUMBER_BASE - slot), type="float64")

    def string(self, dim: str, index: int, value: str) -> str:
        text = f"'__sjh_{dim}_{index}__'"
        self._sql[text] = "'" + value.replace("'", "''") + "'"
        if not self.templating:
            return value
        self.seen.add(text)
        return text[1:-1]

    def fill(self, sql: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self._sql[m.group()], sql)


def _number_sql(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"cannot use {value!r} in a query")
    return repr(float(value))


def run(store: Store, values: Values, key: Hashable, build: Callable[[], ir.Table]) -> pd.DataFrame:
    """Run the query ``build()`` makes, from its compiled template when there is one.

    ``key`` must name everything the expression's *structure* depends on; ``values``
    carry everything else. Only DuckDB runs templates; other backends build and run.
    A template runs on the thread's own cursor, so requests in several threads run
    their queries at once; building and compiling use the shared Ibis connection,
    under the store's lock.
    """
    if store.backend != "duckdb":
        with store.lock:
            return build().to_pandas()
    templates = _cache(store).templates
    if key not in templates:
        with store.lock:
            if key not in templates:
                templates[key] = _compile(store, values, build)
    template = templates[key]
    if template is None:  # the query could not be templated: build it every time
        with store.lock:
            return build().to_pandas()
    return _execute(store, values.fill(template.sql), template.schema)


def _compile(store: Store, values: Values, build: Callable[[], ir.Table]) -> _Template | None:
    values.templating, values.seen = True, set()
    try:
        expr = build()
    finally:
        values.templating = False
    sql = str(store.con.compile(expr))
    found = frozenset(_PLACEHOLDER.findall(sql))
    # every value the expression was given must be a placeholder in the SQL (else a
    # later request's value would be ignored), and nothing else may look like one
    if found != values.seen:
        return None
    return _Template(sql, expr.schema(), found)


def _execute(store: Store, sql: str, schema: Any) -> pd.DataFrame:
    """What Ibis's DuckDB ``execute`` does after compiling (same types, same NULLs)."""
    arrow = store.cursor().sql(sql).to_arrow_table()
    return duckdb_result_frame(arrow, schema)
