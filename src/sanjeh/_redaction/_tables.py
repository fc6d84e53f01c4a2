"""Redaction of the canonical tables, batch by batch (``sanjeh export / import --redact``).

Free-text columns keep their text with the personal data found in it replaced (``redact``:
e-mails, phone and card numbers, national ids, IBANs); columns that are personal data as a
whole (a customer's name and e-mail) are replaced entirely, since names are not detectable
in text. Nulls stay null.
"""

from __future__ import annotations

import re
from typing import TypeVar

import pyarrow as pa

from ._pii import redact

#: free-text columns per canonical table: personal data found in them is replaced
FREE_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "call_segments": ("text",),
    "events": ("body",),
    "survey_responses": ("comment",),
    "tickets": ("subject",),
}
#: columns that are personal data as a whole, and what replaces a value
PERSONAL_COLUMNS: dict[str, dict[str, str]] = {
    # a transcript's speaker label is often the speaker's name ("<v Maria>")
    "call_segments": {"speaker_label": "[NAME]"},
    "customers": {"name": "[NAME]", "email": "[EMAIL]"},
}
# every kind of PII has a digit (any script: Python's \d) or an @; most messages have
# neither, and skipping them is what makes redaction cheap
_MAY_HOLD_PII = re.compile(r"[\d@]")

Data = TypeVar("Data", pa.Table, pa.RecordBatch)


def redacted_columns(table: str) -> tuple[str, ...]:
    """The columns of a canonical table that ``redact_table`` changes."""
    return FREE_TEXT_COLUMNS.get(table, ()) + tuple(PERSONAL_COLUMNS.get(table, {}))


def redact_table(table: str, data: Data) -> Data:
    """``data`` (rows of the canonical table ``table``) with its personal data redacted."""
    for column in FREE_TEXT_COLUMNS.get(table, ()):
        if column in data.column_names:
            data = _replace(data, column, _redact_texts(data[column].to_pylist()))
    for column, mask in PERSONAL_COLUMNS.get(table, {}).items():
        if column in data.column_names:
            masked = [None if v is None else mask for v in data[column].to_pylist()]
            data = _replace(data, column, masked)
    return data


def _redact_texts(values: list[str | None]) -> list[str | None]:
    out = list(values)
    index = [i for i, v in enumerate(values) if v and _MAY_HOLD_PII.search(v)]
    for i, text in zip(index, redact([values[i] or "" for i in index]), strict=True):
        out[i] = text
    return out


def _replace(data: Data, column: str, values: list[str | None]) -> Data:
    i = data.column_names.index(column)
    array = pa.array(values, type=data.schema.field(i).type)
    return data.set_column(i, data.schema.field(i), array)
