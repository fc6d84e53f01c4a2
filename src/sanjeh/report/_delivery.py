"""A scheduled report as a file: its bytes, written to a folder, POSTed to a webhook
(``sanjeh._http``: the same POST sends survey invitations)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import uuid
from pathlib import Path

import pandas as pd

from .. import _http
from ._render import to_csv, to_html, to_json_records, to_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(df: pd.DataFrame, fmt: str, *, title: str, lang: str) -> bytes:
    """The report file's bytes: the same text ``sanjeh report --format FMT -o FILE`` writes
    (HTML with ``title`` and ``lang``)."""
    if fmt == "csv":
        return to_csv(df).encode("utf-8")
    if fmt == "json":
        return json.dumps(to_json_records(df), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "html":
        return to_html(df, title=title, lang=lang).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="sanjeh-report-") as folder:
        path = Path(folder) / "report.xlsx"
        to_xlsx(df, path)
        return path.read_bytes()


def write_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``folder/name`` whole or not at all (a reader never sees half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    partial = folder / f".{name}.{uuid.uuid4().hex[:8]}.partial"
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return target


def post(
    url: str, data: bytes, fmt: str, *, filename: str, timeout: float, headers: dict[str, str]
) -> int:
    """POST the file; the HTTP status of a 2xx answer, else :class:`~sanjeh._http.DeliveryError`."""
    return _http.post(
        url,
        data,
        content_type=CONTENT_TYPES[fmt],
        timeout=timeout,
        filename=filename,
        headers=headers,
    )
