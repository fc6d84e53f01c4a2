"""Business time as Ibis expressions: an equi-join of each timestamp to the clock table.

The expression uses only portable operations: epoch seconds of a ``timestamp('UTC')``
column, arithmetic, floor, GREATEST / LEAST, CASE and a left join on integer keys, so it
runs on DuckDB, PostgreSQL and any other Ibis backend.

Ibis compiles epoch seconds to ``EPOCH(CAST(t AS TIMESTAMP))`` on DuckDB, which reads
the instant in the *session* time zone (Ibis sets it to UTC when it connects;
:func:`check_utc_session` verifies a connection) and costs ~0.3 s per million values in
time-zone conversion. So for a table bound to DuckDB the instant's epoch is read with
DuckDB's own ``epoch()`` (about 8x faster, independent of the session zone); every other
backend, and DuckDB with ``duckdb_fast_path=False``, gets the portable expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeAlias

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa

from ..errors import ConfigError
from ..store._ibis_compat import only_backend
from ._windows import DAY

_PREFIX = "_sanjeh_clock_"
_EPOCH, _DAY, _SECOND, _KEY = (f"{_PREFIX}{n}" for n in ("epoch", "day", "second", "key"))
_C = f"{_PREFIX}c_"  # prefix of the joined clock columns

Calendar: TypeAlias = str | ir.Value | None
Builder: TypeAlias = Callable[[ir.Table, int], ir.Value]


def _as_table(clock: ir.Table | pa.Table) -> ir.Table:
    if isinstance(clock, pa.Table):
        clock = ibis.memtable(clock)
    if not isinstance(clock, ir.Table):
        raise ConfigError(
            f"clock must be an Ibis or Arrow table from clock_table(), not {type(clock).__name__}"
        )
    missing = {"epoch_day", "cum", "w0_start", "w0_len", "utc_offset"} - set(clock.columns)
    if missing:
        raise ConfigError(
            f"the clock table lacks {', '.join(sorted(missing))}; build it with clock_table()"
        )
    return clock


def _width(clock: ir.Table) -> int:
    width = 0
    while f"w{width}_start" in clock.columns:
        width += 1
    return width


def _key(table: ir.Table, clock: ir.Table, calendar: Calendar) -> ir.Value | None:
    if calendar is None:
        if "calendar" in clock.columns:
            raise ConfigError(
                "the clock table holds several calendars (it has a calendar column); pass "
                "calendar= the column (or expression) naming each row's calendar"
            )
        return None
    if "calendar" not in clock.columns:
        raise ConfigError(
            "calendar= needs a clock table of several calendars; build it with "
            "clock_table({name: calendar, ...}, start, end)"
        )
    if isinstance(calendar, str):
        if calendar not in table.columns:
            raise ConfigError(f"calendar column {calendar!r} is not in the table")
        return table[calendar]
    return calendar


def _check_columns(table: ir.Table, sources: list[str], outputs: list[str]) -> None:
    for name in sources:
        if name not in table.columns:
            raise ConfigError(f"column {name!r} is not in the table; columns: {table.columns}")
        if not table[name].type().is_timestamp():
            raise ConfigError(f"column {name!r} is {table[name].type()}, not a timestamp")
    clash = [name for name in outputs if name in table.columns]
    if clash:
        raise ConfigError(f"output column(s) {', '.join(clash)} exist already; pick new names")


@ibis.udf.scalar.builtin(name="epoch")
def _duckdb_epoch(ts: dt.Timestamp(timezone="UTC")) -> dt.float64:  # type: ignore[valid-type]
    """DuckDB's epoch() of a TIMESTAMPTZ: seconds since 1970-01-01 UTC, with fraction."""


def _on_duckdb(expr: ir.Expr) -> bool:
    return only_backend(expr) == "duckdb"


def _epoch(ts: ir.TimestampValue, fast: bool) -> ir.FloatingValue:
    if fast:
        return _duckdb_epoch(ts)
    # typed int32 by Ibis, but DuckDB and PostgreSQL keep the fraction: read it as float64
    return ts.epoch_seconds().cast("float64")


def epoch_seconds(ts: ir.TimestampValue, *, duckdb_fast_path: bool = True) -> ir.FloatingValue:
    """Seconds since 1970-01-01 UTC of a timestamp expression, as float64 with the fraction.

    Ibis' own ``epoch_seconds()`` is typed int32 (fractional values then fail to load)
    and, on DuckDB, reads the instant in the session time zone; this one avoids both.
    """
    return _epoch(ts, duckdb_fast_path and _on_duckdb(ts))


