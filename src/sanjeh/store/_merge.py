"""Idempotent, key-based merge of staged rows into a canonical table.

Rows are first appended to a staging table (cheap, streaming), then merged in
one pass, so the cost is linear in the input whatever the file's size:

1. within the input, the last row for a key wins (a later line is a newer version);
2. a key not stored yet is inserted;
3. a stored row with identical content is left alone (importing twice changes nothing);
4. a stored row with different content is replaced, unless the table has a version
   column (``updated_at``) and the stored row is newer.

Every step is an Ibis expression, so the same code runs on every backend. The
expressions are compiled once per backend and table, over placeholder tables, and the
SQL is kept (``_plan``): compiling costs tens of milliseconds, more than the merge of a
small batch itself, and the intake API merges a few events every quarter of a second.
A merge runs inside its stage's transaction, on PostgreSQL under the table's writer lock
(``_write.py``): its reads and writes see no other merge half-done.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import ibis
import sqlglot.expressions as sge

from ..model import TableSpec
from . import _changes as changes
from . import _ibis_compat

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


#: the names the compiled statements use for a merge's own tables (replaced per merge)
STAGE = "sanjeh_merge_stage_placeholder"
CHANGED = "sanjeh_merge_changed_placeholder"


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A merge's statements for one backend and table, with placeholder table names."""

    counts: str  # rows and distinct keys of the stage
    any_stored: str  # whether the table holds a row at all
    latest: str  # the stage's last row per key
    tally: str  # matched / changed / kept-newer counts
    replacement: str  # the stored rows to replace, as they will be
    new_rows: str  # the keys not stored yet
    new_ids: str | None  # what the new rows belong to (``belongs_to``)
    changed_ids: str | None  # what the replaced rows belong to


def _sql(expr: Any, dialect: str) -> str:
    return str(ibis.to_sql(expr, dialect=dialect, pretty=False))


_PLANS: dict[tuple[Any, ...], _Plan] = {}


def _plan(dialect: str, spec: TableSpec, dedupe: bool) -> _Plan:
    """The plan of ``spec``'s merges (compiled on first use)."""
    shape = (spec.name, spec.key, *spec.column_names, spec.version_column, spec.belongs_to)
    found = _PLANS.get((dialect, dedupe, *shape))
    if found is None:
        found = _PLANS[(dialect, dedupe, *shape)] = _compile(dialect, spec, dedupe)
    return found


def _compile(dialect: str, spec: TableSpec, dedupe: bool) -> _Plan:
    key, cols = spec.key, spec.column_names
    schema = spec.ibis_schema()
    stage = ibis.table({**schema, SEQ: "int64"}, name=STAGE)
    if dedupe:
        newest_first = ibis.row_number().over(group_by=stage[key], order_by=ibis.desc(stage[SEQ]))
        latest = stage.mutate(_rank=newest_first).filter(lambda t: t._rank == 0).select(cols)
    else:
        latest = stage.select(cols)
    target = ibis.table(schema, name=spec.name)
    stored = target.select(cols)
    joined = latest.inner_join(stored, key, rname=_CUR)
    others = [c for c in cols if c != key]
    differs = ibis.or_(*[~joined[c].identical_to(joined[_CUR.format(name=c)]) for c in others])
    older = ibis.literal(False)
    if spec.version_column:
        v, v_cur = joined[spec.version_column], joined[_CUR.format(name=spec.version_column)]
        older = (v.notnull() & v_cur.notnull() & (v < v_cur)).fill_null(False)
    classified = joined.mutate(_differs=differs, _older=older)
    tally = classified.aggregate(
        matched=classified.count(),
        changed=(classified._differs & ~classified._older).sum(),
        kept=(classified._differs & classified._older).sum(),
    )
    new_rows = latest.anti_join(stored, key)
    changed = ibis.table(schema, name=CHANGED)
    # rows that belong to nobody (a survey without a ticket) are noted as "" (ownerless)
    owner = spec.belongs_to

    def ids(rows: Any) -> str | None:
        if owner is None:
            return None
        return _sql(
            rows.select(entity=rows[owner].cast("string").fill_null("")).distinct(), dialect
        )

    return _Plan(
        counts=_sql(stage.aggregate(n=stage.count(), keys=stage[key].nunique()), dialect),
        any_stored=_sql(target.limit(1).count(), dialect),
        latest=_sql(latest, dialect),
        tally=_sql(tally, dialect),
        replacement=_sql(
            classified.filter(classified._differs & ~classified._older).select(cols), dialect
        ),
        new_rows=_sql(new_rows, dialect),
        new_ids=ids(new_rows),
        changed_ids=ids(changed),
    )


