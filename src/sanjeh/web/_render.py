"""Turning a view model into bytes: HTML (Jinja, autoescaped), JSON, CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import markupsafe
import pandas as pd
from starlette.requests import Request

from .. import report
from .._version import __version__
from ._i18n import LANGS, Locale
from .views import Model

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("sanjeh.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["todate"] = dt.date.fromisoformat


def to_json(model: Model) -> bytes:
    return json.dumps(model, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def cell(locale: Locale, timezone: str, col: Model, row: Model) -> str:
    """One table cell as text, by the column's unit."""
    value = row.get(col["key"])
    unit = col["unit"]
    if value is None:
        return "—"
    if unit in ("text", "verbatim"):
        return str(value)
    if unit == "count":
        return locale.integer(value)
    if unit == "kpi":
        return locale.value(row["unit"], value)
    if unit == "kpi_change":
        return locale.change(row["unit"], value)
    if unit == "status":
        return locale.t(f"status.{value}")
    if unit == "date":
        return locale.date(dt.date.fromisoformat(value))
    if unit == "datetime":
        return locale.datetime(dt.datetime.fromisoformat(value), timezone)
    if unit == "number" and isinstance(value, int | float) and float(value).is_integer():
        return locale.integer(value)
    return locale.value(unit, value)


def table_rows(
    tab: Model,
    cell: Callable[[Model, Model], str],
    url: Callable[..., str],
    indent: str = "      ",
) -> markupsafe.Markup:
    """A table's body rows as HTML (the template's loop, in Python: a leaderboard of
    hundreds of agents renders ~6× faster than through a Jinja macro per cell)."""
    escape = markupsafe.escape
    columns = [
        (
            col,
            f'<td class="u-{escape(col["unit"])}"'
            + (' dir="auto"' if col["unit"] in ("verbatim", "text") else "")
            + ' data-value="',
            col["key"],
            col.get("href"),
        )
        for col in tab["columns"]
    ]
    out = []
    for row in tab["rows"]:
        cells = []
        for col, opening, key, href in columns:
            v = row[key]
            text = str(escape(cell(col, row)))
            target = row[href] if href else None
            if target:
                text = f'<a href="{escape(url(target, q=None))}">{text}</a>'
            cells.append(f'{opening}{escape("" if v is None else v)}">{text}</td>')
        out.append(f"{indent}<tr>{''.join(cells)}</tr>\n")
    return markupsafe.Markup("".join(out))


def sparkline(values: list[float | None], rtl: bool, width: int = 120, height: int = 28) -> str:
    """SVG polyline points of a small trend (mirrored for right-to-left pages)."""
    found = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(found) < 2:
        return ""
    lo, hi = min(v for _, v in found), max(v for _, v in found)
    span = (hi - lo) or 1.0
    last = max(len(values) - 1, 1)
    points = []
    for i, v in found:
        x = width * i / last
        if rtl:
            x = width - x
        y = height - 2 - (height - 4) * (v - lo) / span
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def render_html(
    template: str,
    model: Model,
    locale: Locale,
    *,
    path: str,
    query: list[tuple[str, str]],
    options: Model,
    timezone: str,
    **extra: Any,
) -> bytes:
    """A page built on base.html (the dashboard's and the QA pages): the view model
    ``m``, the locale, ``url()``, the JSON twin's path, the filter ``options``, the
    table and sparkline helpers, and ``extra``."""

    def url(target: str | None = None, **changes: str | None) -> str:
        """This page's (or ``target``'s) URL with some query parameters changed."""
        kept = [(k, v) for k, v in query if k not in changes]
        kept += [(k, v) for k, v in changes.items() if v is not None]
        text = urlencode(kept)
        return (target or path) + (f"?{text}" if text else "")

    def request_value(key: str, default: str = "") -> str:
        return next((v for k, v in query if k == key), default)

    page = _ENV.get_template(template).render(
        m=model,
        L=locale,
        t=locale.t,
        url=url,
        request_value=request_value,
        json_path="/api/overview" if path == "/" else "/api" + path,
        query=query,
        path=path,
        options=options,
        langs=LANGS,
        cell=lambda col, row: cell(locale, timezone, col, row),
        rows=lambda tab: table_rows(tab, lambda c, r: cell(locale, timezone, c, r), url),
        sparkline=lambda values: sparkline(values, locale.rtl),
        version=__version__,
        **extra,
    )
    return page.encode()


def render_page(
    request: Request,
    template: str,
    model: Any,
    locale: Locale,
    *,
    path: str | None = None,
    **extra: Any,
) -> bytes:
    """A page outside the dashboard's views (cases, surveys, admin): ``render_html`` with
    the request's query and the filter form's calendar (month names, the data's days)."""
    source = request.app.state.source
    return render_html(
        template,
        model,
        locale,
        path=path or request.url.path,
        query=[(k, v) for k, v in request.query_params.multi_items() if v != ""],
        options={
            "months": locale.month_names(),
            "first_day": source.dims.first_day.isoformat(),
            "last_day": source.dims.last_day.isoformat(),
        },
        timezone=source.timezone,
        **extra,
    )


def table_frame(table: Model) -> pd.DataFrame:
    """A view table as a DataFrame of raw values (keys as headers, like the JSON); its
    text as a spreadsheet shows text, never a formula (``report.spreadsheet_text``)."""
    keys = [c["key"] for c in table["columns"]]
    texts = {c["key"] for c in table["columns"] if c["unit"] in ("text", "verbatim")}
    rows = []
    for row in table["rows"]:
        rows.append(
            {k: report.spreadsheet_text(row.get(k)) if k in texts else row.get(k) for k in keys}
        )
    return pd.DataFrame(rows, columns=keys)


def to_csv(table: Model) -> bytes:
    # UTF-8 with a byte-order mark, so spreadsheet programs read Persian and Arabic right
    return ("\ufeff" + report.to_csv(table_frame(table))).encode()


def to_xlsx(table: Model) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.xlsx"
        report.to_xlsx(table_frame(table), path)
        return path.read_bytes()


def error_page(locale: Locale, status: int, code: str, message: str) -> bytes:
    return (
        _ENV.get_template("error.html")
        .render(
            L=locale,
            t=locale.t,
            status=status,
            code=code,
            message=message,
            version=__version__,
            url=lambda target=None, **_: target or "/",
            langs=LANGS,
            path="/",
        )
        .encode()
    )


__all__ = ["error_page", "render_html", "to_csv", "to_json", "to_xlsx"]
