"""Compose message text from phrase banks, vectorised with Arrow string kernels.

A bank maps a slot name (``a_greet_warm``, ``c_issue`` …) to phrases, or to
phrases per category. A phrase may hold placeholders (``{name}``, ``{agent}``,
``{order}``, ``{ticket}``, ``{amount}``), filled per row. A message is the
concatenation of optional slots, each included with a per-row probability, so
thousands of distinct, plausible texts come out of a few hundred phrases.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._const import CATEGORIES

PLACEHOLDERS = ("", "name", "agent", "order", "ticket", "amount")
_PH = re.compile(r"\{(\w+)\}")
_EMPTY = pa.scalar("", pa.string())
#: slot name → phrases, or category name → phrases
BankData = Mapping[str, Any]


class Slot:
    """One slot compiled: literal segments and placeholder codes per phrase.

    Phrase ``k`` is ``lit[0][k] + ph[0][k] + lit[1][k] + … + lit[m][k]``; index
    ``size`` is the empty phrase used for rows that leave the slot out.
    """

    def __init__(self, phrases: Sequence[str], offsets: np.ndarray, sizes: np.ndarray) -> None:
        split = [_PH.split(p) for p in phrases]  # [lit, ph, lit, ph, lit]
        m = max((len(s) // 2 for s in split), default=0)
        self.size = len(phrases)
        self.offsets, self.sizes = offsets, sizes
        lits: list[list[str]] = [[] for _ in range(m + 1)]
        codes = np.zeros((m, self.size + 1), dtype=np.int8)
        for k, parts in enumerate(split):
            parts = parts + ["", ""] * (m - len(parts) // 2)
            for j in range(m + 1):
                lits[j].append(parts[2 * j])
            for j in range(m):
                codes[j, k] = PLACEHOLDERS.index(parts[2 * j + 1])
        self.lits = [pa.array([*col, ""], pa.string()) for col in lits]
        self.codes = codes

    def pick(
        self, rng: np.random.Generator, include: np.ndarray, key: np.ndarray | None
    ) -> np.ndarray:
        u = rng.random(len(include))
        if key is None:
            idx = (u * self.size).astype(np.int64)
        else:
            idx = self.offsets[key] + (u * self.sizes[key]).astype(np.int64)
        return np.where(include, idx, self.size)


class Bank:
    """A language's phrase bank, compiled on first use of each slot."""

    def __init__(self, data: BankData) -> None:
        self.data = data

    @functools.cache  # noqa: B019 - banks live as long as the process; few slots
    def slot(self, name: str) -> Slot:
        entry = self.data[name]
        if isinstance(entry, Mapping):
            groups = [tuple(entry[c]) for c in CATEGORIES]
            sizes = np.array([len(g) for g in groups], dtype=np.int64)
            offsets = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
            return Slot([p for g in groups for p in g], offsets, sizes)
        one = np.zeros(1, dtype=np.int64)
        return Slot(tuple(entry), one, np.array([len(entry)], dtype=np.int64))


@functools.cache
def bank(lang: str) -> Bank:
    """The compiled phrase bank of a language (fa, ar, en)."""
    from .phrases import BANKS

    return Bank(BANKS[lang])


class Composer:
    """Builds the texts of ``n`` rows slot by slot; ``text()`` joins them."""

    def __init__(
        self,
        bank: Bank,
        rng: np.random.Generator,
        values: Mapping[str, pa.Array],
        category: np.ndarray,
        newline: np.ndarray,
    ) -> None:
        self.bank, self.rng, self.values = bank, rng, values
        self.category = category.astype(np.int64)
        self.newline = pa.array(newline)
        self.n = len(category)
        self.parts: list[pa.Array] = []

    def add(
        self,
        slot: str,
        p: float | np.ndarray = 1.0,
        *,
        mask: np.ndarray | None = None,
        keyed: bool = False,
        line: bool = False,
    ) -> np.ndarray:
        """Include ``slot`` with probability ``p`` (within ``mask``); return who got it."""
        include = self.rng.random(self.n) < p
        if mask is not None:
            include &= mask
        if not include.any():
            return include
        s = self.bank.slot(slot)
        idx = pa.array(s.pick(self.rng, include, self.category if keyed else None))
        if line:  # a line of its own in e-mails: break before and after
            before = pc.and_(pa.array(include), self.newline)
            self.parts.append(pc.if_else(before, "\n", _EMPTY))
        for j, lit in enumerate(s.lits):
            self.parts.append(pc.take(lit, idx))
            if j < len(s.codes):
                self.parts.append(self._fill(s.codes[j][idx.to_numpy()]))
        sep = pc.if_else(self.newline, "\n", " ") if line else pa.scalar(" ")
        self.parts.append(pc.if_else(pa.array(include), sep, _EMPTY))
        return include

    def one_of(self, options: Sequence[tuple[str, np.ndarray | float]], **kw: bool) -> None:
        """At most one of ``options`` (slot, probability) per row."""
        u = self.rng.random(self.n)
        low = np.zeros(self.n)
        for slot, p in options:
            high = low + p
            self.add(slot, mask=(u >= low) & (u < high), **kw)
            low = high

    def _fill(self, codes: np.ndarray) -> pa.Array:
        out: pa.Array | pa.Scalar = _EMPTY
        for code in np.unique(codes):
            if code:
                chosen = pa.array(codes == code)
                out = pc.if_else(chosen, self.values[PLACEHOLDERS[code]], out)
        if isinstance(out, pa.Scalar):
            return pa.array(np.full(self.n, "", dtype=object), pa.string())
        return out

    def text(self) -> pa.Array:
        if not self.parts:
            return pa.array(np.full(self.n, "", dtype=object), pa.string())
        joined = pc.binary_join_element_wise(*self.parts, "")
        # no space next to a line break
        joined = pc.replace_substring(pc.replace_substring(joined, " \n", "\n"), "\n ", "\n")
        return pc.utf8_trim_whitespace(joined)


_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def local_digits(
    arr: pa.Array, lang: str, share: float | np.ndarray, rng: np.random.Generator
) -> pa.Array:
    """Write a ``share`` of the numbers with Persian (fa) or Arabic-Indic (ar) digits."""
    if lang not in ("fa", "ar") or len(arr) == 0:
        return arr
    pick = rng.random(len(arr)) < share
    if not pick.any():
        return arr
    mask = pa.array(pick)
    table = _FA_DIGITS if lang == "fa" else _AR_DIGITS
    converted = arr.filter(mask)
    for ascii_digit, local in table.items():
        converted = pc.replace_substring(converted, chr(ascii_digit), chr(local))
    return pc.replace_with_mask(arr, mask, converted)