class _Statements:
    """Run a plan's statements on one merge's tables."""

    def __init__(self, con: Any, stage_name: str, changed_name: str) -> None:
        self.con = con
        self.dialect = _ibis_compat.sql_dialect(con)
        self.names = {
            self.quote(STAGE): self.quote(stage_name),
            self.quote(CHANGED): self.quote(changed_name),
        }

    def quote(self, name: str) -> str:
        return str(sge.to_identifier(name, quoted=True).sql(self.dialect))

    def _bound(self, sql: str) -> str:
        for placeholder, name in self.names.items():
            sql = sql.replace(placeholder, name)
        return sql

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return _ibis_compat.fetch(self.con, self._bound(sql))

    def run(self, sql: str) -> None:
        _ibis_compat.run(self.con, self._bound(sql))

    def insert(self, table: str, columns: Sequence[str], select: str) -> None:
        names = ", ".join(self.quote(c) for c in columns)
        self.run(f"INSERT INTO {self.quote(table)} ({names}) {select}")

    def record(self, table: str, select: str | None) -> None:
        """Note in the change log what rows of ``table`` changed (``_changes``); None:
        "anything may have"."""
        if select is None:
            select = f"SELECT {sge.convert(None).sql(self.dialect)}"
        columns = ("table_name", "entity_id")
        literal = sge.convert(table).sql(self.dialect)
        self.insert(changes.CHANGES_TABLE, columns, f"SELECT {literal}, s.* FROM ({select}) AS s")


def merge_stage(con: Any, stage_name: str, spec: TableSpec) -> WriteResult:
    """Merge the staging table ``stage_name`` into ``spec.name``."""
    result = WriteResult(spec.name)
    key, cols = spec.key, spec.column_names
    changed_name = f"{stage_name}_changed"
    sql = _Statements(con, stage_name, changed_name)
    dialect = con.name

    ((n_rows, n_keys),) = sql.rows(_plan(dialect, spec, False).counts)
    n_rows, n_keys = int(n_rows or 0), int(n_keys or 0)
    if n_rows == 0:
        return result
    result.superseded = n_rows - n_keys
    plan = _plan(dialect, spec, n_keys < n_rows)

    if not int(sql.rows(plan.any_stored)[0][0] or 0):
        sql.insert(spec.name, cols, plan.latest)
        result.inserted = n_keys
        sql.record(spec.name, None)
        return result

    ((matched, changed, kept),) = sql.rows(plan.tally)
    matched, changed = int(matched or 0), int(changed or 0)
    result.kept_newer = int(kept or 0)
    result.unchanged = matched - changed - result.kept_newer
    result.inserted = n_keys - matched
    result.replaced = changed
    if changed:
        # temporary: no other connection sees (or clears away) this merge's working table
        sql.run(f"CREATE TEMPORARY TABLE {sql.quote(changed_name)} AS {plan.replacement}")
    try:
        if result.inserted or changed:
            if spec.belongs_to is None:
                sql.record(spec.name, None)
            else:
                if result.inserted:
                    sql.record(spec.name, plan.new_ids)
                if changed:
                    sql.record(spec.name, plan.changed_ids)
        if result.inserted:
            sql.insert(spec.name, cols, plan.new_rows)
        if changed:  # an upsert: the stored versions out, the new ones in
            sql.run(
                f"DELETE FROM {sql.quote(spec.name)} WHERE {sql.quote(key)} IN "
                f"(SELECT {sql.quote(key)} FROM {sql.quote(changed_name)})"
            )
            sql.insert(spec.name, cols, f"SELECT * FROM {sql.quote(changed_name)}")
    finally:
        if changed:
            sql.run(f"DROP TABLE IF EXISTS {sql.quote(changed_name)}")
    return result
