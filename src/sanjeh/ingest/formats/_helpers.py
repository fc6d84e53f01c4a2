"""Small tools shared by the real-world formats: row problems, times, ids, ticket roll-ups.

A real-world row usually becomes rows in several canonical tables (a ticket *and*
its events). Such a row is validated once, here, against its own column names, and
is either turned into all its canonical rows or rejected as a whole — never half.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ConfigError, MissingColumns
from ...model import Column
from .._coerce import BadRows, TimeBounds, parse_timestamps
from .._lists import as_text
from .._rows import RawRows, Reject
from ._base import Context

UTC_US = pa.timestamp("us", tz="UTC")
#: a scratch column carrying each derived row's source row number
ROW = "_row"


# -- columns -------------------------------------------------------------------------------


def by_lower_name(table: pa.Table) -> pa.Table:
    """The same columns, named in lower case without surrounding blanks."""
    return table.rename_columns([c.strip().lower() for c in table.column_names])


def require(path: Path, columns: list[str], required: Iterable[str], what: str) -> None:
    """Stop with one clear error when the file lacks columns (compared ignoring case)."""
    present = {c.strip().lower() for c in columns}
    missing = [c for c in required if c.lower() not in present]
    if missing:
        raise MissingColumns(
            path,
            f"missing required column(s) {', '.join(missing)} for {what}; the file has "
            f"{', '.join(columns) or 'no columns'}",
        )


def text(table: pa.Table, name: str) -> pa.Array:
    """A column as trimmed text, blanks as null; all-null when the file lacks it."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    arr = pc.utf8_trim_whitespace(as_text(table[name]))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def const(value: object, n: int, type_: pa.DataType | None = None) -> pa.Array:
    return pa.array([value] * n, type_ or pa.string())


