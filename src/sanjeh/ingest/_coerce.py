"""Turn raw columns into canonical, typed columns — vectorised, one reject per bad value.

Each canonical column is converted with Arrow compute over the whole chunk. A
value that cannot be converted makes its row a reject (with the field, the value
and the reason) instead of failing the chunk; the remaining rows go on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..model import Column, TableSpec
from ..settings import ImportSettings
from ._lists import as_items, as_text, nul_rows
from ._rows import NUL, RawRows, Reject

_ISO = (
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
    r" ?(Z|z|UTC|[+-]\d{2}(:?\d{2})?)?$"
)
# an offset only counts after a time of day: "2024-01-01" ends in "-01" but has none
_HAS_OFFSET = r"\d:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$"
_NON_ASCII_DIGITS = "[\u06f0-\u06f9\u0660-\u0669]"
_TRUE = ("true", "t", "yes", "y", "1", "بله", "نعم")
_FALSE = ("false", "f", "no", "n", "0", "خیر", "لا")
LIST_SPLIT = r"\s*[;|]\s*"
#: no support system wrote a time before 1970; a "since" date (a customer's, a hire) may
#: be older; nothing is later than 2200 (docs/formats.md, "Times that cannot be")
EARLIEST, EARLIEST_SINCE = 1970, 1900
MAX_YEAR = 2200
#: columns whose times may be older than 1970: when a customer or an agent started
_SINCE = {("customers", "created_at"), ("agents", "hired_at")}
#: columns whose times may lie in the future: plans (a roster, a start or leaving date)
_PLANNED = {
    ("agent_shifts", "start_at"),
    ("agent_shifts", "end_at"),
    ("agents", "hired_at"),
    ("agents", "left_at"),
}
#: whole numbers are read through float64, which holds them exactly up to 2**53
_EXACT_INT = 2**53


class BadRows:
    """Collects, per row index, the first problem found (field, reason, value)."""

    def __init__(self, n: int) -> None:
        self.mask = np.zeros(n, dtype=bool)
        self.items: dict[int, tuple[str, str, Any]] = {}

    def add(self, where: pa.Array | np.ndarray, field: str, reason: str, values: Any) -> None:
        idx = np.flatnonzero(np.asarray(where, dtype=bool))
        for i in idx:
            if i not in self.items:
                value = values[i].as_py() if hasattr(values, "__getitem__") else None
                self.items[int(i)] = (field, reason, value)
        self.mask[idx] = True


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass(frozen=True)
class TimeBounds:
    """When an imported time may lie: from 1970 (1900 for "since" dates) to the import's
    own clock plus ``[import] future_tolerance`` (plans: to 2200)."""

    #: the import's clock
    now: dt.datetime = dataclasses.field(default_factory=_utc_now)
    tolerance: dt.timedelta = ImportSettings.future_tolerance
    #: the column's times may be in the future (plans) / before 1970 (since when)
    planned: bool = False
    since: bool = False

    def of(self, table: str, column: str) -> TimeBounds:
        """The bounds of one canonical column."""
        key = (table, column)
        return dataclasses.replace(self, planned=key in _PLANNED, since=key in _SINCE)

    def check(self, times: pa.Array, field: str, values: Any, bad: BadRows) -> None:
        """Times outside the bounds become problems of ``field`` in ``bad``."""
        utc = pa.timestamp("us", tz="UTC")
        micros = pc.cast(times.cast(utc), pa.int64())
        first = EARLIEST_SINCE if self.since else EARLIEST
        early = pc.less(micros, _micros(dt.datetime(first, 1, 1, tzinfo=dt.UTC)))
        if pc.any(pc.fill_null(early, False)).as_py():
            bad.add(
                pc.fill_null(early, False),
                field,
                f"is before {first}, earlier than any support system: a year like 1403 or "
                "1446 is a Jalali or Hijri date (convert it to Gregorian)",
                values,
            )
        cap = dt.datetime(MAX_YEAR + 1, 1, 1, tzinfo=dt.UTC)
        if self.planned or cap - self.now <= self.tolerance:
            latest, why = cap, f"is after {MAX_YEAR} (a typo in the year?)"
        else:
            latest = self.now + self.tolerance
            why = (
                f"is in the future (after {latest:%Y-%m-%d %H:%M} UTC: the import's time plus "
                f"[import] future_tolerance, {_span(self.tolerance)}); a typo in the year or a "
                "placeholder date?"
            )
        late = pc.fill_null(pc.greater(micros, _micros(latest)), False)
        if pc.any(late).as_py():
            bad.add(late, field, why, values)


@dataclasses.dataclass(frozen=True)
class CoerceOptions:
    #: source name bare ids are prefixed with (``local`` → ``local:42``)
    source: str = "local"
    #: IANA zone for timestamps without an offset
    timezone: str = "UTC"
    #: when imported times may lie (the import's clock)
    times: TimeBounds = dataclasses.field(default_factory=TimeBounds)


def _micros(at: dt.datetime) -> int:
    return (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


def _span(delta: dt.timedelta) -> str:
    """``1 day``, ``12 hours``, ``90 seconds``."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


