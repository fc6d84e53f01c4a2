"""Files that cannot be imported at all: one clear error, of the right class, naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanjeh.errors import (
    ConfigError,
    EmptyFile,
    EncodingError,
    IngestError,
    MappingError,
    MissingColumns,
    UnknownFormat,
)
from sanjeh.ingest import import_file
from sanjeh.store import Store

from ._support import EXAMPLES, REAL


def _raises(store: Store, path: Path, error: type[IngestError], *words: str, **kw: Any) -> str:
    with pytest.raises(error) as caught:
        import_file(store, path, **kw)
    message = str(caught.value)
    assert str(path) in message, message
    for word in words:
        assert word in message, message
    assert all(n == 0 for n in store.counts().values())  # nothing was written
    return message


def test_unknown_format(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_text("sku,shelf,count\nA-1,3,10\n")
    _raises(duckdb_store, path, UnknownFormat, "sku, shelf, count", "--format")


def test_unknown_format_name(duckdb_store: Store, shared_data: Path) -> None:
    path = shared_data / REAL["anonbank"]
    _raises(duckdb_store, path, UnknownFormat, "'avaya'", "anonbank", format="avaya")


@pytest.mark.parametrize(
    ("name", "drop", "delimiter"),
    [
        ("anonbank", "ser_exit", ","),
        ("volvo", "ST Level", ","),
        ("twcs", "inbound", ","),
        ("helpdesk_log", "timestamp", ";"),
    ],
)
def test_missing_required_column(
    duckdb_store: Store, shared_data: Path, tmp_path: Path, name: str, drop: str, delimiter: str
) -> None:
    lines = (shared_data / REAL[name]).read_text(encoding="utf-8-sig").splitlines()[:20]
    header = lines[0].split(delimiter)
    at = header.index(drop)
    # drop the column from every line (these lines have no quoted delimiters before it)
    cut = [
        delimiter.join(f for i, f in enumerate(line.split(delimiter)) if i != at) for line in lines
    ]
    path = tmp_path / Path(REAL[name]).name
    path.write_text("\n".join(cut) + "\n", encoding="utf-8")
    _raises(duckdb_store, path, MissingColumns, drop, format=name)


def test_missing_column_found_by_detection(
    duckdb_store: Store, shared_data: Path, tmp_path: Path
) -> None:
    """A call log missing one column is still recognised, and told what is missing."""
    lines = (shared_data / REAL["anonbank"]).read_text().splitlines()[:5]
    path = tmp_path / "calls_1999-08-01.csv"
    path.write_text("\n".join(line.rsplit(",", 2)[0] for line in lines) + "\n")  # no server
    _raises(duckdb_store, path, MissingColumns, "server")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_file_with_a_byte_order_mark_imports(
    duckdb_store: Store, tmp_path: Path, encoding: str
) -> None:
    """The mark makes the encoding certain (no --encoding needed); without it: advice."""
    path = tmp_path / "tickets.csv"
    text = (EXAMPLES / "freshdesk.csv").read_text(encoding="utf-8")
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # the utf-16 codec writes its own
    path.write_bytes((bom + text).encode(encoding))
    kw: dict[str, Any] = {"format": "summary", "mapping": EXAMPLES / "freshdesk.toml"}
    summary = import_file(duckdb_store, path, **kw)
    assert summary.tables["tickets"].inserted == 5 and summary.rejected == 0
    subjects = {r["subject"] for r in duckdb_store.table("tickets").to_pyarrow().to_pylist()}
    assert any("ی" in (s or "") for s in subjects)  # Persian text came through intact


def test_utf16_file_without_a_mark(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes((EXAMPLES / "freshdesk.csv").read_text(encoding="utf-8").encode("utf-16-le"))
    kw: dict[str, Any] = {"format": "summary", "mapping": EXAMPLES / "freshdesk.toml"}
    _raises(duckdb_store, path, EncodingError, "UTF-16", "--encoding utf-16-le", **kw)
    summary = import_file(duckdb_store, path, encoding="utf-16-le", **kw)
    assert summary.tables["tickets"].inserted == 5 and summary.rejected == 0


def test_cp1256_file(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    # Windows-1256 has the Arabic forms of ی and ک, and no zero-width non-joiner
    text = (EXAMPLES / "freshdesk.csv").read_text(encoding="utf-8")
    text = text.replace("ی", "ي").replace("ک", "ك").replace("\u200c", " ")
    path.write_bytes(text.encode("cp1256"))
    kw: dict[str, Any] = {"format": "summary", "mapping": EXAMPLES / "freshdesk.toml"}
    _raises(duckdb_store, path, EncodingError, "cp1256", **kw)
    # the advice works: the same file imports when its encoding is named
    summary = import_file(duckdb_store, path, encoding="cp1256", **kw)
    assert summary.tables["tickets"].inserted == 5 and summary.rejected == 0


@pytest.mark.parametrize("content", [b"", b"\n\n", b"ticket_id,created_at\n"])
def test_empty_file(duckdb_store: Store, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(content)
    if content.startswith(b"ticket_id"):  # a header and no rows: nothing to do, no error
        summary = import_file(duckdb_store, path)
        assert summary.rows_read == 0 and summary.inserted == 0
    else:
        _raises(duckdb_store, path, EmptyFile, "empty")


def test_call_log_without_a_date(duckdb_store: Store, shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("\n".join((shared_data / REAL["anonbank"]).read_text().splitlines()[:5]))
    _raises(duckdb_store, path, IngestError, "--option date=YYYY-MM-DD")


def test_bad_option_value(duckdb_store: Store, shared_data: Path) -> None:
    with pytest.raises(ConfigError, match="date=August"):
        import_file(duckdb_store, shared_data / REAL["anonbank"], params={"date": "August"})
    with pytest.raises(ConfigError, match="Asia/Nowhere"):
        import_file(
            duckdb_store, shared_data / REAL["anonbank"], params={"timezone": "Asia/Nowhere"}
        )


def test_summary_without_mapping(duckdb_store: Store) -> None:
    with pytest.raises(MappingError, match="--mapping FILE"):
        import_file(duckdb_store, EXAMPLES / "freshdesk.csv", format="summary")
