"""What every import format implements, and the context it is given."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from .._coerce import TimeBounds
from .._readers import FileKind, RawChunk, read_raw
from .._rows import Chunk


@dataclasses.dataclass
class Context:
    """Everything a format needs to read one file."""

    path: Path
    kind: FileKind
    source: str
    timezone: str = "UTC"
    encoding: str = "utf-8"
    chunk_rows: int = 200_000
    mapping: Path | None = None
    #: format-specific settings given as ``--option key=value``
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    progress: Callable[[int], None] | None = None
    #: when imported times may lie: the import's clock and ``[import] future_tolerance``
    times: TimeBounds = dataclasses.field(default_factory=TimeBounds)

    def raw(self, delimiter: str | None = None) -> Iterator[RawChunk]:
        """The file's rows in chunks: (text columns, row numbers, unreadable rows)."""
        return read_raw(
            self.path,
            self.kind,
            chunk_rows=self.chunk_rows,
            encoding=self.encoding,
            delimiter=delimiter,
            progress=self.progress,
            sheet=self.params.get("sheet"),  # a workbook's sheet (the first by default)
        )

    def ns(self, ids: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Namespace external ids with this import's source: ``42`` → ``bank:42``."""
        text = ids.cast(pa.string())
        return pc.binary_join_element_wise(pa.scalar(f"{self.source}:"), text, "")


class Format:
    """An import format: recognises its files and maps their rows to canonical tables.

    Subclasses set the class attributes and implement :meth:`score` and :meth:`read`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    #: source name ids are namespaced with unless ``--source`` says otherwise
    default_source: ClassVar[str]
    #: canonical tables this format writes
    tables: ClassVar[tuple[str, ...]]
    #: zone of the format's local times, when the import names none (None: the default)
    default_timezone: ClassVar[str | None] = None
    kinds: ClassVar[tuple[FileKind, ...]] = ("csv",)
    #: reject rows whose parent row (a segment's call) is in neither the store nor this
    #: import (the pipeline's ``_PARENTS``); off for native files, so that an export
    #: imports back in any order
    parents_required: ClassVar[bool] = False

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        """How sure this format is that it can read the file: 0 (no) … 1 (certain)."""
        raise NotImplementedError

    def read(self, ctx: Context) -> Iterator[Chunk]:
        raise NotImplementedError

    def source_for(self, mapping: Path | None) -> str:
        """The id namespace when the import names none."""
        return self.default_source

    def timezone_for(self, mapping: Path | None) -> str | None:
        """The zone of local times when the import names none (None: the default)."""
        return self.default_timezone


class ColumnsFormat(Format):
    """A format recognised by the column names only it uses (three or more of
    ``distinct``), which reads the ``used`` columns and ignores the rest."""

    #: lower-case column names that set this format's files apart
    distinct: ClassVar[frozenset[str]]
    #: lower-case column names it reads (others are reported as ignored)
    used: ClassVar[Collection[str]]

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        hits = len(self.distinct & {c.strip().lower() for c in columns})
        return 0.95 * hits / len(self.distinct) if hits >= 3 else 0.0

    def ignored_columns(self, columns: list[str]) -> list[str]:
        return [c for c in columns if c.strip().lower() not in self.used]


def has_columns(columns: list[str], wanted: set[str]) -> bool:
    present = {c.strip().lower() for c in columns}
    return wanted <= present