_NULL_TEXT = pa.scalar(None, pa.string())


def _blank_to_null(arr: pa.Array) -> pa.Array:
    """Trim surrounding whitespace; empty text becomes null."""
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), _NULL_TEXT, trimmed)


def _blank_text_to_null(arr: pa.Array) -> pa.Array:
    """Whitespace-only text becomes null; other text keeps its spaces (message bodies)."""
    blank = pc.or_(pc.equal(arr, ""), pc.utf8_is_space(arr))
    return pc.if_else(blank, _NULL_TEXT, arr) if pc.any(blank).as_py() else arr


def _ascii_digits(arr: pa.Array) -> pa.Array:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits become 0-9; decimal marks too."""
    if not pc.any(pc.match_substring_regex(arr, _NON_ASCII_DIGITS)).as_py():
        return arr
    for i in range(10):
        arr = pc.replace_substring(arr, chr(0x06F0 + i), str(i))
        arr = pc.replace_substring(arr, chr(0x0660 + i), str(i))
    return pc.replace_substring(pc.replace_substring(arr, "٫", "."), "٬", "")


def safe_cast(arr: pa.Array, target: pa.DataType) -> tuple[pa.Array, np.ndarray]:
    """Cast, turning values that cannot be cast into nulls; return (result, failed mask).

    The fast path is one vectorised cast; when it fails, halves are retried, so a
    few bad values cost a few extra casts rather than a Python loop over the chunk.
    """
    try:
        return pc.cast(arr, target), np.zeros(len(arr), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if len(arr) == 1:
        return pa.nulls(1, target), np.ones(1, dtype=bool)
    mid = len(arr) // 2
    left, lbad = safe_cast(arr.slice(0, mid), target)
    right, rbad = safe_cast(arr.slice(mid), target)
    return pa.concat_arrays([left, right]), np.concatenate([lbad, rbad])


def _namespace(arr: pa.Array, source: str) -> pa.Array:
    """Prefix bare ids with ``source:``; ids that already carry a prefix are kept."""
    has_prefix = pc.match_substring(arr, ":")
    if pc.all(has_prefix).as_py():
        return arr
    prefixed = pc.binary_join_element_wise(pa.scalar(f"{source}:"), arr, "")
    if not pc.any(has_prefix).as_py():
        return prefixed
    return pc.if_else(has_prefix, arr, prefixed)


def parse_timestamps(
    arr: pa.Array, col: Column, tz: str, bad: BadRows, bounds: TimeBounds | None = None
) -> pa.Array:
    """Text or timestamps → UTC timestamps; unparseable values and times out of
    ``bounds`` are recorded in ``bad`` (shared with the format modules, which parse their
    own timestamp columns)."""
    bounds = bounds or TimeBounds()
    target = pa.timestamp("us", tz="UTC")
    if pa.types.is_date(arr.type):
        arr = arr.cast(pa.timestamp("us"))
    if pa.types.is_timestamp(arr.type):  # typed (Parquet): the bounds hold all the same
        if arr.type.tz is None:
            arr = pc.assume_timezone(arr, tz, ambiguous="earliest", nonexistent="latest")
        out, failed = safe_cast(arr, target)
        bad.add(failed, col.name, "not a valid date-time (out of range)", arr)
        bounds.check(out, col.name, arr, bad)
        return out
    text = _blank_to_null(as_text(arr))
    try:  # fast path: every value already carries an offset (exports, APIs, our own CSV)
        out = pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    else:
        bounds.check(out, col.name, text, bad)
        return out
    text = _ascii_digits(text)
    shaped = pc.match_substring_regex(text, _ISO)
    bad.add(
        pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(shaped, False))),
        col.name,
        "not a date-time; write it as ISO 8601, e.g. 2026-03-01T08:15:00Z",
        text,
    )
    text = pc.if_else(pc.fill_null(shaped, False), text, pa.scalar(None, pa.string()))
    text = pc.replace_substring_regex(text, r" ?(UTC|z)$", "Z")
    text = pc.replace_substring_regex(text, r" ([+-]\d{2}(:?\d{2})?)$", r"\1")
    aware = pc.fill_null(pc.match_substring_regex(text, _HAS_OFFSET), False)
    with_offset, failed_a = safe_cast(pc.if_else(aware, text, None), target)
    naive, failed_n = safe_cast(pc.if_else(aware, None, text), pa.timestamp("us"))
    local = pc.assume_timezone(naive, tz, ambiguous="earliest", nonexistent="latest")
    bad.add(failed_a | failed_n, col.name, "not a valid date-time (day or time out of range)", text)
    out = pc.if_else(aware, with_offset, local.cast(target))
    bounds.check(out, col.name, text, bad)
    return out


def _numbers(arr: pa.Array, col: Column, bad: BadRows) -> pa.Array:
    kind = pa.int64() if col.type == "int" else pa.float64()
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        source = arr
        out, failed = safe_cast(arr, pa.float64())
    else:
        source = _blank_to_null(as_text(arr))
        try:  # fast path: plain numbers
            out, failed = pc.cast(source, pa.float64()), np.zeros(len(source), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            source = _ascii_digits(source)
            out, failed = safe_cast(source, pa.float64())
    bad.add(
        failed,
        col.name,
        f"not a number ({'whole ' if col.type == 'int' else ''}number expected)",
        source,
    )
    # "nan" and "inf" cast to floats, but they are no value a KPI can use
    endless = pc.invert(pc.fill_null(pc.is_finite(out), True))
    if pc.any(endless).as_py():
        bad.add(endless, col.name, "not a number (NaN or infinity)", source)
        out = pc.if_else(endless, pa.scalar(None, pa.float64()), out)
    if col.type == "int":
        fractional = pc.fill_null(pc.not_equal(pc.floor(out), out), False)
        bad.add(fractional, col.name, "not a whole number", source)
        huge = pc.fill_null(pc.greater(pc.abs(out), float(_EXACT_INT)), False)
        if pc.any(huge).as_py():
            bad.add(huge, col.name, f"is too large (at most {_EXACT_INT:,})", source)
            out = pc.if_else(huge, pa.scalar(None, pa.float64()), out)
    if col.minimum is not None:
        bad.add(
            pc.fill_null(pc.less(out, col.minimum), False),
            col.name,
            f"is below the minimum {col.minimum:g}",
            source,
        )
    if col.maximum is not None:
        bad.add(
            pc.fill_null(pc.greater(out, col.maximum), False),
            col.name,
            f"is above the maximum {col.maximum:g}",
            source,
        )
    if col.type == "int":
        return pc.cast(pc.if_else(pc.is_nan(out), None, out), kind, safe=False)
    return out


def _booleans(arr: pa.Array, col: Column, bad: BadRows) -> pa.Array:
    if pa.types.is_boolean(arr.type):
        return arr
    text = pc.utf8_lower(_blank_to_null(as_text(arr)))
    is_true = pc.is_in(text, pa.array(_TRUE))
    is_false = pc.is_in(text, pa.array(_FALSE))
    unknown = pc.and_(pc.is_valid(text), pc.invert(pc.or_(is_true, is_false)))
    bad.add(unknown, col.name, "not true / false", text)
    return pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))


def _lists(arr: pa.Array) -> pa.Array:
    """``"a; b|c"`` → ``["a", "b", "c"]``; empty items are dropped. A list (a JSON array,
    a Parquet list) is taken as it is: ``["a;b"]`` is one item."""
    return as_items(arr, lambda text: pc.split_pattern_regex(text, LIST_SPLIT))


def _choices(arr: pa.Array, col: Column, bad: BadRows) -> pa.Array:
    """Map ``"On Hold"`` → ``on_hold``; unknown values are rejected.

    Works on the dictionary of distinct values (a handful), not on every row.
    """
    assert col.choices is not None
    encoded = arr.dictionary_encode()
    values = pc.replace_substring_regex(pc.utf8_lower(encoded.dictionary), r"[\s-]+", "_")
    known = pc.is_in(values, pa.array(col.choices))
    mapped = pc.if_else(known, values, pa.scalar(None, pa.string()))
    out = pc.take(mapped, encoded.indices)
    unknown = pc.and_(pc.is_valid(arr), pc.is_null(out))
    if pc.any(unknown).as_py():
        bad.add(unknown, col.name, f"is not one of {', '.join(col.choices)}", arr)
    return out


def coerce(raw: RawRows, spec: TableSpec, options: CoerceOptions) -> tuple[pa.Table, list[Reject]]:
    """Validate and type one chunk of raw rows for ``spec``; return (good rows, rejects)."""
    data = raw.data
    n = data.num_rows
    bad = BadRows(n)
    columns: dict[str, pa.Array] = {}
    for col in spec.columns:
        if col.name in data.column_names:
            arr = data[col.name].combine_chunks()
        elif col.default is not None:
            arr = pa.array([col.default] * n, col.arrow_type)
        else:
            columns[col.name] = pa.nulls(n, col.arrow_type)
            continue
        arr = _typed(arr, col, options, bad, spec.name)
        if col.default is not None and col.type != "strings":
            arr = pc.fill_null(arr, pa.scalar(col.default).cast(col.arrow_type))
        columns[col.name] = arr.cast(col.arrow_type)
        if col.required:
            missing = pc.is_null(columns[col.name])
            # a value already rejected for its shape should not also count as missing
            bad.add(np.asarray(missing) & ~bad.mask, col.name, "a value is required", arr)

    typed = pa.table(columns, schema=_nullable(spec.arrow_schema()))
    for check in spec.checks:
        broken = pc.fill_null(check.violated(typed), False).to_numpy(zero_copy_only=False)
        field = check.fields[0]
        bad.add(broken, field, check.reason, typed[field].combine_chunks())

    if not bad.items:
        return typed, []
    return typed.filter(pa.array(~bad.mask)), _rejects(raw, spec, bad)


def _typed(
    arr: pa.Array, col: Column, options: CoerceOptions, bad: BadRows, table: str
) -> pa.Array:
    """One column's raw values in the column's type; values that fail go to ``bad``."""
    if col.type in ("id", "string"):
        arr = as_text(arr)
        _no_nul(arr, col.name, bad)
        if col.type == "id":
            arr = _namespace(_blank_to_null(arr), options.source)
        elif col.name != "body":  # message bodies keep their whitespace
            arr = _blank_to_null(arr)
        else:
            arr = _blank_text_to_null(arr)
        return _choices(arr, col, bad) if col.choices else arr
    if col.type == "timestamp":
        return parse_timestamps(arr, col, options.timezone, bad, options.times.of(table, col.name))
    if col.type in ("int", "float"):
        return _numbers(arr, col, bad)
    if col.type == "bool":
        return _booleans(arr, col, bad)
    if col.type == "strings":
        arr = _lists(arr)
        _no_nul(arr, col.name, bad)
        return arr
    return arr


def _no_nul(arr: pa.Array, field: str, bad: BadRows) -> None:
    """Text holding a NUL byte (which PostgreSQL cannot store) rejects its row. The
    readers reject such rows already; this holds for whatever a format makes of them."""
    mask = nul_rows(arr)
    if mask is not None and mask.any():
        bad.add(mask, field, NUL, arr)


def _rejects(raw: RawRows, spec: TableSpec, bad: BadRows) -> list[Reject]:
    """The rows ``bad`` holds, with their line, field, reason and original values."""
    rows = raw.rows.to_numpy(zero_copy_only=False)
    indices = sorted(bad.items)
    originals = raw.data.take(pa.array(indices)).to_pylist()
    rejects = []
    for i, original in zip(indices, originals, strict=True):
        field, reason, value = bad.items[i]
        rejects.append(
            Reject(
                row=int(rows[i]),
                field=field,
                reason=reason,
                value=None if value is None else str(value),
                raw=original,
                table=spec.name,
            )
        )
    return rejects


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in schema])
