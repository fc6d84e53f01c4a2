"""Helpers for the import tests: real files, corrupted copies, reading results back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sanjeh.store import Store

REAL = {
    "anonbank": "callcenter/anonbank_one_day_1999-08.csv",
    "helpdesk_log": "itsm/helpdesk_eventlog.csv",
    "volvo": "itsm/volvo_bpic2013_head1000.csv",
    "twcs": "twcs/twcs_sample.csv",
}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "summary"
#: a Persian word in the Windows code page Excel uses for Persian / Arabic
CP1256 = "سلام".encode("cp1256")

LineEdit = Callable[[bytes], bytes]


def set_field(index: int, value: bytes, delimiter: bytes = b",") -> LineEdit:
    """Replace field ``index`` of an unquoted line (keeps a trailing ``\\r``)."""

    def edit(line: bytes) -> bytes:
        body, cr = (line[:-1], b"\r") if line.endswith(b"\r") else (line, b"")
        fields = body.split(delimiter)
        fields[index] = value
        return delimiter.join(fields) + cr

    return edit


def corrupt(src: Path, dst: Path, edits: dict[int, LineEdit]) -> Path:
    """Copy ``src`` to ``dst`` changing some lines; keys are line numbers (header = 1)."""
    lines = src.read_bytes().split(b"\n")
    for number, edit in edits.items():
        lines[number - 1] = edit(lines[number - 1])
    dst.write_bytes(b"\n".join(lines))
    return dst


def line_of(path: Path, start: bytes) -> int:
    """Line number (header = 1) of the first line that starts with ``start``."""
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if line.removeprefix(b"\xef\xbb\xbf").startswith(start):
            return number
    raise AssertionError(f"no line starts with {start!r}")


def rows(store: Store, table: str) -> list[dict[str, Any]]:
    return store.table(table).to_pyarrow().to_pylist()


def rejects_by_row(store: Store) -> dict[int, dict[str, Any]]:
    return {r["row"]: r for r in rows(store, "import_rejects")}


def data_counts(store: Store) -> dict[str, int]:
    """Row counts of the canonical tables that have rows."""
    skip = {"import_log", "import_rejects"}
    return {t: n for t, n in store.counts().items() if n and t not in skip}
