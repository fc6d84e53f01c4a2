"""KPI result frames to JSON records, CSV, Excel and a standalone HTML table."""

from __future__ import annotations

import html
import io
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..metrics import RESULT_COLUMNS
from ._format import format_change, format_value

#: characters openpyxl refuses, and the leading signs spreadsheets run as formulas
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """Text a spreadsheet shows as text: no control characters, and a leading sign it
    would run as a formula (``=HYPERLINK(…)``) made text by a ``'``. Other values as they
    are. Reports and the web's downloads in CSV and Excel pass their text through here
    (``sanjeh export`` does not: its files import back unchanged)."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    return "'" + value if value.startswith(_FORMULA) else value


def _spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell made safe for a spreadsheet (see ``spreadsheet_text``)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(spreadsheet_text)
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT:
        return None
    return value


def to_json_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts: NaN → None, timestamps → ISO text."""
    return [{str(k): _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def to_csv(df: pd.DataFrame) -> str:
    return _spreadsheet_safe(df).to_csv(index=False)


def to_xlsx(df: pd.DataFrame, path: Path) -> None:
    out = _spreadsheet_safe(df)
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name="KPIs")


def to_html(df: pd.DataFrame, title: str = "Sanjeh KPI report", lang: str = "en") -> str:
    """A self-contained page (no external resources), right-to-left for fa / ar."""
    direction = "rtl" if lang in ("fa", "ar") else "ltr"
    dims = [c for c in df.columns if c not in RESULT_COLUMNS]
    head = ["KPI", *dims, "period", "value", "n", "pending", "change", "target", "status", "note"]
    body = io.StringIO()
    for row in df.to_dict(orient="records"):
        cells = [
            row["title"],
            *[row[d] for d in dims],
            (row["period"] or "") + (" (partial)" if row.get("partial") is True else ""),
            format_value(row["unit"], row["value"]),
            f"{row['n']:,}",
            "" if _clean(row.get("pending")) is None else f"{int(row['pending']):,}",
            format_change(row["unit"], row["change"]),
            format_value(row["unit"], row["target"]),
            row["status"] or "",
            row.get("note") if isinstance(row.get("note"), str) else "",
        ]
        body.write("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>\n")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return (
        f'<!doctype html>\n<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        "</style></head>"
        f"<body><h1>{html.escape(title)}</h1><table><thead><tr>{header}</tr></thead><tbody>\n"
        f"{body.getvalue()}</tbody></table></body></html>\n"
    )
