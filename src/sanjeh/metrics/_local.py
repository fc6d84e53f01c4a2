"""Local wall-clock time of UTC instants, for grouping by the business's day / hour.

Uses the clock table's offset columns (``utc_offset`` until ``utc_offset_change``
seconds after 00:00 UTC, then ``utc_offset_after``; see sanjeh.calendar), so a
DST change in the middle of a day is exact and no time-zone conversion runs in the
database. The result is "local epoch seconds": seconds since 1970-01-01 00:00 *local*.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir

from ..calendar import epoch_seconds

DAY = 86_400


def with_local_epoch(
    table: ir.Table, columns: Mapping[str, str], clock: ir.Table, calendar: str
) -> ir.Table:
    """Add ``{out: column}`` local epoch seconds (float64) in ``calendar``'s zone."""
    offsets = clock.filter(clock.calendar == calendar).select(
        "epoch_day", "utc_offset", "utc_offset_change", "utc_offset_after"
    )
    keep = table.columns
    for out, column in columns.items():
        epoch = epoch_seconds(table[column])
        step = table.mutate(_l_epoch=epoch, _l_day=(epoch / DAY).floor().cast("int64"))
        o = offsets.rename({f"_l_{c}": c for c in offsets.columns})
        j = step.left_join(o, step._l_day == o._l_epoch_day)
        before = (j._l_epoch - j._l_day * DAY) < j._l_utc_offset_change
        offset = (before.ifelse(j._l_utc_offset, j._l_utc_offset_after)).fill_null(0)
        table = j.select(*[j[c] for c in table.columns], **{out: j._l_epoch + offset})
    return table.select(*keep, *columns)
