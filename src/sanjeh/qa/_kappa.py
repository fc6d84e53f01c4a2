"""Cohen's kappa: agreement of two raters on nominal labels, beyond chance.

Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
Psychological Measurement 20(1), 37–46: κ = (p_o − p_e) / (1 − p_e) with p_o the share of
items both raters label alike and p_e = Σ_c p_A(c) p_B(c) the share expected by chance
from each rater's own label frequencies. Its large-sample standard error (same paper,
eq. 9): σ_κ = √(p_o (1 − p_o) / (n (1 − p_e)²)).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Hashable, Sequence

Z95 = 1.959963984540054


@dataclasses.dataclass(frozen=True)
class Kappa:
    """κ with its parts: ``observed`` p_o, ``expected`` p_e, ``n`` items, and a 95 %
    interval κ ± 1.96 σ_κ (None where it is not defined)."""

    kappa: float | None
    observed: float | None
    expected: float | None
    n: int
    low: float | None
    high: float | None


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Kappa:
    """Cohen's kappa of two raters' labels of the same items (``a[i]`` and ``b[i]``).

    No items → every figure None. Both raters using one and the same label throughout
    (p_e = 1) → κ None: agreement beyond chance is not defined there (scikit-learn's
    ``cohen_kappa_score`` answers NaN).
    """
    if len(a) != len(b):
        raise ValueError(f"the raters labelled {len(a)} and {len(b)} items; give the same items")
    pairs = Counter(zip(a, b, strict=True))
    labels = sorted({x for x, _ in pairs} | {y for _, y in pairs}, key=repr)
    return kappa_of_table([[pairs.get((x, y), 0) for y in labels] for x in labels])


def kappa_of_table(table: Sequence[Sequence[int]]) -> Kappa:
    """Cohen's kappa of a square table of counts: ``table[i][j]`` items rater A put in
    category i and rater B in category j (the same categories in the same order)."""
    n = sum(sum(row) for row in table)
    if n == 0:
        return Kappa(None, None, None, 0, None, None)
    k = len(table)
    observed = sum(table[i][i] for i in range(k)) / n
    rows = [sum(table[i]) for i in range(k)]
    cols = [sum(table[i][j] for i in range(k)) for j in range(k)]
    expected = sum(rows[i] * cols[i] for i in range(k)) / (n * n)
    if expected >= 1.0:
        return Kappa(None, observed, expected, n, None, None)
    kappa = (observed - expected) / (1.0 - expected)
    se = math.sqrt(observed * (1.0 - observed) / (n * (1.0 - expected) ** 2))
    return Kappa(kappa, observed, expected, n, kappa - Z95 * se, min(1.0, kappa + Z95 * se))
