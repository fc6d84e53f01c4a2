"""A scheduled report as a file: its bytes, written to a folder, POSTed to a webhook."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pandas as pd

from .._version import __version__
from ..errors import SanjehError
from ._render import to_csv, to_html, to_json_records, to_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class DeliveryError(SanjehError):
    """The report could not be delivered (the webhook refused it or did not answer)."""

    code = "delivery_error"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a 301 / 302 / 303 to a POST with a GET without the file, and
    call that delivered: a redirect is an answer that is not 2xx instead."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def where(url: str) -> str:
    """The webhook's scheme and host only: its path or query may hold a secret token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def post(
    url: str, data: bytes, fmt: str, *, filename: str, timeout: float, headers: dict[str, str]
) -> int:
    """POST the file; the HTTP status of a 2xx answer, else :class:`DeliveryError`.
    ``headers``' values may be any text (percent-encoded here: HTTP headers are Latin-1)."""
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": CONTENT_TYPES[fmt],
            # (RFC 6266 / 5987: a schedule's name may be Persian)
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "User-Agent": f"sanjeh/{__version__}",
            **{k: quote(v, safe=" -_.:/@") for k, v in headers.items()},
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            answer.read(65_536)  # (some servers wait until the answer is read)
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"the webhook {where(url)} answered {exc.code}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            message = f"the webhook {where(url)} did not answer within {timeout:g} s"
        else:
            message = f"the webhook {where(url)} could not be reached: {reason}"
        raise DeliveryError(message) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"the webhook {where(url)} answered {status}", status)
    return status