def ns(source: str, ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``42`` → ``source:42``; nulls stay null."""
    return pc.binary_join_element_wise(pa.scalar(f"{source}:"), ids.cast(pa.string()), "")


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate text columns and literals element-wise (null if any part is null)."""
    return pc.binary_join_element_wise(*parts, "")


def mapped(values: pa.Array, table: Mapping[str, str | None]) -> pa.Array:
    """Look each (lower-cased) value up in ``table``; unknown values become null."""
    keys = pa.array(list(table), pa.string())
    targets = pa.array(list(table.values()), pa.string())
    idx = pc.index_in(pc.utf8_lower(values), value_set=keys)
    return pc.take(targets, idx)


def known(values: pa.Array, table: Mapping[str, object]) -> np.ndarray:
    """True where a value is null or one of ``table``'s (lower-case) keys."""
    hit = pc.is_in(pc.utf8_lower(values), value_set=pa.array(list(table), pa.string()))
    return np.asarray(pc.or_(pc.is_null(values), hit))


# -- zones ---------------------------------------------------------------------------------


def check_zone(name: str, where: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: unknown time zone {name!r}; use an IANA name such as Asia/Tehran"
        ) from None
    return name


def zone_for(ctx: Context) -> str:
    """The zone for this file's local times: ``--option timezone=…``, else the import's
    (``--timezone``, else the format's or mapping's own zone, else the default)."""
    if "timezone" in ctx.params:
        return check_zone(ctx.params["timezone"], "--option timezone")
    return check_zone(ctx.timezone, "--timezone")


# -- problems ------------------------------------------------------------------------------


class Problems:
    """The first problem found in each row of one chunk; the rest of the row is dropped.
    Times are checked against ``bounds`` (the import's: ``Context.times``)."""

    def __init__(self, table: pa.Table, rows: np.ndarray, bounds: TimeBounds | None = None) -> None:
        self.table = table
        self.rows = np.asarray(rows, dtype=np.int64)
        self.bounds = bounds or TimeBounds()
        self._bad = BadRows(table.num_rows)

    def add(
        self, where: pa.Array | np.ndarray, field: str, reason: str, values: object = None
    ) -> None:
        mask = np.asarray(pc.fill_null(where, False) if isinstance(where, pa.Array) else where)
        if mask.any():
            self._bad.add(mask, field, reason, values)

    def require(self, values: pa.Array, field: str) -> None:
        self.add(pc.is_null(values), field, "a value is required", values)

    def unknown(
        self, values: pa.Array, table: Mapping[str, object], field: str, shown: str = ""
    ) -> None:
        """Values that are not keys of ``table`` (case ignored) are problems."""
        choices = shown or ", ".join(k for k in table if k)
        self.add(~known(values, table), field, f"is not one of: {choices}", values)

    @property
    def ok(self) -> np.ndarray:
        return ~self._bad.mask

    def rejects(self) -> list[Reject]:
        if not self._bad.items:
            return []
        indices = sorted(self._bad.items)
        originals = self.table.take(pa.array(indices)).to_pylist()
        out = []
        for i, original in zip(indices, originals, strict=True):
            field, reason, value = self._bad.items[i]
            out.append(
                Reject(
                    row=int(self.rows[i]),
                    field=field,
                    reason=reason,
                    value=None if value is None else str(value),
                    raw=original,
                )
            )
        return out


def iso_times(values: pa.Array, field: str, zone: str, problems: Problems) -> pa.Array:
    """ISO 8601 text → UTC timestamps (no offset: ``zone``); bad values become problems."""
    try:  # fast path: all plain local date-times, as most logs write them
        naive = pc.cast(values, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        column = Column(field, "timestamp", "")
        return parse_timestamps(values, column, zone, problems._bad, problems.bounds)
    local = pc.assume_timezone(naive, zone, ambiguous="earliest", nonexistent="latest")
    check_years(local, field, values, problems)
    return local.cast(UTC_US)


def formatted_times(
    values: pa.Array, fmt: str, field: str, zone: str, problems: Problems
) -> pa.Array:
    """Text in a ``strptime`` format → UTC timestamps; a format without ``%z`` is local."""
    parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
    problems.add(
        pc.and_(pc.is_valid(values), pc.is_null(parsed)),
        field,
        f"not a date-time in the format {fmt!r}",
        values,
    )
    if "%z" not in fmt and "%Z" not in fmt:
        # strptime rolls 31/02 over to 03/03: a value that does not print back the same
        # (ignoring leading zeros and case) named a day that does not exist
        back = pc.strftime(parsed, format=fmt)
        differs = pc.not_equal(_loose(back), _loose(values))
        problems.add(differs, field, f"not a real date-time in the format {fmt!r}", values)
        parsed = pc.if_else(differs, pa.scalar(None, parsed.type), parsed)
    if parsed.type.tz is None:
        parsed = pc.assume_timezone(parsed, zone, ambiguous="earliest", nonexistent="latest")
    check_years(parsed, field, values, problems)
    return parsed.cast(UTC_US)


def check_years(times: pa.Array, field: str, values: pa.Array, problems: Problems) -> None:
    """Times no support system wrote (before 1970: a Jalali 1403 read as Gregorian) or
    not yet come (beyond the import's clock and its tolerance) are problems."""
    problems.bounds.check(times, field, values, problems._bad)


def _loose(values: pa.Array) -> pa.Array:
    return pc.utf8_lower(pc.replace_substring_regex(values, r"(^|\D)0+(\d)", r"\1\2"))


def local_times(micros: np.ndarray, zone: str) -> pa.Array:
    """Local wall-clock microseconds since 1970 (NaN: none) → UTC timestamps."""
    valid = ~np.isnan(micros)
    naive = pa.array(np.where(valid, micros, 0).astype(np.int64), pa.int64(), mask=~valid)
    local = naive.cast(pa.timestamp("us"))
    return pc.assume_timezone(local, zone, ambiguous="earliest", nonexistent="latest").cast(UTC_US)


# -- output --------------------------------------------------------------------------------


def raw_rows(columns: Mapping[str, pa.Array], rows: np.ndarray | pa.Array) -> RawRows:
    """Canonical columns of a chunk with the file row each came from."""
    return RawRows(pa.table(dict(columns)), pa.array(np.asarray(rows), pa.int64()))


def keep(columns: Mapping[str, pa.Array], mask: np.ndarray | pa.Array) -> dict[str, pa.Array]:
    flt = mask if isinstance(mask, pa.Array) else pa.array(np.asarray(mask, dtype=bool))
    return {name: pc.filter(arr, flt) for name, arr in columns.items()}


def stack(parts: Sequence[Mapping[str, pa.Array]]) -> dict[str, pa.Array]:
    """Rows of several column sets (missing columns null) as one column set."""
    names: dict[str, pa.DataType] = {}
    for part in parts:
        for name, arr in part.items():
            names.setdefault(name, arr.type)
    out: dict[str, pa.Array] = {}
    for name, type_ in names.items():
        pieces = []
        for part in parts:
            n = len(next(iter(part.values()))) if part else 0
            arr = part.get(name)
            pieces.append(pa.nulls(n, type_) if arr is None else arr.cast(type_))
        out[name] = pa.concat_arrays(pieces) if pieces else pa.nulls(0, type_)
    return out


def entities(columns: Mapping[str, pa.Array], key: str) -> dict[str, pa.Array]:
    """One row per distinct ``key`` (the first one read), nulls dropped."""
    table = pa.table(dict(columns)).filter(pc.is_valid(columns[key]))
    if table.num_rows == 0:
        return {name: table[name].combine_chunks() for name in table.column_names}
    last = pc.index_in(table[key].unique(), value_set=table[key])  # first occurrence
    picked = table.take(last)
    return {name: picked[name].combine_chunks() for name in picked.column_names}


class NewOnly:
    """Passes on entity rows (agents, teams, customers) whose id it has not passed yet.

    Each entity is written once per import, keeping the first version read, so the
    store never sees the same key twice in one input. Memory: one id per entity.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._seen = pa.array([], pa.string())

    def __call__(self, columns: Mapping[str, pa.Array], rows: np.ndarray) -> RawRows | None:
        """The new entities among ``columns`` (one per source row ``rows``), if any."""
        first = entities({**columns, ROW: pa.array(np.asarray(rows), pa.int64())}, self.key)
        fresh = pc.invert(pc.is_in(first[self.key], value_set=self._seen))
        out = keep(first, fresh)
        self._seen = pa.concat_arrays([self._seen, out[self.key].cast(pa.string())])
        if not len(out[self.key]):
            return None
        return raw_rows(out, out.pop(ROW))


# -- roll-ups ------------------------------------------------------------------------------

Order = Literal["first", "last"]


class Rollup:
    """Per-ticket summary of events seen so far, for deriving ``tickets`` at the end.

    Memory is one small row per ticket per chunk (compacted as it grows), never the
    events themselves, so a file of any length streams. "first" / "last" are taken in
    time order (ties: file order), skipping nulls, whatever order the rows came in.
    """

    COMPACT_AFTER = 8

    def __init__(self, values: Mapping[str, Order] | None = None) -> None:
        self.values = dict(values or {})
        self._base: list[pa.Table] = []
        self._parts: dict[str, list[pa.Table]] = {name: [] for name in self.values}

    def add(
        self,
        ticket: pa.Array,
        at: pa.Array,
        row: pa.Array | np.ndarray,
        values: Mapping[str, pa.Array] | None = None,
    ) -> None:
        at = at.cast(UTC_US)
        row_arr = pa.array(np.asarray(row), pa.int64())
        base = pa.table({"ticket": ticket, "first_at": at, "last_at": at, "first_row": row_arr})
        self._base.append(_span([base]))
        if len(self._base) > self.COMPACT_AFTER:
            self._base = [_span(self._base)]
        values = dict(values or {})
        # sort once; each value keeps this order through filter and group_by
        events = pa.table({"ticket": ticket, "at": at, "row": row_arr, **values})
        events = events.sort_by(_ORDER)
        for name in values:
            part = events.select(["ticket", "at", "row", name]).rename_columns(_PICKED)
            part = part.filter(pc.is_valid(part["value"]))
            self._parts[name].append(self._pick(name, [part], ordered=True))
            if len(self._parts[name]) > self.COMPACT_AFTER:
                self._parts[name] = [self._pick(name, self._parts[name])]

    def _pick(self, name: str, tables: Iterable[pa.Table], ordered: bool = False) -> pa.Table:
        """One row per ticket: its earliest ("first") or latest ("last") value."""
        table = pa.concat_tables(tables)
        if not ordered:
            table = table.sort_by(_ORDER)
        how = self.values[name]
        out = table.group_by("ticket", use_threads=False).aggregate(
            [("at", how), ("row", how), ("value", how)]
        )
        return pa.table(
            {
                "ticket": out["ticket"],
                "at": out[f"at_{how}"],
                "row": out[f"row_{how}"],
                "value": out[f"value_{how}"],
            }
        )

    def finish(self) -> pa.Table:
        """``ticket, first_at, last_at, first_row`` and one column per tracked value."""
        if not self._base:  # no rows at all (a header alone): every column, no row
            empty = {
                "ticket": pa.array([], pa.string()),
                "first_at": pa.array([], UTC_US),
                "last_at": pa.array([], UTC_US),
                "first_row": pa.array([], pa.int64()),
            }
            return pa.table({**empty, **{name: pa.array([], pa.string()) for name in self.values}})
        out = _span(self._base)
        for name in self.values:
            parts = self._parts[name]
            if parts:
                picked = self._pick(name, parts).select(["ticket", "value"])
                out = out.join(picked.rename_columns(["ticket", name]), "ticket", "ticket")
            else:
                out = out.append_column(name, pa.nulls(out.num_rows, pa.string()))
        return out.sort_by("ticket")


_ORDER = [("ticket", "ascending"), ("at", "ascending"), ("row", "ascending")]
_PICKED = ["ticket", "at", "row", "value"]


def _span(tables: Iterable[pa.Table]) -> pa.Table:
    table = pa.concat_tables(tables)
    out = table.group_by("ticket").aggregate(
        [("first_at", "min"), ("last_at", "max"), ("first_row", "min")]
    )
    return pa.table(
        {
            "ticket": out["ticket"],
            "first_at": out["first_at_min"],
            "last_at": out["last_at_max"],
            "first_row": out["first_row_min"],
        }
    )
