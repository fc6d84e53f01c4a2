"""The Parquet lake's layout: one folder per table, partitioned by month of its time.

One layout, read and written by DuckDB (``sanjeh export --lake``, ``lake://`` stores)
and by Spark (``pyspark://`` / ``spark://`` stores)::

    LAKE/
      _sanjeh_lake.json                 {"layout": 1, "model_version": N}
      tickets/month=2026-01/part-….parquet    a table with a partition time column
      teams/part-….parquet                     a table without one
      _sanjeh/<name>/…                         the store's own tables (meta, change
                                               log, facts, staging): not part of the
                                               data a pipeline exchanges

- ``month`` is ``YYYY-MM`` of the partition column in UTC (:data:`PARTITION_COLUMN`);
  it is a folder name only (Hive style), never a column inside the files, and readers
  drop it: a table's columns are its :class:`~sanjeh.model.TableSpec`'s.
- Timestamps are Parquet ``TIMESTAMP(isAdjustedToUTC=true, MICROS)``; lists are Parquet
  lists; everything else is the Arrow type of the model (``TableSpec.arrow_schema``).
- A folder may hold any number of files (each write adds some); files and folders
  whose names start with ``_`` or ``.`` are not data (Spark's ``_SUCCESS``).
- A table with no rows may have no files at all: readers use the model's schema.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..model import ALL_TABLES, MODEL_VERSION

LAYOUT_VERSION = 1
MARKER = "_sanjeh_lake.json"
#: the store's own tables live under here (meta, change log, facts, staging)
INTERNAL = "_sanjeh"
PARTITION = "month"

#: table → the required timestamp column whose month partitions it (UTC); tables not
#: named here are one folder of files. Chosen as the time most queries filter on.
PARTITION_COLUMN: dict[str, str] = {
    "tickets": "created_at",
    "events": "at",
    "calls": "started_at",
    "agent_shifts": "start_at",
    "customer_outcomes": "at",
    "article_views": "viewed_at",
    "experiment_assignments": "assigned_at",
}


def month_of(moment: dt.datetime) -> str:
    """The partition value of an instant (``YYYY-MM`` in UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def table_folder(lake: Path, table: str) -> Path:
    """Where ``table``'s files are: the model's tables at the top, the rest internal."""
    return lake / table if table in ALL_TABLES else lake / INTERNAL / table


def write_marker(lake: Path) -> None:
    lake.mkdir(parents=True, exist_ok=True)
    marker = {"layout": LAYOUT_VERSION, "model_version": MODEL_VERSION}
    (lake / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def read_marker(lake: Path) -> dict[str, int] | None:
    """The lake's marker, or None when ``lake`` is not a Sanjeh lake (yet)."""
    try:
        found = json.loads((lake / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return {k: int(v) for k, v in found.items()}


def is_data(path: Path) -> bool:
    """Whether a file or folder of a table's folder holds data (not ``_SUCCESS`` …)."""
    return not path.name.startswith(("_", "."))


def data_glob(lake: Path, table: str) -> str:
    """The glob of ``table``'s data files: ``month=*/`` folders of a partitioned table,
    the folder itself otherwise; never names starting with ``_`` or ``.`` (so not the
    files of a Spark job still writing under ``_temporary/``)."""
    folder = table_folder(lake, table)
    if table in PARTITION_COLUMN:
        return f"{folder}/{PARTITION}=*/[!._]*.parquet"
    return f"{folder}/[!._]*.parquet"


def data_files(lake: Path, table: str) -> list[Path]:
    """``table``'s data files (those :func:`data_glob` matches), sorted."""
    folder = table_folder(lake, table)
    if table in PARTITION_COLUMN:
        prefix = PARTITION + "="
        folders = [f for f in _entries(folder) if f.name.startswith(prefix) and f.is_dir()]
    else:
        folders = [folder]
    found = [
        f
        for sub in folders
        for f in _entries(sub)
        if is_data(f) and f.name.endswith(".parquet") and f.is_file()
    ]
    return sorted(found)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
