"""Raw columns read as text or as lists: a list is a list, only delimited text is split.

A JSON Lines file may hold ``"tags": ["a;b", "c"]``: two tags, the first with a ``;`` in
it. The reader hands such a column on as ``list<string>`` (as Parquet does its list
columns); a column where some rows hold an array and others text (``"tags": "a;b"``) as
``struct<text, items>``, one of the two set per row, so neither becomes the other.
Whoever reads a raw column reads it through :func:`as_text` (a list joined with ``;``)
or :func:`as_items` (a list as it is, text split by the column's rule).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: the column of rows that hold text in some rows and a list in others
MIXED = pa.struct([("text", pa.string()), ("items", pa.list_(pa.string()))])
_NULL_TEXT = pa.scalar(None, pa.string())


def is_listy(type_: pa.DataType) -> bool:
    """A column holding lists (in some rows at least)."""
    return type_ == MIXED or pa.types.is_list(type_) or pa.types.is_large_list(type_)


def json_text(value: Any) -> str | None:
    """A JSON value (not an array) as the text a CSV file would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def column(values: list[Any]) -> pa.Array:
    """A reader's column from text and lists (JSON arrays, as tuples): text, lists, or
    both (``MIXED``). List items that are not text become text; null items stay null."""
    try:  # fast path: text only (a list raises)
        return pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    lists_only = all(v is None or isinstance(v, tuple | list) for v in values)
    if lists_only:  # (only then: Arrow would read a text as the list of its characters)
        try:  # lists of text only (an item that is no text raises)
            return pa.array(values, pa.list_(pa.string()))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    values = [
        [v if type(v) is str else json_text(v) for v in x] if isinstance(x, tuple | list) else x
        for x in values
    ]
    if lists_only:
        return pa.array(values, pa.list_(pa.string()))
    texts = [v if isinstance(v, str) else None for v in values]
    items = [v if isinstance(v, list) else None for v in values]
    return pa.StructArray.from_arrays(
        [pa.array(texts, pa.string()), pa.array(items, pa.list_(pa.string()))],
        fields=list(MIXED),
        mask=pa.array([v is None for v in values]),
    )


def as_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Any raw column as text; a list's items joined with ``;``, nulls kept."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_string(arr.type):
        return arr
    if arr.type == MIXED:
        text, items = arr.field("text"), _joined(arr.field("items"))
        return pc.if_else(pc.is_valid(arr), pc.coalesce(text, items), _NULL_TEXT)
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        return _joined(arr)
    try:
        return arr.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # a nested Parquet value (struct, map): its JSON, as a JSON Lines reader would give
        return pa.array(
            [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in arr.to_pylist()
            ],
            pa.string(),
        )


def as_items(arr: pa.Array | pa.ChunkedArray, split: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Any raw column as lists: lists as they are, text cut into items by ``split``
    (text → list<string>). Items are trimmed; blank and null items are dropped; blank
    text is null, an empty list stays one."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type == MIXED:
        text = _blank_to_null(arr.field("text"))
        from_text = split(text)
        lists = pc.if_else(pc.is_valid(text), from_text, arr.field("items"))
        return _clean(pc.if_else(pc.is_valid(arr), lists, pa.scalar(None, lists.type)))
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        return _clean(arr)
    return _clean(split(_blank_to_null(as_text(arr))))


def _blank_to_null(text: pa.Array) -> pa.Array:
    """Text of blanks alone is no list (null), as an empty CSV field is."""
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(text), ""), _NULL_TEXT, text)


def _items(lists: pa.Array) -> pa.Array:
    """The flat values of ``lists`` as text."""
    return as_text(pc.list_flatten(lists))


def _clean(lists: pa.Array) -> pa.Array:
    """``list<string>`` with every item trimmed, blank and null items dropped."""
    flat = pc.utf8_trim_whitespace(_items(lists))
    keep = pc.fill_null(pc.not_equal(flat, ""), False)
    owners = pc.filter(pc.list_parent_indices(lists), keep).to_numpy()
    sizes = np.bincount(owners, minlength=len(lists))
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int32)
    return pa.ListArray.from_arrays(
        pa.array(offsets), pc.filter(flat, keep), mask=pc.is_null(lists)
    )


def _joined(lists: pa.Array) -> pa.Array:
    """Each list's items (nulls and blanks dropped) joined with ``;``."""
    return pc.binary_join(_clean(lists), ";")


def nul_rows(arr: pa.Array) -> np.ndarray | None:
    """Which values of a column hold a NUL byte (None: a column of no text)."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if arr.type == MIXED:
        text, items = nul_rows(arr.field("text")), nul_rows(arr.field("items"))
        assert text is not None and items is not None
        return (text | items) & np.asarray(arr.is_valid())
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        inner = nul_rows(pc.list_flatten(arr))
        out = np.zeros(len(arr), dtype=bool)
        if inner is not None and inner.any():
            out[pc.filter(pc.list_parent_indices(arr), pa.array(inner)).to_numpy()] = True
        return out
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    values = arr.buffers()[2]
    # a scan of the bytes (fast) finds none in nearly every column; only then per value
    if values is None or np.frombuffer(values, dtype=np.uint8).all():
        return np.zeros(len(arr), dtype=bool)
    return np.asarray(pc.fill_null(pc.match_substring(arr, "\x00"), False))
