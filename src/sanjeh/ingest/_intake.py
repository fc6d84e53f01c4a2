"""Records sent as JSON (the intake API, webhooks) validated as an import validates a file.

A record takes the path a line of a JSON Lines file of Sanjeh's own format takes: the same
reading of its values (``_readers``: text as it is, arrays as lists, other values as the
text a CSV file would hold), the same NUL and surrogate checks, the same columns kept
(``formats/native``), the same :func:`~sanjeh.ingest.coerce` with the same time bounds.
So a record is accepted or rejected, with the same field and reason, exactly as the same
object on line *n* of a file would be; ``row`` is the record's place in the list (from 1).

One difference, on purpose: a record without a ``source`` key gets the batch's source
(a file's rows get it only when the file has no such column at all).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import ConfigError
from ..model import TABLES
from ..settings import ImportSettings
from ._coerce import CoerceOptions, TimeBounds, coerce
from ._readers import _Columns, _jsonl_row, _without_nul
from ._rows import RawRows, Reject

#: what a record that is no JSON object is told
NOT_AN_OBJECT = "a record must be one JSON object {...}"


@dataclasses.dataclass
class ValidatedRecords:
    """The outcome of :func:`validate_records` for one table."""

    table: str
    #: the accepted rows, canonical and typed (as a stage takes them)
    good: pa.Table
    #: one per rejected record: ``row`` is its place in the list (from 1)
    rejects: list[Reject]
    #: records given (= accepted + rejected)
    rows_read: int
    #: keys of the records that are no column of the table (ignored, as an import does)
    ignored: list[str] = dataclasses.field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.good.num_rows


def validate_records(
    table: str,
    records: Sequence[Any],
    *,
    source: str,
    timezone: str = "UTC",
    now: dt.datetime | None = None,
    future_tolerance: dt.timedelta = ImportSettings.future_tolerance,
) -> ValidatedRecords:
    """Validate JSON records (dicts, as ``json.loads`` gives them) for one canonical table.

    Values may be JSON strings, numbers, booleans or arrays (a list column); times are
    ISO 8601 text (without an offset: in ``timezone``). Bare ids are namespaced with
    ``source`` (``42`` → ``api:42``). A time later than ``now`` (default: the clock) plus
    ``future_tolerance`` rejects its record, as in an import.
    """
    spec = TABLES.get(table)
    if spec is None:
        raise ConfigError(f"no table {table!r}; tables are: {', '.join(TABLES)}")
    rows = _Columns()
    numbers: list[int] = []
    rejects: list[Reject] = []
    seen: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        row = _as_row(number, record, source)
        if isinstance(row, Reject):
            rejects.append(dataclasses.replace(row, table=table))
            continue
        seen.update(dict.fromkeys(row))
        rows.add(row)
        numbers.append(number)
    data, lines, unreadable = _without_nul(rows.table(), np.asarray(numbers, np.int64), [])
    rejects += [dataclasses.replace(r, table=table) for r in unreadable]
    known = set(spec.column_names)
    data = data.select([c for c in data.column_names if c in known])
    for name in (c for c in spec.required if c not in data.column_names):
        # a file without the column is refused whole; here each record lacks a value
        data = data.append_column(name, pa.nulls(data.num_rows, pa.string()))
    times = TimeBounds(now=now or dt.datetime.now(dt.UTC), tolerance=future_tolerance)
    options = CoerceOptions(source=source, timezone=timezone, times=times)
    good, bad = coerce(RawRows(data, pa.array(lines, pa.int64())), spec, options)
    rejects = sorted(rejects + bad, key=lambda r: r.row)
    ignored = [key for key in seen if key not in known]
    return ValidatedRecords(table, good, rejects, len(records), ignored)


def _as_row(number: int, record: Any, source: str) -> dict[str, Any] | Reject:
    """One record read as a line of a JSON Lines file is: through the file reader itself
    (the record written back as one line, escaped, so half a surrogate pair stays one)."""
    if not isinstance(record, dict):
        raw = json.dumps(record, ensure_ascii=False, default=str)
        return Reject(number, NOT_AN_OBJECT, raw=raw)
    if "source" not in record:
        record = {**record, "source": source}
    try:
        line = json.dumps(record).encode()
    except (ValueError, TypeError, RecursionError) as exc:  # (not from json.loads)
        return Reject(number, f"not valid JSON ({exc})", raw=repr(record)[:2000])
    row = _jsonl_row(number, line)
    if isinstance(row, Reject):  # quarantine keeps the record as sent, not escaped
        row.raw = record
    return row
