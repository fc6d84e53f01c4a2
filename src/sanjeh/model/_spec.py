"""The building blocks of the canonical model: columns, checks and tables.

A table is declared once (see ``tables.py``) and everything else is derived
from the declaration: the Ibis / Arrow schemas the store creates, the
validation the importers run, and ``docs/data-model.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Literal

import ibis.expr.datatypes as dt
import pyarrow as pa
import pyarrow.compute as pc

ColumnType = Literal["id", "string", "timestamp", "int", "float", "bool", "strings"]

_IBIS_TYPES: dict[str, dt.DataType] = {
    "id": dt.string,
    "string": dt.string,
    "timestamp": dt.Timestamp(timezone="UTC", scale=6),
    "int": dt.int64,
    "float": dt.float64,
    "bool": dt.boolean,
    "strings": dt.Array(dt.string),
}
_ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.string(),
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "strings": pa.list_(pa.string()),
}


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    ``type="id"`` marks an identifier namespaced by source (``zendesk:1234``);
    importers prefix bare ids with the source name so two sources never collide.
    """

    name: str
    type: ColumnType
    description: str
    required: bool = False
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: the table whose key this id refers to (documentation and demo integrity)
    ref: str | None = None
    #: value used when an input file has no such column
    default: Any = None

    @property
    def ibis_type(self) -> dt.DataType:
        dtype = _IBIS_TYPES[self.type]
        return dtype.copy(nullable=not self.required)

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]


@dataclasses.dataclass(frozen=True)
class Check:
    """A rule across columns of one row, e.g. ``ended_at >= started_at``.

    ``violated`` receives an Arrow table of already-typed columns and returns a
    boolean mask of the rows that break the rule (nulls count as "not broken").
    """

    name: str
    fields: tuple[str, ...]
    reason: str
    violated: Callable[[pa.Table], pa.ChunkedArray | pa.Array]


def before(later: str, earlier: str) -> Check:
    """The row rule "``later`` is not before ``earlier``" (nulls never break it)."""

    def violated(t: pa.Table) -> pa.ChunkedArray:
        return pc.fill_null(pc.less(t[later], t[earlier]), False)

    return Check(
        f"{later}_after_{earlier}", (later, earlier), f"{later} is before {earlier}", violated
    )


@dataclasses.dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    key: str
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = ()
    #: when set, an incoming row replaces a stored row with the same key only if
    #: it is at least as new by this column (rows without it always replace)
    version_column: str | None = None
    example: dict[str, Any] | None = None
    #: the column naming the ticket or customer a row belongs to; the store records
    #: those ids when rows change, so derived tables refresh only what changed
    belongs_to: str | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        assert len(names) == len(set(names)), f"{self.name}: duplicate column"
        assert self.key in names, f"{self.name}: key {self.key} is not a column"
        assert self.version_column is None or self.version_column in names
        assert self.belongs_to is None or self.belongs_to in names

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def id_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.type == "id"]

    def ibis_schema(self) -> Any:
        import ibis

        return ibis.schema({c.name: c.ibis_type for c in self.columns})

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=not c.required) for c in self.columns]
        )
