"""Dates of real-world files: ISO 8601 as written, anything else only in a declared format.

``2016-02-29 01:16`` is year-month-day whatever else the file contains, so ISO 8601
values are never reinterpreted. Other shapes (``29/2/2016 01:16``) are ambiguous
between day-first and month-first: they are read only in a format the user (or the
format, from its documentation) declares. When a declared day-first format meets a
value that is only a date month-first (``2/29/2016``), the file is month-first and
the rows it read day-first (every day ≤ 12) would be silently wrong: the import stops
and says which format to declare instead.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import IngestError
from ._helpers import Problems, formatted_times, iso_times

#: year first: the shape ISO 8601 dates (and only they) have
ISO_SHAPED = r"^\d{4}-\d{1,2}-\d{1,2}"
_NULL = pa.scalar(None, pa.string())
_SWAP_MARK = "\x00"
_NON_ASCII_DIGIT = "[\u06f0-\u06f9\u0660-\u0669]"


def _ascii_digits(values: pa.Array) -> pa.Array:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits as 0-9: ``۲۰۲۴-۰۳-۰۴`` is ISO 8601 too."""
    if not pc.any(pc.match_substring_regex(values, _NON_ASCII_DIGIT)).as_py():
        return values
    for i in range(10):
        values = pc.replace_substring(values, chr(0x06F0 + i), str(i))
        values = pc.replace_substring(values, chr(0x0660 + i), str(i))
    return values


@dataclasses.dataclass(frozen=True)
class DateFormat:
    """How one file writes its local date-times, and how a user declares it."""

    #: the data file (named by whole-file errors)
    path: Path
    #: ``strptime`` format of values that are not ISO 8601 (None: only ISO is accepted)
    fmt: str | None
    #: how to declare a format, with ``{fmt}`` where it goes, e.g.
    #: ``timestamp_format = "{fmt}" in log.toml``
    declare: str

    def declared(self, fmt: str) -> str:
        return self.declare.replace("{fmt}", fmt)

    def parse(self, values: pa.Array, field: str, zone: str, problems: Problems) -> pa.Array:
        """Text → UTC timestamps (no offset: ``zone``); bad values become problems."""
        values = _ascii_digits(values)
        iso = pc.fill_null(pc.match_substring_regex(values, ISO_SHAPED), False)
        parsed = iso_times(pc.if_else(iso, values, _NULL), field, zone, problems)
        other = pc.and_(pc.is_valid(values), pc.invert(iso))
        if not pc.any(other).as_py():
            return parsed
        others = pc.if_else(other, values, _NULL)
        if self.fmt is None:
            example = self.declared("%d/%m/%Y %H:%M")
            problems.add(
                other,
                field,
                "not an ISO 8601 date-time (2016-02-29 01:16); the order of day and month "
                f"in other dates must be declared, e.g. {example}",
                values,
            )
            return parsed
        local = formatted_times(others, self.fmt, field, zone, problems)
        self._check_order(others, local, field)
        return pc.coalesce(parsed, local)

    def _check_order(self, values: pa.Array, parsed: pa.Array, field: str) -> None:
        """Stop when values that fail the declared format are dates with day and month
        the other way round: then the file's order is not the declared one."""
        fmt = self.fmt or ""
        if "%d" not in fmt or "%m" not in fmt:
            return
        failed = pc.and_(pc.is_valid(values), pc.is_null(parsed))
        if not pc.any(failed).as_py():
            return
        swapped = fmt.replace("%d", _SWAP_MARK).replace("%m", "%d").replace(_SWAP_MARK, "%m")
        scratch = Problems(pa.table({"v": values}), pa.array(range(len(values))).to_numpy())
        other = formatted_times(pc.if_else(failed, values, _NULL), swapped, field, "UTC", scratch)
        fits = pc.is_valid(other)
        if not pc.any(fits).as_py():
            return  # plain bad values: they are rejected row by row
        first = pc.filter(values, fits)[0].as_py()
        order = "month" if swapped.index("%m") < swapped.index("%d") else "day"
        raise IngestError(
            self.path,
            f"column {field!r}: {first!r} is not a date in the format {fmt!r} but is one "
            f"with day and month the other way round, so the file writes dates {order} "
            "first and every date with a day of 12 or less would be read wrong. Declare "
            f"the file's format: {self.declared(swapped)}",
        )