def _join(
    table: ir.Table,
    column: str,
    clock: ir.Table,
    *,
    keyed: bool,
    fast: bool,
    out: str,
    build: Builder,
) -> ir.Table:
    """Join the clock row of ``column``'s UTC date (and calendar); add ``out`` built from it."""
    keep = table.columns
    step = table.mutate(**{_EPOCH: _epoch(table[column], fast)})
    step = step.mutate(**{_DAY: (step[_EPOCH] / DAY).floor()})
    step = step.mutate(**{_SECOND: step[_EPOCH] - step[_DAY] * DAY})
    renamed = clock.rename({f"{_C}{name}": name for name in clock.columns})
    on = [step[_DAY] == renamed[f"{_C}epoch_day"]]
    if keyed:
        on.append(step[_KEY] == renamed[f"{_C}calendar"])
    joined = step.left_join(renamed, on)
    return joined.select(*keep, **{out: build(joined, _width(clock))})


def _add(
    table: ir.Table,
    columns: Mapping[str, str],
    clock: ir.Table | pa.Table,
    calendar: Calendar,
    build: Builder,
    fast_path: bool,
) -> ir.Table:
    clock = _as_table(clock)
    fast = fast_path and _on_duckdb(table)
    _check_columns(table, list(columns.values()), list(columns))
    key = _key(table, clock, calendar)
    keep = table.columns
    if key is not None:  # a column, so every join below can refer to it
        table = table.mutate(**{_KEY: key})
    for out, column in columns.items():
        table = _join(table, column, clock, keyed=key is not None, fast=fast, out=out, build=build)
    return table.select(*keep, *columns)


def _clock_value(joined: ir.Table, width: int) -> ir.Value:
    second = joined[_SECOND]
    value: ir.Value = joined[f"{_C}cum"].cast("float64")
    for k in range(width):
        start, length = joined[f"{_C}w{k}_start"], joined[f"{_C}w{k}_len"]
        value = value + ibis.greatest(ibis.least(second - start, length), 0)
    return value


def _local_day(joined: ir.Table, width: int) -> ir.Value:
    before = joined[_SECOND] < joined[f"{_C}utc_offset_change"]
    offset = ibis.ifelse(before, joined[f"{_C}utc_offset"], joined[f"{_C}utc_offset_after"])
    return ((joined[_EPOCH] + offset) / DAY).floor()


def with_business_clock(
    table: ir.Table,
    columns: Mapping[str, str],
    clock: ir.Table | pa.Table,
    *,
    calendar: Calendar = None,
    duckdb_fast_path: bool = True,
) -> ir.Table:
    """Add the business clock B(t) (float64 seconds) of timestamp columns: ``{out: column}``.

    B(end) − B(start) is the business time between two instants; it is null for a null
    timestamp or one outside the clock table's dates.
    """
    return _add(table, columns, clock, calendar, _clock_value, duckdb_fast_path)


def with_business_seconds(
    table: ir.Table,
    pairs: Mapping[str, tuple[str, str]],
    clock: ir.Table | pa.Table,
    *,
    calendar: Calendar = None,
    duckdb_fast_path: bool = True,
) -> ir.Table:
    """Add business seconds between timestamp columns: ``{out: (start_col, end_col)}``.

    The result is float64, negative when end < start, null when either is null or outside
    the clock table's dates. With a clock of several calendars, ``calendar`` names the
    column (or gives an expression) holding each row's calendar name.
    """
    sources = list(dict.fromkeys(c for pair in pairs.values() for c in pair))
    _check_columns(table, sources, list(pairs))
    temps = {column: f"{_PREFIX}b{i}" for i, column in enumerate(sources)}
    with_clock = with_business_clock(
        table,
        {temp: column for column, temp in temps.items()},
        clock,
        calendar=calendar,
        duckdb_fast_path=duckdb_fast_path,
    )
    added = {
        out: with_clock[temps[end]] - with_clock[temps[start]]
        for out, (start, end) in pairs.items()
    }
    return with_clock.select(*table.columns, **added)


def with_local_day(
    table: ir.Table,
    columns: Mapping[str, str],
    clock: ir.Table | pa.Table,
    *,
    calendar: Calendar = None,
    duckdb_fast_path: bool = True,
) -> ir.Table:
    """Add the calendar-local date of timestamp columns as days since 1970-01-01 (int64).

    Join the result to ``date_dimension()`` on ``epoch_day`` to group by local day,
    Jalali month, Hijri month or ISO week without converting time zones in the database.
    """
    return _add(table, columns, clock, calendar, _local_day, duckdb_fast_path)


def check_utc_session(con: Any) -> None:
    """Raise ConfigError unless ``con`` reads ``timestamp('UTC')`` columns as UTC.

    Ibis sets the session time zone to UTC when it opens DuckDB and PostgreSQL; a
    connection whose session zone was changed afterwards would shift every result.
    """
    instant = datetime(2024, 1, 1, 23, 30, tzinfo=UTC)
    probe = ibis.memtable(pa.table({"t": pa.array([instant], pa.timestamp("us", tz="UTC"))}))
    got = con.execute(probe.select(s=probe.t.epoch_seconds().cast("float64")))["s"].iloc[0]
    if abs(float(got) - instant.timestamp()) > 1e-3:
        raise ConfigError(
            f"the database session reads UTC timestamps {float(got) - instant.timestamp():+.0f}"
            " s off (its time zone is not UTC); set the session time zone to UTC"
        )
