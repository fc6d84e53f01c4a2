"""Idempotent, key-based merge of staged rows into a canonical table.

Rows are first appended to a staging table (cheap, streaming), then merged in
one pass, so the cost is linear in the input whatever the file's size:

1. within the input, the last row for a key wins (a later line is a newer version);
2. a key not stored yet is inserted;
3. a stored row with identical content is left alone (importing twice changes nothing);
4. a stored row with different content is replaced, unless the table has a version
   column (``updated_at``) and the stored row is newer.

Everything is an Ibis expression, so the same code runs on every backend. A merge
runs inside its stage's transaction, on PostgreSQL under the table's writer lock
(``_write.py``): its reads and writes see no other merge half-done.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ibis

from ..model import TableSpec
from . import _changes as changes

SEQ = "_sanjeh_seq"
_CUR = "{name}__stored"


@dataclasses.dataclass
class WriteResult:
    """What a write did to one table."""

    table: str
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    #: stored rows kept because they were newer than the incoming version
    kept_newer: int = 0
    #: input rows superseded by a later row with the same key in the same input
    superseded: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.replaced

    def __iadd__(self, other: WriteResult) -> WriteResult:
        for f in ("inserted", "replaced", "unchanged", "kept_newer", "superseded"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        return self


def _scalar(con: Any, expr: Any) -> int:
    return int(con.execute(expr) or 0)


def merge_stage(con: Any, stage_name: str, spec: TableSpec) -> WriteResult:
    """Merge the staging table ``stage_name`` into ``spec.name``."""
    result = WriteResult(spec.name)
    key, cols = spec.key, spec.column_names
    stage = con.table(stage_name)

    counts = con.execute(stage.aggregate(n=stage.count(), keys=stage[key].nunique()))
    n_rows, n_keys = int(counts["n"].iloc[0]), int(counts["keys"].iloc[0])
    if n_rows == 0:
        return result
    result.superseded = n_rows - n_keys
    if n_keys < n_rows:
        newest_first = ibis.row_number().over(group_by=stage[key], order_by=ibis.desc(stage[SEQ]))
        latest = stage.mutate(_rank=newest_first).filter(lambda t: t._rank == 0).select(cols)
    else:
        latest = stage.select(cols)

    target = con.table(spec.name)
    if _scalar(con, target.count()) == 0:
        con.insert(spec.name, latest)
        result.inserted = n_keys
        changes.record(con, spec.name, None)
        return result

    stored = target.select(cols)
    rname = _CUR
    joined = latest.inner_join(stored, key, rname=rname)
    others = [c for c in cols if c != key]
    differs = ibis.or_(*[~joined[c].identical_to(joined[rname.format(name=c)]) for c in others])
    older = ibis.literal(False)
    if spec.version_column:
        v, v_cur = joined[spec.version_column], joined[rname.format(name=spec.version_column)]
        older = (v.notnull() & v_cur.notnull() & (v < v_cur)).fill_null(False)
    classified = joined.mutate(_differs=differs, _older=older)
    tally = con.execute(
        classified.aggregate(
            matched=classified.count(),
            changed=(classified._differs & ~classified._older).sum(),
            kept=(classified._differs & classified._older).sum(),
        )
    )
    matched = int(tally["matched"].iloc[0])
    changed = int(tally["changed"].fillna(0).iloc[0])
    result.kept_newer = int(tally["kept"].fillna(0).iloc[0])
    result.unchanged = matched - changed - result.kept_newer
    result.inserted = n_keys - matched
    result.replaced = changed

    changed_name = f"{stage_name}_changed"
    if changed:
        replacement = classified.filter(classified._differs & ~classified._older).select(cols)
        # temporary: no other connection sees (or clears away) this merge's working table
        con.create_table(changed_name, replacement, temp=True)
    _record(
        con,
        spec,
        latest.anti_join(stored, key) if result.inserted else None,
        con.table(changed_name) if changed else None,
    )
    try:
        if result.inserted:
            con.insert(spec.name, latest.anti_join(stored, key))
        if changed:
            con.upsert(spec.name, con.table(changed_name), on=key)
    finally:
        if changed:
            con.drop_table(changed_name, force=True)
    return result


def _record(con: Any, spec: TableSpec, new: Any, replaced: Any) -> None:
    """Note the ids the inserted and replaced rows belong to (see ``_changes``)."""
    if new is None and replaced is None:
        return
    if spec.belongs_to is None:
        changes.record(con, spec.name, None)
        return
    parts = [t.select(entity=t[spec.belongs_to]) for t in (new, replaced) if t is not None]
    # rows that belong to nobody (a survey without a ticket) are noted as "" (ownerless)
    ids = ibis.union(*parts, distinct=True)
    changes.record(con, spec.name, ids.select(entity=ids.entity.fill_null("")))
