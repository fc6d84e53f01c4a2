"""The intake's journal: acknowledged batches as JSON Lines files, on disk before the
acknowledgement, removed once the batches are in the store. (Batches received at the same
moment share one file: one ``fsync`` for all of them.)

A file is written under a temporary name, flushed to the disk (``fsync``), renamed into
place and the folder flushed too: a file either is there whole or not at all, so a batch
the API acknowledged survives the process being killed (or the machine losing power) and
is merged when the server starts again. File names sort in the order the batches were
received, which is the order they are merged in.

A batch starts with a line saying what it is (``{"journal": 1, "batch_id", "source",
"origin", "received_at", "rows_read"}``); each further line until the next batch is one
accepted row (``{"t": table, "r": {column: value}}``, canonical values: times as ISO 8601
UTC, lists as arrays) or one rejected record (``{"reject": {...}}``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..ingest import Reject
from ..model import TABLES

log = logging.getLogger("sanjeh.web")
SUFFIX = ".jsonl"
_VERSION = 1


@dataclasses.dataclass
class Batch:
    """One submission: its accepted rows per table and its rejected records."""

    batch_id: str
    source: str
    origin: str
    received_at: dt.datetime
    #: records given, over every table (= accepted + rejected)
    rows_read: int
    tables: dict[str, pa.Table]
    rejects: list[Reject]
    #: its journal file, once written (None: a store without a journal)
    path: Path | None = None
    #: place in the order of submissions (set by the intake)
    seq: int = 0

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.tables.values())

    @property
    def rejected(self) -> int:
        """Rejected records (a record is rejected once, whatever its problems)."""
        return len({(r.table, r.row) for r in self.rejects})


class Names:
    """Journal file names in the order they are asked for: strictly increasing, even
    when the clock steps back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def __call__(self) -> str:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns())
            return f"{self._last:020d}{SUFFIX}"


def write_file(final: Path, lines: Iterable[bytes]) -> Path:
    """``lines`` in ``final``, durably: written under a temporary name, flushed to the
    disk, renamed into place, the folder flushed (the file is there whole or not at all)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name("." + final.name + ".tmp")
    with temporary.open("wb") as f:
        f.writelines(lines)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, final)
    _sync_folder(final.parent)
    return final


def clear_leftovers(folder: Path) -> None:
    """Files cut short before their rename (never acknowledged)."""
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def set_bad(path: Path, exc: BaseException, what: str) -> None:
    """An unreadable journal file, kept aside as ``*.bad`` (never replayed), and said so."""
    bad = path.with_suffix(".bad")
    os.replace(path, bad)
    log.error("%s journal: %s is unreadable (%s); set aside as %s", what, path, exc, bad)


class Journal:
    """The folder of a store's unmerged batches (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._name = Names()

    def write(self, batches: list[Batch]) -> Path:
        """Write ``batches`` (received together) durably in one file; return it."""
        final = write_file(
            self.folder / self._name(), (line for batch in batches for line in _lines(batch))
        )
        for batch in batches:
            batch.path = final
        return final

    def remove(self, path: Path) -> None:
        """A file whose batches are all in the store."""
        path.unlink(missing_ok=True)

    def set_aside(self, batch: Batch) -> Path:
        """Keep a batch the store keeps refusing in a file of its own (``*.failed``,
        never replayed; its rows in Sanjeh's own JSON Lines, one table each, can be
        imported by hand); its journal file may then go."""
        aside = self.folder / f"{self._name().removesuffix(SUFFIX)}-{batch.batch_id}.failed"
        with aside.open("wb") as f:
            f.writelines(_lines(batch))
            f.flush()
            os.fsync(f.fileno())
        if batch.path is not None:  # the others of its file stay till they are merged
            rest = [b for b in read(batch.path) if b.batch_id != batch.batch_id]
            if rest:
                self._rewrite(batch.path, rest)
            else:
                batch.path.unlink(missing_ok=True)
            batch.path = None
        _sync_folder(self.folder)
        return aside

    def _rewrite(self, path: Path, batches: list[Batch]) -> None:
        write_file(path, (line for batch in batches for line in _lines(batch)))

    def pending(self) -> Iterator[Batch]:
        """The batches left in the folder (not merged yet), oldest first; files cut short
        before their rename are deleted (never acknowledged), unreadable ones set aside
        as ``*.bad`` with a line in the log."""
        if not self.folder.is_dir():
            return
        clear_leftovers(self.folder)
        for path in sorted(self.folder.glob("*" + SUFFIX)):
            try:
                found = read(path)
            except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
                set_bad(path, exc, "intake")
                continue
            yield from found


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (the folder's entry); not possible on every system."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to the journal")


def _lines(batch: Batch) -> Iterator[bytes]:
    head = {
        "journal": _VERSION,
        "batch_id": batch.batch_id,
        "source": batch.source,
        "origin": batch.origin,
        "received_at": batch.received_at.isoformat(),
        "rows_read": batch.rows_read,
    }
    yield json.dumps(head).encode() + b"\n"
    for table, rows in batch.tables.items():
        for row in rows.to_pylist():
            yield json.dumps({"t": table, "r": row}, default=_json).encode() + b"\n"
    for r in batch.rejects:
        reject = {
            "row": r.row,
            "table": r.table,
            "field": r.field,
            "reason": r.reason,
            "value": r.value,
            "raw": r.raw_json(),
        }
        yield json.dumps({"reject": reject}).encode() + b"\n"


def read(path: Path) -> list[Batch]:
    """The batches of one file, rows typed as their tables' columns."""
    found: list[tuple[dict[str, Any], dict[str, list[dict[str, Any]]], list[Reject]]] = []
    with path.open("rb") as f:
        for line in f:
            item = json.loads(line)
            if "journal" in item:
                found.append((item, {}, []))
            elif "reject" in item:
                found[-1][2].append(Reject(**item["reject"]))
            else:
                found[-1][1].setdefault(item["t"], []).append(item["r"])
    return [
        Batch(
            batch_id=head["batch_id"],
            source=head["source"],
            origin=head["origin"],
            received_at=dt.datetime.fromisoformat(head["received_at"]),
            rows_read=int(head["rows_read"]),
            tables={table: _typed(table, rows) for table, rows in tables.items()},
            rejects=rejects,
            path=path,
        )
        for head, tables, rejects in found
    ]


def _typed(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    spec = TABLES[table]
    times = [c.name for c in spec.columns if c.type == "timestamp"]
    for row in rows:
        for name in times:
            if row.get(name) is not None:
                row[name] = dt.datetime.fromisoformat(row[name])
    schema = pa.schema([f.with_nullable(True) for f in spec.arrow_schema()])
    return pa.Table.from_pylist(rows, schema=schema)
